//! The life of an SLRT case (issue 5, first part): registered at the front office, handled by
//! the back-office section of its sector, recommended, decided by the Ketua or the Kepala Desa
//! (or returned for correction), referred, followed up, closed; or refused with a reason at any
//! point before the decision is carried out. The state machine is written once here; every
//! transition is checked against the role (and, for the sections, the case's sector).

use serde::{Deserialize, Serialize};

use crate::access::Role;

/// Where a need or complaint belongs (SLRT sectors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sector {
    Kesehatan,
    Pendidikan,
    SosialEkonomi,
    Pangan,
    SubsidiEnergi,
    Pertanian,
    Perikanan,
    Perumahan,
    Adminduk,
    Perlindungan,
}

impl Sector {
    pub const ALL: [Sector; 10] = [
        Sector::Kesehatan,
        Sector::Pendidikan,
        Sector::SosialEkonomi,
        Sector::Pangan,
        Sector::SubsidiEnergi,
        Sector::Pertanian,
        Sector::Perikanan,
        Sector::Perumahan,
        Sector::Adminduk,
        Sector::Perlindungan,
    ];

    /// Stored code and catalogue suffix (`sector-<code>`).
    pub fn code(self) -> &'static str {
        match self {
            Sector::Kesehatan => "kesehatan",
            Sector::Pendidikan => "pendidikan",
            Sector::SosialEkonomi => "sosial_ekonomi",
            Sector::Pangan => "pangan",
            Sector::SubsidiEnergi => "subsidi_energi",
            Sector::Pertanian => "pertanian",
            Sector::Perikanan => "perikanan",
            Sector::Perumahan => "perumahan",
            Sector::Adminduk => "adminduk",
            Sector::Perlindungan => "perlindungan",
        }
    }

    pub fn parse(code: &str) -> Option<Sector> {
        Sector::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The back-office section that handles the sector: health and education have their own;
    /// everything else is social-economic.
    pub fn section(self) -> Role {
        match self {
            Sector::Kesehatan => Role::BagianKesehatan,
            Sector::Pendidikan => Role::BagianPendidikan,
            _ => Role::BagianSosialEkonomi,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Registered by the front office.
    Registered,
    /// With the back-office section of its sector.
    InHandling,
    /// The section has recommended a service.
    Recommended,
    /// Sent back by the Ketua or Kepala Desa for correction.
    Returned,
    /// The Ketua or Kepala Desa decided the service.
    Decided,
    /// A referral has gone out.
    Referred,
    /// The provider's outcome is recorded.
    FollowedUp,
    Closed,
    /// Refused, with a reason.
    Refused,
}

impl State {
    pub const ALL: [State; 9] = [
        State::Registered,
        State::InHandling,
        State::Recommended,
        State::Returned,
        State::Decided,
        State::Referred,
        State::FollowedUp,
        State::Closed,
        State::Refused,
    ];

    pub fn code(self) -> &'static str {
        match self {
            State::Registered => "registered",
            State::InHandling => "in_handling",
            State::Recommended => "recommended",
            State::Returned => "returned",
            State::Decided => "decided",
            State::Referred => "referred",
            State::FollowedUp => "followed_up",
            State::Closed => "closed",
            State::Refused => "refused",
        }
    }

    pub fn is_final(self) -> bool {
        matches!(self, State::Closed | State::Refused)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Hand the case to the section of its sector.
    Assign,
    Recommend,
    Decide,
    ReturnForCorrection,
    Refer,
    FollowUp,
    Close,
    Refuse,
    /// Open a closed case again, with a reason (a new need, an outcome that did not hold).
    Reopen,
}

impl Step {
    pub const ALL: [Step; 9] = [
        Step::Assign,
        Step::Recommend,
        Step::Decide,
        Step::ReturnForCorrection,
        Step::Refer,
        Step::FollowUp,
        Step::Close,
        Step::Refuse,
        Step::Reopen,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Step::Assign => "assign",
            Step::Recommend => "recommend",
            Step::Decide => "decide",
            Step::ReturnForCorrection => "return",
            Step::Refer => "refer",
            Step::FollowUp => "follow_up",
            Step::Close => "close",
            Step::Refuse => "refuse",
            Step::Reopen => "reopen",
        }
    }

    /// The state a step leads to, from the states it may start in.
    fn edge(self, from: State) -> Option<State> {
        use State::*;
        match (self, from) {
            (Step::Assign, Registered) => Some(InHandling),
            (Step::Recommend, InHandling | Returned) => Some(Recommended),
            (Step::Decide, Recommended) => Some(Decided),
            (Step::ReturnForCorrection, Recommended) => Some(Returned),
            // A case may go to several providers, and to another one after a refusal.
            (Step::Refer, Decided | Referred | FollowedUp) => Some(Referred),
            (Step::FollowUp, Referred) => Some(FollowedUp),
            (Step::Close, FollowedUp) => Some(Closed),
            (Step::Reopen, Closed) => Some(InHandling),
            (Step::Refuse, Registered | InHandling | Recommended | Returned) => Some(Refused),
            _ => None,
        }
    }

    /// Whether `role` may take this step on a case of `sector`.
    fn permitted(self, role: Role, sector: Sector) -> bool {
        use Role::*;
        let section = role == sector.section();
        match self {
            Step::Assign => matches!(role, PenerimaInformasi | ReviewAnalisis | Ketua),
            Step::Recommend => section || role == ReviewAnalisis,
            Step::Decide | Step::ReturnForCorrection | Step::Refuse => {
                matches!(role, Ketua | KepalaDesa)
            }
            Step::Refer => section || matches!(role, ReviewAnalisis | Ketua),
            Step::FollowUp => section || role == ReviewAnalisis,
            Step::Close => matches!(role, ReviewAnalisis | Ketua),
            Step::Reopen => matches!(role, ReviewAnalisis | Ketua),
        }
    }

    /// Steps that must carry a note saying why.
    pub fn needs_note(self) -> bool {
        matches!(
            self,
            Step::ReturnForCorrection | Step::Refuse | Step::Decide | Step::Reopen
        )
    }
}

/// Whether `role` may send referrals for a case of `sector` (and so see the provider's link).
pub fn may_refer(role: Role, sector: Sector) -> bool {
    Step::Refer.permitted(role, sector)
}

/// Why a step was refused; catalogue key `case-err-<code>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepError {
    /// The step does not start from the case's state (out of order).
    OutOfOrder,
    /// The role may not take this step (or not for this sector).
    NotPermitted,
    /// The step needs a note and none was given.
    NoteRequired,
}

impl StepError {
    pub fn key(self) -> &'static str {
        match self {
            StepError::OutOfOrder => "case-err-out-of-order",
            StepError::NotPermitted => "case-err-not-permitted",
            StepError::NoteRequired => "case-err-note-required",
        }
    }
}

/// Checks one step: the new state, or why not. The order of the checks is deliberate: a step out
/// of order is reported as such whoever asks.
pub fn step(
    from: State,
    step: Step,
    role: Role,
    sector: Sector,
    note: &str,
) -> Result<State, StepError> {
    let to = step.edge(from).ok_or(StepError::OutOfOrder)?;
    if !step.permitted(role, sector) {
        return Err(StepError::NotPermitted);
    }
    if step.needs_note() && note.trim().is_empty() {
        return Err(StepError::NoteRequired);
    }
    Ok(to)
}

/// The steps a role may take now on a case (for the buttons of the case page and worklists).
pub fn available(from: State, role: Role, sector: Sector) -> Vec<Step> {
    Step::ALL
        .into_iter()
        .filter(|s| s.edge(from).is_some() && s.permitted(role, sector))
        .collect()
}

/// Whether the case waits for this role: a step that moves it forward is theirs (refusing is
/// always possible for the deciders, so it does not put a case in their queue).
pub fn waits_for(from: State, role: Role, sector: Sector) -> bool {
    available(from, role, sector)
        .into_iter()
        .any(|s| s != Step::Refuse)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Lang, tr};
    use State::*;
    use Step::*;

    /// Every allowed `(from, step, to)`, written out by hand from the SLRT flow.
    const EDGES: &[(State, Step, State)] = &[
        (Registered, Assign, InHandling),
        (InHandling, Recommend, Recommended),
        (Returned, Recommend, Recommended),
        (Recommended, Decide, Decided),
        (Recommended, ReturnForCorrection, Returned),
        (Decided, Refer, Referred),
        (Referred, Refer, Referred),
        (FollowedUp, Refer, Referred),
        (Closed, Reopen, InHandling),
        (Referred, FollowUp, FollowedUp),
        (FollowedUp, Close, Closed),
        (Registered, Refuse, Refused),
        (InHandling, Refuse, Refused),
        (Recommended, Refuse, Refused),
        (Returned, Refuse, Refused),
    ];

    /// Who may take each step, by hand: `(step, role, sector)` for the section-bound steps is
    /// checked separately below.
    fn expected_roles(s: Step, sector: Sector) -> Vec<Role> {
        use Role::*;
        let section = sector.section();
        let mut r = match s {
            Assign => vec![PenerimaInformasi, ReviewAnalisis, Ketua],
            Recommend | FollowUp => vec![ReviewAnalisis, section],
            Decide | ReturnForCorrection | Refuse => vec![Ketua, KepalaDesa],
            Refer => vec![ReviewAnalisis, Ketua, section],
            Close | Reopen => vec![ReviewAnalisis, Ketua],
        };
        r.sort_by_key(|x| x.code());
        r
    }

    #[test]
    fn every_allowed_and_every_forbidden_transition() {
        let mut allowed = 0;
        for from in State::ALL {
            for s in Step::ALL {
                let edge = EDGES.iter().find(|(f, st, _)| *f == from && *st == s);
                for sector in Sector::ALL {
                    let roles = expected_roles(s, sector);
                    for role in Role::ALL {
                        let got = step(from, s, role, sector, "catatan");
                        match edge {
                            None => assert_eq!(got, Err(StepError::OutOfOrder), "{from:?} {s:?}"),
                            Some((_, _, to)) if roles.contains(&role) => {
                                assert_eq!(got, Ok(*to), "{from:?} {s:?} {role:?} {sector:?}");
                                allowed += 1;
                            }
                            Some(_) => assert_eq!(
                                got,
                                Err(StepError::NotPermitted),
                                "{from:?} {s:?} {role:?} {sector:?}"
                            ),
                        }
                    }
                }
            }
        }
        assert!(allowed > 0);
        // Nothing leaves a refusal; a closed case only reopens.
        assert_eq!(available(Closed, Role::Ketua, Sector::Pangan), [Reopen]);
        for s in Step::ALL {
            assert_eq!(
                step(Refused, s, Role::Ketua, Sector::Pangan, "x"),
                Err(StepError::OutOfOrder)
            );
        }
    }

    #[test]
    fn a_section_handles_only_its_sector() {
        let health = Sector::Kesehatan;
        assert!(step(InHandling, Recommend, Role::BagianKesehatan, health, "").is_ok());
        assert_eq!(
            step(InHandling, Recommend, Role::BagianPendidikan, health, ""),
            Err(StepError::NotPermitted)
        );
        assert_eq!(Sector::Perumahan.section(), Role::BagianSosialEkonomi);
        // The district office and the administrator never move a village's case.
        for s in Step::ALL {
            for from in State::ALL {
                for role in [Role::DinasSosial, Role::Admin, Role::PengolahData] {
                    assert!(step(from, s, role, health, "x").is_err());
                }
            }
        }
    }

    #[test]
    fn decisions_returns_and_refusals_need_a_note() {
        assert_eq!(
            step(Recommended, Decide, Role::KepalaDesa, Sector::Pangan, "  "),
            Err(StepError::NoteRequired)
        );
        assert_eq!(
            step(
                Recommended,
                ReturnForCorrection,
                Role::Ketua,
                Sector::Pangan,
                ""
            ),
            Err(StepError::NoteRequired)
        );
        assert_eq!(
            step(
                Registered,
                Refuse,
                Role::Ketua,
                Sector::Pangan,
                "bukan warga desa"
            ),
            Ok(Refused)
        );
    }

    #[test]
    fn available_steps_match_the_machine() {
        assert_eq!(
            available(Recommended, Role::Ketua, Sector::Pangan),
            [Decide, ReturnForCorrection, Refuse]
        );
        assert_eq!(
            available(Registered, Role::PenerimaInformasi, Sector::Pangan),
            [Assign]
        );
        assert!(available(Decided, Role::KepalaDesa, Sector::Pangan).is_empty());
    }

    #[test]
    fn every_state_step_and_sector_has_labels() {
        for lang in Lang::ALL {
            let keys = State::ALL
                .iter()
                .map(|s| format!("case-state-{}", s.code()))
                .chain(Step::ALL.iter().map(|s| format!("case-step-{}", s.code())))
                .chain(Sector::ALL.iter().map(|s| {
                    format!(
                        "sector-{}",
                        serde_json::to_value(s).unwrap().as_str().unwrap()
                    )
                }))
                .chain(
                    [
                        "case-err-out-of-order",
                        "case-err-not-permitted",
                        "case-err-note-required",
                    ]
                    .map(String::from),
                );
            for k in keys {
                assert_ne!(tr(lang, &k, &[]), k, "{k} missing for {lang:?}");
            }
        }
    }
}
