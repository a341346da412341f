//! The JSON API beside the pages and its OpenAPI document.

pub mod handlers;
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
    route!(GET,  "/api/v1/keluarga",            Needs(Action::RegistryRead),    handlers::search),
    route!(GET,  "/api/v1/keluarga/{id}",       Needs(Action::RegistryRead),    handlers::family),
    route!(GET,  "/api/v1/keluarga/{id}/kelayakan", Needs(Action::RegistryRead), handlers::eligibility),
];
