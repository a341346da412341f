//! The fuzz targets: each takes arbitrary bytes, runs one parser of untrusted input, and checks a
//! property of its answer (a panic is a finding; so is a broken property).

use puskesos_domain::identity::{Nik, NomorKk};
use puskesos_domain::model::{FAMILY_FIELDS, PERSON_FIELDS};
use puskesos_domain::rules::facts::Ty;
use puskesos_domain::rules::lang::{Scope, compile};
use puskesos_domain::validate::{parse_record, parse_value};

fn text(data: &[u8]) -> &str {
    std::str::from_utf8(data).unwrap_or("")
}

/// NIK and KK parsing: an accepted number is 16 digits and parses again to itself; a refused
/// one says why.
pub fn nik_kk(data: &[u8]) {
    let s = text(data);
    match Nik::parse(s) {
        Ok(n) => {
            assert_eq!(n.as_str().len(), 16);
            assert!(n.as_str().bytes().all(|b| b.is_ascii_digit()));
            assert_eq!(
                Nik::parse(n.as_str()).ok().as_ref().map(Nik::as_str),
                Some(n.as_str())
            );
        }
        Err(issues) => assert!(!issues.is_empty(), "refused without a reason: {s:?}"),
    }
    match NomorKk::parse(s) {
        Ok(k) => {
            assert_eq!(k.as_str().len(), 16);
            assert_eq!(
                NomorKk::parse(k.as_str())
                    .ok()
                    .as_ref()
                    .map(NomorKk::as_str),
                Some(k.as_str())
            );
        }
        Err(issues) => assert!(!issues.is_empty(), "refused without a reason: {s:?}"),
    }
}

/// The import row parser: CSV bytes read as the import reads them, each record's cells through
/// the family and member field tables. Every issue names a field of the table, and the values
/// line up with the table.
pub fn import_row(data: &[u8]) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(data);
    for record in reader.records().take(50) {
        let Ok(record) = record else { continue };
        let cells: Vec<Option<&str>> = record.iter().map(Some).collect();
        for fields in [FAMILY_FIELDS, PERSON_FIELDS] {
            let raw: Vec<Option<&str>> = (0..fields.len())
                .map(|i| cells.get(i).copied().flatten())
                .collect();
            let (values, issues) = parse_record(fields, &raw);
            assert_eq!(values.len(), fields.len());
            for issue in &issues {
                assert!(
                    fields.iter().any(|f| f.key == issue.field),
                    "{}",
                    issue.field
                );
            }
        }
    }
}

/// The rule language: any text compiles or is refused with an error whose offset lies within
/// the text (at most its end).
pub fn rule_lang(data: &[u8]) {
    let s = text(data);
    for scope in [Scope::Family, Scope::Member] {
        for want in [Ty::Bool, Ty::Num] {
            if let Err(e) = compile(s, scope, want) {
                assert!(e.offset <= s.len(), "offset {} past {s:?}", e.offset);
                assert!(e.key.starts_with("rule-err-"), "{}", e.key);
            }
        }
    }
}

/// The form decoders: a urlencoded body decoded as the forms decode it, each value of a known
/// field through its field's parser (the registry forms); a value refused has a message.
pub fn form(data: &[u8]) {
    let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(data) else {
        return;
    };
    for (key, value) in pairs.iter().take(200) {
        for field in FAMILY_FIELDS
            .iter()
            .chain(PERSON_FIELDS)
            .filter(|f| f.key == key)
        {
            match parse_value(field, value) {
                Ok(Some(_)) => assert!(!value.trim().is_empty(), "{key}: a value from nothing"),
                Ok(None) => {}
                Err(m) => assert!(!m.key.is_empty()),
            }
        }
    }
}

/// A target: its name and the function that runs one input.
pub type Target = (&'static str, fn(&[u8]));

/// The targets by name, for the stable driver.
pub const TARGETS: &[Target] = &[
    ("nik_kk", nik_kk),
    ("import_row", import_row),
    ("rule_lang", rule_lang),
    ("form", form),
];
