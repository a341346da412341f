//! SLRT cases over HTTP (issue 5, first slice): the intake form of the front office, the queue
//! of each role ("waiting for me"), the case page with its history and the steps the role may
//! take now, attachments, referrals with their letter, and the provider's answer page. Every
//! step goes through the domain's state machine (in `service`); a refused step changes nothing
//! and is recorded. Handlers here extract, call the service and render.

use std::collections::HashMap;

use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use puskesos_domain::access::{Action, allowed};
use puskesos_domain::cases::{Sector, Step, available};
use puskesos_domain::tr;
use puskesos_storage::now_ms;
use serde::Deserialize;

use crate::app::access::{CurrentUser, csrf_ok};
use crate::app::download::{download, origin};
use crate::app::extract::IdPath;
use crate::app::extract::{AtVillage, CsrfForm, UiLang};
use crate::app::run::service;
use crate::app::scope::village_for;
use crate::app::{AppError, AppState, blocking};
use crate::features::cases::service::{self, CaseError, Intake, ReferTo, Staff, step_from_code};
use crate::features::cases::views::{self, IntakeForm};
use puskesos_domain::ids::{CaseId, ReferralId};
use puskesos_storage::cases::CaseFilter;

impl From<CaseError> for AppError {
    fn from(e: CaseError) -> AppError {
        match e {
            CaseError::Storage(e) => e.into(),
            CaseError::Refused(e) => e.into(),
            CaseError::BadReferral => {
                AppError::refused(StatusCode::UNPROCESSABLE_ENTITY, "web-refer-provider")
            }
            CaseError::NotFound => AppError::not_found(),
            CaseError::TooLarge => {
                AppError::refused(StatusCode::PAYLOAD_TOO_LARGE, "web-attachment-too-large")
            }
            CaseError::NotImageOrPdf => {
                AppError::refused(StatusCode::UNSUPPORTED_MEDIA_TYPE, "web-attachment-type")
            }
            CaseError::File(e) => AppError::file(e),
            CaseError::NotStored(e) => AppError::internal("web-file-not-stored", e),
        }
    }
}

fn staff(user: &CurrentUser, village: String) -> Staff {
    Staff {
        village,
        actor: user.actor(),
        role: user.account.role,
    }
}

/// The account's own village, for the forms and files of a village account; others may not.
fn own_village(user: &CurrentUser) -> Result<String, AppError> {
    village_for(user, None).ok_or_else(AppError::forbidden)
}

/// The search of `/kasus`: every field optional; dates as the date inputs send them.
#[derive(Deserialize, Default, Debug, Clone)]
#[serde(default)]
pub struct CaseSearch {
    pub q: String,
    pub sektor: String,
    pub tahap: String,
    /// `ya`: closed and refused cases too (the archive).
    pub arsip: String,
    pub dari: String,
    pub sampai: String,
}

impl CaseSearch {
    /// The storage filter, or the field whose value cannot be read.
    fn filter(&self) -> Result<CaseFilter, &'static str> {
        let day = |s: &str, field: &'static str| -> Result<Option<i64>, &'static str> {
            let s = s.trim();
            if s.is_empty() {
                return Ok(None);
            }
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(|d| {
                    Some(
                        d.and_time(chrono::NaiveTime::MIN)
                            .and_utc()
                            .timestamp_millis(),
                    )
                })
                .map_err(|_| field)
        };
        let state = match self.tahap.trim() {
            "" => None,
            code => Some(
                puskesos_domain::cases::State::ALL
                    .into_iter()
                    .find(|s| s.code() == code)
                    .ok_or("tahap")?,
            ),
        };
        let sector = match self.sektor.trim() {
            "" => None,
            code => Some(Sector::parse(code).ok_or("sektor")?),
        };
        Ok(CaseFilter {
            text: Some(self.q.trim().to_string()).filter(|q| !q.is_empty()),
            sector,
            state,
            closed: self.arsip == "ya",
            from_ms: day(&self.dari, "dari")?,
            // The end date is included: up to the start of the next day.
            until_ms: day(&self.sampai, "sampai")?.map(|d| d + 86_400_000),
        })
    }
}

/// The role's queue and the village's cases, searched and filtered (the archive of closed
/// cases included on request).
pub async fn list(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    at: AtVillage,
    Query(search): Query<CaseSearch>,
) -> Result<Response, AppError> {
    let filter = match search.filter() {
        Ok(f) => f,
        Err(field) => {
            let page = views::list(lang, &at, &[], &[], &search, Some(field));
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let db = state.db.clone();
    let (v, role) = (at.village.clone(), at.user.account.role);
    let (mine, found) = blocking(move || service::queues(&db, &v, role, &filter)).await?;
    Ok(views::list(lang, &at, &mine, &found, &search, None).into_response())
}

pub async fn new_form(UiLang(lang): UiLang, user: CurrentUser) -> Result<Response, AppError> {
    own_village(&user)?;
    Ok(views::intake(lang, &user, None, &HashMap::new()).into_response())
}

pub async fn new_submit(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<IntakeForm>,
) -> Result<Response, AppError> {
    let village = own_village(&user)?;
    let mut errors: HashMap<&str, String> = HashMap::new();
    if form.consent != "ya" {
        errors.insert("consent", tr(lang, "web-consent-missing", &[]));
    }
    if errors.is_empty() {
        let given = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let intake = Intake {
            number: given(&form.nik),
            channel: given(&form.channel).unwrap_or_default(),
            sector: given(&form.sector).and_then(|s| Sector::parse(&s)),
            summary: form.summary.clone(),
            contact_name: given(&form.contact_name),
            contact_address: given(&form.contact_address),
            contact_phone: given(&form.contact_phone),
            consent_purpose: given(&form.consent_purpose).unwrap_or_default(),
        };
        let db = state.db.clone();
        let by = staff(&user, village);
        match blocking(move || service::intake(&db, &by, intake)).await? {
            Ok(case) => return Ok(Redirect::to(&format!("/kasus/{}", case.id)).into_response()),
            Err(e) => {
                errors.insert(e.field, tr(lang, e.key, &[]));
            }
        }
    }
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        views::intake(lang, &user, Some(&form), &errors),
    )
        .into_response())
}

/// A case of the user's village (or the district's chosen one) as its page and its receipt
/// load it: the read is audited in the service; another village's case is a 404.
async fn case_file(
    state: &AppState,
    user: &CurrentUser,
    village: String,
    id: CaseId,
) -> Result<service::CaseFile, AppError> {
    // Parsed at the edge; the services take the id as text.
    let id = id.into_string();
    let db = state.db.clone();
    let by = staff(user, village);
    blocking(move || service::case_file(&db, &by, &id))
        .await?
        .ok_or_else(AppError::not_found)
}

/// The case page: who, what, the stage, the history, and the steps this role may take now.
pub async fn page(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    AtVillage { user, village }: AtVillage,
    IdPath(id): IdPath<CaseId>,
) -> Result<Response, AppError> {
    let file = case_file(&state, &user, village, id).await?;
    let now = now_ms();
    let role = user.account.role;
    let steps = if allowed(role, Action::CasesWork) {
        available(file.case.state, role, file.case.sector)
    } else {
        Vec::new()
    };
    let origin = origin(&state);
    Ok(views::case_page(lang, &user, &file, &steps, now, &origin).into_response())
}

/// The step form of the case page.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StepForm {
    step: String,
    note: String,
    /// For `refer`: the provider of the village's directory and the days it has to answer.
    provider: String,
    due_days: Option<String>,
}

/// Takes one step; a refused one is shown with its reason and changes nothing. `refer` also
/// sends the referral; the case page then shows its letter and the provider's link.
pub async fn take_step(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<CaseId>,
    CsrfForm(form): CsrfForm<StepForm>,
) -> Result<Response, AppError> {
    // Parsed at the edge; the services take the id as text.
    let id = id.into_string();
    let village = own_village(&user)?;
    let step = step_from_code(&form.step)
        .ok_or_else(|| AppError::refused(StatusCode::BAD_REQUEST, "case-err-out-of-order"))?;
    let db = state.db.clone();
    let by = staff(&user, village);
    let cid = id.clone();
    if step == Step::Refer {
        let to = ReferTo {
            provider_id: form.provider,
            due_days: form
                .due_days
                .and_then(|d| d.trim().parse().ok())
                .unwrap_or(14),
        };
        let sent = service(move || service::refer(&db, &by, &cid, &form.note, &to)).await?;
        return Ok(Redirect::to(&format!("/kasus/{id}#rujukan-{}", sent.id)).into_response());
    }
    service(move || service::take_step(&db, &by, &cid, step, &form.note)).await?;
    Ok(Redirect::to(&format!("/kasus/{id}")).into_response())
}

#[derive(Deserialize, Default)]
pub struct TokenQuery {
    t: Option<String>,
}

/// The provider's page, opened from the link without an account: the referral, the person and
/// the need (what the provider needs to serve them, within the consent recorded at intake).
pub async fn provider_page(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    IdPath(id): IdPath<ReferralId>,
    Query(q): Query<TokenQuery>,
) -> Result<Response, AppError> {
    // Parsed at the edge; the services take the id as text.
    let id = id.into_string();
    let token = q.t.unwrap_or_default();
    let db = state.db.clone();
    let tk = token.clone();
    let (r, case) = blocking(move || service::for_provider(&db, &id, &tk, now_ms()))
        .await?
        .ok_or_else(|| AppError::refused(StatusCode::NOT_FOUND, "web-link-invalid"))?;
    if r.is_final() {
        // Served or refused: nothing more to answer here.
        return Err(AppError::refused(StatusCode::GONE, "web-link-closed"));
    }
    Ok(views::provider_page(lang, &r, &case, &token).into_response())
}

/// The provider's answer form (no account: the token in the form is the credential).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AnswerForm {
    t: String,
    status: String,
    note: String,
}

pub async fn provider_answer(
    State(state): State<AppState>,
    IdPath(id): IdPath<ReferralId>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, AppError> {
    // Parsed at the edge; the services take the id as text.
    let id = id.into_string();
    let db = state.db.clone();
    let rid = id.clone();
    let answered =
        blocking(move || service::answer(&db, &id, &form.t, &form.status, &form.note)).await?;
    if !answered {
        return Err(AppError::refused(StatusCode::NOT_FOUND, "web-link-invalid"));
    }
    // The thanks page is a GET: refreshing it answers nothing twice.
    Ok(Redirect::to(&format!("/rujukan/{rid}/terima-kasih")).into_response())
}

/// The provider's thanks after an answer (no data shown).
pub async fn provider_thanks(UiLang(lang): UiLang) -> Response {
    views::answered(lang).into_response()
}

/// Replaces a referral's provider link ("buat tautan baru"): the old one stops working.
pub async fn renew_link(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath((id, rid)): IdPath<(CaseId, ReferralId)>,
    CsrfForm(_): CsrfForm<StepForm>,
) -> Result<Response, AppError> {
    let (id, rid) = (id.into_string(), rid.into_string());
    let village = own_village(&user)?;
    let db = state.db.clone();
    let by = staff(&user, village);
    let (cid, r) = (id.clone(), rid.clone());
    if !service(move || service::renew_link(&db, &by, &cid, &r)).await? {
        return Err(AppError::refused(StatusCode::CONFLICT, "web-link-closed"));
    }
    Ok(Redirect::to(&format!("/kasus/{id}#rujukan-{rid}")).into_response())
}

/// Where a role starts its day: the cases waiting for it, referrals past their due date and
/// complaints near or past their deadline. Accounts without cases go to the registry, district
/// officers to their villages' eligibility overview.
pub async fn queue(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    user: CurrentUser,
) -> Result<Response, AppError> {
    let role = user.account.role;
    if role == puskesos_domain::access::Role::DinasSosial {
        let db = state.db.clone();
        let prefix = user.reach.prefix().map(str::to_string);
        let desk = blocking(move || service::district_desk(&db, prefix.as_deref())).await?;
        return Ok(views::desk(lang, &user, &desk, now_ms()).into_response());
    }
    let Some(village) = village_for(&user, None).filter(|_| allowed(role, Action::CasesRead))
    else {
        let to = if allowed(role, Action::EligibilityReview) {
            "/kelayakan"
        } else {
            "/registri"
        };
        return Ok(Redirect::to(to).into_response());
    };
    let db = state.db.clone();
    let now = now_ms();
    let list = blocking(move || service::worklist(&db, &village, role, now)).await?;
    let handles_complaints = allowed(role, Action::ComplaintsWork);
    Ok(views::worklist(lang, &user, &list, handles_complaints, now).into_response())
}

/// Adds an attachment to a case: JPEG, PNG or PDF by content, at most 5 MB. A refused upload
/// stores nothing and is recorded in the audit log. (A multipart body cannot go through
/// `CsrfForm`: its token is checked here once the parts are read.)
pub async fn attach(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath(id): IdPath<CaseId>,
    mut multipart: axum::extract::Multipart,
) -> Result<Response, AppError> {
    // Parsed at the edge; the services take the id as text.
    let id = id.into_string();
    let village = own_village(&user)?;
    let mut csrf = String::new();
    let mut file: Option<(String, axum::body::Bytes)> = None;
    loop {
        let field = multipart
            .next_field()
            .await
            .map_err(|_| AppError::refused(StatusCode::BAD_REQUEST, "web-upload-missing"))?;
        let Some(field) = field else { break };
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().unwrap_or("lampiran").to_string();
        let bytes = field.bytes().await.map_err(|_| {
            AppError::refused(StatusCode::PAYLOAD_TOO_LARGE, "web-attachment-too-large")
        })?;
        match name.as_str() {
            "csrf" => csrf = String::from_utf8_lossy(&bytes).into_owned(),
            "berkas" => file = Some((file_name, bytes)),
            _ => {}
        }
    }
    if !csrf_ok(&user, &csrf) {
        return Err(AppError::csrf());
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Err(AppError::refused(
            StatusCode::BAD_REQUEST,
            "web-upload-missing",
        ));
    };
    let db = state.db.clone();
    let by = staff(&user, village);
    let dir = state.files_dir.join("lampiran");
    let cid = id.clone();
    service(move || service::attach(&db, &by, &cid, &name, &bytes, &dir)).await?;
    Ok(Redirect::to(&format!("/kasus/{id}")).into_response())
}

/// Downloads an attachment of a case of the account's village (audited).
pub async fn attachment(
    State(state): State<AppState>,
    user: CurrentUser,
    IdPath((id, aid)): IdPath<(CaseId, String)>,
) -> Result<Response, AppError> {
    // Parsed at the edge; the services take the id as text.
    let id = id.into_string();
    let village = village_for(&user, None).ok_or_else(AppError::not_found)?;
    let db = state.db.clone();
    let by = staff(&user, village);
    let dir = state.files_dir.join("lampiran");
    let (a, bytes) = service(move || service::attachment(&db, &by, &id, &aid, &dir))
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(download(&a.media_type, &a.file_name, bytes))
}

/// The referral letter (PDF) of a case's referral, for the village's staff (audited).
pub async fn letter(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    user: CurrentUser,
    IdPath((id, rid)): IdPath<(CaseId, ReferralId)>,
) -> Result<Response, AppError> {
    // Parsed at the edge; the services take the id as text.
    let id = id.into_string();
    let rid = rid.into_string();
    let village = village_for(&user, None).ok_or_else(AppError::not_found)?;
    let db = state.db.clone();
    let by = staff(&user, village);
    let origin = origin(&state);
    let bytes = service(move || service::letter_pdf(&db, &by, &id, &rid, &origin, lang))
        .await?
        .ok_or_else(AppError::not_found)?;
    Ok(download("application/pdf", "surat-rujukan.pdf", bytes))
}

/// `GET /kasus/{id}/tanda-terima.pdf`: the printable intake receipt (A6) of the village's
/// case, loaded (and audited) as the case page.
pub async fn receipt_pdf(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    AtVillage { user, village }: AtVillage,
    IdPath(id): IdPath<CaseId>,
) -> Result<Response, AppError> {
    let file = case_file(&state, &user, village, id).await?;
    let name = format!("tanda-terima-{}.pdf", file.case.nomor);
    let pdf = crate::features::cases::receipt::render(lang, &file);
    Ok(download("application/pdf", &name, pdf))
}

#[cfg(test)]
mod tests {
    use super::*;
    use puskesos_domain::cases::StepError;

    #[test]
    fn case_errors_answer_with_their_status_and_text() {
        let io = || std::io::Error::from(std::io::ErrorKind::NotFound);
        for (e, status, key) in [
            (
                CaseError::File(io()),
                StatusCode::INTERNAL_SERVER_ERROR,
                "web-file-missing",
            ),
            (
                CaseError::NotStored(io()),
                StatusCode::INTERNAL_SERVER_ERROR,
                "web-file-not-stored",
            ),
            (
                CaseError::BadReferral,
                StatusCode::UNPROCESSABLE_ENTITY,
                "web-refer-provider",
            ),
            (
                CaseError::Refused(StepError::OutOfOrder),
                StatusCode::CONFLICT,
                "case-err-out-of-order",
            ),
            (CaseError::NotFound, StatusCode::NOT_FOUND, "web-not-found"),
            (
                CaseError::TooLarge,
                StatusCode::PAYLOAD_TOO_LARGE,
                "web-attachment-too-large",
            ),
            (
                CaseError::NotImageOrPdf,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "web-attachment-type",
            ),
        ] {
            let e = AppError::from(e);
            assert_eq!((e.status(), e.key()), (status, key));
        }
    }
}
