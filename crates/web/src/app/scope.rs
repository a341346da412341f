//! Which village a page is about (the account's own, or one that a district account picked),
//! and how a refused step is answered.

use axum::http::StatusCode;
use axum::response::Response;
use puskesos_domain::Lang;
use puskesos_domain::access::Reach;
use puskesos_domain::cases::StepError;
use puskesos_domain::wilayah::{KodeWilayah, Level};

use crate::app::access::CurrentUser;
use crate::app::layout::error_page;

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

/// The checks every state-changing form of a village page starts with: a valid CSRF token and
/// an account bound to a village. Returns the village, or the refusal to send.
pub fn village_form(
    user: &CurrentUser,
    csrf: Option<&str>,
    lang: Lang,
) -> Result<String, Box<Response>> {
    if !crate::app::access::csrf_ok(user, csrf.unwrap_or("")) {
        return Err(Box::new(crate::app::access::refuse(
            StatusCode::FORBIDDEN,
            "web-csrf",
            lang,
            false,
        )));
    }
    village_for(user, None).ok_or_else(|| {
        Box::new(crate::app::access::refuse(
            StatusCode::FORBIDDEN,
            "web-forbidden",
            lang,
            false,
        ))
    })
}
