//! The figures of the data and information centre on SQLite and PostgreSQL: the village
//! dashboard checked against counts made here from the generated families themselves (not
//! through the code under test), the RT/RW filter, cases and complaints with their medians, the
//! district roll-up agreeing with the dashboards and kept fresh by an edit, and the monthly
//! report.

use chrono::{Datelike, NaiveDate};
use puskesos_domain::access::Role;
use puskesos_domain::cases::{Sector, Step};
use puskesos_domain::complaints::{Action, Category};
use puskesos_domain::figures::{AGE_BANDS, Ppks};
use puskesos_domain::model::{FAMILY_FIELDS, PERSON_FIELDS, Value, Values, field_index};
use puskesos_domain::rules::assess::Assessor;
use puskesos_domain::wilayah::KodeWilayah;
use puskesos_storage::figures::{self, Filter};
use puskesos_storage::registry::{self, FamilyInput, Scope, WriteCtx};
use puskesos_storage::{Conn, StorageError, assessment, cases, complaints, testing};

const VILLAGES: [&str; 2] = ["33.12.01.2003", "33.12.01.2001"];

/// A fixed day (after the March 2026 events below): the figures never read the real clock
/// here, so midnight or a month's end cannot change them during a run.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, 15).unwrap()
}

fn ctx() -> WriteCtx {
    WriteCtx {
        actor: "test".into(),
        reason: None,
        source: "test".into(),
        // 10:00 on the fixed day.
        now_ms: figures::day_start_ms(today()) + 10 * 3_600_000,
    }
}

/// Saves two demo villages; returns the first village's generated families.
fn fill(conn: &mut Conn, per_village: usize) -> Vec<puskesos_demo::DemoFamily> {
    let mut first = Vec::new();
    let mut ids = puskesos_demo::DemoIds::default();
    for (i, v) in VILLAGES.iter().enumerate() {
        let opts = puskesos_demo::DemoOptions {
            village: KodeWilayah::parse(v).unwrap(),
            families: per_village,
            seed: 11 + i as u64,
            today: today(),
        };
        let generated = puskesos_demo::generate_with(&opts, &mut ids);
        conn.transaction(|c| {
            for fam in &generated {
                let input = FamilyInput::whole(fam.values.clone(), fam.members.clone());
                registry::save_family(c, &input, &ctx())?;
            }
            Ok::<_, StorageError>(())
        })
        .unwrap();
        if i == 0 {
            first = generated;
        }
    }
    first
}

fn text<'a>(
    values: &'a Values,
    fields: &[puskesos_domain::model::Field],
    key: &str,
) -> Option<&'a str> {
    match values[field_index(fields, key).unwrap()].as_ref() {
        Some(Value::Text(s)) => Some(s.as_str()),
        _ => None,
    }
}

fn int(values: &Values, fields: &[puskesos_domain::model::Field], key: &str) -> Option<i64> {
    match values[field_index(fields, key).unwrap()].as_ref() {
        Some(Value::Int(i)) => Some(*i),
        _ => None,
    }
}

/// Whole years, computed here without the domain's helper.
fn years(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut y = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        y -= 1;
    }
    y
}

/// The expected people figures of some families: total, `[band][sex]`, elderly, disabled,
/// pregnant.
fn expected_people(families: &[&puskesos_demo::DemoFamily]) -> (i64, Vec<[i64; 3]>, i64, i64, i64) {
    let (mut total, mut bands, mut elderly, mut disabled, mut pregnant) =
        (0, vec![[0i64; 3]; AGE_BANDS.len()], 0, 0, 0);
    for f in families {
        for m in &f.members {
            let p = PERSON_FIELDS;
            if matches!(text(m, p, "status"), Some("pindah" | "meninggal")) {
                continue;
            }
            total += 1;
            let birth = text(m, p, "tanggal_lahir")
                .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                .expect("demo people have birth dates");
            let age = years(birth, today());
            let band = (age / 5).min(15) as usize;
            let sex = match text(m, p, "jenis_kelamin") {
                Some("L") => 0,
                Some("P") => 1,
                _ => 2,
            };
            bands[band][sex] += 1;
            elderly += i64::from(age >= 60);
            disabled += i64::from(matches!(text(m, p, "disabilitas"), Some(d) if d != "tidak_ada"));
            pregnant += i64::from(int(m, p, "hamil") == Some(1));
        }
    }
    (total, bands, elderly, disabled, pregnant)
}

fn count(conn: &mut Conn, sql: &str) -> i64 {
    conn.query_i64(sql, &[]).unwrap()
}

#[test]
fn the_village_dashboard_agrees_with_the_raw_data_on_both_engines() {
    let assessor = Assessor::builtin(today());
    let mut seen = Vec::new();
    for t in testing::all() {
        let mut conn = t.db.conn().unwrap();
        let generated = fill(&mut conn, 120);
        assessment::assess_all(&t.db, &assessor, &Scope::default(), |_| {}).unwrap();
        let d = figures::village(
            &mut conn,
            &assessor,
            VILLAGES[0],
            &Filter::default(),
            today(),
        )
        .unwrap();

        let all: Vec<&puskesos_demo::DemoFamily> = generated.iter().collect();
        let (people, bands, elderly, disabled, pregnant) = expected_people(&all);
        assert_eq!(d.families, generated.len() as i64, "{}", t.label);
        assert_eq!(d.people, people, "{}", t.label);
        assert_eq!(d.age_sex, bands, "{}", t.label);
        assert_eq!(d.age_unknown, 0);
        let ppks = |c: Ppks| d.ppks.iter().find(|(k, _)| *k == c).unwrap().1;
        assert_eq!(ppks(Ppks::Lansia), elderly, "{}", t.label);
        assert_eq!(ppks(Ppks::Disabilitas), disabled, "{}", t.label);
        assert_eq!(ppks(Ppks::IbuHamil), pregnant, "{}", t.label);
        assert!(
            elderly > 0 && disabled > 0,
            "the demo has elderly and disabled people"
        );
        let damaged = generated
            .iter()
            .filter(|f| {
                matches!(
                    text(&f.values, FAMILY_FIELDS, "kondisi_rumah"),
                    Some("rusak_sedang" | "rusak_berat")
                )
            })
            .count() as i64;
        assert_eq!(ppks(Ppks::RumahTidakLayak), damaged);
        let poor = count(
            &mut conn,
            "SELECT COUNT(*) FROM assessments WHERE kode_wilayah = '33.12.01.2003' \
             AND fakir_miskin = 'poor'",
        );
        assert_eq!(ppks(Ppks::FakirMiskin), poor);
        assert!(poor > 0, "the demo has families poor by Kepmensos 262");

        // Deciles: official where known, else the local estimate, as stored.
        let stored_d1 = count(
            &mut conn,
            "SELECT COUNT(*) FROM assessments WHERE kode_wilayah = '33.12.01.2003' \
             AND desil_efektif = 1",
        );
        assert_eq!(d.deciles[1], stored_d1);
        assert_eq!(d.deciles.iter().sum::<i64>(), d.families);

        // Programs: gaps as stored in the gap table, receipt as recorded in the registry.
        assert_eq!(d.assessed, d.families);
        for p in &d.programs {
            for (gap, got) in [
                ("exclusion", p.exclusion),
                ("inclusion", p.inclusion),
                ("undecided", p.undecided),
            ] {
                let want = count(
                    &mut conn,
                    &format!(
                        "SELECT COUNT(*) FROM program_gaps WHERE kode_wilayah = '33.12.01.2003' \
                         AND program = '{}' AND gap = '{gap}'",
                        p.program
                    ),
                );
                assert_eq!(got, want, "{} {} {gap}", t.label, p.program);
            }
            assert_eq!(p.covered + p.exclusion, p.eligible);
            // Families to review (issue 18) are counted from their gap rows, apart.
            let review = count(
                &mut conn,
                &format!(
                    "SELECT COUNT(*) FROM program_gaps WHERE kode_wilayah = '33.12.01.2003' \
                     AND program = '{}' AND gap = 'review'",
                    p.program
                ),
            );
            assert_eq!(d.review.get(&p.program).copied().unwrap_or(0), review);
        }
        let pkh = d.programs.iter().find(|p| p.program == "pkh").unwrap();
        let with_pkh = generated
            .iter()
            .filter(|f| text(&f.values, FAMILY_FIELDS, "pkh_sejak").is_some())
            .count() as i64;
        assert_eq!(pkh.receiving, with_pkh);
        let pip = d.programs.iter().find(|p| p.program == "pip").unwrap();
        let with_pip = generated
            .iter()
            .filter(|f| {
                f.members.iter().any(|m| {
                    text(m, PERSON_FIELDS, "pip_sejak").is_some()
                        && !matches!(
                            text(m, PERSON_FIELDS, "status"),
                            Some("pindah" | "meninggal")
                        )
                })
            })
            .count() as i64;
        assert_eq!(pip.receiving, with_pip);
        let excluded_rupiah = count(
            &mut conn,
            "SELECT CAST(SUM(amount) AS BIGINT) FROM program_gaps WHERE kode_wilayah = '33.12.01.2003' \
             AND program = 'bpnt' AND gap = 'exclusion'",
        );
        assert_eq!(
            d.exclusion_amount.get("bpnt").copied(),
            Some(excluded_rupiah)
        );

        // One RW only.
        let rw = text(&generated[0].values, FAMILY_FIELDS, "rw")
            .unwrap()
            .to_string();
        let in_rw: Vec<&puskesos_demo::DemoFamily> = generated
            .iter()
            .filter(|f| text(&f.values, FAMILY_FIELDS, "rw") == Some(rw.as_str()))
            .collect();
        assert!(in_rw.len() < generated.len(), "the demo has several RWs");
        let filter = Filter {
            rw: Some(rw.clone()),
            ..Default::default()
        };
        let part = figures::village(&mut conn, &assessor, VILLAGES[0], &filter, today()).unwrap();
        let (people_rw, bands_rw, ..) = expected_people(&in_rw);
        assert_eq!(part.families, in_rw.len() as i64);
        assert_eq!(part.people, people_rw);
        assert_eq!(part.age_sex, bands_rw);

        // The roll-up agrees with the dashboards of its villages.
        let rollup = figures::district(&mut conn, Some("33.12")).unwrap();
        assert_eq!(rollup.len(), 2, "{}", t.label);
        let r0 = rollup.iter().find(|r| r.village == VILLAGES[0]).unwrap();
        assert_eq!(r0.families, d.families);
        assert_eq!(r0.people, d.people);
        let mut stored = r0.programs.clone();
        stored.sort_by(|a, b| a.program.cmp(&b.program));
        let mut live = d.programs.clone();
        live.sort_by(|a, b| a.program.cmp(&b.program));
        assert_eq!(stored, live, "{}", t.label);
        assert!(
            figures::district(&mut conn, Some("33.13"))
                .unwrap()
                .is_empty()
        );
        seen.push((d.people, d.programs.clone(), d.deciles.clone()));
    }
    if seen.len() == 2 {
        assert_eq!(seen[0], seen[1], "the same figures on both engines");
    }
}

#[test]
fn an_edit_refreshes_the_roll_up() {
    let assessor = Assessor::builtin(today());
    for t in testing::all() {
        let mut conn = t.db.conn().unwrap();
        fill(&mut conn, 30);
        assessment::assess_all(&t.db, &assessor, &Scope::default(), |_| {}).unwrap();
        let before = figures::district(&mut conn, None).unwrap();
        let bpnt = |r: &[figures::VillageRollup]| {
            r.iter()
                .find(|v| v.village == VILLAGES[0])
                .unwrap()
                .programs
                .iter()
                .find(|p| p.program == "bpnt")
                .unwrap()
                .clone()
        };
        // A family of decile 9 without BPNT becomes decile 1: one more exclusion at once.
        let id = conn
            .query_opt(
                "SELECT id FROM families WHERE kode_wilayah = '33.12.01.2003' AND desil = 9 \
                 AND bpnt_sejak IS NULL ORDER BY no_kk LIMIT 1",
                &[],
            )
            .unwrap()
            .and_then(|r| r.into_iter().next())
            .and_then(|v| v.into_string())
            .expect("a desil 9 family");
        conn.execute(
            "UPDATE families SET desil = 1 WHERE id = $1",
            &[id.as_str().into()],
        )
        .unwrap();
        assessment::reassess(&mut conn, &assessor, &[&id]).unwrap();
        let after = figures::district(&mut conn, None).unwrap();
        assert_eq!(
            bpnt(&after).exclusion,
            bpnt(&before).exclusion + 1,
            "{}",
            t.label
        );
        assert_eq!(bpnt(&after).eligible, bpnt(&before).eligible + 1);
    }
}

const DAY: i64 = 86_400_000;

#[test]
fn cases_and_complaints_are_counted_with_their_medians_and_in_the_monthly_report() {
    let assessor = Assessor::builtin(today());
    for t in testing::all() {
        let mut conn = t.db.conn().unwrap();
        let v = VILLAGES[0];
        // All in March 2026 (local time), closings 2 and 4 days after opening.
        let start = figures::day_start_ms(NaiveDate::from_ymd_opt(2026, 3, 2).unwrap());
        let new_case = |sector| cases::NewCase {
            village: v.into(),
            channel: "datang".into(),
            sector: Some(sector),
            summary: "butuh bantuan".into(),
            contact_name: Some("Warga".into()),
            consent_purpose: "layanan".into(),
            ..Default::default()
        };
        let mut ids = Vec::new();
        for (i, sector) in [Sector::Kesehatan, Sector::Kesehatan, Sector::Pendidikan]
            .into_iter()
            .enumerate()
        {
            let c = cases::open(
                &mut conn,
                &new_case(sector),
                "fo",
                Role::PenerimaInformasi,
                start + i as i64,
            )
            .unwrap()
            .unwrap();
            ids.push(c.id);
        }
        let close = |conn: &mut Conn, id: &str, section: Role, at: i64| {
            for (step, role, note) in [
                (Step::Assign, Role::PenerimaInformasi, ""),
                (Step::Recommend, section, "rekomendasi"),
                (Step::Decide, Role::KepalaDesa, "setuju"),
                (Step::Refer, Role::ReviewAnalisis, "rujuk"),
                (Step::FollowUp, section, "dilayani"),
                (Step::Close, Role::Ketua, ""),
            ] {
                cases::take_step(conn, v, id, step, role, "x", note, at)
                    .unwrap()
                    .unwrap();
            }
        };
        close(&mut conn, &ids[0], Role::BagianKesehatan, start + 2 * DAY);
        close(&mut conn, &ids[2], Role::BagianPendidikan, start + 4 * DAY);
        for (cat, resolve_after) in [
            (Category::Pengaduan, Some(6)),
            (Category::Pengaduan, None),
            (Category::Pertanyaan, Some(1)),
        ] {
            let (c, _) = complaints::open(
                &mut conn,
                &complaints::NewComplaint {
                    village: v.into(),
                    category: Some(cat),
                    summary: "bantuan belum cair".into(),
                    ..Default::default()
                },
                "fo",
                Role::PenerimaInformasi,
                start,
            )
            .unwrap()
            .unwrap();
            if let Some(days) = resolve_after {
                complaints::act(
                    &mut conn,
                    v,
                    &c.id,
                    Action::Resolve,
                    Role::Ketua,
                    "x",
                    "dijawab",
                    start + days * DAY,
                )
                .unwrap()
                .unwrap();
            }
        }

        let march = Filter::month(2026, 3).unwrap();
        let d = figures::village(&mut conn, &assessor, v, &march, today()).unwrap();
        assert_eq!(
            (d.cases.opened, d.cases.closed, d.cases.open),
            (3, 2, 1),
            "{}",
            t.label
        );
        let days = d.cases.median_days_to_close.unwrap();
        assert!((days - 3.0).abs() < 0.01, "median {days}");
        let health = d
            .cases
            .by_sector
            .iter()
            .find(|s| s.sector == "kesehatan")
            .unwrap();
        assert_eq!((health.opened, health.closed, health.open), (2, 1, 1));
        let pengaduan = d
            .complaints
            .iter()
            .find(|c| c.category == "pengaduan")
            .unwrap();
        assert_eq!(
            (pengaduan.opened, pengaduan.resolved, pengaduan.open),
            (2, 1, 1)
        );
        assert_eq!(
            pengaduan.overdue, 1,
            "opened in March, 14-day deadline passed"
        );
        assert_eq!(pengaduan.median_days_to_resolve, Some(6.0));
        // Referrals went out with the Refer step of the two closed cases only through
        // `cases::refer`; take_step's Refer records the step, not a referral.
        // April: nothing opened, nothing closed; the case still open counts as open.
        let april = Filter::month(2026, 4).unwrap();
        let a = figures::village(&mut conn, &assessor, v, &april, today()).unwrap();
        assert_eq!((a.cases.opened, a.cases.closed, a.cases.open), (0, 0, 1));
        let february = Filter::month(2026, 2).unwrap();
        let f = figures::village(&mut conn, &assessor, v, &february, today()).unwrap();
        assert_eq!(
            (f.cases.opened, f.cases.open),
            (0, 0),
            "not yet opened in February"
        );

        let m = figures::monthly(&mut conn, &assessor, v, 2026, 3)
            .unwrap()
            .unwrap();
        assert_eq!(m.cases.opened, 3);
        assert_eq!(
            m.people_served, 3,
            "three cases, no linked person: each counted once"
        );
        assert_eq!(m.complaints.iter().map(|c| c.opened).sum::<i64>(), 3);
        assert!(
            figures::monthly(&mut conn, &assessor, v, 2026, 13)
                .unwrap()
                .is_none()
        );
        // The roll-up counts the open case and the open complaint live.
        let r = figures::district(&mut conn, Some("33.12")).unwrap();
        let r0 = r.iter().find(|x| x.village == v).unwrap();
        assert_eq!(
            (r0.open_cases, r0.open_complaints, r0.overdue_complaints),
            (1, 1, 1),
            "{}",
            t.label
        );
    }
}
