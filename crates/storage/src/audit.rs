//! The audit log (UU 27/2022 Ps 31): one row for every processing of personal data (a view, a
//! change, an export, a refused attempt), written as an [`AuditEvent`] through [`record`], and
//! read back for the privacy pages.
//!
//! The stored `action` and `entity` columns hold the codes of [`AuditAction`] and
//! [`AuditEntity`]: one vocabulary for every writer.

use std::sync::Mutex;

use crate::db::{Conn, SqlValue};
use crate::{Engine, StorageError, new_id};

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    Create,
    Update,
    View,
    ViewRefused,
    Read,
    Import,
    Export,
    ExportRefused,
    PersonalDataExport,
    StepRefused,
    AnswerRefused,
    UploadRefused,
    /// A role asked for a page the permission matrix does not give it.
    AccessRefused,
}

impl AuditAction {
    pub const ALL: [AuditAction; 13] = [
        AuditAction::Create,
        AuditAction::Update,
        AuditAction::View,
        AuditAction::ViewRefused,
        AuditAction::Read,
        AuditAction::Import,
        AuditAction::Export,
        AuditAction::ExportRefused,
        AuditAction::PersonalDataExport,
        AuditAction::StepRefused,
        AuditAction::AnswerRefused,
        AuditAction::UploadRefused,
        AuditAction::AccessRefused,
    ];

    /// The text stored in `audit_log.action`.
    pub fn code(self) -> &'static str {
        match self {
            AuditAction::Create => "create",
            AuditAction::Update => "update",
            AuditAction::View => "view",
            AuditAction::ViewRefused => "view-refused",
            AuditAction::Read => "read",
            AuditAction::Import => "import",
            AuditAction::Export => "export",
            AuditAction::ExportRefused => "export-refused",
            AuditAction::PersonalDataExport => "personal-data-export",
            AuditAction::StepRefused => "step-refused",
            AuditAction::AnswerRefused => "answer-refused",
            AuditAction::UploadRefused => "upload-refused",
            AuditAction::AccessRefused => "access-refused",
        }
    }

    pub fn parse(code: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.code() == code)
    }
}

/// What it was done to: the kind of record `entity_id` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditEntity {
    Family,
    Person,
    Case,
    Attachment,
    Complaint,
    Referral,
    ReferralLetter,
    Provider,
    Activity,
    /// An imported or exported file (`entity_id` is its name or path).
    File,
    GapList,
    DtsenProposals,
    /// A page (`entity_id`: its path and query) read or refused as a whole.
    Page,
}

impl AuditEntity {
    pub const ALL: [AuditEntity; 13] = [
        AuditEntity::Family,
        AuditEntity::Person,
        AuditEntity::Case,
        AuditEntity::Attachment,
        AuditEntity::Complaint,
        AuditEntity::Referral,
        AuditEntity::ReferralLetter,
        AuditEntity::Provider,
        AuditEntity::Activity,
        AuditEntity::File,
        AuditEntity::GapList,
        AuditEntity::DtsenProposals,
        AuditEntity::Page,
    ];

    /// The text stored in `audit_log.entity`.
    pub fn code(self) -> &'static str {
        match self {
            AuditEntity::Family => "family",
            AuditEntity::Person => "person",
            AuditEntity::Case => "case",
            AuditEntity::Attachment => "attachment",
            AuditEntity::Complaint => "complaint",
            AuditEntity::Referral => "referral",
            AuditEntity::ReferralLetter => "referral_letter",
            AuditEntity::Provider => "provider",
            AuditEntity::Activity => "activity",
            AuditEntity::File => "file",
            AuditEntity::GapList => "gap_list",
            AuditEntity::DtsenProposals => "dtsen_proposals",
            AuditEntity::Page => "page",
        }
    }

    pub fn parse(code: &str) -> Option<AuditEntity> {
        AuditEntity::ALL.into_iter().find(|e| e.code() == code)
    }
}

/// One audit row to write:
/// `AuditEvent::new(AuditAction::Create, AuditEntity::Case, &id).by(actor).in_village(v)`,
/// with `.detail(..)` when there is more to say. The village is empty when none applies (an
/// import of a whole file, a forged provider link).
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub village: String,
    pub actor: String,
    pub action: AuditAction,
    pub entity: AuditEntity,
    pub entity_id: String,
    pub detail: Option<String>,
}

impl AuditEvent {
    pub fn new(action: AuditAction, entity: AuditEntity, entity_id: &str) -> AuditEvent {
        AuditEvent {
            village: String::new(),
            actor: String::new(),
            action,
            entity,
            entity_id: entity_id.to_string(),
            detail: None,
        }
    }

    /// Who did it (`user:<name>`, `provider-link`, `cli`, ...).
    pub fn by(mut self, actor: &str) -> AuditEvent {
        self.actor = actor.to_string();
        self
    }

    /// The village code whose data it was.
    pub fn in_village(mut self, village: &str) -> AuditEvent {
        self.village = village.to_string();
        self
    }

    pub fn detail(mut self, detail: &str) -> AuditEvent {
        self.detail = Some(detail.to_string());
        self
    }
}

/// SQLite has one writer. Many readers each writing one audit row would otherwise collide and
/// back off in SQLite's busy handler (sleeps of 5-25 ms); queueing them here instead keeps the
/// page that triggered the write fast. (The group-commit writer, `audit_writer.rs`, is the
/// faster road for reads that are audited.)
static SQLITE_TURN: Mutex<()> = Mutex::new(());

/// Writes `event` to the audit log.
pub fn record(conn: &mut Conn, event: &AuditEvent) -> Result<(), StorageError> {
    let _turn = (conn.engine() == Engine::Sqlite)
        .then(|| SQLITE_TURN.lock().unwrap_or_else(|e| e.into_inner()));
    insert(conn, event)
}

/// [`record`] without taking a turn: for a caller already inside its own write transaction.
pub(crate) fn insert(conn: &mut Conn, event: &AuditEvent) -> Result<(), StorageError> {
    conn.execute(
        "INSERT INTO audit_log (kode_wilayah, id, at, actor, action, entity, entity_id, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            event.village.as_str().into(),
            new_id().into(),
            SqlValue::Int(crate::now_ms()),
            event.actor.as_str().into(),
            event.action.code().into(),
            event.entity.code().into(),
            event.entity_id.as_str().into(),
            event.detail.clone().into(),
        ],
    )?;
    Ok(())
}

pub struct AuditEntry {
    pub at_ms: i64,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub detail: Option<String>,
}

/// Audit entries about one entity (a family or person id), newest first.
pub fn audit_of(conn: &mut Conn, entity_id: &str) -> Result<Vec<AuditEntry>, StorageError> {
    let rows = conn.query(
        "SELECT at, actor, action, entity, entity_id, detail FROM audit_log \
         WHERE entity_id = $1 ORDER BY at DESC, id DESC",
        &[entity_id.into()],
    )?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let mut it = r.into_iter();
            let mut next = || it.next().unwrap_or(SqlValue::Null);
            AuditEntry {
                at_ms: next().as_i64().unwrap_or(0),
                actor: next().into_string().unwrap_or_default(),
                action: next().into_string().unwrap_or_default(),
                entity: next().into_string().unwrap_or_default(),
                entity_id: next().into_string().unwrap_or_default(),
                detail: next().into_string(),
            }
        })
        .collect())
}

/// One page of the audit log within a region prefix (`None` = all), newest first, with the
/// total count.
pub fn audit_page(
    conn: &mut Conn,
    region_prefix: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<(String, AuditEntry)>, i64), StorageError> {
    let (cond, mut params): (String, Vec<SqlValue>) = match region_prefix {
        None => (String::new(), Vec::new()),
        Some(p) if p.len() == 13 => (" WHERE kode_wilayah = $1".into(), vec![p.into()]),
        Some(p) => (
            " WHERE kode_wilayah >= $1 AND kode_wilayah < $2".into(),
            vec![format!("{p}.").into(), format!("{p}/").into()],
        ),
    };
    let total = conn.query_i64(&format!("SELECT COUNT(*) FROM audit_log{cond}"), &params)?;
    let n = params.len();
    params.push(SqlValue::Int(limit.clamp(1, 500)));
    params.push(SqlValue::Int(offset.max(0)));
    let rows = conn.query(
        &format!(
            "SELECT kode_wilayah, at, actor, action, entity, entity_id, detail FROM audit_log{cond} \
             ORDER BY at DESC, id DESC LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        ),
        &params,
    )?;
    let list = rows
        .into_iter()
        .map(|r| {
            let mut it = r.into_iter();
            let village = it
                .next()
                .and_then(SqlValue::into_string)
                .unwrap_or_default();
            let mut next = || it.next().unwrap_or(SqlValue::Null);
            let entry = AuditEntry {
                at_ms: next().as_i64().unwrap_or(0),
                actor: next().into_string().unwrap_or_default(),
                action: next().into_string().unwrap_or_default(),
                entity: next().into_string().unwrap_or_default(),
                entity_id: next().into_string().unwrap_or_default(),
                detail: next().into_string(),
            };
            (village, entry)
        })
        .collect();
    Ok((list, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code reads back as its variant, and the codes the web server still passes as text
    /// (through `registry::audit`) are all known.
    #[test]
    fn codes_read_back() {
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.code()), Some(a));
        }
        for e in AuditEntity::ALL {
            assert_eq!(AuditEntity::parse(e.code()), Some(e));
        }
        for code in [
            "export",
            "view",
            "view-refused",
            "upload-refused",
            "read",
            "export-refused",
            "personal-data-export",
        ] {
            assert!(AuditAction::parse(code).is_some(), "{code}");
        }
        for code in [
            "gap_list",
            "case",
            "referral",
            "attachment",
            "referral_letter",
            "dtsen_proposals",
            "complaint",
            "person",
        ] {
            assert!(AuditEntity::parse(code).is_some(), "{code}");
        }
        assert_eq!(AuditAction::parse("delete"), None);
    }
}
