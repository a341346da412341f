//! Registry forms: register a family (with its head), edit a family's facts, add a member, edit
//! or mark a member. The fields come from the domain's field tables and are checked by the same
//! code as the import; errors are shown next to their field; every change asks why.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use axum_extra::extract::CookieJar;
use maud::{Markup, html};
use puskesos_domain::i18n::code_label;
use puskesos_domain::identity::Severity;
use puskesos_domain::model::{FAMILY_FIELDS, Field, Kind, PERSON_FIELDS, Values};
use puskesos_domain::validate::{self, FieldIssue};
use puskesos_domain::wilayah::KodeWilayah;
use puskesos_domain::{Lang, tr};
use puskesos_storage::registry::{self, FamilyInput, WriteCtx};
use puskesos_storage::{StorageError, now_ms};

use crate::app::access::{CurrentUser, csrf_ok, refuse};
use crate::app::layout::{Page, error_page, lang_of};
use crate::app::{AppState, blocking};

/// Submitted form fields. Family fields are named `f.<key>`, member fields `p.<key>`.
type Fields = HashMap<String, String>;

/// Errors to show, by form field name.
type Errors = HashMap<String, String>;

fn input(lang: Lang, prefix: &str, field: &Field, value: &str, errors: &Errors) -> Markup {
    let name = format!("{prefix}.{}", field.key);
    let id = name.replace('.', "-");
    let err_id = format!("{id}-err");
    let error = errors.get(&name);
    let label = puskesos_domain::i18n::field_label(lang, field.key);
    html! {
        div.field {
            label for=(id) { (label) @if field.required { " *" } }
            @match field.kind {
                Kind::Code(codes) => {
                    select id=(id) name=(name) aria-describedby=[error.map(|_| &err_id)] {
                        option value="" { (tr(lang, "web-empty-choice", &[])) }
                        @for c in codes {
                            option value=(c) selected[*c == value] { (code_label(lang, field.key, c)) }
                        }
                    }
                }
                Kind::Bool => {
                    select id=(id) name=(name) aria-describedby=[error.map(|_| &err_id)] {
                        option value="" { (tr(lang, "web-empty-choice", &[])) }
                        option value="ya" selected[value == "ya"] { (tr(lang, "web-yes", &[])) }
                        option value="tidak" selected[value == "tidak"] { (tr(lang, "web-no", &[])) }
                    }
                }
                Kind::Date => {
                    input id=(id) name=(name) type="date" value=(iso_date(value)) aria-describedby=[error.map(|_| &err_id)];
                }
                Kind::Int { .. } | Kind::Num { .. } => {
                    input id=(id) name=(name) inputmode="decimal" value=(value) maxlength="20" aria-describedby=[error.map(|_| &err_id)];
                }
                Kind::Text { max_len } => {
                    input id=(id) name=(name) value=(value) maxlength=(max_len) required[field.required] aria-describedby=[error.map(|_| &err_id)];
                }
            }
            @if let Some(e) = error { p.error id=(err_id) { (e) } }
        }
    }
}

fn iso_date(value: &str) -> String {
    validate::parse_date(value)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// The form's fieldsets: `(legend, prefix, fields)` with their current texts.
struct FormSpec<'a> {
    title: String,
    action: String,
    sets: Vec<(String, &'static str, &'static [Field])>,
    values: &'a Fields,
    errors: &'a Errors,
    reason: &'a str,
}

fn render_form(lang: Lang, user: CurrentUser, spec: FormSpec<'_>, status: StatusCode) -> Response {
    let t = |k: &str| tr(lang, k, &[]);
    let csrf = user.csrf_token.clone();
    let body = html! {
        section {
            h2 { (spec.title) }
            @if !spec.errors.is_empty() { p.error role="alert" { (t("web-form-has-errors")) } }
            form method="post" action=(spec.action) {
                input type="hidden" name="csrf" value=(csrf);
                @for (legend, prefix, fields) in &spec.sets {
                    fieldset {
                        legend { (legend) }
                        @for f in *fields {
                            (input(lang, prefix, f, spec.values.get(&format!("{prefix}.{}", f.key)).map(String::as_str).unwrap_or(""), spec.errors))
                        }
                    }
                }
                div.field {
                    label for="alasan" { (t("web-reason")) " *" }
                    textarea id="alasan" name="alasan" required maxlength="500" aria-describedby=[spec.errors.get("alasan").map(|_| "alasan-err")] { (spec.reason) }
                    @if let Some(e) = spec.errors.get("alasan") { p.error id="alasan-err" { (e) } }
                }
                button type="submit" { (t("web-save")) }
            }
        }
    };
    (
        status,
        Page::new(lang, &spec.title).user(Some(user)).body(body),
    )
        .into_response()
}

/// Parses one level of the form with the import's checks. Errors go to `errors` by field name.
fn parse_level(
    fields: &'static [Field],
    prefix: &str,
    form: &Fields,
    lang: Lang,
    errors: &mut Errors,
) -> (Values, Vec<FieldIssue>) {
    let raw: Vec<Option<&str>> = fields
        .iter()
        .map(|f| {
            Some(
                form.get(&format!("{prefix}.{}", f.key))
                    .map(String::as_str)
                    .unwrap_or(""),
            )
        })
        .collect();
    let (values, issues) = validate::parse_record(fields, &raw);
    for i in &issues {
        errors
            .entry(format!("{prefix}.{}", i.field))
            .or_insert_with(|| i.issue.message.render(lang));
    }
    (values, issues)
}

/// A member's fields from a form, with the import's cross-field checks.
fn parse_member(form: &Fields, lang: Lang, errors: &mut Errors) -> Values {
    let (mut values, _) = parse_level(PERSON_FIELDS, "p", form, lang, errors);
    let mut issues = Vec::new();
    validate::check_person(&mut values, chrono::Local::now().date_naive(), &mut issues);
    add_issues("p", &issues, lang, errors);
    values
}

fn add_issues(prefix: &str, issues: &[FieldIssue], lang: Lang, errors: &mut Errors) {
    for i in issues
        .iter()
        .filter(|i| i.issue.severity == Severity::Error)
    {
        errors
            .entry(format!("{prefix}.{}", i.field))
            .or_insert_with(|| i.issue.message.render(lang));
    }
}

fn texts(prefix: &str, fields: &[Field], values: &Values) -> Fields {
    fields
        .iter()
        .zip(values)
        .filter_map(|(f, v)| {
            v.as_ref()
                .map(|v| (format!("{prefix}.{}", f.key), v.to_text(f.kind)))
        })
        .collect()
}

/// The `kasus=` of a registration made from a case's short profile.
fn case_param(query: Option<&str>) -> Option<String> {
    query?
        .split('&')
        .find_map(|kv| kv.strip_prefix("kasus="))
        .filter(|v| {
            !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
        })
        .map(str::to_string)
}

fn ctx(user: &CurrentUser, reason: &str) -> WriteCtx {
    WriteCtx {
        actor: format!("user:{}", user.account.username),
        reason: Some(reason.to_string()),
        source: "form".into(),
        now_ms: now_ms(),
    }
}

/// Common checks of every submission: the CSRF token (`None` when it fails: refuse the request)
/// and a reason (missing: an error next to the field). Returns the reason.
fn check_submission(
    user: &CurrentUser,
    form: &Fields,
    lang: Lang,
    errors: &mut Errors,
) -> Option<String> {
    if !csrf_ok(user, form.get("csrf").map(String::as_str).unwrap_or("")) {
        return None;
    }
    let reason = form
        .get("alasan")
        .map(|r| r.trim().to_string())
        .unwrap_or_default();
    if reason.is_empty() {
        errors.insert("alasan".into(), tr(lang, "web-reason-required", &[]));
    }
    Some(reason.chars().take(500).collect())
}

fn in_reach(user: &CurrentUser, village: &str) -> bool {
    KodeWilayah::parse(village).is_some_and(|v| user.reach.covers(&v))
}

fn db_error(lang: Lang) -> Response {
    error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error")
}

/// Why a record could not be loaded for a form.
enum Unavailable {
    Db,
    /// Absent, or outside the account's reach (the two look the same to the user).
    NotFound,
}

impl Unavailable {
    fn page(self, lang: Lang) -> Response {
        match self {
            Unavailable::Db => db_error(lang),
            Unavailable::NotFound => error_page(StatusCode::NOT_FOUND, lang, "web-not-found"),
        }
    }
}

async fn family_in_reach(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<puskesos_domain::model::Family, Unavailable> {
    let db = state.db.clone();
    let fid = id.to_string();
    let found = blocking(move || registry::family_by_id(&mut db.conn()?, &fid))
        .await
        .map_err(|_| Unavailable::Db)?;
    found
        .filter(|f| in_reach(user, &village_text(&f.values)))
        .ok_or(Unavailable::NotFound)
}

async fn person_in_reach(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<puskesos_domain::model::Person, Unavailable> {
    let db = state.db.clone();
    let pid = id.to_string();
    let found = blocking(move || registry::person_by_id(&mut db.conn()?, &pid))
        .await
        .map_err(|_| Unavailable::Db)?;
    found
        .filter(|(_, village)| in_reach(user, village))
        .map(|(p, _)| p)
        .ok_or(Unavailable::NotFound)
}

// --- Register a new family with its head -------------------------------------------------

fn new_family_spec<'a>(
    lang: Lang,
    values: &'a Fields,
    errors: &'a Errors,
    reason: &'a str,
    case: Option<&str>,
) -> FormSpec<'a> {
    FormSpec {
        title: tr(lang, "web-new-family", &[]),
        // Registering the short profile of a case: the case rides along in the address.
        action: match case {
            Some(id) => format!("/keluarga/baru?kasus={id}"),
            None => "/keluarga/baru".into(),
        },
        sets: vec![
            (tr(lang, "web-family-facts", &[]), "f", FAMILY_FIELDS),
            (tr(lang, "web-head-of-family", &[]), "p", PERSON_FIELDS),
        ],
        values,
        errors,
        reason,
    }
}

pub async fn new_family_form(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let mut values = Fields::new();
    // A village account starts with its own village filled in.
    if let Some(v) = state.village.as_ref().or(match &user.reach {
        puskesos_domain::access::Reach::Within(r)
            if r.level() == puskesos_domain::wilayah::Level::DesaKelurahan =>
        {
            Some(r)
        }
        _ => None,
    }) {
        values.insert("f.kode_wilayah".into(), v.to_string());
    }
    values.insert("p.hubungan".into(), "kepala_keluarga".into());
    let case = case_param(uri.query());
    if let (Some(cid), Some(village)) = (case.clone(), values.get("f.kode_wilayah").cloned()) {
        let db = state.db.clone();
        let found =
            blocking(move || puskesos_storage::cases::by_id(&mut db.conn()?, &village, &cid))
                .await
                .ok()
                .flatten();
        if let Some(c) = found.filter(|c| c.person_id.is_none()) {
            for (key, v) in [
                ("p.nama", c.contact_name),
                ("f.alamat", c.contact_address),
                ("p.nik", c.contact_nik),
            ] {
                if let Some(v) = v {
                    values.insert(key.into(), v);
                }
            }
        }
    }
    render_form(
        lang,
        user,
        new_family_spec(lang, &values, &Errors::new(), "", case.as_deref()),
        StatusCode::OK,
    )
}

pub async fn new_family_submit(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    Form(form): Form<Fields>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let case = case_param(uri.query());
    let mut errors = Errors::new();
    let Some(reason) = check_submission(&user, &form, lang, &mut errors) else {
        return refuse(StatusCode::FORBIDDEN, "web-csrf", lang, false);
    };
    let (mut fvals, _) = parse_level(FAMILY_FIELDS, "f", &form, lang, &mut errors);
    let mut issues = Vec::new();
    validate::check_family(&fvals, &mut issues);
    add_issues("f", &issues, lang, &mut errors);
    let pvals = parse_member(&form, lang, &mut errors);
    validate::normalise_family(&mut fvals);
    let village = fvals[1]
        .as_ref()
        .map(|v| v.to_text(FAMILY_FIELDS[1].kind))
        .unwrap_or_default();
    if errors.is_empty() && !in_reach(&user, &village) {
        errors.insert("f.kode_wilayah".into(), tr(lang, "web-forbidden", &[]));
    }
    if !errors.is_empty() {
        return render_form(
            lang,
            user,
            new_family_spec(lang, &form, &errors, &reason, case.as_deref()),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let db = state.db.clone();
    let mut write = ctx(&user, &reason);
    if case.is_some() {
        // Where the record came from: a proposal of the centre for the welfare data.
        write.source = "usulan-kasus".into();
    }
    let case_id = case.clone();
    let role = user.account.role;
    let village = fvals[1]
        .as_ref()
        .map(|v| v.to_text(FAMILY_FIELDS[1].kind))
        .unwrap_or_default();
    let kk = fvals[0]
        .as_ref()
        .map(|v| v.to_text(FAMILY_FIELDS[0].kind))
        .unwrap_or_default();
    let result = blocking(
        move || -> Result<Result<String, (String, String)>, StorageError> {
            let mut conn = db.conn()?;
            conn.transaction(|c| {
                if registry::family_by_kk(c, &kk)?.is_some() {
                    return Ok(Err((
                        "f.no_kk".to_string(),
                        tr(lang, "kk-taken", &[("kk", &kk)]),
                    )));
                }
                let input = FamilyInput {
                    values: fvals,
                    family_present: vec![true; FAMILY_FIELDS.len()],
                    person_present: vec![true; PERSON_FIELDS.len()],
                    members: vec![(0, pvals)],
                };
                let out = registry::save_family(c, &input, &write)?;
                if let Some((_, _, _, m)) = out.refused.first() {
                    // Roll back the family too: nothing half-saved.
                    return Err(StorageError::Corrupt(m.render(lang)));
                }
                if let Some(cid) = &case_id {
                    let person = registry::members(c, &out.family_id)?
                        .first()
                        .map(|p| p.id.clone());
                    puskesos_storage::cases::link_registered(
                        c,
                        &village,
                        cid,
                        &out.family_id,
                        person.as_deref(),
                        &write.actor,
                        role,
                        write.now_ms,
                    )?;
                }
                Ok(Ok(out.family_id))
            })
        },
    )
    .await;
    match result {
        Ok(Ok(id)) => {
            state.rules.reassess(&state.db, vec![id.clone()]).await;
            Redirect::to(&format!("/keluarga/{id}")).into_response()
        }
        Ok(Err((field, message))) => {
            errors.insert(field, message);
            render_form(
                lang,
                user,
                new_family_spec(lang, &form, &errors, &reason, case.as_deref()),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(StorageError::Corrupt(message)) => {
            errors.insert("p.nik".into(), message);
            render_form(
                lang,
                user,
                new_family_spec(lang, &form, &errors, &reason, case.as_deref()),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(_) => db_error(lang),
    }
}

// --- Edit a family's facts -----------------------------------------------------------------

fn edit_family_spec<'a>(
    lang: Lang,
    id: &str,
    values: &'a Fields,
    errors: &'a Errors,
    reason: &'a str,
) -> FormSpec<'a> {
    FormSpec {
        title: tr(lang, "web-edit-family", &[]),
        action: format!("/keluarga/{id}/ubah"),
        sets: vec![(tr(lang, "web-family-facts", &[]), "f", FAMILY_FIELDS)],
        values,
        errors,
        reason,
    }
}

pub async fn edit_family_form(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let family = match family_in_reach(&state, &user, &id).await {
        Ok(f) => f,
        Err(u) => return u.page(lang),
    };
    let values = texts("f", FAMILY_FIELDS, &family.values);
    render_form(
        lang,
        user,
        edit_family_spec(lang, &id, &values, &Errors::new(), ""),
        StatusCode::OK,
    )
}

fn village_text(values: &Values) -> String {
    values[1]
        .as_ref()
        .map(|v| v.to_text(FAMILY_FIELDS[1].kind))
        .unwrap_or_default()
}

pub async fn edit_family_submit(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
    Form(form): Form<Fields>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let mut errors = Errors::new();
    let Some(reason) = check_submission(&user, &form, lang, &mut errors) else {
        return refuse(StatusCode::FORBIDDEN, "web-csrf", lang, false);
    };
    let (mut fvals, _) = parse_level(FAMILY_FIELDS, "f", &form, lang, &mut errors);
    let mut issues = Vec::new();
    validate::check_family(&fvals, &mut issues);
    add_issues("f", &issues, lang, &mut errors);
    validate::normalise_family(&mut fvals);
    let _family = match family_in_reach(&state, &user, &id).await {
        Ok(f) => f,
        Err(u) => return u.page(lang),
    };
    if errors.is_empty() && !in_reach(&user, &village_text(&fvals)) {
        errors.insert("f.kode_wilayah".into(), tr(lang, "web-forbidden", &[]));
    }
    if !errors.is_empty() {
        return render_form(
            lang,
            user,
            edit_family_spec(lang, &id, &form, &errors, &reason),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let db = state.db.clone();
    let write = ctx(&user, &reason);
    let fid = id.clone();
    match blocking(move || {
        let mut conn = db.conn()?;
        conn.transaction(|c| registry::edit_family(c, &fid, &fvals, &write))
    })
    .await
    {
        Ok(Ok(_)) => {
            state.rules.reassess(&state.db, vec![id.clone()]).await;
            Redirect::to(&format!("/keluarga/{id}")).into_response()
        }
        Ok(Err(r)) => {
            errors.insert(format!("f.{}", r.field), r.message.render(lang));
            render_form(
                lang,
                user,
                edit_family_spec(lang, &id, &form, &errors, &reason),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(_) => db_error(lang),
    }
}

// --- Add a member ---------------------------------------------------------------------------

fn member_spec<'a>(
    lang: Lang,
    title_key: &str,
    action: String,
    values: &'a Fields,
    errors: &'a Errors,
    reason: &'a str,
) -> FormSpec<'a> {
    FormSpec {
        title: tr(lang, title_key, &[]),
        action,
        sets: vec![(tr(lang, "web-members-title", &[]), "p", PERSON_FIELDS)],
        values,
        errors,
        reason,
    }
}

pub async fn add_member_form(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let _family = match family_in_reach(&state, &user, &id).await {
        Ok(f) => f,
        Err(u) => return u.page(lang),
    };
    let values = Fields::new();
    render_form(
        lang,
        user,
        member_spec(
            lang,
            "web-add-member",
            format!("/keluarga/{id}/anggota/baru"),
            &values,
            &Errors::new(),
            "",
        ),
        StatusCode::OK,
    )
}

pub async fn add_member_submit(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
    Form(form): Form<Fields>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let action = format!("/keluarga/{id}/anggota/baru");
    let mut errors = Errors::new();
    let Some(reason) = check_submission(&user, &form, lang, &mut errors) else {
        return refuse(StatusCode::FORBIDDEN, "web-csrf", lang, false);
    };
    let pvals = parse_member(&form, lang, &mut errors);
    let family = match family_in_reach(&state, &user, &id).await {
        Ok(f) => f,
        Err(u) => return u.page(lang),
    };
    if !errors.is_empty() {
        return render_form(
            lang,
            user,
            member_spec(lang, "web-add-member", action, &form, &errors, &reason),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let db = state.db.clone();
    let write = ctx(&user, &reason);
    let result = blocking(move || {
        let mut conn = db.conn()?;
        conn.transaction(|c| {
            let input = FamilyInput {
                values: family.values.clone(),
                family_present: vec![false; FAMILY_FIELDS.len()],
                person_present: vec![true; PERSON_FIELDS.len()],
                members: vec![(0, pvals)],
            };
            registry::save_family(c, &input, &write)
        })
    })
    .await;
    match result {
        Ok(out) if out.refused.is_empty() => {
            state.rules.reassess(&state.db, vec![id.clone()]).await;
            Redirect::to(&format!("/keluarga/{id}")).into_response()
        }
        Ok(out) => {
            for (_, field, _, m) in out.refused {
                errors.insert(format!("p.{field}"), m.render(lang));
            }
            render_form(
                lang,
                user,
                member_spec(lang, "web-add-member", action, &form, &errors, &reason),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(_) => db_error(lang),
    }
}

// --- Edit or mark a member ----------------------------------------------------------------

pub async fn edit_member_form(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let person = match person_in_reach(&state, &user, &id).await {
        Ok(p) => p,
        Err(u) => return u.page(lang),
    };
    let values = texts("p", PERSON_FIELDS, &person.values);
    render_form(
        lang,
        user,
        member_spec(
            lang,
            "web-edit-member",
            format!("/anggota/{id}/ubah"),
            &values,
            &Errors::new(),
            "",
        ),
        StatusCode::OK,
    )
}

pub async fn edit_member_submit(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
    Form(form): Form<Fields>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let action = format!("/anggota/{id}/ubah");
    let mut errors = Errors::new();
    let Some(reason) = check_submission(&user, &form, lang, &mut errors) else {
        return refuse(StatusCode::FORBIDDEN, "web-csrf", lang, false);
    };
    let pvals = parse_member(&form, lang, &mut errors);
    let person = match person_in_reach(&state, &user, &id).await {
        Ok(p) => p,
        Err(u) => return u.page(lang),
    };
    if !errors.is_empty() {
        return render_form(
            lang,
            user,
            member_spec(lang, "web-edit-member", action, &form, &errors, &reason),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let db = state.db.clone();
    let write = ctx(&user, &reason);
    let pid = id.clone();
    match blocking(move || {
        let mut conn = db.conn()?;
        conn.transaction(|c| registry::edit_person(c, &pid, &pvals, &write))
    })
    .await
    {
        Ok(Ok(_)) => {
            state
                .rules
                .reassess(&state.db, vec![person.family_id.clone()])
                .await;
            Redirect::to(&format!("/keluarga/{}", person.family_id)).into_response()
        }
        Ok(Err(r)) => {
            errors.insert(format!("p.{}", r.field), r.message.render(lang));
            render_form(
                lang,
                user,
                member_spec(lang, "web-edit-member", action, &form, &errors, &reason),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(_) => db_error(lang),
    }
}
