//! The DCI envelope (`signature`, `header`, `message`): who sent it (bearer token), whether the
//! header is well formed, whether the signature holds, whether the message id is new. A
//! request that fails any check is answered with the standard's error code and a message in
//! the partner's language, and changes nothing.

use axum::Json;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use puskesos_domain::{Lang, tr};
use puskesos_storage::dci::{self, Partner};
use puskesos_storage::{Conn, StorageError, now_ms};
use serde_json::{Value, json};

use super::sign;

/// The id this registry puts in `sender_id` and `kidId` of its answers.
pub const REGISTRY_ID: &str = "puskesos";

/// A request refused before its message is looked at.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub status: StatusCode,
    /// The standard's code: an `err.*` code of `Error`, or an `rjct.*` header reason.
    pub code: &'static str,
    pub message: String,
}

impl Refusal {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        lang: Lang,
        key: &str,
        args: &[(&str, &str)],
    ) -> Refusal {
        Refusal {
            status,
            code,
            message: tr(lang, key, args),
        }
    }

    /// The answer: the standard's `HttpErrorResponse` (`errors`) and its `Response` with
    /// `ack_status = ERR` (`message`) in one body, so that a partner reading either finds the
    /// code.
    pub fn answer(&self, correlation_id: &str) -> Response {
        let error_code = if self.code.starts_with("err.") {
            self.code
        } else {
            "err.request.bad"
        };
        let body = json!({
            "errors": [{"code": self.code, "message": self.message}],
            "message": {
                "ack_status": "ERR",
                "timestamp": timestamp(now_ms()),
                "correlation_id": correlation_id,
                "error": {"code": error_code, "message": self.message},
            },
        });
        let mut resp = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer realm=\"dci\""),
            );
        }
        resp
    }
}

/// RFC 3339 in UTC with milliseconds, as the standard's timestamps are.
pub fn timestamp(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The partner's language for messages: English when it asks for it, Indonesian otherwise.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    let asked = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if asked.trim_start().to_ascii_lowercase().starts_with("en") {
        Lang::En
    } else {
        Lang::Id
    }
}

/// The bearer token of a request, if it sent one.
pub fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// The partner holding the token: refused when there is no token, an unknown one, or the
/// partner was revoked.
pub fn authenticate(
    conn: &mut Conn,
    token: Option<&str>,
    lang: Lang,
) -> Result<Result<Partner, Refusal>, StorageError> {
    let unauthorized = |key: &str| {
        Refusal::new(
            StatusCode::UNAUTHORIZED,
            "err.request.unauthorized",
            lang,
            key,
            &[],
        )
    };
    let Some(token) = token else {
        return Ok(Err(unauthorized("dci-token-missing")));
    };
    Ok(match dci::partner_by_token(conn, token)? {
        None => Err(unauthorized("dci-token-unknown")),
        Some(p) if p.revoked => Err(unauthorized("dci-partner-revoked")),
        Some(p) => Ok(p),
    })
}

/// A checked request: its header, message and signature.
#[derive(Debug, Clone)]
pub struct Envelope {
    pub header: Value,
    pub message: Value,
    pub signature: Option<String>,
}

impl Envelope {
    pub fn message_id(&self) -> &str {
        self.header["message_id"].as_str().unwrap_or_default()
    }

    /// Where the partner asked for the answer (`sender_uri`), if it did.
    pub fn sender_uri(&self) -> Option<&str> {
        self.header["sender_uri"].as_str().filter(|s| !s.is_empty())
    }
}

/// What a malformed envelope is refused with: 400 and `err.request.bad` naming the field.
fn bad(lang: Lang, key: &str, field: &str) -> Refusal {
    Refusal::new(
        StatusCode::BAD_REQUEST,
        "err.request.bad",
        lang,
        key,
        &[("field", field)],
    )
}

/// Parses the body and checks the header against the endpoint's action and the partner.
pub fn parse(
    body: &[u8],
    action: &str,
    partner: &Partner,
    lang: Lang,
) -> Result<Envelope, Refusal> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        Refusal::new(
            StatusCode::BAD_REQUEST,
            "err.request.bad",
            lang,
            "dci-json-invalid",
            &[("error", &e.to_string())],
        )
    })?;
    let Value::Object(mut top) = value else {
        return Err(bad(lang, "dci-field-missing", "body"));
    };
    let header = top.remove("header").unwrap_or(Value::Null);
    let message = top.remove("message").unwrap_or(Value::Null);
    if !header.is_object() {
        return Err(bad(lang, "dci-field-missing", "header"));
    }
    if !message.is_object() {
        return Err(bad(lang, "dci-field-missing", "message"));
    }
    for field in ["message_id", "sender_id", "action"] {
        if header[field].as_str().is_none_or(|s| s.trim().is_empty()) {
            return Err(bad(lang, "dci-field-missing", &format!("header.{field}")));
        }
    }
    let ts = header["message_ts"].as_str().unwrap_or_default();
    if chrono::DateTime::parse_from_rfc3339(ts).is_err() {
        return Err(bad(lang, "dci-timestamp-invalid", "header.message_ts"));
    }
    if !header["total_count"].is_i64() && !header["total_count"].is_u64() {
        return Err(bad(lang, "dci-field-missing", "header.total_count"));
    }
    if let Some(v) = header.get("version")
        && v.as_str() != Some("1.0.0")
    {
        return Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "err.version.not_supported",
            lang,
            "dci-version",
            &[("version", &v.to_string())],
        ));
    }
    if header["action"].as_str() != Some(action) {
        return Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "err.request.bad",
            lang,
            "dci-action-wrong",
            &[
                ("action", header["action"].as_str().unwrap_or_default()),
                ("expected", action),
            ],
        ));
    }
    if header["sender_id"].as_str() != Some(partner.id.as_str()) {
        return Err(Refusal::new(
            StatusCode::FORBIDDEN,
            "err.sender_id.invalid",
            lang,
            "dci-sender-wrong",
            &[("sender", header["sender_id"].as_str().unwrap_or_default())],
        ));
    }
    if header["is_msg_encrypted"].as_bool() == Some(true) {
        return Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "err.encryption.invalid",
            lang,
            "dci-encrypted",
            &[],
        ));
    }
    let signature = match top.remove("signature") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => {
            return Err(Refusal::new(
                StatusCode::UNAUTHORIZED,
                "err.signature.invalid",
                lang,
                "dci-signature-invalid",
                &[],
            ));
        }
    };
    let envelope = Envelope {
        header,
        message,
        signature,
    };
    check_signature(&envelope, partner, lang, now_ms() / 1000)?;
    Ok(envelope)
}

/// The word a partner that does not sign puts in `signature` (or it leaves the field out).
pub const UNSIGNED: &str = "unsigned";

/// A partner with a public key must sign every request; one without must say it does not
/// (no signature, or [`UNSIGNED`]): a signature that cannot be verified is not accepted as
/// one.
fn check_signature(e: &Envelope, partner: &Partner, lang: Lang, now: i64) -> Result<(), Refusal> {
    let refuse = |code, key| Refusal::new(StatusCode::UNAUTHORIZED, code, lang, key, &[]);
    match (&partner.public_key, e.signature.as_deref()) {
        (None, None) => Ok(()),
        (None, Some(s)) if s == UNSIGNED => Ok(()),
        (None, Some(_)) => Err(refuse("err.signature.invalid", "dci-signature-unexpected")),
        (Some(_), None) => Err(refuse("err.signature.missing", "dci-signature-missing")),
        (Some(_), Some(s)) if s == UNSIGNED => {
            Err(refuse("err.signature.missing", "dci-signature-missing"))
        }
        (Some(key), Some(s)) => match sign::verify(key, s, &e.header, &e.message, now) {
            Ok(()) => Ok(()),
            Err(sign::Refused::Expired) => {
                Err(refuse("err.signature.invalid", "dci-signature-expired"))
            }
            Err(_) => Err(refuse("err.signature.invalid", "dci-signature-invalid")),
        },
    }
}

/// The header of an answer (`MsgCallbackHeader`).
pub fn answer_header(
    action: &str,
    status: &str,
    reason: Option<(&str, &str)>,
    request: &Value,
    counts: (i64, i64),
) -> Value {
    let mut h = json!({
        "version": "1.0.0",
        "message_id": uuid_like(),
        "message_ts": timestamp(now_ms()),
        "action": action,
        "status": status,
        "total_count": counts.0,
        "completed_count": counts.1,
        "sender_id": REGISTRY_ID,
        "receiver_id": request["sender_id"].as_str().unwrap_or_default(),
    });
    if let Some((code, message)) = reason {
        if !code.is_empty() {
            h["status_reason_code"] = json!(code);
        }
        h["status_reason_message"] = json!(message.chars().take(999).collect::<String>());
    }
    h
}

/// A fresh id for a message or a correlation.
pub fn uuid_like() -> String {
    puskesos_storage::new_id()
}

/// A whole answer envelope, signed with the registry's key.
pub fn signed(
    conn: &mut Conn,
    header: Value,
    message: Option<Value>,
) -> Result<Value, StorageError> {
    let secret = dci::server_secret(conn, sign::new_secret)?;
    let mut out = json!({"header": header});
    if let Some(key) = sign::key_of(&secret) {
        let m = message.clone().unwrap_or(Value::Null);
        out["signature"] = json!(sign::sign(
            &key,
            REGISTRY_ID,
            &out["header"],
            &m,
            now_ms() / 1000
        ));
    }
    if let Some(m) = message {
        out["message"] = m;
    }
    Ok(out)
}

/// The asynchronous acknowledgement (`Response`, `ack_status = ACK`).
pub fn ack(correlation_id: &str) -> Response {
    (
        StatusCode::ACCEPTED,
        Json(json!({
            "message": {
                "ack_status": "ACK",
                "timestamp": timestamp(now_ms()),
                "correlation_id": correlation_id,
            }
        })),
    )
        .into_response()
}
