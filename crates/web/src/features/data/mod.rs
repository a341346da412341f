//! The data officer's page: file uploads (import), reject reports, exports and the DTSEN proposal list.

pub mod data;

use puskesos_domain::access::Action;

use crate::app::route::Access::Needs;
use crate::app::route::{Route, route};

// One line per route reads as a table: keep rustfmt from spreading it out.
#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    route!(GET,  "/data",                       Needs(Action::RegistryImport),  data::page),
    route!(POST, "/data/impor",                 Needs(Action::RegistryImport),  data::upload, limit = data::MAX_UPLOAD),
    route!(GET,  "/data/tolak/{id}",            Needs(Action::RegistryExport),  data::rejects),
    route!(GET,  "/data/ekspor",                Needs(Action::RegistryExport),  data::export),
    route!(GET,  "/data/usulan",                Needs(Action::RegistryExport),  data::proposals),
];
