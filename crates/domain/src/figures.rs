//! The village's figures as the data and information centre presents them (issue 6): age bands,
//! the PPKS categories read off the registry, program tallies, medians and the suppression of
//! small counts on public pages. Pure functions; storage gathers the rows, the web draws them.

use chrono::NaiveDate;

use crate::rules::facts::age_on;

/// Five-year age bands, the last open-ended: `(label, from, to inclusive)`.
pub const AGE_BANDS: [(&str, i32, i32); 16] = [
    ("0-4", 0, 4),
    ("5-9", 5, 9),
    ("10-14", 10, 14),
    ("15-19", 15, 19),
    ("20-24", 20, 24),
    ("25-29", 25, 29),
    ("30-34", 30, 34),
    ("35-39", 35, 39),
    ("40-44", 40, 44),
    ("45-49", 45, 49),
    ("50-54", 50, 54),
    ("55-59", 55, 59),
    ("60-64", 60, 64),
    ("65-69", 65, 69),
    ("70-74", 70, 74),
    ("75+", 75, i32::MAX),
];

/// The band index of an age; `None` for a negative age (a birth date after the reference day).
pub fn age_band(age: i32) -> Option<usize> {
    AGE_BANDS
        .iter()
        .position(|(_, lo, hi)| (*lo..=*hi).contains(&age))
}

/// The PPKS (Penyandang Masalah Kesejahteraan Sosial) categories that the registry's facts show.
/// Each is defined by a rule on recorded facts, shown next to the figure, so that a count can be
/// checked family by family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ppks {
    /// A person aged 60 or over (UU 13/1998).
    Lansia,
    /// A person with a recorded disability of any kind.
    Disabilitas,
    /// A child aged 7-18 whose current school level is recorded as not in school.
    AnakTidakSekolah,
    /// A pregnant woman.
    IbuHamil,
    /// A person with a recorded chronic illness.
    PenyakitKronis,
    /// A family living in a house recorded as moderately or badly damaged.
    RumahTidakLayak,
    /// A family assessed fakir or miskin under Kepmensos 262/HUK/2022.
    FakirMiskin,
}

impl Ppks {
    pub const ALL: [Ppks; 7] = [
        Ppks::Lansia,
        Ppks::Disabilitas,
        Ppks::AnakTidakSekolah,
        Ppks::IbuHamil,
        Ppks::PenyakitKronis,
        Ppks::RumahTidakLayak,
        Ppks::FakirMiskin,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Ppks::Lansia => "lansia",
            Ppks::Disabilitas => "disabilitas",
            Ppks::AnakTidakSekolah => "anak_tidak_sekolah",
            Ppks::IbuHamil => "ibu_hamil",
            Ppks::PenyakitKronis => "penyakit_kronis",
            Ppks::RumahTidakLayak => "rumah_tidak_layak",
            Ppks::FakirMiskin => "fakir_miskin",
        }
    }

    /// Whether the category counts families (the others count people).
    pub fn counts_families(self) -> bool {
        matches!(self, Ppks::RumahTidakLayak | Ppks::FakirMiskin)
    }
}

/// The facts of one present person that the figures read.
#[derive(Debug, Clone, Default)]
pub struct PersonFacts<'a> {
    pub sex: Option<&'a str>,
    pub birth: Option<NaiveDate>,
    pub disability: Option<&'a str>,
    pub chronic_illness: Option<&'a str>,
    pub pregnant: bool,
    pub school_level: Option<&'a str>,
}

/// The person-level PPKS categories a person falls in on `day`.
pub fn person_ppks(p: &PersonFacts<'_>, day: NaiveDate) -> Vec<Ppks> {
    let age = p.birth.map(|b| age_on(b, day));
    let mut out = Vec::new();
    if age.is_some_and(|a| a >= 60) {
        out.push(Ppks::Lansia);
    }
    if p.disability
        .is_some_and(|d| !d.is_empty() && d != "tidak_ada")
    {
        out.push(Ppks::Disabilitas);
    }
    if age.is_some_and(|a| (7..=18).contains(&a)) && p.school_level == Some("tidak_sekolah") {
        out.push(Ppks::AnakTidakSekolah);
    }
    if p.pregnant {
        out.push(Ppks::IbuHamil);
    }
    if p.chronic_illness.is_some_and(has_illness) {
        out.push(Ppks::PenyakitKronis);
    }
    out
}

/// A recorded chronic illness: any text but the ways of writing "none".
fn has_illness(s: &str) -> bool {
    let s = s.trim().to_lowercase();
    !matches!(
        s.as_str(),
        "" | "-" | "tidak" | "tidak_ada" | "tidak ada" | "none"
    )
}

/// The family-level PPKS categories of a family.
pub fn family_ppks(house_condition: Option<&str>, kepmensos_verdict: Option<&str>) -> Vec<Ppks> {
    let mut out = Vec::new();
    if matches!(house_condition, Some("rusak_sedang" | "rusak_berat")) {
        out.push(Ppks::RumahTidakLayak);
    }
    if kepmensos_verdict == Some("poor") {
        out.push(Ppks::FakirMiskin);
    }
    out
}

/// One program's families by what the assessment found and what they receive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProgramTally {
    pub program: String,
    /// Families assessed eligible.
    pub eligible: i64,
    /// Families receiving (the family or any present member).
    pub receiving: i64,
    /// Eligible and receiving.
    pub covered: i64,
    /// Eligible, not receiving.
    pub exclusion: i64,
    /// Receiving, assessed not eligible.
    pub inclusion: i64,
    /// Not enough data to decide.
    pub undecided: i64,
}

impl ProgramTally {
    /// Share of the eligible families that receive, in per mille (`None` with none eligible).
    pub fn coverage_permille(&self) -> Option<i64> {
        (self.eligible > 0).then(|| self.covered * 1000 / self.eligible)
    }
}

/// Program tallies over families, fed one family at a time with the comma-separated program
/// codes stored by the assessment (`layak`, `menerima`, `kurang_data`).
#[derive(Debug, Clone)]
pub struct Tallies(pub Vec<ProgramTally>);

impl Tallies {
    pub fn new<'a>(programs: impl IntoIterator<Item = &'a str>) -> Tallies {
        Tallies(
            programs
                .into_iter()
                .map(|p| ProgramTally {
                    program: p.to_string(),
                    ..Default::default()
                })
                .collect(),
        )
    }

    pub fn add(&mut self, eligible: &str, receiving: &str, undecided: &str) {
        let has = |list: &str, code: &str| list.split(',').any(|c| c == code);
        for i in 0..self.0.len() {
            let code = &self.0[i].program;
            let flags = (
                has(eligible, code),
                has(receiving, code),
                has(undecided, code),
            );
            self.add_one(i, flags);
        }
    }

    /// One family's answer for the `i`-th program: `(eligible, receiving, undecided)`.
    pub fn add_one(&mut self, i: usize, (e, r, u): (bool, bool, bool)) {
        let t = &mut self.0[i];
        t.eligible += i64::from(e);
        t.receiving += i64::from(r);
        t.covered += i64::from(e && r);
        t.exclusion += i64::from(e && !r);
        t.inclusion += i64::from(r && !e && !u);
        t.undecided += i64::from(u);
    }
}

/// The median of some values (the mean of the middle two for an even count).
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}

/// Counts below this are not shown on public pages: one to four people could be recognised.
pub const SUPPRESS_BELOW: i64 = 5;

/// A count as a public page may show it: `None` when it is 1 to 4 (shown as "< 5"). Zero is
/// shown: it names nobody.
pub fn public_count(n: i64) -> Option<i64> {
    (n == 0 || n >= SUPPRESS_BELOW).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn age_bands_cover_every_age_once() {
        for age in 0..130 {
            let b = age_band(age).unwrap();
            let (_, lo, hi) = AGE_BANDS[b];
            assert!(lo <= age && age <= hi);
        }
        assert_eq!(age_band(-1), None);
        assert_eq!(age_band(4), Some(0));
        assert_eq!(age_band(5), Some(1));
        assert_eq!(age_band(75), Some(15));
    }

    #[test]
    fn person_categories_follow_their_rules_at_the_edges() {
        let day = d("2026-11-28");
        let mut p = PersonFacts {
            birth: Some(d("1966-11-28")),
            ..Default::default()
        };
        assert_eq!(person_ppks(&p, day), vec![Ppks::Lansia]);
        p.birth = Some(d("1966-11-29"));
        assert!(person_ppks(&p, day).is_empty(), "59 the day before");
        p.birth = Some(d("2019-11-28"));
        p.school_level = Some("tidak_sekolah");
        assert_eq!(person_ppks(&p, day), vec![Ppks::AnakTidakSekolah]);
        p.birth = Some(d("2019-11-29"));
        assert!(person_ppks(&p, day).is_empty(), "six is not school age");
        p.school_level = None;
        p.disability = Some("tidak_ada");
        p.chronic_illness = Some(" Tidak ");
        assert!(person_ppks(&p, day).is_empty());
        p.disability = Some("fisik");
        p.chronic_illness = Some("diabetes");
        p.pregnant = true;
        assert_eq!(
            person_ppks(&p, day),
            vec![Ppks::Disabilitas, Ppks::IbuHamil, Ppks::PenyakitKronis]
        );
    }

    #[test]
    fn family_categories_and_tallies() {
        assert_eq!(
            family_ppks(Some("rusak_berat"), Some("poor")),
            vec![Ppks::RumahTidakLayak, Ppks::FakirMiskin]
        );
        assert!(family_ppks(Some("rusak_ringan"), Some("not_poor")).is_empty());
        let mut t = Tallies::new(["pkh", "pip"]);
        t.add("pkh,pip", "pkh", "");
        t.add("", "pkh", "");
        t.add("", "pip", "pip");
        t.add("pkh", "", "");
        let pkh = &t.0[0];
        assert_eq!(
            (
                pkh.eligible,
                pkh.receiving,
                pkh.covered,
                pkh.exclusion,
                pkh.inclusion
            ),
            (2, 2, 1, 1, 1)
        );
        assert_eq!(pkh.coverage_permille(), Some(500));
        let pip = &t.0[1];
        assert_eq!((pip.exclusion, pip.inclusion, pip.undecided), (1, 0, 1));
    }

    #[test]
    fn medians_and_suppression() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(public_count(0), Some(0));
        assert_eq!(public_count(1), None);
        assert_eq!(public_count(4), None);
        assert_eq!(public_count(5), Some(5));
    }
}
