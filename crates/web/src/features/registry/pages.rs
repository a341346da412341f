//! Server-rendered pages (maud: every interpolated value is HTML-escaped). They work without
//! JavaScript and from 360 px wide.

use std::borrow::Cow;

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use maud::html;
use puskesos_domain::access::{Action, allowed};
use puskesos_domain::assessment::{Met, bps14};
use puskesos_domain::i18n::format_int;
use puskesos_domain::identity::mask;
use puskesos_domain::model::{FAMILY_FIELDS, Field, Kind, PERSON_FIELDS, Record, Value};
use puskesos_domain::wilayah::{KodeWilayah, Wilayah};
use puskesos_domain::{Lang, tr};
use puskesos_storage::assessment;
use puskesos_storage::registry::{self, SearchQuery};
use serde::Deserialize;

use crate::app::access::CurrentUser;
use crate::app::format::format_time;
use crate::app::layout::{Page, error_page, lang_of};
use crate::app::{AppState, blocking, quick};

/// Page size of the registry search.
pub const PER_PAGE: i64 = 25;

#[derive(Deserialize, Default)]
pub struct SearchParams {
    pub q: Option<String>,
    pub rt: Option<String>,
    pub rw: Option<String>,
    pub hal: Option<i64>,
}

impl SearchParams {
    pub fn query(&self) -> SearchQuery {
        let cut = |s: &Option<String>, n: usize| s.as_ref().map(|v| v.chars().take(n).collect());
        SearchQuery {
            text: cut(&self.q, 100),
            rt: cut(&self.rt, 3),
            rw: cut(&self.rw, 3),
        }
    }
    pub fn page(&self) -> i64 {
        self.hal.unwrap_or(1).clamp(1, 100_000)
    }
}

/// Registry search by NIK, KK, name, RT/RW, with paging; NIKs masked in the list.
pub async fn search(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    Query(params): Query<SearchParams>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let t = |k: &str| tr(lang, k, &[]);
    let page = params.page();
    let Ok((rows, count)) = run_search(&state, &user, &params).await else {
        return error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error");
    };
    let total = count.total;
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let link = |p: i64| {
        let enc = |s: &Option<String>| s.as_deref().map(url_escape).unwrap_or_default();
        format!(
            "/registri?q={}&rt={}&rw={}&hal={p}",
            enc(&params.q),
            enc(&params.rt),
            enc(&params.rw)
        )
    };
    let capped = count.more;
    let mut total_text = format_int(lang, total);
    if capped {
        total_text.push('+');
    }
    let can_write = allowed(user.account.role, Action::RegistryWrite);
    Page::new(lang, &t("web-registry"))
        .user(Some(user))
        .body(html! {
            section {
                h2 { (t("web-registry")) }
                @if can_write {
                    p.actions { a href="/keluarga/baru" { (t("web-new-family")) } }
                }
                form.search method="get" action="/registri" role="search" {
                    label for="q" { (t("web-search-label")) }
                    input id="q" name="q" maxlength="100" value=(params.q.clone().unwrap_or_default());
                    div.row {
                        div { label for="rt" { "RT" } input id="rt" name="rt" inputmode="numeric" maxlength="3" value=(params.rt.clone().unwrap_or_default()); }
                        div { label for="rw" { "RW" } input id="rw" name="rw" inputmode="numeric" maxlength="3" value=(params.rw.clone().unwrap_or_default()); }
                    }
                    button type="submit" { (t("web-search-button")) }
                }
                p { (tr(lang, "web-search-count", &[("count", &total_text)])) }
                ul.results {
                    @for f in &rows {
                        li {
                            a href=(format!("/keluarga/{}", f.id)) {
                                strong { (f.head_name.clone().unwrap_or_else(|| "—".into())) }
                            }
                            " · KK " (mask(&f.no_kk))
                            @if let Some(nik) = &f.head_nik { " · NIK " (mask(nik)) }
                            br;
                            small {
                                (f.address.clone().unwrap_or_default())
                                " RT " (f.rt.clone().unwrap_or_default()) "/RW " (f.rw.clone().unwrap_or_default())
                                " · " (tr(lang, "web-members", &[("count", &f.members.to_string())]))
                            }
                        }
                    }
                }
                nav.pager aria-label=(t("web-pages")) {
                    @if page > 1 { a href=(link(page - 1)) rel="prev" { "‹ " (t("web-prev")) } }
                    span { (page) " / " (pages) @if capped { "+" } }
                    @if page < pages || (capped && rows.len() as i64 == PER_PAGE) { a href=(link(page + 1)) rel="next" { (t("web-next")) " ›" } }
                }
            }
        })
        .into_response()
}

/// One page of the registry search within the user's reach (pages and API share it).
pub async fn run_search(
    state: &AppState,
    user: &CurrentUser,
    params: &SearchParams,
) -> Result<(Vec<registry::FamilySummary>, registry::SearchCount), puskesos_storage::StorageError> {
    let db = state.db.clone();
    let prefix = user.reach.prefix().map(str::to_string);
    let query = params.query();
    let offset = (params.page() - 1) * PER_PAGE;
    // On the async thread while it stays short (a page of a usual name search reads a few
    // hundred index rows); a search that reads more starts again on the blocking pool, so that
    // a rare combination of words never holds up the other requests.
    let budget = match state.db.engine() {
        puskesos_storage::Engine::Sqlite => Some(QUICK_SEARCH_ROWS),
        puskesos_storage::Engine::Postgres => None,
    };
    let (db2, prefix2, query2) = (db.clone(), prefix.clone(), query.clone());
    let found = quick(&state.db, move || {
        let mut conn = db2.conn()?;
        registry::search_within(
            &mut conn,
            prefix2.as_deref(),
            &query2,
            PER_PAGE,
            offset,
            budget,
        )
    })
    .await?;
    match found {
        Some(found) => Ok(found),
        None => {
            blocking(move || {
                let mut conn = db.conn()?;
                registry::search(&mut conn, prefix.as_deref(), &query, PER_PAGE, offset)
            })
            .await
        }
    }
}

/// Index rows a name search may read on the async thread (about 2 ms) before it moves to the
/// blocking pool.
const QUICK_SEARCH_ROWS: usize = 5_000;

fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A family within the user's reach: its facts, members and history. Recorded in the audit log:
/// nothing is returned before the view's audit row is committed. The reads run like [`quick`]
/// ones and the wait for the commit holds no thread (the group-commit writer answers through a
/// channel this task awaits).
pub async fn load_family(
    state: &AppState,
    user: &CurrentUser,
    id: String,
    via: &'static str,
) -> Result<Option<registry::FamilyView>, puskesos_storage::StorageError> {
    let db = state.db.clone();
    let reach = user.reach.clone();
    let actor = format!("user:{}", user.account.username);
    let writer = state.audit.clone();
    let (view, committed) = quick(&state.db, move || {
        let mut conn = db.conn()?;
        let mut committed = None;
        let view = registry::family_view_with(
            &mut conn,
            &id,
            |village| KodeWilayah::parse(village).is_some_and(|v| reach.covers(&v)),
            &actor,
            via,
            |_, record| {
                let (done, wait) = tokio::sync::oneshot::channel();
                writer.submit(
                    record,
                    Box::new(move |result| {
                        let _ = done.send(result);
                    }),
                )?;
                committed = Some(wait);
                Ok(())
            },
        )?;
        Ok((view, committed))
    })
    .await?;
    if let Some(wait) = committed {
        let stopped = || puskesos_storage::StorageError::Config("audit writer stopped".into());
        wait.await
            .map_err(|_| stopped())?
            .map_err(|e| puskesos_storage::StorageError::Config(format!("audit: {e}")))?;
    }
    Ok(view)
}

pub async fn family(
    State(state): State<AppState>,
    jar: CookieJar,
    uri: Uri,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> Response {
    let lang = lang_of(uri.query(), &jar);
    let t = |k: &str| tr(lang, k, &[]);
    let view = match load_family(&state, &user, id, "web").await {
        Ok(Some(v)) => v,
        // Outside the reach and absent look the same: nothing about another village leaks.
        Ok(None) => return error_page(StatusCode::NOT_FOUND, lang, "web-not-found"),
        Err(_) => return error_page(StatusCode::SERVICE_UNAVAILABLE, lang, "web-db-error"),
    };
    let f = &view.family;
    let village = f
        .text("kode_wilayah")
        .and_then(KodeWilayah::parse)
        .and_then(|v| Wilayah::master().full_name(&v))
        .unwrap_or_default();
    let label = |key: &str| puskesos_domain::i18n::field_label(lang, key);
    let can_write = allowed(user.account.role, Action::RegistryWrite);
    let can_export = allowed(user.account.role, Action::PersonalDataExport);
    // Assessed live from the record just loaded (always current); only the village's decile
    // boundaries come from the store.
    let village_code = f.text("kode_wilayah").unwrap_or_default().to_string();
    let (db, rules) = (state.db.clone(), state.rules.clone());
    let assessed = match quick(&state.db, move || {
        let assessor = rules.assessor()?;
        let mut conn = db.conn()?;
        Ok((assessment::cutoffs(&mut conn, &village_code)?, assessor))
    })
    .await
    {
        Ok((cutoffs, assessor)) => {
            let mut prepared = assessor.prepare(
                f.text("kode_wilayah").unwrap_or_default(),
                &view.family,
                &view.members,
            );
            let summary = assessor.finish(
                &mut prepared,
                cutoffs.as_ref(),
                &mut puskesos_domain::rules::Scratch::default(),
            );
            Some((assessor, (prepared, summary)))
        }
        Err(_) => None,
    };
    let bps_cfg = assessed
        .as_ref()
        .map(|(a, _)| a.bps14.clone())
        .unwrap_or_default();
    let bps = bps14(&view.family, &view.members, &bps_cfg);
    Page::new(lang, &format!("KK {}", f.text("no_kk").unwrap_or_default()))
        .user(Some(user))
        .body(html! {
            section {
                h2 { "KK " (f.text("no_kk").unwrap_or_default()) }
                @if can_write {
                    p.actions {
                        a href=(format!("/keluarga/{}/ubah", f.id)) { (t("web-edit-family")) }
                        " · "
                        a href=(format!("/keluarga/{}/anggota/baru", f.id)) { (t("web-add-member")) }
                    }
                }
                p { (f.text("alamat").unwrap_or_default()) " RT " (f.text("rt").unwrap_or_default()) "/RW " (f.text("rw").unwrap_or_default()) br; (village) }
            }
            section {
                h3 { (t("web-members-title")) }
                @for p in &view.members {
                    article.member {
                        h4 { (p.text("nama").unwrap_or_default()) " " small { "NIK " (p.text("nik").unwrap_or_default()) } }
                        @if can_write { p.actions { a href=(format!("/anggota/{}/ubah", p.id)) { (t("web-edit-member")) } } }
                        @if can_export { p.actions { a href=(format!("/anggota/{}/data", p.id)) download { (t("web-person-export")) } } }
                        dl {
                            @for (fld, v) in PERSON_FIELDS.iter().zip(&p.values) {
                                @if let Some(v) = v {
                                    @if fld.key != "nama" && fld.key != "nik" {
                                        dt { (label(fld.key)) }
                                        dd { (display_value(lang, fld, v)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            section {
                h3 { (t("web-bps14")) ": " (t(&format!("verdict-{}", bps.verdict.code()))) }
                p { (tr(lang, "web-bps14-count", &[("met", &bps.met.to_string()), ("unknown", &bps.unknown.to_string()), ("threshold", &bps_cfg.threshold.to_string())])) }
                @if !bps.missing_facts().is_empty() {
                    p.warning { (t("web-bps14-missing")) ": "
                        (bps.missing_facts().iter().map(|k| label(k)).collect::<Vec<_>>().join(", ")) }
                }
                ul.criteria {
                    @for c in &bps.criteria {
                        li class=(match c.met { Met::Yes => "yes", Met::No => "no", Met::Unknown => "unknown" }) {
                            (match c.met { Met::Yes => "✓ ", Met::No => "· ", Met::Unknown => "? " })
                            (t(&format!("bps14-{}", c.number)))
                        }
                    }
                }
            }
            @if let Some((assessor, (prepared, summary))) = &assessed {
                (crate::features::eligibility::family_section(lang, &assessor.rules, prepared, summary, &view.members))
            }
            section {
                h3 { (t("web-family-facts")) }
                dl {
                    @for (fld, v) in FAMILY_FIELDS.iter().zip(&f.values) {
                        @if let Some(v) = v {
                            dt { (label(fld.key)) }
                            dd { (display_value(lang, fld, v)) }
                        }
                    }
                }
            }
            section {
                h3 { (t("web-history")) }
                ol.history {
                    @for h in view.history.iter().rev() {
                        li {
                            strong { (format_time(h.at_ms)) } " · " (h.actor) " · " (t(&format!("web-action-{}", h.action)))
                            @if let Some(r) = &h.reason { " · " em { (r) } }
                            ul {
                                @for (field, old, new) in &h.changed {
                                    li { (label(field)) ": " (old.clone().unwrap_or_else(|| "—".into())) " → " (new.clone().unwrap_or_else(|| "—".into())) }
                                }
                            }
                        }
                    }
                }
            }
        })
        .into_response()
}

/// Dates the Indonesian way (dd-mm-yyyy), rupiah with the `Rp` prefix and grouped digits.
fn display_value(lang: Lang, field: &Field, value: &Value) -> Cow<'static, str> {
    match (field.kind, value) {
        (Kind::Date, _) => Cow::Owned(crate::app::format::indonesian_date(
            &value.to_text(field.kind),
        )),
        (Kind::Code(_), _) => {
            puskesos_domain::i18n::code_label(lang, field.key, value.as_text().unwrap_or_default())
        }
        (_, Value::Int(n)) if field.key == "penghasilan_kepala" => {
            Cow::Owned(puskesos_domain::i18n::format_rupiah(lang, *n))
        }
        _ => Cow::Owned(value.to_text(field.kind)),
    }
}
