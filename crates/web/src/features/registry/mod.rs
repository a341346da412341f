//! The social registry in the browser: search, the family page, and the forms that register and
//! edit families and members. `handlers` speak HTTP, `service` holds the use cases (shared with
//! the JSON API), `views` the markup and `fields` reads what a form sent.

mod fields;
mod handlers;
mod service;
mod views;

use puskesos_domain::access::Action;

use crate::app::access::CurrentUser;
use crate::app::route::Access::Needs;
use crate::app::route::{Route, route};

/// What the JSON API shares with the pages: the search, the audited family view and the live
/// assessment.
pub use service::{
    FamilyAssessment, PER_PAGE, Reader, SearchParams, assess_family, load_family, run_search,
};

impl<'a> From<&'a CurrentUser> for Reader<'a> {
    /// A signed-in user reads within their reach, recorded under their username.
    fn from(user: &'a CurrentUser) -> Reader<'a> {
        Reader {
            reach: &user.reach,
            username: &user.account.username,
        }
    }
}

// One line per route reads as a table: keep rustfmt from spreading it out.
#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    route!(GET,  "/registri",                   Needs(Action::RegistryRead),    handlers::search, audit = Kernel),
    route!(GET,  "/keluarga/{id}",              Needs(Action::RegistryRead),    handlers::family, audit = Own),
    route!(GET,  "/keluarga/baru",              Needs(Action::RegistryWrite),   handlers::new_family_form),
    route!(POST, "/keluarga/baru",              Needs(Action::RegistryWrite),   handlers::new_family_submit),
    route!(GET,  "/keluarga/{id}/ubah",         Needs(Action::RegistryWrite),   handlers::edit_family_form, audit = Kernel),
    route!(POST, "/keluarga/{id}/ubah",         Needs(Action::RegistryWrite),   handlers::edit_family_submit),
    route!(GET,  "/keluarga/{id}/anggota/baru", Needs(Action::RegistryWrite),   handlers::add_member_form),
    route!(POST, "/keluarga/{id}/anggota/baru", Needs(Action::RegistryWrite),   handlers::add_member_submit),
    route!(GET,  "/anggota/{id}/ubah",          Needs(Action::RegistryWrite),   handlers::edit_member_form, audit = Kernel),
    route!(POST, "/anggota/{id}/ubah",          Needs(Action::RegistryWrite),   handlers::edit_member_submit),
];
