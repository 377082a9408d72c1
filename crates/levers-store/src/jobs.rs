//! Background jobs (migration 0015): a row per long-running piece of work (an import run by the
//! web app), its progress, and how it ended. The work itself is the caller's (levers-app's job
//! runner); the store only records it. A job still running when a process starts was interrupted:
//! [`Store::fail_interrupted_jobs`] marks it failed.

use crate::{Result, Store, now_unix, with_pool};
use sqlx::Row;

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Running,
    Done,
    Failed,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> JobState {
        match s {
            "done" => JobState::Done,
            "failed" => JobState::Failed,
            _ => JobState::Running,
        }
    }
}

/// One job as stored.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub label: String,
    pub owner_id: Option<i64>,
    pub state: JobState,
    pub progress: i64,
    pub total: Option<i64>,
    /// What `progress` and `total` count ("rows", "bytes").
    pub unit: String,
    /// Why it failed, or a note on how it ended.
    pub message: String,
    /// The page to show once it is done.
    pub result_url: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
}

/// What the interrupted jobs say.
pub const INTERRUPTED: &str = "The server stopped before this import finished, so nothing of it was stored. Upload the file again.";

const SELECT: &str = "SELECT id, kind, label, owner_id, state, progress, total, unit, message, result_url, created_at, updated_at, finished_at FROM jobs";

impl Store {
    /// Records a new running job and returns its id.
    pub async fn create_job(
        &self,
        kind: &str,
        label: &str,
        owner_id: Option<i64>,
        unit: &str,
        total: Option<i64>,
    ) -> Result<i64> {
        let now = now_unix();
        with_pool!(self, pool => Ok(sqlx::query_scalar(
            "INSERT INTO jobs (kind, label, owner_id, unit, total, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(kind)
        .bind(label)
        .bind(owner_id)
        .bind(unit)
        .bind(total)
        .bind(now)
        .fetch_one(pool)
        .await?))
    }

    /// Records how far a running job has got (and its total, once known).
    pub async fn job_progress(&self, id: i64, progress: i64, total: Option<i64>) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query("UPDATE jobs SET progress = $2, total = COALESCE($3, total), updated_at = $4 WHERE id = $1 AND state = 'running'")
                .bind(id)
                .bind(progress.max(0))
                .bind(total)
                .bind(now_unix())
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Ends a job: done with the page to show, or failed with the reason.
    pub async fn finish_job(
        &self,
        id: i64,
        outcome: std::result::Result<&str, &str>,
    ) -> Result<()> {
        let (state, url, message) = match outcome {
            Ok(url) => (JobState::Done, Some(url), ""),
            Err(why) => (JobState::Failed, None, why),
        };
        let now = now_unix();
        with_pool!(self, pool => {
            sqlx::query("UPDATE jobs SET state = $2, result_url = $3, message = $4, updated_at = $5, finished_at = $5 WHERE id = $1 AND state = 'running'")
                .bind(id)
                .bind(state.as_str())
                .bind(url)
                .bind(message)
                .bind(now)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    pub async fn job(&self, id: i64) -> Result<Option<Job>> {
        let sql = format!("{SELECT} WHERE id = $1");
        with_pool!(self, pool => {
            let r = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?;
            Ok(match r {
                None => None,
                Some(r) => {
                    let state: String = r.try_get("state")?;
                    Some(Job {
                        id: r.try_get("id")?,
                        kind: r.try_get("kind")?,
                        label: r.try_get("label")?,
                        owner_id: r.try_get("owner_id")?,
                        state: JobState::parse(&state),
                        progress: r.try_get("progress")?,
                        total: r.try_get("total")?,
                        unit: r.try_get("unit")?,
                        message: r.try_get("message")?,
                        result_url: r.try_get("result_url")?,
                        created_at: r.try_get("created_at")?,
                        updated_at: r.try_get("updated_at")?,
                        finished_at: r.try_get("finished_at")?,
                    })
                }
            })
        })
    }

    /// Marks every job still running as failed ([`INTERRUPTED`]): called when a process starts,
    /// since no job survives the process that ran it. Returns how many were marked.
    ///
    /// With several processes on one PostgreSQL database, a restarting process would also mark its
    /// siblings' running jobs; `older_than` (seconds since the job's last progress) limits it to
    /// jobs that have stopped reporting.
    pub async fn fail_interrupted_jobs(&self, older_than: i64) -> Result<u64> {
        let now = now_unix();
        with_pool!(self, pool => {
            let r = sqlx::query("UPDATE jobs SET state = 'failed', message = $1, updated_at = $2, finished_at = $2 WHERE state = 'running' AND updated_at <= $3")
                .bind(INTERRUPTED)
                .bind(now)
                .bind(now - older_than)
                .execute(pool)
                .await?;
            Ok(r.rows_affected())
        })
    }
}
