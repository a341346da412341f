//! The register's markup: the list by name (retired entries marked), the entry's page (facts,
//! edit and retire forms, history, referrals, activities), the dashboard's table by kind.

use maud::{Markup, html};
use puskesos_domain::access::{Action, allowed};
use puskesos_domain::{Lang, tr};
use puskesos_storage::directory::{PROVIDER_KINDS, Provider, Refusal};

use super::service::Entry;
use crate::app::access::CurrentUser;
use crate::app::format::format_time;
use crate::app::layout::Page;

/// A refused form's message: the field and the value.
pub fn refusal(lang: Lang, r: &Refusal) -> String {
    tr(
        lang,
        "dir-refused",
        &[
            ("field", &tr(lang, &format!("dir-field-{}", r.field), &[])),
            ("value", &r.value),
        ],
    )
}

fn kind_label(lang: Lang, kind: &str) -> String {
    tr(lang, &format!("provider-{kind}"), &[])
}

fn form(lang: Lang, user: &CurrentUser, action: &str, p: Option<&Provider>) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    let v = |f: Option<&Option<String>>| f.and_then(|o| o.clone()).unwrap_or_default();
    html! {
        form method="post" action=(action) {
            input type="hidden" name="csrf" value=(user.csrf_token);
            label for="name" { (t("dir-field-name")) }
            input id="name" name="name" maxlength="200" required value=(p.map(|p| p.name.clone()).unwrap_or_default());
            label for="kind" { (t("dir-field-kind")) }
            select id="kind" name="kind" {
                @for k in PROVIDER_KINDS {
                    option value=(k) selected[p.is_some_and(|p| p.kind == *k)] { (kind_label(lang, k)) }
                }
            }
            label for="contact" { (t("dir-field-contact")) }
            input id="contact" name="contact" maxlength="200" value=(v(p.map(|p| &p.contact)));
            label for="services" { (t("dir-field-services")) }
            textarea id="services" name="services" rows="2" maxlength="2000" { (v(p.map(|p| &p.services))) }
            label for="capacity" { (t("dir-field-capacity")) }
            input id="capacity" name="capacity" maxlength="200" value=(v(p.map(|p| &p.capacity)));
            label for="area" { (t("dir-field-area")) }
            input id="area" name="area" maxlength="200" value=(v(p.map(|p| &p.area)));
            button type="submit" { (t("web-save")) }
        }
    }
}

/// The register: every entry, with the form to add one for those who may.
pub fn list(lang: Lang, user: &CurrentUser, list: &[Provider], error: Option<String>) -> Page {
    let t = |k: &str| tr(lang, k, &[]);
    let can = allowed(user.account.role, Action::CasesWork);
    Page::new(lang, &t("dir-title"))
        .user(Some(user.clone()))
        .body(html! {
            h2 { (t("dir-title")) }
            p { (t("dir-intro")) }
            @if let Some(e) = &error { p.error role="alert" { (e) } }
            @if list.is_empty() { p { (t("web-providers-empty")) } }
            div.table-wrap {
                table {
                    thead { tr { th { (t("dir-field-name")) } th { (t("dir-field-kind")) } th { (t("dir-field-contact")) } th { (t("dir-field-area")) } th { (t("dir-status")) } } }
                    tbody {
                        @for p in list {
                            tr {
                                td { a href=(format!("/penyedia/{}", p.id)) { (p.name) } }
                                td { (kind_label(lang, &p.kind)) }
                                td { (p.contact.clone().unwrap_or_default()) }
                                td { (p.area.clone().unwrap_or_default()) }
                                td { @if p.active() { (t("dir-active")) } @else { (t("dir-retired")) } }
                            }
                        }
                    }
                }
            }
            @if can {
                h3 { (t("dir-add")) }
                (form(lang, user, "/penyedia", None))
            }
        })
}

/// One entry: its facts, forms, history and what it took part in.
pub fn entry(lang: Lang, user: &CurrentUser, e: &Entry, error: Option<String>) -> Page {
    let t = |k: &str| tr(lang, k, &[]);
    let p = &e.provider;
    let can = allowed(user.account.role, Action::CasesWork);
    let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    Page::new(lang, &p.name)
        .user(Some(user.clone()))
        .body(html! {
            p { a href="/penyedia" { "← " (t("dir-title")) } }
            h2 { (p.name) }
            @if let Some(e) = &error { p.error role="alert" { (e) } }
            @if let Some(at) = p.retired_at {
                p.warning role="status" { (t("dir-retired")) " " (format_time(at)) ": " (dash(&p.retired_reason)) }
            }
            dl {
                dt { (t("dir-field-kind")) } dd { (kind_label(lang, &p.kind)) }
                dt { (t("dir-field-contact")) } dd { (dash(&p.contact)) }
                dt { (t("dir-field-services")) } dd { (dash(&p.services)) }
                dt { (t("dir-field-capacity")) } dd { (dash(&p.capacity)) }
                dt { (t("dir-field-area")) } dd { (dash(&p.area)) }
            }
            section {
                h3 { (t("dir-referrals")) " (" (e.referrals.len()) ")" }
                @if e.referrals.is_empty() { p { (t("dir-none")) } }
                ul.results {
                    @for r in &e.referrals {
                        li { a href=(format!("/kasus/{}", r.case_id)) { (r.case_number) } " · " (t(&format!("referral-{}", r.status))) " · " (format_time(r.sent_at)) }
                    }
                }
            }
            section {
                h3 { (t("dir-activities")) " (" (e.activities.len()) ")" }
                @if e.activities.is_empty() { p { (t("dir-none")) } }
                ul.results {
                    @for a in &e.activities {
                        li { a href=(format!("/kegiatan/{}", a.id)) { (a.title) } " · " (t(&format!("activity-status-{}", a.status))) " · " (crate::app::format::indonesian_date(&a.held_on)) }
                    }
                }
            }
            @if can && p.active() {
                section {
                    h3 { (t("dir-edit")) }
                    (form(lang, user, &format!("/penyedia/{}", p.id), Some(p)))
                }
                section {
                    h3 { (t("dir-retire")) }
                    p { (t("dir-retire-help")) }
                    form method="post" action=(format!("/penyedia/{}/pensiun", p.id)) {
                        input type="hidden" name="csrf" value=(user.csrf_token);
                        label for="reason" { (t("dir-retire-reason")) }
                        input id="reason" name="reason" maxlength="500" required;
                        button type="submit" { (t("dir-retire")) }
                    }
                }
            }
            section {
                h3 { (t("web-history")) }
                ol.history {
                    @for h in e.history.iter().rev() {
                        li {
                            strong { (format_time(h.at)) } " · " (e.actors.name(lang, &h.actor)) " · "
                            (t(&format!("dir-field-{}", h.field))) ": "
                            @if h.field == "kind" {
                                (h.old.as_deref().map(|k| kind_label(lang, k)).unwrap_or_else(|| "—".into()))
                                " → " (h.new.as_deref().map(|k| kind_label(lang, k)).unwrap_or_else(|| "—".into()))
                            } @else if h.field == "status" {
                                (t("dir-retired")) ": " (dash(&h.new))
                            } @else {
                                (dash(&h.old)) " → " (dash(&h.new))
                            }
                        }
                    }
                }
            }
        })
}

/// The dashboard's small table: active entries of the register by kind.
pub fn dashboard_table(lang: Lang, counts: &[(String, i64)]) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    let total: i64 = counts.iter().map(|(_, n)| n).sum();
    html! {
        section.psks {
            h3 { (t("dir-dashboard-title")) }
            table {
                thead { tr { th { (t("dir-field-kind")) } th { (t("dir-count")) } } }
                tbody {
                    @for (k, n) in counts { tr { td { (kind_label(lang, k)) } td { (n) } } }
                    tr { th { (t("dir-total")) } th { (total) } }
                }
            }
            p { a href="/penyedia" { (t("dir-title")) } }
        }
    }
}
