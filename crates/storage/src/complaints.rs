//! Complaint tickets in the database: receipt (ticket number and short code), handling steps
//! checked by the domain, and the public status lookup with its lockout against guessing.

use puskesos_domain::access::Role;
use puskesos_domain::complaints::{
    self, Action, Category, Status, StepError, TICKET_ALPHABET, normalise_ticket,
};
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::audit::{self, AuditAction, AuditEntity, AuditEvent};
use crate::db::Decode;
use crate::{Conn, SqlValue, StorageError, new_id};

const DAY_MS: i64 = 86_400_000;
/// Wrong codes for one ticket within the window before it is locked.
pub const TICKET_FAILURES: i64 = 5;
/// Wrong lookups across all tickets per minute before the page pauses.
pub const CLIENT_FAILURES_PER_MINUTE: i64 = 30;
/// How long lookups are kept (they serve only the limits above).
const LOOKUPS_KEPT_MS: i64 = 24 * 60 * 60 * 1000;
const WINDOW_MS: i64 = 15 * 60 * 1000;

#[derive(Debug, Clone, Default)]
pub struct NewComplaint {
    pub village: String,
    pub category: Option<Category>,
    pub program: Option<String>,
    pub summary: String,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Complaint {
    pub id: String,
    pub village: String,
    pub ticket: String,
    pub category: Category,
    pub program: Option<String>,
    pub summary: String,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub opened_at: i64,
    pub opened_by: String,
    pub deadline_at: i64,
    pub status: Status,
    pub escalated_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub decision: Option<String>,
}

/// What the public page may show: no names, no text, only the status and its dates.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PublicStatus {
    pub category: Category,
    pub status: Status,
    pub opened_at: i64,
    pub deadline_at: i64,
    pub escalated_at: Option<i64>,
    pub resolved_at: Option<i64>,
    /// The answer given to the resident, once the complaint is settled.
    pub decision: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    Found(PublicStatus),
    /// Wrong ticket or code (the two are not told apart).
    NotFound,
    /// Too many wrong attempts: try again from this moment (milliseconds).
    Limited(i64),
}

fn random_from(alphabet: &[u8], n: usize) -> String {
    let mut rng = rand::rng();
    (0..n)
        .map(|_| alphabet[rng.random_range(0..alphabet.len())] as char)
        .collect()
}

/// How a caller is named in `status_lookups`: a hash of its address (the limits need to tell
/// callers apart, not to know who they are).
pub fn client_of(address: &str) -> String {
    hex::encode(&Sha256::digest(format!("puskesos-status:{address}").as_bytes())[..16])
}

fn hash_code(ticket: &str, code: &str) -> String {
    hex::encode(Sha256::digest(format!("{ticket}:{code}").as_bytes()))
}

const COLUMNS: &str = "id, kode_wilayah, ticket, category, program, summary, contact_name, \
     contact_phone, opened_at, opened_by, deadline_at, status, escalated_at, resolved_at, decision";

fn read(r: Vec<SqlValue>) -> Result<Complaint, StorageError> {
    let d = Decode::new("complaints", &r, 0);
    Ok(Complaint {
        id: d.text(0)?,
        village: d.text(1)?,
        ticket: d.text(2)?,
        category: d.code(3, "category", Category::parse)?,
        program: d.opt_text(4),
        summary: d.text(5)?,
        contact_name: d.opt_text(6),
        contact_phone: d.opt_text(7),
        opened_at: d.int(8)?,
        opened_by: d.text(9)?,
        deadline_at: d.int(10)?,
        status: d.code(11, "status", Status::parse)?,
        escalated_at: d.opt_int(12),
        resolved_at: d.opt_int(13),
        decision: d.opt_text(14),
    })
}

/// Registers a complaint; returns it with the short code for the receipt (shown once, stored
/// only as a hash). `Err(field)` names what is missing.
pub fn open(
    conn: &mut Conn,
    new: &NewComplaint,
    actor: &str,
    role: Role,
    now_ms: i64,
) -> Result<Result<(Complaint, String), &'static str>, StorageError> {
    let Some(category) = new.category else {
        return Ok(Err("category"));
    };
    if new.summary.trim().is_empty() || new.summary.chars().count() > 4000 {
        return Ok(Err("summary"));
    }
    let code = random_from(b"0123456789", 6);
    conn.transaction(|c| {
        // A fresh ticket number; a clash (31^8 numbers) is simply drawn again.
        let mut ticket = random_from(TICKET_ALPHABET, 8);
        while c.query_i64("SELECT COUNT(*) FROM complaints WHERE ticket = $1", &[ticket.as_str().into()])? > 0 {
            ticket = random_from(TICKET_ALPHABET, 8);
        }
        let id = new_id();
        let clean = |v: &Option<String>| -> SqlValue {
            v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(SqlValue::from).unwrap_or(SqlValue::Null)
        };
        c.execute(
            "INSERT INTO complaints (kode_wilayah, id, ticket, code_hash, category, program, summary, \
             contact_name, contact_phone, opened_at, opened_by, deadline_at, status, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            &[
                new.village.as_str().into(),
                id.as_str().into(),
                ticket.as_str().into(),
                hash_code(&ticket, &code).into(),
                category.code().into(),
                clean(&new.program),
                new.summary.trim().into(),
                clean(&new.contact_name),
                clean(&new.contact_phone),
                now_ms.into(),
                actor.into(),
                (now_ms + category.sla_days() * DAY_MS).into(),
                Status::Diterima.code().into(),
                now_ms.into(),
            ],
        )?;
        event(c, &new.village, &id, actor, role, "open", None, Status::Diterima, None, now_ms)?;
        audit::record(
            c,
            &AuditEvent::new(AuditAction::Create, AuditEntity::Complaint, &id)
                .by(actor)
                .in_village(&new.village)
                .detail(&ticket),
        )?;
        let complaint = by_id(c, &new.village, &id)?.expect("just written");
        Ok(Ok((complaint, code.clone())))
    })
}

#[allow(clippy::too_many_arguments)]
fn event(
    conn: &mut Conn,
    village: &str,
    id: &str,
    actor: &str,
    role: Role,
    action: &str,
    from: Option<Status>,
    to: Status,
    note: Option<&str>,
    now_ms: i64,
) -> Result<(), StorageError> {
    conn.execute(
        "INSERT INTO complaint_events (kode_wilayah, id, complaint_id, at, actor, role, action, \
         from_status, to_status, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            village.into(),
            new_id().into(),
            id.into(),
            now_ms.into(),
            actor.into(),
            role.code().into(),
            action.into(),
            from.map(|s| s.code()).into(),
            to.code().into(),
            note.map(str::trim).filter(|n| !n.is_empty()).into(),
        ],
    )?;
    Ok(())
}

pub fn by_id(conn: &mut Conn, village: &str, id: &str) -> Result<Option<Complaint>, StorageError> {
    conn.query_opt(
        &format!("SELECT {COLUMNS} FROM complaints WHERE kode_wilayah = $1 AND id = $2"),
        &[village.into(), id.into()],
    )?
    .map(read)
    .transpose()
}

/// Open complaints of a village, the nearest deadline first.
pub fn open_list(conn: &mut Conn, village: &str) -> Result<Vec<Complaint>, StorageError> {
    conn.query(
        &format!(
            "SELECT {COLUMNS} FROM complaints WHERE kode_wilayah = $1 AND status <> 'selesai' \
                 ORDER BY deadline_at LIMIT 500"
        ),
        &[village.into()],
    )?
    .into_iter()
    .map(read)
    .collect::<Result<_, _>>()
}

/// Complaints escalated to the district from the villages under `prefix` (every village when
/// `None`), the earliest escalated first: the Dinas Sosial's desk.
pub fn escalated(conn: &mut Conn, prefix: Option<&str>) -> Result<Vec<Complaint>, StorageError> {
    let like = prefix.map_or("%".to_string(), |p| format!("{p}.%"));
    conn.query(
        &format!(
            "SELECT {COLUMNS} FROM complaints WHERE kode_wilayah LIKE $1 AND status = 'dieskalasi' \
                 ORDER BY escalated_at, id LIMIT 500"
        ),
        &[like.as_str().into()],
    )?
    .into_iter()
    .map(read)
    .collect::<Result<_, _>>()
}

/// A village's complaints the district decided since `since_ms`, the newest first: they come
/// back to the village's queue so the centre tells the resident.
pub fn decided_by_district(
    conn: &mut Conn,
    village: &str,
    since_ms: i64,
) -> Result<Vec<Complaint>, StorageError> {
    conn.query(
        &format!(
            "SELECT {COLUMNS} FROM complaints WHERE kode_wilayah = $1 AND status = 'selesai' \
                 AND resolved_at >= $2 AND EXISTS (SELECT 1 FROM complaint_events e \
                 WHERE e.kode_wilayah = complaints.kode_wilayah AND e.complaint_id = complaints.id \
                 AND e.action = 'resolve' AND e.role = 'dinas_sosial') \
                 ORDER BY resolved_at DESC LIMIT 100"
        ),
        &[village.into(), since_ms.into()],
    )?
    .into_iter()
    .map(read)
    .collect::<Result<_, _>>()
}

/// One handling action; refused ones change nothing and are recorded in the audit log.
#[allow(clippy::too_many_arguments)]
pub fn act(
    conn: &mut Conn,
    village: &str,
    id: &str,
    action: Action,
    role: Role,
    actor: &str,
    note: &str,
    now_ms: i64,
) -> Result<Result<Status, StepError>, StorageError> {
    conn.transaction(|c| {
        let Some(cur) = by_id(c, village, id)? else {
            return Ok(Err(StepError::OutOfOrder));
        };
        match complaints::act(cur.status, action, role, note) {
            Err(e) => {
                audit::record(
                    c,
                    &AuditEvent::new(AuditAction::StepRefused, AuditEntity::Complaint, id)
                        .by(actor)
                        .in_village(village)
                        .detail(&format!("{} {:?}", action.code(), e)),
                )?;
                Ok(Err(e))
            }
            Ok(to) => {
                let moved = c.execute(
                    "UPDATE complaints SET status = $1, updated_at = $2, \
                     escalated_at = CASE WHEN $3 = 1 THEN $2 ELSE escalated_at END, \
                     resolved_at = CASE WHEN $4 = 1 THEN $2 ELSE resolved_at END, \
                     decision = CASE WHEN $4 = 1 THEN $5 ELSE decision END \
                     WHERE kode_wilayah = $6 AND id = $7 AND status = $8",
                    &[
                        to.code().into(),
                        now_ms.into(),
                        i64::from(to == Status::Dieskalasi).into(),
                        i64::from(to == Status::Selesai).into(),
                        note.trim().into(),
                        village.into(),
                        id.into(),
                        cur.status.code().into(),
                    ],
                )?;
                if moved != 1 {
                    return Ok(Err(StepError::OutOfOrder));
                }
                event(
                    c,
                    village,
                    id,
                    actor,
                    role,
                    action.code(),
                    Some(cur.status),
                    to,
                    Some(note),
                    now_ms,
                )?;
                audit::record(
                    c,
                    &AuditEvent::new(AuditAction::Update, AuditEntity::Complaint, id)
                        .by(actor)
                        .in_village(village)
                        .detail(action.code()),
                )?;
                Ok(Ok(to))
            }
        }
    })
}

/// The public lookup by ticket and code. Every attempt is recorded with its `client` (a hash of
/// the caller's address, never the address); a client with [`TICKET_FAILURES`] wrong codes for
/// a ticket in 15 minutes, or [`CLIENT_FAILURES_PER_MINUTE`] wrong lookups in a minute, is
/// refused for a while. The limits are the client's own: a guesser cannot shut the page, or a
/// ticket, for the resident who has the right code. Lookups older than a day are pruned.
pub fn public_status(
    conn: &mut Conn,
    ticket: &str,
    code: &str,
    client: &str,
    now_ms: i64,
) -> Result<Lookup, StorageError> {
    let ticket = normalise_ticket(ticket);
    let code: String = code.chars().filter(char::is_ascii_digit).collect();
    if ticket.is_empty() || ticket.len() > 16 {
        return Ok(Lookup::NotFound);
    }
    conn.transaction(|c| {
        c.execute(
            "DELETE FROM status_lookups WHERE at < $1",
            &[(now_ms - LOOKUPS_KEPT_MS).into()],
        )?;
        let ticket_failures = c.query_i64(
            "SELECT COUNT(*) FROM status_lookups WHERE client = $1 AND ticket = $2 AND at > $3 \
             AND ok = 0",
            &[client.into(), ticket.as_str().into(), (now_ms - WINDOW_MS).into()],
        )?;
        let client_failures = c.query_i64(
            "SELECT COUNT(*) FROM status_lookups WHERE client = $1 AND at > $2 AND ok = 0",
            &[client.into(), (now_ms - 60_000).into()],
        )?;
        let record = |c: &mut Conn, ok: bool| {
            c.execute(
                "INSERT INTO status_lookups (id, ticket, at, ok, client) VALUES ($1, $2, $3, $4, $5)",
                &[
                    new_id().into(),
                    ticket.as_str().into(),
                    now_ms.into(),
                    i64::from(ok).into(),
                    client.into(),
                ],
            )
        };
        if ticket_failures >= TICKET_FAILURES || client_failures >= CLIENT_FAILURES_PER_MINUTE {
            // Free again when the oldest failure that counts leaves its window.
            let ticket_free = c.query_i64(
                "SELECT COALESCE(MIN(at), 0) FROM status_lookups WHERE client = $1 AND ticket = $2 \
                 AND at > $3 AND ok = 0",
                &[client.into(), ticket.as_str().into(), (now_ms - WINDOW_MS).into()],
            )? + WINDOW_MS;
            let client_free = c.query_i64(
                "SELECT COALESCE(MIN(at), 0) FROM status_lookups WHERE client = $1 AND at > $2 \
                 AND ok = 0",
                &[client.into(), (now_ms - 60_000).into()],
            )? + 60_000;
            let mut until = now_ms;
            if ticket_failures >= TICKET_FAILURES {
                until = until.max(ticket_free);
            }
            if client_failures >= CLIENT_FAILURES_PER_MINUTE {
                until = until.max(client_free);
            }
            record(c, false)?;
            return Ok(Lookup::Limited(until));
        }
        let row = c.query_opt(
            "SELECT code_hash, category, status, opened_at, deadline_at, escalated_at, resolved_at, \
             decision FROM complaints WHERE ticket = $1",
            &[ticket.as_str().into()],
        )?;
        let found = row.and_then(|r| {
            let hash = r.first()?.as_str()?.to_string();
            (hash == hash_code(&ticket, &code)).then_some(())?;
            Some(PublicStatus {
                category: Category::parse(r.get(1)?.as_str()?)?,
                status: Status::parse(r.get(2)?.as_str()?)?,
                opened_at: r.get(3)?.as_i64()?,
                deadline_at: r.get(4)?.as_i64()?,
                escalated_at: r.get(5).and_then(SqlValue::as_i64),
                resolved_at: r.get(6).and_then(SqlValue::as_i64),
                decision: r.get(7).and_then(|v| v.as_str().map(str::to_string)),
            })
        });
        record(c, found.is_some())?;
        Ok(found.map_or(Lookup::NotFound, Lookup::Found))
    })
}

/// Whether `code` is the access code of the village's complaint `id` (for reprinting the
/// receipt with its code; no lookup is counted, as staff hold the ticket already).
pub fn code_matches(
    conn: &mut Conn,
    village: &str,
    id: &str,
    code: &str,
) -> Result<bool, StorageError> {
    let row = conn.query_opt(
        "SELECT ticket, code_hash FROM complaints WHERE kode_wilayah = $1 AND id = $2",
        &[village.into(), id.into()],
    )?;
    Ok(row.is_some_and(|r| {
        let (Some(ticket), Some(hash)) = (r[0].as_str(), r[1].as_str()) else {
            return false;
        };
        hash == hash_code(ticket, code.trim())
    }))
}
