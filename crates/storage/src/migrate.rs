//! Schema migrations: numbered SQL files compiled into the binary, applied in order, each in its
//! own transaction, recorded in `schema_migrations`. The same files serve both engines.

use crate::{Db, Engine, SqlValue, StorageError, now_ms};

impl Db {
    /// Opens `postgres://…`/`postgresql://…` on PostgreSQL, anything else (`sqlite://path` or a
    /// plain path) as an SQLite file, created with its folder on first use, and runs the
    /// migrations. (Here rather than in db.rs, so that the connection layer does not depend on
    /// the schema and the registry code the migrations use.)
    pub fn open(url: &str) -> Result<Db, StorageError> {
        let db = Db::connect(url)?;
        run(&db)?;
        Ok(db)
    }
}

/// (version, name, SQL) in order. Never edit a released file: add a new one.
pub const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "registry",
        include_str!("../migrations/0001_registry.sql"),
    ),
    (
        2,
        "accounts",
        include_str!("../migrations/0002_accounts.sql"),
    ),
    (
        3,
        "name_search",
        include_str!("../migrations/0003_name_search.sql"),
    ),
    (
        4,
        "assessment",
        include_str!("../migrations/0004_assessment.sql"),
    ),
    (5, "cases", include_str!("../migrations/0005_cases.sql")),
    (
        6,
        "complaints",
        include_str!("../migrations/0006_complaints.sql"),
    ),
    (
        7,
        "referrals",
        include_str!("../migrations/0007_referrals.sql"),
    ),
    (
        8,
        "activities",
        include_str!("../migrations/0008_activities.sql"),
    ),
    (
        9,
        "case_attachments",
        include_str!("../migrations/0009_case_attachments.sql"),
    ),
    (
        10,
        "figures",
        include_str!("../migrations/0010_figures.sql"),
    ),
    (
        11,
        "name_search_pages",
        include_str!("../migrations/0011_name_search_pages.sql"),
    ),
    (
        12,
        "family_head",
        include_str!("../migrations/0012_family_head.sql"),
    ),
    (
        13,
        "status_lookups_client",
        include_str!("../migrations/0013_status_lookups_client.sql"),
    ),
    (
        14,
        "referral_loop",
        include_str!("../migrations/0014_referral_loop.sql"),
    ),
    (
        15,
        "psks_register",
        include_str!("../migrations/0015_psks_register.sql"),
    ),
    (
        16,
        "assessment_date",
        include_str!("../migrations/0016_assessment_date.sql"),
    ),
    (
        17,
        "security",
        include_str!("../migrations/0017_security.sql"),
    ),
    (
        18,
        "account_lang",
        include_str!("../migrations/0018_account_lang.sql"),
    ),
    (
        19,
        "rollup_unknown",
        include_str!("../migrations/0019_rollup_unknown.sql"),
    ),
    (20, "dci", include_str!("../migrations/0020_dci.sql")),
];

/// Applies every migration not yet recorded. Safe to call on every start.
pub fn run(db: &Db) -> Result<Vec<i64>, StorageError> {
    let mut conn = db.conn()?;
    conn.batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version BIGINT PRIMARY KEY,
             name TEXT NOT NULL,
             applied_at BIGINT NOT NULL
         )",
    )?;
    let mut applied = Vec::new();
    for (version, name, sql) in MIGRATIONS {
        conn.transaction(|c| -> Result<(), StorageError> {
            // Checked inside the transaction so that two processes starting at once do not
            // both apply it (SQLite's BEGIN IMMEDIATE serialises them; PostgreSQL's primary
            // key makes the loser fail and roll back).
            let done = c.query_i64(
                "SELECT COUNT(*) FROM schema_migrations WHERE version = $1",
                &[SqlValue::Int(*version)],
            )?;
            if done > 0 {
                return Ok(());
            }
            c.batch(&for_engine(sql, c.engine()))
                .map_err(|e| StorageError::Migration {
                    version: *version,
                    name: name.to_string(),
                    cause: e.to_string(),
                })?;
            // Data a new table derives from existing rows, computed in Rust (one code path with
            // the live updates), inside the same transaction.
            // (Version 3's table was replaced by 11's before it held rows worth keeping.)
            if *version == 11 {
                crate::registry::rebuild_name_index(c)?;
            }
            // Rows written before the chain existed are chained now, in the order written.
            if *version == 17 {
                crate::audit::chain_unchained(c)?;
            }
            c.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                &[
                    SqlValue::Int(*version),
                    SqlValue::from(*name),
                    SqlValue::Int(now_ms()),
                ],
            )?;
            applied.push(*version);
            Ok(())
        })?;
    }
    Ok(applied)
}

/// The migration text for one engine: a `/*sqlite: ...*/` comment is SQLite-only syntax (such as
/// `WITHOUT ROWID`) that SQLite gets uncommented and every other engine reads as a comment.
fn for_engine(sql: &str, engine: Engine) -> std::borrow::Cow<'_, str> {
    const MARK: &str = "/*sqlite:";
    if engine != Engine::Sqlite || !sql.contains(MARK) {
        return sql.into();
    }
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(at) = rest.find(MARK) {
        out.push_str(&rest[..at]);
        let after = &rest[at + MARK.len()..];
        let end = after.find("*/").unwrap_or(after.len());
        out.push_str(&after[..end]);
        rest = after.get(end + 2..).unwrap_or("");
    }
    out.push_str(rest);
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_only_syntax_is_uncommented_for_sqlite_alone() {
        let sql = "CREATE TABLE t (a TEXT PRIMARY KEY) /*sqlite: WITHOUT ROWID*/;";
        assert_eq!(
            for_engine(sql, Engine::Sqlite),
            "CREATE TABLE t (a TEXT PRIMARY KEY)  WITHOUT ROWID;"
        );
        assert_eq!(for_engine(sql, Engine::Postgres), sql);
        assert_eq!(for_engine("SELECT 1", Engine::Sqlite), "SELECT 1");
    }
}
