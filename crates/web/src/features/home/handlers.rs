//! The start page, the health check and the sample import file.

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use puskesos_domain::identity::Nik;
use puskesos_domain::wilayah::Wilayah;
use serde::Deserialize;

use super::service;
use super::views::{self, Home};
use crate::app::access::MaybeUser;
use crate::app::extract::UiLang;
use crate::app::{AppError, AppState};

/// The sample import file (docs/samples/contoh-impor.csv), for the data officer.
pub async fn sample() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"contoh-impor.csv\"",
            ),
        ],
        include_str!("../../../../../docs/samples/contoh-impor.csv"),
    )
        .into_response()
}

/// "ok" while the database answers; 503 when it does not (a load balancer or monitor then
/// takes the node out), with the cause logged.
pub async fn healthz(State(state): State<AppState>) -> Result<&'static str, AppError> {
    service::database_answers(&state.db).await.map_err(|e| {
        tracing::error!(error = %e, "health check: the database does not answer");
        AppError::refused(StatusCode::SERVICE_UNAVAILABLE, "web-health-db")
    })?;
    Ok("ok")
}

#[derive(Deserialize)]
pub struct HomeQuery {
    nomor: Option<String>,
}

/// The start page: the village, the registry's size and a NIK checker (no personal data).
pub async fn home(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    MaybeUser(user): MaybeUser,
    Query(q): Query<HomeQuery>,
) -> Result<Response, AppError> {
    let (families, persons) = service::registry_size(&state.db).await?;
    let nomor = q.nomor.unwrap_or_default();
    let home = Home {
        village: state
            .village
            .as_ref()
            .and_then(|v| Wilayah::master().full_name(v)),
        families,
        persons,
        nomor: &nomor,
        checked: (!nomor.trim().is_empty()).then(|| Nik::parse(&nomor)),
    };
    Ok(views::home_page(lang, user, home).into_response())
}

/// The terms of the trade, for staff (`/istilah`): what DTSEN, a decile, an exclusion error,
/// the PKH components and the rest mean. Linked from the foot of every page.
pub async fn glossary(
    crate::app::extract::UiLang(lang): crate::app::extract::UiLang,
    user: crate::app::access::MaybeUser,
) -> Response {
    super::views::glossary(lang, user.0).into_response()
}
