//! Stored assessment results: the per-family summary, the gap lists per program and each
//! village's decile boundaries. Written by the batch assessment (a village at a time, in one
//! transaction each) and by the reassessment of single families after an edit.

use puskesos_domain::model::{Family, Person};
use puskesos_domain::rules::assess::{Assessor, Prepared, Summary};
use puskesos_domain::rules::pmt::Cutoffs;
use puskesos_domain::rules::{Gap, Outcome, Scratch};

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

fn cutoffs_text(c: &Cutoffs) -> String {
    c.0.iter()
        .map(|x| format!("{x:.0}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_cutoffs(s: &str) -> Option<Cutoffs> {
    let v: Vec<f64> = s.split(',').filter_map(|x| x.parse().ok()).collect();
    (v.len() == 9).then_some(Cutoffs(v))
}

/// Removes a village's (or one family's) stored results.
fn clear(conn: &mut Conn, village: &str, family: Option<&str>) -> Result<(), StorageError> {
    match family {
        None => {
            conn.execute(
                "DELETE FROM assessments WHERE kode_wilayah = $1",
                &[village.into()],
            )?;
            conn.execute(
                "DELETE FROM program_gaps WHERE kode_wilayah = $1",
                &[village.into()],
            )?;
        }
        Some(f) => {
            conn.execute(
                "DELETE FROM assessments WHERE kode_wilayah = $1 AND family_id = $2",
                &[village.into(), f.into()],
            )?;
            conn.execute(
                "DELETE FROM program_gaps WHERE kode_wilayah = $1 AND family_id = $2",
                &[village.into(), f.into()],
            )?;
        }
    }
    Ok(())
}

/// Writes summaries; returns the number of gap rows written.
fn write(
    conn: &mut Conn,
    assessor: &Assessor,
    summaries: &[Summary],
) -> Result<usize, StorageError> {
    let now = now_ms();
    let rules = assessor.rules.fingerprint();
    let mut gaps = 0;
    for s in summaries {
        let eligible: Vec<&str> = assessor
            .rules
            .programs
            .iter()
            .zip(&s.decisions)
            .filter(|(_, d)| d.outcome == Outcome::Eligible)
            .map(|(p, _)| p.code.as_str())
            .collect();
        conn.execute(
            "INSERT INTO assessments (kode_wilayah, family_id, assessed_at, rules, bps14_met, \
             bps14_verdict, fakir_miskin, pengeluaran_perkapita, desil_lokal, desil_efektif, \
             desil_beda, layak, nilai_setahun) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            &[
                s.village.as_str().into(),
                s.family_id.as_str().into(),
                now.into(),
                rules.as_str().into(),
                (s.bps14_met as i64).into(),
                s.bps14_verdict.into(),
                s.fakir_miskin.into(),
                s.per_capita.into(),
                s.local_decile.map(i64::from).into(),
                s.effective_decile.into(),
                i64::from(s.deciles_disagree).into(),
                eligible.join(",").into(),
                s.yearly_amount().into(),
            ],
        )?;
        for (p, d) in assessor.rules.programs.iter().zip(&s.decisions) {
            let gap = d.gap();
            if gap == Gap::None {
                continue;
            }
            conn.execute(
                "INSERT INTO program_gaps (kode_wilayah, program, gap, family_id, amount) \
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    s.village.as_str().into(),
                    p.code.as_str().into(),
                    gap.code().into(),
                    s.family_id.as_str().into(),
                    d.amount.into(),
                ],
            )?;
            gaps += 1;
        }
    }
    Ok(gaps)
}

/// Assesses one village's prepared families and stores the results (replacing the old ones).
fn store_village(
    conn: &mut Conn,
    assessor: &Assessor,
    village: &str,
    population: &mut [Prepared],
) -> Result<usize, StorageError> {
    let (cutoffs, summaries) = assessor.assess_population(population);
    conn.transaction(|c| {
        clear(c, village, None)?;
        c.execute(
            "DELETE FROM pmt_cutoffs WHERE kode_wilayah = $1",
            &[village.into()],
        )?;
        if let Some(cut) = &cutoffs {
            c.execute(
                "INSERT INTO pmt_cutoffs (kode_wilayah, cutoffs, computed_at) VALUES ($1, $2, $3)",
                &[village.into(), cutoffs_text(cut).into(), now_ms().into()],
            )?;
        }
        write(c, assessor, &summaries)
    })
}

/// Assesses every family of `scope` (all villages when empty), a village at a time, calling
/// `progress` with the number of people read so far.
pub fn assess_all(
    db: &Db,
    assessor: &Assessor,
    scope: &Scope,
    mut progress: impl FnMut(u64),
) -> Result<AssessStats, StorageError> {
    let mut reader = db.conn()?;
    let mut writer = db.conn()?;
    let mut stats = AssessStats::default();
    let mut village = String::new();
    let mut population: Vec<Prepared> = Vec::new();
    let mut family: Option<Family> = None;
    let mut members: Vec<Person> = Vec::new();
    let flush_family =
        |family: &mut Option<Family>, members: &mut Vec<Person>, population: &mut Vec<Prepared>| {
            if let Some(f) = family.take() {
                let v = f.values[1]
                    .as_ref()
                    .and_then(|v| v.as_text())
                    .unwrap_or_default()
                    .to_string();
                population.push(assessor.prepare(&v, &f, members));
                members.clear();
            }
        };
    registry::for_each_member(&mut reader, scope, |f, p| {
        if family.as_ref().map(|x| x.id.as_str()) != Some(f.id.as_str()) {
            flush_family(&mut family, &mut members, &mut population);
            let v = f.values[1]
                .as_ref()
                .and_then(|v| v.as_text())
                .unwrap_or_default();
            if v != village {
                if !population.is_empty() {
                    stats.gaps += store_village(&mut writer, assessor, &village, &mut population)?;
                    stats.villages += 1;
                    stats.families += population.len();
                    population.clear();
                }
                village = v.to_string();
            }
            family = Some(f.clone());
        }
        members.push(p);
        stats.people += 1;
        if stats.people % 4096 == 0 {
            progress(stats.people as u64);
        }
        Ok(())
    })?;
    flush_family(&mut family, &mut members, &mut population);
    if !population.is_empty() {
        stats.gaps += store_village(&mut writer, assessor, &village, &mut population)?;
        stats.villages += 1;
        stats.families += population.len();
    }
    progress(stats.people as u64);
    Ok(stats)
}

/// The decile boundaries stored at the village's last full assessment.
pub fn cutoffs(conn: &mut Conn, village: &str) -> Result<Option<Cutoffs>, StorageError> {
    Ok(conn
        .query_opt(
            "SELECT cutoffs FROM pmt_cutoffs WHERE kode_wilayah = $1",
            &[village.into()],
        )?
        .and_then(|r| r.into_iter().next())
        .and_then(SqlValue::into_string)
        .and_then(|s| parse_cutoffs(&s)))
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
                clear(c, &village, Some(id))?;
                write(c, assessor, std::slice::from_ref(&summary))
            })?;
        }
    }
    Ok(())
}

/// Every family of a village prepared for assessment (for what-if and the village's lists).
pub fn prepare_village(
    conn: &mut Conn,
    assessor: &Assessor,
    village: &str,
) -> Result<Vec<Prepared>, StorageError> {
    let mut population = Vec::new();
    let mut family: Option<Family> = None;
    let mut members: Vec<Person> = Vec::new();
    let scope = Scope {
        village: Some(village.to_string()),
        ..Scope::default()
    };
    registry::for_each_member(conn, &scope, |f, p| {
        if family.as_ref().map(|x| x.id.as_str()) != Some(f.id.as_str()) {
            if let Some(done) = family.take() {
                population.push(assessor.prepare(village, &done, &members));
                members.clear();
            }
            family = Some(f.clone());
        }
        members.push(p);
        Ok(())
    })?;
    if let Some(done) = family.take() {
        population.push(assessor.prepare(village, &done, &members));
    }
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
    pub amount: i64,
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
         a.desil_efektif, g.amount \
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
            GapRow {
                family_id,
                no_kk,
                rt,
                rw,
                alamat,
                head,
                desil_efektif,
                amount,
            }
        })
        .collect())
}

/// Per program and gap: families and yearly rupiah, for a village.
pub fn gap_summary(
    conn: &mut Conn,
    village: &str,
) -> Result<Vec<(String, Gap, i64, i64)>, StorageError> {
    let rows = conn.query(
        "SELECT program, gap, COUNT(*), CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM program_gaps \
         WHERE kode_wilayah = $1 GROUP BY program, gap ORDER BY program, gap",
        &[village.into()],
    )?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let mut it = r.into_iter();
            let program = it.next()?.into_string()?;
            let gap = Gap::parse(it.next()?.as_str()?)?;
            let n = it.next()?.as_i64()?;
            let sum = it.next()?.as_i64()?;
            Some((program, gap, n, sum))
        })
        .collect())
}

/// The stored summary of one family, if assessed: `(rules, assessed_at)`.
pub fn assessed_at(
    conn: &mut Conn,
    village: &str,
    family_id: &str,
) -> Result<Option<(String, i64)>, StorageError> {
    Ok(conn
        .query_opt(
            "SELECT rules, assessed_at FROM assessments WHERE kode_wilayah = $1 AND family_id = $2",
            &[village.into(), family_id.into()],
        )?
        .and_then(|r| {
            let mut it = r.into_iter();
            Some((it.next()?.into_string()?, it.next()?.as_i64()?))
        }))
}
