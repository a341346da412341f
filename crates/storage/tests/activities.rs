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
        let good = NewActivity {
            village: VILLAGE.into(),
            kind: "sosialisasi".into(),
            title: "Sosialisasi PBI-JKN".into(),
            held_on: Some(today),
            place: "Balai desa".into(),
            outcome: Some("12 warga mendaftar".into()),
            participants: vec![
                person.clone(),
                "Pak RT 02".into(),
                "3312019999990001".into(),
                " ".into(),
            ],
        };
        let bad = NewActivity {
            kind: "pesta".into(),
            ..good.clone()
        };
        assert_eq!(
            activities::record(&mut conn, &bad, "u", 2).unwrap(),
            Err("kind")
        );
        assert_eq!(
            activities::record(
                &mut conn,
                &NewActivity {
                    held_on: None,
                    ..good.clone()
                },
                "u",
                2
            )
            .unwrap(),
            Err("held_on")
        );
        assert_eq!(
            conn.query_i64("SELECT COUNT(*) FROM activities", &[])
                .unwrap(),
            0,
            "{}",
            t.label
        );
        activities::record(&mut conn, &good, "u", 2)
            .unwrap()
            .unwrap();
        let list = activities::list(&mut conn, VILLAGE).unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(
            (list[0].participants, list[0].registered),
            (3, 1),
            "{}",
            t.label
        );
        let linked = conn
            .query(
                "SELECT name FROM activity_participants WHERE person_id IS NOT NULL",
                &[],
            )
            .unwrap();
        assert_eq!(linked[0][0].as_str(), Some(name.as_str()));
    }
}
