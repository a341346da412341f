//! Proxy-means test: an estimate of a family's monthly expenditure per person from its facts,
//! `exp(intercept + Σ coef × term)`, with terms written in the rule language. The coefficients
//! are configuration (`rules/pmt/*.toml`): one default model and, optionally, models for
//! particular kab/kota. From the estimates of a population (a village or a district) come local
//! deciles, shown beside the official DTSEN decile.
//!
//! DTSEN's own PMT coefficients are not public; the shipped default is this project's
//! illustrative model (signs and sizes after the published PMT literature) and says so.

use serde::Deserialize;

use super::facts::{Facts, Ty, family_slot};
use super::lang::{self, Expr, Scope};
use super::{RuleFileError, line_col};

pub const DEFAULT_MODEL: (&str, &str) = (
    "rules/pmt/default.toml",
    include_str!("../../rules/pmt/default.toml"),
);

/// Facts a PMT term may not read: they are the model's own outputs.
const OUTPUTS: &[&str] = &["pengeluaran_perkapita", "desil_lokal", "desil_efektif"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelHead {
    name: String,
    version: String,
    intercept: f64,
    #[serde(default)]
    kab_kota: Vec<String>,
    /// At most this many unknown terms still give an estimate (default 2).
    max_unknown: Option<usize>,
}

/// Unknown terms allowed when a model file does not say.
pub const DEFAULT_MAX_UNKNOWN: usize = 2;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TermFile {
    expr: toml::Spanned<String>,
    coef: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile {
    model: ModelHead,
    term: Vec<TermFile>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub expr: Expr,
    pub coef: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PmtModel {
    pub name: String,
    pub version: String,
    pub intercept: f64,
    /// Kab/kota codes (`PP.KK`) this model is for; empty = the default model.
    pub kab_kota: Vec<String>,
    pub terms: Vec<Term>,
    /// More unknown terms than this: not enough data for an estimate.
    pub max_unknown: usize,
}

/// An estimate with the terms that could not be evaluated. An unknown term is left out of the
/// sum (as if its value were 0: it neither raises nor lowers the estimate); with more than
/// the model's `max_unknown` of them there is no estimate ("not enough data") and the family
/// gets no local decile.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// Rupiah per person per month; `None` when too many terms are unknown.
    pub per_capita: Option<f64>,
    pub unknown_terms: usize,
    /// The unknown terms, by index into the model's terms.
    pub unknown: Vec<usize>,
}

impl PmtModel {
    pub fn parse(file: &str, src: &str) -> Result<PmtModel, RuleFileError> {
        let at = |offset: usize, key: &'static str, args: Vec<(&'static str, String)>| {
            let (line, column) = line_col(src, offset);
            RuleFileError {
                file: file.to_string(),
                line,
                column,
                key,
                args,
            }
        };
        let parsed: ModelFile = toml::from_str(src).map_err(|e| {
            at(
                e.span().map_or(0, |s| s.start),
                "rule-err-toml",
                vec![("reason", e.message().trim().to_string())],
            )
        })?;
        let mut terms = Vec::new();
        for t in &parsed.term {
            let start = t.expr.span().start + 1;
            let expr = lang::compile(t.expr.get_ref(), Scope::Family, Ty::Num)
                .or_else(|_| lang::compile(t.expr.get_ref(), Scope::Family, Ty::Bool))
                .map_err(|e| at(start + e.offset, e.key, e.args))?;
            if let Some(name) = OUTPUTS.iter().find(|o| {
                expr.refs
                    .contains(&(false, family_slot(o).unwrap_or(usize::MAX)))
            }) {
                return Err(at(
                    start,
                    "rule-err-pmt-output",
                    vec![("name", name.to_string())],
                ));
            }
            terms.push(Term { expr, coef: t.coef });
        }
        Ok(PmtModel {
            name: parsed.model.name,
            version: parsed.model.version,
            intercept: parsed.model.intercept,
            kab_kota: parsed.model.kab_kota,
            terms,
            max_unknown: parsed.model.max_unknown.unwrap_or(DEFAULT_MAX_UNKNOWN),
        })
    }

    pub fn estimate(&self, facts: &Facts) -> Estimate {
        let mut sum = self.intercept;
        let mut unknown = Vec::new();
        for (i, t) in self.terms.iter().enumerate() {
            let v = self.term_value(i, facts);
            if v.is_nan() {
                unknown.push(i);
            } else {
                sum += t.coef * v;
            }
        }
        Estimate {
            per_capita: (unknown.len() <= self.max_unknown).then(|| sum.exp()),
            unknown_terms: unknown.len(),
            unknown,
        }
    }

    /// The value of term `i` for a family (`NaN` when unknown): the page shows each input.
    pub fn term_value(&self, i: usize, facts: &Facts) -> f64 {
        self.terms[i]
            .expr
            .node
            .eval(&facts.family, &facts.members, 0, &mut lang::NoRecord)
    }
}

/// The default model and any kab/kota models; picks by the family's village code.
#[derive(Debug, Clone, PartialEq)]
pub struct PmtModels {
    pub models: Vec<PmtModel>,
}

impl PmtModels {
    pub fn builtin() -> PmtModels {
        PmtModels {
            models: vec![
                PmtModel::parse(DEFAULT_MODEL.0, DEFAULT_MODEL.1).expect("shipped model is valid"),
            ],
        }
    }

    /// The model for a village code (`PP.KK.CC.DDDD`): the kab/kota's own, else the default.
    pub fn for_village(&self, village: &str) -> &PmtModel {
        let kab = village.get(..5).unwrap_or(village);
        self.models
            .iter()
            .find(|m| m.kab_kota.iter().any(|k| k == kab))
            .or_else(|| self.models.iter().find(|m| m.kab_kota.is_empty()))
            .unwrap_or(&self.models[0])
    }
}

/// Decile boundaries of a population of estimates (nine cut points).
#[derive(Debug, Clone, PartialEq)]
pub struct Cutoffs(pub Vec<f64>);

impl Cutoffs {
    /// From the known estimates of a population (`None` if it is empty).
    pub fn of(estimates: impl IntoIterator<Item = f64>) -> Option<Cutoffs> {
        let mut v: Vec<f64> = estimates.into_iter().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let n = v.len();
        Some(Cutoffs(
            (1..10).map(|k| v[(n * k / 10).min(n - 1)]).collect(),
        ))
    }

    /// Decile 1 (poorest tenth) to 10.
    pub fn decile(&self, estimate: f64) -> u8 {
        1 + self.0.iter().filter(|c| estimate >= **c).count() as u8
    }
}

/// The official and local deciles disagree by more than two.
pub fn deciles_disagree(official: Option<i64>, local: Option<u8>) -> bool {
    matches!((official, local), (Some(o), Some(l)) if (o - i64::from(l)).abs() > 2)
}
