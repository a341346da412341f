//! The activities pages' markup: the list with the form for a new one, and one activity with
//! its participants.

use maud::{Markup, html};
use puskesos_domain::access::{Action, allowed};
use puskesos_domain::{Lang, tr};
use puskesos_storage::activities::{Activity, KINDS, Participant, Refusal};
use puskesos_storage::directory::Provider;

use super::handlers::ActivityForm;
use crate::app::extract::AtVillage;
use crate::app::format::indonesian_date;
use crate::app::scope::village_bar;

/// A refused activity in words: the field, the participant row when it is about one, the
/// value and why.
pub fn refusal(lang: Lang, r: &Refusal) -> String {
    let field = tr(lang, &format!("activity-field-{}", r.field), &[]);
    let reason = tr(lang, r.reason, &[]);
    let at = match r.row {
        Some(row) => tr(
            lang,
            "activity-refused-row",
            &[("field", &field), ("row", &row.to_string())],
        ),
        None => field,
    };
    if r.value.is_empty() {
        format!("{at}: {reason}")
    } else {
        format!("{at}: {reason} (\u{201c}{}\u{201d})", r.value)
    }
}

fn form(
    lang: Lang,
    at: &AtVillage,
    partners: &[Provider],
    was: Option<&ActivityForm>,
    error: Option<String>,
) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    let was = was.cloned().unwrap_or_default();
    let planned = was.planned.as_deref() == Some("ya");
    let partner = was.provider_id.clone().unwrap_or_default();
    html! {
        form method="post" action=(format!("/kegiatan{}", at.desa_query())) {
            input type="hidden" name="csrf" value=(at.user.csrf_token);
            @if let Some(e) = error { p.error role="alert" { (e) } }
            label for="kind" { (t("web-activity-kind")) }
            select id="kind" name="kind" {
                @for k in KINDS {
                    option value=(k) selected[was.kind == *k] { (t(&format!("activity-{k}"))) }
                }
            }
            label for="title" { (t("web-activity-title")) }
            input id="title" name="title" maxlength="200" required value=(was.title);
            label for="held_on" { (t("web-activity-date")) }
            input id="held_on" name="held_on" type="date" required value=(was.held_on);
            label.check {
                input type="checkbox" name="planned" value="ya" checked[planned];
                " " (t("web-activity-planned"))
            }
            label for="place" { (t("web-activity-place")) }
            input id="place" name="place" maxlength="200" required value=(was.place);
            label for="provider_id" { (t("web-activity-provider")) }
            select id="provider_id" name="provider_id" {
                option value="" { "—" }
                @for p in partners {
                    option value=(p.id) selected[partner == p.id] { (p.name) }
                }
            }
            label for="participants" { (t("web-activity-participants")) }
            textarea id="participants" name="participants" rows="6" aria-describedby="participants-help" { (was.participants) }
            p.help id="participants-help" { (t("web-activity-participants-help")) }
            label for="outcome" { (t("web-activity-outcome")) }
            textarea id="outcome" name="outcome" rows="3" maxlength="2000" { (was.outcome.clone().unwrap_or_default()) }
            button type="submit" { (t("web-save")) }
        }
    }
}

/// The village's activities, with the form for those who record them (again with what was
/// typed and the reason when it was refused).
pub fn page(
    lang: Lang,
    at: &AtVillage,
    list: &[Activity],
    partners: &[Provider],
    was: Option<&ActivityForm>,
    error: Option<String>,
) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    let q = at.desa_query();
    html! {
        (village_bar(lang, &at.user, &at.village, "/kegiatan"))
        h2 { (t("web-activities")) }
        @if list.is_empty() { p { (t("web-activity-none")) } }
        ul.results {
            @for a in list {
                li {
                    a href=(format!("/kegiatan/{}{q}", a.id)) { strong { (a.title) } }
                    " · " (t(&format!("activity-{}", a.kind))) " · " (indonesian_date(&a.held_on)) " · " (a.place)
                    " · " (t(&format!("activity-status-{}", a.status)))
                    " · " (tr(lang, "web-activity-count", &[("count", &a.participants.to_string()), ("registered", &a.registered.to_string())]))
                }
            }
        }
        @if allowed(at.user.account.role, Action::CasesWork) {
            h3 id="baru" { (t("web-activity-new")) }
            (form(lang, at, partners, was, error))
        }
    }
}

/// One activity and its participants: registered residents link to their family's page.
pub fn one(lang: Lang, at: &AtVillage, a: &Activity, people: &[Participant]) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    let q = at.desa_query();
    let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    html! {
        (village_bar(lang, &at.user, &at.village, "/kegiatan"))
        p { a href=(format!("/kegiatan{q}")) { "← " (t("web-activities")) } }
        h2 { (a.title) }
        dl {
            dt { (t("web-activity-kind")) } dd { (t(&format!("activity-{}", a.kind))) }
            dt { (t("web-activity-date")) } dd { (indonesian_date(&a.held_on)) " · " (t(&format!("activity-status-{}", a.status))) }
            dt { (t("web-activity-place")) } dd { (a.place) }
            dt { (t("web-activity-outcome")) } dd { (dash(&a.outcome)) }
        }
        h3 { (tr(lang, "web-activity-count", &[("count", &a.participants.to_string()), ("registered", &a.registered.to_string())])) }
        @if people.is_empty() { p { (t("web-activity-no-participants")) } }
        @else {
            div.table-wrap {
                table {
                    thead { tr {
                        th { "#" } th { (t("web-activity-participant-name")) } th { (t("web-activity-participant-nik")) }
                        th { (t("web-activity-participant-sex")) } th { (t("web-activity-participant-year")) } th { "RT/RW" }
                    } }
                    tbody {
                        @for (i, p) in people.iter().enumerate() {
                            tr {
                                td { (i + 1) }
                                td {
                                    (p.name)
                                    @if p.person_id.is_some() {
                                        " " small { "(" (t("web-activity-registered")) ")" }
                                    }
                                }
                                td { (p.nik.as_deref().map(puskesos_domain::identity::mask).unwrap_or_else(|| "—".into())) }
                                td { (p.sex.as_deref().map(|s| t(&format!("sex-{}", s.to_lowercase()))).unwrap_or_else(|| "—".into())) }
                                td { (p.birth_year.map(|y| y.to_string()).unwrap_or_else(|| "—".into())) }
                                td { (dash(&p.rt_rw)) }
                            }
                        }
                    }
                }
            }
        }
    }
}
