//! Complaints: intake with a receipt, the list by deadline, the complaint page and the public status page.

pub mod complaints;

use puskesos_domain::access::Action;

use crate::app::route::Access::{Needs, Public};
use crate::app::route::{Route, route};

// One line per route reads as a table: keep rustfmt from spreading it out.
#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    route!(GET,  "/pengaduan",                  Needs(Action::CasesRead),       complaints::list),
    route!(GET,  "/pengaduan/baru",             Needs(Action::CasesIntake),     complaints::new_form),
    route!(POST, "/pengaduan/baru",             Needs(Action::CasesIntake),     complaints::new_submit),
    route!(GET,  "/pengaduan/{id}",             Needs(Action::CasesRead),       complaints::page),
    route!(POST, "/pengaduan/{id}/langkah",     Needs(Action::ComplaintsWork),  complaints::act),
    route!(GET,  "/status",                     Public,                         complaints::status_page),
    route!(POST, "/status",                     Public,                         complaints::status_lookup),
];
