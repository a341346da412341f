//! The JSON API's bodies as types: what is serialised is what the OpenAPI document describes,
//! because the schema is derived from the same type. Fields are declared in alphabetical order:
//! the API has always sent its keys sorted (its bodies were `serde_json` maps), and clients see
//! the same bytes.

use std::collections::BTreeMap;

use puskesos_domain::identity::{Nik, Sex, mask};
use puskesos_domain::model::{FAMILY_FIELDS, Field, PERSON_FIELDS, Values};
use puskesos_domain::rules::{self, fact_name};
use puskesos_domain::wilayah::{KodeWilayah, Level, Wilayah};
use puskesos_domain::{Lang, tr};
use puskesos_storage::registry::{ChangeEntry, FamilySummary, FamilyView, SearchCount};
use serde::Serialize;
use utoipa::ToSchema;

use crate::features::registry::{FamilyAssessment, PER_PAGE};

/// A refusal: its catalogue key and the message in Indonesian and English.
#[derive(Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ApiError {
    pub error: String,
    pub message: String,
    pub message_en: String,
}

impl ApiError {
    /// The refusal `key` with the catalogue's arguments, in both languages.
    pub fn new(key: &str, args: &[(&str, &str)]) -> ApiError {
        ApiError {
            error: key.to_string(),
            message: tr(Lang::Id, key, args),
            message_en: tr(Lang::En, key, args),
        }
    }
}

// --- Region codes and NIKs -----------------------------------------------------------------

/// A Kemendagri region code with its name and the path of regions above it.
#[derive(Serialize, ToSchema)]
pub struct Region {
    pub code: String,
    /// provinsi, kabupaten_kota, kecamatan or desa_kelurahan
    #[schema(value_type = String)]
    pub level: Level,
    pub name: Option<&'static str>,
    /// From the province down to this region.
    pub path: Vec<RegionName>,
}

#[derive(Serialize, ToSchema)]
pub struct RegionName {
    pub code: &'static str,
    pub name: &'static str,
}

impl Region {
    pub fn of(w: &Wilayah, code: &KodeWilayah) -> Region {
        Region {
            code: code.as_str().to_string(),
            level: code.level(),
            name: w.get(code.as_str()).map(|r| r.name),
            path: w
                .path(code)
                .iter()
                .map(|r| RegionName {
                    code: r.code,
                    name: r.name,
                })
                .collect(),
        }
    }
}

/// A valid NIK: what its digits say, and warnings (in Indonesian).
#[derive(Serialize, ToSchema)]
pub struct NikValid {
    pub day: u32,
    pub kecamatan: String,
    pub month: u32,
    /// L (laki-laki) or P (perempuan)
    #[schema(value_type = String)]
    pub sex: Sex,
    /// Always true.
    pub valid: bool,
    pub warnings: Vec<String>,
    /// Two-digit year of birth; the century is ambiguous.
    pub yy: u32,
}

impl From<&Nik> for NikValid {
    fn from(n: &Nik) -> NikValid {
        NikValid {
            day: n.day,
            kecamatan: n.kecamatan.as_str().to_string(),
            month: n.month,
            sex: n.sex,
            valid: true,
            warnings: n
                .warnings
                .iter()
                .map(|w| w.message.render(Lang::Id))
                .collect(),
            yy: n.yy,
        }
    }
}

/// An invalid NIK with its reasons in Indonesian and English.
#[derive(Serialize, ToSchema)]
pub struct NikInvalid {
    pub errors: Vec<String>,
    pub errors_en: Vec<String>,
    /// Always false.
    pub valid: bool,
}

impl NikInvalid {
    pub fn of(issues: &[puskesos_domain::identity::Issue]) -> NikInvalid {
        let render = |lang| issues.iter().map(|i| i.message.render(lang)).collect();
        NikInvalid {
            errors: render(Lang::Id),
            errors_en: render(Lang::En),
            valid: false,
        }
    }
}

// --- Registry search and a family ----------------------------------------------------------

/// One page of a registry search.
#[derive(Serialize, ToSchema)]
pub struct SearchResult {
    pub families: Vec<FamilyRow>,
    /// more families than `total` match
    pub more: bool,
    pub page: i64,
    pub per_page: i64,
    /// families found so far (at least this many when `more`)
    pub total: i64,
}

/// A family in a search result, with its numbers masked.
#[derive(Serialize, ToSchema)]
pub struct FamilyRow {
    pub alamat: Option<String>,
    pub head_name: Option<String>,
    pub head_nik_masked: Option<String>,
    pub id: String,
    pub kode_wilayah: String,
    pub members: i64,
    pub no_kk_masked: String,
    pub rt: Option<String>,
    pub rw: Option<String>,
}

impl SearchResult {
    pub fn new(rows: Vec<FamilySummary>, count: SearchCount, page: i64) -> SearchResult {
        SearchResult {
            families: rows
                .into_iter()
                .map(|f| FamilyRow {
                    alamat: f.address,
                    head_name: f.head_name,
                    head_nik_masked: f.head_nik.as_deref().map(mask),
                    id: f.id,
                    kode_wilayah: f.village,
                    members: f.members,
                    no_kk_masked: mask(&f.no_kk),
                    rt: f.rt,
                    rw: f.rw,
                })
                .collect(),
            more: count.more,
            page,
            per_page: PER_PAGE,
            total: count.total,
        }
    }
}

/// A family's facts, members and history (every field as text, by its key in
/// docs/import-format.md).
#[derive(Serialize, ToSchema)]
#[schema(as = Family)]
pub struct FamilyBody {
    /// docs/import-format.md
    pub family: BTreeMap<String, String>,
    pub history: Vec<HistoryEntry>,
    pub id: String,
    /// Each member's fields and its `id`.
    pub members: Vec<BTreeMap<String, String>>,
}

/// One change of the family or a member.
#[derive(Serialize, ToSchema)]
pub struct HistoryEntry {
    pub action: String,
    pub actor: String,
    pub at_ms: i64,
    pub changed: Vec<FieldChange>,
    pub entity: String,
    pub entity_id: String,
    pub reason: Option<String>,
    pub source: String,
}

#[derive(Serialize, ToSchema)]
pub struct FieldChange {
    pub field: String,
    pub new: Option<String>,
    pub old: Option<String>,
}

fn texts(fields: &[Field], values: &Values) -> BTreeMap<String, String> {
    fields
        .iter()
        .zip(values)
        .filter_map(|(f, v)| v.as_ref().map(|v| (f.key.to_string(), v.to_text(f.kind))))
        .collect()
}

impl From<FamilyView> for FamilyBody {
    fn from(v: FamilyView) -> FamilyBody {
        FamilyBody {
            family: texts(FAMILY_FIELDS, &v.family.values),
            history: v.history.into_iter().map(HistoryEntry::from).collect(),
            id: v.family.id,
            members: v
                .members
                .iter()
                .map(|p| {
                    let mut m = texts(PERSON_FIELDS, &p.values);
                    m.insert("id".into(), p.id.clone());
                    m
                })
                .collect(),
        }
    }
}

impl From<ChangeEntry> for HistoryEntry {
    fn from(h: ChangeEntry) -> HistoryEntry {
        HistoryEntry {
            action: h.action,
            actor: h.actor,
            at_ms: h.at_ms,
            changed: h
                .changed
                .into_iter()
                .map(|(field, old, new)| FieldChange { field, new, old })
                .collect(),
            entity: h.entity,
            entity_id: h.entity_id,
            reason: h.reason,
            source: h.source,
        }
    }
}

// --- Eligibility ---------------------------------------------------------------------------

/// One family's assessment and each program's decision with its reasons.
#[derive(Serialize, ToSchema)]
pub struct Eligibility {
    /// The reference date this answer was computed for (ages, rules in force).
    #[schema(format = Date)]
    pub assessed_on: String,
    /// The reference date of the stored assessment (the gap lists' answer); `assessed_on` is
    /// the same unless another date was asked for.
    #[schema(format = Date)]
    pub stored_assessed_on: Option<String>,
    /// Fakir miskin under Kepmensos 262/2022 without a DTSEN decile: proposed for DTSEN.
    pub dtsen_proposal: bool,
    pub pmt: PmtBody,
    pub bps14: Bps14Body,
    pub decile: Decile,
    pub family_id: String,
    /// The Kepmensos 262/HUK/2022 verdict: poor, not_poor or undecided.
    pub kepmensos262: &'static str,
    pub pmt_per_capita_month: Option<i64>,
    pub programs: Vec<ProgramBody>,
    /// The programs and versions of the rules applied.
    pub rules: String,
}

/// The 14 BPS criteria: how many are met, and the verdict (poor, not_poor or undecided).
#[derive(Serialize, ToSchema)]
#[schema(as = Bps14)]
pub struct Bps14Body {
    pub met: usize,
    pub verdict: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct Decile {
    /// The two deciles differ by more than two.
    pub disagree: bool,
    pub dtsen: Option<i64>,
    pub effective: Option<i64>,
    pub local: Option<u8>,
}

/// The PMT estimate and the inputs it lacked (left out of the sum: neither raising nor
/// lowering it); with more than `max_unknown` of them there is no estimate.
#[derive(Serialize, ToSchema)]
#[schema(as = Pmt)]
pub struct PmtBody {
    pub max_unknown: usize,
    pub model: String,
    pub terms: usize,
    /// The unknown inputs, as written in the model file.
    pub unknown_inputs: Vec<String>,
}

#[derive(Serialize, ToSchema)]
#[schema(as = Program)]
pub struct ProgramBody {
    pub components: Vec<ComponentShare>,
    pub condition: String,
    pub gap: Gap,
    /// Every fact the decision or the amount needed and did not have.
    pub missing_facts: Vec<&'static str>,
    pub name: ProgramName,
    pub outcome: Outcome,
    pub program: String,
    pub receives: bool,
    /// Eligible only through this program's receipt, flagged for review when that receipt is
    /// an inclusion error (`to_review`).
    pub through_program: Option<String>,
    /// Eligible only through another program received in error (an inclusion error there):
    /// to be reviewed. Not receiving this program: `gap` = review, never an exclusion error;
    /// receiving it: counted as covered, still flagged here.
    pub to_review: bool,
    pub version: String,
    /// The yearly amount when eligible and known; `null` when it cannot be computed (never 0
    /// for unknown).
    pub yearly_amount: Option<i64>,
    /// The part of the amount that is known (equal to `yearly_amount` when that is known).
    pub yearly_amount_known_part: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ProgramName {
    pub en: String,
    pub id: String,
}

/// A member's share of a program.
#[derive(Serialize, ToSchema)]
pub struct ComponentShare {
    pub amount: i64,
    pub component: Option<String>,
    /// False when the program's cap on components left it out.
    pub counted: bool,
    /// Position among the family's present members in NIK order.
    pub member: usize,
}

/// A program's decision for the family.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Eligible,
    NotEligible,
    Unknown,
}

impl From<rules::Outcome> for Outcome {
    fn from(o: rules::Outcome) -> Outcome {
        match o {
            rules::Outcome::Eligible => Outcome::Eligible,
            rules::Outcome::NotEligible => Outcome::NotEligible,
            rules::Outcome::Unknown => Outcome::Unknown,
        }
    }
}

/// Decision against receipt: eligible and not receiving (exclusion), receiving and not eligible
/// (inclusion), undecided, or none.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Gap {
    None,
    Exclusion,
    Inclusion,
    Undecided,
    /// Eligible only through another program received in error: to be reviewed.
    Review,
}

impl From<rules::Gap> for Gap {
    fn from(g: rules::Gap) -> Gap {
        match g {
            rules::Gap::None => Gap::None,
            rules::Gap::Exclusion => Gap::Exclusion,
            rules::Gap::Inclusion => Gap::Inclusion,
            rules::Gap::Undecided => Gap::Undecided,
            rules::Gap::Review => Gap::Review,
        }
    }
}

impl Eligibility {
    pub fn new(family_id: String, a: &FamilyAssessment) -> Eligibility {
        let (assessor, prepared, summary) = (&a.assessor, &a.prepared, &a.summary);
        let explained = assessor.rules.explain_all(&prepared.facts);
        let programs = assessor
            .rules
            .programs
            .iter()
            .zip(explained)
            .map(|(p, e)| ProgramBody {
                components: e
                    .shares
                    .iter()
                    .map(|s| ComponentShare {
                        amount: s.amount,
                        component: p.components.get(s.component).map(|c| c.code.clone()),
                        counted: s.counted,
                        member: s.member,
                    })
                    .collect(),
                condition: p.eligible.text.clone(),
                gap: e.decision.gap().into(),
                missing_facts: e.missing.iter().map(|f| fact_name(*f)).collect(),
                name: ProgramName {
                    en: p.name_en.clone(),
                    id: p.name_id.clone(),
                },
                outcome: e.decision.outcome.into(),
                program: p.code.clone(),
                receives: e.decision.receives,
                through_program: e
                    .decision
                    .via
                    .and_then(|i| assessor.rules.programs.get(usize::from(i)))
                    .map(|q| q.code.clone()),
                to_review: e.decision.review,
                version: p.version.clone(),
                yearly_amount: match e.decision.outcome {
                    rules::Outcome::NotEligible => Some(0),
                    _ => e.decision.known_amount(),
                },
                yearly_amount_known_part: e.decision.amount,
            })
            .collect();
        let model = assessor.pmt.for_village(&prepared.village);
        Eligibility {
            assessed_on: assessor.on.to_string(),
            stored_assessed_on: a.stored_on.map(|d| d.to_string()),
            dtsen_proposal: summary.dtsen_proposal,
            pmt: PmtBody {
                max_unknown: model.max_unknown,
                model: format!("{} {}", model.name, model.version),
                terms: model.terms.len(),
                unknown_inputs: prepared
                    .pmt_unknown
                    .iter()
                    .filter_map(|&i| model.terms.get(i))
                    .map(|t| t.expr.text.clone())
                    .collect(),
            },
            bps14: Bps14Body {
                met: summary.bps14_met,
                verdict: summary.bps14_verdict,
            },
            decile: Decile {
                disagree: summary.deciles_disagree,
                dtsen: prepared.official_decile,
                effective: summary.effective_decile,
                local: summary.local_decile,
            },
            family_id,
            kepmensos262: summary.fakir_miskin,
            pmt_per_capita_month: summary.per_capita,
            programs,
            rules: assessor.rules.fingerprint(),
        }
    }
}
