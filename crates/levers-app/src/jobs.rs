//! The background job runner: long work (an import) runs on the server in its own task while the
//! page that started it shows its progress from the `jobs` table. Generic: any use case that can
//! report progress plugs in with [`spawn`], giving a closure that does the work with a [`JobProgress`]
//! and returns the page to show when it is done, or why it failed.
//!
//! Progress is counted in memory (an atomic, cheap to bump from a reader thread) and written to the
//! store by a ticker about once a second, which is also the job's heartbeat: a job whose row has
//! not moved for [`STALE_SECONDS`] belongs to a process that stopped, and is marked failed when a
//! process starts ([`fail_interrupted`]) or its page is read. The work's own transaction decides
//! what is stored, so an interrupted import leaves nothing half-done.

use levers_store::{Store, StoreError};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// Seconds without a heartbeat after which a running job is taken as interrupted.
pub const STALE_SECONDS: i64 = 15;

/// How often the ticker writes progress (and so the heartbeat).
const TICK: Duration = Duration::from_millis(1000);

/// A running job's progress counters, shared with the work.
#[derive(Clone)]
pub struct JobProgress {
    done: Arc<AtomicI64>,
    total: Arc<AtomicI64>,
}

impl JobProgress {
    fn new(total: Option<i64>) -> JobProgress {
        JobProgress {
            done: Arc::new(AtomicI64::new(0)),
            total: Arc::new(AtomicI64::new(total.unwrap_or(-1))),
        }
    }

    /// How far the work has got, in the job's unit.
    pub fn set(&self, done: u64) {
        self.done
            .store(i64::try_from(done).unwrap_or(i64::MAX), Ordering::Relaxed);
    }

    /// The total, once the work knows it.
    pub fn set_total(&self, total: u64) {
        self.total
            .store(i64::try_from(total).unwrap_or(i64::MAX), Ordering::Relaxed);
    }

    fn read(&self) -> (i64, Option<i64>) {
        let t = self.total.load(Ordering::Relaxed);
        (self.done.load(Ordering::Relaxed), (t >= 0).then_some(t))
    }

    /// A callback for use cases that report progress as a plain function (the spending import's).
    pub fn callback(&self) -> Arc<dyn Fn(u64) + Send + Sync> {
        let me = self.clone();
        Arc::new(move |n| me.set(n))
    }
}

/// What a new job is.
pub struct NewJob<'a> {
    /// What runs: "spend", "suppliers", "registers", "geography", "unit-costs", "contracts" ….
    pub kind: &'a str,
    /// What people see it as (the file's name).
    pub label: &'a str,
    pub owner_id: Option<i64>,
    /// What progress counts ("rows", "bytes").
    pub unit: &'a str,
    pub total: Option<i64>,
}

/// Records a job and runs `work` in its own task; returns the job's id at once. `work` returns the
/// page to show when it is done, or the reason it failed (shown to the person who started it).
pub async fn spawn<F, Fut>(store: &Store, job: NewJob<'_>, work: F) -> Result<i64, StoreError>
where
    F: FnOnce(JobProgress) -> Fut + Send + 'static,
    Fut: Future<Output = Result<String, String>> + Send + 'static,
{
    let id = store
        .create_job(job.kind, job.label, job.owner_id, job.unit, job.total)
        .await?;
    let progress = JobProgress::new(job.total);
    let store = store.clone();
    tokio::spawn(async move {
        let (stop_tx, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
        let ticker = {
            let store = store.clone();
            let progress = progress.clone();
            tokio::spawn(async move {
                loop {
                    tokio::select! {
                        _ = &mut stop_rx => break,
                        () = tokio::time::sleep(TICK) => {
                            let (done, total) = progress.read();
                            // A failed write only delays the bar; the job goes on.
                            let _ = store.job_progress(id, done, total).await;
                        }
                    }
                }
            })
        };
        // The work in its own task, so a panic in it fails the job instead of leaving it running.
        let outcome = match tokio::spawn(work(progress.clone())).await {
            Ok(o) => o,
            Err(e) => Err(format!("The import stopped with an internal error: {e}")),
        };
        let _ = stop_tx.send(());
        let _ = ticker.await;
        let (done, total) = progress.read();
        let _ = store.job_progress(id, done, total).await;
        let ended = match &outcome {
            Ok(url) => store.finish_job(id, Ok(url)).await,
            Err(why) => store.finish_job(id, Err(why)).await,
        };
        if let Err(e) = ended {
            eprintln!("levers: job {id} could not record how it ended: {e}");
        }
    });
    Ok(id)
}

/// Marks jobs interrupted by a restart as failed: now, and once more after the stale interval
/// (a process that restarts quickly finds its predecessor's jobs' heartbeats still fresh).
pub async fn fail_interrupted(store: &Store) -> Result<u64, StoreError> {
    let n = store.fail_interrupted_jobs(STALE_SECONDS).await?;
    let later = store.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(STALE_SECONDS as u64 + 1)).await;
        let _ = later.fail_interrupted_jobs(STALE_SECONDS).await;
    });
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use levers_store::jobs::JobState;
    use levers_store::testing::scratch_sqlite;

    #[tokio::test]
    async fn a_job_runs_reports_progress_and_ends_with_its_page_or_its_reason() {
        let (store, scratch) = scratch_sqlite().await.unwrap();
        let new = |label| NewJob {
            kind: "test",
            label,
            owner_id: None,
            unit: "rows",
            total: None,
        };
        let ok = spawn(&store, new("a.csv"), |p| async move {
            p.set_total(10);
            p.set(10);
            Ok("/done/1".to_string())
        })
        .await
        .unwrap();
        let bad = spawn(&store, new("b.csv"), |_| async move {
            Err("the file has no header".to_string())
        })
        .await
        .unwrap();
        let boom = spawn(&store, new("c.csv"), |_| async move {
            if true {
                panic!("reader thread died");
            }
            Ok(String::new())
        })
        .await
        .unwrap();
        for _ in 0..200 {
            let mut all = Vec::new();
            for id in [ok, bad, boom] {
                all.push(store.job(id).await.unwrap().unwrap().state);
            }
            if all.iter().all(|s| *s != JobState::Running) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let a = store.job(ok).await.unwrap().unwrap();
        assert_eq!(a.state, JobState::Done);
        assert_eq!(a.result_url.as_deref(), Some("/done/1"));
        assert_eq!((a.progress, a.total), (10, Some(10)));
        let b = store.job(bad).await.unwrap().unwrap();
        assert_eq!(b.state, JobState::Failed);
        assert_eq!(b.message, "the file has no header");
        let c = store.job(boom).await.unwrap().unwrap();
        assert_eq!(c.state, JobState::Failed);
        assert!(c.message.contains("internal error"), "{}", c.message);
        scratch.remove().await;
    }

    #[tokio::test]
    async fn a_job_left_running_by_a_stopped_process_is_marked_failed() {
        let (store, scratch) = scratch_sqlite().await.unwrap();
        let id = store
            .create_job("spend", "big.csv", None, "rows", None)
            .await
            .unwrap();
        // Fresh heartbeat: left alone (another process may be running it).
        assert_eq!(store.fail_interrupted_jobs(STALE_SECONDS).await.unwrap(), 0);
        // No heartbeat for longer than the limit: failed, and says nothing was stored.
        assert_eq!(store.fail_interrupted_jobs(-1).await.unwrap(), 1);
        let j = store.job(id).await.unwrap().unwrap();
        assert_eq!(j.state, JobState::Failed);
        assert_eq!(j.message, levers_store::jobs::INTERRUPTED);
        // A late finish from the dead job changes nothing.
        store.finish_job(id, Ok("/x")).await.unwrap();
        assert_eq!(
            store.job(id).await.unwrap().unwrap().state,
            JobState::Failed
        );
        scratch.remove().await;
    }
}
