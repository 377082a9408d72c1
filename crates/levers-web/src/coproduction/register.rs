//! The co-production register: the list of commissioning activities, one activity with its
//! involvements by stage, and the register file export and import.

use crate::page::attachment;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use levers_coproduction::csv_io::{RegisterReport, write_register};
use levers_coproduction::register::{Stage, iso};
use levers_store::coproduction::{ActivityRecord, RegisterImportCounts};

use super::common::{SECTION, SavedQuery, is_officer, officer_pages};
use crate::auth::{actor, require_officer};
use crate::error::AppError;
use crate::identity::{CurrentUser, Identity};
use crate::layout::{Chrome, FieldError, error_for};
use crate::page::{chrome, render, render_status};
use crate::state::AppState;
use crate::upload;

// ---------------------------------------------------------------------------------------------
// The register

#[derive(Template)]
#[template(path = "coproduction/register.html")]
pub struct RegisterPage {
    pub chrome: Chrome,
    pub activities: Vec<ActivityRecord>,
    pub notice: Option<String>,
}

impl RegisterPage {
    pub fn can_change(&self) -> bool {
        is_officer(&self.chrome)
    }
    pub fn stages(&self) -> [Stage; 4] {
        Stage::ALL
    }
    /// The highest rung at a stage, as a short label, or a dash.
    pub fn level(&self, a: &ActivityRecord, s: &Stage) -> LevelCell {
        let levels = levers_coproduction::coverage::stage_levels(&a.entry(), None);
        match levels[s.index()] {
            Some(r) => LevelCell {
                label: r.label(),
                co: r.is_coproduction(),
            },
            None => LevelCell {
                label: "–",
                co: false,
            },
        }
    }
}

/// A stage's highest rung in the register table.
pub struct LevelCell {
    pub label: &'static str,
    /// Co-design or above.
    pub co: bool,
}

pub async fn register(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let activities = state.store.coproduction_activities().await?;
    let chrome = chrome(&state, &identity, SECTION, "Co-production register").await?;
    let notice = q.saved.map(|s| {
        if s == "import" {
            "The register file was imported".to_string()
        } else {
            "Saved".to_string()
        }
    });
    render(&RegisterPage {
        chrome,
        activities,
        notice,
    })
}

#[derive(Template)]
#[template(path = "coproduction/activity.html")]
pub struct ActivityPage {
    pub chrome: Chrome,
    pub a: ActivityRecord,
    pub notice: Option<String>,
}

impl ActivityPage {
    pub fn can_change(&self) -> bool {
        is_officer(&self.chrome)
    }
    pub fn stages(&self) -> [Stage; 4] {
        Stage::ALL
    }
    pub fn at(&self, s: &Stage) -> Vec<&levers_store::coproduction::InvolvementRecord> {
        self.a
            .involvements
            .iter()
            .filter(|i| i.involvement.stage == *s)
            .collect()
    }
    pub fn standing(&self) -> levers_coproduction::coverage::ActivityStanding {
        levers_coproduction::coverage::standing(&self.a.entry(), None)
    }
    pub fn date(&self, d: &time::Date) -> String {
        iso(*d)
    }
    pub fn list(&self, v: &[String]) -> String {
        if v.is_empty() {
            "–".into()
        } else {
            v.join(", ")
        }
    }
}

pub async fn activity(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let a = state
        .store
        .coproduction_activity(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let chrome = chrome(
        &state,
        &identity,
        SECTION,
        &format!("{} ({})", a.activity.service, a.activity.reference),
    )
    .await?;
    render(&ActivityPage {
        chrome,
        a,
        notice: q.saved.map(|_| "Saved".to_string()),
    })
}

pub async fn export_register(State(state): State<AppState>) -> Result<Response, AppError> {
    let text = write_register(&state.store.coproduction_register().await?);
    Ok(attachment(
        "text/csv; charset=utf-8",
        "coproduction-register.csv".into(),
        text,
    ))
}

#[derive(Template)]
#[template(path = "coproduction/import.html")]
pub struct ImportPage {
    pub chrome: Chrome,
    pub errors: Vec<FieldError>,
    pub result: Option<(RegisterReport, RegisterImportCounts)>,
    pub max_mb: usize,
}

impl ImportPage {
    pub fn err(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

async fn import_page(
    state: &AppState,
    identity: &Identity,
    errors: Vec<FieldError>,
    result: Option<(RegisterReport, RegisterImportCounts)>,
) -> Result<ImportPage, AppError> {
    Ok(ImportPage {
        chrome: chrome(state, identity, SECTION, "Import a register file").await?,
        errors,
        result,
        max_mb: upload::REGISTER_FILE_BYTES / (1024 * 1024),
    })
}

pub async fn import_form(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    render(&import_page(&state, &identity, vec![], None).await?)
}

/// A stored import's result: what was read (read = kept + rejected + blank, each rejected row with
/// its line, column and what to do) and what it changed.
pub async fn import_result(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let stored = state
        .store
        .coproduction_register_import(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut report: RegisterReport = serde_json::from_value(stored.report).unwrap_or_default();
    if report.file.is_empty() {
        report.file = stored.file_name;
    }
    render(&import_page(&state, &identity, vec![], Some((report, stored.counts))).await?)
}

/// Starts the import as a background job: its page shows progress, then the import's result.
pub async fn import(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    form: Multipart,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let up = upload::read(form, "register.csv", upload::REGISTER_FILE_BYTES).await?;
    let (name, data) = (up.file_name, up.bytes);
    if data.is_empty() {
        let errors = vec![FieldError::new("file", "Select a register file (CSV)")];
        let page = import_page(&state, &identity, errors, None).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let store = state.store.clone();
    let who = actor(&me);
    let label = name.clone();
    let job = levers_app::jobs::spawn(
        &state.store,
        levers_app::jobs::NewJob {
            kind: "coproduction-register",
            label: &label,
            owner_id: Some(me.id),
            unit: "steps",
            total: Some(3),
        },
        move |progress| async move {
            let outcome = levers_app::register_import::import(&store, &who, &name, data, |step| {
                progress.set(step)
            })
            .await
            .map_err(|e| e.to_string())?;
            Ok(format!(
                "/co-production/register/imports/{}",
                outcome.counts.import_id
            ))
        },
    )
    .await?;
    Ok(Redirect::to(&format!("/jobs/{job}")).into_response())
}

officer_pages!(RegisterPage, ActivityPage, ImportPage);
