//! The complaint pages' markup: the list by deadline, the intake form and its receipt, one
//! complaint with the steps the role may take, and the public status page.

use maud::{Markup, html};
use puskesos_domain::access::{Action as Perm, allowed};
use puskesos_domain::complaints::{Action, Category};
use puskesos_domain::{Lang, tr};
use puskesos_storage::complaints::{Complaint, PublicStatus};

use super::handlers::IntakeForm;
use super::service::{Missing, Receipt};
use crate::app::access::CurrentUser;
use crate::app::format::format_time;

fn date(ms: i64) -> String {
    format_time(ms)
}

/// Open complaints, the nearest deadline first, overdue ones marked.
pub fn list(lang: Lang, user: &CurrentUser, open: &[Complaint], now: i64, suffix: &str) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    html! {
        h2 { (t("web-complaints")) }
        @if allowed(user.account.role, Perm::CasesIntake) {
            p.actions { a href="/pengaduan/baru" { (t("web-new-complaint")) } }
        }
        ul.results {
            @for c in open {
                li class=(if c.deadline_at < now { "overdue" } else { "" }) {
                    a href=(format!("/pengaduan/{}{suffix}", c.id)) { (c.ticket) }
                    " · " (t(&format!("category-{}", c.category.code())))
                    " · " (t(&format!("complaint-status-{}", c.status.code())))
                    " · " (t("web-deadline")) " " (date(c.deadline_at))
                    @if c.deadline_at < now { " · " strong { (t("web-overdue")) } }
                }
            }
        }
    }
}

/// The intake page: the form with what was typed, and the message at the missing field.
pub fn new_page(
    lang: Lang,
    user: &CurrentUser,
    form: &IntakeForm,
    missing: Option<Missing>,
) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    html! { h2 { (t("web-new-complaint")) } (new_form(lang, user, form, missing)) }
}

fn new_form(lang: Lang, user: &CurrentUser, form: &IntakeForm, missing: Option<Missing>) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let err = |f: &str| missing.filter(|m| m.field() == f).map(|m| t(m.key()));
    html! {
        form method="post" action="/pengaduan/baru" {
            input type="hidden" name="csrf" value=(user.csrf_token);
            div.field {
                label for="category" { (t("web-category")) }
                @if let Some(e) = err("category") { p.error { (e) } }
                select id="category" name="category" required {
                    option value="" { (t("web-empty-choice")) }
                    @for c in Category::ALL { option value=(c.code()) selected[form.category == c.code()] { (t(&format!("category-{}", c.code()))) } }
                }
            }
            div.field { label for="program" { (t("web-program-optional")) } input id="program" name="program" maxlength="40" value=(opt(&form.program)); }
            div.field {
                label for="summary" { (t("web-summary")) }
                @if let Some(e) = err("summary") { p.error { (e) } }
                textarea id="summary" name="summary" rows="5" maxlength="4000" required { (form.summary) }
            }
            div.field {
                label for="nik" { (t("web-case-nik")) }
                @if let Some(e) = err("nik") { p.error { (e) } }
                input id="nik" name="nik" inputmode="numeric" maxlength="20" value=(opt(&form.nik));
            }
            div.field { label for="contact_name" { (t("web-contact-name")) } input id="contact_name" name="contact_name" maxlength="200" value=(opt(&form.contact_name)); }
            div.field { label for="contact_phone" { (t("web-contact-phone")) } input id="contact_phone" name="contact_phone" inputmode="tel" maxlength="30" value=(opt(&form.contact_phone)); }
            button type="submit" { (t("web-save")) }
        }
    }
}

/// The receipt with the ticket and its code (the only time the code is shown).
pub fn receipt(lang: Lang, r: &Receipt, status_url: &str) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    let c = &r.complaint;
    html! {
        section.receipt {
            h2 { (t("web-receipt")) }
            dl {
                dt { (t("web-ticket")) } dd.ticket { strong { (c.ticket) } }
                dt { (t("web-ticket-code")) }
                @if r.code.is_empty() { dd { (t("web-ticket-code-shown")) } } @else { dd.code { strong { (r.code) } } }
                dt { (t("web-category")) } dd { (t(&format!("category-{}", c.category.code()))) }
                dt { (t("web-received")) } dd { (date(c.opened_at)) }
                dt { (t("web-deadline")) } dd { (date(c.deadline_at)) }
            }
            p { (tr(lang, "web-receipt-help", &[("url", status_url)])) }
            p.actions {
                a href=(format!("/pengaduan/{}/tanda-terima.pdf", c.id)) { (t("web-receipt-print")) }
                " · " a href=(format!("/pengaduan/{}", c.id)) { (c.ticket) }
            }
        }
    }
}

/// A complaint with a form for each step the role may take.
pub fn complaint(
    lang: Lang,
    user: &CurrentUser,
    c: &Complaint,
    village: &str,
    actions: &[Action],
    opened_by: &str,
) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    html! {
        h2 { (t("web-complaints")) " " (c.ticket) }
        p.status { strong { (t(&format!("complaint-status-{}", c.status.code()))) } }
        dl {
            dt { (t("web-category")) } dd { (t(&format!("category-{}", c.category.code()))) }
            @if let Some(p) = &c.program { dt { (t("web-program")) } dd { (p) } }
            dt { (t("web-summary")) } dd { (c.summary) }
            dt { (t("web-person")) } dd { (c.contact_name.clone().unwrap_or_default()) " " (c.contact_phone.clone().unwrap_or_default()) }
            dt { (t("web-received")) } dd { (date(c.opened_at)) " · " (opened_by) }
            dt { (t("web-deadline")) } dd { (date(c.deadline_at)) }
            @if let Some(e) = c.escalated_at { dt { (t("web-escalated")) } dd { (date(e)) } }
            @if let Some(r) = c.resolved_at { dt { (t("web-resolved")) } dd { (date(r)) } }
            @if let Some(d) = &c.decision { dt { (t("web-decision")) } dd { (d) } }
        }
        @for a in actions {
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

/// The empty public status page.
pub fn status_page(lang: Lang) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    html! { h2 { (t("web-status-title")) } p { (t("web-status-help")) } (status_form(lang, "")) }
}

/// What a public lookup found: the status and its dates, nothing personal.
pub fn public_status(lang: Lang, s: &PublicStatus) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    html! {
        dl.public-status {
            dt { (t("web-category")) } dd { (t(&format!("category-{}", s.category.code()))) }
            dt { (t("web-status")) } dd { strong { (t(&format!("complaint-status-{}", s.status.code()))) } }
            dt { (t("web-received")) } dd { (date(s.opened_at)) }
            dt { (t("web-deadline")) } dd { (date(s.deadline_at)) }
            @if let Some(e) = s.escalated_at { dt { (t("web-escalated")) } dd { (date(e)) } }
            @if let Some(r) = s.resolved_at { dt { (t("web-resolved")) } dd { (date(r)) } }
            @if let Some(d) = s.decision.as_ref().filter(|_| s.resolved_at.is_some()) {
                dt { (t("web-status-answer")) } dd { (d) }
            }
        }
    }
}

/// Too many wrong tries from this phone: from when it may try again (WIB).
pub fn lookup_limited(lang: Lang, until: i64) -> Markup {
    html! {
        p.error role="alert" {
            (tr(lang, "web-status-limited-until", &[("time", &crate::app::format::format_time(until))]))
        }
    }
}

/// A lookup that found nothing, or was refused for a while: the message in an alert.
pub fn lookup_refused(lang: Lang, key: &str) -> Markup {
    html! { p.error role="alert" { (tr(lang, key, &[])) } }
}

/// The status page after a lookup: its answer, and the form again with the ticket.
pub fn status_answer(lang: Lang, answer: Markup, ticket: &str) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    html! {
        h2 { (t("web-status-title")) }
        (answer)
        (status_form(lang, ticket))
    }
}
