//! Group commit for the audit records of reads. Every view of a family writes one audit row;
//! written one transaction each, those writes took 40% of the web server's capacity on the
//! family page (a commit per view, and each commit throws away every other connection's SQLite
//! page cache). Here one thread writes all rows waiting at that moment in one transaction, and
//! each caller returns only once its row is committed: a view is recorded as durably as before.

use std::sync::mpsc;

use crate::audit::{self, AuditEvent};
use crate::{Conn, Db, StorageError};

/// Told the outcome once the row's transaction has ended.
type Done = Box<dyn FnOnce(Result<(), String>) + Send>;

struct Job {
    event: AuditEvent,
    done: Done,
}

/// The handle callers record through; the writing thread ends when the last handle is dropped.
#[derive(Clone)]
pub struct AuditWriter {
    jobs: mpsc::Sender<Job>,
}

/// Rows written in one transaction at most.
const MAX_GROUP: usize = 512;

impl AuditWriter {
    /// Starts the writer with a connection of its own, taken from `db` now: taken later, it
    /// could wait for a pool emptied by the very readers waiting for it.
    pub fn start(db: &Db) -> Result<AuditWriter, StorageError> {
        let (jobs, rx) = mpsc::channel::<Job>();
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
                while let Ok(first) = rx.recv() {
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
        Ok(AuditWriter { jobs })
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

fn stopped() -> StorageError {
    StorageError::Config("audit writer stopped".into())
}

fn write_group(conn: &mut Conn, group: &[Job]) -> Result<(), StorageError> {
    conn.transaction(|c| {
        for Job { event, .. } in group {
            audit::insert(c, event)?;
        }
        Ok::<_, StorageError>(())
    })
}
