//! The UU 27/2022 side: the audit log and one person's data with its processing record.

pub mod privacy;

use puskesos_domain::access::Action;

use crate::app::route::Access::Needs;
use crate::app::route::{Route, route};

// One line per route reads as a table: keep rustfmt from spreading it out.
#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    route!(GET,  "/audit",                      Needs(Action::AuditRead),       privacy::audit),
    route!(GET,  "/anggota/{id}/data",          Needs(Action::PersonalDataExport), privacy::person_export),
];
