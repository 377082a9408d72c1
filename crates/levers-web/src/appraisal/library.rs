//! The unit cost library: search, and importing a unit cost table (CSV or the Unit Cost Database
//! workbook, with its deflators).

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use levers_appraisal::{UnitCost, ValueKind, search_costs};
use levers_core::FinancialYear;
use levers_store::{Role, User};
use serde::Deserialize;

use super::common::{SECTION, rag_label};
use crate::auth::{actor, require_officer};
use crate::error::AppError;
use crate::identity::{CurrentUser, Identity};
use crate::layout::{Chrome, FieldError, capitalise, error_for};
use crate::page::{chrome, render, render_status};
use crate::show;
use crate::state::AppState;
use crate::upload;

#[derive(Template)]
#[template(path = "appraisal/library.html")]
pub struct LibraryPage {
    pub chrome: Chrome,
    pub libraries: Vec<levers_store::appraisal::LibrarySummary>,
    pub query: String,
    pub hits: Vec<UnitCost>,
    pub total: usize,
    pub deflator_years: String,
    pub can_change: bool,
    pub errors: Vec<FieldError>,
    pub notice: Option<String>,
    pub max_mb: usize,
}

impl LibraryPage {
    pub fn err(&self, f: &str) -> Option<&str> {
        error_for(&self.errors, f)
    }
    pub fn value(&self, c: &UnitCost, k: &str) -> String {
        let kind = match k {
            "fiscal" => ValueKind::Fiscal,
            "economic" => ValueKind::Economic,
            _ => ValueKind::Social,
        };
        c.value(kind).map_or("–".into(), |v| {
            format!("{} ({})", show::estimate(v.amount), v.price_year)
        })
    }
    pub fn rag(&self, c: &UnitCost) -> &'static str {
        rag_label(Some(c.rag))
    }
    pub fn when(&self, t: &i64) -> String {
        crate::layout::when(t)
    }
}

#[derive(Deserialize, Default)]
pub struct LibraryQuery {
    q: Option<String>,
    imported: Option<String>,
}

async fn library_page(
    state: &AppState,
    identity: &Identity,
    me: &User,
    q: LibraryQuery,
    errors: Vec<FieldError>,
) -> Result<LibraryPage, AppError> {
    let costs = state.store.unit_costs().await?;
    let query = q.q.unwrap_or_default();
    let hits = search_costs(&costs, &query, 50)
        .into_iter()
        .cloned()
        .collect();
    let years: Vec<FinancialYear> = state.store.deflators().await?.years().collect();
    let deflator_years = match (years.first(), years.last()) {
        (Some(a), Some(b)) => format!("{a} to {b}"),
        _ => String::new(),
    };
    Ok(LibraryPage {
        chrome: chrome(state, identity, SECTION, "Unit cost library").await?,
        libraries: state.store.unit_cost_libraries().await?,
        query,
        hits,
        total: costs.len(),
        deflator_years,
        can_change: me.role.allows(Role::Officer),
        errors,
        notice: q.imported,
        max_mb: upload::UNIT_COST_FILE_BYTES / (1024 * 1024),
    })
}

pub async fn library(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Query(q): Query<LibraryQuery>,
) -> Result<Response, AppError> {
    render(&library_page(&state, &identity, &me, q, Vec::new()).await?)
}

/// Imports a unit cost table (CSV or the workbook) uploaded by an officer, as a background job.
pub async fn library_upload(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    form: Multipart,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let up = upload::read(form, "unit-costs.csv", upload::UNIT_COST_FILE_BYTES).await?;
    let name = up.field("name").to_owned();
    let (file_name, data) = (up.file_name, up.bytes);
    let mut errors = Vec::new();
    if name.trim().is_empty() {
        errors.push(FieldError::new(
            "name",
            "Enter a name for the library, like \"Levermouth own values 2026\"",
        ));
    }
    if data.is_empty() {
        errors.push(FieldError::new("file", "Choose a CSV or XLSX file"));
    }
    if errors.is_empty() {
        // Read and stored by a background job: its page shows progress, then the library with a
        // note of what was imported.
        let store = state.store.clone();
        let who = actor(&me);
        let label = file_name.clone();
        let job = levers_app::jobs::spawn(
            &state.store,
            levers_app::jobs::NewJob {
                kind: "unit-costs",
                label: &label,
                owner_id: Some(me.id),
                unit: "steps",
                total: Some(levers_app::appraisal::UNIT_COST_STEPS as i64),
            },
            move |progress| async move {
                let done = levers_app::appraisal::import_unit_cost_file(
                    &store,
                    &who,
                    &name,
                    &file_name,
                    std::sync::Arc::new(data),
                    |step| progress.set(step),
                )
                .await
                .map_err(|e| capitalise(&e.to_string()))?;
                let report = &done.report;
                let extra = match (done.deflator_years, &done.deflator_problem) {
                    (Some(n), _) => format!(" Its deflator table ({n} years) was imported too."),
                    (None, Some(why)) => format!(" Its deflator table was not imported: {why}."),
                    (None, None) => String::new(),
                };
                let note = format!(
                    "Imported {} unit costs into \"{}\": {} rows read = {} kept + {} rejected + {} without a code.{extra}",
                    done.costs,
                    name.trim(),
                    report.rows_read,
                    report.costs,
                    report.rejected.len(),
                    report.rows_without_code
                );
                Ok(format!(
                    "/appraisals/unit-costs?imported={}",
                    form_urlencoded::byte_serialize(note.as_bytes()).collect::<String>()
                ))
            },
        )
        .await?;
        return Ok(Redirect::to(&format!("/jobs/{job}")).into_response());
    }
    let page = library_page(&state, &identity, &me, LibraryQuery::default(), errors).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}
