//! Turning typed-in or imported text into checked field values. The same checks serve the
//! importer, the web forms and the API, so a value refused in one is refused in all.

use chrono::NaiveDate;

use crate::i18n::Message;
use crate::identity::{Issue, Nik, NomorKk, Severity, Sex};
use crate::model::{FAMILY_FIELDS, Field, Kind, PERSON_FIELDS, Value, Values, field_index};
use crate::wilayah::{KodeWilayah, Level, Wilayah};

/// Parses a date written `dd-mm-yyyy`, `dd/mm/yyyy`, `dd.mm.yyyy` or ISO `yyyy-mm-dd`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    // Spreadsheet exports sometimes append a midnight time.
    let s = s.split([' ', 'T']).next().unwrap_or(s);
    ["%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y/%m/%d"]
        .iter()
        .find_map(|fmt| NaiveDate::parse_from_str(s, fmt).ok())
        .filter(|d| {
            let y = chrono::Datelike::year(d);
            (1850..=2200).contains(&y)
        })
}

/// Reads a number the Indonesian way: `.` groups thousands and `,` marks decimals
/// (`1.500.000`, `12,5`, `1.250,75`). A lone `.` not followed by exactly three digits is read as a
/// decimal point (`12.5`), since spreadsheets often write that. Anything else is refused.
pub fn parse_indonesian_number(s: &str) -> Option<f64> {
    let s = s.trim();
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (int_part, frac_part) = match body.split_once(',') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let groups: Vec<&str> = int_part.split('.').collect();
    let digits = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    let (whole, frac) = if groups.len() == 1 {
        (groups[0].to_string(), frac_part)
    } else if frac_part.is_none() && groups.len() == 2 && groups[1].len() != 3 {
        // "12.5": a decimal point.
        (groups[0].to_string(), Some(groups[1]))
    } else if groups[1..].iter().all(|g| g.len() == 3) && groups[0].len() <= 3 {
        (groups.concat(), frac_part)
    } else {
        return None;
    };
    if !digits(&whole) || frac.is_some_and(|f| !digits(f)) {
        return None;
    }
    let text = match frac {
        Some(f) => format!("{whole}.{f}"),
        None => whole,
    };
    let n: f64 = text.parse().ok()?;
    n.is_finite().then_some(if neg { -n } else { n })
}

/// Normalises a coded answer: case, spaces and hyphens do not matter (`Kepala Keluarga`).
fn normalise_code(s: &str) -> String {
    s.trim()
        .to_lowercase()
        .chars()
        .map(|c| {
            if c == ' ' || c == '-' || c == '/' {
                '_'
            } else {
                c
            }
        })
        .collect()
}

/// Parses one field's raw text. Empty text is `Ok(None)` (unknown), except for required fields.
pub fn parse_value(field: &Field, raw: &str) -> Result<Option<Value>, Message> {
    let s = raw.trim();
    if s.is_empty() {
        return if field.required {
            Err(Message::new("value-required"))
        } else {
            Ok(None)
        };
    }
    let value = match field.kind {
        // RT and RW are numbers of up to three digits, kept as three ("3" and "003" are the same
        // neighbourhood): not a sign, a decimal point, NaN or a full-width digit.
        Kind::Text { .. } if field.key == "rt" || field.key == "rw" => {
            if s.is_empty() || s.len() > 3 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Message::new("value-rt-rw"));
            }
            Value::Text(format!("{s:0>3}"))
        }
        Kind::Text { max_len } => {
            let len = s.chars().count();
            if len > max_len {
                return Err(Message::new("value-too-long")
                    .arg("len", len)
                    .arg("max", max_len));
            }
            if s.chars().any(|c| c.is_control()) {
                return Err(Message::new("value-control-char"));
            }
            Value::Text(s.to_string())
        }
        Kind::Int { min, max } => {
            let n = parse_indonesian_number(s)
                .filter(|n| n.fract() == 0.0)
                .ok_or_else(|| Message::new("value-not-integer"))? as i64;
            if n < min || n > max {
                return Err(Message::new("value-out-of-range")
                    .arg("min", min)
                    .arg("max", max));
            }
            Value::Int(n)
        }
        Kind::Num { min, max } => {
            let n = parse_indonesian_number(s).ok_or_else(|| Message::new("value-not-number"))?;
            if n < min || n > max {
                return Err(Message::new("value-out-of-range")
                    .arg("min", min)
                    .arg("max", max));
            }
            // Two decimals are what a form or file can carry; keeping more would make an
            // export and re-import differ.
            Value::Num((n * 100.0).round() / 100.0)
        }
        Kind::Date => {
            let d = parse_date(s).ok_or_else(|| Message::new("value-not-date"))?;
            Value::Text(d.format("%Y-%m-%d").to_string())
        }
        Kind::Bool => match s.to_lowercase().as_str() {
            "ya" | "y" | "yes" | "1" | "true" | "benar" => Value::Int(1),
            "tidak" | "t" | "no" | "n" | "0" | "false" | "salah" | "tdk" => Value::Int(0),
            _ => return Err(Message::new("value-not-bool")),
        },
        Kind::Code(codes) => {
            if field.key == "jenis_kelamin" {
                let sex = Sex::parse(s)
                    .ok_or_else(|| Message::new("value-not-in-list").arg("allowed", "L, P"))?;
                Value::Code(sex.code())
            } else {
                let norm = normalise_code(s);
                let code = codes.iter().find(|c| **c == norm).ok_or_else(|| {
                    Message::new("value-not-in-list").arg("allowed", codes.join(", "))
                })?;
                // The list's own text: no allocation per coded cell (a million-row file
                // has ten million of them).
                Value::Code(code)
            }
        }
    };
    Ok(Some(value))
}

/// A problem with one field of a record.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldIssue {
    pub field: &'static str,
    pub value: String,
    pub issue: Issue,
}

impl FieldIssue {
    fn error(field: &'static str, value: &str, message: Message) -> FieldIssue {
        FieldIssue {
            field,
            value: value.to_string(),
            issue: Issue {
                severity: Severity::Error,
                message,
            },
        }
    }
}

/// Parses a whole record from raw text per field (`raw[i]` for `fields[i]`, `None` = column
/// absent, which leaves the value unknown). Returns values and every issue found.
pub fn parse_record(fields: &'static [Field], raw: &[Option<&str>]) -> (Values, Vec<FieldIssue>) {
    let mut values = Vec::with_capacity(fields.len());
    let mut issues = Vec::new();
    for (field, text) in fields.iter().zip(raw) {
        match text.map(|t| parse_value(field, t)) {
            None => values.push(None),
            Some(Ok(v)) => values.push(v),
            Some(Err(m)) => {
                issues.push(FieldIssue::error(field.key, text.unwrap_or(""), m));
                values.push(None);
            }
        }
    }
    (values, issues)
}

/// Cross-field checks of a family: KK number and village code. Returns the parsed KK.
pub fn check_family(values: &Values, issues: &mut Vec<FieldIssue>) -> Option<NomorKk> {
    let kk_i = field_index(FAMILY_FIELDS, "no_kk")?;
    let wil_i = field_index(FAMILY_FIELDS, "kode_wilayah")?;
    let kk = match values[kk_i].as_ref().and_then(Value::as_text) {
        Some(raw) => match NomorKk::parse(raw) {
            Ok(kk) => {
                push_warnings(issues, "no_kk", raw, &kk.warnings);
                Some(kk)
            }
            Err(list) => {
                push_all(issues, "no_kk", raw, list);
                None
            }
        },
        None => None,
    };
    if let Some(raw) = values[wil_i].as_ref().and_then(Value::as_text) {
        match KodeWilayah::parse(raw) {
            Some(code) if code.level() == Level::DesaKelurahan => {
                if !Wilayah::master().contains(&code) {
                    issues.push(FieldIssue::error(
                        "kode_wilayah",
                        raw,
                        Message::new("village-unknown").arg("code", code.as_str()),
                    ));
                }
            }
            _ => issues.push(FieldIssue::error(
                "kode_wilayah",
                raw,
                Message::new("village-code-format"),
            )),
        }
    }
    kk
}

/// Normalises the village code in place to its dotted form (after [`check_family`] passed).
pub fn normalise_family(values: &mut Values) {
    if let Some(i) = field_index(FAMILY_FIELDS, "kode_wilayah")
        && let Some(Value::Text(raw)) = &values[i]
        && let Some(code) = KodeWilayah::parse(raw)
    {
        values[i] = Some(Value::Text(code.as_str().to_string()));
    }
    if let Some(i) = field_index(FAMILY_FIELDS, "no_kk")
        && let Some(Value::Text(raw)) = &values[i]
    {
        let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
        values[i] = Some(Value::Text(digits));
    }
}

/// Cross-field checks of a member: NIK, NIK against birth date and sex, and consistency of the
/// schooling, disability and pregnancy facts. Normalises the NIK to its 16 digits.
pub fn check_person(values: &mut Values, today: NaiveDate, issues: &mut Vec<FieldIssue>) {
    let idx = |k| field_index(PERSON_FIELDS, k).expect("known person field");
    let text = |v: &Values, k| {
        v[idx(k)]
            .as_ref()
            .and_then(Value::as_text)
            .map(str::to_string)
    };
    let birth = text(values, "tanggal_lahir").and_then(|s| parse_date(&s));
    if let Some(b) = birth
        && b > today
    {
        issues.push(FieldIssue::error(
            "tanggal_lahir",
            &b.format("%d-%m-%Y").to_string(),
            Message::new("birth-in-future"),
        ));
    }
    let sex = text(values, "jenis_kelamin").and_then(|s| Sex::parse(&s));
    if let Some(raw) = text(values, "nik") {
        match Nik::parse(&raw) {
            Ok(nik) => {
                push_warnings(issues, "nik", &raw, &nik.warnings);
                push_warnings(issues, "nik", &raw, &nik.compare_with(birth, sex));
                values[idx("nik")] = Some(Value::Text(nik.as_str().to_string()));
            }
            Err(list) => push_all(issues, "nik", &raw, list),
        }
    }
    if values[idx("hamil")] == Some(Value::Int(1)) && sex == Some(Sex::L) {
        issues.push(FieldIssue::error(
            "hamil",
            "ya",
            Message::new("pregnant-male"),
        ));
    }
    let level = text(values, "jenjang_sekolah");
    if let Some(Value::Int(kelas)) = values[idx("kelas")] {
        let fits = match level.as_deref() {
            Some("sd") => (1..=6).contains(&kelas),
            Some("smp") => (7..=9).contains(&kelas),
            Some("sma") => (10..=12).contains(&kelas),
            _ => false,
        };
        if !fits {
            issues.push(FieldIssue::error(
                "kelas",
                &kelas.to_string(),
                Message::new("grade-level-mismatch")
                    .arg("kelas", kelas)
                    .arg("level", level.as_deref().unwrap_or("-")),
            ));
        }
    }
    let severity = text(values, "tingkat_disabilitas");
    let disability = text(values, "disabilitas");
    if severity.is_some() && matches!(disability.as_deref(), None | Some("tidak_ada")) {
        issues.push(FieldIssue::error(
            "tingkat_disabilitas",
            severity.as_deref().unwrap_or(""),
            Message::new("severity-without-disability"),
        ));
    }
}

fn push_warnings(out: &mut Vec<FieldIssue>, field: &'static str, raw: &str, list: &[Issue]) {
    out.extend(list.iter().map(|i| FieldIssue {
        field,
        value: raw.to_string(),
        issue: i.clone(),
    }));
}

fn push_all(out: &mut Vec<FieldIssue>, field: &'static str, raw: &str, list: Vec<Issue>) {
    out.extend(list.into_iter().map(|issue| FieldIssue {
        field,
        value: raw.to_string(),
        issue,
    }));
}

/// True when any issue is an error (warnings do not stop a record).
pub fn has_errors(issues: &[FieldIssue]) -> bool {
    issues.iter().any(|i| i.issue.severity == Severity::Error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(key: &str) -> &'static Field {
        PERSON_FIELDS
            .iter()
            .chain(FAMILY_FIELDS)
            .find(|f| f.key == key)
            .unwrap()
    }

    #[test]
    fn dates_in_indonesian_and_iso_forms() {
        let d = NaiveDate::from_ymd_opt(2001, 2, 28);
        assert_eq!(parse_date("28-02-2001"), d);
        assert_eq!(parse_date("28/02/2001"), d);
        assert_eq!(parse_date("2001-02-28"), d);
        assert_eq!(parse_date("2001-02-28 00:00:00"), d);
        assert_eq!(parse_date("31-02-2001"), None);
        assert_eq!(parse_date("29-02-2001"), None);
        assert!(parse_date("29-02-2000").is_some());
    }

    #[test]
    fn coded_answers_forgive_case_and_spaces() {
        let v = parse_value(field("hubungan"), " Kepala Keluarga ").unwrap();
        assert_eq!(v, Some(Value::Text("kepala_keluarga".into())));
        assert_eq!(
            parse_value(field("jenis_kelamin"), "perempuan").unwrap(),
            Some(Value::Text("P".into()))
        );
        let err = parse_value(field("hubungan"), "sepupu").unwrap_err();
        assert_eq!(err.key, "value-not-in-list");
    }

    #[test]
    fn numbers_in_indonesian_notation() {
        assert_eq!(
            parse_value(field("penghasilan_kepala"), "1.500.000").unwrap(),
            Some(Value::Int(1_500_000))
        );
        assert_eq!(
            parse_value(field("luas_lantai"), "12,5").unwrap(),
            Some(Value::Num(12.5))
        );
        assert!(parse_value(field("desil"), "11").is_err());
        assert_eq!(
            parse_value(field("luas_lahan"), "1.500").unwrap(),
            Some(Value::Num(1500.0))
        );
        assert_eq!(
            parse_value(field("luas_lahan"), "1.250,75").unwrap(),
            Some(Value::Num(1250.75))
        );
        assert!(parse_value(field("daging_per_minggu"), "1.5").is_err());
        assert!(parse_value(field("penghasilan_kepala"), "1.50.000").is_err());
        let written = Value::Num(12.5).to_text(field("luas_lantai").kind);
        assert_eq!(written, "12,5");
        assert_eq!(
            parse_value(field("luas_lantai"), &written).unwrap(),
            Some(Value::Num(12.5))
        );
        assert!(parse_value(field("luas_lantai"), "NaN").is_err());
        for bad in ["NaN", "-1", "--5", "１２", "1.5", "0x1", "1234", "+3"] {
            assert!(parse_value(field("rt"), bad).is_err(), "rt {bad}");
            assert!(parse_value(field("rw"), bad).is_err(), "rw {bad}");
        }
        assert_eq!(
            parse_value(field("rt"), "3").unwrap(),
            Some(Value::Text("003".into()))
        );
        assert_eq!(
            parse_value(field("rw"), " 012 ").unwrap(),
            Some(Value::Text("012".into()))
        );
    }

    #[test]
    fn required_and_too_long() {
        assert_eq!(
            parse_value(field("nama"), "  ").unwrap_err().key,
            "value-required"
        );
        let long = "x".repeat(10_000);
        assert_eq!(
            parse_value(field("nama"), &long).unwrap_err().key,
            "value-too-long"
        );
    }

    proptest::proptest! {
        #[test]
        fn parse_value_never_panics(s in "\\PC{0,60}", i in 0usize..50) {
            let all: Vec<&Field> = PERSON_FIELDS.iter().chain(FAMILY_FIELDS).collect();
            let _ = parse_value(all[i % all.len()], &s);
            let _ = parse_date(&s);
        }
    }
}
