//! Activities of the centre and services delivered, in the browser: the list with the form,
//! and one activity with its participants. A district account works on the village it picked.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use puskesos_domain::tr;
use puskesos_domain::validate::parse_date;
use puskesos_storage::activities::NewActivity;
use serde::Deserialize;

use super::service::{self, RecordError};
use super::views;
use crate::app::extract::{AtVillage, CsrfForm, IdPath, UiLang};
use crate::app::layout::Page;
use crate::app::{AppError, AppState, blocking};

/// The activity form as posted.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ActivityForm {
    pub kind: String,
    pub title: String,
    pub held_on: String,
    pub place: String,
    pub outcome: Option<String>,
    /// `ya` when the activity is planned (its date may lie ahead).
    pub planned: Option<String>,
    /// The PSKS register's entry that ran or joined it (empty: none).
    pub provider_id: Option<String>,
    /// One participant per line.
    pub participants: String,
}

/// The village's activities and the register's entries the form offers.
async fn list_and_partners(
    state: &AppState,
    at: &AtVillage,
) -> Result<
    (
        Vec<puskesos_storage::activities::Activity>,
        Vec<puskesos_storage::directory::Provider>,
    ),
    AppError,
> {
    let db = state.db.clone();
    let village = at.village.clone();
    Ok(blocking(move || {
        Ok((
            service::list(&db, &village)?,
            service::partners(&db, &village)?,
        ))
    })
    .await?)
}

pub async fn page(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    at: AtVillage,
) -> Result<Response, AppError> {
    let (list, partners) = list_and_partners(&state, &at).await?;
    let body = views::page(lang, &at, &list, &partners, None, None);
    Ok(Page::new(lang, &tr(lang, "web-activities", &[]))
        .user(Some(at.user))
        .body(body)
        .into_response())
}

/// `GET /kegiatan/{id}`: one activity and who took part (personal data: the read is recorded).
pub async fn one(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    at: AtVillage,
    IdPath(id): IdPath<String>,
) -> Result<Response, AppError> {
    let db = state.db.clone();
    let (village, actor) = (at.village.clone(), at.user.actor());
    let (activity, people) = blocking(move || service::one(&db, &village, &id, &actor))
        .await?
        .ok_or_else(AppError::not_found)?;
    let body = views::one(lang, &at, &activity, &people);
    Ok(Page::new(lang, &activity.title)
        .user(Some(at.user))
        .body(body)
        .into_response())
}

pub async fn record(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    at: AtVillage,
    CsrfForm(form): CsrfForm<ActivityForm>,
) -> Result<Response, AppError> {
    fn given(s: &Option<String>) -> Option<&str> {
        s.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
    let new = NewActivity {
        village: at.village.clone(),
        kind: form.kind.clone(),
        title: form.title.clone(),
        held_on: parse_date(&form.held_on),
        place: form.place.clone(),
        outcome: given(&form.outcome).map(str::to_string),
        planned: given(&form.planned) == Some("ya"),
        provider_id: given(&form.provider_id).map(str::to_string),
        participants: form.participants.lines().map(str::to_string).collect(),
    };
    let db = state.db.clone();
    let actor = at.user.actor();
    match blocking(move || Ok(service::record(&db, &new, &actor))).await? {
        Ok(id) => Ok(Redirect::to(&format!("/kegiatan/{id}{}", at.desa_query())).into_response()),
        Err(RecordError::Invalid(refusal)) => {
            let (list, partners) = list_and_partners(&state, &at).await?;
            let message = views::refusal(lang, &refusal);
            let body = views::page(lang, &at, &list, &partners, Some(&form), Some(message));
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Page::new(lang, &tr(lang, "web-activities", &[]))
                    .user(Some(at.user))
                    .body(body),
            )
                .into_response())
        }
        Err(RecordError::Storage(e)) => Err(e.into()),
    }
}
