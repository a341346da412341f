//! The activity use cases, free of HTTP: the village's list, one activity with its
//! participants (a read of personal data, recorded), and recording an activity (the storage
//! checks every field and participant row and names the first that is wrong).

use puskesos_storage::activities::{self, Activity, NewActivity, Participant, Refusal};
use puskesos_storage::audit::{self, AuditAction, AuditEntity, AuditEvent};
use puskesos_storage::directory::{self, Provider};
use puskesos_storage::{Db, StorageError, now_ms};

#[derive(Debug)]
pub enum RecordError {
    /// What is missing or wrong: the field, the participant row, the value and the reason.
    Invalid(Refusal),
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

/// The register's active entries an activity may name as its organiser or partner.
pub fn partners(db: &Db, village: &str) -> Result<Vec<Provider>, StorageError> {
    directory::providers(&mut db.conn()?, village)
}

/// One activity and its participants; the read (or a refused one) is recorded.
pub fn one(
    db: &Db,
    village: &str,
    id: &str,
    actor: &str,
) -> Result<Option<(Activity, Vec<Participant>)>, StorageError> {
    let mut conn = db.conn()?;
    let found = activities::with_participants(&mut conn, village, id)?;
    let action = if found.is_some() {
        AuditAction::View
    } else {
        AuditAction::ViewRefused
    };
    audit::record(
        &mut conn,
        &AuditEvent::new(action, AuditEntity::Activity, id)
            .by(actor)
            .in_village(village),
    )?;
    Ok(found)
}

/// Records the activity; returns its id.
pub fn record(db: &Db, new: &NewActivity, actor: &str) -> Result<String, RecordError> {
    activities::record(&mut db.conn()?, new, actor, now_ms())?.map_err(RecordError::Invalid)
}
