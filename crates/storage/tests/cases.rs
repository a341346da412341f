//! SLRT cases on SQLite and on PostgreSQL: a walk-in from intake to closing, each step by the
//! role the flow names; a step out of order or by the wrong role changes nothing and is recorded.

use puskesos_domain::access::Role;
use puskesos_domain::cases::{Sector, State, Step, StepError};
use puskesos_storage::cases::{self, NewCase};
use puskesos_storage::testing;

const VILLAGE: &str = "33.12.01.2003";

fn walk_in() -> NewCase {
    NewCase {
        village: VILLAGE.into(),
        channel: "datang".into(),
        sector: Some(Sector::Kesehatan),
        summary: "Anak demam tinggi, belum punya BPJS".into(),
        contact_name: Some("Wagiyem".into()),
        contact_address: Some("Dusun Pucung RT 001/RW 002".into()),
        consent_purpose: "rujukan layanan kesehatan dan pengusulan PBI-JKN".into(),
        ..NewCase::default()
    }
}

#[test]
fn a_walk_in_from_intake_to_closing() {
    for t in testing::all() {
        let mut conn = t.db.conn().unwrap();
        let now = 1_767_225_600_000; // 2026-01-01
        let case = cases::open(
            &mut conn,
            &walk_in(),
            "user:fo",
            Role::PenerimaInformasi,
            now,
        )
        .unwrap()
        .unwrap();
        assert_eq!(case.nomor, "K-2026-0001", "{}", t.label);
        assert_eq!(case.state, State::Registered);
        let second = cases::open(
            &mut conn,
            &walk_in(),
            "user:fo",
            Role::PenerimaInformasi,
            now,
        )
        .unwrap()
        .unwrap();
        assert_eq!(second.nomor, "K-2026-0002");
        let steps = [
            (Step::Assign, Role::PenerimaInformasi, ""),
            (
                Step::Recommend,
                Role::BagianKesehatan,
                "rujuk ke puskesmas, usulkan PBI",
            ),
            (Step::ReturnForCorrection, Role::Ketua, "lengkapi NIK anak"),
            (Step::Recommend, Role::BagianKesehatan, "NIK dilengkapi"),
            (Step::Decide, Role::KepalaDesa, "disetujui"),
            (
                Step::Refer,
                Role::ReviewAnalisis,
                "surat rujukan ke Puskesmas Pracimantoro",
            ),
            (Step::FollowUp, Role::BagianKesehatan, "sudah dilayani"),
            (Step::Close, Role::Ketua, ""),
        ];
        for (i, (step, role, note)) in steps.iter().enumerate() {
            let got = cases::take_step(
                &mut conn,
                VILLAGE,
                &case.id,
                *step,
                *role,
                "user:x",
                note,
                now + i as i64 + 1,
            )
            .unwrap();
            assert!(got.is_ok(), "{} {step:?} by {role:?}: {got:?}", t.label);
        }
        let closed = cases::by_id(&mut conn, VILLAGE, &case.id).unwrap().unwrap();
        assert_eq!(closed.state, State::Closed);
        let events = cases::events(&mut conn, VILLAGE, &case.id).unwrap();
        assert_eq!(events.len(), steps.len() + 1, "the opening and every step");
        assert_eq!(events[3].note.as_deref(), Some("lengkapi NIK anak"));
        assert_eq!(events[3].to_state, "returned");
        // Out of order (closed already) and wrong role: refused, nothing changed, recorded.
        let refused = conn
            .query_i64(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'step-refused'",
                &[],
            )
            .unwrap();
        assert_eq!(
            cases::take_step(
                &mut conn,
                VILLAGE,
                &case.id,
                Step::Refer,
                Role::Ketua,
                "user:k",
                "x",
                now + 99
            )
            .unwrap(),
            Err(StepError::OutOfOrder)
        );
        assert_eq!(
            cases::take_step(
                &mut conn,
                VILLAGE,
                &second.id,
                Step::Assign,
                Role::DinasSosial,
                "user:d",
                "",
                now + 99
            )
            .unwrap(),
            Err(StepError::NotPermitted)
        );
        assert_eq!(
            cases::take_step(
                &mut conn,
                VILLAGE,
                &second.id,
                Step::Refuse,
                Role::Ketua,
                "user:k",
                " ",
                now + 99
            )
            .unwrap(),
            Err(StepError::NoteRequired)
        );
        assert_eq!(
            conn.query_i64(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'step-refused'",
                &[]
            )
            .unwrap(),
            refused + 3
        );
        assert_eq!(
            cases::by_id(&mut conn, VILLAGE, &second.id)
                .unwrap()
                .unwrap()
                .state,
            State::Registered
        );
        assert_eq!(
            cases::events(&mut conn, VILLAGE, &second.id).unwrap().len(),
            1
        );
        // Worklists: the open case waits for the front office to hand it on, not for the Ketua.
        let fo = cases::open_cases(&mut conn, VILLAGE, Some(Role::PenerimaInformasi)).unwrap();
        assert_eq!(
            fo.iter().map(|c| c.nomor.as_str()).collect::<Vec<_>>(),
            ["K-2026-0002"]
        );
        assert!(
            cases::open_cases(&mut conn, VILLAGE, Some(Role::KepalaDesa))
                .unwrap()
                .is_empty()
        );
        // Another village sees none of it.
        assert!(
            cases::by_id(&mut conn, "33.12.01.2001", &case.id)
                .unwrap()
                .is_none()
        );
    }
}

#[test]
fn intake_needs_a_person_a_sector_a_need_and_consent() {
    for t in testing::all() {
        let mut conn = t.db.conn().unwrap();
        let check = |conn: &mut puskesos_storage::Conn, c: NewCase, field: &str| {
            let e = cases::open(conn, &c, "u", Role::PenerimaInformasi, 1)
                .unwrap()
                .unwrap_err();
            assert_eq!(e.field, field);
        };
        check(
            &mut conn,
            NewCase {
                sector: None,
                ..walk_in()
            },
            "sector",
        );
        check(
            &mut conn,
            NewCase {
                contact_name: Some("  ".into()),
                ..walk_in()
            },
            "contact_name",
        );
        check(
            &mut conn,
            NewCase {
                consent_purpose: String::new(),
                ..walk_in()
            },
            "consent_purpose",
        );
        check(
            &mut conn,
            NewCase {
                summary: " ".into(),
                ..walk_in()
            },
            "summary",
        );
        check(
            &mut conn,
            NewCase {
                channel: "merpati".into(),
                ..walk_in()
            },
            "channel",
        );
        assert_eq!(
            conn.query_i64("SELECT COUNT(*) FROM cases", &[]).unwrap(),
            0,
            "nothing half-saved"
        );
    }
}

/// A case whose stored state is not a known code makes the queue fail with an error naming the
/// table and the case, instead of vanishing from it.
#[test]
fn a_case_that_cannot_be_read_is_an_error_not_a_gap_in_the_queue() {
    for t in testing::all() {
        let mut conn = t.db.conn().unwrap();
        let now = 1_767_225_600_000;
        let good = cases::open(
            &mut conn,
            &walk_in(),
            "user:fo",
            Role::PenerimaInformasi,
            now,
        )
        .unwrap()
        .unwrap();
        let bad = cases::open(
            &mut conn,
            &walk_in(),
            "user:fo",
            Role::PenerimaInformasi,
            now,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            cases::open_cases(&mut conn, VILLAGE, None).unwrap().len(),
            2
        );
        conn.execute(
            "UPDATE cases SET state = 'hilang' WHERE kode_wilayah = $1 AND id = $2",
            &[VILLAGE.into(), bad.id.as_str().into()],
        )
        .unwrap();
        let err = cases::open_cases(&mut conn, VILLAGE, None).unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(err, puskesos_storage::StorageError::Corrupt(_)),
            "{}: {text}",
            t.label
        );
        assert!(text.contains("cases"), "{}: {text}", t.label);
        assert!(text.contains(&bad.id), "{}: {text}", t.label);
        assert!(text.contains("hilang"), "{}: {text}", t.label);
        assert!(!text.contains(&good.id), "{}: {text}", t.label);
        // The case on its own too, rather than "not found".
        assert!(matches!(
            cases::by_id(&mut conn, VILLAGE, &bad.id),
            Err(puskesos_storage::StorageError::Corrupt(_))
        ));
        assert!(
            cases::by_id(&mut conn, VILLAGE, &good.id)
                .unwrap()
                .is_some()
        );
    }
}
