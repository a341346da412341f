//! The data centre's pages: the village dashboard with its filter form, the district roll-up
//! with its heat-shaded ranking, the monthly report page and the public board. Markup only; the
//! tables come from `figures`, the charts from `charts`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use puskesos_domain::i18n::{format_int, format_rupiah};
use puskesos_domain::{Lang, tr};
use puskesos_interchange::export::Cell;
use puskesos_storage::figures::{Dashboard, Filter, VillageRollup};

use crate::app::access::CurrentUser;
use crate::app::format::{format_time, region_name};
use crate::app::layout::Page;
use crate::app::scope::desa_query;
use crate::features::dashboard::charts::{self, Figure};
use crate::features::dashboard::figures::{
    how_to_reach, kecamatan_figure, public_text, rollup_header, rollup_rows,
};
use crate::features::dashboard::query::{Params, non_empty};

/// A filter value that cannot be read: 422 naming the field and the value given.
pub fn bad_value(lang: Lang, field: &str, value: Option<&str>) -> Response {
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

/// The village dashboard: totals, links to the report and the board, and every figure.
/// What a village's dashboard shows: the stored figures, their charts, and the PSKS register
/// by kind.
pub struct VillageShown<'a> {
    pub dashboard: &'a Dashboard,
    pub figures: &'a [Figure],
    pub psks: &'a [(String, i64)],
}

pub fn village_page(
    lang: Lang,
    user: CurrentUser,
    p: &Params,
    village: &str,
    filter: &Filter,
    shown: VillageShown<'_>,
) -> Response {
    let VillageShown {
        dashboard: d,
        figures,
        psks,
    } = shown;
    let t = |k: &str| tr(lang, k, &[]);
    // A district account keeps its village on every link; a village account needs none.
    let district = !desa_query(&user, village).is_empty();
    let q = keep_query(p, district.then_some(village));
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
        .user(Some(user))
        .body(html! {
            h2 { (t("fig-dashboard")) ": " (region_name(village)) }
            @if district { p { a href="/dasbor" { "← " (t("fig-rollup")) } } }
            (filter_form(lang, p, district.then_some(village)))
            @if filter.rw.is_some() || filter.rt.is_some() { p.note { (t("fig-area-note")) } }
            ul.totals {
                @for (label, value) in &totals { li { strong { (value) } " " (label) } }
            }
            p {
                a href=(format!("/laporan?{}", q.trim_start_matches('&'))) { (t("fig-monthly")) }
                " · "
                a href=(format!("/papan/{village}")) { (t("fig-board")) }
            }
            @for f in figures { (charts::section(lang, f, Some(&q))) }
            (crate::features::directory::views::dashboard_table(lang, psks))
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

/// The district roll-up: per kecamatan, then every village ranked by `sort`.
pub fn rollup_page(lang: Lang, user: CurrentUser, rows: &[VillageRollup], sort: &str) -> Response {
    let t = |k: &str| tr(lang, k, &[]);
    let table = rollup_rows(lang, rows, sort);
    let kec = kecamatan_figure(lang, rows);
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
        .user(Some(user))
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
                    @if freshest > 0 { (tr(lang, "fig-computed-at", &[("at", &format_time(freshest))])) } }
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

/// The monthly report as a page, with its month picker and downloads. `desa` is the
/// `&desa=...` that keeps a district account on the village (empty for a village account).
pub fn monthly_page(
    lang: Lang,
    user: CurrentUser,
    village: &str,
    period: &str,
    title: &str,
    desa: &str,
    figs: &[Figure],
) -> Response {
    let t = |k: &str| tr(lang, k, &[]);
    Page::new(lang, &t("fig-monthly"))
        .user(Some(user))
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
            @for f in figs {
                section.figure id=(f.name) {
                    h3 { (f.title) }
                    @if let Some(n) = &f.note { p.note { (n) } }
                    @if f.rows.is_empty() { p { (t("rep-none")) } } @else { (charts::table(lang, f)) }
                }
            }
        })
        .into_response()
}

/// The public information board: no personal data, small counts suppressed.
pub fn board_page(lang: Lang, d: &Dashboard, figs: &[Figure]) -> Response {
    let t = |k: &str| tr(lang, k, &[]);
    let cell = |n: i64| public_text(lang, n);
    Page::new(lang, &t("fig-board"))
        .body(html! {
            h2 { (t("fig-board")) ": " (region_name(&d.village)) }
            ul.totals {
                li { strong { (cell(d.families)) } " " (t("fig-families")) }
                li { strong { (cell(d.people)) } " " (t("fig-people")) }
            }
            @for f in figs { (charts::section(lang, f, None)) }
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
