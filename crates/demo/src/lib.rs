//! Demo data for Puskesos: a reproducible synthetic rural Javanese village.
//!
//! [`generate`] builds families (one Kartu Keluarga each) with their members, as the value rows
//! the registry stores ([`FAMILY_FIELDS`], [`PERSON_FIELDS`]). Every value is exactly what
//! [`puskesos_domain::validate::parse_value`] would produce from its canonical text, NIKs and
//! KK numbers are valid and unique, and the same options always give the same village.
//!
//! The village is driven by one latent welfare level per family (`z`, higher = poorer). It
//! shapes household size, housing, food, assets, the head's work and schooling, children's
//! drop-out, the DTSEN decile and program membership, tuned so that about 11% of families meet
//! at least 9 of the BPS 14 poverty criteria (BPS rural poverty rate, September 2025: 10.72%).
//! Household sizes average about 3.8 persons, about 4.8 in poor families.
//!
//! All randomness comes from a ChaCha8 stream per family (so the first `n` families of a larger
//! village are the same as a village of `n`), with all sampling arithmetic done in this crate.

use std::collections::HashMap;

use chrono::{Datelike, Days, Months, NaiveDate};
use puskesos_domain::identity::Sex;
use puskesos_domain::model::{FAMILY_FIELDS, Field, PERSON_FIELDS, Value, Values, field_index};
use puskesos_domain::wilayah::{KodeWilayah, Level, Wilayah};

mod names;
mod rng;

use names::FamilyNaming;
use rng::{Rng, exp, sig};

/// Petirsari, Kecamatan Pracimantoro, Kabupaten Wonogiri, Jawa Tengah: a rural desa on the dry
/// karst of the Gunung Sewu (rain-fed farming, rainwater tanks, many migrant workers).
pub const DEFAULT_VILLAGE: &str = "33.12.01.2003";

/// One generated family: its facts aligned with [`FAMILY_FIELDS`] and its members' facts aligned
/// with [`PERSON_FIELDS`], the head (`kepala_keluarga`) first.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoFamily {
    pub values: Values,
    pub members: Vec<Values>,
}

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoOptions {
    /// A desa/kelurahan code from the master list.
    pub village: KodeWilayah,
    /// Number of families.
    pub families: usize,
    /// Same seed, same village.
    pub seed: u64,
    /// The day the data describes: ages, schooling and every date are relative to it.
    pub today: NaiveDate,
}

impl DemoOptions {
    /// Options for [`DEFAULT_VILLAGE`].
    pub fn new(families: usize, seed: u64, today: NaiveDate) -> DemoOptions {
        DemoOptions {
            village: default_village(),
            families,
            seed,
            today,
        }
    }
}

/// [`DEFAULT_VILLAGE`] as a code.
pub fn default_village() -> KodeWilayah {
    KodeWilayah::parse(DEFAULT_VILLAGE).expect("DEFAULT_VILLAGE is a valid code")
}

/// Generates `opts.families` families of `opts.village`.
///
/// # Panics
/// When `opts.village` is not a desa/kelurahan code of the master list.
pub fn generate(opts: &DemoOptions) -> Vec<DemoFamily> {
    generate_with(opts, &mut DemoIds::default())
}

/// The NIK and KK sequences already used: villages generated with the same `DemoIds` never
/// share a number (villages of one kecamatan share the region part of both).
#[derive(Default)]
pub struct DemoIds(Ids);

/// [`generate`], continuing the number sequences of earlier villages.
pub fn generate_with(opts: &DemoOptions, used: &mut DemoIds) -> Vec<DemoFamily> {
    let village = Village::new(opts);
    let ids = &mut used.0;
    (0..opts.families)
        .map(|i| {
            let mut rng = Rng::new(opts.seed, i as u64 + 1);
            let draft = draft_family(&mut rng, opts.today);
            finish_family(&mut rng, &village, opts.today, draft, ids)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// BPS 14 criteria

/// Names of the BPS 14 criteria, in the order of [`bps14_criteria`].
pub const BPS14: [&str; 14] = [
    "luas_lantai_per_orang",
    "jenis_lantai",
    "jenis_dinding",
    "fasilitas_bab",
    "sumber_penerangan",
    "sumber_air_minum",
    "bahan_bakar_memasak",
    "daging_per_minggu",
    "pakaian_baru_per_tahun",
    "makan_per_hari",
    "mampu_berobat",
    "pekerjaan_penghasilan_kepala",
    "pendidikan_kepala",
    "aset_500rb",
];

/// Which of the BPS 14 poverty criteria a family meets (approximate: the BPS wording mapped onto
/// this registry's codes; members who moved out or died do not count towards the floor area per
/// person; an unknown fact does not meet its criterion).
pub fn bps14_criteria(family: &DemoFamily) -> [bool; 14] {
    let fam = |k: &str| family.values[idx(FAMILY_FIELDS, k)].as_ref();
    let text = |k: &str| fam(k).and_then(Value::as_text).unwrap_or("");
    let int = |k: &str| fam(k).and_then(Value::as_int);
    let num = |k: &str| fam(k).and_then(Value::as_num);
    let person = |p: &Values, k: &str| -> Option<Value> { p[idx(PERSON_FIELDS, k)].clone() };
    let ptext = |p: &Values, k: &str| person(p, k).and_then(|v| v.as_text().map(str::to_string));
    let present = family
        .members
        .iter()
        .filter(|p| matches!(ptext(p, "status").as_deref(), None | Some("ada")))
        .count();
    let head = family
        .members
        .iter()
        .find(|p| ptext(p, "hubungan").as_deref() == Some("kepala_keluarga"));
    let head_job = head.and_then(|h| ptext(h, "pekerjaan")).unwrap_or_default();
    let head_edu = head
        .and_then(|h| ptext(h, "pendidikan"))
        .unwrap_or_default();
    let work = (head_job == "petani_pemilik" && num("luas_lahan").is_some_and(|l| l < 500.0))
        || matches!(
            head_job.as_str(),
            "buruh_tani" | "buruh_perkebunan" | "buruh_bangunan" | "nelayan"
        )
        || int("penghasilan_kepala").is_some_and(|p| p < 600_000);
    [
        present > 0 && num("luas_lantai").is_some_and(|a| a / (present as f64) < 8.0),
        matches!(text("jenis_lantai"), "tanah" | "bambu" | "kayu_murah"),
        matches!(
            text("jenis_dinding"),
            "bambu_rumbia" | "kayu_murah" | "tembok_tanpa_plester"
        ),
        matches!(text("fasilitas_bab"), "bersama" | "umum" | "tidak_ada"),
        text("sumber_penerangan") == "bukan_listrik",
        matches!(
            text("sumber_air_minum"),
            "sumur_tidak_terlindung" | "mata_air_tidak_terlindung" | "sungai" | "hujan"
        ),
        matches!(
            text("bahan_bakar_memasak"),
            "kayu_bakar" | "arang" | "minyak_tanah"
        ),
        int("daging_per_minggu").is_some_and(|n| n <= 1),
        int("pakaian_baru_per_tahun").is_some_and(|n| n <= 1),
        int("makan_per_hari").is_some_and(|n| n <= 2),
        int("mampu_berobat") == Some(0),
        work,
        matches!(head_edu.as_str(), "tidak_sekolah" | "tidak_tamat_sd" | "sd"),
        int("aset_500rb") == Some(0),
    ]
}

/// How many of the BPS 14 poverty criteria a family meets (approximate, see
/// [`bps14_criteria`]); 9 or more counts as poor. Meant for tests and sanity checks.
pub fn bps14_met(family: &DemoFamily) -> usize {
    bps14_criteria(family).iter().filter(|m| **m).count()
}

// ---------------------------------------------------------------------------------------------
// Village

struct Village {
    /// Dotted desa code.
    code: String,
    /// Six-digit kecamatan of the village.
    kec: String,
    /// Six-digit codes of the other kecamatan of the same kabupaten/kota.
    other_kec: Vec<String>,
    /// Usual birthplace (the kabupaten/kota name without its prefix).
    home: String,
    /// Other birthplaces: the other kabupaten/kota of the province, plus big cities.
    elsewhere: Vec<String>,
    dusun: Vec<&'static str>,
    /// RT per RW (one RW per dusun).
    rts: Vec<u32>,
}

const DUSUN: &[&str] = &[
    "Krajan",
    "Ngelo",
    "Sendang",
    "Tegalrejo",
    "Kedungsari",
    "Sumberejo",
    "Ngasem",
    "Banaran",
    "Karangasem",
    "Jetis",
    "Ngrejo",
    "Gunungsari",
    "Watugajah",
    "Pucung",
    "Tlogo",
    "Wonosari",
    "Klampok",
    "Mojo",
    "Sambi",
    "Kalisoka",
    "Gondang",
    "Salam",
];

fn short_name(name: &str) -> String {
    name.trim_start_matches("Kabupaten ")
        .trim_start_matches("Kota ")
        .to_string()
}

impl Village {
    fn new(opts: &DemoOptions) -> Village {
        let w = Wilayah::master();
        let code = &opts.village;
        assert!(
            code.level() == Level::DesaKelurahan && w.contains(code),
            "{code} is not a desa/kelurahan of the master list"
        );
        let kec_code = code.parent().expect("a desa has a kecamatan");
        let kab_code = kec_code.parent().expect("a kecamatan has a kabupaten");
        let prov_code = kab_code.parent().expect("a kabupaten has a province");
        let digits = |c: &str| c.replace('.', "");
        let other_kec = w
            .children(Some(&kab_code))
            .iter()
            .filter(|r| r.code != kec_code.as_str())
            .map(|r| digits(r.code))
            .collect();
        let home = w
            .get(kab_code.as_str())
            .map(|r| short_name(r.name))
            .unwrap_or_default();
        let mut elsewhere: Vec<String> = w
            .children(Some(&prov_code))
            .iter()
            .filter(|r| r.code != kab_code.as_str())
            .map(|r| short_name(r.name))
            .collect();
        elsewhere.extend(["Jakarta", "Surabaya", "Bekasi", "Tangerang"].map(String::from));
        let mut rng = Rng::new(opts.seed, 0);
        let n_dusun = rng.range(4, 7) as usize;
        let mut pool: Vec<&'static str> = DUSUN.to_vec();
        let mut dusun = Vec::with_capacity(n_dusun);
        for _ in 0..n_dusun {
            dusun.push(pool.remove(rng.below(pool.len())));
        }
        let rts = (0..n_dusun).map(|_| rng.range(2, 5) as u32).collect();
        Village {
            code: code.as_str().to_string(),
            kec: digits(kec_code.as_str()),
            other_kec,
            home,
            elsewhere,
            dusun,
            rts,
        }
    }
}

/// Counters that keep NIKs and KK numbers unique across the village.
#[derive(Default)]
struct Ids {
    nik: HashMap<String, u32>,
    kk: HashMap<String, u32>,
}

impl Ids {
    fn next(map: &mut HashMap<String, u32>, prefix: String) -> String {
        let n = map.entry(prefix.clone()).or_insert(0);
        *n += 1;
        assert!(*n <= 9999, "sequence exhausted for {prefix}");
        format!("{prefix}{n:04}")
    }
}

// ---------------------------------------------------------------------------------------------
// Members

struct Member {
    rel: &'static str,
    sex: Sex,
    birth: NaiveDate,
    age: i64,
    kawin: &'static str,
    /// Birth order among the head's children (for names).
    child_order: Option<usize>,
    pendidikan: Option<&'static str>,
    jenjang: Option<&'static str>,
    kelas: Option<i64>,
    pekerjaan: Option<&'static str>,
    disabilitas: &'static str,
    tingkat: Option<&'static str>,
    kronis: Option<&'static str>,
    hamil: Option<bool>,
    status: &'static str,
    status_tanggal: Option<NaiveDate>,
    pip: Option<NaiveDate>,
    pbi: Option<NaiveDate>,
    atensi: Option<NaiveDate>,
}

impl Member {
    fn new(
        rng: &mut Rng,
        today: NaiveDate,
        rel: &'static str,
        sex: Sex,
        age: i64,
        kawin: &'static str,
    ) -> Member {
        Member {
            rel,
            sex,
            birth: birth_for_age(rng, today, age),
            age,
            kawin,
            child_order: None,
            pendidikan: None,
            jenjang: None,
            kelas: None,
            pekerjaan: None,
            disabilitas: "tidak_ada",
            tingkat: None,
            kronis: None,
            hamil: None,
            status: "ada",
            status_tanggal: None,
            pip: None,
            pbi: None,
            atensi: None,
        }
    }

    fn present(&self) -> bool {
        self.status == "ada"
    }

    fn pupil(&self) -> bool {
        matches!(self.jenjang, Some("sd" | "smp" | "sma"))
    }
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid constant date")
}

/// Full years from `birth` to `day`.
#[cfg(test)]
fn age_on(birth: NaiveDate, day: NaiveDate) -> i64 {
    let mut a = (day.year() - birth.year()) as i64;
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        a -= 1;
    }
    a
}

fn years_before(day: NaiveDate, years: i64) -> NaiveDate {
    day.checked_sub_months(Months::new(12 * years as u32))
        .expect("date in range")
}

fn years_after(day: NaiveDate, years: i64) -> NaiveDate {
    day.checked_add_months(Months::new(12 * years as u32))
        .expect("date in range")
}

fn days_after(day: NaiveDate, days: u64) -> NaiveDate {
    day.checked_add_days(Days::new(days))
        .expect("date in range")
}

fn days_before(day: NaiveDate, days: u64) -> NaiveDate {
    day.checked_sub_days(Days::new(days))
        .expect("date in range")
}

/// A birth date giving exactly `age` full years on `today`.
fn birth_for_age(rng: &mut Rng, today: NaiveDate, age: i64) -> NaiveDate {
    // Newborns reach the Kartu Keluarga a few weeks after birth.
    let hi = if age == 0 {
        days_before(today, 30)
    } else {
        years_before(today, age)
    };
    let lo = days_after(years_before(today, age + 1), 1);
    rng.date_between(lo, hi).unwrap_or(hi)
}

/// Schooling level by cohort: younger Indonesians stayed in school much longer.
fn cohort_shift(birth_year: i32) -> f64 {
    match birth_year {
        ..1955 => -1.2,
        1955..1965 => -0.7,
        1965..1975 => -0.25,
        1975..1985 => 0.2,
        1985..1995 => 0.6,
        _ => 1.1,
    }
}

/// Highest completed schooling for a latent score, capped by what the age allows.
fn schooling_for(score: f64, age: i64) -> &'static str {
    let level = match score {
        s if s < -1.9 => "tidak_sekolah",
        s if s < -1.15 => "tidak_tamat_sd",
        s if s < 0.05 => "sd",
        s if s < 0.7 => "smp",
        s if s < 1.75 => "sma",
        s if s < 1.95 => "diploma",
        s if s < 2.9 => "sarjana",
        _ => "pascasarjana",
    };
    match (level, age) {
        ("pascasarjana", a) if a < 25 => "sarjana",
        ("sarjana", a) if a < 22 => "sma",
        ("diploma", a) if a < 21 => "sma",
        ("sma", a) if a < 18 => "smp",
        _ => level,
    }
}

fn at_least_sma(p: Option<&str>) -> bool {
    matches!(p, Some("sma" | "diploma" | "sarjana" | "pascasarjana"))
}

/// A non-head adult's work.
fn adult_job(rng: &mut Rng, m: &Member, pz: f64) -> &'static str {
    if m.tingkat == Some("berat") {
        return "tidak_bekerja";
    }
    let female = m.sex == Sex::P;
    let poor = rng.chance(pz * 0.8);
    let job = match (female, m.age, poor) {
        (false, ..25, false) => rng.weighted(&[
            ("karyawan_swasta", 20.0),
            ("buruh_lainnya", 20.0),
            ("buruh_bangunan", 12.0),
            ("buruh_tani", 10.0),
            ("tidak_bekerja", 15.0),
            ("petani_pemilik", 5.0),
            ("wiraswasta", 6.0),
            ("pedagang", 5.0),
            ("lainnya", 4.0),
        ]),
        (false, 25..65, false) => rng.weighted(&[
            ("petani_pemilik", 30.0),
            ("buruh_tani", 12.0),
            ("buruh_bangunan", 11.0),
            ("buruh_lainnya", 9.0),
            ("pedagang", 8.0),
            ("wiraswasta", 10.0),
            ("karyawan_swasta", 11.0),
            ("pns_tni_polri", 4.0),
            ("tidak_bekerja", 2.0),
            ("lainnya", 3.0),
        ]),
        (false, _, false) => rng.weighted(&[
            ("petani_pemilik", 45.0),
            ("buruh_tani", 8.0),
            ("tidak_bekerja", 42.0),
            ("lainnya", 5.0),
        ]),
        (false, a, true) if a < 65 => rng.weighted(&[
            ("buruh_tani", 35.0),
            ("buruh_bangunan", 25.0),
            ("buruh_lainnya", 15.0),
            ("petani_pemilik", 10.0),
            ("tidak_bekerja", 10.0),
            ("buruh_perkebunan", 3.0),
            ("nelayan", 2.0),
        ]),
        (false, _, true) => rng.weighted(&[("tidak_bekerja", 60.0), ("buruh_tani", 40.0)]),
        (true, ..25, false) => rng.weighted(&[
            ("mengurus_rumah_tangga", 25.0),
            ("karyawan_swasta", 22.0),
            ("buruh_lainnya", 15.0),
            ("pedagang", 8.0),
            ("buruh_tani", 6.0),
            ("tidak_bekerja", 18.0),
            ("wiraswasta", 6.0),
        ]),
        (true, 25..65, false) => rng.weighted(&[
            ("mengurus_rumah_tangga", 40.0),
            ("petani_pemilik", 14.0),
            ("buruh_tani", 10.0),
            ("pedagang", 13.0),
            ("wiraswasta", 7.0),
            ("karyawan_swasta", 7.0),
            ("buruh_lainnya", 5.0),
            ("pns_tni_polri", 2.0),
            ("tidak_bekerja", 2.0),
        ]),
        (true, _, false) => rng.weighted(&[
            ("mengurus_rumah_tangga", 38.0),
            ("tidak_bekerja", 40.0),
            ("petani_pemilik", 14.0),
            ("pedagang", 8.0),
        ]),
        (true, a, true) if a < 65 => rng.weighted(&[
            ("mengurus_rumah_tangga", 40.0),
            ("buruh_tani", 35.0),
            ("buruh_lainnya", 10.0),
            ("pedagang", 8.0),
            ("tidak_bekerja", 7.0),
        ]),
        (true, _, true) => rng.weighted(&[
            ("mengurus_rumah_tangga", 40.0),
            ("tidak_bekerja", 45.0),
            ("buruh_tani", 15.0),
        ]),
    };
    if job == "pns_tni_polri" && !at_least_sma(m.pendidikan) {
        "karyawan_swasta"
    } else {
        job
    }
}

/// The head's work, farm land (m2) and monthly income (rupiah).
fn head_job(rng: &mut Rng, m: &Member, z: f64, pz: f64) -> (&'static str, f64, i64) {
    let female = m.sex == Sex::P;
    let poor = rng.chance(sig(0.9 * z - 0.5));
    let job =
        if m.tingkat == Some("berat") || (m.age >= 65 && rng.chance(0.25 + m.age as f64 / 400.0)) {
            "tidak_bekerja"
        } else {
            match (female, poor) {
                (false, false) => rng.weighted(&[
                    ("petani_pemilik", 38.0),
                    ("buruh_tani", 7.0),
                    ("buruh_bangunan", 7.0),
                    ("buruh_lainnya", 8.0),
                    ("pedagang", 9.0),
                    ("wiraswasta", 11.0),
                    ("karyawan_swasta", 11.0),
                    ("pns_tni_polri", 5.0),
                    ("lainnya", 3.0),
                ]),
                (false, true) => rng.weighted(&[
                    ("buruh_tani", 38.0),
                    ("petani_pemilik", 28.0),
                    ("buruh_bangunan", 20.0),
                    ("buruh_lainnya", 8.0),
                    ("pedagang", 3.0),
                    ("buruh_perkebunan", 2.0),
                    ("nelayan", 1.0),
                ]),
                (true, false) => rng.weighted(&[
                    ("petani_pemilik", 26.0),
                    ("pedagang", 22.0),
                    ("buruh_tani", 9.0),
                    ("wiraswasta", 11.0),
                    ("karyawan_swasta", 9.0),
                    ("mengurus_rumah_tangga", 12.0),
                    ("pns_tni_polri", 3.0),
                    ("tidak_bekerja", 8.0),
                ]),
                (true, true) => rng.weighted(&[
                    ("buruh_tani", 40.0),
                    ("mengurus_rumah_tangga", 20.0),
                    ("tidak_bekerja", 15.0),
                    ("petani_pemilik", 15.0),
                    ("pedagang", 10.0),
                ]),
            }
        };
    let job = if job == "pns_tni_polri" && !at_least_sma(m.pendidikan) {
        "karyawan_swasta"
    } else {
        job
    };
    let luck = 0.45 * rng.normal() - 0.3 * z;
    let land = match job {
        "petani_pemilik" if poor => exp(6.4 + 0.7 * rng.normal()),
        "petani_pemilik" => exp(7.9 + 0.8 * rng.normal() - 0.3 * z),
        "buruh_tani" | "buruh_perkebunan" | "nelayan" if rng.chance(0.2) => {
            exp(5.5 + 0.5 * rng.normal())
        }
        _ if !poor && rng.chance(0.2) => exp(7.3 + 0.7 * rng.normal()),
        _ => 0.0,
    };
    let land = if land > 0.0 {
        ((land / 10.0).round() * 10.0).clamp(50.0, 50_000.0)
    } else {
        0.0
    };
    let median = match job {
        "petani_pemilik" => 500_000.0 + 400.0 * land.min(5_000.0),
        "buruh_tani" => 900_000.0,
        "buruh_bangunan" => 1_800_000.0,
        "buruh_perkebunan" => 1_200_000.0,
        "nelayan" => 1_300_000.0,
        "buruh_lainnya" => 2_000_000.0,
        "pedagang" => 2_000_000.0,
        "wiraswasta" => 2_800_000.0,
        "karyawan_swasta" => 2_600_000.0,
        "pns_tni_polri" => 4_500_000.0,
        "lainnya" => 1_500_000.0,
        "mengurus_rumah_tangga" => 300_000.0,
        // Pensions or children's remittances for some, nothing for others.
        _ if rng.chance(0.35 * (1.0 - pz)) => 1_500_000.0,
        _ => 150_000.0,
    };
    let income = ((median * exp(luck)) / 10_000.0).round() as i64 * 10_000;
    (job, land, income)
}

// ---------------------------------------------------------------------------------------------
// Family draft: composition and member facts

struct Draft {
    z: f64,
    members: Vec<Member>,
    land: f64,
    income: i64,
}

/// Head ages of rural households (bands with weights).
const HEAD_AGE: &[((i64, i64), f64)] = &[
    ((20, 24), 3.0),
    ((25, 29), 7.0),
    ((30, 34), 10.0),
    ((35, 39), 11.0),
    ((40, 44), 12.0),
    ((45, 49), 12.0),
    ((50, 54), 11.0),
    ((55, 59), 10.0),
    ((60, 64), 8.0),
    ((65, 69), 6.0),
    ((70, 74), 5.0),
    ((75, 79), 3.0),
    ((80, 89), 2.0),
];

fn other(sex: Sex) -> Sex {
    match sex {
        Sex::L => Sex::P,
        Sex::P => Sex::L,
    }
}

fn any_sex(rng: &mut Rng, p_male: f64) -> Sex {
    if rng.chance(p_male) { Sex::L } else { Sex::P }
}

/// A date in the last three years (and not before `after`) for a move or a death.
fn status_date(rng: &mut Rng, today: NaiveDate, after: NaiveDate) -> Option<NaiveDate> {
    let lo = years_before(today, 3).max(days_after(after, 1));
    rng.date_between(lo, days_before(today, 7))
}

fn draft_family(rng: &mut Rng, today: NaiveDate) -> Draft {
    let z = rng.normal();
    let pz = sig(1.5 * (z - 1.0));
    let (lo, hi) = rng.weighted(HEAD_AGE);
    let head_age = rng.range(lo, hi);
    let p_married = match head_age {
        ..60 => 0.9,
        60..75 => 0.62,
        _ => 0.4,
    };
    let married = rng.chance(p_married);
    let head_sex = if married {
        any_sex(rng, 0.97)
    } else if head_age >= 50 {
        any_sex(rng, 0.25)
    } else {
        any_sex(rng, 0.5)
    };
    let head_kawin = if married {
        "kawin"
    } else if head_age < 30 && rng.chance(0.6) {
        "belum_kawin"
    } else if head_age >= 45 && rng.chance(0.8) {
        "cerai_mati"
    } else if rng.chance(0.55) {
        "cerai_hidup"
    } else {
        "cerai_mati"
    };
    let mut members = vec![Member::new(
        rng,
        today,
        "kepala_keluarga",
        head_sex,
        head_age,
        head_kawin,
    )];
    // Spouse.
    if married {
        let age = if head_sex == Sex::L {
            head_age - (rng.range(-2, 5) + rng.range(0, 3))
        } else {
            head_age + rng.range(-2, 6)
        };
        members.push(Member::new(
            rng,
            today,
            "istri_suami",
            other(head_sex),
            age.max(18),
            "kawin",
        ));
    }
    // A spouse who died recently is still on the rows, marked as such.
    if head_kawin == "cerai_mati" && head_age >= 50 && rng.chance(0.1) {
        let age = (head_age + rng.range(-5, 5)).max(45);
        let mut p = Member::new(rng, today, "istri_suami", other(head_sex), age, "kawin");
        p.status_tanggal = status_date(rng, today, years_after(p.birth, 45));
        if p.status_tanggal.is_some() {
            p.status = "meninggal";
            members.push(p);
        }
    }
    // Children of the head.
    let mother_age = match (head_sex, married, head_kawin) {
        (_, _, "belum_kawin") => None,
        (Sex::L, true, _) => Some(members[1].age),
        (Sex::P, _, _) => Some(head_age),
        (Sex::L, false, _) => Some(head_age - 4),
    };
    if let Some(mother_age) = mother_age {
        let mother_year = today.year() - mother_age as i32;
        let base = match mother_year {
            ..1960 => 4.2,
            1960..1975 => 3.3,
            1975..1990 => 2.7,
            _ => 2.4,
        };
        let births = (base + 0.4 * z + 0.9 * rng.normal() + 0.5)
            .floor()
            .clamp(0.0, 9.0) as usize;
        let mut at = 19 + rng.range(0, 6) - i64::from(z > 1.0);
        for order in 0..births {
            let age = mother_age - at;
            if age < 0 || at > 44 {
                break;
            }
            let stay = match age {
                ..18 => 1.0,
                18..23 => 0.85,
                23..28 => 0.6,
                28..35 => 0.3,
                _ => 0.1,
            };
            let sex = any_sex(rng, 0.51);
            if rng.chance(stay) {
                let kawin = if age >= 25 && rng.chance(0.08) {
                    "cerai_hidup"
                } else {
                    "belum_kawin"
                };
                let mut c = Member::new(rng, today, "anak", sex, age, kawin);
                c.child_order = Some(order);
                members.push(c);
            } else if (18..36).contains(&age) && rng.chance(0.1) {
                // Left recently for work in the city: still on the family's rows, as moved.
                let mut c = Member::new(rng, today, "anak", sex, age, "belum_kawin");
                c.child_order = Some(order);
                c.status_tanggal = status_date(rng, today, years_after(c.birth, 17));
                if c.status_tanggal.is_some() {
                    c.status = "pindah";
                    members.push(c);
                }
            }
            at += rng.range(2, 6);
        }
    }
    // Extended family, more common in poorer households.
    let p_ext = (0.1 + 0.1 * z).clamp(0.02, 0.4);
    if head_age <= 58 && rng.chance(p_ext * 0.8) {
        let rel = if married && rng.chance(0.4) {
            "mertua"
        } else {
            "orang_tua"
        };
        let base_age = if rel == "mertua" {
            members[1].age
        } else {
            head_age
        };
        let age = base_age + rng.range(20, 32);
        if age <= 96 {
            let both = rng.chance(0.2);
            let sex = if both { Sex::P } else { any_sex(rng, 0.25) };
            let kawin = if both { "kawin" } else { "cerai_mati" };
            let mut p = Member::new(rng, today, rel, sex, age, kawin);
            if !both && rng.chance(0.12) {
                p.status_tanggal = status_date(rng, today, years_after(p.birth, 60));
                if p.status_tanggal.is_some() {
                    p.status = "meninggal";
                }
            }
            members.push(p);
            if both {
                let age = (age + rng.range(0, 6)).min(98);
                members.push(Member::new(rng, today, rel, Sex::L, age, "kawin"));
            }
        }
    }
    if head_age >= 45 && rng.chance(p_ext * 1.3 + if head_age >= 55 { 0.1 } else { 0.0 }) {
        // Grandchildren, with their parents or left with the grandparents while the parents
        // work away (common in Wonogiri).
        let parent_age = rng.range(22, (head_age - 18).clamp(22, 35));
        if rng.chance(0.5) {
            let sex = any_sex(rng, 0.5);
            members.push(Member::new(rng, today, "anak", sex, parent_age, "kawin"));
            let in_law = parent_age + rng.range(-3, 3);
            members.push(Member::new(
                rng,
                today,
                "menantu",
                other(sex),
                in_law.max(19),
                "kawin",
            ));
        }
        let n = rng.range(1, 2);
        for _ in 0..n {
            let age = rng.range(0, (parent_age - 19).clamp(0, 12));
            let sex = any_sex(rng, 0.51);
            members.push(Member::new(rng, today, "cucu", sex, age, "belum_kawin"));
        }
    }
    if rng.chance(p_ext * 0.5) {
        let (age, kawin) = if rng.chance(0.75) {
            (rng.range(8, 30), "belum_kawin")
        } else {
            (rng.range(55, 80), "cerai_mati")
        };
        let sex = any_sex(rng, 0.5);
        let mut p = Member::new(rng, today, "famili_lain", sex, age, kawin);
        if (18..40).contains(&age) && rng.chance(0.1) {
            p.status_tanggal = status_date(rng, today, years_after(p.birth, 17));
            if p.status_tanggal.is_some() {
                p.status = "pindah";
            }
        }
        members.push(p);
    }

    // Health.
    for m in &mut members {
        let p_dis = match m.age {
            ..18 => 0.01,
            18..60 => 0.02,
            60..75 => 0.06,
            _ => 0.12,
        } * (1.0 + 0.5 * pz);
        if rng.chance(p_dis) {
            m.disabilitas = rng.weighted(&[
                ("fisik", 38.0),
                ("sensorik", 27.0),
                ("intelektual", 12.0),
                ("mental", 12.0),
                ("ganda", 11.0),
            ]);
            let heavy = if m.disabilitas == "ganda" { 2.0 } else { 1.0 };
            m.tingkat =
                Some(rng.weighted(&[("ringan", 45.0), ("sedang", 35.0), ("berat", 20.0 * heavy)]));
        }
        if m.age >= 40 && rng.chance(if m.age < 60 { 0.04 } else { 0.075 }) {
            m.kronis = Some(rng.weighted(&[
                ("hipertensi", 40.0),
                ("diabetes", 18.0),
                ("TBC", 6.0),
                ("stroke", 8.0),
                ("jantung", 8.0),
                ("asma", 8.0),
                ("gagal ginjal", 3.0),
                ("kanker", 3.0),
                ("PPOK", 2.0),
            ]));
        }
        if m.sex == Sex::P && (15..50).contains(&m.age) {
            let can = m.kawin == "kawin" && (18..=40).contains(&m.age) && m.present();
            m.hamil = Some(can && rng.chance(0.04));
        }
    }

    // Schooling and work.
    let mut land = 0.0;
    let mut income = 0;
    for m in &mut members {
        let score = 0.9 * rng.normal() + cohort_shift(m.birth.year()) - 0.35 * z;
        let disabled_heavy = m.tingkat == Some("berat");
        match m.age {
            ..7 => {
                let p_paud = match m.age {
                    5 | 6 => 0.65,
                    3 | 4 => 0.3,
                    _ => 0.0,
                };
                if !disabled_heavy && rng.chance(p_paud * (1.0 - 0.3 * pz)) {
                    m.jenjang = Some("paud");
                }
            }
            7..=18 => {
                let p_drop = match m.age {
                    ..13 => 0.004 + 0.025 * pz,
                    13..16 => 0.02 + 0.12 * pz,
                    _ => 0.12 + 0.35 * pz,
                } + if disabled_heavy { 0.5 } else { 0.0 };
                if rng.chance(p_drop) {
                    m.jenjang = Some("tidak_sekolah");
                    m.pendidikan = Some(match m.age {
                        7 => "tidak_sekolah",
                        ..13 => "tidak_tamat_sd",
                        13..16 => {
                            if rng.chance(0.8) {
                                "sd"
                            } else {
                                "tidak_tamat_sd"
                            }
                        }
                        _ => {
                            if rng.chance(0.7) {
                                "smp"
                            } else {
                                "sd"
                            }
                        }
                    });
                } else {
                    let kelas = m.age - 6;
                    let (jenjang, done) = match kelas {
                        ..7 => ("sd", None),
                        7..10 => ("smp", Some("sd")),
                        _ => ("sma", Some("smp")),
                    };
                    m.jenjang = Some(jenjang);
                    m.kelas = Some(kelas);
                    m.pendidikan = done;
                }
            }
            19..=24 => {
                let level = schooling_for(score, m.age);
                if at_least_sma(Some(level)) && rng.chance(0.35 * (1.0 - 0.6 * pz)) {
                    m.jenjang = Some("pt");
                    m.pendidikan = Some("sma");
                } else {
                    m.jenjang = Some("tidak_sekolah");
                    m.pendidikan = Some(level);
                }
            }
            _ => m.pendidikan = Some(schooling_for(score, m.age)),
        }
        m.pekerjaan = match (m.age, m.jenjang) {
            (..7, _) => None,
            (_, Some("sd" | "smp" | "sma" | "pt")) => Some("sekolah"),
            (..15, _) => Some("tidak_bekerja"),
            _ if m.rel == "kepala_keluarga" => {
                let (job, l, inc) = head_job(rng, m, z, pz);
                land = l;
                income = inc;
                Some(job)
            }
            _ => Some(adult_job(rng, m, pz)),
        };
    }
    Draft {
        z,
        members,
        land,
        income,
    }
}

// ---------------------------------------------------------------------------------------------
// Family facts, identity numbers, decile and programs

/// Per-criterion intercept and slope on the welfare level for the family-level BPS criteria
/// (the head's work and schooling follow from the members), tuned to the rural poverty rate.
const AREA: (f64, f64) = (-1.9, 1.0);
const FLOOR: (f64, f64) = (-1.7, 1.4);
const WALL: (f64, f64) = (-1.8, 1.4);
const TOILET: (f64, f64) = (-1.6, 1.3);
const LIGHT: (f64, f64) = (-6.0, 1.5);
const WATER: (f64, f64) = (-1.3, 1.1);
const FUEL: (f64, f64) = (-0.2, 1.3);
const MEAT: (f64, f64) = (-0.5, 1.5);
const CLOTHES: (f64, f64) = (-0.6, 1.5);
const MEALS: (f64, f64) = (-1.6, 1.4);
const CLINIC: (f64, f64) = (-1.8, 1.5);
const ASSET: (f64, f64) = (-1.4, 1.5);
/// Shifts all family-level criteria at once (calibration of the poverty share).
const SHIFT: f64 = 0.03;

fn meets(rng: &mut Rng, (a, b): (f64, f64), z: f64) -> bool {
    rng.chance(sig(a + b * z + SHIFT))
}

fn idx(fields: &[Field], key: &str) -> usize {
    field_index(fields, key).unwrap_or_else(|| panic!("unknown field {key}"))
}

fn put(values: &mut Values, fields: &[Field], key: &str, value: Value) {
    values[idx(fields, key)] = Some(value);
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

fn date(d: NaiveDate) -> Value {
    Value::Text(d.format("%Y-%m-%d").to_string())
}

fn yes(b: bool) -> Value {
    Value::Int(i64::from(b))
}

/// DTSEN decile from the welfare level with survey noise; the village is poorer than the
/// country (cumulative shares per decile 15, 27, 39, 50, 61, 71, 80, 88, 95%).
fn decile(rng: &mut Rng, z: f64) -> i64 {
    const CUTS: [f64; 9] = [
        1.036, 0.613, 0.279, 0.0, -0.279, -0.553, -0.842, -1.175, -1.645,
    ];
    let r = (z + 0.55 * rng.normal()) / 1.1413;
    1 + CUTS.iter().filter(|c| r < **c).count() as i64
}

fn finish_family(
    rng: &mut Rng,
    v: &Village,
    today: NaiveDate,
    draft: Draft,
    ids: &mut Ids,
) -> DemoFamily {
    let Draft {
        z,
        mut members,
        land,
        income,
    } = draft;
    let pz = sig(1.5 * (z - 1.0));
    let n = members.iter().filter(|m| m.present()).count().max(1);
    let mut f: Values = vec![None; FAMILY_FIELDS.len()];
    let fp = |f: &mut Values, k: &str, val: Value| put(f, FAMILY_FIELDS, k, val);

    // Address.
    let d = rng.below(v.dusun.len());
    fp(&mut f, "kode_wilayah", text(&v.code));
    fp(&mut f, "alamat", text(&format!("Dusun {}", v.dusun[d])));
    fp(
        &mut f,
        "rt",
        text(&format!("{:03}", rng.range(1, v.rts[d] as i64))),
    );
    fp(&mut f, "rw", text(&format!("{:03}", d + 1)));

    // Housing.
    let status_rumah = if pz > 0.5 && rng.chance(0.03) {
        "tidak_punya"
    } else {
        let young = members[0].age < 30;
        rng.weighted(&[
            ("milik_sendiri", 87.0),
            ("bebas_sewa", if young { 30.0 } else { 7.0 }),
            ("kontrak_sewa", 3.5),
            (
                "dinas",
                if members[0].pekerjaan == Some("pns_tni_polri") {
                    10.0
                } else {
                    0.2
                },
            ),
        ])
    };
    fp(&mut f, "status_rumah", text(status_rumah));
    let small = n >= 2 && meets(rng, (AREA.0 + 0.35 * (n as f64 - 4.0), AREA.1), z);
    let area = if small {
        rng.range((3 * n as i64).max(9), 8 * n as i64 - 1)
    } else {
        let a = exp(4.1 + 0.35 * rng.normal() - 0.2 * z).round() as i64;
        a.clamp(8 * n as i64, 400).max(21)
    };
    fp(&mut f, "luas_lantai", Value::Num(area as f64));
    let poor_floor = meets(rng, FLOOR, z);
    fp(
        &mut f,
        "jenis_lantai",
        text(if poor_floor {
            rng.weighted(&[("tanah", 70.0), ("bambu", 8.0), ("kayu_murah", 22.0)])
        } else {
            rng.weighted(&[
                ("semen_plester", 25.0 + 25.0 * pz),
                ("ubin_tegel", 15.0),
                ("keramik", 55.0 - 25.0 * pz),
                ("kayu_kualitas_baik", 2.0),
                ("marmer_granit", 1.0 - pz),
            ])
        }),
    );
    let poor_wall = meets(rng, WALL, z);
    fp(
        &mut f,
        "jenis_dinding",
        text(if poor_wall {
            rng.weighted(&[
                ("tembok_tanpa_plester", 40.0),
                ("kayu_murah", 30.0),
                ("bambu_rumbia", 30.0),
            ])
        } else {
            rng.weighted(&[
                ("tembok", 80.0 - 20.0 * pz),
                ("kayu_kualitas_baik", 14.0),
                ("anyaman_bambu", 2.0 + 8.0 * pz),
            ])
        }),
    );
    fp(
        &mut f,
        "jenis_atap",
        text(rng.weighted(&[
            ("genteng", 85.0),
            ("seng", 5.0 + 8.0 * pz),
            ("asbes", 5.0),
            ("beton", 3.0 * (1.0 - pz)),
            ("ijuk_rumbia", 1.0 * pz),
            ("bambu", 0.5 * pz),
        ])),
    );
    let wear = 0.7 * z + 0.7 * rng.normal() + if poor_floor || poor_wall { 0.6 } else { 0.0 };
    fp(
        &mut f,
        "kondisi_rumah",
        text(match wear {
            w if w < 0.6 => "layak",
            w if w < 1.3 => "rusak_ringan",
            w if w < 2.0 => "rusak_sedang",
            _ => "rusak_berat",
        }),
    );
    fp(
        &mut f,
        "fasilitas_bab",
        text(if meets(rng, TOILET, z) {
            rng.weighted(&[("bersama", 45.0), ("umum", 15.0), ("tidak_ada", 40.0)])
        } else {
            "sendiri"
        }),
    );
    let light = if meets(rng, LIGHT, z) {
        "bukan_listrik"
    } else if rng.chance(0.02 + 0.05 * pz) {
        "listrik_non_pln"
    } else {
        "listrik_pln"
    };
    fp(&mut f, "sumber_penerangan", text(light));
    let va = if light == "listrik_pln" {
        rng.weighted(&[
            (450, 10.0 + 50.0 * pz),
            (900, 50.0),
            (1300, 25.0 * (1.0 - pz)),
            (2200, 8.0 * (1.0 - pz)),
            (3500, 2.0 * (1.0 - pz)),
        ])
    } else {
        0
    };
    fp(&mut f, "daya_listrik", Value::Int(va));
    fp(
        &mut f,
        "sumber_air_minum",
        text(if meets(rng, WATER, z) {
            rng.weighted(&[
                ("hujan", 40.0),
                ("sumur_tidak_terlindung", 25.0),
                ("mata_air_tidak_terlindung", 25.0),
                ("sungai", 10.0),
            ])
        } else {
            rng.weighted(&[
                ("sumur_terlindung", 25.0),
                ("sumur_bor", 20.0),
                ("ledeng", 25.0),
                ("mata_air_terlindung", 12.0),
                ("kemasan", 18.0 * (1.0 - pz)),
            ])
        }),
    );
    let alone_old = n == 1 && members[0].age >= 70;
    fp(
        &mut f,
        "bahan_bakar_memasak",
        text(if meets(rng, FUEL, z) {
            rng.weighted(&[("kayu_bakar", 90.0), ("arang", 3.0), ("minyak_tanah", 7.0)])
        } else {
            rng.weighted(&[
                ("gas", 95.0),
                ("listrik", 3.0 * (1.0 - pz)),
                ("tidak_memasak", if alone_old { 20.0 } else { 1.0 }),
            ])
        }),
    );
    fp(
        &mut f,
        "makan_per_hari",
        Value::Int(if meets(rng, MEALS, z) {
            if rng.chance(0.1) { 1 } else { 2 }
        } else {
            3
        }),
    );
    fp(
        &mut f,
        "daging_per_minggu",
        Value::Int(if meets(rng, MEAT, z) {
            rng.range(0, 1)
        } else {
            rng.range(2, 4) + i64::from(rng.chance(0.5 * (1.0 - pz))) * rng.range(0, 3)
        }),
    );
    fp(
        &mut f,
        "pakaian_baru_per_tahun",
        Value::Int(if meets(rng, CLOTHES, z) {
            rng.range(0, 1)
        } else {
            rng.range(2, 4) + i64::from(rng.chance(0.4 * (1.0 - pz))) * rng.range(1, 4)
        }),
    );
    fp(&mut f, "mampu_berobat", yes(!meets(rng, CLINIC, z)));
    fp(&mut f, "rawan_pangan", yes(rng.chance(sig(-2.0 + 1.3 * z))));
    fp(
        &mut f,
        "pangan_lebih_separuh",
        yes(rng.chance(sig(0.1 + 1.2 * z))),
    );
    fp(&mut f, "luas_lahan", Value::Num(land));
    fp(&mut f, "penghasilan_kepala", Value::Int(income));
    fp(&mut f, "aset_500rb", yes(!meets(rng, ASSET, z)));

    // Names and birthplaces.
    let naming = FamilyNaming::new(rng);
    let names: Vec<String> = members
        .iter()
        .map(|m| names::name(rng, m.sex, m.birth.year(), &naming, m.child_order))
        .collect();
    let births: Vec<String> = members
        .iter()
        .map(|m| {
            let away = match m.rel {
                "cucu" => 0.2,
                "menantu" | "istri_suami" => 0.15,
                _ => 0.06,
            };
            if rng.chance(away) {
                v.elsewhere[rng.below(v.elsewhere.len())].clone()
            } else {
                v.home.clone()
            }
        })
        .collect();

    // NIK: first registration in this kecamatan, or another one of the kabupaten (moved in).
    let niks: Vec<String> = members
        .iter()
        .map(|m| {
            let p_moved = match m.rel {
                "kepala_keluarga" => 0.12,
                "istri_suami" => 0.28,
                "menantu" => 0.35,
                "anak" | "cucu" => 0.03,
                _ => 0.25,
            };
            let kec = if !v.other_kec.is_empty() && rng.chance(p_moved) {
                v.other_kec[rng.below(v.other_kec.len())].clone()
            } else {
                v.kec.clone()
            };
            let day = m.birth.day() + if m.sex == Sex::P { 40 } else { 0 };
            let prefix = format!(
                "{kec}{day:02}{:02}{:02}",
                m.birth.month(),
                m.birth.year().rem_euclid(100)
            );
            Ids::next(&mut ids.nik, prefix)
        })
        .collect();

    // Kartu Keluarga: reissued after the last birth or move in the family.
    let latest = members
        .iter()
        .map(|m| m.status_tanggal.unwrap_or(m.birth))
        .max()
        .expect("a family has a head");
    let head_adult = years_after(members[0].birth, 17);
    let lo = ymd(2004, 1, 1).max(days_after(latest, 7)).max(head_adult);
    let hi = days_before(today, 1);
    let issued = rng.date_between(lo, hi).unwrap_or(hi);
    let kk_prefix = format!("{}{}", v.kec, issued.format("%d%m%y"));
    fp(&mut f, "no_kk", text(&Ids::next(&mut ids.kk, kk_prefix)));

    // DTSEN decile (not every family has been surveyed) and family programs.
    let desil = if rng.chance(0.05 + 0.2 * sig(-z)) {
        None
    } else {
        Some(decile(rng, z))
    };
    if let Some(d) = desil {
        fp(&mut f, "desil", Value::Int(d));
    }
    let low = |rng: &mut Rng, by_desil: [f64; 4], unknown: f64| -> bool {
        let p = match desil {
            Some(1 | 2) => by_desil[0],
            Some(3 | 4) => by_desil[1],
            Some(5 | 6) => by_desil[2],
            Some(_) => by_desil[3],
            None => unknown,
        };
        rng.chance(p)
    };
    let component = members.iter().any(|m| {
        m.present()
            && (m.age <= 6
                || m.pupil()
                || m.hamil == Some(true)
                || m.tingkat == Some("berat")
                || m.age >= 60)
    });
    let program_day =
        |rng: &mut Rng, from: NaiveDate| rng.date_between(from, days_before(today, 30));
    if component
        && low(rng, [0.7, 0.28, 0.05, 0.01], 0.1 * pz)
        && let Some(d) = program_day(rng, ymd(2012, 1, 1))
    {
        fp(&mut f, "pkh_sejak", date(d));
    }
    if low(rng, [0.75, 0.35, 0.06, 0.015], 0.15 * pz)
        && let Some(d) = program_day(rng, ymd(2017, 2, 1))
    {
        fp(&mut f, "bpnt_sejak", date(d));
    }
    if status_rumah == "milik_sendiri"
        && low(rng, [0.06, 0.02, 0.003, 0.0], 0.0)
        && let Some(d) = program_day(rng, ymd(2015, 1, 1))
    {
        fp(&mut f, "rs_rtlh_sejak", date(d));
    }

    // Member programs.
    let pbi_family = if low(rng, [0.85, 0.5, 0.3, 0.06], 0.3 * pz + 0.03) {
        program_day(rng, ymd(2014, 1, 1))
    } else {
        None
    };
    for m in members.iter_mut().filter(|m| m.present()) {
        if let Some(since) = pbi_family {
            let newborn = days_after(m.birth, rng.range(14, 180) as u64);
            let day = since.max(newborn).min(days_before(today, 1));
            m.pbi = (day >= m.birth).then_some(day);
        }
        if m.pupil() && low(rng, [0.6, 0.3, 0.08, 0.02], 0.1 * pz) {
            let school_start = ymd(m.birth.year() + 7, 7, 15);
            m.pip = program_day(rng, ymd(2015, 1, 1).max(school_start));
        }
        let needs_care = m.age >= 70 || matches!(m.tingkat, Some("sedang" | "berat"));
        if needs_care {
            let p = if m.age >= 70 {
                [0.12, 0.06, 0.01, 0.0]
            } else {
                [0.3, 0.2, 0.05, 0.0]
            };
            if low(rng, p, 0.02) {
                m.atensi = program_day(rng, ymd(2020, 6, 1).max(days_after(m.birth, 30)));
            }
        }
    }

    // Ownership of the land under the house and the members' KTP-el (RS-RTLH reads both).
    // Drawn last, so every fact drawn before keeps its value for a given seed.
    let own_land = status_rumah == "milik_sendiri" && rng.chance(0.93 - 0.1 * pz);
    fp(&mut f, "lahan_milik_sendiri", yes(own_land));
    let ktp: Vec<Option<bool>> = members
        .iter()
        .map(|m| {
            // A KTP-el is issued from 17 or on marriage.
            let due = m.age >= 17 || m.kawin != "belum_kawin";
            Some(due && rng.chance(0.97 - 0.08 * pz))
        })
        .collect();

    let rows = members
        .iter()
        .zip(names)
        .zip(births)
        .zip(niks)
        .zip(ktp)
        .map(|((((m, name), born), nik), ktp)| person_values(m, name, born, nik, ktp))
        .collect();
    DemoFamily {
        values: f,
        members: rows,
    }
}

fn person_values(m: &Member, name: String, born: String, nik: String, ktp: Option<bool>) -> Values {
    let mut p: Values = vec![None; PERSON_FIELDS.len()];
    let mut set = |k: &str, val: Option<Value>| p[idx(PERSON_FIELDS, k)] = val;
    set("nik", Some(Value::Text(nik)));
    set("nama", Some(Value::Text(name)));
    set("jenis_kelamin", Some(text(m.sex.code())));
    set("tempat_lahir", Some(Value::Text(born)));
    set("tanggal_lahir", Some(date(m.birth)));
    set("hubungan", Some(text(m.rel)));
    set("status_kawin", Some(text(m.kawin)));
    set("pendidikan", m.pendidikan.map(text));
    set("jenjang_sekolah", m.jenjang.map(text));
    set("kelas", m.kelas.map(Value::Int));
    set(
        "tingkat_akhir",
        m.kelas.map(|k| yes(matches!(k, 6 | 9 | 12))),
    );
    set("pekerjaan", m.pekerjaan.map(text));
    set("disabilitas", Some(text(m.disabilitas)));
    set("tingkat_disabilitas", m.tingkat.map(text));
    set("penyakit_kronis", m.kronis.map(text));
    set("hamil", m.hamil.map(yes));
    set("status", Some(text(m.status)));
    set("status_tanggal", m.status_tanggal.map(date));
    set("pip_sejak", m.pip.map(date));
    set("pbi_jkn_sejak", m.pbi.map(date));
    set("atensi_sejak", m.atensi.map(date));
    set("punya_ktp", ktp.map(yes));
    p
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod cross_check {
    use puskesos_domain::assessment::{Bps14Config, Met, bps14};
    use puskesos_domain::model::{Family, Person};

    use super::*;

    /// The domain's BPS 14 assessment agrees with this crate's independent approximation on
    /// the generated village, criterion by criterion (walls of woven bamboo aside: the domain
    /// counts them as bamboo, the approximation does not).
    #[test]
    fn domain_assessment_agrees_with_the_generator() {
        let opts = DemoOptions::new(
            3000,
            1,
            chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
        );
        let families = generate(&opts);
        let wall = idx(FAMILY_FIELDS, "jenis_dinding");
        let mut compared = 0;
        let mut differ = 0;
        for (i, fam) in families.iter().enumerate() {
            let family = Family {
                id: format!("f{i}"),
                values: fam.values.clone(),
                source: "demo".into(),
            };
            let members: Vec<Person> = fam
                .members
                .iter()
                .enumerate()
                .map(|(j, m)| Person {
                    id: format!("p{i}-{j}"),
                    family_id: family.id.clone(),
                    values: m.clone(),
                    source: "demo".into(),
                })
                .collect();
            let domain = bps14(&family, &members, &Bps14Config::default());
            let approx = bps14_criteria(fam);
            let woven = fam.values[wall].as_ref().and_then(Value::as_text) == Some("anyaman_bambu");
            for (k, c) in domain.criteria.iter().enumerate() {
                if k == 2 && woven {
                    continue;
                }
                compared += 1;
                if (c.met == Met::Yes) != approx[k] {
                    differ += 1;
                }
            }
        }
        // Heads who moved away or died are skipped by the domain only: allow a sliver.
        assert!(
            differ * 200 <= compared,
            "{differ} of {compared} criteria differ"
        );
    }
}
