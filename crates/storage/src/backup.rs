//! Backups that restore: a village laptop that dies must not take the registry with it.
//!
//! SQLite: the online backup API copies every page in one step, inside one read transaction of
//! the source, so the copy is the database as it was at one moment while the server keeps
//! serving (WAL readers do not block writers). PostgreSQL: `pg_dump --format=custom`, also one
//! snapshot, restored by `pg_restore`. Both are checked after writing: the SQLite copy must pass
//! `integrity_check` and hold the schema's migrations. Encryption of the file is the CLI's
//! (age, with a passphrase), so this module reads and writes plain database files only.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::db::Conn;
use crate::{Db, StorageError};

/// What a finished backup holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupInfo {
    pub bytes: u64,
    /// The newest migration in the copy (the schema version it restores to).
    pub schema_version: i64,
}

fn io(path: &Path, e: impl std::fmt::Display) -> StorageError {
    StorageError::Config(format!("{}: {e}", path.display()))
}

/// Copies a live SQLite registry to `out` (which must not exist) and checks the copy.
pub fn backup_sqlite(db: &Db, out: &Path) -> Result<BackupInfo, StorageError> {
    if out.exists() {
        return Err(io(out, "already exists; choose a new file name"));
    }
    let conn = db.conn()?;
    let Conn::Sqlite(src) = &conn else {
        return Err(StorageError::Config(
            "backup_sqlite needs an SQLite database".into(),
        ));
    };
    let mut dst = rusqlite::Connection::open(out)?;
    {
        let backup = rusqlite::backup::Backup::new(src, &mut dst)?;
        // Every page in one step, so the copy is one consistent moment of the source.
        backup.run_to_completion(i32::MAX, Duration::ZERO, None)?;
    }
    // A copy is a plain file: no WAL beside it to lose.
    dst.execute_batch("PRAGMA journal_mode = DELETE;")?;
    drop(dst);
    check_sqlite(out)
}

/// Checks an SQLite backup file: readable, sound, and a Puskesos registry.
pub fn check_sqlite(path: &Path) -> Result<BackupInfo, StorageError> {
    let c =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let verdict: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if verdict != "ok" {
        return Err(StorageError::Corrupt(format!(
            "{}: integrity check: {verdict}",
            path.display()
        )));
    }
    let schema_version: i64 = c
        .query_row("SELECT MAX(version) FROM schema_migrations", [], |r| {
            r.get(0)
        })
        .map_err(|_| io(path, "not a Puskesos database (no schema_migrations)"))?;
    let bytes = std::fs::metadata(path).map_err(|e| io(path, e))?.len();
    Ok(BackupInfo {
        bytes,
        schema_version,
    })
}

/// Replaces the registry in `db` by the SQLite backup at `from` (checked first). The server
/// should be stopped: its open pages would be replaced underneath it.
pub fn restore_sqlite(db: &Db, from: &Path) -> Result<BackupInfo, StorageError> {
    let info = check_sqlite(from)?;
    let src =
        rusqlite::Connection::open_with_flags(from, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut conn = db.conn()?;
    let Conn::Sqlite(dst) = &mut conn else {
        return Err(StorageError::Config(
            "restore_sqlite needs an SQLite database".into(),
        ));
    };
    let backup = rusqlite::backup::Backup::new(&src, dst)?;
    backup.run_to_completion(i32::MAX, Duration::ZERO, None)?;
    Ok(info)
}

/// `pg_dump` of the database at `url` into `out` (custom format, one snapshot).
pub fn backup_postgres(url: &str, out: &Path) -> Result<BackupInfo, StorageError> {
    if out.exists() {
        return Err(io(out, "already exists; choose a new file name"));
    }
    run(Command::new("pg_dump")
        .args(["--format=custom", "--no-owner", "--no-privileges", "--file"])
        .arg(out)
        .arg(url))?;
    let bytes = std::fs::metadata(out).map_err(|e| io(out, e))?.len();
    let db = Db::open(url)?;
    let schema_version = db
        .conn()?
        .query_i64("SELECT MAX(version) FROM schema_migrations", &[])?;
    Ok(BackupInfo {
        bytes,
        schema_version,
    })
}

/// `pg_restore` of a `pg_dump` file into the database at `url`, replacing what is there.
pub fn restore_postgres(url: &str, from: &Path) -> Result<(), StorageError> {
    run(Command::new("pg_restore")
        .args([
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
        ])
        .arg(url)
        .arg(from))
}

fn run(cmd: &mut Command) -> Result<(), StorageError> {
    let name = cmd.get_program().to_string_lossy().into_owned();
    let out = cmd
        .output()
        .map_err(|e| StorageError::Config(format!("{name}: {e} (is it installed?)")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(StorageError::Config(format!(
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

/// Every table of the registry with all its rows in key order, as text: two databases hold
/// the same data when these are equal (used by the backup tests and `restore`'s check).
pub fn table_dump(db: &Db) -> Result<Vec<(String, Vec<String>)>, StorageError> {
    let mut conn = db.conn()?;
    let tables_sql = match db.engine() {
        crate::Engine::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        crate::Engine::Postgres => {
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() \
             AND table_type = 'BASE TABLE' ORDER BY table_name"
        }
    };
    let tables: Vec<String> = conn
        .query(tables_sql, &[])?
        .into_iter()
        .filter_map(|r| r.into_iter().next().and_then(|v| v.into_string()))
        .collect();
    let mut out = Vec::new();
    for t in tables {
        let rows = conn.query(&format!("SELECT * FROM {t}"), &[])?;
        let mut lines: Vec<String> = rows.iter().map(|r| format!("{r:?}")).collect();
        lines.sort();
        out.push((t, lines));
    }
    Ok(out)
}
