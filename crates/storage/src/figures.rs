//! The figures of the data and information centre (issue 6): a village's dashboard for any
//! RT/RW and period, the district roll-up over precomputed per-village tallies, and the monthly
//! report to the Dinas Sosial. Aggregates only: nothing here returns a name, NIK or address.
//!
//! Freshness: `village_program_stats` is rewritten in the same transaction as every write of a
//! village's assessments (the batch, an import, each edit's reassessment), so the roll-up is as
//! fresh as the gap lists; cases, referrals and complaints are counted live.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate, NaiveTime, TimeZone};
use puskesos_domain::figures::{
    AGE_BANDS, PersonFacts, Ppks, ProgramTally, Tallies, age_band, family_ppks, median, person_ppks,
};
use puskesos_domain::rules::assess::Assessor;

use crate::{Conn, SqlValue, StorageError, now_ms};

const DAY_MS: f64 = 86_400_000.0;

/// Dates are the centre's local dates; Western Indonesia Time (UTC+7) covers most villages.
fn local_offset() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(7 * 3600).expect("a valid offset")
}

/// The first millisecond of a local date.
pub fn day_start_ms(day: NaiveDate) -> i64 {
    local_offset()
        .from_local_datetime(&day.and_time(NaiveTime::MIN))
        .single()
        .map_or(0, |t| t.timestamp_millis())
}

/// Today's local date.
pub fn today() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&local_offset())
        .date_naive()
}

/// Which part of a village and which period the figures are about. The period applies to
/// events (cases, referrals, complaints, activities); the population is as of today.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub rw: Option<String>,
    pub rt: Option<String>,
    /// First day of the period.
    pub from: Option<NaiveDate>,
    /// Last day of the period (inclusive).
    pub to: Option<NaiveDate>,
}

impl Filter {
    /// The period as `[start, end)` milliseconds.
    pub fn period_ms(&self) -> (i64, i64) {
        (
            self.from.map_or(i64::MIN, day_start_ms),
            self.to
                .and_then(|d| d.succ_opt())
                .map_or(i64::MAX, day_start_ms),
        )
    }

    /// The whole of `year`-`month`.
    pub fn month(year: i32, month: u32) -> Option<Filter> {
        let from = NaiveDate::from_ymd_opt(year, month, 1)?;
        let next = if month == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)?
        } else {
            NaiveDate::from_ymd_opt(year, month + 1, 1)?
        };
        Some(Filter {
            from: Some(from),
            to: next.pred_opt(),
            ..Default::default()
        })
    }

    /// The village (`$1`) and the RT/RW filter as conditions on `families f`, with their values.
    fn scope(&self, village: &str) -> (String, Vec<SqlValue>) {
        let mut sql = String::new();
        let mut values: Vec<SqlValue> = vec![village.into()];
        for (col, v) in [("f.rw", &self.rw), ("f.rt", &self.rt)] {
            if let Some(v) = v {
                values.push(v.as_str().into());
                sql.push_str(&format!(" AND {col} = ${}", values.len()));
            }
        }
        (sql, values)
    }

    /// The join that ties a case (`c`) to its family when an RT/RW filter is set: cases without
    /// a family then drop out.
    fn case_join(&self) -> &'static str {
        if self.rw.is_some() || self.rt.is_some() {
            "JOIN families f ON f.id = c.family_id"
        } else {
            ""
        }
    }
}

/// Cases of the period by sector.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SectorRow {
    pub sector: String,
    pub opened: i64,
    pub open: i64,
    pub closed: i64,
    pub refused: i64,
}

/// Cases: opened and closed in the period, open now (opened before its end), with the median
/// days from opening to closing of the cases closed in the period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaseFigures {
    pub opened: i64,
    pub open: i64,
    pub closed: i64,
    pub refused: i64,
    pub median_days_to_close: Option<f64>,
    pub by_sector: Vec<SectorRow>,
}

/// Referrals sent in the period by sector and status; overdue ones (still unanswered or
/// accepted, past the due date) now.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReferralFigures {
    /// `(sector, status) -> count`.
    pub by_sector_status: BTreeMap<(String, String), i64>,
    pub sent: i64,
    pub overdue: i64,
    pub median_days_to_answer: Option<f64>,
}

/// Complaints of one category: opened and resolved in the period, open and overdue now.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ComplaintRow {
    pub category: String,
    pub opened: i64,
    pub resolved: i64,
    pub open: i64,
    pub overdue: i64,
    pub median_days_to_resolve: Option<f64>,
}

/// A village's dashboard.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dashboard {
    pub village: String,
    pub today: NaiveDate,
    pub families: i64,
    pub people: i64,
    /// Per age band: `[men, women, sex not recorded]`.
    pub age_sex: Vec<[i64; 3]>,
    /// People whose birth date is not recorded (or lies in the future).
    pub age_unknown: i64,
    pub ppks: Vec<(Ppks, i64)>,
    /// Families by effective decile: index 0 = none known, 1..=10 the deciles.
    pub deciles: Vec<i64>,
    /// Families whose assessment is stored (the base of the program figures).
    pub assessed: i64,
    /// The reference date of the village's stored assessment (`None` before the first run).
    pub assessed_on: Option<NaiveDate>,
    pub programs: Vec<ProgramTally>,
    /// Yearly rupiah the excluded eligible families would receive, per program: decided and
    /// known amounts only.
    pub exclusion_amount: BTreeMap<String, i64>,
    /// Excluded families whose amount is not known (a fact it needs is missing), per program:
    /// counted apart, never added to `exclusion_amount` as 0.
    pub exclusion_amount_unknown: BTreeMap<String, i64>,
    /// Families to review per program: eligible only through another program they receive in
    /// error (neither an exclusion nor counted as eligible).
    pub review: BTreeMap<String, i64>,
    pub cases: CaseFigures,
    pub referrals: ReferralFigures,
    pub complaints: Vec<ComplaintRow>,
}

fn text(v: &SqlValue) -> Option<&str> {
    v.as_str().filter(|s| !s.is_empty())
}

fn int(v: &SqlValue) -> Option<i64> {
    v.as_i64()
}

fn in_period(at: i64, (lo, hi): (i64, i64)) -> bool {
    lo <= at && at < hi
}

fn days(from: i64, to: i64) -> f64 {
    (to - from) as f64 / DAY_MS
}

/// The program codes of the rule set in force, in its order.
pub fn program_codes(assessor: &Assessor) -> Vec<&str> {
    assessor
        .rules
        .programs
        .iter()
        .map(|p| p.code.as_str())
        .collect()
}

/// A village's dashboard on `today` for `filter`.
pub fn village(
    conn: &mut Conn,
    assessor: &Assessor,
    village: &str,
    filter: &Filter,
    today: NaiveDate,
) -> Result<Dashboard, StorageError> {
    let mut d = Dashboard {
        village: village.to_string(),
        today,
        age_sex: vec![[0; 3]; AGE_BANDS.len()],
        deciles: vec![0; 11],
        ..Default::default()
    };
    let (area, params) = filter.scope(village);
    // Read here, not through `assessment` (which uses this module).
    d.assessed_on = conn
        .query_opt(
            "SELECT tanggal_acuan FROM assessment_runs WHERE kode_wilayah = $1",
            &[village.into()],
        )?
        .and_then(|r| r.into_iter().next())
        .and_then(SqlValue::into_string)
        .and_then(|s| s.parse().ok());

    // People: age and sex, person-level PPKS.
    let mut ppks: HashMap<Ppks, i64> = HashMap::new();
    conn.for_each(
        &format!(
            "SELECT p.jenis_kelamin, p.tanggal_lahir, p.disabilitas, p.penyakit_kronis, p.hamil, \
             p.jenjang_sekolah FROM persons p JOIN families f ON f.id = p.family_id \
             WHERE p.kode_wilayah = $1 AND (p.status IS NULL OR p.status = 'ada'){area}"
        ),
        &params,
        |r| {
            let facts = PersonFacts {
                sex: text(&r[0]),
                birth: text(&r[1]).and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()),
                disability: text(&r[2]),
                chronic_illness: text(&r[3]),
                pregnant: int(&r[4]) == Some(1),
                school_level: text(&r[5]),
            };
            d.people += 1;
            let band = facts
                .birth
                .and_then(|b| age_band(puskesos_domain::rules::facts::age_on(b, today)));
            match band {
                Some(b) => {
                    let sex = match facts.sex {
                        Some("L") => 0,
                        Some("P") => 1,
                        _ => 2,
                    };
                    d.age_sex[b][sex] += 1;
                }
                None => d.age_unknown += 1,
            }
            for c in person_ppks(&facts, today) {
                *ppks.entry(c).or_default() += 1;
            }
            Ok(())
        },
    )?;

    // Families: deciles, family-level PPKS, program tallies.
    let mut tallies = Tallies::new(program_codes(assessor));
    conn.for_each(
        &format!(
            "SELECT f.kondisi_rumah, f.desil, a.desil_efektif, a.fakir_miskin, a.layak, \
             a.menerima, a.kurang_data, a.family_id FROM families f \
             LEFT JOIN assessments a ON a.kode_wilayah = f.kode_wilayah AND a.family_id = f.id \
             WHERE f.kode_wilayah = $1{area}"
        ),
        &params,
        |r| {
            d.families += 1;
            let decile = int(&r[2]).or(int(&r[1])).filter(|x| (1..=10).contains(x));
            d.deciles[decile.unwrap_or(0) as usize] += 1;
            for c in family_ppks(text(&r[0]), text(&r[3])) {
                *ppks.entry(c).or_default() += 1;
            }
            if text(&r[7]).is_some() {
                d.assessed += 1;
                tallies.add(
                    text(&r[4]).unwrap_or(""),
                    text(&r[5]).unwrap_or(""),
                    text(&r[6]).unwrap_or(""),
                );
            }
            Ok(())
        },
    )?;
    d.ppks = Ppks::ALL
        .iter()
        .map(|c| (*c, ppks.get(c).copied().unwrap_or(0)))
        .collect();
    d.programs = tallies.0;
    for r in conn.query(
        &format!(
            "SELECT g.program, \
             CAST(COALESCE(SUM(CASE WHEN g.amount_known = 0 THEN 0 ELSE g.amount END), 0) AS BIGINT), \
             CAST(COALESCE(SUM(CASE WHEN g.amount_known = 0 THEN 1 ELSE 0 END), 0) AS BIGINT) \
             FROM program_gaps g \
             JOIN families f ON f.id = g.family_id \
             WHERE g.kode_wilayah = $1 AND g.gap = 'exclusion'{area} GROUP BY g.program"
        ),
        &params,
    )? {
        // `amount_known` NULL: a row stored before it was kept, whose amount was known.
        if let (Some(p), Some(n), Some(u)) = (text(&r[0]), int(&r[1]), int(&r[2])) {
            d.exclusion_amount.insert(p.to_string(), n);
            d.exclusion_amount_unknown.insert(p.to_string(), u);
        }
    }
    for r in conn.query(
        &format!(
            "SELECT g.program, COUNT(*) FROM program_gaps g \
             JOIN families f ON f.id = g.family_id \
             WHERE g.kode_wilayah = $1 AND g.gap = 'review'{area} GROUP BY g.program"
        ),
        &params,
    )? {
        if let (Some(p), Some(n)) = (text(&r[0]), int(&r[1])) {
            d.review.insert(p.to_string(), n);
        }
    }

    d.cases = cases(conn, village, filter)?;
    d.referrals = referrals(conn, village, filter)?;
    d.complaints = complaints(conn, village, filter)?;
    Ok(d)
}

/// Case figures; with an RT/RW filter only cases linked to a family there count.
fn cases(conn: &mut Conn, village: &str, filter: &Filter) -> Result<CaseFigures, StorageError> {
    let period = filter.period_ms();
    let (area, params) = filter.scope(village);
    let join = filter.case_join();
    // When each case ended: its last closing or refusing event.
    let mut ended: HashMap<String, i64> = HashMap::new();
    for r in conn.query(
        "SELECT case_id, MAX(at) FROM case_events WHERE kode_wilayah = $1 \
         AND (to_state = 'closed' OR to_state = 'refused') GROUP BY case_id",
        &[village.into()],
    )? {
        if let (Some(id), Some(at)) = (text(&r[0]), int(&r[1])) {
            ended.insert(id.to_string(), at);
        }
    }
    let mut out = CaseFigures::default();
    let mut sectors: BTreeMap<String, SectorRow> = BTreeMap::new();
    let mut to_close = Vec::new();
    conn.for_each(
        &format!(
            "SELECT c.id, c.sector, c.state, c.opened_at FROM cases c {join} \
             WHERE c.kode_wilayah = $1{area}"
        ),
        &params,
        |r| {
            let (Some(id), Some(sector), Some(state), Some(opened)) =
                (text(&r[0]), text(&r[1]), text(&r[2]), int(&r[3]))
            else {
                return Ok(());
            };
            let row = sectors
                .entry(sector.to_string())
                .or_insert_with(|| SectorRow {
                    sector: sector.to_string(),
                    ..Default::default()
                });
            if in_period(opened, period) {
                out.opened += 1;
                row.opened += 1;
            }
            let terminal = matches!(state, "closed" | "refused");
            if !terminal && opened < period.1 {
                out.open += 1;
                row.open += 1;
            }
            if let Some(at) = ended.get(id).copied().filter(|at| in_period(*at, period)) {
                if state == "closed" {
                    out.closed += 1;
                    row.closed += 1;
                    to_close.push(days(opened, at));
                } else if state == "refused" {
                    out.refused += 1;
                    row.refused += 1;
                }
            }
            Ok(())
        },
    )?;
    out.median_days_to_close = median(&mut to_close);
    out.by_sector = sectors
        .into_values()
        .filter(|s| s.opened + s.open + s.closed + s.refused > 0)
        .collect();
    Ok(out)
}

fn referrals(
    conn: &mut Conn,
    village: &str,
    filter: &Filter,
) -> Result<ReferralFigures, StorageError> {
    let period = filter.period_ms();
    let now = now_ms();
    let (area, params) = filter.scope(village);
    let join = filter.case_join();
    let mut out = ReferralFigures::default();
    let mut answer_days = Vec::new();
    conn.for_each(
        &format!(
            "SELECT c.sector, r.status, r.sent_at, r.due_at, r.answered_at FROM referrals r \
             JOIN cases c ON c.kode_wilayah = r.kode_wilayah AND c.id = r.case_id {join} \
             WHERE r.kode_wilayah = $1{area}"
        ),
        &params,
        |r| {
            let (Some(sector), Some(status), Some(sent), Some(due)) =
                (text(&r[0]), text(&r[1]), int(&r[2]), int(&r[3]))
            else {
                return Ok(());
            };
            let open = !matches!(status, "selesai" | "ditolak");
            if open && due < now && sent < period.1 {
                out.overdue += 1;
            }
            if in_period(sent, period) {
                out.sent += 1;
                *out.by_sector_status
                    .entry((sector.to_string(), status.to_string()))
                    .or_default() += 1;
                if let Some(answered) = int(&r[4]) {
                    answer_days.push(days(sent, answered));
                }
            }
            Ok(())
        },
    )?;
    out.median_days_to_answer = median(&mut answer_days);
    Ok(out)
}

/// Complaints by category. Complaints are not tied to a family, so the RT/RW filter does not
/// apply to them (the page says so).
fn complaints(
    conn: &mut Conn,
    village: &str,
    filter: &Filter,
) -> Result<Vec<ComplaintRow>, StorageError> {
    let period = filter.period_ms();
    let now = now_ms();
    let mut rows: BTreeMap<String, (ComplaintRow, Vec<f64>)> =
        puskesos_domain::complaints::Category::ALL
            .iter()
            .map(|c| {
                (
                    c.code().to_string(),
                    (
                        ComplaintRow {
                            category: c.code().to_string(),
                            ..Default::default()
                        },
                        Vec::new(),
                    ),
                )
            })
            .collect();
    conn.for_each(
        "SELECT category, status, opened_at, deadline_at, resolved_at FROM complaints \
         WHERE kode_wilayah = $1",
        &[village.into()],
        |r| {
            let (Some(cat), Some(status), Some(opened), Some(deadline)) =
                (text(&r[0]), text(&r[1]), int(&r[2]), int(&r[3]))
            else {
                return Ok(());
            };
            let Some((row, spans)) = rows.get_mut(cat) else {
                return Ok(());
            };
            if in_period(opened, period) {
                row.opened += 1;
            }
            let resolved = int(&r[4]).filter(|_| status == "selesai");
            match resolved {
                Some(at) if in_period(at, period) => {
                    row.resolved += 1;
                    spans.push(days(opened, at));
                }
                Some(_) => {}
                None if opened < period.1 => {
                    row.open += 1;
                    if deadline < now {
                        row.overdue += 1;
                    }
                }
                None => {}
            }
            Ok(())
        },
    )?;
    Ok(rows
        .into_values()
        .map(|(mut row, mut spans)| {
            row.median_days_to_resolve = median(&mut spans);
            row
        })
        .collect())
}

/// Rewrites a village's per-program tallies from its stored assessments (after one family's
/// reassessment). Called inside the transaction that wrote them.
pub fn refresh_village_stats(
    conn: &mut Conn,
    assessor: &Assessor,
    village: &str,
) -> Result<(), StorageError> {
    let mut tallies = Tallies::new(program_codes(assessor));
    let mut families = 0;
    conn.for_each(
        "SELECT layak, menerima, kurang_data FROM assessments WHERE kode_wilayah = $1",
        &[village.into()],
        |r| {
            families += 1;
            tallies.add(
                text(&r[0]).unwrap_or(""),
                text(&r[1]).unwrap_or(""),
                text(&r[2]).unwrap_or(""),
            );
            Ok(())
        },
    )?;
    let people = conn.query_i64(
        "SELECT COUNT(*) FROM persons WHERE kode_wilayah = $1 \
         AND (status IS NULL OR status = 'ada')",
        &[village.into()],
    )?;
    let mut amounts: HashMap<String, i64> = HashMap::new();
    for r in conn.query(
        "SELECT program, CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM program_gaps \
         WHERE kode_wilayah = $1 AND gap = 'exclusion' GROUP BY program",
        &[village.into()],
    )? {
        if let (Some(p), Some(n)) = (text(&r[0]), int(&r[1])) {
            amounts.insert(p.to_string(), n);
        }
    }
    write_village_stats(conn, village, families, people, &tallies, &amounts)
}

/// Stores a village's tallies (replacing the old ones): from the batch assessment, which has
/// them in memory, or from [`refresh_village_stats`].
pub fn write_village_stats(
    conn: &mut Conn,
    village: &str,
    families: i64,
    people: i64,
    tallies: &Tallies,
    exclusion_amounts: &HashMap<String, i64>,
) -> Result<(), StorageError> {
    conn.execute(
        "DELETE FROM village_program_stats WHERE kode_wilayah = $1",
        &[village.into()],
    )?;
    let at = now_ms();
    // Exclusion rows whose amount is not known, counted apart (the gap rows are already
    // written in this transaction, by the batch or the edit).
    let mut unknown: HashMap<String, i64> = HashMap::new();
    for r in conn.query(
        "SELECT program, COUNT(*) FROM program_gaps WHERE kode_wilayah = $1 \
         AND gap = 'exclusion' AND amount_known = 0 GROUP BY program",
        &[village.into()],
    )? {
        if let (Some(p), Some(n)) = (text(&r[0]), int(&r[1])) {
            unknown.insert(p.to_string(), n);
        }
    }
    for t in &tallies.0 {
        conn.execute(
            "INSERT INTO village_program_stats (kode_wilayah, program, families, people, \
             eligible, receiving, covered, exclusion, inclusion, undecided, exclusion_amount, \
             computed_at, exclusion_unknown) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            &[
                village.into(),
                t.program.as_str().into(),
                families.into(),
                people.into(),
                t.eligible.into(),
                t.receiving.into(),
                t.covered.into(),
                t.exclusion.into(),
                t.inclusion.into(),
                t.undecided.into(),
                exclusion_amounts
                    .get(&t.program)
                    .copied()
                    .unwrap_or(0)
                    .into(),
                at.into(),
                unknown.get(&t.program).copied().unwrap_or(0).into(),
            ],
        )?;
    }
    Ok(())
}

/// One village in the district roll-up.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VillageRollup {
    pub village: String,
    pub families: i64,
    pub people: i64,
    pub programs: Vec<ProgramTally>,
    /// Known rupiah only; the families whose amount is not known are counted apart.
    pub exclusion_amount: i64,
    pub exclusion_unknown: i64,
    pub open_cases: i64,
    pub overdue_referrals: i64,
    pub open_complaints: i64,
    pub overdue_complaints: i64,
    /// When its tallies were computed (ms).
    pub computed_at: i64,
}

impl VillageRollup {
    /// Eligible families receiving, over all programs, per mille of the eligible.
    pub fn coverage_permille(&self) -> Option<i64> {
        let (e, c) = self
            .programs
            .iter()
            .fold((0, 0), |(e, c), t| (e + t.eligible, c + t.covered));
        (e > 0).then(|| c * 1000 / e)
    }
    pub fn exclusion(&self) -> i64 {
        self.programs.iter().map(|t| t.exclusion).sum()
    }
    pub fn inclusion(&self) -> i64 {
        self.programs.iter().map(|t| t.inclusion).sum()
    }
}

/// Every village whose code starts with `prefix` (`PP.KK` a kab/kota, `PP.KK.CC` a kecamatan;
/// `None` all), from the precomputed tallies plus live counts of open work. Prefix ranges, not
/// `LIKE`, so the leading village code of every key serves it on any engine.
pub fn district(conn: &mut Conn, prefix: Option<&str>) -> Result<Vec<VillageRollup>, StorageError> {
    let (lo, hi) = match prefix {
        Some(p) => (format!("{p}."), format!("{p}/")),
        None => (String::new(), "\u{10FFFF}".to_string()),
    };
    let range = [SqlValue::from(lo.as_str()), SqlValue::from(hi.as_str())];
    let mut out: BTreeMap<String, VillageRollup> = BTreeMap::new();
    conn.for_each(
        "SELECT kode_wilayah, program, families, people, eligible, receiving, covered, \
         exclusion, inclusion, undecided, exclusion_amount, computed_at, exclusion_unknown \
         FROM village_program_stats WHERE kode_wilayah >= $1 AND kode_wilayah < $2 \
         ORDER BY kode_wilayah, program",
        &range,
        |r| {
            let n = |i: usize| int(&r[i]).unwrap_or(0);
            let Some(v) = text(&r[0]) else { return Ok(()) };
            let e = out.entry(v.to_string()).or_insert_with(|| VillageRollup {
                village: v.to_string(),
                ..Default::default()
            });
            e.families = n(2);
            e.people = n(3);
            e.exclusion_amount += n(10);
            e.exclusion_unknown += n(12);
            e.computed_at = e.computed_at.max(n(11));
            e.programs.push(ProgramTally {
                program: text(&r[1]).unwrap_or("").to_string(),
                eligible: n(4),
                receiving: n(5),
                covered: n(6),
                exclusion: n(7),
                inclusion: n(8),
                undecided: n(9),
            });
            Ok(())
        },
    )?;
    let now = now_ms();
    let mut live = |sql: &str, params: &[SqlValue], set: fn(&mut VillageRollup, i64)| {
        conn.for_each(sql, params, |r| {
            if let (Some(v), Some(n)) = (text(&r[0]), int(&r[1])) {
                let e = out.entry(v.to_string()).or_insert_with(|| VillageRollup {
                    village: v.to_string(),
                    ..Default::default()
                });
                set(e, n);
            }
            Ok(())
        })
    };
    let with_now = [range[0].clone(), range[1].clone(), now.into()];
    live(
        "SELECT kode_wilayah, COUNT(*) FROM cases WHERE kode_wilayah >= $1 AND kode_wilayah < $2 \
         AND state <> 'closed' AND state <> 'refused' GROUP BY kode_wilayah",
        &range,
        |e, n| e.open_cases = n,
    )?;
    live(
        "SELECT kode_wilayah, COUNT(*) FROM referrals WHERE kode_wilayah >= $1 \
         AND kode_wilayah < $2 AND status <> 'selesai' AND status <> 'ditolak' AND due_at < $3 \
         GROUP BY kode_wilayah",
        &with_now,
        |e, n| e.overdue_referrals = n,
    )?;
    live(
        "SELECT kode_wilayah, COUNT(*) FROM complaints WHERE kode_wilayah >= $1 \
         AND kode_wilayah < $2 AND status <> 'selesai' GROUP BY kode_wilayah",
        &range,
        |e, n| e.open_complaints = n,
    )?;
    live(
        "SELECT kode_wilayah, COUNT(*) FROM complaints WHERE kode_wilayah >= $1 \
         AND kode_wilayah < $2 AND status <> 'selesai' AND deadline_at < $3 \
         GROUP BY kode_wilayah",
        &with_now,
        |e, n| e.overdue_complaints = n,
    )?;
    Ok(out.into_values().collect())
}

/// An activity held in the month.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActivityLine {
    pub held_on: String,
    pub kind: String,
    pub title: String,
    pub place: String,
    pub participants: i64,
}

/// The centre's monthly report to the Dinas Sosial.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Monthly {
    pub village: String,
    pub year: i32,
    pub month: u32,
    pub activities: Vec<ActivityLine>,
    pub activity_participants: i64,
    /// Distinct people and families served: case subjects and registered participants.
    pub people_served: i64,
    pub families_served: i64,
    pub cases: CaseFigures,
    pub referrals: ReferralFigures,
    pub complaints: Vec<ComplaintRow>,
    /// Saves of family records in the month (each a change set), new families, new members,
    /// members marked moved or dead.
    pub data_saves: i64,
    pub families_added: i64,
    pub persons_added: i64,
    pub persons_marked: i64,
    /// Families registered from cases in the month: proposals for the welfare data (DTSEN).
    pub dtsen_proposals: i64,
    /// Current exclusion errors per program: families to propose for the program.
    pub program_proposals: Vec<(String, i64)>,
}

/// The monthly report of `village` for `year`-`month`; `None` for an impossible month.
pub fn monthly(
    conn: &mut Conn,
    assessor: &Assessor,
    village: &str,
    year: i32,
    month: u32,
) -> Result<Option<Monthly>, StorageError> {
    let Some(filter) = Filter::month(year, month) else {
        return Ok(None);
    };
    let (lo, hi) = filter.period_ms();
    let (from, to) = (
        filter.from.map(|d| d.to_string()).unwrap_or_default(),
        filter.to.map(|d| d.to_string()).unwrap_or_default(),
    );
    let mut m = Monthly {
        village: village.to_string(),
        year,
        month,
        ..Default::default()
    };
    for r in conn.query(
        "SELECT a.held_on, a.kind, a.title, a.place, \
         (SELECT COUNT(*) FROM activity_participants p \
          WHERE p.kode_wilayah = a.kode_wilayah AND p.activity_id = a.id) \
         FROM activities a WHERE a.kode_wilayah = $1 AND a.held_on >= $2 AND a.held_on <= $3 \
         ORDER BY a.held_on, a.title",
        &[village.into(), from.as_str().into(), to.as_str().into()],
    )? {
        let t = |i: usize| text(&r[i]).unwrap_or("").to_string();
        m.activities.push(ActivityLine {
            held_on: t(0),
            kind: t(1),
            title: t(2),
            place: t(3),
            participants: int(&r[4]).unwrap_or(0),
        });
    }
    m.activity_participants = m.activities.iter().map(|a| a.participants).sum();
    // People served: the subjects of cases opened in the month and the registered participants
    // of its activities, each person once.
    let mut people = std::collections::HashSet::new();
    let mut families = std::collections::HashSet::new();
    for r in conn.query(
        "SELECT c.person_id, c.family_id, c.id FROM cases c WHERE c.kode_wilayah = $1 \
         AND c.opened_at >= $2 AND c.opened_at < $3",
        &[village.into(), lo.into(), hi.into()],
    )? {
        // A case about a family without a named member still serves someone: count the case.
        let who = text(&r[0]).or(text(&r[2])).unwrap_or("").to_string();
        people.insert(who);
        if let Some(f) = text(&r[1]) {
            families.insert(f.to_string());
        }
    }
    for r in conn.query(
        "SELECT p.person_id, q.family_id, p.id FROM activity_participants p \
         JOIN activities a ON a.kode_wilayah = p.kode_wilayah AND a.id = p.activity_id \
         LEFT JOIN persons q ON q.id = p.person_id \
         WHERE p.kode_wilayah = $1 AND a.held_on >= $2 AND a.held_on <= $3",
        &[village.into(), from.as_str().into(), to.as_str().into()],
    )? {
        let who = text(&r[0]).or(text(&r[2])).unwrap_or("").to_string();
        people.insert(who);
        if let Some(f) = text(&r[1]) {
            families.insert(f.to_string());
        }
    }
    m.people_served = people.len() as i64;
    m.families_served = families.len() as i64;
    m.cases = cases(conn, village, &filter)?;
    m.referrals = referrals(conn, village, &filter)?;
    m.complaints = complaints(conn, village, &filter)?;
    conn.for_each(
        "SELECT changed, id FROM changes WHERE kode_wilayah = $1 AND at >= $2 AND at < $3",
        &[village.into(), lo.into(), hi.into()],
        |r| {
            m.data_saves += 1;
            let entries: Vec<serde_json::Value> = match text(&r[0]) {
                Some(s) => serde_json::from_str(s).map_err(|e| {
                    let id = text(&r[1]).unwrap_or("?");
                    StorageError::Corrupt(format!("changes {id}: {e}"))
                })?,
                None => Vec::new(),
            };
            for e in entries {
                match (
                    e.get("entity").and_then(|v| v.as_str()),
                    e.get("action").and_then(|v| v.as_str()),
                ) {
                    (Some("family"), Some("create")) => m.families_added += 1,
                    (Some("person"), Some("create")) => m.persons_added += 1,
                    (Some("person"), Some("mark")) => m.persons_marked += 1,
                    _ => {}
                }
            }
            Ok(())
        },
    )?;
    m.dtsen_proposals = conn.query_i64(
        "SELECT COUNT(*) FROM families WHERE kode_wilayah = $1 AND source = 'usulan-kasus' \
         AND created_at >= $2 AND created_at < $3",
        &[village.into(), lo.into(), hi.into()],
    )?;
    let stats = district_one(conn, village)?;
    m.program_proposals = program_codes(assessor)
        .into_iter()
        .map(|p| {
            let n = stats
                .iter()
                .find(|t| t.program == p)
                .map_or(0, |t| t.exclusion);
            (p.to_string(), n)
        })
        .collect();
    Ok(Some(m))
}

/// One village's stored tallies.
fn district_one(conn: &mut Conn, village: &str) -> Result<Vec<ProgramTally>, StorageError> {
    Ok(conn
        .query(
            "SELECT program, exclusion FROM village_program_stats WHERE kode_wilayah = $1",
            &[village.into()],
        )?
        .into_iter()
        .map(|r| ProgramTally {
            program: text(&r[0]).unwrap_or("").to_string(),
            exclusion: int(&r[1]).unwrap_or(0),
            ..Default::default()
        })
        .collect())
}

/// The year and month of a local date.
pub fn year_month(day: NaiveDate) -> (i32, u32) {
    (day.year(), day.month())
}
