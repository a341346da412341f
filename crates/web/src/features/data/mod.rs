//! The data officer's page: file uploads (import), reject reports, exports and the DTSEN proposal list.

pub mod handlers;
pub mod service;
pub mod views;

use puskesos_domain::access::Action;

use crate::app::route::Access::Needs;
use crate::app::route::{Route, route};

// One line per route reads as a table: keep rustfmt from spreading it out.
#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    route!(GET,  "/data",                       Needs(Action::RegistryImport),  handlers::page),
    route!(POST, "/data/impor",                 Needs(Action::RegistryImport),  handlers::upload, limit = handlers::MAX_UPLOAD),
    route!(GET,  "/data/tolak/{id}",            Needs(Action::RegistryExport),  handlers::rejects, audit = Own),
    route!(GET,  "/data/ekspor",                Needs(Action::RegistryExport),  handlers::export, audit = Own),
    route!(GET,  "/data/usulan",                Needs(Action::RegistryExport),  handlers::proposals, audit = Own),
];
