//! Puskesos domain layer: the facts of the village social registry and the rules that check
//! them. Pure functions and data only: no files, no database, no network.

pub mod access;
pub mod assessment;
pub mod cases;
pub mod complaints;
pub mod figures;
pub mod i18n;
pub mod identity;
pub mod ids;
pub mod model;
pub mod rules;
pub mod validate;
pub mod wilayah;

pub use i18n::{Lang, Message, tr};
