//! Residents check a receipt number: received, counted, or not known (rate-limited per address).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use levers_pb::codes::{self, receipt_hash};
use levers_store::pb_process::ReceiptStatus;
use serde::Deserialize;

use super::common::{
    LIMIT_WINDOW_SECONDS, MAX_CODE_FAILURES, ProcessView, SECTION, client_key, load_public,
};
use crate::error::AppError;
use crate::form::Form;
use crate::identity::{ClientAddr, Identity};
use crate::layout::{Chrome, FieldError, error_for};
use crate::page::{chrome, render, render_status};
use crate::state::AppState;

/// A receipt number as typed.
#[derive(Deserialize)]
pub struct ReceiptForm {
    #[serde(default)]
    receipt: String,
}

pub(super) fn routes() -> Router<AppState> {
    Router::new().route(
        "/community-budgets/{slug}/receipt",
        get(receipt_form).post(check_receipt),
    )
}

#[derive(Template)]
#[template(path = "pb/receipt.html")]
pub struct ReceiptPage {
    pub chrome: Chrome,
    pub p: ProcessView,
    pub receipt: String,
    pub status: Option<ReceiptStatus>,
    pub errors: Vec<FieldError>,
}

impl ReceiptPage {
    pub fn err(&self, f: &str) -> Option<&str> {
        error_for(&self.errors, f)
    }
    pub fn found(&self) -> &'static str {
        match self.status {
            Some(ReceiptStatus::Counted) => "counted",
            Some(ReceiptStatus::Received) => "received",
            Some(ReceiptStatus::Unknown) => "unknown",
            None => "",
        }
    }
}

pub async fn receipt_form(
    State(state): State<AppState>,
    identity: Identity,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let p = load_public(&state, &identity, &slug).await?;
    let chrome = chrome(&state, &identity, SECTION, "Check your vote was counted").await?;
    render(&ReceiptPage {
        chrome,
        p: ProcessView::new(&p),
        receipt: String::new(),
        status: None,
        errors: vec![],
    })
}

pub async fn check_receipt(
    State(state): State<AppState>,
    identity: Identity,
    axum::Extension(addr): axum::Extension<ClientAddr>,
    Path(slug): Path<String>,
    Form(f): Form<ReceiptForm>,
) -> Result<Response, AppError> {
    let p = load_public(&state, &identity, &slug).await?;
    let chrome = chrome(&state, &identity, SECTION, "Check your vote was counted").await?;
    let typed = f.receipt;
    let key = client_key(&addr, "receipt");
    let mut page = ReceiptPage {
        chrome,
        p: ProcessView::new(&p),
        receipt: typed.clone(),
        status: None,
        errors: vec![],
    };
    // Reserved against the address's limit before the lookup (released for a known receipt), so a
    // burst of guesses cannot pass the limit.
    let Some(reservation) = state
        .store
        .reserve_attempt(&[(key.as_str(), MAX_CODE_FAILURES)], LIMIT_WINDOW_SECONDS)
        .await?
    else {
        page.errors.push(FieldError::new("receipt", "Too many receipts have been checked from your connection. Wait 15 minutes and try again"));
        return render_status(StatusCode::TOO_MANY_REQUESTS, &page);
    };
    match codes::normalise_receipt(&typed) {
        Err(e) => {
            page.errors.push(FieldError::new(
                "receipt",
                e.to_string().replace("code", "receipt number"),
            ));
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Ok(r) => {
            let status = state
                .store
                .pb_receipt_status(p.id, &receipt_hash(p.id, &r))
                .await?;
            if status != ReceiptStatus::Unknown {
                state.store.release_attempt(reservation).await?;
            }
            page.receipt = codes::display(&r);
            page.status = Some(status);
            render(&page)
        }
    }
}
