//! The co-production JSON API: coverage, accounts and idempotent credit transfers.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use levers_coproduction::ledger::{self, TransferKind, TransferRequest};
use levers_coproduction::{coverage, quarterly};
use levers_store::StoreError;
use serde::Deserialize;
use serde_json::json;

use super::common::today;
use crate::auth::{actor, require_officer};
use crate::error::AppError;
use crate::identity::CurrentUser;
use crate::state::AppState;
use levers_app::coverage::coverage_json;

pub async fn api_coverage(State(state): State<AppState>) -> Response {
    match state.store.coproduction_register().await {
        Ok(register) => {
            let c = coverage(&register, None);
            Json(coverage_json(&c, &quarterly(&register, today()))).into_response()
        }
        Err(e) => AppError::from(e).json(),
    }
}

// ---------------------------------------------------------------------------------------------
// JSON API

#[derive(Deserialize)]
pub struct ApiTransfer {
    key: String,
    kind: String,
    #[serde(default)]
    from: Option<i64>,
    #[serde(default)]
    to: Option<i64>,
    #[serde(default)]
    amount: Option<i64>,
    #[serde(default)]
    memo: String,
    /// For a reversal: the transfer to reverse (from, to and amount then come from it).
    #[serde(default)]
    reverses: Option<i64>,
}

fn api_error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({"error": status.canonical_reason().unwrap_or("error"), "message": message.into()}))).into_response()
}

/// `POST /api/v1/coproduction/transfers`: `{"key", "kind", "from", "to", "amount", "memo"?}` or
/// `{"key", "kind": "reversal", "reverses"}`. 201 with the transfer; 200 with `"replayed": true` when
/// the key was used for this same transfer; 409 when the rules refuse it; 422 when the request is
/// malformed.
pub async fn api_transfer(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    body: Result<Json<ApiTransfer>, axum::extract::rejection::JsonRejection>,
) -> Response {
    if require_officer(&me).is_err() {
        return AppError::Forbidden.json();
    }
    let Ok(Json(t)) = body else {
        return api_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "send JSON: {\"key\", \"kind\", \"from\", \"to\", \"amount\"} or {\"key\", \"kind\": \"reversal\", \"reverses\"}",
        );
    };
    if let Err(e) = ledger::check_key(&t.key) {
        return api_error(StatusCode::UNPROCESSABLE_ENTITY, e.to_string());
    }
    let Some(kind) = TransferKind::parse(&t.kind).filter(|k| *k != TransferKind::Sweep) else {
        return api_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "kind must be issue, spend, gift, grant, redeem or reversal",
        );
    };
    let result = if kind == TransferKind::Reversal {
        let Some(id) = t.reverses else {
            return api_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "a reversal names the transfer it reverses in \"reverses\"",
            );
        };
        state
            .store
            .reverse_credit_transfer(&actor(&me), id, &t.key, &t.memo)
            .await
    } else {
        let (Some(from), Some(to), Some(amount)) = (t.from, t.to, t.amount) else {
            return api_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "a transfer needs \"from\", \"to\" and \"amount\"",
            );
        };
        if !(1..=ledger::MAX_TRANSFER).contains(&amount) {
            return api_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "amount must be a whole number of credits from 1 to {}",
                    ledger::MAX_TRANSFER
                ),
            );
        }
        let req = TransferRequest {
            key: t.key,
            kind,
            from,
            to,
            amount,
            memo: t.memo.chars().take(200).collect(),
            reverses: None,
        };
        state.store.credit_transfer(&actor(&me), &req).await
    };
    match result {
        Ok(out) => {
            let status = if out.replayed {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            };
            (
                status,
                Json(json!({"transfer": out.transfer, "replayed": out.replayed})),
            )
                .into_response()
        }
        Err(StoreError::Conflict(m)) => api_error(StatusCode::CONFLICT, m),
        Err(StoreError::NotFound(m)) => {
            api_error(StatusCode::NOT_FOUND, format!("{m} was not found"))
        }
        Err(e) => AppError::from(e).json(),
    }
}

/// `GET /api/v1/coproduction/accounts`: every account with its balance.
pub async fn api_accounts(State(state): State<AppState>, CurrentUser(me): CurrentUser) -> Response {
    if require_officer(&me).is_err() {
        return AppError::Forbidden.json();
    }
    match state.store.credit_accounts().await {
        Ok(a) => Json(json!({"accounts": a})).into_response(),
        Err(e) => AppError::from(e).json(),
    }
}
