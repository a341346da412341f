//! The data and information centre in the browser (issue 6): the village dashboard with its
//! RT/RW and period filters, the district roll-up (villages side by side, ranked, drilling down
//! to a village), the monthly report to the Dinas Sosial (page, PDF, XLSX), the exports of every
//! table behind a chart, and the public board with its poster. Aggregates only: no page here
//! names a person.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use puskesos_domain::tr;
use puskesos_interchange::export::{Sheet, table_bytes, titled_workbook_bytes};
use puskesos_storage::figures;
use serde::Deserialize;

use crate::app::access::CurrentUser;
use crate::app::download::{download, origin, table_download};
use crate::app::extract::{AtVillage, UiLang};
use crate::app::format::{region_full_name, region_name};
use crate::app::pdf::Paper;
use crate::app::scope::village_for;
use crate::app::{AppError, AppState};
use crate::features::dashboard::figures::{
    kecamatan_figure, monthly_figures, rollup_header, rollup_rows, village_figures,
};
use crate::features::dashboard::query::{Params, filter_of, non_empty, parse_month};
use crate::features::dashboard::{print, service, views};

/// A table that could not be written as CSV/XLSX: our fault, logged with its cause.
fn table_failed(e: String) -> AppError {
    AppError::internal("web-internal-error", e)
}

/// `GET /dasbor`: a village's dashboard; for a district account without `desa`, the roll-up.
pub async fn page(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    user: CurrentUser,
    Query(p): Query<Params>,
) -> Result<Response, AppError> {
    let Some(village) = village_for(&user, non_empty(&p.desa)) else {
        if non_empty(&p.desa).is_none() {
            let rows = service::rollup(&state.db, user.reach.prefix()).await?;
            let sort = non_empty(&p.urut).unwrap_or("cakupan");
            return Ok(views::rollup_page(lang, user, &rows, sort));
        }
        return Err(AppError::refused(
            StatusCode::NOT_FOUND,
            "web-choose-village",
        ));
    };
    let filter = match filter_of(&p) {
        Ok(f) => f,
        Err(field) => return Ok(views::bad_value(lang, field, p.given(field))),
    };
    let (assessor, d) = service::village(&state.db, &state.rules, &village, filter.clone()).await?;
    let figures = village_figures(lang, &assessor.rules, &d, false);
    let (db, v) = (state.db.clone(), village.clone());
    let psks =
        crate::app::blocking(move || crate::features::directory::service::count_by_kind(&db, &v))
            .await?;
    Ok(views::village_page(
        lang,
        user,
        &p,
        &village,
        &filter,
        views::VillageShown {
            dashboard: &d,
            figures: &figures,
            psks: &psks,
        },
    ))
}

/// `GET /dasbor/tabel/{name}`: the table behind a chart as CSV or XLSX (for a district account
/// without `desa`, the roll-up's `kabupaten` and `kecamatan` tables).
pub async fn export(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    user: CurrentUser,
    Path(name): Path<String>,
    Query(p): Query<Params>,
) -> Result<Response, AppError> {
    let xlsx = non_empty(&p.format) == Some("xlsx");
    let village = village_for(&user, non_empty(&p.desa));
    if village.is_none() && (name == "kabupaten" || name == "kecamatan") {
        let rows = service::rollup(&state.db, user.reach.prefix()).await?;
        let (header, table) = if name == "kabupaten" {
            (
                rollup_header(lang),
                rollup_rows(lang, &rows, non_empty(&p.urut).unwrap_or("cakupan")),
            )
        } else {
            let f = kecamatan_figure(lang, &rows);
            (f.header, f.rows)
        };
        let bytes = table_bytes(xlsx, &name, &header, &table).map_err(table_failed)?;
        return Ok(table_download(xlsx, &format!("rekap-{name}"), bytes));
    }
    let Some(village) = village else {
        return Err(AppError::refused(
            StatusCode::NOT_FOUND,
            "web-choose-village",
        ));
    };
    let filter = match filter_of(&p) {
        Ok(f) => f,
        Err(field) => return Ok(views::bad_value(lang, field, p.given(field))),
    };
    let (assessor, d) = service::village(&state.db, &state.rules, &village, filter).await?;
    let f = village_figures(lang, &assessor.rules, &d, false)
        .into_iter()
        .find(|f| f.name == name)
        .ok_or_else(AppError::not_found)?;
    let bytes = table_bytes(xlsx, f.name, &f.header, &f.rows).map_err(table_failed)?;
    Ok(table_download(
        xlsx,
        &format!("{}-{}", f.name, village),
        bytes,
    ))
}

/// `GET /laporan`: the monthly report (`?bulan=YYYY-MM`), as a page, `&format=pdf` or `xlsx`.
pub async fn monthly(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    at: AtVillage,
    Query(p): Query<Params>,
) -> Result<Response, AppError> {
    let bad_month = || Ok(views::bad_value(lang, "bulan", non_empty(&p.bulan)));
    let Some((year, month)) = parse_month(non_empty(&p.bulan)) else {
        return bad_month();
    };
    let village = at.village.clone();
    let Some((assessor, m)) =
        service::monthly(&state.db, &state.rules, &village, year, month).await?
    else {
        return bad_month();
    };
    let figs = monthly_figures(lang, &assessor.rules, &m);
    let period = format!("{year}-{month:02}");
    let month_words = print::month_in_words(lang, year, month);
    let title = tr(
        lang,
        "rep-title-full",
        &[("village", &region_name(&village)), ("month", &month_words)],
    );
    let stem = format!("laporan-{village}-{period}");
    match non_empty(&p.format) {
        Some("xlsx") => {
            let sheets: Vec<Sheet<'_>> = figs
                .iter()
                .map(|f| (f.name, f.header.as_slice(), f.rows.as_slice()))
                .collect();
            let titles = [
                title.clone(),
                format!(
                    "{}: {}",
                    tr(lang, "rep-village", &[]),
                    region_full_name(&village)
                ),
                format!("{}: {month_words}", tr(lang, "rep-month", &[])),
            ];
            let bytes = titled_workbook_bytes(&titles, &sheets).map_err(table_failed)?;
            Ok(table_download(true, &stem, bytes))
        }
        Some("pdf") => Ok(download(
            "application/pdf",
            &format!("{stem}.pdf"),
            print::monthly_pdf(lang, &village, year, month, figures::today(), &figs),
        )),
        _ => {
            let desa = at.desa_query().replacen('?', "&", 1);
            Ok(views::monthly_page(
                lang, at.user, &village, &period, &title, &desa, &figs,
            ))
        }
    }
}

/// `GET /papan/{desa}`: the public information board. No login, no personal data, counts of
/// one to four shown as "< 5".
pub async fn board(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let (assessor, d) = service::board(&state.db, &state.rules, &code)
        .await?
        .ok_or_else(AppError::not_found)?;
    let figs = village_figures(lang, &assessor.rules, &d, true);
    Ok(views::board_page(lang, &d, &figs))
}

#[derive(Debug, Default, Deserialize)]
pub struct PosterParams {
    pub ukuran: Option<String>,
}

/// `GET /papan/{desa}/poster?ukuran=a4|a3`: the board as a printable PDF poster.
pub async fn poster(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    Path(code): Path<String>,
    Query(p): Query<PosterParams>,
) -> Result<Response, AppError> {
    let (paper, scale, size) = match p.ukuran.as_deref() {
        Some("a3") => (Paper::A3, 1.4, "a3"),
        _ => (Paper::A4, 1.0, "a4"),
    };
    let (assessor, d) = service::board(&state.db, &state.rules, &code)
        .await?
        .ok_or_else(AppError::not_found)?;
    let figs = village_figures(lang, &assessor.rules, &d, true);
    let status_url = format!("{}/status", origin(&state));
    let pdf = print::poster_pdf(lang, paper, scale, &d, figs, &status_url);
    Ok(download(
        "application/pdf",
        &format!("papan-{}-{size}.pdf", d.village),
        pdf,
    ))
}
