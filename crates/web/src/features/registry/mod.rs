//! The social registry in the browser: search, the family page, and the forms that register and edit families and members.

pub mod forms;
pub mod pages;

use puskesos_domain::access::Action;

use crate::app::route::Access::Needs;
use crate::app::route::{Route, route};

// One line per route reads as a table: keep rustfmt from spreading it out.
#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    route!(GET,  "/registri",                   Needs(Action::RegistryRead),    pages::search),
    route!(GET,  "/keluarga/{id}",              Needs(Action::RegistryRead),    pages::family),
    route!(GET,  "/keluarga/baru",              Needs(Action::RegistryWrite),   forms::new_family_form),
    route!(POST, "/keluarga/baru",              Needs(Action::RegistryWrite),   forms::new_family_submit),
    route!(GET,  "/keluarga/{id}/ubah",         Needs(Action::RegistryWrite),   forms::edit_family_form),
    route!(POST, "/keluarga/{id}/ubah",         Needs(Action::RegistryWrite),   forms::edit_family_submit),
    route!(GET,  "/keluarga/{id}/anggota/baru", Needs(Action::RegistryWrite),   forms::add_member_form),
    route!(POST, "/keluarga/{id}/anggota/baru", Needs(Action::RegistryWrite),   forms::add_member_submit),
    route!(GET,  "/anggota/{id}/ubah",          Needs(Action::RegistryWrite),   forms::edit_member_form),
    route!(POST, "/anggota/{id}/ubah",          Needs(Action::RegistryWrite),   forms::edit_member_submit),
];
