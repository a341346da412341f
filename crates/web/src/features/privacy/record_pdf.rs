//! The personal-data record (UU 27/2022 Pasal 32) as a printable letter for the resident: their
//! data by its labels, the changes made to it, the centre's services for their family (and who
//! received their data through a referral), and every recorded processing, in the resident's
//! language.

use puskesos_domain::i18n::{code_label, field_label};
use puskesos_domain::model::{PERSON_FIELDS, Record};
use puskesos_domain::{Lang, tr};
use puskesos_interchange::export::Cell;

use super::service::Export;
use crate::app::format::{format_day, format_time, indonesian_date};
use crate::app::pdf::{Doc, Paper};

pub fn render(lang: Lang, e: &Export) -> Vec<u8> {
    let t = |k: &str| tr(lang, k, &[]);
    let mut doc = Doc::new(Paper::A4, 1.0, lang);
    doc.set_title(&t("pdr-title"));
    doc.letterhead(&e.village);
    doc.heading(2, &t("pdr-title"));
    doc.text(&tr(
        lang,
        "pdr-intro",
        &[("day", &format_day(puskesos_storage::now_ms()))],
    ));
    doc.heading(3, &t("pdr-data"));
    let values: Vec<(String, String)> = PERSON_FIELDS
        .iter()
        .zip(&e.person.values)
        .filter_map(|(f, v)| {
            let text = v.as_ref()?.to_text(f.kind);
            Some((
                field_label(lang, f.key).into_owned(),
                indonesian_date(&code_label(lang, f.key, &text)),
            ))
        })
        .chain(
            e.family
                .as_ref()
                .and_then(|f| f.text("no_kk"))
                .map(|kk| ("No. KK".to_string(), kk.to_string())),
        )
        .collect();
    let rows: Vec<(&str, &str)> = values
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    doc.fields(&rows);

    doc.heading(3, &t("pdr-history"));
    if e.history.is_empty() {
        doc.text(&t("dir-none"));
    } else {
        let rows: Vec<Vec<Cell>> = e
            .history
            .iter()
            .flat_map(|h| {
                h.changed.iter().map(move |(field, old, new)| {
                    let shown = |v: &Option<String>| {
                        v.as_deref()
                            .map(|v| indonesian_date(&code_label(lang, field, v)))
                            .unwrap_or_else(|| "–".into())
                    };
                    vec![
                        Cell::Text(format_time(h.at_ms)),
                        Cell::Text(e.actors.name(lang, &h.actor)),
                        Cell::Text(field_label(lang, field).into_owned()),
                        Cell::Text(format!("{} → {}", shown(old), shown(new))),
                    ]
                })
            })
            .collect();
        doc.table(
            &[
                t("web-audit-time"),
                t("web-audit-actor"),
                t("pdr-field"),
                t("pdr-change"),
            ],
            &rows,
        );
    }

    doc.heading(3, &t("web-family-record"));
    let s = &e.services;
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    let when = |l: &puskesos_storage::family_links::Line| {
        l.at.map(format_day)
            .or_else(|| l.day.as_deref().map(crate::app::format::indonesian_date))
            .unwrap_or_default()
    };
    for l in &s.cases {
        rows.push(vec![
            Cell::Text(t("audit-entity-case")),
            Cell::Text(l.number.clone()),
            Cell::Text(t(&format!("case-state-{}", l.state))),
            Cell::Text(when(l)),
        ]);
    }
    for l in &s.referrals {
        rows.push(vec![
            Cell::Text(t("audit-entity-referral")),
            Cell::Text(tr(
                lang,
                "pdr-sent-to",
                &[
                    ("case", &l.number),
                    ("provider", l.provider.as_deref().unwrap_or("–")),
                ],
            )),
            Cell::Text(t(&format!("referral-{}", l.state))),
            Cell::Text(when(l)),
        ]);
    }
    for l in &s.complaints {
        rows.push(vec![
            Cell::Text(t("audit-entity-complaint")),
            Cell::Text(l.number.clone()),
            Cell::Text(t(&format!("complaint-status-{}", l.state))),
            Cell::Text(when(l)),
        ]);
    }
    for l in &s.activities {
        rows.push(vec![
            Cell::Text(t("audit-entity-activity")),
            Cell::Text(l.number.clone()),
            Cell::Text(t(&format!("activity-status-{}", l.state))),
            Cell::Text(when(l)),
        ]);
    }
    if rows.is_empty() {
        doc.text(&t("web-family-record-none"));
    } else {
        doc.table(
            &[
                t("pdr-kind"),
                t("pdr-what"),
                t("dir-status"),
                t("web-activity-date"),
            ],
            &rows,
        );
    }

    doc.heading(3, &t("pdr-processing"));
    let rows: Vec<Vec<Cell>> = e
        .processing
        .iter()
        .map(|a| {
            vec![
                Cell::Text(format_time(a.at_ms)),
                Cell::Text(e.actors.name(lang, &a.actor)),
                Cell::Text(t(&format!("audit-action-{}", a.action))),
                Cell::Text(t(&format!("audit-entity-{}", a.entity))),
            ]
        })
        .collect();
    if rows.is_empty() {
        doc.text(&t("dir-none"));
    } else {
        doc.table(
            &[
                t("web-audit-time"),
                t("web-audit-actor"),
                t("web-audit-action"),
                t("web-audit-what"),
            ],
            &rows,
        );
    }
    doc.small(&t("pdr-rights"));
    doc.finish()
}
