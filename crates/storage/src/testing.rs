//! Real databases for tests: a fresh SQLite file and a fresh PostgreSQL database per call, so
//! every storage test runs on both engines.
//!
//! PostgreSQL comes from `PUSKESOS_TEST_PG` (default `postgres://postgres@127.0.0.1:5432/postgres`,
//! the admin connection used to create throw-away databases). When it cannot be reached the tests
//! fail and say so, unless `PUSKESOS_SKIP_PG=1`, in which case they print that PostgreSQL was
//! skipped: never a silent pass.

use std::path::PathBuf;

use crate::{Db, new_id};

pub const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A database that disappears when dropped.
pub struct TestDb {
    pub db: Db,
    pub label: &'static str,
    cleanup: Cleanup,
}

enum Cleanup {
    File(PathBuf),
    Database { admin_url: String, name: String },
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(p);
                }
            }
            Cleanup::Database { admin_url, name } => {
                // The pool still holds connections: FORCE ends them (PostgreSQL 13+). On a
                // thread of its own: the synchronous client may not block an async test's
                // runtime thread, where a test's database is often dropped.
                let (admin_url, name) = (admin_url.clone(), name.clone());
                let _ = std::thread::spawn(move || {
                    if let Ok(mut c) = postgres::Client::connect(&admin_url, postgres::NoTls) {
                        let _ = c
                            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                    }
                })
                .join();
            }
        }
    }
}

impl TestDb {
    /// The connection URL of a PostgreSQL test database (for tools such as `pg_dump`).
    pub fn url(&self) -> Option<String> {
        match &self.cleanup {
            Cleanup::Database { admin_url, name } => admin_url
                .rsplit_once('/')
                .map(|(base, _)| format!("{base}/{name}")),
            Cleanup::File(_) => None,
        }
    }
}

/// A fresh, migrated SQLite database in a temporary file.
pub fn sqlite() -> TestDb {
    let path = std::env::temp_dir().join(format!("puskesos-test-{}.sqlite", new_id()));
    let db = Db::open(path.to_str().expect("utf-8 temp path")).expect("open SQLite test database");
    TestDb {
        db,
        label: "sqlite",
        cleanup: Cleanup::File(path),
    }
}

/// A fresh, migrated PostgreSQL database, or `None` when skipping was asked for.
pub fn postgres() -> Option<TestDb> {
    let admin_url =
        std::env::var("PUSKESOS_TEST_PG").unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_string());
    let mut admin = match postgres::Client::connect(&admin_url, postgres::NoTls) {
        Ok(c) => c,
        Err(e) => {
            if std::env::var("PUSKESOS_SKIP_PG").as_deref() == Ok("1") {
                eprintln!(
                    "!!! PostgreSQL at {admin_url} is not reachable ({e}): PostgreSQL tests SKIPPED \
                     (PUSKESOS_SKIP_PG=1). Only SQLite was tested."
                );
                return None;
            }
            panic!(
                "PostgreSQL at {admin_url} is not reachable: {e}\n\
                 Start PostgreSQL (bash .ci/run does), point PUSKESOS_TEST_PG at a server, or set \
                 PUSKESOS_SKIP_PG=1 to test SQLite only."
            );
        }
    };
    let name = format!("puskesos_test_{}", new_id().replace('-', ""));
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create PostgreSQL test database");
    let url = match admin_url.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => panic!("PUSKESOS_TEST_PG must end in /database"),
    };
    let db = Db::open(&url).expect("open PostgreSQL test database");
    Some(TestDb {
        db,
        label: "postgres",
        cleanup: Cleanup::Database { admin_url, name },
    })
}

/// Both engines (PostgreSQL unless skipped), for tests that must hold on each.
pub fn all() -> Vec<TestDb> {
    let mut out = vec![sqlite()];
    out.extend(postgres());
    out
}
