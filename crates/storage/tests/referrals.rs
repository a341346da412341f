//! Referrals on SQLite and PostgreSQL: a decided case referred to a provider of the directory,
//! the provider answers through the link; a forged or expired link changes nothing and is
//! recorded; an unanswered referral past its due date is overdue.

use puskesos_domain::access::Role;
use puskesos_domain::cases::{Sector, State, Step};
use puskesos_storage::cases::{self, NewCase};
use puskesos_storage::{referrals, testing};

const VILLAGE: &str = "33.12.01.2003";
const DAY: i64 = 86_400_000;

#[test]
fn refer_answer_and_refuse_forged_or_expired_links() {
    for t in testing::all() {
        let mut conn = t.db.conn().unwrap();
        let now = 1_767_225_600_000;
        let new = NewCase {
            village: VILLAGE.into(),
            channel: "datang".into(),
            sector: Some(Sector::Kesehatan),
            summary: "Anak demam tinggi".into(),
            contact_name: Some("Wagiyem".into()),
            consent_purpose: "rujukan".into(),
            ..NewCase::default()
        };
        let case = cases::open(&mut conn, &new, "u", Role::PenerimaInformasi, now)
            .unwrap()
            .unwrap();
        for (step, role, note) in [
            (Step::Assign, Role::PenerimaInformasi, ""),
            (Step::Recommend, Role::BagianKesehatan, "ke puskesmas"),
            (Step::Decide, Role::KepalaDesa, "setuju"),
        ] {
            cases::take_step(&mut conn, VILLAGE, &case.id, step, role, "u", note, now)
                .unwrap()
                .unwrap();
        }
        let p = referrals::add_provider(
            &mut conn,
            VILLAGE,
            "Puskesmas Pracimantoro",
            "puskesmas",
            Some("0273 123"),
            "u",
            now,
        )
        .unwrap()
        .unwrap();
        assert!(
            referrals::add_provider(&mut conn, VILLAGE, "X", "dukun", None, "u", now)
                .unwrap()
                .is_none()
        );
        // Referring is the case's `refer` step and the referral in one transaction.
        let wrong = cases::refer(
            &mut conn,
            VILLAGE,
            &case.id,
            Role::KepalaDesa,
            "u",
            "x",
            &p.id,
            14,
            now,
        )
        .unwrap();
        assert!(wrong.is_err(), "the Kepala Desa does not send referrals");
        let (r, token) = cases::refer(
            &mut conn,
            VILLAGE,
            &case.id,
            Role::ReviewAnalisis,
            "u",
            "surat rujukan",
            &p.id,
            14,
            now,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            cases::by_id(&mut conn, VILLAGE, &case.id)
                .unwrap()
                .unwrap()
                .state,
            State::Referred,
            "{}",
            t.label
        );
        assert_eq!(r.provider, "Puskesmas Pracimantoro");
        assert!(!r.overdue(now + 13 * DAY) && r.overdue(now + 15 * DAY));
        // Forged and expired links: refused and recorded.
        assert!(!referrals::answer(&mut conn, &r.id, "00ff", "selesai", "x", now + DAY).unwrap());
        assert!(
            !referrals::answer(&mut conn, &r.id, &token, "selesai", "x", now + 45 * DAY).unwrap()
        );
        assert!(!referrals::answer(&mut conn, &r.id, &token, "hilang", "x", now + DAY).unwrap());
        assert_eq!(
            conn.query_i64(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'answer-refused'",
                &[]
            )
            .unwrap(),
            3
        );
        assert_eq!(
            referrals::by_id(&mut conn, VILLAGE, &r.id)
                .unwrap()
                .unwrap()
                .status,
            "dikirim"
        );
        assert_eq!(
            referrals::overdue(&mut conn, VILLAGE, now + 15 * DAY)
                .unwrap()
                .len(),
            1
        );
        assert!(
            referrals::overdue(&mut conn, VILLAGE, now + 13 * DAY)
                .unwrap()
                .is_empty()
        );
        // The genuine link.
        assert!(
            referrals::answer(
                &mut conn,
                &r.id,
                &token,
                "diterima",
                "dijadwalkan besok",
                now + DAY
            )
            .unwrap()
        );
        assert!(
            referrals::answer(
                &mut conn,
                &r.id,
                &token,
                "selesai",
                "sudah diperiksa dokter",
                now + 2 * DAY
            )
            .unwrap()
        );
        assert!(
            !referrals::answer(&mut conn, &r.id, &token, "ditolak", "x", now + 3 * DAY).unwrap(),
            "final"
        );
        let done = &referrals::of_case(&mut conn, VILLAGE, &case.id).unwrap()[0];
        assert_eq!(
            (done.status.as_str(), done.answer_note.as_deref()),
            ("selesai", Some("sudah diperiksa dokter"))
        );
        assert!(!done.overdue(now + 100 * DAY));
        assert!(
            referrals::overdue(&mut conn, VILLAGE, now + 100 * DAY)
                .unwrap()
                .is_empty()
        );
    }
}
