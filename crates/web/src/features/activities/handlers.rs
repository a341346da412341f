//! Activities of the centre and services delivered, in the browser: the list and the form.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use puskesos_domain::tr;
use puskesos_domain::validate::parse_date;
use puskesos_storage::activities::NewActivity;
use serde::Deserialize;

use super::service::{self, RecordError};
use super::views;
use crate::app::access::CurrentUser;
use crate::app::extract::{CsrfForm, UiLang};
use crate::app::layout::Page;
use crate::app::scope::village_for;
use crate::app::{AppError, AppState, blocking};

/// The activity form as posted.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActivityForm {
    kind: String,
    title: String,
    held_on: String,
    place: String,
    outcome: Option<String>,
    /// One participant per line.
    participants: String,
}

pub async fn page(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    user: CurrentUser,
) -> Result<Response, AppError> {
    // The account's own village only (a district account's `?desa=` is not honoured here).
    let village = village_for(&user, None)
        .ok_or_else(|| AppError::refused(StatusCode::NOT_FOUND, "web-choose-village"))?;
    let db = state.db.clone();
    let list = blocking(move || service::list(&db, &village)).await?;
    let body = views::page(lang, &user, &list);
    Ok(Page::new(lang, &tr(lang, "web-activities", &[]))
        .user(Some(user))
        .body(body)
        .into_response())
}

pub async fn record(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<ActivityForm>,
) -> Result<Response, AppError> {
    let village = village_for(&user, None).ok_or_else(AppError::forbidden)?;
    let new = NewActivity {
        village,
        kind: form.kind,
        title: form.title,
        held_on: parse_date(&form.held_on),
        place: form.place,
        outcome: form.outcome,
        participants: form.participants.lines().map(str::to_string).collect(),
    };
    let db = state.db.clone();
    let actor = user.actor();
    match blocking(move || Ok(service::record(&db, &new, &actor))).await? {
        Ok(_) => Ok(Redirect::to("/kegiatan").into_response()),
        Err(RecordError::Invalid(field)) => {
            let body = views::refused(lang, &user, field);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Page::new(lang, &tr(lang, "web-activities", &[]))
                    .user(Some(user))
                    .body(body),
            )
                .into_response())
        }
        Err(RecordError::Storage(e)) => Err(e.into()),
    }
}
