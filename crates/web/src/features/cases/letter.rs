//! The referral letter as an A4 PDF: the village letterhead, the letter and case numbers, the
//! person (name, masked NIK, address), the need, the decision, the officer who referred, the
//! due date, the provider's answer link written out and as a QR code (scanned by the provider
//! to reply), and two signature blocks. Laid out by the kernel's flowing [`Doc`], so no block
//! is drawn over another and a long need runs onto a second page instead of off the first.

use puskesos_domain::{Lang, tr};

use crate::app::pdf::{Align, Doc, Font, Paper, Signature};

/// What the letter says.
#[derive(Debug, Clone, Default)]
pub struct Letter {
    /// The village's code (the letterhead names its kabupaten, kecamatan and village).
    pub village_code: String,
    /// The village's name, for the place above the signatures.
    pub village: String,
    pub letter_number: String,
    pub case_number: String,
    pub date: String,
    pub provider: String,
    pub person: String,
    /// The NIK with its middle digits hidden (the provider checks it against the card).
    pub nik_masked: String,
    pub address: String,
    pub need: String,
    pub decision: String,
    /// The day of the decision (`dd-mm-yyyy`), empty when there was none.
    pub decided_on: String,
    /// The officer who sent the referral, by name, and their role's code.
    pub officer: String,
    pub officer_role: String,
    pub due: String,
    /// The absolute address the QR code opens (the provider's answer page).
    pub qr_target: String,
}

pub fn render(l: &Letter, labels: &LetterLabels) -> Vec<u8> {
    let lang = labels.lang;
    let t = |k: &str| tr(lang, k, &[]);
    let mut doc = Doc::new(Paper::A4, 1.0, lang);
    doc.set_title(&format!("{} {}", labels.title, l.letter_number));
    doc.letterhead(&l.village_code);
    doc.space(6.0);
    doc.para(Font::Bold, 13.0, Align::Center, &labels.title);
    doc.para(
        Font::Regular,
        10.0,
        Align::Center,
        &format!("{}: {}", labels.number, l.letter_number),
    );
    doc.space(10.0);
    doc.fields(&[(&labels.to, &l.provider)]);
    doc.space(6.0);
    doc.text(&t("letter-intro"));
    doc.space(4.0);
    let dash = |s: &str| {
        if s.is_empty() {
            "–".to_string()
        } else {
            s.to_string()
        }
    };
    let role = tr(lang, &format!("role-{}", l.officer_role), &[]);
    let officer = if l.officer.is_empty() {
        dash("")
    } else if l.officer_role.is_empty() || l.officer == role {
        // A demo account is named after its role: once is enough.
        l.officer.clone()
    } else {
        format!(
            "{} ({})",
            l.officer,
            tr(lang, &format!("role-{}", l.officer_role), &[])
        )
    };
    let (person, nik, address) = (dash(&l.person), dash(&l.nik_masked), dash(&l.address));
    doc.fields(&[
        (&labels.person, &person),
        (&t("letter-nik"), &nik),
        (&labels.address, &address),
        (&labels.case, &l.case_number),
        (&labels.date, &l.date),
        (&t("letter-officer"), &officer),
    ]);
    doc.heading(3, &labels.need);
    doc.text(&dash(&l.need));
    let decision_head = if l.decided_on.is_empty() {
        labels.decision.clone()
    } else {
        format!("{} ({})", labels.decision, l.decided_on)
    };
    doc.heading(3, &decision_head);
    doc.text(&dash(&l.decision));
    doc.space(6.0);
    doc.fields(&[(&labels.due, &l.due)]);
    doc.space(10.0);
    doc.qr(&l.qr_target, &labels.qr_help, 96.0);
    doc.space(10.0);
    doc.text(&t("letter-closing"));
    doc.space(10.0);
    let ketua_name = if l.officer_role == "ketua" {
        l.officer.clone()
    } else {
        String::new()
    };
    doc.signatures(
        &format!("{}, {}", l.village, l.date),
        &[
            Signature {
                above: t("letter-known"),
                title: format!("{} {}", labels.kepala_desa, l.village),
                name: String::new(),
            },
            Signature {
                above: String::new(),
                title: labels.ketua.clone(),
                name: ketua_name,
            },
        ],
    );
    doc.finish()
}

/// The letter's fixed words in the user's language.
#[derive(Debug, Clone)]
pub struct LetterLabels {
    pub lang: Lang,
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
    pub fn new(lang: Lang) -> LetterLabels {
        let t = |k: &str| tr(lang, k, &[]);
        LetterLabels {
            lang,
            title: t("letter-title"),
            number: t("letter-number"),
            to: t("letter-to"),
            case: t("web-case"),
            date: t("web-activity-date"),
            person: t("web-person"),
            address: t("web-contact-address"),
            need: t("web-summary"),
            decision: t("web-decision"),
            due: t("letter-due"),
            ketua: t("role-ketua"),
            kepala_desa: t("letter-kepala-desa"),
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
    fn the_letter_carries_its_numbers_person_and_officer() {
        let l = Letter {
            village_code: "33.12.01.2001".into(),
            village: "Sumberagung".into(),
            letter_number: "K-2026-0001/R-01".into(),
            case_number: "K-2026-0001".into(),
            date: "28-11-2026".into(),
            provider: "Puskesmas Pracimantoro".into(),
            person: "Wagiyem".into(),
            nik_masked: "******410190****".into(),
            address: "Dusun Pucung".into(),
            need: "Anak demam tinggi, belum punya BPJS ".repeat(8),
            decision: "Disetujui".into(),
            decided_on: "27-11-2026".into(),
            officer: "Siti Aminah".into(),
            officer_role: "ketua".into(),
            due: "05-12-2026".into(),
            qr_target: "https://desa.example/rujukan/abc/jawab?t=0123".into(),
        };
        let pdf = render(&l, &LetterLabels::new(Lang::Id));
        assert!(pdf.starts_with(b"%PDF-"));
        for s in [
            "K-2026-0001/R-01",
            "Puskesmas Pracimantoro",
            "Wagiyem",
            "******410190****",
            "Dusun Pucung",
            "Siti Aminah (Ketua Puskesos)",
            "05-12-2026",
            "SURAT RUJUKAN",
            "KABUPATEN WONOGIRI",
        ] {
            assert!(find(&pdf, s.as_bytes()), "letter lacks {s}");
        }
        // The readers' checks (qpdf, pdftoppm, zbarimg) run on it in tests/web/pdf.rs.
    }
}
