//! Loading a whole registry into an empty database: the first import of a district's file or
//! the demo village. Everything happens inside the caller's one transaction, so a failure or a
//! killed process leaves the database as it was (empty).
//!
//! Three costs of the usual save path go away when nothing is stored yet:
//! - the KK and NIK checks become lookups in memory instead of index reads;
//! - the indexes whose keys arrive in random order (NIK, KK number, RT/RW) are dropped and built
//!   once at the end, a sort instead of a b-tree seek per row;
//! - the name-search index is filled at the end in key order instead of word by word, its
//!   words split and sorted on the second core (`names.rs`);
//! - on SQLite, the pages are written once, into the database file, instead of twice (into the
//!   WAL, then copied by the checkpoint at commit): see [`load_families`].

mod names;

use std::collections::HashMap;

use crate::StorageError;
use crate::db::{Conn, Engine};
use crate::registry::{self, FamilyInput, LoadMemory, SaveOutcome, WriteCtx};

/// Indexes written in random key order during a load. Their text must stay that of the
/// migrations: the bulk-load test compares the schema before and after.
pub(crate) const DEFERRED_INDEXES: &[(&str, &str)] = &[
    (
        "persons_nik",
        "CREATE UNIQUE INDEX persons_nik ON persons (nik)",
    ),
    (
        "families_no_kk",
        "CREATE UNIQUE INDEX families_no_kk ON families (no_kk)",
    ),
    (
        "families_rt_rw",
        "CREATE INDEX families_rt_rw ON families (kode_wilayah, rw, rt)",
    ),
];

/// What a load has stored so far, kept in memory in place of the dropped indexes. NIK and KK
/// numbers are 16 digits and are kept as integers: 1.1 million NIKs take about 35 MB.
pub struct BulkLoad {
    family_of_kk: HashMap<u64, uuid::Uuid>,
    kk_of_nik: HashMap<u64, u64>,
    /// The new families' names for the index; `None` once a family saved earlier in the load
    /// was met again (its names or village may have changed, or a member joined it): the index
    /// is then rebuilt from the stored members at the end.
    names: Option<names::NameCollector>,
}

/// Whether no family and no member is stored: the condition for a bulk load.
fn registry_is_empty(conn: &mut Conn) -> Result<bool, StorageError> {
    Ok(conn.query_opt("SELECT 1 FROM families", &[])?.is_none()
        && conn.query_opt("SELECT 1 FROM persons", &[])?.is_none())
}

/// A checked 16-digit number as the integer the maps hold.
fn number(digits: &str) -> Result<u64, StorageError> {
    digits
        .parse()
        .map_err(|_| StorageError::Corrupt(format!("not a checked NIK or KK number: {digits}")))
}

impl BulkLoad {
    /// Starts a load when the registry holds no family; `None` otherwise (use the usual save).
    /// Must run inside the transaction that will also run [`BulkLoad::finish`].
    pub fn begin(conn: &mut Conn) -> Result<Option<BulkLoad>, StorageError> {
        if !registry_is_empty(conn)? {
            return Ok(None);
        }
        for (name, _) in DEFERRED_INDEXES {
            conn.batch(&format!("DROP INDEX {name}"))?;
        }
        // No member, so no name words; a leftover would collide with the appended ones.
        conn.batch("DELETE FROM person_names")?;
        Ok(Some(BulkLoad {
            family_of_kk: HashMap::new(),
            kk_of_nik: HashMap::new(),
            names: Some(names::NameCollector::start()),
        }))
    }

    /// Builds what the load left out: the deferred indexes (a duplicate NIK or KK would fail
    /// here, which the checks in memory rule out) and the name-search index.
    pub fn finish(self, conn: &mut Conn) -> Result<(), StorageError> {
        // The helper sorts the names while the indexes below are built.
        drop((self.family_of_kk, self.kk_of_nik));
        let names = self.names.map(names::NameCollector::close).transpose()?;
        for (_, sql) in DEFERRED_INDEXES {
            conn.batch(sql)?;
        }
        match names {
            Some(names) => names.write(conn),
            None => registry::rebuild_name_index(conn),
        }
    }
}

impl LoadMemory for BulkLoad {
    /// The id of the family with this KK number, if this load stored it.
    fn family_of(&self, kk: &str) -> Result<Option<String>, StorageError> {
        Ok(self.family_of_kk.get(&number(kk)?).map(|id| id.to_string()))
    }

    /// The KK number of the family holding this NIK, if this load stored it.
    fn holder_of(&self, nik: &str) -> Result<Option<String>, StorageError> {
        Ok(self
            .kk_of_nik
            .get(&number(nik)?)
            .map(|kk| format!("{kk:016}")))
    }

    fn remember_family(&mut self, kk: &str, id: &str) -> Result<(), StorageError> {
        // 16 bytes instead of a 36-character text: 280,000 families take 10 MB less.
        self.family_of_kk.insert(number(kk)?, names::uuid_of(id)?);
        Ok(())
    }

    /// A family created by this load, with the members created with it, for the name index.
    fn remember_names<'a>(
        &mut self,
        village: &str,
        family_id: &str,
        members: &mut dyn Iterator<Item = (&'a str, Option<&'a str>)>,
    ) -> Result<(), StorageError> {
        match &mut self.names {
            Some(collector) => collector.add(village, family_id, members),
            None => Ok(()),
        }
    }

    /// A family saved earlier in this load is saved again: its names are indexed from the
    /// stored members at the end instead.
    fn family_saved_again(&mut self) {
        self.names = None;
    }

    fn remember_member(&mut self, nik: &str, kk: &str) -> Result<(), StorageError> {
        self.kk_of_nik.insert(number(nik)?, number(kk)?);
        Ok(())
    }
}

/// Runs `fill` as one transaction that saves families through a [`FamilyLoader`], and commits
/// it (or rolls it back when `fill` fails). A bulk load into an empty SQLite registry runs with a
/// rollback journal instead of the WAL when no other connection has the file open: SQLite
/// journals only the pages that existed before the transaction (an empty registry's few), so
/// the 1.8 GB of a district's file are written once instead of to the WAL and again by the
/// checkpoint, and a killed process still leaves the database as it was (the journal restores
/// those pages and cuts the file back). Readers of the file wait for the commit meanwhile, which
/// is what a first load may cost. The WAL is back on before this returns.
pub fn load_families<T, E: From<StorageError>>(
    conn: &mut Conn,
    fill: impl FnOnce(&mut Conn, &mut FamilyLoader) -> Result<T, E>,
) -> Result<T, E> {
    let direct = write_directly_if_empty(conn)?;
    let result = conn.transaction(|c| {
        let mut loader = FamilyLoader::begin(c)?;
        let value = fill(c, &mut loader)?;
        loader.finish(c)?;
        Ok(value)
    });
    if direct {
        // Waits (busy timeout) for readers that came meanwhile; if that fails, the next
        // connection opened turns the WAL back on (`Db::open`).
        let _ = conn.batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
    }
    result
}

/// Leaves WAL mode for a rollback journal when the SQLite registry is empty and this is the only
/// connection to the file; returns whether it did. Never waits: another connection (a running
/// server) keeps the WAL and the load goes on through it.
fn write_directly_if_empty(conn: &mut Conn) -> Result<bool, StorageError> {
    if conn.engine() != Engine::Sqlite || !registry_is_empty(conn)? {
        return Ok(false);
    }
    conn.batch("PRAGMA busy_timeout = 0")?;
    let mode = conn
        .query_opt("PRAGMA journal_mode = DELETE", &[])
        .ok()
        .flatten()
        .and_then(|row| row.into_iter().next())
        .and_then(|v| v.into_string());
    conn.batch(&format!(
        "PRAGMA busy_timeout = {}",
        crate::db::BUSY_TIMEOUT_MS
    ))?;
    let direct = mode.as_deref() == Some("delete");
    if direct {
        // A rollback journal's commit is safe from power loss only with FULL.
        conn.batch("PRAGMA synchronous = FULL")?;
    }
    Ok(direct)
}

/// Saves families one after another inside the caller's transaction: as a [`BulkLoad`] when
/// the registry was empty at the start, else through [`registry::save_family`]. The importer
/// and the demo write through it, so the choice is made in one place.
pub struct FamilyLoader {
    bulk: Option<BulkLoad>,
}

impl FamilyLoader {
    /// Must run inside the transaction that will also run [`FamilyLoader::finish`].
    pub fn begin(conn: &mut Conn) -> Result<FamilyLoader, StorageError> {
        Ok(FamilyLoader {
            bulk: BulkLoad::begin(conn)?,
        })
    }

    /// Whether this is a bulk load, which must stay one transaction to its end.
    pub fn is_bulk(&self) -> bool {
        self.bulk.is_some()
    }

    /// Saves one family as [`registry::save_family`] does, with the same checks and history.
    pub fn save_family(
        &mut self,
        conn: &mut Conn,
        input: &FamilyInput,
        ctx: &WriteCtx,
    ) -> Result<SaveOutcome, StorageError> {
        registry::save_family_in(
            conn,
            input,
            ctx,
            self.bulk.as_mut().map(|b| b as &mut dyn LoadMemory),
        )
    }

    /// Completes a bulk load (see [`BulkLoad::finish`]); nothing to do otherwise.
    pub fn finish(self, conn: &mut Conn) -> Result<(), StorageError> {
        match self.bulk {
            Some(load) => load.finish(conn),
            None => Ok(()),
        }
    }
}
