//! Import and export against real files and both database engines.

use std::io::Write;
use std::path::{Path, PathBuf};

use puskesos_domain::model::Record;
use puskesos_interchange::{ImportError, ImportOptions, export_file, import_file};
use puskesos_storage::registry::{self, Scope};
use puskesos_storage::{Db, testing};

const SAMPLE: &str = include_str!("../../../docs/samples/contoh-impor.csv");

fn opts(dir: &Path) -> ImportOptions {
    let mut o = ImportOptions::new("test");
    o.reject_path = Some(dir.join("tolak.csv"));
    o.today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    o
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::File::create(&p).unwrap().write_all(bytes).unwrap();
    p
}

fn history_len(db: &Db) -> i64 {
    db.conn()
        .unwrap()
        .query_i64("SELECT COUNT(*) FROM changes", &[])
        .unwrap()
}

fn counts(db: &Db) -> (i64, i64) {
    registry::counts(&mut db.conn().unwrap()).unwrap()
}

fn rejects(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("tolak.csv")).unwrap_or_default()
}

#[test]
fn sample_imports_and_reimport_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "contoh.csv", SAMPLE.as_bytes());
    for t in testing::all() {
        let s = import_file(&t.db, &file, &opts(dir.path())).unwrap();
        assert_eq!(
            (s.families_created, s.persons_created, s.rows_rejected),
            (2, 5, 0),
            "{}: {s:?}\n{}",
            t.label,
            rejects(dir.path())
        );
        assert_eq!(counts(&t.db), (2, 5));
        let before = history_len(&t.db);
        let again = import_file(&t.db, &file, &opts(dir.path())).unwrap();
        assert_eq!(again.persons_unchanged, 5, "{}", t.label);
        assert_eq!(
            (
                again.persons_created,
                again.persons_updated,
                again.families_updated
            ),
            (0, 0, 0)
        );
        assert_eq!(
            history_len(&t.db),
            before,
            "{}: re-import wrote history",
            t.label
        );

        // A changed cell updates the record and leaves one history entry naming the field.
        let changed = SAMPLE.replace("Siti Rahmah", "Siti Rahmah Lubis");
        let file2 = write(dir.path(), "contoh2.csv", changed.as_bytes());
        let s = import_file(&t.db, &file2, &opts(dir.path())).unwrap();
        assert_eq!(s.persons_updated, 1, "{}", t.label);
        assert_eq!(history_len(&t.db), before + 1);
        let (p, _) = registry::person_by_nik(&mut t.db.conn().unwrap(), "1101014308850002")
            .unwrap()
            .unwrap();
        assert_eq!(p.text("nama"), Some("Siti Rahmah Lubis"));
        let hist = registry::family_history(&mut t.db.conn().unwrap(), &p.family_id).unwrap();
        let last = hist.last().unwrap();
        assert_eq!(last.changed[0].0, "nama");
        assert_eq!(last.source, "import:contoh2.csv");
    }
}

#[test]
fn bad_rows_go_to_the_reject_file_with_row_column_value_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines: Vec<String> = SAMPLE.lines().map(str::to_string).collect();
    // Row 3 (second data row): a 15-digit NIK. Row 4: 31 February.
    lines[2] = lines[2].replace("1101014308850002", "110101430885000");
    lines[3] = lines[3].replace("20-01-2015", "31-02-2015");
    let file = write(dir.path(), "buruk.csv", lines.join("\n").as_bytes());
    for t in testing::all() {
        let s = import_file(&t.db, &file, &opts(dir.path())).unwrap();
        assert_eq!(s.rows_rejected, 2, "{}", t.label);
        assert_eq!(counts(&t.db), (2, 3));
        let report = rejects(dir.path());
        let mut rdr = csv::Reader::from_reader(report.as_bytes());
        let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
        let nik = rows.iter().find(|r| &r[2] == "nik").expect("nik reject");
        assert_eq!(&nik[0], "buruk.csv");
        assert_eq!(&nik[1], "3");
        assert_eq!(&nik[3], "110101430885000");
        assert!(nik[5].contains("16 digit"), "{}", &nik[5]);
        assert!(nik[6].contains("16 digits"), "{}", &nik[6]);
        let date = rows
            .iter()
            .find(|r| &r[2] == "tanggal_lahir")
            .expect("date reject");
        assert_eq!(&date[1], "4");
        assert_eq!(&date[3], "31-02-2015");
    }
}

#[test]
fn file_level_errors_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // Valid rows first, a Latin-1 byte near the end: still nothing imported.
    let mut latin1 = SAMPLE.as_bytes().to_vec();
    let at = latin1.len() - 10;
    latin1.insert(at, 0xE9);
    let missing = SAMPLE.replacen("tanggal_lahir", "tgl", 1);
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(SAMPLE.encode_utf16().flat_map(u16::to_le_bytes));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("latin1.csv", latin1, "UTF-8"),
        ("kolom.csv", missing.into_bytes(), "tanggal_lahir"),
        ("utf16.csv", utf16, "UTF-16"),
        ("kosong.csv", Vec::new(), "kosong"),
        ("sampah.xlsx", b"not a zip at all".to_vec(), "XLSX"),
    ];
    for t in testing::all() {
        for (name, bytes, expect) in &cases {
            let file = write(dir.path(), name, bytes);
            match import_file(&t.db, &file, &opts(dir.path())) {
                Err(ImportError::File(e)) => {
                    let id = e.render(puskesos_domain::Lang::Id);
                    assert!(id.contains(name) && id.contains(expect), "{name}: {id}");
                    assert!(!e.render(puskesos_domain::Lang::En).is_empty());
                }
                other => panic!("{name}: expected a file error, got {other:?}"),
            }
            assert_eq!(
                counts(&t.db),
                (0, 0),
                "{}: {name} changed the database",
                t.label
            );
        }
    }
}

#[test]
fn semicolons_and_loose_headers_are_understood() {
    let dir = tempfile::tempdir().unwrap();
    let mut rdr = csv::Reader::from_reader(SAMPLE.as_bytes());
    let mut out = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    let header: Vec<String> = rdr
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.replace('_', " ").to_uppercase())
        .collect();
    out.write_record(&header).unwrap();
    for r in rdr.records() {
        out.write_record(&r.unwrap()).unwrap();
    }
    let file = write(dir.path(), "excel.csv", &out.into_inner().unwrap());
    let t = testing::sqlite();
    let s = import_file(&t.db, &file, &opts(dir.path())).unwrap();
    assert_eq!(
        (s.persons_created, s.rows_rejected),
        (5, 0),
        "{}",
        rejects(dir.path())
    );
}

#[test]
fn a_ten_megabyte_line_is_rejected_by_row() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines: Vec<String> = SAMPLE.lines().map(str::to_string).collect();
    lines[1] = lines[1].replace("Ahmad Yani", &"A".repeat(10 * 1024 * 1024));
    let file = write(dir.path(), "panjang.csv", lines.join("\n").as_bytes());
    let t = testing::sqlite();
    let s = import_file(&t.db, &file, &opts(dir.path())).unwrap();
    assert_eq!(s.rows_rejected, 1);
    assert_eq!(counts(&t.db).1, 4);
    let report = rejects(dir.path());
    assert!(
        report.len() < 10_000,
        "the report must not copy the 10 MB value"
    );
    assert!(report.contains("nama") && report.contains("terlalu panjang"));
}

#[test]
fn export_then_import_gives_the_same_registry_csv_and_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "contoh.csv", SAMPLE.as_bytes());
    for t in testing::all() {
        import_file(&t.db, &file, &opts(dir.path())).unwrap();
        let first = dir.path().join(format!("{}-a.csv", t.label));
        assert_eq!(
            export_file(&t.db, &Scope::default(), &first, "test").unwrap(),
            5
        );
        for ext in ["csv", "xlsx"] {
            let out = dir.path().join(format!("{}-b.{ext}", t.label));
            export_file(&t.db, &Scope::default(), &out, "test").unwrap();
            let fresh = testing::sqlite();
            let s = import_file(&fresh.db, &out, &opts(dir.path())).unwrap();
            assert_eq!(
                (s.persons_created, s.rows_rejected),
                (5, 0),
                "{ext}: {}",
                rejects(dir.path())
            );
            let again = dir.path().join(format!("{}-c-{ext}.csv", t.label));
            export_file(&fresh.db, &Scope::default(), &again, "test").unwrap();
            assert_eq!(
                std::fs::read_to_string(&first).unwrap(),
                std::fs::read_to_string(&again).unwrap(),
                "{} {ext}: export → import → export differs",
                t.label
            );
        }
        // Scope: RT 003 holds one family of two.
        let rt = dir.path().join("rt.csv");
        let scope = Scope {
            rt: Some("003".into()),
            ..Scope::default()
        };
        assert_eq!(export_file(&t.db, &scope, &rt, "test").unwrap(), 2);
    }
}

/// A name or address that a spreadsheet would run as a formula leaves in a CSV export defused
/// (a leading `'`), and comes back from that file as it was.
#[test]
fn formulas_in_names_go_out_defused_and_come_back_whole() {
    let dir = tempfile::tempdir().unwrap();
    let evil =
        SAMPLE
            .replace("Dusun Mawar", "=HYPERLINK(A1)")
            .replacen("Ahmad Yani", "@SUM(1+1)*cmd", 1);
    let file = write(dir.path(), "jahat.csv", evil.as_bytes());
    for t in testing::all() {
        let s = import_file(&t.db, &file, &opts(dir.path())).unwrap();
        assert_eq!(s.rows_rejected, 0, "{}", rejects(dir.path()));
        let out = dir.path().join(format!("{}-ekspor.csv", t.label));
        export_file(&t.db, &Scope::default(), &out, "test").unwrap();
        let text = std::fs::read_to_string(&out).unwrap();
        let mut reader = csv::Reader::from_path(&out).unwrap();
        for row in reader.records() {
            for cell in row.unwrap().iter() {
                assert!(
                    !cell.starts_with(['=', '@']),
                    "{}: a cell a spreadsheet runs: {cell}",
                    t.label
                );
            }
        }
        assert!(text.contains("'=HYPERLINK"), "{}", t.label);
        assert!(text.contains("'@SUM(1+1)*cmd"), "{}", t.label);
        let fresh = testing::sqlite();
        import_file(&fresh.db, &out, &opts(dir.path())).unwrap();
        let names = fresh
            .db
            .conn()
            .unwrap()
            .query("SELECT nama FROM persons WHERE nama LIKE '@%'", &[])
            .unwrap();
        assert_eq!(names.len(), 1, "the name comes back without its quote");
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    #[test]
    fn garbage_never_panics_and_never_half_writes(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400), cut in 0usize..2000) {
        let dir = tempfile::tempdir().unwrap();
        let t = testing::sqlite();
        // Pure garbage.
        let f = write(dir.path(), "acak.csv", &bytes);
        let _ = import_file(&t.db, &f, &opts(dir.path()));
        // A real header with a garbage or truncated body.
        let mut mixed = SAMPLE.lines().next().unwrap().as_bytes().to_vec();
        mixed.push(b'\n');
        mixed.extend(&SAMPLE.as_bytes()[SAMPLE.find('\n').unwrap() + 1..][..cut.min(SAMPLE.len() - SAMPLE.find('\n').unwrap() - 1)]);
        mixed.extend(&bytes);
        let f = write(dir.path(), "campur.csv", &mixed);
        let _ = import_file(&t.db, &f, &opts(dir.path()));
        // Whatever happened, no family is stored without its head... or with a member outside it.
        let orphans = t.db.conn().unwrap().query_i64(
            "SELECT COUNT(*) FROM persons p WHERE NOT EXISTS (SELECT 1 FROM families f WHERE f.id = p.family_id)", &[]).unwrap();
        proptest::prop_assert_eq!(orphans, 0);
    }
}
