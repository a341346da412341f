//! The activity use cases, free of HTTP: the village's list, and recording an activity with
//! its participants (the storage checks every field and names the first that is wrong).

use puskesos_storage::activities::{self, Activity, NewActivity};
use puskesos_storage::{Db, StorageError, now_ms};

#[derive(Debug)]
pub enum RecordError {
    /// The field that is missing or wrong (`kind`, `title`, `held_on`, `place`, `participants`).
    Invalid(&'static str),
    Storage(StorageError),
}

impl From<StorageError> for RecordError {
    fn from(e: StorageError) -> Self {
        RecordError::Storage(e)
    }
}

pub fn list(db: &Db, village: &str) -> Result<Vec<Activity>, StorageError> {
    activities::list(&mut db.conn()?, village)
}

/// Records the activity; returns its id.
pub fn record(db: &Db, new: &NewActivity, actor: &str) -> Result<String, RecordError> {
    activities::record(&mut db.conn()?, new, actor, now_ms())?.map_err(RecordError::Invalid)
}
