//! Referrals: the centre's directory of service providers, a case referred to one of them with
//! a due date, and the provider's answer through a link without an account (a random token,
//! stored as a hash, expiring). A forged or expired link changes nothing and is recorded.

use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::audit::{self, AuditAction, AuditEntity, AuditEvent};
use crate::db::Decode;
use crate::{Conn, SqlValue, StorageError, new_id};

// The directory moved to `directory` (the PSKS register); its names stay here for callers.
pub use crate::directory::{PROVIDER_KINDS, Provider, add_provider, providers};

/// What a provider can answer.
pub const ANSWERS: &[&str] = &["diterima", "ditolak", "selesai"];

/// The actor of what a provider does through their answer link (no account).
pub const PROVIDER_LINK: &str = "provider-link";
/// The role code of a provider's answer in a case's history (catalogue `role-penyedia`).
pub const PROVIDER_ROLE: &str = "penyedia";

const DAY_MS: i64 = 86_400_000;
/// A link stays valid this long after the due date.
const LINK_GRACE_DAYS: i64 = 30;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Referral {
    pub id: String,
    pub village: String,
    pub case_id: String,
    pub provider: String,
    /// The provider's kind (`dinas_sosial` ones are the district's desk).
    pub provider_kind: String,
    pub sent_at: i64,
    pub due_at: i64,
    pub status: String,
    pub answered_at: Option<i64>,
    pub answer_note: Option<String>,
}

impl Referral {
    /// Past its due date without a final answer.
    pub fn overdue(&self, now_ms: i64) -> bool {
        now_ms > self.due_at && !self.is_final()
    }

    /// Served or refused: the provider's link is closed and the case may be referred again.
    pub fn is_final(&self) -> bool {
        matches!(self.status.as_str(), "selesai" | "ditolak")
    }
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Records a referral of a case to a provider of the village; returns it with the answer
/// token (shown once, to be sent to the provider), or `None` for an unknown provider.
pub fn refer(
    conn: &mut Conn,
    village: &str,
    case_id: &str,
    provider_id: &str,
    due_days: i64,
    actor: &str,
    now_ms: i64,
) -> Result<Option<(Referral, String)>, StorageError> {
    let known = conn.query_i64(
        // A retired entry of the register takes no new referral.
        "SELECT COUNT(*) FROM providers WHERE kode_wilayah = $1 AND id = $2 AND retired_at IS NULL",
        &[village.into(), provider_id.into()],
    )?;
    if known == 0 || !(1..=365).contains(&due_days) {
        return Ok(None);
    }
    let token = new_token();
    let id = new_id();
    let due_at = now_ms + due_days * DAY_MS;
    conn.execute(
        "INSERT INTO referrals (kode_wilayah, id, case_id, provider_id, sent_at, sent_by, due_at, \
         status, token_hash, token_expires_at, token) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        &[
            village.into(),
            id.as_str().into(),
            case_id.into(),
            provider_id.into(),
            now_ms.into(),
            actor.into(),
            due_at.into(),
            "dikirim".into(),
            hash(&token).into(),
            (due_at + LINK_GRACE_DAYS * DAY_MS).into(),
            token.as_str().into(),
        ],
    )?;
    audit::record(
        conn,
        &AuditEvent::new(AuditAction::Create, AuditEntity::Referral, &id)
            .by(actor)
            .in_village(village)
            .detail(case_id),
    )?;
    let r = by_id(conn, village, &id)?.expect("just written");
    Ok(Some((r, token)))
}

const COLUMNS: &str = "r.id, r.kode_wilayah, r.case_id, p.name, p.kind, r.sent_at, r.due_at, \
     r.status, r.answered_at, r.answer_note FROM referrals r JOIN providers p \
     ON p.kode_wilayah = r.kode_wilayah AND p.id = r.provider_id";

fn read(r: Vec<SqlValue>) -> Result<Referral, StorageError> {
    let d = Decode::new("referrals", &r, 0);
    Ok(Referral {
        id: d.text(0)?,
        village: d.text(1)?,
        case_id: d.text(2)?,
        provider: d.text(3)?,
        provider_kind: d.text(4)?,
        sent_at: d.int(5)?,
        due_at: d.int(6)?,
        status: d.text(7)?,
        answered_at: d.opt_int(8),
        answer_note: d.opt_text(9),
    })
}

pub fn by_id(conn: &mut Conn, village: &str, id: &str) -> Result<Option<Referral>, StorageError> {
    conn.query_opt(
        &format!("SELECT {COLUMNS} WHERE r.kode_wilayah = $1 AND r.id = $2"),
        &[village.into(), id.into()],
    )?
    .map(read)
    .transpose()
}

pub fn of_case(
    conn: &mut Conn,
    village: &str,
    case_id: &str,
) -> Result<Vec<Referral>, StorageError> {
    conn.query(
        &format!("SELECT {COLUMNS} WHERE r.kode_wilayah = $1 AND r.case_id = $2 ORDER BY r.id"),
        &[village.into(), case_id.into()],
    )?
    .into_iter()
    .map(read)
    .collect::<Result<_, _>>()
}

/// The referral a provider's link opens, if the token is genuine and not expired.
pub fn by_token(
    conn: &mut Conn,
    id: &str,
    token: &str,
    now_ms: i64,
) -> Result<Option<Referral>, StorageError> {
    let row = conn.query_opt(
        "SELECT kode_wilayah FROM referrals WHERE token_hash = $1 AND id = $2 AND token_expires_at > $3",
        &[hash(token).into(), id.into(), now_ms.into()],
    )?;
    match row
        .and_then(|r| r.into_iter().next())
        .and_then(SqlValue::into_string)
    {
        Some(village) => by_id(conn, &village, id),
        None => Ok(None),
    }
}

/// The provider's answer. A forged or expired link, or an answer that is not one of
/// [`ANSWERS`], changes nothing; the attempt is recorded. Returns whether it was taken.
pub fn answer(
    conn: &mut Conn,
    id: &str,
    token: &str,
    status: &str,
    note: &str,
    now_ms: i64,
) -> Result<bool, StorageError> {
    conn.transaction(|c| {
        let Some(r) = by_token(c, id, token, now_ms)? else {
            audit::record(
                c,
                &AuditEvent::new(AuditAction::AnswerRefused, AuditEntity::Referral, id)
                    .by(PROVIDER_LINK)
                    .detail("forged or expired link"),
            )?;
            return Ok(false);
        };
        if !ANSWERS.contains(&status) || r.is_final() {
            audit::record(
                c,
                &AuditEvent::new(AuditAction::AnswerRefused, AuditEntity::Referral, id)
                    .by(PROVIDER_LINK)
                    .in_village(&r.village)
                    .detail(status),
            )?;
            return Ok(false);
        }
        let note: String = note.trim().chars().take(2000).collect();
        c.execute(
            "UPDATE referrals SET status = $1, answered_at = $2, answer_note = $3 \
             WHERE kode_wilayah = $4 AND id = $5",
            &[
                status.into(),
                now_ms.into(),
                note.as_str().into(),
                r.village.as_str().into(),
                id.into(),
            ],
        )?;
        // Every answer is an event of the case with its note (the referral keeps the last),
        // so the history holds all of them; the case's own state does not move.
        if let Some(case) = crate::cases::by_id(c, &r.village, &r.case_id)? {
            let step = format!("provider_{status}");
            let said = format!("{}: {note}", r.provider);
            crate::cases::event(
                c,
                &r.village,
                &r.case_id,
                PROVIDER_LINK,
                PROVIDER_ROLE,
                &step,
                Some(case.state),
                case.state,
                Some(said.trim_end_matches([':', ' '])),
                now_ms,
            )?;
        }
        audit::record(
            c,
            &AuditEvent::new(AuditAction::Update, AuditEntity::Referral, id)
                .by(PROVIDER_LINK)
                .in_village(&r.village)
                .detail(status),
        )?;
        Ok(true)
    })
}

/// A village's referrals past their due date without a final answer, the oldest first.
pub fn overdue(conn: &mut Conn, village: &str, now_ms: i64) -> Result<Vec<Referral>, StorageError> {
    conn.query(
        &format!(
            "SELECT {COLUMNS} WHERE r.kode_wilayah = $1 AND r.due_at < $2 \
                 AND r.status <> 'selesai' AND r.status <> 'ditolak' ORDER BY r.due_at LIMIT 200"
        ),
        &[village.into(), now_ms.into()],
    )?
    .into_iter()
    .map(read)
    .collect::<Result<_, _>>()
}

/// The answer token of a referral of the village, for the roles that may send it (the caller
/// checks); `None` for referrals sent before tokens were kept, or unknown ones.
pub fn token_of(conn: &mut Conn, village: &str, id: &str) -> Result<Option<String>, StorageError> {
    Ok(conn
        .query_opt(
            "SELECT token FROM referrals WHERE kode_wilayah = $1 AND id = $2",
            &[village.into(), id.into()],
        )?
        .and_then(|r| r.into_iter().next())
        .and_then(SqlValue::into_string))
}

/// Replaces a referral's link ("buat tautan baru"): the old one stops working at once. Only a
/// referral still waiting for its answer; returns the new token, or `None`.
pub fn renew_token(
    conn: &mut Conn,
    village: &str,
    id: &str,
    actor: &str,
    now_ms: i64,
) -> Result<Option<String>, StorageError> {
    conn.transaction(|c| {
        let Some(r) = by_id(c, village, id)?.filter(|r| !r.is_final()) else {
            return Ok(None);
        };
        let token = new_token();
        let expires = r.due_at.max(now_ms) + LINK_GRACE_DAYS * DAY_MS;
        c.execute(
            "UPDATE referrals SET token = $1, token_hash = $2, token_expires_at = $3 \
             WHERE kode_wilayah = $4 AND id = $5",
            &[
                token.as_str().into(),
                hash(&token).into(),
                expires.into(),
                village.into(),
                id.into(),
            ],
        )?;
        audit::record(
            c,
            &AuditEvent::new(AuditAction::Update, AuditEntity::Referral, id)
                .by(actor)
                .in_village(village)
                .detail("new link"),
        )?;
        Ok(Some(token))
    })
}

/// Referrals waiting for an answer from a district provider (kind `dinas_sosial`) in the
/// villages under `prefix` (a region code; every village when `None`), the oldest first.
pub fn for_district(conn: &mut Conn, prefix: Option<&str>) -> Result<Vec<Referral>, StorageError> {
    let like = prefix.map_or("%".to_string(), |p| format!("{p}.%"));
    conn.query(
        &format!(
            "SELECT {COLUMNS} WHERE r.kode_wilayah LIKE $1 AND p.kind = 'dinas_sosial' \
                 AND r.status <> 'selesai' AND r.status <> 'ditolak' ORDER BY r.sent_at LIMIT 500"
        ),
        &[like.as_str().into()],
    )?
    .into_iter()
    .map(read)
    .collect::<Result<_, _>>()
}
