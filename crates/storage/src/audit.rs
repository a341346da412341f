//! The audit log (UU 27/2022 Ps 31): one row for every processing of personal data (a view, a
//! change, an export, a refused attempt), written as an [`AuditEvent`] through [`record`], and
//! read back for the privacy pages.
//!
//! The stored `action` and `entity` columns hold the codes of [`AuditAction`] and
//! [`AuditEntity`]: one vocabulary for every writer.

use std::sync::Mutex;

use sha2::{Digest, Sha256};

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

/// Writes `event` to the audit log, chained to the row before it. Inside the caller's
/// transaction when one is open (the row commits or rolls back with the change it records),
/// else in a transaction of its own.
pub fn record(conn: &mut Conn, event: &AuditEvent) -> Result<(), StorageError> {
    if conn.in_transaction() {
        return insert(conn, event);
    }
    let _turn = (conn.engine() == Engine::Sqlite)
        .then(|| SQLITE_TURN.lock().unwrap_or_else(|e| e.into_inner()));
    conn.transaction(|c| insert(c, event))
}

/// [`record`] for several rows at once: one move of the chain's head (its lock is taken once,
/// so a caller writes them last, just before its commit).
pub fn record_all(conn: &mut Conn, events: &[AuditEvent]) -> Result<(), StorageError> {
    if conn.in_transaction() {
        return insert_all(conn, events);
    }
    let _turn = (conn.engine() == Engine::Sqlite)
        .then(|| SQLITE_TURN.lock().unwrap_or_else(|e| e.into_inner()));
    conn.transaction(|c| insert_all(c, events))
}

/// [`record`] for a caller already inside its own write transaction.
pub(crate) fn insert(conn: &mut Conn, event: &AuditEvent) -> Result<(), StorageError> {
    insert_all(conn, std::slice::from_ref(event))
}

/// The hash before the first row of a chain that was never archived.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Writes `events` in order, each chained to the one before, inside the caller's transaction.
///
/// The chain's head is one row (`audit_chain`): moving it forward by `events.len()` with one
/// `UPDATE ... RETURNING` takes that row's lock on PostgreSQL (held to the commit, so a
/// concurrent writer waits and then reads the head this one leaves) and SQLite's write lock,
/// so two writers never chain to the same row, whichever process they run in. A rolled-back
/// transaction takes its head move with it.
pub(crate) fn insert_all(conn: &mut Conn, events: &[AuditEvent]) -> Result<(), StorageError> {
    if events.is_empty() {
        return Ok(());
    }
    let n = events.len() as i64;
    let head = conn
        .query_opt(
            "UPDATE audit_chain SET head_seq = head_seq + $1 WHERE id = 1 \
             RETURNING head_seq, head_hash",
            &[SqlValue::Int(n)],
        )?
        .ok_or_else(|| {
            StorageError::Corrupt("audit_chain: the chain head row is missing".into())
        })?;
    let d = crate::db::Decode::named("audit_chain", "1", &head);
    let first = d.int(0)? - n + 1;
    let mut hash = d.text(1)?;
    for (seq, event) in (first..).zip(events) {
        let row = ChainedRow {
            seq,
            village: event.village.clone(),
            id: new_id(),
            at: crate::now_ms(),
            actor: event.actor.clone(),
            action: event.action.code().to_string(),
            entity: event.entity.code().to_string(),
            entity_id: event.entity_id.clone(),
            detail: event.detail.clone(),
        };
        hash = row.hash(&hash);
        conn.execute(
            "INSERT INTO audit_log (kode_wilayah, id, at, actor, action, entity, entity_id, \
             detail, seq, chain) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[
                row.village.as_str().into(),
                row.id.as_str().into(),
                SqlValue::Int(row.at),
                row.actor.as_str().into(),
                row.action.as_str().into(),
                row.entity.as_str().into(),
                row.entity_id.as_str().into(),
                row.detail.clone().into(),
                SqlValue::Int(row.seq),
                hash.as_str().into(),
            ],
        )?;
    }
    conn.execute(
        "UPDATE audit_chain SET head_hash = $1 WHERE id = 1",
        &[hash.as_str().into()],
    )?;
    Ok(())
}

/// One stored audit row with its place in the chain: the fields the hash covers.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ChainedRow {
    pub seq: i64,
    pub village: String,
    pub id: String,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub detail: Option<String>,
}

impl ChainedRow {
    /// SHA-256 (hex) over the previous row's hash and this row's fields, each field preceded by
    /// its length (so no two different rows read the same), a missing detail marked apart from
    /// an empty one.
    pub fn hash(&self, previous: &str) -> String {
        let mut h = Sha256::new();
        h.update(b"puskesos-audit-v1");
        h.update(previous.as_bytes());
        let seq = self.seq.to_string();
        let at = self.at.to_string();
        for field in [
            seq.as_str(),
            &self.village,
            &self.id,
            at.as_str(),
            &self.actor,
            &self.action,
            &self.entity,
            &self.entity_id,
        ] {
            h.update((field.len() as u64).to_le_bytes());
            h.update(field.as_bytes());
        }
        match &self.detail {
            None => h.update([0u8]),
            Some(d) => {
                h.update([1u8]);
                h.update((d.len() as u64).to_le_bytes());
                h.update(d.as_bytes());
            }
        }
        hex::encode(h.finalize())
    }
}

const CHAINED_SELECT: &str = "SELECT seq, kode_wilayah, id, at, actor, action, entity, entity_id, \
     detail, chain FROM audit_log";

fn chained_from_row(row: &crate::db::Row) -> Result<(ChainedRow, Option<String>), StorageError> {
    let d = crate::db::Decode::new("audit_log", row, 2);
    Ok((
        ChainedRow {
            seq: d.opt_int(0).unwrap_or(0),
            village: d.text(1)?,
            id: d.text(2)?,
            at: d.int(3)?,
            actor: d.text(4)?,
            action: d.text(5)?,
            entity: d.text(6)?,
            entity_id: d.text(7)?,
            detail: d.opt_text(8),
        },
        d.opt_text(9),
    ))
}

/// Chains the rows written before migration 17, in the order they were written (time, then
/// id, which is time-ordered too). Runs inside the migration's transaction.
pub(crate) fn chain_unchained(conn: &mut Conn) -> Result<(), StorageError> {
    let rows = conn.query(
        &format!("{CHAINED_SELECT} WHERE seq IS NULL ORDER BY at, id"),
        &[],
    )?;
    let head = conn
        .query_opt(
            "SELECT head_seq, head_hash FROM audit_chain WHERE id = 1",
            &[],
        )?
        .ok_or_else(|| {
            StorageError::Corrupt("audit_chain: the chain head row is missing".into())
        })?;
    let d = crate::db::Decode::named("audit_chain", "1", &head);
    let (mut seq, mut hash) = (d.int(0)?, d.text(1)?);
    for row in &rows {
        let (mut r, _) = chained_from_row(row)?;
        seq += 1;
        r.seq = seq;
        hash = r.hash(&hash);
        conn.execute(
            "UPDATE audit_log SET seq = $1, chain = $2 WHERE kode_wilayah = $3 AND id = $4",
            &[
                SqlValue::Int(seq),
                hash.as_str().into(),
                r.village.as_str().into(),
                r.id.as_str().into(),
            ],
        )?;
    }
    conn.execute(
        "UPDATE audit_chain SET head_seq = $1, head_hash = $2 WHERE id = 1",
        &[SqlValue::Int(seq), hash.as_str().into()],
    )?;
    Ok(())
}

/// What `audit verify` found.
#[derive(Debug, Clone, PartialEq)]
pub enum ChainFault {
    /// The row's fields or hash are not what was chained (changed after it was written).
    Changed { seq: i64, id: String },
    /// Rows are missing before this place (`next_id` is the first row after the gap, `None`
    /// when the missing rows were the newest).
    Missing { seq: i64, next_id: Option<String> },
    /// A row that was written around the chain (no place in it).
    Unchained { id: String },
}

impl std::fmt::Display for ChainFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainFault::Changed { seq, id } => write!(f, "row {id} (seq {seq}) was changed"),
            ChainFault::Missing {
                seq,
                next_id: Some(id),
            } => {
                write!(f, "row seq {seq} is missing (deleted), before row {id}")
            }
            ChainFault::Missing { seq, next_id: None } => {
                write!(f, "rows from seq {seq} on are missing (deleted)")
            }
            ChainFault::Unchained { id } => write!(f, "row {id} is not in the chain"),
        }
    }
}

/// The outcome of [`verify`].
#[derive(Debug, Clone, PartialEq)]
pub struct ChainReport {
    /// Rows checked.
    pub rows: u64,
    /// Where the stored chain starts (after archived rows).
    pub anchor_seq: i64,
    pub anchor_hash: String,
    /// The newest row's place and hash: note it somewhere else to detect a rewritten chain.
    pub head_seq: i64,
    pub head_hash: String,
    /// The first fault, if any.
    pub fault: Option<ChainFault>,
}

/// Walks the chain from its anchor to its head and reports the first changed, deleted or
/// unchained row. Reads in pages of 10,000 rows, so a large log is never held whole.
pub fn verify(conn: &mut Conn) -> Result<ChainReport, StorageError> {
    let head = conn
        .query_opt(
            "SELECT head_seq, head_hash, anchor_seq, anchor_hash FROM audit_chain WHERE id = 1",
            &[],
        )?
        .ok_or_else(|| {
            StorageError::Corrupt("audit_chain: the chain head row is missing".into())
        })?;
    let d = crate::db::Decode::named("audit_chain", "1", &head);
    let mut report = ChainReport {
        rows: 0,
        head_seq: d.int(0)?,
        head_hash: d.text(1)?,
        anchor_seq: d.int(2)?,
        anchor_hash: d.text(3)?,
        fault: None,
    };
    if let Some(row) = conn.query_opt(
        "SELECT id FROM audit_log WHERE seq IS NULL OR chain IS NULL OR seq <= $1 LIMIT 1",
        &[SqlValue::Int(report.anchor_seq)],
    )? {
        report.fault = Some(ChainFault::Unchained {
            id: crate::db::Decode::new("audit_log", &row, 0).text(0)?,
        });
        return Ok(report);
    }
    let (mut seq, mut hash) = (report.anchor_seq, report.anchor_hash.clone());
    loop {
        let rows = conn.query(
            &format!("{CHAINED_SELECT} WHERE seq > $1 ORDER BY seq LIMIT 10000"),
            &[SqlValue::Int(seq)],
        )?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            let (r, stored) = chained_from_row(row)?;
            if r.seq != seq + 1 {
                report.fault = Some(ChainFault::Missing {
                    seq: seq + 1,
                    next_id: Some(r.id),
                });
                return Ok(report);
            }
            let expected = r.hash(&hash);
            if stored.as_deref() != Some(expected.as_str()) {
                report.fault = Some(ChainFault::Changed {
                    seq: r.seq,
                    id: r.id,
                });
                return Ok(report);
            }
            report.rows += 1;
            (seq, hash) = (r.seq, expected);
        }
    }
    if seq != report.head_seq || hash != report.head_hash {
        report.fault = Some(ChainFault::Missing {
            seq: seq + 1,
            next_id: None,
        });
    }
    Ok(report)
}

/// The first line of an archive file: where its rows join the chain.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ArchiveHeader {
    pub format: String,
    /// The hash and place of the row before the first archived row.
    pub anchor_seq: i64,
    pub anchor_hash: String,
    /// The last archived row: the stored chain's new anchor.
    pub end_seq: i64,
    pub end_hash: String,
    pub before_ms: i64,
    pub rows: u64,
}

pub const ARCHIVE_FORMAT: &str = "puskesos-audit-archive-v1";

/// Moves the rows written before `before_ms` (from the anchor on, up to the first row at or
/// after that time) to `out` as JSON lines (a header with both anchors, then one row each with
/// its hash), checking their chain first, and makes the last of them the stored chain's anchor.
/// In one transaction: `out` is written (and made durable by the caller in `flushed`) before the rows are deleted, and nothing is deleted if anything fails.
pub fn archive<W: std::io::Write>(
    conn: &mut Conn,
    before_ms: i64,
    out: &mut W,
    flushed: impl FnOnce(&mut W) -> std::io::Result<()>,
) -> Result<ArchiveHeader, StorageError> {
    let io = |e: std::io::Error| StorageError::Config(format!("audit archive file: {e}"));
    conn.transaction(|c| {
        // Take the chain head first: no row is added while the archive is cut.
        c.execute(
            "UPDATE audit_chain SET head_seq = head_seq WHERE id = 1",
            &[],
        )?;
        let report = verify(c)?;
        if let Some(fault) = report.fault {
            return Err(StorageError::Corrupt(format!(
                "audit chain: {fault}; nothing archived"
            )));
        }
        let first_kept = c.query_opt(
            "SELECT MIN(seq) FROM audit_log WHERE at >= $1",
            &[SqlValue::Int(before_ms)],
        )?;
        let end_seq = first_kept
            .and_then(|r| r.first().and_then(SqlValue::as_i64))
            .map(|s| s - 1)
            .unwrap_or(report.head_seq);
        let rows = c.query(
            &format!("{CHAINED_SELECT} WHERE seq > $1 AND seq <= $2 ORDER BY seq"),
            &[SqlValue::Int(report.anchor_seq), SqlValue::Int(end_seq)],
        )?;
        let mut lines = Vec::with_capacity(rows.len());
        let mut end_hash = report.anchor_hash.clone();
        for row in &rows {
            let (r, stored) = chained_from_row(row)?;
            end_hash = stored.unwrap_or_default();
            lines.push(ArchivedRow {
                row: r,
                chain: end_hash.clone(),
            });
        }
        let header = ArchiveHeader {
            format: ARCHIVE_FORMAT.into(),
            anchor_seq: report.anchor_seq,
            anchor_hash: report.anchor_hash.clone(),
            end_seq: end_seq.max(report.anchor_seq),
            end_hash,
            before_ms,
            rows: lines.len() as u64,
        };
        out.write_all(json_line(&header).as_bytes()).map_err(io)?;
        for line in &lines {
            out.write_all(json_line(line).as_bytes()).map_err(io)?;
        }
        out.flush().map_err(io)?;
        flushed(out).map_err(io)?;
        c.execute(
            "DELETE FROM audit_log WHERE seq > $1 AND seq <= $2",
            &[
                SqlValue::Int(header.anchor_seq),
                SqlValue::Int(header.end_seq),
            ],
        )?;
        c.execute(
            "UPDATE audit_chain SET anchor_seq = $1, anchor_hash = $2 WHERE id = 1",
            &[
                SqlValue::Int(header.end_seq),
                header.end_hash.as_str().into(),
            ],
        )?;
        Ok(header)
    })
}

/// One archived row: the fields and the hash that chained it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ArchivedRow {
    #[serde(flatten)]
    pub row: ChainedRow,
    pub chain: String,
}

fn json_line<T: serde::Serialize>(v: &T) -> String {
    let mut s = serde_json::to_string(v).unwrap_or_default();
    s.push('\n');
    s
}

/// Checks an archive file on its own: its rows chain from its start anchor to its end anchor.
/// Returns the header, or the first fault.
pub fn verify_archive(
    input: impl std::io::BufRead,
) -> Result<Result<ArchiveHeader, ChainFault>, StorageError> {
    let bad = |what: String| StorageError::Corrupt(format!("audit archive: {what}"));
    let mut lines = input.lines();
    let header: ArchiveHeader = match lines.next() {
        Some(Ok(l)) => serde_json::from_str(&l).map_err(|e| bad(e.to_string()))?,
        _ => return Err(bad("empty file".into())),
    };
    if header.format != ARCHIVE_FORMAT {
        return Err(bad(format!("unknown format {}", header.format)));
    }
    let (mut seq, mut hash) = (header.anchor_seq, header.anchor_hash.clone());
    for line in lines {
        let line = line.map_err(|e| bad(e.to_string()))?;
        let a: ArchivedRow = serde_json::from_str(&line).map_err(|e| bad(e.to_string()))?;
        if a.row.seq != seq + 1 {
            return Ok(Err(ChainFault::Missing {
                seq: seq + 1,
                next_id: Some(a.row.id),
            }));
        }
        let expected = a.row.hash(&hash);
        if expected != a.chain {
            return Ok(Err(ChainFault::Changed {
                seq: a.row.seq,
                id: a.row.id,
            }));
        }
        (seq, hash) = (a.row.seq, expected);
    }
    if seq != header.end_seq || hash != header.end_hash {
        return Ok(Err(ChainFault::Missing {
            seq: seq + 1,
            next_id: None,
        }));
    }
    Ok(Ok(header))
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

/// What the audit page is narrowed to: who did it, what, about which records, when.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// The stored actor (`user:<login>`, `provider-link`, ...).
    pub actor: Option<String>,
    /// The stored action code (`view`, `export`, ...).
    pub action: Option<String>,
    /// Records it was about: a person and their family, for instance.
    pub entity_ids: Vec<String>,
    /// From this moment (milliseconds), inclusive.
    pub from_ms: Option<i64>,
    /// Before this moment (milliseconds).
    pub until_ms: Option<i64>,
}

/// One page of the audit log within a region prefix (`None` = all), newest first, with the
/// total count.
pub fn audit_page(
    conn: &mut Conn,
    region_prefix: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<(String, AuditEntry)>, i64), StorageError> {
    audit_search(conn, region_prefix, &AuditFilter::default(), limit, offset)
}

/// [`audit_page`] narrowed by `filter`: `(village, entry)` rows, newest first, and how many
/// match in all.
pub fn audit_search(
    conn: &mut Conn,
    region_prefix: Option<&str>,
    filter: &AuditFilter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<(String, AuditEntry)>, i64), StorageError> {
    let mut conds: Vec<String> = Vec::new();
    let mut params: Vec<SqlValue> = Vec::new();
    let mut push = |conds: &mut Vec<String>, sql: &str, v: SqlValue| {
        params.push(v);
        conds.push(sql.replace('?', &format!("${}", params.len())));
    };
    match region_prefix {
        None => {}
        Some(p) if p.len() == 13 => push(&mut conds, "kode_wilayah = ?", p.into()),
        Some(p) => {
            push(&mut conds, "kode_wilayah >= ?", format!("{p}.").into());
            push(&mut conds, "kode_wilayah < ?", format!("{p}/").into());
        }
    }
    if let Some(a) = &filter.actor {
        push(&mut conds, "actor = ?", a.as_str().into());
    }
    if let Some(a) = &filter.action {
        push(&mut conds, "action = ?", a.as_str().into());
    }
    if let Some(t) = filter.from_ms {
        push(&mut conds, "at >= ?", SqlValue::Int(t));
    }
    if let Some(t) = filter.until_ms {
        push(&mut conds, "at < ?", SqlValue::Int(t));
    }
    if !filter.entity_ids.is_empty() {
        let mut marks = Vec::new();
        for id in &filter.entity_ids {
            params.push(id.as_str().into());
            marks.push(format!("${}", params.len()));
        }
        conds.push(format!("entity_id IN ({})", marks.join(", ")));
    }
    let cond = if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    };
    let total = conn.query_i64(&format!("SELECT COUNT(*) FROM audit_log{cond}"), &params)?;
    let n = params.len();
    params.push(SqlValue::Int(limit.clamp(1, 10_000)));
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

/// The numbers people know records by (case number, complaint ticket, a person's name, an
/// activity's title, a provider's name) for ids of the audit log, by entity code and id.
pub fn record_labels(
    conn: &mut Conn,
    ids: &[(String, String)],
) -> Result<std::collections::HashMap<(String, String), String>, StorageError> {
    let mut out = std::collections::HashMap::new();
    for (entity, sql) in [
        ("case", "SELECT id, nomor FROM cases WHERE id = $1"),
        (
            "complaint",
            "SELECT id, ticket FROM complaints WHERE id = $1",
        ),
        ("person", "SELECT id, nama FROM persons WHERE id = $1"),
        ("family", "SELECT id, no_kk FROM families WHERE id = $1"),
        ("activity", "SELECT id, title FROM activities WHERE id = $1"),
        ("provider", "SELECT id, name FROM providers WHERE id = $1"),
    ] {
        let mut seen = std::collections::HashSet::new();
        for (_, id) in ids.iter().filter(|(e, _)| e == entity) {
            if !seen.insert(id) {
                continue;
            }
            if let Some(r) = conn.query_opt(sql, &[id.as_str().into()])?
                && let Some(label) = r.get(1).and_then(|v| v.as_str())
            {
                out.insert((entity.to_string(), id.clone()), label.to_string());
            }
        }
    }
    Ok(out)
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
