//! What the web tests share: a fresh SQLite registry with accounts, demo villages saved and
//! assessed, the router over it, logging in, and one request helper.
#![allow(dead_code)] // each test file uses part of it

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use puskesos_domain::access::Role;
use puskesos_domain::rules::assess::Assessor;
use puskesos_domain::wilayah::KodeWilayah;
use puskesos_storage::accounts::{self, NewAccount};
use puskesos_storage::registry::{self, FamilyInput, Scope, WriteCtx};
use puskesos_storage::{assessment, now_ms, testing};
use puskesos_web::{AppState, Rules, router};
use tower::ServiceExt;

pub const PASSWORD: &str = "rahasia-desa-1";

pub struct Fixture {
    pub t: testing::TestDb,
    pub app: axum::Router,
}

/// A fresh database with these accounts `(username, role, region)`, all with [`PASSWORD`].
pub fn with_accounts(list: &[(&str, Role, Option<&str>)]) -> testing::TestDb {
    let t = testing::sqlite();
    let mut conn = t.db.conn().unwrap();
    for (name, role, region) in list {
        accounts::create(
            &mut conn,
            &NewAccount {
                username: name,
                display_name: name,
                role: *role,
                region: *region,
                password: PASSWORD,
            },
            "t",
            now_ms(),
        )
        .unwrap();
    }
    t
}

/// Saves demo villages `(code, families, seed)` (numbers never shared between them) and
/// assesses everything on `today`.
pub fn demo_villages(
    t: &testing::TestDb,
    villages: &[(&str, usize, u64)],
    today: chrono::NaiveDate,
) {
    let mut conn = t.db.conn().unwrap();
    let ctx = WriteCtx {
        actor: "t".into(),
        reason: None,
        source: "demo".into(),
        now_ms: now_ms(),
    };
    let mut ids = puskesos_demo::DemoIds::default();
    for (village, families, seed) in villages {
        let opts = puskesos_demo::DemoOptions {
            village: KodeWilayah::parse(village).unwrap(),
            families: *families,
            seed: *seed,
            today,
        };
        let generated = puskesos_demo::generate_with(&opts, &mut ids);
        conn.transaction(|c| {
            for fam in generated {
                registry::save_family(c, &FamilyInput::whole(fam.values, fam.members), &ctx)?;
            }
            Ok::<_, puskesos_storage::StorageError>(())
        })
        .unwrap();
    }
    assessment::assess_all(&t.db, &Assessor::builtin(today), &Scope::default(), |_| {}).unwrap();
}

/// The application over the test database.
pub fn fixture(t: testing::TestDb) -> Fixture {
    let app = router(AppState {
        db: t.db.clone(),
        village: None,
        secure_cookies: false,
        files_dir: std::env::temp_dir()
            .join(format!("puskesos-web-test-{}", puskesos_storage::new_id())),
        rules: Rules::new(None),
        audit: puskesos_storage::audit_writer::AuditWriter::start(&t.db).unwrap(),
    });
    Fixture { t, app }
}

/// A session: `(cookie header, CSRF token)`.
pub fn login(f: &Fixture, user: &str) -> (String, String) {
    let mut conn = f.t.db.conn().unwrap();
    let s = accounts::login(&mut conn, user, PASSWORD, now_ms()).unwrap();
    (format!("puskesos_sesi={}", s.token), s.csrf_token)
}

/// What came back.
pub struct Reply {
    pub status: StatusCode,
    pub location: Option<String>,
    pub content_type: String,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One request; a body is sent as a form.
pub async fn request(
    f: &Fixture,
    method: Method,
    uri: &str,
    cookie: &str,
    body: Option<String>,
) -> Reply {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::COOKIE, cookie);
    if body.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    }
    let resp = f
        .app
        .clone()
        .oneshot(req.body(Body::from(body.unwrap_or_default())).unwrap())
        .await
        .unwrap();
    let header = |h| {
        resp.headers()
            .get(h)
            .map(|v: &axum::http::HeaderValue| v.to_str().unwrap().to_string())
    };
    let (status, location, content_type) = (
        resp.status(),
        header(header::LOCATION),
        header(header::CONTENT_TYPE).unwrap_or_default(),
    );
    let body = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Reply {
        status,
        location,
        content_type,
        body,
    }
}

/// Percent-encodes a form value.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub fn count(f: &Fixture, sql: &str) -> i64 {
    f.t.db.conn().unwrap().query_i64(sql, &[]).unwrap()
}
