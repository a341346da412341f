//! The register's use cases, free of HTTP.

use puskesos_storage::directory::{
    self, ActivityLine, Provider, ProviderChange, ProviderInput, ReferralLine, Refusal,
};
use puskesos_storage::{Db, StorageError, now_ms};

/// One entry with what it took part in.
pub struct Entry {
    pub provider: Provider,
    pub history: Vec<ProviderChange>,
    pub referrals: Vec<ReferralLine>,
    pub activities: Vec<ActivityLine>,
    /// The names of the accounts in the history.
    pub actors: crate::app::actors::Actors,
}

pub fn list(db: &Db, village: &str) -> Result<Vec<Provider>, StorageError> {
    directory::all_providers(&mut db.conn()?, village)
}

pub fn entry(db: &Db, village: &str, id: &str) -> Result<Option<Entry>, StorageError> {
    let mut conn = db.conn()?;
    let Some(provider) = directory::by_id(&mut conn, village, id)? else {
        return Ok(None);
    };
    Ok(Some(Entry {
        history: directory::history(&mut conn, village, id)?,
        referrals: directory::referrals_of(&mut conn, village, id)?,
        activities: directory::activities_of(&mut conn, village, id)?,
        actors: crate::app::actors::Actors::load(&mut conn)?,
        provider,
    }))
}

pub fn add(
    db: &Db,
    village: &str,
    input: &ProviderInput,
    actor: &str,
) -> Result<Result<Provider, Refusal>, StorageError> {
    directory::create(&mut db.conn()?, village, input, actor, now_ms())
}

pub fn edit(
    db: &Db,
    village: &str,
    id: &str,
    input: &ProviderInput,
    actor: &str,
) -> Result<Result<Option<usize>, Refusal>, StorageError> {
    directory::edit(&mut db.conn()?, village, id, input, actor, now_ms())
}

pub fn retire(
    db: &Db,
    village: &str,
    id: &str,
    reason: &str,
    actor: &str,
) -> Result<bool, StorageError> {
    directory::retire(&mut db.conn()?, village, id, reason, actor, now_ms())
}

/// Active entries by kind, for the village dashboard.
pub fn count_by_kind(db: &Db, village: &str) -> Result<Vec<(String, i64)>, StorageError> {
    directory::count_by_kind(&mut db.conn()?, village)
}
