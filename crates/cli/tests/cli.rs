//! The `puskesos` binary as a user runs it: real processes, real files, on SQLite and on
//! PostgreSQL (a throwaway database per store, `PUSKESOS_TEST_PG`; `PUSKESOS_SKIP_PG=1` tests
//! SQLite only and says so).

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use puskesos_storage::testing::{self, TestDb};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_puskesos"));
    c.env_remove("PUSKESOS_DATABASE_URL")
        .env("PUSKESOS_LANG", "id");
    c
}

fn run(args: &[&str], dir: &Path) -> (i32, String, String) {
    run_with(args, dir, &[])
}

/// `run` with environment variables set for the process.
fn run_with(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> (i32, String, String) {
    let mut c = bin();
    c.envs(env.iter().copied()).arg("--data-dir").arg(dir);
    output(c.args(args))
}

fn output(c: &mut Command) -> (i32, String, String) {
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The engines every database test runs on: SQLite, and PostgreSQL unless skipped.
const ENGINES: [bool; 2] = [false, true];

/// A test's database as the binary sees it: SQLite in a data folder, or a throwaway PostgreSQL
/// database given by `--database-url` (dropped with the store).
struct Store {
    dir: PathBuf,
    pg: Option<TestDb>,
}

impl Store {
    /// SQLite in `dir`, or (when `pg`) a fresh PostgreSQL database; `None` when PostgreSQL is
    /// skipped (`PUSKESOS_SKIP_PG=1`, printed by `testing::postgres`).
    fn new(pg: bool, dir: &Path) -> Option<Store> {
        let pg = if pg { Some(testing::postgres()?) } else { None };
        std::fs::create_dir_all(dir).unwrap();
        Some(Store {
            dir: dir.to_path_buf(),
            pg,
        })
    }

    fn label(&self) -> &'static str {
        if self.pg.is_some() {
            "postgres"
        } else {
            "sqlite"
        }
    }

    fn cmd(&self) -> Command {
        let mut c = bin();
        c.arg("--data-dir").arg(&self.dir);
        if let Some(url) = self.pg.as_ref().and_then(|t| t.url()) {
            c.args(["--database-url", &url]);
        }
        c
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        self.run_with(args, &[])
    }

    fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
        output(self.cmd().envs(env.iter().copied()).args(args))
    }

    /// The database, opened as a restart would.
    fn open(&self) -> puskesos_storage::Db {
        match &self.pg {
            Some(t) => t.db.clone(),
            None => puskesos_storage::Db::open(self.sqlite_file().to_str().unwrap()).unwrap(),
        }
    }

    fn sqlite_file(&self) -> PathBuf {
        self.dir.join("puskesos.sqlite")
    }
}

#[test]
fn nik_explains_valid_and_invalid_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = run(&["nik", "3312014101900001", "--json"], dir.path());
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["sex"], "P");
    assert_eq!(v["birth_date"], "1990-01-01");
    assert_eq!(v["region"]["names"][1], "Kabupaten Wonogiri");

    let (code, out, _) = run(&["nik", "331201410190001", "3312013102900001"], dir.path());
    assert_eq!(code, 1);
    assert!(out.contains("16 digit, tertulis 15"), "{out}");
    assert!(out.contains("31-02-90"), "{out}");

    let (_, out, _) = run(
        &["--lang", "en", "nik", "3312013702900001", "--json"],
        dir.path(),
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(v["issues"][0]["code"], "nik-day-gap");
    assert!(
        v["issues"][0]["message"]
            .as_str()
            .unwrap()
            .contains("impossible")
    );
}

#[test]
fn wilayah_prints_the_path_and_searches() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = run(&["wilayah", "3312012003"], dir.path());
    assert_eq!(code, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4);
    assert!(lines[0].ends_with("Jawa Tengah"));
    assert!(lines[3].contains("Petirsari"));
    let (code, out, _) = run(&["wilayah", "--search", "wonogiri"], dir.path());
    assert_eq!(code, 0);
    assert!(out.lines().next().unwrap().starts_with("33.12\t"), "{out}");
    let (code, _, err) = run(&["wilayah", "99.99"], dir.path());
    assert_eq!(code, 1);
    assert!(err.contains("99.99"));
}

/// Demo → export → import into an empty database → export gives the same file, on each engine.
#[test]
fn demo_export_import_round_trip() {
    for pg in ENGINES {
        let dir = tempfile::tempdir().unwrap();
        let (Some(a), Some(b)) = (
            Store::new(pg, &dir.path().join("a")),
            Store::new(pg, &dir.path().join("b")),
        ) else {
            continue;
        };
        let label = a.label();
        let (code, out, err) = a.run(&["demo", "--families", "400", "--seed", "7"]);
        assert_eq!(code, 0, "{label}: {out}{err}");
        let first = dir.path().join("first.csv");
        let (code, _, err) = a.run(&["export", first.to_str().unwrap()]);
        assert_eq!(code, 0, "{label}: {err}");
        let (code, out, err) = b.run(&["import", first.to_str().unwrap()]);
        assert_eq!(code, 0, "{label}: {out}{err}");
        assert!(out.contains("keluarga baru 400"), "{label}: {out}");
        assert!(out.contains("baris ditolak 0"), "{label}: {out}");
        let second = dir.path().join("second.csv");
        b.run(&["export", second.to_str().unwrap()]);
        assert_eq!(
            std::fs::read(&first).unwrap(),
            std::fs::read(&second).unwrap(),
            "{label}"
        );
        // Re-importing changes nothing.
        let (_, out, _) = b.run(&["import", first.to_str().unwrap()]);
        assert!(
            out.contains("anggota baru 0, diperbarui 0"),
            "{label}: {out}"
        );
    }
}

#[test]
fn file_errors_exit_2_and_say_nothing_was_imported() {
    for pg in ENGINES {
        let dir = tempfile::tempdir().unwrap();
        let Some(store) = Store::new(pg, &dir.path().join("data")) else {
            continue;
        };
        let label = store.label();
        let f = dir.path().join("x.csv");
        std::fs::write(&f, "no_kk,nik\n1,2\n").unwrap();
        let (code, _, err) = store.run(&["import", f.to_str().unwrap()]);
        assert_eq!(code, 2, "{label}: {err}");
        assert!(
            err.contains("x.csv") && err.contains("kode_wilayah"),
            "{label}: {err}"
        );
        assert!(err.contains("basis data tidak berubah"), "{label}: {err}");
        let counts = puskesos_storage::registry::counts(&mut store.open().conn().unwrap());
        assert_eq!(counts.unwrap(), (0, 0), "{label}");
    }
}

/// A demo village of `families` exported to `dir/all.csv`, a real file to import (made on
/// SQLite: only the file matters).
fn demo_export(dir: &Path, families: usize, seed: u64) -> std::path::PathBuf {
    let src = dir.join("src");
    let (families, seed) = (families.to_string(), seed.to_string());
    run(&["demo", "--families", &families, "--seed", &seed], &src);
    let file = dir.join("all.csv");
    run(&["export", file.to_str().unwrap()], &src);
    file
}

/// Where a kill landed, as the database shows it afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Landed {
    /// Before the first write: nothing of the import was stored.
    BeforeFirst,
    /// Between the first write and the last: part of the work written, not the rest.
    Between,
    /// After the last write: everything committed.
    AfterLast,
}

/// Starts `puskesos import FILE ARGS` on `store` and kills it the moment `progress()` (polled
/// every 2 ms, from outside the process) sees that the import has written part of its work.
/// Returns whether it was killed so; `false` when it ended first.
fn kill_on_progress(
    store: &Store,
    file: &Path,
    args: &[&str],
    mut progress: impl FnMut() -> bool,
) -> bool {
    let mut child: Child = store
        .cmd()
        .args(["import", file.to_str().unwrap()])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        if progress() {
            let _ = child.kill();
            child.wait().unwrap();
            return true;
        }
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "the import showed no progress"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn family_count(conn: &mut puskesos_storage::Conn) -> usize {
    puskesos_storage::registry::counts(conn).unwrap().0 as usize
}

/// Killing an import into a registry that already holds families (a commit every `--batch`
/// families) leaves whole families and whole batches only. Each import is killed once the
/// database shows committed batches (a reader polling the family count), so the kill lands
/// between the first and the last commit; the test fails unless at least one kill was seen to
/// land there, and the same import then completes what the kill left.
#[test]
fn killed_import_leaves_whole_families() {
    const BATCH: usize = 25;
    let dir = tempfile::tempdir().unwrap();
    let file = demo_export(dir.path(), 3000, 3);
    let expected: std::collections::HashMap<String, usize> = {
        let mut m = std::collections::HashMap::new();
        let mut rdr = csv::Reader::from_path(&file).unwrap();
        for r in rdr.records() {
            *m.entry(r.unwrap()[0].to_string()).or_insert(0) += 1;
        }
        m
    };
    let total = expected.len();
    // The file's first family alone, imported first: the registry is then not empty, so the
    // import below commits in batches instead of loading the file as one transaction.
    let first = dir.path().join("first.csv");
    let text = std::fs::read_to_string(&file).unwrap();
    let first_kk = text.lines().nth(1).unwrap().split(',').next().unwrap();
    let first_family: Vec<&str> = text
        .lines()
        .enumerate()
        .filter(|(i, l)| *i == 0 || l.starts_with(first_kk))
        .map(|(_, l)| l)
        .collect();
    std::fs::write(&first, first_family.join("\n") + "\n").unwrap();
    let batch = BATCH.to_string();
    for pg in ENGINES {
        let mut landed = Vec::new();
        for (i, fraction) in [0.25, 0.6].into_iter().enumerate() {
            let Some(store) = Store::new(pg, &dir.path().join(format!("dst-{pg}-{i}"))) else {
                continue;
            };
            let label = store.label();
            let (code, out, err) = store.run(&["import", first.to_str().unwrap()]);
            assert_eq!(code, 0, "{label}: {out}{err}");
            let trigger = (total as f64 * fraction) as usize;
            let mut seen = 0;
            let killed = {
                let db = store.open();
                let mut watch = db.conn().unwrap();
                kill_on_progress(&store, &file, &["--batch", &batch], || {
                    seen = family_count(&mut watch);
                    seen >= trigger
                })
            };
            // A restart's view of what the kill left.
            let db = store.open();
            let mut conn = db.conn().unwrap();
            let rows = conn
                .query(
                    "SELECT f.no_kk, COUNT(p.id) FROM families f LEFT JOIN persons p ON p.family_id = f.id GROUP BY f.no_kk",
                    &[],
                )
                .unwrap();
            for r in &rows {
                let kk = r[0].as_str().unwrap();
                assert_eq!(
                    r[1].as_i64().unwrap() as usize,
                    expected[kk],
                    "{label}: family {kk} is half-written"
                );
            }
            let stored = rows.len();
            assert!(
                stored >= seen,
                "{label}: {seen} families seen, {stored} kept"
            );
            // The first batch holds the family imported first and the next 24 of the file.
            assert!(
                stored == 1 || stored % BATCH == 0,
                "{label}: {stored} families: a batch of {BATCH} is half-written"
            );
            let at = match stored {
                1 => Landed::BeforeFirst,
                n if n < total => Landed::Between,
                _ => Landed::AfterLast,
            };
            eprintln!(
                "{label}: killed {} at {seen} families seen (trigger {trigger}): {stored} of \
                 {total} stored, {at:?}",
                if killed {
                    "on progress"
                } else {
                    "never (it ended)"
                }
            );
            landed.push(at);
            // The same import completes what the kill left.
            let (code, out, err) = store.run(&[
                "import",
                file.to_str().unwrap(),
                "--batch",
                &batch,
                "--no-assess",
            ]);
            assert_eq!(code, 0, "{label}: {out}{err}");
            assert_eq!(family_count(&mut conn), total, "{label}: {out}");
        }
        if !landed.is_empty() {
            assert!(
                landed.contains(&Landed::Between),
                "no kill landed between the first and the last commit: {landed:?}"
            );
        }
    }
}

/// How much an import has written so far: the SQLite file's size (the first import writes
/// past the WAL, into the file) or the PostgreSQL database's (uncommitted rows take room too).
fn written(store: &Store) -> u64 {
    match &store.pg {
        Some(t) => {
            let mut conn = t.db.conn().unwrap();
            let r = conn
                .query("SELECT pg_database_size(current_database())", &[])
                .unwrap();
            r[0][0].as_i64().unwrap() as u64
        }
        None => std::fs::metadata(store.sqlite_file())
            .map(|m| m.len())
            .unwrap_or(0),
    }
}

/// Killing the first import into an empty database (one transaction; on SQLite written past
/// the WAL) leaves the database as it was: no family, a sound file back in WAL mode, and the
/// same import then runs to the end. Each import is killed once the database has grown by a
/// part of what a whole import adds (the file's or the database's size, read from outside), so
/// the kill lands after the first write; the test fails unless at least one kill was seen to
/// land before the commit.
#[test]
fn killed_first_import_leaves_the_database_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let file = demo_export(dir.path(), 6000, 4);
    let f = file.to_str().unwrap();
    for pg in ENGINES {
        // What a whole import adds on this engine.
        let Some(whole) = Store::new(pg, &dir.path().join(format!("whole-{pg}"))) else {
            continue;
        };
        let label = whole.label();
        whole.run(&["user", "list"]);
        let empty = written(&whole);
        let (code, out, err) = whole.run(&["import", f, "--no-assess"]);
        assert_eq!(code, 0, "{label}: {out}{err}");
        let growth = written(&whole).saturating_sub(empty);
        let persons = puskesos_storage::registry::counts(&mut whole.open().conn().unwrap())
            .unwrap()
            .1;
        drop(whole);
        let mut landed = Vec::new();
        for (i, fraction) in [0.1, 0.35, 0.6].into_iter().enumerate() {
            let store = Store::new(pg, &dir.path().join(format!("dst-{pg}-{i}"))).unwrap();
            // The empty, migrated database, before the import starts.
            let (code, _, err) = store.run(&["user", "list"]);
            assert_eq!(code, 0, "{label}: {err}");
            let base = written(&store);
            let trigger = base + (growth as f64 * fraction) as u64;
            let mut seen = base;
            // SQLite: the file is watched from outside only; a connection would keep the WAL.
            let killed = kill_on_progress(&store, &file, &[], || {
                seen = written(&store);
                seen >= trigger
            });
            let db = store.open();
            let mut conn = db.conn().unwrap();
            let (families, people) = puskesos_storage::registry::counts(&mut conn).unwrap();
            assert!(
                (families, people) == (0, 0) || (families, people) == (6000, persons),
                "{label}: killed at {seen} bytes: {families} families, {people} people"
            );
            if store.pg.is_none() {
                let check = conn.query("PRAGMA integrity_check", &[]).unwrap();
                assert_eq!(check[0][0].as_str(), Some("ok"));
                let mode = conn.query("PRAGMA journal_mode", &[]).unwrap();
                assert_eq!(mode[0][0].as_str(), Some("wal"));
                assert!(!store.dir.join("puskesos.sqlite-journal").exists());
            }
            let at = if families == 6000 {
                Landed::AfterLast
            } else if killed && seen > base {
                Landed::Between
            } else {
                Landed::BeforeFirst
            };
            eprintln!(
                "{label}: killed {} at {} of {} kB written: {families} families stored, {at:?}",
                if killed {
                    "on progress"
                } else {
                    "never (it ended)"
                },
                (seen - base) / 1024,
                growth / 1024
            );
            landed.push(at);
            drop(conn);
            drop(db);
            let (code, out, err) = store.run(&["import", f, "--no-assess"]);
            assert_eq!(code, 0, "{label}: {out}{err}");
            assert_eq!(family_count(&mut store.open().conn().unwrap()), 6000);
        }
        assert!(
            landed.contains(&Landed::Between),
            "{label}: no kill landed between the first write and the commit: {landed:?}"
        );
    }
}

#[test]
fn serve_starts_and_answers() {
    for pg in ENGINES {
        let dir = tempfile::tempdir().unwrap();
        let Some(store) = Store::new(pg, dir.path()) else {
            continue;
        };
        let label = store.label();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr = format!("127.0.0.1:{port}");
        let mut child = store
            .cmd()
            .args(["serve", "--demo", "--addr", &addr])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut printed = String::new();
        while let Some(Ok(line)) = lines.next() {
            printed.push_str(&line);
            if line.contains("http://") {
                break;
            }
        }
        assert!(
            printed.contains(&format!("http://{addr}/")),
            "{label}: {printed}"
        );
        let get = |path: &str| {
            let start = Instant::now();
            loop {
                if let Ok(mut s) = std::net::TcpStream::connect(&addr) {
                    use std::io::Write;
                    write!(
                        s,
                        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    )
                    .unwrap();
                    let mut body = String::new();
                    s.read_to_string(&mut body).unwrap();
                    break body;
                }
                assert!(start.elapsed() < Duration::from_secs(10));
                std::thread::sleep(Duration::from_millis(50));
            }
        };
        let (body, health) = (get("/"), get("/healthz"));
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(body.starts_with("HTTP/1.1 200"), "{label}: {body}");
        assert!(body.contains("Petirsari"), "{label}");
        assert!(body.contains("3.000 keluarga"), "{label}: {body}");
        assert!(health.starts_with("HTTP/1.1 200"), "{label}: {health}");
    }
}

#[test]
fn roles_doc_matches_the_matrix() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = run(&["roles"], dir.path());
    assert_eq!(code, 0);
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/roles.md"))
        .unwrap();
    assert_eq!(
        out, doc,
        "docs/roles.md is stale: run `puskesos roles > docs/roles.md`"
    );
}

/// `backup --encrypt` then `restore` on another laptop gives back the same registry; the file
/// holds no readable name, a wrong passphrase restores nothing, an old backup is never
/// overwritten. On each engine (PostgreSQL: pg_dump and pg_restore).
#[test]
fn an_encrypted_backup_restores_the_same_registry() {
    for pg in ENGINES {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let (Some(src), Some(dst)) = (Store::new(pg, a.path()), Store::new(pg, b.path())) else {
            continue;
        };
        let label = src.label();
        let (code, _, err) = src.run(&["demo", "--families", "40", "--seed", "3"]);
        assert_eq!(code, 0, "{label}: {err}");
        let file = a.path().join("cadangan.age");
        let pass = "kata sandi cadangan desa";
        let with_pass = |store: &Store, args: &[&str], p: &str| {
            store.run_with(args, &[("PUSKESOS_BACKUP_PASSPHRASE", p)])
        };
        let f = file.to_str().unwrap();
        let (code, out, err) = with_pass(&src, &["backup", f, "--encrypt"], pass);
        assert_eq!(code, 0, "{label}: {err}");
        assert!(out.contains("Cadangan tersimpan"), "{label}: {out}");
        let bytes = std::fs::read(&file).unwrap();
        assert!(bytes.starts_with(b"age-encryption.org/v1"), "{label}");
        let plain = String::from_utf8_lossy(&bytes);
        assert!(
            !plain.contains("SQLite format") && !plain.contains("PGDMP"),
            "{label}"
        );
        // Never overwritten.
        let (code, _, err) = with_pass(&src, &["backup", f, "--encrypt"], pass);
        assert_ne!(code, 0, "{label}");
        assert!(err.contains("sudah ada"), "{label}: {err}");
        // A wrong passphrase restores nothing.
        let (code, _, err) = with_pass(&dst, &["restore", f], "bukan kata sandinya");
        assert_ne!(code, 0, "{label}");
        assert!(err.contains("Kata sandi cadangan salah"), "{label}: {err}");
        let (code, out, err) = with_pass(&dst, &["restore", f], pass);
        assert_eq!(code, 0, "{label}: {err}");
        assert!(out.contains("dipulihkan"), "{label}: {out}");
        let export = |store: &Store| {
            let p = store.dir.join("ekspor.csv");
            let (code, _, err) = store.run(&["export", p.to_str().unwrap()]);
            assert_eq!(code, 0, "{label}: {err}");
            std::fs::read_to_string(p).unwrap()
        };
        let (x, y) = (export(&src), export(&dst));
        assert!(x.lines().count() > 40, "{label}");
        assert_eq!(x, y, "{label}: the restored registry exports the same file");
    }
}

/// Issue 18 finding 1: an import reassesses each village it changed for the village's stored
/// reference date, not for today; `--on` picks another.
#[test]
fn an_import_reassesses_for_the_stored_reference_date() {
    for pg in ENGINES {
        let dir = tempfile::tempdir().unwrap();
        let Some(dst) = Store::new(pg, &dir.path().join("dst")) else {
            continue;
        };
        reassesses_for_the_stored_date(&dst, dir.path());
    }
}

fn reassesses_for_the_stored_date(dst: &Store, dir: &Path) {
    let label = dst.label();
    let file = demo_export(dir, 60, 11);
    let (code, out, err) = dst.run(&["import", file.to_str().unwrap(), "--no-assess"]);
    assert_eq!(code, 0, "{label}: {out}{err}");
    let (code, out, err) = dst.run(&["assess", "--on", "2025-07-01"]);
    assert_eq!(code, 0, "{label}: {out}{err}");
    let dates = || {
        let db = dst.open();
        let mut conn = db.conn().unwrap();
        let mut q = |sql: &str| -> Vec<String> {
            conn.query(sql, &[])
                .unwrap()
                .into_iter()
                .map(|r| r[0].as_str().unwrap_or("NULL").to_string())
                .collect()
        };
        let mut all = q("SELECT DISTINCT tanggal_acuan FROM assessment_runs");
        all.extend(q("SELECT DISTINCT tanggal_acuan FROM assessments"));
        all.sort();
        all.dedup();
        all
    };
    assert_eq!(dates(), ["2025-07-01"], "{label}");
    // A changed file: the first family's address edited (on each of its rows), imported again.
    let text = std::fs::read_to_string(&file).unwrap();
    let changed = dir.join("changed.csv");
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let (col, kk) = (
        header.iter().position(|h| *h == "alamat").unwrap(),
        header.iter().position(|h| *h == "no_kk").unwrap(),
    );
    let first_kk = text
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .nth(kk)
        .unwrap()
        .to_string();
    let write_with = |alamat: &str| {
        let lines: Vec<String> = text
            .lines()
            .map(|l| {
                let mut cells: Vec<&str> = l.split(',').collect();
                if cells[kk] == first_kk {
                    cells[col] = alamat;
                }
                cells.join(",")
            })
            .collect();
        std::fs::write(&changed, lines.join("\n") + "\n").unwrap();
    };
    write_with("Dusun Baru");
    let (code, out, err) = dst.run(&["import", changed.to_str().unwrap()]);
    assert_eq!(code, 0, "{label}: {out}{err}");
    assert_eq!(
        dates(),
        ["2025-07-01"],
        "{label}: the stored date is kept: {out}"
    );
    // Another change, reassessed for the day asked for.
    write_with("Dusun Lain");
    let (code, out, err) = dst.run(&["import", changed.to_str().unwrap(), "--on", "2025-08-01"]);
    assert_eq!(code, 0, "{label}: {out}{err}");
    assert_eq!(dates(), ["2025-08-01"], "{label}: {out}");
}
