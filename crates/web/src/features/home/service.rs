//! The start page's figures and the health check's question to the database.

use puskesos_storage::{Db, StorageError, registry};

use crate::app::blocking;

/// The registry's size: `(families, persons)`.
pub async fn registry_size(db: &Db) -> Result<(i64, i64), StorageError> {
    let db = db.clone();
    blocking(move || registry::counts(&mut db.conn()?)).await
}

/// Whether the database answers: a connection from the pool and a trivial query. On the
/// blocking pool, since waiting for a connection may take the pool's whole timeout.
pub async fn database_answers(db: &Db) -> Result<(), StorageError> {
    let db = db.clone();
    blocking(move || db.conn()?.query_i64("SELECT 1", &[]).map(|_| ())).await
}
