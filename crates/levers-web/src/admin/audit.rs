//! Admin: the audit log, filtered and paged.

use crate::AppState;
use crate::auth::Identity;
use crate::error::AppError;
use crate::layout::Chrome;
use crate::page::chrome;
use crate::page::render;
use askama::Template;
use axum::extract::Query;
use axum::extract::State;
use axum::response::Response;
use levers_store::AuditEntry;
use levers_store::audit::AuditQuery;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct AuditParams {
    #[serde(default)]
    page: Option<i64>,
    #[serde(default)]
    object_type: String,
}

const AUDIT_PAGE_SIZE: i64 = 50;

pub async fn audit(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<AuditParams>,
) -> Result<Response, AppError> {
    let object_type = p.object_type.trim().to_string();
    let mut q = AuditQuery {
        object_type: (!object_type.is_empty()).then(|| object_type.clone()),
        action: None,
        limit: AUDIT_PAGE_SIZE,
        offset: 0,
    };
    let total = state.store.audit_count(&q).await?;
    let pages = ((total + AUDIT_PAGE_SIZE - 1) / AUDIT_PAGE_SIZE).max(1);
    let page = p.page.unwrap_or(1).clamp(1, pages);
    q.offset = (page - 1) * AUDIT_PAGE_SIZE;
    let entries = state.store.audit_entries(&q).await?;
    let chrome = chrome(&state, &identity, "admin", "Audit log").await?;
    render(&AuditPage {
        chrome,
        entries,
        page,
        pages,
        total,
        object_type,
    })
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
pub struct AuditPage {
    pub chrome: Chrome,
    pub entries: Vec<AuditEntry>,
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    pub object_type: String,
}

impl AuditPage {
    /// A JSON value compactly, or a dash when absent.
    pub fn json(&self, v: &Option<serde_json::Value>) -> String {
        v.as_ref()
            .map_or_else(|| "–".to_string(), |v| v.to_string())
    }

    /// The kinds of object the filter offers.
    pub fn object_types(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("user", "accounts"),
            ("api_token", "API tokens"),
            ("setting", "settings"),
            ("auth", "sign-in lock-outs"),
        ]
    }
}

crate::layout::timestamps!(AuditPage);
