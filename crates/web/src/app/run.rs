//! Where database work runs: the blocking pool, or right here for short reads on SQLite.

use puskesos_storage::{Db, StorageError};

/// Runs database work off the async threads.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StorageError> + Send + 'static,
) -> Result<T, StorageError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StorageError::Config(format!("worker: {e}")))?
}

/// Runs short reads (lookups by key). On SQLite they run right here on the async thread:
/// handing it to the blocking pool and back costs more than the lookup (two thread wake-ups per
/// request, ~10% of a page's CPU under load). The PostgreSQL client blocks on a runtime of its
/// own, which must not run inside this one: there it goes to the blocking pool like the rest.
/// Reads only: a write may wait on another writer.
pub async fn quick<T: Send + 'static>(
    db: &Db,
    f: impl FnOnce() -> Result<T, StorageError> + Send + 'static,
) -> Result<T, StorageError> {
    match db.engine() {
        puskesos_storage::Engine::Sqlite => f(),
        puskesos_storage::Engine::Postgres => blocking(f).await,
    }
}

/// Runs any work off the async threads (files, a service with an error type of its own).
pub async fn off_thread<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, crate::app::AppError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| crate::app::AppError::internal("web-internal-error", e))
}

/// Runs a service off the async threads; its error becomes the response's [`AppError`].
pub async fn service<T: Send + 'static, E: Into<crate::app::AppError> + Send + 'static>(
    f: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> Result<T, crate::app::AppError> {
    off_thread(f).await?.map_err(Into::into)
}
