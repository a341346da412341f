//! Group commit for the audit records of reads. Every view of a family writes one audit row;
//! written one transaction each, those writes took 40% of the web server's capacity on the
//! family page (a commit per view, and each commit throws away every other connection's SQLite
//! page cache). Here one thread writes all rows waiting at that moment in one transaction, and
//! each caller returns only once its row is committed: a view is recorded as durably as before.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use crate::audit::{self, AuditEvent};
use crate::{Conn, Db, StorageError};

/// Told the outcome once the row's transaction has ended.
pub type Done = Box<dyn FnOnce(Result<(), String>) + Send>;

struct Job {
    event: AuditEvent,
    done: Done,
}

/// The handle callers record through; the writing thread ends when the last handle is dropped.
#[derive(Clone)]
pub struct AuditWriter {
    jobs: mpsc::Sender<Job>,
    folds: Folds,
}

/// Repeated reads of the same page (or of the same family from the same place: page, API) by the
/// same account within [`FOLD_WINDOW_MS`]: the first is written at once, the repeats are
/// counted here and written as one row (`repeats=N`) when the window has passed. A user paging back and forth, or a script hammering a list, does not
/// grow the log by a row per request; what was read, by whom and when stays recorded.
type Folds = Arc<Mutex<HashMap<String, Fold>>>;

struct Fold {
    first_ms: i64,
    repeats: u64,
    event: AuditEvent,
}

/// How long repeated reads of one page by one account fold into one row.
pub const FOLD_WINDOW_MS: i64 = 60_000;

/// The rows of the folds whose window has ended at `now` (all of them with `now = i64::MAX`),
/// which are removed.
fn take_expired(folds: &Folds, now: i64) -> Vec<AuditEvent> {
    let mut f = folds.lock().unwrap_or_else(|p| p.into_inner());
    let mut out = Vec::new();
    f.retain(|_, fold| {
        if now.saturating_sub(fold.first_ms) < FOLD_WINDOW_MS {
            return true;
        }
        if fold.repeats > 0 {
            out.push(repeats_event(fold));
        }
        false
    });
    out
}

/// The row of a fold's repeats: the first read's detail (where it was read, for a family) kept
/// in front of the count.
fn repeats_event(fold: &Fold) -> AuditEvent {
    let count = format!("repeats={} within 60 s", fold.repeats);
    let detail = match fold.event.detail.as_deref() {
        Some(via) if !via.is_empty() => format!("{via}; {count}"),
        _ => count,
    };
    fold.event.clone().detail(&detail)
}

/// Rows written in one transaction at most.
const MAX_GROUP: usize = 512;

impl AuditWriter {
    /// Starts the writer with a connection of its own, taken from `db` now: taken later, it
    /// could wait for a pool emptied by the very readers waiting for it.
    pub fn start(db: &Db) -> Result<AuditWriter, StorageError> {
        let (jobs, rx) = mpsc::channel::<Job>();
        let folds: Folds = Arc::default();
        let thread_folds = folds.clone();
        let (ready, started) = mpsc::sync_channel::<Result<(), String>>(1);
        let db = db.clone();
        // The connection is taken on the writer's own thread (the PostgreSQL client may not
        // block inside an async runtime) but before `start` returns.
        std::thread::Builder::new()
            .name("audit-writer".into())
            .spawn(move || {
                let mut conn = match db.conn() {
                    Ok(c) => {
                        let _ = ready.send(Ok(()));
                        c
                    }
                    Err(e) => {
                        let _ = ready.send(Err(e.to_string()));
                        return;
                    }
                };
                loop {
                    // Wake up now and then to write the folds whose window has ended.
                    let first = match rx.recv_timeout(Duration::from_secs(5)) {
                        Ok(job) => job,
                        Err(mpsc::RecvTimeoutError::Timeout) => {
                            write_folds(&mut conn, &thread_folds, crate::now_ms());
                            continue;
                        }
                        Err(mpsc::RecvTimeoutError::Disconnected) => {
                            write_folds(&mut conn, &thread_folds, i64::MAX);
                            break;
                        }
                    };
                    let mut group = vec![first];
                    while group.len() < MAX_GROUP {
                        match rx.try_recv() {
                            Ok(job) => group.push(job),
                            Err(_) => break,
                        }
                    }
                    let result = write_group(&mut conn, &group).map_err(|e| e.to_string());
                    for job in group {
                        (job.done)(result.clone());
                    }
                }
            })
            .map_err(|e| StorageError::Config(format!("audit writer thread: {e}")))?;
        started
            .recv()
            .map_err(|_| StorageError::Config("audit writer did not start".into()))?
            .map_err(|e| StorageError::Config(format!("audit writer: {e}")))?;
        Ok(AuditWriter { jobs, folds })
    }

    /// Records `event` and returns once it is committed.
    pub fn record(&self, event: AuditEvent) -> Result<(), StorageError> {
        let (done, wait) = mpsc::sync_channel(1);
        self.submit(
            event,
            Box::new(move |result| {
                let _ = done.send(result);
            }),
        )?;
        wait.recv()
            .map_err(|_| stopped())?
            .map_err(|e| StorageError::Config(format!("audit: {e}")))
    }

    /// Queues `event` and returns at once; `done` is called with the outcome once the row's
    /// transaction has ended. For a caller that waits without holding a thread (the web
    /// server awaits it), which must not show what was read before the row is committed.
    pub fn submit(&self, event: AuditEvent, done: Done) -> Result<(), StorageError> {
        self.jobs.send(Job { event, done }).map_err(|_| stopped())
    }
}

impl AuditWriter {
    /// Like [`AuditWriter::submit`] for the read of a page: a repeat of the same read by the
    /// same account within [`FOLD_WINDOW_MS`] of the first is counted instead of written, and
    /// `done` is told at once.
    pub fn submit_folded(
        &self,
        event: AuditEvent,
        now_ms: i64,
        done: Done,
    ) -> Result<(), StorageError> {
        // The detail is part of what was read: a family read on its page (`web`) and the same
        // family read through the API (`api`, `api:kelayakan`) are different reads, each with
        // its own row.
        let key = format!(
            "{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
            event.actor,
            event.village,
            event.action.code(),
            event.entity.code(),
            event.entity_id,
            event.detail.as_deref().unwrap_or("")
        );
        let ended = {
            let mut f = self.folds.lock().unwrap_or_else(|p| p.into_inner());
            match f.get_mut(&key) {
                Some(fold) if now_ms.saturating_sub(fold.first_ms) < FOLD_WINDOW_MS => {
                    fold.repeats += 1;
                    drop(f);
                    done(Ok(()));
                    return Ok(());
                }
                _ => f
                    .insert(
                        key,
                        Fold {
                            first_ms: now_ms,
                            repeats: 0,
                            event: event.clone(),
                        },
                    )
                    .filter(|old| old.repeats > 0),
            }
        };
        if let Some(old) = ended {
            self.submit(repeats_event(&old), Box::new(|_| {}))?;
        }
        self.submit(event, done)
    }
}

fn write_folds(conn: &mut Conn, folds: &Folds, now: i64) {
    let rows = take_expired(folds, now);
    if rows.is_empty() {
        return;
    }
    if let Err(e) = conn.transaction(|c| audit::insert_all(c, &rows)) {
        tracing_free_log(&e);
    }
}

/// The folded rows have no caller waiting: a failure is said on stderr (storage has no logger).
fn tracing_free_log(e: &StorageError) {
    eprintln!("audit writer: folded rows not written: {e}");
}

fn stopped() -> StorageError {
    StorageError::Config("audit writer stopped".into())
}

fn write_group(conn: &mut Conn, group: &[Job]) -> Result<(), StorageError> {
    // One move of the chain head for the whole group (its rows are chained in memory).
    let events: Vec<AuditEvent> = group.iter().map(|j| j.event.clone()).collect();
    conn.transaction(|c| audit::insert_all(c, &events))
}
