//! A rule's condition in words of the catalogue (issue 20.1): each test of a compiled condition
//! as a sentence with the rule's own numbers ("Desil keluarga 4 atau lebih rendah"), the
//! family's value and whether it is met ("desil 10 → tidak terpenuhi"). Read from the rule file
//! in force, so a district's changed figure shows as it is applied. A shape the sentences do
//! not cover is said to be a formula; its text stays behind the page's "detail" toggle.

use super::facts::{DERIVED_FAMILY, DERIVED_MEMBER, MEMBER_WIDTH, Ty, family_slots, member_slots};
use super::lang::{NoRecord, Node};
use super::{FactRef, fact_name};
use crate::i18n::{Lang, code_label, field_label, tr};
use crate::model::format_num;

/// A fact's label: registry fields by their field label, derived facts by `fact-<name>`.
pub fn fact_label(lang: Lang, fact: FactRef) -> String {
    let name = fact_name(fact);
    let derived = DERIVED_FAMILY
        .iter()
        .chain(DERIVED_MEMBER)
        .any(|(n, _)| *n == name);
    if derived {
        tr(lang, &format!("fact-{name}"), &[])
    } else {
        field_label(lang, name).into_owned()
    }
}

fn ty_of(fact: FactRef) -> Ty {
    if fact.0 {
        member_slots()[fact.1].ty
    } else {
        family_slots()[fact.1].ty
    }
}

/// The code list's owner for labels (the head's work is labelled as work).
fn label_field(name: &str) -> &str {
    match name {
        "kepala_pekerjaan" => "pekerjaan",
        "kepala_pendidikan" => "pendidikan",
        other => other,
    }
}

/// A value of a fact in words: a code by its label, yes/no, a number; unknown as "?".
pub fn value_text(lang: Lang, fact: FactRef, v: f64) -> String {
    if v.is_nan() {
        return tr(lang, "web-cond-unknown", &[]);
    }
    match ty_of(fact) {
        Ty::Code(codes) => codes
            .get(v as usize)
            .map(|c| code_label(lang, label_field(fact_name(fact)), c).into_owned())
            .unwrap_or_default(),
        Ty::Bool => tr(lang, if v == 1.0 { "web-yes" } else { "web-no" }, &[]),
        _ => format_num(v),
    }
}

/// One test of a condition in words, with the family's value and the result when evaluated.
#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    pub text: String,
    /// The fact's value in words ("desil 10"), for a test of one fact.
    pub value: Option<String>,
    /// 1 met, 0 not met, NaN not known; `None` when not evaluated.
    pub result: Option<f64>,
    /// The tests of an `and` (`all = true`) or an `or`.
    pub parts: Vec<Clause>,
    pub all: bool,
}

impl Clause {
    /// "terpenuhi", "tidak terpenuhi" or "belum diketahui".
    pub fn result_text(&self, lang: Lang) -> Option<String> {
        self.result.map(|r| {
            tr(
                lang,
                if r.is_nan() {
                    "web-cond-unknown"
                } else if r == 1.0 {
                    "web-cond-met"
                } else {
                    "web-cond-not-met"
                },
                &[],
            )
        })
    }

    /// The clause as one line: "Desil keluarga 4 atau lebih rendah: 10 → tidak terpenuhi".
    pub fn line(&self, lang: Lang) -> String {
        let mut s = self.text.clone();
        if let Some(v) = &self.value {
            s.push_str(": ");
            s.push_str(v);
        }
        if let Some(r) = self.result_text(lang) {
            s.push_str(" → ");
            s.push_str(&r);
        }
        s
    }
}

/// What a condition is evaluated on: the family's slots, its members' slots and the member in
/// scope (for a component's member test).
pub type On<'a> = (&'a [f64], &'a [f64], usize);

fn slot_value(on: On<'_>, member: bool, slot: usize) -> f64 {
    let (fam, mem, m) = on;
    if member {
        mem.get(m * MEMBER_WIDTH + slot)
            .copied()
            .unwrap_or(f64::NAN)
    } else {
        fam[slot]
    }
}

fn integral(x: f64) -> bool {
    x.is_finite() && x.fract() == 0.0
}

/// Describes a compiled condition; with `on`, evaluates each test.
pub fn describe(lang: Lang, node: &Node, on: Option<On<'_>>) -> Clause {
    let result = on.map(|(f, m, i)| node.eval(f, m, i, &mut NoRecord));
    let plain = |text: String, value: Option<String>| Clause {
        text,
        value,
        result,
        parts: Vec::new(),
        all: false,
    };
    match node {
        Node::AllOf(parts) | Node::AnyOf(parts) => Clause {
            text: tr(
                lang,
                if matches!(node, Node::AllOf(_)) {
                    "web-cond-all"
                } else {
                    "web-cond-any"
                },
                &[],
            ),
            value: None,
            result,
            parts: parts.iter().map(|p| describe(lang, p, on)).collect(),
            all: matches!(node, Node::AllOf(_)),
        },
        Node::Const(c) if *c == 1.0 => plain(tr(lang, "web-cond-always", &[]), None),
        Node::CmpSlot {
            member,
            slot,
            lo,
            hi,
            negate,
        } => {
            let fact = (*member, *slot);
            let label = fact_label(lang, fact);
            let value = on.map(|o| value_text(lang, fact, slot_value(o, *member, *slot)));
            let num = |x: f64| value_text(lang, fact, x);
            let text = match ty_of(fact) {
                Ty::Bool if lo == hi && *lo == 1.0 && !negate => {
                    tr(lang, "web-cond-yes", &[("fact", &label)])
                }
                _ if lo == hi => tr(
                    lang,
                    if *negate {
                        "web-cond-ne"
                    } else {
                        "web-cond-eq"
                    },
                    &[("fact", &label), ("n", &num(*lo))],
                ),
                _ if *lo == f64::NEG_INFINITY && integral(*hi) => {
                    tr(lang, "web-cond-le", &[("fact", &label), ("n", &num(*hi))])
                }
                _ if *lo == f64::NEG_INFINITY => tr(
                    lang,
                    "web-cond-lt",
                    &[("fact", &label), ("n", &num(hi.next_up()))],
                ),
                _ if *hi == f64::INFINITY && integral(*lo) => {
                    tr(lang, "web-cond-ge", &[("fact", &label), ("n", &num(*lo))])
                }
                _ if *hi == f64::INFINITY => tr(
                    lang,
                    "web-cond-gt",
                    &[("fact", &label), ("n", &num(lo.next_down()))],
                ),
                _ => tr(
                    lang,
                    "web-cond-between",
                    &[("fact", &label), ("lo", &num(*lo)), ("hi", &num(*hi))],
                ),
            };
            plain(text, value)
        }
        Node::InSlot { member, slot, set } => {
            let fact = (*member, *slot);
            let codes: Vec<String> = set.iter().map(|c| value_text(lang, fact, *c)).collect();
            let value = on.map(|o| value_text(lang, fact, slot_value(o, *member, *slot)));
            plain(
                tr(
                    lang,
                    "web-cond-in",
                    &[
                        ("fact", &fact_label(lang, fact)),
                        ("codes", &codes.join(", ")),
                    ],
                ),
                value,
            )
        }
        Node::KnownSlot { member, slot } => {
            let fact = (*member, *slot);
            plain(
                tr(lang, "web-cond-known", &[("fact", &fact_label(lang, fact))]),
                None,
            )
        }
        Node::Fam(i) | Node::Mem(i) => {
            let fact = (matches!(node, Node::Mem(_)), *i);
            plain(
                tr(lang, "web-cond-yes", &[("fact", &fact_label(lang, fact))]),
                None,
            )
        }
        Node::Not(inner) => {
            let c = describe(lang, inner, on);
            plain(format!("{} ✗", c.text), c.value)
        }
        _ => plain(tr(lang, "web-cond-formula", &[]), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;
    use chrono::NaiveDate;

    fn rules() -> RuleSet {
        RuleSet::builtin(NaiveDate::from_ymd_opt(2025, 7, 1).unwrap())
    }

    /// Issue 18 finding 7 / 20.1: the decile cut in words, with the family's value and result.
    #[test]
    fn a_decile_cut_reads_as_a_sentence_with_its_number() {
        let set = rules();
        let pkh = set.programs.iter().find(|p| p.code == "pkh").unwrap();
        let mut fam = vec![f64::NAN; crate::rules::facts::FAMILY_WIDTH];
        fam[crate::rules::facts::family_slot("desil_efektif").unwrap()] = 10.0;
        let c = describe(Lang::Id, &pkh.eligible.node, Some((&fam, &[], 0)));
        assert_eq!(
            c.line(Lang::Id),
            "Desil keluarga 4 atau lebih rendah: 10 → tidak terpenuhi"
        );
    }

    /// Age bounds and codes of a component in words.
    #[test]
    fn a_component_reads_with_its_age_bounds_and_code_labels() {
        let set = rules();
        let pkh = set.programs.iter().find(|p| p.code == "pkh").unwrap();
        let hamil = &pkh.components[0];
        let c = describe(Lang::Id, &hamil.member.node, None);
        let lines: Vec<String> = c.parts.iter().map(|p| p.line(Lang::Id)).collect();
        assert!(
            lines.iter().any(|l| l.contains("10 atau lebih")),
            "{lines:?}"
        );
        assert!(
            lines.iter().any(|l| l.contains("55 atau lebih rendah")),
            "{lines:?}"
        );
        assert!(
            !lines.iter().any(|l| l.contains("jenis_kelamin")),
            "{lines:?}"
        );
    }
}
