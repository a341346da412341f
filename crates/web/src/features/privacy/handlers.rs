//! UU 27/2022: the audit log for the responsible roles (Ps 31), and one person's data with its
//! processing record for that person (Ps 32).

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use axum_extra::extract::CookieJar;
use maud::html;
use puskesos_domain::i18n::format_int;
use puskesos_domain::model::{PERSON_FIELDS, Record};
use puskesos_domain::tr;
use puskesos_domain::wilayah::KodeWilayah;
use puskesos_storage::registry;
use serde::Deserialize;
use serde_json::json;

use crate::app::access::CurrentUser;
use crate::app::format::format_time;
use crate::app::layout::{Page, error_page, lang_of};
use crate::app::{AppState, blocking};

const PER_PAGE: i64 = 50;

#[derive(Deserialize)]
pub struct AuditParams {
    hal: Option<i64>,
}

pub async fn audit(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    Query(p): Query<AuditParams>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let t = |k: &str| tr(lang, k, &[]);
    let page = p.hal.unwrap_or(1).clamp(1, 1_000_000);
    let db = state.db.clone();
    let prefix = user.reach.prefix().map(str::to_string);
    let Ok((rows, total)) = blocking(move || {
        registry::audit_page(
            &mut db.conn()?,
            prefix.as_deref(),
            PER_PAGE,
            (page - 1) * PER_PAGE,
        )
    })
    .await
    else {
        return error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error");
    };
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let total_text = format_int(lang, total);
    Page::new(lang, &t("web-audit"))
        .user(Some(user))
        .body(html! {
            section {
                h2 { (t("web-audit")) " (" (total_text) ")" }
                table.audit {
                    thead { tr { th { (t("web-audit-time")) } th { (t("web-audit-actor")) } th { (t("web-audit-action")) } th { (t("web-audit-what")) } } }
                    tbody {
                        @for (_, e) in &rows {
                            tr {
                                td { (format_time(e.at_ms)) }
                                td { (e.actor) }
                                td { (e.action) }
                                td {
                                    @if e.entity == "family" {
                                        a href=(format!("/keluarga/{}", e.entity_id)) { (e.entity) }
                                    } @else { (e.entity) " " (e.entity_id) }
                                    @if let Some(d) = &e.detail { " · " small { (d) } }
                                }
                            }
                        }
                    }
                }
                nav.pager {
                    @if page > 1 { a href=(format!("/audit?hal={}", page - 1)) rel="prev" { "‹ " (t("web-prev")) } }
                    span { (page) " / " (pages) }
                    @if page < pages { a href=(format!("/audit?hal={}", page + 1)) rel="next" { (t("web-next")) " ›" } }
                }
            }
        })
        .into_response()
}

/// A person's stored data, the changes made to it, and every recorded processing of it or of
/// their family, as one JSON file to hand to the person. The export itself is recorded.
pub async fn person_export(
    State(state): State<AppState>,
    jar: CookieJar,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> Response {
    let lang = lang_of(None, &jar);
    let db = state.db.clone();
    let reach = user.reach.clone();
    let actor = format!("user:{}", user.account.username);
    let result = blocking(move || {
        let mut conn = db.conn()?;
        let Some((person, village)) = registry::person_by_id(&mut conn, &id)? else {
            return Ok(None);
        };
        if !KodeWilayah::parse(&village).is_some_and(|v| reach.covers(&v)) {
            registry::audit(
                &mut conn,
                &village,
                &actor,
                "export-refused",
                "person",
                &id,
                None,
            )?;
            return Ok(None);
        }
        let family = registry::family_by_id(&mut conn, &person.family_id)?;
        let history: Vec<_> = registry::family_history(&mut conn, &person.family_id)?
            .into_iter()
            .filter(|h| h.entity_id == person.id)
            .collect();
        let mut processing = registry::audit_of(&mut conn, &person.id)?;
        processing.extend(registry::audit_of(&mut conn, &person.family_id)?);
        processing.sort_by_key(|a| std::cmp::Reverse(a.at_ms));
        registry::audit(
            &mut conn,
            &village,
            &actor,
            "personal-data-export",
            "person",
            &id,
            None,
        )?;
        Ok(Some((person, family, history, processing)))
    })
    .await;
    match result {
        Ok(Some((person, family, history, processing))) => {
            let data: serde_json::Map<String, serde_json::Value> = PERSON_FIELDS
                .iter()
                .zip(&person.values)
                .filter_map(|(f, v)| {
                    v.as_ref()
                        .map(|v| (f.key.to_string(), json!(v.to_text(f.kind))))
                })
                .collect();
            let doc = json!({
                "dasar_hukum": "UU 27/2022 Pasal 32",
                "dibuat": format_time(puskesos_storage::now_ms()),
                "orang": data,
                "no_kk": family.as_ref().and_then(|f| f.text("no_kk").map(str::to_string)),
                "sumber_data": person.source,
                "riwayat_perubahan": history.iter().map(|h| json!({
                    "waktu": format_time(h.at_ms), "oleh": h.actor, "tindakan": h.action,
                    "alasan": h.reason, "sumber": h.source,
                    "kolom": h.changed.iter().map(|(f, o, n)| json!({"kolom": f, "lama": o, "baru": n})).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
                "catatan_pemrosesan": processing.iter().map(|a| json!({
                    "waktu": format_time(a.at_ms), "oleh": a.actor, "tindakan": a.action,
                    "data": a.entity, "keterangan": a.detail,
                })).collect::<Vec<_>>(),
            });
            let name = format!(
                "data-pribadi-{}.json",
                person.text("nik").unwrap_or("orang")
            );
            (
                [(
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                )],
                Json(doc),
            )
                .into_response()
        }
        Ok(None) => error_page(StatusCode::NOT_FOUND, lang, "web-not-found"),
        Err(_) => error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error"),
    }
}
