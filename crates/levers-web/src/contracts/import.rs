//! Contract imports on the web: officers upload the council's contract register (CSV or XLSX) or
//! OCDS notices (release or record packages, JSON Lines); the import runs as a background job
//! (progress in bytes read), and its page gives the reconciliation (every record accounted for)
//! and the records refused, naming line and field. The import is one transaction and audited by
//! the store; the work is levers-app's `contracts::import_uploaded`.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use levers_store::contracts::ContractImportRow;

use crate::auth::{actor, require_officer};
use crate::error::AppError;
use crate::identity::{CurrentUser, Identity};
use crate::layout::{Chrome, FieldError, field_errors, timestamps};
use crate::page::{chrome, render, render_status};
use crate::state::AppState;
use crate::upload::CONTRACT_FILE_BYTES;

#[derive(Template)]
#[template(path = "contracts/import.html")]
pub struct ImportPage {
    pub chrome: Chrome,
    pub body: String,
    pub imports: Vec<ContractImportRow>,
    pub can_change: bool,
    pub errors: Vec<FieldError>,
    pub max_mb: usize,
}
field_errors!(ImportPage);
timestamps!(ImportPage, ImportResultPage);

/// One record refused.
pub struct Refused {
    pub line: u64,
    pub what: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "contracts/import_result.html")]
pub struct ImportResultPage {
    pub chrome: Chrome,
    pub import: ContractImportRow,
    pub balanced: bool,
    pub refused: Vec<Refused>,
    /// Refusals counted but not kept in the report (only the first thousand are).
    pub more_refused: i64,
    pub oddities: Vec<String>,
}

async fn page(
    state: &AppState,
    identity: &Identity,
    me: &levers_store::User,
    body: String,
    errors: Vec<FieldError>,
) -> Result<ImportPage, AppError> {
    Ok(ImportPage {
        chrome: chrome(state, identity, "procurement", "Import contracts").await?,
        body,
        imports: state.store.contract_imports().await?,
        can_change: require_officer(me).is_ok(),
        errors,
        max_mb: CONTRACT_FILE_BYTES / 1_048_576,
    })
}

pub async fn import_page(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
) -> Result<Response, AppError> {
    render(&page(&state, &identity, &me, String::new(), vec![]).await?)
}

/// Starts the import as a background job and answers with the job's page. The file is streamed to
/// a temporary file (removed with the job), so a notice file of any size within the limit is read
/// in bounded memory.
pub async fn upload(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    form: Multipart,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let up = crate::upload::read_to_file(form, "contracts.json", CONTRACT_FILE_BYTES).await?;
    let body = up.field("body").to_string();
    let mut errors = Vec::new();
    if body.chars().count() > 120 {
        errors.push(FieldError::new(
            "body",
            "Enter the council's name in 120 characters or fewer",
        ));
    }
    let ext = up
        .file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if up.len == 0 {
        errors.push(FieldError::new(
            "file",
            "Select the contract register (CSV or XLSX) or the OCDS notices (JSON or JSON Lines)",
        ));
    } else if !matches!(
        ext.as_str(),
        "csv" | "txt" | "xlsx" | "json" | "jsonl" | "ndjson"
    ) {
        errors.push(FieldError::new(
            "file",
            "The file must be a contract register (.csv or .xlsx) or OCDS notices (.json, .jsonl)",
        ));
    }
    if !errors.is_empty() {
        let p = page(&state, &identity, &me, body, errors).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &p);
    }
    let (store, who, name) = (state.store.clone(), actor(&me), up.file_name.clone());
    let job = levers_app::jobs::spawn(
        &state.store,
        levers_app::jobs::NewJob {
            kind: "contracts",
            label: &up.file_name,
            owner_id: Some(me.id),
            unit: "bytes",
            total: i64::try_from(up.len).ok(),
        },
        move |progress| async move {
            // The temporary file lives as long as the job and is removed with it.
            let temp = up.file;
            let set = progress.callback();
            let out = levers_app::contracts::import_named_file(
                &store,
                &who,
                &temp.path,
                &name,
                &body,
                &|n| set(n),
            )
            .await
            .map_err(|e| format!("{e}. Correct the file and upload it again."))?;
            Ok(format!("/procurement/contracts/imports/{}", out.import.id))
        },
    )
    .await?;
    Ok(Redirect::to(&format!("/jobs/{job}")).into_response())
}

/// The records refused, from the reader's report (OCDS `rejections`; a register's `rejected`).
fn refused(report: &serde_json::Value) -> Vec<Refused> {
    let list = report
        .get("rejections")
        .or_else(|| report.get("rejected"))
        .and_then(|v| v.as_array());
    let text =
        |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    list.into_iter()
        .flatten()
        .map(|r| {
            let mut what: Vec<String> = Vec::new();
            if let Some(o) = text(r, "ocid") {
                what.push(format!("ocid {o}"));
            }
            if let Some(id) = text(r, "release") {
                what.push(format!("release {id}"));
            }
            if let Some(f) = text(r, "field") {
                what.push(format!("field {f}"));
            }
            Refused {
                line: r
                    .get("line")
                    .and_then(serde_json::Value::as_u64)
                    .unwrap_or(0),
                what: what.join(", "),
                reason: text(r, "reason").unwrap_or_default(),
            }
        })
        .collect()
}

pub async fn import_result(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (import, report) = state
        .store
        .contract_import(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let refused = refused(&report);
    let more_refused = (import.rejected - refused.len() as i64).max(0);
    let i = &import;
    let balanced = i.records_read == i.new + i.updated + i.older + i.duplicates + i.rejected;
    let oddities = report
        .get("oddities")
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let title = format!("{} imported", import.file_name);
    render(&ImportResultPage {
        chrome: chrome(&state, &identity, "procurement", &title).await?,
        import,
        balanced,
        refused,
        more_refused,
        oddities,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_read_from_either_report() {
        let ocds = serde_json::json!({"rejections": [{"line": 3, "ocid": "ocds-1", "field": "tender", "reason": "bad"}]});
        let r = refused(&ocds);
        assert_eq!(
            (r[0].line, r[0].what.as_str()),
            (3, "ocid ocds-1, field tender")
        );
        let reg = serde_json::json!({"rejected": [{"line": 7, "field": "value", "reason": "not an amount"}]});
        assert_eq!(refused(&reg)[0].reason, "not an amount");
        assert!(refused(&serde_json::json!({})).is_empty());
    }
}
