//! The file layout shared by import and export: one row per person, the family's facts repeated
//! on each row, Indonesian column names taken from the field tables (docs/import-format.md).

use puskesos_domain::model::{FAMILY_FIELDS, Field, PERSON_FIELDS};

/// Export column order: family facts, then the member's.
pub fn columns() -> impl Iterator<Item = &'static Field> {
    FAMILY_FIELDS.iter().chain(PERSON_FIELDS)
}

/// Normalises a header cell so that case, spaces, dots, slashes and hyphens do not matter:
/// `"No. KK"` and `"no_kk"` match, so do `"Tanggal Lahir"` and `"tanggal_lahir"`.
pub fn normalise_header(h: &str) -> String {
    let mut out = String::with_capacity(h.len());
    for c in h.trim().trim_start_matches('\u{feff}').chars() {
        let c = c.to_lowercase().next().unwrap_or(c);
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

/// Where each field's value sits in a file's rows.
#[derive(Debug, Clone)]
pub struct ColumnMap {
    /// Column index of each family field, aligned with `FAMILY_FIELDS`.
    pub family: Vec<Option<usize>>,
    /// Column index of each person field, aligned with `PERSON_FIELDS`.
    pub person: Vec<Option<usize>>,
    /// Header cells that match no field (ignored, reported).
    pub unknown: Vec<String>,
    pub width: usize,
}

/// Problems that make a header unusable.
#[derive(Debug, Clone, PartialEq)]
pub enum HeaderProblem {
    Missing(Vec<&'static str>),
    Duplicate(String),
}

fn find(fields: &[Field], name: &str) -> Option<usize> {
    fields
        .iter()
        .position(|f| f.key == name || f.aliases.contains(&name))
}

impl ColumnMap {
    pub fn from_header<S: AsRef<str>>(header: &[S]) -> Result<ColumnMap, HeaderProblem> {
        let mut family = vec![None; FAMILY_FIELDS.len()];
        let mut person = vec![None; PERSON_FIELDS.len()];
        let mut unknown = Vec::new();
        for (col, raw) in header.iter().enumerate() {
            let name = normalise_header(raw.as_ref());
            if name.is_empty() {
                continue;
            }
            let slot = if let Some(i) = find(FAMILY_FIELDS, &name) {
                &mut family[i]
            } else if let Some(i) = find(PERSON_FIELDS, &name) {
                &mut person[i]
            } else {
                unknown.push(raw.as_ref().to_string());
                continue;
            };
            if slot.is_some() {
                return Err(HeaderProblem::Duplicate(raw.as_ref().to_string()));
            }
            *slot = Some(col);
        }
        let missing: Vec<&'static str> = FAMILY_FIELDS
            .iter()
            .zip(&family)
            .chain(PERSON_FIELDS.iter().zip(&person))
            .filter(|(f, c)| f.required && c.is_none())
            .map(|(f, _)| f.key)
            .collect();
        if !missing.is_empty() {
            return Err(HeaderProblem::Missing(missing));
        }
        Ok(ColumnMap {
            family,
            person,
            unknown,
            width: header.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_forgivingly() {
        assert_eq!(normalise_header(" No. KK "), "no_kk");
        assert_eq!(normalise_header("\u{feff}Tanggal  Lahir"), "tanggal_lahir");
        assert_eq!(normalise_header("RT/RW"), "rt_rw");
    }

    #[test]
    fn missing_required_columns_are_named() {
        let err = ColumnMap::from_header(&["No KK", "NIK", "Nama"]).unwrap_err();
        match err {
            HeaderProblem::Missing(m) => {
                assert!(m.contains(&"kode_wilayah"));
                assert!(m.contains(&"tanggal_lahir"));
                assert!(!m.contains(&"nik"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn export_header_maps_back_to_every_field() {
        let header: Vec<&str> = columns().map(|f| f.key).collect();
        let map = ColumnMap::from_header(&header).unwrap();
        assert!(map.family.iter().chain(&map.person).all(Option::is_some));
        assert!(map.unknown.is_empty());
    }
}

#[cfg(test)]
mod doc_tests {
    /// docs/import-format.md is generated from the field tables; this fails when it falls behind.
    #[test]
    fn import_format_doc_lists_every_column() {
        let doc = include_str!("../../../docs/import-format.md");
        for f in super::columns() {
            assert!(
                doc.contains(&format!("| `{}` |", f.key)),
                "docs/import-format.md lacks column {} (run scripts/gen-import-doc.py)",
                f.key
            );
        }
    }
}
