//! NIK (Nomor Induk Kependudukan) and Nomor KK (Kartu Keluarga): parsing with precise reasons.
//!
//! NIK = province(2) kab/kota(2) kecamatan(2) day(2, +40 for women) month(2) year(2) seq(4).
//! Nomor KK = region of issue(6) + issue date DDMMYY(6) + serial(4) (layout not officially
//! published; we check what is safe to check).

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::i18n::Message;
use crate::wilayah::{KodeWilayah, Wilayah};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sex {
    /// Laki-laki
    L,
    /// Perempuan
    P,
}

impl Sex {
    pub fn parse(s: &str) -> Option<Sex> {
        match s.trim().to_ascii_lowercase().as_str() {
            "l" | "lk" | "laki-laki" | "laki laki" | "pria" | "m" | "male" | "1" => Some(Sex::L),
            "p" | "pr" | "perempuan" | "wanita" | "f" | "female" | "2" => Some(Sex::P),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Sex::L => "L",
            Sex::P => "P",
        }
    }
}

/// A problem found in an identity number: errors reject the number, warnings do not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    pub severity: Severity,
    pub message: Message,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Issue {
    fn error(m: Message) -> Issue {
        Issue {
            severity: Severity::Error,
            message: m,
        }
    }
    fn warning(m: Message) -> Issue {
        Issue {
            severity: Severity::Warning,
            message: m,
        }
    }
}

/// A valid NIK with the facts it encodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nik {
    digits: String,
    pub kecamatan: KodeWilayah,
    pub sex: Sex,
    pub day: u32,
    pub month: u32,
    /// Two-digit year; the century is ambiguous.
    pub yy: u32,
    pub warnings: Vec<Issue>,
}

impl Nik {
    /// Parses a NIK. `Err` holds at least one error (and any warnings found before it).
    pub fn parse(input: &str) -> Result<Nik, Vec<Issue>> {
        let digits = check_digits(input, "nik")?;
        let mut warnings = Vec::new();
        let kecamatan = check_region(&digits[..6], "nik", &mut warnings)?;
        let mut issues = Vec::new();
        let raw_day: u32 = digits[6..8].parse().unwrap_or(0);
        let month: u32 = digits[8..10].parse().unwrap_or(0);
        let yy: u32 = digits[10..12].parse().unwrap_or(0);
        let (sex, day) = match raw_day {
            1..=31 => (Sex::L, raw_day),
            41..=71 => (Sex::P, raw_day - 40),
            32..=40 => {
                issues.push(Issue::error(
                    Message::new("nik-day-gap").arg("day", &digits[6..8]),
                ));
                (Sex::L, 0)
            }
            _ => {
                issues.push(Issue::error(
                    Message::new("nik-day-range").arg("day", &digits[6..8]),
                ));
                (Sex::L, 0)
            }
        };
        if !(1..=12).contains(&month) {
            issues.push(Issue::error(
                Message::new("id-month").arg("month", &digits[8..10]),
            ));
        } else if day > 0 && possible_date(day, month, yy).is_none() {
            issues.push(Issue::error(
                Message::new("id-impossible-date")
                    .arg("date", format!("{day:02}-{month:02}-{yy:02}")),
            ));
        }
        if &digits[12..] == "0000" {
            issues.push(Issue::error(Message::new("id-sequence-zero")));
        }
        if !issues.is_empty() {
            issues.extend(warnings);
            return Err(issues);
        }
        Ok(Nik {
            digits,
            kecamatan,
            sex,
            day,
            month,
            yy,
            warnings,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.digits
    }

    /// The birth date with the most recent century not after `today`.
    pub fn birth_date(&self, today: NaiveDate) -> Option<NaiveDate> {
        let this_century = (today.year() as u32 / 100) * 100;
        [this_century, this_century - 100]
            .into_iter()
            .filter_map(|c| NaiveDate::from_ymd_opt((c + self.yy) as i32, self.month, self.day))
            .find(|d| *d <= today)
    }

    /// Warnings from comparing the NIK with recorded facts of its person.
    pub fn compare_with(&self, birth_date: Option<NaiveDate>, sex: Option<Sex>) -> Vec<Issue> {
        let mut out = Vec::new();
        if let Some(b) = birth_date
            && (b.day() != self.day || b.month() != self.month || b.year() as u32 % 100 != self.yy)
        {
            out.push(Issue::warning(
                Message::new("nik-birth-mismatch")
                    .arg(
                        "nikdate",
                        format!("{:02}-{:02}-{:02}", self.day, self.month, self.yy),
                    )
                    .arg("birth", b.format("%d-%m-%Y")),
            ));
        }
        if let Some(s) = sex
            && s != self.sex
        {
            out.push(Issue::warning(
                Message::new("nik-sex-mismatch")
                    .arg("niksex", self.sex.code())
                    .arg("sex", s.code()),
            ));
        }
        out
    }

    /// The NIK masked for lists (see [`mask`]): `******410190****`.
    pub fn masked(nik: &str) -> String {
        mask(nik)
    }
}

impl fmt::Display for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.digits)
    }
}

/// Masks a 16-digit identity number (NIK or KK) for lists, letters and receipts: the region
/// (digits 1-6, the same for a whole village) and the sequence (13-16, what completes the
/// number) are hidden; the date digits (7-12) stay, so that two residents of one village can
/// still be told apart (`3312014101900001` → `******410190****`). Other input is masked whole
/// but for its ends. docs/privacy.md says why this is proportionate under UU 27/2022.
pub fn mask(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    if chars.len() == 16 && chars.iter().all(char::is_ascii_digit) {
        let date: String = chars[6..12].iter().collect();
        return format!("******{date}****");
    }
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 8))
}

/// A valid Nomor KK.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NomorKk {
    digits: String,
    pub kecamatan: KodeWilayah,
    pub issued: Option<NaiveDate>,
    pub warnings: Vec<Issue>,
}

impl NomorKk {
    pub fn parse(input: &str) -> Result<NomorKk, Vec<Issue>> {
        let digits = check_digits(input, "kk")?;
        let mut warnings = Vec::new();
        let kecamatan = check_region(&digits[..6], "kk", &mut warnings)?;
        let mut issues = Vec::new();
        let day: u32 = digits[6..8].parse().unwrap_or(0);
        let month: u32 = digits[8..10].parse().unwrap_or(0);
        let yy: u32 = digits[10..12].parse().unwrap_or(0);
        if !(1..=31).contains(&day) {
            issues.push(Issue::error(
                Message::new("kk-day-range").arg("day", &digits[6..8]),
            ));
        } else if !(1..=12).contains(&month) {
            issues.push(Issue::error(
                Message::new("id-month").arg("month", &digits[8..10]),
            ));
        } else if possible_date(day, month, yy).is_none() {
            issues.push(Issue::error(
                Message::new("id-impossible-date")
                    .arg("date", format!("{day:02}-{month:02}-{yy:02}")),
            ));
        }
        if &digits[12..] == "0000" {
            issues.push(Issue::error(Message::new("id-sequence-zero")));
        }
        if !issues.is_empty() {
            issues.extend(warnings);
            return Err(issues);
        }
        Ok(NomorKk {
            issued: possible_date(day, month, yy),
            digits,
            kecamatan,
            warnings,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.digits
    }
}

impl fmt::Display for NomorKk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.digits)
    }
}

/// A calendar date for a two-digit year in either century (29 Feb of `00` exists in 2000).
/// Years up to `50` are read as 20yy first: no KK or NIK was issued in the 2050s yet, and
/// none before the 1950s.
fn possible_date(day: u32, month: u32, yy: u32) -> Option<NaiveDate> {
    let centuries = if yy <= 50 { [2000, 1900] } else { [1900, 2000] };
    centuries
        .into_iter()
        .find_map(|c| NaiveDate::from_ymd_opt((c + yy) as i32, month, day))
}

/// Length and digit checks shared by NIK and KK. `kind` is `nik` or `kk` (message prefix).
fn check_digits(input: &str, kind: &str) -> Result<String, Vec<Issue>> {
    // Spaces and dots are common in typed numbers ("3301 0112 ..."); anything else is an error.
    let cleaned: String = input
        .trim()
        .chars()
        .filter(|c| *c != ' ' && *c != '.')
        .collect();
    let len = cleaned.chars().count();
    if cleaned.is_empty() {
        return Err(vec![Issue::error(Message::new(&format!("{kind}-empty")))]);
    }
    if let Some((pos, ch)) = cleaned
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_digit())
    {
        return Err(vec![Issue::error(
            Message::new("id-non-digit")
                .arg("kind", kind.to_uppercase())
                .arg("pos", pos + 1)
                .arg("char", ch.escape_debug()),
        )]);
    }
    if len != 16 {
        return Err(vec![Issue::error(
            Message::new(&format!("{kind}-length")).arg("len", len),
        )]);
    }
    Ok(cleaned)
}

/// Checks the six region digits against the master list.
fn check_region(
    six: &str,
    kind: &str,
    warnings: &mut Vec<Issue>,
) -> Result<KodeWilayah, Vec<Issue>> {
    let w = Wilayah::master();
    let kec = KodeWilayah::parse(six).ok_or_else(|| {
        vec![Issue::error(
            Message::new("id-unknown-province")
                .arg("kind", kind.to_uppercase())
                .arg("code", &six[..2]),
        )]
    })?;
    let lineage = kec.lineage();
    let kind_up = kind.to_uppercase();
    if !w.contains(&lineage[0]) {
        return Err(vec![Issue::error(
            Message::new("id-unknown-province")
                .arg("kind", &kind_up)
                .arg("code", lineage[0].as_str()),
        )]);
    }
    for (code, key) in [
        (&lineage[1], "id-unknown-kabupaten"),
        (&lineage[2], "id-unknown-kecamatan"),
    ] {
        if !w.contains(code) {
            let m = Message::new(key)
                .arg("kind", &kind_up)
                .arg("code", code.as_str());
            if w.province_was_split(kec.province()) {
                warnings.push(Issue::warning(
                    Message::new("id-older-layout")
                        .arg("kind", &kind_up)
                        .arg("code", code.as_str()),
                ));
                break;
            }
            return Err(vec![Issue::error(m)]);
        }
    }
    Ok(kec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn keys(r: Result<Nik, Vec<Issue>>) -> Vec<String> {
        r.err()
            .unwrap()
            .into_iter()
            .filter(|i| i.severity == Severity::Error)
            .map(|i| i.message.key)
            .collect()
    }

    #[test]
    fn valid_nik_decodes_region_sex_and_date() {
        // 11.01.01 = Bakongan, Aceh Selatan; 41 = woman born on the 1st.
        let nik = Nik::parse("1101014101900001").unwrap();
        assert_eq!(nik.sex, Sex::P);
        assert_eq!(nik.day, 1);
        assert_eq!(nik.kecamatan.as_str(), "11.01.01");
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        assert_eq!(nik.birth_date(today), NaiveDate::from_ymd_opt(1990, 1, 1));
        assert!(nik.warnings.is_empty());
    }

    #[test]
    fn precise_reasons() {
        assert_eq!(keys(Nik::parse("110101410190001")), ["nik-length"]);
        assert_eq!(keys(Nik::parse("11010141019000a1")), ["id-non-digit"]);
        assert_eq!(
            keys(Nik::parse("9901014101900001")),
            ["id-unknown-province"]
        );
        assert_eq!(
            keys(Nik::parse("1199014101900001")),
            ["id-unknown-kabupaten"]
        );
        assert_eq!(
            keys(Nik::parse("1101994101900001")),
            ["id-unknown-kecamatan"]
        );
        assert_eq!(keys(Nik::parse("1101013501900001")), ["nik-day-gap"]);
        assert_eq!(keys(Nik::parse("1101017201900001")), ["nik-day-range"]);
        assert_eq!(keys(Nik::parse("1101013102900001")), ["id-impossible-date"]);
        assert_eq!(keys(Nik::parse("1101010113900001")), ["id-month"]);
        assert_eq!(keys(Nik::parse("1101010101900000")), ["id-sequence-zero"]);
        assert_eq!(keys(Nik::parse("")), ["nik-empty"]);
    }

    #[test]
    fn leap_day_accepted_when_some_century_has_it() {
        assert!(Nik::parse("1101012902000001").is_ok()); // 2000 leap
        assert!(Nik::parse("1101012902040001").is_ok()); // 2004 / 1904 leap
        assert_eq!(keys(Nik::parse("1101012902010001")), ["id-impossible-date"]);
    }

    #[test]
    fn older_papua_layout_is_a_warning() {
        // 91.xx kab codes that moved to the new Papua provinces in 2022 are no longer in the
        // list under 91; such a NIK is accepted with a warning.
        let w = Wilayah::master();
        let missing = (1..=99)
            .map(|k| format!("91.{k:02}"))
            .find(|c| w.get(c).is_none())
            .unwrap();
        let nik = format!("{}011501950001", missing.replace('.', ""));
        let parsed = Nik::parse(&nik).unwrap();
        assert_eq!(parsed.warnings[0].message.key, "id-older-layout");
    }

    #[test]
    fn birth_date_mismatch_is_a_warning() {
        let nik = Nik::parse("1101014101900001").unwrap();
        let w = nik.compare_with(NaiveDate::from_ymd_opt(1990, 1, 2), Some(Sex::P));
        assert_eq!(w.len(), 1);
        assert!(w[0].message.render(Lang::Id).contains("01-01-90"));
        assert!(
            nik.compare_with(NaiveDate::from_ymd_opt(1990, 1, 1), Some(Sex::P))
                .is_empty()
        );
    }

    #[test]
    fn kk_checks() {
        assert!(NomorKk::parse("1101011502150003").is_ok());
        let old = NomorKk::parse("1101011503980003").unwrap();
        assert_eq!(old.issued, NaiveDate::from_ymd_opt(1998, 3, 15));
        let e = NomorKk::parse("1101013202150003").unwrap_err();
        assert_eq!(e[0].message.key, "kk-day-range");
        let e = NomorKk::parse("11010115021500").unwrap_err();
        assert_eq!(e[0].message.key, "kk-length");
    }

    #[test]
    fn masking() {
        assert_eq!(mask("1101014101900001"), "******410190****");
        // Two residents of one village, both 0001 of their birth date, told apart.
        assert_ne!(mask("3312014101900001"), mask("3312015507850001"));
        assert_eq!(mask("AB12345678"), "AB12**5678");
        assert_eq!(mask("123"), "***");
    }

    /// What the parsers keep of a typed number: the digits, without surrounding white space and
    /// the spaces and dots inside.
    fn cleaned(s: &str) -> String {
        s.trim()
            .chars()
            .filter(|c| *c != ' ' && *c != '.')
            .collect()
    }

    proptest::proptest! {
        /// Any text: accepted only as the 16 digits it holds, refused always with an error.
        #[test]
        fn parsers_accept_only_sixteen_digits_and_refuse_with_an_error(s in "\\PC{0,40}") {
            for parsed in [
                Nik::parse(&s).map(|n| n.as_str().to_string()),
                NomorKk::parse(&s).map(|k| k.as_str().to_string()),
            ] {
                match parsed {
                    Ok(digits) => {
                        proptest::prop_assert_eq!(digits.len(), 16);
                        proptest::prop_assert!(digits.chars().all(|c| c.is_ascii_digit()));
                        proptest::prop_assert_eq!(digits, cleaned(&s));
                    }
                    Err(issues) => proptest::prop_assert!(
                        issues.iter().any(|i| i.severity == Severity::Error),
                        "{s:?}: {issues:?}"
                    ),
                }
            }
        }

        /// A NIK put together from a real kecamatan, a birth date, a sex and a sequence number
        /// reads back as those facts, however it is spaced or dotted; the KK of the same digits
        /// but a woman's day (41-71) is refused.
        #[test]
        fn a_nik_reads_back_as_what_it_was_made_of(
            kec in proptest::sample::select(vec!["331201", "110101", "330101"]),
            day in 1u32..=28,
            month in 1u32..=12,
            yy in 0u32..=99,
            female in proptest::bool::ANY,
            seq in 1u32..=9999,
            cut in proptest::collection::vec((0usize..16, proptest::sample::select(vec![" ", "."])), 0..4),
        ) {
            let dd = if female { day + 40 } else { day };
            let digits = format!("{kec}{dd:02}{month:02}{yy:02}{seq:04}");
            let mut typed = digits.clone();
            for (at, sep) in cut {
                typed.insert_str(at.min(typed.len()), sep);
            }
            let nik = Nik::parse(&format!(" {typed} ")).unwrap();
            proptest::prop_assert_eq!(nik.as_str(), digits.as_str());
            proptest::prop_assert_eq!(nik.kecamatan.as_str().replace('.', ""), kec);
            proptest::prop_assert_eq!(nik.sex, if female { Sex::P } else { Sex::L });
            proptest::prop_assert_eq!((nik.day, nik.month, nik.yy), (day, month, yy));
            let today = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
            let born = nik.birth_date(today).unwrap();
            proptest::prop_assert!(born <= today);
            proptest::prop_assert_eq!((born.day(), born.month(), born.year() as u32 % 100), (day, month, yy));
            proptest::prop_assert!(nik.compare_with(Some(born), Some(nik.sex)).is_empty());
            let kk = NomorKk::parse(&digits);
            proptest::prop_assert_eq!(kk.is_ok(), !female, "{}", digits);
            // One digit turned into a letter: refused, naming its place.
            let pos = (seq as usize) % 16;
            let mut bad = digits.clone();
            bad.replace_range(pos..pos + 1, "x");
            let e = Nik::parse(&bad).unwrap_err();
            proptest::prop_assert_eq!(e[0].message.key.as_str(), "id-non-digit");
            proptest::prop_assert!(e[0].message.args.contains(&("pos".to_string(), (pos + 1).to_string())));
        }

        #[test]
        fn digit_strings_never_panic(s in "[0-9]{0,20}") {
            if let Ok(n) = Nik::parse(&s) {
                proptest::prop_assert_eq!(n.as_str().len(), 16);
            }
            let _ = NomorKk::parse(&s);
        }
    }
}
