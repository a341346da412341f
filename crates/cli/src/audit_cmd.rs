//! `puskesos audit verify | archive | verify-archive`: the audit log's hash chain (storage's
//! `audit` module does the work; this reads the arguments and says the outcome).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Subcommand;
use puskesos_domain::{Lang, tr};
use puskesos_storage::Db;
use puskesos_storage::audit;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Walk the chain from its anchor to its head: OK, or the first changed, deleted or
    /// unchained row by id (exit code 1). Prints the head's hash: keep it elsewhere to detect a
    /// chain rewritten whole.
    Verify,
    /// Move the rows written before DATE (YYYY-MM-DD, UTC midnight) to FILE (JSON lines, with
    /// the chain's anchors) and remove them; the stored chain then starts at the last of them.
    Archive {
        #[arg(long)]
        before: String,
        file: PathBuf,
    },
    /// Check an archive file on its own: its rows chain from its first anchor to its last.
    VerifyArchive { file: PathBuf },
}

pub fn run(db: &Db, command: &AuditCommand, lang: Lang) -> Result<ExitCode> {
    let mut conn = db.conn()?;
    match command {
        AuditCommand::Verify => {
            let report = audit::verify(&mut conn)?;
            match report.fault {
                None => {
                    println!(
                        "{}",
                        tr(
                            lang,
                            "cli-audit-ok",
                            &[
                                ("rows", &report.rows.to_string()),
                                ("anchor", &report.anchor_seq.to_string()),
                                ("head", &report.head_seq.to_string()),
                                ("hash", &report.head_hash),
                            ],
                        )
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Some(fault) => {
                    println!(
                        "{}",
                        tr(lang, "cli-audit-fault", &[("fault", &fault.to_string())])
                    );
                    Ok(ExitCode::from(1))
                }
            }
        }
        AuditCommand::Archive { before, file } => {
            let Some(day) = chrono::NaiveDate::parse_from_str(before, "%Y-%m-%d").ok() else {
                eprintln!("{}", tr(lang, "cli-audit-bad-date", &[("date", before)]));
                return Ok(ExitCode::from(2));
            };
            let before_ms = day
                .and_hms_opt(0, 0, 0)
                .map(|t| t.and_utc().timestamp_millis())
                .unwrap_or(0);
            let header = archive_to(&mut conn, before_ms, file)?;
            println!(
                "{}",
                tr(
                    lang,
                    "cli-audit-archived",
                    &[
                        ("rows", &header.rows.to_string()),
                        ("before", before),
                        ("file", &file.display().to_string()),
                        ("anchor", &header.end_seq.to_string()),
                    ],
                )
            );
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::VerifyArchive { file } => verify_archive(file, lang),
    }
}

/// Writes the archive beside `file` and renames it into place once it is on disk, before the
/// rows are deleted (the deletion commits only after that).
fn archive_to(
    conn: &mut puskesos_storage::Conn,
    before_ms: i64,
    file: &Path,
) -> Result<audit::ArchiveHeader> {
    if file.exists() {
        anyhow::bail!("{} exists already: choose a new file", file.display());
    }
    let partial = file.with_extension("partial");
    let out = std::fs::File::create(&partial)
        .with_context(|| format!("creating {}", partial.display()))?;
    let mut writer = std::io::BufWriter::new(out);
    let result = audit::archive(conn, before_ms, &mut writer, |w| {
        w.flush()?;
        w.get_ref().sync_all()?;
        std::fs::rename(&partial, file)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    Ok(result?)
}

pub fn verify_archive(file: &Path, lang: Lang) -> Result<ExitCode> {
    let input = std::io::BufReader::new(
        std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?,
    );
    match audit::verify_archive(input)? {
        Ok(h) => {
            println!(
                "{}",
                tr(
                    lang,
                    "cli-audit-archive-ok",
                    &[
                        ("from", &(h.anchor_seq + 1).to_string()),
                        ("to", &h.end_seq.to_string()),
                        ("rows", &h.rows.to_string()),
                    ],
                )
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(fault) => {
            println!(
                "{}",
                tr(lang, "cli-audit-fault", &[("fault", &fault.to_string())])
            );
            Ok(ExitCode::from(1))
        }
    }
}
