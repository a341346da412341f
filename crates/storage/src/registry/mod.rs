//! The registry repository: families and members, written only through functions that also
//! append to the change history. Nothing is deleted: a member who moves or dies is marked.
//!
//! - `families.rs`: reading a family, saving one with its members (form, import, demo, bulk load);
//! - `members.rs`: finding, creating and updating members;
//! - `edits.rs`: a form's edit of a family or a member;
//! - `history.rs`: the change sets written with every save, and the family history read back;
//! - `names.rs`: the name-search index (words of members' names);
//! - `search.rs`: the registry search (by NIK, KK number, name words, RT/RW);
//! - `views.rs`: the family page (with its audit row) and the batch reads (export, assessment);
//! - `rows.rs`: the SQL texts built from the field tables and the mapping of rows to records.
//!
//! Everything public is re-exported here: callers write `registry::save_family`.

mod edits;
mod families;
mod history;
mod members;
mod names;
mod rows;
mod search;
mod views;

pub use edits::{Refusal, edit_family, edit_person, person_by_id};
pub use families::{
    FamilyInput, SaveOutcome, family_by_id, family_by_kk, members, save_family, update_family,
};
pub(crate) use families::{LoadMemory, save_family_in};
pub use history::{ChangeEntry, ChangeSet, family_history};
pub use members::{nik_holder, person_by_nik, update_person};
pub use names::{name_tokens, rebuild_name_index};
pub use search::{
    FamilySummary, SEARCH_COUNT_CAP, SearchCount, SearchQuery, search, search_within,
};
pub use views::{
    FamilyView, IN_MEMORY_FAMILIES, Scope, family_view, family_view_with,
    for_each_family_of_village, for_each_member, is_large_village, villages,
};

pub use crate::audit::{AuditEntry, audit_of, audit_page};

use crate::StorageError;
use crate::db::Conn;

/// Who writes, why, and where the data came from: stored with every change.
#[derive(Debug, Clone)]
pub struct WriteCtx {
    pub actor: String,
    pub reason: Option<String>,
    /// Origin of the data, e.g. `import:dtks.csv`, `demo`, `form`.
    pub source: String,
    pub now_ms: i64,
}

/// Numbers of families and of persons in the whole database.
pub fn counts(conn: &mut Conn) -> Result<(i64, i64), StorageError> {
    Ok((
        conn.query_i64("SELECT COUNT(*) FROM families", &[])?,
        conn.query_i64("SELECT COUNT(*) FROM persons", &[])?,
    ))
}
