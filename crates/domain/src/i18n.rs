//! Message catalogues: every user-facing text lives in `locales/id.ftl` (Bahasa Indonesia, the
//! default) and `locales/en.ftl` (English), in Project Fluent syntax.

use std::borrow::Cow;
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use serde::{Deserialize, Serialize};
use unic_langid::langid;

use crate::model::{FAMILY_FIELDS, Kind, PERSON_FIELDS};

/// The languages of the user interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Id,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Id, Lang::En];

    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }
}

impl FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "id" | "id-id" | "in" | "indonesia" => Ok(Lang::Id),
            "en" | "en-us" | "en-gb" | "english" => Ok(Lang::En),
            other => Err(format!("unknown language '{other}' (use id or en)")),
        }
    }
}

/// Each language's catalogue: the messages, then the labels of coded answers.
const ID_FTL: [&str; 2] = [
    include_str!("../locales/id.ftl"),
    include_str!("../locales/codes.id.ftl"),
];
const EN_FTL: [&str; 2] = [
    include_str!("../locales/en.ftl"),
    include_str!("../locales/codes.en.ftl"),
];

fn sources(lang: Lang) -> [&'static str; 2] {
    match lang {
        Lang::Id => ID_FTL,
        Lang::En => EN_FTL,
    }
}

fn bundle(lang: Lang) -> FluentBundle<FluentResource> {
    let id = match lang {
        Lang::Id => langid!("id"),
        Lang::En => langid!("en"),
    };
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Isolation marks would end up in CSV files and terminals.
    bundle.set_use_isolating(false);
    for src in sources(lang) {
        // The catalogues are compiled in and checked by tests: a parse error is a build defect.
        let resource = FluentResource::try_new(src.to_string()).expect("valid Fluent catalogue");
        bundle
            .add_resource(resource)
            .expect("no duplicate message ids in catalogue");
    }
    bundle
}

/// The label of a coded answer (`hubungan`, `kepala_keluarga` → "Kepala keluarga"); the code
/// itself when it has none.
pub fn code_label(lang: Lang, field: &str, code: &str) -> Cow<'static, str> {
    if let Some(label) = LABELS[lang as usize]
        .codes
        .get(field)
        .and_then(|codes| codes.get(code))
    {
        return Cow::Borrowed(label);
    }
    let key = format!("code-{field}-{code}");
    match plain(lang, &key) {
        Some(label) => Cow::Borrowed(label),
        None => Cow::Owned(code.to_string()),
    }
}

/// The label of a registry field (`luas_lantai` → "Luas lantai (m²)"); its catalogue key when
/// the catalogue has none, so that a gap is visible.
pub fn field_label(lang: Lang, field: &str) -> Cow<'static, str> {
    match LABELS[lang as usize].fields.get(field) {
        Some(label) => Cow::Borrowed(label),
        None => Cow::Owned(tr(lang, &format!("field-{field}"), &[])),
    }
}

/// The labels of the registry's fields and coded answers, found once per language: a family
/// page shows a few hundred of them.
struct Labels {
    fields: HashMap<&'static str, &'static str>,
    codes: HashMap<&'static str, HashMap<&'static str, &'static str>>,
}

static LABELS: LazyLock<[Labels; 2]> = LazyLock::new(|| Lang::ALL.map(labels));

fn labels(lang: Lang) -> Labels {
    let mut out = Labels {
        fields: HashMap::new(),
        codes: HashMap::new(),
    };
    for field in FAMILY_FIELDS.iter().chain(PERSON_FIELDS) {
        if let Some(label) = plain(lang, &format!("field-{}", field.key)) {
            out.fields.insert(field.key, label);
        }
        if let Kind::Code(codes) = field.kind {
            let labels = out.codes.entry(field.key).or_default();
            for code in codes {
                labels.insert(
                    code,
                    plain(lang, &format!("code-{}-{code}", field.key)).unwrap_or(code),
                );
            }
        }
    }
    out
}

/// Every message that needs no argument, formatted once per language (labels, headings): a
/// page shows hundreds of them, and each is then one lookup, without a lock or a copy.
static PLAIN: LazyLock<[HashMap<String, String>; 2]> =
    LazyLock::new(|| Lang::ALL.map(plain_messages));

fn plain_messages(lang: Lang) -> HashMap<String, String> {
    let bundle = &BUNDLES[lang as usize];
    let mut out = HashMap::new();
    let resources: Vec<FluentResource> = sources(lang)
        .into_iter()
        .filter_map(|src| FluentResource::try_new(src.to_string()).ok())
        .collect();
    let ids = resources
        .iter()
        .flat_map(|r| r.entries())
        .filter_map(|e| match e {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name),
            _ => None,
        });
    for id in ids {
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            continue;
        };
        let mut errors = Vec::new();
        // A message that uses an argument fails to format without one: it is not plain.
        let text = bundle.format_pattern(pattern, None, &mut errors);
        if errors.is_empty() {
            out.insert(id.to_string(), text.into_owned());
        }
    }
    out
}

/// A message that needs no argument, as the catalogue has it.
pub fn plain(lang: Lang, key: &str) -> Option<&'static str> {
    PLAIN[lang as usize].get(key).map(String::as_str)
}

static BUNDLES: LazyLock<[FluentBundle<FluentResource>; 2]> =
    LazyLock::new(|| [bundle(Lang::Id), bundle(Lang::En)]);

/// A message to show a user: a catalogue key and its arguments, rendered late in the user's
/// language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub key: String,
    pub args: Vec<(String, String)>,
}

impl Message {
    pub fn new(key: &str) -> Message {
        Message {
            key: key.to_string(),
            args: Vec::new(),
        }
    }

    pub fn arg(mut self, name: &str, value: impl ToString) -> Message {
        self.args.push((name.to_string(), value.to_string()));
        self
    }

    pub fn render(&self, lang: Lang) -> String {
        let args: Vec<(&str, &str)> = self
            .args
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        tr(lang, &self.key, &args)
    }
}

/// Translates `key` with string arguments. An unknown key renders as the key itself, so a
/// missing translation is visible rather than fatal.
pub fn tr(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    if args.is_empty()
        && let Some(text) = plain(lang, key)
    {
        return text.to_string();
    }
    let bundle = &BUNDLES[lang as usize];
    let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
        return key.to_string();
    };
    let mut fargs = FluentArgs::new();
    for (k, v) in args {
        fargs.set(*k, FluentValue::from(*v));
    }
    let mut errors = Vec::new();
    bundle
        .format_pattern(pattern, Some(&fargs), &mut errors)
        .into_owned()
}

/// Writes a whole number with thousands grouped the way the language does: `1.234.567` in
/// Indonesian, `1,234,567` in English.
pub fn format_int(lang: Lang, n: i64) -> String {
    let sep = match lang {
        Lang::Id => '.',
        Lang::En => ',',
    };
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// Rupiah the Indonesian way: `Rp1.500.000`.
pub fn format_rupiah(lang: Lang, n: i64) -> String {
    format!("Rp{}", format_int(lang, n))
}

/// Message ids defined in a catalogue (for tests and tooling).
pub fn keys(lang: Lang) -> Vec<String> {
    sources(lang)
        .iter()
        .flat_map(|src| src.lines())
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.trim().to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_messages_are_those_without_arguments() {
        assert_eq!(plain(Lang::Id, "web-history"), Some("Riwayat perubahan"));
        assert_eq!(plain(Lang::Id, "cli-demo-done"), None);
        assert_eq!(plain(Lang::En, "no-such-key"), None);
        // The labels of coded answers come from the second catalogue file.
        assert_eq!(
            code_label(Lang::Id, "hubungan", "kepala_keluarga"),
            tr(Lang::Id, "code-hubungan-kepala_keluarga", &[])
        );
    }

    #[test]
    fn catalogues_define_the_same_keys() {
        let mut id = keys(Lang::Id);
        let mut en = keys(Lang::En);
        id.sort();
        en.sort();
        assert!(!id.is_empty());
        assert_eq!(id, en);
        for key in &id {
            for lang in Lang::ALL {
                assert_ne!(&tr(lang, key, &[]), key, "{key} missing in {lang:?}");
            }
        }
    }

    #[test]
    fn every_coded_answer_has_a_label() {
        use crate::model::{FAMILY_FIELDS, Kind, PERSON_FIELDS};
        for f in FAMILY_FIELDS.iter().chain(PERSON_FIELDS) {
            if let Kind::Code(codes) = f.kind {
                for c in codes {
                    for lang in Lang::ALL {
                        let key = format!("code-{}-{c}", f.key);
                        assert_ne!(tr(lang, &key, &[]), key, "{key} missing in {lang:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn numbers_are_grouped_per_language() {
        assert_eq!(format_int(Lang::Id, 3000), "3.000");
        assert_eq!(format_int(Lang::En, 1234567), "1,234,567");
        assert_eq!(format_int(Lang::Id, -999), "-999");
        assert_eq!(format_rupiah(Lang::Id, 600_000), "Rp600.000");
    }

    #[test]
    fn arguments_are_substituted() {
        let m = Message::new("nik-length").arg("len", 15);
        assert!(m.render(Lang::Id).contains("15"));
        assert!(m.render(Lang::En).contains("15"));
        assert_ne!(m.render(Lang::Id), m.render(Lang::En));
    }
}
