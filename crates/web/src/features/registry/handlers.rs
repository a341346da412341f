//! The registry's HTTP side: each handler extracts, calls the service and renders. A form that
//! fails its checks is drawn again with the errors next to their fields (422); everything else
//! that goes wrong is an [`AppError`].

use axum::extract::{Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use puskesos_domain::model::{FAMILY_FIELDS, PERSON_FIELDS};
use puskesos_domain::{Lang, tr};

use super::fields::{Errors, Fields, RecordForm, case_param, parse_family, parse_member, texts};
use super::service::{self, Reader, SaveError, SearchParams, in_reach, village_of, write_ctx};
use super::views::{self, FormSpec};
use crate::app::access::CurrentUser;
use crate::app::extract::IdPath;
use crate::app::extract::{CsrfForm, UiLang};
use crate::app::{AppError, AppState};
use puskesos_domain::ids::{FamilyId, PersonId};

/// Registry search by NIK, KK, name, RT/RW, with paging.
pub async fn search(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    user: CurrentUser,
    Query(params): Query<SearchParams>,
) -> Result<Response, AppError> {
    let (rows, count) = service::run_search(&state.db, &user.reach, &params).await?;
    Ok(views::search_page(lang, user, &params, &rows, count).into_response())
}

/// The family page's query: `tanggal`, another reference date for its assessment.
#[derive(serde::Deserialize, Default)]
pub struct FamilyParams {
    tanggal: Option<String>,
}

/// A family within the user's reach, with its assessment for the stored reference date (or
/// the date asked for); the view is audited.
pub async fn family(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    user: CurrentUser,
    IdPath(id): IdPath<FamilyId>,
    Query(q): Query<FamilyParams>,
) -> Result<Response, AppError> {
    let on = crate::features::eligibility::service::picked_date(q.tanggal.as_deref())?;
    // Parsed at the edge; the services take the id as text.
    let id = id.into_string();
    // Outside the reach and absent look the same: nothing about another village leaks.
    let page = service::family_page(
        &state.db,
        &state.audit,
        &state.rules,
        Reader::from(&user),
        id,
        on,
    )
    .await?
    .ok_or_else(AppError::not_found)?;
    Ok(views::family_page(lang, user, &page).into_response())
}

/// The form drawn again with its errors and the reason that was sent.
fn form_failed(
    lang: Lang,
    user: CurrentUser,
    spec: FormSpec<'_>,
    errors: &Errors,
    reason: &str,
) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        views::form_page(lang, user, spec.failed(errors, reason)),
    )
        .into_response()
}

/// A save the store refused: the form again with each refusal next to its field. A fault of
/// the store is the error it is.
fn save_failed(
    lang: Lang,
    user: CurrentUser,
    spec: FormSpec<'_>,
    mut errors: Errors,
    reason: &str,
    e: SaveError,
) -> Result<Response, AppError> {
    match e {
        SaveError::Refused(refusals) => {
            for (field, message) in refusals {
                errors.insert(field, message.render(lang));
            }
            Ok(form_failed(lang, user, spec, &errors, reason))
        }
        SaveError::Storage(e) => Err(e.into()),
    }
}

fn to_family(id: &str) -> Response {
    Redirect::to(&format!("/keluarga/{id}")).into_response()
}

// --- Register a new family with its head -------------------------------------------------

pub async fn new_family_form(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    user: CurrentUser,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let mut values = Fields::new();
    // A village account starts with its own village filled in.
    let village = service::starting_village(state.village.as_ref(), &user.reach);
    if let Some(v) = &village {
        values.insert("f.kode_wilayah".into(), v.clone());
    }
    values.insert("p.hubungan".into(), "kepala_keluarga".into());
    let case = case_param(query.as_deref());
    if let (Some(cid), Some(village)) = (&case, &village) {
        for (key, text) in service::case_contact(&state.db, village, cid).await {
            values.insert(key.into(), text);
        }
    }
    let spec = FormSpec::new_family(lang, case.as_deref(), &values);
    Ok(views::form_page(lang, user, spec).into_response())
}

pub async fn new_family_submit(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    user: CurrentUser,
    RawQuery(query): RawQuery,
    CsrfForm(form): CsrfForm<RecordForm>,
) -> Result<Response, AppError> {
    let case = case_param(query.as_deref());
    let spec = || FormSpec::new_family(lang, case.as_deref(), &form.fields);
    let mut errors = Errors::new();
    let reason = form.reason(lang, &mut errors);
    let family = parse_family(&form.fields, lang, &mut errors);
    let head = parse_member(&form.fields, lang, &mut errors);
    if errors.is_empty() && !in_reach(&user.reach, &village_of(&family)) {
        errors.insert("f.kode_wilayah".into(), tr(lang, "web-forbidden", &[]));
    }
    if !errors.is_empty() {
        return Ok(form_failed(lang, user, spec(), &errors, &reason));
    }
    let write = write_ctx(&user.account.username, &reason);
    let role = user.account.role;
    match service::register_family(
        &state.db,
        &state.rules,
        family,
        head,
        case.clone(),
        write,
        role,
    )
    .await
    {
        Ok(id) => Ok(to_family(&id)),
        Err(e) => save_failed(lang, user, spec(), errors, &reason, e),
    }
}

// --- Edit a family's facts -----------------------------------------------------------------

pub async fn edit_family_form(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    user: CurrentUser,
    IdPath(id): IdPath<FamilyId>,
) -> Result<Response, AppError> {
    // Parsed at the edge; the services take the id as text.
    let id = id.into_string();
    let family = service::family_in_reach(&state.db, &user.reach, &id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let values = texts("f", FAMILY_FIELDS, &family.values);
    let spec = FormSpec::edit_family(lang, &id, &values);
    Ok(views::form_page(lang, user, spec).into_response())
}

pub async fn edit_family_submit(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    user: CurrentUser,
    IdPath(id): IdPath<FamilyId>,
    CsrfForm(form): CsrfForm<RecordForm>,
) -> Result<Response, AppError> {
    // Parsed at the edge; the services take the id as text.
    let id = id.into_string();
    let spec = || FormSpec::edit_family(lang, &id, &form.fields);
    let mut errors = Errors::new();
    let reason = form.reason(lang, &mut errors);
    let values = parse_family(&form.fields, lang, &mut errors);
    service::family_in_reach(&state.db, &user.reach, &id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if errors.is_empty() && !in_reach(&user.reach, &village_of(&values)) {
        errors.insert("f.kode_wilayah".into(), tr(lang, "web-forbidden", &[]));
    }
    if !errors.is_empty() {
        return Ok(form_failed(lang, user, spec(), &errors, &reason));
    }
    let write = write_ctx(&user.account.username, &reason);
    match service::edit_family(&state.db, &state.rules, &id, values, write).await {
        Ok(()) => Ok(to_family(&id)),
        Err(e) => save_failed(lang, user, spec(), errors, &reason, e),
    }
}

// --- Add a member ---------------------------------------------------------------------------

fn add_member_spec<'a>(lang: Lang, family_id: &str, values: &'a Fields) -> FormSpec<'a> {
    let action = format!("/keluarga/{family_id}/anggota/baru");
    FormSpec::member(lang, "web-add-member", action, values)
}

pub async fn add_member_form(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    user: CurrentUser,
    IdPath(id): IdPath<FamilyId>,
) -> Result<Response, AppError> {
    // Parsed at the edge; the services take the id as text.
    let id = id.into_string();
    service::family_in_reach(&state.db, &user.reach, &id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let values = Fields::new();
    let spec = add_member_spec(lang, &id, &values);
    Ok(views::form_page(lang, user, spec).into_response())
}

pub async fn add_member_submit(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    user: CurrentUser,
    IdPath(id): IdPath<FamilyId>,
    CsrfForm(form): CsrfForm<RecordForm>,
) -> Result<Response, AppError> {
    // Parsed at the edge; the services take the id as text.
    let id = id.into_string();
    let spec = || add_member_spec(lang, &id, &form.fields);
    let mut errors = Errors::new();
    let reason = form.reason(lang, &mut errors);
    let member = parse_member(&form.fields, lang, &mut errors);
    let family = service::family_in_reach(&state.db, &user.reach, &id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if !errors.is_empty() {
        return Ok(form_failed(lang, user, spec(), &errors, &reason));
    }
    let write = write_ctx(&user.account.username, &reason);
    match service::add_member(&state.db, &state.rules, family, member, write).await {
        Ok(()) => Ok(to_family(&id)),
        Err(e) => save_failed(lang, user, spec(), errors, &reason, e),
    }
}

// --- Edit or mark a member ----------------------------------------------------------------

fn edit_member_spec<'a>(lang: Lang, person_id: &str, values: &'a Fields) -> FormSpec<'a> {
    let action = format!("/anggota/{person_id}/ubah");
    FormSpec::member(lang, "web-edit-member", action, values)
}

pub async fn edit_member_form(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    user: CurrentUser,
    IdPath(id): IdPath<PersonId>,
) -> Result<Response, AppError> {
    // Parsed at the edge; the services take the id as text.
    let id = id.into_string();
    let person = service::person_in_reach(&state.db, &user.reach, &id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let values = texts("p", PERSON_FIELDS, &person.values);
    let spec = edit_member_spec(lang, &id, &values);
    Ok(views::form_page(lang, user, spec).into_response())
}

pub async fn edit_member_submit(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    user: CurrentUser,
    IdPath(id): IdPath<PersonId>,
    CsrfForm(form): CsrfForm<RecordForm>,
) -> Result<Response, AppError> {
    // Parsed at the edge; the services take the id as text.
    let id = id.into_string();
    let spec = || edit_member_spec(lang, &id, &form.fields);
    let mut errors = Errors::new();
    let reason = form.reason(lang, &mut errors);
    let values = parse_member(&form.fields, lang, &mut errors);
    let person = service::person_in_reach(&state.db, &user.reach, &id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if !errors.is_empty() {
        return Ok(form_failed(lang, user, spec(), &errors, &reason));
    }
    let write = write_ctx(&user.account.username, &reason);
    match service::edit_member(&state.db, &state.rules, &person, values, write).await {
        Ok(()) => Ok(to_family(&person.family_id)),
        Err(e) => save_failed(lang, user, spec(), errors, &reason, e),
    }
}
