//! Puskesos web server. For now: the centre's start page (registry size, the village, an identity
//! number checker) and a small JSON API for region codes and NIK/KK checks. The registry pages,
//! accounts and roles come next (issue 3).

use std::net::SocketAddr;

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use puskesos_domain::i18n::format_int;
use puskesos_domain::identity::{Issue, Nik, Severity};
use puskesos_domain::wilayah::{KodeWilayah, Wilayah};
use puskesos_domain::{Lang, tr};
use puskesos_storage::{Db, registry};
use serde::Deserialize;
use tokio::net::TcpListener;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// The village this node serves, when it serves one.
    pub village: Option<KodeWilayah>,
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/healthz", get(|| async { "ok" }))
        .route("/assets/style.css", get(style))
        .route("/api/wilayah/{code}", get(api_wilayah))
        .route("/api/nik/{nik}", get(api_nik))
        .with_state(state)
}

/// Serves on an already bound listener (tests bind port 0).
pub async fn serve(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}

pub async fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    TcpListener::bind(addr).await
}

const STYLE: &str = include_str!("../assets/style.css");

async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE).into_response()
}

#[derive(Deserialize)]
struct HomeQuery {
    lang: Option<String>,
    nomor: Option<String>,
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn issues_html(lang: Lang, issues: &[Issue]) -> String {
    issues
        .iter()
        .map(|i| {
            let class = match i.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            format!(
                "<li class=\"{class}\">{}</li>",
                escape(&i.message.render(lang))
            )
        })
        .collect()
}

/// Explains a NIK as HTML: its region, or why it is invalid.
fn check_html(lang: Lang, number: &str) -> String {
    match Nik::parse(number) {
        Ok(nik) => format!(
            "<p class=\"ok\">{} — {}</p><ul>{}</ul>",
            escape(&tr(lang, "nik-valid", &[])),
            escape(
                &Wilayah::master()
                    .full_name(&nik.kecamatan)
                    .unwrap_or_default()
            ),
            issues_html(lang, &nik.warnings)
        ),
        Err(issues) => format!("<ul>{}</ul>", issues_html(lang, &issues)),
    }
}

async fn home(State(state): State<AppState>, Query(q): Query<HomeQuery>) -> Response {
    let lang: Lang = q
        .lang
        .as_deref()
        .and_then(|l| l.parse().ok())
        .unwrap_or_default();
    let db = state.db.clone();
    let counts = tokio::task::spawn_blocking(move || {
        let mut conn = db.conn()?;
        registry::counts(&mut conn)
    })
    .await;
    let (families, persons) = match counts {
        Ok(Ok(c)) => c,
        _ => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                tr(lang, "web-db-error", &[]),
            )
                .into_response();
        }
    };
    let village = state
        .village
        .as_ref()
        .and_then(|v| Wilayah::master().full_name(v))
        .unwrap_or_else(|| tr(lang, "web-no-village", &[]));
    let checked = q
        .nomor
        .as_deref()
        .filter(|n| !n.trim().is_empty())
        .map(|n| check_html(lang, n))
        .unwrap_or_default();
    let t = |k: &str| escape(&tr(lang, k, &[]));
    let fam = format_int(lang, families);
    let per = format_int(lang, persons);
    let html = format!(
        r#"<!doctype html>
<html lang="{code}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Puskesos</title><link rel="stylesheet" href="/assets/style.css"></head>
<body><header><h1>Puskesos</h1><p>{tagline}</p>
<nav><a href="/?lang=id">Bahasa Indonesia</a> · <a href="/?lang=en">English</a></nav></header>
<main>
<section><h2>{village_h}</h2><p>{village}</p>
<p>{registry}</p></section>
<section><h2>{check_h}</h2>
<form method="get" action="/"><input type="hidden" name="lang" value="{code}">
<label for="nomor">{check_label}</label>
<input id="nomor" name="nomor" inputmode="numeric" maxlength="40" value="{nomor}">
<button type="submit">{check_btn}</button></form>{checked}</section>
</main></body></html>"#,
        code = lang.code(),
        tagline = t("web-tagline"),
        village_h = t("web-village"),
        village = escape(&village),
        registry = escape(&tr(
            lang,
            "web-registry-size",
            &[("families", &fam), ("persons", &per)]
        )),
        check_h = t("web-check-title"),
        check_label = t("web-check-label"),
        check_btn = t("web-check-button"),
        nomor = escape(q.nomor.as_deref().unwrap_or("")),
    );
    Html(html).into_response()
}

async fn api_wilayah(Path(code): Path<String>) -> Response {
    let w = Wilayah::master();
    match KodeWilayah::parse(&code).filter(|c| w.contains(c)) {
        Some(c) => Json(serde_json::json!({
            "code": c.as_str(),
            "level": c.level(),
            "name": w.get(c.as_str()).map(|r| r.name),
            "path": w.path(&c).iter().map(|r| serde_json::json!({"code": r.code, "name": r.name})).collect::<Vec<_>>(),
        }))
        .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(serde_json::json!({"error": tr(Lang::Id, "village-unknown", &[("code", &code)]), "error_en": tr(Lang::En, "village-unknown", &[("code", &code)])})),
        )
            .into_response(),
    }
}

async fn api_nik(Path(nik): Path<String>) -> Response {
    match Nik::parse(&nik) {
        Ok(n) => Json(serde_json::json!({
            "valid": true,
            "kecamatan": n.kecamatan.as_str(),
            "sex": n.sex,
            "day": n.day, "month": n.month, "yy": n.yy,
            "warnings": n.warnings.iter().map(|w| w.message.render(Lang::Id)).collect::<Vec<_>>(),
        }))
        .into_response(),
        Err(issues) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(serde_json::json!({
                "valid": false,
                "errors": issues.iter().map(|i| i.message.render(Lang::Id)).collect::<Vec<_>>(),
                "errors_en": issues.iter().map(|i| i.message.render(Lang::En)).collect::<Vec<_>>(),
            })),
        )
            .into_response(),
    }
}
