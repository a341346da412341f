//! What the DCI social-registry API keeps (issue 17): partners and their agreements, message
//! ids answered once, transactions for status queries, subscriptions, the outbox of callbacks
//! (delivered at least once, in order per lane, across restarts), the server's signing key and
//! the other identifiers of a person. The JSON shapes of the standard live in the web feature;
//! this module stores text and answers questions.

use chrono::Datelike;
use sha2::{Digest, Sha256};

use crate::db::{Conn, Row, SqlValue};
use crate::{StorageError, new_id, now_ms};

/// A partner system (a program, Dukcapil, BPJS) and what its agreement lets it see.
#[derive(Debug, Clone, PartialEq)]
pub struct Partner {
    /// The `sender_id` it puts in its message headers.
    pub id: String,
    pub name: String,
    /// Region codes (a village, a district, a province) whose families it may query.
    pub villages: Vec<String>,
    /// The field groups its agreement names (UU 27/2022: only these leave the registry).
    pub fields: Vec<String>,
    /// Where async answers and notifications go (`http://host:port`).
    pub callback_url: Option<String>,
    /// Its Ed25519 public key (base64): when set, every request must be signed.
    pub public_key: Option<String>,
    pub revoked: bool,
}

impl Partner {
    pub fn may_see(&self, field: &str) -> bool {
        self.fields.iter().any(|f| f == field)
    }

    /// Whether a village code lies in the partner's regions.
    pub fn covers(&self, village: &str) -> bool {
        self.villages
            .iter()
            .any(|r| village == r || village.starts_with(&format!("{r}.")))
    }
}

/// Column `i` of a row as owned text (empty when null).
fn text_at(row: &[SqlValue], i: usize) -> String {
    row.get(i)
        .and_then(SqlValue::as_str)
        .unwrap_or_default()
        .to_string()
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn partner_from(row: Row) -> Partner {
    let text = |i: usize| row.get(i).and_then(SqlValue::as_str).map(str::to_string);
    let list = |i: usize| {
        text(i)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    Partner {
        id: text(0).unwrap_or_default(),
        name: text(1).unwrap_or_default(),
        villages: list(2),
        fields: list(3),
        callback_url: text(4),
        public_key: text(5),
        revoked: !matches!(row.get(6), Some(SqlValue::Null) | None),
    }
}

const PARTNER_COLUMNS: &str =
    "id, name, villages, fields, callback_url, public_key, revoked_at FROM dci_partners";

/// Registers a partner and returns its bearer token (shown once; only its hash is kept).
pub fn add_partner(conn: &mut Conn, p: &Partner) -> Result<String, StorageError> {
    let token = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    conn.execute(
        "INSERT INTO dci_partners (id, name, token_hash, villages, fields, callback_url, \
         public_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            p.id.as_str().into(),
            p.name.as_str().into(),
            token_hash(&token).into(),
            p.villages.join(",").into(),
            p.fields.join(",").into(),
            p.callback_url.clone().into(),
            p.public_key.clone().into(),
            SqlValue::Int(now_ms()),
        ],
    )?;
    Ok(token)
}

pub fn partner_by_id(conn: &mut Conn, id: &str) -> Result<Option<Partner>, StorageError> {
    Ok(conn
        .query_opt(
            &format!("SELECT {PARTNER_COLUMNS} WHERE id = $1"),
            &[id.into()],
        )?
        .map(partner_from))
}

/// The partner holding this bearer token (revoked partners included: the caller refuses them).
pub fn partner_by_token(conn: &mut Conn, token: &str) -> Result<Option<Partner>, StorageError> {
    Ok(conn
        .query_opt(
            &format!("SELECT {PARTNER_COLUMNS} WHERE token_hash = $1"),
            &[token_hash(token).into()],
        )?
        .map(partner_from))
}

pub fn partners(conn: &mut Conn) -> Result<Vec<Partner>, StorageError> {
    Ok(conn
        .query(&format!("SELECT {PARTNER_COLUMNS} ORDER BY id"), &[])?
        .into_iter()
        .map(partner_from)
        .collect())
}

/// Revokes a partner at once; false when there is none of that id.
pub fn revoke_partner(conn: &mut Conn, id: &str) -> Result<bool, StorageError> {
    Ok(conn.execute(
        "UPDATE dci_partners SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        &[SqlValue::Int(now_ms()), id.into()],
    )? > 0)
}

/// Records a message id; false when the partner sent it before (a replay or a duplicate).
pub fn first_message(
    conn: &mut Conn,
    partner: &str,
    message_id: &str,
) -> Result<bool, StorageError> {
    Ok(conn.execute(
        "INSERT INTO dci_messages (partner_id, message_id, received_at) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
        &[partner.into(), message_id.into(), SqlValue::Int(now_ms())],
    )? > 0)
}

/// One answered request, kept for status queries.
#[derive(Debug, Clone, PartialEq)]
pub struct Transaction {
    pub correlation_id: String,
    pub partner_id: String,
    pub transaction_id: String,
    /// `search`, `subscribe`, `unsubscribe`.
    pub action: String,
    pub status: String,
    /// The answer's `message` (JSON text).
    pub answer: String,
}

pub fn save_transaction(conn: &mut Conn, t: &Transaction) -> Result<(), StorageError> {
    conn.execute(
        "INSERT INTO dci_transactions (correlation_id, partner_id, transaction_id, action, \
         status, answer, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            t.correlation_id.as_str().into(),
            t.partner_id.as_str().into(),
            t.transaction_id.as_str().into(),
            t.action.as_str().into(),
            t.status.as_str().into(),
            t.answer.as_str().into(),
            SqlValue::Int(now_ms()),
        ],
    )?;
    Ok(())
}

/// The partner's latest transaction with this transaction id, or with this correlation id.
pub fn find_transaction(
    conn: &mut Conn,
    partner: &str,
    by_correlation: bool,
    value: &str,
) -> Result<Option<Transaction>, StorageError> {
    let column = if by_correlation {
        "correlation_id"
    } else {
        "transaction_id"
    };
    let sql = format!(
        "SELECT correlation_id, partner_id, transaction_id, action, status, answer \
         FROM dci_transactions WHERE partner_id = $1 AND {column} = $2 \
         ORDER BY created_at DESC, correlation_id DESC LIMIT 1"
    );
    Ok(conn
        .query_opt(&sql, &[partner.into(), value.into()])?
        .map(|row| {
            let t = |i: usize| text_at(&row, i);
            Transaction {
                correlation_id: t(0),
                partner_id: t(1),
                transaction_id: t(2),
                action: t(3),
                status: t(4),
                answer: t(5),
            }
        }))
}

/// What a subscription follows: one family, or every family of a village.
#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    Family(String),
    Village(String),
}

/// Registers a subscription and returns its code.
pub fn subscribe(
    conn: &mut Conn,
    partner: &str,
    event_type: &str,
    subject: &Subject,
    record_type: &str,
) -> Result<String, StorageError> {
    let code = format!("sub-{}", new_id());
    let (village, family) = match subject {
        Subject::Family(f) => (None, Some(f.as_str())),
        Subject::Village(v) => (Some(v.as_str()), None),
    };
    conn.execute(
        "INSERT INTO dci_subscriptions (code, partner_id, event_type, kode_wilayah, family_id, \
         record_type, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            code.as_str().into(),
            partner.into(),
            event_type.into(),
            village.into(),
            family.into(),
            record_type.into(),
            SqlValue::Int(now_ms()),
        ],
    )?;
    Ok(code)
}

/// Ends a partner's subscription: `None` when it has no subscription of that code, `Some(false)`
/// when it had ended already.
pub fn unsubscribe(
    conn: &mut Conn,
    partner: &str,
    code: &str,
) -> Result<Option<bool>, StorageError> {
    let Some(row) = conn.query_opt(
        "SELECT ended_at FROM dci_subscriptions WHERE code = $1 AND partner_id = $2",
        &[code.into(), partner.into()],
    )?
    else {
        return Ok(None);
    };
    if !matches!(row.first(), Some(SqlValue::Null)) {
        return Ok(Some(false));
    }
    conn.execute(
        "UPDATE dci_subscriptions SET ended_at = $1 WHERE code = $2",
        &[SqlValue::Int(now_ms()), code.into()],
    )?;
    Ok(Some(true))
}

/// The events a change set of a family means for subscribers (the codes partners subscribe
/// to): `REGISTER` (a family registered), `MEMBER_ADD`, `DEATH`, `MOVE`, `DECILE_CHANGE`, and
/// `UPDATE` for any other change. Each with the person it concerns, if any.
pub const EVENT_TYPES: [&str; 6] = [
    "REGISTER",
    "MEMBER_ADD",
    "DEATH",
    "MOVE",
    "DECILE_CHANGE",
    "UPDATE",
];

fn events_of(changed: &str) -> Vec<(&'static str, Option<String>)> {
    let Ok(serde_json::Value::Array(entries)) = serde_json::from_str::<serde_json::Value>(changed)
    else {
        return vec![("UPDATE", None)];
    };
    let family_created = entries
        .iter()
        .any(|e| e["entity"] == "family" && e["action"] == "create");
    let mut out = Vec::new();
    if family_created {
        out.push(("REGISTER", None));
    }
    for e in &entries {
        let id = e["id"].as_str().map(str::to_string);
        match (e["entity"].as_str(), e["action"].as_str()) {
            (Some("person"), Some("create")) if !family_created => out.push(("MEMBER_ADD", id)),
            (Some("person"), Some(_)) if e["action"] != "create" => {
                match e["fields"]["status"][1].as_str() {
                    Some("meninggal") => out.push(("DEATH", id)),
                    Some("pindah") => out.push(("MOVE", id)),
                    _ => out.push(("UPDATE", id)),
                }
            }
            (Some("family"), Some(a)) if a != "create" => {
                if e["fields"].get("desil").is_some() {
                    out.push(("DECILE_CHANGE", None));
                } else {
                    out.push(("UPDATE", None));
                }
            }
            _ => {}
        }
    }
    out.dedup();
    out
}

/// Called with every change set of the registry, in its transaction: one notification per
/// subscription that follows the family or its village and wants one of the change's events,
/// queued in the outbox (delivered by the server, in order per family).
pub(crate) fn on_change(
    conn: &mut Conn,
    village: &str,
    family_id: &str,
    changed: &str,
) -> Result<(), StorageError> {
    let subs = conn.query(
        "SELECT s.code, s.partner_id, s.event_type, s.record_type, p.callback_url \
         FROM dci_subscriptions s JOIN dci_partners p ON p.id = s.partner_id \
         WHERE s.ended_at IS NULL AND p.revoked_at IS NULL \
         AND (s.family_id = $1 OR s.kode_wilayah = $2)",
        &[family_id.into(), village.into()],
    )?;
    if subs.is_empty() {
        return Ok(());
    }
    let events = events_of(changed);
    for sub in subs {
        let t = |i: usize| sub.get(i).and_then(SqlValue::as_str).unwrap_or_default();
        let Some(base) = sub.get(4).and_then(SqlValue::as_str) else {
            continue;
        };
        for (event, person) in &events {
            if t(2) != *event {
                continue;
            }
            let body = serde_json::json!({
                "subscription": t(0),
                "event": event,
                "family_id": family_id,
                "person_id": person,
                "record_type": t(3),
                "at": now_ms(),
            });
            enqueue(
                conn,
                &Outgoing {
                    partner_id: t(1).to_string(),
                    kind: "notify".to_string(),
                    lane: family_id.to_string(),
                    url: format!("{}/registry/notify", base.trim_end_matches('/')),
                    body: body.to_string(),
                },
            )?;
        }
    }
    Ok(())
}

/// A message to deliver to a partner.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub partner_id: String,
    /// `callback` (a built envelope in `body`) or `notify` (an event the sender builds).
    pub kind: String,
    /// Messages of one lane (a family, a transaction) are delivered in the order queued.
    pub lane: String,
    pub url: String,
    pub body: String,
}

pub fn enqueue(conn: &mut Conn, o: &Outgoing) -> Result<(), StorageError> {
    let now = now_ms();
    conn.execute(
        "INSERT INTO dci_outbox (id, partner_id, kind, lane, url, body, created_at, attempts, \
         next_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $7)",
        &[
            new_id().into(),
            o.partner_id.as_str().into(),
            o.kind.as_str().into(),
            o.lane.as_str().into(),
            o.url.as_str().into(),
            o.body.as_str().into(),
            SqlValue::Int(now),
        ],
    )?;
    Ok(())
}

/// A queued message with its id and attempts so far.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub id: String,
    pub attempts: i64,
    pub message: Outgoing,
}

/// Messages due now, oldest first, at most one per lane and only the lane's oldest undelivered
/// (a later notification of a family waits for the earlier one).
pub fn due(conn: &mut Conn, now: i64, limit: i64) -> Result<Vec<Pending>, StorageError> {
    let rows = conn.query(
        "SELECT o.id, o.partner_id, o.kind, o.lane, o.url, o.body, o.attempts FROM dci_outbox o \
         WHERE o.delivered_at IS NULL AND o.next_at <= $1 AND NOT EXISTS ( \
           SELECT 1 FROM dci_outbox e WHERE e.partner_id = o.partner_id AND e.lane = o.lane \
           AND e.delivered_at IS NULL AND e.id < o.id) \
         ORDER BY o.id LIMIT $2",
        &[SqlValue::Int(now), SqlValue::Int(limit)],
    )?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let t = |i: usize| text_at(&r, i);
            Pending {
                id: t(0),
                attempts: r.get(6).and_then(SqlValue::as_i64).unwrap_or(0),
                message: Outgoing {
                    partner_id: t(1),
                    kind: t(2),
                    lane: t(3),
                    url: t(4),
                    body: t(5),
                },
            }
        })
        .collect())
}

pub fn delivered(conn: &mut Conn, id: &str) -> Result<(), StorageError> {
    conn.execute(
        "UPDATE dci_outbox SET delivered_at = $1, attempts = attempts + 1, last_error = NULL \
         WHERE id = $2",
        &[SqlValue::Int(now_ms()), id.into()],
    )?;
    Ok(())
}

/// A failed attempt: tried again at `next_at` (the sender's backoff).
pub fn failed(conn: &mut Conn, id: &str, next_at: i64, error: &str) -> Result<(), StorageError> {
    conn.execute(
        "UPDATE dci_outbox SET attempts = attempts + 1, next_at = $1, last_error = $2 \
         WHERE id = $3",
        &[
            SqlValue::Int(next_at),
            error.chars().take(500).collect::<String>().into(),
            id.into(),
        ],
    )?;
    Ok(())
}

/// Messages not yet delivered (for the district's view and the tests).
pub fn undelivered(conn: &mut Conn) -> Result<i64, StorageError> {
    conn.query_i64(
        "SELECT COUNT(*) FROM dci_outbox WHERE delivered_at IS NULL",
        &[],
    )
}

/// The server's signing secret (base64 text), made by `make` the first time.
pub fn server_secret(
    conn: &mut Conn,
    make: impl FnOnce() -> String,
) -> Result<String, StorageError> {
    if let Some(row) =
        conn.query_opt("SELECT secret FROM dci_server_key WHERE id = 'server'", &[])?
        && let Some(s) = row.first().and_then(SqlValue::as_str)
    {
        return Ok(s.to_string());
    }
    let secret = make();
    conn.execute(
        "INSERT INTO dci_server_key (id, secret, created_at) VALUES ('server', $1, $2) \
         ON CONFLICT DO NOTHING",
        &[secret.as_str().into(), SqlValue::Int(now_ms())],
    )?;
    // Another process may have won the race: the stored one is the key.
    let row = conn.query_opt("SELECT secret FROM dci_server_key WHERE id = 'server'", &[])?;
    Ok(row
        .and_then(|r| r.first().and_then(SqlValue::as_str).map(str::to_string))
        .unwrap_or(secret))
}

/// Records another identifier of the person holding `nik` (a partner's UIN, a BPJS number).
/// `Ok(false)` when no person holds that NIK.
pub fn add_identifier(
    conn: &mut Conn,
    nik: &str,
    id_type: &str,
    id_value: &str,
) -> Result<bool, StorageError> {
    let Some(row) = conn.query_opt(
        "SELECT p.id, f.kode_wilayah FROM persons p JOIN families f ON f.id = p.family_id \
         WHERE p.nik = $1",
        &[nik.into()],
    )?
    else {
        return Ok(false);
    };
    let t = |i: usize| text_at(&row, i);
    conn.execute(
        "INSERT INTO person_identifiers (id_type, id_value, person_id, kode_wilayah) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (id_type, id_value) DO UPDATE SET \
         person_id = excluded.person_id, kode_wilayah = excluded.kode_wilayah",
        &[id_type.into(), id_value.into(), t(0).into(), t(1).into()],
    )?;
    Ok(true)
}

/// The other identifiers of a person, `(type, value)`.
pub fn identifiers_of(
    conn: &mut Conn,
    person_id: &str,
) -> Result<Vec<(String, String)>, StorageError> {
    Ok(conn
        .query(
            "SELECT id_type, id_value FROM person_identifiers WHERE person_id = $1 \
             ORDER BY id_type, id_value",
            &[person_id.into()],
        )?
        .into_iter()
        .filter_map(|r| {
            Some((
                r.first()?.as_str()?.to_string(),
                r.get(1)?.as_str()?.to_string(),
            ))
        })
        .collect())
}

/// A queryable attribute of the registry, in the vocabulary the API documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attr {
    /// The family's DTSEN decile (1 = poorest): `poverty_score`.
    Decile,
    /// A region code (province to village): `location`.
    Region,
    GroupSize,
    Rt,
    Rw,
    /// A member's age in whole years on `today`.
    Age,
    /// `L` or `P`.
    Sex,
    BirthDate,
}

impl Attr {
    /// The field group a partner's agreement must name to query by it.
    pub fn field_group(self) -> &'static str {
        match self {
            Attr::Decile => "desil",
            Attr::Region | Attr::Rt | Attr::Rw => "alamat",
            Attr::GroupSize => "keluarga",
            Attr::Age | Attr::BirthDate => "lahir",
            Attr::Sex => "kelamin",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A condition over a family and one of its members.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    Test(Attr, Cmp, SqlValue),
    In(Attr, Vec<SqlValue>),
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
}

/// Which identifier a query names.
#[derive(Debug, Clone, PartialEq)]
pub enum IdMatch {
    Nik(String),
    Kk(String),
    /// An identifier of another system (`person_identifiers`).
    Other(String, String),
}

/// A search: by identifier and/or condition, within the partner's regions, one page.
#[derive(Debug, Clone, PartialEq)]
pub struct Criteria {
    pub id: Option<IdMatch>,
    pub cond: Option<Cond>,
    pub regions: Vec<String>,
    /// Members (true) or families (false) as results.
    pub members: bool,
    pub page_size: i64,
    pub page_number: i64,
    pub today: chrono::NaiveDate,
}

fn years_before(today: chrono::NaiveDate, years: i64) -> String {
    let y = today.year() as i64 - years;
    let day = chrono::NaiveDate::from_ymd_opt(y as i32, today.month(), today.day())
        .or_else(|| chrono::NaiveDate::from_ymd_opt(y as i32, today.month(), 28))
        .unwrap_or(today);
    day.format("%Y-%m-%d").to_string()
}

struct Sql {
    text: String,
    params: Vec<SqlValue>,
}

impl Sql {
    fn param(&mut self, v: SqlValue) -> String {
        self.params.push(v);
        format!("${}", self.params.len())
    }

    fn cond(&mut self, c: &Cond, today: chrono::NaiveDate) -> String {
        match c {
            Cond::And(cs) | Cond::Or(cs) if cs.is_empty() => "1 = 1".to_string(),
            Cond::And(cs) => {
                let parts: Vec<String> = cs.iter().map(|c| self.cond(c, today)).collect();
                format!("({})", parts.join(" AND "))
            }
            Cond::Or(cs) => {
                let parts: Vec<String> = cs.iter().map(|c| self.cond(c, today)).collect();
                format!("({})", parts.join(" OR "))
            }
            Cond::Not(c) => format!("NOT ({})", self.cond(c, today)),
            Cond::In(a, vs) => {
                let parts: Vec<String> = vs
                    .iter()
                    .map(|v| self.cond(&Cond::Test(*a, Cmp::Eq, v.clone()), today))
                    .collect();
                if parts.is_empty() {
                    "1 = 0".to_string()
                } else {
                    format!("({})", parts.join(" OR "))
                }
            }
            Cond::Test(Attr::Region, cmp, v) => {
                let code = v.as_str().unwrap_or_default().to_string();
                let a = self.param(code.as_str().into());
                let b = self.param(format!("{code}.%").into());
                let inside = format!("(f.kode_wilayah = {a} OR f.kode_wilayah LIKE {b})");
                if *cmp == Cmp::Ne {
                    format!("NOT {inside}")
                } else {
                    inside
                }
            }
            Cond::Test(Attr::Age, cmp, v) => {
                let n = v.as_i64().unwrap_or(0);
                // Age < n  <=>  born after the day n years ago.
                let born = "p.tanggal_lahir";
                let (op, years) = match cmp {
                    Cmp::Lt => (">", n),
                    Cmp::Le => (">", n + 1),
                    Cmp::Gt => ("<=", n + 1),
                    Cmp::Ge => ("<=", n),
                    Cmp::Eq | Cmp::Ne => {
                        let lo = self.param(years_before(today, n + 1).into());
                        let hi = self.param(years_before(today, n).into());
                        let inside = format!("({born} > {lo} AND {born} <= {hi})");
                        return if *cmp == Cmp::Ne {
                            format!("NOT {inside}")
                        } else {
                            inside
                        };
                    }
                };
                let p = self.param(years_before(today, years).into());
                format!("{born} {op} {p}")
            }
            Cond::Test(a, cmp, v) => {
                let column = match a {
                    Attr::Decile => "f.desil",
                    Attr::GroupSize => "f.jumlah_anggota",
                    Attr::Rt => "f.rt",
                    Attr::Rw => "f.rw",
                    Attr::Sex => "p.jenis_kelamin",
                    Attr::BirthDate => "p.tanggal_lahir",
                    Attr::Region | Attr::Age => unreachable!("handled above"),
                };
                let op = match cmp {
                    Cmp::Eq => "=",
                    Cmp::Ne => "<>",
                    Cmp::Lt => "<",
                    Cmp::Le => "<=",
                    Cmp::Gt => ">",
                    Cmp::Ge => ">=",
                };
                let p = self.param(v.clone());
                format!("{column} {op} {p}")
            }
        }
    }
}

/// A search result: the family's id, for member results the person's, and the village.
pub type Hit = (String, Option<String>, String);

/// The page of results (`(family id, person id)`: the person for member results) and the count
/// of all results.
pub fn search(conn: &mut Conn, c: &Criteria) -> Result<(Vec<Hit>, i64), StorageError> {
    let mut sql = Sql {
        text: String::new(),
        params: Vec::new(),
    };
    let mut wheres = Vec::new();
    let regions: Vec<Cond> = c
        .regions
        .iter()
        .map(|r| Cond::Test(Attr::Region, Cmp::Eq, r.as_str().into()))
        .collect();
    wheres.push(sql.cond(&Cond::Or(regions), c.today));
    if c.regions.is_empty() {
        wheres.push("1 = 0".to_string());
    }
    match &c.id {
        Some(IdMatch::Nik(n)) => {
            let p = sql.param(n.as_str().into());
            wheres.push(format!("p.nik = {p}"));
        }
        Some(IdMatch::Kk(k)) => {
            let p = sql.param(k.as_str().into());
            wheres.push(format!("f.no_kk = {p}"));
        }
        Some(IdMatch::Other(t, v)) => {
            let a = sql.param(t.as_str().into());
            let b = sql.param(v.as_str().into());
            wheres.push(format!(
                "p.id IN (SELECT person_id FROM person_identifiers WHERE id_type = {a} \
                 AND id_value = {b})"
            ));
        }
        None => {}
    }
    if let Some(cond) = &c.cond {
        wheres.push(sql.cond(cond, c.today));
    }
    let from = format!(
        "FROM families f JOIN persons p ON p.family_id = f.id WHERE {}",
        wheres.join(" AND ")
    );
    let (select, count, order) = if c.members {
        (
            "SELECT f.id, p.id, f.kode_wilayah",
            "SELECT COUNT(*)",
            "ORDER BY p.nik, p.id",
        )
    } else {
        (
            "SELECT DISTINCT f.id, f.no_kk, f.kode_wilayah",
            "SELECT COUNT(DISTINCT f.id)",
            "ORDER BY f.no_kk, f.id",
        )
    };
    let where_params = sql.params.clone();
    let limit = sql.param(SqlValue::Int(c.page_size));
    let offset = sql.param(SqlValue::Int((c.page_number - 1).max(0) * c.page_size));
    sql.text = format!("{select} {from} {order} LIMIT {limit} OFFSET {offset}");
    let rows = conn.query(&sql.text, &sql.params)?;
    let out = rows
        .into_iter()
        .map(|r| {
            let family = text_at(&r, 0);
            let person = if c.members {
                r.get(1).and_then(SqlValue::as_str).map(str::to_string)
            } else {
                None
            };
            (family, person, text_at(&r, 2))
        })
        .collect::<Vec<_>>();
    // A first page that is not full holds every result: no count needed (the common answer
    // to an identifier query).
    let total = if c.page_number <= 1 && (out.len() as i64) < c.page_size {
        out.len() as i64
    } else {
        conn.query_i64(&format!("{count} {from}"), &where_params)?
    };
    Ok((out, total))
}

/// The assessment's decile and program codes of a family: `(effective decile, eligible,
/// receiving)`, codes comma-separated as stored.
/// (The village is part of the assessments' key: without it a district scans them all.)
pub fn assessment_of(
    conn: &mut Conn,
    village: &str,
    family_id: &str,
) -> Result<Option<(Option<i64>, String, String)>, StorageError> {
    Ok(conn
        .query_opt(
            "SELECT desil_efektif, layak, menerima FROM assessments \
             WHERE kode_wilayah = $1 AND family_id = $2",
            &[village.into(), family_id.into()],
        )?
        .map(|r| {
            let t = |i: usize| text_at(&r, i);
            (r.first().and_then(SqlValue::as_i64), t(1), t(2))
        }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_set_names_its_events() {
        let death = r#"[{"entity":"person","id":"p1","action":"update","fields":{"status":["ada","meninggal"]}}]"#;
        assert_eq!(events_of(death), vec![("DEATH", Some("p1".to_string()))]);
        let new = r#"[{"entity":"family","id":"f","action":"create","values":{}},{"entity":"person","id":"p","action":"create","values":{}}]"#;
        assert_eq!(events_of(new), vec![("REGISTER", None)]);
        let decile = r#"[{"entity":"family","id":"f","action":"update","fields":{"desil":[5,3]}}]"#;
        assert_eq!(events_of(decile), vec![("DECILE_CHANGE", None)]);
        let added = r#"[{"entity":"person","id":"p2","action":"create","values":{}}]"#;
        assert_eq!(
            events_of(added),
            vec![("MEMBER_ADD", Some("p2".to_string()))]
        );
    }

    #[test]
    fn a_partner_covers_its_regions_only() {
        let p = Partner {
            id: "x".into(),
            name: "x".into(),
            villages: vec!["33.12".into()],
            fields: vec![],
            callback_url: None,
            public_key: None,
            revoked: false,
        };
        assert!(p.covers("33.12.01.2001"));
        assert!(!p.covers("33.120.01.2001"));
        assert!(!p.covers("33.13.01.2001"));
    }
}
