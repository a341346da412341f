//! What a handler asks for instead of repeating its setup: the request's language, the
//! signed-in user (put there by the access check), the village a page is about, and a form
//! whose CSRF token was checked before it was deserialised into a typed struct.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use puskesos_domain::Lang;
use serde::de::DeserializeOwned;

use crate::app::access::{CurrentUser, MaybeUser, csrf_ok};
use crate::app::error::AppError;
use crate::app::layout::lang_of;
use crate::app::scope::{asked_village, desa_query, picker, village_for};
use crate::app::state::AppState;

/// The language of the request: `?lang=`, else the `lang` cookie, else Indonesian.
#[derive(Debug, Clone, Copy)]
pub struct UiLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for UiLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(UiLang(request_lang(parts)))
    }
}

pub(crate) fn request_lang(parts: &Parts) -> Lang {
    lang_of(parts.uri.query(), &CookieJar::from_headers(&parts.headers))
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        parts
            .extensions
            .get::<CurrentUser>()
            .cloned()
            .ok_or_else(|| AppError::refused(StatusCode::UNAUTHORIZED, "web-login-required"))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for MaybeUser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<MaybeUser>()
            .cloned()
            .unwrap_or(MaybeUser(None)))
    }
}

/// The signed-in user and the village the page is about: the account's own, or for a district
/// (or wider) account the `?desa=` it picked within its reach (or the one it picked before,
/// kept in a cookie). Without one the page is the village picker.
#[derive(Debug, Clone)]
pub struct AtVillage {
    pub user: CurrentUser,
    pub village: String,
}

impl AtVillage {
    /// The query that keeps a district account on the same village (`?desa=...`).
    pub fn desa_query(&self) -> String {
        desa_query(&self.user, &self.village)
    }
}

/// The `desa` parameter of a query string, if any.
pub(crate) fn desa_param(query: Option<&str>) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Desa {
        desa: Option<String>,
    }
    serde_urlencoded::from_str::<Desa>(query?)
        .ok()
        .and_then(|d| d.desa)
}

impl<S: Send + Sync> FromRequestParts<S> for AtVillage {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let user = CurrentUser::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let asked = asked_village(parts.uri.query(), &parts.headers);
        match village_for(&user, asked.as_deref()) {
            Some(village) => Ok(AtVillage { user, village }),
            None => {
                // One it may not see is "not found", as before; none picked yet is the picker.
                let status = if asked.is_some() {
                    StatusCode::NOT_FOUND
                } else {
                    StatusCode::OK
                };
                let path = parts.uri.path().to_string();
                Err(picker(request_lang(parts), user, &path, status))
            }
        }
    }
}

/// A form posted by the signed-in user whose `csrf` field matched the session's token, then
/// deserialised into `T` (unknown fields ignored). A missing or forged token is refused (403)
/// before anything is read; a body that does not fit `T` is a 422 naming no internals.
#[derive(Debug)]
pub struct CsrfForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for CsrfForm<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let user = req
            .extensions()
            .get::<CurrentUser>()
            .cloned()
            .ok_or_else(AppError::forbidden)?;
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| AppError::refused(e.status(), "web-bad-form"))?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| AppError::refused(StatusCode::BAD_REQUEST, "web-bad-form"))?;
        let sent = pairs
            .iter()
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        if !csrf_ok(&user, sent) {
            return Err(AppError::csrf());
        }
        serde_urlencoded::from_bytes(&bytes)
            .map(CsrfForm)
            .map_err(|_| AppError::refused(StatusCode::UNPROCESSABLE_ENTITY, "web-bad-form"))
    }
}

/// Ids from the URL path, parsed once into their types (`IdPath<CaseId>`,
/// `IdPath<(CaseId, ReferralId)>`): a malformed id is "not found" before any database is asked.
#[derive(Debug)]
pub struct IdPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for IdPath<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| IdPath(v))
            .map_err(|_| AppError::not_found())
    }
}

/// The caller's IP address, as the connection gives it (`None` where there is no connection
/// info, as in the in-process tests). Behind a reverse proxy this is the proxy's address, unless
/// the server trusts it (`--trust-proxy`): then a connection from this machine's own address
/// names its client by the last `X-Forwarded-For` entry, the one the proxy appended (entries
/// before it are whatever the client sent). The login limit leaves loopback alone (README).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        let forwarded = || {
            let last = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .next_back()?
                .to_str()
                .ok()?
                .rsplit(',')
                .next()?
                .trim()
                .parse::<std::net::IpAddr>()
                .ok()?;
            Some(last)
        };
        Ok(ClientAddr(match peer {
            Some(ip) if state.trust_proxy && ip.is_loopback() => forwarded().or(peer),
            _ => peer,
        }))
    }
}
