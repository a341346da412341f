//! The data officer's page in the browser: upload an import file, download its reject report,
//! download exports of the village (or an RT/RW of it) and its DTSEN proposals.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use puskesos_domain::access::Reach;
use puskesos_domain::wilayah::Level;
use puskesos_interchange::ImportError;
use puskesos_interchange::export::{ExportError, table_bytes};
use serde::Deserialize;

use crate::app::access::{CurrentUser, csrf_ok};
use crate::app::download::{download, table_download};
use crate::app::extract::{AtVillage, UiLang};
use crate::app::run::off_thread;
use crate::app::{AppError, AppState, blocking};
use crate::features::data::service::{self, ExportFailure, UploadError};
use crate::features::data::views;

/// Largest upload accepted (a village file is a few MB; a district's, tens).
pub const MAX_UPLOAD: usize = 100 * 1024 * 1024;

/// The village an account's files belong to; district and admin accounts import and export
/// through the command line for now, and are refused here (403).
fn village_of(user: &CurrentUser) -> Result<String, AppError> {
    match &user.reach {
        Reach::Within(r) if r.level() == Level::DesaKelurahan => Ok(r.to_string()),
        _ => Err(AppError::forbidden()),
    }
}

pub async fn page(UiLang(lang): UiLang, user: CurrentUser) -> Response {
    views::data_page(lang, user, None, StatusCode::OK)
}

/// Receives the upload, imports it with the user's name on every change, and shows the summary.
pub async fn upload(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    user: CurrentUser,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    let village = village_of(&user)?;
    let mut csrf = String::new();
    let mut file: Option<(String, axum::body::Bytes)> = None;
    loop {
        let field = multipart
            .next_field()
            .await
            .map_err(|_| AppError::refused(StatusCode::BAD_REQUEST, "web-upload-missing"))?;
        let Some(field) = field else { break };
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.map_err(|_| {
            AppError::refused(StatusCode::PAYLOAD_TOO_LARGE, "web-upload-too-large")
        })?;
        match name.as_str() {
            "csrf" => csrf = String::from_utf8_lossy(&bytes).into_owned(),
            "berkas" => file = file_name.map(|f| (f, bytes)),
            _ => {}
        }
    }
    // A multipart body cannot go through `CsrfForm`: the token is checked here, before the
    // file is looked at.
    if !csrf_ok(&user, &csrf) {
        return Err(AppError::csrf());
    }
    let (original, bytes) = file
        .filter(|(_, b)| !b.is_empty())
        .ok_or_else(|| AppError::refused(StatusCode::BAD_REQUEST, "web-upload-missing"))?;
    let kind = service::upload_kind(&original)
        .ok_or_else(|| AppError::refused(StatusCode::UNSUPPORTED_MEDIA_TYPE, "web-upload-type"))?;
    let (db, rules, dir) = (
        state.db.clone(),
        state.rules.clone(),
        state.files_dir.clone(),
    );
    let actor = user.actor();
    let result = off_thread(move || {
        service::import_upload(&db, &rules, &dir, &actor, village, kind, &bytes)
    })
    .await?;
    match result {
        Ok((id, summary)) => {
            let markup = views::imported(lang, &original, &id, &summary);
            Ok(views::data_page(lang, user, Some(markup), StatusCode::OK))
        }
        Err(UploadError::Import(ImportError::File(e))) => {
            let markup = views::not_imported(lang, &original, &e);
            Ok(views::data_page(
                lang,
                user,
                Some(markup),
                StatusCode::UNPROCESSABLE_ENTITY,
            ))
        }
        Err(UploadError::Import(ImportError::Storage(e))) => Err(e.into()),
        Err(UploadError::Import(e)) => Err(AppError::internal("web-internal-error", e)),
        Err(UploadError::Io(e)) => Err(AppError::file(e)),
    }
}

/// The reject report of an upload. Ids are UUIDs; anything else is refused before touching files.
pub async fn rejects(
    State(state): State<AppState>,
    AtVillage { user, village }: AtVillage,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let actor = user.actor();
    let (db, files, rid) = (state.db.clone(), state.files_dir.clone(), id.clone());
    let bytes = off_thread(move || service::read_reject(&db, &files, &village, &actor, &rid))
        .await?
        .map_err(|e| match e {
            UploadError::Io(e) => AppError::file(e),
            UploadError::Import(ImportError::Storage(e)) => e.into(),
            UploadError::Import(e) => AppError::internal("web-internal-error", e),
        })?
        .ok_or_else(AppError::not_found)?;
    Ok(download(
        "text/csv; charset=utf-8",
        &format!("tolak-{id}.csv"),
        bytes,
    ))
}

#[derive(Deserialize)]
pub struct ExportParams {
    format: Option<String>,
    rt: Option<String>,
    rw: Option<String>,
}

/// An export of the user's village (or an RT/RW of it), made on request and sent as a download.
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(p): Query<ExportParams>,
) -> Result<Response, AppError> {
    let village = village_of(&user)?;
    let xlsx = p.format.as_deref() != Some("csv");
    let kind = if xlsx { "xlsx" } else { "csv" };
    let (db, dir, v) = (state.db.clone(), state.files_dir.clone(), village.clone());
    let actor = user.actor();
    let bytes =
        off_thread(move || service::export_registry(&db, &dir, &v, p.rw, p.rt, kind, &actor))
            .await?
            .map_err(|e| match e {
                ExportFailure::Export(ExportError::Storage(e)) => AppError::from(e),
                ExportFailure::Export(e) => AppError::internal("web-internal-error", e),
                ExportFailure::Io(e) => AppError::file(e),
            })?;
    Ok(table_download(
        xlsx,
        &format!("registri-{}", village.replace('.', "")),
        bytes,
    ))
}

/// The village's proposals for the welfare data (DTSEN) as CSV or XLSX, for the data officer
/// to send to the district; audited (it names people).
pub async fn proposals(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    user: CurrentUser,
    Query(p): Query<ExportParams>,
) -> Result<Response, AppError> {
    let village = village_of(&user)?;
    let (db, v) = (state.db.clone(), village.clone());
    let actor = user.actor();
    let (header, cells) = blocking(move || service::proposals(&db, lang, &v, &actor)).await?;
    let xlsx = p.format.as_deref() != Some("csv");
    let bytes = table_bytes(xlsx, "usulan", &header, &cells)
        .map_err(|e| AppError::internal("web-internal-error", e))?;
    Ok(table_download(
        xlsx,
        &format!("usulan-dtsen-{}", village.replace('.', "")),
        bytes,
    ))
}
