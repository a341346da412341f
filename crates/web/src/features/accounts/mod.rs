//! Staff accounts: login and logout (handled by the kernel's session code, `app::login`), the
//! own password, and the administrator's account list. `handlers` speak HTTP, `views` draw
//! the pages, `service` holds the use cases.

pub mod handlers;
mod service;
mod views;

use puskesos_domain::access::Action;

use crate::app::route::Access::{Needs, Public};
use crate::app::route::{Route, route};

// One line per route reads as a table: keep rustfmt from spreading it out.
#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    route!(GET,  "/masuk",                      Public,                         crate::app::login::login_form),
    route!(POST, "/masuk",                      Public,                         crate::app::login::login_submit),
    route!(POST, "/keluar",                     Needs(Action::OwnAccount),      crate::app::login::logout),
    route!(GET,  "/sandi",                      Needs(Action::OwnAccount),      handlers::password_form),
    route!(POST, "/sandi",                      Needs(Action::OwnAccount),      handlers::password_change),
    route!(GET,  "/akun",                       Needs(Action::AccountsManage),  handlers::page),
    route!(POST, "/akun",                       Needs(Action::AccountsManage),  handlers::create),
    route!(POST, "/akun/{id}/status",           Needs(Action::AccountsManage),  handlers::set_status),
    route!(POST, "/akun/{id}/sandi",            Needs(Action::AccountsManage),  handlers::reset_password),
];
