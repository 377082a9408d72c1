//! The list of appraisals with their headline figures, starting a new one, and deleting one.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use levers_appraisal::{Appraisal, Results, Schedule};
use levers_core::FinancialYear;
use levers_store::{Role, StoreError, User};
use serde::Deserialize;

use super::common::{Library, SECTION, count, ratio};
use crate::auth::{actor, require_officer};
use crate::error::AppError;
use crate::form::Form;
use crate::identity::{CurrentUser, Identity};
use crate::layout::{Chrome, FieldError, capitalise, error_for};
use crate::page::{chrome, render, render_status};
use crate::show;
use crate::state::AppState;

pub struct ListRow {
    pub id: i64,
    pub name: String,
    pub updated: String,
    pub result: Result<Results, String>,
}

#[derive(Template)]
#[template(path = "appraisal/list.html")]
pub struct ListPage {
    pub chrome: Chrome,
    pub rows: Vec<ListRow>,
    pub can_change: bool,
    pub errors: Vec<FieldError>,
    pub name: String,
    pub price_base: String,
    pub library_costs: usize,
}

impl ListPage {
    pub fn err(&self, f: &str) -> Option<&str> {
        error_for(&self.errors, f)
    }
    pub fn ratio(&self, x: &Option<f64>) -> String {
        ratio(*x)
    }
    pub fn count(&self, x: &f64) -> String {
        count(*x)
    }
    pub fn cpo(&self, x: &Option<f64>) -> String {
        x.map_or("n/a".into(), show::estimate)
    }
}

async fn list_page(
    state: &AppState,
    identity: &Identity,
    me: &User,
    errors: Vec<FieldError>,
    name: String,
    price_base: String,
) -> Result<ListPage, AppError> {
    let library = Library::load(state).await?;
    let mut rows = Vec::new();
    for a in state.store.appraisals().await? {
        let result = library.compute(&a.model);
        rows.push(ListRow {
            id: a.id,
            name: a.model.name.clone(),
            updated: crate::layout::when(&a.updated_at),
            result,
        });
    }
    Ok(ListPage {
        chrome: chrome(state, identity, SECTION, "Appraisals").await?,
        rows,
        can_change: me.role.allows(Role::Officer),
        errors,
        name,
        price_base,
        library_costs: library.costs.len(),
    })
}

/// The price base offered for a new appraisal: the last year the deflator table covers.
async fn default_price_base(state: &AppState) -> Result<String, AppError> {
    Ok(state
        .store
        .deflators()
        .await?
        .years()
        .last()
        .map(|y| y.to_string())
        .unwrap_or_else(|| "2019/20".into()))
}

pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
) -> Result<Response, AppError> {
    let base = default_price_base(&state).await?;
    render(&list_page(&state, &identity, &me, Vec::new(), String::new(), base).await?)
}

#[derive(Deserialize)]
pub struct NewForm {
    name: String,
    price_base: String,
}

pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Form(f): Form<NewForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let mut errors = Vec::new();
    if f.name.trim().is_empty() {
        errors.push(FieldError::new("name", "Enter a name for the intervention"));
    }
    let base: Option<FinancialYear> = match f.price_base.trim().parse() {
        Ok(y) => Some(y),
        Err(e) => {
            errors.push(FieldError::new("price_base", format!("Price base: {e}")));
            None
        }
    };
    if let (true, Some(price_base)) = (errors.is_empty(), base) {
        let model = Appraisal {
            name: f.name.trim().to_owned(),
            description: String::new(),
            price_base,
            first_year: None,
            years: None,
            discount: Schedule::Standard,
            optimism_bias: None,
            costs: Vec::new(),
            outcomes: Vec::new(),
        };
        match state.store.save_appraisal(&actor(&me), None, &model).await {
            Ok(id) => {
                return Ok(Redirect::to(&format!("/appraisals/{id}/edit")).into_response());
            }
            Err(StoreError::Conflict(m)) => errors.push(FieldError::new("name", capitalise(&m))),
            Err(e) => return Err(e.into()),
        }
    }
    let page = list_page(&state, &identity, &me, errors, f.name, f.price_base).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

pub async fn delete(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    state.store.delete_appraisal(&actor(&me), id).await?;
    Ok(Redirect::to("/appraisals").into_response())
}
