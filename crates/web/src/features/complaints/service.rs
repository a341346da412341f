//! The complaint use cases, free of HTTP: what the pages ask of the database and how its
//! answers are named, so that the handlers only extract, call and render.

use puskesos_domain::access::Role;
use puskesos_domain::complaints::{Action, Status, StepError};
use puskesos_storage::audit::{self, AuditAction, AuditEntity, AuditEvent};
use puskesos_storage::complaints::{self, Complaint, Lookup, NewComplaint};
use puskesos_storage::{Db, StorageError, now_ms};

/// The field an intake form lacks (the storage names it; the form shows it at that field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    Category,
    Summary,
}

impl Missing {
    /// The form field the message is shown at.
    pub fn field(self) -> &'static str {
        match self {
            Missing::Category => "category",
            Missing::Summary => "summary",
        }
    }

    /// The catalogue key of the message.
    pub fn key(self) -> &'static str {
        match self {
            Missing::Category => "complaint-new-category",
            Missing::Summary => "complaint-new-summary",
        }
    }
}

#[derive(Debug)]
pub enum IntakeError {
    Missing(Missing),
    Storage(StorageError),
}

impl From<StorageError> for IntakeError {
    fn from(e: StorageError) -> Self {
        IntakeError::Storage(e)
    }
}

/// A registered complaint and its short code, shown once on the receipt.
pub struct Receipt {
    pub complaint: Complaint,
    pub code: String,
}

/// A handling step that did not happen: refused by the domain's rules, or a storage fault.
#[derive(Debug)]
pub enum StepFailed {
    Refused(StepError),
    Storage(StorageError),
}

impl From<StorageError> for StepFailed {
    fn from(e: StorageError) -> Self {
        StepFailed::Storage(e)
    }
}

/// The village's open complaints, the nearest deadline first.
pub fn open_list(db: &Db, village: &str) -> Result<Vec<Complaint>, StorageError> {
    complaints::open_list(&mut db.conn()?, village)
}

/// Registers a complaint and returns its receipt.
pub fn register(
    db: &Db,
    new: &NewComplaint,
    actor: &str,
    role: Role,
) -> Result<Receipt, IntakeError> {
    match complaints::open(&mut db.conn()?, new, actor, role, now_ms())? {
        Ok((complaint, code)) => Ok(Receipt { complaint, code }),
        Err("category") => Err(IntakeError::Missing(Missing::Category)),
        Err(_) => Err(IntakeError::Missing(Missing::Summary)),
    }
}

/// One complaint of the village; looking at it, or at one of another village, is recorded.
pub fn view(
    db: &Db,
    village: &str,
    id: &str,
    actor: &str,
) -> Result<Option<Complaint>, StorageError> {
    let mut conn = db.conn()?;
    let c = complaints::by_id(&mut conn, village, id)?;
    // A complaint that is not the village's is a refused view, recorded as such.
    let action = if c.is_some() {
        AuditAction::View
    } else {
        AuditAction::ViewRefused
    };
    audit::record(
        &mut conn,
        &AuditEvent::new(action, AuditEntity::Complaint, id)
            .by(actor)
            .in_village(village),
    )?;
    Ok(c)
}

/// One handling step, checked by the domain (a refused one is recorded by the storage).
pub fn act(db: &Db, village: &str, id: &str, step: Step<'_>) -> Result<Status, StepFailed> {
    complaints::act(
        &mut db.conn()?,
        village,
        id,
        step.action,
        step.role,
        step.actor,
        step.note,
        now_ms(),
    )?
    .map_err(StepFailed::Refused)
}

/// What a handling step consists of.
pub struct Step<'a> {
    pub action: Action,
    pub role: Role,
    pub actor: &'a str,
    pub note: &'a str,
}

/// The public lookup by ticket and code, rate-limited by the storage per client (`address`:
/// the caller's IP address, stored only as a hash).
pub fn public_status(
    db: &Db,
    ticket: &str,
    code: &str,
    address: &str,
) -> Result<Lookup, StorageError> {
    let client = complaints::client_of(address);
    complaints::public_status(&mut db.conn()?, ticket, code, &client, now_ms())
}
