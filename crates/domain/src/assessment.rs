//! Welfare assessment of a family, explained item by item (issue 4, first part): the BPS 14
//! criteria of a poor household. Each criterion is met, not met, or unknown (a fact is missing),
//! and the verdict says which: poor, not poor, or undecided with the facts still needed.
//! Thresholds are configuration, not code: the published figures are the defaults.

use serde::{Deserialize, Serialize};

use crate::model::{Family, Person, Record};

/// Thresholds of the BPS 14 criteria (defaults: the published figures).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bps14Config {
    /// Criteria met for a household to count as poor (commonly 9 of 14).
    pub threshold: usize,
    /// Floor area per person below which criterion 1 is met (m²).
    pub floor_per_person_m2: f64,
    /// Head's monthly income below which criterion 12 is met (rupiah).
    pub head_income_rp: i64,
    /// Farmland of a farming head below which criterion 12 is met (m²).
    pub farm_land_m2: f64,
}

impl Default for Bps14Config {
    fn default() -> Self {
        Bps14Config {
            threshold: 9,
            floor_per_person_m2: 8.0,
            head_income_rp: 600_000,
            farm_land_m2: 500.0,
        }
    }
}

/// Whether one criterion holds for a family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Met {
    Yes,
    No,
    /// A fact it needs is not recorded.
    Unknown,
}

/// One criterion's outcome with the facts (field keys) it looked at, or would need.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriterionResult {
    /// 1 to 14; the label is `bps14-<n>` in the catalogues.
    pub number: u8,
    pub met: Met,
    pub facts: &'static [&'static str],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Poor,
    NotPoor,
    /// Could go either way: the unknown criteria decide.
    Undecided,
}

impl Verdict {
    /// Stored code and catalogue suffix (`verdict-<code>`, `fakir-<code>`).
    pub fn code(self) -> &'static str {
        match self {
            Verdict::Poor => "poor",
            Verdict::NotPoor => "not_poor",
            Verdict::Undecided => "undecided",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bps14 {
    pub criteria: Vec<CriterionResult>,
    pub met: usize,
    pub unknown: usize,
    pub verdict: Verdict,
}

impl Bps14 {
    /// The facts to record for a decision (empty unless undecided), without repeats.
    pub fn missing_facts(&self) -> Vec<&'static str> {
        missing_of(self.verdict, &self.criteria)
    }
}

fn code_in(family_or_person: Option<&str>, codes: &[&str]) -> Met {
    match family_or_person {
        None => Met::Unknown,
        Some(c) if codes.contains(&c) => Met::Yes,
        Some(_) => Met::No,
    }
}

fn cmp(value: Option<bool>) -> Met {
    match value {
        None => Met::Unknown,
        Some(true) => Met::Yes,
        Some(false) => Met::No,
    }
}

/// Walls of bamboo, thatch, cheap wood or unplastered brick (BPS 14 no. 3, Kepmensos no. 7).
fn poor_walls(family: &Family) -> (Met, &'static [&'static str]) {
    (
        code_in(
            family.text("jenis_dinding"),
            &[
                "bambu_rumbia",
                "anyaman_bambu",
                "kayu_murah",
                "tembok_tanpa_plester",
            ],
        ),
        &["jenis_dinding"],
    )
}

/// No toilet of the household's own (BPS 14 no. 4, Kepmensos no. 8).
fn no_own_toilet(family: &Family) -> (Met, &'static [&'static str]) {
    (
        code_in(
            family.text("fasilitas_bab"),
            &["bersama", "umum", "tidak_ada"],
        ),
        &["fasilitas_bab"],
    )
}

/// Members who live in the household now (moved or dead members do not count).
pub fn present(members: &[Person]) -> impl Iterator<Item = &Person> {
    members
        .iter()
        .filter(|p| !matches!(p.text("status"), Some("pindah" | "meninggal")))
}

/// The BPS 14 criteria for a family and its members. The order of `members` does not matter.
pub fn bps14(family: &Family, members: &[Person], cfg: &Bps14Config) -> Bps14 {
    let people = present(members).count();
    let num = |key: &str| family.get(key).and_then(|v| v.as_num());
    let int = |key: &str| family.int(key);
    let head = head_of(members);

    let floor = match (num("luas_lantai"), people) {
        (Some(area), n) if n > 0 => cmp(Some((area / n as f64) < cfg.floor_per_person_m2)),
        _ => Met::Unknown,
    };
    let head_work = match head {
        None => Met::Unknown,
        Some(h) => {
            let work = h.text("pekerjaan");
            let labourer = matches!(
                work,
                Some("buruh_tani" | "buruh_perkebunan" | "buruh_bangunan" | "nelayan")
            );
            let small_farm = match (work, num("luas_lahan")) {
                (Some("petani_pemilik"), Some(land)) => Some(land < cfg.farm_land_m2),
                (Some("petani_pemilik"), None) => None,
                (_, _) => Some(false),
            };
            let low_income = int("penghasilan_kepala").map(|i| i < cfg.head_income_rp);
            if labourer || small_farm == Some(true) || low_income == Some(true) {
                Met::Yes
            } else if work.is_none() || small_farm.is_none() || low_income.is_none() {
                Met::Unknown
            } else {
                Met::No
            }
        }
    };
    let head_school = match head {
        None => Met::Unknown,
        Some(h) => code_in(
            h.text("pendidikan"),
            &["tidak_sekolah", "tidak_tamat_sd", "sd"],
        ),
    };
    let results: [(Met, &[&'static str]); 14] = [
        (floor, &["luas_lantai"]),
        (
            code_in(
                family.text("jenis_lantai"),
                &["tanah", "bambu", "kayu_murah"],
            ),
            &["jenis_lantai"],
        ),
        poor_walls(family),
        no_own_toilet(family),
        (
            code_in(family.text("sumber_penerangan"), &["bukan_listrik"]),
            &["sumber_penerangan"],
        ),
        (
            code_in(
                family.text("sumber_air_minum"),
                &[
                    "sumur_tidak_terlindung",
                    "mata_air_tidak_terlindung",
                    "sungai",
                    "hujan",
                ],
            ),
            &["sumber_air_minum"],
        ),
        (
            code_in(
                family.text("bahan_bakar_memasak"),
                &["kayu_bakar", "arang", "minyak_tanah"],
            ),
            &["bahan_bakar_memasak"],
        ),
        (
            cmp(int("daging_per_minggu").map(|n| n <= 1)),
            &["daging_per_minggu"],
        ),
        (
            cmp(int("pakaian_baru_per_tahun").map(|n| n <= 1)),
            &["pakaian_baru_per_tahun"],
        ),
        (
            cmp(int("makan_per_hari").map(|n| n <= 2)),
            &["makan_per_hari"],
        ),
        (
            cmp(int("mampu_berobat").map(|n| n == 0)),
            &["mampu_berobat"],
        ),
        (
            head_work,
            &["pekerjaan", "luas_lahan", "penghasilan_kepala"],
        ),
        (head_school, &["pendidikan"]),
        (cmp(int("aset_500rb").map(|n| n == 0)), &["aset_500rb"]),
    ];
    let criteria: Vec<CriterionResult> = results
        .iter()
        .enumerate()
        .map(|(i, (met, facts))| CriterionResult {
            number: i as u8 + 1,
            met: *met,
            facts,
        })
        .collect();
    let met = criteria.iter().filter(|c| c.met == Met::Yes).count();
    let unknown = criteria.iter().filter(|c| c.met == Met::Unknown).count();
    let verdict = if met >= cfg.threshold {
        Verdict::Poor
    } else if met + unknown < cfg.threshold {
        Verdict::NotPoor
    } else {
        Verdict::Undecided
    };
    Bps14 {
        criteria,
        met,
        unknown,
        verdict,
    }
}

/// Thresholds of the Kepmensos 262/HUK/2022 criteria of fakir miskin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kepmensos262Config {
    /// Conditions (of the eight after shelter) met for a family to count as fakir miskin. The
    /// decree lists the conditions without a count; 5 of 8 is this project's default reading
    /// and a district may set its own.
    pub threshold: usize,
    /// Installed electricity at or below which the electricity condition is met (VA).
    pub max_va: i64,
}

impl Default for Kepmensos262Config {
    fn default() -> Self {
        Kepmensos262Config {
            threshold: 5,
            max_va: 450,
        }
    }
}

/// The Kepmensos 262/HUK/2022 assessment: criterion 1 (no shelter) decides at once; otherwise
/// criteria 2-9 are counted against the threshold. Labels are `kepmensos-<n>`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kepmensos262 {
    pub criteria: Vec<CriterionResult>,
    pub met: usize,
    pub unknown: usize,
    pub verdict: Verdict,
}

impl Kepmensos262 {
    pub fn missing_facts(&self) -> Vec<&'static str> {
        missing_of(self.verdict, &self.criteria)
    }
}

fn missing_of(verdict: Verdict, criteria: &[CriterionResult]) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    if verdict == Verdict::Undecided {
        for c in criteria.iter().filter(|c| c.met == Met::Unknown) {
            for f in c.facts {
                if !out.contains(f) {
                    out.push(f);
                }
            }
        }
    }
    out
}

/// The head of the household: the present member recorded as head (the lowest NIK if several,
/// so that the order of members never matters).
pub fn head_of(members: &[Person]) -> Option<&Person> {
    present(members)
        .filter(|p| p.text("hubungan") == Some("kepala_keluarga"))
        .min_by_key(|p| p.text("nik").unwrap_or_default().to_string())
}

/// Kepmensos 262/HUK/2022 criteria for a family. The order of `members` does not matter.
pub fn kepmensos262(family: &Family, members: &[Person], cfg: &Kepmensos262Config) -> Kepmensos262 {
    let yes = |key: &str| family.int(key).map(|v| v != 0);
    let head = head_of(members);
    let no_shelter = code_in(family.text("status_rumah"), &["tidak_punya"]);
    let head_idle = match head {
        None => Met::Unknown,
        Some(h) => code_in(h.text("pekerjaan"), &["tidak_bekerja"]),
    };
    let electricity = match (family.text("sumber_penerangan"), family.int("daya_listrik")) {
        (Some("bukan_listrik"), _) => Met::Yes,
        (_, Some(va)) => cmp(Some(va <= cfg.max_va)),
        (Some("listrik_non_pln"), None) => Met::Yes,
        _ => Met::Unknown,
    };
    let results: [(Met, &[&'static str]); 9] = [
        (no_shelter, &["status_rumah"]),
        (head_idle, &["pekerjaan"]),
        (cmp(yes("rawan_pangan")), &["rawan_pangan"]),
        (cmp(yes("pangan_lebih_separuh")), &["pangan_lebih_separuh"]),
        (
            cmp(family.int("pakaian_baru_per_tahun").map(|n| n == 0)),
            &["pakaian_baru_per_tahun"],
        ),
        (
            code_in(family.text("jenis_lantai"), &["tanah", "semen_plester"]),
            &["jenis_lantai"],
        ),
        poor_walls(family),
        no_own_toilet(family),
        (electricity, &["sumber_penerangan", "daya_listrik"]),
    ];
    let criteria: Vec<CriterionResult> = results
        .iter()
        .enumerate()
        .map(|(i, (met, facts))| CriterionResult {
            number: i as u8 + 1,
            met: *met,
            facts,
        })
        .collect();
    let rest = &criteria[1..];
    let met = rest.iter().filter(|c| c.met == Met::Yes).count();
    let unknown = rest.iter().filter(|c| c.met == Met::Unknown).count();
    let verdict = if criteria[0].met == Met::Yes || met >= cfg.threshold {
        Verdict::Poor
    } else if met + unknown < cfg.threshold && criteria[0].met == Met::No {
        Verdict::NotPoor
    } else {
        Verdict::Undecided
    };
    Kepmensos262 {
        criteria,
        met,
        unknown,
        verdict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FAMILY_FIELDS, PERSON_FIELDS, Value, field_index};

    fn family(facts: &[(&str, Value)]) -> Family {
        let mut values = vec![None; FAMILY_FIELDS.len()];
        for (k, v) in facts {
            values[field_index(FAMILY_FIELDS, k).unwrap()] = Some(v.clone());
        }
        Family {
            id: "f".into(),
            values,
            source: "test".into(),
        }
    }

    fn person(nik: &str, facts: &[(&str, &str)]) -> Person {
        let mut values = vec![None; PERSON_FIELDS.len()];
        values[0] = Some(Value::Text(nik.into()));
        for (k, v) in facts {
            values[field_index(PERSON_FIELDS, k).unwrap()] = Some(Value::Text((*v).into()));
        }
        Person {
            id: nik.into(),
            family_id: "f".into(),
            values,
            source: "test".into(),
        }
    }

    fn t(s: &str) -> Value {
        Value::Text(s.into())
    }

    /// A hand-worked poor household: 4 people in 30 m² (7.5 m² each), earth floor, bamboo walls,
    /// shared toilet, PLN light, river water, firewood, meat once a week, clothes once a year,
    /// two meals, cannot pay the clinic, head a farm labourer with primary school, no savings.
    fn poor() -> (Family, Vec<Person>) {
        let f = family(&[
            ("luas_lantai", Value::Num(30.0)),
            ("jenis_lantai", t("tanah")),
            ("jenis_dinding", t("bambu_rumbia")),
            ("fasilitas_bab", t("bersama")),
            ("sumber_penerangan", t("listrik_pln")),
            ("sumber_air_minum", t("sungai")),
            ("bahan_bakar_memasak", t("kayu_bakar")),
            ("daging_per_minggu", Value::Int(1)),
            ("pakaian_baru_per_tahun", Value::Int(1)),
            ("makan_per_hari", Value::Int(2)),
            ("mampu_berobat", Value::Int(0)),
            ("penghasilan_kepala", Value::Int(900_000)),
            ("aset_500rb", Value::Int(0)),
        ]);
        let members = vec![
            person(
                "1",
                &[
                    ("hubungan", "kepala_keluarga"),
                    ("pekerjaan", "buruh_tani"),
                    ("pendidikan", "sd"),
                ],
            ),
            person("2", &[("hubungan", "istri_suami")]),
            person("3", &[("hubungan", "anak")]),
            person("4", &[("hubungan", "anak")]),
        ];
        (f, members)
    }

    #[test]
    fn hand_worked_poor_household_meets_13() {
        let (f, m) = poor();
        let r = bps14(&f, &m, &Bps14Config::default());
        let met: Vec<u8> = r
            .criteria
            .iter()
            .filter(|c| c.met == Met::Yes)
            .map(|c| c.number)
            .collect();
        assert_eq!(met, [1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
        assert_eq!(r.verdict, Verdict::Poor);
    }

    #[test]
    fn edges_exactly_eight_square_metres_and_income_at_the_line() {
        let (mut f, m) = poor();
        // 32 m² for 4 people is exactly 8 m² each: not "less than 8".
        f.values[field_index(FAMILY_FIELDS, "luas_lantai").unwrap()] = Some(Value::Num(32.0));
        let r = bps14(&f, &m, &Bps14Config::default());
        assert_eq!(r.criteria[0].met, Met::No);
        // A head who farms 600 m² and earns exactly Rp600.000: criterion 12 not met.
        let mut m2 = m.clone();
        m2[0] = person(
            "1",
            &[
                ("hubungan", "kepala_keluarga"),
                ("pekerjaan", "petani_pemilik"),
                ("pendidikan", "sd"),
            ],
        );
        f.values[field_index(FAMILY_FIELDS, "luas_lahan").unwrap()] = Some(Value::Num(600.0));
        f.values[field_index(FAMILY_FIELDS, "penghasilan_kepala").unwrap()] =
            Some(Value::Int(600_000));
        assert_eq!(
            bps14(&f, &m2, &Bps14Config::default()).criteria[11].met,
            Met::No
        );
        f.values[field_index(FAMILY_FIELDS, "penghasilan_kepala").unwrap()] =
            Some(Value::Int(599_999));
        assert_eq!(
            bps14(&f, &m2, &Bps14Config::default()).criteria[11].met,
            Met::Yes
        );
    }

    #[test]
    fn missing_facts_make_an_undecided_verdict_that_names_them() {
        let f = family(&[
            ("jenis_lantai", t("tanah")),
            ("jenis_dinding", t("bambu_rumbia")),
            ("fasilitas_bab", t("tidak_ada")),
            ("sumber_air_minum", t("sungai")),
            ("bahan_bakar_memasak", t("kayu_bakar")),
            ("makan_per_hari", Value::Int(2)),
        ]);
        let m = vec![person("1", &[("hubungan", "kepala_keluarga")])];
        let r = bps14(&f, &m, &Bps14Config::default());
        assert_eq!(r.met, 6);
        assert_eq!(r.verdict, Verdict::Undecided);
        let missing = r.missing_facts();
        assert!(missing.contains(&"luas_lantai") && missing.contains(&"penghasilan_kepala"));
        // A family that cannot reach the threshold even if every unknown were met is not poor.
        let rich = family(&[("jenis_lantai", t("keramik"))]);
        let cfg = Bps14Config {
            threshold: 14,
            ..Bps14Config::default()
        };
        assert_eq!(bps14(&rich, &m, &cfg).verdict, Verdict::NotPoor);
    }

    #[test]
    fn members_who_moved_or_died_do_not_count() {
        let (f, mut m) = poor();
        // Two of four gone: 30 m² for 2 people is 15 m² each.
        m[2] = person("3", &[("hubungan", "anak"), ("status", "pindah")]);
        m[3] = person("4", &[("hubungan", "anak"), ("status", "meninggal")]);
        assert_eq!(
            bps14(&f, &m, &Bps14Config::default()).criteria[0].met,
            Met::No
        );
    }

    proptest::proptest! {
        #[test]
        fn result_does_not_depend_on_member_order(seed in 0u64..1000) {
            let (f, mut m) = poor();
            let expected = bps14(&f, &m, &Bps14Config::default());
            // A deterministic shuffle from the seed.
            let n = m.len();
            for i in 0..n {
                let j = ((seed.wrapping_mul(6364136223846793005).wrapping_add(i as u64)) % n as u64) as usize;
                m.swap(i, j);
            }
            proptest::prop_assert_eq!(bps14(&f, &m, &Bps14Config::default()), expected);
        }
    }
}
