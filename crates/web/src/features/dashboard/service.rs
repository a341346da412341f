//! The data centre's use cases: load a village's figures (filtered), the district's villages
//! side by side, a month's report, or a village's public board. Reads only; each runs off the
//! async threads and hands back the assessor of the day with the figures, because the tables are
//! labelled by the program rules in force.

use std::sync::Arc;

use puskesos_domain::rules::assess::Assessor;
use puskesos_domain::wilayah::{KodeWilayah, Level};
use puskesos_storage::figures::{self, Dashboard, Filter, Monthly, VillageRollup};
use puskesos_storage::{Db, StorageError};

use crate::app::{Rules, blocking};

/// A village's dashboard as of today, within `filter`.
pub async fn village(
    db: &Db,
    rules: &Rules,
    village: &str,
    filter: Filter,
) -> Result<(Arc<Assessor>, Dashboard), StorageError> {
    let (db, rules, v) = (db.clone(), rules.clone(), village.to_string());
    blocking(move || {
        let mut conn = db.conn()?;
        // The program figures are the stored assessment's: the rules in force on its date.
        let on = puskesos_storage::assessment::village_date(&mut conn, &v)?;
        let assessor = rules.assessor_on(on.unwrap_or_else(Rules::today))?;
        let d = figures::village(&mut conn, &assessor, &v, &filter, figures::today())?;
        Ok((assessor, d))
    })
    .await
}

/// Every village under `prefix` (everything for `None`), one row each.
pub async fn rollup(db: &Db, prefix: Option<&str>) -> Result<Vec<VillageRollup>, StorageError> {
    let (db, prefix) = (db.clone(), prefix.map(str::to_string));
    blocking(move || figures::district(&mut db.conn()?, prefix.as_deref())).await
}

/// The monthly report of a village; `None` for a month that does not exist.
pub async fn monthly(
    db: &Db,
    rules: &Rules,
    village: &str,
    year: i32,
    month: u32,
) -> Result<Option<(Arc<Assessor>, Monthly)>, StorageError> {
    let (db, rules, v) = (db.clone(), rules.clone(), village.to_string());
    blocking(move || {
        let assessor = rules.assessor()?;
        let m = figures::monthly(&mut db.conn()?, &assessor, &v, year, month)?;
        Ok(m.map(|m| (assessor, m)))
    })
    .await
}

/// A village's public information board, or `None` when `code` is not a village or the village
/// has no registry here (so the board of an unknown village is not found, not empty).
pub async fn board(
    db: &Db,
    rules: &Rules,
    code: &str,
) -> Result<Option<(Arc<Assessor>, Dashboard)>, StorageError> {
    let Some(k) = KodeWilayah::parse(code).filter(|k| k.level() == Level::DesaKelurahan) else {
        return Ok(None);
    };
    let (assessor, d) = village(db, rules, k.as_str(), Filter::default()).await?;
    Ok((d.families > 0).then_some((assessor, d)))
}
