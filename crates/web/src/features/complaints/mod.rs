//! Complaints: intake with a receipt, the list by deadline, the complaint page and the public
//! status page. `handlers` speak HTTP, `views` draw the pages, `service` holds the use cases.

pub mod handlers;
mod receipt;
pub(crate) mod service;
mod views;

use puskesos_domain::access::Action;

use crate::app::route::Access::{Needs, Public};
use crate::app::route::{Route, route};

// One line per route reads as a table: keep rustfmt from spreading it out.
#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    route!(GET,  "/pengaduan",                  Needs(Action::CasesRead),       handlers::list, audit = Kernel),
    route!(GET,  "/pengaduan/baru",             Needs(Action::CasesIntake),     handlers::new_form),
    route!(POST, "/pengaduan/baru",             Needs(Action::CasesIntake),     handlers::new_submit),
    route!(GET,  "/pengaduan/{id}",             Needs(Action::CasesRead),       handlers::page, audit = Own),
    route!(GET,  "/pengaduan/{id}/terima",      Needs(Action::CasesIntake),     handlers::receipt, audit = Own),
    route!(POST, "/pengaduan/{id}/langkah",     Needs(Action::ComplaintsWork),  handlers::act),
    route!(GET,  "/pengaduan/{id}/tanda-terima.pdf", Needs(Action::CasesRead),  handlers::receipt_pdf, audit = Own),
    route!(GET,  "/status",                     Public,                         handlers::status_page),
    route!(POST, "/status",                     Public,                         handlers::status_lookup),
];
