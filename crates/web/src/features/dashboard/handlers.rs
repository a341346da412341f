//! The data and information centre in the browser (issue 6): the village dashboard with its
//! RT/RW and period filters, the district roll-up (villages side by side, ranked, drilling down
//! to a village), the monthly report to the Dinas Sosial (page, PDF, XLSX), and the exports of
//! every table behind a chart. Aggregates only: no page here names a person.

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use chrono::NaiveDate;
use maud::{Markup, html};
use puskesos_domain::figures::AGE_BANDS;
use puskesos_domain::i18n::{format_int, format_rupiah};
use puskesos_domain::rules::RuleSet;
use puskesos_domain::wilayah::{KodeWilayah, Level};
use puskesos_domain::{Lang, tr};
use puskesos_interchange::export::{Cell, Sheet, table_bytes, workbook_bytes};
use puskesos_storage::figures::{self, Dashboard, Filter, Monthly, VillageRollup};
use serde::Deserialize;

use crate::app::access::{CurrentUser, refuse};
use crate::app::download::{download, table_download};
use crate::app::format::region_name;
use crate::app::layout::{Page, error_page, lang_of};
use crate::app::pdf::{Doc, Paper};
use crate::app::scope::{desa_query, village_for};
use crate::app::{AppState, blocking};
use crate::features::dashboard::charts;
use crate::features::dashboard::charts::{Chart, Figure};

/// Query of the dashboard pages and their exports.
#[derive(Debug, Default, Deserialize)]
pub struct Params {
    pub desa: Option<String>,
    pub rw: Option<String>,
    pub rt: Option<String>,
    pub dari: Option<String>,
    pub sampai: Option<String>,
    pub format: Option<String>,
    pub urut: Option<String>,
    pub bulan: Option<String>,
}

impl Params {
    /// The value given for a filter field (for the error that names it).
    fn given(&self, field: &str) -> Option<&str> {
        non_empty(match field {
            "rw" => &self.rw,
            "rt" => &self.rt,
            "dari" => &self.dari,
            "sampai" => &self.sampai,
            _ => &self.bulan,
        })
    }
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The filter asked for, or the name of the field whose value is wrong.
fn filter_of(p: &Params) -> Result<Filter, &'static str> {
    let date = |s: &Option<String>, field| match non_empty(s) {
        None => Ok(None),
        Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| field),
    };
    let code = |s: &Option<String>, field| match non_empty(s) {
        None => Ok(None),
        Some(v) if v.len() <= 3 && v.chars().all(|c| c.is_ascii_digit()) => {
            Ok(Some(format!("{:0>3}", v)))
        }
        Some(_) => Err(field),
    };
    let f = Filter {
        rw: code(&p.rw, "rw")?,
        rt: code(&p.rt, "rt")?,
        from: date(&p.dari, "dari")?,
        to: date(&p.sampai, "sampai")?,
    };
    if let (Some(a), Some(b)) = (f.from, f.to)
        && a > b
    {
        return Err("sampai");
    }
    Ok(f)
}

/// The query that keeps the filter (and a district account's village) on links.
fn keep_query(p: &Params, village: Option<&str>) -> String {
    let mut q = String::new();
    for (k, v) in [
        ("desa", village.map(str::to_string)),
        ("rw", non_empty(&p.rw).map(str::to_string)),
        ("rt", non_empty(&p.rt).map(str::to_string)),
        ("dari", non_empty(&p.dari).map(str::to_string)),
        ("sampai", non_empty(&p.sampai).map(str::to_string)),
    ] {
        if let Some(v) = v {
            q.push_str(&format!("&{k}={v}"));
        }
    }
    q
}

fn permille(lang: Lang, p: Option<i64>) -> String {
    match p {
        Some(p) => format!(
            "{}{}{} %",
            p / 10,
            if lang == Lang::Id { "," } else { "." },
            p % 10
        ),
        None => "–".into(),
    }
}

fn days(lang: Lang, d: Option<f64>) -> String {
    match d {
        Some(d) => {
            let s = format!("{d:.1}");
            if lang == Lang::Id {
                s.replace('.', ",")
            } else {
                s
            }
        }
        None => "–".into(),
    }
}

/// The figures of a village's dashboard. `public` keeps only what the information board may
/// show, with small counts suppressed.
pub fn village_figures(lang: Lang, rules: &RuleSet, d: &Dashboard, public: bool) -> Vec<Figure> {
    let t = |k: &str| tr(lang, k, &[]);
    let n = |v: i64| {
        if public {
            charts::public_cell(v)
        } else {
            Cell::Int(v)
        }
    };
    let mut out = Vec::new();
    let mut rows: Vec<Vec<Cell>> = AGE_BANDS
        .iter()
        .zip(&d.age_sex)
        .map(|((band, ..), [m, w, u])| {
            vec![
                Cell::Text(band.to_string()),
                n(*m),
                n(*w),
                n(*u),
                n(m + w + u),
            ]
        })
        .collect();
    if d.age_unknown > 0 {
        rows.push(vec![
            Cell::Text(t("fig-age-unknown")),
            Cell::Int(0),
            Cell::Int(0),
            n(d.age_unknown),
            n(d.age_unknown),
        ]);
    }
    out.push(Figure {
        name: "penduduk",
        title: t("fig-population"),
        note: Some(tr(
            lang,
            "fig-population-note",
            &[
                ("people", &format_int(lang, d.people)),
                ("families", &format_int(lang, d.families)),
            ],
        )),
        header: vec![
            t("fig-age"),
            t("fig-men"),
            t("fig-women"),
            t("fig-sex-unknown"),
            t("web-total"),
        ],
        rows,
        chart: Chart::Pyramid { left: 1, right: 2 },
    });
    out.push(Figure {
        name: "ppks",
        title: t("fig-ppks"),
        note: Some(t("fig-ppks-note")),
        header: vec![t("fig-category"), t("fig-count"), t("fig-unit")],
        rows: d
            .ppks
            .iter()
            .map(|(c, v)| {
                vec![
                    Cell::Text(t(&format!("ppks-{}", c.code()))),
                    n(*v),
                    Cell::Text(t(if c.counts_families() {
                        "fig-unit-families"
                    } else {
                        "fig-unit-people"
                    })),
                ]
            })
            .collect(),
        chart: Chart::Bars { col: 1 },
    });
    if public {
        out.push(Figure {
            name: "program",
            title: t("fig-recipients"),
            note: Some(t("fig-recipients-note")),
            header: vec![t("web-program"), t("fig-receiving")],
            rows: rules
                .programs
                .iter()
                .map(|p| {
                    let r = d
                        .programs
                        .iter()
                        .find(|x| x.program == p.code)
                        .map_or(0, |x| x.receiving);
                    vec![Cell::Text(p.name(lang).to_string()), n(r)]
                })
                .collect(),
            chart: Chart::Bars { col: 1 },
        });
        return out;
    }
    let mut deciles: Vec<Vec<Cell>> = (1..=10)
        .map(|i| {
            vec![
                Cell::Text(tr(lang, "fig-decile", &[("n", &i.to_string())])),
                Cell::Int(d.deciles[i]),
            ]
        })
        .collect();
    deciles.push(vec![
        Cell::Text(t("fig-decile-unknown")),
        Cell::Int(d.deciles[0]),
    ]);
    out.push(Figure {
        name: "desil",
        title: t("fig-deciles"),
        note: Some(t("fig-deciles-note")),
        header: vec![t("fig-decile-col"), t("fig-families")],
        rows: deciles,
        chart: Chart::Bars { col: 1 },
    });
    out.push(Figure {
        name: "program",
        title: t("fig-programs"),
        note: Some(tr(
            lang,
            "fig-programs-note",
            &[("assessed", &format_int(lang, d.assessed))],
        )),
        header: vec![
            t("web-program"),
            t("fig-covered"),
            t("gap-exclusion"),
            t("gap-inclusion"),
            t("gap-undecided"),
            t("fig-eligible"),
            t("fig-receiving"),
            t("fig-coverage"),
            t("fig-exclusion-rupiah"),
        ],
        rows: rules
            .programs
            .iter()
            .filter_map(|p| {
                let x = d.programs.iter().find(|x| x.program == p.code)?;
                Some(vec![
                    Cell::Text(p.name(lang).to_string()),
                    Cell::Int(x.covered),
                    Cell::Int(x.exclusion),
                    Cell::Int(x.inclusion),
                    Cell::Int(x.undecided),
                    Cell::Int(x.eligible),
                    Cell::Int(x.receiving),
                    Cell::Text(permille(lang, x.coverage_permille())),
                    Cell::Int(d.exclusion_amount.get(&p.code).copied().unwrap_or(0)),
                ])
            })
            .collect(),
        chart: Chart::Stacked {
            cols: vec![(1, "b0"), (2, "b2"), (3, "b3")],
        },
    });
    out.extend(work_figures(lang, &d.cases, &d.referrals, &d.complaints));
    out
}

/// Cases, referrals and complaints: shared by the dashboard and the monthly report.
fn work_figures(
    lang: Lang,
    cases: &figures::CaseFigures,
    referrals: &figures::ReferralFigures,
    complaints: &[figures::ComplaintRow],
) -> Vec<Figure> {
    let t = |k: &str| tr(lang, k, &[]);
    let mut out = Vec::new();
    let mut rows: Vec<Vec<Cell>> = cases
        .by_sector
        .iter()
        .map(|s| {
            vec![
                Cell::Text(t(&format!("sector-{}", s.sector))),
                Cell::Int(s.opened),
                Cell::Int(s.open),
                Cell::Int(s.closed),
                Cell::Int(s.refused),
            ]
        })
        .collect();
    rows.push(vec![
        Cell::Text(t("web-total")),
        Cell::Int(cases.opened),
        Cell::Int(cases.open),
        Cell::Int(cases.closed),
        Cell::Int(cases.refused),
    ]);
    out.push(Figure {
        name: "kasus",
        title: t("fig-cases"),
        note: Some(tr(
            lang,
            "fig-cases-note",
            &[("days", &days(lang, cases.median_days_to_close))],
        )),
        header: vec![
            t("fig-sector"),
            t("fig-opened"),
            t("fig-open"),
            t("fig-closed"),
            t("fig-refused"),
        ],
        rows,
        chart: Chart::Stacked {
            cols: vec![(2, "b3"), (3, "b0"), (4, "b4")],
        },
    });
    let statuses = ["dikirim", "diterima", "ditolak", "selesai"];
    let mut sectors: Vec<&str> = referrals
        .by_sector_status
        .keys()
        .map(|(s, _)| s.as_str())
        .collect();
    sectors.dedup();
    let mut header = vec![t("fig-sector")];
    header.extend(statuses.iter().map(|s| t(&format!("referral-{s}"))));
    out.push(Figure {
        name: "rujukan",
        title: t("fig-referrals"),
        note: Some(tr(
            lang,
            "fig-referrals-note",
            &[
                ("sent", &format_int(lang, referrals.sent)),
                ("overdue", &format_int(lang, referrals.overdue)),
                ("days", &days(lang, referrals.median_days_to_answer)),
            ],
        )),
        header,
        rows: sectors
            .iter()
            .map(|sector| {
                let mut row = vec![Cell::Text(t(&format!("sector-{sector}")))];
                row.extend(statuses.iter().map(|st| {
                    Cell::Int(
                        referrals
                            .by_sector_status
                            .get(&(sector.to_string(), st.to_string()))
                            .copied()
                            .unwrap_or(0),
                    )
                }));
                row
            })
            .collect(),
        chart: Chart::Stacked {
            cols: vec![(1, "b3"), (2, "b1"), (3, "b4"), (4, "b0")],
        },
    });
    out.push(Figure {
        name: "pengaduan",
        title: t("fig-complaints"),
        note: Some(t("fig-complaints-note")),
        header: vec![
            t("fig-category"),
            t("fig-received"),
            t("fig-resolved"),
            t("fig-open"),
            t("fig-overdue"),
            t("fig-median-days"),
        ],
        rows: complaints
            .iter()
            .map(|c| {
                vec![
                    Cell::Text(t(&format!("category-{}", c.category))),
                    Cell::Int(c.opened),
                    Cell::Int(c.resolved),
                    Cell::Int(c.open),
                    Cell::Int(c.overdue),
                    Cell::Text(days(lang, c.median_days_to_resolve)),
                ]
            })
            .collect(),
        chart: Chart::Stacked {
            cols: vec![(2, "b0"), (3, "b3")],
        },
    });
    out
}

/// A filter value that cannot be read: 422 naming the field and the value given.
fn bad_value(lang: Lang, field: &str, value: Option<&str>) -> Response {
    let msg = tr(
        lang,
        "fig-bad-filter",
        &[
            ("field", &tr(lang, &format!("fig-field-{field}"), &[])),
            ("value", value.unwrap_or("")),
        ],
    );
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Page::new(lang, &msg).body(html! { section { h2 { (msg) } p { a href="/dasbor" { (tr(lang, "fig-dashboard", &[])) } } } }),
    )
        .into_response()
}

/// Loads a village's dashboard.
async fn load(
    state: &AppState,
    lang: Lang,
    village: &str,
    filter: Filter,
) -> Result<
    (
        std::sync::Arc<puskesos_domain::rules::assess::Assessor>,
        Dashboard,
    ),
    Response,
> {
    let (db, rules, v) = (state.db.clone(), state.rules.clone(), village.to_string());
    blocking(move || {
        let assessor = rules.assessor()?;
        let d = figures::village(&mut db.conn()?, &assessor, &v, &filter, figures::today())?;
        Ok((assessor, d))
    })
    .await
    .map_err(|_| error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error"))
}

/// `GET /dasbor`: a village's dashboard; for a district account without `desa`, the roll-up.
pub async fn page(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    Query(p): Query<Params>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let t = |k: &str| tr(lang, k, &[]);
    let Some(village) = village_for(&user, non_empty(&p.desa)) else {
        if non_empty(&p.desa).is_none() {
            return rollup_page(state, lang, user, p).await;
        }
        return refuse(StatusCode::NOT_FOUND, "web-choose-village", lang, false);
    };
    let filter = match filter_of(&p) {
        Ok(f) => f,
        Err(field) => return bad_value(lang, field, p.given(field)),
    };
    let (assessor, d) = match load(&state, lang, &village, filter.clone()).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    // A district account keeps its village on every link; a village account needs none.
    let district = !desa_query(&user, &village).is_empty();
    let q = keep_query(&p, district.then_some(village.as_str()));
    let figures = village_figures(lang, &assessor.rules, &d, false);
    let totals = [
        (t("fig-families"), format_int(lang, d.families)),
        (t("fig-people"), format_int(lang, d.people)),
        (t("fig-cases-open"), format_int(lang, d.cases.open)),
        (
            t("fig-referrals-overdue"),
            format_int(lang, d.referrals.overdue),
        ),
        (
            t("fig-complaints-open"),
            format_int(lang, d.complaints.iter().map(|c| c.open).sum()),
        ),
    ];
    Page::new(lang, &t("fig-dashboard"))
        .user(Some(user.clone()))
        .body(html! {
            h2 { (t("fig-dashboard")) ": " (region_name(&village)) }
            @if district { p { a href="/dasbor" { "← " (t("fig-rollup")) } } }
            (filter_form(lang, &p, district.then_some(village.as_str())))
            @if filter.rw.is_some() || filter.rt.is_some() { p.note { (t("fig-area-note")) } }
            ul.totals {
                @for (label, value) in &totals { li { strong { (value) } " " (label) } }
            }
            p {
                a href=(format!("/laporan?{}", q.trim_start_matches('&'))) { (t("fig-monthly")) }
                " · "
                a href=(format!("/papan/{village}")) { (t("fig-board")) }
            }
            @for f in &figures { (charts::section(lang, f, Some(&q))) }
            p.note { (tr(lang, "fig-as-of", &[("day", &d.today.to_string())])) }
        })
        .into_response()
}

fn filter_form(lang: Lang, p: &Params, village: Option<&str>) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    html! {
        form.filters method="get" action="/dasbor" {
            @if let Some(v) = village { input type="hidden" name="desa" value=(v); }
            div.row {
                div { label for="rw" { "RW" } input #rw name="rw" inputmode="numeric" maxlength="3" value=(non_empty(&p.rw).unwrap_or("")); }
                div { label for="rt" { "RT" } input #rt name="rt" inputmode="numeric" maxlength="3" value=(non_empty(&p.rt).unwrap_or("")); }
            }
            div.row {
                div { label for="dari" { (t("fig-from")) } input #dari type="date" name="dari" value=(non_empty(&p.dari).unwrap_or("")); }
                div { label for="sampai" { (t("fig-to")) } input #sampai type="date" name="sampai" value=(non_empty(&p.sampai).unwrap_or("")); }
            }
            button type="submit" { (t("fig-apply")) }
        }
    }
}

/// The roll-up's rows for the accounts' district, ranked as asked.
fn rollup_rows(lang: Lang, rows: &[VillageRollup], sort: &str) -> Vec<Vec<Cell>> {
    let mut sorted: Vec<&VillageRollup> = rows.iter().collect();
    match sort {
        "eksklusi" => sorted.sort_by_key(|r| std::cmp::Reverse(r.exclusion())),
        "rujukan" => sorted.sort_by_key(|r| std::cmp::Reverse(r.overdue_referrals)),
        "pengaduan" => sorted.sort_by_key(|r| std::cmp::Reverse(r.open_complaints)),
        // Lowest coverage first: where the most eligible families are missed.
        _ => sorted.sort_by_key(|r| r.coverage_permille().unwrap_or(1000)),
    }
    sorted
        .into_iter()
        .map(|r| {
            let kec = KodeWilayah::parse(&r.village)
                .and_then(|k| k.parent())
                .map(|k| region_name(k.as_str()))
                .unwrap_or_default();
            vec![
                Cell::Text(region_name(&r.village)),
                Cell::Text(kec),
                Cell::Text(r.village.clone()),
                Cell::Int(r.families),
                Cell::Text(permille(lang, r.coverage_permille())),
                Cell::Int(r.exclusion()),
                Cell::Int(r.inclusion()),
                Cell::Int(r.exclusion_amount),
                Cell::Int(r.open_cases),
                Cell::Int(r.overdue_referrals),
                Cell::Int(r.open_complaints),
                Cell::Int(r.overdue_complaints),
            ]
        })
        .collect()
}

fn rollup_header(lang: Lang) -> Vec<String> {
    [
        "web-village",
        "fig-kecamatan",
        "fig-code",
        "fig-families",
        "fig-coverage",
        "gap-exclusion",
        "gap-inclusion",
        "fig-exclusion-rupiah",
        "fig-cases-open",
        "fig-referrals-overdue",
        "fig-complaints-open",
        "fig-complaints-overdue",
    ]
    .iter()
    .map(|k| tr(lang, k, &[]))
    .collect()
}

/// Per kecamatan: families, coverage and exclusion, ranked by coverage (lowest first).
fn kecamatan_figure(lang: Lang, rows: &[VillageRollup]) -> Figure {
    let t = |k: &str| tr(lang, k, &[]);
    let mut by: std::collections::BTreeMap<String, (i64, i64, i64, i64)> = Default::default();
    for r in rows {
        let kec = KodeWilayah::parse(&r.village)
            .and_then(|k| k.parent())
            .map(|k| k.to_string())
            .unwrap_or_default();
        let e = by.entry(kec).or_default();
        let (el, cov) = r
            .programs
            .iter()
            .fold((0, 0), |(a, b), p| (a + p.eligible, b + p.covered));
        *e = (e.0 + r.families, e.1 + el, e.2 + cov, e.3 + r.exclusion());
    }
    let mut list: Vec<(String, (i64, i64, i64, i64))> = by.into_iter().collect();
    list.sort_by_key(|(_, (_, el, cov, _))| if *el > 0 { cov * 1000 / el } else { 1000 });
    Figure {
        name: "kecamatan",
        title: t("fig-by-kecamatan"),
        note: Some(t("fig-by-kecamatan-note")),
        header: vec![
            t("fig-kecamatan"),
            t("fig-coverage-permille"),
            t("fig-families"),
            t("gap-exclusion"),
        ],
        rows: list
            .into_iter()
            .map(|(k, (fam, el, cov, ex))| {
                vec![
                    Cell::Text(region_name(&k)),
                    Cell::Int(if el > 0 { cov * 1000 / el } else { 0 }),
                    Cell::Int(fam),
                    Cell::Int(ex),
                ]
            })
            .collect(),
        chart: Chart::Bars { col: 1 },
    }
}

async fn load_rollup(
    state: &AppState,
    lang: Lang,
    user: &CurrentUser,
) -> Result<Vec<VillageRollup>, Response> {
    let prefix = user.reach.prefix().map(str::to_string);
    let db = state.db.clone();
    blocking(move || figures::district(&mut db.conn()?, prefix.as_deref()))
        .await
        .map_err(|_| error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error"))
}

/// A coverage cell's shade: five steps from red (low) to green (high).
fn heat(permille: Option<i64>) -> &'static str {
    match permille {
        None => "heat-none",
        Some(p) if p < 500 => "heat-0",
        Some(p) if p < 650 => "heat-1",
        Some(p) if p < 800 => "heat-2",
        Some(p) if p < 900 => "heat-3",
        Some(_) => "heat-4",
    }
}

async fn rollup_page(state: AppState, lang: Lang, user: CurrentUser, p: Params) -> Response {
    let t = |k: &str| tr(lang, k, &[]);
    let rows = match load_rollup(&state, lang, &user).await {
        Ok(r) => r,
        Err(r) => return r,
    };
    let sort = non_empty(&p.urut).unwrap_or("cakupan").to_string();
    let table = rollup_rows(lang, &rows, &sort);
    let kec = kecamatan_figure(lang, &rows);
    let by_code: std::collections::HashMap<&str, &VillageRollup> =
        rows.iter().map(|r| (r.village.as_str(), r)).collect();
    let header = rollup_header(lang);
    let area = user
        .reach
        .prefix()
        .map(region_name)
        .unwrap_or_else(|| t("fig-everywhere"));
    let families: i64 = rows.iter().map(|r| r.families).sum();
    let freshest = rows.iter().map(|r| r.computed_at).min().unwrap_or(0);
    Page::new(lang, &t("fig-rollup"))
        .user(Some(user.clone()))
        .body(html! {
            h2 { (t("fig-rollup")) ": " (area) }
            ul.totals {
                li { strong { (format_int(lang, rows.len() as i64)) } " " (t("fig-villages")) }
                li { strong { (format_int(lang, families)) } " " (t("fig-families")) }
                li { strong { (format_int(lang, rows.iter().map(|r| r.overdue_referrals).sum())) } " " (t("fig-referrals-overdue")) }
                li { strong { (format_int(lang, rows.iter().map(|r| r.open_complaints).sum())) } " " (t("fig-complaints-open")) }
            }
            (charts::section(lang, &kec, Some("")))
            section.figure id="desa" {
                h3 { (t("fig-villages-ranked")) }
                p.note { (t("fig-rollup-note")) " "
                    @if freshest > 0 { (tr(lang, "fig-computed-at", &[("at", &crate::app::format::format_time(freshest))])) } }
                nav.sort aria-label=(t("fig-sort")) {
                    (t("fig-sort")) ": "
                    @for (key, label) in [("cakupan", "fig-coverage"), ("eksklusi", "gap-exclusion"), ("rujukan", "fig-referrals-overdue"), ("pengaduan", "fig-complaints-open")] {
                        @if key == sort { strong { (t(label)) } } @else { a href=(format!("/dasbor?urut={key}")) { (t(label)) } }
                        " "
                    }
                }
                div.table-wrap {
                    table.gaps.rollup {
                        thead { tr { @for h in &header { th scope="col" { (h) } } } }
                        tbody {
                            @for r in &table {
                                @let code = match &r[2] { Cell::Text(s) => s.as_str(), Cell::Int(_) => "" };
                                @let cov = by_code.get(code).and_then(|v| v.coverage_permille());
                                tr {
                                    th scope="row" { a href=(format!("/dasbor?desa={code}")) { (match &r[0] { Cell::Text(s) => s.as_str(), _ => "" }) } }
                                    @for (i, c) in r.iter().enumerate().skip(1) {
                                        @let text = match c { Cell::Text(s) => s.clone(), Cell::Int(n) => if i == 7 { format_rupiah(lang, *n) } else { format_int(lang, *n) } };
                                        @if i == 4 { td class=(heat(cov)) { (text) } } @else { td.num { (text) } }
                                    }
                                }
                            }
                        }
                    }
                }
                p.downloads {
                    a href=(format!("/dasbor/tabel/kabupaten?format=csv&urut={sort}")) { "CSV" }
                    " · "
                    a href=(format!("/dasbor/tabel/kabupaten?format=xlsx&urut={sort}")) { "XLSX" }
                }
            }
        })
        .into_response()
}

/// `GET /dasbor/tabel/{name}`: the table behind a chart as CSV or XLSX.
pub async fn export(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    Path(name): Path<String>,
    Query(p): Query<Params>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let xlsx = non_empty(&p.format) == Some("xlsx");
    let village = village_for(&user, non_empty(&p.desa));
    if village.is_none() && (name == "kabupaten" || name == "kecamatan") {
        let rows = match load_rollup(&state, lang, &user).await {
            Ok(r) => r,
            Err(r) => return r,
        };
        let (header, table) = if name == "kabupaten" {
            (
                rollup_header(lang),
                rollup_rows(lang, &rows, non_empty(&p.urut).unwrap_or("cakupan")),
            )
        } else {
            let f = kecamatan_figure(lang, &rows);
            (f.header, f.rows)
        };
        return match table_bytes(xlsx, &name, &header, &table) {
            Ok(bytes) => table_download(xlsx, &format!("rekap-{name}"), bytes),
            Err(_) => error_page(StatusCode::INTERNAL_SERVER_ERROR, lang, "web-db-error"),
        };
    }
    let Some(village) = village else {
        return refuse(StatusCode::NOT_FOUND, "web-choose-village", lang, false);
    };
    let filter = match filter_of(&p) {
        Ok(f) => f,
        Err(field) => return bad_value(lang, field, p.given(field)),
    };
    let (assessor, d) = match load(&state, lang, &village, filter).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Some(f) = village_figures(lang, &assessor.rules, &d, false)
        .into_iter()
        .find(|f| f.name == name)
    else {
        return error_page(StatusCode::NOT_FOUND, lang, "web-not-found");
    };
    match table_bytes(xlsx, f.name, &f.header, &f.rows) {
        Ok(bytes) => table_download(xlsx, &format!("{}-{}", f.name, village), bytes),
        Err(_) => error_page(StatusCode::INTERNAL_SERVER_ERROR, lang, "web-db-error"),
    }
}

/// The monthly report's figures.
fn monthly_figures(lang: Lang, rules: &RuleSet, m: &Monthly) -> Vec<Figure> {
    let t = |k: &str| tr(lang, k, &[]);
    let mut out = vec![
        Figure {
            name: "layanan",
            title: t("rep-summary"),
            note: None,
            header: vec![t("rep-item"), t("fig-count")],
            rows: [
                ("rep-people-served", m.people_served),
                ("rep-families-served", m.families_served),
                ("rep-activities", m.activities.len() as i64),
                ("rep-participants", m.activity_participants),
                ("rep-cases-opened", m.cases.opened),
                ("rep-cases-closed", m.cases.closed),
                ("rep-referrals-sent", m.referrals.sent),
                ("fig-referrals-overdue", m.referrals.overdue),
                (
                    "rep-complaints-received",
                    m.complaints.iter().map(|c| c.opened).sum(),
                ),
                (
                    "rep-complaints-resolved",
                    m.complaints.iter().map(|c| c.resolved).sum(),
                ),
            ]
            .iter()
            .map(|(k, v)| vec![Cell::Text(t(k)), Cell::Int(*v)])
            .collect(),
            chart: Chart::TableOnly,
        },
        Figure {
            name: "kegiatan",
            title: t("rep-activities"),
            note: None,
            header: vec![
                t("rep-date"),
                t("rep-kind"),
                t("rep-title-col"),
                t("rep-place"),
                t("rep-participants"),
            ],
            rows: m
                .activities
                .iter()
                .map(|a| {
                    vec![
                        Cell::Text(a.held_on.clone()),
                        Cell::Text(t(&format!("activity-{}", a.kind))),
                        Cell::Text(a.title.clone()),
                        Cell::Text(a.place.clone()),
                        Cell::Int(a.participants),
                    ]
                })
                .collect(),
            chart: Chart::TableOnly,
        },
    ];
    out.extend(work_figures(lang, &m.cases, &m.referrals, &m.complaints));
    out.push(Figure {
        name: "pemutakhiran",
        title: t("rep-data"),
        note: None,
        header: vec![t("rep-item"), t("fig-count")],
        rows: [
            ("rep-data-saves", m.data_saves),
            ("rep-families-added", m.families_added),
            ("rep-persons-added", m.persons_added),
            ("rep-persons-marked", m.persons_marked),
            ("rep-dtsen-proposals", m.dtsen_proposals),
        ]
        .iter()
        .map(|(k, v)| vec![Cell::Text(t(k)), Cell::Int(*v)])
        .collect(),
        chart: Chart::TableOnly,
    });
    out.push(Figure {
        name: "usulan",
        title: t("rep-program-proposals"),
        note: Some(t("rep-program-proposals-note")),
        header: vec![t("web-program"), t("gap-exclusion")],
        rows: m
            .program_proposals
            .iter()
            .map(|(code, n)| {
                let name = rules
                    .programs
                    .iter()
                    .find(|p| &p.code == code)
                    .map_or(code.as_str(), |p| p.name(lang));
                vec![Cell::Text(name.to_string()), Cell::Int(*n)]
            })
            .collect(),
        chart: Chart::TableOnly,
    });
    out
}

fn parse_month(s: Option<&str>) -> Option<(i32, u32)> {
    match s {
        None => Some(figures::year_month(figures::today())),
        Some(s) => {
            let (y, m) = s.split_once('-')?;
            let (y, m) = (y.parse().ok()?, m.parse().ok()?);
            ((2000..=2100).contains(&y) && (1..=12).contains(&m)).then_some((y, m))
        }
    }
}

/// `GET /laporan`: the monthly report (`?bulan=YYYY-MM`), as a page, `&format=pdf` or `xlsx`.
pub async fn monthly(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    Query(p): Query<Params>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let t = |k: &str| tr(lang, k, &[]);
    let Some(village) = village_for(&user, non_empty(&p.desa)) else {
        return refuse(StatusCode::NOT_FOUND, "web-choose-village", lang, false);
    };
    let Some((year, month)) = parse_month(non_empty(&p.bulan)) else {
        return bad_value(lang, "bulan", non_empty(&p.bulan));
    };
    let (db, rules, v) = (state.db.clone(), state.rules.clone(), village.clone());
    let loaded = blocking(move || {
        let assessor = rules.assessor()?;
        let m = figures::monthly(&mut db.conn()?, &assessor, &v, year, month)?;
        Ok((assessor, m))
    })
    .await;
    let Ok((assessor, Some(m))) = loaded else {
        return error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error");
    };
    let figs = monthly_figures(lang, &assessor.rules, &m);
    let period = format!("{year}-{month:02}");
    let title = tr(
        lang,
        "rep-title-full",
        &[("village", &region_name(&village)), ("month", &period)],
    );
    let stem = format!("laporan-{}-{period}", village);
    match non_empty(&p.format) {
        Some("xlsx") => {
            let sheets: Vec<Sheet<'_>> = figs
                .iter()
                .map(|f| (f.name, f.header.as_slice(), f.rows.as_slice()))
                .collect();
            match workbook_bytes(&sheets) {
                Ok(bytes) => table_download(true, &stem, bytes),
                Err(_) => error_page(StatusCode::INTERNAL_SERVER_ERROR, lang, "web-db-error"),
            }
        }
        Some("pdf") => {
            let mut doc = Doc::new(Paper::A4, 1.0);
            doc.heading(1, &t("rep-title"));
            doc.text(&title);
            doc.text(&tr(lang, "rep-to", &[]));
            for f in &figs {
                doc.heading(2, &f.title);
                if let Some(n) = &f.note {
                    doc.text(n);
                }
                if f.rows.is_empty() {
                    doc.text(&t("rep-none"));
                } else {
                    doc.table(&f.header, &f.rows);
                }
            }
            doc.text(&tr(
                lang,
                "fig-as-of",
                &[("day", &figures::today().to_string())],
            ));
            download("application/pdf", &format!("{stem}.pdf"), doc.finish())
        }
        _ => {
            let desa = desa_query(&user, &village).replacen('?', "&", 1);
            Page::new(lang, &t("fig-monthly"))
                .user(Some(user.clone()))
                .body(html! {
                    h2 { (title) }
                    form.filters method="get" action="/laporan" {
                        @if !desa.is_empty() { input type="hidden" name="desa" value=(village); }
                        label for="bulan" { (t("rep-month")) }
                        input #bulan type="month" name="bulan" value=(period);
                        button type="submit" { (t("fig-apply")) }
                    }
                    p.downloads {
                        a href=(format!("/laporan?bulan={period}&format=pdf{desa}")) { "PDF" }
                        " · "
                        a href=(format!("/laporan?bulan={period}&format=xlsx{desa}")) { "XLSX" }
                    }
                    @for f in &figs {
                        section.figure id=(f.name) {
                            h3 { (f.title) }
                            @if let Some(n) = &f.note { p.note { (n) } }
                            @if f.rows.is_empty() { p { (t("rep-none")) } } @else { (charts::table(lang, f)) }
                        }
                    }
                })
                .into_response()
        }
    }
}

/// A count as the board and the poster print it ("< 5" for one to four).
fn public_text(lang: Lang, n: i64) -> String {
    match charts::public_cell(n) {
        Cell::Int(n) => format_int(lang, n),
        Cell::Text(s) => s,
    }
}

/// A village's public information board, or `None` when the village has no registry here.
async fn load_board(
    state: &AppState,
    lang: Lang,
    code: &str,
) -> Result<
    Option<(
        std::sync::Arc<puskesos_domain::rules::assess::Assessor>,
        Dashboard,
    )>,
    Response,
> {
    let Some(k) = KodeWilayah::parse(code).filter(|k| k.level() == Level::DesaKelurahan) else {
        return Ok(None);
    };
    let (assessor, d) = load(state, lang, k.as_str(), Filter::default()).await?;
    Ok((d.families > 0).then_some((assessor, d)))
}

fn how_to_reach(lang: Lang, village: &str) -> Vec<String> {
    vec![
        tr(
            lang,
            "board-reach-office",
            &[("village", &region_name(village))],
        ),
        tr(lang, "board-reach-hours", &[]),
        tr(lang, "board-reach-status", &[]),
    ]
}

/// `GET /papan/{desa}`: the public information board. No login, no personal data, counts of
/// one to four shown as "< 5".
pub async fn board(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Path(code): Path<String>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let t = |k: &str| tr(lang, k, &[]);
    let (assessor, d) = match load_board(&state, lang, &code).await {
        Ok(Some(x)) => x,
        Ok(None) => return error_page(StatusCode::NOT_FOUND, lang, "web-not-found"),
        Err(r) => return r,
    };
    let figs = village_figures(lang, &assessor.rules, &d, true);
    let cell = |n: i64| public_text(lang, n);
    Page::new(lang, &t("fig-board"))
        .body(html! {
            h2 { (t("fig-board")) ": " (region_name(&d.village)) }
            ul.totals {
                li { strong { (cell(d.families)) } " " (t("fig-families")) }
                li { strong { (cell(d.people)) } " " (t("fig-people")) }
            }
            @for f in &figs { (charts::section(lang, f, None)) }
            section {
                h3 { (t("board-reach")) }
                ul { @for line in how_to_reach(lang, &d.village) { li { (line) } } }
                p { a href="/status" { (t("board-status-link")) } }
            }
            p.note { (t("board-privacy")) " " (tr(lang, "fig-as-of", &[("day", &d.today.to_string())])) }
            p.downloads {
                a href=(format!("/papan/{}/poster?ukuran=a4", d.village)) { (t("board-poster")) " A4" }
                " · "
                a href=(format!("/papan/{}/poster?ukuran=a3", d.village)) { (t("board-poster")) " A3" }
            }
        })
        .into_response()
}

#[derive(Debug, Default, Deserialize)]
pub struct PosterParams {
    pub ukuran: Option<String>,
}

/// `GET /papan/{desa}/poster?ukuran=a4|a3`: the board as a printable PDF poster.
pub async fn poster(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    headers: axum::http::HeaderMap,
    Path(code): Path<String>,
    Query(p): Query<PosterParams>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let t = |k: &str| tr(lang, k, &[]);
    let (paper, scale, size) = match p.ukuran.as_deref() {
        Some("a3") => (Paper::A3, 1.4, "a3"),
        _ => (Paper::A4, 1.0, "a4"),
    };
    let (assessor, d) = match load_board(&state, lang, &code).await {
        Ok(Some(x)) => x,
        Ok(None) => return error_page(StatusCode::NOT_FOUND, lang, "web-not-found"),
        Err(r) => return r,
    };
    let cell = |n: i64| public_text(lang, n);
    let mut doc = Doc::new(paper, scale);
    doc.heading(1, &t("fig-board"));
    doc.heading(2, &region_name(&d.village));
    doc.big_number(&cell(d.families), &t("fig-families"));
    doc.big_number(&cell(d.people), &t("fig-people"));
    for f in village_figures(lang, &assessor.rules, &d, true) {
        doc.heading(2, &f.title);
        doc.table(&f.header, &f.rows);
    }
    doc.heading(2, &t("board-reach"));
    for line in how_to_reach(lang, &d.village) {
        doc.text(&line);
    }
    doc.qr(
        &format!("{}/status", crate::app::download::origin(&state, &headers)),
        &t("board-status-link"),
    );
    doc.text(&format!(
        "{} {}",
        t("board-privacy"),
        tr(lang, "fig-as-of", &[("day", &d.today.to_string())])
    ));
    download(
        "application/pdf",
        &format!("papan-{}-{size}.pdf", d.village),
        doc.finish(),
    )
}
