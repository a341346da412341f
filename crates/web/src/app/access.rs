//! The access check every request passes (the route's rule, the session, the permission
//! matrix), the signed-in user it hands to handlers, and CSRF tokens.

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use puskesos_domain::access::{Reach, allowed};
use puskesos_domain::{Lang, tr};
use puskesos_storage::StorageError;
use puskesos_storage::accounts::{self, Account};
use puskesos_storage::audit::{AuditAction, AuditEntity, AuditEvent};
use puskesos_storage::now_ms;

use crate::app::AppState;
use crate::app::error::AppError;
use crate::app::layout::{error_page, lang_of};
use crate::app::route::{self, Access, Audit, Route};
use crate::app::run::quick;

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

impl CurrentUser {
    /// How the account is named in the audit log and the change history (`user:siti`).
    pub fn actor(&self) -> String {
        accounts::actor(&self.account.username)
    }
}

/// The result of the access check, for handlers: `None` on public routes without a login.
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<CurrentUser>);

pub fn wants_json(req_path: &str, headers: &HeaderMap) -> bool {
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

/// What the access check needs: the state and the whole route table.
#[derive(Clone)]
pub struct Gate {
    pub state: AppState,
    pub table: &'static [Route],
}

/// Runs on every request: finds the route's rule (no rule, no entry), loads the session,
/// checks the permission matrix and, for state-changing requests, the CSRF token.
pub async fn access_check(
    State(gate): State<Gate>,
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
    let state = &gate.state;
    // HEAD is a GET without its body (axum answers it from the GET handler): same rule. OPTIONS
    // names the methods of the path and carries nothing.
    if req.method() == Method::OPTIONS {
        let allow: Vec<&str> = gate
            .table
            .iter()
            .filter(|r| r.path == path)
            .flat_map(|r| {
                if r.method == Method::GET {
                    vec!["GET", "HEAD"]
                } else {
                    vec![r.method.as_str()]
                }
            })
            .chain(["OPTIONS"])
            .collect();
        return (StatusCode::NO_CONTENT, [(header::ALLOW, allow.join(", "))]).into_response();
    }
    let method = if req.method() == Method::HEAD {
        Method::GET
    } else {
        req.method().clone()
    };
    let Some(route) = route::find(gate.table, &method, path) else {
        return refuse(StatusCode::FORBIDDEN, "web-forbidden", lang, json);
    };
    let (access, audit_rule) = (route.access, route.audit);
    // A partner system's request carries its bearer token, not a session: the handler
    // authenticates it, checks its agreement and records what it answered.
    if access == Access::Partner {
        req.extensions_mut().insert(route::RouteTable(gate.table));
        return next.run(req).await;
    }
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
                Err(e) => return AppError::from(e).into_response(),
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
        // A temporary password set by a manager opens nothing but the form that replaces it.
        if u.account.must_change_password && !matches!(path, "/sandi" | "/keluar") {
            if json {
                return refuse(
                    StatusCode::FORBIDDEN,
                    "web-password-must-change",
                    lang,
                    true,
                );
            }
            return Redirect::to("/sandi").into_response();
        }
        if !allowed(u.account.role, action) {
            // A refusal is recorded too (UU 27/2022): who asked for what.
            let event = page_event(AuditAction::AccessRefused, u, req.uri());
            if let Err(e) = record(state, event).await {
                return AppError::from(e).into_response();
            }
            return refuse(StatusCode::FORBIDDEN, "web-forbidden", lang, json);
        }
    }
    let uri = req.uri().clone();
    req.extensions_mut().insert(route::RouteTable(gate.table));
    req.extensions_mut().insert(MaybeUser(user.clone()));
    if let Some(u) = &user {
        req.extensions_mut().insert(u.clone());
    }
    let resp = next.run(req).await;
    // A page with personal data whose handler writes no row of its own: the kernel records
    // that it was read (the path and query say what), and shows nothing before the row is
    // committed. Repeats of the same read by the same account within a minute fold into one
    // row with their count (`AuditWriter::submit_folded`). Full records (a family, a case, a
    // file) are `Audit::Own`: their services write their own rows.
    if audit_rule == Audit::Kernel
        && resp.status().is_success()
        && let Some(u) = &user
        && let Err(e) = record_read(state, page_event(AuditAction::Read, u, &uri)).await
    {
        return AppError::from(e).into_response();
    }
    resp
}

/// A row about a page: `entity_id` is its path and query, the village the account's own (a
/// district account's rows name no single village).
fn page_event(action: AuditAction, user: &CurrentUser, uri: &axum::http::Uri) -> AuditEvent {
    let what = uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or(uri.path());
    let village = crate::app::scope::village_for(user, None).unwrap_or_default();
    AuditEvent::new(
        action,
        AuditEntity::Page,
        &what.chars().take(500).collect::<String>(),
    )
    .by(&user.actor())
    .in_village(&village)
}

/// Hands a row to the group-commit writer and waits for its commit.
async fn record(state: &AppState, event: AuditEvent) -> Result<(), StorageError> {
    let (done, wait) = tokio::sync::oneshot::channel();
    state.audit.submit(
        event,
        Box::new(move |result| {
            let _ = done.send(result);
        }),
    )?;
    committed(wait).await
}

/// [`record`] for the read of a page, folding repeats.
async fn record_read(state: &AppState, event: AuditEvent) -> Result<(), StorageError> {
    let (done, wait) = tokio::sync::oneshot::channel();
    state.audit.submit_folded(
        event,
        now_ms(),
        Box::new(move |result| {
            let _ = done.send(result);
        }),
    )?;
    committed(wait).await
}

async fn committed(
    wait: tokio::sync::oneshot::Receiver<Result<(), String>>,
) -> Result<(), StorageError> {
    wait.await
        .map_err(|_| StorageError::Config("audit writer stopped".into()))?
        .map_err(|e| StorageError::Config(format!("audit: {e}")))
}

/// Checks a form's CSRF token against the session's.
pub fn csrf_ok(user: &CurrentUser, sent: &str) -> bool {
    constant_time_eq(user.csrf_token.as_bytes(), sent.as_bytes())
}

pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub(crate) fn session_cookie(value: String, secure: bool) -> Cookie<'static> {
    let mut c = Cookie::new(SESSION_COOKIE, value);
    c.set_http_only(true);
    c.set_same_site(SameSite::Strict);
    c.set_secure(secure);
    c.set_path("/");
    c
}

pub(crate) fn random_hex() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
