//! Streaming import of CSV and XLSX files into the registry.
//!
//! The file is checked as a whole first (readable, UTF-8, usable header): a file-level problem
//! changes nothing. Rows are then read in order, grouped by KK, checked, and saved family by
//! family in transactions of whole families, so a killed import leaves whole families only.
//! A row with an error is not imported; it is written to the reject report with its row number,
//! column, value and reason.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use csv::StringRecord;
use indicatif::{ProgressBar, ProgressStyle};
use puskesos_domain::identity::Severity;
use puskesos_domain::model::{FAMILY_FIELDS, PERSON_FIELDS, Values};
use puskesos_domain::validate::{self, FieldIssue, has_errors};
use puskesos_domain::{Lang, Message};
use puskesos_storage::audit::{self, AuditAction, AuditEntity, AuditEvent};
use puskesos_storage::bulk_load::load_families;
use puskesos_storage::registry::{FamilyInput, WriteCtx};
use puskesos_storage::{Db, StorageError};

use crate::layout::{ColumnMap, HeaderProblem};

/// Longest cell text written back into the reject report.
const MAX_SHOWN_VALUE: usize = 120;

#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub actor: String,
    /// Where to write rejected rows and warnings; default `<file>.tolak.csv` beside the input.
    pub reject_path: Option<PathBuf>,
    /// Families per transaction.
    pub batch_families: usize,
    /// Show a progress bar on the terminal.
    pub progress: bool,
    /// Date used for "birth date in the future" and NIK century checks.
    pub today: NaiveDate,
    /// Only families of villages within this region code are accepted (an upload by a village
    /// account); `None` accepts any village.
    pub within: Option<String>,
}

impl ImportOptions {
    pub fn new(actor: &str) -> ImportOptions {
        ImportOptions {
            actor: actor.to_string(),
            reject_path: None,
            batch_families: 2000,
            progress: false,
            today: chrono::Local::now().date_naive(),
            within: None,
        }
    }
}

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ImportSummary {
    pub rows: u64,
    pub families_created: u64,
    pub families_updated: u64,
    pub persons_created: u64,
    pub persons_updated: u64,
    pub persons_unchanged: u64,
    pub rows_rejected: u64,
    pub warnings: u64,
    /// Header cells that matched no known column (ignored).
    pub unknown_columns: Vec<String>,
    /// The reject report, when there was something to report.
    pub reject_file: Option<PathBuf>,
    /// Villages with a created or changed family or member: to be reassessed.
    pub villages_changed: std::collections::BTreeSet<String>,
}

impl ImportSummary {
    pub fn render(&self, lang: Lang) -> String {
        let mut m = Message::new("import-summary")
            .arg("rows", self.rows)
            .arg("fc", self.families_created)
            .arg("fu", self.families_updated)
            .arg("pc", self.persons_created)
            .arg("pu", self.persons_updated)
            .arg("same", self.persons_unchanged)
            .arg("rejected", self.rows_rejected)
            .arg("warnings", self.warnings)
            .render(lang);
        if !self.unknown_columns.is_empty() {
            m.push('\n');
            m.push_str(
                &Message::new("import-unknown-columns")
                    .arg("columns", self.unknown_columns.join(", "))
                    .render(lang),
            );
        }
        if let Some(p) = &self.reject_file {
            m.push('\n');
            m.push_str(
                &Message::new("import-reject-file")
                    .arg("path", p.display())
                    .render(lang),
            );
        }
        m
    }
}

/// A problem with the file as a whole; nothing was imported.
#[derive(Debug, Clone, PartialEq)]
pub struct FileError {
    pub file: String,
    pub message: Message,
}

impl FileError {
    fn new(path: &Path, message: Message) -> FileError {
        FileError {
            file: path.display().to_string(),
            message,
        }
    }
    pub fn render(&self, lang: Lang) -> String {
        format!("{}: {}", self.file, self.message.render(lang))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{} / {}", .0.render(Lang::Id), .0.render(Lang::En))]
    File(FileError),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("{0}")]
    Report(String),
}

/// The rows of a file, header first consumed into a [`ColumnMap`].
enum Rows {
    Csv(csv::Reader<Box<dyn Read + Send>>),
    Sheet(std::vec::IntoIter<StringRecord>),
}

impl Rows {
    fn next(&mut self, record: &mut StringRecord) -> Result<bool, String> {
        match self {
            Rows::Csv(r) => r.read_record(record).map_err(|e| e.to_string()),
            Rows::Sheet(it) => match it.next() {
                Some(r) => {
                    *record = r;
                    Ok(true)
                }
                None => Ok(false),
            },
        }
    }
}

fn is_xlsx(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("xls"))
}

/// Checks that the whole file is UTF-8 and picks the delimiter from the header line.
fn precheck_csv(path: &Path) -> Result<u8, FileError> {
    let err = |m: Message| FileError::new(path, m);
    let file = File::open(path)
        .map_err(|e| err(Message::new("file-unreadable").arg("cause", e.to_string())))?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut buf = vec![0u8; 1 << 20];
    let mut carry: Vec<u8> = Vec::new();
    let mut line: u64 = 1;
    let mut first_line: Vec<u8> = Vec::new();
    let mut first_chunk = true;
    loop {
        let n = reader
            .read(&mut buf)
            .map_err(|e| err(Message::new("file-unreadable").arg("cause", e.to_string())))?;
        if n == 0 {
            if !carry.is_empty() {
                return Err(err(Message::new("file-encoding").arg("row", line)));
            }
            break;
        }
        if first_chunk {
            first_chunk = false;
            if buf[..n].starts_with(&[0xFF, 0xFE]) || buf[..n].starts_with(&[0xFE, 0xFF]) {
                return Err(err(Message::new("file-utf16")));
            }
        }
        carry.extend_from_slice(&buf[..n]);
        let valid = match std::str::from_utf8(&carry) {
            Ok(_) => carry.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(), // cut inside a character
            Err(e) => {
                let upto = e.valid_up_to();
                line += carry[..upto].iter().filter(|b| **b == b'\n').count() as u64;
                return Err(err(Message::new("file-encoding").arg("row", line)));
            }
        };
        if first_line.len() < 65_536 && !first_line.contains(&b'\n') {
            first_line.extend_from_slice(&carry[..valid.min(65_536)]);
        }
        line += carry[..valid].iter().filter(|b| **b == b'\n').count() as u64;
        carry.drain(..valid);
    }
    let header = first_line.split(|b| *b == b'\n').next().unwrap_or(&[]);
    if header.iter().all(u8::is_ascii_whitespace) {
        return Err(err(Message::new("file-empty")));
    }
    // Indonesian spreadsheet programs write `;`; others `,` or tab.
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| header.iter().filter(|b| *b == d).count())
        .unwrap_or(b',');
    Ok(delimiter)
}

fn open_csv(path: &Path, delimiter: u8, pb: &ProgressBar) -> Result<Rows, FileError> {
    let file = File::open(path)
        .map_err(|e| FileError::new(path, Message::new("file-unreadable").arg("cause", e)))?;
    let reader: Box<dyn Read + Send> =
        Box::new(pb.wrap_read(BufReader::with_capacity(1 << 20, file)));
    let rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(reader);
    Ok(Rows::Csv(rdr))
}

/// Reads the first sheet of a workbook into text rows. NIK and KK typed as numbers lose digits
/// past 15 in Excel; such cells are kept as the digits Excel stored and caught by the checks.
fn open_sheet(path: &Path) -> Result<Rows, FileError> {
    use calamine::{Data, Reader, open_workbook_auto};
    let err = |m: Message| FileError::new(path, m);
    let mut wb = open_workbook_auto(path)
        .map_err(|e| err(Message::new("file-not-spreadsheet").arg("cause", e.to_string())))?;
    let range = wb
        .worksheet_range_at(0)
        .ok_or_else(|| err(Message::new("file-empty")))?
        .map_err(|e| err(Message::new("file-not-spreadsheet").arg("cause", e.to_string())))?;
    let rows: Vec<StringRecord> = range
        .rows()
        .map(|row| {
            let cells: Vec<String> = row
                .iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::String(s) => s.clone(),
                    Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e17 => {
                        format!("{}", *f as i64)
                    }
                    Data::Float(f) => f.to_string().replace('.', ","),
                    Data::Int(i) => i.to_string(),
                    Data::Bool(b) => if *b { "ya" } else { "tidak" }.to_string(),
                    Data::DateTime(d) => {
                        let (y, m, day, ..) = d.to_ymd_hms_milli();
                        format!("{y:04}-{m:02}-{day:02}")
                    }
                    Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
                    Data::Error(e) => format!("#{e:?}"),
                })
                .collect();
            StringRecord::from(cells)
        })
        .collect();
    if rows.is_empty() {
        return Err(err(Message::new("file-empty")));
    }
    Ok(Rows::Sheet(rows.into_iter()))
}

/// One line of the reject report.
struct Reject {
    row: u64,
    column: &'static str,
    value: String,
    severity: Severity,
    message: Message,
}

impl Reject {
    fn from_issue(row: u64, i: FieldIssue) -> Reject {
        Reject {
            row,
            column: i.field,
            value: i.value,
            severity: i.issue.severity,
            message: i.issue.message,
        }
    }
}

/// Position of the NIK in `PERSON_FIELDS` and of the village code in `FAMILY_FIELDS` (checked
/// by a test).
const NIK: usize = 0;
const VILLAGE: usize = 1;

fn shown(value: &str) -> String {
    if value.chars().count() > MAX_SHOWN_VALUE {
        let head: String = value.chars().take(MAX_SHOWN_VALUE).collect();
        // The report carries both languages in its reason columns; this note does too.
        format!("{head}… ({} karakter/characters)", value.chars().count())
    } else {
        value.to_string()
    }
}

struct Report {
    path: PathBuf,
    file_name: String,
    writer: Option<csv::Writer<File>>,
    rejected_rows: BTreeSet<u64>,
    warnings: u64,
}

impl Report {
    fn add(&mut self, r: Reject) -> Result<(), ImportError> {
        match r.severity {
            Severity::Error => {
                self.rejected_rows.insert(r.row);
            }
            Severity::Warning => self.warnings += 1,
        }
        if self.writer.is_none() {
            let mut w = csv::Writer::from_path(&self.path)
                .map_err(|e| ImportError::Report(format!("{}: {e}", self.path.display())))?;
            w.write_record([
                "berkas/file",
                "baris/row",
                "kolom/column",
                "nilai/value",
                "jenis/kind",
                "alasan",
                "reason",
            ])
            .map_err(|e| ImportError::Report(e.to_string()))?;
            self.writer = Some(w);
        }
        let kind = match r.severity {
            Severity::Error => "ditolak/rejected",
            Severity::Warning => "peringatan/warning",
        };
        let w = self.writer.as_mut().expect("created above");
        w.write_record([
            self.file_name.as_str(),
            &r.row.to_string(),
            r.column,
            &crate::export::csv_escape(&shown(&r.value)),
            kind,
            &r.message.render(Lang::Id),
            &r.message.render(Lang::En),
        ])
        .map_err(|e| ImportError::Report(e.to_string()))
    }
}

/// Rows of one KK waiting to be saved together.
struct Group {
    kk: String,
    rows: Vec<(u64, StringRecord)>,
}

/// Imports a CSV or XLSX file. See the module documentation for the guarantees.
pub fn import_file(
    db: &Db,
    path: &Path,
    opts: &ImportOptions,
) -> Result<ImportSummary, ImportError> {
    let size = std::fs::metadata(path)
        .map_err(|e| {
            ImportError::File(FileError::new(
                path,
                Message::new("file-unreadable").arg("cause", e.to_string()),
            ))
        })?
        .len();
    let pb = if opts.progress {
        let pb = ProgressBar::new(size);
        pb.set_style(
            ProgressStyle::with_template(
                "{spinner} {bytes}/{total_bytes} [{bar:30}] {percent}% {msg} ({eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        pb
    } else {
        ProgressBar::hidden()
    };
    let mut rows = if is_xlsx(path) {
        open_sheet(path).map_err(ImportError::File)?
    } else {
        let delimiter = precheck_csv(path).map_err(ImportError::File)?;
        open_csv(path, delimiter, &pb).map_err(ImportError::File)?
    };
    let mut record = StringRecord::new();
    let has_header = rows.next(&mut record).map_err(|e| {
        ImportError::File(FileError::new(
            path,
            Message::new("file-unreadable").arg("cause", e),
        ))
    })?;
    if !has_header {
        return Err(ImportError::File(FileError::new(
            path,
            Message::new("file-empty"),
        )));
    }
    let map = ColumnMap::from_header(&record.iter().collect::<Vec<_>>()).map_err(|p| {
        ImportError::File(FileError::new(
            path,
            match p {
                HeaderProblem::Missing(cols) => {
                    Message::new("file-missing-columns").arg("columns", cols.join(", "))
                }
                HeaderProblem::Duplicate(c) => {
                    Message::new("file-duplicate-column").arg("column", c)
                }
            },
        ))
    })?;
    let file_name = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    let reject_path = opts.reject_path.clone().unwrap_or_else(|| {
        let mut p = path.as_os_str().to_owned();
        p.push(".tolak.csv");
        PathBuf::from(p)
    });
    // A stale report from an earlier run would mislead.
    let _ = std::fs::remove_file(&reject_path);
    let mut report = Report {
        path: reject_path,
        file_name: file_name.clone(),
        writer: None,
        rejected_rows: BTreeSet::new(),
        warnings: 0,
    };
    let ctx = WriteCtx {
        actor: opts.actor.clone(),
        reason: Some(format!("impor {file_name}")),
        source: format!("import:{file_name}"),
        now_ms: puskesos_storage::now_ms(),
    };
    let mut summary = ImportSummary {
        unknown_columns: map.unknown.clone(),
        ..ImportSummary::default()
    };

    let mut conn = db.conn()?;
    conn.tune_for_bulk()?;
    let result = run_pipeline(
        &mut conn,
        rows,
        &map,
        opts,
        &ctx,
        &mut report,
        &mut summary,
        &pb,
    );
    conn.untune()?;
    result?;
    conn.analyze()?;
    if let Some(mut w) = report.writer.take() {
        w.flush().map_err(|e| ImportError::Report(e.to_string()))?;
        summary.reject_file = Some(report.path.clone());
    }
    summary.rows_rejected = report.rejected_rows.len() as u64;
    summary.warnings = report.warnings;
    let detail = format!(
        "rows={} created={} updated={} rejected={}",
        summary.rows, summary.persons_created, summary.persons_updated, summary.rows_rejected
    );
    audit::record(
        &mut conn,
        &AuditEvent::new(AuditAction::Import, AuditEntity::File, &file_name)
            .by(&opts.actor)
            .detail(&detail),
    )?;
    pb.finish_and_clear();
    Ok(summary)
}

/// One family's rows, checked: what to save and what to report.
struct Prepared {
    rows: u64,
    rejects: Vec<Reject>,
    input: Option<FamilyInput>,
}

/// Two stages on two cores: a reader thread parses and checks rows and groups them by KK; this
/// thread saves families in transactions of `batch_families` and writes the report.
#[allow(clippy::too_many_arguments)]
fn run_pipeline(
    conn: &mut puskesos_storage::Conn,
    mut rows: Rows,
    map: &ColumnMap,
    opts: &ImportOptions,
    ctx: &WriteCtx,
    report: &mut Report,
    summary: &mut ImportSummary,
    pb: &ProgressBar,
) -> Result<(), ImportError> {
    let kk_col = map.family[0].expect("no_kk is required");
    // Families travel in chunks: one channel hand-over per family costs more than checking it.
    const CHUNK: usize = 64;
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Vec<Prepared>, String>>(16);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut record = StringRecord::new();
            let mut group: Option<Group> = None;
            let mut chunk: Vec<Prepared> = Vec::with_capacity(CHUNK);
            let mut row_no: u64 = 1;
            loop {
                match rows.next(&mut record) {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
                row_no += 1;
                if record.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                let kk: String = record
                    .get(kk_col)
                    .unwrap_or("")
                    .chars()
                    .filter(|c| !c.is_whitespace() && *c != '.')
                    .collect();
                if group.as_ref().is_some_and(|g| g.kk != kk) {
                    let g = group.take().expect("checked");
                    chunk.push(prepare_group(g, map, opts));
                    // A failed send means the writer stopped (an error): stop reading.
                    if chunk.len() == CHUNK
                        && tx
                            .send(Ok(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK))))
                            .is_err()
                    {
                        return;
                    }
                }
                group
                    .get_or_insert_with(|| Group {
                        kk,
                        rows: Vec::new(),
                    })
                    .rows
                    .push((row_no, record.clone()));
            }
            if let Some(g) = group.take() {
                chunk.push(prepare_group(g, map, opts));
            }
            let _ = tx.send(Ok(chunk));
        });
        // Dropping the receiver on error makes the reader stop at its next send.
        write_families(conn, rx, ctx, opts.batch_families, report, summary, pb)
    })
}

fn write_families(
    conn: &mut puskesos_storage::Conn,
    rx: std::sync::mpsc::Receiver<Result<Vec<Prepared>, String>>,
    ctx: &WriteCtx,
    batch_families: usize,
    report: &mut Report,
    summary: &mut ImportSummary,
    pb: &ProgressBar,
) -> Result<(), ImportError> {
    // Into an empty registry the whole file is one transaction (see `BulkLoad`); otherwise a
    // commit every `batch_families` keeps whole families only.
    load_families(conn, |conn, loader| -> Result<(), ImportError> {
        let mut families_in_tx = 0usize;
        for prepared in rx.into_iter().flat_map(|chunk| match chunk {
            Ok(v) => v.into_iter().map(Ok).collect::<Vec<_>>(),
            Err(e) => vec![Err(e)],
        }) {
            let prepared = prepared.map_err(ImportError::Report)?;
            summary.rows += prepared.rows;
            for r in prepared.rejects {
                report.add(r)?;
            }
            let Some(input) = prepared.input else {
                continue;
            };
            let out = loader.save_family(conn, &input, ctx)?;
            let changed = out.family_created
                || out.family_updated
                || out.persons_created > 0
                || out.persons_updated > 0;
            if changed
                && let Some(v) = input.values[VILLAGE].as_ref().and_then(|v| v.as_text())
                && !summary.villages_changed.contains(v)
            {
                summary.villages_changed.insert(v.to_string());
            }
            summary.families_created += out.family_created as u64;
            summary.families_updated += out.family_updated as u64;
            summary.persons_created += out.persons_created;
            summary.persons_updated += out.persons_updated;
            summary.persons_unchanged += out.persons_unchanged;
            for (row, column, value, message) in out.refused {
                report.add(Reject {
                    row,
                    column,
                    value,
                    severity: Severity::Error,
                    message,
                })?;
            }
            families_in_tx += 1;
            if families_in_tx >= batch_families {
                if !loader.is_bulk() {
                    conn.commit()?;
                    conn.begin()?;
                }
                families_in_tx = 0;
                // A row count needs no words: the bar's own text is the language-free part.
                pb.set_message(summary.rows.to_string());
            }
        }
        Ok(())
    })
}

fn cells<'a>(record: &'a StringRecord, cols: &[Option<usize>]) -> Vec<Option<&'a str>> {
    cols.iter()
        .map(|c| c.map(|i| crate::export::csv_unescape(record.get(i).unwrap_or(""))))
        .collect()
}

/// Checks the rows of one KK: the accepted ones become one family to save, the others
/// reject lines. Pure: no database.
fn prepare_group(group: Group, map: &ColumnMap, opts: &ImportOptions) -> Prepared {
    let mut rejects = Vec::new();
    let rows = group.rows.len() as u64;
    let input = check_group(group, map, opts, &mut rejects);
    Prepared {
        rows,
        rejects,
        input,
    }
}

/// A family's facts as parsed from a row, with what the checks found.
type CheckedFamily = (Values, Vec<FieldIssue>);

/// A row's family cells parsed and checked: the KK number, the village, and the reach of an
/// import limited to a region.
fn check_family_cells(raw: &[Option<&str>], opts: &ImportOptions) -> CheckedFamily {
    let (fvals, mut issues) = validate::parse_record(FAMILY_FIELDS, raw);
    validate::check_family(&fvals, &mut issues);
    if let Some(within) = &opts.within {
        let village = fvals[VILLAGE]
            .as_ref()
            .map(|v| v.to_text(FAMILY_FIELDS[VILLAGE].kind))
            .unwrap_or_default();
        let inside = puskesos_domain::wilayah::KodeWilayah::parse(&village)
            .zip(puskesos_domain::wilayah::KodeWilayah::parse(within))
            .is_some_and(|(v, w)| v.is_within(&w));
        if !inside {
            issues.push(FieldIssue {
                field: "kode_wilayah",
                value: village,
                issue: puskesos_domain::identity::Issue {
                    severity: Severity::Error,
                    message: Message::new("import-outside-reach").arg("within", within),
                },
            });
        }
    }
    (fvals, issues)
}

fn check_group(
    group: Group,
    map: &ColumnMap,
    opts: &ImportOptions,
    rejects: &mut Vec<Reject>,
) -> Option<FamilyInput> {
    let mut family: Option<(u64, Values)> = None;
    let mut members: Vec<(u64, Values)> = Vec::new();
    // A family's facts repeat on each member's row, usually in the same words: a row whose
    // family cells read as the previous row's gets that row's parsed facts and findings.
    let mut last_family: Option<(Vec<Option<&str>>, CheckedFamily)> = None;
    for (row, record) in &group.rows {
        let row = *row;
        if record.len() != map.width {
            rejects.push(Reject {
                row,
                column: "*",
                value: String::new(),
                severity: Severity::Error,
                message: Message::new("row-width")
                    .arg("found", record.len())
                    .arg("expected", map.width),
            });
            continue;
        }
        let raw_family = cells(record, &map.family);
        let (mut fvals, mut issues) = match &last_family {
            Some((raw, checked)) if *raw == raw_family => checked.clone(),
            _ => {
                let checked = check_family_cells(&raw_family, opts);
                last_family = Some((raw_family, checked.clone()));
                checked
            }
        };
        let (mut pvals, pissues) =
            validate::parse_record(PERSON_FIELDS, &cells(record, &map.person));
        issues.extend(pissues);
        validate::check_person(&mut pvals, opts.today, &mut issues);
        if has_errors(&issues) {
            rejects.extend(issues.into_iter().map(|i| Reject::from_issue(row, i)));
            continue;
        }
        validate::normalise_family(&mut fvals);
        // The first accepted row sets the family's facts; later rows may leave them blank but
        // may not contradict them.
        if let Some((first_row, base)) = &mut family {
            let conflict = FAMILY_FIELDS
                .iter()
                .enumerate()
                .find(|(i, _)| matches!((&base[*i], &fvals[*i]), (Some(a), Some(b)) if a != b));
            if let Some((i, f)) = conflict {
                rejects.push(Reject {
                    row,
                    column: f.key,
                    value: fvals[i]
                        .as_ref()
                        .map(|v| v.to_text(f.kind))
                        .unwrap_or_default(),
                    severity: Severity::Error,
                    message: Message::new("family-fact-conflict")
                        .arg("row", *first_row)
                        .arg("column", f.key),
                });
                continue;
            }
            for (b, v) in base.iter_mut().zip(fvals) {
                if b.is_none() {
                    *b = v;
                }
            }
        } else {
            family = Some((row, fvals));
        }
        if let Some((earlier, _)) = members.iter().find(|(_, m)| m[NIK] == pvals[NIK]) {
            let nik = pvals[NIK]
                .as_ref()
                .map(|v| v.to_text(PERSON_FIELDS[NIK].kind))
                .unwrap_or_default();
            rejects.push(Reject {
                row,
                column: "nik",
                value: nik.clone(),
                severity: Severity::Error,
                message: Message::new("nik-twice-in-family")
                    .arg("nik", nik)
                    .arg("row", *earlier),
            });
            continue;
        }
        // Only warnings are left: the row is imported and they are reported.
        rejects.extend(issues.into_iter().map(|i| Reject::from_issue(row, i)));
        members.push((row, pvals));
    }
    let (_, values) = family?;
    Some(FamilyInput {
        values,
        family_present: map.family.iter().map(Option::is_some).collect(),
        person_present: map.person.iter().map(Option::is_some).collect(),
        members,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn nik_is_the_first_person_field() {
        assert_eq!(puskesos_domain::model::PERSON_FIELDS[super::NIK].key, "nik");
        assert_eq!(
            puskesos_domain::model::FAMILY_FIELDS[super::VILLAGE].key,
            "kode_wilayah"
        );
    }
}
