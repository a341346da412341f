//! The referral letter as a one-page A4 PDF: the village letterhead, the letter and case
//! numbers, the person, the need, the decision, the provider and due date, two signature
//! blocks, and a QR code to the provider's answer page (scanned by the provider to reply).
//! Written with `pdf-writer` and the standard Helvetica fonts (nothing to embed), the QR code
//! drawn as squares from the `qrcode` crate's matrix.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

use crate::app::pdf::{ansi, qr_operations, standard_fonts, wrap};

/// What the letter says.
#[derive(Debug, Clone)]
pub struct Letter {
    pub village: String,
    pub letter_number: String,
    pub case_number: String,
    pub date: String,
    pub provider: String,
    pub person: String,
    pub address: String,
    pub need: String,
    pub decision: String,
    pub due: String,
    /// The address the QR code opens.
    pub qr_target: String,
}

pub fn render(l: &Letter, lang_labels: &LetterLabels) -> Vec<u8> {
    let (catalog, pages, page, regular, bold, content_id) = (
        Ref::new(1),
        Ref::new(2),
        Ref::new(3),
        Ref::new(4),
        Ref::new(5),
        Ref::new(6),
    );
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(pages);
    pdf.pages(pages).kids([page]).count(1);
    {
        let mut p = pdf.page(page);
        p.media_box(Rect::new(0.0, 0.0, 595.0, 842.0));
        p.parent(pages);
        p.contents(content_id);
        p.resources()
            .fonts()
            .pair(Name(b"F1"), regular)
            .pair(Name(b"F2"), bold);
        p.finish();
    }
    standard_fonts(&mut pdf, regular, bold);

    let mut c = Content::new();
    let mut y = 790.0;
    let line = |c: &mut Content, font: &[u8], size: f32, x: f32, text: &str, y: &mut f32| {
        c.begin_text();
        c.set_font(Name(font), size);
        c.next_line(x, *y);
        c.show(Str(&ansi(text)));
        c.end_text();
        *y -= size + 6.0;
    };
    line(&mut c, b"F2", 13.0, 60.0, &lang_labels.head_1, &mut y);
    line(&mut c, b"F2", 13.0, 60.0, &l.village, &mut y);
    line(&mut c, b"F1", 10.0, 60.0, &lang_labels.head_2, &mut y);
    c.set_line_width(1.0);
    c.move_to(60.0, y + 4.0);
    c.line_to(535.0, y + 4.0);
    c.stroke();
    y -= 14.0;
    line(&mut c, b"F2", 13.0, 220.0, &lang_labels.title, &mut y);
    line(
        &mut c,
        b"F1",
        10.0,
        200.0,
        &format!("{}: {}", lang_labels.number, l.letter_number),
        &mut y,
    );
    y -= 8.0;
    for (label, value) in [
        (&lang_labels.to, &l.provider),
        (&lang_labels.case, &l.case_number),
        (&lang_labels.date, &l.date),
        (&lang_labels.person, &l.person),
        (&lang_labels.address, &l.address),
    ] {
        line(
            &mut c,
            b"F1",
            10.0,
            60.0,
            &format!("{label}: {value}"),
            &mut y,
        );
    }
    y -= 6.0;
    for (label, value) in [
        (&lang_labels.need, &l.need),
        (&lang_labels.decision, &l.decision),
    ] {
        line(&mut c, b"F2", 10.0, 60.0, label, &mut y);
        for w in wrap(value, 95) {
            line(&mut c, b"F1", 10.0, 60.0, &w, &mut y);
        }
        y -= 4.0;
    }
    line(
        &mut c,
        b"F1",
        10.0,
        60.0,
        &format!("{}: {}", lang_labels.due, l.due),
        &mut y,
    );
    y -= 30.0;
    let sign_y = y;
    line(&mut c, b"F1", 10.0, 60.0, &lang_labels.ketua, &mut y);
    let mut y2 = sign_y;
    line(
        &mut c,
        b"F1",
        10.0,
        340.0,
        &lang_labels.kepala_desa,
        &mut y2,
    );
    y -= 50.0;
    let mut y3 = y;
    line(
        &mut c,
        b"F1",
        10.0,
        60.0,
        "(..............................)",
        &mut y,
    );
    line(
        &mut c,
        b"F1",
        10.0,
        340.0,
        "(..............................)",
        &mut y3,
    );
    // The QR code and its address, for the provider to answer.
    let mut content = c.finish().to_vec();
    content.extend_from_slice(&qr_operations(&l.qr_target, 60.0, 70.0, 2.5));
    let mut c = Content::new();
    let mut y = 60.0;
    line(&mut c, b"F1", 8.0, 60.0, &lang_labels.qr_help, &mut y);
    line(&mut c, b"F1", 7.0, 60.0, &l.qr_target, &mut y);
    content.extend_from_slice(&c.finish());
    pdf.stream(content_id, &content);
    pdf.finish()
}

/// The letter's fixed words in the user's language.
#[derive(Debug, Clone)]
pub struct LetterLabels {
    pub head_1: String,
    pub head_2: String,
    pub title: String,
    pub number: String,
    pub to: String,
    pub case: String,
    pub date: String,
    pub person: String,
    pub address: String,
    pub need: String,
    pub decision: String,
    pub due: String,
    pub ketua: String,
    pub kepala_desa: String,
    pub qr_help: String,
}

impl LetterLabels {
    pub fn new(lang: puskesos_domain::Lang) -> LetterLabels {
        let t = |k: &str| puskesos_domain::tr(lang, k, &[]);
        LetterLabels {
            head_1: t("letter-head-1"),
            head_2: t("letter-head-2"),
            title: t("letter-title"),
            number: t("letter-number"),
            to: t("letter-to"),
            case: t("web-case"),
            date: t("web-activity-date"),
            person: t("web-person"),
            address: t("web-contact-address"),
            need: t("web-summary"),
            decision: t("web-decision"),
            due: t("web-deadline"),
            ketua: t("role-ketua"),
            kepala_desa: t("role-kepala_desa"),
            qr_help: t("letter-qr-help"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn the_letter_carries_its_numbers_and_the_qr_code_of_its_target() {
        let l = Letter {
            village: "Petirsari".into(),
            letter_number: "K-2026-0001/R-01".into(),
            case_number: "K-2026-0001".into(),
            date: "28-11-2026".into(),
            provider: "Puskesmas Pracimantoro".into(),
            person: "Wagiyem".into(),
            address: "Dusun Pucung".into(),
            need: "Anak demam tinggi, belum punya BPJS ".repeat(8),
            decision: "Disetujui".into(),
            due: "05-12-2026".into(),
            qr_target: "http://127.0.0.1:8080/rujukan/abc/jawab?t=0123".into(),
        };
        let pdf = render(&l, &LetterLabels::new(puskesos_domain::Lang::Id));
        assert!(pdf.starts_with(b"%PDF-"));
        for s in [
            "K-2026-0001/R-01",
            "Puskesmas Pracimantoro",
            "Wagiyem",
            "05-12-2026",
            "SURAT RUJUKAN",
        ] {
            assert!(find(&pdf, s.as_bytes()), "letter lacks {s}");
        }
        assert!(
            find(&pdf, l.qr_target.as_bytes()),
            "the address is printed under the code"
        );
        // The squares drawn are exactly those of the QR code of the target address.
        let qr = qr_operations(&l.qr_target, 60.0, 70.0, 2.5);
        assert!(qr.len() > 1000);
        assert!(find(&pdf, &qr));
        assert!(!find(
            &pdf,
            &qr_operations("http://elsewhere/", 60.0, 70.0, 2.5)
        ));
    }
}
