//! Puskesos web server: server-rendered pages and a JSON API over the registry. Every route is
//! declared in [`routes::ROUTES`] with the action it needs; one middleware checks the session and
//! the permission matrix before any handler runs.

pub mod accounts;
pub mod activities;
pub mod api;
pub mod auth;
pub mod cases;
pub mod charts;
pub mod complaints;
pub mod dashboard;
pub mod data;
pub mod eligibility;
pub mod forms;
pub mod letter;
pub mod openapi;
pub mod pages;
pub mod pdfdoc;
pub mod privacy;
pub mod routes;
pub mod scope;

use std::collections::BTreeMap;
use std::net::SocketAddr;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::MethodRouter;
use puskesos_domain::wilayah::KodeWilayah;
use puskesos_storage::{Db, StorageError};
use tokio::net::TcpListener;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// The village this node serves, when it serves one.
    pub village: Option<KodeWilayah>,
    /// Mark cookies `Secure` (when served over TLS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// Where uploads, reject reports and exports are kept.
    pub files_dir: std::path::PathBuf,
    /// The program rules and PMT models (shipped, or a district's folder).
    pub rules: Rules,
    /// Audit records of views, written in group commits (start it on `db`).
    pub audit: puskesos_storage::audit_writer::AuditWriter,
}

/// The assessor of the day, loaded once a day from the rule folder (ages and the rules in force
/// move with the date; a changed rule file is picked up the next day or on restart).
#[derive(Clone, Default)]
pub struct Rules {
    pub dir: Option<std::path::PathBuf>,
    cache: std::sync::Arc<std::sync::Mutex<Option<DailyAssessor>>>,
}

type DailyAssessor = (
    chrono::NaiveDate,
    std::sync::Arc<puskesos_domain::rules::assess::Assessor>,
);

impl Rules {
    pub fn new(dir: Option<std::path::PathBuf>) -> Rules {
        Rules {
            dir,
            cache: Default::default(),
        }
    }

    pub fn today() -> chrono::NaiveDate {
        chrono::Local::now().date_naive()
    }

    /// Today's assessor. A rule folder that fails to load is reported as a storage
    /// configuration error (the folder was checked when the server started).
    pub fn assessor(
        &self,
    ) -> Result<std::sync::Arc<puskesos_domain::rules::assess::Assessor>, StorageError> {
        let today = Self::today();
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((day, a)) = cache.as_ref()
            && *day == today
        {
            return Ok(a.clone());
        }
        let a = std::sync::Arc::new(
            puskesos_interchange::rules::load_assessor(self.dir.as_deref(), today)
                .map_err(|e| StorageError::Config(e.to_string()))?,
        );
        *cache = Some((today, a.clone()));
        Ok(a)
    }

    /// Reassesses families after an edit. A failure does not undo the saved edit: it is
    /// reported on stderr and the next `puskesos assess` repairs the stored results.
    pub async fn reassess(&self, db: &Db, family_ids: Vec<String>) {
        let rules = self.clone();
        let db = db.clone();
        let result = blocking(move || {
            let assessor = rules.assessor()?;
            let mut conn = db.conn()?;
            let ids: Vec<&str> = family_ids.iter().map(String::as_str).collect();
            puskesos_storage::assessment::reassess(&mut conn, &assessor, &ids)
        })
        .await;
        if let Err(e) = result {
            eprintln!("reassessment after an edit failed: {e}");
        }
    }
}

/// Largest request body accepted (forms; uploads get their own limit when they come).
const MAX_BODY: usize = 64 * 1024;

pub fn router(state: AppState) -> Router {
    // Paths with several methods (GET and POST /masuk) share one method router.
    let mut by_path: BTreeMap<&str, MethodRouter<AppState>> = BTreeMap::new();
    for r in routes::ROUTES {
        let handler = (r.handler)();
        let merged = match by_path.remove(r.path) {
            Some(existing) => existing.merge(handler),
            None => handler,
        };
        by_path.insert(r.path, merged);
    }
    let mut app = Router::new();
    for (path, mr) in by_path {
        app = app.route(path, mr);
    }
    app.fallback(|| async {
        pages::error_page(
            axum::http::StatusCode::NOT_FOUND,
            puskesos_domain::Lang::Id,
            "web-not-found",
        )
    })
    .route_layer(axum::middleware::from_fn_with_state(
        state.clone(),
        auth::access_check,
    ))
    .layer(DefaultBodyLimit::max(MAX_BODY))
    .with_state(state)
}

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

/// Serves on an already bound listener (tests bind port 0).
pub async fn serve(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}

pub async fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    TcpListener::bind(addr).await
}
