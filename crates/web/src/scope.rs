//! Which village a page is about, and how a refused step is answered: shared by the eligibility,
//! case and complaint pages.

use axum::http::StatusCode;
use axum::response::Response;
use puskesos_domain::Lang;
use puskesos_domain::access::Reach;
use puskesos_domain::cases::StepError;
use puskesos_domain::wilayah::{KodeWilayah, Level};

use crate::auth::CurrentUser;
use crate::pages::error_page;

/// The account's own village, or for a district (or wider) account the `desa` it asked for
/// when that village lies within its reach.
pub fn village_for(user: &CurrentUser, asked: Option<&str>) -> Option<String> {
    match &user.reach {
        Reach::Within(r) if r.level() == Level::DesaKelurahan => Some(r.to_string()),
        reach => {
            let v = KodeWilayah::parse(asked?)?;
            (v.level() == Level::DesaKelurahan && reach.covers(&v)).then(|| v.to_string())
        }
    }
}

/// The query that keeps a district account on the same village (`?desa=...`), empty for
/// village accounts.
pub fn desa_query(user: &CurrentUser, village: &str) -> String {
    match &user.reach {
        Reach::Within(r) if r.level() == Level::DesaKelurahan => String::new(),
        _ => format!("?desa={village}"),
    }
}

/// A refused case or complaint step: 403 for the wrong role, 422 for a missing note, 409 out
/// of order, with the reason in the user's language.
pub fn step_refused(lang: Lang, e: StepError) -> Response {
    let status = match e {
        StepError::NotPermitted => StatusCode::FORBIDDEN,
        StepError::NoteRequired => StatusCode::UNPROCESSABLE_ENTITY,
        StepError::OutOfOrder => StatusCode::CONFLICT,
    };
    error_page(status, lang, e.key())
}

/// A file to download: its type, an attachment disposition with `name`, and `no-store` (files
/// here carry personal data).
pub fn download(mime: &str, name: &str, bytes: Vec<u8>) -> Response {
    use axum::http::header;
    use axum::response::IntoResponse;
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

/// The checks every state-changing form of a village page starts with: a valid CSRF token and
/// an account bound to a village. Returns the village, or the refusal to send.
pub fn village_form(
    user: &CurrentUser,
    csrf: Option<&str>,
    lang: Lang,
) -> Result<String, Box<Response>> {
    if !crate::auth::csrf_ok(user, csrf.unwrap_or("")) {
        return Err(Box::new(crate::auth::refuse(
            StatusCode::FORBIDDEN,
            "web-csrf",
            lang,
            false,
        )));
    }
    village_for(user, None).ok_or_else(|| {
        Box::new(crate::auth::refuse(
            StatusCode::FORBIDDEN,
            "web-forbidden",
            lang,
            false,
        ))
    })
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
pub fn origin(state: &crate::AppState, headers: &axum::http::HeaderMap) -> String {
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
