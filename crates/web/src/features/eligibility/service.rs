//! Who should get which program, as use cases: a village's gaps per program, the district's
//! exclusion errors village by village, one gap list (paged, or whole for an audited export),
//! and a what-if run of a changed rule file against the village, which changes nothing stored.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use puskesos_domain::rules::assess::{Assessor, Prepared, ProgramChange, what_if};
use puskesos_domain::rules::{Gap, RuleFileError, RuleSet, parse_program};
use puskesos_domain::{Lang, tr};
use puskesos_interchange::export::{Cell, table_bytes};
use puskesos_interchange::rules::RulesError;
use puskesos_storage::assessment::{self, GapRow};
use puskesos_storage::audit::{self, AuditAction, AuditEntity, AuditEvent};
use puskesos_storage::{Db, StorageError};

use crate::app::{AppError, Rules, blocking, quick};
use puskesos_domain::model::{Family, Person, Record};
use puskesos_domain::rules::Scratch;
use puskesos_domain::rules::assess::{GapTotal, Summary};

/// A family assessed for one reference date, with the date of its stored assessment.
pub struct FamilyAssessment {
    pub assessor: Arc<Assessor>,
    pub prepared: Prepared,
    pub summary: Summary,
    /// The reference date of the stored assessment (`None`: never assessed, or stored before
    /// dates were kept).
    pub stored_on: Option<chrono::NaiveDate>,
}

impl FamilyAssessment {
    /// The date this assessment was computed for.
    pub fn on(&self) -> chrono::NaiveDate {
        self.assessor.on
    }
}

/// The date a user picked for a reassessment (`tanggal=YYYY-MM-DD`); empty is none. A date
/// that does not read is refused with the field named.
pub fn picked_date(raw: Option<&str>) -> Result<Option<chrono::NaiveDate>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<chrono::NaiveDate>()
            .map(Some)
            .map_err(|_| AppError::refused(axum::http::StatusCode::BAD_REQUEST, "web-bad-date")),
    }
}

/// The reference date of a village's stored assessment (`None` before the first).
pub async fn stored_day(db: &Db, village: &str) -> Result<Option<chrono::NaiveDate>, StorageError> {
    let (db, v) = (db.clone(), village.to_string());
    blocking(move || assessment::village_date(&mut db.conn()?, &v)).await
}

/// The reference date a village's pages use: `picked` when the user asked for one, else the
/// date of the village's stored assessment (today for a village never assessed).
pub async fn reference_day(
    db: &Db,
    village: &str,
    picked: Option<chrono::NaiveDate>,
) -> Result<chrono::NaiveDate, StorageError> {
    if let Some(day) = picked {
        return Ok(day);
    }
    let (db, v) = (db.clone(), village.to_string());
    blocking(
        move || Ok(assessment::village_date(&mut db.conn()?, &v)?.unwrap_or_else(Rules::today)),
    )
    .await
}

/// Assesses a family for `on`, or else for the reference date of its stored assessment (today
/// when it has none), so that the page and the API say what the gap lists say. The facts are
/// read live; the village's decile boundaries come from the store.
pub async fn assess_family(
    db: &Db,
    rules: &Rules,
    family: &Family,
    members: &[Person],
    on: Option<chrono::NaiveDate>,
) -> Result<FamilyAssessment, StorageError> {
    let village = family.text("kode_wilayah").unwrap_or_default().to_string();
    let (conn_db, rules, v, id) = (
        db.clone(),
        rules.clone(),
        village.clone(),
        family.id.clone(),
    );
    let (cutoffs, stored_on, assessor) = quick(db, move || {
        let mut conn = conn_db.conn()?;
        let stored_on = assessment::family_date(&mut conn, &v, &id)?;
        let assessor = rules.assessor_on(on.or(stored_on).unwrap_or_else(Rules::today))?;
        Ok((assessment::cutoffs(&mut conn, &v)?, stored_on, assessor))
    })
    .await?;
    let mut prepared = assessor.prepare(&village, family, members);
    let summary = assessor.finish(&mut prepared, cutoffs.as_ref(), &mut Scratch::default());
    Ok(FamilyAssessment {
        assessor,
        prepared,
        summary,
        stored_on,
    })
}

/// A village's gaps: per (program, gap) the families, the decided and known yearly sum and the
/// families whose amount is not known.
pub struct Overview {
    pub assessor: Arc<Assessor>,
    pub by: HashMap<(String, Gap), GapTotal>,
    /// Families assessed in the village.
    pub assessed: i64,
    /// The reference date of the village's stored assessment.
    pub on: Option<chrono::NaiveDate>,
}

pub async fn overview(db: &Db, rules: &Rules, village: &str) -> Result<Overview, StorageError> {
    let (db, rules, v) = (db.clone(), rules.clone(), village.to_string());
    blocking(move || {
        let mut conn = db.conn()?;
        // The rules in force on the stored assessment's date: the counts are that day's.
        let stored_on = assessment::village_date(&mut conn, &v)?;
        let assessor = rules.assessor_on(stored_on.unwrap_or_else(Rules::today))?;
        let summary = assessment::gap_summary(&mut conn, &v)?;
        let assessed = conn.query_i64(
            "SELECT COUNT(*) FROM assessments WHERE kode_wilayah = $1",
            &[v.as_str().into()],
        )?;
        let on = stored_on;
        let by = summary.into_iter().map(|(p, g, t)| ((p, g), t)).collect();
        Ok(Overview {
            assessor,
            by,
            assessed,
            on,
        })
    })
    .await
}

/// The exclusion errors of every village under `prefix`: villages in order, and per
/// (village, program) the families, the decided and known yearly sum and the families whose
/// amount is not known.
pub struct District {
    pub assessor: Arc<Assessor>,
    pub villages: Vec<String>,
    pub by: HashMap<(String, String), (i64, i64, i64)>,
}

impl District {
    /// A program's total over the district: families, known yearly sum, unknown amounts.
    pub fn total(&self, code: &str) -> (i64, i64, i64) {
        self.by
            .iter()
            .filter(|((_, p), _)| p == code)
            .fold((0, 0, 0), |(n, s, u), (_, (a, b, c))| (n + a, s + b, u + c))
    }
}

pub async fn district(
    db: &Db,
    rules: &Rules,
    prefix: Option<&str>,
) -> Result<District, StorageError> {
    let (db, rules, prefix) = (db.clone(), rules.clone(), prefix.map(str::to_string));
    let (assessor, rows) = blocking(move || {
        let assessor = rules.assessor()?;
        let mut conn = db.conn()?;
        Ok((
            assessor,
            assessment::district_gap_summary(&mut conn, prefix.as_deref())?,
        ))
    })
    .await?;
    let mut villages: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    villages.dedup();
    let by = rows
        .into_iter()
        .filter(|r| r.2 == Gap::Exclusion)
        .map(|(v, p, _, n, s, u)| ((v, p), (n, s, u)))
        .collect();
    Ok(District {
        assessor,
        villages,
        by,
    })
}

/// A kind of gap from its code; "none" is not a list.
pub fn gap_of(code: &str) -> Option<Gap> {
    Gap::parse(code).filter(|g| *g != Gap::None)
}

/// `limit` families of `village` with `gap` in `program`, from `offset`.
pub async fn gap_list(
    db: &Db,
    village: &str,
    program: &str,
    gap: Gap,
    limit: i64,
    offset: i64,
) -> Result<Vec<GapRow>, StorageError> {
    let (db, village, program) = (db.clone(), village.to_string(), program.to_string());
    blocking(move || {
        let mut conn = db.conn()?;
        assessment::gap_list(&mut conn, &village, &program, gap, limit, offset)
    })
    .await
}

/// Why a gap list could not be exported.
#[derive(Debug)]
pub enum ExportError {
    Storage(StorageError),
    /// The table could not be written as CSV/XLSX.
    Table(String),
}

impl From<StorageError> for ExportError {
    fn from(e: StorageError) -> ExportError {
        ExportError::Storage(e)
    }
}

/// The whole list as CSV or XLSX bytes, recorded in the audit log in the name of `actor` (it
/// names families): no record, no export.
pub async fn export_list(
    db: &Db,
    lang: Lang,
    village: &str,
    program: &str,
    gap: Gap,
    actor: &str,
    xlsx: bool,
) -> Result<Vec<u8>, ExportError> {
    let rows = gap_list(db, village, program, gap, 1_000_000, 0).await?;
    // The stored assessment's reference date on every line: the list is that day's answer.
    let on = stored_day(db, village)
        .await?
        .map(|d| d.to_string())
        .unwrap_or_default();
    let header: Vec<String> = [
        "field-no_kk",
        "web-head-of-family",
        "field-alamat",
        "field-rt",
        "field-rw",
        "web-decile",
        "web-amount-yearly",
        "web-reference-date",
    ]
    .iter()
    .map(|k| tr(lang, k, &[]))
    .collect();
    let cells: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| {
            vec![
                Cell::Text(r.no_kk.clone()),
                Cell::Text(r.head.clone().unwrap_or_default()),
                Cell::Text(r.alamat.clone().unwrap_or_default()),
                Cell::Text(r.rt.clone().unwrap_or_default()),
                Cell::Text(r.rw.clone().unwrap_or_default()),
                r.desil_efektif.map_or(Cell::Text(String::new()), Cell::Int),
                // An amount that is not known is said so, never written as its known part.
                if r.amount_known {
                    Cell::Int(r.amount)
                } else {
                    Cell::Text(tr(lang, "web-cond-unknown", &[]))
                },
                Cell::Text(on.clone()),
            ]
        })
        .collect();
    let bytes = table_bytes(xlsx, program, &header, &cells).map_err(ExportError::Table)?;
    let db = db.clone();
    let (v, actor) = (village.to_string(), actor.to_string());
    let (what, n) = (format!("{program}/{}", gap.code()), rows.len());
    blocking(move || {
        let mut conn = db.conn()?;
        audit::record(
            &mut conn,
            &AuditEvent::new(AuditAction::Export, AuditEntity::GapList, &what)
                .by(&actor)
                .in_village(&v)
                .detail(&format!("rows={n}")),
        )
    })
    .await?;
    Ok(bytes)
}

/// The source text of the program file in force for `code` (the last file that defines it).
pub fn current_source(rules_dir: Option<&Path>, code: &str) -> Option<String> {
    let files = puskesos_interchange::rules::program_files(rules_dir).ok()?;
    files
        .into_iter()
        .rev()
        .find(|(name, text)| parse_program(name, text).is_ok_and(|p| p.code == code))
        .map(|(_, text)| text)
}

/// Why a what-if run did not run.
#[derive(Debug)]
pub enum WhatIfError {
    /// The changed text is not a program file (shown with the form).
    Program(RuleFileError),
    /// The program file is fine but does not fit with the other rules in force (shown with the
    /// form, for the program it defines).
    Rules {
        code: String,
        error: RuleFileError,
    },
    /// The rule folder could not be read.
    Folder(RulesError),
    Storage(StorageError),
}

impl From<StorageError> for WhatIfError {
    fn from(e: StorageError) -> WhatIfError {
        WhatIfError::Storage(e)
    }
}

/// A what-if run: the changes per program, the village's families they index into, the
/// program that was changed and how long the run took.
pub struct WhatIf {
    pub changes: Vec<ProgramChange>,
    pub population: Vec<Prepared>,
    pub code: String,
    pub millis: u128,
    /// The reference date both rule sets were run for.
    pub on: chrono::NaiveDate,
}

/// Runs the rules in force with one program file replaced by `text` (named `label` in error
/// messages) against `village`, next to the rules in force on `assessor`'s reference date.
/// Nothing is stored.
pub async fn what_if_run(
    db: &Db,
    rules: &Rules,
    assessor: Arc<Assessor>,
    village: &str,
    label: &str,
    text: &str,
) -> Result<WhatIf, WhatIfError> {
    let changed = parse_program(label, text).map_err(WhatIfError::Program)?;
    let code = changed.code;
    let mut files = puskesos_interchange::rules::program_files(rules.dir.as_deref())
        .map_err(WhatIfError::Folder)?;
    files.push((label.to_string(), text.to_string()));
    let changed_set =
        RuleSet::from_files(&files, assessor.on).map_err(|error| WhatIfError::Rules {
            code: code.clone(),
            error,
        })?;
    let (db, v, on) = (db.clone(), village.to_string(), assessor.on);
    let start = Instant::now();
    let (changes, population) = blocking(move || {
        let mut population = assessment::prepare_village(&db, &assessor, &v)?;
        let (_, base) = assessor.assess_population(&mut population);
        let changes = what_if(&changed_set, &assessor.rules, &population, &base);
        Ok((changes, population))
    })
    .await?;
    Ok(WhatIf {
        changes,
        population,
        code,
        millis: start.elapsed().as_millis(),
        on,
    })
}
