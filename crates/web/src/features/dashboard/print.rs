//! The data centre on paper: the monthly report as a letter from the Puskesos to the Dinas
//! Sosial of its kabupaten/kota, and the public board as an A4/A3 poster, drawn with the
//! kernel's PDF primitives from the same tables the pages show.

use chrono::NaiveDate;
use puskesos_domain::{Lang, tr};
use puskesos_storage::figures::Dashboard;

use crate::app::format::region_name;
use crate::app::pdf::{Align, Doc, Font, Paper, Signature, place_of};
use crate::features::dashboard::charts::Figure;
use crate::features::dashboard::figures::{how_to_reach, public_text};

/// A month in words in `lang`: "Desember 2026".
pub fn month_in_words(lang: Lang, year: i32, month: u32) -> String {
    format!("{} {year}", tr(lang, &format!("month-{month}"), &[]))
}

/// The report's letter number, one per village and month:
/// `12/LB-PUSKESOS/33.12.01.2001/XII/2026`.
pub fn report_number(village: &str, year: i32, month: u32) -> String {
    const ROMAN: [&str; 12] = [
        "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
    ];
    let roman = ROMAN.get(month as usize - 1).copied().unwrap_or("");
    format!("{month:02}/LB-PUSKESOS/{village}/{roman}/{year}")
}

/// The monthly report of `village` for `year`-`month`, written on `today`: the letterhead,
/// number and subject, the addressee (the head of the Dinas Sosial of the village's
/// kabupaten/kota), every table (or "none"), and the Ketua's and the Kepala Desa's signatures.
pub fn monthly_pdf(
    lang: Lang,
    village: &str,
    year: i32,
    month: u32,
    today: NaiveDate,
    figs: &[Figure],
) -> Vec<u8> {
    let t = |k: &str| tr(lang, k, &[]);
    let place = place_of(village);
    let month_words = month_in_words(lang, year, month);
    let name = region_name(village);
    let subject = tr(
        lang,
        "rep-title-full",
        &[("village", &name), ("month", &month_words)],
    );
    let mut doc = Doc::new(Paper::A4, 1.0, lang);
    doc.set_title(&subject);
    doc.letterhead(village);
    doc.space(4.0);
    let number = report_number(village, year, month);
    let attachment = t("rep-attachment-value");
    doc.fields(&[
        (&t("letter-number"), &number),
        (&t("rep-attachment"), &attachment),
        (&t("rep-subject"), &subject),
    ]);
    doc.space(8.0);
    let kab = if place.kab_kota.is_empty() {
        t("rep-kab-unknown")
    } else {
        place.kab_kota.clone()
    };
    doc.text(&t("rep-to-yth"));
    doc.para(
        Font::Bold,
        10.0,
        Align::Left,
        &tr(lang, "rep-to-head", &[("kab", &kab)]),
    );
    doc.text(&t("rep-to-place"));
    doc.space(8.0);
    doc.text(&tr(
        lang,
        "rep-opening",
        &[("village", &name), ("month", &month_words)],
    ));
    for (i, f) in figs.iter().enumerate() {
        doc.heading(3, &format!("{}. {}", i + 1, f.title));
        if let Some(n) = &f.note {
            doc.small(n);
            doc.space(2.0);
        }
        if f.rows.is_empty() {
            doc.text(&t("rep-none"));
        } else {
            doc.table(&f.header, &f.rows);
        }
    }
    doc.small(&tr(
        lang,
        "fig-as-of",
        &[("day", &today.format("%d-%m-%Y").to_string())],
    ));
    doc.space(8.0);
    doc.text(&t("rep-closing"));
    doc.space(10.0);
    doc.signatures(
        &format!("{}, {}", name, today.format("%d-%m-%Y")),
        &[
            Signature {
                above: t("letter-known"),
                title: format!("{} {}", t("letter-kepala-desa"), name),
                name: String::new(),
            },
            Signature {
                above: String::new(),
                title: t("role-ketua"),
                name: String::new(),
            },
        ],
    );
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
    let mut doc = Doc::new(paper, scale, lang);
    doc.set_margin(36.0 * scale);
    doc.set_title(&format!("{} {}", t("fig-board"), region_name(&d.village)));
    doc.letterhead(&d.village);
    doc.heading(1, &t("fig-board"));
    let (families, people) = (cell(d.families), cell(d.people));
    doc.big_numbers(&[(&families, &t("fig-families")), (&people, &t("fig-people"))]);
    // The first table on the left, the others on the right: the board fits one sheet.
    let mut figs = figs.into_iter();
    let first: Vec<Figure> = figs.by_ref().take(1).collect();
    let rest: Vec<Figure> = figs.collect();
    let tables = |list: Vec<Figure>| {
        Box::new(move |doc: &mut Doc| {
            for f in list {
                doc.heading(3, &f.title);
                doc.table(&f.header, &f.rows);
            }
        }) as Box<dyn FnOnce(&mut Doc)>
    };
    doc.columns(vec![tables(first), tables(rest)]);
    doc.heading(2, &t("board-reach"));
    // How to reach the Puskesos beside the code of the status page, to save the sheet's room.
    let reach = how_to_reach(lang, &d.village);
    doc.qr(status_url, &reach.join(" "), 80.0);
    doc.space(4.0);
    doc.small(&format!(
        "{} {}",
        t("board-privacy"),
        tr(
            lang,
            "fig-as-of",
            &[("day", &d.today.format("%d-%m-%Y").to_string())]
        )
    ));
    doc.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_in_words_and_the_letter_number() {
        assert_eq!(month_in_words(Lang::Id, 2026, 12), "Desember 2026");
        assert_eq!(month_in_words(Lang::En, 2026, 8), "August 2026");
        assert_eq!(
            report_number("33.12.01.2001", 2026, 12),
            "12/LB-PUSKESOS/33.12.01.2001/XII/2026"
        );
    }
}
