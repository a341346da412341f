//! The audit log page's markup: the filters (who, what, whose data, when), the rows in words
//! with every record linked by the number people know it by, the pager and the export.

use maud::{Markup, html};
use puskesos_domain::i18n::format_int;
use puskesos_domain::{Lang, tr};
use puskesos_interchange::export::Cell;
use puskesos_storage::audit::AuditAction;
use puskesos_storage::registry::AuditEntry;

use super::handlers::AuditParams;
use super::service::AuditPage;
use crate::app::access::CurrentUser;
use crate::app::format::format_time;
use crate::app::scope::desa_query;

/// What a row was about, in words, and (for a reader on the page) where its page is.
fn what(
    lang: Lang,
    user: Option<&CurrentUser>,
    p: &AuditPage,
    village: &str,
    e: &AuditEntry,
) -> (String, Option<String>) {
    let t = |k: &str| tr(lang, k, &[]);
    let kind = t(&format!("audit-entity-{}", e.entity));
    let label = p.labels.get(&(e.entity.clone(), e.entity_id.clone()));
    let id = &e.entity_id;
    let words = match (e.entity.as_str(), label) {
        ("family", Some(kk)) => format!("{kind} KK {kk}"),
        (_, Some(l)) => format!("{kind} {l}"),
        ("gap_list", None) => {
            // `program/gap`, e.g. `pkh/exclusion`.
            let (program, gap) = id.split_once('/').unwrap_or((id, ""));
            let program = program.to_uppercase().replace('_', "-");
            format!("{kind} {program}: {}", t(&format!("gap-{gap}")))
        }
        ("family" | "person" | "case" | "complaint" | "activity" | "provider", None) => kind,
        // What a DCI partner asked for, by endpoint (`/registry/sync/search`), its agreement
        // (`dci-partner:pkh`) or a village it follows (`desa:33.12.01.2003`).
        ("page", None) if id.starts_with("/registry/") => t(&format!(
            "audit-dci-{}",
            id.trim_start_matches("/registry/").replace('/', "-")
        )),
        ("page", None) if id.starts_with("dci-partner:") => tr(
            lang,
            "audit-dci-partner",
            &[("partner", id.trim_start_matches("dci-partner:"))],
        ),
        ("page", None) if id.starts_with("desa:") => tr(
            lang,
            "audit-dci-village",
            &[("code", id.trim_start_matches("desa:"))],
        ),
        _ => format!("{kind} {id}"),
    };
    let link = user.and_then(|user| {
        let q = desa_query(user, village);
        match e.entity.as_str() {
            "family" => Some(format!("/keluarga/{id}")),
            "case" => Some(format!("/kasus/{id}{q}")),
            "complaint" => Some(format!("/pengaduan/{id}{q}")),
            "activity" => Some(format!("/kegiatan/{id}{q}")),
            "provider" => Some(format!("/penyedia/{id}{q}")),
            "gap_list" => Some(format!("/kelayakan/{id}{q}")),
            _ => None,
        }
    });
    (words, link)
}

/// A row's detail in words where it has a known shape (`rows=561`), else as stored.
fn detail(lang: Lang, d: &str) -> String {
    match d
        .strip_prefix("rows=")
        .and_then(|n| n.split_whitespace().next()?.parse::<i64>().ok())
    {
        Some(n) => tr(lang, "audit-rows", &[("count", &format_int(lang, n))]),
        None => d.to_string(),
    }
}

fn action(lang: Lang, code: &str) -> String {
    tr(lang, &format!("audit-action-{code}"), &[])
}

/// The filtered rows as a table (the export), in the reader's words.
pub fn audit_table(lang: Lang, p: &AuditPage) -> (Vec<String>, Vec<Vec<Cell>>) {
    let t = |k: &str| tr(lang, k, &[]);
    let header = vec![
        t("web-audit-time"),
        t("web-audit-actor"),
        t("web-audit-action"),
        t("web-audit-what"),
        t("audit-detail"),
        t("web-village"),
    ];
    let rows = p
        .rows
        .iter()
        .map(|(village, e)| {
            let (w, _) = what(lang, None, p, village, e);
            vec![
                Cell::Text(format_time(e.at_ms)),
                Cell::Text(p.actors.name(lang, &e.actor)),
                Cell::Text(action(lang, &e.action)),
                Cell::Text(w),
                Cell::Text(
                    e.detail
                        .as_deref()
                        .map(|d| detail(lang, d))
                        .unwrap_or_default(),
                ),
                Cell::Text(crate::app::format::region_full_name(village)),
            ]
        })
        .collect();
    (header, rows)
}

/// The query string of the filters as given (for the pager and the export links).
fn filter_query(p: &AuditParams) -> String {
    let pairs = [
        ("oleh", &p.oleh),
        ("tindakan", &p.tindakan),
        ("nik", &p.nik),
        ("dari", &p.dari),
        ("sampai", &p.sampai),
    ];
    pairs
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| {
            format!(
                "&{k}={}",
                percent_encoding::utf8_percent_encode(v.trim(), percent_encoding::NON_ALPHANUMERIC)
            )
        })
        .collect()
}

/// A page of the audit log with its filters, records linked, the pager and the export.
pub fn audit(
    lang: Lang,
    user: &CurrentUser,
    f: &AuditParams,
    p: &AuditPage,
    error: Option<&str>,
) -> Markup {
    let t = |k: &str| tr(lang, k, &[]);
    let (page, pages) = (p.page, p.pages);
    let q = filter_query(f);
    html! {
        section {
            h2 { (t("web-audit")) " (" (format_int(lang, p.total)) ")" }
            p.help { (t("audit-intro")) }
            form.filters method="get" action="/audit" {
                @if let Some(e) = error { p.error role="alert" { (e) } }
                div.row {
                    div {
                        label for="oleh" { (t("audit-filter-oleh")) }
                        select id="oleh" name="oleh" {
                            option value="" { (t("audit-anyone")) }
                            @for (stored, name) in &p.accounts {
                                option value=(stored) selected[f.oleh == *stored] { (name) }
                            }
                            @for (stored, key) in [("provider-link", "actor-provider-link"), ("demo", "actor-demo")] {
                                option value=(stored) selected[f.oleh == stored] { (t(key)) }
                            }
                        }
                    }
                    div {
                        label for="tindakan" { (t("audit-filter-tindakan")) }
                        select id="tindakan" name="tindakan" {
                            option value="" { (t("audit-any-action")) }
                            @for a in AuditAction::ALL {
                                option value=(a.code()) selected[f.tindakan == a.code()] { (action(lang, a.code())) }
                            }
                        }
                    }
                }
                div.row {
                    div {
                        label for="nik" { (t("audit-filter-nik")) }
                        input id="nik" name="nik" inputmode="numeric" maxlength="20" value=(f.nik);
                    }
                }
                div.row {
                    div { label for="dari" { (t("audit-filter-dari")) } input id="dari" name="dari" type="date" value=(f.dari); }
                    div { label for="sampai" { (t("audit-filter-sampai")) } input id="sampai" name="sampai" type="date" value=(f.sampai); }
                }
                button type="submit" { (t("fig-apply")) }
                " " a href=(format!("/audit?format=csv{q}")) { (t("audit-export")) }
            }
            div.table-wrap {
                table.audit {
                    thead { tr { th { (t("web-audit-time")) } th { (t("web-audit-actor")) } th { (t("web-audit-action")) } th { (t("web-audit-what")) } } }
                    tbody {
                        @for (village, e) in &p.rows {
                            @let (words, link) = what(lang, Some(user), p, village, e);
                            tr {
                                td { (format_time(e.at_ms)) }
                                td { (p.actors.name(lang, &e.actor)) }
                                td { (action(lang, &e.action)) }
                                td {
                                    @if let Some(href) = link { a href=(href) { (words) } } @else { (words) }
                                    @if let Some(d) = &e.detail { " · " small { (detail(lang, d)) } }
                                }
                            }
                        }
                    }
                }
            }
            nav.pager {
                @if page > 1 { a href=(format!("/audit?hal={}{q}", page - 1)) rel="prev" { "‹ " (t("web-prev")) } }
                span { (page) " / " (pages) }
                @if page < pages { a href=(format!("/audit?hal={}{q}", page + 1)) rel="next" { (t("web-next")) " ›" } }
            }
        }
    }
}
