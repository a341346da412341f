//! The data officer's use cases: import an uploaded file (kept under an id, with its reject
//! report, and the changed villages reassessed at once), export the village's registry, and list
//! the village's proposals for the welfare data (DTSEN) with an audit record. Files live under
//! the node's files folder and are named by id, so a name typed by a user never becomes a path.

use std::path::{Path, PathBuf};

use puskesos_domain::{Lang, tr};
use puskesos_interchange::export::{Cell, ExportError};
use puskesos_interchange::{ImportError, ImportOptions, ImportSummary};
use puskesos_storage::audit::{self, AuditAction, AuditEntity, AuditEvent};
use puskesos_storage::registry::Scope;
use puskesos_storage::{Db, StorageError, new_id};

use crate::app::Rules;

/// Why an upload was not imported. `Import(ImportError::File(..))` is the file's fault and is
/// shown to the user; the rest are ours.
#[derive(Debug)]
pub enum UploadError {
    /// The upload could not be stored in the files folder.
    Io(std::io::Error),
    Import(ImportError),
}

impl From<ImportError> for UploadError {
    fn from(e: ImportError) -> UploadError {
        UploadError::Import(e)
    }
}

impl From<StorageError> for UploadError {
    fn from(e: StorageError) -> UploadError {
        UploadError::Import(ImportError::Storage(e))
    }
}

/// Why an export could not be made.
#[derive(Debug)]
pub enum ExportFailure {
    /// The temporary export file could not be written or read back.
    Io(std::io::Error),
    Export(ExportError),
}

/// The kind of an uploaded file by its name (`csv` or `xlsx`), `None` for anything else.
pub fn upload_kind(file_name: &str) -> Option<&'static str> {
    let lower = file_name.to_lowercase();
    if lower.ends_with(".csv") {
        Some("csv")
    } else if lower.ends_with(".xlsx") {
        Some("xlsx")
    } else {
        None
    }
}

/// Stores the upload under a new id, imports it into `village` in the name of `actor` (rows
/// outside the village go to the reject report) and reassesses the villages it changed (their
/// local deciles move too). Returns the upload's id (which names its reject report) and the
/// summary.
pub fn import_upload(
    db: &Db,
    rules: &Rules,
    files_dir: &Path,
    actor: &str,
    village: String,
    kind: &str,
    bytes: &[u8],
) -> Result<(String, ImportSummary), UploadError> {
    let id = new_id();
    // Each village's uploads and reject reports in a folder of its own: a report is served
    // only from the folder of the village the reader may see.
    let dir = files_dir.join("impor").join(&village);
    let path = dir.join(format!("{id}.{kind}"));
    let mut opts = ImportOptions::new(actor);
    opts.reject_path = Some(dir.join(format!("{id}.tolak.csv")));
    opts.within = Some(village);
    std::fs::create_dir_all(&dir).map_err(UploadError::Io)?;
    std::fs::write(&path, bytes).map_err(UploadError::Io)?;
    let summary = puskesos_interchange::import_file(db, &path, &opts)?;
    for v in &summary.villages_changed {
        // The village's stored reference date (today for a village never assessed), so its
        // stored results keep one date.
        let day = puskesos_storage::assessment::village_date(&mut db.conn()?, v)?
            .unwrap_or_else(Rules::today);
        let assessor = rules.assessor_on(day)?;
        let scope = Scope {
            village: Some(v.clone()),
            ..Default::default()
        };
        puskesos_storage::assessment::assess_all(db, &assessor, &scope, |_| {})?;
    }
    Ok((id, summary))
}

/// Where the reject report of upload `id` into `village` is kept; `None` for an id that is not
/// a UUID or a village that is not a village code (so nothing else is ever opened).
pub fn reject_path(files_dir: &Path, village: &str, id: &str) -> Option<PathBuf> {
    let village = puskesos_domain::ids::VillageCode::parse(village)?;
    (id.len() == 36 && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-')).then(|| {
        files_dir
            .join("impor")
            .join(village.as_str())
            .join(format!("{id}.tolak.csv"))
    })
}

/// The reject report of upload `id` of `village` (it holds NIKs and names), read by `actor`:
/// the read is recorded, and so is a report asked for that the village does not have.
pub fn read_reject(
    db: &Db,
    files_dir: &Path,
    village: &str,
    actor: &str,
    id: &str,
) -> Result<Option<Vec<u8>>, UploadError> {
    let found = match reject_path(files_dir, village, id) {
        Some(path) => match std::fs::read(&path) {
            Ok(bytes) => Some(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(UploadError::Io(e)),
        },
        None => None,
    };
    let action = if found.is_some() {
        AuditAction::Read
    } else {
        AuditAction::ViewRefused
    };
    audit::record(
        &mut db.conn()?,
        &AuditEvent::new(action, AuditEntity::File, &format!("tolak/{id}"))
            .by(actor)
            .in_village(village),
    )?;
    Ok(found)
}

/// An RT or RW as the registry stores it: three digits ("3" is "003"); other text as given.
fn pad(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<u32>().map(|n| format!("{n:03}")).unwrap_or(s))
}

/// The registry of `village` (or an RT/RW of it) in the import layout, as CSV or XLSX bytes.
/// Made in a temporary file under the files folder, removed once read.
pub fn export_registry(
    db: &Db,
    files_dir: &Path,
    village: &str,
    rw: Option<String>,
    rt: Option<String>,
    kind: &str,
    actor: &str,
) -> Result<Vec<u8>, ExportFailure> {
    let scope = Scope {
        village: Some(village.to_string()),
        rw: pad(rw),
        rt: pad(rt),
    };
    let dir = files_dir.join("ekspor");
    let file = dir.join(format!("{}.{kind}", new_id()));
    std::fs::create_dir_all(&dir).map_err(ExportFailure::Io)?;
    puskesos_interchange::export_file(db, &scope, &file, actor).map_err(ExportFailure::Export)?;
    let bytes = std::fs::read(&file).map_err(ExportFailure::Io);
    let _ = std::fs::remove_file(&file);
    bytes
}

/// The village's DTSEN proposals as a table (KK number, head of family, address, case), with
/// an audit record of the export (it names people): no record, no list.
pub fn proposals(
    db: &Db,
    lang: Lang,
    village: &str,
    actor: &str,
) -> Result<(Vec<String>, Vec<Vec<Cell>>), StorageError> {
    let mut conn = db.conn()?;
    let mut rows = puskesos_storage::cases::dtsen_proposals(&mut conn, village)?;
    // And the assessment's: fakir miskin (Kepmensos 262) without a DTSEN decile (issue 18).
    let source = tr(lang, "web-dtsen-proposal-source", &[]);
    for [id, kk, head, address] in
        puskesos_storage::assessment::fakir_miskin_proposals(&mut conn, village)?
    {
        if !rows.iter().any(|r| r[5] == id) {
            rows.push([kk, head, address, source.clone(), String::new(), id]);
        }
    }
    audit::record(
        &mut conn,
        &AuditEvent::new(AuditAction::Export, AuditEntity::DtsenProposals, village)
            .by(actor)
            .in_village(village)
            .detail(&format!("rows={}", rows.len())),
    )?;
    let header = [
        "field-no_kk",
        "web-head-of-family",
        "field-alamat",
        "web-case",
    ]
    .iter()
    .map(|k| tr(lang, k, &[]))
    .collect();
    let cells = rows
        .iter()
        .map(|r| r[..4].iter().map(|c| Cell::Text(c.clone())).collect())
        .collect();
    Ok((header, cells))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_ids_name_files() {
        let dir = Path::new("/berkas");
        let v = "33.12.01.2003";
        assert!(reject_path(dir, v, "0193d0a4-7a3c-7f00-8000-000000000001").is_some());
        assert!(reject_path(dir, v, "..%2F..%2Fetc%2Fpasswd").is_none());
        assert!(reject_path(dir, v, "../../../../../../../../../../etc/passwd").is_none());
        assert!(reject_path(dir, "../x", "0193d0a4-7a3c-7f00-8000-000000000001").is_none());
        assert_eq!(upload_kind("Desa.XLSX"), Some("xlsx"));
        assert_eq!(upload_kind("foto.jpg"), None);
        assert_eq!(pad(Some(" 7 ".into())).as_deref(), Some("007"));
        assert_eq!(pad(Some(" ".into())), None);
    }
}
