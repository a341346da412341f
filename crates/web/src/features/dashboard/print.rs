//! The data centre on paper: the monthly report as a PDF for the Dinas Sosial and the public
//! board as an A4/A3 poster, drawn with the kernel's PDF primitives from the same tables the
//! pages show.

use puskesos_domain::{Lang, tr};
use puskesos_storage::figures::{self, Dashboard};

use crate::app::format::region_name;
use crate::app::pdf::{Doc, Paper};
use crate::features::dashboard::charts::Figure;
use crate::features::dashboard::figures::{how_to_reach, public_text};

/// The monthly report: its title line, then every table (or "none" for an empty one).
pub fn monthly_pdf(lang: Lang, title: &str, figs: &[Figure]) -> Vec<u8> {
    let t = |k: &str| tr(lang, k, &[]);
    let mut doc = Doc::new(Paper::A4, 1.0);
    doc.heading(1, &t("rep-title"));
    doc.text(title);
    doc.text(&tr(lang, "rep-to", &[]));
    for f in figs {
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
    doc.finish()
}

/// The board as a poster on `paper` (drawn `scale` times larger on A3), with a QR code of the
/// complaint status page at `status_url`.
pub fn poster_pdf(
    lang: Lang,
    paper: Paper,
    scale: f32,
    d: &Dashboard,
    figs: Vec<Figure>,
    status_url: &str,
) -> Vec<u8> {
    let t = |k: &str| tr(lang, k, &[]);
    let cell = |n: i64| public_text(lang, n);
    let mut doc = Doc::new(paper, scale);
    doc.heading(1, &t("fig-board"));
    doc.heading(2, &region_name(&d.village));
    doc.big_number(&cell(d.families), &t("fig-families"));
    doc.big_number(&cell(d.people), &t("fig-people"));
    for f in figs {
        doc.heading(2, &f.title);
        doc.table(&f.header, &f.rows);
    }
    doc.heading(2, &t("board-reach"));
    for line in how_to_reach(lang, &d.village) {
        doc.text(&line);
    }
    doc.qr(status_url, &t("board-status-link"));
    doc.text(&format!(
        "{} {}",
        t("board-privacy"),
        tr(lang, "fig-as-of", &[("day", &d.today.to_string())])
    ));
    doc.finish()
}
