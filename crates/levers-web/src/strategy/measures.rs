//! The officers' forms for a measure (computed by levers from its own records, or an official
//! statistic named by indicator, measure and area; direction, baseline and a target for each year
//! of the strategy), and deleting a measure; recording an official figure as published is in
//! `measures/values.rs`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use levers_coproduction::register::parse_date;
use levers_core::FinancialYear;
use levers_strategy::{Direction, Measure, Metric, OfficialRef, Point, Source, Strategy, Unit};
use serde::Deserialize;

use super::common::{SECTION, parse_number, parse_year, store_field_error};
use crate::auth::{actor, require_officer};
use crate::error::AppError;
use crate::form::Form;
use crate::identity::{CurrentUser, Identity};
use crate::layout::{Chrome, FieldError, error_for};
use crate::page::{chrome, render_status};
use crate::state::AppState;

mod values;
pub use values::{new_value, record_value};

#[derive(Deserialize, Default)]
pub struct MeasureForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    metric: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    unit_other: String,
    #[serde(default)]
    direction: String,
    #[serde(default)]
    indicator: String,
    #[serde(default)]
    indicator_measure: String,
    #[serde(default)]
    area_code: String,
    #[serde(default)]
    publisher: String,
    #[serde(default)]
    next_release: String,
    #[serde(default)]
    baseline_year: String,
    #[serde(default)]
    baseline_value: String,
    /// One per year of the strategy, beside `target_value`.
    #[serde(default)]
    target_year: Vec<String>,
    #[serde(default)]
    target_value: Vec<String>,
}

fn show_number(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v}")
    }
}

impl MeasureForm {
    fn blank(s: &Strategy) -> MeasureForm {
        MeasureForm {
            source: "computed".into(),
            direction: "higher".into(),
            unit: "percent".into(),
            baseline_year: s.first_year.previous().to_string(),
            target_year: s.years().iter().map(|y| y.to_string()).collect(),
            target_value: vec![String::new(); s.years().len()],
            ..MeasureForm::default()
        }
    }

    fn from(m: &Measure, s: &Strategy) -> MeasureForm {
        let mut f = MeasureForm::blank(s);
        f.name = m.name.clone();
        f.direction = m.direction.key().into();
        match &m.unit {
            Unit::Other(u) => {
                f.unit = "other".into();
                f.unit_other = u.clone();
            }
            u => f.unit = u.key(),
        }
        match &m.source {
            Source::Computed { metric } => {
                f.source = "computed".into();
                f.metric = metric.key().into();
            }
            Source::Official(o) => {
                f.source = "official".into();
                f.indicator = o.indicator.clone();
                f.indicator_measure = o.measure.clone();
                f.area_code = o.area_code.clone();
                f.publisher = o.publisher.clone();
                f.next_release = o.next_release.map(|d| d.to_string()).unwrap_or_default();
            }
        }
        if let Some(b) = m.baseline {
            f.baseline_year = b.year.to_string();
            f.baseline_value = show_number(b.value);
        }
        let mut years: Vec<FinancialYear> = s.years();
        for t in &m.targets {
            if !years.contains(&t.year) {
                years.push(t.year);
            }
        }
        years.sort();
        f.target_year = years.iter().map(|y| y.to_string()).collect();
        f.target_value = years
            .iter()
            .map(|y| m.target_for(*y).map(show_number).unwrap_or_default())
            .collect();
        f
    }

    fn parse(&self, id: i64) -> Result<Measure, Vec<FieldError>> {
        let mut errors = Vec::new();
        let source = if self.source == "official" {
            let next_release = match self.next_release.trim() {
                "" => None,
                s => {
                    let d = parse_date(s);
                    if d.is_none() {
                        errors.push(FieldError::new("next_release", "Enter the next release date, for example 2026-03-26, or leave it blank"));
                    }
                    d
                }
            };
            Source::Official(OfficialRef {
                indicator: self.indicator.trim().to_string(),
                measure: self.indicator_measure.trim().to_string(),
                area_code: self.area_code.trim().to_uppercase(),
                publisher: self.publisher.trim().to_string(),
                next_release,
            })
        } else {
            match Metric::from_key(&self.metric) {
                Some(metric) => Source::Computed { metric },
                None => {
                    errors.push(FieldError::new(
                        "metric",
                        "Choose what levers computes for this measure",
                    ));
                    Source::Computed {
                        metric: Metric::ProcurementLocalShare,
                    }
                }
            }
        };
        let (unit, name) = match &source {
            Source::Computed { metric } => (
                metric.unit(),
                Some(self.name.trim())
                    .filter(|n| !n.is_empty())
                    .unwrap_or(metric.label())
                    .to_string(),
            ),
            Source::Official(_) => (
                if self.unit == "other" {
                    Unit::Other(self.unit_other.trim().to_string())
                } else {
                    Unit::from_key(&self.unit)
                },
                self.name.trim().to_string(),
            ),
        };
        if unit == Unit::Other(String::new()) {
            errors.push(FieldError::new(
                "unit_other",
                "Name the unit, for example per 1,000 residents",
            ));
        }
        let direction = Direction::from_key(&self.direction).unwrap_or_else(|| {
            errors.push(FieldError::new(
                "direction",
                "Choose whether higher or lower is better",
            ));
            Direction::HigherIsBetter
        });
        let baseline = match (self.baseline_year.trim(), self.baseline_value.trim()) {
            ("", "") => None,
            (y, v) => match (parse_year(y), parse_number(v)) {
                (Some(year), Some(value)) => Some(Point { year, value }),
                (None, _) => {
                    errors.push(FieldError::new(
                        "baseline_year",
                        "Enter the baseline's financial year, for example 2023/24",
                    ));
                    None
                }
                (_, None) => {
                    errors.push(FieldError::new(
                        "baseline_value",
                        "Enter the baseline as a number, for example 24.8",
                    ));
                    None
                }
            },
        };
        let mut targets = Vec::new();
        for (y, v) in self.target_year.iter().zip(&self.target_value) {
            if v.trim().is_empty() {
                continue;
            }
            match (parse_year(y), parse_number(v)) {
                (Some(year), Some(value)) => targets.push(Point { year, value }),
                _ => errors.push(FieldError::new(
                    "targets",
                    format!("The target for {} is not a number", y.trim()),
                )),
            }
        }
        targets.sort_by_key(|t| t.year);
        let m = Measure {
            id,
            name,
            unit,
            direction,
            source,
            baseline,
            targets,
        };
        if errors.is_empty() {
            errors.extend(
                m.problems()
                    .into_iter()
                    .map(|(f, msg)| FieldError::new(f, msg)),
            );
        }
        if errors.is_empty() {
            Ok(m)
        } else {
            Err(errors)
        }
    }
}

#[derive(Template)]
#[template(path = "strategy/measure_form.html")]
pub struct MeasureFormPage {
    pub chrome: Chrome,
    pub action: String,
    pub objective: String,
    pub form: MeasureForm,
    pub errors: Vec<FieldError>,
}

impl MeasureFormPage {
    pub fn err(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
    pub fn metrics(&self) -> [Metric; 14] {
        Metric::ALL
    }
    pub fn lever_of(&self, m: &Metric) -> &'static str {
        m.lever().label()
    }
    pub fn targets(&self) -> Vec<(usize, &String, &String)> {
        self.form
            .target_year
            .iter()
            .zip(&self.form.target_value)
            .enumerate()
            .map(|(i, (y, v))| (i, y, v))
            .collect()
    }
}

/// The strategy and the objective's title, checked to belong together; and the measure when asked.
async fn context(
    state: &AppState,
    sid: i64,
    oid: i64,
    mid: Option<i64>,
) -> Result<(Strategy, String, Option<Measure>), AppError> {
    if state.store.objective_strategy(oid).await? != Some(sid) {
        return Err(AppError::NotFound);
    }
    let s = state.store.strategy(sid).await?.ok_or(AppError::NotFound)?;
    let o = s
        .objectives
        .iter()
        .find(|o| o.id == oid)
        .ok_or(AppError::NotFound)?;
    let title = format!("{} {}", o.code, o.title);
    let m = match mid {
        Some(mid) => Some(
            o.measures
                .iter()
                .find(|m| m.id == mid)
                .cloned()
                .ok_or(AppError::NotFound)?,
        ),
        None => None,
    };
    Ok((s, title, m))
}

async fn measure_form(
    state: &AppState,
    identity: &Identity,
    action: String,
    objective: String,
    editing: bool,
    form: MeasureForm,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let title = if editing {
        "Change a measure"
    } else {
        "Add a measure"
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let chrome = chrome(state, identity, SECTION, title).await?;
    render_status(
        status,
        &MeasureFormPage {
            chrome,
            action,
            objective,
            form,
            errors,
        },
    )
}

const FIELDS: &[&str] = &[
    "name",
    "indicator",
    "area_code",
    "publisher",
    "baseline",
    "targets",
];

pub async fn new_measure(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path((sid, oid)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let (s, title, _) = context(&state, sid, oid, None).await?;
    let action = format!("/strategy/{sid}/objectives/{oid}/measures");
    measure_form(
        &state,
        &identity,
        action,
        title,
        false,
        MeasureForm::blank(&s),
        vec![],
    )
    .await
}

pub async fn create_measure(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path((sid, oid)): Path<(i64, i64)>,
    Form(form): Form<MeasureForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let (_, title, _) = context(&state, sid, oid, None).await?;
    let errors = match form.parse(0) {
        Ok(m) => match state.store.save_measure(&actor(&me), oid, &m).await {
            Ok(mid) => {
                return Ok(Redirect::to(&format!(
                    "/strategy/{sid}/objectives/{oid}?saved=measure#measure-{mid}"
                ))
                .into_response());
            }
            Err(e) => vec![store_field_error(e, "name", FIELDS)?],
        },
        Err(e) => e,
    };
    let action = format!("/strategy/{sid}/objectives/{oid}/measures");
    measure_form(&state, &identity, action, title, false, form, errors).await
}

pub async fn edit_measure(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path((sid, oid, mid)): Path<(i64, i64, i64)>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let (s, title, m) = context(&state, sid, oid, Some(mid)).await?;
    let form = MeasureForm::from(&m.ok_or(AppError::NotFound)?, &s);
    let action = format!("/strategy/{sid}/objectives/{oid}/measures/{mid}");
    measure_form(&state, &identity, action, title, true, form, vec![]).await
}

pub async fn update_measure(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path((sid, oid, mid)): Path<(i64, i64, i64)>,
    Form(form): Form<MeasureForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let (_, title, _) = context(&state, sid, oid, Some(mid)).await?;
    let errors = match form.parse(mid) {
        Ok(m) => match state.store.save_measure(&actor(&me), oid, &m).await {
            Ok(_) => {
                return Ok(Redirect::to(&format!(
                    "/strategy/{sid}/objectives/{oid}?saved=measure#measure-{mid}"
                ))
                .into_response());
            }
            Err(e) => vec![store_field_error(e, "name", FIELDS)?],
        },
        Err(e) => e,
    };
    let action = format!("/strategy/{sid}/objectives/{oid}/measures/{mid}");
    measure_form(&state, &identity, action, title, true, form, errors).await
}

pub async fn delete_measure(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path((sid, oid, mid)): Path<(i64, i64, i64)>,
    Form(_): Form<super::edit::Empty>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    context(&state, sid, oid, Some(mid)).await?;
    state.store.delete_measure(&actor(&me), mid).await?;
    Ok(Redirect::to(&format!(
        "/strategy/{sid}/objectives/{oid}?saved=measure-deleted"
    ))
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_computed_measure_takes_its_metrics_name_and_unit() {
        let f: MeasureForm = crate::form::parse(
            b"csrf_token=x&source=computed&metric=procurement_sme_share&direction=higher&baseline_year=2023%2F24&baseline_value=30&target_year=2024%2F25&target_value=33&target_year=2025%2F26&target_value=",
        )
        .unwrap();
        let m = f.parse(0).unwrap_or_else(|e| panic!("{}", e[0].message));
        assert_eq!(m.name, Metric::ProcurementSmeShare.label());
        assert_eq!(m.unit, Unit::Percent);
        assert_eq!(m.targets.len(), 1);
    }

    #[test]
    fn an_official_measure_needs_its_indicator_and_a_readable_target() {
        let f: MeasureForm = crate::form::parse(
            b"csrf_token=x&source=official&name=Claimants&unit=percent&direction=lower&indicator=&area_code=e08000009&publisher=ONS&target_year=2024%2F25&target_value=lots",
        )
        .unwrap();
        let e = f.parse(0).unwrap_err();
        assert_eq!(e[0].field, "targets");
        let f: MeasureForm = crate::form::parse(
            b"csrf_token=x&source=official&name=Claimants&unit=other&unit_other=per+1%2C000&direction=lower&indicator=claimant_count&indicator_measure=rate&area_code=e08000009&publisher=ONS&next_release=2026-04-14",
        )
        .unwrap();
        let m = f.parse(0).unwrap_or_else(|e| panic!("{}", e[0].message));
        let Source::Official(o) = &m.source else {
            panic!()
        };
        assert_eq!(o.area_code, "E08000009");
        assert_eq!(m.unit, Unit::Other("per 1,000".into()));
    }
}
