//! The officers' form for recording an official figure as published (year, value, period, when it
//! was published and when the next release is due) against an official-statistic measure.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use levers_coproduction::register::parse_date;
use levers_strategy::{Observation, Source};
use serde::Deserialize;

use super::context;
use crate::auth::{actor, require_officer};
use crate::error::AppError;
use crate::form::Form;
use crate::identity::{CurrentUser, Identity};
use crate::layout::{Chrome, FieldError, error_for};
use crate::page::{chrome, render_status};
use crate::state::AppState;
use crate::strategy::common::{SECTION, parse_number, parse_year, store_field_error};

#[derive(Deserialize, Default)]
pub struct ValueForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    published: String,
    #[serde(default)]
    next_release: String,
}

impl ValueForm {
    fn parse(&self, source: &str) -> Result<Observation, Vec<FieldError>> {
        let mut errors = Vec::new();
        let year = parse_year(&self.year);
        if year.is_none() {
            errors.push(FieldError::new(
                "year",
                "Enter the financial year the figure is for, for example 2024/25",
            ));
        }
        let value = parse_number(&self.value);
        if value.is_none() {
            errors.push(FieldError::new(
                "value",
                "Enter the figure as a number, for example 25.6",
            ));
        }
        let date = |s: &str, field: &'static str, errors: &mut Vec<FieldError>| match s.trim() {
            "" => None,
            t => {
                let d = parse_date(t);
                if d.is_none() {
                    errors.push(FieldError::new(
                        field,
                        "Enter a date such as 2026-03-26, or leave it blank",
                    ));
                }
                d
            }
        };
        let published = date(&self.published, "published", &mut errors);
        let next_release = date(&self.next_release, "next_release", &mut errors);
        match (year, value) {
            (Some(year), Some(value)) if errors.is_empty() => Ok(Observation {
                year,
                value,
                period: Some(self.period.trim())
                    .filter(|p| !p.is_empty())
                    .map_or_else(|| year.to_string(), str::to_string),
                source: source.to_string(),
                published,
                next_release,
            }),
            _ => Err(errors),
        }
    }
}

#[derive(Template)]
#[template(path = "strategy/value_form.html")]
pub struct ValueFormPage {
    pub chrome: Chrome,
    pub action: String,
    pub objective: String,
    pub measure: String,
    pub publisher: String,
    pub form: ValueForm,
    pub errors: Vec<FieldError>,
}

impl ValueFormPage {
    pub fn err(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

async fn value_form(
    state: &AppState,
    identity: &Identity,
    (sid, oid, mid): (i64, i64, i64),
    form: ValueForm,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let (_, objective, m) = context(state, sid, oid, Some(mid)).await?;
    let m = m.ok_or(AppError::NotFound)?;
    let Source::Official(o) = &m.source else {
        return Err(AppError::NotFound);
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let chrome = chrome(state, identity, SECTION, "Record a published figure").await?;
    render_status(
        status,
        &ValueFormPage {
            chrome,
            action: format!("/strategy/{sid}/objectives/{oid}/measures/{mid}/values"),
            objective,
            measure: m.name.clone(),
            publisher: o.publisher.clone(),
            form,
            errors,
        },
    )
}

pub async fn new_value(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(ids): Path<(i64, i64, i64)>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    value_form(&state, &identity, ids, ValueForm::default(), vec![]).await
}

pub async fn record_value(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path((sid, oid, mid)): Path<(i64, i64, i64)>,
    Form(form): Form<ValueForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let (_, _, m) = context(&state, sid, oid, Some(mid)).await?;
    let source = m.map(|m| m.source.name()).unwrap_or_default();
    let errors = match form.parse(&source) {
        Ok(v) => match state.store.record_measure_value(&actor(&me), mid, &v).await {
            Ok(()) => {
                return Ok(Redirect::to(&format!(
                    "/strategy/{sid}/objectives/{oid}?saved=value#measure-{mid}"
                ))
                .into_response());
            }
            Err(e) => vec![store_field_error(e, "value", &["value"])?],
        },
        Err(e) => e,
    };
    value_form(&state, &identity, (sid, oid, mid), form, errors).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_needs_a_year_and_a_number() {
        let f: ValueForm =
            crate::form::parse(b"year=2024%2F25&value=25.6&published=2025-03-27").unwrap();
        let v = f
            .parse("DWP")
            .unwrap_or_else(|e| panic!("{}", e[0].message));
        assert_eq!(v.period, "2024/25");
        let f: ValueForm = crate::form::parse(b"year=&value=x&published=soon").unwrap();
        assert_eq!(f.parse("DWP").unwrap_err().len(), 3);
    }
}
