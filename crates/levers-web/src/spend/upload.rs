//! Uploading a spending file: the form, what levers found (check report and first rows), correcting
//! the columns, and the import.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::auth::Identity;
use crate::auth::actor;
use crate::auth::require_officer;
use crate::error::AppError;
use crate::layout::Chrome;
use crate::layout::FieldError;
use crate::page::chrome;
use crate::page::render;
use crate::page::render_status;
use askama::Template;
use axum::extract::Multipart;
use axum::extract::Path;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Redirect;
use axum::response::Response;
use levers_app::credentials;
pub use levers_app::spend_import::*;
use levers_spend::Field;
use levers_spend::read_transactions;
use levers_store::User;
use std::sync::Arc;

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
    form: Multipart,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let up = crate::upload::read(form, "upload.csv", state.config.max_body_bytes).await?;
    let body = up.field("body").to_string();
    let (file_name, data) = (up.file_name, up.bytes);
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
    let token = credentials::random_token();
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

/// Starts the import as a background job and answers at once with the job's page, which shows its
/// progress and then the import's own page. A file the reader refuses ends the job with the
/// reader's reason; the staged upload stays, so the review page can correct the columns.
pub async fn import(
    State(state): State<AppState>,
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
    // Rows are about the file's lines (a spreadsheet's total is not known until it is read).
    let text = !matches!(
        up.file_name
            .rsplit('.')
            .next()
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("xlsx" | "xls" | "ods" | "zip")
    );
    let total = text.then(|| up.data.iter().filter(|b| **b == b'\n').count() as i64);
    let store = state.store.clone();
    let who = actor(&me);
    let (body, file_name) = (up.body_name, up.file_name);
    let label = file_name.clone();
    let data = Arc::new(up.data);
    let review = format!("/procurement/upload/{token}");
    let job = levers_app::jobs::spawn(
        &state.store,
        levers_app::jobs::NewJob {
            kind: "spend",
            label: &label,
            owner_id: Some(me.id),
            unit: "rows",
            total,
        },
        move |progress| async move {
            let outcome = import_bytes_with_progress(
                &store,
                &who,
                &body,
                &file_name,
                data,
                &explicit,
                Some(progress.callback()),
            )
            .await;
            let url = match outcome {
                Ok(ImportOutcome::AlreadyImported(prev)) => {
                    format!("/procurement/imports/{}", prev.id)
                }
                Ok(ImportOutcome::Imported { import_id, .. }) => {
                    format!("/procurement/imports/{import_id}")
                }
                Err(ImportError::Spend(e)) => {
                    return Err(format!(
                        "{e}. Correct the columns on the review page ({review}) and import again."
                    ));
                }
                Err(e) => return Err(format!("The import failed: {e}")),
            };
            let _ = store.delete_spend_upload(&token).await;
            Ok(url)
        },
    )
    .await?;
    Ok(Redirect::to(&format!("/jobs/{job}")).into_response())
}

#[derive(Template)]
#[template(path = "spend/upload.html")]
pub struct SpendUploadPage {
    pub chrome: Chrome,
    pub body: String,
    pub bodies: Vec<String>,
    pub errors: Vec<FieldError>,
    pub max_mb: usize,
}

/// One field's row in the mapping form.
pub struct MappingRow {
    pub field: &'static str,
    pub label: String,
    /// The header the file's column for this field has now ("" when none).
    pub current: String,
    /// How it was chosen: override, synonym, guess, or "".
    pub how: &'static str,
    pub required: bool,
}

/// A first row of the file as levers reads it.
pub struct PreviewRow {
    pub line: u64,
    pub date: String,
    pub supplier: String,
    pub amount: String,
    pub expense_area: String,
    pub expense_type: String,
    pub reference: String,
}

#[derive(Template)]
#[template(path = "spend/review.html")]
pub struct SpendReviewPage {
    pub chrome: Chrome,
    pub token: String,
    pub body: String,
    pub file: String,
    pub report: Option<levers_spend::CheckReport>,
    pub rows: Vec<MappingRow>,
    pub headers: Vec<String>,
    pub preview: Vec<PreviewRow>,
    pub problem: Option<String>,
    pub dropped: Vec<String>,
    pub already: Option<levers_store::spend::SpendImport>,
    pub errors: Vec<FieldError>,
}

impl SpendReviewPage {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        chrome: Chrome,
        token: &str,
        body: &str,
        file: &str,
        report: Option<levers_spend::CheckReport>,
        first: Vec<levers_spend::Transaction>,
        problem: Option<String>,
        explicit: Vec<(levers_spend::Field, String)>,
        dropped: Vec<String>,
        already: Option<levers_store::spend::SpendImport>,
    ) -> SpendReviewPage {
        use levers_spend::Field;
        let mut headers: Vec<String> = Vec::new();
        let mut rows = Vec::new();
        for f in Field::ALL {
            let mapped = report
                .as_ref()
                .and_then(|r| r.mapping.columns.iter().find(|c| c.field == f));
            let current = mapped
                .map(|c| c.header.clone())
                .or_else(|| {
                    explicit
                        .iter()
                        .find(|(e, _)| *e == f)
                        .map(|(_, h)| h.clone())
                })
                .unwrap_or_default();
            rows.push(MappingRow {
                field: f.name(),
                label: {
                    let n = f.name().replace('_', " ");
                    let mut c = n.chars();
                    c.next().map_or_else(String::new, |x| {
                        x.to_uppercase().collect::<String>() + c.as_str()
                    })
                },
                current,
                how: mapped.map_or("", |c| c.how),
                required: matches!(f, Field::Date | Field::Amount | Field::SupplierName),
            });
        }
        if let Some(r) = &report {
            let mut cols: Vec<(usize, String)> = r
                .mapping
                .columns
                .iter()
                .map(|c| (c.column, c.header.clone()))
                .collect();
            cols.sort();
            headers.extend(cols.into_iter().map(|(_, h)| h));
            headers.extend(r.mapping.unmapped.iter().cloned());
        }
        let preview = first
            .iter()
            .map(|t| PreviewRow {
                line: t.line,
                date: t.date.map_or_else(
                    || "—".to_string(),
                    |d| format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year()),
                ),
                supplier: t.supplier_name.clone(),
                amount: t.amount.to_string(),
                expense_area: t.expense_area.clone().unwrap_or_default(),
                expense_type: t.expense_type.clone().unwrap_or_default(),
                reference: t
                    .transaction_number
                    .clone()
                    .or_else(|| t.invoice_number.clone())
                    .unwrap_or_default(),
            })
            .collect();
        let errors = problem
            .iter()
            .map(|p| FieldError::new("map_amount", p.clone()))
            .collect();
        SpendReviewPage {
            chrome,
            token: token.to_string(),
            body: body.to_string(),
            file: file.to_string(),
            report,
            rows,
            headers,
            preview,
            problem,
            dropped,
            already,
            errors,
        }
    }

    pub fn date(&self, d: &Option<time::Date>) -> String {
        d.map_or_else(
            || "—".to_string(),
            |d| format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year()),
        )
    }
}

crate::layout::field_errors!(SpendUploadPage);
crate::layout::timestamps!(SpendReviewPage);
