//! Accounts in the browser: the Ketua (or the administrator) creates and disables accounts within
//! their reach; everyone changes their own password.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use axum_extra::extract::CookieJar;
use maud::html;
use puskesos_domain::access::{Reach, Role};
use puskesos_domain::wilayah::Level;
use puskesos_domain::{Lang, tr};
use puskesos_storage::accounts::{self, AccountError, NewAccount};
use puskesos_storage::{StorageError, now_ms};

use crate::app::access::{CurrentUser, csrf_ok, refuse};
use crate::app::layout::{Page, error_page, lang_of};
use crate::app::{AppState, blocking};

type Fields = HashMap<String, String>;

/// Roles an account may create: a village's Ketua creates the village's staff; the
/// administrator creates any role.
fn creatable(user: &CurrentUser) -> Vec<Role> {
    match user.account.role {
        Role::Admin => Role::ALL.to_vec(),
        _ => Role::ALL
            .into_iter()
            .filter(|r| r.region_level() == Some(Level::DesaKelurahan))
            .collect(),
    }
}

pub async fn page(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    render(&state, lang, user, None, StatusCode::OK).await
}

async fn render(
    state: &AppState,
    lang: Lang,
    user: CurrentUser,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let t = |k: &str| tr(lang, k, &[]);
    let db = state.db.clone();
    let reach = user.reach.clone();
    let Ok(list) = blocking(move || accounts::list(&mut db.conn()?, &reach)).await else {
        return error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error");
    };
    let csrf = user.csrf_token.clone();
    let roles = creatable(&user);
    let is_admin = user.account.role == Role::Admin;
    let me = user.account.id.clone();
    let body = html! {
        section {
            h2 { (t("web-accounts-title")) }
            table.audit {
                thead { tr { th { (t("web-username")) } th { (t("web-display-name")) } th { (t("web-role")) } th {} } }
                tbody {
                    @for a in &list {
                        tr {
                            td { (a.username) @if a.disabled { " (" (t("web-disabled")) ")" } }
                            td { (a.display_name) }
                            td { (t(&format!("role-{}", a.role.code()))) " " small { (a.region.as_ref().map(|r| r.to_string()).unwrap_or_default()) } }
                            td {
                                @if a.id != me {
                                    form.inline method="post" action=(format!("/akun/{}/status", a.id)) {
                                        input type="hidden" name="csrf" value=(csrf);
                                        input type="hidden" name="nonaktif" value=(if a.disabled { "0" } else { "1" });
                                        button type="submit" { (if a.disabled { t("web-enable") } else { t("web-disable") }) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        section {
            h2 { (t("web-new-account")) }
            @if let Some(e) = &error { p.error role="alert" { (e) } }
            form method="post" action="/akun" {
                input type="hidden" name="csrf" value=(csrf);
                label for="username" { (t("web-username")) }
                input id="username" name="username" required maxlength="32" autocomplete="off";
                label for="display_name" { (t("web-display-name")) }
                input id="display_name" name="display_name" required maxlength="100";
                label for="role" { (t("web-role")) }
                select id="role" name="role" {
                    @for r in &roles { option value=(r.code()) { (t(&format!("role-{}", r.code()))) } }
                }
                @if is_admin {
                    label for="region" { (t("web-region")) }
                    input id="region" name="region" maxlength="13";
                }
                label for="password" { (t("web-new-password")) }
                input id="password" name="password" type="password" required minlength="8" maxlength="128" autocomplete="new-password";
                button type="submit" { (t("web-new-account")) }
            }
        }
    };
    (
        status,
        Page::new(lang, &t("web-accounts"))
            .user(Some(user))
            .body(body),
    )
        .into_response()
}

pub async fn create(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    Form(form): Form<Fields>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    if !csrf_ok(&user, &get("csrf")) {
        return refuse(StatusCode::FORBIDDEN, "web-csrf", lang, false);
    }
    let Some(role) = Role::from_code(&get("role")).filter(|r| creatable(&user).contains(r)) else {
        let message = tr(lang, "web-forbidden", &[]);
        return render(
            &state,
            lang,
            user,
            Some(message),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    // A village's Ketua creates accounts of that village only.
    let region = match (&user.reach, role.region_level()) {
        (_, None) => None,
        (Reach::Within(r), _) => Some(r.to_string()),
        (Reach::Everywhere, Some(_)) => Some(get("region")),
    };
    let db = state.db.clone();
    let creator = format!("user:{}", user.account.username);
    let (username, display, password) = (get("username"), get("display_name"), get("password"));
    let result = blocking(move || {
        let mut conn = db.conn()?;
        let new = NewAccount {
            username: &username,
            display_name: &display,
            role,
            region: region.as_deref(),
            password: &password,
        };
        Ok::<_, StorageError>(accounts::create(&mut conn, &new, &creator, now_ms()))
    })
    .await;
    match result {
        Ok(Ok(_)) => Redirect::to("/akun").into_response(),
        Ok(Err(AccountError::Invalid(m))) => {
            render(
                &state,
                lang,
                user,
                Some(m.render(lang)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        _ => error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error"),
    }
}

pub async fn set_status(
    State(state): State<AppState>,
    jar: CookieJar,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
    Form(form): Form<Fields>,
) -> Response {
    let lang = lang_of(None, &jar);
    if !csrf_ok(&user, form.get("csrf").map(String::as_str).unwrap_or("")) {
        return refuse(StatusCode::FORBIDDEN, "web-csrf", lang, false);
    }
    let disable = form.get("nonaktif").map(String::as_str) == Some("1");
    let db = state.db.clone();
    let reach = user.reach.clone();
    let me = user.account.id.clone();
    let result = blocking(move || {
        let mut conn = db.conn()?;
        // Only an account within reach, and never one's own.
        let target = accounts::list(&mut conn, &reach)?
            .into_iter()
            .find(|a| a.id == id && a.id != me);
        match target {
            Some(a) => accounts::set_disabled(&mut conn, &a.id, disable).map(|_| true),
            None => Ok(false),
        }
    })
    .await;
    match result {
        Ok(true) => Redirect::to("/akun").into_response(),
        Ok(false) => error_page(StatusCode::NOT_FOUND, lang, "web-not-found"),
        Err(_) => error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error"),
    }
}

fn password_page(
    lang: Lang,
    user: CurrentUser,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let t = |k: &str| tr(lang, k, &[]);
    let csrf = user.csrf_token.clone();
    let body = html! {
        section {
            h2 { (t("web-change-password")) }
            @if let Some(e) = &error { p.error role="alert" { (e) } }
            form method="post" action="/sandi" {
                input type="hidden" name="csrf" value=(csrf);
                label for="current" { (t("web-current-password")) }
                input id="current" name="current" type="password" required autocomplete="current-password" maxlength="128";
                label for="new" { (t("web-new-password")) }
                input id="new" name="new" type="password" required minlength="8" maxlength="128" autocomplete="new-password";
                button type="submit" { (t("web-change-password")) }
            }
        }
    };
    (
        status,
        Page::new(lang, &t("web-change-password"))
            .user(Some(user))
            .body(body),
    )
        .into_response()
}

pub async fn password_form(
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
) -> Response {
    password_page(lang_of(uri.query(), &jar), user, None, StatusCode::OK)
}

pub async fn password_change(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    Form(form): Form<Fields>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    if !csrf_ok(&user, &get("csrf")) {
        return refuse(StatusCode::FORBIDDEN, "web-csrf", lang, false);
    }
    let db = state.db.clone();
    let id = user.account.id.clone();
    let (current, new) = (get("current"), get("new"));
    let result = blocking(move || {
        let mut conn = db.conn()?;
        Ok::<_, StorageError>(accounts::change_password(&mut conn, &id, &current, &new))
    })
    .await;
    match result {
        // All sessions ended, this one too: log in again with the new password.
        Ok(Ok(())) => Redirect::to("/masuk").into_response(),
        Ok(Err(AccountError::Invalid(m))) => password_page(
            lang,
            user,
            Some(m.render(lang)),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        _ => error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error"),
    }
}
