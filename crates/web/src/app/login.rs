//! Login and logout: the login form (a double-submit CSRF token, since there is no session yet
//! to hold one), the session cookie, and its end. The one place besides the access check that
//! handles cookies itself.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::LazyLock;

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use maud::html;
use puskesos_domain::{Lang, tr};
use puskesos_storage::accounts::{self, LoginError};
use puskesos_storage::now_ms;
use serde::Deserialize;

use crate::app::AppState;
use crate::app::access::{
    LOGIN_CSRF_COOKIE, MaybeUser, SESSION_COOKIE, constant_time_eq, random_hex, session_cookie,
};
use crate::app::error::AppError;
use crate::app::extract::{ClientAddr, CsrfForm, UiLang};
use crate::app::layout::Page;
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
    UiLang(lang): UiLang,
    MaybeUser(user): MaybeUser,
) -> Response {
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
    login_page_with(lang, token, error.map(|k| tr(lang, k, &[])).as_deref())
}

/// The login page with a message already rendered.
fn login_page_with(lang: Lang, token: &str, error: Option<&str>) -> Response {
    let t = |k: &str| tr(lang, k, &[]);
    Page::new(lang, &t("web-login-title"))
        .body(html! {
            section {
                h2 { (t("web-login-title")) }
                @if let Some(message) = error {
                    p.error role="alert" { (message) }
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

/// Login attempts per client address: ten a minute, whatever the usernames. A spray of
/// usernames from one address is slowed down there, without locking any account for the
/// people who own it (governor's keyed limiter: a token bucket per address).
static LOGINS_PER_CLIENT: LazyLock<DefaultKeyedRateLimiter<IpAddr>> =
    LazyLock::new(|| RateLimiter::keyed(Quota::per_minute(NonZeroU32::MIN.saturating_add(9))));

/// More addresses than this and the limiter forgets those whose bucket is full again.
const CLIENTS_KEPT: usize = 10_000;

pub async fn login_submit(
    State(state): State<AppState>,
    jar: CookieJar,
    UiLang(lang): UiLang,
    ClientAddr(address): ClientAddr,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let expected = jar.get(LOGIN_CSRF_COOKIE).map(|c| c.value().to_string());
    let Some(token) = expected.filter(|e| constant_time_eq(e.as_bytes(), form.csrf.as_bytes()))
    else {
        return Err(AppError::csrf());
    };
    // Loopback is the machine itself (the village laptop's own browser, or a reverse proxy in
    // front, behind which every client has the same address: limiting it would limit everyone).
    if let Some(ip) = address.filter(|ip| !ip.is_loopback()) {
        if LOGINS_PER_CLIENT.len() > CLIENTS_KEPT {
            LOGINS_PER_CLIENT.retain_recent();
        }
        if LOGINS_PER_CLIENT.check_key(&ip).is_err() {
            let page = login_page(lang, &token, Some("web-login-slow-down"));
            return Ok((StatusCode::TOO_MANY_REQUESTS, page).into_response());
        }
    }
    let db = state.db.clone();
    let username = form.username.chars().take(64).collect::<String>();
    let password = form.password.chars().take(128).collect::<String>();
    let result = blocking(move || {
        let mut conn = db.conn()?;
        Ok(accounts::login(&mut conn, &username, &password, now_ms()))
    })
    .await?;
    let (status, key) = match result {
        Ok(session) => {
            let mut jar = jar.add(session_cookie(session.token, state.secure_cookies));
            // The language the officer chose last, on whichever device.
            let (db, id) = (state.db.clone(), session.account.id.clone());
            let kept = blocking(move || accounts::preferred_lang(&mut db.conn()?, &id)).await?;
            if let Some(l) = kept.and_then(|l| l.parse().ok()) {
                jar = jar.add(crate::app::layout::lang_cookie(l, state.secure_cookies));
            }
            // Each role opens to its queue (which sends accounts without one onwards); a
            // temporary password to the form that replaces it.
            let to = if session.account.must_change_password {
                "/sandi"
            } else {
                "/antrean"
            };
            return Ok((jar, Redirect::to(to)).into_response());
        }
        // Too soon after a failure of this name (known or not: the same answer): how long.
        Err(LoginError::Wait(until)) => {
            let seconds = ((until - now_ms()).max(0) + 999) / 1000;
            let message = tr(
                lang,
                "web-login-wait",
                &[("seconds", &seconds.max(1).to_string())],
            );
            let page = login_page_with(lang, &token, Some(&message));
            return Ok((StatusCode::TOO_MANY_REQUESTS, page).into_response());
        }
        Err(LoginError::Disabled) => (StatusCode::FORBIDDEN, "web-login-disabled"),
        Err(LoginError::Invalid) => (StatusCode::UNAUTHORIZED, "web-login-invalid"),
        Err(LoginError::Storage(e)) => return Err(e.into()),
    };
    Ok((status, login_page(lang, &token, Some(key))).into_response())
}

/// The logout form carries nothing but its CSRF token (checked by [`CsrfForm`]).
#[derive(Deserialize)]
pub struct LogoutForm {}

pub async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    CsrfForm(LogoutForm {}): CsrfForm<LogoutForm>,
) -> Response {
    if let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) {
        let db = state.db.clone();
        // The cookie goes either way; a session the database could not end expires by itself.
        if let Err(e) = blocking(move || accounts::logout(&mut db.conn()?, &token)).await {
            tracing::error!(error = %e, "ending a session failed");
        }
    }
    let jar = jar.remove(session_cookie(String::new(), state.secure_cookies));
    (jar, Redirect::to("/masuk")).into_response()
}
