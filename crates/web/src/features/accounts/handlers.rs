//! Accounts in the browser: the Ketua (or the administrator) creates and disables accounts within
//! their reach; everyone changes their own password.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use puskesos_domain::{Lang, tr};
use puskesos_storage::accounts::AccountError;
use serde::Deserialize;

use super::service::{self, AccountInput, CreateError, Manager};
use super::views;
use crate::app::access::CurrentUser;
use crate::app::extract::{CsrfForm, UiLang};
use crate::app::layout::Page;
use crate::app::{AppError, AppState, blocking};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewAccountForm {
    username: String,
    display_name: String,
    role: String,
    region: String,
    password: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StatusForm {
    /// "1" disables, anything else enables.
    nonaktif: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResetForm {
    password: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    current: String,
    new: String,
}

pub async fn page(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    user: CurrentUser,
) -> Result<Response, AppError> {
    render(&state, lang, user, None, StatusCode::OK).await
}

/// The account page, loaded afresh, with `status` and the message of a refused attempt.
async fn render(
    state: &AppState,
    lang: Lang,
    user: CurrentUser,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let db = state.db.clone();
    let reach = user.reach.clone();
    let list = blocking(move || service::list(&db, &reach)).await?;
    let body = views::accounts(lang, &user, &list, error.as_deref());
    Ok((
        status,
        Page::new(lang, &tr(lang, "web-accounts", &[]))
            .user(Some(user))
            .body(body),
    )
        .into_response())
}

pub async fn create(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<NewAccountForm>,
) -> Result<Response, AppError> {
    let db = state.db.clone();
    let (role, reach, username) = (
        user.account.role,
        user.reach.clone(),
        user.account.username.clone(),
    );
    let result = blocking(move || {
        let manager = Manager {
            role,
            reach: &reach,
            username: &username,
        };
        let input = AccountInput {
            username: &form.username,
            display_name: &form.display_name,
            role: &form.role,
            region: &form.region,
            password: &form.password,
        };
        Ok(service::create(&db, &manager, &input))
    })
    .await?;
    let message = match result {
        Ok(_) => return Ok(Redirect::to("/akun").into_response()),
        Err(CreateError::RoleNotAllowed) => tr(lang, "web-forbidden", &[]),
        Err(CreateError::Invalid(m)) => m.render(lang),
        Err(CreateError::Storage(e)) => return Err(e.into()),
    };
    render(
        &state,
        lang,
        user,
        Some(message),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

pub async fn set_status(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> Result<Response, AppError> {
    let disable = form.nonaktif.as_deref() == Some("1");
    let db = state.db.clone();
    let reach = user.reach.clone();
    let me = user.account.id.clone();
    blocking(move || service::set_disabled(&db, &reach, &me, &id, disable))
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(Redirect::to("/akun").into_response())
}

/// The Ketua or the administrator gives an account a temporary password (told to its owner in
/// person), which its owner must replace at the next login.
pub async fn reset_password(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    user: CurrentUser,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ResetForm>,
) -> Result<Response, AppError> {
    let db = state.db.clone();
    let reach = user.reach.clone();
    let me = user.account.id.clone();
    let result = blocking(move || {
        Ok(service::reset_password(
            &db,
            &reach,
            &me,
            &id,
            &form.password,
        ))
    })
    .await?;
    let message = match result {
        Ok(Some(())) => return Ok(Redirect::to("/akun").into_response()),
        Ok(None) => return Err(AppError::not_found()),
        Err(AccountError::Invalid(m)) => m.render(lang),
        Err(AccountError::Storage(e)) => return Err(e.into()),
    };
    render(
        &state,
        lang,
        user,
        Some(message),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

fn password_page(
    lang: Lang,
    user: CurrentUser,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let body = views::password(lang, &user, error.as_deref());
    (
        status,
        Page::new(lang, &tr(lang, "web-change-password", &[]))
            .user(Some(user))
            .body(body),
    )
        .into_response()
}

pub async fn password_form(UiLang(lang): UiLang, user: CurrentUser) -> Response {
    password_page(lang, user, None, StatusCode::OK)
}

pub async fn password_change(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<Response, AppError> {
    let db = state.db.clone();
    let id = user.account.id.clone();
    let result =
        blocking(move || Ok(service::change_password(&db, &id, &form.current, &form.new))).await?;
    match result {
        // All sessions ended, this one too: log in again with the new password.
        Ok(()) => Ok(Redirect::to("/masuk").into_response()),
        Err(AccountError::Invalid(m)) => Ok(password_page(
            lang,
            user,
            Some(m.render(lang)),
            StatusCode::UNPROCESSABLE_ENTITY,
        )),
        Err(AccountError::Storage(e)) => Err(e.into()),
    }
}
