//! The JSON API under `/api/v1` (same authentication as the pages, or a bearer token) and `/healthz`.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use levers_store::audit::AuditQuery;
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;

/// `{"status":"ok","version":"…","database":"sqlite"|"postgres"}`, or 503 when the database is unreachable.
pub async fn healthz(State(state): State<AppState>) -> Response {
    let database = state.store.backend_name();
    match state.store.ping().await {
        Ok(()) => Json(json!({"status": "ok", "version": crate::VERSION, "database": database}))
            .into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "error", "version": crate::VERSION, "database": database})),
        )
            .into_response(),
    }
}

pub async fn me(CurrentUser(user): CurrentUser) -> Json<serde_json::Value> {
    Json(json!({"id": user.id, "email": user.email, "role": user.role}))
}

pub async fn users(State(state): State<AppState>) -> Response {
    match state.store.users().await {
        Ok(users) => Json(json!({ "users": users })).into_response(),
        Err(e) => AppError::from(e).json(),
    }
}

#[derive(Deserialize, Default)]
pub struct AuditParams {
    #[serde(default)]
    object_type: Option<String>,
    #[serde(default)]
    action: Option<String>,
    #[serde(default)]
    limit: Option<i64>,
    #[serde(default)]
    offset: Option<i64>,
}

pub async fn audit(State(state): State<AppState>, Query(p): Query<AuditParams>) -> Response {
    let q = AuditQuery {
        object_type: p.object_type.filter(|s| !s.is_empty()),
        action: p.action.filter(|s| !s.is_empty()),
        limit: p.limit.unwrap_or(100),
        offset: p.offset.unwrap_or(0),
    };
    match state.store.audit_entries(&q).await {
        Ok(entries) => Json(json!({ "entries": entries })).into_response(),
        Err(e) => AppError::from(e).json(),
    }
}

pub fn routes() -> axum::Router<AppState> {
    use axum::middleware::from_fn;
    use axum::routing::get;
    let anyone = axum::Router::new().route("/healthz", get(healthz));
    let viewers = axum::Router::new()
        .route("/api/v1/me", get(me))
        .route_layer(from_fn(crate::auth::require(levers_store::Role::Viewer)));
    let admins = axum::Router::new()
        .route("/api/v1/users", get(users))
        .route("/api/v1/audit", get(audit))
        .route_layer(from_fn(crate::auth::require(levers_store::Role::Admin)));
    anyone.merge(viewers).merge(admins)
}
