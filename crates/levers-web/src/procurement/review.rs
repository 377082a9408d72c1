//! Supplier matches to review: names on payments close to a supplier record, linked or kept apart
//! by an officer.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::auth::Identity;
use crate::auth::actor;
use crate::auth::require_officer;
use crate::error::AppError;
use crate::layout::Chrome;
use crate::page::chrome;
use crate::page::render;
use crate::show::money;
use askama::Template;
use axum::extract::Query;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::response::Redirect;
use axum::response::Response;
use levers_app::procurement::{AnalysisParams, run};
use levers_present::procurement_report::url;
pub use levers_spend::analysis::Area;
use levers_spend::analysis::ImdChoice;
use levers_spend::analysis::SectorBasis;
use levers_spend::resolve::normalise_name;
use levers_store::StoreError;
use serde::Deserialize;

// Review queue.

#[derive(Template)]
#[template(path = "procurement/review.html")]
pub struct ReviewPage {
    pub chrome: Chrome,
    pub body: String,
    pub bodies: Vec<String>,
    pub year: String,
    pub items: Vec<levers_spend::analysis::ReviewItem>,
    pub suppliers: Vec<(i64, String)>,
    pub decisions: Vec<levers_store::procurement::StoredDecision>,
    pub can_change: bool,
    pub done: Option<String>,
}

impl ReviewPage {
    pub fn money(&self, p: &i64) -> String {
        money(*p)
    }
    pub fn score(&self, s: &f64) -> String {
        format!("{:.0}%", s * 100.0)
    }
    pub fn when(&self, t: &i64) -> String {
        crate::layout::when(t)
    }
}

#[derive(Deserialize, Default)]
pub struct ReviewQuery {
    body: Option<String>,
    year: Option<String>,
    done: Option<String>,
}

pub async fn review(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Query(q): Query<ReviewQuery>,
) -> Result<Response, AppError> {
    let store = &state.store;
    let bodies = store.spend_bodies().await?;
    let body = q
        .body
        .filter(|b| bodies.contains(b))
        .or_else(|| bodies.first().cloned())
        .unwrap_or_default();
    let years = if body.is_empty() {
        vec![]
    } else {
        store.spend_years(std::slice::from_ref(&body)).await?
    };
    let year = q
        .year
        .filter(|y| years.contains(y))
        .or_else(|| years.first().cloned())
        .unwrap_or_default();
    let mut items = Vec::new();
    if !body.is_empty() && !year.is_empty() {
        // Matching does not depend on the areas: any will do.
        let p = AnalysisParams {
            bodies: vec![body.clone()],
            year: year.clone(),
            local: Area {
                name: String::new(),
                lads: vec![],
            },
            wider: Area {
                name: String::new(),
                lads: vec![],
            },
            top_n: 1,
            baseline: None,
            imd: ImdChoice::Imd2019,
            sector: SectorBasis::ExpenseType,
            use_registers: false,
        };
        let geo = state.geo.get(store).await?;
        items = run(
            store,
            &state.payments,
            geo,
            &state.payments.bodies(store, &p).await?,
            &p,
        )
        .await?
        .0
        .review;
    }
    let suppliers = store
        .proc_suppliers(&body)
        .await?
        .into_iter()
        .map(|s| (s.id, s.record.name))
        .collect();
    let decisions = store.match_decisions(Some(&body)).await?;
    let chrome = chrome(
        &state,
        &identity,
        "procurement",
        "Supplier matches to review",
    )
    .await?;
    render(&ReviewPage {
        chrome,
        body,
        bodies,
        year,
        items,
        suppliers,
        decisions,
        can_change: me.role.allows(levers_store::Role::Officer),
        done: q.done,
    })
}

pub async fn decide(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let get = |k: &str| {
        form.iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let (body, name, year, choice) = (get("body"), get("name"), get("year"), get("choice"));
    if name.is_empty() || body.is_empty() {
        return Err(AppError::NotFound);
    }
    let supplier = match choice.as_str() {
        "none" => None,
        "other" => Some(
            get("other")
                .parse::<i64>()
                .map_err(|_| AppError::NotFound)?,
        ),
        c => Some(
            c.strip_prefix("s:")
                .and_then(|s| s.parse::<i64>().ok())
                .ok_or(AppError::NotFound)?,
        ),
    };
    match state
        .store
        .decide_match(&actor(&me), &body, &name, supplier)
        .await
    {
        Ok(_) => {}
        Err(StoreError::NotFound(_) | StoreError::Conflict(_)) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&format!(
        "/procurement/review?body={}&year={}&done={}",
        url(&body),
        url(&year),
        url(&normalise_name(&name))
    ))
    .into_response())
}
