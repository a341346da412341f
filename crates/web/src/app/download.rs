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

/// This server's address as the browser reached it (for QR codes printed on paper): the
/// request's `Host` when it is a plain host name, else the default address.
pub fn origin(state: &crate::app::AppState, headers: &axum::http::HeaderMap) -> String {
    let scheme = if state.secure_cookies {
        "https"
    } else {
        "http"
    };
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("127.0.0.1:8080");
    format!("{scheme}://{host}")
}
