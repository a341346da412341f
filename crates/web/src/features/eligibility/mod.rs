//! Who should get which program: the family page's assessment section, the gap lists and what-if.

pub mod handlers;
pub mod service;
pub mod views;

use puskesos_domain::access::Action;

use crate::app::route::Access::Needs;
use crate::app::route::{Route, route};

// One line per route reads as a table: keep rustfmt from spreading it out.
#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    route!(GET,  "/kelayakan",                  Needs(Action::EligibilityReview), handlers::overview),
    route!(GET,  "/kelayakan/bagaimana-jika",   Needs(Action::EligibilityReview), handlers::whatif_page),
    route!(POST, "/kelayakan/bagaimana-jika",   Needs(Action::EligibilityReview), handlers::whatif_run, audit = Kernel),
    route!(GET,  "/kelayakan/{program}/{gap}",  Needs(Action::EligibilityReview), handlers::list, audit = Kernel),
    route!(GET,  "/kelayakan/{program}/{gap}/ekspor", Needs(Action::EligibilityReview), handlers::export, audit = Own),
];

/// The assessment section of the family page (drawn by the registry feature).
pub use views::family_section;
