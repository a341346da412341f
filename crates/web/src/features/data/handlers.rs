//! The data officer's page: upload an import file, download its reject report, download exports
//! of the village (or an RT/RW of it). Files live under the node's files folder, named by id.

use axum::Extension;
use axum::body::Body;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use maud::html;
use puskesos_domain::access::Reach;
use puskesos_domain::wilayah::Level;
use puskesos_domain::{Lang, tr};
use puskesos_interchange::{ImportError, ImportOptions};
use puskesos_storage::registry::Scope;
use puskesos_storage::{StorageError, new_id};
use serde::Deserialize;

use crate::app::access::{CurrentUser, csrf_ok, refuse};
use crate::app::layout::{Page, error_page, lang_of};
use crate::app::{AppState, blocking};

/// Largest upload accepted (a village file is a few MB; a district's, tens).
pub const MAX_UPLOAD: usize = 100 * 1024 * 1024;

/// The village an account's files belong to; `None` for district and admin accounts, which
/// import and export through the command line for now.
fn village_of(user: &CurrentUser) -> Option<String> {
    match &user.reach {
        Reach::Within(r) if r.level() == Level::DesaKelurahan => Some(r.to_string()),
        _ => None,
    }
}

pub async fn page(jar: CookieJar, uri: Uri, Extension(user): Extension<CurrentUser>) -> Response {
    let lang = lang_of(uri.query(), &jar);
    data_page(lang, user, None, StatusCode::OK)
}

fn data_page(
    lang: Lang,
    user: CurrentUser,
    result: Option<maud::Markup>,
    status: StatusCode,
) -> Response {
    let t = |k: &str| tr(lang, k, &[]);
    let csrf = user.csrf_token.clone();
    let body = html! {
        @if let Some(r) = result { section { h2 { (t("web-import-result")) } (r) } }
        section {
            h2 { (t("web-import-title")) }
            form method="post" action="/data/impor" enctype="multipart/form-data" {
                input type="hidden" name="csrf" value=(csrf);
                label for="berkas" { (t("web-import-file")) }
                input id="berkas" name="berkas" type="file" accept=".csv,.xlsx" required;
                button type="submit" { (t("web-import-button")) }
            }
            p { a href="/assets/contoh-impor.csv" { "contoh-impor.csv" } }
        }
        section {
            h2 { (t("web-proposals")) }
            p { (t("web-proposals-help")) }
            p.actions {
                a href="/data/usulan?format=csv" download { (t("web-download")) " CSV" }
                " · "
                a href="/data/usulan?format=xlsx" download { (t("web-download")) " XLSX" }
            }
        }
        section {
            h2 { (t("web-export-title")) }
            form method="get" action="/data/ekspor" {
                label for="format" { (t("web-format")) }
                select id="format" name="format" {
                    option value="xlsx" { "XLSX" }
                    option value="csv" { "CSV" }
                }
                div.row {
                    div { label for="rt" { "RT" } input id="rt" name="rt" inputmode="numeric" maxlength="3"; }
                    div { label for="rw" { "RW" } input id="rw" name="rw" inputmode="numeric" maxlength="3"; }
                }
                button type="submit" { (t("web-export-button")) }
            }
        }
    };
    (
        status,
        Page::new(lang, &t("web-data")).user(Some(user)).body(body),
    )
        .into_response()
}

/// Receives the upload, imports it with the user's name on every change, and shows the summary.
pub async fn upload(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    mut multipart: Multipart,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let Some(village) = village_of(&user) else {
        return refuse(StatusCode::FORBIDDEN, "web-forbidden", lang, false);
    };
    let mut csrf = String::new();
    let mut file: Option<(String, axum::body::Bytes)> = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_string();
                let file_name = field.file_name().map(str::to_string);
                match field.bytes().await {
                    Ok(bytes) if name == "csrf" => {
                        csrf = String::from_utf8_lossy(&bytes).into_owned();
                    }
                    Ok(bytes) if name == "berkas" => {
                        file = file_name.map(|f| (f, bytes));
                    }
                    Ok(_) => {}
                    Err(_) => {
                        return error_page(
                            StatusCode::PAYLOAD_TOO_LARGE,
                            lang,
                            "web-upload-too-large",
                        );
                    }
                }
            }
            Ok(None) => break,
            Err(_) => return error_page(StatusCode::BAD_REQUEST, lang, "web-upload-missing"),
        }
    }
    if !csrf_ok(&user, &csrf) {
        return refuse(StatusCode::FORBIDDEN, "web-csrf", lang, false);
    }
    let Some((original, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return error_page(StatusCode::BAD_REQUEST, lang, "web-upload-missing");
    };
    let lower = original.to_lowercase();
    let ext = if lower.ends_with(".csv") {
        "csv"
    } else if lower.ends_with(".xlsx") {
        "xlsx"
    } else {
        return error_page(StatusCode::UNSUPPORTED_MEDIA_TYPE, lang, "web-upload-type");
    };
    // Stored under an id: the user's file name never becomes a path.
    let id = new_id();
    let dir = state.files_dir.join("impor");
    let path = dir.join(format!("{id}.{ext}"));
    let reject = dir.join(format!("{id}.tolak.csv"));
    let mut opts = ImportOptions::new(&format!("user:{}", user.account.username));
    opts.reject_path = Some(reject.clone());
    opts.within = Some(village);
    let db = state.db.clone();
    let rules = state.rules.clone();
    let result = tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(&dir).map_err(|e| ImportError::Report(e.to_string()))?;
        std::fs::write(&path, &bytes).map_err(|e| ImportError::Report(e.to_string()))?;
        let summary = puskesos_interchange::import_file(&db, &path, &opts)?;
        // The imported villages are reassessed at once (their local deciles move too).
        let assessor = rules.assessor()?;
        for v in &summary.villages_changed {
            let scope = puskesos_storage::registry::Scope {
                village: Some(v.clone()),
                ..Default::default()
            };
            puskesos_storage::assessment::assess_all(&db, &assessor, &scope, |_| {})?;
        }
        Ok(summary)
    })
    .await;
    let t = |k: &str| tr(lang, k, &[]);
    match result {
        Ok(Ok(summary)) => {
            let has_report = summary.reject_file.is_some();
            let text = summary.render(lang);
            let first_line = text.lines().next().unwrap_or_default().to_string();
            let markup = html! {
                p.ok role="status" { (original) ": " (first_line) }
                @if has_report { p { a href=(format!("/data/tolak/{id}")) download { (t("web-download-rejects")) } } }
            };
            data_page(lang, user, Some(markup), StatusCode::OK)
        }
        Ok(Err(ImportError::File(e))) => {
            let markup = html! { p.error role="alert" { (original) ": " (e.message.render(lang)) " " (t("cli-nothing-imported")) } };
            data_page(lang, user, Some(markup), StatusCode::UNPROCESSABLE_ENTITY)
        }
        _ => error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error"),
    }
}

/// The reject report of an upload. Ids are UUIDs; anything else is refused before touching files.
pub async fn rejects(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(id): Path<String>,
) -> Response {
    let lang = lang_of(None, &jar);
    if id.len() != 36 || !id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return error_page(StatusCode::NOT_FOUND, lang, "web-not-found");
    }
    let path = state
        .files_dir
        .join("impor")
        .join(format!("{id}.tolak.csv"));
    match tokio::fs::read(&path).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"tolak-{id}.csv\""),
                ),
            ],
            Body::from(bytes),
        )
            .into_response(),
        Err(_) => error_page(StatusCode::NOT_FOUND, lang, "web-not-found"),
    }
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
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    Query(p): Query<ExportParams>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let Some(village) = village_of(&user) else {
        return refuse(StatusCode::FORBIDDEN, "web-forbidden", lang, false);
    };
    let ext = if p.format.as_deref() == Some("csv") {
        "csv"
    } else {
        "xlsx"
    };
    let pad = |v: Option<String>| {
        v.map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<u32>().map(|n| format!("{n:03}")).unwrap_or(s))
    };
    let scope = Scope {
        village: Some(village.clone()),
        rw: pad(p.rw),
        rt: pad(p.rt),
    };
    let dir = state.files_dir.join("ekspor");
    let path = dir.join(format!("{}.{ext}", new_id()));
    let db = state.db.clone();
    let actor = format!("user:{}", user.account.username);
    let file = path.clone();
    let result = blocking(move || {
        std::fs::create_dir_all(&dir).map_err(|e| StorageError::Config(e.to_string()))?;
        puskesos_interchange::export_file(&db, &scope, &file, &actor)
            .map_err(|e| StorageError::Config(e.to_string()))?;
        let bytes = std::fs::read(&file).map_err(|e| StorageError::Config(e.to_string()));
        let _ = std::fs::remove_file(&file);
        bytes
    })
    .await;
    match result {
        Ok(bytes) => {
            let mime = if ext == "csv" {
                "text/csv; charset=utf-8"
            } else {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            };
            let name = format!("registri-{}.{ext}", village.replace('.', ""));
            (
                [
                    (header::CONTENT_TYPE, mime.to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}\""),
                    ),
                ],
                Body::from(bytes),
            )
                .into_response()
        }
        Err(_) => error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error"),
    }
}

/// The village's proposals for the welfare data (DTSEN) as CSV or XLSX, for the data officer
/// to send to the district; audited (it names people).
pub async fn proposals(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    Query(p): Query<ExportParams>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let t = |k: &str| tr(lang, k, &[]);
    let Some(village) = village_of(&user) else {
        return refuse(StatusCode::FORBIDDEN, "web-forbidden", lang, false);
    };
    let db = state.db.clone();
    let actor = format!("user:{}", user.account.username);
    let v = village.clone();
    let Ok(rows) = blocking(move || {
        let mut conn = db.conn()?;
        let rows = puskesos_storage::cases::dtsen_proposals(&mut conn, &v)?;
        puskesos_storage::registry::audit(
            &mut conn,
            &v,
            &actor,
            "export",
            "dtsen_proposals",
            &v,
            Some(&format!("rows={}", rows.len())),
        )?;
        Ok(rows)
    })
    .await
    else {
        return error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error");
    };
    let header: Vec<String> = [
        "field-no_kk",
        "web-head-of-family",
        "field-alamat",
        "web-case",
    ]
    .iter()
    .map(|k| t(k))
    .collect();
    let cells: Vec<Vec<puskesos_interchange::export::Cell>> = rows
        .iter()
        .map(|r| {
            r[..4]
                .iter()
                .map(|c| puskesos_interchange::export::Cell::Text(c.clone()))
                .collect()
        })
        .collect();
    let xlsx = p.format.as_deref() != Some("csv");
    let Ok(bytes) = puskesos_interchange::export::table_bytes(xlsx, "usulan", &header, &cells)
    else {
        return error_page(StatusCode::INTERNAL_SERVER_ERROR, lang, "web-db-error");
    };
    crate::app::download::table_download(
        xlsx,
        &format!("usulan-dtsen-{}", village.replace('.', "")),
        bytes,
    )
}
