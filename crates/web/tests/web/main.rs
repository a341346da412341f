//! The web server's tests, one binary: the application built by `App::build` (as `serve` builds
//! it) over a real database, every test on SQLite and on PostgreSQL.

mod access;
mod cases;
mod dashboard;
mod dci;
mod eligibility;
mod forms;
mod pdf;
mod support;
