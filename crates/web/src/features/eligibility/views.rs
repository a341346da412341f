//! The eligibility pages: the assessment section of the family page, a village's gap overview,
//! the district's exclusion errors, a gap list, and the what-if form with its results. Markup
//! only; the figures come from `service`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use puskesos_domain::assessment::{Met, present};
use puskesos_domain::i18n::{format_int, format_rupiah};
use puskesos_domain::model::{Person, Record};
use puskesos_domain::rules::describe::{Clause, describe};
use puskesos_domain::rules::{Decision, Gap, Outcome, Program};
use puskesos_domain::{Lang, tr};
use puskesos_storage::assessment::GapRow;

use crate::app::access::CurrentUser;
use crate::app::format::{indonesian_date, region_full_name};
use crate::app::layout::Page;
use crate::app::scope::desa_query;
use crate::features::eligibility::service::{District, FamilyAssessment, Overview, WhatIf};

/// Families per page of a gap list.
pub const PER_PAGE: i64 = 25;

/// A fact's label (the domain's, re-exported for the other pages of this feature).
pub use puskesos_domain::rules::describe::fact_label;

fn outcome_key(o: Outcome) -> String {
    format!("outcome-{}", o.code())
}

/// A clause and its parts as nested lists, each a sentence with the family's value and result.
fn clause_list(lang: Lang, c: &Clause) -> Markup {
    let class = |c: &Clause| match c.result {
        Some(r) if r.is_nan() => "unknown",
        Some(1.0) => "yes",
        Some(_) => "no",
        None => "",
    };
    html! {
        @if c.parts.is_empty() {
            ul.conditions { li class=(class(c)) { (c.line(lang)) } }
        } @else {
            ul.conditions {
                @for (i, part) in c.parts.iter().enumerate() {
                    li class=(class(part)) {
                        @if i > 0 && !c.all { (tr(lang, "web-cond-or", &[])) " " }
                        @if part.parts.is_empty() { (part.line(lang)) } @else {
                            (part.line(lang)) (clause_list(lang, part))
                        }
                    }
                }
            }
        }
    }
}

/// The expected yearly amount in words: known, at least a known part, or unknown.
fn amount_text(lang: Lang, d: &Decision) -> Option<String> {
    if d.outcome == Outcome::NotEligible {
        return None;
    }
    let rupiah = format_rupiah(lang, d.amount);
    Some(match (d.outcome, d.amount_known) {
        (Outcome::Eligible, true) if d.amount > 0 => {
            tr(lang, "web-expected-yearly", &[("amount", &rupiah)])
        }
        (Outcome::Eligible, true) => return None,
        (_, _) if d.amount > 0 && d.outcome == Outcome::Eligible => {
            tr(lang, "web-amount-at-least", &[("amount", &rupiah)])
        }
        _ => tr(lang, "web-amount-unknown", &[]),
    })
}

/// The PMT estimate's inputs: each term in words with the family's value; unknown ones say how
/// they were treated, and too many of them mean no estimate.
fn pmt_inputs(lang: Lang, a: &FamilyAssessment) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    let p = &a.prepared;
    let model = a.assessor.pmt.for_village(&p.village);
    let on = (&p.facts.family[..], &p.facts.members[..], 0);
    let (unknown, terms) = (p.pmt_unknown.len(), model.terms.len());
    let n = |x: usize| x.to_string();
    html! {
        @if p.per_capita.is_none() {
            p.warning { (tr(lang, "web-pmt-not-enough", &[("unknown", &n(unknown)), ("terms", &n(terms)), ("max", &n(model.max_unknown))])) }
        } @else if unknown > 0 {
            p.note { (tr(lang, "web-pmt-some-unknown", &[("unknown", &n(unknown)), ("terms", &n(terms))])) }
        }
        details.pmt-inputs {
            summary { (t("web-pmt-inputs")) }
            ul.conditions {
                @for (i, term) in model.terms.iter().enumerate() {
                    @let c = describe(lang, &term.expr.node, Some(on));
                    @let missing = p.pmt_unknown.contains(&i);
                    li class=(if missing { "unknown" } else { "" }) {
                        (c.text)
                        @if let Some(v) = &c.value { ": " (v) }
                        @if missing { " — " (t("web-pmt-input-unknown")) }
                        @else if c.value.is_none() {
                            ": " (model_value(lang, model.term_value(i, &p.facts)))
                        }
                    }
                }
            }
            p { small { (model.name) " " (model.version) } }
        }
    }
}

fn model_value(lang: Lang, v: f64) -> String {
    if v.is_nan() {
        tr(lang, "web-cond-unknown", &[])
    } else {
        puskesos_domain::model::format_num(v)
    }
}

/// The assessment section of a family page: its reference date (with a date to assess it for
/// instead), deciles and the PMT estimate's inputs, Kepmensos 262, and every program with its
/// conditions in words, members' shares, expected yearly benefit and the facts still needed.
pub fn family_section(
    lang: Lang,
    a: &FamilyAssessment,
    family_id: &str,
    members: &[Person],
) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    let (rules, prepared, summary) = (&a.assessor.rules, &a.prepared, &a.summary);
    // The evaluator's member order: present members by NIK.
    let mut people: Vec<&Person> = present(members).collect();
    people.sort_by(|a, b| a.text("nik").cmp(&b.text("nik")));
    let k = &prepared.kepmensos;
    let day = |d: chrono::NaiveDate| indonesian_date(&d.to_string());
    let explained = rules.explain_all(&prepared.facts);
    let fam = &prepared.facts.family[..];
    let mem = &prepared.facts.members[..];
    html! {
        section.assessment id="penilaian" {
            h3 { (t("web-assessment")) }
            p.assessed-on { (tr(lang, "web-assessed-on", &[("date", &day(a.on()))])) }
            @if let Some(stored) = a.stored_on.filter(|s| *s != a.on()) {
                p.warning role="note" { (tr(lang, "web-assessed-on-other", &[("date", &day(a.on())), ("stored", &day(stored))])) }
            }
            form.assessed-on method="get" action=(format!("/keluarga/{family_id}")) {
                label for="tanggal" { (t("web-assessed-on-pick")) }
                input type="date" id="tanggal" name="tanggal" value=(a.on().to_string());
                button type="submit" { (t("web-assessed-on-show")) }
            }
            p.deciles {
                (t("web-decile-official")) ": "
                strong { (summary_decile(prepared.official_decile)) }
                " · " (t("web-decile-local")) ": "
                strong { (summary_decile(summary.local_decile.map(i64::from))) }
                @if let Some(pc) = summary.per_capita {
                    " (" (tr(lang, "web-pmt-estimate", &[("amount", &format_rupiah(lang, pc))])) ")"
                }
            }
            @if summary.deciles_disagree {
                p.warning role="note" { (t("web-deciles-disagree")) }
            }
            @if prepared.official_decile.is_none() && summary.local_decile.is_some() {
                p.note { (t("web-decile-local-used")) }
            }
            @if summary.dtsen_proposal {
                p.warning role="note" { (t("web-dtsen-proposal")) " " a href="/data" { (t("web-proposals")) } }
            }
            (pmt_inputs(lang, a))
            @for (p, e) in rules.programs.iter().zip(&explained) {
                @let d = &e.decision;
                article class=(format!("program gap-{}", d.gap().code())) {
                    h4 { (p.name(lang)) " " span.badge { (t(&outcome_key(d.outcome))) } }
                    p {
                        (t(if d.receives { "web-receives" } else { "web-not-receiving" }))
                        @if d.gap() != Gap::None { " · " strong { (t(&format!("gap-{}", d.gap().code()))) } }
                        @if let Some(amount) = amount_text(lang, d) { " · " (amount) }
                    }
                    @if let Some(q) = d.via.and_then(|i| rules.programs.get(usize::from(i))) {
                        @if d.review {
                            p.warning role="note" { (tr(lang, "web-review-via", &[("program", q.name(lang))])) }
                        } @else {
                            p.note { (tr(lang, "web-via-program", &[("program", q.name(lang))])) }
                        }
                    }
                    @if !e.shares.is_empty() {
                        ul.shares {
                            @for s in &e.shares {
                                li class=(if s.counted { "" } else { "not-counted" }) {
                                    (people.get(s.member).and_then(|m| m.text("nama")).unwrap_or("?"))
                                    " — " (component_name(lang, p, s.component))
                                    @if s.amount > 0 { " — " (format_rupiah(lang, s.amount)) }
                                    @if !s.counted { " (" (t("web-over-cap")) ")" }
                                }
                            }
                        }
                    }
                    p.rule { (t("web-condition")) ":" }
                    (clause_list(lang, &describe(lang, &p.eligible.node, Some((fam, mem, 0)))))
                    @if let Some(max) = p.max_components {
                        p.note { (tr(lang, "web-cap", &[("max", &max.to_string())])) }
                    }
                    @if !e.missing.is_empty() {
                        p.warning { (t("web-needed-facts")) ": "
                            (e.missing.iter().map(|f| fact_label(lang, *f)).collect::<Vec<_>>().join(", ")) }
                    }
                    details.rule-detail {
                        summary { (t("web-detail")) }
                        @if !p.components.is_empty() {
                            ul.conditions {
                                @for c in &p.components {
                                    li {
                                        (component_label(lang, c)) ": "
                                        (describe(lang, &c.member.node, None).parts.iter().map(|x| x.text.clone()).collect::<Vec<_>>().join("; "))
                                    }
                                }
                            }
                        }
                        p.rule { code { (p.eligible.text) } }
                        p { small { (t("web-rule-file")) ": " (p.file) " " (p.version) } }
                    }
                }
            }
            h4 { (t("web-kepmensos")) ": " (t(&format!("fakir-{}", summary.fakir_miskin))) }
            @if !k.missing_facts().is_empty() {
                p.warning { (t("web-bps14-missing")) ": "
                    (k.missing_facts().iter().map(|f| puskesos_domain::i18n::field_label(lang, f)).collect::<Vec<_>>().join(", ")) }
            }
            ul.criteria {
                @for c in &k.criteria {
                    li class=(match c.met { Met::Yes => "yes", Met::No => "no", Met::Unknown => "unknown" }) {
                        (match c.met { Met::Yes => "✓ ", Met::No => "· ", Met::Unknown => "? " })
                        (t(&format!("kepmensos-{}", c.number)))
                    }
                }
            }
        }
    }
}

fn component_label(lang: Lang, c: &puskesos_domain::rules::Component) -> &str {
    match lang {
        Lang::Id => &c.name_id,
        Lang::En => &c.name_en,
    }
}

fn component_name(lang: Lang, p: &Program, i: usize) -> String {
    p.components
        .get(i)
        .map(|c| match lang {
            Lang::Id => c.name_id.clone(),
            Lang::En => c.name_en.clone(),
        })
        .unwrap_or_default()
}

fn summary_decile(d: Option<i64>) -> String {
    d.map_or_else(|| "—".to_string(), |d| d.to_string())
}

/// A village's gaps per program, each count a link to its list. `q` keeps a district account's
/// village on the links.
/// "What does this mean?": links to the glossary's entries for the terms a page uses.
pub fn glossary_links(lang: Lang, terms: &[&str]) -> Markup {
    html! {
        p.help {
            (tr(lang, "gloss-what", &[])) " "
            @for (i, term) in terms.iter().enumerate() {
                @if i > 0 { " · " }
                a href=(format!("/istilah#{term}")) { (tr(lang, &format!("gloss-{term}"), &[])) }
            }
        }
    }
}

pub fn overview_page(
    lang: Lang,
    user: CurrentUser,
    village: &str,
    q: &str,
    o: &Overview,
) -> Response {
    let t = |k: &str| tr(lang, k, &[]);
    let (assessor, by, assessed) = (&o.assessor, &o.by, o.assessed);
    let gaps = puskesos_domain::rules::LISTED_GAPS;
    Page::new(lang, &t("web-eligibility"))
        .user(Some(user))
        .body(html! {
            h2 { (t("web-eligibility")) }
            p { (region_full_name(village)) " · " (tr(lang, "web-assessed-families", &[("count", &format_int(lang, assessed))])) }
            @if let Some(on) = o.on {
                p.assessed-on { (tr(lang, "web-assessed-on", &[("date", &indonesian_date(&on.to_string()))])) }
            }
            p { (t("web-rules-in-force")) ": " (program_names(lang, &assessor.rules)) }
            (glossary_links(lang, &["eksklusi", "inklusi", "desil", "dtsen"]))
            div.table-wrap {
                table.gaps {
                    thead { tr {
                        th scope="col" { (t("web-program")) }
                        @for g in gaps { th scope="col" { (t(&format!("gap-{}", g.code()))) } }
                    } }
                    tbody {
                        @for prog in &assessor.rules.programs {
                            tr {
                                th scope="row" { (prog.name(lang)) }
                                @for g in gaps {
                                    @let total = by.get(&(prog.code.clone(), g)).copied().unwrap_or_default();
                                    td {
                                        a href=(format!("/kelayakan/{}/{}{}", prog.code, g.code(), q)) { (format_int(lang, total.families)) }
                                        @if g == Gap::Exclusion && total.known_amount > 0 { br; small { (format_rupiah(lang, total.known_amount)) " " (t("web-per-year")) } }
                                        @if g != Gap::Inclusion && total.unknown_amount > 0 { br; small { (tr(lang, "web-amount-unknown-families", &[("count", &format_int(lang, total.unknown_amount))])) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            details.rule-detail { summary { (t("web-detail")) } p { small { (assessor.rules.fingerprint()) } } }
            p { a href=(format!("/kelayakan/bagaimana-jika{q}")) { (t("web-whatif")) } }
        })
        .into_response()
}

/// The programs in force by their names (their codes and versions stay in the detail).
pub fn program_names(lang: Lang, rules: &puskesos_domain::rules::RuleSet) -> String {
    rules
        .programs
        .iter()
        .map(|p| p.name(lang))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A district officer's view: the exclusion errors of every village of the district side by
/// side, each village a link to its own overview.
pub fn district_page(lang: Lang, user: CurrentUser, d: &District) -> Response {
    let t = |k: &str| tr(lang, k, &[]);
    let (assessor, villages, by) = (&d.assessor, &d.villages, &d.by);
    let total = |code: &str| d.total(code);
    Page::new(lang, &t("web-eligibility"))
        .user(Some(user))
        .body(html! {
            h2 { (t("web-eligibility")) ": " (t("gap-exclusion")) }
            p { (tr(lang, "web-district-villages", &[("count", &format_int(lang, villages.len() as i64))])) }
            div.table-wrap {
                table.gaps {
                    thead { tr {
                        th scope="col" { (t("web-village")) }
                        @for prog in &assessor.rules.programs { th scope="col" { (prog.name(lang)) } }
                    } }
                    tbody {
                        tr.total {
                            th scope="row" { (t("web-total")) }
                            @for prog in &assessor.rules.programs {
                                @let (n, sum, unknown) = total(&prog.code);
                                td {
                                    (format_int(lang, n))
                                    @if sum > 0 { br; small { (format_rupiah(lang, sum)) } }
                                    @if unknown > 0 { br; small { (tr(lang, "web-amount-unknown-families", &[("count", &format_int(lang, unknown))])) } }
                                }
                            }
                        }
                        @for v in villages.iter() {
                            tr {
                                th scope="row" { a href=(format!("/kelayakan?desa={v}")) { (region_full_name(v)) } }
                                @for prog in &assessor.rules.programs {
                                    td { (format_int(lang, by.get(&(v.clone(), prog.code.clone())).map_or(0, |x| x.0))) }
                                }
                            }
                        }
                    }
                }
            }
        })
        .into_response()
}

/// One page of a gap list: `rows` holds up to one more than a page (which says there is a next
/// page).
pub fn list_page(
    lang: Lang,
    user: CurrentUser,
    (village, on): (&str, Option<chrono::NaiveDate>),
    prog: &Program,
    gap: Gap,
    page: i64,
    rows: &[GapRow],
) -> Response {
    let t = |k: &str| tr(lang, k, &[]);
    let program = &prog.code;
    let more = rows.len() as i64 > PER_PAGE;
    let q = desa_query(&user, village);
    let sep = if q.is_empty() { "?" } else { "&" };
    let base = format!("/kelayakan/{program}/{}{q}", gap.code());
    let title = format!(
        "{} · {}",
        prog.name(lang),
        t(&format!("gap-{}", gap.code()))
    );
    Page::new(lang, &title)
        .user(Some(user))
        .body(html! {
            h2 { (title) }
            p { (region_full_name(village)) " · " a href=(format!("/kelayakan{q}")) { (t("web-eligibility")) } }
            (glossary_links(lang, &[if gap == Gap::Inclusion { "inklusi" } else { "eksklusi" }, "desil"]))
            @if let Some(on) = on {
                p.assessed-on { (tr(lang, "web-assessed-on", &[("date", &indonesian_date(&on.to_string()))])) }
            }
            p.actions {
                a href=(format!("/kelayakan/{program}/{}/ekspor{q}{sep}format=xlsx", gap.code())) download { (t("web-download")) " XLSX" }
                " · "
                a href=(format!("/kelayakan/{program}/{}/ekspor{q}{sep}format=csv", gap.code())) download { (t("web-download")) " CSV" }
            }
            @if rows.is_empty() { p { (t("web-list-empty")) } }
            ol.results start=(((page - 1) * PER_PAGE + 1).to_string()) {
                @for r in rows.iter().take(PER_PAGE as usize) {
                    li {
                        a href=(format!("/keluarga/{}", r.family_id)) { "KK " (r.no_kk) }
                        " · " (r.head.clone().unwrap_or_default())
                        " · RT " (r.rt.clone().unwrap_or_default()) "/RW " (r.rw.clone().unwrap_or_default())
                        " · " (t("web-decile")) " " (summary_decile(r.desil_efektif))
                        @if !r.amount_known { " · " (t("web-amount-unknown")) }
                        @else if r.amount > 0 { " · " (format_rupiah(lang, r.amount)) " " (t("web-per-year")) }
                    }
                }
            }
            nav.pager aria-label=(t("web-pages")) {
                @if page > 1 { a href=(format!("{base}{sep}hal={}", page - 1)) { (t("web-prev")) } }
                @if more { a href=(format!("{base}{sep}hal={}", page + 1)) { (t("web-next")) } }
            }
        })
        .into_response()
}

/// The what-if form: pick a program to open its rule file, change the text and run it.
pub fn whatif_form(
    lang: Lang,
    user: &CurrentUser,
    (village, day): (&str, chrono::NaiveDate),
    programs: &[(String, String)],
    chosen: &str,
    text: &str,
    error: Option<&str>,
) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    html! {
        form.whatif-pick method="get" action="/kelayakan/bagaimana-jika" {
            @if !desa_query(user, village).is_empty() { input type="hidden" name="desa" value=(village); }
            input type="hidden" name="tanggal" value=(day.to_string());
            label for="program" { (t("web-program")) }
            select id="program" name="program" {
                @for (code, name) in programs {
                    option value=(code) selected[code == chosen] { (name) }
                }
            }
            button type="submit" { (t("web-open-rule")) }
        }
        form method="post" action="/kelayakan/bagaimana-jika" {
            input type="hidden" name="csrf" value=(user.csrf_token);
            input type="hidden" name="desa" value=(village);
            label for="tanggal" { (t("web-whatif-date")) }
            input type="date" id="tanggal" name="tanggal" value=(day.to_string());
            label for="rules" { (t("web-rule-text")) }
            @if let Some(e) = error { p.error id="rules-error" role="alert" { (e) } }
            textarea id="rules" name="rules" rows="18" spellcheck="false" aria-describedby=[error.map(|_| "rules-error")] { (text) }
            button type="submit" { (t("web-whatif-run")) }
        }
    }
}

/// The what-if page around its form: `status` for the form with an error (422), the form alone
/// or with the results of a run.
pub fn whatif_page(lang: Lang, user: &CurrentUser, status: StatusCode, body: Markup) -> Response {
    let t = |k: &str| tr(lang, k, &[]);
    (
        status,
        Page::new(lang, &t("web-whatif"))
            .user(Some(user.clone()))
            .body(html! {
                h2 { (t("web-whatif")) }
                (body)
            }),
    )
        .into_response()
}

/// The help line of a new what-if form.
pub fn whatif_help(lang: Lang, village: &str) -> Markup {
    html! { p { (region_full_name(village)) ". " (tr(lang, "web-whatif-help", &[])) } }
}

/// The results of a run: every program before and after, then the families gained and lost
/// by the changed program.
pub fn whatif_results(lang: Lang, w: &WhatIf) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    let (changes, population, code, ms) = (&w.changes, &w.population, &w.code, w.millis);
    let focus = changes.iter().find(|c| &c.program == code);
    html! {
        p role="status" { (tr(lang, "web-whatif-done", &[("families", &format_int(lang, population.len() as i64)), ("ms", &ms.to_string())])) }
        p.assessed-on { (tr(lang, "web-assessed-on", &[("date", &indonesian_date(&w.on.to_string()))])) }
        div.table-wrap {
            table.whatif {
                thead { tr {
                    th scope="col" { (t("web-program")) }
                    th scope="col" { (t("web-eligible-before")) }
                    th scope="col" { (t("web-eligible-after")) }
                    th scope="col" { (t("web-gains")) }
                    th scope="col" { (t("web-losses")) }
                    th scope="col" { (t("web-budget-before")) }
                    th scope="col" { (t("web-budget-after")) }
                } }
                tbody {
                    @for c in changes.iter() {
                        tr class=(if &c.program == code { "focus" } else { "" }) {
                            th scope="row" { (c.program) }
                            td { (format_int(lang, c.eligible_before as i64)) }
                            td { (format_int(lang, c.eligible_after as i64)) }
                            td { (format_int(lang, c.gains.len() as i64)) }
                            td { (format_int(lang, c.losses.len() as i64)) }
                            td { (format_rupiah(lang, c.budget_before)) }
                            td { (format_rupiah(lang, c.budget_after)) }
                        }
                    }
                }
            }
        }
        @if let Some(c) = focus {
            @for (key, list) in [("web-gains", &c.gains), ("web-losses", &c.losses)] {
                @if !list.is_empty() {
                    h3 { (t(key)) " (" (format_int(lang, list.len() as i64)) ")" }
                    ul.results {
                        @for i in list.iter().take(100) {
                            li { a href=(format!("/keluarga/{}", population[*i].family_id)) { "KK " (population[*i].no_kk) } }
                        }
                    }
                }
            }
        }
    }
}
