//! The facts a rule can read: every registry field plus a few derived facts (age, household
//! size, the head's work, the assessments), each with a type the compiler checks.
//!
//! At evaluation a family is a flat vector of `f64` slots (`NaN` = unknown; yes/no as 0/1; a
//! coded answer as its position in the code list), and its present members a second flat
//! vector, member after member. No strings, no maps: that is what makes rule evaluation fast.

use chrono::{Datelike, NaiveDate};

use crate::assessment::{Bps14, Kepmensos262, Verdict, head_of, present};
use crate::model::{
    FAMILY_FIELDS, Family, Field, Kind, PEKERJAAN, PENDIDIKAN, PERSON_FIELDS, Person, Record, Value,
};

/// The type of a fact or an expression.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ty {
    Num,
    Bool,
    /// One of a closed list of codes.
    Code(&'static [&'static str]),
    /// Text or a date: a rule may only ask whether it is recorded (`known(x)`).
    Presence,
}

impl Ty {
    pub fn name(self) -> &'static str {
        match self {
            Ty::Num => "num",
            Ty::Bool => "bool",
            Ty::Code(_) => "code",
            Ty::Presence => "text",
        }
    }
}

/// Where a slot's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    FamilyField(usize),
    PersonField(usize),
    Derived,
}

#[derive(Debug, Clone, Copy)]
pub struct Slot {
    pub name: &'static str,
    pub ty: Ty,
    pub source: Source,
}

/// Derived family facts, after the family fields (their slot = `FAMILY_FIELDS.len() + n`).
pub const DERIVED_FAMILY: &[(&str, Ty)] = &[
    ("jumlah_anggota", Ty::Num),
    ("kepala_pekerjaan", Ty::Code(PEKERJAAN)),
    ("kepala_pendidikan", Ty::Code(PENDIDIKAN)),
    ("kepala_umur", Ty::Num),
    ("kepala_punya_ktp", Ty::Bool),
    ("bps14_terpenuhi", Ty::Num),
    ("miskin_bps14", Ty::Bool),
    ("fakir_miskin", Ty::Bool),
    ("pengeluaran_perkapita", Ty::Num),
    ("desil_lokal", Ty::Num),
    ("desil_efektif", Ty::Num),
];
/// Derived member facts, after the person fields.
pub const DERIVED_MEMBER: &[(&str, Ty)] = &[("umur", Ty::Num)];

fn field_ty(f: &Field) -> Ty {
    match f.kind {
        Kind::Int { .. } | Kind::Num { .. } => Ty::Num,
        Kind::Bool => Ty::Bool,
        Kind::Code(codes) => Ty::Code(codes),
        Kind::Text { .. } | Kind::Date => Ty::Presence,
    }
}

fn slots(fields: &'static [Field], derived: &[(&'static str, Ty)], family: bool) -> Vec<Slot> {
    fields
        .iter()
        .enumerate()
        .map(|(i, f)| Slot {
            name: f.key,
            ty: field_ty(f),
            source: if family {
                Source::FamilyField(i)
            } else {
                Source::PersonField(i)
            },
        })
        .chain(derived.iter().map(|(name, ty)| Slot {
            name,
            ty: *ty,
            source: Source::Derived,
        }))
        .collect()
}

/// The family-level namespace, in slot order.
pub fn family_slots() -> Vec<Slot> {
    slots(FAMILY_FIELDS, DERIVED_FAMILY, true)
}
/// The member-level namespace, in slot order.
pub fn member_slots() -> Vec<Slot> {
    slots(PERSON_FIELDS, DERIVED_MEMBER, false)
}

pub fn family_slot(name: &str) -> Option<usize> {
    FAMILY_FIELDS
        .iter()
        .position(|f| f.key == name)
        .or_else(|| {
            DERIVED_FAMILY
                .iter()
                .position(|(n, _)| *n == name)
                .map(|i| FAMILY_FIELDS.len() + i)
        })
}
pub fn member_slot(name: &str) -> Option<usize> {
    PERSON_FIELDS
        .iter()
        .position(|f| f.key == name)
        .or_else(|| {
            DERIVED_MEMBER
                .iter()
                .position(|(n, _)| *n == name)
                .map(|i| PERSON_FIELDS.len() + i)
        })
}

pub const FAMILY_WIDTH: usize = FAMILY_FIELDS.len() + DERIVED_FAMILY.len();
pub const MEMBER_WIDTH: usize = PERSON_FIELDS.len() + DERIVED_MEMBER.len();

fn derived_family(name: &str) -> usize {
    family_slot(name).expect("derived family fact is declared")
}

/// One family's facts as the evaluator reads them.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    pub family: Vec<f64>,
    /// Present members' slots, `MEMBER_WIDTH` each.
    pub members: Vec<f64>,
}

fn encode(v: Option<&Value>, kind: Kind) -> f64 {
    match (v, kind) {
        (None, _) => f64::NAN,
        (Some(Value::Int(i)), _) => *i as f64,
        (Some(Value::Num(n)), _) => *n,
        (Some(v @ (Value::Text(_) | Value::Code(_))), Kind::Code(codes)) => {
            let s = v.as_text().unwrap_or_default();
            codes
                .iter()
                .position(|c| *c == s)
                .map_or(f64::NAN, |i| i as f64)
        }
        (Some(v @ (Value::Text(_) | Value::Code(_))), _) => {
            if v.as_text().unwrap_or_default().trim().is_empty() {
                f64::NAN
            } else {
                1.0
            }
        }
    }
}

fn tri(v: Verdict) -> f64 {
    match v {
        Verdict::Poor => 1.0,
        Verdict::NotPoor => 0.0,
        Verdict::Undecided => f64::NAN,
    }
}

/// Whole years from `birth` to `on`.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut years = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years
}

impl Facts {
    /// Builds the facts of a family on the reference date `on` from its record, its members
    /// (moved and dead members are left out), and its two criteria assessments. The PMT
    /// estimate and the deciles are filled in later ([`Facts::set_pmt`], [`Facts::set_local_decile`]).
    pub fn build(
        family: &Family,
        members: &[Person],
        bps14: &Bps14,
        kepmensos: &Kepmensos262,
        on: NaiveDate,
    ) -> Facts {
        let mut fam = Vec::with_capacity(FAMILY_WIDTH);
        for (f, v) in FAMILY_FIELDS.iter().zip(&family.values) {
            fam.push(encode(v.as_ref(), f.kind));
        }
        fam.resize(FAMILY_WIDTH, f64::NAN);
        let mut people: Vec<&Person> = present(members).collect();
        // Order-independence: members are always evaluated in NIK order.
        people.sort_by(|a, b| a.text("nik").cmp(&b.text("nik")));
        let mut mem = Vec::with_capacity(people.len() * MEMBER_WIDTH);
        let umur = PERSON_FIELDS.len();
        for p in &people {
            for (f, v) in PERSON_FIELDS.iter().zip(&p.values) {
                mem.push(encode(v.as_ref(), f.kind));
            }
            mem.resize(mem.len() + DERIVED_MEMBER.len(), f64::NAN);
            let base = mem.len() - MEMBER_WIDTH;
            if let Some(b) = p.date("tanggal_lahir") {
                mem[base + umur] = age_on(b, on) as f64;
            }
        }
        fam[derived_family("jumlah_anggota")] = people.len() as f64;
        if let Some(h) = head_of(members) {
            let code = |key: &str, list: &[&str]| {
                h.text(key)
                    .and_then(|c| list.iter().position(|x| *x == c))
                    .map_or(f64::NAN, |i| i as f64)
            };
            fam[derived_family("kepala_pekerjaan")] = code("pekerjaan", PEKERJAAN);
            fam[derived_family("kepala_pendidikan")] = code("pendidikan", PENDIDIKAN);
            if let Some(b) = h.date("tanggal_lahir") {
                fam[derived_family("kepala_umur")] = age_on(b, on) as f64;
            }
            if let Some(ktp) = h.int("punya_ktp") {
                fam[derived_family("kepala_punya_ktp")] = ktp as f64;
            }
        }
        fam[derived_family("bps14_terpenuhi")] = bps14.met as f64;
        fam[derived_family("miskin_bps14")] = tri(bps14.verdict);
        fam[derived_family("fakir_miskin")] = tri(kepmensos.verdict);
        Facts {
            family: fam,
            members: mem,
        }
    }

    pub fn member_count(&self) -> usize {
        self.members.len() / MEMBER_WIDTH
    }

    pub fn get(&self, name: &str) -> f64 {
        family_slot(name).map_or(f64::NAN, |i| self.family[i])
    }

    /// Records the PMT estimate of monthly expenditure per person (rupiah).
    pub fn set_pmt(&mut self, per_capita: Option<f64>) {
        self.family[derived_family("pengeluaran_perkapita")] = per_capita.unwrap_or(f64::NAN);
    }

    /// Records the local decile and, from it and the official one, the decile that decides:
    /// the official DTSEN decile when known, the local estimate otherwise.
    pub fn set_local_decile(&mut self, local: Option<u8>) {
        let local = local.map_or(f64::NAN, f64::from);
        self.family[derived_family("desil_lokal")] = local;
        let official = self.get("desil");
        self.family[derived_family("desil_efektif")] =
            if official.is_nan() { local } else { official };
    }
}

/// The fact tables of `docs/rules.md` (Markdown): every name a rule can read, its type and, for
/// coded facts, the codes. A test keeps the document in step with this list.
pub fn facts_markdown() -> String {
    let describe = |ty: Ty| match ty {
        Ty::Num => "number".to_string(),
        Ty::Bool => "yes/no".to_string(),
        Ty::Code(codes) => format!("code: {}", codes.join(", ")),
        Ty::Presence => "text/date: only `known(...)`".to_string(),
    };
    let mut out = String::from("### Family facts\n\n| fact | type |\n|---|---|\n");
    for s in family_slots() {
        let derived = if s.source == Source::Derived {
            " (derived)"
        } else {
            ""
        };
        out.push_str(&format!(
            "| `{}`{} | {} |\n",
            s.name,
            derived,
            describe(s.ty)
        ));
    }
    out.push_str("\n### Member facts (inside `count`, `any`, `all`, `sum` and components)\n\n| fact | type |\n|---|---|\n");
    for s in member_slots() {
        let derived = if s.source == Source::Derived {
            " (derived)"
        } else {
            ""
        };
        out.push_str(&format!(
            "| `{}`{} | {} |\n",
            s.name,
            derived,
            describe(s.ty)
        ));
    }
    out
}
