//! SLRT cases: intake, queues, the case page with its steps, attachments, referrals with their letter, and the provider directory and answer page.

pub mod cases;
pub mod letter;

use puskesos_domain::access::Action;

use crate::app::route::Access::{Needs, Public};
use crate::app::route::{Route, route};

// One line per route reads as a table: keep rustfmt from spreading it out.
#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    route!(GET,  "/antrean",                    Needs(Action::OwnAccount),      cases::queue),
    route!(GET,  "/kasus",                      Needs(Action::CasesRead),       cases::list),
    route!(GET,  "/kasus/baru",                 Needs(Action::CasesIntake),     cases::new_form),
    route!(POST, "/kasus/baru",                 Needs(Action::CasesIntake),     cases::new_submit),
    route!(GET,  "/kasus/{id}",                 Needs(Action::CasesRead),       cases::page),
    route!(POST, "/kasus/{id}/langkah",         Needs(Action::CasesWork),       cases::take_step),
    route!(POST, "/kasus/{id}/lampiran",        Needs(Action::CasesWork),       cases::attach, limit = 6 * 1024 * 1024),
    route!(GET,  "/kasus/{id}/lampiran/{aid}",  Needs(Action::CasesRead),       cases::attachment),
    route!(GET,  "/kasus/{id}/rujukan/{rid}/surat", Needs(Action::CasesRead),   cases::letter),
    route!(GET,  "/penyedia",                   Needs(Action::CasesWork),       cases::providers_page),
    route!(POST, "/penyedia",                   Needs(Action::CasesWork),       cases::provider_add),
    route!(GET,  "/rujukan/{id}/jawab",         Public,                         cases::provider_page),
    route!(POST, "/rujukan/{id}/jawab",         Public,                         cases::provider_answer),
];
