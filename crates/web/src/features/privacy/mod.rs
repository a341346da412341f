//! The UU 27/2022 side: the audit log and one person's data with its processing record.
//! `handlers` speak HTTP, `views` draw the audit page, `service` holds the use cases.

pub mod handlers;
mod record_pdf;
mod service;
mod views;

use puskesos_domain::access::Action;

use crate::app::route::Access::Needs;
use crate::app::route::{Route, route};

// One line per route reads as a table: keep rustfmt from spreading it out.
#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    route!(GET,  "/audit",                      Needs(Action::AuditRead),       handlers::audit, audit = Kernel),
    route!(GET,  "/anggota/{id}/data",          Needs(Action::PersonalDataExport), handlers::person_export, audit = Own),
];
