//! The markup of the cases pages. Views get what the services loaded and draw it; they decide
//! nothing that changes data.

use std::collections::HashMap;

use maud::{Markup, html};
use puskesos_domain::access::{Action, allowed};
use puskesos_domain::cases::{Sector, State, Step};
use puskesos_domain::identity::mask;
use puskesos_domain::model::Record;
use puskesos_domain::{Lang, tr};
use puskesos_storage::cases::{CHANNELS, Case};
use puskesos_storage::referrals::{self, Referral};
use serde::Deserialize;

use crate::app::access::CurrentUser;
use crate::app::extract::AtVillage;
use crate::app::format::format_time;
use crate::app::layout::Page;
use crate::app::scope::village_bar;
use crate::features::cases::handlers::CaseSearch;
use crate::features::cases::service::{CaseFile, Desk, Worklist};

/// Days since `since` (whole days, at least 0).
fn days(now: i64, since: i64) -> i64 {
    ((now - since) / 86_400_000).max(0)
}

/// One case in a list: number, name, need, stage, and how long it has waited since its last step.
fn case_line(lang: Lang, c: &Case, q: &str, now: i64) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    let need: String = c.summary.chars().take(80).collect();
    html! {
        li {
            a href=(format!("/kasus/{}{q}", c.id)) { (c.nomor) }
            " · " strong { (c.name.clone().unwrap_or_default()) }
            " · " (need)
            " · " (t(&format!("case-state-{}", c.state.code())))
            " · " (t(&format!("sector-{}", c.sector.code())))
            @if !c.state.is_final() {
                " · " (tr(lang, "web-days-waiting", &[("days", &days(now, c.updated_at).to_string())]))
            }
        }
    }
}

/// The role's queue and the village's cases as searched; a district account keeps its village.
pub fn list(
    lang: Lang,
    at: &AtVillage,
    mine: &[Case],
    found: &[Case],
    s: &CaseSearch,
    bad: Option<&str>,
) -> Page {
    let t = |k: &str| tr(lang, k, &[]);
    let user = &at.user;
    let q = at.desa_query();
    let now = puskesos_storage::now_ms();
    let desa = if q.is_empty() {
        None
    } else {
        Some(at.village.clone())
    };
    Page::new(lang, &t("web-cases"))
        .user(Some(user.clone()))
        .body(html! {
            h2 { (t("web-cases")) }
            (village_bar(lang, user, &at.village, "/kasus"))
            @if allowed(user.account.role, Action::CasesIntake) {
                p.actions { a href="/kasus/baru" { (t("web-new-case")) } }
            }
            @if allowed(user.account.role, Action::CasesWork) {
                section {
                    h3 { (t("web-my-queue")) " (" (mine.len()) ")" }
                    @if mine.is_empty() { p { (t("web-queue-empty")) } }
                    ul.results { @for c in mine { (case_line(lang, c, &q, now)) } }
                }
            }
            section {
                h3 { (t("web-case-search")) }
                form.search method="get" action="/kasus" {
                    @if let Some(d) = &desa { input type="hidden" name="desa" value=(d); }
                    @if let Some(field) = bad { p.error role="alert" { (t("web-form-has-errors")) " (" (t(&format!("web-case-search-{field}"))) ")" } }
                    label for="q" { (t("web-case-search-q")) }
                    input id="q" name="q" value=(s.q) maxlength="100";
                    label for="sektor" { (t("web-case-search-sektor")) }
                    select id="sektor" name="sektor" {
                        option value="" { (t("web-all")) }
                        @for x in Sector::ALL { option value=(x.code()) selected[s.sektor == x.code()] { (t(&format!("sector-{}", x.code()))) } }
                    }
                    label for="tahap" { (t("web-case-search-tahap")) }
                    select id="tahap" name="tahap" {
                        option value="" { (t("web-all")) }
                        @for x in State::ALL { option value=(x.code()) selected[s.tahap == x.code()] { (t(&format!("case-state-{}", x.code()))) } }
                    }
                    label for="dari" { (t("web-case-search-dari")) }
                    input id="dari" name="dari" type="date" value=(s.dari);
                    label for="sampai" { (t("web-case-search-sampai")) }
                    input id="sampai" name="sampai" type="date" value=(s.sampai);
                    label { input type="checkbox" name="arsip" value="ya" checked[s.arsip == "ya"]; " " (t("web-case-search-arsip")) }
                    button type="submit" { (t("web-search")) }
                }
                h3 { (if s.arsip == "ya" { t("web-case-archive") } else { t("web-open-cases") }) " (" (found.len()) ")" }
                @if found.is_empty() { p { (t("web-case-none-found")) } }
                ul.results { @for c in found { (case_line(lang, c, &q, now)) } }
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
    origin: &str,
) -> Page {
    let t = |k: &str| tr(lang, k, &[]);
    let CaseFile {
        case,
        events,
        person,
        sent,
        links,
        directory,
        files,
        actors,
    } = file;
    Page::new(lang, &format!("{} {}", t("web-case"), case.nomor))
        .user(Some(user.clone()))
        .body(html! {
            section {
                h2 { (t("web-case")) " " (case.nomor) }
                p.status { (t("web-case-state")) ": " strong { (t(&format!("case-state-{}", case.state.code()))) } }
                p.actions { a href=(format!("/kasus/{}/tanda-terima.pdf", case.id)) { (t("web-receipt-print")) } }
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
                    dt { (t("web-opened")) } dd { (format_time(case.opened_at)) " · " (actors.name(lang, &case.opened_by)) }
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
                    @if !links.is_empty() { script src="/assets/salin.js" defer {} }
                    h3 { (t("web-referrals")) }
                    ul.referrals {
                        @for r in sent {
                            li id=(format!("rujukan-{}", r.id)) class=(if r.overdue(now) { "overdue" } else { "" }) {
                                strong { (r.provider) } " · " (t(&format!("referral-{}", r.status)))
                                " · " (t("web-deadline")) " " (format_time(r.due_at))
                                @if r.overdue(now) { " · " strong { (t("web-overdue")) } }
                                @if let Some((_, token)) = links.iter().find(|(id, _)| *id == r.id) {
                                    (referral_link(lang, user, case, r, token.as_deref(), origin))
                                }
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
                            strong { (format_time(e.at)) } " · " (actors.with_role(lang, &e.actor, &e.role)) " · "
                            @if e.step.starts_with("provider_") || e.step == "reopen" {
                                (t(&format!("case-event-{}", e.step))) " · "
                            }
                            (t(&format!("case-state-{}", e.to_state)))
                            @if let Some(n) = &e.note { " · " em { (n) } }
                        }
                    }
                }
            }
        })
}

/// The copy button's script (a file from this server: the CSP allows no inline script).
const COPY_SCRIPT: &str = include_str!("../../../assets/salin.js");

pub async fn copy_script() -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/javascript; charset=utf-8",
        )],
        COPY_SCRIPT,
    )
        .into_response()
}

/// The letter and the provider's full link of a referral waiting for its answer, with copy and
/// WhatsApp buttons (for the roles that may send referrals), or the button that makes a new
/// link when none is kept.
fn referral_link(
    lang: Lang,
    user: &CurrentUser,
    case: &Case,
    r: &Referral,
    token: Option<&str>,
    origin: &str,
) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    let renew = html! {
        form.inline method="post" action=(format!("/kasus/{}/rujukan/{}/tautan-baru", case.id, r.id)) {
            input type="hidden" name="csrf" value=(user.csrf_token);
            button type="submit" { (t("web-referral-new-link")) }
        }
    };
    let Some(token) = token else {
        return html! { p.warning { (t("web-referral-no-link")) } (renew) };
    };
    let link = format!("{origin}/rujukan/{}/jawab?t={token}", r.id);
    let message = tr(
        lang,
        "web-referral-wa-text",
        &[
            ("provider", &r.provider),
            ("case", &case.nomor),
            ("link", &link),
        ],
    );
    let wa = format!(
        "https://wa.me/?text={}",
        percent_encoding::utf8_percent_encode(&message, percent_encoding::NON_ALPHANUMERIC)
    );
    let field = format!("tautan-{}", r.id);
    html! {
        div.referral-link {
            p { a href=(format!("/kasus/{}/rujukan/{}/surat", case.id, r.id)) download { (t("web-letter-download")) } }
            label for=(field) { (t("web-referral-link-help")) }
            textarea.link id=(field) readonly rows="3" { (link) }
            p.actions {
                button type="button" class="copy" data-copy=(field) data-done=(t("web-copied")) { (t("web-copy")) }
                " "
                a.button href=(wa) target="_blank" rel="noopener" { (t("web-share-whatsapp")) }
            }
            (renew)
        }
    }
}

/// The provider's page (no account): the referral, the person and the need, and the answer form.
pub fn provider_page(lang: Lang, r: &Referral, case: &Case, token: &str) -> Page {
    let t = |k: &str| tr(lang, k, &[]);
    Page::new(lang, &t("web-referral-answer")).body(html! {
        h2 { (t("web-referral-answer")) }
        dl {
            dt { (t("web-case")) } dd { (case.nomor) }
            dt { (t("web-provider")) } dd { (r.provider) }
            dt { (t("web-person")) } dd { (case.name.clone().unwrap_or_default()) }
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

/// Where a role starts its day; complaints are shown to the roles that handle them.
pub fn worklist(
    lang: Lang,
    user: &CurrentUser,
    w: &Worklist,
    handles_complaints: bool,
    now: i64,
) -> Page {
    let t = |k: &str| tr(lang, k, &[]);
    let Worklist {
        mine,
        late,
        soon,
        decided,
    } = w;
    Page::new(lang, &t("web-queue"))
        .user(Some(user.clone()))
        .body(html! {
            h2 { (t("web-queue")) }
            section {
                h3 { (t("web-my-queue")) " (" (mine.len()) ")" }
                @if mine.is_empty() { p { (t("web-queue-empty")) } }
                ul.results { @for c in mine { (case_line(lang, c, "", now)) } }
            }
            section {
                h3 { (t("web-referrals-overdue")) " (" (late.len()) ")" }
                ul.results { @for (r, c) in late { (referral_line(lang, r, c.as_ref(), "", now)) } }
            }
            @if handles_complaints {
                section {
                    h3 { (t("web-complaints-due")) " (" (soon.len()) ")" }
                    ul.results { @for c in soon { (complaint_line(lang, c, "", now, false)) } }
                }
                @if !decided.is_empty() {
                    section {
                        h3 { (t("web-complaints-decided-district")) " (" (decided.len()) ")" }
                        ul.results {
                            @for c in decided {
                                li {
                                    a href=(format!("/pengaduan/{}", c.id)) { (c.ticket) }
                                    " · " (c.contact_name.clone().unwrap_or_default())
                                    @if let Some(d) = &c.decision { " · " em { (d) } }
                                }
                            }
                        }
                    }
                }
            }
        })
}

fn referral_line(lang: Lang, r: &Referral, c: Option<&Case>, q: &str, now: i64) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    html! {
        li class=(if r.overdue(now) { "overdue" } else { "" }) {
            a href=(format!("/kasus/{}{q}", r.case_id)) { (c.map(|c| c.nomor.as_str()).unwrap_or("")) }
            " · " strong { (c.and_then(|c| c.name.clone()).unwrap_or_default()) }
            " · " (c.map(|c| c.summary.chars().take(80).collect::<String>()).unwrap_or_default())
            " · " (r.provider)
            " · " (t("web-deadline")) " " (format_time(r.due_at))
            " · " (tr(lang, "web-days-waiting", &[("days", &days(now, r.sent_at).to_string())]))
        }
    }
}

/// One complaint in a queue; on the district's desk (`from_village`) it names its village.
fn complaint_line(
    lang: Lang,
    c: &puskesos_storage::complaints::Complaint,
    q: &str,
    now: i64,
    from_village: bool,
) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    let since = c.escalated_at.unwrap_or(c.opened_at);
    html! {
        li class=(if c.deadline_at < now { "overdue" } else { "" }) {
            a href=(format!("/pengaduan/{}{q}", c.id)) { (c.ticket) }
            " · " strong { (c.contact_name.clone().unwrap_or_default()) }
            " · " (c.summary.chars().take(80).collect::<String>())
            " · " (t(&format!("complaint-status-{}", c.status.code())))
            " · " (t("web-deadline")) " " (format_time(c.deadline_at))
            " · " (tr(lang, "web-days-waiting", &[("days", &days(now, since).to_string())]))
            @if from_village { " · " (crate::app::format::region_full_name(&c.village)) }
        }
    }
}

/// The Dinas Sosial's desk: complaints escalated from its villages (decided on the complaint's
/// page, which sends them back to the village's queue) and referrals addressed to its offices.
pub fn desk(lang: Lang, user: &CurrentUser, d: &Desk, now: i64) -> Page {
    let t = |k: &str| tr(lang, k, &[]);
    let q = |village: &str| format!("?desa={village}");
    Page::new(lang, &t("web-desk"))
        .user(Some(user.clone()))
        .body(html! {
            h2 { (t("web-desk")) }
            section {
                h3 { (t("web-desk-escalated")) " (" (d.escalated.len()) ")" }
                @if d.escalated.is_empty() { p { (t("web-desk-none")) } }
                ul.results {
                    @for c in &d.escalated {
                        (complaint_line(lang, c, &q(&c.village), now, true))
                    }
                }
            }
            section {
                h3 { (t("web-desk-referrals")) " (" (d.referred.len()) ")" }
                @if d.referred.is_empty() { p { (t("web-desk-none")) } }
                ul.results {
                    @for (r, c) in &d.referred { (referral_line(lang, r, c.as_ref(), &q(&r.village), now)) }
                }
            }
        })
}
