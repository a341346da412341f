//! The DCI social-registry API (issue 17) over a real registry on both engines: searches by
//! identifier, expression and predicate within the partner's agreement, the standard's error
//! answers, signatures both ways, async answers and notifications delivered over a real TCP
//! link (with retry, order per family and a restart). Every answer is validated against the
//! standard's JSON schemas (`tests/spec/`, the OpenAPI document of the social registry).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use puskesos_domain::model::{FAMILY_FIELDS, PERSON_FIELDS, Record, Value as Fact, field_index};
use puskesos_storage::dci::{self, Partner};
use puskesos_storage::registry::{self, WriteCtx};
use puskesos_storage::{now_ms, testing};
use puskesos_web::features::dci::deliver::{Sender, deliver_due};
use puskesos_web::features::dci::sign;
use puskesos_web::{AppState, Rules};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::support::{Fixture, databases, demo_villages, fixture, sync};

const VILLAGE: &str = "33.12.01.2003";
const OTHER_VILLAGE: &str = "33.12.02.2001";

fn today() -> chrono::NaiveDate {
    Rules::today()
}

/// The standard's OpenAPI document, and validators for the schemas inside it.
struct Spec(Value);

impl Spec {
    fn load() -> Spec {
        let text = include_str!("../spec/dci-social-api-1.0.0.json");
        Spec(serde_json::from_str(text).unwrap())
    }

    /// Validates `instance` against the schema at the JSON pointer `at`, resolving the
    /// document's own `$ref`s.
    fn check(&self, at: &str, instance: &Value) {
        let mut root = self.0.clone();
        root["$ref"] = json!(format!("#{at}"));
        let validator = jsonschema::validator_for(&root).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{at}: {errors:#?}\n{instance:#}");
    }

    fn path(p: &str) -> String {
        p.replace('~', "~0").replace('/', "~1")
    }

    /// The answer of an endpoint, by its status: 401/403 `HttpErrorResponse`, other errors and
    /// ACKs `Response` (the default), a sync endpoint's 200 its own schema.
    fn answer(&self, endpoint: &str, status: StatusCode, body: &Value) {
        let responses = format!("/paths/{}/post/responses", Spec::path(endpoint));
        match status.as_u16() {
            401 | 403 => {
                self.check(
                    "/components/responses/HttpErrorResponse/content/application~1json/schema",
                    body,
                );
                // The same body is a `Response` too (the suite and OpenSPP read `message`).
                self.check(
                    "/components/responses/Response/content/application~1json/schema",
                    body,
                );
            }
            200 if endpoint.contains("/sync/") => self.check(
                &format!("{responses}/default/content/application~1json/schema"),
                body,
            ),
            _ => self.check(
                "/components/responses/Response/content/application~1json/schema",
                body,
            ),
        }
    }

    /// A request the registry sends to a partner (`on-search`, `notify`, ...).
    fn sent(&self, endpoint: &str, body: &Value) {
        let at = format!(
            "/paths/{}/post/requestBody/content/application~1json/schema",
            Spec::path(endpoint)
        );
        self.check(&at, body);
    }
}

struct Api {
    f: Fixture,
    spec: Spec,
    token: String,
}

fn partner(
    id: &str,
    fields: &[&str],
    villages: &[&str],
    callback: Option<String>,
    key: Option<String>,
) -> Partner {
    Partner {
        id: id.into(),
        name: format!("Mitra {id}"),
        villages: villages.iter().map(|v| v.to_string()).collect(),
        fields: fields.iter().map(|f| f.to_string()).collect(),
        callback_url: callback,
        public_key: key,
        revoked: false,
    }
}

fn add(t: &testing::TestDb, p: &Partner) -> String {
    sync(|| dci::add_partner(&mut t.db.conn().unwrap(), p).unwrap())
}

fn setup(t: testing::TestDb) -> (Api, String) {
    let t = crate::support::with_accounts(
        t,
        &[("ketua", puskesos_domain::access::Role::Ketua, Some(VILLAGE))],
    );
    demo_villages(&t, &[(VILLAGE, 30, 7), (OTHER_VILLAGE, 10, 8)], today());
    let token = add(
        &t,
        &partner(
            "bansos",
            &[
                "desil",
                "program",
                "kelayakan",
                "alamat",
                "keluarga",
                "lahir",
            ],
            &[VILLAGE],
            None,
            None,
        ),
    );
    let nik = sync(|| {
        t.db.conn()
            .unwrap()
            .query(
                "SELECT p.nik FROM persons p JOIN families f ON f.id = p.family_id \
                 WHERE f.kode_wilayah = $1 AND f.desil IS NOT NULL ORDER BY p.nik LIMIT 1",
                &[VILLAGE.into()],
            )
            .unwrap()[0][0]
            .as_str()
            .unwrap()
            .to_string()
    });
    (
        Api {
            f: fixture(t),
            spec: Spec::load(),
            token,
        },
        nik,
    )
}

fn header(action: &str, sender: &str) -> Value {
    json!({
        "version": "1.0.0",
        "message_id": puskesos_storage::new_id(),
        "message_ts": "2026-12-06T08:00:00.000Z",
        "action": action,
        "sender_id": sender,
        "receiver_id": "puskesos",
        "total_count": 1,
    })
}

fn search_message(criteria: Value) -> Value {
    json!({
        "transaction_id": puskesos_storage::new_id(),
        "search_request": [{
            "reference_id": "ref-1",
            "timestamp": "2026-12-06T08:00:00.000Z",
            "search_criteria": criteria,
        }],
    })
}

fn by_id(id_type: &str, value: &str) -> Value {
    json!({"query_type": "idtype-value", "query": {"type": id_type, "value": value}})
}

async fn post(api: &Api, path: &str, token: Option<&str>, body: String) -> (StatusCode, Value) {
    let mut req = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT_LANGUAGE, "en");
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let resp = api
        .f
        .app
        .clone()
        .oneshot(req.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, value)
}

/// Posts an envelope and validates the answer against the standard.
async fn send(api: &Api, path: &str, token: Option<&str>, envelope: &Value) -> (StatusCode, Value) {
    let (status, body) = post(api, path, token, envelope.to_string()).await;
    api.spec.answer(path, status, &body);
    (status, body)
}

fn envelope(action: &str, sender: &str, message: Value) -> Value {
    json!({"signature": "unsigned", "header": header(action, sender), "message": message})
}

fn rows(f: &Fixture, sql: &str) -> i64 {
    crate::support::count(f, sql)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_partner_finds_families_by_identifier_expression_and_predicate_and_sees_only_its_fields()
{
    for t in databases() {
        let label = t.label;
        let (api, nik) = setup(t);
        let audited = rows(
            &api.f,
            "SELECT COUNT(*) FROM audit_log WHERE actor = 'dci:bansos'",
        );
        let env = envelope("search", "bansos", search_message(by_id("NIK", &nik)));
        let (status, body) = send(&api, "/registry/sync/search", Some(&api.token), &env).await;
        assert_eq!(status, StatusCode::OK, "{label}: {body}");
        assert_eq!(body["header"]["action"], "on-search");
        assert_eq!(body["header"]["status"], "succ");
        let item = &body["message"]["search_response"][0];
        assert_eq!(item["reference_id"], "ref-1");
        assert_eq!(item["pagination"]["total_count"], 1, "{label}");
        let group = &item["data"]["reg_records"][0];
        assert_eq!(group["@type"], "spdci:Group");
        assert!(group["poverty_score"].is_number(), "{label}: {group}");
        let attrs = group["additional_attributes"].as_array().unwrap();
        let attr = |n: &str| {
            attrs
                .iter()
                .find(|a| a["name"] == n)
                .map(|a| a["value"].clone())
        };
        assert_eq!(attr("kode_wilayah"), Some(json!(VILLAGE)));
        assert!(attr("programs_received").is_some() && attr("programs_eligible").is_some());
        // Outside the agreement (identitas, nama, kelamin): no KK, no NIK, no names, no sex.
        let text = group.to_string();
        assert!(group.get("group_identifier").is_none(), "{label}");
        assert!(
            !text.contains(&nik) && !text.contains("given_name") && !text.contains("\"sex\""),
            "{label}: {text}"
        );
        // The query and the family returned are in the audit log under the partner's name.
        let now = rows(
            &api.f,
            "SELECT COUNT(*) FROM audit_log WHERE actor = 'dci:bansos'",
        );
        assert_eq!(
            now - audited,
            2,
            "{label}: one row for the query, one for the family"
        );
        assert_eq!(
            rows(
                &api.f,
                "SELECT COUNT(*) FROM audit_log WHERE actor = 'dci:bansos' AND action = 'view' AND entity = 'family'"
            ),
            1,
            "{label}"
        );

        // The village's Ketua reads it on the audit page in words.
        let (cookie, _) = crate::support::login(&api.f, "ketua");
        let page = crate::support::request(&api.f, Method::GET, "/audit", &cookie, None).await;
        assert!(
            page.text().contains("Sistem mitra bansos (API DCI)"),
            "{label}: {}",
            page.text()
        );

        // The same family by its KK number (families of the other village are not found).
        let kk = crate::support::first_text(
            &api.f,
            &format!(
                "SELECT f.no_kk FROM families f JOIN persons p ON p.family_id = f.id WHERE p.nik = '{nik}'"
            ),
        );
        let other_kk = crate::support::first_text(
            &api.f,
            &format!("SELECT no_kk FROM families WHERE kode_wilayah = '{OTHER_VILLAGE}' LIMIT 1"),
        );
        for (kk, expected) in [(kk, 1), (other_kk, 0)] {
            let env = envelope("search", "bansos", search_message(by_id("KK", &kk)));
            let (status, body) = send(&api, "/registry/sync/search", Some(&api.token), &env).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(
                body["message"]["search_response"][0]["pagination"]["total_count"], expected,
                "{label} KK {kk}"
            );
        }

        // An expression (decile below 5 and at most 4 members) counts what SQL counts.
        let expected = rows(
            &api.f,
            &format!(
                "SELECT COUNT(*) FROM families WHERE kode_wilayah = '{VILLAGE}' AND desil < 5 AND jumlah_anggota <= 4"
            ),
        );
        let expr = json!({"query_type": "expression", "query": {"collection": "Group", "query": {"$and": [{"poverty_score": {"$lt": 5}}, {"group_size": {"$lte": 4}}]}}, "pagination": {"page_size": 5, "page_number": 1}});
        let (_, body) = send(
            &api,
            "/registry/sync/search",
            Some(&api.token),
            &envelope("search", "bansos", search_message(expr)),
        )
        .await;
        let item = &body["message"]["search_response"][0];
        assert_eq!(
            item["pagination"]["total_count"], expected,
            "{label}: {item}"
        );
        assert!(item["data"]["reg_records"].as_array().unwrap().len() as i64 <= 5.min(expected));

        // A predicate asking for members under 18 in the poorest four deciles, as Member records.
        let pred = json!({"query_type": "predicate", "response_entity": "Member", "query": [{"seq_num": 1, "expression1": {"attribute_name": "age", "operator": "lt", "attribute_value": "18"}, "condition": "and", "expression2": {"attribute_name": "poverty_score", "operator": "le", "attribute_value": 4}}]});
        let (_, body) = send(
            &api,
            "/registry/sync/search",
            Some(&api.token),
            &envelope("search", "bansos", search_message(pred)),
        )
        .await;
        let item = &body["message"]["search_response"][0];
        assert_eq!(item["status"], "succ", "{label}: {item}");
        assert_eq!(item["data"]["reg_record_type"], "Member");
        let born_after = (today() - chrono::Duration::days(18 * 366))
            .format("%Y-%m-%d")
            .to_string();
        for m in item["data"]["reg_records"].as_array().unwrap() {
            let born = m["demographic_info"]["birth_date"].as_str().unwrap();
            assert!(
                born[..10] > born_after[..],
                "{label}: {born} is not under 18"
            );
        }
        drop(api);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_requests_get_the_standards_codes_and_change_nothing() {
    for t in databases() {
        let label = t.label;
        let (api, nik) = setup(t);
        let revoked = add(
            &api.f.t,
            &partner("lama", &["desil"], &[VILLAGE], None, None),
        );
        sync(|| dci::revoke_partner(&mut api.f.t.db.conn().unwrap(), "lama").unwrap());
        let txns = || rows(&api.f, "SELECT COUNT(*) FROM dci_transactions");
        let before = txns();
        let good = envelope("search", "bansos", search_message(by_id("NIK", &nik)));
        let code = |b: &Value| {
            b["errors"][0]["code"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        };

        for (token, expected) in [
            (None, "err.request.unauthorized"),
            (Some("salah"), "err.request.unauthorized"),
            (Some(revoked.as_str()), "err.request.unauthorized"),
        ] {
            let (status, body) = send(&api, "/registry/sync/search", token, &good).await;
            assert_eq!(
                (status, code(&body)),
                (StatusCode::UNAUTHORIZED, expected.to_string()),
                "{label} {token:?}"
            );
        }
        // Malformed JSON, a missing message, another partner's sender id, a wrong action.
        let (status, body) = post(
            &api,
            "/registry/sync/search",
            Some(&api.token),
            "{\"header\":".into(),
        )
        .await;
        api.spec.answer("/registry/search", status, &body);
        assert_eq!(
            (status, code(&body)),
            (StatusCode::BAD_REQUEST, "err.request.bad".into()),
            "{label}"
        );
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("JSON")
        );
        let mut no_message = good.clone();
        no_message.as_object_mut().unwrap().remove("message");
        let (status, body) =
            send(&api, "/registry/sync/search", Some(&api.token), &no_message).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("message"),
            "{body}"
        );
        let stranger = envelope("search", "dukcapil", search_message(by_id("NIK", &nik)));
        let (status, body) = send(&api, "/registry/sync/search", Some(&api.token), &stranger).await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::FORBIDDEN, "err.sender_id.invalid".into())
        );
        let wrong_action = envelope("subscribe", "bansos", search_message(by_id("NIK", &nik)));
        let (status, _) = send(
            &api,
            "/registry/sync/search",
            Some(&api.token),
            &wrong_action,
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        // A signature from a partner that has no key is not taken as one.
        let mut signed = good.clone();
        signed["signature"] = json!("invalid-signature");
        let (status, body) = send(&api, "/registry/search", Some(&api.token), &signed).await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::UNAUTHORIZED, "err.signature.invalid".into())
        );
        assert_eq!(
            txns(),
            before,
            "{label}: a refused request left a transaction"
        );

        // Per request: oversized page, unknown identifier type, attribute and region outside
        // the agreement, unknown attribute: rejected items with the standard's reason codes.
        let cases = [
            (
                json!({"query_type": "idtype-value", "query": {"type": "NIK", "value": nik}, "pagination": {"page_size": 5000}}),
                "rjct.pagination.invalid",
                "5000",
            ),
            (
                by_id("PASSPORT", "A123"),
                "rjct.search_criteria.invalid",
                "PASSPORT",
            ),
            (
                json!({"query_type": "expression", "query": {"gender": "female"}}),
                "rjct.search_criteria.invalid",
                "gender",
            ),
            (
                json!({"query_type": "expression", "query": {"location": OTHER_VILLAGE}}),
                "rjct.search_criteria.invalid",
                OTHER_VILLAGE,
            ),
            (
                json!({"query_type": "expression", "query": {"shoe_size": {"$gt": 3}}}),
                "rjct.search_criteria.invalid",
                "shoe_size",
            ),
        ];
        for (criteria, reason, named) in cases {
            let env = envelope("search", "bansos", search_message(criteria));
            let (status, body) = send(&api, "/registry/sync/search", Some(&api.token), &env).await;
            assert_eq!(status, StatusCode::OK);
            let item = &body["message"]["search_response"][0];
            assert_eq!(item["status"], "rjct", "{label}: {item}");
            assert_eq!(item["status_reason_code"], reason, "{label}: {item}");
            let message = item["status_reason_message"].as_str().unwrap();
            assert!(
                message.contains(named) || reason == "rjct.pagination.invalid",
                "{label}: {message}"
            );
        }
        // A replayed message id: refused with the header's reason code, answered nothing.
        let (status, first) = send(&api, "/registry/sync/search", Some(&api.token), &good).await;
        assert_eq!(
            (status, first["header"]["status"].as_str()),
            (StatusCode::OK, Some("succ"))
        );
        let (status, again) = send(&api, "/registry/sync/search", Some(&api.token), &good).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(again["header"]["status"], "rjct");
        assert_eq!(
            again["header"]["status_reason_code"], "rjct.message_id.duplicate",
            "{label}"
        );
        assert!(again.get("message").is_none());
        let (status, body) = send(
            &api,
            "/registry/search",
            Some(&api.token),
            &envelope("search", "bansos", search_message(by_id("NIK", &nik))),
        )
        .await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::BAD_REQUEST, "err.sender_uri.invalid".into()),
            "{label}: async without a callback address"
        );
        // Every refusal is recorded, with the partner as actor where it could be named.
        let refusals = rows(
            &api.f,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'access-refused' AND actor LIKE 'dci:%'",
        );
        assert!(refusals >= 12, "{label}: {refusals} refusals recorded");
        drop(api);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_partner_with_a_key_must_sign_and_the_registry_signs_its_answers() {
    for t in databases() {
        let label = t.label;
        let (api, nik) = setup(t);
        let key = sign::key_of(&sign::new_secret()).unwrap();
        let token = add(
            &api.f.t,
            &partner(
                "bpjs",
                &["desil"],
                &[VILLAGE],
                None,
                Some(sign::public_of(&key)),
            ),
        );
        let message = search_message(by_id("NIK", &nik));
        let signed = |h: &Value, m: &Value| sign::sign(&key, "bpjs", h, m, now_ms() / 1000);
        for sig in [None, Some("unsigned".to_string())] {
            let mut env = envelope("search", "bpjs", message.clone());
            env["signature"] = sig.map(Value::String).unwrap_or(Value::Null);
            let (status, body) = send(&api, "/registry/sync/search", Some(&token), &env).await;
            assert_eq!(
                (status, body["errors"][0]["code"].as_str()),
                (StatusCode::UNAUTHORIZED, Some("err.signature.missing")),
                "{label}"
            );
        }
        // Signed, then tampered with after signing.
        let mut env = envelope("search", "bpjs", message.clone());
        env["signature"] = json!(signed(&env["header"], &env["message"]));
        let mut tampered = env.clone();
        tampered["message"]["search_request"][0]["search_criteria"]["query"]["value"] =
            json!("3312010101010099");
        let (status, body) = send(&api, "/registry/sync/search", Some(&token), &tampered).await;
        assert_eq!(
            (status, body["errors"][0]["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("err.signature.invalid")),
            "{label}"
        );
        let (status, body) = send(&api, "/registry/sync/search", Some(&token), &env).await;
        assert_eq!(status, StatusCode::OK, "{label}: {body}");
        // The answer is signed with the registry's key, over its header and message.
        let secret = crate::support::first_text(&api.f, "SELECT secret FROM dci_server_key");
        let public = sign::public_of(&sign::key_of(&secret).unwrap());
        let sig = body["signature"].as_str().unwrap();
        sign::verify(
            &public,
            sig,
            &body["header"],
            &body["message"],
            now_ms() / 1000,
        )
        .unwrap();
        let mut changed = body["message"].clone();
        changed["correlation_id"] = json!("other");
        assert!(sign::verify(&public, sig, &body["header"], &changed, now_ms() / 1000).is_err());
        drop(api);
    }
}

/// A partner's callback server on a real TCP port: records every POST; answers 503 to the
/// first `fail_first` of them, and never answers while `hang` is set.
#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<(String, Value)>>>,
    fail_first: Arc<Mutex<usize>>,
    hang: Arc<Mutex<bool>>,
}

impl Receiver {
    async fn start(fail_first: usize) -> (Receiver, String) {
        let r = Receiver {
            fail_first: Arc::new(Mutex::new(fail_first)),
            ..Default::default()
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let shared = r.clone();
        let app =
            axum::Router::new().fallback(move |uri: axum::http::Uri, body: axum::body::Bytes| {
                let r = shared.clone();
                async move {
                    if *r.hang.lock().unwrap() {
                        tokio::time::sleep(Duration::from_secs(30)).await;
                    }
                    let mut fail = r.fail_first.lock().unwrap();
                    if *fail > 0 {
                        *fail -= 1;
                        return StatusCode::SERVICE_UNAVAILABLE;
                    }
                    let v = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    r.got.lock().unwrap().push((uri.path().to_string(), v));
                    StatusCode::OK
                }
            });
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (r, url)
    }

    fn got(&self) -> Vec<(String, Value)> {
        self.got.lock().unwrap().clone()
    }
}

fn state_of(t: &testing::TestDb) -> AppState {
    AppState {
        audit: sync(|| puskesos_storage::audit_writer::AuditWriter::start(&t.db).unwrap()),
        db: t.db.clone(),
        village: None,
        secure_cookies: false,
        public_url: "http://127.0.0.1:8080".into(),
        trust_proxy: false,
        files_dir: std::env::temp_dir(),
        rules: Rules::new(None),
    }
}

/// Makes every queued message due now (instead of waiting out the backoff).
fn due_now(t: &testing::TestDb) {
    sync(|| {
        t.db.conn()
            .unwrap()
            .execute(
                "UPDATE dci_outbox SET next_at = 0 WHERE delivered_at IS NULL",
                &[],
            )
            .unwrap()
    });
}

#[tokio::test(flavor = "multi_thread")]
async fn async_answers_and_notifications_reach_the_partner_at_least_once_in_order() {
    for t in databases() {
        let label = t.label;
        let (api, nik) = setup(t);
        let (receiver, url) = Receiver::start(1).await;
        let token = add(
            &api.f.t,
            &partner(
                "pkh",
                &["desil", "keluarga", "lahir", "alamat"],
                &[VILLAGE],
                Some(url.clone()),
                None,
            ),
        );
        let sender = Sender::new(Duration::from_millis(500));

        // Async search: ACK now, on-search later; the first attempt fails (503), the retry
        // after the backoff delivers it.
        let env = envelope("search", "pkh", search_message(by_id("NIK", &nik)));
        let (status, ack) = send(&api, "/registry/search", Some(&token), &env).await;
        assert_eq!(
            (status, ack["message"]["ack_status"].as_str()),
            (StatusCode::ACCEPTED, Some("ACK")),
            "{label}"
        );
        let correlation = ack["message"]["correlation_id"]
            .as_str()
            .unwrap()
            .to_string();
        let state = state_of(&api.f.t);
        deliver_due(&state, &sender).await.unwrap();
        assert!(
            receiver.got().is_empty(),
            "{label}: the failed attempt was recorded as delivered"
        );
        let (attempts, error) = sync(|| {
            let row = api
                .f
                .t
                .db
                .conn()
                .unwrap()
                .query("SELECT attempts, last_error FROM dci_outbox", &[])
                .unwrap();
            (
                row[0][0].as_i64().unwrap(),
                row[0][1].as_str().unwrap_or_default().to_string(),
            )
        });
        assert_eq!(attempts, 1);
        assert!(error.contains("503"), "{label}: {error}");
        // A new sender (a restart) finds the message in the database.
        due_now(&api.f.t);
        deliver_due(
            &state_of(&api.f.t),
            &Sender::new(Duration::from_millis(500)),
        )
        .await
        .unwrap();
        let got = receiver.got();
        assert_eq!(got.len(), 1, "{label}");
        let (path, body) = &got[0];
        assert_eq!(path, "/registry/on-search");
        api.spec.sent("/registry/on-search", body);
        assert_eq!(body["message"]["correlation_id"], json!(correlation));
        assert_eq!(
            body["message"]["transaction_id"],
            env["message"]["transaction_id"]
        );
        assert!(
            body["signature"]
                .as_str()
                .unwrap()
                .starts_with("Signature:")
        );

        // Subscribe to the family of that NIK, then change it twice: the notifications come
        // in the order of the changes.
        let subscribe = |event: &str| {
            json!({
                "transaction_id": puskesos_storage::new_id(),
                "subscribe_request": [{
                    "reference_id": format!("ref-{event}"),
                    "timestamp": "2026-12-06T08:00:00.000Z",
                    "subscribe_criteria": {"reg_event_type": event, "filter": {"type": "NIK", "value": nik}, "notify_record_type": "Group"},
                }],
            })
        };
        for event in ["DECILE_CHANGE", "DEATH"] {
            let (status, _) = send(
                &api,
                "/registry/subscribe",
                Some(&token),
                &envelope("subscribe", "pkh", subscribe(event)),
            )
            .await;
            assert_eq!(status, StatusCode::ACCEPTED, "{label}");
        }
        deliver_due(&state, &sender).await.unwrap();
        deliver_due(&state, &sender).await.unwrap();
        let subscribed: Vec<Value> = receiver.got()[1..]
            .iter()
            .map(|(p, b)| {
                assert_eq!(p, "/registry/on-subscribe");
                api.spec.sent("/registry/on-subscribe", b);
                b.clone()
            })
            .collect();
        assert_eq!(subscribed.len(), 2, "{label}");
        let code = subscribed[0]["message"]["subscribe_response"][0]["subscriptions"][0]["code"]
            .as_str()
            .unwrap()
            .to_string();

        let ctx = WriteCtx {
            actor: "user:t".into(),
            reason: None,
            source: "form".into(),
            now_ms: now_ms(),
        };
        sync(|| {
            let mut c = api.f.t.db.conn().unwrap();
            let (person, _) = registry::person_by_nik(&mut c, &nik).unwrap().unwrap();
            let family = registry::family_by_id(&mut c, &person.family_id)
                .unwrap()
                .unwrap();
            let mut values = family.values.clone();
            let desil = family.int("desil").unwrap_or(5);
            values[field_index(FAMILY_FIELDS, "desil").unwrap()] =
                Some(Fact::Int(if desil == 1 { 2 } else { desil - 1 }));
            c.transaction(|c| registry::edit_family(c, &family.id, &values, &ctx))
                .unwrap()
                .unwrap();
            let mut values = person.values.clone();
            values[field_index(PERSON_FIELDS, "status").unwrap()] =
                Some(Fact::Text("meninggal".into()));
            c.transaction(|c| registry::edit_person(c, &person.id, &values, &ctx))
                .unwrap()
                .unwrap();
        });
        // A hanging partner: the attempt times out and counts as failed; nothing is lost.
        *receiver.hang.lock().unwrap() = true;
        deliver_due(&state, &sender).await.unwrap();
        assert_eq!(receiver.got().len(), 3, "{label}");
        *receiver.hang.lock().unwrap() = false;
        for _ in 0..4 {
            due_now(&api.f.t);
            deliver_due(&state, &sender).await.unwrap();
        }
        let notes: Vec<Value> = receiver.got()[3..]
            .iter()
            .filter(|(p, _)| p == "/registry/notify")
            .map(|(_, b)| b.clone())
            .collect();
        let events: Vec<&str> = notes
            .iter()
            .map(|n| {
                n["message"]["notify_event"][0]["data"]["reg_event_type"]
                    .as_str()
                    .unwrap()
            })
            .collect();
        assert_eq!(
            events,
            ["DECILE_CHANGE", "DEATH"],
            "{label}: in the order of the changes"
        );
        for n in &notes {
            assert_eq!(n["header"]["action"], "notify");
            assert_eq!(
                n["message"]["notify_event"][0]["data"]["reg_records"]["@type"],
                "spdci:Group"
            );
        }
        assert_eq!(
            rows(
                &api.f,
                "SELECT COUNT(*) FROM dci_outbox WHERE delivered_at IS NULL"
            ),
            0,
            "{label}"
        );
        assert!(
            rows(
                &api.f,
                "SELECT COUNT(*) FROM audit_log WHERE actor = 'dci:pkh' AND detail LIKE 'DCI notify%'"
            ) >= 2
        );

        // Unsubscribe: the on-unsubscribe answer names the ended subscription; a second
        // unsubscribe is rejected as already ended.
        let unsub = || json!({"transaction_id": puskesos_storage::new_id(), "timestamp": "2026-12-06T08:00:00.000Z", "subscription_codes": [code]});
        for _ in 0..2 {
            let (status, _) = send(
                &api,
                "/registry/unsubscribe",
                Some(&token),
                &envelope("unsubscribe", "pkh", unsub()),
            )
            .await;
            assert_eq!(status, StatusCode::ACCEPTED);
            deliver_due(&state, &sender).await.unwrap();
        }
        let answers: Vec<Value> = receiver
            .got()
            .iter()
            .filter(|(p, _)| p == "/registry/on-unsubscribe")
            .map(|(_, b)| b.clone())
            .collect();
        assert_eq!(answers.len(), 2, "{label}");
        for a in &answers {
            api.spec.sent("/registry/on-unsubscribe", a);
        }
        assert_eq!(answers[0]["message"]["status"], "succ");
        assert_eq!(
            answers[1]["message"]["status_reason_code"],
            "rjct.event.already_unsubscribed"
        );

        // Status of the async search, sync and async.
        let status_of = |value: &str| json!({"transaction_id": puskesos_storage::new_id(), "txnstatus_request": {"reference_id": "r", "txn_type": "search", "attribute_type": "correlation_id", "attribute_value": value}});
        let (status, body) = send(
            &api,
            "/registry/sync/txn/status",
            Some(&token),
            &envelope("txn-status", "pkh", status_of(&correlation)),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["header"]["status"], "succ", "{label}: {body}");
        assert_eq!(
            body["message"]["txnstatus_response"]["txn_status"]["correlation_id"],
            json!(correlation)
        );
        let (status, _) = send(
            &api,
            "/registry/sync/txn/status",
            Some(&token),
            &envelope("txn-status", "pkh", status_of("unknown")),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let (status, _) = send(
            &api,
            "/registry/txn/status",
            Some(&token),
            &envelope("txn-status", "pkh", status_of(&correlation)),
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED);
        deliver_due(&state, &sender).await.unwrap();
        let (path, body) = receiver.got().last().cloned().unwrap();
        assert_eq!(path, "/registry/txn/on-status");
        api.spec.sent("/registry/txn/on-status", &body);
        sync(move || drop(state));
        drop(api);
    }
}
