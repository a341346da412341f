//! The start page (the village, the registry's size, a NIK checker), the glossary for staff, the
//! health check and the static files.

mod handlers;
mod service;
mod views;

use crate::app::route::Access::Public;
use crate::app::route::{Route, route};

// One line per route reads as a table: keep rustfmt from spreading it out.
#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    route!(GET,  "/",                           Public,                         handlers::home),
    route!(GET,  "/istilah",                    Public,                         handlers::glossary),
    route!(GET,  "/healthz",                    Public,                         handlers::healthz),
    route!(GET,  "/assets/style.css",           Public,                         crate::app::layout::style),
    route!(GET,  "/assets/contoh-impor.csv",    Public,                         handlers::sample),
];
