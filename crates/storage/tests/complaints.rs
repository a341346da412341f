//! Complaint tickets on SQLite and PostgreSQL: receipt, escalation, a decision by the district,
//! and the public lookup that shows only status and dates and locks a guessed ticket.

use puskesos_domain::access::Role;
use puskesos_domain::complaints::{Action, Category, Status, StepError};
use puskesos_storage::complaints::{self, Lookup, NewComplaint, TICKET_FAILURES};
use puskesos_storage::testing;

const VILLAGE: &str = "33.12.01.2003";

#[test]
fn a_complaint_from_receipt_to_decision_and_its_public_status() {
    for t in testing::all() {
        let mut conn = t.db.conn().unwrap();
        let now = 1_767_225_600_000;
        let new = NewComplaint {
            village: VILLAGE.into(),
            category: Some(Category::Pengaduan),
            program: Some("bpnt".into()),
            summary: "Sudah desil 2 tetapi tidak menerima Sembako".into(),
            contact_name: Some("Sukinem".into()),
            contact_phone: Some("0812 3456 7890".into()),
        };
        let (c, code) = complaints::open(&mut conn, &new, "user:fo", Role::PenerimaInformasi, now)
            .unwrap()
            .unwrap();
        assert_eq!(c.ticket.len(), 8);
        assert_eq!(code.len(), 6);
        assert_eq!(c.deadline_at, now + 14 * 86_400_000, "{}", t.label);
        // The resident's lookup: status and dates only (the struct has no other fields).
        match complaints::public_status(&mut conn, &c.ticket.to_lowercase(), &code, "a", now + 1)
            .unwrap()
        {
            Lookup::Found(s) => {
                assert_eq!(
                    (s.status, s.category),
                    (Status::Diterima, Category::Pengaduan)
                );
                let shown = serde_json::to_string(&s).unwrap();
                assert!(
                    !shown.contains("Sukinem")
                        && !shown.contains("0812")
                        && !shown.contains("Sembako")
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            complaints::act(
                &mut conn,
                VILLAGE,
                &c.id,
                Action::Resolve,
                Role::DinasSosial,
                "user:d",
                "x",
                now + 2
            )
            .unwrap(),
            Err(StepError::NotPermitted),
            "the district decides only escalated complaints"
        );
        complaints::act(
            &mut conn,
            VILLAGE,
            &c.id,
            Action::Process,
            Role::PenerimaInformasi,
            "user:fo",
            "",
            now + 3,
        )
        .unwrap()
        .unwrap();
        complaints::act(
            &mut conn,
            VILLAGE,
            &c.id,
            Action::Escalate,
            Role::Ketua,
            "user:k",
            "data DTSEN perlu dicek dinas",
            now + 4,
        )
        .unwrap()
        .unwrap();
        complaints::act(
            &mut conn,
            VILLAGE,
            &c.id,
            Action::Resolve,
            Role::DinasSosial,
            "user:d",
            "diusulkan sebagai penerima baru",
            now + 5,
        )
        .unwrap()
        .unwrap();
        let done = complaints::by_id(&mut conn, VILLAGE, &c.id)
            .unwrap()
            .unwrap();
        assert_eq!(done.status, Status::Selesai);
        assert_eq!(
            (done.escalated_at, done.resolved_at),
            (Some(now + 4), Some(now + 5))
        );
        assert_eq!(
            done.decision.as_deref(),
            Some("diusulkan sebagai penerima baru")
        );
        // The resident sees the answer once it is settled.
        match complaints::public_status(&mut conn, &c.ticket, &code, "a", now + 6).unwrap() {
            Lookup::Found(s) => assert_eq!(
                (s.status, s.decision.as_deref()),
                (Status::Selesai, Some("diusulkan sebagai penerima baru"))
            ),
            other => panic!("{}: {other:?}", t.label),
        }
        // Guessing codes locks the ticket for the guessing client, even for the right code
        // afterwards ...
        for i in 0..TICKET_FAILURES {
            assert_eq!(
                complaints::public_status(&mut conn, &c.ticket, "000000", "tebak", now + 10 + i)
                    .unwrap(),
                Lookup::NotFound
            );
        }
        assert_eq!(
            complaints::public_status(&mut conn, &c.ticket, &code, "tebak", now + 20).unwrap(),
            // Free again 15 minutes after the first wrong guess.
            Lookup::Limited(now + 10 + 15 * 60_000)
        );
        // ... but not for the resident, who has the right code on another phone.
        assert!(matches!(
            complaints::public_status(&mut conn, &c.ticket, &code, "warga", now + 21).unwrap(),
            Lookup::Found(_)
        ));
        // A client spraying wrong tickets is stopped after its own limit; others are not.
        for i in 0..complaints::CLIENT_FAILURES_PER_MINUTE {
            let _ =
                complaints::public_status(&mut conn, &format!("X{i:07}"), "1", "semprot", now + 30);
        }
        assert_eq!(
            complaints::public_status(&mut conn, &c.ticket, &code, "semprot", now + 31).unwrap(),
            Lookup::Limited(now + 30 + 60_000)
        );
        assert!(matches!(
            complaints::public_status(&mut conn, &c.ticket, &code, "warga", now + 32).unwrap(),
            Lookup::Found(_)
        ));
        // ... until the window has passed.
        assert!(matches!(
            complaints::public_status(&mut conn, &c.ticket, &code, "tebak", now + 16 * 60_000)
                .unwrap(),
            Lookup::Found(_)
        ));
        assert_eq!(
            complaints::public_status(&mut conn, "ZZZZZZZZ", &code, "tebak", now + 16 * 60_000)
                .unwrap(),
            Lookup::NotFound
        );
        assert!(
            conn.query_i64("SELECT COUNT(*) FROM status_lookups", &[])
                .unwrap()
                >= 9,
            "every attempt recorded"
        );
        // Lookups serve only the limits: a day later they are gone.
        let _ =
            complaints::public_status(&mut conn, &c.ticket, &code, "warga", now + 2 * 86_400_000);
        assert_eq!(
            conn.query_i64("SELECT COUNT(*) FROM status_lookups", &[])
                .unwrap(),
            1,
            "pruned"
        );
    }
}
