//! The council's supplier (creditor) records: the list per body and the upload that imports them.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::auth::Identity;
use crate::auth::actor;
use crate::auth::require_officer;
use crate::error::AppError;
use crate::layout::Chrome;
use crate::page::chrome;
use crate::page::render;
use crate::page::render_status;
use askama::Template;
use axum::extract::Multipart;
use axum::extract::Query;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Response;
use levers_store::User;
use serde::Deserialize;

// Supplier records.

#[derive(Template)]
#[template(path = "procurement/suppliers.html")]
pub struct SuppliersPage {
    pub chrome: Chrome,
    pub body: String,
    pub bodies: Vec<String>,
    pub suppliers: Vec<levers_store::procurement::StoredSupplier>,
    pub imports: Vec<levers_store::procurement::SupplierImport>,
    pub can_change: bool,
    pub errors: Vec<crate::layout::FieldError>,
    pub result: Option<ImportSummary>,
    pub max_mb: usize,
}

impl SuppliersPage {
    pub fn err(&self, f: &str) -> Option<&str> {
        crate::layout::error_for(&self.errors, f)
    }
    pub fn kind(&self, s: &levers_store::procurement::StoredSupplier) -> &'static str {
        s.record.declared_type.map_or("–", |t| t.label())
    }
    pub fn when(&self, t: &i64) -> String {
        crate::layout::when(t)
    }
}

#[derive(Deserialize, Default)]
pub struct BodyQuery {
    body: Option<String>,
    /// A supplier import just finished (its job's result): its report is shown at the top.
    import: Option<i64>,
}

/// What the page shows of an import's reconciliation, read back from the report stored with it.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ImportSummary {
    pub file: String,
    pub records: u64,
    pub preamble: u64,
    pub header: u64,
    pub kept: u64,
    pub rejected: u64,
    pub blank: u64,
    pub balanced: bool,
    pub with_postcode: u64,
    pub with_branches: u64,
    pub rejections: Vec<levers_spend::suppliers::SupplierRejection>,
    pub issues: Vec<IssueSummary>,
}

/// A value kept without one field, as the stored report has it.
#[derive(Deserialize)]
pub struct IssueSummary {
    pub line: u64,
    pub field: levers_spend::suppliers::SupplierField,
    pub value: String,
    pub reason: String,
}

async fn suppliers_page(
    state: &AppState,
    identity: &Identity,
    me: &User,
    body: Option<String>,
    errors: Vec<crate::layout::FieldError>,
    result: Option<ImportSummary>,
) -> Result<SuppliersPage, AppError> {
    let bodies = state.store.spend_bodies().await?;
    let chrome = chrome(state, identity, "procurement", "Supplier records").await?;
    let body = body
        .filter(|b| !b.is_empty())
        .or_else(|| bodies.first().cloned())
        .unwrap_or_else(|| chrome.council.clone());
    let suppliers = state.store.proc_suppliers(&body).await?;
    let imports = state
        .store
        .proc_supplier_imports()
        .await?
        .into_iter()
        .filter(|i| i.body == body)
        .take(10)
        .collect();
    Ok(SuppliersPage {
        chrome,
        body,
        bodies,
        suppliers,
        imports,
        can_change: me.role.allows(levers_store::Role::Officer),
        errors,
        result,
        max_mb: crate::upload::SUPPLIER_FILE_BYTES / 1_048_576,
    })
}

pub async fn suppliers(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Query(q): Query<BodyQuery>,
) -> Result<Response, AppError> {
    let result = match q.import {
        Some(id) => state
            .store
            .proc_supplier_imports()
            .await?
            .into_iter()
            .find(|i| i.id == id)
            .and_then(|i| serde_json::from_value::<ImportSummary>(i.report).ok()),
        None => None,
    };
    render(&suppliers_page(&state, &identity, &me, q.body, vec![], result).await?)
}

pub async fn upload_suppliers(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    form: Multipart,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let up = crate::upload::read(form, "suppliers.csv", crate::upload::SUPPLIER_FILE_BYTES).await?;
    let body = up.field("body").to_string();
    let (file_name, data) = (up.file_name, up.bytes);
    use crate::layout::FieldError;
    let mut errors = Vec::new();
    if body.is_empty() || body.chars().count() > 120 {
        errors.push(FieldError::new(
            "body",
            "Enter the name of the body whose supplier records these are (120 characters or fewer)",
        ));
    }
    if data.is_empty() {
        errors.push(FieldError::new(
            "file",
            "Select the supplier (creditor) file: CSV, XLS or XLSX",
        ));
    }
    if errors.is_empty() {
        // Read and stored by a background job; its page shows progress, then this page with the
        // import's report.
        let store = state.store.clone();
        let who = actor(&me);
        let label = file_name.clone();
        let data = std::sync::Arc::new(data);
        let job = levers_app::jobs::spawn(
            &state.store,
            levers_app::jobs::NewJob {
                kind: "suppliers",
                label: &label,
                owner_id: Some(me.id),
                unit: "steps",
                total: Some(2),
            },
            move |progress| async move {
                let (name, bytes) = (file_name.clone(), data.clone());
                let read = tokio::task::spawn_blocking(move || {
                    levers_spend::suppliers::read_suppliers(&name, &bytes[..], &[])
                })
                .await
                .map_err(|e| format!("The supplier file could not be read: {e}"))?;
                let (recs, rep) = read.map_err(|e| e.to_string())?;
                progress.set(1);
                let sha = levers_app::credentials::sha256_hex(&data);
                let rep_json = serde_json::to_value(&rep).map_err(|e| e.to_string())?;
                let counts = store
                    .import_suppliers(&who, &body, &file_name, &sha, &recs, &rep_json)
                    .await
                    .map_err(|e| format!("The supplier records could not be stored: {e}"))?;
                progress.set(2);
                Ok(format!(
                    "/procurement/suppliers?body={}&import={}",
                    levers_present::procurement_report::url(&body),
                    counts.import_id
                ))
            },
        )
        .await?;
        return Ok(axum::response::Redirect::to(&format!("/jobs/{job}")).into_response());
    }
    let page = suppliers_page(&state, &identity, &me, Some(body), errors, None).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}
