//! The DCI social-registry API (issue 17): the endpoints of the standard for partner systems
//! (programs, Dukcapil, BPJS), authenticated by the partner's bearer token instead of a
//! session (`Access::Partner`).
//!
//! - `envelope`: who sent it, header checks, signatures, the standard's error answers;
//! - `query`: the three query types turned into the storage's criteria, within the agreement;
//! - `records`: Group and Member records with only the partner's field groups;
//! - `handlers`: the six endpoints, each one database transaction;
//! - `deliver`: the outbox sender (async answers and notifications, at least once, in order);
//! - `sign`: Ed25519 signatures in the standard's form.
//!
//! What partners may ask and how is in `docs/dci.md`.

pub mod deliver;
pub mod envelope;
pub mod handlers;
pub mod query;
pub mod records;
pub mod sign;

use crate::app::route::Access::Partner;
use crate::app::route::{Route, route};

// One line per route reads as a table: keep rustfmt from spreading it out.
#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    route!(POST, "/registry/sync/search",     Partner, handlers::sync_search, audit = Own),
    route!(POST, "/registry/search",          Partner, handlers::search, audit = Own),
    route!(POST, "/registry/subscribe",       Partner, handlers::subscribe, audit = Own),
    route!(POST, "/registry/unsubscribe",     Partner, handlers::unsubscribe, audit = Own),
    route!(POST, "/registry/txn/status",      Partner, handlers::txn_status, audit = Own),
    route!(POST, "/registry/sync/txn/status", Partner, handlers::sync_txn_status, audit = Own),
];
