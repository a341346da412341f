//! The village's PSKS register (Potensi dan Sumber Kesejahteraan Sosial): the directory of
//! providers and social welfare resources, with each entry's history, referrals and
//! activities. Who may add, edit and retire: whoever may work cases (docs/roles.md).

pub mod handlers;
pub mod service;
pub(crate) mod views;

pub use views::dashboard_table;

use puskesos_domain::access::Action;

use crate::app::route::Access::Needs;
use crate::app::route::{Route, route};

// One line per route reads as a table: keep rustfmt from spreading it out.
#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    route!(GET,  "/penyedia",                   Needs(Action::CasesRead),       handlers::list, audit = Kernel),
    route!(POST, "/penyedia",                   Needs(Action::CasesWork),       handlers::add),
    route!(GET,  "/penyedia/{id}",              Needs(Action::CasesRead),       handlers::entry, audit = Kernel),
    route!(POST, "/penyedia/{id}",              Needs(Action::CasesWork),       handlers::edit),
    route!(POST, "/penyedia/{id}/pensiun",      Needs(Action::CasesWork),       handlers::retire),
];
