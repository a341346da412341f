//! The start page, the health check and the sample import file.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::html;
use puskesos_domain::i18n::format_int;
use puskesos_domain::identity::{Nik, Severity};
use puskesos_domain::tr;
use puskesos_domain::wilayah::Wilayah;
use puskesos_storage::registry;
use serde::Deserialize;

use crate::app::access::MaybeUser;
use crate::app::extract::UiLang;
use crate::app::layout::Page;
use crate::app::{AppError, AppState, blocking};

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

pub async fn healthz() -> &'static str {
    "ok"
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
    let t = |k: &str| tr(lang, k, &[]);
    let db = state.db.clone();
    let (families, persons) = blocking(move || {
        let mut conn = db.conn()?;
        registry::counts(&mut conn)
    })
    .await?;
    let village = state
        .village
        .as_ref()
        .and_then(|v| Wilayah::master().full_name(v))
        .unwrap_or_else(|| t("web-no-village"));
    let nomor = q.nomor.unwrap_or_default();
    let checked = (!nomor.trim().is_empty()).then(|| Nik::parse(&nomor));
    let fam = format_int(lang, families);
    let per = format_int(lang, persons);
    Ok(Page::new(lang, &t("web-tagline"))
        .user(user)
        .body(html! {
            section {
                h2 { (t("web-village")) }
                p { (village) }
                p { (tr(lang, "web-registry-size", &[("families", &fam), ("persons", &per)])) }
            }
            section {
                h2 { (t("web-check-title")) }
                form method="get" action="/" {
                    label for="nomor" { (t("web-check-label")) }
                    input id="nomor" name="nomor" inputmode="numeric" maxlength="40" value=(nomor);
                    button type="submit" { (t("web-check-button")) }
                }
                @match &checked {
                    Some(Ok(nik)) => {
                        p.ok { (t("nik-valid")) " — " (Wilayah::master().full_name(&nik.kecamatan).unwrap_or_default()) }
                        ul { @for w in &nik.warnings { li.warning { (w.message.render(lang)) } } }
                    }
                    Some(Err(issues)) => {
                        ul { @for i in issues {
                            li class=(if i.severity == Severity::Error { "error" } else { "warning" }) { (i.message.render(lang)) }
                        } }
                    }
                    None => {}
                }
            }
        })
        .into_response())
}
