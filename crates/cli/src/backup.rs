//! `puskesos backup FILE` and `puskesos restore FILE`: an online, consistent copy of the
//! registry (SQLite's backup API; `pg_dump` on PostgreSQL), optionally encrypted with a
//! passphrase (age, scrypt), and its restore. The passphrase comes from
//! `PUSKESOS_BACKUP_PASSPHRASE` or the first line of standard input.

use std::io::{Read, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};
use puskesos_domain::{Lang, tr};
use puskesos_storage::backup::{self, BackupInfo};
use puskesos_storage::{Db, Engine};

/// How an age-encrypted file starts.
const AGE_MAGIC: &[u8] = b"age-encryption.org/v1";

fn passphrase(lang: Lang) -> Result<age::secrecy::SecretString> {
    let p = match std::env::var("PUSKESOS_BACKUP_PASSPHRASE") {
        Ok(p) => p,
        Err(_) => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    if p.chars().count() < 12 {
        bail!("{}", tr(lang, "cli-backup-passphrase-short", &[]));
    }
    Ok(p.into())
}

/// Writes the backup of `db` (at `url`) to `out`; with `encrypt`, as an age file.
pub fn run_backup(db: &Db, url: &str, out: &Path, encrypt: bool, lang: Lang) -> Result<()> {
    if out.exists() {
        bail!("{}: {}", out.display(), tr(lang, "cli-backup-exists", &[]));
    }
    let secret = encrypt.then(|| passphrase(lang)).transpose()?;
    let dir = out.parent().filter(|d| !d.as_os_str().is_empty());
    let tmp = tempfile::Builder::new()
        .prefix(".puskesos-backup-")
        .tempdir_in(dir.unwrap_or(Path::new(".")))?;
    let plain = tmp.path().join("plain");
    let info = make_plain(db, url, &plain)?;
    match secret {
        Some(secret) => {
            let file = std::fs::File::create_new(out)
                .with_context(|| format!("creating {}", out.display()))?;
            let mut writer = age::Encryptor::with_user_passphrase(secret)
                .wrap_output(std::io::BufWriter::new(file))?;
            std::io::copy(&mut std::fs::File::open(&plain)?, &mut writer)?;
            writer.finish()?.flush()?;
        }
        None => std::fs::rename(&plain, out).or_else(|_| std::fs::copy(&plain, out).map(|_| ()))?,
    }
    println!(
        "{}",
        tr(
            lang,
            "cli-backup-done",
            &[
                ("file", &out.display().to_string()),
                ("bytes", &std::fs::metadata(out)?.len().to_string()),
                ("schema", &info.schema_version.to_string()),
            ]
        )
    );
    Ok(())
}

fn make_plain(db: &Db, url: &str, plain: &Path) -> Result<BackupInfo> {
    Ok(match db.engine() {
        Engine::Sqlite => backup::backup_sqlite(db, plain)?,
        Engine::Postgres => backup::backup_postgres(url, plain)?,
    })
}

/// Replaces the registry of `db` (at `url`) by the backup in `from` (decrypted first when it is
/// an age file). Checked before anything is replaced.
pub fn run_restore(db: &Db, url: &str, from: &Path, lang: Lang) -> Result<()> {
    let mut head = [0u8; 21];
    let n = std::fs::File::open(from)
        .with_context(|| format!("opening {}", from.display()))?
        .read(&mut head)?;
    let tmp = tempfile::tempdir()?;
    let plain = if head[..n] == *AGE_MAGIC {
        let decryptor = age::Decryptor::new(std::io::BufReader::new(std::fs::File::open(from)?))?;
        let identity = age::scrypt::Identity::new(passphrase(lang)?);
        let mut reader = decryptor
            .decrypt(std::iter::once(&identity as &dyn age::Identity))
            .map_err(|e| {
                anyhow::anyhow!("{}: {e}", tr(lang, "cli-backup-passphrase-wrong", &[]))
            })?;
        let path = tmp.path().join("plain");
        let mut out = std::fs::File::create(&path)?;
        std::io::copy(&mut reader, &mut out)?;
        path
    } else {
        from.to_path_buf()
    };
    match db.engine() {
        Engine::Sqlite => {
            backup::restore_sqlite(db, &plain)?;
        }
        Engine::Postgres => backup::restore_postgres(url, &plain)?,
    }
    println!(
        "{}",
        tr(
            lang,
            "cli-restore-done",
            &[("file", &from.display().to_string())]
        )
    );
    Ok(())
}
