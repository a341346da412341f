//! Who should get what, in the browser (issue 4): the gap lists per program for the
//! review-and-analysis role (with CSV/XLSX export), a district's villages side by side, and
//! what-if runs of a changed rule file that change nothing stored.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;
use puskesos_domain::tr;
use serde::Deserialize;

use crate::app::access::CurrentUser;
use crate::app::download::table_download;
use crate::app::extract::{AtVillage, CsrfForm, UiLang};
use crate::app::scope::{desa_query, village_for};
use crate::app::{AppError, AppState};
use crate::features::eligibility::service::{self, ExportError, WhatIfError, gap_of};
use crate::features::eligibility::views::{self, PER_PAGE};

#[derive(Deserialize, Default)]
pub struct GapParams {
    desa: Option<String>,
    hal: Option<i64>,
    format: Option<String>,
}

/// Counts and sums of every program's gaps in a village, with links to the lists; for a
/// district account without `desa`, the district's villages side by side.
pub async fn overview(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    user: CurrentUser,
    Query(p): Query<GapParams>,
) -> Result<Response, AppError> {
    let Some(village) = village_for(&user, p.desa.as_deref()) else {
        if p.desa.is_none() {
            let d = service::district(&state.db, &state.rules, user.reach.prefix()).await?;
            return Ok(views::district_page(lang, user, &d));
        }
        return Err(AppError::refused(
            StatusCode::NOT_FOUND,
            "web-choose-village",
        ));
    };
    let o = service::overview(&state.db, &state.rules, &village).await?;
    let q = desa_query(&user, &village);
    Ok(views::overview_page(lang, user, &village, &q, &o))
}

/// One program's families with one kind of gap, paged.
pub async fn list(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    user: CurrentUser,
    Path((program, gap)): Path<(String, String)>,
    Query(p): Query<GapParams>,
) -> Result<Response, AppError> {
    let gap = gap_of(&gap).ok_or_else(AppError::not_found)?;
    let village = village_for(&user, p.desa.as_deref())
        .ok_or_else(|| AppError::refused(StatusCode::NOT_FOUND, "web-choose-village"))?;
    // The list is the stored assessment's: its date, and the rules in force on it.
    let on = service::stored_day(&state.db, &village).await?;
    let assessor = state
        .rules
        .assessor_on(on.unwrap_or_else(crate::app::state::Rules::today))?;
    let prog = assessor
        .rules
        .programs
        .iter()
        .find(|x| x.code == program)
        .ok_or_else(AppError::not_found)?;
    let page = p.hal.unwrap_or(1).clamp(1, 100_000);
    let rows = service::gap_list(
        &state.db,
        &village,
        &program,
        gap,
        PER_PAGE + 1,
        (page - 1) * PER_PAGE,
    )
    .await?;
    Ok(views::list_page(
        lang,
        user,
        (&village, on),
        prog,
        gap,
        page,
        &rows,
    ))
}

/// The whole list as CSV or XLSX; recorded in the audit log (it names families).
pub async fn export(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    user: CurrentUser,
    Path((program, gap)): Path<(String, String)>,
    Query(p): Query<GapParams>,
) -> Result<Response, AppError> {
    let gap = gap_of(&gap).ok_or_else(AppError::not_found)?;
    let village = village_for(&user, p.desa.as_deref())
        .ok_or_else(|| AppError::refused(StatusCode::NOT_FOUND, "web-choose-village"))?;
    let xlsx = p.format.as_deref() != Some("csv");
    let actor = user.actor();
    let bytes = service::export_list(&state.db, lang, &village, &program, gap, &actor, xlsx)
        .await
        .map_err(|e| match e {
            ExportError::Storage(e) => AppError::from(e),
            ExportError::Table(e) => AppError::internal("web-internal-error", e),
        })?;
    Ok(table_download(
        xlsx,
        &format!(
            "{program}-{}-{}",
            gap_file_word(gap.code()),
            village.replace('.', "")
        ),
        bytes,
    ))
}

#[derive(Deserialize, Default)]
pub struct WhatIfParams {
    program: Option<String>,
    /// The reference date to run for (default: the village's stored assessment date).
    tanggal: Option<String>,
}

/// The programs in force as (code, name), for the what-if form's picker.
fn program_choices(
    lang: puskesos_domain::Lang,
    rules: &puskesos_domain::rules::RuleSet,
) -> Vec<(String, String)> {
    rules
        .programs
        .iter()
        .map(|p| (p.code.clone(), p.name(lang).to_string()))
        .collect()
}

/// The what-if form, with the current rule file of a program to change.
pub async fn whatif_page(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    at: AtVillage,
    Query(p): Query<WhatIfParams>,
) -> Result<Response, AppError> {
    let picked = service::picked_date(p.tanggal.as_deref())?;
    let day = service::reference_day(&state.db, &at.village, picked).await?;
    let assessor = state.rules.assessor_on(day)?;
    let programs = program_choices(lang, &assessor.rules);
    let chosen = p
        .program
        .filter(|c| programs.iter().any(|(code, _)| code == c))
        .or_else(|| programs.first().map(|(c, _)| c.clone()))
        .unwrap_or_default();
    let text = service::current_source(state.rules.dir.as_deref(), &chosen).unwrap_or_default();
    let body = html! {
        (views::whatif_help(lang, &at.village))
        (views::whatif_form(lang, &at.user, (&at.village, day), &programs, &chosen, &text, None))
    };
    Ok(views::whatif_page(lang, &at.user, StatusCode::OK, body))
}

/// The what-if form as posted.
#[derive(Deserialize)]
pub struct WhatIfForm {
    desa: Option<String>,
    #[serde(default)]
    rules: String,
    /// The reference date to run for (default: the village's stored assessment date).
    tanggal: Option<String>,
}

/// Runs the changed rule file against the village and shows gains, losses and budgets.
pub async fn whatif_run(
    State(state): State<AppState>,
    UiLang(lang): UiLang,
    user: CurrentUser,
    CsrfForm(form): CsrfForm<WhatIfForm>,
) -> Result<Response, AppError> {
    let village = village_for(&user, form.desa.as_deref())
        .ok_or_else(|| AppError::refused(StatusCode::NOT_FOUND, "web-choose-village"))?;
    let text = form.rules;
    let picked = service::picked_date(form.tanggal.as_deref())?;
    let day = service::reference_day(&state.db, &village, picked).await?;
    let assessor = state.rules.assessor_on(day)?;
    let programs = program_choices(lang, &assessor.rules);
    let label = tr(lang, "web-rule-text", &[]);
    let run =
        service::what_if_run(&state.db, &state.rules, assessor, &village, &label, &text).await;
    // A rule text that does not read is shown again with its error, for the program it
    // defines when it got that far.
    let refused = |code: &str, e: puskesos_domain::rules::RuleFileError| {
        let error = e.render(lang);
        let body = views::whatif_form(
            lang,
            &user,
            (&village, day),
            &programs,
            code,
            &text,
            Some(&error),
        );
        Ok(views::whatif_page(
            lang,
            &user,
            StatusCode::UNPROCESSABLE_ENTITY,
            body,
        ))
    };
    match run {
        Ok(w) => {
            let body = html! {
                (views::whatif_results(lang, &w))
                (views::whatif_form(lang, &user, (&village, day), &programs, &w.code, &text, None))
            };
            Ok(views::whatif_page(lang, &user, StatusCode::OK, body))
        }
        Err(WhatIfError::Program(e)) => refused("", e),
        Err(WhatIfError::Rules { code, error }) => refused(&code, error),
        Err(WhatIfError::Folder(e)) => Err(AppError::internal("web-internal-error", e)),
        Err(WhatIfError::Storage(e)) => Err(e.into()),
    }
}

/// A gap list's word in its file name, as the officer would say it.
fn gap_file_word(code: &str) -> &str {
    match code {
        "exclusion" => "belum-menerima",
        "inclusion" => "tidak-memenuhi-syarat",
        "review" => "perlu-ditinjau",
        other => other,
    }
}
