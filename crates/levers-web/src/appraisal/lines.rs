//! The builder's forms: settings, cost lines, outcomes and their values, each read into a typed
//! form, checked, saved, and on a problem shown back with its errors and what was typed.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use levers_appraisal::{Appraisal, CostLine, OutcomeLine, PerYear, Schedule, ValueKind, ValueLine};
use levers_store::appraisal::StoredAppraisal;
use levers_store::{StoreError, User};
use serde::{Deserialize, Serialize};

use super::check::{Check, entered};
use super::common::{kind_label, load};
use super::edit::{EditQuery, edit_page};
use crate::auth::{actor, require_officer};
use crate::error::AppError;
use crate::form::Form;
use crate::identity::{CurrentUser, Identity};
use crate::layout::{FieldError, capitalise};
use crate::page::render_status;
use crate::state::AppState;

/// Applies a change to the model and saves it, or shows the builder again with the errors and what
/// was typed.
#[allow(clippy::too_many_arguments)]
async fn save_or_show(
    state: &AppState,
    identity: &Identity,
    me: &User,
    a: StoredAppraisal,
    entered: HashMap<String, String>,
    mut errors: Vec<FieldError>,
    change: impl FnOnce(&mut Appraisal),
    saved: &str,
    anchor: &str,
) -> Result<Response, AppError> {
    if errors.is_empty() {
        let mut model = a.model.clone();
        change(&mut model);
        match model.check() {
            Ok(()) => match state
                .store
                .save_appraisal(&actor(me), Some(a.id), &model)
                .await
            {
                Ok(_) => {
                    return Ok(Redirect::to(&format!(
                        "/appraisals/{}/edit?saved={saved}#{anchor}",
                        a.id
                    ))
                    .into_response());
                }
                Err(StoreError::Conflict(m)) => {
                    errors.push(FieldError::new("name", capitalise(&m)))
                }
                Err(e) => return Err(e.into()),
            },
            Err(e) => errors.push(FieldError::new(
                field_of(&e.field),
                capitalise(&e.to_string()),
            )),
        }
    }
    let page = edit_page(state, identity, a, errors, entered, EditQuery::default()).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// Maps a model field to the form field that sets it (for the error link).
fn field_of(model_field: &str) -> &'static str {
    match model_field {
        "name" => "name",
        "agency" => "cost_agency",
        "amount" => "cost_amount",
        _ => "name",
    }
}

/// The appraisal's settings: name, description, price base, first year, years and discounting.
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct SettingsForm {
    name: String,
    description: String,
    price_base: String,
    first_year: String,
    years: String,
    discount: String,
}

pub async fn save_settings(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<SettingsForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let a = load(&state, id).await?;
    let mut c = Check::default();
    let name = c.required("name", &f.name, "a name for the intervention");
    let description = f.description.trim().to_owned();
    let price_base = c.required_year(
        "price_base",
        &f.price_base,
        "price base",
        "Enter the price base, like 2019/20",
    );
    let first_year = c.year("first_year", &f.first_year, "first year");
    let years = match f.years.trim() {
        "" => None,
        raw => Some(c.whole("years", raw, "the number of years", 10, 200).max(1)),
    };
    let discount = if f.discount.trim() == "health" {
        Schedule::Health
    } else {
        Schedule::Standard
    };
    save_or_show(
        &state,
        &identity,
        &me,
        a,
        entered(&f),
        c.errors,
        move |model| {
            model.name = name;
            model.description = description;
            if let Some(p) = price_base {
                model.price_base = p;
            }
            model.first_year = first_year;
            model.years = years;
            model.discount = discount;
        },
        "settings",
        "settings",
    )
    .await
}

/// A cost line: who pays, what for, in which year, how much, and the evidence grade.
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct CostForm {
    cost_agency: String,
    cost_description: String,
    cost_year: String,
    cost_amount: String,
    cost_confidence: String,
}

pub async fn add_cost(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<CostForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let a = load(&state, id).await?;
    let mut c = Check::default();
    let agency = c.required("cost_agency", &f.cost_agency, "the agency that pays");
    let description = f.cost_description.trim().to_owned();
    let year = c.whole("cost_year", &f.cost_year, "the year", 0, 200);
    let amount = c.number("cost_amount", &f.cost_amount, "the amount in pounds", None);
    let confidence = c.grade("cost_confidence", &f.cost_confidence);
    save_or_show(
        &state,
        &identity,
        &me,
        a,
        entered(&f),
        c.errors,
        move |model| {
            model.costs.push(CostLine {
                description,
                agency,
                year,
                amount,
                price_year: None,
                confidence,
                optimism_bias: None,
            });
        },
        "cost",
        "costs",
    )
    .await
}

/// Removes one line with `remove` (which says whether there was such a line), saves, and returns to
/// the builder at `anchor`.
async fn remove_line(
    state: &AppState,
    me: &User,
    id: i64,
    remove: impl FnOnce(&mut Appraisal) -> bool,
    saved: &str,
    anchor: &str,
) -> Result<Response, AppError> {
    require_officer(me)?;
    let mut model = load(state, id).await?.model;
    if remove(&mut model) {
        state
            .store
            .save_appraisal(&actor(me), Some(id), &model)
            .await?;
    }
    Ok(Redirect::to(&format!("/appraisals/{id}/edit?saved={saved}#{anchor}")).into_response())
}

pub async fn delete_cost(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path((id, i)): Path<(i64, usize)>,
) -> Result<Response, AppError> {
    let remove = |m: &mut Appraisal| (i < m.costs.len()).then(|| m.costs.remove(i)).is_some();
    remove_line(&state, &me, id, remove, "cost+removal", "costs").await
}

/// An outcome: how many people (a cohort with engagement and success rates, or a count of outcomes),
/// when, the adjustments for what would have happened anyway, and how long benefits last.
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct OutcomeForm {
    outcome_name: String,
    outcome_measure: String,
    outcome_people: String,
    outcome_year: String,
    outcome_engagement: String,
    outcome_success: String,
    outcome_deadweight: String,
    outcome_attribution: String,
    outcome_displacement: String,
    outcome_leakage: String,
    outcome_confidence: String,
    outcome_lag: String,
    outcome_duration: String,
    outcome_drop_off: String,
    outcome_evidence: String,
}

pub async fn add_outcome(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<OutcomeForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let a = load(&state, id).await?;
    let mut c = Check::default();
    let name = c.required("outcome_name", &f.outcome_name, "a name for the outcome");
    let people = c.number(
        "outcome_people",
        &f.outcome_people,
        "the number of people or outcomes",
        None,
    );
    if people < 0.0 {
        c.error("outcome_people", "The number cannot be negative");
    }
    let year = c.whole("outcome_year", &f.outcome_year, "the year achieved", 0, 200);
    let engagement = c.percent(
        "outcome_engagement",
        &f.outcome_engagement,
        "engagement",
        1.0,
    );
    let success = c.percent("outcome_success", &f.outcome_success, "success", 1.0);
    let deadweight = c.percent(
        "outcome_deadweight",
        &f.outcome_deadweight,
        "deadweight",
        0.0,
    );
    let attribution = c.percent(
        "outcome_attribution",
        &f.outcome_attribution,
        "attribution",
        1.0,
    );
    let displacement = c.percent(
        "outcome_displacement",
        &f.outcome_displacement,
        "displacement",
        0.0,
    );
    let leakage = c.percent("outcome_leakage", &f.outcome_leakage, "leakage", 0.0);
    let confidence = c.grade("outcome_confidence", &f.outcome_confidence);
    let lag = c.whole("outcome_lag", &f.outcome_lag, "the lag", 0, 100);
    let duration = c
        .whole(
            "outcome_duration",
            &f.outcome_duration,
            "the duration",
            1,
            100,
        )
        .max(1);
    let drop_off = c.percent("outcome_drop_off", &f.outcome_drop_off, "drop-off", 0.0);
    let evidence = f.outcome_evidence.trim().to_owned();
    let typed = entered(&f);
    let errors = c.errors;
    let (cohort, count) = if f.outcome_measure.trim() == "count" {
        (None, Some(PerYear::Once(people)))
    } else {
        (Some(PerYear::Once(people)), None)
    };
    save_or_show(
        &state,
        &identity,
        &me,
        a,
        typed,
        errors,
        move |model| {
            model.outcomes.push(OutcomeLine {
                name,
                description: String::new(),
                cohort,
                engagement,
                success,
                count,
                year,
                deadweight,
                attribution,
                displacement,
                leakage,
                confidence,
                optimism_bias: None,
                lag,
                duration,
                drop_off,
                evidence,
                values: Vec::new(),
            });
        },
        "outcome",
        "outcomes",
    )
    .await
}

pub async fn delete_outcome(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path((id, i)): Path<(i64, usize)>,
) -> Result<Response, AppError> {
    let remove = |m: &mut Appraisal| {
        (i < m.outcomes.len())
            .then(|| m.outcomes.remove(i))
            .is_some()
    };
    remove_line(&state, &me, id, remove, "outcome+removal", "outcomes").await
}

/// A value of an outcome: a unit cost from the library (by code) or a figure entered by hand, its
/// kind, who benefits, and whether it is a transfer, cashable, or counted in the first year only.
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct ValueForm {
    value_code: String,
    value_kind: String,
    value_amount: String,
    value_price_year: String,
    value_agency: String,
    value_description: String,
    value_transfer: Option<String>,
    value_cashable: String,
    value_once: Option<String>,
}

pub async fn add_value(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path((id, i)): Path<(i64, usize)>,
    Form(f): Form<ValueForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let a = load(&state, id).await?;
    if i >= a.model.outcomes.len() {
        return Err(AppError::NotFound);
    }
    let mut c = Check::default();
    let text = |s: &str| Some(s.trim().to_owned()).filter(|t| !t.is_empty());
    let cost_code = text(&f.value_code);
    let kind = match f.value_kind.trim() {
        "fiscal" => ValueKind::Fiscal,
        "economic" => ValueKind::Economic,
        "social" => ValueKind::Social,
        _ => {
            c.error(
                "value_kind",
                "Choose whether the value is fiscal, economic or social",
            );
            ValueKind::Fiscal
        }
    };
    let amount = if cost_code.is_some() && f.value_amount.trim().is_empty() {
        None
    } else {
        Some(c.number("value_amount", &f.value_amount, "the value in pounds", None))
    };
    let price_year = c.year("value_price_year", &f.value_price_year, "price year");
    let agency = text(&f.value_agency);
    if cost_code.is_none() && kind == ValueKind::Fiscal && agency.is_none() {
        c.error("value_agency", "Enter the agency whose budget benefits");
    }
    let description = text(&f.value_description);
    if cost_code.is_none() && description.is_none() {
        c.error("value_description", "Describe the value");
    }
    let transfer = f.value_transfer.is_some();
    let cashable = c.percent(
        "value_cashable",
        &f.value_cashable,
        "the cashable share",
        0.0,
    );
    let once = f.value_once.is_some();
    if kind != ValueKind::Fiscal && (transfer || cashable > 0.0) {
        c.error(
            "value_kind",
            "Only fiscal values can be transfers or cashable",
        );
    }
    if let Some(code) = &cost_code {
        match state.store.unit_cost(code).await? {
            None => c.error(
                "value_code",
                format!("{code} is not in the unit cost library"),
            ),
            Some(u) if u.value(kind).is_none() && amount.is_none() => c.error(
                "value_kind",
                format!(
                    "{code} has no {} value in the library",
                    kind_label(kind).to_lowercase()
                ),
            ),
            Some(_) => {}
        }
    }
    save_or_show(
        &state,
        &identity,
        &me,
        a,
        entered(&f),
        c.errors,
        move |model| {
            model.outcomes[i].values.push(ValueLine {
                cost_code,
                kind,
                amount,
                price_year,
                agency,
                description,
                transfer,
                cashable,
                once,
                source: None,
            });
        },
        "value",
        &format!("outcome-{i}"),
    )
    .await
}

pub async fn delete_value(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path((id, i, j)): Path<(i64, usize, usize)>,
) -> Result<Response, AppError> {
    let remove = |m: &mut Appraisal| match m.outcomes.get_mut(i) {
        Some(o) if j < o.values.len() => {
            o.values.remove(j);
            true
        }
        _ => false,
    };
    remove_line(
        &state,
        &me,
        id,
        remove,
        "value+removal",
        &format!("outcome-{i}"),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::{ValueForm, entered};

    #[test]
    fn ticked_boxes_are_present_and_what_was_typed_is_kept() {
        let f: ValueForm = crate::form::parse(
            b"csrf_token=x&value_code=HO1.0&value_kind=fiscal&value_cashable=50&value_once=yes",
        )
        .unwrap();
        assert!(f.value_once.is_some() && f.value_transfer.is_none());
        let typed = entered(&f);
        assert_eq!(typed.get("value_cashable").map(String::as_str), Some("50"));
        assert_eq!(typed.get("value_code").map(String::as_str), Some("HO1.0"));
        assert!(!typed.contains_key("csrf_token"));
    }
}
