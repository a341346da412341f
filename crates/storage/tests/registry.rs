//! The registry repository's story, told on SQLite and on PostgreSQL.

use puskesos_domain::model::{FAMILY_FIELDS, PERSON_FIELDS, Record, Value, Values, field_index};
use puskesos_storage::registry::{self, FamilyInput, Scope, WriteCtx};
use puskesos_storage::{migrate, testing};

fn ctx(reason: Option<&str>) -> WriteCtx {
    WriteCtx {
        actor: "test".into(),
        reason: reason.map(str::to_string),
        source: "test".into(),
        now_ms: 1_700_000_000_000,
    }
}

fn set(fields: &[puskesos_domain::model::Field], values: &mut Values, key: &str, v: Value) {
    values[field_index(fields, key).unwrap()] = Some(v);
}

fn family(kk: &str) -> Values {
    let mut v = vec![None; FAMILY_FIELDS.len()];
    set(FAMILY_FIELDS, &mut v, "no_kk", Value::Text(kk.into()));
    set(
        FAMILY_FIELDS,
        &mut v,
        "kode_wilayah",
        Value::Text("11.01.01.2001".into()),
    );
    set(FAMILY_FIELDS, &mut v, "rt", Value::Text("001".into()));
    set(FAMILY_FIELDS, &mut v, "rw", Value::Text("002".into()));
    set(FAMILY_FIELDS, &mut v, "luas_lantai", Value::Num(36.5));
    set(
        FAMILY_FIELDS,
        &mut v,
        "penghasilan_kepala",
        Value::Int(750_000),
    );
    set(FAMILY_FIELDS, &mut v, "mampu_berobat", Value::Int(0));
    set(
        FAMILY_FIELDS,
        &mut v,
        "jenis_lantai",
        Value::Text("tanah".into()),
    );
    set(
        FAMILY_FIELDS,
        &mut v,
        "pkh_sejak",
        Value::Text("2023-01-01".into()),
    );
    v
}

fn person(nik: &str, name: &str) -> Values {
    let mut v = vec![None; PERSON_FIELDS.len()];
    set(PERSON_FIELDS, &mut v, "nik", Value::Text(nik.into()));
    set(PERSON_FIELDS, &mut v, "nama", Value::Text(name.into()));
    set(
        PERSON_FIELDS,
        &mut v,
        "jenis_kelamin",
        Value::Text("P".into()),
    );
    set(
        PERSON_FIELDS,
        &mut v,
        "tanggal_lahir",
        Value::Text("1990-01-01".into()),
    );
    set(
        PERSON_FIELDS,
        &mut v,
        "hubungan",
        Value::Text("kepala_keluarga".into()),
    );
    set(PERSON_FIELDS, &mut v, "hamil", Value::Int(1));
    set(PERSON_FIELDS, &mut v, "kelas", Value::Int(3));
    v
}

/// A whole family whose members carry the file row numbers of an import (from row 2).
fn input(values: Values, members: Vec<Values>) -> FamilyInput {
    let mut input = FamilyInput::whole(values, members);
    for (reference, _) in &mut input.members {
        *reference += 2;
    }
    input
}

#[test]
fn migrations_are_idempotent() {
    for t in testing::all() {
        assert!(migrate::run(&t.db).unwrap().is_empty(), "{}", t.label);
    }
}

#[test]
fn every_field_round_trips_with_its_type() {
    for t in testing::all() {
        let mut c = t.db.conn().unwrap();
        let f = family("1101011502150003");
        let p = person("1101014101900001", "Siti Aminah");
        let out =
            registry::save_family(&mut c, &input(f.clone(), vec![p.clone()]), &ctx(None)).unwrap();
        assert!(out.family_created);
        let stored = registry::family_by_kk(&mut c, "1101011502150003")
            .unwrap()
            .unwrap();
        assert_eq!(stored.values, f, "{}", t.label);
        let members = registry::members(&mut c, &stored.id).unwrap();
        assert_eq!(members.len(), 1);
        assert_eq!(members[0].values, p, "{}", t.label);
        let (found, kk) = registry::person_by_nik(&mut c, "1101014101900001")
            .unwrap()
            .unwrap();
        assert_eq!(found.id, members[0].id);
        assert_eq!(kk, "1101011502150003");
    }
}

#[test]
fn saving_twice_changes_nothing_and_edits_leave_history() {
    for t in testing::all() {
        let mut c = t.db.conn().unwrap();
        let f = family("1101011502150003");
        let p = person("1101014101900001", "Siti Aminah");
        registry::save_family(&mut c, &input(f.clone(), vec![p.clone()]), &ctx(None)).unwrap();
        let again =
            registry::save_family(&mut c, &input(f.clone(), vec![p.clone()]), &ctx(None)).unwrap();
        assert!(!again.family_updated && !again.family_created);
        assert_eq!(again.persons_unchanged, 1);

        let mut p2 = p.clone();
        set(
            PERSON_FIELDS,
            &mut p2,
            "nama",
            Value::Text("Siti Aminah Lubis".into()),
        );
        let edit =
            registry::save_family(&mut c, &input(f.clone(), vec![p2]), &ctx(Some("ejaan KTP")))
                .unwrap();
        assert_eq!(edit.persons_updated, 1);

        let history = registry::family_history(&mut c, &edit.family_id).unwrap();
        assert_eq!(
            history.len(),
            3,
            "{}: create family, create person, update",
            t.label
        );
        let last = history.last().unwrap();
        assert_eq!(last.action, "update");
        assert_eq!(last.reason.as_deref(), Some("ejaan KTP"));
        assert_eq!(
            last.changed,
            vec![(
                "nama".to_string(),
                Some("Siti Aminah".to_string()),
                Some("Siti Aminah Lubis".to_string())
            )]
        );
        assert_eq!(registry::counts(&mut c).unwrap(), (1, 1));
    }
}

#[test]
fn absent_columns_keep_stored_values() {
    for t in testing::all() {
        let mut c = t.db.conn().unwrap();
        let f = family("1101011502150003");
        registry::save_family(&mut c, &input(f.clone(), vec![]), &ctx(None)).unwrap();
        let mut partial = input(family("1101011502150003"), vec![]);
        let i = field_index(FAMILY_FIELDS, "penghasilan_kepala").unwrap();
        partial.values[i] = None;
        partial.family_present[i] = false;
        let out = registry::save_family(&mut c, &partial, &ctx(None)).unwrap();
        assert!(!out.family_updated, "{}", t.label);
        let stored = registry::family_by_kk(&mut c, "1101011502150003")
            .unwrap()
            .unwrap();
        assert_eq!(stored.int("penghasilan_kepala"), Some(750_000));
    }
}

#[test]
fn a_nik_belongs_to_one_person_only() {
    for t in testing::all() {
        let mut c = t.db.conn().unwrap();
        let p = person("1101014101900001", "Siti");
        registry::save_family(
            &mut c,
            &input(family("1101011502150003"), vec![p.clone()]),
            &ctx(None),
        )
        .unwrap();
        let out = registry::save_family(
            &mut c,
            &input(family("1101011502150004"), vec![p]),
            &ctx(None),
        )
        .unwrap();
        assert_eq!(out.refused.len(), 1, "{}", t.label);
        let (_, field, _, msg) = &out.refused[0];
        assert_eq!(*field, "nik");
        assert!(
            msg.render(puskesos_domain::Lang::Id)
                .contains("1101011502150003")
        );
        assert_eq!(registry::counts(&mut c).unwrap(), (2, 1));
    }
}

#[test]
fn marking_a_member_is_recorded_as_mark_and_nothing_is_deleted() {
    for t in testing::all() {
        let mut c = t.db.conn().unwrap();
        let p = person("1101014101900001", "Siti");
        let out = registry::save_family(
            &mut c,
            &input(family("1101011502150003"), vec![p.clone()]),
            &ctx(None),
        )
        .unwrap();
        let mut died = p.clone();
        set(
            PERSON_FIELDS,
            &mut died,
            "status",
            Value::Text("meninggal".into()),
        );
        set(
            PERSON_FIELDS,
            &mut died,
            "status_tanggal",
            Value::Text("2026-10-01".into()),
        );
        registry::save_family(
            &mut c,
            &input(family("1101011502150003"), vec![died]),
            &ctx(Some("akta kematian")),
        )
        .unwrap();
        let history = registry::family_history(&mut c, &out.family_id).unwrap();
        assert_eq!(history.last().unwrap().action, "mark", "{}", t.label);
        assert_eq!(registry::counts(&mut c).unwrap(), (1, 1));
    }
}

#[test]
fn export_stream_respects_scope_and_card_order() {
    for t in testing::all() {
        let mut c = t.db.conn().unwrap();
        let mut second = person("1101015101100002", "Anak");
        set(
            PERSON_FIELDS,
            &mut second,
            "hubungan",
            Value::Text("anak".into()),
        );
        registry::save_family(
            &mut c,
            &input(
                family("1101011502150003"),
                vec![person("1101014101900001", "Ibu"), second],
            ),
            &ctx(None),
        )
        .unwrap();
        let mut other = family("1101011502150004");
        set(FAMILY_FIELDS, &mut other, "rt", Value::Text("009".into()));
        registry::save_family(
            &mut c,
            &input(other, vec![person("1101014101900003", "Lain")]),
            &ctx(None),
        )
        .unwrap();
        let mut names = Vec::new();
        let scope = Scope {
            rt: Some("001".into()),
            ..Scope::default()
        };
        registry::for_each_member(&mut c, &scope, |fam, p| {
            assert_eq!(fam.text("rt"), Some("001"));
            names.push(p.text("nama").unwrap().to_string());
            Ok(())
        })
        .unwrap();
        assert_eq!(names, ["Ibu", "Anak"], "{}", t.label);
    }
}

#[test]
fn search_by_nik_kk_and_name_words() {
    use puskesos_storage::registry::SearchQuery;
    for t in testing::all() {
        let mut c = t.db.conn().unwrap();
        let q = |text: &str| SearchQuery {
            text: Some(text.into()),
            ..SearchQuery::default()
        };
        registry::save_family(
            &mut c,
            &input(
                family("1101011502150003"),
                vec![person("1101014101900001", "Siti Purwanti")],
            ),
            &ctx(None),
        )
        .unwrap();
        registry::save_family(
            &mut c,
            &input(
                family("1101011502150004"),
                vec![person("1101014101900002", "Sri Wahyuni")],
            ),
            &ctx(None),
        )
        .unwrap();
        let hits = |c: &mut puskesos_storage::Conn, text: &str| {
            registry::search(c, None, &q(text), 25, 0)
                .unwrap()
                .0
                .into_iter()
                .map(|f| f.no_kk)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            hits(&mut c, "PURWANTI"),
            ["1101011502150003"],
            "{}",
            t.label
        );
        assert_eq!(
            hits(&mut c, "pur"),
            ["1101011502150003"],
            "{}: prefix",
            t.label
        );
        assert_eq!(
            hits(&mut c, "sri wah"),
            ["1101011502150004"],
            "{}: every word",
            t.label
        );
        assert_eq!(hits(&mut c, "s").len(), 2, "{}: one letter prefix", t.label);
        // Registered last, but its matched word ("salim") sorts first; two matching members
        // give one result line.
        registry::save_family(
            &mut c,
            &input(
                family("1101011502150005"),
                vec![
                    person("1101010101900003", "Agus Salim"),
                    person("1101014101900004", "Sarah Salim"),
                ],
            ),
            &ctx(None),
        )
        .unwrap();
        assert_eq!(
            hits(&mut c, "s"),
            ["1101011502150005", "1101011502150003", "1101011502150004"],
            "{}: by matched word, then as registered",
            t.label
        );
        let (_, n) = registry::search(&mut c, None, &q("salim"), 25, 0).unwrap();
        assert_eq!(n.total, 1, "{}: one line per family", t.label);
        assert!(!n.more);
        // A name search counts to the end of its page and says whether more follow.
        let (_, n) = registry::search(&mut c, None, &q("s"), 2, 0).unwrap();
        assert_eq!((n.total, n.more), (2, true), "{}", t.label);
        let (_, n) = registry::search(&mut c, None, &q("s"), 2, 2).unwrap();
        assert_eq!((n.total, n.more), (3, false), "{}", t.label);
        // Every word must start a word of the same member's name.
        assert!(hits(&mut c, "agus sarah").is_empty(), "{}", t.label);
        assert_eq!(hits(&mut c, "sal sar"), ["1101011502150005"], "{}", t.label);
        // A name and an RT together.
        let in_rt = |c: &mut puskesos_storage::Conn, rt: &str| {
            let q = SearchQuery {
                text: Some("s".into()),
                rt: Some(rt.into()),
                ..SearchQuery::default()
            };
            registry::search(c, None, &q, 25, 0).unwrap().1.total
        };
        assert_eq!(
            in_rt(&mut c, "1"),
            3,
            "{}: RT of every test family",
            t.label
        );
        assert_eq!(in_rt(&mut c, "9"), 0, "{}", t.label);
        // Pages of a name search add up to the whole list.
        let page = |c: &mut puskesos_storage::Conn, limit, offset| {
            registry::search(c, None, &q("s"), limit, offset)
                .unwrap()
                .0
                .into_iter()
                .map(|f| f.no_kk)
                .collect::<Vec<_>>()
        };
        let all = page(&mut c, 3, 0);
        let mut paged = page(&mut c, 2, 0);
        paged.extend(page(&mut c, 2, 2));
        assert_eq!(paged, all, "{}: pages", t.label);
        // An RT alone: pages follow the key order (village, id) and add up.
        let rt_page = |c: &mut puskesos_storage::Conn, limit, offset| {
            let q = SearchQuery {
                rt: Some("001".into()),
                ..SearchQuery::default()
            };
            registry::search(c, None, &q, limit, offset)
                .unwrap()
                .0
                .into_iter()
                .map(|f| (f.village, f.id))
                .collect::<Vec<_>>()
        };
        let both = rt_page(&mut c, 3, 0);
        let mut sorted = both.clone();
        sorted.sort();
        assert_eq!(both.len(), 3, "{}", t.label);
        assert_eq!(both, sorted, "{}: key order", t.label);
        let mut paged = rt_page(&mut c, 2, 0);
        paged.extend(rt_page(&mut c, 2, 2));
        assert_eq!(paged, both, "{}: RT pages", t.label);
        assert!(page(&mut c, 1, 5).is_empty());
        assert!(hits(&mut c, "siti wahyuni").is_empty());
        assert!(hits(&mut c, "%").is_empty());
        assert_eq!(
            hits(&mut c, "1101014101900002"),
            ["1101011502150004"],
            "{}: NIK",
            t.label
        );
        assert_eq!(
            hits(&mut c, "1101011502150003"),
            ["1101011502150003"],
            "{}: KK",
            t.label
        );
        // Within a village prefix only.
        let (_, n) = registry::search(&mut c, Some("11.02"), &q("siti"), 25, 0).unwrap();
        assert_eq!(n.total, 0);
        for inside in ["11.01", "11.01.01.2001"] {
            let (_, n) = registry::search(&mut c, Some(inside), &q("siti"), 25, 0).unwrap();
            assert_eq!(n.total, 1, "{}: {inside}", t.label);
        }
        // A rename moves the family in the index.
        let mut renamed = person("1101014101900001", "Siti Zulaikha");
        set(
            PERSON_FIELDS,
            &mut renamed,
            "nama",
            Value::Text("Siti Zulaikha".into()),
        );
        registry::save_family(
            &mut c,
            &input(family("1101011502150003"), vec![renamed]),
            &ctx(Some("nikah")),
        )
        .unwrap();
        assert!(hits(&mut c, "purwanti").is_empty(), "{}", t.label);
        assert_eq!(
            hits(&mut c, "zulaikha"),
            ["1101011502150003"],
            "{}",
            t.label
        );
    }
}

/// A second, empty registry on the same engine as `t`, saved to the usual way for comparison.
fn another(t: &testing::TestDb) -> testing::TestDb {
    match t.label {
        "sqlite" => testing::sqlite(),
        _ => testing::postgres().expect("PostgreSQL, as for the first"),
    }
}

/// The schema's indexes as the engine reports them (name and definition).
fn index_definitions(c: &mut puskesos_storage::Conn) -> Vec<(String, String)> {
    let sql = match c.engine() {
        puskesos_storage::Engine::Sqlite => {
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
             ORDER BY name"
        }
        puskesos_storage::Engine::Postgres => {
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() \
             ORDER BY indexname"
        }
    };
    c.query(sql, &[])
        .unwrap()
        .into_iter()
        .map(|r| {
            let text = |i: usize| r[i].as_str().unwrap_or_default().to_string();
            (text(0), text(1))
        })
        .collect()
}

#[test]
fn a_bulk_load_into_an_empty_registry_stores_what_the_usual_save_stores() {
    use puskesos_storage::bulk_load::FamilyLoader;
    use puskesos_storage::registry::SearchQuery;
    // A family, a second family whose second member's NIK is the first family's, and the first
    // family again (a file not sorted by KK) with a new member and a corrected name.
    let saves = [
        input(
            family("1101011502150003"),
            vec![
                person("1101014101900001", "Siti Purwanti"),
                person("1101014101900003", "Budi Santoso"),
            ],
        ),
        input(
            family("1101011502150004"),
            vec![
                person("1101014101900002", "Sri Wahyuni"),
                person("1101014101900001", "Siti Lain"),
            ],
        ),
        input(
            family("1101011502150003"),
            vec![
                person("1101014101900001", "Siti Purwanti Ningsih"),
                person("1101014101900004", "Dewi Sartika"),
            ],
        ),
    ];
    for t in testing::all() {
        let usual = another(&t);
        let mut c = t.db.conn().unwrap();
        let mut u = usual.db.conn().unwrap();
        let schema = index_definitions(&mut c);

        // A load that fails half-way changes nothing, indexes included.
        c.begin().unwrap();
        let mut load = FamilyLoader::begin(&mut c).unwrap();
        assert!(load.is_bulk(), "{}: empty registry", t.label);
        load.save_family(&mut c, &saves[0], &ctx(None)).unwrap();
        c.rollback().unwrap();
        assert_eq!(index_definitions(&mut c), schema, "{}", t.label);
        assert_eq!(registry::counts(&mut c).unwrap(), (0, 0), "{}", t.label);

        c.begin().unwrap();
        let mut load = FamilyLoader::begin(&mut c).unwrap();
        assert!(load.is_bulk(), "{}: empty registry", t.label);
        let bulk: Vec<_> = saves
            .iter()
            .map(|s| load.save_family(&mut c, s, &ctx(None)).unwrap())
            .collect();
        load.finish(&mut c).unwrap();
        c.commit().unwrap();
        let plain: Vec<_> = saves
            .iter()
            .map(|s| registry::save_family(&mut u, s, &ctx(None)).unwrap())
            .collect();

        assert_eq!(index_definitions(&mut c), schema, "{}", t.label);
        let summary = |o: &registry::SaveOutcome| {
            (
                o.family_created,
                o.family_updated,
                o.persons_created,
                o.persons_updated,
                o.refused
                    .iter()
                    .map(|(row, field, value, m)| (*row, *field, value.clone(), m.clone()))
                    .collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            bulk.iter().map(summary).collect::<Vec<_>>(),
            plain.iter().map(summary).collect::<Vec<_>>(),
            "{}",
            t.label
        );
        assert_eq!(bulk[1].refused.len(), 1, "{}: the taken NIK", t.label);
        assert_eq!(registry::counts(&mut c).unwrap(), (2, 4), "{}", t.label);
        assert_eq!(
            registry::counts(&mut c).unwrap(),
            registry::counts(&mut u).unwrap()
        );
        // The rebuilt indexes answer: NIK, KK, name words (the corrected name, not the old).
        let (p, kk) = registry::person_by_nik(&mut c, "1101014101900004")
            .unwrap()
            .unwrap();
        assert_eq!(
            (p.text("nama"), kk.as_str()),
            (Some("Dewi Sartika"), "1101011502150003")
        );
        assert!(
            registry::family_by_kk(&mut c, "1101011502150004")
                .unwrap()
                .is_some()
        );
        for (text, expected) in [
            ("ningsih", vec!["1101011502150003"]),
            ("siti lain", vec![]),
            ("sri", vec!["1101011502150004"]),
            ("s", vec!["1101011502150003", "1101011502150004"]),
        ] {
            let q = SearchQuery {
                text: Some(text.into()),
                ..SearchQuery::default()
            };
            let hits = |c: &mut puskesos_storage::Conn| {
                let mut kks: Vec<_> = registry::search(c, None, &q, 25, 0)
                    .unwrap()
                    .0
                    .into_iter()
                    .map(|f| f.no_kk)
                    .collect();
                kks.sort();
                kks
            };
            assert_eq!(hits(&mut c), expected, "{}: {text}", t.label);
            assert_eq!(hits(&mut u), expected, "{}: {text}", t.label);
        }
        // The history is the same: one row per save, entries alike but for the new ids.
        let history = |c: &mut puskesos_storage::Conn, kk: &str| {
            let id = registry::family_by_kk(c, kk).unwrap().unwrap().id;
            registry::family_history(c, &id)
                .unwrap()
                .into_iter()
                .map(|e| (e.entity, e.action, e.changed))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            history(&mut c, "1101011502150003"),
            history(&mut u, "1101011502150003"),
            "{}",
            t.label
        );

        // A registry holding families takes the usual path.
        c.begin().unwrap();
        assert!(
            !FamilyLoader::begin(&mut c).unwrap().is_bulk(),
            "{}",
            t.label
        );
        c.rollback().unwrap();
    }
}

/// The name index as rows of (word, village, KK, NIK, words): the same for two registries
/// whatever ids they gave their records.
fn name_index(c: &mut puskesos_storage::Conn) -> Vec<Vec<String>> {
    c.query(
        "SELECT n.token, n.kode_wilayah, f.no_kk, p.nik, n.words FROM person_names n \
         JOIN families f ON f.id = n.family_id JOIN persons p ON p.id = n.person_id \
         ORDER BY n.token, n.kode_wilayah, f.no_kk, p.nik",
        &[],
    )
    .unwrap()
    .into_iter()
    .map(|r| {
        r.iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect()
    })
    .collect()
}

#[test]
fn a_bulk_load_indexes_names_as_the_usual_save_does() {
    use puskesos_storage::bulk_load::load_families;
    // Two villages, names with capitals, punctuation and a repeated word, families not in KK
    // order; no KK comes twice, so the names are split and sorted beside the load.
    let mut other_village = family("1101011502150009");
    set(
        FAMILY_FIELDS,
        &mut other_village,
        "kode_wilayah",
        Value::Text("11.01.01.2002".into()),
    );
    let mut saves = vec![
        input(
            family("1101011502150005"),
            vec![
                person("1101014101900011", "SITI  Purwanti"),
                person("1101014101900012", "Budi bin Budi"),
            ],
        ),
        input(
            other_village,
            vec![
                person("1101014101900013", "Siti Aminah"),
                person("1101014101900014", "Ahmad"),
            ],
        ),
        input(
            family("1101011502150003"),
            vec![person("1101014101900015", "Dewi Sartika-Putri")],
        ),
    ];
    // Enough words for PostgreSQL's statements of 100 rows, and a remainder.
    for i in 0..60 {
        saves.push(input(
            family(&format!("11010115021{:05}", 200 + i)),
            vec![
                person(
                    &format!("11010141019{:05}", 100 + 2 * i),
                    &format!("Warga {i} Sari"),
                ),
                person(&format!("11010141019{:05}", 101 + 2 * i), "Sri Wahyuni"),
            ],
        ));
    }
    for t in testing::all() {
        let usual = another(&t);
        let mut c = t.db.conn().unwrap();
        let mut u = usual.db.conn().unwrap();
        load_families(
            &mut c,
            |c, load| -> Result<(), puskesos_storage::StorageError> {
                assert!(load.is_bulk(), "{}", t.label);
                if t.label == "sqlite" {
                    // The only connection: the pages go straight to the file.
                    assert_eq!(journal_mode(c), "delete");
                }
                for s in &saves {
                    load.save_family(c, s, &ctx(None))?;
                }
                Ok(())
            },
        )
        .unwrap();
        for s in &saves {
            registry::save_family(&mut u, s, &ctx(None)).unwrap();
        }
        let bulk = name_index(&mut c);
        assert_eq!(bulk.len(), 10 + 60 * 5, "{}", t.label);
        assert_eq!(bulk, name_index(&mut u), "{}", t.label);
        // Digits sort before letters: the words of "Warga 0 Sari" come first.
        assert_eq!(bulk[0][0], "0", "{}", t.label);
        assert_eq!(
            bulk.iter().find(|r| r[0] == "ahmad").unwrap(),
            &[
                "ahmad",
                "11.01.01.2002",
                "1101011502150009",
                "1101014101900014",
                "ahmad"
            ],
            "{}",
            t.label
        );
        if t.label == "sqlite" {
            assert_eq!(journal_mode(&mut c), "wal");
        }
    }
}

#[test]
fn a_bulk_load_beside_another_connection_keeps_the_wal() {
    use puskesos_storage::bulk_load::load_families;
    let t = testing::sqlite();
    let mut reader = t.db.conn().unwrap();
    // Another connection has the file open (it has read from it), as a running server would.
    assert_eq!(registry::counts(&mut reader).unwrap(), (0, 0));
    let mut c = t.db.conn().unwrap();
    let saves = [input(
        family("1101011502150005"),
        vec![person("1101014101900011", "Siti Purwanti")],
    )];
    load_families(
        &mut c,
        |c, load| -> Result<(), puskesos_storage::StorageError> {
            assert!(load.is_bulk());
            assert_eq!(journal_mode(c), "wal");
            // The other connection still reads (the WAL lets it) while the load writes.
            assert_eq!(registry::counts(&mut reader).unwrap(), (0, 0));
            load.save_family(c, &saves[0], &ctx(None))?;
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(registry::counts(&mut reader).unwrap(), (1, 1));
    assert_eq!(name_index(&mut reader).len(), 2);
    assert_eq!(journal_mode(&mut c), "wal");
}

fn journal_mode(c: &mut puskesos_storage::Conn) -> String {
    let mode = c.query("PRAGMA journal_mode", &[]).unwrap();
    mode[0][0].as_str().unwrap_or_default().to_string()
}

#[test]
fn a_result_line_shows_the_head_and_count_kept_on_the_family() {
    use puskesos_storage::registry::SearchQuery;
    for t in testing::all() {
        let mut c = t.db.conn().unwrap();
        let line = |c: &mut puskesos_storage::Conn| {
            let q = SearchQuery {
                text: Some("1101011502150003".into()),
                ..SearchQuery::default()
            };
            let (mut lines, _) = registry::search(c, None, &q, 25, 0).unwrap();
            let l = lines.pop().expect("the family");
            (l.head_name, l.head_nik, l.members)
        };
        let kk = "1101011502150003";
        registry::save_family(
            &mut c,
            &input(
                family(kk),
                vec![
                    person("1101014101900001", "Siti Purwanti"),
                    person("1101014101900003", "Budi Santoso"),
                ],
            ),
            &ctx(None),
        )
        .unwrap();
        let expect = |name: &str, nik: &str, n: i64| (Some(name.into()), Some(nik.into()), n);
        assert_eq!(
            line(&mut c),
            expect("Siti Purwanti", "1101014101900001", 2),
            "{}",
            t.label
        );
        // A member added by a later save counts; the head stays the first on the card.
        registry::save_family(
            &mut c,
            &input(family(kk), vec![person("1101014101900004", "Dewi Sartika")]),
            &ctx(None),
        )
        .unwrap();
        assert_eq!(
            line(&mut c),
            expect("Siti Purwanti", "1101014101900001", 3),
            "{}",
            t.label
        );
        // The head's name corrected through the import path, then through a form edit.
        registry::save_family(
            &mut c,
            &input(
                family(kk),
                vec![person("1101014101900001", "Siti Purwanti N")],
            ),
            &ctx(None),
        )
        .unwrap();
        assert_eq!(
            line(&mut c),
            expect("Siti Purwanti N", "1101014101900001", 3),
            "{}",
            t.label
        );
        let (head, _) = registry::person_by_nik(&mut c, "1101014101900001")
            .unwrap()
            .unwrap();
        let mut values = head.values.clone();
        values[field_index(PERSON_FIELDS, "nama").unwrap()] = Some(Value::Text("Siti P".into()));
        registry::edit_person(&mut c, &head.id, &values, &ctx(Some("ejaan KTP")))
            .unwrap()
            .unwrap();
        assert_eq!(
            line(&mut c),
            expect("Siti P", "1101014101900001", 3),
            "{}",
            t.label
        );
        // What the stored line says is what the members say.
        let id = registry::family_by_kk(&mut c, kk).unwrap().unwrap().id;
        let members = registry::members(&mut c, &id).unwrap();
        assert_eq!(members.len(), 3);
        assert_eq!(members[0].text("nama"), Some("Siti P"));
    }
}

#[test]
fn a_search_with_a_row_budget_gives_up_or_answers_as_the_plain_search() {
    use puskesos_storage::registry::SearchQuery;
    for t in testing::all() {
        let mut c = t.db.conn().unwrap();
        for (i, name) in ["Sri Lestari", "Sri Wahyuni", "Budi Sri"]
            .iter()
            .enumerate()
        {
            registry::save_family(
                &mut c,
                &input(
                    family(&format!("110101150215000{}", i + 3)),
                    vec![person(&format!("110101410190000{}", i + 1), name)],
                ),
                &ctx(None),
            )
            .unwrap();
        }
        let q = SearchQuery {
            text: Some("sri".into()),
            ..SearchQuery::default()
        };
        let plain = registry::search(&mut c, None, &q, 25, 0).unwrap();
        assert_eq!(plain.0.len(), 3, "{}", t.label);
        // Three index rows to read: a budget of two gives up, one of three answers in full.
        assert!(
            registry::search_within(&mut c, None, &q, 25, 0, Some(2))
                .unwrap()
                .is_none(),
            "{}",
            t.label
        );
        let within = registry::search_within(&mut c, None, &q, 25, 0, Some(3))
            .unwrap()
            .expect("within the budget");
        assert_eq!(within.0, plain.0, "{}", t.label);
        assert_eq!(within.1, plain.1, "{}", t.label);
        // A search by NIK reads no name rows: no budget applies.
        let nik = SearchQuery {
            text: Some("1101014101900002".into()),
            ..SearchQuery::default()
        };
        assert_eq!(
            registry::search_within(&mut c, None, &nik, 25, 0, Some(0))
                .unwrap()
                .expect("no name rows")
                .0
                .len(),
            1,
            "{}",
            t.label
        );
    }
}
