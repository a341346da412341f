//! The sender of the outbox: async answers (`on-search`, `on-subscribe`, ...) and change
//! notifications, POSTed to the partner's callback address, signed when sent. At least once:
//! a message leaves the outbox only when the partner answered 2xx; a failure is tried again
//! with exponential backoff; a family's notifications go in the order they were queued (the
//! outbox hands out only the oldest undelivered message of a lane); the queue is in the
//! database, so a restart loses nothing.

use std::time::Duration;

use axum::body::Bytes;
use axum::http::{Request, header};
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use puskesos_storage::audit::{self, AuditAction, AuditEntity, AuditEvent};
use puskesos_storage::dci::{self, Pending};
use puskesos_storage::{Conn, StorageError, now_ms, registry};
use serde_json::{Value, json};

use super::envelope::{self, REGISTRY_ID, timestamp, uuid_like};
use super::handlers::{REG_TYPE, actor};
use super::records;
use crate::app::{AppState, blocking};

/// How long one delivery may take before it counts as failed (a callback that hangs).
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest wait between two attempts.
const MAX_BACKOFF_MS: i64 = 60 * 60 * 1000;
/// How often the sender looks for due messages.
const POLL: Duration = Duration::from_millis(500);

type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// The HTTP client and how long one attempt may take.
#[derive(Clone)]
pub struct Sender {
    client: HttpClient,
    timeout: Duration,
}

impl Sender {
    pub fn new(timeout: Duration) -> Sender {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(timeout));
        Sender {
            client: Client::builder(TokioExecutor::new()).build(connector),
            timeout,
        }
    }
}

/// The wait before attempt `attempts + 1`: 1 s, 2 s, 4 s, ... up to an hour.
pub fn backoff_ms(attempts: i64) -> i64 {
    let exp = attempts.clamp(0, 22) as u32;
    (1000i64 << exp).min(MAX_BACKOFF_MS)
}

/// Runs for the life of the server.
pub async fn run(state: AppState) {
    let sender = Sender::new(ATTEMPT_TIMEOUT);
    loop {
        match deliver_due(&state, &sender).await {
            // More may be due at once (a burst); a short pause still keeps a queue whose
            // rows cannot be updated from spinning.
            Ok(n) if n > 0 => {
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
            Ok(_) => {}
            Err(e) => tracing::error!(cause = %e, "DCI outbox: could not read the queue"),
        }
        tokio::time::sleep(POLL).await;
    }
}

/// One round: every due message (one per lane) sent at once. Returns how many were tried.
pub async fn deliver_due(state: &AppState, sender: &Sender) -> Result<usize, StorageError> {
    let db = state.db.clone();
    let due = blocking(move || dci::due(&mut db.conn()?, now_ms(), 50)).await?;
    let n = due.len();
    let mut tasks = tokio::task::JoinSet::new();
    for p in due {
        let (state, sender) = (state.clone(), sender.clone());
        tasks.spawn(async move { deliver_one(&state, &sender, p).await });
    }
    while let Some(done) = tasks.join_next().await {
        if let Ok(Err(e)) = done {
            tracing::error!(cause = %e, "DCI outbox: could not record a delivery");
        }
    }
    Ok(n)
}

async fn deliver_one(state: &AppState, sender: &Sender, p: Pending) -> Result<(), StorageError> {
    let db = state.db.clone();
    let pending = p.clone();
    // The envelope, built and signed now; `None` when there is nothing to send any more.
    let built = blocking(move || {
        let mut conn = db.conn()?;
        envelope_of(&mut conn, &pending)
    })
    .await?;
    let Some(body) = built else {
        let db = state.db.clone();
        return blocking(move || dci::delivered(&mut db.conn()?, &p.id)).await;
    };
    let outcome = post(sender, &p.message.url, body).await;
    let db = state.db.clone();
    blocking(move || {
        let mut conn = db.conn()?;
        match outcome {
            Ok(()) => conn.transaction(|c| {
                dci::delivered(c, &p.id)?;
                if p.message.kind == "notify" {
                    audit_notify(c, &p)?;
                }
                Ok(())
            }),
            Err(e) => {
                let next = now_ms() + backoff_ms(p.attempts);
                tracing::warn!(url = %p.message.url, attempts = p.attempts + 1, cause = %e, "DCI delivery failed; will retry");
                dci::failed(&mut conn, &p.id, next, &e)
            }
        }
    })
    .await
}

async fn post(sender: &Sender, url: &str, body: String) -> Result<(), String> {
    let req = Request::post(url)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| format!("address {url}: {e}"))?;
    match tokio::time::timeout(sender.timeout, sender.client.request(req)).await {
        Err(_) => Err(format!(
            "no answer within {} ms",
            sender.timeout.as_millis()
        )),
        Ok(Err(e)) => Err(format!("{e}")),
        Ok(Ok(resp)) if resp.status().is_success() => Ok(()),
        Ok(Ok(resp)) => Err(format!("HTTP {}", resp.status())),
    }
}

/// The signed envelope of a queued message.
fn envelope_of(conn: &mut Conn, p: &Pending) -> Result<Option<String>, StorageError> {
    let Some(partner) = dci::partner_by_id(conn, &p.message.partner_id)? else {
        return Ok(None);
    };
    if partner.revoked {
        return Ok(None);
    }
    let (header, message) = if p.message.kind == "notify" {
        let Some(m) = notification(conn, &partner, &p.message.body)? else {
            return Ok(None);
        };
        let header = json!({
            "version": "1.0.0",
            "message_id": uuid_like(),
            "message_ts": timestamp(now_ms()),
            "action": "notify",
            "sender_id": REGISTRY_ID,
            "receiver_id": partner.id,
            "total_count": 1,
        });
        (header, m)
    } else {
        let v: Value = serde_json::from_str(&p.message.body).unwrap_or_default();
        (v["header"].clone(), v["message"].clone())
    };
    Ok(Some(
        envelope::signed(conn, header, Some(message))?.to_string(),
    ))
}

/// The standard's names of the events it lists; this registry's other events keep their own.
fn standard_event(event: &str) -> &str {
    match event {
        "MEMBER_ADD" => "NewHouseHoldMember",
        other => other,
    }
}

/// A notification (`NotifyEventRequest`) with the family or member as it is now, in the
/// fields the partner's agreement names.
fn notification(
    conn: &mut Conn,
    partner: &dci::Partner,
    event: &str,
) -> Result<Option<Value>, StorageError> {
    let e: Value = serde_json::from_str(event).unwrap_or_default();
    let family_id = e["family_id"].as_str().unwrap_or_default();
    let Some(family) = registry::family_by_id(conn, family_id)? else {
        return Ok(None);
    };
    let members = registry::members(conn, family_id)?;
    let record = match (e["record_type"].as_str(), e["person_id"].as_str()) {
        (Some("Member"), Some(pid)) => match members.iter().find(|m| m.id == pid) {
            Some(m) => records::member(conn, m, partner)?,
            None => return Ok(None),
        },
        _ => records::group(conn, &family, &members, partner)?,
    };
    let record_type = if record["@type"] == "spdci:Member" {
        "Member"
    } else {
        "Group"
    };
    Ok(Some(json!({
        "transaction_id": uuid_like(),
        "notify_event": [{
            "reference_id": e["subscription"],
            "timestamp": timestamp(now_ms()),
            "data": {
                "version": "1.0.0",
                "reg_type": REG_TYPE,
                "reg_event_type": standard_event(e["event"].as_str().unwrap_or("UPDATE")),
                "reg_record_type": record_type,
                "reg_records": record,
            },
        }],
    })))
}

/// A delivered notification carried a family's data to a partner: recorded.
fn audit_notify(conn: &mut Conn, p: &Pending) -> Result<(), StorageError> {
    let e: Value = serde_json::from_str(&p.message.body).unwrap_or_default();
    let family = e["family_id"].as_str().unwrap_or_default();
    let village = registry::family_by_id(conn, family)?
        .and_then(|f| puskesos_domain::model::Record::text(&f, "kode_wilayah").map(str::to_string))
        .unwrap_or_default();
    audit::record(
        conn,
        &AuditEvent::new(AuditAction::View, AuditEntity::Family, family)
            .by(&actor(&p.message.partner_id))
            .in_village(&village)
            .detail(&format!(
                "DCI notify {}",
                e["event"].as_str().unwrap_or_default()
            )),
    )
}
