//! The audit log page's markup.

use maud::{Markup, html};
use puskesos_domain::i18n::format_int;
use puskesos_domain::{Lang, tr};

use super::service::AuditPage;
use crate::app::format::format_time;

/// A page of the audit log, families linked, with the pager.
pub fn audit(lang: Lang, p: &AuditPage) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    let (page, pages) = (p.page, p.pages);
    html! {
        section {
            h2 { (t("web-audit")) " (" (format_int(lang, p.total)) ")" }
            table.audit {
                thead { tr { th { (t("web-audit-time")) } th { (t("web-audit-actor")) } th { (t("web-audit-action")) } th { (t("web-audit-what")) } } }
                tbody {
                    @for e in &p.rows {
                        tr {
                            td { (format_time(e.at_ms)) }
                            td { (e.actor) }
                            td { (e.action) }
                            td {
                                @if e.entity == "family" {
                                    a href=(format!("/keluarga/{}", e.entity_id)) { (e.entity) }
                                } @else { (e.entity) " " (e.entity_id) }
                                @if let Some(d) = &e.detail { " · " small { (d) } }
                            }
                        }
                    }
                }
            }
            nav.pager {
                @if page > 1 { a href=(format!("/audit?hal={}", page - 1)) rel="prev" { "‹ " (t("web-prev")) } }
                span { (page) " / " (pages) }
                @if page < pages { a href=(format!("/audit?hal={}", page + 1)) rel="next" { (t("web-next")) " ›" } }
            }
        }
    }
}
