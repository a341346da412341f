//! Repeated reads of one page by one account within a minute fold into one row with their
//! count; another account, another page or a read after the window is a row of its own.

use puskesos_storage::audit::{AuditAction, AuditEntity, AuditEvent};
use puskesos_storage::audit_writer::{AuditWriter, FOLD_WINDOW_MS};
use puskesos_storage::{Db, testing};

fn rows(db: &Db) -> Vec<(String, String, Option<String>)> {
    db.conn()
        .unwrap()
        .query(
            "SELECT actor, entity_id, detail FROM audit_log ORDER BY at, id",
            &[],
        )
        .unwrap()
        .into_iter()
        .map(|r| {
            let mut it = r.into_iter();
            (
                it.next().unwrap().into_string().unwrap(),
                it.next().unwrap().into_string().unwrap(),
                it.next().unwrap().into_string(),
            )
        })
        .collect()
}

fn read(writer: &AuditWriter, actor: &str, page: &str, now: i64) {
    let (done, wait) = std::sync::mpsc::sync_channel(1);
    let event = AuditEvent::new(AuditAction::Read, AuditEntity::Page, page)
        .by(actor)
        .in_village("33.12.01.2003");
    writer
        .submit_folded(
            event,
            now,
            Box::new(move |r| {
                let _ = done.send(r);
            }),
        )
        .unwrap();
    wait.recv().unwrap().unwrap();
}

#[test]
fn repeated_reads_fold_into_one_row_with_their_count() {
    for t in testing::all() {
        let writer = AuditWriter::start(&t.db).unwrap();
        let t0 = 1_790_000_000_000;
        for i in 0..5 {
            read(&writer, "user:siti", "/registri?q=sri", t0 + i * 1000);
        }
        read(&writer, "user:budi", "/registri?q=sri", t0 + 2000);
        read(&writer, "user:siti", "/registri?q=wahyuni", t0 + 3000);
        assert_eq!(
            rows(&t.db).len(),
            3,
            "{}: one row per account and page",
            t.label
        );
        // After the window the next read is a row again, and the four repeats are written.
        read(
            &writer,
            "user:siti",
            "/registri?q=sri",
            t0 + FOLD_WINDOW_MS + 1,
        );
        // The repeats' row goes in the writer's next group: give it a moment.
        std::thread::sleep(std::time::Duration::from_millis(200));
        let all = rows(&t.db);
        assert_eq!(all.len(), 5, "{}: {all:?}", t.label);
        assert!(
            all.iter().any(|(a, p, d)| a == "user:siti"
                && p == "/registri?q=sri"
                && d.as_deref() == Some("repeats=4 within 60 s")),
            "{}: {all:?}",
            t.label
        );
    }
}

/// A family read on its page and the same family read through the API are two reads: each has
/// its row, and a repeat folds only with the read from the same place, whose detail its count
/// row keeps.
#[test]
fn a_family_read_folds_per_place_it_was_read_from() {
    for t in testing::all() {
        let writer = AuditWriter::start(&t.db).unwrap();
        let t0 = 1_790_000_000_000;
        let view = |via: &str, now: i64| {
            let (done, wait) = std::sync::mpsc::sync_channel(1);
            let event = AuditEvent::new(AuditAction::View, AuditEntity::Family, "fam-1")
                .by("user:siti")
                .in_village("33.12.01.2003")
                .detail(via);
            writer
                .submit_folded(
                    event,
                    now,
                    Box::new(move |r| {
                        let _ = done.send(r);
                    }),
                )
                .unwrap();
            wait.recv().unwrap().unwrap();
        };
        view("web", t0);
        view("api", t0 + 1000);
        view("api:kelayakan", t0 + 2000);
        view("web", t0 + 3000);
        let first: Vec<_> = rows(&t.db).into_iter().map(|(_, _, d)| d).collect();
        assert_eq!(
            first,
            vec![
                Some("web".to_string()),
                Some("api".to_string()),
                Some("api:kelayakan".to_string())
            ],
            "{}: one row per place, the page's repeat folded",
            t.label
        );
        view("web", t0 + FOLD_WINDOW_MS + 1);
        std::thread::sleep(std::time::Duration::from_millis(200));
        let all = rows(&t.db);
        assert_eq!(all.len(), 5, "{}: {all:?}", t.label);
        assert!(
            all.iter()
                .any(|(_, id, d)| id == "fam-1"
                    && d.as_deref() == Some("web; repeats=1 within 60 s")),
            "{}: {all:?}",
            t.label
        );
    }
}
