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
    pub result: Option<levers_spend::suppliers::SupplierFileReport>,
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
}

async fn suppliers_page(
    state: &AppState,
    identity: &Identity,
    me: &User,
    body: Option<String>,
    errors: Vec<crate::layout::FieldError>,
    result: Option<levers_spend::suppliers::SupplierFileReport>,
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
    render(&suppliers_page(&state, &identity, &me, q.body, vec![], None).await?)
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
        let name = file_name.clone();
        let bytes = data.clone();
        let read = tokio::task::spawn_blocking(move || {
            levers_spend::suppliers::read_suppliers(&name, &bytes, &[])
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
        match read {
            Ok((recs, rep)) => {
                let sha = levers_app::credentials::sha256_hex(&data);
                let rep_json =
                    serde_json::to_value(&rep).map_err(|e| AppError::Internal(e.into()))?;
                state
                    .store
                    .import_suppliers(&actor(&me), &body, &file_name, &sha, &recs, &rep_json)
                    .await?;
                return render(
                    &suppliers_page(&state, &identity, &me, Some(body), vec![], Some(rep)).await?,
                );
            }
            Err(e) => errors.push(FieldError::new("file", e.to_string())),
        }
    }
    let page = suppliers_page(&state, &identity, &me, Some(body), errors, None).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}
