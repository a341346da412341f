//! The tables behind every chart and export of the data centre, built from the stored
//! figures: one builder per table, so that the page, its CSV/XLSX export, the monthly report
//! and the printed poster always show the same numbers. No HTTP and no markup here.

use puskesos_domain::figures::AGE_BANDS;
use puskesos_domain::i18n::format_int;
use puskesos_domain::rules::RuleSet;
use puskesos_domain::wilayah::KodeWilayah;
use puskesos_domain::{Lang, tr};
use puskesos_interchange::export::Cell;
use puskesos_storage::figures::{self, Dashboard, Monthly, VillageRollup};

use crate::app::format::region_name;
use crate::features::dashboard::charts;
use crate::features::dashboard::charts::{Chart, Figure};

pub fn permille(lang: Lang, p: Option<i64>) -> String {
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
            &[
                ("assessed", &format_int(lang, d.assessed)),
                (
                    "date",
                    &d.assessed_on
                        .map(|on| crate::app::format::indonesian_date(&on.to_string()))
                        .unwrap_or_else(|| "—".to_string()),
                ),
            ],
        )),
        header: vec![
            t("web-program"),
            t("fig-covered"),
            t("gap-exclusion"),
            t("gap-inclusion"),
            t("gap-undecided"),
            t("gap-review"),
            t("fig-eligible"),
            t("fig-receiving"),
            t("fig-coverage"),
            t("fig-exclusion-value"),
            t("fig-exclusion-unknown"),
            t("fig-value-unit"),
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
                    Cell::Int(d.review.get(&p.code).copied().unwrap_or(0)),
                    Cell::Int(x.eligible),
                    Cell::Int(x.receiving),
                    Cell::Text(permille(lang, x.coverage_permille())),
                    Cell::Int(d.exclusion_amount.get(&p.code).copied().unwrap_or(0)),
                    Cell::Int(
                        d.exclusion_amount_unknown
                            .get(&p.code)
                            .copied()
                            .unwrap_or(0),
                    ),
                    // A one-off grant is not "a year's" money: the unit says which it is.
                    Cell::Text(t(if p.once {
                        "fig-value-once"
                    } else {
                        "fig-value-yearly"
                    })),
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
    // "dikirim" as a status means sent and not answered yet: named so, and a total column
    // per sector and a total row, so that the table sums to the "sent" count beside it.
    let mut header = vec![t("fig-sector")];
    header.extend(statuses.iter().map(|s| match *s {
        "dikirim" => t("fig-referrals-waiting"),
        s => t(&format!("referral-{s}")),
    }));
    header.push(t("fig-referrals-sent-col"));
    let cell = |sector: &str, st: &str| {
        referrals
            .by_sector_status
            .get(&(sector.to_string(), st.to_string()))
            .copied()
            .unwrap_or(0)
    };
    let mut rows: Vec<Vec<Cell>> = sectors
        .iter()
        .map(|sector| {
            let mut row = vec![Cell::Text(t(&format!("sector-{sector}")))];
            row.extend(statuses.iter().map(|st| Cell::Int(cell(sector, st))));
            row.push(Cell::Int(statuses.iter().map(|st| cell(sector, st)).sum()));
            row
        })
        .collect();
    if !rows.is_empty() {
        let mut total = vec![Cell::Text(t("web-total"))];
        total.extend(
            statuses
                .iter()
                .map(|st| Cell::Int(sectors.iter().map(|sector| cell(sector, st)).sum())),
        );
        total.push(Cell::Int(referrals.by_sector_status.values().sum()));
        rows.push(total);
    }
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
        rows,
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

/// The roll-up's rows for the accounts' district, ranked as asked.
pub fn rollup_rows(lang: Lang, rows: &[VillageRollup], sort: &str) -> Vec<Vec<Cell>> {
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
                Cell::Int(r.exclusion_unknown),
                Cell::Int(r.open_cases),
                Cell::Int(r.overdue_referrals),
                Cell::Int(r.open_complaints),
                Cell::Int(r.overdue_complaints),
            ]
        })
        .collect()
}

pub fn rollup_header(lang: Lang) -> Vec<String> {
    [
        "web-village",
        "fig-kecamatan",
        "fig-code",
        "fig-families",
        "fig-coverage",
        "gap-exclusion",
        "gap-inclusion",
        "fig-exclusion-rupiah",
        "fig-exclusion-unknown",
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
pub fn kecamatan_figure(lang: Lang, rows: &[VillageRollup]) -> Figure {
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

/// The monthly report's figures.
pub fn monthly_figures(lang: Lang, rules: &RuleSet, m: &Monthly) -> Vec<Figure> {
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
                ("rep-referrals-overdue", m.referrals.overdue),
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

/// A count as the board and the poster print it ("< 5" for one to four).
pub fn public_text(lang: Lang, n: i64) -> String {
    match charts::public_cell(n) {
        Cell::Int(n) => format_int(lang, n),
        Cell::Text(s) => s,
    }
}

pub fn how_to_reach(lang: Lang, village: &str) -> Vec<String> {
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
