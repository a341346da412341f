//! Complaints, questions and suggestions about programs and services (issue 5): a ticket with a
//! service-level deadline, handled by the centre, escalated to the district when the village
//! cannot resolve it, closed with a decision. The resident follows it on a public page with the
//! ticket number and a short code from the receipt.

use serde::{Deserialize, Serialize};

use crate::access::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Pertanyaan,
    Saran,
    Pengaduan,
}

impl Category {
    pub const ALL: [Category; 3] = [Category::Pertanyaan, Category::Saran, Category::Pengaduan];

    pub fn code(self) -> &'static str {
        match self {
            Category::Pertanyaan => "pertanyaan",
            Category::Saran => "saran",
            Category::Pengaduan => "pengaduan",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.code() == s)
    }

    /// Days to answer (the centre's service level; a district may want its own later).
    pub fn sla_days(self) -> i64 {
        match self {
            Category::Pertanyaan => 5,
            Category::Saran => 14,
            Category::Pengaduan => 14,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Diterima,
    Diproses,
    Dieskalasi,
    Selesai,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Diterima,
        Status::Diproses,
        Status::Dieskalasi,
        Status::Selesai,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Status::Diterima => "diterima",
            Status::Diproses => "diproses",
            Status::Dieskalasi => "dieskalasi",
            Status::Selesai => "selesai",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|c| c.code() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Process,
    Escalate,
    Resolve,
}

impl Action {
    pub const ALL: [Action; 3] = [Action::Process, Action::Escalate, Action::Resolve];

    pub fn code(self) -> &'static str {
        match self {
            Action::Process => "process",
            Action::Escalate => "escalate",
            Action::Resolve => "resolve",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|c| c.code() == s)
    }
}

/// Why an action was refused (same keys as the case steps).
pub use crate::cases::StepError;

/// Checks one action on a complaint. The village's front and review staff process; the Ketua
/// or the Kepala Desa escalate to the district; a decision is taken by the Ketua, the Kepala
/// Desa or review staff, and once escalated by the district office. Escalating and resolving
/// need a note (the reason, the decision).
pub fn act(from: Status, action: Action, role: Role, note: &str) -> Result<Status, StepError> {
    use Role::*;
    use Status::*;
    let to = match (action, from) {
        (Action::Process, Diterima) => Diproses,
        (Action::Escalate, Diterima | Diproses) => Dieskalasi,
        (Action::Resolve, Diterima | Diproses | Dieskalasi) => Selesai,
        _ => return Err(StepError::OutOfOrder),
    };
    let permitted = match (action, from) {
        (Action::Process, _) => matches!(role, PenerimaInformasi | ReviewAnalisis | Ketua),
        (Action::Escalate, _) => matches!(role, Ketua | KepalaDesa),
        (Action::Resolve, Dieskalasi) => matches!(role, DinasSosial | Ketua | KepalaDesa),
        (Action::Resolve, _) => matches!(role, Ketua | KepalaDesa | ReviewAnalisis),
    };
    if !permitted {
        return Err(StepError::NotPermitted);
    }
    if matches!(action, Action::Escalate | Action::Resolve) && note.trim().is_empty() {
        return Err(StepError::NoteRequired);
    }
    Ok(to)
}

/// The actions a role may take now.
pub fn available(from: Status, role: Role) -> Vec<Action> {
    Action::ALL
        .into_iter()
        .filter(|a| act(from, *a, role, "x").is_ok())
        .collect()
}

/// Letters of ticket numbers and codes: no 0/O, 1/I/L, to be read aloud and typed from paper.
pub const TICKET_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// Normalises what a resident types: upper case, without spaces and dashes.
pub fn normalise_ticket(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;
    use Status::*;

    #[test]
    fn every_allowed_and_forbidden_action() {
        // (from, action, roles allowed), by hand.
        let allowed: &[(Status, Action, &[Role])] = &[
            (
                Diterima,
                Process,
                &[Role::PenerimaInformasi, Role::ReviewAnalisis, Role::Ketua],
            ),
            (Diterima, Escalate, &[Role::Ketua, Role::KepalaDesa]),
            (Diproses, Escalate, &[Role::Ketua, Role::KepalaDesa]),
            (
                Diterima,
                Resolve,
                &[Role::Ketua, Role::KepalaDesa, Role::ReviewAnalisis],
            ),
            (
                Diproses,
                Resolve,
                &[Role::Ketua, Role::KepalaDesa, Role::ReviewAnalisis],
            ),
            (
                Dieskalasi,
                Resolve,
                &[Role::DinasSosial, Role::Ketua, Role::KepalaDesa],
            ),
        ];
        for from in Status::ALL {
            for a in Action::ALL {
                let row = allowed.iter().find(|(f, x, _)| *f == from && *x == a);
                for role in Role::ALL {
                    let got = act(from, a, role, "alasan");
                    match row {
                        None => assert_eq!(got, Err(StepError::OutOfOrder), "{from:?} {a:?}"),
                        Some((_, _, roles)) if roles.contains(&role) => assert!(got.is_ok()),
                        Some(_) => {
                            assert_eq!(got, Err(StepError::NotPermitted), "{from:?} {a:?} {role:?}")
                        }
                    }
                }
            }
        }
        assert_eq!(
            act(Diproses, Resolve, Role::Ketua, " "),
            Err(StepError::NoteRequired)
        );
        assert!(available(Selesai, Role::Ketua).is_empty());
    }

    #[test]
    fn tickets_are_typed_forgivingly() {
        assert_eq!(normalise_ticket(" p7k-2q9x "), "P7K2Q9X");
        assert!(!TICKET_ALPHABET.contains(&b'O') && !TICKET_ALPHABET.contains(&b'1'));
    }
}
