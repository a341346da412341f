//! Assessing a population: each family's criteria and PMT estimate, then local deciles within
//! the population (a village), then every program's decision. Used by `puskesos assess`, by
//! the reassessment after an edit or import, by the family page and by what-if.

use chrono::NaiveDate;

use super::pmt::{Cutoffs, PmtModels, deciles_disagree};
use super::{Decision, Facts, Gap, RuleSet, Scratch};
use crate::assessment::{
    Bps14, Bps14Config, Kepmensos262, Kepmensos262Config, bps14, kepmensos262,
};
use crate::model::{Family, Person, Record};

/// Everything an assessment depends on: rules, models, thresholds and the reference day.
#[derive(Debug, Clone)]
pub struct Assessor {
    pub rules: RuleSet,
    pub pmt: PmtModels,
    pub bps14: Bps14Config,
    pub kepmensos: Kepmensos262Config,
    pub on: NaiveDate,
}

impl Assessor {
    /// The shipped rules and models in force on `on`.
    pub fn builtin(on: NaiveDate) -> Assessor {
        Assessor {
            rules: RuleSet::builtin(on),
            pmt: PmtModels::builtin(),
            bps14: Bps14Config::default(),
            kepmensos: Kepmensos262Config::default(),
            on,
        }
    }
}

/// A family's assessment before deciles: the criteria and the facts with the PMT estimate.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub family_id: String,
    pub no_kk: String,
    pub village: String,
    pub bps14: Bps14,
    pub kepmensos: Kepmensos262,
    pub facts: Facts,
    pub per_capita: Option<f64>,
    /// The PMT terms that could not be evaluated (indices into the model's terms).
    pub pmt_unknown: Vec<usize>,
    pub official_decile: Option<i64>,
}

/// The stored summary of a family's assessment.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub family_id: String,
    pub village: String,
    pub bps14_met: usize,
    pub bps14_verdict: &'static str,
    pub fakir_miskin: &'static str,
    pub per_capita: Option<i64>,
    pub local_decile: Option<u8>,
    pub effective_decile: Option<i64>,
    /// The official and local deciles differ by more than two.
    pub deciles_disagree: bool,
    /// One per program of the rule set, in its order.
    pub decisions: Vec<Decision>,
    /// Fakir miskin under Kepmensos 262/2022 but without a DTSEN decile: no decile-based
    /// program can decide, so the family is to be proposed for the welfare data (DTSEN).
    pub dtsen_proposal: bool,
}

impl Summary {
    pub fn yearly_amount(&self) -> i64 {
        // Only decided eligibility counts; an unknown amount adds its known part (never a guess).
        self.decisions
            .iter()
            .filter(|d| d.counts_as_eligible())
            .map(|d| d.amount)
            .sum()
    }
}

impl Assessor {
    pub fn prepare(&self, village: &str, family: &Family, members: &[Person]) -> Prepared {
        let b = bps14(family, members, &self.bps14);
        let k = kepmensos262(family, members, &self.kepmensos);
        let mut facts = Facts::build(family, members, &b, &k, self.on);
        let estimate = self.pmt.for_village(village).estimate(&facts);
        let per_capita = estimate.per_capita;
        facts.set_pmt(per_capita);
        Prepared {
            family_id: family.id.clone(),
            no_kk: family.text("no_kk").unwrap_or_default().to_string(),
            village: village.to_string(),
            bps14: b,
            kepmensos: k,
            facts,
            per_capita,
            pmt_unknown: estimate.unknown,
            official_decile: family.int("desil"),
        }
    }

    /// Sets local deciles from `cutoffs` and decides every program.
    pub fn finish(
        &self,
        p: &mut Prepared,
        cutoffs: Option<&Cutoffs>,
        scratch: &mut Scratch,
    ) -> Summary {
        let local = match (p.per_capita, cutoffs) {
            (Some(x), Some(c)) => Some(c.decile(x)),
            _ => None,
        };
        p.facts.set_local_decile(local);
        let mut decisions = Vec::with_capacity(self.rules.programs.len());
        self.rules.decide_all(&p.facts, scratch, &mut decisions);
        let effective = p.facts.get("desil_efektif");
        Summary {
            family_id: p.family_id.clone(),
            village: p.village.clone(),
            bps14_met: p.bps14.met,
            bps14_verdict: p.bps14.verdict.code(),
            fakir_miskin: p.kepmensos.verdict.code(),
            per_capita: p.per_capita.map(|x| x.round() as i64),
            local_decile: local,
            effective_decile: (!effective.is_nan()).then_some(effective as i64),
            deciles_disagree: deciles_disagree(p.official_decile, local),
            decisions,
            dtsen_proposal: p.kepmensos.verdict == crate::assessment::Verdict::Poor
                && p.official_decile.is_none(),
        }
    }

    /// Assesses a whole population (one village): cutoffs from its own estimates.
    pub fn assess_population(
        &self,
        population: &mut [Prepared],
    ) -> (Option<Cutoffs>, Vec<Summary>) {
        let cutoffs = Cutoffs::of(population.iter().filter_map(|p| p.per_capita));
        let mut scratch = Scratch::default();
        let out = population
            .iter_mut()
            .map(|p| self.finish(p, cutoffs.as_ref(), &mut scratch))
            .collect();
        (cutoffs, out)
    }
}

/// One program's change between two rule sets over a population.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct ProgramChange {
    pub program: String,
    pub eligible_before: usize,
    pub eligible_after: usize,
    /// Families that become eligible / stop being eligible (indices into the population).
    pub gains: Vec<usize>,
    pub losses: Vec<usize>,
    pub budget_before: i64,
    pub budget_after: i64,
}

/// Runs `changed` against the population already assessed under `base` (their summaries),
/// changing nothing stored. Programs are matched by code; one present in only one set counts
/// as not eligible in the other.
pub fn what_if(
    changed: &RuleSet,
    base_rules: &RuleSet,
    population: &[Prepared],
    base: &[Summary],
) -> Vec<ProgramChange> {
    let mut codes: Vec<&str> = base_rules
        .programs
        .iter()
        .chain(&changed.programs)
        .map(|p| p.code.as_str())
        .collect();
    codes.sort_unstable();
    codes.dedup();
    let mut scratch = Scratch::default();
    let mut out: Vec<ProgramChange> = codes
        .iter()
        .map(|c| ProgramChange {
            program: c.to_string(),
            ..Default::default()
        })
        .collect();
    let mut after = Vec::new();
    for (i, (p, s)) in population.iter().zip(base).enumerate() {
        changed.decide_all(&p.facts, &mut scratch, &mut after);
        for change in out.iter_mut() {
            let pick = |set: &RuleSet, decisions: &[Decision]| {
                set.programs
                    .iter()
                    .position(|q| q.code == change.program)
                    .map(|k| decisions[k])
                    .filter(|d| d.counts_as_eligible())
            };
            let before = pick(base_rules, &s.decisions);
            let now = pick(changed, &after);
            change.eligible_before += usize::from(before.is_some());
            change.eligible_after += usize::from(now.is_some());
            change.budget_before += before.map_or(0, |d| d.amount);
            change.budget_after += now.map_or(0, |d| d.amount);
            match (before.is_some(), now.is_some()) {
                (false, true) => change.gains.push(i),
                (true, false) => change.losses.push(i),
                _ => {}
            }
        }
    }
    out
}

/// Counts of a population's gaps per program: `(program, gap, families, yearly rupiah)`. The
/// rupiah are the decided, known amounts only: an undecided family or an unknown amount adds
/// nothing (they are counted apart by [`GapTotal`]).
pub fn gap_counts(rules: &RuleSet, summaries: &[Summary]) -> Vec<(String, Gap, usize, i64)> {
    let mut out = Vec::new();
    for (k, p) in rules.programs.iter().enumerate() {
        for gap in super::LISTED_GAPS {
            let hits = summaries.iter().filter(|s| s.decisions[k].gap() == gap);
            let (n, sum) = hits.fold((0, 0), |(n, sum), s| {
                (n + 1, sum + s.decisions[k].known_amount().unwrap_or(0))
            });
            out.push((p.code.clone(), gap, n, sum));
        }
    }
    out
}

/// A gap's total: families, the rupiah of those whose amount is decided and known, and the
/// families whose amount is not (undecided, or a fact of the amount unknown).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GapTotal {
    pub families: i64,
    pub known_amount: i64,
    pub unknown_amount: i64,
}
