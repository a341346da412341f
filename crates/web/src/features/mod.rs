//! The features of the web server, a folder each: its routes (`ROUTES`, its slice of the table),
//! handlers, views and services. Features import the kernel (`crate::app`), never the other way.

pub mod accounts;
pub mod activities;
pub mod api;
pub mod cases;
pub mod complaints;
pub mod dashboard;
pub mod data;
pub mod dci;
pub mod directory;
pub mod eligibility;
pub mod home;
pub mod privacy;
pub mod registry;
