//! What the web tests share: a fresh registry on each engine with accounts, demo villages saved
//! and assessed, the application over it (`TestApp`, built by `App::build` as `serve` builds
//! it), logging in, and one request helper.
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
use puskesos_web::{App, AppState, Rules};
use tower::ServiceExt;

pub const PASSWORD: &str = "kopi-tubruk-jam-tujuh";

/// The application over a test database.
pub struct TestApp {
    pub t: Held<testing::TestDb>,
    pub app: Held<axum::Router>,
}

/// A value dropped on a blocking-allowed thread: the database pool's PostgreSQL connections may
/// not be closed on a runtime thread, and a test's app and database are dropped inside its async
/// body (also when an assertion fails).
pub struct Held<T: Send + 'static>(Option<T>);

impl<T: Send + 'static> Drop for Held<T> {
    fn drop(&mut self) {
        if let Some(v) = self.0.take() {
            sync(move || drop(v));
        }
    }
}

impl<T: Send + 'static> Held<T> {
    pub fn new(value: T) -> Held<T> {
        Held(Some(value))
    }

    /// The value, for a `Drop` that hands it to [`sync`].
    pub fn take(&mut self) -> Option<T> {
        self.0.take()
    }
}

impl<T: Send + 'static> std::ops::Deref for Held<T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.0.as_ref().expect("held until dropped")
    }
}

pub type Fixture = TestApp;

/// A fresh database on every engine the run tests (SQLite, and PostgreSQL unless skipped),
/// each made when the loop reaches it (a database made ahead would be dropped on a runtime
/// thread if the test fails first).
pub fn databases() -> impl Iterator<Item = testing::TestDb> {
    [false, true].into_iter().filter_map(|pg| {
        if pg {
            sync(testing::postgres)
        } else {
            Some(sync(testing::sqlite))
        }
    })
}

/// The synchronous PostgreSQL client must not block a runtime thread: the tests' own database
/// work goes through here (the tests run on the multi-threaded runtime).
pub fn sync<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(_) => tokio::task::block_in_place(f),
        Err(_) => f(),
    }
}

/// A fresh database with these accounts `(username, role, region)`, all with [`PASSWORD`].
pub fn with_accounts(t: testing::TestDb, list: &[(&str, Role, Option<&str>)]) -> testing::TestDb {
    sync(|| add_accounts(&t, list));
    t
}

fn add_accounts(t: &testing::TestDb, list: &[(&str, Role, Option<&str>)]) {
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
}

/// Saves demo villages `(code, families, seed)` (numbers never shared between them) and
/// assesses everything on `today`.
pub fn demo_villages(
    t: &testing::TestDb,
    villages: &[(&str, usize, u64)],
    today: chrono::NaiveDate,
) {
    sync(|| save_demo_villages(t, villages, today))
}

fn save_demo_villages(
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
    let audit = sync(|| puskesos_storage::audit_writer::AuditWriter::start(&t.db).unwrap());
    let app = App::build(AppState {
        db: t.db.clone(),
        village: None,
        secure_cookies: false,
        public_url: "http://127.0.0.1:8080".into(),
        trust_proxy: false,
        files_dir: std::env::temp_dir()
            .join(format!("puskesos-web-test-{}", puskesos_storage::new_id())),
        rules: Rules::new(None),
        audit,
    });
    Fixture {
        t: Held(Some(t)),
        app: Held(Some(app)),
    }
}

/// A session: `(cookie header, CSRF token)`.
pub fn login(f: &Fixture, user: &str) -> (String, String) {
    let s = sync(|| {
        let mut conn = f.t.db.conn().unwrap();
        accounts::login(&mut conn, user, PASSWORD, now_ms()).unwrap()
    });
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
/// Form fields as an `application/x-www-form-urlencoded` body.
pub fn form_body(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

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
    sync(|| f.t.db.conn().unwrap().query_i64(sql, &[]).unwrap())
}

/// The first column of the first row of a query, as text.
pub fn first_text(f: &Fixture, sql: &str) -> String {
    sync(|| {
        f.t.db.conn().unwrap().query(sql, &[]).unwrap()[0][0]
            .as_str()
            .unwrap()
            .to_string()
    })
}

/// A report CSV read as Excel in Indonesian settings reads it: the BOM dropped, `;` between
/// fields, an identifier's `="..."` as its text.
pub fn excel_rows(body: &[u8]) -> Vec<Vec<String>> {
    let body = body
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .expect("no UTF-8 BOM");
    csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .from_reader(body)
        .records()
        .map(|r| {
            r.unwrap()
                .iter()
                .map(|c| {
                    c.strip_prefix("=\"")
                        .and_then(|c| c.strip_suffix('"'))
                        .unwrap_or(c)
                        .to_string()
                })
                .collect()
        })
        .collect()
}
