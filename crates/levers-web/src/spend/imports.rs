//! Spend imports: the list with each import's reconciliation, one import's report, and undo.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::auth::Identity;
use crate::auth::actor;
use crate::auth::require_officer;
use crate::error::AppError;
use crate::layout::Chrome;
use crate::page::chrome;
use crate::page::render;
use askama::Template;
use axum::extract::Path;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::response::Redirect;
use axum::response::Response;
use serde::Deserialize;

/// Only officers and admins change data; viewers may look.
pub async fn imports(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
) -> Result<Response, AppError> {
    let imports = state.store.spend_imports().await?;
    let chrome = chrome(&state, &identity, "procurement", "Spend imports").await?;
    render(&SpendImportsPage {
        chrome,
        imports,
        can_change: me.role.allows(levers_store::Role::Officer),
    })
}

pub async fn import_detail(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let imp = state
        .store
        .spend_import(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let report: ReportView = serde_json::from_value(imp.report.clone()).unwrap_or_default();
    let chrome = chrome(
        &state,
        &identity,
        "procurement",
        &format!("Import of {}", imp.file_name),
    )
    .await?;
    render(&SpendImportPage {
        chrome,
        imp,
        report,
    })
}

pub async fn undo(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    match state.store.undo_spend_import(&actor(&me), id).await {
        Ok(_) | Err(levers_store::StoreError::Conflict(_)) => {
            Ok(Redirect::to(&format!("/procurement/imports/{id}")).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The parts of a stored check report the import page shows (the report's `&'static str` fields
/// keep `CheckReport` itself from being read back, so this reads the rest).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportView {
    pub format: String,
    pub encoding: String,
    pub delimiter: Option<String>,
    pub header_row: u64,
    pub rows: u64,
    pub total: i64,
    pub negatives: u64,
    pub negative_total: i64,
    pub distinct_suppliers: u64,
    pub redacted_rows: u64,
    pub blank_supplier_rows: u64,
    pub first_date: Option<String>,
    pub last_date: Option<String>,
    pub rejected_count: u64,
    pub rejected: Vec<levers_spend::RejectedRow>,
    pub flagged_count: u64,
    pub grand_total: Option<levers_spend::GrandTotalCheck>,
    pub reconciliation: levers_spend::Reconciliation,
    pub warnings: Vec<String>,
    pub mapping: MappingView,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MappingView {
    pub columns: Vec<MappedView>,
    pub unmapped: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MappedView {
    pub field: String,
    pub column: usize,
    pub header: String,
    pub how: String,
}

#[derive(Template)]
#[template(path = "spend/imports.html")]
pub struct SpendImportsPage {
    pub chrome: Chrome,
    pub imports: Vec<levers_store::spend::SpendImport>,
    pub can_change: bool,
}

impl SpendImportsPage {
    pub fn money(&self, p: &i64) -> String {
        crate::show::money(*p)
    }
    pub fn rejected(&self, i: &levers_store::spend::SpendImport) -> u64 {
        i.report
            .get("rejected_count")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0)
    }
}

#[derive(Template)]
#[template(path = "spend/import.html")]
pub struct SpendImportPage {
    pub chrome: Chrome,
    pub imp: levers_store::spend::SpendImport,
    pub report: super::imports::ReportView,
}

impl SpendImportPage {
    pub fn can_undo(&self) -> bool {
        self.imp.undone_at.is_none()
            && self
                .chrome
                .user
                .as_ref()
                .is_some_and(|u| u.role.allows(levers_store::Role::Officer))
    }
    pub fn money(&self, p: &i64) -> String {
        crate::show::money(*p)
    }
}

crate::layout::timestamps!(SpendImportsPage, SpendImportPage);
