//! The data officer's page (upload, proposals, export forms) and what an upload's result looks
//! like on it. Markup only.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use puskesos_domain::{Lang, tr};
use puskesos_interchange::ImportSummary;
use puskesos_interchange::import::FileError;

use crate::app::access::CurrentUser;
use crate::app::layout::Page;

/// The data page, with the result of an upload on top when there is one.
pub fn data_page(
    lang: Lang,
    user: CurrentUser,
    result: Option<Markup>,
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

/// An imported file: its summary's first line and, when rows were refused, the link to the
/// reject report of upload `id`.
pub fn imported(lang: Lang, original: &str, id: &str, summary: &ImportSummary) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    let has_report = summary.reject_file.is_some();
    let text = summary.render(lang);
    let first_line = text.lines().next().unwrap_or_default().to_string();
    html! {
        p.ok role="status" { (original) ": " (first_line) }
        @if has_report { p { a href=(format!("/data/tolak/{id}")) download { (t("web-download-rejects")) } } }
    }
}

/// A file that could not be read: nothing was imported.
pub fn not_imported(lang: Lang, original: &str, e: &FileError) -> Markup {
    html! { p.error role="alert" { (original) ": " (e.message.render(lang)) " " (tr(lang, "cli-nothing-imported", &[])) } }
}
