//! What every handler shares: the database, the village this node serves, settings, the rules
//! of the day and the audit writer.

use puskesos_domain::wilayah::KodeWilayah;
use puskesos_storage::{Db, StorageError};

use crate::app::run::blocking;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// The village this node serves, when it serves one.
    pub village: Option<KodeWilayah>,
    /// Mark cookies `Secure` (when served over TLS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// The address people reach this server at (`https://puskesos.desa.id`, no trailing slash),
    /// for links that leave the browser: the provider's link, QR codes. Configured
    /// (`serve --public-url`), never taken from a request's `Host` header.
    pub public_url: String,
    /// Take the client's address from the last `X-Forwarded-For` entry when the connection
    /// comes from this machine (a reverse proxy on it wrote that entry); see [`ClientAddr`].
    ///
    /// [`ClientAddr`]: crate::app::extract::ClientAddr
    pub trust_proxy: bool,
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
            tracing::error!(error = %e, "reassessment after an edit failed");
        }
    }
}
