//! Programs as data (issue 4): each social-protection program is a versioned TOML rule file with
//! effective dates, written in the small expression language of [`lang`] over the facts of
//! [`facts`]. The 2025 files ship inside the binary (`rules/2025/`); a district may load its own
//! directory instead, without a new build. A file with an unknown field, a type error or a
//! syntax error is refused at load with file, line, column and what was expected.

pub mod assess;
pub mod describe;
pub mod facts;
pub mod lang;
pub mod pmt;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::i18n::{Lang, tr};
pub use facts::Facts;
use facts::Ty;
pub use lang::{Expr, FactRef, NoRecord, Scope};

/// The rule files shipped with this build: `(file name, text)`.
pub const BUILTIN: &[(&str, &str)] = &[
    ("pkh.toml", include_str!("../../rules/2025/pkh.toml")),
    ("bpnt.toml", include_str!("../../rules/2025/bpnt.toml")),
    ("pip.toml", include_str!("../../rules/2025/pip.toml")),
    (
        "pbi-jkn.toml",
        include_str!("../../rules/2025/pbi-jkn.toml"),
    ),
    (
        "rs-rtlh.toml",
        include_str!("../../rules/2025/rs-rtlh.toml"),
    ),
    ("atensi.toml", include_str!("../../rules/2025/atensi.toml")),
];

/// A refused rule file: where, and what was expected.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleFileError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl RuleFileError {
    pub fn render(&self, lang: Lang) -> String {
        let args: Vec<(&str, &str)> = self.args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        tr(
            lang,
            "rule-err-at",
            &[
                ("file", &self.file),
                ("line", &self.line.to_string()),
                ("column", &self.column.to_string()),
                ("reason", &tr(lang, self.key, &args)),
            ],
        )
    }
}

impl std::fmt::Display for RuleFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}
impl std::error::Error for RuleFileError {}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(src.len());
    while !src.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, col)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Names {
    id: String,
    en: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ExprSrc {
    Int(i64),
    Text(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HeadFile {
    code: String,
    version: String,
    name: Names,
    effective_from: toml::value::Datetime,
    effective_until: Option<toml::value::Datetime>,
    received: toml::Spanned<String>,
    eligible: Option<toml::Spanned<String>>,
    amount: Option<toml::Spanned<ExprSrc>>,
    max_components: Option<usize>,
    one_component_per_member: Option<bool>,
    /// The amount is paid once (a house repair), not every year.
    once: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ComponentFile {
    code: String,
    name: Names,
    member: toml::Spanned<String>,
    amount: toml::Spanned<ExprSrc>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProgramFile {
    program: HeadFile,
    #[serde(default)]
    component: Vec<ComponentFile>,
}

/// One benefit line of a program paid per qualifying member (a PKH component, a PIP pupil).
#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    pub member: Expr,
    pub amount: Expr,
}

/// A program's rules as loaded from one file.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    pub code: String,
    pub version: String,
    pub name_id: String,
    pub name_en: String,
    pub effective_from: NaiveDate,
    pub effective_until: Option<NaiveDate>,
    pub file: String,
    /// Whether the family receives the program now (from the registry's since-dates).
    pub received: Expr,
    /// The family-level condition (true when the file has none).
    pub eligible: Expr,
    /// A yearly family-level amount, added to the components' amounts.
    pub amount: Option<Expr>,
    pub components: Vec<Component>,
    pub max_components: Option<usize>,
    pub one_component_per_member: bool,
    /// Its amount is a one-off grant (RS-RTLH's house repair), not a yearly benefit: shown as
    /// such wherever amounts are added up.
    pub once: bool,
}

impl Program {
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Id => &self.name_id,
            Lang::En => &self.name_en,
        }
    }
    pub fn in_force_on(&self, day: NaiveDate) -> bool {
        self.effective_from <= day && self.effective_until.is_none_or(|u| day <= u)
    }
}

fn to_date(d: &toml::value::Datetime) -> Option<NaiveDate> {
    let date = d.date?;
    NaiveDate::from_ymd_opt(date.year as i32, date.month as u32, date.day as u32)
}

/// Offset of the first character inside a TOML string whose token spans `span`.
fn string_start(src: &str, span: std::ops::Range<usize>) -> usize {
    let raw = src.get(span.clone()).unwrap_or("");
    let mut start = span.start;
    if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
        start += 3;
        if src[start..].starts_with("\r\n") {
            start += 2;
        } else if src[start..].starts_with('\n') {
            start += 1;
        }
    } else if raw.starts_with('"') || raw.starts_with('\'') {
        start += 1;
    }
    start
}

/// Parses and checks one rule file.
pub fn parse_program(file: &str, src: &str) -> Result<Program, RuleFileError> {
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
    let parsed: ProgramFile = toml::from_str(src).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        at(
            offset,
            "rule-err-toml",
            vec![("reason", e.message().trim().to_string())],
        )
    })?;
    let compile = |s: &toml::Spanned<String>, scope: Scope, want: Ty| {
        lang::compile(s.get_ref(), scope, want).map_err(|e| {
            at(
                string_start(src, s.span()) + e.offset,
                e.key,
                e.args.clone(),
            )
        })
    };
    let compile_amount = |s: &toml::Spanned<ExprSrc>, scope: Scope| {
        let text = match s.get_ref() {
            ExprSrc::Int(i) => i.to_string(),
            ExprSrc::Text(t) => t.clone(),
        };
        let spanned = toml::Spanned::new(s.span(), text);
        if matches!(s.get_ref(), ExprSrc::Int(_)) {
            lang::compile(spanned.get_ref(), scope, Ty::Num)
                .map_err(|e| at(s.span().start, e.key, e.args))
        } else {
            compile(&spanned, scope, Ty::Num)
        }
    };
    let head = &parsed.program;
    let span_of_head = src.find("effective_from").unwrap_or(0);
    let effective_from = to_date(&head.effective_from).ok_or_else(|| {
        at(
            span_of_head,
            "rule-err-date",
            vec![("field", "effective_from".to_string())],
        )
    })?;
    let effective_until = match &head.effective_until {
        None => None,
        Some(d) => Some(to_date(d).ok_or_else(|| {
            at(
                src.find("effective_until").unwrap_or(0),
                "rule-err-date",
                vec![("field", "effective_until".to_string())],
            )
        })?),
    };
    let eligible = match &head.eligible {
        Some(s) => compile(s, Scope::Family, Ty::Bool)?,
        None => lang::compile("true", Scope::Family, Ty::Bool).expect("literal compiles"),
    };
    let mut components = Vec::new();
    for c in &parsed.component {
        components.push(Component {
            code: c.code.clone(),
            name_id: c.name.id.clone(),
            name_en: c.name.en.clone(),
            member: compile(&c.member, Scope::Member, Ty::Bool)?,
            amount: compile_amount(&c.amount, Scope::Member)?,
        });
    }
    Ok(Program {
        code: head.code.clone(),
        version: head.version.clone(),
        name_id: head.name.id.clone(),
        name_en: head.name.en.clone(),
        effective_from,
        effective_until,
        file: file.to_string(),
        received: compile(&head.received, Scope::Family, Ty::Bool)?,
        eligible,
        amount: head
            .amount
            .as_ref()
            .map(|a| compile_amount(a, Scope::Family))
            .transpose()?,
        components,
        max_components: head.max_components,
        one_component_per_member: head.one_component_per_member.unwrap_or(true),
        once: head.once.unwrap_or(false),
    })
}

/// The programs in force on one day, one version each.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSet {
    pub programs: Vec<Program>,
}

impl RuleSet {
    /// Loads `files`, keeping for each program code the newest version in force on `day`; on
    /// equal effective dates the later file wins (a district's file after the shipped one).
    pub fn from_files(
        files: &[(String, String)],
        day: NaiveDate,
    ) -> Result<RuleSet, RuleFileError> {
        let mut programs: Vec<Program> = Vec::new();
        for (name, text) in files {
            let p = parse_program(name, text)?;
            if !p.in_force_on(day) {
                continue;
            }
            match programs.iter_mut().find(|q| q.code == p.code) {
                Some(q) if q.effective_from <= p.effective_from => *q = p,
                Some(_) => {}
                None => programs.push(p),
            }
        }
        programs.sort_by(|a, b| a.code.cmp(&b.code));
        Ok(RuleSet { programs })
    }

    /// The rule files shipped with the binary.
    pub fn builtin_files() -> Vec<(String, String)> {
        BUILTIN
            .iter()
            .map(|(n, t)| (format!("rules/2025/{n}"), t.to_string()))
            .collect()
    }

    /// The shipped rules in force on `day`.
    pub fn builtin(day: NaiveDate) -> RuleSet {
        RuleSet::from_files(&Self::builtin_files(), day).expect("shipped rule files are valid")
    }

    /// Names the version of every program, e.g. `bpnt 2025.1, pkh 2025.1`.
    pub fn fingerprint(&self) -> String {
        self.programs
            .iter()
            .map(|p| format!("{} {}", p.code, p.version))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Yes, no, or not enough data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Eligible,
    NotEligible,
    Unknown,
}

impl Outcome {
    fn of(v: f64) -> Outcome {
        if v.is_nan() {
            Outcome::Unknown
        } else if v == 1.0 {
            Outcome::Eligible
        } else {
            Outcome::NotEligible
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Eligible => "eligible",
            Outcome::NotEligible => "not_eligible",
            Outcome::Unknown => "unknown",
        }
    }
}

/// Where a family stands between what it should get and what it gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Gap {
    /// Matches what it receives.
    None,
    /// Qualifies, does not receive (exclusion error).
    Exclusion,
    /// Receives, does not qualify (inclusion error).
    Inclusion,
    /// Not enough data to say.
    Undecided,
    /// Qualifies only through another program it receives in error (an inclusion error there):
    /// to be reviewed, never counted as an exclusion error.
    Review,
}

impl Gap {
    pub fn of(outcome: Outcome, receives: bool) -> Gap {
        match (outcome, receives) {
            (Outcome::Eligible, false) => Gap::Exclusion,
            (Outcome::NotEligible, true) => Gap::Inclusion,
            (Outcome::Unknown, _) => Gap::Undecided,
            _ => Gap::None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Gap::None => "none",
            Gap::Exclusion => "exclusion",
            Gap::Inclusion => "inclusion",
            Gap::Undecided => "undecided",
            Gap::Review => "review",
        }
    }
    pub fn parse(s: &str) -> Option<Gap> {
        [
            Gap::None,
            Gap::Exclusion,
            Gap::Inclusion,
            Gap::Undecided,
            Gap::Review,
        ]
        .into_iter()
        .find(|g| g.code() == s)
    }
}

/// The gaps that make a list (every gap but "none").
pub const LISTED_GAPS: [Gap; 4] = [Gap::Exclusion, Gap::Inclusion, Gap::Undecided, Gap::Review];

/// One program's answer for one family (the fast path's output).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decision {
    pub outcome: Outcome,
    pub receives: bool,
    /// Expected yearly benefit in rupiah when eligible (the known part when some is unknown).
    pub amount: i64,
    /// False when a part of the amount could not be computed (a fact it needs is unknown, or
    /// a member's share is undecided): `amount` is then only what is known, never the answer.
    pub amount_known: bool,
    /// Eligible only because the family receives another program (its index in the rule set).
    pub via: Option<u8>,
    /// That other program is received in error (an inclusion error): to be reviewed.
    pub review: bool,
}

impl Decision {
    pub fn gap(&self) -> Gap {
        if self.review && self.outcome == Outcome::Eligible && !self.receives {
            return Gap::Review;
        }
        Gap::of(self.outcome, self.receives)
    }

    /// The yearly amount when it is decided and known: eligible, no share undecided.
    pub fn known_amount(&self) -> Option<i64> {
        (self.outcome == Outcome::Eligible && self.amount_known).then_some(self.amount)
    }

    /// Whether the yearly amount is decided and known: nothing to pay when not eligible, the
    /// amount when eligible and every part of it known, never when the decision is undecided
    /// ("not enough data" carries no rupiah). What a stored gap row's `amount_known` says.
    pub fn amount_is_known(&self) -> bool {
        match self.outcome {
            Outcome::NotEligible => true,
            Outcome::Eligible => self.amount_known,
            Outcome::Unknown => false,
        }
    }

    /// Eligible, and not a family to review (eligible only through another program received
    /// in error, and not receiving this one). A family that receives this program along such a
    /// path counts as covered: counting it as not eligible would make it an inclusion error in
    /// the tallies while its gap row says none.
    pub fn counts_as_eligible(&self) -> bool {
        self.outcome == Outcome::Eligible && self.gap() != Gap::Review
    }
}

/// A member's share of a program: which component, how much.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Share {
    /// Position among the family's present members in NIK order.
    pub member: usize,
    pub component: usize,
    pub amount: i64,
    /// False when the program's cap on components left it out.
    pub counted: bool,
}

/// One program's answer with its reasons (the explaining path).
#[derive(Debug, Clone, PartialEq)]
pub struct Explained {
    pub decision: Decision,
    pub shares: Vec<Share>,
    /// Facts that were unknown where they mattered.
    pub missing: Vec<FactRef>,
}

/// Scratch space reused between families on the fast path.
#[derive(Default)]
pub struct Scratch {
    best: Vec<f64>,
}

impl Program {
    /// Decides the program for one family. With `explain`, also says which members qualify
    /// for which component and which unknown facts mattered.
    fn run<R: lang::Recorder>(
        &self,
        facts: &Facts,
        rec: &mut R,
        arec: &mut R,
        scratch: &mut Scratch,
        mut shares: Option<&mut Vec<Share>>,
    ) -> Decision {
        let (fam, mem) = (&facts.family[..], &facts.members[..]);
        let receives = self.received.node.eval_leaf(fam, mem, 0, &mut NoRecord) == 1.0;
        let mut verdict = self.eligible.node.eval_leaf(fam, mem, 0, rec);
        let mut amount = 0.0;
        let mut amount_known = true;
        if verdict != 0.0 && !self.components.is_empty() {
            scratch.best.clear();
            let mut unknown = false;
            for m in 0..facts.member_count() {
                let mut member_best: Option<(usize, f64)> = None;
                for (ci, c) in self.components.iter().enumerate() {
                    // A member's undecided share leaves the amount unknown: its facts are
                    // named with the amount's.
                    let v = c.member.node.eval_leaf(fam, mem, m, arec);
                    if v.is_nan() {
                        unknown = true;
                    } else if v == 1.0 {
                        let a = c.amount.node.eval(fam, mem, m, arec);
                        let a = if a.is_nan() {
                            amount_known = false;
                            0.0
                        } else {
                            a
                        };
                        if self.one_component_per_member {
                            if member_best.is_none_or(|(_, b)| a > b) {
                                member_best = Some((ci, a));
                            }
                        } else {
                            scratch.best.push(a);
                            if let Some(s) = shares.as_deref_mut() {
                                s.push(Share {
                                    member: m,
                                    component: ci,
                                    amount: a as i64,
                                    counted: true,
                                });
                            }
                        }
                    }
                }
                if let Some((ci, a)) = member_best {
                    scratch.best.push(a);
                    if let Some(s) = shares.as_deref_mut() {
                        s.push(Share {
                            member: m,
                            component: ci,
                            amount: a as i64,
                            counted: true,
                        });
                    }
                }
            }
            let parts = if !scratch.best.is_empty() {
                1.0
            } else if unknown {
                f64::NAN
            } else {
                0.0
            };
            if unknown {
                amount_known = false;
            }
            verdict = if verdict == 1.0 && parts == 1.0 {
                1.0
            } else if parts == 0.0 {
                0.0
            } else {
                f64::NAN
            };
            // The cap keeps the largest components (the family's best lawful combination).
            let keep = self.max_components.unwrap_or(usize::MAX);
            if scratch.best.len() > keep {
                scratch.best.sort_by(|a, b| b.total_cmp(a));
            }
            amount += scratch.best.iter().take(keep).sum::<f64>();
            if let Some(s) = shares {
                s.sort_by(|a, b| b.amount.cmp(&a.amount).then(a.member.cmp(&b.member)));
                for (i, share) in s.iter_mut().enumerate() {
                    share.counted = i < keep;
                }
                s.sort_by_key(|x| (x.member, x.component));
            }
        }
        if let Some(a) = &self.amount {
            let v = a.node.eval(fam, mem, 0, arec);
            if v.is_nan() {
                amount_known = false;
            } else {
                amount += v;
            }
        }
        let outcome = Outcome::of(verdict);
        Decision {
            outcome,
            receives,
            amount: if outcome == Outcome::NotEligible {
                0
            } else {
                amount.round() as i64
            },
            // Not eligible: nothing to pay, so nothing unknown.
            amount_known: outcome == Outcome::NotEligible || amount_known,
            via: None,
            review: false,
        }
    }

    /// The fast path: the decision only (without what it owes to other programs: see
    /// [`RuleSet::decide_all`]).
    pub fn decide(&self, facts: &Facts, scratch: &mut Scratch) -> Decision {
        self.run(facts, &mut NoRecord, &mut NoRecord, scratch, None)
    }

    /// The explaining path: the decision, the members' shares and the missing facts: those
    /// of the condition when it is undecided, and those of the amount when it is unknown.
    pub fn explain(&self, facts: &Facts) -> Explained {
        let mut missing: Vec<FactRef> = Vec::new();
        let mut for_amount: Vec<FactRef> = Vec::new();
        let mut shares = Vec::new();
        let decision = self.run(
            facts,
            &mut missing,
            &mut for_amount,
            &mut Scratch::default(),
            Some(&mut shares),
        );
        if decision.outcome != Outcome::Unknown {
            missing.clear();
        }
        if !decision.amount_known {
            for f in for_amount {
                if !missing.contains(&f) {
                    missing.push(f);
                }
            }
        }
        Explained {
            decision,
            shares,
            missing,
        }
    }

    /// The facts of this program's receipt (its since-dates).
    fn receipt_facts(&self) -> &[FactRef] {
        &self.received.refs
    }
}

impl RuleSet {
    /// Decides every program for one family into `out` (cleared first). A program whose
    /// condition reads another program's receipt (PIP for PKH families) is marked when it is
    /// eligible only through that receipt, and flagged for review when that receipt is itself
    /// an inclusion error: an error there must not become an exclusion error here.
    pub fn decide_all(&self, facts: &Facts, scratch: &mut Scratch, out: &mut Vec<Decision>) {
        out.clear();
        for p in &self.programs {
            out.push(p.decide(facts, scratch));
        }
        self.mark_derived(facts, scratch, out);
    }

    /// The programs whose receipt `p`'s condition reads.
    pub fn receipt_sources(&self, p: &Program) -> Vec<usize> {
        self.programs
            .iter()
            .enumerate()
            .filter(|(_, q)| q.code != p.code)
            .filter(|(_, q)| {
                q.receipt_facts()
                    .iter()
                    .any(|f| p.eligible.refs.contains(f))
            })
            .map(|(i, _)| i)
            .collect()
    }

    fn mark_derived(&self, facts: &Facts, scratch: &mut Scratch, out: &mut [Decision]) {
        for (k, p) in self.programs.iter().enumerate() {
            if out[k].outcome != Outcome::Eligible {
                continue;
            }
            let sources = self.receipt_sources(p);
            if sources.is_empty() {
                continue;
            }
            let without = |drop: &[usize], scratch: &mut Scratch| {
                let mut f = facts.clone();
                for &q in drop {
                    for &(member, slot) in self.programs[q].receipt_facts() {
                        if member {
                            let w = facts::MEMBER_WIDTH;
                            for m in 0..f.member_count() {
                                f.members[m * w + slot] = f64::NAN;
                            }
                        } else {
                            f.family[slot] = f64::NAN;
                        }
                    }
                }
                p.decide(&f, scratch).outcome == Outcome::Eligible
            };
            let received: Vec<usize> = sources
                .iter()
                .copied()
                .filter(|&q| out[q].receives)
                .collect();
            if received.is_empty() || without(&received, scratch) {
                continue;
            }
            out[k].via = received.first().map(|&q| q as u8);
            let errors: Vec<usize> = received
                .iter()
                .copied()
                .filter(|&q| out[q].gap() == Gap::Inclusion)
                .collect();
            if !errors.is_empty() && !without(&errors, scratch) {
                out[k].via = errors.first().map(|&q| q as u8);
                out[k].review = true;
            }
        }
    }

    /// Every program's explained answer, with what it owes to other programs.
    pub fn explain_all(&self, facts: &Facts) -> Vec<Explained> {
        let mut out = Vec::new();
        self.decide_all(facts, &mut Scratch::default(), &mut out);
        self.programs
            .iter()
            .zip(out)
            .map(|(p, d)| {
                let mut e = p.explain(facts);
                e.decision.via = d.via;
                e.decision.review = d.review;
                e
            })
            .collect()
    }
}

/// The name of a fact a rule read, for messages (`desil_efektif`, `umur`).
pub fn fact_name(fact: FactRef) -> &'static str {
    if fact.0 {
        facts::member_slots()[fact.1].name
    } else {
        facts::family_slots()[fact.1].name
    }
}

#[cfg(test)]
mod tests;
