//! Sessions, the access check every request passes, CSRF protection, login and logout.

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use maud::html;
use puskesos_domain::access::{Reach, allowed};
use puskesos_domain::{Lang, tr};
use puskesos_storage::accounts::{self, Account, LoginError};
use puskesos_storage::now_ms;
use serde::Deserialize;

use crate::pages::{Page, error_page, lang_of};
use crate::routes::{self, Access};
use crate::{AppState, blocking, quick};

pub const SESSION_COOKIE: &str = "puskesos_sesi";
/// Double-submit token for the login form (there is no session yet to hold one).
pub const LOGIN_CSRF_COOKIE: &str = "puskesos_csrf";

/// The logged-in account of a request, with where it may act and its CSRF token.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub account: Account,
    pub reach: Reach,
    pub csrf_token: String,
}

/// The result of the access check, for handlers: `None` on public routes without a login.
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<CurrentUser>);

fn wants_json(req_path: &str, headers: &HeaderMap) -> bool {
    req_path.starts_with("/api/")
        || headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("application/json") && !v.contains("text/html"))
}

/// A refusal in the caller's language, as a page or as JSON.
pub fn refuse(status: StatusCode, key: &str, lang: Lang, json: bool) -> Response {
    if json {
        (
            status,
            axum::Json(serde_json::json!({
                "error": key,
                "message": tr(Lang::Id, key, &[]),
                "message_en": tr(Lang::En, key, &[]),
            })),
        )
            .into_response()
    } else {
        error_page(status, lang, key)
    }
}

/// Runs on every request: finds the route's rule (no rule, no entry), loads the session,
/// checks the permission matrix and, for state-changing requests, the CSRF token.
pub async fn access_check(
    State(state): State<AppState>,
    jar: CookieJar,
    matched: Option<MatchedPath>,
    mut req: Request,
    next: Next,
) -> Response {
    let lang = lang_of(req.uri().query(), &jar);
    let json = wants_json(req.uri().path(), req.headers());
    let Some(path) = matched.as_ref().map(MatchedPath::as_str) else {
        return refuse(StatusCode::NOT_FOUND, "web-not-found", lang, json);
    };
    let Some(access) = routes::rule(req.method(), path) else {
        return refuse(StatusCode::FORBIDDEN, "web-forbidden", lang, json);
    };
    let user = match jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) {
        Some(token) => {
            let db = state.db.clone();
            match quick(&state.db, move || {
                let mut conn = db.conn()?;
                accounts::session(&mut conn, &token, now_ms())
            })
            .await
            {
                Ok(found) => found.and_then(|(account, csrf_token)| {
                    let reach = account.reach()?;
                    Some(CurrentUser {
                        account,
                        reach,
                        csrf_token,
                    })
                }),
                Err(_) => {
                    return refuse(StatusCode::SERVICE_UNAVAILABLE, "web-db-error", lang, json);
                }
            }
        }
        None => None,
    };
    if let Access::Needs(action) = access {
        let Some(u) = &user else {
            if json {
                return refuse(StatusCode::UNAUTHORIZED, "web-login-required", lang, true);
            }
            return Redirect::to("/masuk").into_response();
        };
        if !allowed(u.account.role, action) {
            return refuse(StatusCode::FORBIDDEN, "web-forbidden", lang, json);
        }
    }
    req.extensions_mut().insert(MaybeUser(user.clone()));
    if let Some(u) = user {
        req.extensions_mut().insert(u);
    }
    next.run(req).await
}

/// Checks a form's CSRF token against the session's.
pub fn csrf_ok(user: &CurrentUser, sent: &str) -> bool {
    constant_time_eq(user.csrf_token.as_bytes(), sent.as_bytes())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn session_cookie(value: String, secure: bool) -> Cookie<'static> {
    let mut c = Cookie::new(SESSION_COOKIE, value);
    c.set_http_only(true);
    c.set_same_site(SameSite::Strict);
    c.set_secure(secure);
    c.set_path("/");
    c
}

fn random_hex() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    csrf: String,
}

pub async fn login_form(
    State(state): State<AppState>,
    jar: CookieJar,
    Extension(MaybeUser(user)): Extension<MaybeUser>,
    req_uri: axum::http::Uri,
) -> Response {
    let lang = lang_of(req_uri.query(), &jar);
    if user.is_some() {
        return Redirect::to("/antrean").into_response();
    }
    let token = random_hex();
    let mut cookie = Cookie::new(LOGIN_CSRF_COOKIE, token.clone());
    cookie.set_http_only(true);
    cookie.set_same_site(SameSite::Strict);
    cookie.set_secure(state.secure_cookies);
    cookie.set_path("/masuk");
    (jar.add(cookie), login_page(lang, &token, None)).into_response()
}

fn login_page(lang: Lang, token: &str, error: Option<&str>) -> Response {
    let t = |k: &str| tr(lang, k, &[]);
    Page::new(lang, &t("web-login-title"))
        .body(html! {
            section {
                h2 { (t("web-login-title")) }
                @if let Some(key) = error {
                    p.error role="alert" { (t(key)) }
                }
                form method="post" action="/masuk" {
                    input type="hidden" name="csrf" value=(token);
                    label for="username" { (t("web-username")) }
                    input id="username" name="username" autocomplete="username" required maxlength="64";
                    label for="password" { (t("web-password")) }
                    input id="password" name="password" type="password" autocomplete="current-password" required maxlength="128";
                    button type="submit" { (t("web-login-button")) }
                }
            }
        })
        .into_response()
}

pub async fn login_submit(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: axum::http::Uri,
    Form(form): Form<LoginForm>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let expected = jar.get(LOGIN_CSRF_COOKIE).map(|c| c.value().to_string());
    if expected
        .as_deref()
        .is_none_or(|e| !constant_time_eq(e.as_bytes(), form.csrf.as_bytes()))
    {
        return refuse(StatusCode::FORBIDDEN, "web-csrf", lang, false);
    }
    let db = state.db.clone();
    let username = form.username.chars().take(64).collect::<String>();
    let password = form.password.chars().take(128).collect::<String>();
    let result = blocking(move || {
        let mut conn = db.conn()?;
        Ok::<_, puskesos_storage::StorageError>(accounts::login(
            &mut conn,
            &username,
            &password,
            now_ms(),
        ))
    })
    .await;
    let token = expected.unwrap_or_default();
    match result {
        Ok(Ok(session)) => {
            let jar = jar.add(session_cookie(session.token, state.secure_cookies));
            // Each role opens to its queue (which sends accounts without one onwards).
            (jar, Redirect::to("/antrean")).into_response()
        }
        Ok(Err(LoginError::Locked(_))) => (
            StatusCode::TOO_MANY_REQUESTS,
            login_page(lang, &token, Some("web-login-locked")),
        )
            .into_response(),
        Ok(Err(LoginError::Disabled)) => (
            StatusCode::FORBIDDEN,
            login_page(lang, &token, Some("web-login-disabled")),
        )
            .into_response(),
        Ok(Err(LoginError::Invalid)) => (
            StatusCode::UNAUTHORIZED,
            login_page(lang, &token, Some("web-login-invalid")),
        )
            .into_response(),
        Ok(Err(LoginError::Storage(_))) | Err(_) => {
            refuse(StatusCode::SERVICE_UNAVAILABLE, "web-db-error", lang, false)
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    Extension(user): Extension<CurrentUser>,
    method: Method,
    Form(form): Form<CsrfForm>,
) -> Response {
    let lang = lang_of(None, &jar);
    debug_assert_eq!(method, Method::POST);
    if !csrf_ok(&user, &form.csrf) {
        return refuse(StatusCode::FORBIDDEN, "web-csrf", lang, false);
    }
    if let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) {
        let db = state.db.clone();
        let _ = blocking(move || {
            let mut conn = db.conn()?;
            accounts::logout(&mut conn, &token)
        })
        .await;
    }
    let jar = jar.remove(session_cookie(String::new(), state.secure_cookies));
    (jar, Redirect::to("/masuk")).into_response()
}
