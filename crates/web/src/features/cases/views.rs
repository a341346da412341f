//! The markup of the cases pages. Views get what the services loaded and draw it; they decide
//! nothing that changes data.

use std::collections::HashMap;

use maud::{Markup, html};
use puskesos_domain::access::{Action, allowed};
use puskesos_domain::cases::{Sector, Step};
use puskesos_domain::identity::mask;
use puskesos_domain::model::Record;
use puskesos_domain::{Lang, tr};
use puskesos_storage::cases::{CHANNELS, Case};
use puskesos_storage::referrals::{self, Provider, Referral};
use serde::Deserialize;

use crate::app::access::CurrentUser;
use crate::app::format::format_time;
use crate::app::layout::Page;
use crate::features::cases::service::{CaseFile, Worklist};

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

/// The role's queue and the village's open cases; `q` keeps a district account on the village.
pub fn list(lang: Lang, user: &CurrentUser, mine: &[Case], open: &[Case], q: &str) -> Page {
    let t = |k: &str| tr(lang, k, &[]);
    Page::new(lang, &t("web-cases"))
        .user(Some(user.clone()))
        .body(html! {
            h2 { (t("web-cases")) }
            @if allowed(user.account.role, Action::CasesIntake) {
                p.actions { a href="/kasus/baru" { (t("web-new-case")) } }
            }
            section {
                h3 { (t("web-my-queue")) " (" (mine.len()) ")" }
                @if mine.is_empty() { p { (t("web-queue-empty")) } }
                ul.results { @for c in mine { (case_line(lang, c, q)) } }
            }
            section {
                h3 { (t("web-open-cases")) " (" (open.len()) ")" }
                ul.results { @for c in open { (case_line(lang, c, q)) } }
            }
        })
}

/// The intake form's fields as posted (untrimmed: a form shown again keeps what was typed).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct IntakeForm {
    pub nik: String,
    pub contact_name: String,
    pub contact_address: String,
    pub contact_phone: String,
    pub channel: String,
    pub sector: String,
    pub summary: String,
    pub consent_purpose: String,
    /// `ya` when the resident's consent was given.
    pub consent: String,
}

/// The intake page: an empty form (`None`), or the posted one with the errors by field.
pub fn intake(
    lang: Lang,
    user: &CurrentUser,
    form: Option<&IntakeForm>,
    errors: &HashMap<&str, String>,
) -> Page {
    Page::new(lang, &tr(lang, "web-new-case", &[]))
        .user(Some(user.clone()))
        .body(html! {
            h2 { (tr(lang, "web-new-case", &[])) }
            (intake_form(lang, user, form, errors))
        })
}

fn intake_form(
    lang: Lang,
    user: &CurrentUser,
    form: Option<&IntakeForm>,
    errors: &HashMap<&str, String>,
) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    let empty = IntakeForm::default();
    let f = form.unwrap_or(&empty);
    let field = |id: &'static str, label: &str, input: Markup| {
        html! {
            div.field {
                label for=(id) { (label) }
                @if let Some(e) = errors.get(id) { p.error id=(format!("{id}-err")) { (e) } }
                (input)
            }
        }
    };
    let consent_default = match form {
        None => t("web-consent-default"),
        Some(f) => f.consent_purpose.clone(),
    };
    html! {
        form method="post" action="/kasus/baru" {
            input type="hidden" name="csrf" value=(user.csrf_token);
            @if !errors.is_empty() { p.error role="alert" { (t("web-form-has-errors")) } }
            (field("nik", &t("web-case-nik"), html! {
                input id="nik" name="nik" inputmode="numeric" maxlength="16" value=(f.nik) aria-describedby="nik-help";
                p.help id="nik-help" { (t("web-case-nik-help")) }
            }))
            (field("contact_name", &t("web-contact-name"), html! { input id="contact_name" name="contact_name" maxlength="200" value=(f.contact_name); }))
            (field("contact_address", &t("web-contact-address"), html! { input id="contact_address" name="contact_address" maxlength="200" value=(f.contact_address); }))
            (field("contact_phone", &t("web-contact-phone"), html! { input id="contact_phone" name="contact_phone" inputmode="tel" maxlength="30" value=(f.contact_phone); }))
            (field("channel", &t("web-channel"), html! {
                select id="channel" name="channel" {
                    @for c in CHANNELS { option value=(c) selected[f.channel == *c] { (t(&format!("channel-{c}"))) } }
                }
            }))
            (field("sector", &t("web-sector"), html! {
                select id="sector" name="sector" required {
                    option value="" { (t("web-empty-choice")) }
                    @for s in Sector::ALL {
                        @let code = s.code();
                        option value=(code) selected[f.sector == code] { (t(&format!("sector-{code}"))) }
                    }
                }
            }))
            (field("summary", &t("web-summary"), html! { textarea id="summary" name="summary" rows="5" maxlength="4000" required { (f.summary) } }))
            (field("consent_purpose", &t("web-consent"), html! { input id="consent_purpose" name="consent_purpose" maxlength="300" value=(consent_default); }))
            div.field {
                @if let Some(e) = errors.get("consent") { p.error id="consent-err" { (e) } }
                label { input type="checkbox" name="consent" value="ya" checked[f.consent == "ya"]; " " (t("web-consent-given")) }
            }
            button type="submit" { (t("web-save")) }
        }
    }
}

/// The case page: who, what, the stage, the history, and the forms of `steps` (those the role
/// may take now).
pub fn case_page(
    lang: Lang,
    user: &CurrentUser,
    file: &CaseFile,
    steps: &[Step],
    now: i64,
) -> Page {
    let t = |k: &str| tr(lang, k, &[]);
    let CaseFile {
        case,
        events,
        person,
        sent,
        directory,
        files,
    } = file;
    Page::new(lang, &format!("{} {}", t("web-case"), case.nomor))
        .user(Some(user.clone()))
        .body(html! {
            section {
                h2 { (t("web-case")) " " (case.nomor) }
                p.status { (t("web-case-state")) ": " strong { (t(&format!("case-state-{}", case.state.code()))) } }
                dl {
                    dt { (t("web-person")) }
                    dd {
                        @if let Some(p) = person {
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
                @for s in steps {
                    form.step method="post" action=(format!("/kasus/{}/langkah", case.id)) {
                        input type="hidden" name="csrf" value=(user.csrf_token);
                        input type="hidden" name="step" value=(s.code());
                        @if *s == Step::Refer {
                            label for="provider" { (t("web-provider")) }
                            @if directory.is_empty() { p.warning { a href="/penyedia" { (t("web-providers-empty")) } } }
                            select id="provider" name="provider" required {
                                @for p in directory { option value=(p.id) { (p.name) " (" (t(&format!("provider-{}", p.kind))) ")" } }
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
                    @for a in files {
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
                        @for r in sent {
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
                    @for e in events {
                        li {
                            strong { (format_time(e.at)) } " · " (e.actor) " (" (t(&format!("role-{}", e.role))) ") · "
                            (t(&format!("case-state-{}", e.to_state)))
                            @if let Some(n) = &e.note { " · " em { (n) } }
                        }
                    }
                }
            }
        })
}

/// The page after a referral was sent: the letter to download and the provider's link (shown
/// this once: only its hash is stored).
pub fn referral_sent(
    lang: Lang,
    user: &CurrentUser,
    case_id: &str,
    r: &Referral,
    token: &str,
) -> Page {
    let t = |k: &str| tr(lang, k, &[]);
    let link = format!("/rujukan/{}/jawab?t={token}", r.id);
    Page::new(lang, &t("web-referrals"))
        .user(Some(user.clone()))
        .body(html! {
            h2 { (t("web-referral-sent")) }
            p { (r.provider) " · " (t("web-deadline")) " " (format_time(r.due_at)) }
            p { a href=(format!("/kasus/{case_id}/rujukan/{}/surat", r.id)) download { (t("web-letter-download")) } }
            p { (t("web-referral-link-help")) }
            p.link { code { (link) } }
            p { a href=(format!("/kasus/{case_id}")) { (t("web-case")) } }
        })
}

/// The provider's page (no account): the referral, the person and the need, and the answer form.
pub fn provider_page(lang: Lang, r: &Referral, case: &Case, token: &str) -> Page {
    let t = |k: &str| tr(lang, k, &[]);
    Page::new(lang, &t("web-referral-answer")).body(html! {
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
}

/// The provider's thanks for an answer.
pub fn answered(lang: Lang) -> Page {
    let t = |k: &str| tr(lang, k, &[]);
    Page::new(lang, &t("web-referral-answer")).body(
        html! { h2 { (t("web-referral-answer")) } p role="status" { (t("web-referral-thanks")) } },
    )
}

/// The centre's directory of service providers, with the form to add one.
pub fn providers(lang: Lang, user: &CurrentUser, list: &[Provider]) -> Page {
    let t = |k: &str| tr(lang, k, &[]);
    Page::new(lang, &t("web-providers"))
        .user(Some(user.clone()))
        .body(html! {
            h2 { (t("web-providers")) }
            ul.results { @for p in list { li { (p.name) " · " (t(&format!("provider-{}", p.kind))) @if let Some(c) = &p.contact { " · " (c) } } } }
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
}

/// Where a role starts its day; complaints are shown to the roles that handle them.
pub fn worklist(
    lang: Lang,
    user: &CurrentUser,
    w: &Worklist,
    handles_complaints: bool,
    now: i64,
) -> Page {
    let t = |k: &str| tr(lang, k, &[]);
    let Worklist { mine, late, soon } = w;
    Page::new(lang, &t("web-queue"))
        .user(Some(user.clone()))
        .body(html! {
            h2 { (t("web-queue")) }
            section {
                h3 { (t("web-my-queue")) " (" (mine.len()) ")" }
                @if mine.is_empty() { p { (t("web-queue-empty")) } }
                ul.results { @for c in mine { (case_line(lang, c, "")) } }
            }
            section {
                h3 { (t("web-referrals-overdue")) " (" (late.len()) ")" }
                ul.results {
                    @for r in late {
                        li.overdue { a href=(format!("/kasus/{}", r.case_id)) { (r.provider) } " · " (t("web-deadline")) " " (format_time(r.due_at)) }
                    }
                }
            }
            @if handles_complaints {
                section {
                    h3 { (t("web-complaints-due")) " (" (soon.len()) ")" }
                    ul.results {
                        @for c in soon {
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
}
