//! Who may do what: the roles of a Puskesos (the paper's organisation chart) and the one
//! permission matrix that every route and API call is checked against. `docs/roles.md` is
//! generated from this file (`puskesos roles --markdown`).

use serde::{Deserialize, Serialize};

use crate::wilayah::{KodeWilayah, Level};

/// The roles of a Puskesos and around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Kepala Desa/Lurah: responsible; approves.
    KepalaDesa,
    /// Ketua: runs the centre, manages accounts.
    Ketua,
    /// Front office: Penerima Informasi (intake).
    PenerimaInformasi,
    /// Front office: review and analysis.
    ReviewAnalisis,
    /// Back office: education section.
    BagianPendidikan,
    /// Back office: health section.
    BagianKesehatan,
    /// Back office: social-economic section.
    BagianSosialEkonomi,
    /// Back office: data officer (imports, exports, corrections).
    PengolahData,
    /// District social office: reads and aggregates the villages of its kab/kota.
    DinasSosial,
    /// System administrator.
    Admin,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::KepalaDesa,
        Role::Ketua,
        Role::PenerimaInformasi,
        Role::ReviewAnalisis,
        Role::BagianPendidikan,
        Role::BagianKesehatan,
        Role::BagianSosialEkonomi,
        Role::PengolahData,
        Role::DinasSosial,
        Role::Admin,
    ];

    /// Stable code stored in the database and used in the catalogues (`role-<code>`).
    pub fn code(self) -> &'static str {
        match self {
            Role::KepalaDesa => "kepala_desa",
            Role::Ketua => "ketua",
            Role::PenerimaInformasi => "penerima_informasi",
            Role::ReviewAnalisis => "review_analisis",
            Role::BagianPendidikan => "bagian_pendidikan",
            Role::BagianKesehatan => "bagian_kesehatan",
            Role::BagianSosialEkonomi => "bagian_sosial_ekonomi",
            Role::PengolahData => "pengolah_data",
            Role::DinasSosial => "dinas_sosial",
            Role::Admin => "admin",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The level of region an account of this role is bound to.
    pub fn region_level(self) -> Option<Level> {
        match self {
            Role::DinasSosial => Some(Level::KabupatenKota),
            Role::Admin => None,
            _ => Some(Level::DesaKelurahan),
        }
    }
}

/// Things a user can do. Each route names the one it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Search the registry and open a family page (personal data: audited).
    RegistryRead,
    /// Register a family, add, edit or mark members.
    RegistryWrite,
    /// Upload an import file.
    RegistryImport,
    /// Download exports and reject files.
    RegistryExport,
    /// Browse the audit log.
    AuditRead,
    /// Export one person's data and its processing record (UU 27/2022 Ps 32).
    PersonalDataExport,
    /// Create and disable accounts of the village.
    AccountsManage,
    /// Change one's own password.
    OwnAccount,
    /// Work through the eligibility gap lists, export them, and run what-if rule changes.
    EligibilityReview,
    /// See the village's SLRT cases and their history.
    CasesRead,
    /// Register a need or request brought to the centre (intake).
    CasesIntake,
    /// Take steps on cases (which steps: the case state machine, by role and sector).
    CasesWork,
    /// Handle complaints: process, escalate, decide (which: the complaint rules by role).
    ComplaintsWork,
    /// See the village's figures (dashboard, monthly report) and, for a district, its villages
    /// side by side: aggregates only, no person is named.
    DashboardRead,
}

impl Action {
    pub const ALL: [Action; 14] = [
        Action::RegistryRead,
        Action::RegistryWrite,
        Action::RegistryImport,
        Action::RegistryExport,
        Action::AuditRead,
        Action::PersonalDataExport,
        Action::AccountsManage,
        Action::OwnAccount,
        Action::EligibilityReview,
        Action::CasesRead,
        Action::CasesIntake,
        Action::CasesWork,
        Action::ComplaintsWork,
        Action::DashboardRead,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Action::RegistryRead => "registry_read",
            Action::RegistryWrite => "registry_write",
            Action::RegistryImport => "registry_import",
            Action::RegistryExport => "registry_export",
            Action::AuditRead => "audit_read",
            Action::PersonalDataExport => "personal_data_export",
            Action::AccountsManage => "accounts_manage",
            Action::OwnAccount => "own_account",
            Action::EligibilityReview => "eligibility_review",
            Action::CasesRead => "cases_read",
            Action::CasesIntake => "cases_intake",
            Action::CasesWork => "cases_work",
            Action::ComplaintsWork => "complaints_work",
            Action::DashboardRead => "dashboard_read",
        }
    }
}

/// The permission matrix, written once. Everything not listed is refused.
pub fn allowed(role: Role, action: Action) -> bool {
    use Action::*;
    use Role::*;
    match action {
        OwnAccount => true,
        RegistryRead => true,
        RegistryWrite => matches!(
            role,
            Ketua | PenerimaInformasi | ReviewAnalisis | PengolahData
        ),
        RegistryImport | RegistryExport => matches!(role, PengolahData | Ketua),
        AuditRead => matches!(role, KepalaDesa | Ketua | Admin),
        PersonalDataExport => matches!(role, KepalaDesa | Ketua),
        AccountsManage => matches!(role, Ketua | Admin),
        EligibilityReview => matches!(
            role,
            KepalaDesa | Ketua | ReviewAnalisis | PengolahData | DinasSosial
        ),
        // The district office reads cases for oversight but never moves them.
        CasesRead => !matches!(role, Admin),
        CasesIntake => matches!(role, PenerimaInformasi | ReviewAnalisis | Ketua),
        CasesWork => matches!(
            role,
            KepalaDesa
                | Ketua
                | PenerimaInformasi
                | ReviewAnalisis
                | BagianPendidikan
                | BagianKesehatan
                | BagianSosialEkonomi
        ),
        // Escalated complaints are decided by the district office.
        ComplaintsWork => matches!(
            role,
            KepalaDesa | Ketua | PenerimaInformasi | ReviewAnalisis | DinasSosial
        ),
        // Aggregates for every role of the centre and the district; the administrator runs
        // the system, not the centre.
        DashboardRead => !matches!(role, Admin),
    }
}

/// Where an account may act: its village, its district's villages, or everywhere (admin).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    Everywhere,
    Within(KodeWilayah),
}

impl Reach {
    pub fn for_account(role: Role, region: Option<&KodeWilayah>) -> Option<Reach> {
        match (role.region_level(), region) {
            (None, _) => Some(Reach::Everywhere),
            (Some(level), Some(r)) if r.level() == level => Some(Reach::Within(r.clone())),
            _ => None,
        }
    }

    /// True when the village lies within this reach.
    pub fn covers(&self, village: &KodeWilayah) -> bool {
        match self {
            Reach::Everywhere => true,
            Reach::Within(r) => village.is_within(r),
        }
    }

    /// SQL `LIKE`-free filter: the code prefix every covered village starts with (`None` = all).
    pub fn prefix(&self) -> Option<&str> {
        match self {
            Reach::Everywhere => None,
            Reach::Within(r) => Some(r.as_str()),
        }
    }
}

/// The matrix as a Markdown table (for docs/roles.md).
pub fn matrix_markdown(label: impl Fn(&str) -> String) -> String {
    let mut out = String::from("| action |");
    for r in Role::ALL {
        out.push_str(&format!(" {} |", label(&format!("role-{}", r.code()))));
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(Role::ALL.len()));
    out.push('\n');
    for a in Action::ALL {
        out.push_str(&format!("| {} |", label(&format!("action-{}", a.code()))));
        for r in Role::ALL {
            out.push_str(if allowed(r, a) { " ✓ |" } else { " · |" });
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::from_code(r.code()), Some(r));
        }
    }

    #[test]
    fn district_reaches_its_villages_only() {
        let kab = KodeWilayah::parse("33.12").unwrap();
        let reach = Reach::for_account(Role::DinasSosial, Some(&kab)).unwrap();
        assert!(reach.covers(&KodeWilayah::parse("33.12.01.2003").unwrap()));
        assert!(!reach.covers(&KodeWilayah::parse("33.13.01.2001").unwrap()));
        // A district account bound to a village code is a configuration error.
        let desa = KodeWilayah::parse("33.12.01.2003").unwrap();
        assert!(Reach::for_account(Role::DinasSosial, Some(&desa)).is_none());
        // ... and reads but never changes a village's data.
        assert!(!allowed(Role::DinasSosial, Action::RegistryWrite));
    }

    #[test]
    fn only_the_data_officer_and_ketua_import() {
        let importers: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| allowed(*r, Action::RegistryImport))
            .collect();
        assert_eq!(importers, [Role::Ketua, Role::PengolahData]);
    }
}
