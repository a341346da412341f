//! UU 27/2022: the audit log for the responsible roles (Ps 31), and one person's data with its
//! processing record for that person (Ps 32).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use puskesos_domain::tr;
use puskesos_domain::validate::parse_date;
use puskesos_storage::audit::{AuditAction, AuditEntity, AuditEvent, AuditFilter};
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

/// The audit page's filters as typed (`oleh`: who, `tindakan`: what, `nik`: whose data,
/// `dari`/`sampai`: the period), the page, and `format=csv` for the export.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct AuditParams {
    pub hal: Option<i64>,
    pub oleh: String,
    pub tindakan: String,
    pub nik: String,
    pub dari: String,
    pub sampai: String,
    pub format: String,
}

impl AuditParams {
    /// The filter, or the field that is not valid.
    fn query(&self) -> Result<service::AuditQuery, &'static str> {
        let given = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let day_start = |field: &'static str, s: &str| -> Result<Option<i64>, &'static str> {
            match given(s) {
                None => Ok(None),
                Some(d) => parse_date(&d)
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    // Days are the village's (WIB, UTC+7).
                    .map(|t| Some(t.and_utc().timestamp_millis() - 7 * 3_600_000))
                    .ok_or(field),
            }
        };
        let action = given(&self.tindakan);
        if action
            .as_deref()
            .is_some_and(|a| AuditAction::parse(a).is_none())
        {
            return Err("tindakan");
        }
        let nik = given(&self.nik).map(|n| n.replace([' ', '.', '-'], ""));
        if nik
            .as_deref()
            .is_some_and(|n| n.len() != 16 || !n.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err("nik");
        }
        Ok(service::AuditQuery {
            filter: AuditFilter {
                actor: given(&self.oleh),
                action,
                entity_ids: Vec::new(),
                from_ms: day_start("dari", &self.dari)?,
                // The whole last day.
                until_ms: day_start("sampai", &self.sampai)?.map(|t| t + 86_400_000),
            },
            nik,
        })
    }
}

pub async fn audit(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    user: CurrentUser,
    Query(p): Query<AuditParams>,
) -> Result<Response, AppError> {
    let query = match p.query() {
        Ok(q) => q,
        Err(field) => {
            let message = tr(
                lang,
                "audit-bad-filter",
                &[("field", &tr(lang, &format!("audit-filter-{field}"), &[]))],
            );
            let empty = service::AuditPage::empty();
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Page::new(lang, &tr(lang, "web-audit", &[]))
                    .user(Some(user.clone()))
                    .body(views::audit(lang, &user, &p, &empty, Some(&message))),
            )
                .into_response());
        }
    };
    let csv = p.format == "csv";
    let db = state.db.clone();
    let (reach, actor) = (user.reach.clone(), user.actor());
    let (page, per_page) = if csv {
        (1, service::EXPORT_ROWS)
    } else {
        (p.hal.unwrap_or(1), service::PER_PAGE)
    };
    let found = blocking(move || {
        let found = service::audit_page(&db, &reach, &query, page, per_page)?;
        if csv {
            // The export of the log is itself recorded (it names who read whose data).
            puskesos_storage::audit::record(
                &mut db.conn()?,
                &AuditEvent::new(AuditAction::Export, AuditEntity::File, "log-audit.csv")
                    .by(&actor)
                    .in_village(reach.prefix().unwrap_or_default())
                    .detail(&format!("rows={}", found.rows.len())),
            )?;
        }
        Ok(found)
    })
    .await?;
    if csv {
        let (header, rows) = views::audit_table(lang, &found);
        let bytes = puskesos_interchange::export::excel_csv(&header, &rows)
            .map_err(|e| AppError::internal("web-internal-error", e))?;
        return Ok(download("text/csv; charset=utf-8", "log-audit.csv", bytes));
    }
    Ok(Page::new(lang, &tr(lang, "web-audit", &[]))
        .user(Some(user.clone()))
        .body(views::audit(lang, &user, &p, &found, None))
        .into_response())
}

/// `?format=pdf` for the printable record (JSON otherwise).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ExportFormat {
    format: String,
}

/// A person's stored data, the changes made to it, and every recorded processing of it or of
/// their family, as one JSON file to hand to the person. The export itself is recorded.
pub async fn person_export(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    user: CurrentUser,
    IdPath(id): IdPath<PersonId>,
    Query(p): Query<ExportFormat>,
) -> Result<Response, AppError> {
    // Parsed at the edge; the services take the id as text.
    let id = id.into_string();
    let db = state.db.clone();
    let reach = user.reach.clone();
    let actor = user.actor();
    let export = blocking(move || service::export(&db, &reach, &actor, &id))
        .await?
        .ok_or_else(AppError::not_found)?;
    if p.format == "pdf" {
        let name = export.file_name().replace(".json", ".pdf");
        return Ok(download(
            "application/pdf",
            &name,
            super::record_pdf::render(lang, &export),
        ));
    }
    let bytes = serde_json::to_vec(&export.document())
        .map_err(|e| AppError::internal("web-internal-error", e))?;
    Ok(download("application/json", &export.file_name(), bytes))
}
