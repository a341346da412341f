//! The activities page's markup: the list, and the form for a new one.

use maud::{Markup, html};
use puskesos_domain::access::{Action, allowed};
use puskesos_domain::{Lang, tr};
use puskesos_storage::activities::{Activity, KINDS};

use crate::app::access::CurrentUser;

fn form(lang: Lang, user: &CurrentUser, error: Option<String>) -> Markup {
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

/// The village's activities, with the form for those who record them.
pub fn page(lang: Lang, user: &CurrentUser, list: &[Activity]) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    html! {
        h2 { (t("web-activities")) }
        ul.results {
            @for a in list {
                li {
                    strong { (a.title) } " · " (t(&format!("activity-{}", a.kind))) " · " (a.held_on) " · " (a.place)
                    " · " (tr(lang, "web-activity-count", &[("count", &a.participants.to_string()), ("registered", &a.registered.to_string())]))
                    @if let Some(o) = &a.outcome { br; em { (o) } }
                }
            }
        }
        @if allowed(user.account.role, Action::CasesWork) {
            h3 { (t("web-activity-new")) }
            (form(lang, user, None))
        }
    }
}

/// The form again, with the field that was refused.
pub fn refused(lang: Lang, user: &CurrentUser, field: &str) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    let message = format!(
        "{}: {}",
        t(&format!("web-activity-{field}")),
        t("web-form-has-errors")
    );
    html! {
        h2 { (t("web-activity-new")) }
        (form(lang, user, Some(message)))
    }
}
