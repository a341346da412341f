//! Files handed to the browser: downloads with a safe name and no caching, report tables as
//! CSV or XLSX, and this server's own address for links printed on paper.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// A file to download: its type, an attachment disposition with `name`, and `no-store` (files
/// here carry personal data).
pub fn download(mime: &str, name: &str, bytes: Vec<u8>) -> Response {
    // A name typed by a user (an attachment's) must not break the header.
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// A report table (made by `table_bytes`) to download as `stem.xlsx` or `stem.csv`.
pub fn table_download(xlsx: bool, stem: &str, bytes: Vec<u8>) -> Response {
    if xlsx {
        download(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("{stem}.xlsx"),
            bytes,
        )
    } else {
        download("text/csv; charset=utf-8", &format!("{stem}.csv"), bytes)
    }
}

/// This server's public address (for links and QR codes printed on paper or sent by message):
/// the configured one, whatever `Host` a request claims.
pub fn origin(state: &crate::app::AppState) -> String {
    state.public_url.trim_end_matches('/').to_string()
}
