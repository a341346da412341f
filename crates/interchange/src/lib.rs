//! Puskesos interchange: the registry in and out of CSV and XLSX files, in one column layout
//! modelled on DTKS/DTSEN exports (docs/import-format.md).

pub mod export;
pub mod import;
pub mod layout;
pub mod rules;

pub use export::export_file;
pub use import::{ImportError, ImportOptions, ImportSummary, import_file};
