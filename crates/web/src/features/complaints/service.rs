//! The complaint use cases, free of HTTP: what the pages ask of the database and how its
//! answers are named, so that the handlers only extract, call and render.

use puskesos_domain::access::Role;
use puskesos_domain::complaints::{Action, Status, StepError};
use puskesos_storage::audit::{self, AuditAction, AuditEntity, AuditEvent};
use puskesos_storage::complaints::{self, Complaint, Lookup, NewComplaint};
use puskesos_storage::registry;
use puskesos_storage::{Db, StorageError, now_ms};

/// The field an intake form lacks (the storage names it; the form shows it at that field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    Category,
    Summary,
    /// A number that is neither a NIK nor a KK.
    Number,
}

impl Missing {
    /// The form field the message is shown at.
    pub fn field(self) -> &'static str {
        match self {
            Missing::Category => "category",
            Missing::Summary => "summary",
            Missing::Number => "nik",
        }
    }

    /// The catalogue key of the message.
    pub fn key(self) -> &'static str {
        match self {
            Missing::Category => "complaint-new-category",
            Missing::Summary => "complaint-new-summary",
            Missing::Number => "case-new-nik-invalid",
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

/// How long the receipt page shows the short code after registering (then only its ticket).
const RECEIPT_CODE_MS: i64 = 10 * 60 * 1000;

/// A receipt's code just registered: who registered it, the code, and until when it shows.
struct FreshCode {
    actor: String,
    code: String,
    until: i64,
}

/// Short codes of receipts just registered, by complaint id. Kept in memory only (the database
/// has the code's hash), so the code never goes into a URL or a log and a refresh of the
/// receipt page registers nothing.
static FRESH_CODES: std::sync::LazyLock<
    std::sync::Mutex<std::collections::HashMap<String, FreshCode>>,
> = std::sync::LazyLock::new(Default::default);

/// Keeps a receipt's code for its page for a few minutes, for the one who registered it.
pub fn keep_code(complaint_id: &str, actor: &str, code: &str, now: i64) {
    let mut codes = FRESH_CODES.lock().unwrap_or_else(|e| e.into_inner());
    codes.retain(|_, c| c.until > now);
    codes.insert(
        complaint_id.to_string(),
        FreshCode {
            actor: actor.to_string(),
            code: code.to_string(),
            until: now + RECEIPT_CODE_MS,
        },
    );
}

/// The code of a receipt just registered by `actor`, while it is fresh.
pub fn fresh_code(complaint_id: &str, actor: &str, now: i64) -> Option<String> {
    let codes = FRESH_CODES.lock().unwrap_or_else(|e| e.into_inner());
    codes
        .get(complaint_id)
        .filter(|c| c.actor == actor && c.until > now)
        .map(|c| c.code.clone())
}

/// Registers a complaint and returns its receipt.
pub fn register(
    db: &Db,
    new: &NewComplaint,
    number: Option<&str>,
    actor: &str,
    role: Role,
) -> Result<Receipt, IntakeError> {
    use puskesos_domain::identity::{Nik, NomorKk};
    let number = number
        .map(|n| {
            n.chars()
                .filter(|c| !matches!(c, ' ' | '.' | '-'))
                .collect::<String>()
        })
        .filter(|n| !n.is_empty());
    if let Some(n) = &number
        && Nik::parse(n).is_err()
        && NomorKk::parse(n).is_err()
    {
        return Err(IntakeError::Missing(Missing::Number));
    }
    let mut conn = db.conn()?;
    let (complaint, code) = match complaints::open(&mut conn, new, actor, role, now_ms())? {
        Ok(opened) => opened,
        Err("category") => return Err(IntakeError::Missing(Missing::Category)),
        Err(_) => return Err(IntakeError::Missing(Missing::Summary)),
    };
    // The registered family it is about, so that the family page lists it.
    if let Some(n) = &number {
        let family = match registry::person_by_nik(&mut conn, n)? {
            Some((p, _)) => Some(p.family_id),
            None => registry::family_by_kk(&mut conn, n)?.map(|f| f.id),
        };
        if let Some(f) = family {
            puskesos_storage::family_links::link_complaint(
                &mut conn,
                &new.village,
                &complaint.id,
                &f,
                actor,
            )?;
        }
    }
    Ok(Receipt { complaint, code })
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
