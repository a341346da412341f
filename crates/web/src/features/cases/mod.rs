//! SLRT cases: intake, queues, the case page with its steps, attachments, referrals with their
//! letter, and the provider's answer page (the directory: `features/directory`). `handlers` speak HTTP, `service` holds
//! the use cases (no HTTP in it), `views` the markup and `letter` the referral letter's PDF.

pub mod handlers;
pub mod letter;
pub mod receipt;
pub mod service;
pub mod views;

use puskesos_domain::access::Action;

use crate::app::route::Access::{Needs, Public};
use crate::app::route::{Route, route};

// One line per route reads as a table: keep rustfmt from spreading it out.
#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    route!(GET,  "/antrean",                    Needs(Action::OwnAccount),      handlers::queue, audit = Kernel),
    route!(GET,  "/kasus",                      Needs(Action::CasesRead),       handlers::list, audit = Kernel),
    route!(GET,  "/kasus/baru",                 Needs(Action::CasesIntake),     handlers::new_form),
    route!(POST, "/kasus/baru",                 Needs(Action::CasesIntake),     handlers::new_submit),
    route!(GET,  "/kasus/{id}",                 Needs(Action::CasesRead),       handlers::page, audit = Own),
    route!(POST, "/kasus/{id}/langkah",         Needs(Action::CasesWork),       handlers::take_step),
    route!(POST, "/kasus/{id}/lampiran",        Needs(Action::CasesWork),       handlers::attach, limit = 6 * 1024 * 1024),
    route!(GET,  "/kasus/{id}/lampiran/{aid}",  Needs(Action::CasesRead),       handlers::attachment, audit = Own),
    route!(GET,  "/kasus/{id}/rujukan/{rid}/surat", Needs(Action::CasesRead),   handlers::letter, audit = Own),
    route!(POST, "/kasus/{id}/rujukan/{rid}/tautan-baru", Needs(Action::CasesWork), handlers::renew_link),
    route!(GET,  "/kasus/{id}/tanda-terima.pdf", Needs(Action::CasesRead),      handlers::receipt_pdf, audit = Own),
    route!(GET,  "/rujukan/{id}/jawab",         Public,                         handlers::provider_page, audit = Own),
    route!(POST, "/rujukan/{id}/jawab",         Public,                         handlers::provider_answer),
    route!(GET,  "/rujukan/{id}/terima-kasih",  Public,                         handlers::provider_thanks),
    route!(GET,  "/assets/salin.js",            Public,                         views::copy_script),
];
