//! The officers' forms for a strategy (name, summary, years, publication) and its objectives
//! (reference, title, description, owner, the levers it relies on), and deleting an objective.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use levers_strategy::{Lever, Objective, Strategy};
use serde::Deserialize;

use super::common::{SECTION, parse_year, store_field_error};
use crate::auth::{actor, require_officer};
use crate::error::AppError;
use crate::form::Form;
use crate::identity::{CurrentUser, Identity};
use crate::layout::{Chrome, FieldError, error_for};
use crate::page::{chrome, render_status};
use crate::state::AppState;

// ---------------------------------------------------------------------------------------------
// The strategy

#[derive(Deserialize, Default)]
pub struct StrategyForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    first_year: String,
    #[serde(default)]
    last_year: String,
}

impl StrategyForm {
    fn from(s: &Strategy) -> StrategyForm {
        StrategyForm {
            name: s.name.clone(),
            summary: s.summary.clone(),
            first_year: s.first_year.to_string(),
            last_year: s.last_year.to_string(),
        }
    }

    fn parse(&self, id: i64) -> Result<Strategy, Vec<FieldError>> {
        let mut errors = Vec::new();
        let first = parse_year(&self.first_year);
        if first.is_none() {
            errors.push(FieldError::new(
                "first_year",
                "Enter the first financial year, for example 2024/25",
            ));
        }
        let last = parse_year(&self.last_year);
        if last.is_none() {
            errors.push(FieldError::new(
                "last_year",
                "Enter the last financial year, for example 2027/28",
            ));
        }
        let (Some(first_year), Some(last_year)) = (first, last) else {
            return Err(errors);
        };
        let s = Strategy {
            id,
            name: self.name.trim().to_string(),
            summary: self.summary.trim().to_string(),
            first_year,
            last_year,
            // Publishing is an admin's separate, audited choice (`/strategy/{id}/publish`).
            published: false,
            objectives: vec![],
        };
        errors.extend(s.problems().into_iter().map(|(f, m)| FieldError::new(f, m)));
        if errors.is_empty() {
            Ok(s)
        } else {
            Err(errors)
        }
    }
}

#[derive(Template)]
#[template(path = "strategy/strategy_form.html")]
pub struct StrategyFormPage {
    pub chrome: Chrome,
    pub id: Option<i64>,
    pub form: StrategyForm,
    pub errors: Vec<FieldError>,
}

impl StrategyFormPage {
    pub fn err(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
    pub fn action(&self) -> String {
        self.id
            .map_or_else(|| "/strategy".to_string(), |id| format!("/strategy/{id}"))
    }
}

async fn strategy_form(
    state: &AppState,
    identity: &Identity,
    id: Option<i64>,
    form: StrategyForm,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let title = if id.is_some() {
        "Change the strategy"
    } else {
        "Add a strategy"
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let chrome = chrome(state, identity, SECTION, title).await?;
    render_status(
        status,
        &StrategyFormPage {
            chrome,
            id,
            form,
            errors,
        },
    )
}

pub async fn new_strategy(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let y = levers_core::FinancialYear::of(levers_app::strategy::today());
    let form = StrategyForm {
        first_year: y.to_string(),
        last_year: levers_core::FinancialYear::starting(y.start() + 3)
            .unwrap_or(y)
            .to_string(),
        ..StrategyForm::default()
    };
    strategy_form(&state, &identity, None, form, vec![]).await
}

pub async fn create_strategy(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Form(form): Form<StrategyForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let errors = match form.parse(0) {
        Ok(s) => match state.store.create_strategy(&actor(&me), &s).await {
            Ok(id) => {
                return Ok(Redirect::to(&format!("/strategy/{id}?saved=strategy")).into_response());
            }
            Err(e) => vec![store_field_error(e, "name", &["name", "last_year"])?],
        },
        Err(e) => e,
    };
    strategy_form(&state, &identity, None, form, errors).await
}

pub async fn edit_strategy(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(sid): Path<i64>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let s = state.store.strategy(sid).await?.ok_or(AppError::NotFound)?;
    strategy_form(&state, &identity, Some(sid), StrategyForm::from(&s), vec![]).await
}

pub async fn update_strategy(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(sid): Path<i64>,
    Form(form): Form<StrategyForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let before = state.store.strategy(sid).await?.ok_or(AppError::NotFound)?;
    let errors = match form.parse(sid) {
        Ok(s) => match state
            .store
            .update_strategy(
                &actor(&me),
                &Strategy {
                    published: before.published,
                    ..s
                },
            )
            .await
        {
            Ok(()) => {
                return Ok(Redirect::to(&format!("/strategy/{sid}?saved=strategy")).into_response());
            }
            Err(e) => vec![store_field_error(e, "name", &["name", "last_year"])?],
        },
        Err(e) => e,
    };
    strategy_form(&state, &identity, Some(sid), form, errors).await
}

// ---------------------------------------------------------------------------------------------
// Objectives

#[derive(Deserialize, Default)]
pub struct ObjectiveForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    levers: Vec<String>,
}

impl ObjectiveForm {
    fn from(o: &Objective) -> ObjectiveForm {
        ObjectiveForm {
            code: o.code.clone(),
            title: o.title.clone(),
            description: o.description.clone(),
            owner: o.owner.clone(),
            levers: o.levers.iter().map(|l| l.key().to_string()).collect(),
        }
    }

    fn parse(&self, id: i64) -> Result<Objective, Vec<FieldError>> {
        let o = Objective {
            id,
            code: self.code.trim().to_string(),
            title: self.title.trim().to_string(),
            description: self.description.trim().to_string(),
            owner: self.owner.trim().to_string(),
            levers: Lever::ALL
                .into_iter()
                .filter(|l| self.levers.iter().any(|k| k == l.key()))
                .collect(),
            measures: vec![],
        };
        let errors: Vec<FieldError> = o
            .problems()
            .into_iter()
            .map(|(f, m)| FieldError::new(f, m))
            .collect();
        if errors.is_empty() {
            Ok(o)
        } else {
            Err(errors)
        }
    }
}

#[derive(Template)]
#[template(path = "strategy/objective_form.html")]
pub struct ObjectiveFormPage {
    pub chrome: Chrome,
    pub sid: i64,
    pub id: Option<i64>,
    pub form: ObjectiveForm,
    pub errors: Vec<FieldError>,
}

impl ObjectiveFormPage {
    pub fn err(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
    pub fn action(&self) -> String {
        match self.id {
            Some(id) => format!("/strategy/{}/objectives/{id}", self.sid),
            None => format!("/strategy/{}/objectives", self.sid),
        }
    }
    pub fn levers(&self) -> [Lever; 3] {
        Lever::ALL
    }
    pub fn chosen(&self, l: &Lever) -> bool {
        self.form.levers.iter().any(|k| k == l.key())
    }
}

async fn objective_form(
    state: &AppState,
    identity: &Identity,
    sid: i64,
    id: Option<i64>,
    form: ObjectiveForm,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let title = if id.is_some() {
        "Change an objective"
    } else {
        "Add an objective"
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let chrome = chrome(state, identity, SECTION, title).await?;
    render_status(
        status,
        &ObjectiveFormPage {
            chrome,
            sid,
            id,
            form,
            errors,
        },
    )
}

/// The objective, checked to belong to the strategy in the address.
async fn objective_of(state: &AppState, sid: i64, oid: i64) -> Result<Objective, AppError> {
    if state.store.objective_strategy(oid).await? != Some(sid) {
        return Err(AppError::NotFound);
    }
    let s = state.store.strategy(sid).await?.ok_or(AppError::NotFound)?;
    s.objectives
        .into_iter()
        .find(|o| o.id == oid)
        .ok_or(AppError::NotFound)
}

pub async fn new_objective(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(sid): Path<i64>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let s = state.store.strategy(sid).await?.ok_or(AppError::NotFound)?;
    let form = ObjectiveForm {
        code: format!("O{}", s.objectives.len() + 1),
        ..ObjectiveForm::default()
    };
    objective_form(&state, &identity, sid, None, form, vec![]).await
}

pub async fn create_objective(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(sid): Path<i64>,
    Form(form): Form<ObjectiveForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    state.store.strategy(sid).await?.ok_or(AppError::NotFound)?;
    let errors = match form.parse(0) {
        Ok(o) => match state.store.create_objective(&actor(&me), sid, &o).await {
            Ok(oid) => {
                return Ok(Redirect::to(&format!(
                    "/strategy/{sid}/objectives/{oid}?saved=objective"
                ))
                .into_response());
            }
            Err(e) => vec![store_field_error(e, "title", &["code", "title", "owner"])?],
        },
        Err(e) => e,
    };
    objective_form(&state, &identity, sid, None, form, errors).await
}

pub async fn edit_objective(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path((sid, oid)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let o = objective_of(&state, sid, oid).await?;
    objective_form(
        &state,
        &identity,
        sid,
        Some(oid),
        ObjectiveForm::from(&o),
        vec![],
    )
    .await
}

pub async fn update_objective(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path((sid, oid)): Path<(i64, i64)>,
    Form(form): Form<ObjectiveForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    objective_of(&state, sid, oid).await?;
    let errors = match form.parse(oid) {
        Ok(o) => match state.store.update_objective(&actor(&me), &o).await {
            Ok(()) => {
                return Ok(Redirect::to(&format!(
                    "/strategy/{sid}/objectives/{oid}?saved=objective"
                ))
                .into_response());
            }
            Err(e) => vec![store_field_error(e, "title", &["code", "title", "owner"])?],
        },
        Err(e) => e,
    };
    objective_form(&state, &identity, sid, Some(oid), form, errors).await
}

/// The delete button's form carries only the CSRF token.
#[derive(Deserialize)]
pub struct Empty {}

pub async fn delete_objective(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path((sid, oid)): Path<(i64, i64)>,
    Form(_): Form<Empty>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    objective_of(&state, sid, oid).await?;
    state.store.delete_objective(&actor(&me), oid).await?;
    Ok(Redirect::to(&format!("/strategy/{sid}?saved=deleted")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_objective_form_reads_its_levers_and_refuses_a_blank_title() {
        let f: ObjectiveForm = crate::form::parse(
            b"csrf_token=x&code=O1&title=Fewer+children+in+poverty&owner=Cabinet&levers=coproduction&levers=procurement",
        )
        .unwrap();
        let o = f.parse(0).unwrap_or_else(|e| panic!("{}", e[0].message));
        assert_eq!(o.levers, vec![Lever::Procurement, Lever::Coproduction]);
        let f: ObjectiveForm = crate::form::parse(b"csrf_token=x&code=O1&title=").unwrap();
        assert_eq!(f.parse(0).unwrap_err()[0].field, "title");
    }

    #[test]
    fn a_strategy_form_needs_years() {
        let f: StrategyForm =
            crate::form::parse(b"csrf_token=x&name=S&first_year=2024%2F25&last_year=soon").unwrap();
        assert_eq!(f.parse(0).unwrap_err()[0].field, "last_year");
        let f: StrategyForm = crate::form::parse(
            b"csrf_token=x&name=S&first_year=2024&last_year=2027%2F28&published=yes",
        )
        .unwrap();
        let s = f.parse(0).unwrap_or_else(|e| panic!("{}", e[0].message));
        assert!(!s.published, "publishing is the admin's separate choice");
        assert_eq!(s.years().len(), 4);
    }
}
