//! Officers record the delivery of funded projects (status, spend, a note), shown on the results.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use levers_pb::count::CountResult;
use levers_store::pb_process::{DELIVERY_STATUSES, PbProcess};
use serde::Deserialize;

use super::common::{ProcessView, SECTION, load};
use crate::auth::{actor, require_officer};
use crate::error::AppError;
use crate::form::Form;
use crate::identity::{CurrentUser, Identity};
use crate::layout::{Chrome, FieldError, error_for};
use crate::page::{chrome, render_status};
use crate::show::{money_short, parse_pounds};
use crate::state::AppState;

/// One funded project's delivery.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeliveryForm {
    /// The project's id.
    project: String,
    /// A key of `DELIVERY_STATUSES`.
    status: String,
    /// Spent so far, in pounds as typed (blank: nothing).
    spent: String,
    note: String,
}

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
                money_short(cost),
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
    Form(f): Form<DeliveryForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let p = load(&state, &slug).await?;
    let id: i64 = f.project.parse().map_err(|_| AppError::NotFound)?;
    let spent = match f.spent.trim() {
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
        .set_pb_delivery(&actor(&me), p.id, id, &f.status, spent, &f.note)
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
