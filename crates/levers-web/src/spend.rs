//! Spend imports: the pipeline that streams a transparency file into the store (shared with the CLI),
//! and the pages to upload a file, see its check report and first rows, correct the column mapping,
//! import it, list imports with their reconciliation, and undo one.

use std::sync::Arc;

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use levers_core::Money;
use levers_spend::{CheckOptions, CheckReport, Field, SpendError, Transaction, read_transactions};
use levers_store::spend::{SpendCounts, SpendImport};
use levers_store::{Actor, Store, User};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::auth::{self, CurrentUser, Identity, actor, require_officer};
use crate::error::AppError;
use crate::pages::{chrome, render, render_status};
use crate::templates::{
    FieldError, SpendImportPage, SpendImportsPage, SpendReviewPage, SpendUploadPage,
};

/// Rows handed from the reader thread to the database at a time (one COPY on PostgreSQL).
const BATCH: usize = 10_000;

/// What importing a file did.
#[derive(Debug)]
pub enum ImportOutcome {
    /// The same file (same bytes) was already imported for this body: nothing was added.
    AlreadyImported(Box<SpendImport>),
    Imported {
        import_id: i64,
        counts: SpendCounts,
        report: Box<CheckReport>,
        dropped_saved: Vec<String>,
    },
}

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Spend(#[from] SpendError),
    #[error(transparent)]
    Store(#[from] levers_store::StoreError),
    #[error("the reader stopped unexpectedly: {0}")]
    Worker(String),
}

/// SHA-256 of a file, hex: how "the same file" is recognised.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The options for reading a body's file: the explicit overrides, plus the mapping saved from the
/// body's last import for the fields not overridden.
pub async fn options_for(
    store: &Store,
    body: &str,
    explicit: &[(Field, String)],
) -> Result<(CheckOptions, Vec<(Field, String)>), ImportError> {
    let mut overrides = explicit.to_vec();
    let mut saved = Vec::new();
    for (f, h) in store.spend_mapping(body).await? {
        if let Some(field) = Field::from_name(&f)
            && !overrides.iter().any(|(o, _)| *o == field)
        {
            overrides.push((field, h.clone()));
            saved.push((field, h));
        }
    }
    Ok((
        CheckOptions {
            overrides,
            body: Some(body.to_string()),
            max_listed: 1000,
        },
        saved,
    ))
}

/// Runs `f` with the options, dropping saved (not explicit) mapping entries whose header this file
/// lacks, one at a time. Returns the result and the dropped headers.
pub fn with_saved_fallback<T>(
    opts: &CheckOptions,
    saved: &[(Field, String)],
    mut f: impl FnMut(&CheckOptions) -> Result<T, SpendError>,
) -> Result<(T, Vec<String>), SpendError> {
    let mut opts = opts.clone();
    let mut dropped = Vec::new();
    loop {
        match f(&opts) {
            Err(SpendError::MapNotFound { field, header, .. })
                if saved.iter().any(|(sf, sh)| *sf == field && *sh == header) =>
            {
                opts.overrides
                    .retain(|(of, oh)| !(*of == field && *oh == header));
                dropped.push(format!("{field}=\"{header}\""));
            }
            other => return other.map(|t| (t, dropped)),
        }
    }
}

/// Imports one file for `body` in one transaction: reads on a blocking thread, stores in batches,
/// de-duplicates by transaction identity, saves the mapping used, and audits. Re-importing the same
/// bytes adds nothing.
pub async fn import_bytes(
    store: &Store,
    actor: &Actor,
    body: &str,
    file_name: &str,
    bytes: Arc<Vec<u8>>,
    explicit: &[(Field, String)],
) -> Result<ImportOutcome, ImportError> {
    import_bytes_with_progress(store, actor, body, file_name, bytes, explicit, None).await
}

/// Called with the number of payments read so far (every few thousand), for progress bars.
pub type Progress = Arc<dyn Fn(u64) + Send + Sync>;

/// As [`import_bytes`], reporting progress.
pub async fn import_bytes_with_progress(
    store: &Store,
    actor: &Actor,
    body: &str,
    file_name: &str,
    bytes: Arc<Vec<u8>>,
    explicit: &[(Field, String)],
    progress: Option<Progress>,
) -> Result<ImportOutcome, ImportError> {
    let sha = sha256_hex(&bytes);
    if let Some(prev) = store.spend_import_of_file(body, &sha).await? {
        return Ok(ImportOutcome::AlreadyImported(Box::new(prev)));
    }
    let (opts, saved) = options_for(store, body, explicit).await?;
    let mut imp = store
        .begin_spend_import(actor, body, file_name, &sha, bytes.len() as i64)
        .await?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<Transaction>>(4);
    let name = file_name.to_string();
    let worker = tokio::task::spawn_blocking(move || {
        let mut batch = Vec::with_capacity(BATCH);
        let mut read = 0u64;
        // A saved mapping entry this file lacks fails at the header, before any row is sent, so
        // dropping it and reading again is safe.
        let result = with_saved_fallback(&opts, &saved, |o| {
            read_transactions(&name, &bytes, o, |t| {
                batch.push(t.to_owned());
                read += 1;
                if let Some(p) = &progress
                    && read.is_multiple_of(5_000)
                {
                    p(read);
                }
                if batch.len() >= BATCH {
                    let _ =
                        tx.blocking_send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)));
                }
            })
        });
        if result.is_ok() && !batch.is_empty() {
            let _ = tx.blocking_send(batch);
        }
        result
    });
    let mut failure = None;
    while let Some(batch) = rx.recv().await {
        if let Err(e) = imp.add(&batch).await {
            failure = Some(e);
            break;
        }
    }
    drop(rx);
    // Every way out ends the import's transaction explicitly.
    let read = match worker.await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(ImportError::from(e)),
        Err(e) => Err(ImportError::Worker(e.to_string())),
    };
    let (report, dropped) = match (read, failure) {
        (Ok(v), None) => v,
        (Err(e), _) => {
            imp.abandon().await;
            return Err(e);
        }
        (Ok(_), Some(e)) => {
            imp.abandon().await;
            return Err(e.into());
        }
    };
    let mapping: Vec<(String, String)> = report
        .mapping
        .columns
        .iter()
        .map(|c| (c.field.name().to_string(), c.header.clone()))
        .collect();
    let report_json = match serde_json::to_value(&report) {
        Ok(v) => v,
        Err(e) => {
            imp.abandon().await;
            return Err(ImportError::Worker(e.to_string()));
        }
    };
    let (import_id, counts) = imp.finish(actor, &report_json, &mapping).await?;
    Ok(ImportOutcome::Imported {
        import_id,
        counts,
        report: Box::new(report),
        dropped_saved: dropped,
    })
}

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

pub async fn upload_form(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let chrome = chrome(&state, &identity, "procurement", "Upload a spending file").await?;
    let bodies = state.store.spend_bodies().await?;
    let body = bodies
        .first()
        .cloned()
        .unwrap_or_else(|| chrome.council.clone());
    render(&SpendUploadPage {
        chrome,
        body,
        bodies,
        errors: vec![],
        max_mb: state.config.max_body_bytes / 1_048_576,
    })
}

pub async fn upload(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    mut form: Multipart,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let (mut body, mut file_name, mut data) = (String::new(), String::new(), Vec::new());
    while let Some(field) = form.next_field().await.map_err(|_| AppError::TooLarge)? {
        match field.name() {
            Some("body") => body = field.text().await.unwrap_or_default().trim().to_string(),
            Some("file") => {
                file_name = field
                    .file_name()
                    .unwrap_or("upload.csv")
                    .rsplit(['/', '\\'])
                    .next()
                    .unwrap_or("upload.csv")
                    .to_string();
                data = field
                    .bytes()
                    .await
                    .map_err(|_| AppError::TooLarge)?
                    .to_vec();
            }
            _ => {}
        }
    }
    let mut errors = Vec::new();
    if body.is_empty() {
        errors.push(FieldError::new(
            "body",
            "Enter the name of the body that published the file",
        ));
    } else if body.chars().count() > 120 {
        errors.push(FieldError::new(
            "body",
            "The body's name must be 120 characters or fewer",
        ));
    }
    if data.is_empty() {
        errors.push(FieldError::new(
            "file",
            "Select a spending file (CSV, XLS or XLSX)",
        ));
    }
    if !errors.is_empty() {
        let chrome = chrome(&state, &identity, "procurement", "Upload a spending file").await?;
        let bodies = state.store.spend_bodies().await?;
        let page = SpendUploadPage {
            chrome,
            body,
            bodies,
            errors,
            max_mb: state.config.max_body_bytes / 1_048_576,
        };
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let token = auth::random_token();
    state
        .store
        .stage_spend_upload(me.id, &file_name, &body, &data, &token)
        .await?;
    Ok(Redirect::to(&format!("/procurement/upload/{token}")).into_response())
}

/// Overrides from the review form: `map_<field>` = header (empty = as detected).
fn overrides_from(form: &[(String, String)]) -> Vec<(Field, String)> {
    form.iter()
        .filter_map(|(k, v)| {
            Some((
                Field::from_name(k.strip_prefix("map_")?)?,
                v.trim().to_string(),
            ))
        })
        .filter(|(_, v)| !v.is_empty())
        .collect()
}

async fn review_page(
    state: &AppState,
    identity: &Identity,
    me: &User,
    token: &str,
    explicit: Vec<(Field, String)>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let up = state
        .store
        .spend_upload(token, me.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (opts, saved) = options_for(&state.store, &up.body_name, &explicit)
        .await
        .map_err(|e| AppError::Internal(e.into()))?;
    let name = up.file_name.clone();
    let sha = sha256_hex(&up.data);
    let data = up.data;
    let result = tokio::task::spawn_blocking(move || {
        with_saved_fallback(&opts, &saved, |o| {
            let mut first = Vec::new();
            let report = read_transactions(&name, &data, o, |t| {
                if first.len() < 10 {
                    first.push(t.to_owned());
                }
            })?;
            Ok((report, first))
        })
    })
    .await
    .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
    let chrome = chrome(
        state,
        identity,
        "procurement",
        &format!("Check {}", up.file_name),
    )
    .await?;
    let already = state
        .store
        .spend_import_of_file(&up.body_name, &sha)
        .await?;
    let page = match result {
        Ok(((report, first), dropped)) => SpendReviewPage::new(
            chrome,
            token,
            &up.body_name,
            &up.file_name,
            Some(report),
            first,
            None,
            explicit,
            dropped,
            already,
        ),
        Err(e) => SpendReviewPage::new(
            chrome,
            token,
            &up.body_name,
            &up.file_name,
            None,
            vec![],
            Some(e.to_string()),
            explicit,
            vec![],
            already,
        ),
    };
    render_status(
        if page.problem.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            status
        },
        &page,
    )
}

pub async fn review(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    review_page(&state, &identity, &me, &token, vec![], StatusCode::OK).await
}

pub async fn recheck(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(token): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    review_page(
        &state,
        &identity,
        &me,
        &token,
        overrides_from(&form),
        StatusCode::OK,
    )
    .await
}

pub async fn import(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(token): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let up = state
        .store
        .spend_upload(&token, me.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let explicit = overrides_from(&form);
    match import_bytes(
        &state.store,
        &actor(&me),
        &up.body_name,
        &up.file_name,
        Arc::new(up.data),
        &explicit,
    )
    .await
    {
        Ok(ImportOutcome::AlreadyImported(prev)) => {
            state.store.delete_spend_upload(&token).await?;
            Ok(Redirect::to(&format!("/procurement/imports/{}", prev.id)).into_response())
        }
        Ok(ImportOutcome::Imported { import_id, .. }) => {
            state.store.delete_spend_upload(&token).await?;
            Ok(Redirect::to(&format!("/procurement/imports/{import_id}")).into_response())
        }
        Err(ImportError::Spend(_)) => {
            review_page(
                &state,
                &identity,
                &me,
                &token,
                explicit,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(AppError::Internal(e.into())),
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

/// Money in pence, for templates.
pub fn pounds(p: i64) -> String {
    Money::from_pence(p).to_string()
}
