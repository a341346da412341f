use std::collections::HashSet;

use chrono::NaiveDate;
use puskesos_domain::identity::{Nik, NomorKk, Sex};
use puskesos_domain::model::{FAMILY_FIELDS, PERSON_FIELDS, Value, Values, field_index};
use puskesos_domain::validate::{check_family, check_person, parse_date, parse_value};

use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 15).unwrap()
}

fn village(families: usize, seed: u64) -> Vec<DemoFamily> {
    generate(&DemoOptions::new(families, seed, today()))
}

fn get<'a>(fields: &[Field], row: &'a Values, key: &str) -> Option<&'a Value> {
    row[field_index(fields, key).unwrap()].as_ref()
}

fn ptext<'a>(row: &'a Values, key: &str) -> Option<&'a str> {
    get(PERSON_FIELDS, row, key).and_then(Value::as_text)
}

fn pint(row: &Values, key: &str) -> Option<i64> {
    get(PERSON_FIELDS, row, key).and_then(Value::as_int)
}

fn birth(row: &Values) -> NaiveDate {
    parse_date(ptext(row, "tanggal_lahir").unwrap()).unwrap()
}

fn present(row: &Values) -> bool {
    ptext(row, "status") == Some("ada")
}

#[test]
fn default_village_is_a_rural_desa_in_jawa_tengah() {
    let w = Wilayah::master();
    let code = default_village();
    assert_eq!(code.level(), Level::DesaKelurahan);
    assert!(w.contains(&code));
    assert!(DEFAULT_VILLAGE.starts_with("33."));
    assert!(DEFAULT_VILLAGE.rsplit('.').next().unwrap().starts_with('2'));
}

#[test]
fn values_round_trip_and_pass_the_domain_checks() {
    let fams = village(3_000, 1);
    let check_row = |fields: &'static [Field], row: &Values| {
        assert_eq!(row.len(), fields.len());
        for (field, value) in fields.iter().zip(row) {
            match value {
                Some(v) => {
                    let text = v.to_text(field.kind);
                    assert_eq!(
                        parse_value(field, &text),
                        Ok(Some(v.clone())),
                        "{} = {text:?}",
                        field.key
                    );
                }
                None => assert!(!field.required, "{} missing", field.key),
            }
        }
    };
    for fam in &fams {
        check_row(FAMILY_FIELDS, &fam.values);
        let mut issues = Vec::new();
        assert!(check_family(&fam.values, &mut issues).is_some());
        assert!(issues.is_empty(), "{issues:?}");
        for p in &fam.members {
            check_row(PERSON_FIELDS, p);
            let mut checked = p.clone();
            check_person(&mut checked, today(), &mut issues);
            assert!(issues.is_empty(), "{issues:?}");
            assert_eq!(&checked, p);
        }
    }
}

#[test]
fn every_family_fact_is_filled() {
    let fams = village(500, 3);
    let optional = ["desil", "pkh_sejak", "bpnt_sejak", "rs_rtlh_sejak"];
    for fam in &fams {
        for (field, v) in FAMILY_FIELDS.iter().zip(&fam.values) {
            assert!(
                v.is_some() || optional.contains(&field.key),
                "{}",
                field.key
            );
        }
        assert_eq!(
            get(FAMILY_FIELDS, &fam.values, "kode_wilayah"),
            Some(&Value::Text(DEFAULT_VILLAGE.into()))
        );
        let rt = get(FAMILY_FIELDS, &fam.values, "rt")
            .unwrap()
            .as_text()
            .unwrap();
        assert!(rt.len() == 3 && rt.bytes().all(|b| b.is_ascii_digit()) && rt != "000");
        let alamat = get(FAMILY_FIELDS, &fam.values, "alamat").unwrap();
        assert!(alamat.as_text().unwrap().starts_with("Dusun "));
    }
    let with_desil = fams
        .iter()
        .filter(|f| get(FAMILY_FIELDS, &f.values, "desil").is_some())
        .count();
    let share = with_desil as f64 / fams.len() as f64;
    assert!((0.78..0.92).contains(&share), "desil filled for {share}");
}

#[test]
fn same_seed_same_village_other_seed_other_village() {
    let a = village(300, 42);
    assert_eq!(a, village(300, 42));
    assert_ne!(a, village(300, 43));
    // A smaller village is the start of a larger one.
    assert_eq!(village(50, 42)[..], a[..50]);
}

#[test]
fn identity_numbers_are_valid_and_unique() {
    let fams = village(3_000, 1);
    let kec = default_village().parent().unwrap();
    let kab = kec.parent().unwrap();
    let mut niks = HashSet::new();
    let mut kks = HashSet::new();
    let mut moved_in = 0;
    let mut people = 0;
    for fam in &fams {
        let kk_raw = get(FAMILY_FIELDS, &fam.values, "no_kk")
            .unwrap()
            .as_text()
            .unwrap();
        let kk = NomorKk::parse(kk_raw).unwrap();
        assert!(kk.warnings.is_empty());
        assert_eq!(kk.kecamatan, kec);
        let issued = kk.issued.unwrap();
        assert!(issued < today());
        assert!(fam.members.iter().all(|p| birth(p) < issued));
        assert!(kks.insert(kk_raw.to_string()), "duplicate KK {kk_raw}");
        for p in &fam.members {
            people += 1;
            let raw = ptext(p, "nik").unwrap();
            let nik = Nik::parse(raw).unwrap();
            assert!(nik.warnings.is_empty());
            let sex = Sex::parse(ptext(p, "jenis_kelamin").unwrap());
            assert!(nik.compare_with(Some(birth(p)), sex).is_empty());
            assert_eq!(nik.birth_date(today()), Some(birth(p)));
            assert!(nik.kecamatan.is_within(&kab));
            if nik.kecamatan != kec {
                moved_in += 1;
            }
            assert!(niks.insert(raw.to_string()), "duplicate NIK {raw}");
        }
    }
    let share = moved_in as f64 / people as f64;
    assert!((0.03..0.2).contains(&share), "moved in {share}");
}

#[test]
fn one_head_first_and_consistent_relations() {
    for fam in village(3_000, 5) {
        let heads: Vec<usize> = fam
            .members
            .iter()
            .enumerate()
            .filter(|(_, p)| ptext(p, "hubungan") == Some("kepala_keluarga"))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(heads, [0]);
        let head = &fam.members[0];
        assert!(present(head));
        let head_age = age_on(birth(head), today());
        assert!(head_age >= 17);
        let spouses: Vec<&Values> = fam
            .members
            .iter()
            .filter(|p| ptext(p, "hubungan") == Some("istri_suami") && present(p))
            .collect();
        assert!(spouses.len() <= 1);
        if let Some(s) = spouses.first() {
            assert_eq!(ptext(s, "status_kawin"), Some("kawin"));
            assert_eq!(ptext(head, "status_kawin"), Some("kawin"));
            assert_ne!(ptext(s, "jenis_kelamin"), ptext(head, "jenis_kelamin"));
        } else {
            assert_ne!(ptext(head, "status_kawin"), Some("kawin"));
        }
        for p in &fam.members {
            let age = age_on(birth(p), today());
            let kawin = ptext(p, "status_kawin").unwrap();
            if age < 17 {
                assert_eq!(kawin, "belum_kawin");
            }
            match ptext(p, "hubungan").unwrap() {
                "anak" | "menantu" => assert!(age < head_age - 14),
                "orang_tua" | "mertua" => assert!(age >= 36),
                "cucu" => assert!(age < head_age - 30),
                _ => {}
            }
            if pint(p, "hamil") == Some(1) {
                assert_eq!(ptext(p, "jenis_kelamin"), Some("P"));
                assert_eq!(kawin, "kawin");
                assert!((18..=40).contains(&age));
            }
            match ptext(p, "status").unwrap() {
                "ada" => assert!(get(PERSON_FIELDS, p, "status_tanggal").is_none()),
                _ => {
                    let d = parse_date(ptext(p, "status_tanggal").unwrap()).unwrap();
                    assert!(d > birth(p) && d < today());
                }
            }
            for key in ["pip_sejak", "pbi_jkn_sejak", "atensi_sejak"] {
                if let Some(d) = ptext(p, key) {
                    let d = parse_date(d).unwrap();
                    assert!(d >= birth(p) && d < today(), "{key}");
                }
            }
        }
    }
}

#[test]
fn schooling_matches_age() {
    let mut pupils = 0;
    let mut dropouts = 0;
    for fam in village(3_000, 1) {
        for p in &fam.members {
            let age = age_on(birth(p), today());
            let jenjang = ptext(p, "jenjang_sekolah");
            let kelas = pint(p, "kelas");
            match jenjang {
                Some("sd" | "smp" | "sma") => {
                    pupils += 1;
                    let k = kelas.unwrap();
                    assert_eq!(k, age - 6);
                    let want = match k {
                        1..=6 => "sd",
                        7..=9 => "smp",
                        _ => "sma",
                    };
                    assert_eq!(jenjang, Some(want));
                    assert_eq!(
                        pint(p, "tingkat_akhir"),
                        Some(i64::from(matches!(k, 6 | 9 | 12)))
                    );
                    assert_eq!(ptext(p, "pekerjaan"), Some("sekolah"));
                }
                _ => {
                    assert!(kelas.is_none());
                    assert!(pint(p, "tingkat_akhir").is_none());
                }
            }
            if (7..=18).contains(&age) {
                assert!(jenjang.is_some());
                if jenjang == Some("tidak_sekolah") {
                    dropouts += 1;
                }
            }
            if jenjang == Some("paud") {
                assert!(age <= 6);
            }
            if jenjang == Some("pt") {
                assert!((19..=24).contains(&age));
                assert_eq!(ptext(p, "pendidikan"), Some("sma"));
            }
            if age >= 25 {
                assert!(ptext(p, "pendidikan").is_some());
            }
            if age < 5 {
                assert!(ptext(p, "pekerjaan").is_none());
            }
        }
    }
    let share = dropouts as f64 / (pupils + dropouts) as f64;
    assert!((0.02..0.12).contains(&share), "drop-out share {share}");
}

#[test]
fn poverty_share_is_near_the_rural_rate() {
    let fams = village(3_000, 1);
    let poor: Vec<bool> = fams.iter().map(|f| bps14_met(f) >= 9).collect();
    let share = poor.iter().filter(|p| **p).count() as f64 / fams.len() as f64;
    assert!((0.09..=0.13).contains(&share), "poor share {share}");

    let size = |f: &DemoFamily| f.members.iter().filter(|p| present(p)).count() as f64;
    let mean = |sel: &dyn Fn(bool) -> bool| {
        let (sum, n) = fams
            .iter()
            .zip(&poor)
            .filter(|(_, p)| sel(**p))
            .fold((0.0, 0.0), |(s, n), (f, _)| (s + size(f), n + 1.0));
        sum / n
    };
    let all = mean(&|_| true);
    let of_poor = mean(&|p| p);
    assert!((3.5..4.1).contains(&all), "mean household {all}");
    assert!(
        (4.3..5.3).contains(&of_poor),
        "mean poor household {of_poor}"
    );

    // Low deciles and programs go mostly, not only, to the poor.
    let desil = |f: &DemoFamily| get(FAMILY_FIELDS, &f.values, "desil").and_then(Value::as_int);
    let has = |f: &DemoFamily, k: &str| get(FAMILY_FIELDS, &f.values, k).is_some();
    let rate = |sel: bool, k: &str| {
        let (n, hit) = fams
            .iter()
            .zip(&poor)
            .filter(|(_, p)| **p == sel)
            .fold((0, 0), |(n, h), (f, _)| (n + 1, h + usize::from(has(f, k))));
        hit as f64 / n as f64
    };
    assert!(rate(true, "bpnt_sejak") > 0.4 && rate(false, "bpnt_sejak") < 0.25);
    assert!(
        rate(false, "bpnt_sejak") > 0.0,
        "inclusion errors on purpose"
    );
    assert!(
        rate(true, "bpnt_sejak") < 0.95,
        "exclusion errors on purpose"
    );
    let poor_low = fams
        .iter()
        .zip(&poor)
        .filter(|(f, p)| **p && desil(f).is_some_and(|d| d <= 3))
        .count() as f64
        / poor.iter().filter(|p| **p).count() as f64;
    assert!(poor_low > 0.6, "poor in desil 1-3: {poor_low}");
}

#[test]
fn health_facts_have_plausible_rates() {
    let fams = village(3_000, 2);
    let people: Vec<&Values> = fams.iter().flat_map(|f| &f.members).collect();
    let n = people.len() as f64;
    let disabled = people
        .iter()
        .filter(|p| ptext(p, "disabilitas") != Some("tidak_ada"))
        .count() as f64;
    assert!(
        (0.015..0.04).contains(&(disabled / n)),
        "disability {}",
        disabled / n
    );
    let over40: Vec<&&Values> = people
        .iter()
        .filter(|p| age_on(birth(p), today()) > 40)
        .collect();
    let chronic = over40
        .iter()
        .filter(|p| ptext(p, "penyakit_kronis").is_some())
        .count() as f64
        / over40.len() as f64;
    assert!((0.03..0.08).contains(&chronic), "chronic {chronic}");
    let gone = people.iter().filter(|p| !present(p)).count() as f64 / n;
    assert!((0.005..0.05).contains(&gone), "moved or died {gone}");
}

#[test]
fn other_villages_and_days_pass_the_domain_checks() {
    for (code, day) in [
        ("11.01.01.2001", today()),
        ("33.74.01.1001", today()),
        (
            "96.01.01.1001",
            NaiveDate::from_ymd_opt(2030, 12, 31).unwrap(),
        ),
        (
            DEFAULT_VILLAGE,
            NaiveDate::from_ymd_opt(2012, 2, 29).unwrap(),
        ),
    ] {
        let opts = DemoOptions {
            village: KodeWilayah::parse(code).unwrap(),
            families: 300,
            seed: 9,
            today: day,
        };
        let mut niks = HashSet::new();
        for fam in generate(&opts) {
            let mut issues = Vec::new();
            assert!(check_family(&fam.values, &mut issues).is_some());
            for p in &fam.members {
                let mut checked = p.clone();
                check_person(&mut checked, day, &mut issues);
                assert!(niks.insert(ptext(p, "nik").unwrap().to_string()));
                for (field, v) in PERSON_FIELDS.iter().zip(p) {
                    if field.kind == puskesos_domain::model::Kind::Date
                        && let Some(d) = v.as_ref().and_then(Value::as_text)
                    {
                        assert!(parse_date(d).unwrap() <= day, "{code} {}", field.key);
                    }
                }
            }
            assert!(issues.is_empty(), "{code}: {issues:?}");
        }
    }
}

#[test]
#[should_panic(expected = "not a desa")]
fn rejects_a_kecamatan_code() {
    let mut opts = DemoOptions::new(1, 1, today());
    opts.village = KodeWilayah::parse("33.12.01").unwrap();
    generate(&opts);
}

/// Prints the village's make-up: `cargo test -p puskesos-demo -- --ignored --nocapture`.
#[test]
#[ignore]
fn print_statistics() {
    let start = std::time::Instant::now();
    let seed = std::env::var("DEMO_SEED").map_or(1, |s| s.parse().unwrap());
    let fams = village(3_000, seed);
    println!("generated in {:?}", start.elapsed());
    let mut hist = [0usize; 15];
    let mut per_criterion = [0usize; 14];
    for f in &fams {
        hist[bps14_met(f)] += 1;
        for (i, m) in bps14_criteria(f).iter().enumerate() {
            per_criterion[i] += usize::from(*m);
        }
    }
    println!("criteria met histogram: {hist:?}");
    for (name, n) in BPS14.iter().zip(per_criterion) {
        println!("  {name:32} {:5.1}%", 100.0 * n as f64 / fams.len() as f64);
    }
    let poor = hist[9..].iter().sum::<usize>();
    println!("poor share {:.2}%", 100.0 * poor as f64 / fams.len() as f64);
    let people: Vec<&Values> = fams.iter().flat_map(|f| &f.members).collect();
    let count = |key: &str| {
        let mut m = std::collections::BTreeMap::new();
        for p in &people {
            *m.entry(ptext(p, key).unwrap_or("-").to_string())
                .or_insert(0) += 1;
        }
        m
    };
    for key in [
        "hubungan",
        "status_kawin",
        "pendidikan",
        "pekerjaan",
        "status",
        "jenjang_sekolah",
    ] {
        println!("{key}: {:?}", count(key));
    }
    let mut sizes = std::collections::BTreeMap::new();
    for f in &fams {
        *sizes
            .entry(f.members.iter().filter(|p| present(p)).count())
            .or_insert(0) += 1;
    }
    println!("sizes: {sizes:?}");
    let size = |f: &DemoFamily| f.members.iter().filter(|p| present(p)).count() as f64;
    let poor: Vec<&DemoFamily> = fams.iter().filter(|f| bps14_met(f) >= 9).collect();
    println!(
        "mean size {:.2}, poor {:.2}",
        fams.iter().map(size).sum::<f64>() / fams.len() as f64,
        poor.iter().map(|f| size(f)).sum::<f64>() / poor.len() as f64
    );
    let fam_rate = |sel: &dyn Fn(&DemoFamily) -> bool, key: &str| {
        let sel: Vec<&DemoFamily> = fams.iter().filter(|f| sel(f)).collect();
        let hit = sel
            .iter()
            .filter(|f| get(FAMILY_FIELDS, &f.values, key).is_some())
            .count();
        100.0 * hit as f64 / sel.len() as f64
    };
    let is_poor = |f: &DemoFamily| bps14_met(f) >= 9;
    for key in ["desil", "pkh_sejak", "bpnt_sejak", "rs_rtlh_sejak"] {
        println!(
            "{key}: all {:.1}%, poor {:.1}%, non-poor {:.1}%",
            fam_rate(&|_| true, key),
            fam_rate(&is_poor, key),
            fam_rate(&|f| !is_poor(f), key)
        );
    }
    let mut desil = std::collections::BTreeMap::new();
    for f in &fams {
        let d = get(FAMILY_FIELDS, &f.values, "desil").and_then(Value::as_int);
        *desil.entry((d, is_poor(f))).or_insert(0) += 1;
    }
    println!("(desil, poor): {desil:?}");
    for key in [
        "pip_sejak",
        "pbi_jkn_sejak",
        "atensi_sejak",
        "hamil",
        "penyakit_kronis",
        "tingkat_disabilitas",
    ] {
        let n = people
            .iter()
            .filter(|p| get(PERSON_FIELDS, p, key).is_some())
            .count();
        println!("{key}: {n} people");
    }
    let pregnant = people
        .iter()
        .filter(|p| pint(p, "hamil") == Some(1))
        .count();
    println!("pregnant: {pregnant}");
    for poor in [true, false] {
        let (mut school, mut drop) = (0, 0);
        for f in fams.iter().filter(|f| is_poor(f) == poor) {
            for p in &f.members {
                let age = age_on(birth(p), today());
                if (7..=18).contains(&age) {
                    school += 1;
                    drop += usize::from(ptext(p, "jenjang_sekolah") == Some("tidak_sekolah"));
                }
            }
        }
        println!(
            "poor={poor}: drop-out {:.1}% of {school}",
            100.0 * drop as f64 / school as f64
        );
    }
    for f in fams.iter().take(3) {
        for p in &f.members {
            println!(
                "  {} {} {} {} {:?}",
                ptext(p, "nik").unwrap(),
                ptext(p, "nama").unwrap(),
                ptext(p, "tanggal_lahir").unwrap(),
                ptext(p, "hubungan").unwrap(),
                ptext(p, "pekerjaan")
            );
        }
    }
}
