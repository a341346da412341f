//! Who should get what, in the browser (issue 4): the assessment section of the family page,
//! the gap lists per program for the review-and-analysis role (with CSV/XLSX export), and
//! what-if runs of a changed rule file that change nothing stored.

use std::collections::HashMap;
use std::time::Instant;

use axum::Extension;
use axum::extract::{Form, Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use maud::{Markup, html};
use puskesos_domain::assessment::{Met, present};
use puskesos_domain::i18n::{format_int, format_rupiah};
use puskesos_domain::model::{Person, Record};
use puskesos_domain::rules::assess::{Prepared, Summary, what_if};
use puskesos_domain::rules::facts::{DERIVED_FAMILY, DERIVED_MEMBER};
use puskesos_domain::rules::{FactRef, Gap, Outcome, RuleSet, fact_name, parse_program};
use puskesos_domain::{Lang, tr};
use puskesos_interchange::export::{Cell, table_bytes};
use puskesos_storage::assessment::{self, GapRow};
use puskesos_storage::{StorageError, registry};
use serde::Deserialize;

use crate::app::access::{CurrentUser, csrf_ok, refuse};
use crate::app::download::table_download;
use crate::app::format::region_full_name;
use crate::app::layout::{Page, error_page, lang_of};
use crate::app::scope::{desa_query, village_for};
use crate::app::{AppState, blocking};

const PER_PAGE: i64 = 25;

/// A fact's label: registry fields by their field label, derived facts by `fact-<name>`.
pub fn fact_label(lang: Lang, fact: FactRef) -> String {
    let name = fact_name(fact);
    let derived = DERIVED_FAMILY
        .iter()
        .chain(DERIVED_MEMBER)
        .any(|(n, _)| *n == name);
    if derived {
        tr(lang, &format!("fact-{name}"), &[])
    } else {
        puskesos_domain::i18n::field_label(lang, name).into_owned()
    }
}

fn outcome_key(o: Outcome) -> String {
    format!("outcome-{}", o.code())
}

/// The assessment section of a family page: deciles, Kepmensos 262, and every program with its
/// reasons, members' shares, expected yearly benefit and missing facts.
pub fn family_section(
    lang: Lang,
    rules: &RuleSet,
    prepared: &Prepared,
    summary: &Summary,
    members: &[Person],
) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    // The evaluator's member order: present members by NIK.
    let mut people: Vec<&Person> = present(members).collect();
    people.sort_by(|a, b| a.text("nik").cmp(&b.text("nik")));
    let k = &prepared.kepmensos;
    html! {
        section.assessment {
            h3 { (t("web-assessment")) }
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
            @for (p, d) in rules.programs.iter().zip(&summary.decisions) {
                @let e = p.explain(&prepared.facts);
                article class=(format!("program gap-{}", d.gap().code())) {
                    h4 { (p.name(lang)) " " span.badge { (t(&outcome_key(d.outcome))) } }
                    p {
                        (t(if d.receives { "web-receives" } else { "web-not-receiving" }))
                        @if d.gap() != Gap::None { " · " strong { (t(&format!("gap-{}", d.gap().code()))) } }
                        @if d.outcome != Outcome::NotEligible && d.amount > 0 {
                            " · " (tr(lang, "web-expected-yearly", &[("amount", &format_rupiah(lang, d.amount))]))
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
                    p.rule { (t("web-condition")) ": " code { (p.eligible.text) } " · " small { (p.file) " " (p.version) } }
                    @let facts_used = fact_values(lang, &p.eligible.refs, &prepared.facts.family);
                    @if !facts_used.is_empty() { p.facts-used { (facts_used) } }
                    @if !e.missing.is_empty() {
                        p.warning { (t("web-not-enough-data")) ": "
                            (e.missing.iter().map(|f| fact_label(lang, *f)).collect::<Vec<_>>().join(", ")) }
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

/// The family facts a condition read, with their values (`Desil ... = 3; Status rumah = Milik
/// sendiri`), so that the reason for an answer is visible.
fn fact_values(lang: Lang, refs: &[FactRef], family: &[f64]) -> String {
    let slots = puskesos_domain::rules::facts::family_slots();
    refs.iter()
        .filter(|(member, _)| !member)
        .map(|&(_, i)| {
            let v = family[i];
            let shown = if v.is_nan() {
                "?".to_string()
            } else {
                match slots[i].ty {
                    puskesos_domain::rules::facts::Ty::Code(codes) => codes
                        .get(v as usize)
                        .map(|c| {
                            puskesos_domain::i18n::code_label(lang, slots[i].name, c).into_owned()
                        })
                        .unwrap_or_default(),
                    puskesos_domain::rules::facts::Ty::Bool => {
                        tr(lang, if v == 1.0 { "web-yes" } else { "web-no" }, &[])
                    }
                    _ => puskesos_domain::model::format_num(v),
                }
            };
            format!("{} = {shown}", fact_label(lang, (false, i)))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn component_name(lang: Lang, p: &puskesos_domain::rules::Program, i: usize) -> String {
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

#[derive(Deserialize, Default)]
pub struct GapParams {
    desa: Option<String>,
    hal: Option<i64>,
    format: Option<String>,
}

/// Counts and sums of every program's gaps in a village, with links to the lists.
pub async fn overview(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    Query(p): Query<GapParams>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let t = |k: &str| tr(lang, k, &[]);
    let Some(village) = village_for(&user, p.desa.as_deref()) else {
        if p.desa.is_none() {
            return district(state, lang, user).await;
        }
        return refuse(StatusCode::NOT_FOUND, "web-choose-village", lang, false);
    };
    let db = state.db.clone();
    let rules = state.rules.clone();
    let v = village.clone();
    let loaded = blocking(move || {
        let assessor = rules.assessor()?;
        let mut conn = db.conn()?;
        let summary = assessment::gap_summary(&mut conn, &v)?;
        let assessed = conn.query_i64(
            "SELECT COUNT(*) FROM assessments WHERE kode_wilayah = $1",
            &[v.as_str().into()],
        )?;
        Ok((assessor, summary, assessed))
    })
    .await;
    let Ok((assessor, summary, assessed)) = loaded else {
        return error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error");
    };
    let by: HashMap<(String, Gap), (i64, i64)> = summary
        .into_iter()
        .map(|(p, g, n, s)| ((p, g), (n, s)))
        .collect();
    let q = desa_query(&user, &village);
    let gaps = [Gap::Exclusion, Gap::Inclusion, Gap::Undecided];
    Page::new(lang, &t("web-eligibility"))
        .user(Some(user.clone()))
        .body(html! {
            h2 { (t("web-eligibility")) }
            p { (region_full_name(&village)) " · " (tr(lang, "web-assessed-families", &[("count", &format_int(lang, assessed))])) }
            p { (t("web-rules-in-force")) ": " (assessor.rules.fingerprint()) }
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
                                    @let (n, sum) = by.get(&(prog.code.clone(), g)).copied().unwrap_or((0, 0));
                                    td {
                                        a href=(format!("/kelayakan/{}/{}{}", prog.code, g.code(), q)) { (format_int(lang, n)) }
                                        @if g == Gap::Exclusion && sum > 0 { br; small { (format_rupiah(lang, sum)) " " (t("web-per-year")) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            p { a href=(format!("/kelayakan/bagaimana-jika{q}")) { (t("web-whatif")) } }
        })
        .into_response()
}

/// A district officer's view: the exclusion errors of every village of the district side by
/// side, each village a link to its own overview.
async fn district(state: AppState, lang: Lang, user: CurrentUser) -> Response {
    let t = |k: &str| tr(lang, k, &[]);
    let prefix = user.reach.prefix().map(str::to_string);
    let db = state.db.clone();
    let rules = state.rules.clone();
    let loaded = blocking(move || {
        let assessor = rules.assessor()?;
        let mut conn = db.conn()?;
        Ok((
            assessor,
            assessment::district_gap_summary(&mut conn, prefix.as_deref())?,
        ))
    })
    .await;
    let Ok((assessor, rows)) = loaded else {
        return error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error");
    };
    let mut villages: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    villages.dedup();
    let by: HashMap<(String, String), (i64, i64)> = rows
        .into_iter()
        .filter(|r| r.2 == Gap::Exclusion)
        .map(|(v, p, _, n, s)| ((v, p), (n, s)))
        .collect();
    let total = |code: &str| -> (i64, i64) {
        by.iter()
            .filter(|((_, p), _)| p == code)
            .fold((0, 0), |(n, s), (_, (a, b))| (n + a, s + b))
    };
    Page::new(lang, &t("web-eligibility"))
        .user(Some(user.clone()))
        .body(html! {
            h2 { (t("web-eligibility")) ": " (t("gap-exclusion")) }
            p { (tr(lang, "web-district-villages", &[("count", &format_int(lang, villages.len() as i64))])) }
            div.table-wrap {
                table.gaps {
                    thead { tr {
                        th scope="col" { (t("web-village")) }
                        @for prog in &assessor.rules.programs { th scope="col" { (prog.code) } }
                    } }
                    tbody {
                        tr.total {
                            th scope="row" { (t("web-total")) }
                            @for prog in &assessor.rules.programs {
                                @let (n, sum) = total(&prog.code);
                                td { (format_int(lang, n)) @if sum > 0 { br; small { (format_rupiah(lang, sum)) } } }
                            }
                        }
                        @for v in &villages {
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

fn gap_of(code: &str) -> Option<Gap> {
    Gap::parse(code).filter(|g| *g != Gap::None)
}

async fn load_list(
    state: &AppState,
    village: String,
    program: String,
    gap: Gap,
    limit: i64,
    offset: i64,
) -> Result<Vec<GapRow>, StorageError> {
    let db = state.db.clone();
    blocking(move || {
        let mut conn = db.conn()?;
        assessment::gap_list(&mut conn, &village, &program, gap, limit, offset)
    })
    .await
}

/// One program's families with one kind of gap, paged.
pub async fn list(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    Path((program, gap)): Path<(String, String)>,
    Query(p): Query<GapParams>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let t = |k: &str| tr(lang, k, &[]);
    let (Some(village), Some(gap)) = (village_for(&user, p.desa.as_deref()), gap_of(&gap)) else {
        return error_page(StatusCode::NOT_FOUND, lang, "web-not-found");
    };
    let Ok(assessor) = state.rules.assessor() else {
        return error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error");
    };
    let Some(prog) = assessor.rules.programs.iter().find(|x| x.code == program) else {
        return error_page(StatusCode::NOT_FOUND, lang, "web-not-found");
    };
    let page = p.hal.unwrap_or(1).clamp(1, 100_000);
    let rows = match load_list(
        &state,
        village.clone(),
        program.clone(),
        gap,
        PER_PAGE + 1,
        (page - 1) * PER_PAGE,
    )
    .await
    {
        Ok(r) => r,
        Err(_) => return error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error"),
    };
    let more = rows.len() as i64 > PER_PAGE;
    let q = desa_query(&user, &village);
    let sep = if q.is_empty() { "?" } else { "&" };
    let base = format!("/kelayakan/{program}/{}{q}", gap.code());
    let title = format!(
        "{} · {}",
        prog.name(lang),
        t(&format!("gap-{}", gap.code()))
    );
    Page::new(lang, &title)
        .user(Some(user.clone()))
        .body(html! {
            h2 { (title) }
            p { (region_full_name(&village)) " · " a href=(format!("/kelayakan{q}")) { (t("web-eligibility")) } }
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
                        @if r.amount > 0 { " · " (format_rupiah(lang, r.amount)) " " (t("web-per-year")) }
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

/// The whole list as CSV or XLSX; recorded in the audit log (it names families).
pub async fn export(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    Path((program, gap)): Path<(String, String)>,
    Query(p): Query<GapParams>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let t = |k: &str| tr(lang, k, &[]);
    let (Some(village), Some(gap)) = (village_for(&user, p.desa.as_deref()), gap_of(&gap)) else {
        return error_page(StatusCode::NOT_FOUND, lang, "web-not-found");
    };
    let rows = match load_list(&state, village.clone(), program.clone(), gap, 1_000_000, 0).await {
        Ok(r) => r,
        Err(_) => return error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error"),
    };
    let header: Vec<String> = [
        "field-no_kk",
        "web-head-of-family",
        "field-alamat",
        "field-rt",
        "field-rw",
        "web-decile",
        "web-amount-yearly",
    ]
    .iter()
    .map(|k| t(k))
    .collect();
    let cells: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| {
            vec![
                Cell::Text(r.no_kk.clone()),
                Cell::Text(r.head.clone().unwrap_or_default()),
                Cell::Text(r.alamat.clone().unwrap_or_default()),
                Cell::Text(r.rt.clone().unwrap_or_default()),
                Cell::Text(r.rw.clone().unwrap_or_default()),
                r.desil_efektif.map_or(Cell::Text(String::new()), Cell::Int),
                Cell::Int(r.amount),
            ]
        })
        .collect();
    let xlsx = p.format.as_deref() != Some("csv");
    let Ok(bytes) = table_bytes(xlsx, &program, &header, &cells) else {
        return error_page(StatusCode::INTERNAL_SERVER_ERROR, lang, "web-db-error");
    };
    let db = state.db.clone();
    let actor = format!("user:{}", user.account.username);
    let (v, what) = (village.clone(), format!("{program}/{}", gap.code()));
    let n = rows.len();
    if blocking(move || {
        let mut conn = db.conn()?;
        registry::audit(
            &mut conn,
            &v,
            &actor,
            "export",
            "gap_list",
            &what,
            Some(&format!("rows={n}")),
        )
    })
    .await
    .is_err()
    {
        // No record, no export: the processing record is the condition of the download.
        return error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error");
    }
    table_download(
        xlsx,
        &format!("{program}-{}-{}", gap.code(), village.replace('.', "")),
        bytes,
    )
}

#[derive(Deserialize, Default)]
pub struct WhatIfParams {
    desa: Option<String>,
    program: Option<String>,
}

/// The source text of the program file in force for `code`.
fn current_source(state: &AppState, code: &str) -> Option<String> {
    let files = puskesos_interchange::rules::program_files(state.rules.dir.as_deref()).ok()?;
    files
        .into_iter()
        .rev()
        .find(|(name, text)| parse_program(name, text).is_ok_and(|p| p.code == code))
        .map(|(_, text)| text)
}

fn whatif_form(
    lang: Lang,
    user: &CurrentUser,
    village: &str,
    programs: &[(String, String)],
    chosen: &str,
    text: &str,
    error: Option<&str>,
) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    html! {
        form.whatif-pick method="get" action="/kelayakan/bagaimana-jika" {
            @if !desa_query(user, village).is_empty() { input type="hidden" name="desa" value=(village); }
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
            label for="rules" { (t("web-rule-text")) }
            @if let Some(e) = error { p.error id="rules-error" role="alert" { (e) } }
            textarea id="rules" name="rules" rows="18" spellcheck="false" aria-describedby=[error.map(|_| "rules-error")] { (text) }
            button type="submit" { (t("web-whatif-run")) }
        }
    }
}

/// The what-if form, with the current rule file of a program to change.
pub async fn whatif_page(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    Query(p): Query<WhatIfParams>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let t = |k: &str| tr(lang, k, &[]);
    let Some(village) = village_for(&user, p.desa.as_deref()) else {
        return refuse(StatusCode::NOT_FOUND, "web-choose-village", lang, false);
    };
    let Ok(assessor) = state.rules.assessor() else {
        return error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error");
    };
    let programs: Vec<(String, String)> = assessor
        .rules
        .programs
        .iter()
        .map(|p| (p.code.clone(), p.name(lang).to_string()))
        .collect();
    let chosen = p
        .program
        .filter(|c| programs.iter().any(|(code, _)| code == c))
        .or_else(|| programs.first().map(|(c, _)| c.clone()))
        .unwrap_or_default();
    let text = current_source(&state, &chosen).unwrap_or_default();
    Page::new(lang, &t("web-whatif"))
        .user(Some(user.clone()))
        .body(html! {
            h2 { (t("web-whatif")) }
            p { (region_full_name(&village)) ". " (t("web-whatif-help")) }
            (whatif_form(lang, &user, &village, &programs, &chosen, &text, None))
        })
        .into_response()
}

/// Runs the changed rule file against the village and shows gains, losses and budgets.
pub async fn whatif_run(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let t = |k: &str| tr(lang, k, &[]);
    if !csrf_ok(&user, form.get("csrf").map(String::as_str).unwrap_or("")) {
        return refuse(StatusCode::FORBIDDEN, "web-csrf", lang, false);
    }
    let Some(village) = village_for(&user, form.get("desa").map(String::as_str)) else {
        return refuse(StatusCode::NOT_FOUND, "web-choose-village", lang, false);
    };
    let text = form.get("rules").cloned().unwrap_or_default();
    let Ok(assessor) = state.rules.assessor() else {
        return error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error");
    };
    let programs: Vec<(String, String)> = assessor
        .rules
        .programs
        .iter()
        .map(|p| (p.code.clone(), p.name(lang).to_string()))
        .collect();
    let label = t("web-rule-text");
    let changed = match parse_program(&label, &text) {
        Ok(p) => p,
        Err(e) => {
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                Page::new(lang, &t("web-whatif")).user(Some(user.clone())).body(html! {
                    h2 { (t("web-whatif")) }
                    (whatif_form(lang, &user, &village, &programs, "", &text, Some(&e.render(lang))))
                }),
            )
                .into_response();
        }
    };
    let code = changed.code.clone();
    let mut files = match puskesos_interchange::rules::program_files(state.rules.dir.as_deref()) {
        Ok(f) => f,
        Err(_) => return error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error"),
    };
    files.push((label.clone(), text.clone()));
    let changed_set = match RuleSet::from_files(&files, assessor.on) {
        Ok(s) => s,
        Err(e) => {
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                Page::new(lang, &t("web-whatif")).user(Some(user.clone())).body(html! {
                    h2 { (t("web-whatif")) }
                    (whatif_form(lang, &user, &village, &programs, &code, &text, Some(&e.render(lang))))
                }),
            )
                .into_response();
        }
    };
    let db = state.db.clone();
    let v = village.clone();
    let a = assessor.clone();
    let start = Instant::now();
    let result = blocking(move || {
        let mut population = assessment::prepare_village(&db, &a, &v)?;
        let (_, base) = a.assess_population(&mut population);
        let changes = what_if(&changed_set, &a.rules, &population, &base);
        Ok((changes, population))
    })
    .await;
    let Ok((changes, population)) = result else {
        return error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error");
    };
    let ms = start.elapsed().as_millis();
    let focus = changes.iter().find(|c| c.program == code);
    Page::new(lang, &t("web-whatif"))
        .user(Some(user.clone()))
        .body(html! {
            h2 { (t("web-whatif")) }
            p role="status" { (tr(lang, "web-whatif-done", &[("families", &format_int(lang, population.len() as i64)), ("ms", &ms.to_string())])) }
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
                        @for c in &changes {
                            tr class=(if c.program == code { "focus" } else { "" }) {
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
            (whatif_form(lang, &user, &village, &programs, &code, &text, None))
        })
        .into_response()
}
