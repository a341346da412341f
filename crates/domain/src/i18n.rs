//! Message catalogues: every user-facing text lives in `locales/id.ftl` (Bahasa Indonesia, the
//! default) and `locales/en.ftl` (English), in Project Fluent syntax.

use std::str::FromStr;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use serde::{Deserialize, Serialize};
use unic_langid::langid;

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
pub fn code_label(lang: Lang, field: &str, code: &str) -> String {
    let key = format!("code-{field}-{code}");
    let label = tr(lang, &key, &[]);
    if label == key {
        code.to_string()
    } else {
        label
    }
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
        && let Some(text) = PLAIN[lang as usize]
            .read()
            .ok()
            .and_then(|m| m.get(key).cloned())
    {
        return text;
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
    let text = bundle
        .format_pattern(pattern, Some(&fargs), &mut errors)
        .into_owned();
    // A message that needs no argument reads the same every time: keep it.
    if args.is_empty()
        && errors.is_empty()
        && let Ok(mut plain) = PLAIN[lang as usize].write()
    {
        plain.insert(key.to_string(), text.clone());
    }
    text
}

/// Messages already formatted without arguments (labels, headings): a page shows hundreds of
/// them, and formatting each through Fluent again was a measurable part of rendering one.
type PlainMessages = std::sync::RwLock<std::collections::HashMap<String, String>>;
static PLAIN: LazyLock<[PlainMessages; 2]> = LazyLock::new(Default::default);

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
