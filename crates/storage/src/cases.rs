//! SLRT cases in the database: intake, steps through the case life (checked by the domain's
//! state machine, each one an event in `case_events`), worklists per role. A refused step
//! changes nothing and is recorded in the audit log.

use puskesos_domain::access::Role;
use puskesos_domain::cases::{self, Sector, State, Step, StepError};

use crate::audit::{self, AuditAction, AuditEntity, AuditEvent};
use crate::db::Decode;
use crate::{Conn, SqlValue, StorageError, new_id};

/// How a resident reached the centre.
pub const CHANNELS: &[&str] = &["datang", "kunjungan_rumah", "telepon", "pesan", "surat"];

/// A new case from the front office.
#[derive(Debug, Clone, Default)]
pub struct NewCase {
    pub village: String,
    pub channel: String,
    pub sector: Option<Sector>,
    pub summary: String,
    /// A registered person (and their family), found by NIK.
    pub person_id: Option<String>,
    pub family_id: Option<String>,
    /// Otherwise a short profile of someone not yet registered.
    pub contact_name: Option<String>,
    pub contact_nik: Option<String>,
    pub contact_address: Option<String>,
    pub contact_phone: Option<String>,
    /// What the resident agreed their data may be used for (UU 27/2022 Ps 20).
    pub consent_purpose: String,
}

/// What is wrong with a new case; catalogue key `case-new-<field>`.
#[derive(Debug, Clone, PartialEq)]
pub struct IntakeError {
    pub field: &'static str,
    pub key: &'static str,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Case {
    pub id: String,
    pub village: String,
    pub nomor: String,
    pub opened_at: i64,
    pub opened_by: String,
    pub channel: String,
    pub sector: Sector,
    pub summary: String,
    pub family_id: Option<String>,
    pub person_id: Option<String>,
    pub contact_name: Option<String>,
    pub contact_nik: Option<String>,
    pub contact_address: Option<String>,
    pub contact_phone: Option<String>,
    pub consent_purpose: String,
    pub state: State,
    pub updated_at: i64,
    /// The registered person's name, else the contact's (for lists and queues).
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CaseEvent {
    pub at: i64,
    pub actor: String,
    pub role: String,
    pub step: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub note: Option<String>,
}

fn state_of(code: &str) -> Option<State> {
    State::ALL.into_iter().find(|s| s.code() == code)
}

const INSERT_COLUMNS: &str = "id, kode_wilayah, nomor, opened_at, opened_by, channel, sector, \
     summary, family_id, person_id, contact_name, contact_nik, contact_address, contact_phone, \
     consent_purpose, state, updated_at";

/// A case's columns with its person's name, and the join they come from (`c`, `p`).
const CASE_COLUMNS: &str = "c.id, c.kode_wilayah, c.nomor, c.opened_at, c.opened_by, c.channel, \
     c.sector, c.summary, c.family_id, c.person_id, c.contact_name, c.contact_nik, \
     c.contact_address, c.contact_phone, c.consent_purpose, c.state, c.updated_at, \
     COALESCE(p.nama, c.contact_name) FROM cases c LEFT JOIN persons p \
     ON p.kode_wilayah = c.kode_wilayah AND p.id = c.person_id";

fn read_case(r: Vec<SqlValue>) -> Result<Case, StorageError> {
    let d = Decode::new("cases", &r, 0);
    Ok(Case {
        id: d.text(0)?,
        village: d.text(1)?,
        nomor: d.text(2)?,
        opened_at: d.int(3)?,
        opened_by: d.text(4)?,
        channel: d.text(5)?,
        sector: d.code(6, "sector", Sector::parse)?,
        summary: d.text(7)?,
        family_id: d.opt_text(8),
        person_id: d.opt_text(9),
        contact_name: d.opt_text(10),
        contact_nik: d.opt_text(11),
        contact_address: d.opt_text(12),
        contact_phone: d.opt_text(13),
        consent_purpose: d.text(14)?,
        state: d.code(15, "state", state_of)?,
        updated_at: d.int(16)?,
        name: d.opt_text(17),
    })
}

/// Opens a case: checks the intake, numbers it (`K-YYYY-NNNN` per village and year) and records
/// the opening as the first event.
pub fn open(
    conn: &mut Conn,
    new: &NewCase,
    actor: &str,
    role: Role,
    now_ms: i64,
) -> Result<Result<Case, IntakeError>, StorageError> {
    let refuse = |field, key| Ok(Err(IntakeError { field, key }));
    let Some(sector) = new.sector else {
        return refuse("sector", "case-new-sector");
    };
    if !CHANNELS.contains(&new.channel.as_str()) {
        return refuse("channel", "case-new-channel");
    }
    if new.summary.trim().is_empty() || new.summary.chars().count() > 4000 {
        return refuse("summary", "case-new-summary");
    }
    let named = new.person_id.is_some()
        || new
            .contact_name
            .as_deref()
            .is_some_and(|n| !n.trim().is_empty());
    if !named {
        return refuse("contact_name", "case-new-person");
    }
    if new.consent_purpose.trim().is_empty() {
        return refuse("consent_purpose", "case-new-consent");
    }
    let year = chrono::DateTime::from_timestamp_millis(now_ms)
        .map(|d| d.format("%Y").to_string())
        .unwrap_or_else(|| "0000".into());
    let prefix = format!("K-{year}-");
    conn.transaction(|c| {
        let count = c.query_i64(
            "SELECT COUNT(*) FROM cases WHERE kode_wilayah = $1 AND nomor >= $2 AND nomor < $3",
            &[
                new.village.as_str().into(),
                prefix.as_str().into(),
                format!("K-{year}.").into(),
            ],
        )?;
        let nomor = format!("{prefix}{:04}", count + 1);
        let id = new_id();
        let opt = |v: &Option<String>| -> SqlValue {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(SqlValue::from)
                .unwrap_or(SqlValue::Null)
        };
        c.execute(
            &format!(
                "INSERT INTO cases ({INSERT_COLUMNS}) VALUES \
                 ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"
            ),
            &[
                id.as_str().into(),
                new.village.as_str().into(),
                nomor.as_str().into(),
                now_ms.into(),
                actor.into(),
                new.channel.as_str().into(),
                sector.code().into(),
                new.summary.trim().into(),
                opt(&new.family_id),
                opt(&new.person_id),
                opt(&new.contact_name),
                opt(&new.contact_nik),
                opt(&new.contact_address),
                opt(&new.contact_phone),
                new.consent_purpose.trim().into(),
                State::Registered.code().into(),
                now_ms.into(),
            ],
        )?;
        event(
            c,
            &new.village,
            &id,
            actor,
            role.code(),
            "open",
            None,
            State::Registered,
            None,
            now_ms,
        )?;
        audit::record(
            c,
            &AuditEvent::new(AuditAction::Create, AuditEntity::Case, &id)
                .by(actor)
                .in_village(&new.village)
                .detail(&nomor),
        )?;
        Ok(Ok(by_id(c, &new.village, &id)?.expect("just written")))
    })
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn event(
    conn: &mut Conn,
    village: &str,
    case_id: &str,
    actor: &str,
    role: &str,
    step: &str,
    from: Option<State>,
    to: State,
    note: Option<&str>,
    now_ms: i64,
) -> Result<(), StorageError> {
    conn.execute(
        "INSERT INTO case_events (kode_wilayah, id, case_id, at, actor, role, step, from_state, \
         to_state, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            village.into(),
            new_id().into(),
            case_id.into(),
            now_ms.into(),
            actor.into(),
            role.into(),
            step.into(),
            from.map(|s| s.code()).into(),
            to.code().into(),
            note.map(str::trim).filter(|n| !n.is_empty()).into(),
        ],
    )?;
    Ok(())
}

pub fn by_id(conn: &mut Conn, village: &str, id: &str) -> Result<Option<Case>, StorageError> {
    conn.query_opt(
        &format!("SELECT {CASE_COLUMNS} WHERE c.kode_wilayah = $1 AND c.id = $2"),
        &[village.into(), id.into()],
    )?
    .map(read_case)
    .transpose()
}

/// Takes one step on a case. A refused step changes nothing and is recorded in the audit log.
#[allow(clippy::too_many_arguments)]
pub fn take_step(
    conn: &mut Conn,
    village: &str,
    case_id: &str,
    step: Step,
    role: Role,
    actor: &str,
    note: &str,
    now_ms: i64,
) -> Result<Result<State, StepError>, StorageError> {
    conn.transaction(|c| {
        let Some(case) = by_id(c, village, case_id)? else {
            return Ok(Err(StepError::OutOfOrder));
        };
        match cases::step(case.state, step, role, case.sector, note) {
            Err(e) => {
                let detail = format!("{} from {}: {:?}", step.code(), case.state.code(), e);
                audit::record(
                    c,
                    &AuditEvent::new(AuditAction::StepRefused, AuditEntity::Case, case_id)
                        .by(actor)
                        .in_village(village)
                        .detail(&detail),
                )?;
                Ok(Err(e))
            }
            Ok(to) => {
                // Guarded by the state read above: two staff clicking at once cannot both move it.
                let moved = c.execute(
                    "UPDATE cases SET state = $1, updated_at = $2 \
                     WHERE kode_wilayah = $3 AND id = $4 AND state = $5",
                    &[
                        to.code().into(),
                        now_ms.into(),
                        village.into(),
                        case_id.into(),
                        case.state.code().into(),
                    ],
                )?;
                if moved != 1 {
                    return Ok(Err(StepError::OutOfOrder));
                }
                event(
                    c,
                    village,
                    case_id,
                    actor,
                    role.code(),
                    step.code(),
                    Some(case.state),
                    to,
                    Some(note),
                    now_ms,
                )?;
                audit::record(
                    c,
                    &AuditEvent::new(AuditAction::Update, AuditEntity::Case, case_id)
                        .by(actor)
                        .in_village(village)
                        .detail(step.code()),
                )?;
                Ok(Ok(to))
            }
        }
    })
}

pub fn events(
    conn: &mut Conn,
    village: &str,
    case_id: &str,
) -> Result<Vec<CaseEvent>, StorageError> {
    conn.query(
        "SELECT at, actor, role, step, from_state, to_state, note FROM case_events \
             WHERE kode_wilayah = $1 AND case_id = $2 ORDER BY id",
        &[village.into(), case_id.into()],
    )?
    .into_iter()
    .map(|r| {
        let d = Decode::named("case_events of case", case_id, &r);
        Ok(CaseEvent {
            at: d.int(0)?,
            actor: d.text(1)?,
            role: d.text(2)?,
            step: d.text(3)?,
            from_state: d.opt_text(4),
            to_state: d.text(5)?,
            note: d.opt_text(6),
        })
    })
    .collect::<Result<_, StorageError>>()
}

/// The village's open cases, the longest waiting first (by their last step); `for_role` keeps
/// those the role can act on now.
pub fn open_cases(
    conn: &mut Conn,
    village: &str,
    for_role: Option<Role>,
) -> Result<Vec<Case>, StorageError> {
    let all: Vec<Case> = conn
        .query(
            &format!(
                "SELECT {CASE_COLUMNS} WHERE c.kode_wilayah = $1 \
                 AND c.state <> 'closed' AND c.state <> 'refused' \
                 ORDER BY c.updated_at, c.id LIMIT 500"
            ),
            &[village.into()],
        )?
        .into_iter()
        .map(read_case)
        .collect::<Result<_, _>>()?;
    Ok(match for_role {
        None => all,
        Some(role) => all
            .into_iter()
            .filter(|c| cases::waits_for(c.state, role, c.sector))
            .collect(),
    })
}

/// What the case search asks: every part optional.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// Part of the case number, the name, or the NIK (registered or the contact's).
    pub text: Option<String>,
    pub sector: Option<Sector>,
    pub state: Option<State>,
    /// Closed and refused cases too (the archive); without it only open cases.
    pub closed: bool,
    /// Opened at or after / before (ms since the epoch).
    pub from_ms: Option<i64>,
    pub until_ms: Option<i64>,
}

/// Most rows one search shows.
pub const SEARCH_LIMIT: i64 = 200;

/// The village's cases matching `f`, the newest first (at most [`SEARCH_LIMIT`]).
pub fn search(conn: &mut Conn, village: &str, f: &CaseFilter) -> Result<Vec<Case>, StorageError> {
    let mut sql = format!("SELECT {CASE_COLUMNS} WHERE c.kode_wilayah = $1");
    let mut args: Vec<SqlValue> = vec![village.into()];
    let arg = |sql: &mut String, args: &mut Vec<SqlValue>, clause: &str, v: SqlValue| {
        args.push(v);
        sql.push_str(&clause.replace('?', &format!("${}", args.len())));
    };
    if let Some(t) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        // LIKE's wildcards typed by the user are taken literally by dropping them.
        let t: String = t
            .chars()
            .filter(|c| !matches!(c, '%' | '_' | '\\'))
            .collect();
        let like = format!("%{}%", t.to_lowercase());
        args.push(like.as_str().into());
        let n = args.len();
        sql.push_str(&format!(
            " AND (LOWER(c.nomor) LIKE ${n} OR LOWER(COALESCE(p.nama, c.contact_name, '')) \
             LIKE ${n} OR COALESCE(p.nik, c.contact_nik, '') LIKE ${n})"
        ));
    }
    if let Some(sector) = f.sector {
        arg(
            &mut sql,
            &mut args,
            " AND c.sector = ?",
            sector.code().into(),
        );
    }
    if let Some(state) = f.state {
        arg(&mut sql, &mut args, " AND c.state = ?", state.code().into());
    } else if !f.closed {
        sql.push_str(" AND c.state <> 'closed' AND c.state <> 'refused'");
    }
    if let Some(from) = f.from_ms {
        arg(&mut sql, &mut args, " AND c.opened_at >= ?", from.into());
    }
    if let Some(until) = f.until_ms {
        arg(&mut sql, &mut args, " AND c.opened_at < ?", until.into());
    }
    sql.push_str(&format!(
        " ORDER BY c.opened_at DESC, c.id DESC LIMIT {SEARCH_LIMIT}"
    ));
    conn.query(&sql, &args)?
        .into_iter()
        .map(read_case)
        .collect::<Result<_, _>>()
}

/// The `refer` step together with the referral it sends, in one transaction: the case moves to
/// "referred" only with a referral to a provider of the village's directory. Returns the
/// referral and the provider's answer token (to be sent once), or why not.
#[allow(clippy::too_many_arguments)]
pub fn refer(
    conn: &mut Conn,
    village: &str,
    case_id: &str,
    role: Role,
    actor: &str,
    note: &str,
    provider_id: &str,
    due_days: i64,
    now_ms: i64,
) -> Result<Result<(crate::referrals::Referral, String), StepError>, StorageError> {
    conn.transaction(|c| {
        let Some(case) = by_id(c, village, case_id)? else {
            return Ok(Err(StepError::OutOfOrder));
        };
        let to = match cases::step(case.state, Step::Refer, role, case.sector, note) {
            Ok(to) => to,
            Err(e) => {
                audit::record(
                    c,
                    &AuditEvent::new(AuditAction::StepRefused, AuditEntity::Case, case_id)
                        .by(actor)
                        .in_village(village)
                        .detail("refer"),
                )?;
                return Ok(Err(e));
            }
        };
        let Some(sent) =
            crate::referrals::refer(c, village, case_id, provider_id, due_days, actor, now_ms)?
        else {
            return Ok(Err(StepError::OutOfOrder));
        };
        c.execute(
            "UPDATE cases SET state = $1, updated_at = $2 WHERE kode_wilayah = $3 AND id = $4",
            &[
                to.code().into(),
                now_ms.into(),
                village.into(),
                case_id.into(),
            ],
        )?;
        event(
            c,
            village,
            case_id,
            actor,
            role.code(),
            Step::Refer.code(),
            Some(case.state),
            to,
            Some(note),
            now_ms,
        )?;
        Ok(Ok(sent))
    })
}

/// Largest attachment accepted.
pub const MAX_ATTACHMENT: usize = 5 * 1024 * 1024;

/// What a file really is, by its first bytes (the name and the browser's type are not trusted):
/// JPEG, PNG or PDF, or `None`.
pub fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("image/jpeg", "jpg"))
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(("image/png", "png"))
    } else if bytes.starts_with(b"%PDF-") {
        Some(("application/pdf", "pdf"))
    } else {
        None
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Attachment {
    pub id: String,
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
    pub added_by: String,
    pub added_at: i64,
}

/// Records an attachment whose bytes the caller has checked and stored under the returned id.
#[allow(clippy::too_many_arguments)]
pub fn add_attachment(
    conn: &mut Conn,
    village: &str,
    case_id: &str,
    file_name: &str,
    media_type: &str,
    size: usize,
    actor: &str,
    now_ms: i64,
) -> Result<String, StorageError> {
    let id = new_id();
    let name: String = file_name
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    conn.execute(
        "INSERT INTO case_attachments (kode_wilayah, id, case_id, file_name, media_type, size, \
         added_by, added_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            village.into(),
            id.as_str().into(),
            case_id.into(),
            name.into(),
            media_type.into(),
            (size as i64).into(),
            actor.into(),
            now_ms.into(),
        ],
    )?;
    audit::record(
        conn,
        &AuditEvent::new(AuditAction::Create, AuditEntity::Attachment, &id)
            .by(actor)
            .in_village(village)
            .detail(case_id),
    )?;
    Ok(id)
}

pub fn attachments(
    conn: &mut Conn,
    village: &str,
    case_id: &str,
) -> Result<Vec<Attachment>, StorageError> {
    conn.query(
        "SELECT id, file_name, media_type, size, added_by, added_at FROM case_attachments \
             WHERE kode_wilayah = $1 AND case_id = $2 ORDER BY id",
        &[village.into(), case_id.into()],
    )?
    .into_iter()
    .map(|r| {
        let d = Decode::new("case_attachments", &r, 0);
        Ok(Attachment {
            id: d.text(0)?,
            file_name: d.text(1)?,
            media_type: d.text(2)?,
            size: d.int(3)?,
            added_by: d.text(4)?,
            added_at: d.int(5)?,
        })
    })
    .collect::<Result<_, StorageError>>()
}

/// Links a case of someone not yet registered to the family record made from their short
/// profile: the case gets the family and person, and an event says it was registered and
/// proposed for the welfare data (DTSEN). Runs inside the caller's transaction. Returns false
/// when the case is unknown or already linked.
#[allow(clippy::too_many_arguments)]
pub fn link_registered(
    conn: &mut Conn,
    village: &str,
    case_id: &str,
    family_id: &str,
    person_id: Option<&str>,
    actor: &str,
    role: Role,
    now_ms: i64,
) -> Result<bool, StorageError> {
    let Some(case) = by_id(conn, village, case_id)? else {
        return Ok(false);
    };
    if case.person_id.is_some() || case.family_id.is_some() {
        return Ok(false);
    }
    conn.execute(
        "UPDATE cases SET family_id = $1, person_id = $2, updated_at = $3 \
         WHERE kode_wilayah = $4 AND id = $5",
        &[
            family_id.into(),
            person_id.into(),
            now_ms.into(),
            village.into(),
            case_id.into(),
        ],
    )?;
    event(
        conn,
        village,
        case_id,
        actor,
        role.code(),
        "register",
        Some(case.state),
        case.state,
        Some("usulan DTSEN"),
        now_ms,
    )?;
    Ok(true)
}

/// A village's proposals for the welfare data: families registered from a case's short profile
/// (`source = 'usulan-kasus'`), with the case they came from, the newest first:
/// `(no_kk, head's name, address, case number, case id, family id)`.
pub fn dtsen_proposals(conn: &mut Conn, village: &str) -> Result<Vec<[String; 6]>, StorageError> {
    Ok(conn
        .query(
            "SELECT f.no_kk, c.contact_name, f.alamat, c.nomor, c.id, f.id FROM families f \
             JOIN cases c ON c.kode_wilayah = f.kode_wilayah AND c.family_id = f.id \
             WHERE f.kode_wilayah = $1 AND f.source = 'usulan-kasus' \
             ORDER BY c.opened_at DESC LIMIT 5000",
            &[village.into()],
        )?
        .into_iter()
        .map(|r| {
            let t = |i: usize| r.get(i).and_then(|v| v.as_str()).unwrap_or("").to_string();
            [t(0), t(1), t(2), t(3), t(4), t(5)]
        })
        .collect())
}
