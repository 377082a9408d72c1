//! Background jobs as pages: an import that runs on the server after its upload returns. The job's
//! page shows a progress bar that refreshes itself without JavaScript (`<meta http-equiv="refresh">`)
//! and, once the job is done, sends the reader on to the import's own result page. Only the person
//! who started a job, or an admin, can see it. The runner is levers-app's (`jobs::spawn`).

use crate::AppState;
use crate::auth::{self, CurrentUser, Identity};
use crate::error::AppError;
use crate::layout::Chrome;
use crate::page::{chrome, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::middleware::from_fn;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use levers_store::Role;
use levers_store::jobs::{Job, JobState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/jobs/{id}", get(job_page))
        .route_layer(from_fn(auth::require(Role::Viewer)))
}

#[derive(Template)]
#[template(path = "jobs/job.html")]
pub struct JobPage {
    pub chrome: Chrome,
    pub job: Job,
    /// Seconds between refreshes while it runs.
    pub refresh: u32,
}

impl JobPage {
    pub fn running(&self) -> bool {
        self.job.state == JobState::Running
    }

    /// "1,234 of 3,545 rows (35%)" or "1,234 rows so far".
    pub fn done_text(&self) -> String {
        let n = group(self.job.progress);
        match self.job.total {
            Some(t) if t > 0 => format!(
                "{n} of {}{} {} ({}%)",
                if self.job.unit == "rows" {
                    "about "
                } else {
                    ""
                },
                group(t),
                self.job.unit,
                self.percent()
            ),
            _ => format!("{n} {} so far", self.job.unit),
        }
    }

    /// Whole percent, at most 99 while it runs (an estimate of the total can be short).
    pub fn percent(&self) -> i64 {
        match self.job.total {
            Some(t) if t > 0 => {
                let p = self.job.progress.saturating_mul(100) / t;
                if self.running() {
                    p.min(99)
                } else {
                    p.min(100)
                }
            }
            _ => 0,
        }
    }

    /// Where to start again after a failure.
    pub fn retry_url(&self) -> &'static str {
        match self.job.kind.as_str() {
            "spend" => "/procurement/upload",
            "suppliers" => "/procurement/suppliers",
            "unit-costs" => "/appraisals/unit-costs",
            "contracts" => "/procurement/contracts/import",
            "coproduction-register" => "/co-production/register/import",
            "geography" | "indicators" => "/admin/geography#upload",
            _ => "/",
        }
    }

    pub fn bar_max(&self) -> i64 {
        self.job.total.filter(|t| *t > 0).unwrap_or(100)
    }

    pub fn bar_value(&self) -> i64 {
        self.job.progress.min(self.bar_max())
    }
}

fn group(n: i64) -> String {
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

pub async fn job_page(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let mut job = state.store.job(id).await?.ok_or(AppError::NotFound)?;
    if job.owner_id != Some(me.id) && me.role != Role::Admin {
        return Err(AppError::NotFound);
    }
    if job.state == JobState::Running
        && levers_store::now_unix() - job.updated_at > levers_app::jobs::STALE_SECONDS
    {
        // Its process stopped: say so rather than refresh for ever.
        state
            .store
            .fail_interrupted_jobs(levers_app::jobs::STALE_SECONDS)
            .await?;
        job = state.store.job(id).await?.ok_or(AppError::NotFound)?;
    }
    if job.state == JobState::Done
        && let Some(url) = &job.result_url
    {
        return Ok(Redirect::to(url).into_response());
    }
    let title = match job.state {
        JobState::Failed => format!("Import failed: {}", job.label),
        _ => format!("Importing {}", job.label),
    };
    let chrome = chrome(&state, &identity, "", &title).await?;
    render(&JobPage {
        chrome,
        job,
        refresh: 1,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_are_grouped_in_thousands() {
        assert_eq!(super::group(0), "0");
        assert_eq!(super::group(3_545), "3,545");
        assert_eq!(super::group(1_234_567), "1,234,567");
    }
}
