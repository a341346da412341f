//! The register in the browser: the list with the form to add, an entry's page with its edit
//! and retire forms. Every post answers with a redirect; a refused form is shown again (422)
//! with the field and value named.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use puskesos_domain::tr;
use puskesos_storage::directory::ProviderInput;
use serde::Deserialize;

use super::{service, views};
use crate::app::extract::{AtVillage, CsrfForm, IdPath, UiLang};
use crate::app::{AppError, AppState, blocking};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EntryForm {
    name: String,
    kind: String,
    contact: Option<String>,
    services: Option<String>,
    capacity: Option<String>,
    area: Option<String>,
}

impl EntryForm {
    fn input(self) -> ProviderInput {
        ProviderInput {
            name: self.name,
            kind: self.kind,
            contact: self.contact,
            services: self.services,
            capacity: self.capacity,
            area: self.area,
        }
    }
}

pub async fn list(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    AtVillage { user, village }: AtVillage,
) -> Result<Response, AppError> {
    let db = state.db.clone();
    let list = blocking(move || service::list(&db, &village)).await?;
    Ok(views::list(lang, &user, &list, None).into_response())
}

pub async fn add(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    AtVillage { user, village }: AtVillage,
    CsrfForm(form): CsrfForm<EntryForm>,
) -> Result<Response, AppError> {
    let db = state.db.clone();
    let actor = user.actor();
    let input = form.input();
    let v = village.clone();
    match blocking(move || service::add(&db, &v, &input, &actor)).await? {
        Ok(p) => Ok(Redirect::to(&format!("/penyedia/{}", p.id)).into_response()),
        Err(r) => {
            let db = state.db.clone();
            let list = blocking(move || service::list(&db, &village)).await?;
            let msg = views::refusal(lang, &r);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                views::list(lang, &user, &list, Some(msg)),
            )
                .into_response())
        }
    }
}

pub async fn entry(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    AtVillage { user, village }: AtVillage,
    IdPath(id): IdPath<String>,
) -> Result<Response, AppError> {
    let db = state.db.clone();
    let e = blocking(move || service::entry(&db, &village, &id))
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(views::entry(lang, &user, &e, None).into_response())
}

pub async fn edit(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    AtVillage { user, village }: AtVillage,
    IdPath(id): IdPath<String>,
    CsrfForm(form): CsrfForm<EntryForm>,
) -> Result<Response, AppError> {
    let db = state.db.clone();
    let actor = user.actor();
    let input = form.input();
    let (v, i) = (village.clone(), id.clone());
    match blocking(move || service::edit(&db, &v, &i, &input, &actor)).await? {
        Ok(None) => Err(AppError::not_found()),
        Ok(Some(_)) => Ok(Redirect::to(&format!("/penyedia/{id}")).into_response()),
        Err(r) => {
            let db = state.db.clone();
            let e = blocking(move || service::entry(&db, &village, &id))
                .await?
                .ok_or_else(AppError::not_found)?;
            let msg = views::refusal(lang, &r);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                views::entry(lang, &user, &e, Some(msg)),
            )
                .into_response())
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RetireForm {
    reason: String,
}

pub async fn retire(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    AtVillage { user, village }: AtVillage,
    IdPath(id): IdPath<String>,
    CsrfForm(form): CsrfForm<RetireForm>,
) -> Result<Response, AppError> {
    let db = state.db.clone();
    let actor = user.actor();
    let (v, i) = (village.clone(), id.clone());
    if blocking(move || service::retire(&db, &v, &i, &form.reason, &actor)).await? {
        return Ok(Redirect::to(&format!("/penyedia/{id}")).into_response());
    }
    let db = state.db.clone();
    let e = blocking(move || service::entry(&db, &village, &id))
        .await?
        .ok_or_else(AppError::not_found)?;
    let msg = tr(lang, "dir-retire-reason-needed", &[]);
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        views::entry(lang, &user, &e, Some(msg)),
    )
        .into_response())
}
