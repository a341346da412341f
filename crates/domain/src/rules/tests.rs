//! Hand-worked families for every shipped program rule and the edges the issue names; errors of
//! rule files with their line and column; order independence.

use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;
use crate::assessment::{Bps14Config, Kepmensos262Config, bps14, kepmensos262};
use crate::model::{FAMILY_FIELDS, Family, PERSON_FIELDS, Person, Values};
use crate::validate::parse_value;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn values(fields: &'static [crate::model::Field], facts: &[(&str, &str)]) -> Values {
    let mut v = vec![None; fields.len()];
    for (k, raw) in facts {
        let i = crate::model::field_index(fields, k).unwrap_or_else(|| panic!("field {k}"));
        v[i] = parse_value(&fields[i], raw).unwrap_or_else(|_| panic!("{k}={raw}"));
    }
    v
}

fn family(facts: &[(&str, &str)]) -> Family {
    Family {
        id: "f".into(),
        values: values(FAMILY_FIELDS, facts),
        source: "test".into(),
    }
}

fn member(nik: &str, facts: &[(&str, &str)]) -> Person {
    let mut all = vec![("nik", nik)];
    all.extend_from_slice(facts);
    Person {
        id: nik.into(),
        family_id: "f".into(),
        values: values(PERSON_FIELDS, &all),
        source: "test".into(),
    }
}

fn facts_on(f: &Family, m: &[Person], on: &str, local: Option<u8>) -> Facts {
    let b = bps14(f, m, &Bps14Config::default());
    let k = kepmensos262(f, m, &Kepmensos262Config::default());
    let mut facts = Facts::build(f, m, &b, &k, day(on));
    facts.set_local_decile(local);
    facts
}

fn rules() -> RuleSet {
    RuleSet::builtin(day("2025-07-01"))
}

fn program<'a>(set: &'a RuleSet, code: &str) -> &'a Program {
    set.programs.iter().find(|p| p.code == code).unwrap()
}

fn decide(code: &str, facts: &Facts) -> Explained {
    program(&rules(), code).explain(facts)
}

#[test]
fn the_shipped_rules_load_and_name_their_versions() {
    let set = rules();
    let codes: Vec<&str> = set.programs.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(
        codes,
        ["atensi", "bpnt", "pbi_jkn", "pip", "pkh", "rs_rtlh"]
    );
    assert!(set.fingerprint().contains("pkh 2025.1"));
    // Out of force: nothing applies in 2024.
    assert!(RuleSet::builtin(day("2024-12-31")).programs.is_empty());
}

/// A PKH family of desil 3: mother pregnant, a toddler, a primary pupil, a junior and a senior
/// secondary pupil. Five components; the cap of four keeps the four largest:
/// 3,000,000 + 3,000,000 + 2,000,000 + 1,500,000 = 9,500,000 (the SD 900,000 is left out).
#[test]
fn pkh_counts_the_four_largest_components() {
    let f = family(&[("desil", "3")]);
    let m = [
        member(
            "1",
            &[
                ("jenis_kelamin", "P"),
                ("hamil", "ya"),
                ("tanggal_lahir", "1990-01-01"),
            ],
        ),
        member("2", &[("tanggal_lahir", "2023-03-01")]),
        member(
            "3",
            &[("tanggal_lahir", "2016-03-01"), ("jenjang_sekolah", "sd")],
        ),
        member(
            "4",
            &[("tanggal_lahir", "2012-03-01"), ("jenjang_sekolah", "smp")],
        ),
        member(
            "5",
            &[("tanggal_lahir", "2009-03-01"), ("jenjang_sekolah", "sma")],
        ),
    ];
    let e = decide("pkh", &facts_on(&f, &m, "2025-07-01", None));
    assert_eq!(e.decision.outcome, Outcome::Eligible);
    assert_eq!(e.decision.amount, 9_500_000);
    assert_eq!(e.shares.len(), 5);
    let left_out: Vec<&Share> = e.shares.iter().filter(|s| !s.counted).collect();
    assert_eq!(left_out.len(), 1);
    assert_eq!(left_out[0].amount, 900_000);
    // With four components all count.
    let e4 = decide("pkh", &facts_on(&f, &m[..4], "2025-07-01", None));
    assert_eq!(
        e4.decision.amount,
        3_000_000 + 3_000_000 + 900_000 + 1_500_000
    );
}

/// A child is "anak usia dini" up to the day before the 7th birthday.
#[test]
fn a_child_turning_seven_leaves_the_early_childhood_component() {
    let f = family(&[("desil", "2")]);
    let m = [member(
        "1",
        &[
            ("tanggal_lahir", "2018-06-15"),
            ("jenjang_sekolah", "paud"),
            ("disabilitas", "tidak_ada"),
        ],
    )];
    let before = decide("pkh", &facts_on(&f, &m, "2025-06-14", None));
    assert_eq!(before.decision.outcome, Outcome::Eligible);
    assert_eq!(before.decision.amount, 3_000_000);
    let on = decide("pkh", &facts_on(&f, &m, "2025-06-15", None));
    assert_eq!(on.decision.outcome, Outcome::NotEligible);
    assert_eq!(on.decision.amount, 0);
}

#[test]
fn pkh_elderly_from_seventy_and_severe_disability() {
    let f = family(&[("desil", "1")]);
    let m = [
        member("1", &[("tanggal_lahir", "1955-07-02")]), // 69 on 2025-07-01
        member(
            "2",
            &[
                ("tanggal_lahir", "1980-01-01"),
                ("disabilitas", "fisik"),
                ("tingkat_disabilitas", "berat"),
            ],
        ),
    ];
    let e = decide("pkh", &facts_on(&f, &m, "2025-07-01", None));
    assert_eq!(e.decision.amount, 2_400_000);
    let e = decide("pkh", &facts_on(&f, &m, "2025-07-02", None));
    assert_eq!(e.decision.amount, 4_800_000);
}

#[test]
fn pkh_not_for_a_high_decile_whatever_the_members() {
    let f = family(&[("desil", "7")]);
    let m = [member("1", &[("tanggal_lahir", "2024-01-01")])];
    // (Members' facts unknown: the decile alone decides.)
    let e = decide("pkh", &facts_on(&f, &m, "2025-07-01", None));
    assert_eq!(e.decision.outcome, Outcome::NotEligible);
}

/// PIP: a final-year pupil gets half.
#[test]
fn pip_final_year_pupils_get_half() {
    let f = family(&[("desil", "4")]);
    let m = [
        member(
            "1",
            &[
                ("tanggal_lahir", "2012-01-01"),
                ("jenjang_sekolah", "smp"),
                ("kelas", "9"),
                ("tingkat_akhir", "ya"),
            ],
        ),
        member(
            "2",
            &[
                ("tanggal_lahir", "2015-01-01"),
                ("jenjang_sekolah", "sd"),
                ("kelas", "4"),
                ("tingkat_akhir", "tidak"),
            ],
        ),
        member(
            "3",
            &[
                ("tanggal_lahir", "2008-01-01"),
                ("jenjang_sekolah", "sma"),
                ("tingkat_akhir", "tidak"),
            ],
        ),
    ];
    let e = decide("pip", &facts_on(&f, &m, "2025-07-01", None));
    assert_eq!(e.decision.amount, 375_000 + 450_000 + 1_800_000);
}

/// A PKH family of desil 6 qualifies for PIP by the rule (PKH/KKS holders are eligible), but
/// only through a PKH it should not receive: flagged for review, not an exclusion error.
#[test]
fn pip_for_pkh_families_above_the_decile() {
    let f = family(&[("desil", "6"), ("pkh_sejak", "2020-01-01")]);
    let m = [member(
        "1",
        &[("tanggal_lahir", "2015-01-01"), ("jenjang_sekolah", "sd")],
    )];
    let e = decide("pip", &facts_on(&f, &m, "2025-07-01", None));
    assert_eq!(e.decision.outcome, Outcome::Eligible);
    let all = rules().explain_all(&facts_on(&f, &m, "2025-07-01", None));
    let pip = rules()
        .programs
        .iter()
        .position(|p| p.code == "pip")
        .unwrap();
    assert_eq!(all[pip].decision.gap(), Gap::Review);
    // And PKH itself: receives, but desil 6 does not qualify: an inclusion error.
    let pkh = decide("pkh", &facts_on(&f, &m, "2025-07-01", None));
    assert_eq!(pkh.decision.gap(), Gap::Inclusion);
}

#[test]
fn bpnt_pays_twelve_months_and_marks_the_gap() {
    let f = family(&[("desil", "4")]);
    let m = [member("1", &[("tanggal_lahir", "1980-01-01")])];
    let e = decide("bpnt", &facts_on(&f, &m, "2025-07-01", None));
    assert_eq!(e.decision.amount, 2_400_000);
    assert_eq!(e.decision.gap(), Gap::Exclusion);
    let f = family(&[("desil", "4"), ("bpnt_sejak", "2022-01-01")]);
    let e = decide("bpnt", &facts_on(&f, &m, "2025-07-01", None));
    assert_eq!(e.decision.gap(), Gap::None);
    let f = family(&[("desil", "5"), ("bpnt_sejak", "2022-01-01")]);
    let e = decide("bpnt", &facts_on(&f, &m, "2025-07-01", None));
    assert_eq!(e.decision.gap(), Gap::Inclusion);
}

/// PBI-JKN counts every present member; moved and dead members are left out.
#[test]
fn pbi_per_present_member() {
    let f = family(&[("desil", "5")]);
    let m = [
        member("1", &[("tanggal_lahir", "1980-01-01")]),
        member("2", &[("tanggal_lahir", "1982-01-01")]),
        member(
            "3",
            &[("tanggal_lahir", "2010-01-01"), ("status", "pindah")],
        ),
        member(
            "4",
            &[("tanggal_lahir", "1940-01-01"), ("status", "meninggal")],
        ),
    ];
    let e = decide("pbi_jkn", &facts_on(&f, &m, "2025-07-01", None));
    assert_eq!(e.decision.amount, 2 * 504_000);
}

#[test]
fn rs_rtlh_needs_an_owned_damaged_house() {
    let base = [
        ("desil", "2"),
        ("status_rumah", "milik_sendiri"),
        ("lahan_milik_sendiri", "ya"),
        ("kondisi_rumah", "rusak_berat"),
    ];
    let head = |ktp: Option<&'static str>| {
        let mut facts = vec![
            ("tanggal_lahir", "1980-01-01"),
            ("hubungan", "kepala_keluarga"),
        ];
        facts.extend(ktp.map(|k| ("punya_ktp", k)));
        [member("1", &facts)]
    };
    let m = head(Some("ya"));
    let e = decide("rs_rtlh", &facts_on(&family(&base), &m, "2025-07-01", None));
    assert_eq!(e.decision.outcome, Outcome::Eligible);
    assert_eq!(e.decision.amount, 20_000_000);
    // Finding 7: the head's KTP and the land are registry facts the rule checks.
    let e = decide(
        "rs_rtlh",
        &facts_on(&family(&base), &head(Some("tidak")), "2025-07-01", None),
    );
    assert_eq!(e.decision.outcome, Outcome::NotEligible);
    let e = decide(
        "rs_rtlh",
        &facts_on(&family(&base), &head(None), "2025-07-01", None),
    );
    assert_eq!(e.decision.outcome, Outcome::Unknown);
    let missing: Vec<&str> = e.missing.iter().map(|f| fact_name(*f)).collect();
    assert_eq!(missing, ["kepala_punya_ktp"]);
    let mut not_own_land = base;
    not_own_land[2] = ("lahan_milik_sendiri", "tidak");
    let e = decide(
        "rs_rtlh",
        &facts_on(&family(&not_own_land), &m, "2025-07-01", None),
    );
    assert_eq!(e.decision.outcome, Outcome::NotEligible);
    let rented = [
        ("desil", "2"),
        ("status_rumah", "kontrak_sewa"),
        ("kondisi_rumah", "rusak_berat"),
    ];
    let e = decide(
        "rs_rtlh",
        &facts_on(&family(&rented), &m, "2025-07-01", None),
    );
    assert_eq!(e.decision.outcome, Outcome::NotEligible);
    // Owned, sound house known, but walls/floor/roof unknown: not enough data.
    let unknown = [
        ("desil", "2"),
        ("status_rumah", "milik_sendiri"),
        ("lahan_milik_sendiri", "ya"),
        ("kondisi_rumah", "layak"),
    ];
    let e = decide(
        "rs_rtlh",
        &facts_on(&family(&unknown), &m, "2025-07-01", None),
    );
    assert_eq!(e.decision.outcome, Outcome::Unknown);
    let missing: Vec<&str> = e.missing.iter().map(|f| fact_name(*f)).collect();
    assert_eq!(missing, ["jenis_lantai", "jenis_dinding", "jenis_atap"]);
}

#[test]
fn atensi_for_elderly_from_sixty_and_disability() {
    let f = family(&[("desil", "3")]);
    let m = [member(
        "1",
        &[
            ("tanggal_lahir", "1965-07-01"),
            ("disabilitas", "tidak_ada"),
        ],
    )];
    let e = decide("atensi", &facts_on(&f, &m, "2025-07-01", None));
    assert_eq!(e.decision.outcome, Outcome::Eligible);
    let e = decide("atensi", &facts_on(&f, &m, "2025-06-30", None));
    assert_eq!(e.decision.outcome, Outcome::NotEligible);
}

/// Without an official decile the local estimate decides; without either, the answer is
/// "not enough data" naming the decile, never a silent no.
#[test]
fn the_decile_decides_and_its_absence_is_named() {
    let f = family(&[]);
    let m = [member("1", &[("tanggal_lahir", "1980-01-01")])];
    let e = decide("bpnt", &facts_on(&f, &m, "2025-07-01", None));
    assert_eq!(e.decision.outcome, Outcome::Unknown);
    assert_eq!(
        e.missing.iter().map(|f| fact_name(*f)).collect::<Vec<_>>(),
        ["desil_efektif"]
    );
    let e = decide("bpnt", &facts_on(&f, &m, "2025-07-01", Some(2)));
    assert_eq!(e.decision.outcome, Outcome::Eligible);
    // The official decile wins over the local estimate.
    let f = family(&[("desil", "8")]);
    let e = decide("bpnt", &facts_on(&f, &m, "2025-07-01", Some(2)));
    assert_eq!(e.decision.outcome, Outcome::NotEligible);
}

/// An unknown decile does not matter when no member could qualify (Kleene logic).
#[test]
fn unknowns_that_cannot_change_the_answer_do_not_block_it() {
    let f = family(&[]);
    let m = [member(
        "1",
        &[
            ("tanggal_lahir", "1980-01-01"),
            ("jenis_kelamin", "L"),
            ("disabilitas", "tidak_ada"),
        ],
    )];
    let e = decide("pkh", &facts_on(&f, &m, "2025-07-01", None));
    assert_eq!(e.decision.outcome, Outcome::NotEligible);
    // A member without a birth date could be a toddler: unknown, naming the birth date.
    let m = [member(
        "1",
        &[("jenis_kelamin", "L"), ("disabilitas", "tidak_ada")],
    )];
    let e = decide(
        "pkh",
        &facts_on(&family(&[("desil", "1")]), &m, "2025-07-01", None),
    );
    assert_eq!(e.decision.outcome, Outcome::Unknown);
    assert!(e.missing.iter().any(|f| fact_name(*f) == "umur"));
}

#[test]
fn kepmensos_no_shelter_decides_at_once_and_the_rest_count() {
    let cfg = Kepmensos262Config::default();
    let homeless = family(&[("status_rumah", "tidak_punya")]);
    assert_eq!(
        kepmensos262(&homeless, &[], &cfg).verdict,
        crate::assessment::Verdict::Poor
    );
    let five = family(&[
        ("status_rumah", "milik_sendiri"),
        ("rawan_pangan", "ya"),
        ("pangan_lebih_separuh", "ya"),
        ("pakaian_baru_per_tahun", "0"),
        ("jenis_lantai", "tanah"),
        ("jenis_dinding", "tembok"),
        ("fasilitas_bab", "sendiri"),
        ("sumber_penerangan", "listrik_pln"),
        ("daya_listrik", "450"),
    ]);
    let head = [member(
        "1",
        &[("hubungan", "kepala_keluarga"), ("pekerjaan", "buruh_tani")],
    )];
    let k = kepmensos262(&five, &head, &cfg);
    assert_eq!((k.met, k.verdict), (5, crate::assessment::Verdict::Poor));
    let mut four = five.clone();
    four.values[crate::model::field_index(FAMILY_FIELDS, "daya_listrik").unwrap()] =
        Some(crate::model::Value::Int(900));
    let k = kepmensos262(&four, &head, &cfg);
    assert_eq!((k.met, k.verdict), (4, crate::assessment::Verdict::NotPoor));
}

#[test]
fn pmt_estimates_and_local_deciles() {
    let models = pmt::PmtModels::builtin();
    let model = models.for_village("33.12.01.2003");
    let m = [member(
        "1",
        &[
            ("hubungan", "kepala_keluarga"),
            ("pendidikan", "sd"),
            ("pekerjaan", "buruh_tani"),
            ("tanggal_lahir", "1980-01-01"),
        ],
    )];
    let poor = family(&[
        ("luas_lantai", "20"),
        ("jenis_lantai", "tanah"),
        ("jenis_dinding", "bambu_rumbia"),
        ("jenis_atap", "ijuk_rumbia"),
        ("fasilitas_bab", "tidak_ada"),
        ("sumber_penerangan", "bukan_listrik"),
        ("daya_listrik", "0"),
        ("sumber_air_minum", "sungai"),
        ("bahan_bakar_memasak", "kayu_bakar"),
        ("status_rumah", "milik_sendiri"),
        ("aset_500rb", "tidak"),
    ]);
    let rich = family(&[
        ("luas_lantai", "120"),
        ("jenis_lantai", "keramik"),
        ("jenis_dinding", "tembok"),
        ("jenis_atap", "genteng"),
        ("fasilitas_bab", "sendiri"),
        ("sumber_penerangan", "listrik_pln"),
        ("daya_listrik", "2200"),
        ("sumber_air_minum", "ledeng"),
        ("bahan_bakar_memasak", "gas"),
        ("status_rumah", "milik_sendiri"),
        ("aset_500rb", "ya"),
    ]);
    let p = model.estimate(&facts_on(&poor, &m, "2025-07-01", None));
    let r = model.estimate(&facts_on(&rich, &m, "2025-07-01", None));
    assert_eq!((p.unknown_terms, r.unknown_terms), (0, 0));
    let (p, r) = (p.per_capita.unwrap(), r.per_capita.unwrap());
    assert!(
        p < 641_443.0,
        "poor household estimate {p} is below the poverty line"
    );
    assert!(r > 2.0 * p);
    // Too little known: no estimate.
    let none = model.estimate(&facts_on(&family(&[]), &[], "2025-07-01", None));
    assert_eq!(none.per_capita, None);
    let cut = pmt::Cutoffs::of((1..=100).map(f64::from)).unwrap();
    assert_eq!(
        (
            cut.decile(1.0),
            cut.decile(10.0),
            cut.decile(11.0),
            cut.decile(100.0)
        ),
        (1, 1, 2, 10)
    );
    assert!(pmt::deciles_disagree(Some(1), Some(4)));
    assert!(!pmt::deciles_disagree(Some(1), Some(3)));
    assert!(!pmt::deciles_disagree(None, Some(9)));
}

fn error_of(src: &str) -> RuleFileError {
    parse_program("distrik/pkh.toml", src).unwrap_err()
}

const HEAD: &str = "[program]\ncode = \"x\"\nversion = \"1\"\nname.id = \"X\"\nname.en = \"X\"\neffective_from = 2025-01-01\nreceived = \"known(pkh_sejak)\"\n";

#[test]
fn a_bad_rule_file_is_refused_with_file_line_column_and_what_was_expected() {
    // Unknown fact on line 8, column 13 (inside the string).
    let e = error_of(&format!("{HEAD}eligible = \"desil_efektf <= 4\"\n"));
    assert_eq!(
        (e.file.as_str(), e.line, e.column, e.key),
        ("distrik/pkh.toml", 8, 13, "rule-err-unknown-fact")
    );
    assert!(
        e.render(Lang::Id)
            .contains("distrik/pkh.toml, baris 8, kolom 13"),
        "{}",
        e.render(Lang::Id)
    );
    // Type error: a number compared with a code.
    let e = error_of(&format!("{HEAD}eligible = \"status_rumah < 4\"\n"));
    assert_eq!((e.line, e.column, e.key), (8, 28, "rule-err-type"));
    assert!(
        e.render(Lang::En).contains("expected code, found number"),
        "{}",
        e.render(Lang::En)
    );
    assert!(
        e.render(Lang::Id)
            .contains("diharapkan kode, ditemukan bilangan")
    );
    // Unknown code names the allowed ones.
    let e = error_of(&format!("{HEAD}eligible = \"status_rumah = 'milik'\"\n"));
    assert_eq!((e.column, e.key), (28, "rule-err-code"));
    assert!(e.render(Lang::En).contains("milik_sendiri"));
    // Syntax error.
    let e = error_of(&format!("{HEAD}eligible = \"desil_efektif <= \"\n"));
    assert_eq!(e.key, "rule-err-end");
    let e = error_of(&format!("{HEAD}eligible = \"(desil_efektif <= 4\"\n"));
    assert_eq!(e.key, "rule-err-expected");
    // Unknown key in the file.
    let e = error_of(&format!("{HEAD}eligibel = \"true\"\n"));
    assert_eq!((e.line, e.key), (8, "rule-err-toml"));
    // A member fact outside count/any/all/sum.
    let e = error_of(&format!("{HEAD}eligible = \"umur >= 60\"\n"));
    assert_eq!(e.key, "rule-err-member-fact");
    // A text fact outside known().
    let e = error_of(&format!("{HEAD}eligible = \"pkh_sejak = 1\"\n"));
    assert_eq!(e.key, "rule-err-presence");
    // Multi-line expressions point at the right line.
    let e = error_of(&format!(
        "{HEAD}eligible = \"\"\"\ndesil_efektif <= 4\nand nonsense\n\"\"\"\n"
    ));
    assert_eq!((e.line, e.column), (10, 5));
}

#[test]
fn a_district_can_change_a_figure_without_a_build() {
    let mut files = RuleSet::builtin_files();
    let bpnt = files
        .iter_mut()
        .find(|(n, _)| n.ends_with("bpnt.toml"))
        .unwrap();
    bpnt.1 = bpnt.1.replace("desil_efektif <= 4", "desil_efektif <= 5");
    let set = RuleSet::from_files(&files, day("2025-07-01")).unwrap();
    let f = family(&[("desil", "5")]);
    let facts = facts_on(
        &f,
        &[member("1", &[("tanggal_lahir", "1980-01-01")])],
        "2025-07-01",
        None,
    );
    assert_eq!(
        program(&set, "bpnt").explain(&facts).decision.outcome,
        Outcome::Eligible
    );
    assert_eq!(
        program(&rules(), "bpnt").explain(&facts).decision.outcome,
        Outcome::NotEligible
    );
}

fn arb_member() -> impl Strategy<Value = Vec<(&'static str, String)>> {
    (
        1950i32..2025,
        prop::sample::select(vec!["tidak_sekolah", "paud", "sd", "smp", "sma", "pt"]),
        any::<bool>(),
        prop::sample::select(vec!["tidak_ada", "fisik", "mental"]),
        any::<bool>(),
    )
        .prop_map(|(year, level, last, dis, pregnant)| {
            vec![
                ("tanggal_lahir", format!("{year}-05-20")),
                ("jenjang_sekolah", level.to_string()),
                (
                    "tingkat_akhir",
                    if last { "ya" } else { "tidak" }.to_string(),
                ),
                ("disabilitas", dis.to_string()),
                (
                    "tingkat_disabilitas",
                    if dis == "tidak_ada" { "" } else { "berat" }.to_string(),
                ),
                (
                    "jenis_kelamin",
                    if pregnant { "P" } else { "L" }.to_string(),
                ),
                ("hamil", if pregnant { "ya" } else { "tidak" }.to_string()),
            ]
        })
}

proptest! {
    /// A family's results depend neither on the order of its members nor on the order of the
    /// rule files.
    #[test]
    fn results_do_not_depend_on_order(
        members in prop::collection::vec(arb_member(), 0..8),
        desil in 1u8..=10,
        seed in any::<u64>(),
    ) {
        let people: Vec<Person> = members
            .iter()
            .enumerate()
            .map(|(i, facts)| {
                let f: Vec<(&str, &str)> = facts
                    .iter()
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(k, v)| (*k, v.as_str()))
                    .collect();
                member(&format!("{i:02}"), &f)
            })
            .collect();
        let mut shuffled = people.clone();
        let n = shuffled.len();
        if n > 1 {
            let mut s = seed;
            for i in (1..n).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                shuffled.swap(i, (s >> 33) as usize % (i + 1));
            }
        }
        let f = family(&[("desil", &desil.to_string())]);
        let mut files = RuleSet::builtin_files();
        let forward = RuleSet::from_files(&files, day("2025-07-01")).unwrap();
        files.reverse();
        let backward = RuleSet::from_files(&files, day("2025-07-01")).unwrap();
        let a = facts_on(&f, &people, "2025-07-01", None);
        let b = facts_on(&f, &shuffled, "2025-07-01", None);
        let (mut out_a, mut out_b) = (Vec::new(), Vec::new());
        forward.decide_all(&a, &mut Scratch::default(), &mut out_a);
        backward.decide_all(&b, &mut Scratch::default(), &mut out_b);
        prop_assert_eq!(out_a, out_b);
    }
}

#[test]
fn the_rule_language_document_lists_every_fact() {
    let doc = include_str!("../../../../docs/rules.md");
    let table = facts::facts_markdown();
    assert!(
        doc.contains(&table),
        "docs/rules.md is out of date: replace its fact tables with the output of \
         `puskesos rules --facts`:\n{table}"
    );
}

// --- Issue 18: eligibility that never says a wrong thing ------------------------------------

/// Finding 2: a pupil whose final-year status is blank: the amount is unknown, never Rp0, and
/// the fact it needs is named although the outcome is decided.
#[test]
fn an_amount_that_cannot_be_computed_is_unknown_and_its_fact_named() {
    let f = family(&[("desil", "3")]);
    let m = [member(
        "1",
        &[("tanggal_lahir", "2014-01-01"), ("jenjang_sekolah", "sd")],
    )];
    let e = decide("pip", &facts_on(&f, &m, "2025-07-01", None));
    assert_eq!(e.decision.outcome, Outcome::Eligible);
    assert!(!e.decision.amount_known, "{:?}", e.decision);
    assert_eq!(e.decision.known_amount(), None);
    let names: Vec<&str> = e.missing.iter().map(|f| fact_name(*f)).collect();
    assert_eq!(names, ["tingkat_akhir"]);
    // With the fact recorded, the amount is known and nothing is missing.
    let m = [member(
        "1",
        &[
            ("tanggal_lahir", "2014-01-01"),
            ("jenjang_sekolah", "sd"),
            ("tingkat_akhir", "tidak"),
        ],
    )];
    let e = decide("pip", &facts_on(&f, &m, "2025-07-01", None));
    assert_eq!(e.decision.known_amount(), Some(450_000));
    assert!(e.missing.is_empty());
}

/// Finding 2: an eligible family whose member's share is undecided (no birth date) has an
/// amount that is at least the known part, not the amount; the birth date is named.
#[test]
fn an_undecided_share_leaves_the_amount_unknown() {
    let f = family(&[("desil", "2")]);
    let m = [
        member("1", &[("tanggal_lahir", "2023-01-01")]),
        member("2", &[("jenjang_sekolah", "smp")]),
    ];
    let e = decide("pkh", &facts_on(&f, &m, "2025-07-01", None));
    assert_eq!(e.decision.outcome, Outcome::Eligible);
    assert_eq!(e.decision.amount, 3_000_000);
    assert!(!e.decision.amount_known);
    assert!(e.missing.iter().any(|f| fact_name(*f) == "umur"));
}

/// Finding 4: undecided families carry no rupiah into the totals.
#[test]
fn undecided_gaps_add_no_rupiah_to_the_totals() {
    let set = rules();
    let a = assess::Assessor::builtin(day("2025-07-01"));
    let f = family(&[
        ("status_rumah", "milik_sendiri"),
        ("kondisi_rumah", "rusak_berat"),
    ]);
    let m = [member("1", &[("tanggal_lahir", "1980-01-01")])];
    let mut p = a.prepare("33.12.01.2003", &f, &m);
    let s = a.finish(&mut p, None, &mut Scratch::default());
    let k = set
        .programs
        .iter()
        .position(|p| p.code == "rs_rtlh")
        .unwrap();
    assert_eq!(s.decisions[k].gap(), Gap::Undecided);
    let counts = assess::gap_counts(&set, &[s]);
    let (_, _, n, sum) = counts
        .iter()
        .find(|(c, g, _, _)| c == "rs_rtlh" && *g == Gap::Undecided)
        .unwrap();
    assert_eq!((*n, *sum), (1, 0));
}

/// Finding 5: PIP through a PKH received in error (desil 9) is flagged for review, not an
/// exclusion error; through a rightful PKH it is marked as derived.
#[test]
fn eligibility_through_an_inclusion_error_is_flagged_not_amplified() {
    let set = rules();
    let pip = set.programs.iter().position(|p| p.code == "pip").unwrap();
    let pkh = set.programs.iter().position(|p| p.code == "pkh").unwrap();
    let pupil = [member(
        "1",
        &[
            ("tanggal_lahir", "2014-01-01"),
            ("jenjang_sekolah", "sd"),
            ("tingkat_akhir", "tidak"),
        ],
    )];
    let f = family(&[("desil", "9"), ("pkh_sejak", "2020-01-01")]);
    let mut out = Vec::new();
    set.decide_all(
        &facts_on(&f, &pupil, "2025-07-01", None),
        &mut Scratch::default(),
        &mut out,
    );
    assert_eq!(out[pkh].gap(), Gap::Inclusion);
    assert_eq!(out[pip].gap(), Gap::Review);
    assert_eq!(out[pip].via, Some(pkh as u8));
    assert!(!out[pip].counts_as_eligible());
    // The same pupil already receiving PIP: flagged (review) but covered, never an inclusion
    // error in the tallies while its gap row says none.
    let receiving = [member(
        "1",
        &[
            ("tanggal_lahir", "2014-01-01"),
            ("jenjang_sekolah", "sd"),
            ("tingkat_akhir", "tidak"),
            ("pip_sejak", "2023-01-01"),
        ],
    )];
    set.decide_all(
        &facts_on(&f, &receiving, "2025-07-01", None),
        &mut Scratch::default(),
        &mut out,
    );
    assert!(out[pip].receives && out[pip].review);
    assert_eq!(out[pip].gap(), Gap::None);
    assert!(out[pip].counts_as_eligible());
    // A rightful PKH family (desil 4) with PIP not received: an exclusion error, no via (the
    // decile alone qualifies it).
    let f = family(&[("desil", "4"), ("pkh_sejak", "2020-01-01")]);
    set.decide_all(
        &facts_on(&f, &pupil, "2025-07-01", None),
        &mut Scratch::default(),
        &mut out,
    );
    assert_eq!(out[pip].gap(), Gap::Exclusion);
    assert_eq!(out[pip].via, None);
    // Desil unknown, PKH received (undecided there): PIP only through PKH, marked as such.
    let f = family(&[("pkh_sejak", "2020-01-01")]);
    set.decide_all(
        &facts_on(&f, &pupil, "2025-07-01", None),
        &mut Scratch::default(),
        &mut out,
    );
    assert_eq!(out[pip].gap(), Gap::Exclusion);
    assert_eq!(out[pip].via, Some(pkh as u8));
    assert!(!out[pip].review);
}

/// Finding 3: the PMT estimate names the inputs it lacked; too many unknown: no estimate.
#[test]
fn the_pmt_names_its_unknown_inputs_and_refuses_a_guess() {
    let models = pmt::PmtModels::builtin();
    let model = models.for_village("33.12.01.2003");
    let m = [member(
        "1",
        &[
            ("hubungan", "kepala_keluarga"),
            ("tanggal_lahir", "1980-01-01"),
        ],
    )];
    // Poor on the BPS criteria it has, but the house's materials and utilities are blank.
    let f = family(&[
        ("luas_lantai", "20"),
        ("status_rumah", "milik_sendiri"),
        ("aset_500rb", "tidak"),
        ("jenis_lantai", "tanah"),
    ]);
    let e = model.estimate(&facts_on(&f, &m, "2025-07-01", None));
    assert!(e.unknown.len() > model.max_unknown, "{e:?}");
    assert_eq!(e.per_capita, None, "too many unknown inputs: no estimate");
    assert_eq!(e.unknown_terms, e.unknown.len());
    assert!(
        e.unknown
            .iter()
            .any(|&i| model.terms[i].expr.text.contains("jenis_dinding"))
    );
}

/// Finding 6: fakir miskin outright (no shelter) without a decile: a DTSEN proposal.
#[test]
fn a_fakir_miskin_family_without_a_decile_is_proposed_for_dtsen() {
    let a = assess::Assessor::builtin(day("2025-07-01"));
    let m = [member("1", &[("tanggal_lahir", "1970-01-01")])];
    let f = family(&[("status_rumah", "tidak_punya")]);
    let mut p = a.prepare("33.12.01.2003", &f, &m);
    assert!(
        a.finish(&mut p, None, &mut Scratch::default())
            .dtsen_proposal
    );
    let f = family(&[("status_rumah", "tidak_punya"), ("desil", "1")]);
    let mut p = a.prepare("33.12.01.2003", &f, &m);
    assert!(
        !a.finish(&mut p, None, &mut Scratch::default())
            .dtsen_proposal
    );
}

/// Issue 18 finding 3, at the bound: every PMT input known gives an estimate; two unknown
/// (`max_unknown`) still do, named and left out; three unknown give none, and the family's
/// local decile is not used.
#[test]
fn three_unknown_pmt_inputs_give_no_estimate_and_no_local_decile() {
    let models = pmt::PmtModels::builtin();
    let model = models.for_village("33.12.01.2003");
    assert_eq!(
        model.max_unknown, 2,
        "the shipped model allows two unknown inputs"
    );
    let head = [member(
        "1",
        &[
            ("hubungan", "kepala_keluarga"),
            ("tanggal_lahir", "1980-01-01"),
            ("pendidikan", "sd"),
            ("pekerjaan", "buruh_tani"),
        ],
    )];
    let complete: Vec<(&str, &str)> = vec![
        ("luas_lantai", "30"),
        ("jenis_lantai", "tanah"),
        ("jenis_dinding", "bambu_rumbia"),
        ("jenis_atap", "seng"),
        ("fasilitas_bab", "umum"),
        ("sumber_penerangan", "listrik_pln"),
        ("daya_listrik", "450"),
        ("sumber_air_minum", "sungai"),
        ("bahan_bakar_memasak", "kayu_bakar"),
        ("status_rumah", "milik_sendiri"),
        ("aset_500rb", "tidak"),
    ];
    let estimate_without = |blank: &[&str]| {
        let kept: Vec<(&str, &str)> = complete
            .iter()
            .copied()
            .filter(|(k, _)| !blank.contains(k))
            .collect();
        model.estimate(&facts_on(&family(&kept), &head, "2025-07-01", None))
    };
    let all = estimate_without(&[]);
    assert!(all.unknown.is_empty(), "{all:?}");
    assert!(all.per_capita.is_some());
    let two = estimate_without(&["jenis_dinding", "daya_listrik"]);
    assert_eq!(two.unknown.len(), 2, "{two:?}");
    assert!(
        two.per_capita.is_some(),
        "two unknown inputs: still an estimate"
    );
    let three = estimate_without(&["jenis_dinding", "daya_listrik", "sumber_air_minum"]);
    assert_eq!(three.unknown.len(), 3, "{three:?}");
    assert_eq!(three.per_capita, None, "three unknown inputs: no estimate");
    let named: Vec<&str> = three
        .unknown
        .iter()
        .map(|&i| model.terms[i].expr.text.as_str())
        .collect();
    for fact in ["jenis_dinding", "daya_listrik", "sumber_air_minum"] {
        assert!(
            named.iter().any(|t| t.contains(fact)),
            "{fact} not named: {named:?}"
        );
    }
    // Through the assessor: no estimate means no local decile, even with the village's
    // boundaries at hand, and the unknown inputs are kept with the family.
    let a = assess::Assessor::builtin(day("2025-07-01"));
    let kept: Vec<(&str, &str)> = complete
        .iter()
        .copied()
        .filter(|(k, _)| !["jenis_dinding", "daya_listrik", "sumber_air_minum"].contains(k))
        .collect();
    let mut p = a.prepare("33.12.01.2003", &family(&kept), &head);
    assert_eq!(p.per_capita, None);
    assert_eq!(p.pmt_unknown.len(), 3);
    let cutoffs = pmt::Cutoffs::of((1..=100).map(|i| f64::from(i) * 10_000.0)).unwrap();
    let s = a.finish(&mut p, Some(&cutoffs), &mut Scratch::default());
    assert_eq!(s.local_decile, None);
    assert_eq!(
        s.effective_decile, None,
        "no DTSEN decile and no local estimate"
    );
}
