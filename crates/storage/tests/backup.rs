//! Backups taken while the registry is being written restore to a sound, consistent registry;
//! a backup taken at rest restores every table exactly. On SQLite and PostgreSQL.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use puskesos_domain::wilayah::KodeWilayah;
use puskesos_storage::backup::{self, table_dump};
use puskesos_storage::registry::{self, FamilyInput, WriteCtx};
use puskesos_storage::{Db, Engine, testing};

/// `n` families of batch `seed`; batches never share a number (each skips the ones before).
fn families(n: usize, seed: u64) -> Vec<puskesos_demo::DemoFamily> {
    let mut ids = puskesos_demo::DemoIds::default();
    let mut out = Vec::new();
    for s in 1..=seed {
        out = puskesos_demo::generate_with(
            &puskesos_demo::DemoOptions {
                village: KodeWilayah::parse("33.12.01.2003").unwrap(),
                families: n,
                seed: s,
                today: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            },
            &mut ids,
        );
    }
    out
}

fn save(db: &Db, fams: Vec<puskesos_demo::DemoFamily>) {
    let ctx = WriteCtx {
        actor: "test".into(),
        reason: None,
        source: "test".into(),
        now_ms: 1_790_000_000_000,
    };
    let mut conn = db.conn().unwrap();
    // One transaction per family, as the forms and the import save them.
    for f in fams {
        conn.transaction(|c| {
            registry::save_family(c, &FamilyInput::whole(f.values, f.members), &ctx)
        })
        .unwrap();
    }
}

/// Families whose member count differs from the persons stored for them: a torn copy.
fn torn_families(db: &Db) -> i64 {
    db.conn()
        .unwrap()
        .query_i64(
            "SELECT COUNT(*) FROM families f WHERE f.jumlah_anggota <> \
             (SELECT COUNT(*) FROM persons p WHERE p.family_id = f.id)",
            &[],
        )
        .unwrap()
}

fn count(db: &Db, table: &str) -> i64 {
    db.conn()
        .unwrap()
        .query_i64(&format!("SELECT COUNT(*) FROM {table}"), &[])
        .unwrap()
}

fn pg_url(t: &testing::TestDb) -> String {
    t.url().expect("a PostgreSQL test database has a URL")
}

#[test]
fn a_backup_taken_during_writes_restores_sound_and_a_quiet_one_restores_every_table() {
    for t in testing::all() {
        save(&t.db, families(200, 1));
        let dir = tempfile::tempdir().unwrap();
        // A writer keeps saving families while the backup runs.
        let stop = Arc::new(AtomicBool::new(false));
        let writer = {
            let (db, stop) = (t.db.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut batch = 2;
                while !stop.load(Ordering::Relaxed) && batch < 40 {
                    save(&db, families(20, batch));
                    batch += 1;
                }
                batch
            })
        };
        std::thread::sleep(std::time::Duration::from_millis(50));
        let during = dir.path().join("during.bak");
        let before = count(&t.db, "families");
        match t.db.engine() {
            Engine::Sqlite => backup::backup_sqlite(&t.db, &during).unwrap(),
            Engine::Postgres => backup::backup_postgres(&pg_url(&t), &during).unwrap(),
        };
        stop.store(true, Ordering::Relaxed);
        let batches = writer.join().unwrap();
        assert!(batches > 2, "{}: the writer ran", t.label);
        let after = count(&t.db, "families");

        // Restored into a fresh registry of the same engine.
        let restored = match t.db.engine() {
            Engine::Sqlite => testing::sqlite(),
            Engine::Postgres => testing::postgres().unwrap(),
        };
        match t.db.engine() {
            Engine::Sqlite => {
                backup::restore_sqlite(&restored.db, &during).unwrap();
            }
            Engine::Postgres => backup::restore_postgres(&pg_url(&restored), &during).unwrap(),
        }
        let n = count(&restored.db, "families");
        assert!(
            n >= before && n <= after,
            "{}: {n} families, between {before} and {after}",
            t.label
        );
        assert_eq!(torn_families(&restored.db), 0, "{}: torn copy", t.label);
        let without_history = restored
            .db
            .conn()
            .unwrap()
            .query_i64(
                "SELECT COUNT(*) FROM families f WHERE NOT EXISTS \
                 (SELECT 1 FROM changes c WHERE c.family_id = f.id)",
                &[],
            )
            .unwrap();
        let orphan_history = restored
            .db
            .conn()
            .unwrap()
            .query_i64(
                "SELECT COUNT(*) FROM changes c WHERE NOT EXISTS \
                 (SELECT 1 FROM families f WHERE f.id = c.family_id)",
                &[],
            )
            .unwrap();
        assert_eq!(
            (without_history, orphan_history),
            (0, 0),
            "{}: a family and its change set are one save",
            t.label
        );

        // At rest: every table, every row.
        let quiet = dir.path().join("quiet.bak");
        let again = match t.db.engine() {
            Engine::Sqlite => testing::sqlite(),
            Engine::Postgres => testing::postgres().unwrap(),
        };
        match t.db.engine() {
            Engine::Sqlite => {
                backup::backup_sqlite(&t.db, &quiet).unwrap();
                backup::restore_sqlite(&again.db, &quiet).unwrap();
            }
            Engine::Postgres => {
                backup::backup_postgres(&pg_url(&t), &quiet).unwrap();
                backup::restore_postgres(&pg_url(&again), &quiet).unwrap();
            }
        }
        let (a, b) = (table_dump(&t.db).unwrap(), table_dump(&again.db).unwrap());
        assert!(a.len() > 10, "{}: {} tables", t.label, a.len());
        for ((ta, ra), (tb, rb)) in a.iter().zip(&b) {
            assert_eq!(ta, tb, "{}", t.label);
            assert_eq!(ra, rb, "{}: table {ta} differs after restore", t.label);
        }
        assert_eq!(a.len(), b.len(), "{}", t.label);
        // An existing file is never overwritten.
        let e = match t.db.engine() {
            Engine::Sqlite => backup::backup_sqlite(&t.db, &quiet).unwrap_err(),
            Engine::Postgres => backup::backup_postgres(&pg_url(&t), &quiet).unwrap_err(),
        };
        assert!(e.to_string().contains("already exists"), "{e}");
    }
}

#[test]
fn a_file_that_is_not_a_sound_registry_is_refused_before_anything_is_replaced() {
    let t = testing::sqlite();
    save(&t.db, families(5, 1));
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.bak");
    std::fs::write(&junk, b"this is not a database").unwrap();
    assert!(backup::restore_sqlite(&t.db, &junk).is_err());
    let empty = dir.path().join("empty.sqlite");
    rusqlite_free_file(&empty);
    let e = backup::restore_sqlite(&t.db, &empty).unwrap_err();
    assert!(e.to_string().contains("not a Puskesos database"), "{e}");
    assert_eq!(count(&t.db, "families"), 5, "nothing replaced");
}

/// An SQLite file that is sound but is no registry (no tables).
fn rusqlite_free_file(path: &std::path::Path) {
    let t = testing::sqlite();
    let mut c = t.db.conn().unwrap();
    c.batch(&format!("VACUUM INTO '{}'", path.display()))
        .unwrap();
    drop(c);
    // Make it a file without the registry's migrations table.
    let other = Db::open(path.to_str().unwrap()).unwrap();
    other
        .conn()
        .unwrap()
        .batch("DROP TABLE schema_migrations")
        .unwrap();
}
