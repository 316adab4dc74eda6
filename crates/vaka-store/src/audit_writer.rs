//! Group commit for the access log of reads: one task appends the entries of all requests waiting
//! at that moment in one write transaction, then tells each of them. Without it every page view
//! took the write lock on its own, and on SQLite the waiting ones slept in the busy handler.

use std::sync::Arc;

use tokio::sync::{Mutex, mpsc, oneshot};

use crate::{NewAuditEntry, Pool, Result, Store, StoreError};

/// Most requests whose entries go into one transaction.
const BATCH: usize = 256;

struct Job {
    entries: Vec<NewAuditEntry>,
    done: oneshot::Sender<std::result::Result<(), String>>,
}

pub(crate) struct Handle {
    jobs: mpsc::UnboundedSender<Job>,
}

/// Starts the writer on the current runtime. It ends when the store's last handle is gone.
pub(crate) fn start(pool: Pool, gate: Arc<Mutex<()>>) -> Handle {
    let (jobs, rx) = mpsc::unbounded_channel();
    tokio::spawn(run(pool, gate, rx));
    Handle { jobs }
}

impl Handle {
    /// Appends `entries` to the chain and returns once they are committed (or failed).
    pub(crate) async fn write(&self, entries: Vec<NewAuditEntry>) -> Result<()> {
        let (done, answer) = oneshot::channel();
        self.jobs
            .send(Job { entries, done })
            .map_err(|_| StoreError::AuditLog("the writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::AuditLog("the writer has stopped".into()))?
            .map_err(StoreError::AuditLog)
    }
}

async fn run(pool: Pool, gate: Arc<Mutex<()>>, mut rx: mpsc::UnboundedReceiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < BATCH {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let result = write_all(&pool, &gate, &jobs).await.map_err(|e| {
            tracing::error!(error = %e, requests = jobs.len(), "access log write failed");
            e.to_string()
        });
        for job in jobs {
            // A request that gave up (its connection closed) no longer listens; that is fine.
            let _ = job.done.send(result.clone());
        }
    }
}

async fn write_all(pool: &Pool, gate: &Arc<Mutex<()>>, jobs: &[Job]) -> Result<()> {
    let mut tx = Store::begin_on(pool, gate).await?;
    for job in jobs {
        for e in &job.entries {
            tx.audit(e.clone());
        }
    }
    tx.commit().await
}
