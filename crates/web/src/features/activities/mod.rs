//! Activities (campaigns, social guidance, advocacy) and service deliveries with their
//! participants. `handlers` speak HTTP, `views` draw the page, `service` holds the use cases.

pub mod handlers;
mod service;
mod views;

use puskesos_domain::access::Action;

use crate::app::route::Access::Needs;
use crate::app::route::{Route, route};

// One line per route reads as a table: keep rustfmt from spreading it out.
#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    route!(GET,  "/kegiatan",                   Needs(Action::CasesRead),       handlers::page, audit = Kernel),
    route!(POST, "/kegiatan",                   Needs(Action::CasesWork),       handlers::record),
    route!(GET,  "/kegiatan/{id}",              Needs(Action::CasesRead),       handlers::one, audit = Own),
];
