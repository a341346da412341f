//! The printable receipt of an intake (A6, for the resident to keep): the case number, the
//! day, who and what was asked for, which section takes it, what happens next, and who
//! received it. Loaded as the case page is (the view is audited, a refused one too).

use puskesos_domain::model::Record;
use puskesos_domain::{Lang, tr};

use super::service::CaseFile;
use crate::app::format::format_day;
use crate::app::pdf::{Align, Doc, Font, Paper, Signature};

pub fn render(lang: Lang, file: &CaseFile) -> Vec<u8> {
    let t = |k: &str| tr(lang, k, &[]);
    let c = &file.case;
    let mut doc = Doc::new(Paper::A6, 1.0, lang);
    doc.set_title(&format!("{} {}", t("receipt-case-title"), c.nomor));
    doc.receipt_head(&c.village, &t("receipt-case-title"));
    let name = file
        .person
        .as_ref()
        .and_then(|p| p.text("nama").map(str::to_string))
        .or_else(|| c.contact_name.clone())
        .unwrap_or_else(|| "–".to_string());
    let sector = t(&format!("sector-{}", c.sector.code()));
    let opened = format_day(c.opened_at);
    doc.fields(&[
        (&t("receipt-case-number"), &c.nomor),
        (&t("web-activity-date"), &opened),
        (&t("web-person"), &name),
        (&t("receipt-sector"), &sector),
        (&t("web-summary"), &c.summary),
    ]);
    doc.heading(3, &t("receipt-next"));
    doc.text(&tr(lang, "receipt-case-next", &[("sector", &sector)]));
    doc.space(2.0);
    doc.text(&tr(lang, "receipt-case-ask", &[("number", &c.nomor)]));
    doc.space(2.0);
    doc.small(&t("board-reach-hours"));
    doc.space(4.0);
    let officer = file.actors.name(lang, &c.opened_by);
    doc.signatures(
        "",
        &[Signature {
            above: String::new(),
            title: t("receipt-officer"),
            name: officer.to_string(),
        }],
    );
    doc.para(Font::Regular, 7.0, Align::Left, &t("receipt-keep"));
    doc.finish()
}
