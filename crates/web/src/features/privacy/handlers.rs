//! UU 27/2022: the audit log for the responsible roles (Ps 31), and one person's data with its
//! processing record for that person (Ps 32).

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use puskesos_domain::tr;
use serde::Deserialize;

use super::service;
use super::views;
use crate::app::access::CurrentUser;
use crate::app::download::download;
use crate::app::extract::IdPath;
use crate::app::extract::UiLang;
use crate::app::layout::Page;
use crate::app::{AppError, AppState, blocking};
use puskesos_domain::ids::PersonId;

#[derive(Deserialize)]
pub struct AuditParams {
    hal: Option<i64>,
}

pub async fn audit(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    user: CurrentUser,
    Query(p): Query<AuditParams>,
) -> Result<Response, AppError> {
    let db = state.db.clone();
    let prefix = user.reach.prefix().map(str::to_string);
    let page = p.hal.unwrap_or(1);
    let page = blocking(move || service::audit_page(&db, prefix.as_deref(), page)).await?;
    Ok(Page::new(lang, &tr(lang, "web-audit", &[]))
        .user(Some(user))
        .body(views::audit(lang, &page))
        .into_response())
}

/// A person's stored data, the changes made to it, and every recorded processing of it or of
/// their family, as one JSON file to hand to the person. The export itself is recorded.
pub async fn person_export(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<PersonId>,
) -> Result<Response, AppError> {
    // Parsed at the edge; the services take the id as text.
    let id = id.into_string();
    let db = state.db.clone();
    let reach = user.reach.clone();
    let actor = user.actor();
    let export = blocking(move || service::export(&db, &reach, &actor, &id))
        .await?
        .ok_or_else(AppError::not_found)?;
    let bytes = serde_json::to_vec(&export.document())
        .map_err(|e| AppError::internal("web-internal-error", e))?;
    Ok(download("application/json", &export.file_name(), bytes))
}
