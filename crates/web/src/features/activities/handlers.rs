//! Activities of the centre and services delivered, in the browser: the list and the form.

use std::collections::HashMap;

use axum::Extension;
use axum::extract::{Form, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use maud::{Markup, html};
use puskesos_domain::access::{Action, allowed};
use puskesos_domain::tr;
use puskesos_storage::activities::{self, KINDS, NewActivity};
use puskesos_storage::now_ms;

use crate::app::access::{CurrentUser, refuse};
use crate::app::layout::{Page, error_page, lang_of};
use crate::app::scope::{village_for, village_form};
use crate::app::{AppState, blocking};

fn form_markup(lang: puskesos_domain::Lang, user: &CurrentUser, error: Option<String>) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    html! {
        form method="post" action="/kegiatan" {
            input type="hidden" name="csrf" value=(user.csrf_token);
            @if let Some(e) = error { p.error role="alert" { (e) } }
            label for="kind" { (t("web-activity-kind")) }
            select id="kind" name="kind" { @for k in KINDS { option value=(k) { (t(&format!("activity-{k}"))) } } }
            label for="title" { (t("web-activity-title")) }
            input id="title" name="title" maxlength="200" required;
            label for="held_on" { (t("web-activity-date")) }
            input id="held_on" name="held_on" type="date" required;
            label for="place" { (t("web-activity-place")) }
            input id="place" name="place" maxlength="200" required;
            label for="participants" { (t("web-activity-participants")) }
            textarea id="participants" name="participants" rows="5" aria-describedby="participants-help" {}
            p.help id="participants-help" { (t("web-activity-participants-help")) }
            label for="outcome" { (t("web-activity-outcome")) }
            textarea id="outcome" name="outcome" rows="3" maxlength="2000" {}
            button type="submit" { (t("web-save")) }
        }
    }
}

pub async fn page(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let t = |k: &str| tr(lang, k, &[]);
    let Some(village) = village_for(&user, None) else {
        return refuse(StatusCode::NOT_FOUND, "web-choose-village", lang, false);
    };
    let db = state.db.clone();
    let Ok(list) = blocking(move || activities::list(&mut db.conn()?, &village)).await else {
        return error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error");
    };
    Page::new(lang, &t("web-activities"))
        .user(Some(user.clone()))
        .body(html! {
            h2 { (t("web-activities")) }
            ul.results {
                @for a in &list {
                    li {
                        strong { (a.title) } " · " (t(&format!("activity-{}", a.kind))) " · " (a.held_on) " · " (a.place)
                        " · " (tr(lang, "web-activity-count", &[("count", &a.participants.to_string()), ("registered", &a.registered.to_string())]))
                        @if let Some(o) = &a.outcome { br; em { (o) } }
                    }
                }
            }
            @if allowed(user.account.role, Action::CasesWork) {
                h3 { (t("web-activity-new")) }
                (form_markup(lang, &user, None))
            }
        })
        .into_response()
}

pub async fn record(
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
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let new = NewActivity {
        village,
        kind: get("kind"),
        title: get("title"),
        held_on: puskesos_domain::validate::parse_date(&get("held_on")),
        place: get("place"),
        outcome: form.get("outcome").cloned(),
        participants: get("participants").lines().map(str::to_string).collect(),
    };
    let db = state.db.clone();
    let actor = format!("user:{}", user.account.username);
    match blocking(move || activities::record(&mut db.conn()?, &new, &actor, now_ms())).await {
        Ok(Ok(_)) => Redirect::to("/kegiatan").into_response(),
        Ok(Err(field)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Page::new(lang, &t("web-activities")).user(Some(user.clone())).body(html! {
                h2 { (t("web-activity-new")) }
                (form_markup(lang, &user, Some(format!("{}: {}", t(&format!("web-activity-{field}")), t("web-form-has-errors")))))
            }),
        )
            .into_response(),
        Err(_) => error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error"),
    }
}
