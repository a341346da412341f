//! The registry's markup (maud: every interpolated value is HTML-escaped): the search page, the
//! family page and the record forms. They work without JavaScript and from 360 px wide.

use std::borrow::Cow;

use maud::{Markup, html};
use puskesos_domain::access::{Action, allowed};
use puskesos_domain::assessment::Met;
use puskesos_domain::i18n::{code_label, format_int};
use puskesos_domain::identity::mask;
use puskesos_domain::model::{FAMILY_FIELDS, Field, Kind, PERSON_FIELDS, Record, Value};
use puskesos_domain::validate;
use puskesos_domain::{Lang, tr};
use puskesos_storage::registry::{FamilySummary, SearchCount};

use super::fields::{Errors, Fields};
use super::service::{FamilyPage, PER_PAGE, SearchParams};
use crate::app::access::CurrentUser;
use crate::app::format::format_time;
use crate::app::layout::Page;

/// Registry search by NIK, KK, name, RT/RW, with paging; NIKs masked in the list.
pub fn search_page(
    lang: Lang,
    user: CurrentUser,
    params: &SearchParams,
    rows: &[FamilySummary],
    count: SearchCount,
) -> Page {
    let t = |k: &str| tr(lang, k, &[]);
    let page = params.page();
    let total = count.total;
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let link = |p: i64| {
        let enc = |s: &Option<String>| s.as_deref().map(url_escape).unwrap_or_default();
        format!(
            "/registri?q={}&rt={}&rw={}&hal={p}",
            enc(&params.q),
            enc(&params.rt),
            enc(&params.rw)
        )
    };
    let capped = count.more;
    let mut total_text = format_int(lang, total);
    if capped {
        total_text.push('+');
    }
    let can_write = allowed(user.account.role, Action::RegistryWrite);
    Page::new(lang, &t("web-registry"))
        .user(Some(user))
        .body(html! {
            section {
                h2 { (t("web-registry")) }
                @if can_write {
                    p.actions { a href="/keluarga/baru" { (t("web-new-family")) } }
                }
                form.search method="get" action="/registri" role="search" {
                    label for="q" { (t("web-search-label")) }
                    input id="q" name="q" maxlength="100" value=(params.q.clone().unwrap_or_default());
                    div.row {
                        div { label for="rt" { "RT" } input id="rt" name="rt" inputmode="numeric" maxlength="3" value=(params.rt.clone().unwrap_or_default()); }
                        div { label for="rw" { "RW" } input id="rw" name="rw" inputmode="numeric" maxlength="3" value=(params.rw.clone().unwrap_or_default()); }
                    }
                    button type="submit" { (t("web-search-button")) }
                }
                p { (tr(lang, "web-search-count", &[("count", &total_text)])) }
                ul.results {
                    @for f in rows {
                        li {
                            a href=(format!("/keluarga/{}", f.id)) {
                                strong { (f.head_name.clone().unwrap_or_else(|| "—".into())) }
                            }
                            " · KK " (mask(&f.no_kk))
                            @if let Some(nik) = &f.head_nik { " · NIK " (mask(nik)) }
                            br;
                            small {
                                (f.address.clone().unwrap_or_default())
                                " RT " (f.rt.clone().unwrap_or_default()) "/RW " (f.rw.clone().unwrap_or_default())
                                " · " (tr(lang, "web-members", &[("count", &f.members.to_string())]))
                            }
                        }
                    }
                }
                nav.pager aria-label=(t("web-pages")) {
                    @if page > 1 { a href=(link(page - 1)) rel="prev" { "‹ " (t("web-prev")) } }
                    span { (page) " / " (pages) @if capped { "+" } }
                    @if page < pages || (capped && rows.len() as i64 == PER_PAGE) { a href=(link(page + 1)) rel="next" { (t("web-next")) " ›" } }
                }
            }
        })
}

fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A family: its facts, members, the BPS criteria, the programs' assessment and its history.
/// What the centre did with the family, each line linking to its page (`desa`: the query that
/// keeps a district account on the family's village).
fn family_record(
    lang: Lang,
    r: &puskesos_storage::family_links::FamilyRecord,
    desa: &str,
) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    let when = |l: &puskesos_storage::family_links::Line| {
        l.at.map(crate::app::format::format_day)
            .or_else(|| l.day.as_deref().map(crate::app::format::indonesian_date))
            .unwrap_or_default()
    };
    let empty = r.cases.is_empty()
        && r.complaints.is_empty()
        && r.referrals.is_empty()
        && r.activities.is_empty();
    html! {
        section.family-record {
            h3 { (t("web-family-record")) }
            @if empty { p { (t("web-family-record-none")) } }
            @if !r.cases.is_empty() {
                h4 { (t("web-cases")) " (" (r.cases.len()) ")" }
                ul.results { @for l in &r.cases {
                    li { a href=(format!("/kasus/{}{desa}", l.id)) { (l.number) } " · " (t(&format!("case-state-{}", l.state))) " · " (when(l)) }
                } }
            }
            @if !r.referrals.is_empty() {
                h4 { (t("web-family-referrals")) " (" (r.referrals.len()) ")" }
                ul.results { @for l in &r.referrals {
                    li {
                        a href=(format!("/kasus/{}{desa}", l.case_id.clone().unwrap_or_default())) { (l.number) }
                        " · " (l.provider.clone().unwrap_or_default()) " · " (t(&format!("referral-{}", l.state))) " · " (when(l))
                    }
                } }
            }
            @if !r.complaints.is_empty() {
                h4 { (t("web-complaints")) " (" (r.complaints.len()) ")" }
                ul.results { @for l in &r.complaints {
                    li { a href=(format!("/pengaduan/{}{desa}", l.id)) { (l.number) } " · " (t(&format!("complaint-status-{}", l.state))) " · " (when(l)) }
                } }
            }
            @if !r.activities.is_empty() {
                h4 { (t("web-activities")) " (" (r.activities.len()) ")" }
                ul.results { @for l in &r.activities {
                    li { a href=(format!("/kegiatan/{}{desa}", l.id)) { (l.number) } " · " (t(&format!("activity-status-{}", l.state))) " · " (when(l)) }
                } }
            }
        }
    }
}

pub fn family_page(lang: Lang, user: CurrentUser, page: &FamilyPage) -> Page {
    let t = |k: &str| tr(lang, k, &[]);
    let view = &page.view;
    let f = &view.family;
    let village = f
        .text("kode_wilayah")
        .map(crate::app::format::region_full_name)
        .unwrap_or_default();
    let label = |key: &str| puskesos_domain::i18n::field_label(lang, key);
    let can_write = allowed(user.account.role, Action::RegistryWrite);
    let can_export = allowed(user.account.role, Action::PersonalDataExport);
    let (bps, bps_cfg) = (&page.bps, &page.bps_cfg);
    let user_role = user.account.role;
    // A stored answer as its label ("buruh_tani" → "Buruh tani"); an empty one as a dash.
    let coded = |field: &str, v: &Option<String>| match v {
        Some(v) => puskesos_domain::i18n::code_label(lang, field, v).into_owned(),
        None => "—".to_string(),
    };
    let desa = crate::app::scope::desa_query(&user, f.text("kode_wilayah").unwrap_or_default());
    Page::new(lang, &format!("KK {}", f.text("no_kk").unwrap_or_default()))
        .user(Some(user))
        .body(html! {
            section {
                h2 { "KK " (f.text("no_kk").unwrap_or_default()) }
                @if can_write {
                    p.actions {
                        a href=(format!("/keluarga/{}/ubah", f.id)) { (t("web-edit-family")) }
                        " · "
                        a href=(format!("/keluarga/{}/anggota/baru", f.id)) { (t("web-add-member")) }
                    }
                }
                p { (f.text("alamat").unwrap_or_default()) " RT " (f.text("rt").unwrap_or_default()) "/RW " (f.text("rw").unwrap_or_default()) br; (village) }
            }
            section {
                h3 { (t("web-members-title")) }
                @for p in &view.members {
                    article.member {
                        h4 { (p.text("nama").unwrap_or_default()) " " small { "NIK " (p.text("nik").unwrap_or_default()) } }
                        @if can_write { p.actions { a href=(format!("/anggota/{}/ubah", p.id)) { (t("web-edit-member")) } } }
                        @if can_export { p.actions {
                            a href=(format!("/anggota/{}/data?format=pdf", p.id)) download { (t("web-personal-data-pdf")) }
                            " · " a href=(format!("/anggota/{}/data", p.id)) download { (t("web-person-export")) }
                        } }
                        dl {
                            @for (fld, v) in PERSON_FIELDS.iter().zip(&p.values) {
                                @if let Some(v) = v {
                                    @if fld.key != "nama" && fld.key != "nik" {
                                        dt { (label(fld.key)) }
                                        dd { (display_value(lang, fld, v)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            section {
                h3 { (t("web-bps14")) ": " (t(&format!("verdict-{}", bps.verdict.code()))) }
                p { (tr(lang, "web-bps14-count", &[("met", &bps.met.to_string()), ("unknown", &bps.unknown.to_string()), ("threshold", &bps_cfg.threshold.to_string())])) }
                @if !bps.missing_facts().is_empty() {
                    p.warning { (t("web-bps14-missing")) ": "
                        (bps.missing_facts().iter().map(|k| label(k)).collect::<Vec<_>>().join(", ")) }
                }
                ul.criteria {
                    @for c in &bps.criteria {
                        li class=(match c.met { Met::Yes => "yes", Met::No => "no", Met::Unknown => "unknown" }) {
                            (match c.met { Met::Yes => "✓ ", Met::No => "· ", Met::Unknown => "? " })
                            (t(&format!("bps14-{}", c.number)))
                        }
                    }
                }
            }
            @if let Some(a) = &page.assessed {
                (crate::features::eligibility::family_section(lang, a, &view.family.id, &view.members))
            }
            @if allowed(user_role, Action::CasesRead) {
                (family_record(lang, &page.record, &desa))
            }
            section {
                h3 { (t("web-family-facts")) }
                dl {
                    @for (fld, v) in FAMILY_FIELDS.iter().zip(&f.values) {
                        @if let Some(v) = v {
                            dt { (label(fld.key)) }
                            dd { (display_value(lang, fld, v)) }
                        }
                    }
                }
            }
            section {
                h3 { (t("web-history")) }
                ol.history {
                    @for h in view.history.iter().rev() {
                        li {
                            strong { (format_time(h.at_ms)) } " · " (page.actors.name(lang, &h.actor)) " · " (t(&format!("web-action-{}", h.action)))
                            @if let Some(r) = &h.reason { " · " em { (r) } }
                            ul {
                                @for (field, old, new) in &h.changed {
                                    li { (label(field)) ": " (coded(field, old)) " → " (coded(field, new)) }
                                }
                            }
                        }
                    }
                }
            }
        })
}

/// Dates the Indonesian way (dd-mm-yyyy), rupiah with the `Rp` prefix and grouped digits.
fn display_value(lang: Lang, field: &Field, value: &Value) -> Cow<'static, str> {
    match (field.kind, value) {
        (Kind::Date, _) => Cow::Owned(crate::app::format::indonesian_date(
            &value.to_text(field.kind),
        )),
        (Kind::Code(_), _) => {
            puskesos_domain::i18n::code_label(lang, field.key, value.as_text().unwrap_or_default())
        }
        (_, Value::Int(n)) if field.key == "penghasilan_kepala" => {
            Cow::Owned(puskesos_domain::i18n::format_rupiah(lang, *n))
        }
        _ => Cow::Owned(value.to_text(field.kind)),
    }
}

// --- The record forms ----------------------------------------------------------------------

/// A record form: its title, where it posts, its fieldsets `(legend, prefix, fields)` and the
/// current texts, errors and reason.
pub struct FormSpec<'a> {
    pub title: String,
    pub action: String,
    pub sets: Vec<(String, &'static str, &'static [Field])>,
    pub values: &'a Fields,
    pub errors: &'a Errors,
    pub reason: &'a str,
}

impl<'a> FormSpec<'a> {
    /// Registering a family with its head; from a case's short profile the case rides along in
    /// the address.
    pub fn new_family(lang: Lang, case: Option<&str>, values: &'a Fields) -> FormSpec<'a> {
        FormSpec {
            title: tr(lang, "web-new-family", &[]),
            action: match case {
                Some(id) => format!("/keluarga/baru?kasus={id}"),
                None => "/keluarga/baru".into(),
            },
            sets: vec![
                (tr(lang, "web-family-facts", &[]), "f", FAMILY_FIELDS),
                (tr(lang, "web-head-of-family", &[]), "p", PERSON_FIELDS),
            ],
            values,
            errors: empty(),
            reason: "",
        }
    }

    /// Editing a family's facts.
    pub fn edit_family(lang: Lang, id: &str, values: &'a Fields) -> FormSpec<'a> {
        FormSpec {
            title: tr(lang, "web-edit-family", &[]),
            action: format!("/keluarga/{id}/ubah"),
            sets: vec![(tr(lang, "web-family-facts", &[]), "f", FAMILY_FIELDS)],
            values,
            errors: empty(),
            reason: "",
        }
    }

    /// Adding a member (`web-add-member`) or editing one (`web-edit-member`).
    pub fn member(lang: Lang, title_key: &str, action: String, values: &'a Fields) -> FormSpec<'a> {
        FormSpec {
            title: tr(lang, title_key, &[]),
            action,
            sets: vec![(tr(lang, "web-members-title", &[]), "p", PERSON_FIELDS)],
            values,
            errors: empty(),
            reason: "",
        }
    }

    /// The same form drawn again with the errors and the reason that was sent.
    pub fn failed(self, errors: &'a Errors, reason: &'a str) -> FormSpec<'a> {
        FormSpec {
            errors,
            reason,
            ..self
        }
    }
}

fn empty() -> &'static Errors {
    static EMPTY: std::sync::LazyLock<Errors> = std::sync::LazyLock::new(Errors::new);
    &EMPTY
}

pub fn form_page(lang: Lang, user: CurrentUser, spec: FormSpec<'_>) -> Page {
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
    Page::new(lang, &spec.title).user(Some(user)).body(body)
}

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
