//! The start page's markup: the village, the registry's size and a NIK checker.

use maud::html;
use puskesos_domain::i18n::format_int;
use puskesos_domain::identity::{Issue, Nik, Severity};
use puskesos_domain::wilayah::Wilayah;
use puskesos_domain::{Lang, tr};

use crate::app::access::CurrentUser;
use crate::app::layout::Page;

/// What the start page shows.
pub struct Home<'a> {
    /// The village's full name, when this node serves one.
    pub village: Option<String>,
    pub families: i64,
    pub persons: i64,
    /// The number typed into the NIK checker.
    pub nomor: &'a str,
    /// What the checker found, when a number was typed.
    pub checked: Option<Result<Nik, Vec<Issue>>>,
}

pub fn home_page(lang: Lang, user: Option<CurrentUser>, home: Home<'_>) -> Page {
    let t = |k: &str| tr(lang, k, &[]);
    let village = home.village.unwrap_or_else(|| t("web-no-village"));
    let fam = format_int(lang, home.families);
    let per = format_int(lang, home.persons);
    Page::new(lang, &t("web-tagline"))
        .user(user)
        .body(html! {
            section {
                h2 { (t("web-village")) }
                p { (village) }
                p { (tr(lang, "web-registry-size", &[("families", &fam), ("persons", &per)])) }
            }
            section {
                h2 { (t("web-check-title")) }
                form method="get" action="/" {
                    label for="nomor" { (t("web-check-label")) }
                    input id="nomor" name="nomor" inputmode="numeric" maxlength="40" value=(home.nomor);
                    button type="submit" { (t("web-check-button")) }
                }
                @match &home.checked {
                    Some(Ok(nik)) => {
                        p.ok { (t("nik-valid")) " — " (Wilayah::master().full_name(&nik.kecamatan).unwrap_or_default()) }
                        ul { @for w in &nik.warnings { li.warning { (w.message.render(lang)) } } }
                    }
                    Some(Err(issues)) => {
                        ul { @for i in issues {
                            li class=(if i.severity == Severity::Error { "error" } else { "warning" }) { (i.message.render(lang)) }
                        } }
                    }
                    None => {}
                }
            }
        })
}

/// The glossary's terms, in the order a new officer meets them; each has a `gloss-<term>` name
/// and a `gloss-<term>-text` explanation in the catalogues.
pub const TERMS: &[&str] = &[
    "slrt",
    "puskesos",
    "dtsen",
    "desil",
    "nik",
    "kk",
    "ppks",
    "psks",
    "pkh",
    "pkh-komponen",
    "sembako",
    "pip",
    "pbi-jkn",
    "atensi",
    "rs-rtlh",
    "eksklusi",
    "inklusi",
    "pmt",
    "fakir-miskin",
    "musdes",
    "verval",
    "rujukan",
    "tksk",
    "psm",
];

/// `/istilah`: every term with its meaning, each with an anchor (`#desil`) pages can link to.
pub fn glossary(
    lang: Lang,
    user: Option<crate::app::access::CurrentUser>,
) -> crate::app::layout::Page {
    let t = |k: &str| tr(lang, k, &[]);
    crate::app::layout::Page::new(lang, &t("gloss-title"))
        .user(user)
        .body(maud::html! {
            section {
                h2 { (t("gloss-title")) }
                p { (t("gloss-intro")) }
                dl.glossary {
                    @for term in TERMS {
                        dt id=(term) { (t(&format!("gloss-{term}"))) }
                        dd { (t(&format!("gloss-{term}-text"))) }
                    }
                }
            }
        })
}
