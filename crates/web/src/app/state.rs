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

/// Assessors by reference date, loaded from the rule folder (ages and the rules in force move
/// with the date; a changed rule file is picked up on restart). An assessment is shown and
/// redone for its stored reference date, so a few dates are kept at once (today's, the
/// stored assessments', one a user picked).
#[derive(Clone, Default)]
pub struct Rules {
    pub dir: Option<std::path::PathBuf>,
    cache: std::sync::Arc<std::sync::Mutex<Vec<DailyAssessor>>>,
}

type DailyAssessor = (
    chrono::NaiveDate,
    std::sync::Arc<puskesos_domain::rules::assess::Assessor>,
);

/// Reference dates kept loaded (the oldest used is dropped first).
const DATES_KEPT: usize = 8;

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
        self.assessor_on(Self::today())
    }

    /// The assessor for the reference date `day`.
    pub fn assessor_on(
        &self,
        day: chrono::NaiveDate,
    ) -> Result<std::sync::Arc<puskesos_domain::rules::assess::Assessor>, StorageError> {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(i) = cache.iter().position(|(d, _)| *d == day) {
            let hit = cache.remove(i);
            let a = hit.1.clone();
            cache.push(hit);
            return Ok(a);
        }
        let a = std::sync::Arc::new(
            puskesos_interchange::rules::load_assessor(self.dir.as_deref(), day)
                .map_err(|e| StorageError::Config(e.to_string()))?,
        );
        if cache.len() >= DATES_KEPT {
            cache.remove(0);
        }
        cache.push((day, a.clone()));
        Ok(a)
    }

    /// Reassesses families after an edit, each for its village's stored reference date (today
    /// for a village never assessed), so the stored results keep one date. A failure does not
    /// undo the saved edit: it is reported on stderr and the next `puskesos assess` repairs
    /// the stored results.
    pub async fn reassess(&self, db: &Db, family_ids: Vec<String>) {
        let rules = self.clone();
        let db = db.clone();
        let result = blocking(move || {
            let mut conn = db.conn()?;
            for id in &family_ids {
                let Some(v) = puskesos_storage::assessment::village_of_family(&mut conn, id)?
                else {
                    continue;
                };
                let day = puskesos_storage::assessment::village_date(&mut conn, &v)?
                    .unwrap_or_else(Self::today);
                let assessor = rules.assessor_on(day)?;
                puskesos_storage::assessment::reassess(&mut conn, &assessor, &[id.as_str()])?;
            }
            Ok(())
        })
        .await;
        if let Err(e) = result {
            tracing::error!(error = %e, "reassessment after an edit failed");
        }
    }
}
