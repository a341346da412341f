//! Export of the registry (or a village, RW or RT of it) in the import layout, so that an export
//! imported into an empty database gives the same registry.

use std::path::Path;

use puskesos_domain::model::{Family, Person, Record};
use puskesos_storage::audit::{self, AuditAction, AuditEntity, AuditEvent};
use puskesos_storage::registry::{self, Scope};
use puskesos_storage::{Db, StorageError};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use crate::layout::columns;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("{path}: {cause}")]
    Write { path: String, cause: String },
}

fn write_err(path: &Path, e: impl ToString) -> ExportError {
    ExportError::Write {
        path: path.display().to_string(),
        cause: e.to_string(),
    }
}

/// A text as it may go into a CSV file that a spreadsheet opens: one that starts with `=`, `+`,
/// `-`, `@`, a tab or a carriage return is read by Excel and LibreOffice as a formula (CSV
/// injection: `=HYPERLINK(...)` in a name), so it gets a leading `'`, which the importer takes
/// off again ([`csv_unescape`]). Plain numbers (`-1`, `+62 812 3456`) stay as they are.
pub fn csv_escape(s: &str) -> std::borrow::Cow<'_, str> {
    if is_formula_like(s) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// The text that [`csv_escape`] wrote.
pub fn csv_unescape(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if is_formula_like(rest) => rest,
        _ => s,
    }
}

fn is_formula_like(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => {
            let rest = chars.as_str();
            !(rest.chars().any(|c| c.is_ascii_digit())
                && rest
                    .chars()
                    .all(|c| c.is_ascii_digit() || " .,".contains(c)))
        }
        _ => false,
    }
}

/// The cells of one export row: the family's facts then the member's, as canonical text.
fn row_cells(family: &Family, person: &Person) -> Vec<String> {
    let texts = |values: &puskesos_domain::model::Values,
                 fields: &[puskesos_domain::model::Field]| {
        fields
            .iter()
            .zip(values)
            .map(|(f, v)| {
                v.as_ref()
                    .map(|v| csv_escape(&v.to_text(f.kind)).into_owned())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
    };
    let mut out = texts(family.values(), Family::fields());
    out.extend(texts(person.values(), Person::fields()));
    out
}

/// Writes the scope to `path` as CSV (`.csv`) or XLSX (`.xlsx`); returns the number of rows.
pub fn export_file(db: &Db, scope: &Scope, path: &Path, actor: &str) -> Result<u64, ExportError> {
    let is_xlsx = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    let mut conn = db.conn()?;
    let header: Vec<&str> = columns().map(|f| f.key).collect();
    let mut rows = 0u64;
    if is_xlsx {
        let mut wb = Workbook::new();
        let text = Format::new().set_num_format("@");
        let bold = Format::new().set_bold();
        let xerr = |e: XlsxError| write_err(path, e);
        let ws = wb.add_worksheet_with_constant_memory().map_err(xerr)?;
        ws.set_name("registri").map_err(xerr)?;
        for (c, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)
                .map_err(xerr)?;
        }
        let mut failure: Option<XlsxError> = None;
        registry::for_each_member(&mut conn, scope, |family, person| {
            rows += 1;
            // Every cell as text: NIK and KK must not become 16-digit floats in Excel.
            for (c, cell) in row_cells(family, &person).iter().enumerate() {
                if !cell.is_empty()
                    && let Err(e) = ws.write_string_with_format(rows as u32, c as u16, cell, &text)
                {
                    failure.get_or_insert(e);
                }
            }
            Ok(())
        })?;
        if let Some(e) = failure {
            return Err(write_err(path, e));
        }
        wb.save(path).map_err(|e| write_err(path, e))?;
    } else {
        let mut w = csv::Writer::from_path(path).map_err(|e| write_err(path, e))?;
        w.write_record(&header).map_err(|e| write_err(path, e))?;
        let mut failure: Option<csv::Error> = None;
        registry::for_each_member(&mut conn, scope, |family, person| {
            rows += 1;
            if let Err(e) = w.write_record(row_cells(family, &person)) {
                failure.get_or_insert(e);
            }
            Ok(())
        })?;
        if let Some(e) = failure {
            return Err(write_err(path, e));
        }
        w.flush().map_err(|e| write_err(path, e))?;
    }
    let village = scope.village.clone().unwrap_or_default();
    audit::record(
        &mut conn,
        &AuditEvent::new(
            AuditAction::Export,
            AuditEntity::File,
            &path.display().to_string(),
        )
        .by(actor)
        .in_village(&village)
        .detail(&format!("rows={rows} rw={:?} rt={:?}", scope.rw, scope.rt)),
    )?;
    Ok(rows)
}

/// A cell of a small report table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
}

/// A small table (a gap list, the figures behind a chart) as CSV or XLSX bytes, for download.
/// Numbers stay numbers in XLSX; text stays text (a KK must not become a float).
pub fn table_bytes(
    xlsx: bool,
    sheet: &str,
    header: &[String],
    rows: &[Vec<Cell>],
) -> Result<Vec<u8>, String> {
    if xlsx {
        workbook_bytes(&[(sheet, header, rows)])
    } else {
        excel_csv(header, rows)
    }
}

/// UTF-8's byte order mark: how Excel knows a CSV file is UTF-8 (without it, "Ã©" for "é").
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A table as CSV the way Excel in Indonesian settings opens it into columns: UTF-8 with a BOM,
/// `;` between fields (the list separator where the decimal mark is a comma), and long digit
/// strings (KK, NIK) as `="..."` so that they stay text instead of becoming 3,31E+15.
pub fn excel_csv(header: &[String], rows: &[Vec<Cell>]) -> Result<Vec<u8>, String> {
    let mut out = UTF8_BOM.to_vec();
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(&mut out);
    w.write_record(header).map_err(|e| e.to_string())?;
    for row in rows {
        w.write_record(row.iter().map(|c| match c {
            Cell::Text(s) if is_identifier(s) => format!("=\"{s}\""),
            Cell::Text(s) => csv_escape(s).into_owned(),
            Cell::Int(i) => i.to_string(),
        }))
        .map_err(|e| e.to_string())?;
    }
    w.flush().map_err(|e| e.to_string())?;
    drop(w);
    Ok(out)
}

/// A number that is an identifier, not a quantity: 10 digits or more, or a leading zero.
fn is_identifier(s: &str) -> bool {
    s.len() > 1 && s.bytes().all(|b| b.is_ascii_digit()) && (s.len() >= 10 || s.starts_with('0'))
}

/// One sheet of a workbook: its name, header and rows.
pub type Sheet<'a> = (&'a str, &'a [String], &'a [Vec<Cell>]);

/// Several tables as one XLSX workbook, a sheet each (a report). Sheet names are cut to
/// Excel's 31 characters.
pub fn workbook_bytes(sheets: &[Sheet<'_>]) -> Result<Vec<u8>, String> {
    titled_workbook_bytes(&[], sheets)
}

/// A report as an XLSX workbook: every sheet opens with the report's title lines (title,
/// village, period: bold, one a row), an empty row, then its table, so a sheet printed or
/// forwarded alone still says what it is.
pub fn titled_workbook_bytes(titles: &[String], sheets: &[Sheet<'_>]) -> Result<Vec<u8>, String> {
    let mut wb = Workbook::new();
    let text = Format::new().set_num_format("@");
    let bold = Format::new().set_bold();
    let head = titles.len() as u32 + u32::from(!titles.is_empty());
    for (sheet, header, rows) in sheets {
        let ws = wb.add_worksheet();
        let name: String = sheet
            .chars()
            .filter(|c| !"[]:*?/\\".contains(*c))
            .take(31)
            .collect();
        ws.set_name(name).map_err(|e| e.to_string())?;
        for (r, t) in titles.iter().enumerate() {
            ws.write_string_with_format(r as u32, 0, t, &bold)
                .map_err(|e| e.to_string())?;
        }
        for (c, h) in header.iter().enumerate() {
            ws.write_string_with_format(head, c as u16, h, &bold)
                .map_err(|e| e.to_string())?;
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (head + r as u32 + 1, c as u16);
                match cell {
                    Cell::Text(s) => ws.write_string_with_format(r, c, s, &text),
                    Cell::Int(i) => ws.write_number(r, c, *i as f64),
                }
                .map_err(|e| e.to_string())?;
            }
        }
    }
    wb.save_to_buffer().map_err(|e| e.to_string())
}

#[cfg(test)]
mod csv_injection_tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_come_back_as_they_were() {
        for (text, out) in [
            (
                "=HYPERLINK(\"http://x\",\"klik\")",
                "'=HYPERLINK(\"http://x\",\"klik\")",
            ),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("\t=1", "'\t=1"),
            ("-1", "-1"),
            ("+62 812 3456", "+62 812 3456"),
            ("Siti", "Siti"),
            ("'kutip", "'kutip"),
        ] {
            assert_eq!(csv_escape(text), out, "{text}");
            assert_eq!(csv_unescape(out), text, "{out}");
        }
    }
}

#[cfg(test)]
mod excel_tests {
    use super::*;

    #[test]
    fn report_csv_opens_in_indonesian_excel_as_columns_with_ids_as_text() {
        let header = vec!["No. KK".to_string(), "Nama".to_string(), "Jiwa".to_string()];
        let rows = vec![vec![
            Cell::Text("3312011502150003".into()),
            Cell::Text("Wagiyem; janda".into()),
            Cell::Int(4),
        ]];
        let bytes = excel_csv(&header, &rows).unwrap();
        assert!(bytes.starts_with(UTF8_BOM));
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("No. KK;Nama;Jiwa"));
        assert_eq!(
            lines.next(),
            Some("\"=\"\"3312011502150003\"\"\";\"Wagiyem; janda\";4")
        );
        assert!(is_identifier("0812") && !is_identifier("12") && !is_identifier("4"));
    }
}
