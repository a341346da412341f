//! The audit log's hash chain (issue 21) on SQLite and PostgreSQL: writers in parallel (single
//! rows, the group-commit writer, a rolled-back transaction) leave one unbroken chain; a changed,
//! a deleted and a removed newest row are each found by id; archiving moves old rows to a file
//! that verifies on its own and leaves the stored chain verifiable from its new anchor.

use puskesos_storage::audit::{self, AuditAction, AuditEntity, AuditEvent, ChainFault};
use puskesos_storage::audit_writer::AuditWriter;
use puskesos_storage::{Db, testing};

fn event(i: usize) -> AuditEvent {
    AuditEvent::new(
        AuditAction::View,
        AuditEntity::Family,
        &format!("keluarga-{i}"),
    )
    .by("user:siti")
    .in_village("33.12.01.2003")
    .detail(&format!("baca {i}"))
}

fn count(db: &Db) -> i64 {
    db.conn()
        .unwrap()
        .query_i64("SELECT COUNT(*) FROM audit_log", &[])
        .unwrap()
}

/// The ids of the stored rows in chain order.
fn ids(db: &Db) -> Vec<String> {
    db.conn()
        .unwrap()
        .query("SELECT id FROM audit_log ORDER BY seq", &[])
        .unwrap()
        .into_iter()
        .map(|r| r[0].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn parallel_writers_leave_one_unbroken_chain() {
    for t in testing::all() {
        let writer = AuditWriter::start(&t.db).unwrap();
        std::thread::scope(|s| {
            for w in 0..4 {
                let db = t.db.clone();
                s.spawn(move || {
                    let mut c = db.conn().unwrap();
                    for i in 0..40 {
                        audit::record(&mut c, &event(w * 1000 + i)).unwrap();
                    }
                });
            }
            for w in 0..2 {
                let writer = writer.clone();
                s.spawn(move || {
                    for i in 0..60 {
                        writer.record(event(10_000 + w * 1000 + i)).unwrap();
                    }
                });
            }
            // A transaction that writes audit rows and then fails takes its rows and its move
            // of the chain head back with it.
            let db = t.db.clone();
            s.spawn(move || {
                let mut c = db.conn().unwrap();
                for i in 0..10 {
                    let r: Result<(), puskesos_storage::StorageError> = c.transaction(|c| {
                        audit::record(c, &event(20_000 + i))?;
                        audit::record(c, &event(20_500 + i))?;
                        Err(puskesos_storage::StorageError::Config("undone".into()))
                    });
                    assert!(r.is_err());
                }
            });
        });
        drop(writer);
        let total = count(&t.db);
        assert_eq!(total, 4 * 40 + 2 * 60, "{}", t.label);
        let report = audit::verify(&mut t.db.conn().unwrap()).unwrap();
        assert_eq!(report.fault, None, "{}", t.label);
        assert_eq!(report.rows as i64, total, "{}", t.label);
        assert_eq!(report.head_seq, total, "{}", t.label);
    }
}

#[test]
fn a_changed_or_deleted_row_is_found_by_id() {
    for t in testing::all() {
        let mut c = t.db.conn().unwrap();
        for i in 0..20 {
            audit::record(&mut c, &event(i)).unwrap();
        }
        assert_eq!(audit::verify(&mut c).unwrap().fault, None);
        let ids = ids(&t.db);

        // A detail rewritten in place.
        c.execute(
            "UPDATE audit_log SET detail = 'tidak dibaca' WHERE id = $1",
            &[ids[7].as_str().into()],
        )
        .unwrap();
        assert_eq!(
            audit::verify(&mut c).unwrap().fault,
            Some(ChainFault::Changed {
                seq: 8,
                id: ids[7].clone()
            }),
            "{}",
            t.label
        );
        c.execute(
            "UPDATE audit_log SET detail = 'baca 7' WHERE id = $1",
            &[ids[7].as_str().into()],
        )
        .unwrap();
        assert_eq!(audit::verify(&mut c).unwrap().fault, None, "{}", t.label);

        // A row deleted in the middle: the gap is named by the row after it.
        c.execute(
            "DELETE FROM audit_log WHERE id = $1",
            &[ids[12].as_str().into()],
        )
        .unwrap();
        assert_eq!(
            audit::verify(&mut c).unwrap().fault,
            Some(ChainFault::Missing {
                seq: 13,
                next_id: Some(ids[13].clone())
            }),
            "{}",
            t.label
        );
    }
    // The newest row deleted: the head says it was there.
    let t = testing::sqlite();
    let mut c = t.db.conn().unwrap();
    for i in 0..5 {
        audit::record(&mut c, &event(i)).unwrap();
    }
    let last = ids(&t.db).pop().unwrap();
    c.execute(
        "DELETE FROM audit_log WHERE id = $1",
        &[last.as_str().into()],
    )
    .unwrap();
    assert_eq!(
        audit::verify(&mut c).unwrap().fault,
        Some(ChainFault::Missing {
            seq: 5,
            next_id: None
        })
    );
    // A row written around the chain.
    c.execute(
        "INSERT INTO audit_log (kode_wilayah, id, at, actor, action, entity, entity_id) \
         VALUES ('33.12.01.2003', 'sisipan', 1, 'x', 'view', 'family', 'k')",
        &[],
    )
    .unwrap();
    assert_eq!(
        audit::verify(&mut c).unwrap().fault,
        Some(ChainFault::Unchained {
            id: "sisipan".into()
        })
    );
}

#[test]
fn archiving_moves_old_rows_and_keeps_the_chain_verifiable() {
    for t in testing::all() {
        let mut c = t.db.conn().unwrap();
        for i in 0..30 {
            audit::record(&mut c, &event(i)).unwrap();
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
        let cut = puskesos_storage::now_ms();
        std::thread::sleep(std::time::Duration::from_millis(5));
        for i in 30..40 {
            audit::record(&mut c, &event(i)).unwrap();
        }
        let mut file = Vec::new();
        let mut flushed = 0;
        let header = audit::archive(&mut c, cut, &mut file, |_| {
            flushed += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(flushed, 1);
        assert_eq!(
            (header.rows, header.anchor_seq, header.end_seq),
            (30, 0, 30)
        );
        assert_eq!(count(&t.db), 10, "{}", t.label);
        let report = audit::verify(&mut c).unwrap();
        assert_eq!(report.fault, None, "{}", t.label);
        assert_eq!(
            (report.anchor_seq, report.rows, report.head_seq),
            (30, 10, 40)
        );
        // The file verifies on its own and ends where the stored chain now starts.
        let checked = audit::verify_archive(std::io::Cursor::new(&file))
            .unwrap()
            .unwrap();
        assert_eq!(checked.end_hash, report.anchor_hash);
        // A row changed in the file is found there.
        let text = String::from_utf8(file.clone()).unwrap();
        let forged = text.replacen("baca 3\"", "baca 4\"", 1);
        assert!(matches!(
            audit::verify_archive(std::io::Cursor::new(forged.as_bytes())).unwrap(),
            Err(ChainFault::Changed { seq: 4, .. })
        ));
        // New rows go on chaining after the archive, and a second archive starts at the anchor.
        audit::record(&mut c, &event(99)).unwrap();
        let mut second = Vec::new();
        let h2 = audit::archive(&mut c, i64::MAX, &mut second, |_| Ok(())).unwrap();
        assert_eq!((h2.anchor_seq, h2.end_seq, h2.rows), (30, 41, 11));
        assert_eq!(h2.anchor_hash, checked.end_hash);
        assert_eq!(count(&t.db), 0);
        assert_eq!(audit::verify(&mut c).unwrap().fault, None, "{}", t.label);
        // The head row survives an empty log: the next row still chains from it.
        audit::record(&mut c, &event(100)).unwrap();
        let r = audit::verify(&mut c).unwrap();
        assert_eq!((r.fault, r.head_seq, r.rows), (None, 42, 1));
    }
}
