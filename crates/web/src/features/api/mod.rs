//! The JSON API beside the pages and its OpenAPI document. `handlers` answer the routes with the
//! registry's services, `bodies` are the typed response bodies and `openapi` derives the
//! document from both.

mod bodies;
mod handlers;
pub mod openapi;

use puskesos_domain::access::Action;

use crate::app::route::Access::{Needs, Public};
use crate::app::route::{Route, route};

// One line per route reads as a table: keep rustfmt from spreading it out.
#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    route!(GET,  "/api/openapi.json",           Public,                         openapi::serve),
    route!(GET,  "/api/wilayah/{code}",         Public,                         handlers::wilayah),
    route!(GET,  "/api/nik/{nik}",              Public,                         handlers::nik),
    route!(GET,  "/api/v1/keluarga",            Needs(Action::RegistryRead),    handlers::search, audit = Kernel),
    route!(GET,  "/api/v1/keluarga/{id}",       Needs(Action::RegistryRead),    handlers::family, audit = Own),
    route!(GET,  "/api/v1/keluarga/{id}/kelayakan", Needs(Action::RegistryRead), handlers::eligibility, audit = Own),
];
