//! Stored assessment results: the per-family summary, the gap lists per program and each
//! village's decile boundaries. Written by the batch assessment (a village at a time, in one
//! transaction each) and by the reassessment of single families after an edit.

use puskesos_domain::rules::assess::{Assessor, GapTotal, Prepared, Summary};
use puskesos_domain::rules::pmt::Cutoffs;
use std::collections::HashMap;

use puskesos_domain::figures::Tallies;
use puskesos_domain::rules::{Gap, Outcome, Scratch};

use crate::db::Decode;
use crate::registry::{self, Scope};
use crate::{Conn, Db, SqlValue, StorageError, now_ms};

/// What a batch assessment did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AssessStats {
    pub villages: usize,
    pub families: usize,
    pub people: usize,
    pub gaps: usize,
}

/// The boundaries in full (`f64`'s shortest text that reads back to the same number): a
/// boundary is a family's own estimate, so a rounded one would put that family in another
/// decile when it is reassessed alone (its family page, an edit) than in the batch.
fn cutoffs_text(c: &Cutoffs) -> String {
    c.0.iter()
        .map(|x| format!("{x}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_cutoffs(s: &str) -> Option<Cutoffs> {
    let v: Vec<f64> = s.split(',').filter_map(|x| x.parse().ok()).collect();
    (v.len() == 9).then_some(Cutoffs(v))
}

/// Removes a village's (or one family's) gap rows, and the summaries of families that left
/// the village.
fn clear(
    conn: &mut Conn,
    assessor: &Assessor,
    village: &str,
    family: Option<&str>,
) -> Result<(), StorageError> {
    match family {
        // Summaries are upserted by `write`, which leaves unchanged rows untouched; only the
        // rows of families no longer in the village go here.
        None => {
            conn.execute(
                "DELETE FROM assessments WHERE kode_wilayah = $1 AND family_id NOT IN \
                 (SELECT id FROM families WHERE kode_wilayah = $1)",
                &[village.into()],
            )?;
            conn.execute(
                "DELETE FROM program_gaps WHERE kode_wilayah = $1",
                &[village.into()],
            )?;
        }
        Some(f) => {
            // Exact keys: no second index on the gap table to keep up during a batch.
            for p in &assessor.rules.programs {
                for gap in puskesos_domain::rules::LISTED_GAPS {
                    conn.execute(
                        "DELETE FROM program_gaps WHERE kode_wilayah = $1 AND program = $2 \
                         AND gap = $3 AND family_id = $4",
                        &[
                            village.into(),
                            p.code.as_str().into(),
                            gap.code().into(),
                            f.into(),
                        ],
                    )?;
                }
            }
        }
    }
    Ok(())
}

/// The columns of a stored summary after its key `(kode_wilayah, family_id)`.
const SUMMARY_COLUMNS: [&str; 12] = [
    "bps14_met",
    "bps14_verdict",
    "fakir_miskin",
    "pengeluaran_perkapita",
    "desil_lokal",
    "desil_efektif",
    "desil_beda",
    "layak",
    "nilai_setahun",
    "menerima",
    "kurang_data",
    "tanggal_acuan",
];

/// A summary replaces the stored one only where something changed (standard `ON CONFLICT ...
/// DO UPDATE ... WHERE`, on both engines): a reassessment of unchanged families writes nothing.
static SUMMARY_UPSERT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let set: Vec<String> = SUMMARY_COLUMNS
        .iter()
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    let changed: Vec<String> = SUMMARY_COLUMNS
        .iter()
        .map(|c| format!("assessments.{c} IS DISTINCT FROM excluded.{c}"))
        .collect();
    format!(
        "ON CONFLICT (kode_wilayah, family_id) DO UPDATE SET {} WHERE {}",
        set.join(", "),
        changed.join(" OR ")
    )
});

/// Writes summaries; returns the number of gap rows written.
fn write(
    conn: &mut Conn,
    assessor: &Assessor,
    summaries: &[Summary],
) -> Result<usize, StorageError> {
    // Flat lists of parameters, a row's values after another's (`Conn::insert_rows`).
    let mut rows: Vec<SqlValue> = Vec::with_capacity(summaries.len() * (2 + SUMMARY_COLUMNS.len()));
    let mut gaps: Vec<SqlValue> = Vec::new();
    const GAP_WIDTH: usize = 6;
    let on = assessor.on.to_string();
    for s in summaries {
        let codes = |keep: &dyn Fn(&puskesos_domain::rules::Decision) -> bool| {
            assessor
                .rules
                .programs
                .iter()
                .zip(&s.decisions)
                .filter(|(_, d)| keep(d))
                .map(|(p, _)| p.code.as_str())
                .collect::<Vec<_>>()
                .join(",")
        };
        rows.extend([
            s.village.as_str().into(),
            s.family_id.as_str().into(),
            (s.bps14_met as i64).into(),
            SqlValue::Code(s.bps14_verdict),
            SqlValue::Code(s.fakir_miskin),
            s.per_capita.into(),
            s.local_decile.map(i64::from).into(),
            s.effective_decile.into(),
            i64::from(s.deciles_disagree).into(),
            codes(&|d| d.counts_as_eligible()).into(),
            s.yearly_amount().into(),
            codes(&|d| d.receives).into(),
            codes(&|d| d.outcome == Outcome::Unknown).into(),
            on.as_str().into(),
        ]);
        for (p, d) in assessor.rules.programs.iter().zip(&s.decisions) {
            let gap = d.gap();
            if gap != Gap::None {
                gaps.extend([
                    s.village.as_str().into(),
                    p.code.as_str().into(),
                    SqlValue::Code(gap.code()),
                    s.family_id.as_str().into(),
                    d.amount.into(),
                    i64::from(d.amount_is_known()).into(),
                ]);
            }
        }
    }
    let n = gaps.len() / GAP_WIDTH;
    conn.insert_rows(
        &format!(
            "INSERT INTO assessments (kode_wilayah, family_id, {})",
            SUMMARY_COLUMNS.join(", ")
        ),
        2 + SUMMARY_COLUMNS.len(),
        &rows,
        &SUMMARY_UPSERT,
    )?;
    conn.insert_rows(
        "INSERT INTO program_gaps (kode_wilayah, program, gap, family_id, amount, amount_known)",
        GAP_WIDTH,
        &gaps,
        "",
    )?;
    Ok(n)
}

/// Stores one village's assessment (its decile boundaries and its families' summaries, with
/// `people` present members) in one transaction, replacing the old one, with its tallies.
fn store_village(
    conn: &mut Conn,
    assessor: &Assessor,
    village: &str,
    (cutoffs, summaries): (Option<Cutoffs>, Vec<Summary>),
    people: i64,
) -> Result<usize, StorageError> {
    conn.transaction(|c| {
        begin_village(c, assessor, village, cutoffs.as_ref())?;
        let mut tallies = VillageTallies::new(assessor);
        let gaps = tallies.write(c, assessor, &summaries)?;
        tallies.finish(c, village, people)?;
        Ok(gaps)
    })
}

/// Replaces a village's old results and records the new run (inside the caller's transaction).
fn begin_village(
    c: &mut Conn,
    assessor: &Assessor,
    village: &str,
    cutoffs: Option<&Cutoffs>,
) -> Result<(), StorageError> {
    clear(c, assessor, village, None)?;
    c.execute(
        "DELETE FROM assessment_runs WHERE kode_wilayah = $1",
        &[village.into()],
    )?;
    c.execute(
        "INSERT INTO assessment_runs (kode_wilayah, assessed_at, rules, cutoffs, tanggal_acuan) \
         VALUES ($1, $2, $3, $4, $5)",
        &[
            village.into(),
            now_ms().into(),
            assessor.rules.fingerprint().into(),
            cutoffs.map(cutoffs_text).into(),
            assessor.on.to_string().into(),
        ],
    )?;
    Ok(())
}

/// A village's per-program tallies, counted while its summaries are written (in one part or
/// several).
struct VillageTallies {
    families: i64,
    tallies: Tallies,
    amounts: HashMap<String, i64>,
}

impl VillageTallies {
    fn new(assessor: &Assessor) -> VillageTallies {
        VillageTallies {
            families: 0,
            tallies: Tallies::new(crate::figures::program_codes(assessor)),
            amounts: HashMap::new(),
        }
    }

    /// Writes summaries and counts them; returns the gap rows written.
    fn write(
        &mut self,
        c: &mut Conn,
        assessor: &Assessor,
        summaries: &[Summary],
    ) -> Result<usize, StorageError> {
        let gaps = write(c, assessor, summaries)?;
        self.families += summaries.len() as i64;
        for s in summaries {
            for (i, (p, d)) in assessor.rules.programs.iter().zip(&s.decisions).enumerate() {
                self.tallies.add_one(
                    i,
                    (
                        d.counts_as_eligible(),
                        d.receives,
                        d.outcome == Outcome::Unknown,
                    ),
                );
                if d.gap() == Gap::Exclusion
                    && let Some(a) = d.known_amount()
                {
                    *self.amounts.entry(p.code.clone()).or_default() += a;
                }
            }
        }
        Ok(gaps)
    }

    fn finish(self, c: &mut Conn, village: &str, people: i64) -> Result<(), StorageError> {
        crate::figures::write_village_stats(
            c,
            village,
            self.families,
            people,
            &self.tallies,
            &self.amounts,
        )
    }
}

/// Summaries of a large village are written this many at a time.
const LARGE_VILLAGE_CHUNK: usize = 5_000;

/// A village too large to hold (see [`registry::IN_MEMORY_FAMILIES`]), in bounded memory: a
/// first pass keeps only each family's per-capita estimate for the decile boundaries, a second
/// assesses and writes the families in chunks, all in one transaction. Returns (families, gap
/// rows, people).
fn assess_large_village(
    db: &Db,
    writer: &mut Conn,
    assessor: &Assessor,
    village: &str,
) -> Result<(usize, usize, usize), StorageError> {
    let (mut fc, mut pc) = (db.conn()?, db.conn()?);
    let mut per_capita = Vec::new();
    let (mut people, mut present) = (0usize, 0usize);
    registry::for_each_family_of_village(&mut fc, &mut pc, village, |f, m| {
        people += m.len();
        present += puskesos_domain::assessment::present(&m).count();
        per_capita.extend(assessor.prepare(village, &f, &m).per_capita);
        Ok(())
    })?;
    let cutoffs = Cutoffs::of(per_capita);
    writer.transaction(|c| {
        begin_village(c, assessor, village, cutoffs.as_ref())?;
        let mut tallies = VillageTallies::new(assessor);
        let mut chunk = Vec::with_capacity(LARGE_VILLAGE_CHUNK);
        let mut scratch = Scratch::default();
        let mut gaps = 0;
        registry::for_each_family_of_village(&mut fc, &mut pc, village, |f, m| {
            let mut prepared = assessor.prepare(village, &f, &m);
            chunk.push(assessor.finish(&mut prepared, cutoffs.as_ref(), &mut scratch));
            if chunk.len() == LARGE_VILLAGE_CHUNK {
                gaps += tallies.write(c, assessor, &chunk)?;
                chunk.clear();
            }
            Ok(())
        })?;
        gaps += tallies.write(c, assessor, &chunk)?;
        let families = tallies.families as usize;
        tallies.finish(c, village, present as i64)?;
        Ok((families, gaps, people))
    })
}

/// Reader threads: each reads and assesses whole villages (every `READERS`-th of the list).
/// With the writer that makes one more thread than this machine kind has cores, so the OS keeps
/// both cores busy whichever stage is heavier for a given registry.
const READERS: usize = 2;

/// Assesses every family of `scope` (all villages when empty), a village at a time, calling
/// `progress` with the number of people read so far. Reader threads read a whole village,
/// prepare each family's facts and assess the village (its deciles need all its families); this
/// thread writes each village in one transaction (SQLite has one writer).
pub fn assess_all(
    db: &Db,
    assessor: &Assessor,
    scope: &Scope,
    mut progress: impl FnMut(u64),
) -> Result<AssessStats, StorageError> {
    /// A village read and assessed: its code, families, assessment, members, present members;
    /// or the code of a large village, for this thread to assess in bounded memory.
    enum Work {
        Village(String, usize, (Option<Cutoffs>, Vec<Summary>), usize, usize),
        Large(String),
    }
    let villages = registry::villages(&mut db.conn()?, scope.village.as_deref())?;
    let mut writer = db.conn()?;
    writer.tune_for_bulk()?;
    let mut stats = AssessStats::default();
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Work, StorageError>>(2 * READERS);
    let result = std::thread::scope(|s| {
        for first in 0..READERS {
            let tx = tx.clone();
            let villages = &villages;
            s.spawn(move || {
                let read = || -> Result<(), StorageError> {
                    let (mut fc, mut pc) = (db.conn()?, db.conn()?);
                    for v in villages.iter().skip(first).step_by(READERS) {
                        if registry::is_large_village(&mut fc, v)? {
                            if tx.send(Ok(Work::Large(v.clone()))).is_err() {
                                return Ok(());
                            }
                            continue;
                        }
                        let mut population: Vec<Prepared> = Vec::new();
                        let (mut people, mut present) = (0, 0);
                        registry::for_each_family_of_village(&mut fc, &mut pc, v, |f, m| {
                            people += m.len();
                            present += puskesos_domain::assessment::present(&m).count();
                            population.push(assessor.prepare(v, &f, &m));
                            Ok(())
                        })?;
                        let families = population.len();
                        let assessed = assessor.assess_population(&mut population);
                        drop(population);
                        let village = Work::Village(v.clone(), families, assessed, people, present);
                        if tx.send(Ok(village)).is_err() {
                            return Ok(()); // the writer stopped
                        }
                    }
                    Ok(())
                };
                if let Err(e) = read() {
                    let _ = tx.send(Err(e));
                }
            });
        }
        drop(tx);
        for work in rx {
            let (v, families, assessed, people, present) = match work? {
                Work::Village(v, families, assessed, people, present) => {
                    (v, families, assessed, people, present)
                }
                Work::Large(v) => {
                    let (families, gaps, people) =
                        assess_large_village(db, &mut writer, assessor, &v)?;
                    stats.people += people;
                    stats.gaps += gaps;
                    stats.villages += usize::from(families > 0);
                    stats.families += families;
                    progress(stats.people as u64);
                    continue;
                }
            };
            stats.people += people;
            if families > 0 {
                stats.gaps += store_village(&mut writer, assessor, &v, assessed, present as i64)?;
                stats.villages += 1;
                stats.families += families;
            }
            progress(stats.people as u64);
        }
        Ok::<_, StorageError>(())
    });
    writer.untune()?;
    result?;
    Ok(stats)
}

/// The decile boundaries stored at the village's last full assessment.
pub fn cutoffs(conn: &mut Conn, village: &str) -> Result<Option<Cutoffs>, StorageError> {
    conn.query_opt(
        "SELECT cutoffs FROM assessment_runs WHERE kode_wilayah = $1",
        &[village.into()],
    )?
    .and_then(|r| r.into_iter().next())
    .and_then(SqlValue::into_string)
    .map(|s| {
        parse_cutoffs(&s).ok_or_else(|| {
            StorageError::Corrupt(format!("assessment_runs {village}: cutoffs {s:?}"))
        })
    })
    .transpose()
}

fn parse_day(table: &str, at: &str, s: &str) -> Result<chrono::NaiveDate, StorageError> {
    s.parse()
        .map_err(|_| StorageError::Corrupt(format!("{table} {at}: tanggal_acuan {s:?}")))
}

/// The reference date of the village's last full assessment (`None` before the first, or for
/// a run stored before dates were kept).
pub fn village_date(
    conn: &mut Conn,
    village: &str,
) -> Result<Option<chrono::NaiveDate>, StorageError> {
    conn.query_opt(
        "SELECT tanggal_acuan FROM assessment_runs WHERE kode_wilayah = $1",
        &[village.into()],
    )?
    .and_then(|r| r.into_iter().next())
    .and_then(SqlValue::into_string)
    .map(|s| parse_day("assessment_runs", village, &s))
    .transpose()
}

/// The reference date of a family's stored assessment: its own, else its village's run.
pub fn family_date(
    conn: &mut Conn,
    village: &str,
    family_id: &str,
) -> Result<Option<chrono::NaiveDate>, StorageError> {
    let own = conn
        .query_opt(
            "SELECT tanggal_acuan FROM assessments WHERE kode_wilayah = $1 AND family_id = $2",
            &[village.into(), family_id.into()],
        )?
        .and_then(|r| r.into_iter().next())
        .and_then(SqlValue::into_string);
    match own {
        Some(s) => parse_day("assessments", family_id, &s).map(Some),
        None => village_date(conn, village),
    }
}

/// The village of a stored family (for the reassessment of single families).
pub fn village_of_family(conn: &mut Conn, family_id: &str) -> Result<Option<String>, StorageError> {
    Ok(conn
        .query_opt(
            "SELECT kode_wilayah FROM families WHERE id = $1",
            &[family_id.into()],
        )?
        .and_then(|r| r.into_iter().next())
        .and_then(SqlValue::into_string))
}

/// The DTSEN proposals the assessment makes: families of the village that are fakir miskin
/// under Kepmensos 262/2022 and have no DTSEN decile, `(family id, no_kk, head, address)` in
/// KK order.
pub fn fakir_miskin_proposals(
    conn: &mut Conn,
    village: &str,
) -> Result<Vec<[String; 4]>, StorageError> {
    Ok(conn
        .query(
            "SELECT f.id, f.no_kk, f.kepala_nama, f.alamat FROM assessments a \
             JOIN families f ON f.id = a.family_id \
             WHERE a.kode_wilayah = $1 AND a.fakir_miskin = 'poor' AND f.desil IS NULL \
             ORDER BY f.no_kk LIMIT 5000",
            &[village.into()],
        )?
        .into_iter()
        .map(|r| {
            let t = |i: usize| r.get(i).and_then(|v| v.as_str()).unwrap_or("").to_string();
            [t(0), t(1), t(2), t(3)]
        })
        .collect())
}

/// A family's assessment now, from the registry and the village's stored decile boundaries.
pub fn assess_family(
    conn: &mut Conn,
    assessor: &Assessor,
    family_id: &str,
) -> Result<Option<(Prepared, Summary)>, StorageError> {
    let Some(family) = registry::family_by_id(conn, family_id)? else {
        return Ok(None);
    };
    let members = registry::members(conn, family_id)?;
    let village = family.values[1]
        .as_ref()
        .and_then(|v| v.as_text())
        .unwrap_or_default()
        .to_string();
    let cut = cutoffs(conn, &village)?;
    let mut prepared = assessor.prepare(&village, &family, &members);
    let summary = assessor.finish(&mut prepared, cut.as_ref(), &mut Scratch::default());
    Ok(Some((prepared, summary)))
}

/// Reassesses single families after an edit and stores their results at once.
pub fn reassess(
    conn: &mut Conn,
    assessor: &Assessor,
    family_ids: &[&str],
) -> Result<(), StorageError> {
    for id in family_ids {
        if let Some((_, summary)) = assess_family(conn, assessor, id)? {
            let village = summary.village.clone();
            conn.transaction(|c| {
                clear(c, assessor, &village, Some(id))?;
                write(c, assessor, std::slice::from_ref(&summary))?;
                crate::figures::refresh_village_stats(c, assessor, &village)
            })?;
        }
    }
    Ok(())
}

/// Every family of a village prepared for assessment (for what-if and the village's lists).
pub fn prepare_village(
    db: &Db,
    assessor: &Assessor,
    village: &str,
) -> Result<Vec<Prepared>, StorageError> {
    let mut population = Vec::new();
    let (mut fc, mut pc) = (db.conn()?, db.conn()?);
    registry::for_each_family_of_village(&mut fc, &mut pc, village, |f, members| {
        population.push(assessor.prepare(village, &f, &members));
        Ok(())
    })?;
    Ok(population)
}

/// One line of a gap list.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct GapRow {
    pub family_id: String,
    pub no_kk: String,
    pub rt: Option<String>,
    pub rw: Option<String>,
    pub alamat: Option<String>,
    pub head: Option<String>,
    pub desil_efektif: Option<i64>,
    /// The known part of the yearly amount; the whole of it only when `amount_known`.
    pub amount: i64,
    pub amount_known: bool,
}

/// The families of a village with a given gap in a program, in KK order.
pub fn gap_list(
    conn: &mut Conn,
    village: &str,
    program: &str,
    gap: Gap,
    limit: i64,
    offset: i64,
) -> Result<Vec<GapRow>, StorageError> {
    let rows = conn.query(
        "SELECT g.family_id, f.no_kk, f.rt, f.rw, f.alamat, \
         (SELECT p.nama FROM persons p WHERE p.family_id = f.id \
          AND p.hubungan = 'kepala_keluarga' ORDER BY p.nik LIMIT 1), \
         a.desil_efektif, g.amount, g.amount_known \
         FROM program_gaps g \
         JOIN families f ON f.id = g.family_id \
         LEFT JOIN assessments a ON a.kode_wilayah = g.kode_wilayah AND a.family_id = g.family_id \
         WHERE g.kode_wilayah = $1 AND g.program = $2 AND g.gap = $3 \
         ORDER BY f.no_kk LIMIT $4 OFFSET $5",
        &[
            village.into(),
            program.into(),
            gap.code().into(),
            limit.into(),
            offset.into(),
        ],
    )?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let mut it = r.into_iter();
            let mut text = || it.next().and_then(SqlValue::into_string);
            let family_id = text().unwrap_or_default();
            let no_kk = text().unwrap_or_default();
            let (rt, rw, alamat, head) = (text(), text(), text(), text());
            let desil_efektif = it.next().and_then(|v| v.as_i64());
            let amount = it.next().and_then(|v| v.as_i64()).unwrap_or(0);
            // Rows stored before amount_known was kept (NULL) were known.
            let amount_known = it.next().and_then(|v| v.as_i64()).is_none_or(|k| k != 0);
            GapRow {
                family_id,
                no_kk,
                rt,
                rw,
                alamat,
                head,
                desil_efektif,
                amount,
                amount_known,
            }
        })
        .collect())
}

/// The decided, known rupiah of gap rows (`amount_known` NULL: stored before it was kept) and
/// the rows whose amount is not known, as SQL both engines read.
const KNOWN_SUM: &str = "CAST(COALESCE(SUM(CASE WHEN amount_known = 0 THEN 0 ELSE amount END), 0) AS BIGINT), \
     CAST(COALESCE(SUM(CASE WHEN amount_known = 0 THEN 1 ELSE 0 END), 0) AS BIGINT)";

/// Per program and gap: families, the decided and known yearly rupiah, and the families whose
/// amount is not known (never added as if it were), for a village.
pub fn gap_summary(
    conn: &mut Conn,
    village: &str,
) -> Result<Vec<(String, Gap, GapTotal)>, StorageError> {
    let rows = conn.query(
        &format!(
            "SELECT program, gap, COUNT(*), {KNOWN_SUM} FROM program_gaps \
             WHERE kode_wilayah = $1 GROUP BY program, gap ORDER BY program, gap"
        ),
        &[village.into()],
    )?;
    rows.into_iter()
        .map(|r| {
            // A group of rows: named by the village and the program.
            let program = r.first().and_then(SqlValue::as_str).unwrap_or("?");
            let at = format!("{village} {program}");
            let d = Decode::named("program_gaps", &at, &r);
            Ok((
                d.text(0)?,
                d.code(1, "gap", Gap::parse)?,
                GapTotal {
                    families: d.int(2)?,
                    known_amount: d.int(3)?,
                    unknown_amount: d.int(4)?,
                },
            ))
        })
        .collect::<Result<_, StorageError>>()
}

/// A village's last full assessment: `(rules, assessed_at, reference date)`.
pub fn last_run(
    conn: &mut Conn,
    village: &str,
) -> Result<Option<(String, i64, Option<chrono::NaiveDate>)>, StorageError> {
    let Some(r) = conn.query_opt(
        "SELECT rules, assessed_at, tanggal_acuan FROM assessment_runs WHERE kode_wilayah = $1",
        &[village.into()],
    )?
    else {
        return Ok(None);
    };
    let d = Decode::named("assessment_runs", village, &r);
    let (rules, at) = (d.text(0)?, d.int(1)?);
    let on = match r.get(2).and_then(SqlValue::as_str) {
        Some(s) => Some(parse_day("assessment_runs", village, s)?),
        None => None,
    };
    Ok(Some((rules, at, on)))
}

/// `(village, program, gap, families, decided and known yearly rupiah, families whose amount
/// is not known)`.
pub type VillageGap = (String, String, Gap, i64, i64, i64);

/// Per village, program and gap: families, known yearly rupiah and unknown amounts, for every
/// village whose code starts
/// with `prefix` (a kab/kota, `PP.KK`) or all villages. Prefix ranges, not `LIKE`, so that an
/// index on the leading village code serves it on any engine.
pub fn district_gap_summary(
    conn: &mut Conn,
    prefix: Option<&str>,
) -> Result<Vec<VillageGap>, StorageError> {
    let (lo, hi) = match prefix {
        Some(p) => (format!("{p}."), format!("{p}/")),
        None => (String::new(), "\u{10FFFF}".to_string()),
    };
    let rows = conn.query(
        &format!(
            "SELECT kode_wilayah, program, gap, COUNT(*), {KNOWN_SUM} \
         FROM program_gaps WHERE kode_wilayah >= $1 AND kode_wilayah < $2 \
         GROUP BY kode_wilayah, program, gap ORDER BY kode_wilayah, program, gap"
        ),
        &[lo.into(), hi.into()],
    )?;
    rows.into_iter()
        .map(|r| {
            let text = |i: usize| r.get(i).and_then(SqlValue::as_str).unwrap_or("?");
            let at = format!("{} {}", text(0), text(1));
            let d = Decode::named("program_gaps", &at, &r);
            Ok((
                d.text(0)?,
                d.text(1)?,
                d.code(2, "gap", Gap::parse)?,
                d.int(3)?,
                d.int(4)?,
                d.int(5)?,
            ))
        })
        .collect::<Result<_, StorageError>>()
}
