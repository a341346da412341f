//! The printable receipt of a complaint (A6, for the resident to keep): ticket number, access
//! code when it is given and right, category, dates, what happens next, and the public status
//! page as a link and a QR code. Reprinted from the complaint page; a reprint without the
//! code says where the code is.

use puskesos_domain::{Lang, tr};
use puskesos_storage::complaints::{self, Complaint};
use puskesos_storage::{Db, StorageError};

use super::service;
use crate::app::format::format_day;
use crate::app::pdf::{Align, Doc, Font, Paper, Signature};

/// What the receipt prints.
#[derive(Debug, Clone)]
pub struct ComplaintReceipt {
    pub complaint: Complaint,
    /// The access code, printed only when it is the complaint's.
    pub code: Option<String>,
    /// The absolute address of the public status page.
    pub status_url: String,
    /// The name of the officer who took the complaint.
    pub officer: String,
}

/// The village's complaint with its code checked (the view is audited as the complaint page
/// is, a refused one too), or `None`.
pub fn load(
    db: &Db,
    village: &str,
    id: &str,
    code: Option<&str>,
    actor: &str,
    status_url: &str,
) -> Result<Option<ComplaintReceipt>, StorageError> {
    let Some(complaint) = service::view(db, village, id, actor)? else {
        return Ok(None);
    };
    let code = match code.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) if complaints::code_matches(&mut db.conn()?, village, id, c)? => {
            Some(c.to_string())
        }
        _ => None,
    };
    let officer =
        crate::app::actors::Actors::load(&mut db.conn()?)?.name(Lang::Id, &complaint.opened_by);
    Ok(Some(ComplaintReceipt {
        complaint,
        code,
        status_url: status_url.to_string(),
        officer,
    }))
}

pub fn render(lang: Lang, r: &ComplaintReceipt) -> Vec<u8> {
    let t = |k: &str| tr(lang, k, &[]);
    let c = &r.complaint;
    let mut doc = Doc::new(Paper::A6, 1.0, lang);
    doc.set_title(&format!("{} {}", t("receipt-complaint-title"), c.ticket));
    doc.receipt_head(&c.village, &t("receipt-complaint-title"));
    let code = r.code.clone().unwrap_or_else(|| "–".to_string());
    let category = t(&format!("category-{}", c.category.code()));
    let (opened, deadline) = (format_day(c.opened_at), format_day(c.deadline_at));
    doc.fields(&[
        (&t("web-ticket"), &c.ticket),
        (&t("web-ticket-code"), &code),
        (&t("web-category"), &category),
        (&t("web-received"), &opened),
        (&t("web-deadline"), &deadline),
    ]);
    if r.code.is_none() {
        doc.small(&t("receipt-code-once"));
    }
    doc.heading(3, &t("receipt-next"));
    doc.text(&tr(
        lang,
        "receipt-complaint-next",
        &[("deadline", &deadline)],
    ));
    doc.space(4.0);
    doc.qr(&r.status_url, &t("receipt-complaint-scan"), 56.0);
    let officer = &r.officer;
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
