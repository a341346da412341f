//! What a registry form sent, read with the import's checks: the fields by form name
//! (`f.<key>` for the family, `p.<key>` for a member), the reason every change asks for, and
//! the errors to show next to their fields. A form that failed is drawn again from these texts.

use std::collections::HashMap;

use puskesos_domain::identity::Severity;
use puskesos_domain::model::{FAMILY_FIELDS, Field, PERSON_FIELDS, Values};
use puskesos_domain::validate::{self, FieldIssue};
use puskesos_domain::{Lang, tr};
use serde::Deserialize;

/// Form fields by name, as sent or as stored (`f.<key>`, `p.<key>`).
pub type Fields = HashMap<String, String>;

/// Errors to show, by form field name.
pub type Errors = HashMap<String, String>;

/// A registry form: the reason for the change and the record's fields.
#[derive(Deserialize)]
pub struct RecordForm {
    #[serde(default)]
    alasan: String,
    #[serde(flatten)]
    pub fields: Fields,
}

impl RecordForm {
    /// The reason, trimmed and at most 500 characters; a missing one is an error next to it.
    pub fn reason(&self, lang: Lang, errors: &mut Errors) -> String {
        let reason = self.alasan.trim();
        if reason.is_empty() {
            errors.insert("alasan".into(), tr(lang, "web-reason-required", &[]));
        }
        reason.chars().take(500).collect()
    }
}

/// Parses one level of the form with the import's checks. Errors go to `errors` by field name.
fn parse_level(
    fields: &'static [Field],
    prefix: &str,
    form: &Fields,
    lang: Lang,
    errors: &mut Errors,
) -> Values {
    let raw: Vec<Option<&str>> = fields
        .iter()
        .map(|f| {
            Some(
                form.get(&format!("{prefix}.{}", f.key))
                    .map(String::as_str)
                    .unwrap_or(""),
            )
        })
        .collect();
    let (values, issues) = validate::parse_record(fields, &raw);
    for i in &issues {
        errors
            .entry(format!("{prefix}.{}", i.field))
            .or_insert_with(|| i.issue.message.render(lang));
    }
    values
}

/// A family's fields from a form, with the import's cross-field checks, normalised.
pub fn parse_family(form: &Fields, lang: Lang, errors: &mut Errors) -> Values {
    let mut values = parse_level(FAMILY_FIELDS, "f", form, lang, errors);
    let mut issues = Vec::new();
    validate::check_family(&values, &mut issues);
    add_issues("f", &issues, lang, errors);
    validate::normalise_family(&mut values);
    values
}

/// A member's fields from a form, with the import's cross-field checks.
pub fn parse_member(form: &Fields, lang: Lang, errors: &mut Errors) -> Values {
    let mut values = parse_level(PERSON_FIELDS, "p", form, lang, errors);
    let mut issues = Vec::new();
    validate::check_person(&mut values, chrono::Local::now().date_naive(), &mut issues);
    add_issues("p", &issues, lang, errors);
    values
}

fn add_issues(prefix: &str, issues: &[FieldIssue], lang: Lang, errors: &mut Errors) {
    for i in issues
        .iter()
        .filter(|i| i.issue.severity == Severity::Error)
    {
        errors
            .entry(format!("{prefix}.{}", i.field))
            .or_insert_with(|| i.issue.message.render(lang));
    }
}

/// A stored record's values as form texts.
pub fn texts(prefix: &str, fields: &[Field], values: &Values) -> Fields {
    fields
        .iter()
        .zip(values)
        .filter_map(|(f, v)| {
            v.as_ref()
                .map(|v| (format!("{prefix}.{}", f.key), v.to_text(f.kind)))
        })
        .collect()
}

/// The `kasus=` of a registration made from a case's short profile.
pub fn case_param(query: Option<&str>) -> Option<String> {
    query?
        .split('&')
        .find_map(|kv| kv.strip_prefix("kasus="))
        .filter(|v| {
            !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')
        })
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_reads_its_reason_and_fields() {
        let form: RecordForm =
            serde_urlencoded::from_str("csrf=t&alasan=%20pindah%20&f.no_kk=1&p.nama=Ani").unwrap();
        let mut errors = Errors::new();
        assert_eq!(form.reason(Lang::Id, &mut errors), "pindah");
        assert!(errors.is_empty());
        assert_eq!(form.fields.get("f.no_kk").map(String::as_str), Some("1"));
        assert_eq!(form.fields.get("p.nama").map(String::as_str), Some("Ani"));
        let form: RecordForm = serde_urlencoded::from_str("csrf=t").unwrap();
        form.reason(Lang::Id, &mut errors);
        assert!(errors.contains_key("alasan"));
    }

    #[test]
    fn only_a_case_id_rides_along() {
        assert_eq!(case_param(Some("kasus=01ab-cd")), Some("01ab-cd".into()));
        assert_eq!(case_param(Some("lang=en&kasus=x%20y")), None);
        assert_eq!(case_param(None), None);
    }
}
