//! SLRT cases in the browser (issue 5, first slice): the intake form of the front office, the
//! queue of each role ("waiting for me"), and the case page with its history and the steps the
//! role may take now. Every step goes through the domain's state machine; a refused step changes
//! nothing and is recorded.

use std::collections::HashMap;

use axum::Extension;
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use maud::{Markup, html};
use puskesos_domain::access::{Action, allowed};
use puskesos_domain::cases::{Sector, Step, available};
use puskesos_domain::identity::mask;
use puskesos_domain::model::Record;
use puskesos_domain::wilayah::{KodeWilayah, Wilayah};
use puskesos_domain::{Lang, tr};
use puskesos_storage::cases::{self, CHANNELS, Case, NewCase};
use puskesos_storage::{now_ms, referrals, registry};
use serde::Deserialize;

use crate::app::access::{CurrentUser, csrf_ok, refuse};
use crate::app::download::download;
use crate::app::format::format_time;
use crate::app::layout::{Page, error_page, lang_of};
use crate::app::scope::{desa_query, step_refused, village_for, village_form};
use crate::app::{AppState, blocking};

#[derive(Deserialize, Default)]
pub struct CaseQuery {
    desa: Option<String>,
}

fn case_line(lang: Lang, c: &Case, q: &str) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    html! {
        li {
            a href=(format!("/kasus/{}{q}", c.id)) { (c.nomor) }
            " · " (t(&format!("case-state-{}", c.state.code())))
            " · " (t(&format!("sector-{}", c.sector.code())))
            " · " (format_time(c.opened_at))
        }
    }
}

/// The role's queue and the village's open cases.
pub async fn list(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    Query(p): Query<CaseQuery>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let t = |k: &str| tr(lang, k, &[]);
    let Some(village) = village_for(&user, p.desa.as_deref()) else {
        return refuse(StatusCode::NOT_FOUND, "web-choose-village", lang, false);
    };
    let db = state.db.clone();
    let role = user.account.role;
    let v = village.clone();
    let Ok((mine, open)) = blocking(move || {
        let mut conn = db.conn()?;
        Ok((
            cases::open_cases(&mut conn, &v, Some(role))?,
            cases::open_cases(&mut conn, &v, None)?,
        ))
    })
    .await
    else {
        return error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error");
    };
    let q = desa_query(&user, &village);
    Page::new(lang, &t("web-cases"))
        .user(Some(user.clone()))
        .body(html! {
            h2 { (t("web-cases")) }
            @if allowed(role, Action::CasesIntake) {
                p.actions { a href="/kasus/baru" { (t("web-new-case")) } }
            }
            section {
                h3 { (t("web-my-queue")) " (" (mine.len()) ")" }
                @if mine.is_empty() { p { (t("web-queue-empty")) } }
                ul.results { @for c in &mine { (case_line(lang, c, &q)) } }
            }
            section {
                h3 { (t("web-open-cases")) " (" (open.len()) ")" }
                ul.results { @for c in &open { (case_line(lang, c, &q)) } }
            }
        })
        .into_response()
}

fn intake_form(
    lang: Lang,
    user: &CurrentUser,
    form: &HashMap<String, String>,
    errors: &HashMap<&str, String>,
) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    let v = |k: &str| form.get(k).cloned().unwrap_or_default();
    let field = |id: &'static str, label: &str, input: Markup| {
        html! {
            div.field {
                label for=(id) { (label) }
                @if let Some(e) = errors.get(id) { p.error id=(format!("{id}-err")) { (e) } }
                (input)
            }
        }
    };
    let consent_default = if form.is_empty() {
        t("web-consent-default")
    } else {
        v("consent_purpose")
    };
    html! {
        form method="post" action="/kasus/baru" {
            input type="hidden" name="csrf" value=(user.csrf_token);
            @if !errors.is_empty() { p.error role="alert" { (t("web-form-has-errors")) } }
            (field("nik", &t("web-case-nik"), html! {
                input id="nik" name="nik" inputmode="numeric" maxlength="16" value=(v("nik")) aria-describedby="nik-help";
                p.help id="nik-help" { (t("web-case-nik-help")) }
            }))
            (field("contact_name", &t("web-contact-name"), html! { input id="contact_name" name="contact_name" maxlength="200" value=(v("contact_name")); }))
            (field("contact_address", &t("web-contact-address"), html! { input id="contact_address" name="contact_address" maxlength="200" value=(v("contact_address")); }))
            (field("contact_phone", &t("web-contact-phone"), html! { input id="contact_phone" name="contact_phone" inputmode="tel" maxlength="30" value=(v("contact_phone")); }))
            (field("channel", &t("web-channel"), html! {
                select id="channel" name="channel" {
                    @for c in CHANNELS { option value=(c) selected[v("channel") == *c] { (t(&format!("channel-{c}"))) } }
                }
            }))
            (field("sector", &t("web-sector"), html! {
                select id="sector" name="sector" required {
                    option value="" { (t("web-empty-choice")) }
                    @for s in Sector::ALL {
                        @let code = s.code();
                        option value=(code) selected[v("sector") == code] { (t(&format!("sector-{code}"))) }
                    }
                }
            }))
            (field("summary", &t("web-summary"), html! { textarea id="summary" name="summary" rows="5" maxlength="4000" required { (v("summary")) } }))
            (field("consent_purpose", &t("web-consent"), html! { input id="consent_purpose" name="consent_purpose" maxlength="300" value=(consent_default); }))
            div.field {
                @if let Some(e) = errors.get("consent") { p.error id="consent-err" { (e) } }
                label { input type="checkbox" name="consent" value="ya" checked[v("consent") == "ya"]; " " (t("web-consent-given")) }
            }
            button type="submit" { (t("web-save")) }
        }
    }
}

pub async fn new_form(
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    if village_for(&user, None).is_none() {
        return refuse(StatusCode::FORBIDDEN, "web-forbidden", lang, false);
    }
    Page::new(lang, &tr(lang, "web-new-case", &[]))
        .user(Some(user.clone()))
        .body(html! {
            h2 { (tr(lang, "web-new-case", &[])) }
            (intake_form(lang, &user, &HashMap::new(), &HashMap::new()))
        })
        .into_response()
}

pub async fn new_submit(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let village = match village_form(&user, form.get("csrf").map(String::as_str), lang) {
        Ok(v) => v,
        Err(refused) => return *refused,
    };
    let get = |k: &str| {
        form.get(k)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let mut errors: HashMap<&str, String> = HashMap::new();
    if form.get("consent").map(String::as_str) != Some("ya") {
        errors.insert("consent", tr(lang, "web-consent-missing", &[]));
    }
    let nik = get("nik");
    // The number may be a resident's NIK or their family's KK. Only records of this village are
    // linked (and nothing of another village's is shown).
    let db = state.db.clone();
    let (number, here) = (nik.clone(), village.clone());
    let (person_id, family_id) = blocking(move || {
        let Some(n) = number else {
            return Ok((None, None));
        };
        let mut conn = db.conn()?;
        let in_village =
            |f: &puskesos_domain::model::Family| f.text("kode_wilayah") == Some(here.as_str());
        if let Some((p, _)) = registry::person_by_nik(&mut conn, &n)? {
            if registry::family_by_id(&mut conn, &p.family_id)?.is_some_and(|f| in_village(&f)) {
                return Ok((Some(p.id), Some(p.family_id)));
            }
        } else if let Some(f) = registry::family_by_kk(&mut conn, &n)?.filter(|f| in_village(f)) {
            return Ok((None, Some(f.id)));
        }
        Ok((None, None))
    })
    .await
    .unwrap_or((None, None));
    let new = NewCase {
        village: village.clone(),
        channel: get("channel").unwrap_or_default(),
        sector: get("sector").and_then(|s| Sector::parse(&s)),
        summary: form.get("summary").cloned().unwrap_or_default(),
        person_id: person_id.clone(),
        family_id: family_id.clone(),
        contact_name: get("contact_name"),
        contact_nik: if person_id.is_none() && family_id.is_none() {
            nik
        } else {
            None
        },
        contact_address: get("contact_address"),
        contact_phone: get("contact_phone"),
        consent_purpose: get("consent_purpose").unwrap_or_default(),
    };
    if errors.is_empty() {
        let db = state.db.clone();
        let actor = format!("user:{}", user.account.username);
        let role = user.account.role;
        let result = blocking(move || {
            let mut conn = db.conn()?;
            cases::open(&mut conn, &new, &actor, role, now_ms())
        })
        .await;
        match result {
            Ok(Ok(case)) => return Redirect::to(&format!("/kasus/{}", case.id)).into_response(),
            Ok(Err(e)) => {
                errors.insert(e.field, tr(lang, e.key, &[]));
            }
            Err(_) => return error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error"),
        }
    }
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Page::new(lang, &tr(lang, "web-new-case", &[]))
            .user(Some(user.clone()))
            .body(html! {
                h2 { (tr(lang, "web-new-case", &[])) }
                (intake_form(lang, &user, &form, &errors))
            }),
    )
        .into_response()
}

/// The case page: who, what, the stage, the history, and the steps this role may take now.
pub async fn page(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
    Query(p): Query<CaseQuery>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let t = |k: &str| tr(lang, k, &[]);
    let Some(village) = village_for(&user, p.desa.as_deref()) else {
        return error_page(StatusCode::NOT_FOUND, lang, "web-not-found");
    };
    let db = state.db.clone();
    let actor = format!("user:{}", user.account.username);
    let (v, cid) = (village.clone(), id.clone());
    let loaded = blocking(move || {
        let mut conn = db.conn()?;
        let Some(case) = cases::by_id(&mut conn, &v, &cid)? else {
            return Ok(None);
        };
        let events = cases::events(&mut conn, &v, &cid)?;
        let person = match &case.person_id {
            Some(pid) => registry::person_by_id(&mut conn, pid)?.map(|(p, _)| p),
            None => None,
        };
        let sent = referrals::of_case(&mut conn, &v, &cid)?;
        let files = cases::attachments(&mut conn, &v, &cid)?;
        let directory = referrals::providers(&mut conn, &v)?;
        registry::audit(&mut conn, &v, &actor, "view", "case", &cid, None)?;
        Ok(Some((case, events, person, sent, directory, files)))
    })
    .await;
    let now = now_ms();
    let (case, events, person, sent, directory, files) = match loaded {
        Ok(Some(x)) => x,
        Ok(None) => return error_page(StatusCode::NOT_FOUND, lang, "web-not-found"),
        Err(_) => return error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error"),
    };
    let steps = if allowed(user.account.role, Action::CasesWork) {
        available(case.state, user.account.role, case.sector)
    } else {
        Vec::new()
    };
    Page::new(lang, &format!("{} {}", t("web-case"), case.nomor))
        .user(Some(user.clone()))
        .body(html! {
            section {
                h2 { (t("web-case")) " " (case.nomor) }
                p.status { (t("web-case-state")) ": " strong { (t(&format!("case-state-{}", case.state.code()))) } }
                dl {
                    dt { (t("web-person")) }
                    dd {
                        @if let Some(p) = &person {
                            (p.text("nama").unwrap_or_default()) " · NIK " (mask(p.text("nik").unwrap_or_default()))
                            @if let Some(f) = &case.family_id { " · " a href=(format!("/keluarga/{f}")) { (t("web-registered-family")) } }
                        } @else if let Some(f) = &case.family_id {
                            (case.contact_name.clone().unwrap_or_default())
                            " · " a href=(format!("/keluarga/{f}")) { (t("web-registered-family")) }
                        } @else {
                            (case.contact_name.clone().unwrap_or_default()) " (" (t("web-not-registered")) ")"
                            @if allowed(user.account.role, Action::RegistryWrite) {
                                " · " a href=(format!("/keluarga/baru?kasus={}", case.id)) { (t("web-register-from-case")) }
                            }
                            @if let Some(a) = &case.contact_address { br; (a) }
                            @if let Some(ph) = &case.contact_phone { br; (ph) }
                        }
                    }
                    dt { (t("web-sector")) } dd { (t(&format!("sector-{}", case.sector.code()))) }
                    dt { (t("web-channel")) } dd { (t(&format!("channel-{}", case.channel))) }
                    dt { (t("web-opened")) } dd { (format_time(case.opened_at)) " · " (case.opened_by) }
                    dt { (t("web-summary")) } dd.summary { (case.summary) }
                    dt { (t("web-consent")) } dd { (case.consent_purpose) }
                }
            }
            section {
                h3 { (t("web-case-steps")) }
                @if steps.is_empty() { p { (t("web-case-no-steps")) } }
                @for s in &steps {
                    form.step method="post" action=(format!("/kasus/{}/langkah", case.id)) {
                        input type="hidden" name="csrf" value=(user.csrf_token);
                        input type="hidden" name="step" value=(s.code());
                        @if *s == Step::Refer {
                            label for="provider" { (t("web-provider")) }
                            @if directory.is_empty() { p.warning { a href="/penyedia" { (t("web-providers-empty")) } } }
                            select id="provider" name="provider" required {
                                @for p in &directory { option value=(p.id) { (p.name) " (" (t(&format!("provider-{}", p.kind))) ")" } }
                            }
                            label for="due_days" { (t("web-due-days")) }
                            input id="due_days" name="due_days" type="number" min="1" max="365" value="14" required;
                        }
                        @let note_id = format!("note-{}", s.code());
                        label for=(note_id) { (t("web-note")) }
                        textarea id=(note_id) name="note" rows="2" maxlength="2000" required[s.needs_note()] {}
                        button type="submit" { (t(&format!("case-step-{}", s.code()))) }
                    }
                }
            }
            section {
                h3 { (t("web-attachments")) }
                ul.results {
                    @for a in &files {
                        li { a href=(format!("/kasus/{}/lampiran/{}", case.id, a.id)) { (a.file_name) } " · " (a.media_type) " · " (format_time(a.added_at)) }
                    }
                }
                @if allowed(user.account.role, Action::CasesWork) {
                    form method="post" action=(format!("/kasus/{}/lampiran", case.id)) enctype="multipart/form-data" {
                        input type="hidden" name="csrf" value=(user.csrf_token);
                        label for="berkas" { (t("web-attachment-add")) }
                        input id="berkas" name="berkas" type="file" accept="image/jpeg,image/png,application/pdf" required;
                        button type="submit" { (t("web-save")) }
                    }
                }
            }
            @if !sent.is_empty() {
                section {
                    h3 { (t("web-referrals")) }
                    ul.results {
                        @for r in &sent {
                            li class=(if r.overdue(now) { "overdue" } else { "" }) {
                                (r.provider) " · " (t(&format!("referral-{}", r.status)))
                                " · " (t("web-deadline")) " " (format_time(r.due_at))
                                @if r.overdue(now) { " · " strong { (t("web-overdue")) } }
                                @if let Some(n) = &r.answer_note { " · " em { (n) } }
                            }
                        }
                    }
                }
            }
            section {
                h3 { (t("web-case-history")) }
                ol.history {
                    @for e in &events {
                        li {
                            strong { (format_time(e.at)) } " · " (e.actor) " (" (t(&format!("role-{}", e.role))) ") · "
                            (t(&format!("case-state-{}", e.to_state)))
                            @if let Some(n) = &e.note { " · " em { (n) } }
                        }
                    }
                }
            }
        })
        .into_response()
}

/// Takes one step; a refused one is shown with its reason and changes nothing.
pub async fn take_step(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    headers: axum::http::HeaderMap,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let village = match village_form(&user, form.get("csrf").map(String::as_str), lang) {
        Ok(v) => v,
        Err(refused) => return *refused,
    };
    let Some(step) = form
        .get("step")
        .and_then(|s| Step::ALL.into_iter().find(|x| x.code() == s))
    else {
        return error_page(StatusCode::BAD_REQUEST, lang, "case-err-out-of-order");
    };
    let note = form.get("note").cloned().unwrap_or_default();
    let db = state.db.clone();
    let actor = format!("user:{}", user.account.username);
    let role = user.account.role;
    let cid = id.clone();
    if step == Step::Refer {
        let provider = form.get("provider").cloned().unwrap_or_default();
        let due: i64 = form
            .get("due_days")
            .and_then(|d| d.trim().parse().ok())
            .unwrap_or(14);
        let origin = crate::app::download::origin(&state, &headers);
        let letters = state.files_dir.join("surat");
        let result = blocking(move || {
            let mut conn = db.conn()?;
            // An unknown provider or a due date out of range is the form's fault, named as such.
            let known = referrals::providers(&mut conn, &village)?
                .iter()
                .any(|p| p.id == provider);
            if !known || !(1..=365).contains(&due) {
                return Ok(Err(None));
            }
            let sent = cases::refer(
                &mut conn,
                &village,
                &cid,
                role,
                &actor,
                &note,
                &provider,
                due,
                now_ms(),
            )?;
            let (r, token) = match sent {
                Ok(sent) => sent,
                Err(e) => return Ok(Err(Some(e))),
            };
            // The letter: its QR code opens the provider's answer page with the token.
            let case = cases::by_id(&mut conn, &village, &cid)?.expect("just referred");
            let decision = cases::events(&mut conn, &village, &cid)?
                .into_iter()
                .rev()
                .find(|e| e.step == "decide")
                .and_then(|e| e.note)
                .unwrap_or_default();
            let person = match &case.person_id {
                Some(p) => registry::person_by_id(&mut conn, p)?
                    .and_then(|(p, _)| p.text("nama").map(str::to_string)),
                None => case.contact_name.clone(),
            };
            let count = referrals::of_case(&mut conn, &village, &cid)?.len();
            let day = |ms: i64| {
                chrono::DateTime::from_timestamp_millis(ms)
                    .map(|d| d.format("%d-%m-%Y").to_string())
                    .unwrap_or_default()
            };
            let place = KodeWilayah::parse(&village)
                .and_then(|k| Wilayah::master().full_name(&k))
                .unwrap_or_else(|| village.clone());
            let letter = crate::features::cases::letter::Letter {
                village: place,
                letter_number: format!("{}/R-{count:02}", case.nomor),
                case_number: case.nomor.clone(),
                date: day(r.sent_at),
                provider: r.provider.clone(),
                person: person.unwrap_or_default(),
                address: case.contact_address.clone().unwrap_or_default(),
                need: case.summary.clone(),
                decision,
                due: day(r.due_at),
                qr_target: format!("{origin}/rujukan/{}/jawab?t={token}", r.id),
            };
            let pdf = crate::features::cases::letter::render(
                &letter,
                &crate::features::cases::letter::LetterLabels::new(lang),
            );
            std::fs::create_dir_all(&letters)
                .and_then(|_| std::fs::write(letters.join(format!("{}.pdf", r.id)), pdf))
                .map_err(|e| puskesos_storage::StorageError::Config(e.to_string()))?;
            Ok(Ok((r, token)))
        })
        .await;
        return match result {
            Ok(Ok((r, token))) => {
                let link = format!("/rujukan/{}/jawab?t={token}", r.id);
                let t = |k: &str| tr(lang, k, &[]);
                Page::new(lang, &t("web-referrals"))
                    .user(Some(user.clone()))
                    .body(html! {
                        h2 { (t("web-referral-sent")) }
                        p { (r.provider) " · " (t("web-deadline")) " " (format_time(r.due_at)) }
                        p { a href=(format!("/kasus/{id}/rujukan/{}/surat", r.id)) download { (t("web-letter-download")) } }
                        p { (t("web-referral-link-help")) }
                        p.link { code { (link) } }
                        p { a href=(format!("/kasus/{id}")) { (t("web-case")) } }
                    })
                    .into_response()
            }
            Ok(Err(Some(e))) => step_refused(lang, e),
            Ok(Err(None)) => {
                error_page(StatusCode::UNPROCESSABLE_ENTITY, lang, "web-refer-provider")
            }
            Err(_) => error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error"),
        };
    }
    let result = blocking(move || {
        let mut conn = db.conn()?;
        cases::take_step(
            &mut conn,
            &village,
            &cid,
            step,
            role,
            &actor,
            &note,
            now_ms(),
        )
    })
    .await;
    match result {
        Ok(Ok(_)) => Redirect::to(&format!("/kasus/{id}")).into_response(),
        Ok(Err(e)) => step_refused(lang, e),
        Err(_) => error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error"),
    }
}

#[derive(Deserialize, Default)]
pub struct TokenQuery {
    t: Option<String>,
}

/// The provider's page, opened from the link without an account: the referral, the person and
/// the need (what the provider needs to serve them, within the consent recorded at intake).
pub async fn provider_page(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Path(id): Path<String>,
    Query(q): Query<TokenQuery>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let t = |k: &str| tr(lang, k, &[]);
    let token = q.t.unwrap_or_default();
    let db = state.db.clone();
    let (rid, tk) = (id.clone(), token.clone());
    let loaded = blocking(move || {
        let mut conn = db.conn()?;
        let Some(r) = referrals::by_token(&mut conn, &rid, &tk, now_ms())? else {
            registry::audit(
                &mut conn,
                "",
                "provider-link",
                "view-refused",
                "referral",
                &rid,
                None,
            )?;
            return Ok(None);
        };
        let case = cases::by_id(&mut conn, &r.village, &r.case_id)?;
        registry::audit(
            &mut conn,
            &r.village,
            "provider-link",
            "view",
            "referral",
            &rid,
            None,
        )?;
        Ok(case.map(|c| (r, c)))
    })
    .await;
    let (r, case) = match loaded {
        Ok(Some(x)) => x,
        Ok(None) => return error_page(StatusCode::NOT_FOUND, lang, "web-link-invalid"),
        Err(_) => return error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error"),
    };
    Page::new(lang, &t("web-referral-answer"))
        .body(html! {
            h2 { (t("web-referral-answer")) }
            dl {
                dt { (t("web-case")) } dd { (case.nomor) }
                dt { (t("web-provider")) } dd { (r.provider) }
                dt { (t("web-person")) } dd { (case.contact_name.clone().unwrap_or_default()) }
                dt { (t("web-summary")) } dd { (case.summary) }
                dt { (t("web-deadline")) } dd { (format_time(r.due_at)) }
                dt { (t("web-status")) } dd { (t(&format!("referral-{}", r.status))) }
            }
            form method="post" action=(format!("/rujukan/{}/jawab", r.id)) {
                input type="hidden" name="t" value=(token);
                fieldset {
                    legend { (t("web-referral-answer")) }
                    @for a in referrals::ANSWERS {
                        label { input type="radio" name="status" value=(a) required; " " (t(&format!("referral-{a}"))) }
                    }
                }
                label for="note" { (t("web-note")) }
                textarea id="note" name="note" rows="3" maxlength="2000" {}
                button type="submit" { (t("web-save")) }
            }
        })
        .into_response()
}

pub async fn provider_answer(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let t = |k: &str| tr(lang, k, &[]);
    let token = form.get("t").cloned().unwrap_or_default();
    let status = form.get("status").cloned().unwrap_or_default();
    let note = form.get("note").cloned().unwrap_or_default();
    let db = state.db.clone();
    let result =
        blocking(move || referrals::answer(&mut db.conn()?, &id, &token, &status, &note, now_ms()))
            .await;
    match result {
        Ok(true) => Page::new(lang, &t("web-referral-answer"))
            .body(html! { h2 { (t("web-referral-answer")) } p role="status" { (t("web-referral-thanks")) } })
            .into_response(),
        Ok(false) => error_page(StatusCode::NOT_FOUND, lang, "web-link-invalid"),
        Err(_) => error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error"),
    }
}

/// The centre's directory of service providers.
pub async fn providers_page(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let t = |k: &str| tr(lang, k, &[]);
    let Some(village) = village_for(&user, None) else {
        return refuse(StatusCode::FORBIDDEN, "web-forbidden", lang, false);
    };
    let db = state.db.clone();
    let Ok(list) = blocking(move || referrals::providers(&mut db.conn()?, &village)).await else {
        return error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error");
    };
    Page::new(lang, &t("web-providers"))
        .user(Some(user.clone()))
        .body(html! {
            h2 { (t("web-providers")) }
            ul.results { @for p in &list { li { (p.name) " · " (t(&format!("provider-{}", p.kind))) @if let Some(c) = &p.contact { " · " (c) } } } }
            form method="post" action="/penyedia" {
                input type="hidden" name="csrf" value=(user.csrf_token);
                label for="name" { (t("web-provider-name")) }
                input id="name" name="name" maxlength="200" required;
                label for="kind" { (t("web-provider-kind")) }
                select id="kind" name="kind" { @for k in referrals::PROVIDER_KINDS { option value=(k) { (t(&format!("provider-{k}"))) } } }
                label for="contact" { (t("web-contact-phone")) }
                input id="contact" name="contact" maxlength="100";
                button type="submit" { (t("web-save")) }
            }
        })
        .into_response()
}

pub async fn provider_add(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let village = match village_form(&user, form.get("csrf").map(String::as_str), lang) {
        Ok(v) => v,
        Err(refused) => return *refused,
    };
    let db = state.db.clone();
    let actor = format!("user:{}", user.account.username);
    let result = blocking(move || {
        referrals::add_provider(
            &mut db.conn()?,
            &village,
            form.get("name").map(String::as_str).unwrap_or(""),
            form.get("kind").map(String::as_str).unwrap_or(""),
            form.get("contact").map(String::as_str),
            &actor,
            now_ms(),
        )
    })
    .await;
    match result {
        Ok(Some(_)) => Redirect::to("/penyedia").into_response(),
        Ok(None) => error_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            lang,
            "web-form-has-errors",
        ),
        Err(_) => error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error"),
    }
}

/// Where a role starts its day: the cases waiting for it, referrals past their due date and
/// complaints near or past their deadline. Accounts without cases go to the registry, district
/// officers to their villages' eligibility overview.
pub async fn queue(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let t = |k: &str| tr(lang, k, &[]);
    let role = user.account.role;
    let Some(village) = village_for(&user, None).filter(|_| allowed(role, Action::CasesRead))
    else {
        let to = if allowed(role, Action::EligibilityReview) {
            "/kelayakan"
        } else {
            "/registri"
        };
        return Redirect::to(to).into_response();
    };
    let db = state.db.clone();
    let now = now_ms();
    let loaded = blocking(move || {
        let mut conn = db.conn()?;
        let mine = cases::open_cases(&mut conn, &village, Some(role))?;
        let late = referrals::overdue(&mut conn, &village, now)?;
        let soon: Vec<puskesos_storage::complaints::Complaint> =
            puskesos_storage::complaints::open_list(&mut conn, &village)?
                .into_iter()
                .filter(|c| c.deadline_at < now + 3 * 86_400_000)
                .collect();
        Ok((mine, late, soon))
    })
    .await;
    let Ok((mine, late, soon)) = loaded else {
        return error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error");
    };
    let handles_complaints = allowed(role, Action::ComplaintsWork);
    Page::new(lang, &t("web-queue"))
        .user(Some(user.clone()))
        .body(html! {
            h2 { (t("web-queue")) }
            section {
                h3 { (t("web-my-queue")) " (" (mine.len()) ")" }
                @if mine.is_empty() { p { (t("web-queue-empty")) } }
                ul.results { @for c in &mine { (case_line(lang, c, "")) } }
            }
            section {
                h3 { (t("web-referrals-overdue")) " (" (late.len()) ")" }
                ul.results {
                    @for r in &late {
                        li.overdue { a href=(format!("/kasus/{}", r.case_id)) { (r.provider) } " · " (t("web-deadline")) " " (format_time(r.due_at)) }
                    }
                }
            }
            @if handles_complaints {
                section {
                    h3 { (t("web-complaints-due")) " (" (soon.len()) ")" }
                    ul.results {
                        @for c in &soon {
                            li class=(if c.deadline_at < now { "overdue" } else { "" }) {
                                a href=(format!("/pengaduan/{}", c.id)) { (c.ticket) }
                                " · " (t(&format!("complaint-status-{}", c.status.code())))
                                " · " (t("web-deadline")) " " (format_time(c.deadline_at))
                            }
                        }
                    }
                }
            }
        })
        .into_response()
}

/// Adds an attachment to a case: JPEG, PNG or PDF by content, at most 5 MB. A refused upload
/// stores nothing and is recorded in the audit log.
pub async fn attach(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
    mut multipart: axum::extract::Multipart,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let Some(village) = village_for(&user, None) else {
        return refuse(StatusCode::FORBIDDEN, "web-forbidden", lang, false);
    };
    let mut csrf = String::new();
    let mut file: Option<(String, axum::body::Bytes)> = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_string();
                let file_name = field.file_name().unwrap_or("lampiran").to_string();
                match field.bytes().await {
                    Ok(b) if name == "csrf" => csrf = String::from_utf8_lossy(&b).into_owned(),
                    Ok(b) if name == "berkas" => file = Some((file_name, b)),
                    Ok(_) => {}
                    Err(_) => {
                        return error_page(
                            StatusCode::PAYLOAD_TOO_LARGE,
                            lang,
                            "web-attachment-too-large",
                        );
                    }
                }
            }
            Ok(None) => break,
            Err(_) => return error_page(StatusCode::BAD_REQUEST, lang, "web-upload-missing"),
        }
    }
    if !csrf_ok(&user, &csrf) {
        return refuse(StatusCode::FORBIDDEN, "web-csrf", lang, false);
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return error_page(StatusCode::BAD_REQUEST, lang, "web-upload-missing");
    };
    let db = state.db.clone();
    let actor = format!("user:{}", user.account.username);
    let dir = state.files_dir.join("lampiran");
    let cid = id.clone();
    let result = blocking(move || {
        let mut conn = db.conn()?;
        if cases::by_id(&mut conn, &village, &cid)?.is_none() {
            return Ok(Err("web-not-found"));
        }
        let refused = |conn: &mut puskesos_storage::Conn, why: &str| {
            registry::audit(
                conn,
                &village,
                &actor,
                "upload-refused",
                "case",
                &cid,
                Some(why),
            )
        };
        if bytes.len() > cases::MAX_ATTACHMENT {
            refused(&mut conn, "too large")?;
            return Ok(Err("web-attachment-too-large"));
        }
        let Some((media_type, ext)) = cases::sniff(&bytes) else {
            refused(&mut conn, "not an image or PDF")?;
            return Ok(Err("web-attachment-type"));
        };
        std::fs::create_dir_all(&dir)
            .map_err(|e| puskesos_storage::StorageError::Config(e.to_string()))?;
        let aid = conn.transaction(|c| {
            let aid = cases::add_attachment(
                c,
                &village,
                &cid,
                &name,
                media_type,
                bytes.len(),
                &actor,
                now_ms(),
            )?;
            // Written inside the transaction: a file that cannot be stored leaves no row.
            std::fs::write(dir.join(format!("{aid}.{ext}")), &bytes)
                .map_err(|e| puskesos_storage::StorageError::Config(e.to_string()))?;
            Ok::<_, puskesos_storage::StorageError>(aid)
        })?;
        Ok(Ok(aid))
    })
    .await;
    match result {
        Ok(Ok(_)) => Redirect::to(&format!("/kasus/{id}")).into_response(),
        Ok(Err("web-not-found")) => error_page(StatusCode::NOT_FOUND, lang, "web-not-found"),
        Ok(Err("web-attachment-too-large")) => error_page(
            StatusCode::PAYLOAD_TOO_LARGE,
            lang,
            "web-attachment-too-large",
        ),
        Ok(Err(key)) => error_page(StatusCode::UNSUPPORTED_MEDIA_TYPE, lang, key),
        Err(_) => error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error"),
    }
}

/// Downloads an attachment of a case of the account's village (audited).
pub async fn attachment(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    Path((id, aid)): Path<(String, String)>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let Some(village) = village_for(&user, None) else {
        return error_page(StatusCode::NOT_FOUND, lang, "web-not-found");
    };
    let db = state.db.clone();
    let actor = format!("user:{}", user.account.username);
    let dir = state.files_dir.join("lampiran");
    let result = blocking(move || {
        let mut conn = db.conn()?;
        let Some(a) = cases::attachments(&mut conn, &village, &id)?
            .into_iter()
            .find(|a| a.id == aid)
        else {
            return Ok(None);
        };
        let ext = match a.media_type.as_str() {
            "image/jpeg" => "jpg",
            "image/png" => "png",
            _ => "pdf",
        };
        let bytes = std::fs::read(dir.join(format!("{}.{ext}", a.id)))
            .map_err(|e| puskesos_storage::StorageError::Config(e.to_string()))?;
        registry::audit(
            &mut conn,
            &village,
            &actor,
            "read",
            "attachment",
            &a.id,
            Some(&id),
        )?;
        Ok(Some((a, bytes)))
    })
    .await;
    match result {
        Ok(Some((a, bytes))) => download(&a.media_type, &a.file_name, bytes),
        Ok(None) => error_page(StatusCode::NOT_FOUND, lang, "web-not-found"),
        Err(_) => error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error"),
    }
}

/// The referral letter (PDF) of a case's referral, for the village's staff (audited).
pub async fn letter(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    Path((id, rid)): Path<(String, String)>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let Some(village) = village_for(&user, None) else {
        return error_page(StatusCode::NOT_FOUND, lang, "web-not-found");
    };
    let db = state.db.clone();
    let actor = format!("user:{}", user.account.username);
    let dir = state.files_dir.join("surat");
    let result = blocking(move || {
        let mut conn = db.conn()?;
        let Some(r) = referrals::by_id(&mut conn, &village, &rid)?.filter(|r| r.case_id == id)
        else {
            return Ok(None);
        };
        let bytes = std::fs::read(dir.join(format!("{}.pdf", r.id)))
            .map_err(|e| puskesos_storage::StorageError::Config(e.to_string()))?;
        registry::audit(
            &mut conn,
            &village,
            &actor,
            "read",
            "referral_letter",
            &r.id,
            None,
        )?;
        Ok(Some(bytes))
    })
    .await;
    match result {
        Ok(Some(bytes)) => download("application/pdf", "surat-rujukan.pdf", bytes),
        Ok(None) => error_page(StatusCode::NOT_FOUND, lang, "web-not-found"),
        Err(_) => error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error"),
    }
}
