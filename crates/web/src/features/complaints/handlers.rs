//! Complaints in the browser (issue 5): the front office registers a question, suggestion or
//! complaint and prints a receipt (ticket number and short code); staff process, escalate and
//! decide; the resident sees only the status and its dates on the public page `/status`.

use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use puskesos_domain::access::{Action as Perm, allowed};
use puskesos_domain::complaints::{Action, Category, available};
use puskesos_domain::tr;
use puskesos_storage::complaints::{Lookup, NewComplaint};
use puskesos_storage::now_ms;
use serde::Deserialize;

use super::service::{self, IntakeError, Step, StepFailed};
use super::views;
use crate::app::access::{CurrentUser, MaybeUser};
use crate::app::extract::ClientAddr;
use crate::app::extract::IdPath;
use crate::app::extract::{AtVillage, CsrfForm, UiLang};
use crate::app::layout::Page;
use crate::app::scope::{desa_query, village_bar, village_for};
use crate::app::{AppError, AppState, blocking};
use maud::html;
use puskesos_domain::ids::ComplaintId;

/// The intake form as posted (and shown again with a message when something is missing).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct IntakeForm {
    /// The resident's NIK or the family's KK, when they have it with them.
    pub nik: Option<String>,
    pub category: String,
    pub program: Option<String>,
    pub summary: String,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StepForm {
    desa: Option<String>,
    action: String,
    note: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LookupForm {
    ticket: String,
    code: String,
}

impl From<StepFailed> for AppError {
    fn from(e: StepFailed) -> AppError {
        match e {
            StepFailed::Refused(e) => e.into(),
            StepFailed::Storage(e) => e.into(),
        }
    }
}

/// The account's own village: intake is done at a village's front office.
fn own_village(user: &CurrentUser) -> Result<String, AppError> {
    village_for(user, None).ok_or_else(AppError::forbidden)
}

/// Open complaints, the nearest deadline first, overdue ones marked.
pub async fn list(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    at: AtVillage,
) -> Result<Response, AppError> {
    let db = state.db.clone();
    let v = at.village.clone();
    let open = blocking(move || service::open_list(&db, &v)).await?;
    let body = html! {
        (village_bar(lang, &at.user, &at.village, "/pengaduan"))
        (views::list(lang, &at.user, &open, now_ms(), &at.desa_query()))
    };
    Ok(Page::new(lang, &tr(lang, "web-complaints", &[]))
        .user(Some(at.user))
        .body(body)
        .into_response())
}

pub async fn new_form(UiLang(lang): UiLang, user: CurrentUser) -> Result<Response, AppError> {
    own_village(&user)?;
    let body = views::new_page(lang, &user, &IntakeForm::default(), None);
    Ok(Page::new(lang, &tr(lang, "web-new-complaint", &[]))
        .user(Some(user))
        .body(body)
        .into_response())
}

/// Registers the complaint and shows the receipt with the code (the only time it is shown).
pub async fn new_submit(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<IntakeForm>,
) -> Result<Response, AppError> {
    let village = own_village(&user)?;
    let new = NewComplaint {
        village,
        category: Category::parse(&form.category),
        program: form.program.clone(),
        summary: form.summary.clone(),
        contact_name: form.contact_name.clone(),
        contact_phone: form.contact_phone.clone(),
    };
    let db = state.db.clone();
    let actor = user.actor();
    let role = user.account.role;
    let by = actor.clone();
    let number = form.nik.clone();
    let result =
        blocking(move || Ok(service::register(&db, &new, number.as_deref(), &by, role))).await?;
    match result {
        Ok(receipt) => {
            // POST-redirect-GET: the receipt is a page of its own; refreshing it files nothing.
            let id = &receipt.complaint.id;
            service::keep_code(id, &actor, &receipt.code, now_ms());
            Ok(Redirect::to(&format!("/pengaduan/{id}/terima")).into_response())
        }
        Err(IntakeError::Missing(missing)) => {
            let body = views::new_page(lang, &user, &form, Some(missing));
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Page::new(lang, &tr(lang, "web-new-complaint", &[]))
                    .user(Some(user))
                    .body(body),
            )
                .into_response())
        }
        Err(IntakeError::Storage(e)) => Err(e.into()),
    }
}

/// The receipt of a complaint just registered: the short code is shown for a few minutes to
/// the one who registered it, then only the ticket (the code is kept as a hash only).
pub async fn receipt(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    user: CurrentUser,
    IdPath(id): IdPath<ComplaintId>,
) -> Result<Response, AppError> {
    let id = id.into_string();
    let village = own_village(&user)?;
    let db = state.db.clone();
    let actor = user.actor();
    let (a, cid) = (actor.clone(), id.clone());
    let complaint = blocking(move || service::view(&db, &village, &cid, &a))
        .await?
        .ok_or_else(AppError::not_found)?;
    let code = service::fresh_code(&id, &actor, now_ms());
    let receipt = service::Receipt {
        complaint,
        code: code.unwrap_or_default(),
    };
    Ok(Page::new(lang, &tr(lang, "web-receipt", &[]))
        .user(Some(user))
        .body(views::receipt(
            lang,
            &receipt,
            &format!("{}/status", crate::app::download::origin(&state)),
        ))
        .into_response())
}

/// A complaint with its handling actions for the role.
pub async fn page(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    AtVillage { user, village }: AtVillage,
    IdPath(id): IdPath<ComplaintId>,
) -> Result<Response, AppError> {
    // Parsed at the edge; the services take the id as text.
    let id = id.into_string();
    let db = state.db.clone();
    let actor = user.actor();
    let (v, cid) = (village.clone(), id);
    let (c, actors) = blocking(move || {
        let c = service::view(&db, &v, &cid, &actor)?;
        Ok((c, crate::app::actors::Actors::load(&mut db.conn()?)?))
    })
    .await?;
    let c = c.ok_or_else(AppError::not_found)?;
    let actions = if allowed(user.account.role, Perm::ComplaintsWork) {
        available(c.status, user.account.role)
    } else {
        Vec::new()
    };
    let opened_by = actors.name(lang, &c.opened_by);
    let body = views::complaint(lang, &user, &c, &village, &actions, &opened_by);
    Ok(Page::new(lang, &c.ticket)
        .user(Some(user))
        .body(body)
        .into_response())
}

pub async fn act(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<ComplaintId>,
    CsrfForm(form): CsrfForm<StepForm>,
) -> Result<Response, AppError> {
    // Parsed at the edge; the services take the id as text.
    let id = id.into_string();
    let village = village_for(&user, form.desa.as_deref()).ok_or_else(AppError::not_found)?;
    let action = Action::parse(&form.action)
        .ok_or_else(|| AppError::refused(StatusCode::BAD_REQUEST, "case-err-out-of-order"))?;
    let db = state.db.clone();
    let actor = user.actor();
    let role = user.account.role;
    let (v, cid) = (village.clone(), id.clone());
    blocking(move || {
        let step = Step {
            action,
            role,
            actor: &actor,
            note: &form.note,
        };
        Ok(service::act(&db, &v, &cid, step))
    })
    .await??;
    Ok(Redirect::to(&format!("/pengaduan/{id}{}", desa_query(&user, &village))).into_response())
}

/// The public status page: no login, no personal data.
pub async fn status_page(UiLang(lang): UiLang, MaybeUser(user): MaybeUser) -> Response {
    Page::new(lang, &tr(lang, "web-status-title", &[]))
        .user(user)
        .body(views::status_page(lang))
        .into_response()
}

pub async fn status_lookup(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    MaybeUser(user): MaybeUser,
    ClientAddr(address): ClientAddr,
    Form(form): Form<LookupForm>,
) -> Result<Response, AppError> {
    let db = state.db.clone();
    let (ticket, code) = (form.ticket.clone(), form.code);
    let address = address.map(|a| a.to_string()).unwrap_or_default();
    let result = blocking(move || service::public_status(&db, &ticket, &code, &address)).await?;
    let (status, answer) = match result {
        Lookup::Found(s) => (StatusCode::OK, views::public_status(lang, &s)),
        Lookup::NotFound => (
            StatusCode::NOT_FOUND,
            views::lookup_refused(lang, "web-status-not-found"),
        ),
        Lookup::Limited(until) => (
            StatusCode::TOO_MANY_REQUESTS,
            views::lookup_limited(lang, until),
        ),
    };
    Ok((
        status,
        Page::new(lang, &tr(lang, "web-status-title", &[]))
            .user(user)
            .body(views::status_answer(lang, answer, &form.ticket)),
    )
        .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReceiptQuery {
    /// The access code, printed when it is the complaint's (the receipt page right after
    /// intake knows it; a reprint later does not).
    kode: Option<String>,
}

/// `GET /pengaduan/{id}/tanda-terima.pdf`: the printable receipt (A6) of the village's
/// complaint, audited as the complaint page.
pub async fn receipt_pdf(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    AtVillage { user, village }: AtVillage,
    IdPath(id): IdPath<ComplaintId>,
    axum::extract::Query(q): axum::extract::Query<ReceiptQuery>,
) -> Result<Response, AppError> {
    let id = id.into_string();
    let status_url = format!("{}/status", crate::app::download::origin(&state));
    let db = state.db.clone();
    let actor = user.actor();
    let r = blocking(move || {
        super::receipt::load(&db, &village, &id, q.kode.as_deref(), &actor, &status_url)
    })
    .await?
    .ok_or_else(AppError::not_found)?;
    let name = format!("tanda-terima-{}.pdf", r.complaint.ticket);
    Ok(crate::app::download::download(
        "application/pdf",
        &name,
        super::receipt::render(lang, &r),
    ))
}
