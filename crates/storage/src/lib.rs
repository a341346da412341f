//! Puskesos storage layer: the registry database on embedded SQLite (a village) or PostgreSQL
//! (a district or province), with one set of migrations and one SQL text for both.

pub mod accounts;
pub mod activities;
pub mod assessment;
pub mod audit;
pub mod audit_writer;
pub mod backup;
pub mod bulk_load;
pub mod cases;
pub mod complaints;
pub mod db;
pub mod dci;
pub mod directory;
pub mod family_links;
pub mod figures;
pub mod migrate;
pub mod referrals;
pub mod registry;
pub mod testing;

pub use db::{Conn, Db, Engine, Row, SqlValue};

/// Something went wrong below the domain: the database, the pool or the configuration.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] postgres::Error),
    #[error("database connection pool: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("database configuration: {0}")]
    Config(String),
    #[error("migration {version} ({name}): {cause}")]
    Migration {
        version: i64,
        name: String,
        cause: String,
    },
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
}

impl StorageError {
    /// The database cannot be reached now (no connection from the pool, a closed connection):
    /// worth trying again later, unlike a fault in the data or the code.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StorageError::Pool(_) => true,
            StorageError::Postgres(e) => e.is_closed(),
            StorageError::Sqlite(rusqlite::Error::SqliteFailure(f, _)) => matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseBusy
                    | rusqlite::ErrorCode::DatabaseLocked
                    | rusqlite::ErrorCode::CannotOpen
            ),
            _ => false,
        }
    }
}

/// Milliseconds since the Unix epoch, the timestamp stored everywhere.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A new globally unique, time-ordered record id (UUIDv7), made by the app so that offline
/// village nodes never collide when they sync.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
