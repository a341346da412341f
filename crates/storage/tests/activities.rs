//! Activities on SQLite and PostgreSQL: participants linked to registered people by NIK,
//! others kept by name; bad input writes nothing.

use chrono::NaiveDate;
use puskesos_domain::model::Record;
use puskesos_domain::wilayah::KodeWilayah;
use puskesos_storage::activities::{self, NewActivity};
use puskesos_storage::registry::{self, FamilyInput, WriteCtx};
use puskesos_storage::testing;

const VILLAGE: &str = "33.12.01.2003";

#[test]
fn an_activity_with_registered_and_unregistered_participants() {
    for t in testing::all() {
        let mut conn = t.db.conn().unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 1, 10).unwrap();
        let opts = puskesos_demo::DemoOptions {
            village: KodeWilayah::parse(VILLAGE).unwrap(),
            families: 3,
            seed: 5,
            today,
        };
        let ctx = WriteCtx {
            actor: "t".into(),
            reason: None,
            source: "demo".into(),
            now_ms: 1,
        };
        for fam in puskesos_demo::generate(&opts) {
            let input = FamilyInput::whole(fam.values, fam.members);
            registry::save_family(&mut conn, &input, &ctx).unwrap();
        }
        let person = conn
            .query("SELECT nik FROM persons ORDER BY nik LIMIT 1", &[])
            .unwrap()[0][0]
            .as_str()
            .unwrap()
            .to_string();
        let name = registry::person_by_nik(&mut conn, &person)
            .unwrap()
            .unwrap()
            .0
            .text("nama")
            .unwrap()
            .to_string();
        // Noon WIB of `today`: a date after it is in the future.
        let now = today
            .and_hms_opt(5, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis();
        let good = NewActivity {
            village: VILLAGE.into(),
            kind: "sosialisasi".into(),
            title: "Sosialisasi PBI-JKN".into(),
            held_on: Some(today),
            place: "Balai desa".into(),
            outcome: Some("12 warga mendaftar".into()),
            planned: false,
            provider_id: None,
            participants: vec![
                person.clone(),
                "; Pak Darto; L; 1971; 2/1".into(),
                // A valid NIK of someone not registered here, with the short profile.
                "3312015507800002; Sumiyati; P; 1980; 003/002".into(),
                " ".into(),
            ],
        };
        let refused = |conn: &mut puskesos_storage::Conn, new: &NewActivity| {
            let r = activities::record(conn, new, "u", now)
                .unwrap()
                .unwrap_err();
            (r.field, r.row, r.value, r.reason)
        };
        let with = |rows: &[&str]| NewActivity {
            participants: rows.iter().map(|s| s.to_string()).collect(),
            ..good.clone()
        };
        assert_eq!(
            refused(
                &mut conn,
                &NewActivity {
                    kind: "pesta".into(),
                    ..good.clone()
                }
            ),
            ("kind", None, "pesta".into(), "activity-bad-value")
        );
        assert_eq!(
            refused(
                &mut conn,
                &NewActivity {
                    held_on: None,
                    ..good.clone()
                }
            )
            .0,
            "held_on"
        );
        // Held next month is refused; planned for next month is not.
        let next_month = today + chrono::Days::new(31);
        assert_eq!(
            refused(
                &mut conn,
                &NewActivity {
                    held_on: Some(next_month),
                    ..good.clone()
                }
            ),
            ("held_on", None, "10-02-2026".into(), "activity-future-held")
        );
        // The participant row and value are named: an invalid NIK, the same NIK twice, a
        // profile without sex, the same unnamed profile twice.
        assert_eq!(
            refused(&mut conn, &with(&[&person, "3312019999990001"])),
            (
                "participants",
                Some(2),
                "3312019999990001".into(),
                "activity-nik-invalid"
            )
        );
        assert_eq!(
            refused(&mut conn, &with(&[&person, "", &person])),
            (
                "participants",
                Some(3),
                person.clone(),
                "activity-nik-twice"
            )
        );
        assert_eq!(
            refused(&mut conn, &with(&["Bu Narti; X; 1970; 1/1"])).3,
            "activity-profile-sex"
        );
        assert_eq!(
            refused(
                &mut conn,
                &with(&["Bu Narti; P; 1970; 1/1", "bu narti; P; 1970; 001/001"])
            ),
            (
                "participants",
                Some(2),
                "bu narti".into(),
                "activity-profile-twice"
            )
        );
        assert_eq!(
            conn.query_i64("SELECT COUNT(*) FROM activities", &[])
                .unwrap()
                + conn
                    .query_i64("SELECT COUNT(*) FROM activity_participants", &[])
                    .unwrap(),
            0,
            "{}: a refusal wrote something",
            t.label
        );
        activities::record(
            &mut conn,
            &NewActivity {
                held_on: Some(next_month),
                planned: true,
                ..good.clone()
            },
            "u",
            now,
        )
        .unwrap()
        .unwrap();
        let id = activities::record(&mut conn, &good, "u", now)
            .unwrap()
            .unwrap();
        let list = activities::list(&mut conn, VILLAGE).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].status, "rencana", "{}", t.label);
        let (held, people) = activities::with_participants(&mut conn, VILLAGE, &id)
            .unwrap()
            .unwrap();
        assert_eq!((held.participants, held.registered), (3, 1), "{}", t.label);
        assert_eq!(held.status, "terlaksana");
        // Registered first (by name), then the profiles by name.
        assert_eq!(people[0].name, name);
        assert!(people[0].person_id.is_some());
        assert_eq!(
            people[1..]
                .iter()
                .map(|p| (p.name.as_str(), p.rt_rw.as_deref()))
                .collect::<Vec<_>>(),
            [
                ("Pak Darto", Some("002/001")),
                ("Sumiyati", Some("003/002"))
            ]
        );
        assert_eq!(people[2].nik.as_deref(), Some("3312015507800002"));
        // Another village sees none of it.
        assert!(
            activities::with_participants(&mut conn, "33.12.01.2004", &id)
                .unwrap()
                .is_none()
        );
    }
}
