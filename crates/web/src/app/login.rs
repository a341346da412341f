//! Login and logout: the login form (a double-submit CSRF token, since there is no session yet
//! to hold one), the session cookie, and its end.

use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use maud::html;
use puskesos_domain::{Lang, tr};
use puskesos_storage::accounts::{self, LoginError};
use puskesos_storage::now_ms;
use serde::Deserialize;

use crate::app::AppState;
use crate::app::access::{
    CurrentUser, LOGIN_CSRF_COOKIE, MaybeUser, SESSION_COOKIE, constant_time_eq, csrf_ok,
    random_hex, refuse, session_cookie,
};
use crate::app::layout::{Page, lang_of};
use crate::app::run::blocking;

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
