//! Complaints in the browser (issue 5): the front office registers a question, suggestion or
//! complaint and prints a receipt (ticket number and short code); staff process, escalate and
//! decide; the resident sees only the status and its dates on the public page `/status`.

use std::collections::HashMap;

use axum::Extension;
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use maud::{Markup, html};
use puskesos_domain::access::{Action as Perm, allowed};
use puskesos_domain::complaints::{Action, Category, available};
use puskesos_domain::{Lang, tr};
use puskesos_storage::complaints::{self, Complaint, Lookup, NewComplaint};
use puskesos_storage::now_ms;
use serde::Deserialize;

use crate::app::access::{CurrentUser, MaybeUser, csrf_ok, refuse};
use crate::app::format::format_time;
use crate::app::layout::{Page, error_page, lang_of};
use crate::app::scope::{desa_query, step_refused, village_for, village_form};
use crate::app::{AppState, blocking};

#[derive(Deserialize, Default)]
pub struct DesaQuery {
    desa: Option<String>,
}

fn date(ms: i64) -> String {
    format_time(ms)
}

/// Open complaints, the nearest deadline first, overdue ones marked.
pub async fn list(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    Query(q): Query<DesaQuery>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let t = |k: &str| tr(lang, k, &[]);
    let Some(village) = village_for(&user, q.desa.as_deref()) else {
        return refuse(StatusCode::NOT_FOUND, "web-choose-village", lang, false);
    };
    let db = state.db.clone();
    let v = village.clone();
    let Ok(open) = blocking(move || complaints::open_list(&mut db.conn()?, &v)).await else {
        return error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error");
    };
    let now = now_ms();
    let suffix = desa_query(&user, &village);
    Page::new(lang, &t("web-complaints"))
        .user(Some(user.clone()))
        .body(html! {
            h2 { (t("web-complaints")) }
            @if allowed(user.account.role, Perm::CasesIntake) {
                p.actions { a href="/pengaduan/baru" { (t("web-new-complaint")) } }
            }
            ul.results {
                @for c in &open {
                    li class=(if c.deadline_at < now { "overdue" } else { "" }) {
                        a href=(format!("/pengaduan/{}{suffix}", c.id)) { (c.ticket) }
                        " · " (t(&format!("category-{}", c.category.code())))
                        " · " (t(&format!("complaint-status-{}", c.status.code())))
                        " · " (t("web-deadline")) " " (date(c.deadline_at))
                        @if c.deadline_at < now { " · " strong { (t("web-overdue")) } }
                    }
                }
            }
        })
        .into_response()
}

fn new_form_markup(
    lang: Lang,
    user: &CurrentUser,
    form: &HashMap<String, String>,
    error: Option<(&str, String)>,
) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    let v = |k: &str| form.get(k).cloned().unwrap_or_default();
    let err = |f: &str| {
        error
            .as_ref()
            .filter(|(x, _)| *x == f)
            .map(|(_, m)| m.clone())
    };
    html! {
        form method="post" action="/pengaduan/baru" {
            input type="hidden" name="csrf" value=(user.csrf_token);
            div.field {
                label for="category" { (t("web-category")) }
                @if let Some(e) = err("category") { p.error { (e) } }
                select id="category" name="category" required {
                    option value="" { (t("web-empty-choice")) }
                    @for c in Category::ALL { option value=(c.code()) selected[v("category") == c.code()] { (t(&format!("category-{}", c.code()))) } }
                }
            }
            div.field { label for="program" { (t("web-program-optional")) } input id="program" name="program" maxlength="40" value=(v("program")); }
            div.field {
                label for="summary" { (t("web-summary")) }
                @if let Some(e) = err("summary") { p.error { (e) } }
                textarea id="summary" name="summary" rows="5" maxlength="4000" required { (v("summary")) }
            }
            div.field { label for="contact_name" { (t("web-contact-name")) } input id="contact_name" name="contact_name" maxlength="200" value=(v("contact_name")); }
            div.field { label for="contact_phone" { (t("web-contact-phone")) } input id="contact_phone" name="contact_phone" inputmode="tel" maxlength="30" value=(v("contact_phone")); }
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
    Page::new(lang, &tr(lang, "web-new-complaint", &[]))
        .user(Some(user.clone()))
        .body(html! { h2 { (tr(lang, "web-new-complaint", &[])) } (new_form_markup(lang, &user, &HashMap::new(), None)) })
        .into_response()
}

/// Registers the complaint and shows the receipt with the code (the only time it is shown).
pub async fn new_submit(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let t = |k: &str| tr(lang, k, &[]);
    let village = match village_form(&user, form.get("csrf").map(String::as_str), lang) {
        Ok(v) => v,
        Err(refused) => return *refused,
    };
    let new = NewComplaint {
        village,
        category: form.get("category").and_then(|c| Category::parse(c)),
        program: form.get("program").cloned(),
        summary: form.get("summary").cloned().unwrap_or_default(),
        contact_name: form.get("contact_name").cloned(),
        contact_phone: form.get("contact_phone").cloned(),
    };
    let db = state.db.clone();
    let actor = format!("user:{}", user.account.username);
    let role = user.account.role;
    let result =
        blocking(move || complaints::open(&mut db.conn()?, &new, &actor, role, now_ms())).await;
    match result {
        Ok(Ok((c, code))) => Page::new(lang, &t("web-receipt"))
            .user(Some(user.clone()))
            .body(html! {
                section.receipt {
                    h2 { (t("web-receipt")) }
                    dl {
                        dt { (t("web-ticket")) } dd.ticket { strong { (c.ticket) } }
                        dt { (t("web-ticket-code")) } dd.code { strong { (code) } }
                        dt { (t("web-category")) } dd { (t(&format!("category-{}", c.category.code()))) }
                        dt { (t("web-received")) } dd { (date(c.opened_at)) }
                        dt { (t("web-deadline")) } dd { (date(c.deadline_at)) }
                    }
                    p { (tr(lang, "web-receipt-help", &[("url", "/status")])) }
                    p { a href=(format!("/pengaduan/{}", c.id)) { (c.ticket) } }
                }
            })
            .into_response(),
        Ok(Err(field)) => {
            let key = if field == "category" { "complaint-new-category" } else { "complaint-new-summary" };
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Page::new(lang, &t("web-new-complaint")).user(Some(user.clone())).body(html! {
                    h2 { (t("web-new-complaint")) }
                    (new_form_markup(lang, &user, &form, Some((field, t(key)))))
                }),
            )
                .into_response()
        }
        Err(_) => error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error"),
    }
}

/// A complaint with its handling actions for the role.
pub async fn page(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
    Query(q): Query<DesaQuery>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let t = |k: &str| tr(lang, k, &[]);
    let Some(village) = village_for(&user, q.desa.as_deref()) else {
        return error_page(StatusCode::NOT_FOUND, lang, "web-not-found");
    };
    let db = state.db.clone();
    let actor = format!("user:{}", user.account.username);
    let (v, cid) = (village.clone(), id.clone());
    let loaded = blocking(move || {
        let mut conn = db.conn()?;
        let c = complaints::by_id(&mut conn, &v, &cid)?;
        if c.is_some() {
            puskesos_storage::registry::audit(
                &mut conn,
                &v,
                &actor,
                "view",
                "complaint",
                &cid,
                None,
            )?;
        }
        Ok(c)
    })
    .await;
    let c: Complaint = match loaded {
        Ok(Some(c)) => c,
        Ok(None) => return error_page(StatusCode::NOT_FOUND, lang, "web-not-found"),
        Err(_) => return error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error"),
    };
    let actions = if allowed(user.account.role, Perm::ComplaintsWork) {
        available(c.status, user.account.role)
    } else {
        Vec::new()
    };
    Page::new(lang, &c.ticket)
        .user(Some(user.clone()))
        .body(html! {
            h2 { (t("web-complaints")) " " (c.ticket) }
            p.status { strong { (t(&format!("complaint-status-{}", c.status.code()))) } }
            dl {
                dt { (t("web-category")) } dd { (t(&format!("category-{}", c.category.code()))) }
                @if let Some(p) = &c.program { dt { (t("web-program")) } dd { (p) } }
                dt { (t("web-summary")) } dd { (c.summary) }
                dt { (t("web-person")) } dd { (c.contact_name.clone().unwrap_or_default()) " " (c.contact_phone.clone().unwrap_or_default()) }
                dt { (t("web-received")) } dd { (date(c.opened_at)) " · " (c.opened_by) }
                dt { (t("web-deadline")) } dd { (date(c.deadline_at)) }
                @if let Some(e) = c.escalated_at { dt { (t("web-escalated")) } dd { (date(e)) } }
                @if let Some(r) = c.resolved_at { dt { (t("web-resolved")) } dd { (date(r)) } }
                @if let Some(d) = &c.decision { dt { (t("web-decision")) } dd { (d) } }
            }
            @for a in &actions {
                form.step method="post" action=(format!("/pengaduan/{}/langkah", c.id)) {
                    input type="hidden" name="csrf" value=(user.csrf_token);
                    input type="hidden" name="desa" value=(village);
                    input type="hidden" name="action" value=(a.code());
                    @let note_id = format!("note-{}", a.code());
                    label for=(note_id) { (t(if *a == Action::Resolve { "web-decision" } else { "web-note" })) }
                    textarea id=(note_id) name="note" rows="2" maxlength="2000" required[*a != Action::Process] {}
                    button type="submit" { (t(&format!("complaint-action-{}", a.code()))) }
                }
            }
        })
        .into_response()
}

pub async fn act(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    if !csrf_ok(&user, form.get("csrf").map(String::as_str).unwrap_or("")) {
        return refuse(StatusCode::FORBIDDEN, "web-csrf", lang, false);
    }
    let Some(village) = village_for(&user, form.get("desa").map(String::as_str)) else {
        return error_page(StatusCode::NOT_FOUND, lang, "web-not-found");
    };
    let Some(action) = form.get("action").and_then(|a| Action::parse(a)) else {
        return error_page(StatusCode::BAD_REQUEST, lang, "case-err-out-of-order");
    };
    let note = form.get("note").cloned().unwrap_or_default();
    let db = state.db.clone();
    let actor = format!("user:{}", user.account.username);
    let role = user.account.role;
    let (v, cid) = (village.clone(), id.clone());
    let result = blocking(move || {
        complaints::act(
            &mut db.conn()?,
            &v,
            &cid,
            action,
            role,
            &actor,
            &note,
            now_ms(),
        )
    })
    .await;
    match result {
        Ok(Ok(_)) => {
            Redirect::to(&format!("/pengaduan/{id}{}", desa_query(&user, &village))).into_response()
        }
        Ok(Err(e)) => step_refused(lang, e),
        Err(_) => error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error"),
    }
}

fn status_form(lang: Lang, ticket: &str) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    html! {
        form method="post" action="/status" {
            div.field { label for="ticket" { (t("web-ticket")) } input id="ticket" name="ticket" maxlength="20" autocomplete="off" value=(ticket) required; }
            div.field { label for="code" { (t("web-ticket-code")) } input id="code" name="code" inputmode="numeric" maxlength="10" autocomplete="off" required; }
            button type="submit" { (t("web-status-button")) }
        }
    }
}

/// The public status page: no login, no personal data.
pub async fn status_page(
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<MaybeUser>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let t = |k: &str| tr(lang, k, &[]);
    Page::new(lang, &t("web-status-title"))
        .user(user.0)
        .body(html! { h2 { (t("web-status-title")) } p { (t("web-status-help")) } (status_form(lang, "")) })
        .into_response()
}

pub async fn status_lookup(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<MaybeUser>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let t = |k: &str| tr(lang, k, &[]);
    let ticket = form.get("ticket").cloned().unwrap_or_default();
    let code = form.get("code").cloned().unwrap_or_default();
    let db = state.db.clone();
    let tk = ticket.clone();
    let result =
        blocking(move || complaints::public_status(&mut db.conn()?, &tk, &code, now_ms())).await;
    let (status, body) = match result {
        Ok(Lookup::Found(s)) => (
            StatusCode::OK,
            html! {
                dl.public-status {
                    dt { (t("web-category")) } dd { (t(&format!("category-{}", s.category.code()))) }
                    dt { (t("web-status")) } dd { strong { (t(&format!("complaint-status-{}", s.status.code()))) } }
                    dt { (t("web-received")) } dd { (date(s.opened_at)) }
                    dt { (t("web-deadline")) } dd { (date(s.deadline_at)) }
                    @if let Some(e) = s.escalated_at { dt { (t("web-escalated")) } dd { (date(e)) } }
                    @if let Some(r) = s.resolved_at { dt { (t("web-resolved")) } dd { (date(r)) } }
                }
            },
        ),
        Ok(Lookup::NotFound) => (
            StatusCode::NOT_FOUND,
            html! { p.error role="alert" { (t("web-status-not-found")) } },
        ),
        Ok(Lookup::Limited) => (
            StatusCode::TOO_MANY_REQUESTS,
            html! { p.error role="alert" { (t("web-status-limited")) } },
        ),
        Err(_) => return error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error"),
    };
    (
        status,
        Page::new(lang, &t("web-status-title"))
            .user(user.0)
            .body(html! {
                h2 { (t("web-status-title")) }
                (body)
                (status_form(lang, &ticket))
            }),
    )
        .into_response()
}
