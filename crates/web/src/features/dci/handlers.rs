//! The endpoints: each authenticates the partner, checks the envelope and answers in one
//! database transaction (the message id, the work, the audit rows, the transaction kept for
//! status queries and the queued callback commit together, or none of them does).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use puskesos_domain::{Lang, tr};
use puskesos_storage::audit::{self, AuditAction, AuditEntity, AuditEvent};
use puskesos_storage::dci::{self, Outgoing, Partner, Subject, Transaction};
use puskesos_storage::{Conn, StorageError, now_ms};
use serde_json::{Value, json};

use super::envelope::{self, Envelope, Refusal, answer_header, timestamp, uuid_like};
use super::query;
use super::records::{self, Entity};
use crate::app::{AppError, AppState, Rules, blocking};

/// The registry type this registry answers as.
pub const REG_TYPE: &str = "ns:org:RegistryType:Social";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    SyncSearch,
    Search,
    Subscribe,
    Unsubscribe,
    TxnStatus,
    SyncTxnStatus,
}

impl Endpoint {
    pub fn path(self) -> &'static str {
        match self {
            Endpoint::SyncSearch => "/registry/sync/search",
            Endpoint::Search => "/registry/search",
            Endpoint::Subscribe => "/registry/subscribe",
            Endpoint::Unsubscribe => "/registry/unsubscribe",
            Endpoint::TxnStatus => "/registry/txn/status",
            Endpoint::SyncTxnStatus => "/registry/sync/txn/status",
        }
    }

    /// The `action` its requests carry.
    fn action(self) -> &'static str {
        match self {
            Endpoint::SyncSearch | Endpoint::Search => "search",
            Endpoint::Subscribe => "subscribe",
            Endpoint::Unsubscribe => "unsubscribe",
            Endpoint::TxnStatus | Endpoint::SyncTxnStatus => "txn-status",
        }
    }

    /// The `action` of its answer, and the partner's path for it when answered later.
    fn answer(self) -> (&'static str, &'static str) {
        match self {
            Endpoint::SyncSearch | Endpoint::Search => ("on-search", "/registry/on-search"),
            Endpoint::Subscribe => ("on-subscribe", "/registry/on-subscribe"),
            Endpoint::Unsubscribe => ("on-unsubscribe", "/registry/on-unsubscribe"),
            Endpoint::TxnStatus | Endpoint::SyncTxnStatus => {
                ("txn-on-status", "/registry/txn/on-status")
            }
        }
    }

    fn sync(self) -> bool {
        matches!(self, Endpoint::SyncSearch | Endpoint::SyncTxnStatus)
    }
}

pub async fn sync_search(s: State<AppState>, h: HeaderMap, b: Bytes) -> Response {
    handle(s, h, b, Endpoint::SyncSearch).await
}
pub async fn search(s: State<AppState>, h: HeaderMap, b: Bytes) -> Response {
    handle(s, h, b, Endpoint::Search).await
}
pub async fn subscribe(s: State<AppState>, h: HeaderMap, b: Bytes) -> Response {
    handle(s, h, b, Endpoint::Subscribe).await
}
pub async fn unsubscribe(s: State<AppState>, h: HeaderMap, b: Bytes) -> Response {
    handle(s, h, b, Endpoint::Unsubscribe).await
}
pub async fn txn_status(s: State<AppState>, h: HeaderMap, b: Bytes) -> Response {
    handle(s, h, b, Endpoint::TxnStatus).await
}
pub async fn sync_txn_status(s: State<AppState>, h: HeaderMap, b: Bytes) -> Response {
    handle(s, h, b, Endpoint::SyncTxnStatus).await
}

/// How a partner is named in the audit log.
pub fn actor(partner_id: &str) -> String {
    format!("dci:{partner_id}")
}

/// A refused request or request item in the audit log, under the partner's name.
fn refusal_row(conn: &mut Conn, who: &str, path: &str, detail: &str) -> Result<(), StorageError> {
    let event = AuditEvent::new(AuditAction::AccessRefused, AuditEntity::Page, path)
        .by(&actor(who))
        .detail(detail);
    audit::record(conn, &event)
}

/// A refusal, recorded (UU 27/2022: refusals too) when the caller could be named.
fn refused(
    conn: &mut Conn,
    who: Option<&str>,
    ep: Endpoint,
    r: &Refusal,
) -> Result<Response, StorageError> {
    if let Some(who) = who {
        refusal_row(conn, who, ep.path(), &format!("{}: {}", r.code, r.message))?;
    }
    Ok(r.answer(""))
}

async fn handle(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
    ep: Endpoint,
) -> Response {
    let lang = envelope::lang_of(&headers);
    let token = envelope::bearer(&headers);
    let audit = state.audit.clone();
    let work = blocking(move || {
        let mut conn = state.db.conn()?;
        let partner = match envelope::authenticate(&mut conn, token.as_deref(), lang)? {
            Ok(p) => within_node(p, state.village.as_ref().map(|v| v.as_str())),
            // An unknown token names nobody: recorded under the token's absence of a name.
            Err(r) => {
                let who = token.as_ref().map(|_| "unknown");
                return Ok((refused(&mut conn, who, ep, &r)?, Vec::new()));
            }
        };
        let env = match envelope::parse(&body, ep.action(), &partner, lang) {
            Ok(e) => e,
            Err(r) => return Ok((refused(&mut conn, Some(&partner.id), ep, &r)?, Vec::new())),
        };
        let mut reads = Vec::new();
        let resp = conn.transaction(|c| answer(c, &partner, &env, ep, lang, &mut reads))?;
        Ok((resp, reads))
    })
    .await;
    // A sync search's rows go through the group-commit writer, and the answer waits for their
    // commit: nobody's data leaves unrecorded.
    let work = match work {
        Ok((resp, reads)) => recorded(&audit, reads).await.map(|()| resp),
        Err(e) => Err(e),
    };
    match work {
        Ok(resp) => resp,
        Err(e) => {
            // Logged once with its cause by AppError; the partner gets the standard's shape.
            let status = AppError::from(e).report();
            Refusal::new(
                status,
                "err.service.unavailable",
                lang,
                "dci-unavailable",
                &[],
            )
            .answer("")
        }
    }
}

/// Hands rows to the group-commit writer and waits until they are committed.
async fn recorded(
    writer: &puskesos_storage::audit_writer::AuditWriter,
    events: Vec<AuditEvent>,
) -> Result<(), StorageError> {
    let mut waits = Vec::with_capacity(events.len());
    for event in events {
        let (done, wait) = tokio::sync::oneshot::channel();
        writer.submit(
            event,
            Box::new(move |result| {
                let _ = done.send(result);
            }),
        )?;
        waits.push(wait);
    }
    for wait in waits {
        wait.await
            .map_err(|_| StorageError::Config("audit writer stopped".into()))?
            .map_err(|e| StorageError::Config(format!("audit: {e}")))?;
    }
    Ok(())
}

/// On a village node the API answers for its own village only: the agreement's regions
/// narrowed to it (a region holding the village becomes the village; others are dropped).
fn within_node(mut partner: Partner, node_village: Option<&str>) -> Partner {
    let Some(v) = node_village else {
        return partner;
    };
    partner.villages = partner
        .villages
        .iter()
        .filter_map(|r| {
            if r == v || r.starts_with(&format!("{v}.")) {
                Some(r.clone())
            } else if v.starts_with(&format!("{r}.")) {
                Some(v.to_string())
            } else {
                None
            }
        })
        .collect();
    partner
}

/// The work of one checked request, inside its transaction.
fn answer(
    c: &mut Conn,
    partner: &Partner,
    env: &Envelope,
    ep: Endpoint,
    lang: Lang,
    reads: &mut Vec<AuditEvent>,
) -> Result<Response, StorageError> {
    let transaction_id = env.message["transaction_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if transaction_id.is_empty() || transaction_id.chars().count() > 99 {
        let r = Refusal::new(
            StatusCode::BAD_REQUEST,
            "err.request.bad",
            lang,
            "dci-field-missing",
            &[("field", "message.transaction_id")],
        );
        return refused(c, Some(&partner.id), ep, &r);
    }
    let (answer_action, answer_path) = ep.answer();
    // Where a later answer goes: only to the partner's registered address.
    let callback = if ep.sync() {
        None
    } else {
        match callback_url(partner, env.sender_uri(), answer_path) {
            Some(url) => Some(url),
            None => {
                let r = Refusal::new(
                    StatusCode::BAD_REQUEST,
                    "err.sender_uri.invalid",
                    lang,
                    "dci-callback-missing",
                    &[],
                );
                return refused(c, Some(&partner.id), ep, &r);
            }
        }
    };
    if !dci::first_message(c, &partner.id, env.message_id())? {
        let message = tr(lang, "dci-message-duplicate", &[("id", env.message_id())]);
        refusal_row(
            c,
            &partner.id,
            ep.path(),
            &format!("rjct.message_id.duplicate: {message}"),
        )?;
        if ep.sync() {
            let header = answer_header(
                answer_action,
                "rjct",
                Some(("rjct.message_id.duplicate", &message)),
                &env.header,
                (0, 0),
            );
            let out = envelope::signed(c, header, None)?;
            return Ok((StatusCode::OK, axum::Json(out)).into_response());
        }
        return Ok(Refusal {
            status: StatusCode::CONFLICT,
            code: "rjct.message_id.duplicate",
            message,
        }
        .answer(""));
    }
    let correlation_id = uuid_like();
    let answered = match ep {
        Endpoint::SyncSearch | Endpoint::Search => {
            let ids = (transaction_id.as_str(), correlation_id.as_str());
            let answered = run_search(c, partner, env, ep, ids, lang, reads)?;
            if !ep.sync() {
                // An async answer leaves later: its rows commit with the queued callback.
                audit::record_all(c, &std::mem::take(reads))?;
            }
            answered
        }
        Endpoint::Subscribe => {
            subscriptions(c, partner, env, &transaction_id, &correlation_id, lang)?
        }
        Endpoint::Unsubscribe => {
            unsubscriptions(c, partner, env, &transaction_id, &correlation_id, lang)?
        }
        Endpoint::TxnStatus | Endpoint::SyncTxnStatus => {
            status(c, partner, env, ep, &transaction_id, &correlation_id, lang)?
        }
    };
    let Answered {
        status,
        counts,
        message,
        reason,
    } = answered;
    if matches!(
        ep,
        Endpoint::SyncSearch | Endpoint::Search | Endpoint::Subscribe | Endpoint::Unsubscribe
    ) {
        dci::save_transaction(
            c,
            &Transaction {
                correlation_id: correlation_id.clone(),
                partner_id: partner.id.clone(),
                transaction_id: transaction_id.clone(),
                action: ep.action().to_string(),
                status: status.to_string(),
                answer: message.to_string(),
            },
        )?;
    }
    let reason = reason.as_ref().map(|(c, m)| (*c, m.as_str()));
    let header = answer_header(answer_action, status, reason, &env.header, counts);
    match callback {
        None => {
            let out = envelope::signed(c, header, Some(message))?;
            Ok((StatusCode::OK, axum::Json(out)).into_response())
        }
        Some(url) => {
            // Signed when sent: a signature made now could expire while a retry waits.
            dci::enqueue(
                c,
                &Outgoing {
                    partner_id: partner.id.clone(),
                    kind: "callback".to_string(),
                    lane: format!("txn:{correlation_id}"),
                    url,
                    body: json!({"header": header, "message": message}).to_string(),
                },
            )?;
            Ok(envelope::ack(&correlation_id))
        }
    }
}

/// `sender_uri` when it lies under the partner's registered callback address, else that
/// address with the standard's path; `None` when the partner registered none.
fn callback_url(partner: &Partner, sender_uri: Option<&str>, path: &str) -> Option<String> {
    let base = partner.callback_url.as_deref()?.trim_end_matches('/');
    match sender_uri {
        Some(uri) if uri == base || uri.starts_with(&format!("{base}/")) => Some(uri.to_string()),
        _ => Some(format!("{base}{path}")),
    }
}

/// What an endpoint's work produced: the header status, counts, message and reason.
struct Answered {
    status: &'static str,
    counts: (i64, i64),
    message: Value,
    reason: Option<(&'static str, String)>,
}

fn overall(statuses: &[&str]) -> &'static str {
    if !statuses.is_empty() && statuses.iter().all(|s| *s == "rjct") {
        "rjct"
    } else {
        "succ"
    }
}

fn item_rejected(reference: &Value, code: &str, message: &str) -> Value {
    json!({
        "reference_id": reference.as_str().unwrap_or_default(),
        "timestamp": timestamp(now_ms()),
        "status": "rjct",
        "status_reason_code": code,
        "status_reason_message": message.chars().take(999).collect::<String>(),
    })
}

/// The items of a request (`search_request`, `subscribe_request`), or a rejection naming the
/// field when there are none.
fn items<'v>(env: &'v Envelope, field: &str) -> Option<&'v Vec<Value>> {
    env.message[field].as_array().filter(|a| !a.is_empty())
}

/// The answer to a request without items: rejected, naming the missing list.
fn no_items(field: &str, answers: &str, txn: &str, corr: &str, lang: Lang) -> Answered {
    let message = tr(
        lang,
        "dci-field-missing",
        &[("field", &format!("message.{field}"))],
    );
    let mut m = json!({"transaction_id": txn, "correlation_id": corr});
    m[answers] = json!([]);
    Answered {
        status: "rjct",
        counts: (0, 0),
        message: m,
        reason: Some(("", message)),
    }
}

/// The answer to a request of items: succeeded unless every item was rejected.
fn answered(statuses: &[&str], answers: &str, out: Vec<Value>, txn: &str, corr: &str) -> Answered {
    let done = statuses.iter().filter(|s| **s == "succ").count() as i64;
    let mut m = json!({"transaction_id": txn, "correlation_id": corr});
    m[answers] = json!(out);
    Answered {
        status: overall(statuses),
        counts: (statuses.len() as i64, done),
        message: m,
        reason: None,
    }
}

/// Checks the fields every request item carries: its reference id, timestamp and locale.
fn item_checked(item: &Value, lang: Lang) -> Result<(), (&'static str, String)> {
    let reference = item["reference_id"].as_str().unwrap_or_default();
    if reference.is_empty() || reference.chars().count() > 99 {
        return Err((
            "rjct.reference_id.invalid",
            tr(lang, "dci-field-missing", &[("field", "reference_id")]),
        ));
    }
    let ts = item["timestamp"].as_str().unwrap_or_default();
    if chrono::DateTime::parse_from_rfc3339(ts).is_err() {
        return Err((
            "rjct.timestamp.invalid",
            tr(lang, "dci-timestamp-invalid", &[("field", "timestamp")]),
        ));
    }
    if let Some(l) = item.get("locale").filter(|l| !l.is_null()) {
        let ok = l
            .as_str()
            .is_some_and(|s| s.len() == 3 && s.bytes().all(|b| b.is_ascii_lowercase()));
        if !ok {
            return Err((
                "rjct.search_criteria.invalid",
                tr(lang, "dci-locale", &[("locale", &l.to_string())]),
            ));
        }
    }
    Ok(())
}

/// Searches each request item. The rows saying what was read go to `reads`: the caller
/// writes them (a sync search through the group-commit writer, so that concurrent searches
/// do not queue on the audit chain's lock).
fn run_search(
    c: &mut Conn,
    partner: &Partner,
    env: &Envelope,
    ep: Endpoint,
    (txn, corr): (&str, &str),
    lang: Lang,
    reads: &mut Vec<AuditEvent>,
) -> Result<Answered, StorageError> {
    let Some(requests) = items(env, "search_request") else {
        return Ok(no_items(
            "search_request",
            "search_response",
            txn,
            corr,
            lang,
        ));
    };
    let today = Rules::today();
    let mut out = Vec::new();
    let mut statuses = Vec::new();
    for item in requests {
        if let Err((code, m)) = item_checked(item, lang) {
            out.push(item_rejected(&item["reference_id"], code, &m));
            statuses.push("rjct");
            continue;
        }
        let mut known = |t: &str| {
            c.query_opt(
                "SELECT 1 FROM person_identifiers WHERE id_type = $1 LIMIT 1",
                &[t.into()],
            )
            .map(|r| r.is_some())
            .unwrap_or(false)
        };
        let parsed = query::parse(&item["search_criteria"], partner, today, lang, &mut known);
        let q = match parsed {
            Ok(q) => q,
            Err(r) => {
                refusal_row(
                    c,
                    &partner.id,
                    ep.path(),
                    &format!("{}: {}", r.code, r.message),
                )?;
                out.push(item_rejected(&item["reference_id"], r.code, &r.message));
                statuses.push("rjct");
                continue;
            }
        };
        let (hits, total) = dci::search(c, &q.criteria)?;
        let found = records::records(c, &hits, q.entity, partner)?;
        // The query, and every record it returned, in the audit log.
        reads.push(
            AuditEvent::new(AuditAction::Read, AuditEntity::Page, ep.path())
                .by(&actor(&partner.id))
                .detail(&format!(
                    "{} {}: {} / {}",
                    item["reference_id"].as_str().unwrap_or_default(),
                    item["search_criteria"]["query_type"]
                        .as_str()
                        .unwrap_or_default(),
                    found.len(),
                    total
                )),
        );
        for (family, person, village) in &hits {
            let (entity, id) = match person {
                Some(p) => (AuditEntity::Person, p.as_str()),
                None => (AuditEntity::Family, family.as_str()),
            };
            reads.push(
                AuditEvent::new(AuditAction::View, entity, id)
                    .by(&actor(&partner.id))
                    .in_village(village)
                    .detail(&format!("DCI {}", ep.path())),
            );
        }
        let record_type = match q.entity {
            Entity::Group => "Group",
            Entity::Member => "Member",
        };
        let mut response = json!({
            "reference_id": item["reference_id"],
            "timestamp": timestamp(now_ms()),
            "status": "succ",
            "data": {
                "version": "1.0.0",
                "reg_type": REG_TYPE,
                "reg_record_type": record_type,
                "reg_records": found,
            },
            "pagination": {
                "page_size": q.criteria.page_size,
                "page_number": q.criteria.page_number,
                "total_count": total,
            },
        });
        if let Some(l) = item["locale"].as_str() {
            response["locale"] = json!(l);
        }
        out.push(response);
        statuses.push("succ");
    }
    Ok(answered(&statuses, "search_response", out, txn, corr))
}

/// The standard's and this registry's names for the events a partner can follow.
fn event_type(name: &str) -> Option<&'static str> {
    let short = name
        .rsplit(':')
        .next()
        .unwrap_or(name)
        .to_ascii_uppercase()
        .replace('-', "_");
    Some(match short.as_str() {
        "REGISTER" | "REGISTRATION" => "REGISTER",
        "MEMBER_ADD" | "NEWHOUSEHOLDMEMBER" | "LIVEBIRTH" | "BIRTH" => "MEMBER_ADD",
        "DEATH" => "DEATH",
        "MOVE" | "RELOCATION" | "MIGRATION" => "MOVE",
        "DECILE_CHANGE" | "POVERTY_SCORE_CHANGE" => "DECILE_CHANGE",
        "UPDATE" => "UPDATE",
        _ => return None,
    })
}

/// The family (or village) a subscription filter names, inside the partner's regions.
fn subject_of(
    c: &mut Conn,
    partner: &Partner,
    filter: &Value,
) -> Result<Option<(Subject, String)>, StorageError> {
    let id_type = filter["type"]
        .as_str()
        .unwrap_or_default()
        .trim()
        .to_ascii_uppercase();
    let value = match &filter["value"] {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    if value.is_empty() {
        return Ok(None);
    }
    let region_types = ["LOCATION", "KODE_WILAYAH", "VILLAGE", "REGION"];
    if region_types.contains(&id_type.as_str()) {
        return Ok(puskesos_domain::wilayah::KodeWilayah::parse(&value)
            .filter(|k| partner.covers(k.as_str()))
            .map(|k| {
                (
                    Subject::Village(k.as_str().to_string()),
                    k.as_str().to_string(),
                )
            }));
    }
    let row = match id_type.as_str() {
        "NIK" | "NIN" | "NATIONAL_ID" => c.query_opt(
            "SELECT f.id, f.kode_wilayah FROM persons p JOIN families f ON f.id = p.family_id WHERE p.nik = $1",
            &[value.as_str().into()],
        )?,
        "KK" | "NO_KK" | "HOUSEHOLD_ID" | "FAMILY_CARD" => c.query_opt(
            "SELECT id, kode_wilayah FROM families WHERE no_kk = $1",
            &[value.as_str().into()],
        )?,
        _ => c.query_opt(
            "SELECT f.id, f.kode_wilayah FROM person_identifiers i JOIN persons p ON p.id = i.person_id \
             JOIN families f ON f.id = p.family_id WHERE i.id_type = $1 AND i.id_value = $2",
            &[filter["type"].as_str().unwrap_or_default().trim().into(), value.as_str().into()],
        )?,
    };
    Ok(row.and_then(|r| {
        let family = r.first()?.as_str()?.to_string();
        let village = r.get(1)?.as_str()?.to_string();
        partner
            .covers(&village)
            .then_some((Subject::Family(family), village))
    }))
}

fn subscriptions(
    c: &mut Conn,
    partner: &Partner,
    env: &Envelope,
    txn: &str,
    corr: &str,
    lang: Lang,
) -> Result<Answered, StorageError> {
    let Some(requests) = items(env, "subscribe_request") else {
        return Ok(no_items(
            "subscribe_request",
            "subscribe_response",
            txn,
            corr,
            lang,
        ));
    };
    let mut out = Vec::new();
    let mut statuses = Vec::new();
    for item in requests {
        if let Err((code, m)) = item_checked(item, lang) {
            let code = if code == "rjct.search_criteria.invalid" {
                "rjct.notify_details.invalid"
            } else {
                code
            };
            out.push(item_rejected(&item["reference_id"], code, &m));
            statuses.push("rjct");
            continue;
        }
        let criteria = &item["subscribe_criteria"];
        let asked = criteria["reg_event_type"].as_str().unwrap_or_default();
        let Some(event) = event_type(asked) else {
            let m = tr(lang, "dci-event-unknown", &[("event", asked)]);
            out.push(item_rejected(
                &item["reference_id"],
                "rjct.notify_types.invalid",
                &m,
            ));
            statuses.push("rjct");
            continue;
        };
        let Some((subject, village)) = subject_of(c, partner, &criteria["filter"])? else {
            let m = tr(lang, "dci-subject-unknown", &[]);
            let detail = format!("rjct.person_id.invalid: {}", criteria["filter"]);
            refusal_row(c, &partner.id, Endpoint::Subscribe.path(), &detail)?;
            out.push(item_rejected(
                &item["reference_id"],
                "rjct.person_id.invalid",
                &m,
            ));
            statuses.push("rjct");
            continue;
        };
        let record_type = criteria["notify_record_type"].as_str().unwrap_or("Group");
        let record_type = if record_type.ends_with("Member") {
            "Member"
        } else {
            "Group"
        };
        let code = dci::subscribe(c, &partner.id, event, &subject, record_type)?;
        let (entity, id) = match &subject {
            Subject::Family(f) => (AuditEntity::Family, f.clone()),
            Subject::Village(v) => (AuditEntity::Page, format!("desa:{v}")),
        };
        audit::record(
            c,
            &AuditEvent::new(AuditAction::Create, entity, &id)
                .by(&actor(&partner.id))
                .in_village(&village)
                .detail(&format!("DCI subscribe {event} {code}")),
        )?;
        out.push(json!({
            "reference_id": item["reference_id"],
            "timestamp": timestamp(now_ms()),
            "status": "succ",
            "subscriptions": [{
                "code": code,
                "status": "subscribe",
                "timestamp": timestamp(now_ms()),
                "reg_type": REG_TYPE,
                "reg_event_type": event,
                "notify_record_type": record_type,
            }],
        }));
        statuses.push("succ");
    }
    Ok(answered(&statuses, "subscribe_response", out, txn, corr))
}

fn unsubscriptions(
    c: &mut Conn,
    partner: &Partner,
    env: &Envelope,
    txn: &str,
    corr: &str,
    lang: Lang,
) -> Result<Answered, StorageError> {
    let codes: Vec<String> = env.message["subscription_codes"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut ended = Vec::new();
    let mut reason = None;
    for code in &codes {
        match dci::unsubscribe(c, &partner.id, code)? {
            Some(true) => {
                audit::record(
                    c,
                    &AuditEvent::new(
                        AuditAction::Update,
                        AuditEntity::Page,
                        "/registry/unsubscribe",
                    )
                    .by(&actor(&partner.id))
                    .detail(&format!("DCI unsubscribe {code}")),
                )?;
                ended.push(json!({"code": code, "status": "unsubscribe"}));
            }
            Some(false) => {
                reason = Some((
                    "rjct.event.already_unsubscribed",
                    tr(lang, "dci-already-unsubscribed", &[("code", code)]),
                ));
            }
            None => {
                reason = Some((
                    "rjct.subscription_code.invalid",
                    tr(lang, "dci-subscription-unknown", &[("code", code)]),
                ));
            }
        }
    }
    if codes.is_empty() {
        reason = Some((
            "rjct.subscription_code.invalid",
            tr(
                lang,
                "dci-field-missing",
                &[("field", "message.subscription_codes")],
            ),
        ));
    }
    let status = if ended.is_empty() { "rjct" } else { "succ" };
    let mut message = json!({
        "transaction_id": txn,
        "correlation_id": corr,
        "timestamp": timestamp(now_ms()),
        "status": status,
        "subscription_status": ended,
    });
    if let Some((code, m)) = &reason {
        message["status_reason_code"] = json!(code);
        message["status_reason_message"] = json!(m);
    }
    Ok(Answered {
        status,
        counts: (codes.len() as i64, ended.len() as i64),
        message,
        reason: None,
    })
}

fn status(
    c: &mut Conn,
    partner: &Partner,
    env: &Envelope,
    ep: Endpoint,
    txn: &str,
    corr: &str,
    lang: Lang,
) -> Result<Answered, StorageError> {
    let request = &env.message["txnstatus_request"];
    let kind = request["attribute_type"].as_str().unwrap_or_default();
    let value = request["attribute_value"].as_str().unwrap_or_default();
    let txn_type = request["txn_type"].as_str().unwrap_or("search");
    let found = match kind {
        "transaction_id" => dci::find_transaction(c, &partner.id, false, value)?,
        "correlation_id" => dci::find_transaction(c, &partner.id, true, value)?,
        _ => None,
    };
    // The sync answer names the transaction found; the async one the correlation its ACK gave.
    let correlation = |t: Option<&Transaction>| match (ep, t) {
        (Endpoint::SyncTxnStatus, Some(t)) => t.correlation_id.clone(),
        _ => corr.to_string(),
    };
    audit::record(
        c,
        &AuditEvent::new(AuditAction::Read, AuditEntity::Page, ep.path())
            .by(&actor(&partner.id))
            .detail(&format!(
                "{kind} {value}: {}",
                if found.is_some() { "found" } else { "unknown" }
            )),
    )?;
    Ok(match found {
        Some(t) => {
            let mut stored: Value = serde_json::from_str(&t.answer).unwrap_or_else(|_| json!({}));
            // The standard's status shape is the search answer's: a subscription's answer
            // keeps its own list beside an empty `search_response`.
            if stored.get("search_response").is_none() {
                stored["search_response"] = json!([]);
            }
            let shown_type = if t.action == "search" {
                "search"
            } else {
                "subscribe"
            };
            Answered {
                status: "succ",
                counts: (1, 1),
                message: json!({
                    "transaction_id": txn,
                    "correlation_id": correlation(Some(&t)),
                    "txnstatus_response": {"txn_type": shown_type, "txn_status": stored},
                }),
                reason: None,
            }
        }
        None => {
            let key = if matches!(kind, "transaction_id" | "correlation_id") {
                "dci-txn-unknown"
            } else {
                "dci-txn-attribute"
            };
            let m = tr(lang, key, &[("value", value), ("type", kind)]);
            Answered {
                status: "rjct",
                counts: (1, 0),
                message: json!({
                    "transaction_id": txn,
                    "correlation_id": correlation(None),
                    // Nothing is known of it: the standard's shape, empty (no correlation, no answers).
                    "txnstatus_response": {"txn_type": txn_type, "txn_status": {
                        "transaction_id": value,
                        "correlation_id": "",
                        "search_response": [],
                    }},
                }),
                reason: Some(("", m)),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_village_node_answers_for_its_own_village_only() {
        let p = Partner {
            id: "p".into(),
            name: "p".into(),
            villages: vec!["33.12".into(), "35.01.02.2001".into()],
            fields: vec![],
            callback_url: None,
            public_key: None,
            revoked: false,
        };
        assert_eq!(within_node(p.clone(), None).villages, p.villages);
        assert_eq!(
            within_node(p.clone(), Some("33.12.01.2003")).villages,
            ["33.12.01.2003"]
        );
        assert!(
            within_node(p.clone(), Some("34.01.01.2001"))
                .villages
                .is_empty()
        );
        assert_eq!(
            within_node(p, Some("35.01.02.2001")).villages,
            ["35.01.02.2001"]
        );
    }
}
