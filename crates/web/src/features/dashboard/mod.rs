//! The data and information centre: the village dashboard, the district roll-up, the monthly report and the public information board with its poster.

pub mod charts;
pub mod figures;
pub mod handlers;
pub mod print;
pub mod query;
pub mod service;
pub mod views;

use puskesos_domain::access::Action;

use crate::app::route::Access::{Needs, Public};
use crate::app::route::{Route, route};

// One line per route reads as a table: keep rustfmt from spreading it out.
#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    route!(GET,  "/dasbor",                     Needs(Action::DashboardRead),   handlers::page),
    route!(GET,  "/dasbor/tabel/{name}",        Needs(Action::DashboardRead),   handlers::export),
    route!(GET,  "/laporan",                    Needs(Action::DashboardRead),   handlers::monthly),
    route!(GET,  "/papan/{desa}",               Public,                         handlers::board),
    route!(GET,  "/papan/{desa}/poster",        Public,                         handlers::poster),
];

/// The village figures and their charts (also timed by `puskesos bench-figures`).
pub use charts::draw;
pub use figures::village_figures;
