//! Officers record the delivery of funded projects (status, spend, a note), shown on the results.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Form, Router};
use levers_pb::count::CountResult;
use levers_store::pb_process::{DELIVERY_STATUSES, PbProcess};

use super::common::{FormData, ProcessView, SECTION, field, load, parse_pounds, pounds};
use crate::AppState;
use crate::auth::{CurrentUser, Identity, actor, require_officer};
use crate::error::AppError;
use crate::pages::{chrome, render_status};
use crate::templates::{Chrome, FieldError, error_for};

pub(super) fn routes() -> Router<AppState> {
    Router::new().route(
        "/community-budgets/{slug}/delivery",
        get(delivery_page).post(save_delivery),
    )
}

#[derive(Template)]
#[template(path = "pb/delivery.html")]
pub struct DeliveryPage {
    pub chrome: Chrome,
    pub p: ProcessView,
    /// (id, name, cost, status, spent, note)
    pub rows: Vec<(i64, String, String, String, String, String)>,
    pub statuses: [(&'static str, &'static str); 4],
    pub errors: Vec<FieldError>,
    pub notice: Option<String>,
}

impl DeliveryPage {
    pub fn err(&self, f: &str) -> Option<&str> {
        error_for(&self.errors, f)
    }
}

async fn delivery_view(
    state: &AppState,
    identity: &Identity,
    p: &PbProcess,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let result = state.store.pb_result(p.id).await?;
    let funded: Vec<(i64, String, i64)> = match result
        .as_ref()
        .and_then(|r| serde_json::from_value::<CountResult>(r.result.clone()).ok())
    {
        Some(r) => r
            .projects
            .into_iter()
            .filter(|x| x.funded)
            .map(|x| (x.id, x.name, x.cost_pence))
            .collect(),
        None => vec![],
    };
    let delivery = state.store.pb_delivery(p.id).await?;
    let rows = funded
        .into_iter()
        .map(|(id, name, cost)| {
            let d = delivery.iter().find(|d| d.proposal_id == id);
            (
                id,
                name,
                pounds(cost),
                d.map_or("not_started".to_string(), |d| d.status.clone()),
                d.map_or(String::new(), |d| {
                    levers_core::Money::from_pence(d.spent_pence).to_plain()
                }),
                d.map_or(String::new(), |d| d.note.clone()),
            )
        })
        .collect();
    let chrome = chrome(
        state,
        identity,
        SECTION,
        &format!("Delivery: {}", p.def.name),
    )
    .await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(
        status,
        &DeliveryPage {
            chrome,
            p: ProcessView::new(p),
            rows,
            statuses: DELIVERY_STATUSES,
            errors,
            notice,
        },
    )
}

pub async fn delivery_page(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let p = load(&state, &slug).await?;
    delivery_view(&state, &identity, &p, vec![], None).await
}

pub async fn save_delivery(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(slug): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let p = load(&state, &slug).await?;
    let id: i64 = field(&f, "project")
        .parse()
        .map_err(|_| AppError::NotFound)?;
    let spent = match field(&f, "spent").trim() {
        "" => Some(0),
        s => parse_pounds(s).filter(|v| *v >= 0),
    };
    let Some(spent) = spent else {
        return delivery_view(
            &state,
            &identity,
            &p,
            vec![FieldError::new(
                "delivery",
                format!("Enter the spend on project {id} in pounds"),
            )],
            None,
        )
        .await;
    };
    match state
        .store
        .set_pb_delivery(
            &actor(&me),
            p.id,
            id,
            field(&f, "status"),
            spent,
            field(&f, "note"),
        )
        .await
    {
        Ok(()) => {
            delivery_view(
                &state,
                &identity,
                &p,
                vec![],
                Some(format!("Project {id} updated")),
            )
            .await
        }
        Err(levers_store::StoreError::Conflict(m)) => {
            delivery_view(
                &state,
                &identity,
                &p,
                vec![FieldError::new("delivery", m)],
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
