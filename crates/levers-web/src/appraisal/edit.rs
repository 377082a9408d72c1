//! The builder page: the model's settings, costs, outcomes and values, with unit costs found in the
//! library by search.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use levers_appraisal::{
    Appraisal, CostLine, OutcomeLine, PerYear, Schedule, UnitCost, ValueKind, ValueLine,
    search_costs,
};
use levers_core::FinancialYear;
use levers_store::appraisal::StoredAppraisal;
use serde::Deserialize;

use super::common::{Library, SECTION, count, kind_label, load};
use crate::auth::require_officer;
use crate::error::AppError;
use crate::identity::{CurrentUser, Identity};
use crate::layout::{Chrome, FieldError, capitalise, error_for};
use crate::page::{chrome, render};
use crate::show;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "appraisal/edit.html")]
pub struct EditPage {
    pub chrome: Chrome,
    pub id: i64,
    pub model: Appraisal,
    pub errors: Vec<FieldError>,
    /// What the person typed, to show again beside an error.
    pub entered: HashMap<String, String>,
    pub query: String,
    pub query_outcome: usize,
    pub hits: Vec<UnitCost>,
    pub library_costs: usize,
    /// The library's entries for the codes this appraisal uses.
    pub used: HashMap<String, UnitCost>,
    pub problem: Option<String>,
    pub notice: Option<String>,
}

impl EditPage {
    pub fn err(&self, f: &str) -> Option<&str> {
        error_for(&self.errors, f)
    }
    /// The value typed into `field`, else `default`.
    pub fn val(&self, field: &str, default: &str) -> String {
        self.entered
            .get(field)
            .cloned()
            .unwrap_or_else(|| default.to_owned())
    }
    pub fn fy(&self, y: &Option<FinancialYear>) -> String {
        y.map(|y| y.to_string()).unwrap_or_default()
    }
    pub fn cost_uplift(&self, c: &CostLine) -> String {
        match (c.optimism_bias, c.confidence) {
            (Some(ob), _) => format!("{:.0}% (entered)", ob * 100.0),
            (None, g) => {
                let g = g.unwrap_or(levers_appraisal::model::DEFAULT_GRADE);
                let b = self.model.table().cost(g).map_or(0.0, |b| b.central);
                format!("{:.0}% (grade {g})", b * 100.0)
            }
        }
    }
    pub fn people(&self, o: &OutcomeLine) -> String {
        let show = |p: &PerYear| match p {
            PerYear::Once(n) => format!("{} in year {}", count(*n), o.year),
            PerYear::ByYear(v) => v
                .iter()
                .enumerate()
                .map(|(y, n)| format!("{} in year {y}", count(*n)))
                .collect::<Vec<_>>()
                .join(", "),
        };
        match (&o.cohort, &o.count) {
            (Some(c), _) => format!(
                "Cohort {}; engagement {:.0}%, success {:.0}%",
                show(c),
                o.engagement * 100.0,
                o.success * 100.0
            ),
            (None, Some(n)) => format!("Outcomes: {}", show(n)),
            _ => String::new(),
        }
    }
    pub fn adjustments(&self, o: &OutcomeLine) -> String {
        let ob = match (o.optimism_bias, o.confidence) {
            (Some(x), _) => format!("optimism bias {:.0}% (entered)", x * 100.0),
            (None, g) => format!(
                "evidence grade {}",
                g.unwrap_or(levers_appraisal::model::DEFAULT_GRADE)
            ),
        };
        format!(
            "Deadweight {:.0}%, attribution {:.0}%, displacement {:.0}%, leakage {:.0}%, {ob}; benefits from year +{} for {} year(s), drop-off {:.0}% a year",
            o.deadweight * 100.0,
            o.attribution * 100.0,
            o.displacement * 100.0,
            o.leakage * 100.0,
            o.lag,
            o.duration,
            o.drop_off * 100.0
        )
    }
    pub fn value_text(&self, v: &ValueLine) -> String {
        let unit = v.cost_code.as_ref().and_then(|c| self.used.get(c));
        let what = match (&v.cost_code, &v.description, unit) {
            (Some(code), Some(d), _) => format!("{code} {d}"),
            (Some(code), None, Some(u)) => format!("{code} {}", u.description),
            (Some(code), None, None) => format!("{code} (not in the library)"),
            (None, d, _) => d.clone().unwrap_or_default(),
        };
        let amount = match (v.amount, v.price_year, unit.and_then(|u| u.value(v.kind))) {
            (Some(a), Some(y), _) => format!("{} at {y} prices", show::estimate(a)),
            (Some(a), None, _) => format!("{} at the price base", show::estimate(a)),
            (None, _, Some(l)) => format!(
                "{} at {} prices, from the library",
                show::estimate(l.amount),
                l.price_year
            ),
            (None, _, None) => "no figure".into(),
        };
        let mut extras = Vec::new();
        match (&v.agency, unit) {
            (Some(a), _) => extras.push(format!("to {a}")),
            (None, Some(u)) if v.kind == ValueKind::Fiscal => {
                extras.push(format!("to {}", u.agency))
            }
            _ => {}
        }
        if v.transfer {
            extras.push("a transfer".into());
        }
        if v.cashable > 0.0 {
            extras.push(format!("{:.0}% cashable", v.cashable * 100.0));
        }
        if v.once {
            extras.push("first year only".into());
        }
        let extras = if extras.is_empty() {
            String::new()
        } else {
            format!(" ({})", extras.join(", "))
        };
        format!("{} value: {what}, {amount}{extras}", kind_label(v.kind))
    }
    pub fn kinds_of(&self, c: &UnitCost) -> Vec<(&'static str, &'static str, String)> {
        let mut out = Vec::new();
        for (k, key) in [
            (ValueKind::Fiscal, "fiscal"),
            (ValueKind::Economic, "economic"),
            (ValueKind::Social, "social"),
        ] {
            if let Some(v) = c.value(k) {
                out.push((
                    key,
                    kind_label(k),
                    format!("{} ({})", show::estimate(v.amount), v.price_year),
                ));
            }
        }
        out
    }
    pub fn chosen_outcome(&self) -> Option<&OutcomeLine> {
        self.model.outcomes.get(self.query_outcome)
    }
    pub fn years_text(&self) -> String {
        self.model.years.map(|y| y.to_string()).unwrap_or_default()
    }
    pub fn is_standard(&self) -> bool {
        self.model.discount == Schedule::Standard
    }
}

#[derive(Deserialize, Default)]
pub struct EditQuery {
    q: Option<String>,
    outcome: Option<usize>,
    saved: Option<String>,
}

pub(super) async fn edit_page(
    state: &AppState,
    identity: &Identity,
    a: StoredAppraisal,
    errors: Vec<FieldError>,
    entered: HashMap<String, String>,
    q: EditQuery,
) -> Result<EditPage, AppError> {
    let library = Library::load(state).await?;
    let query = q.q.unwrap_or_default();
    let hits = search_costs(&library.costs, &query, 15)
        .into_iter()
        .cloned()
        .collect();
    let problem = library.compute(&a.model).err();
    let used = a
        .model
        .outcomes
        .iter()
        .flat_map(|o| &o.values)
        .filter_map(|v| v.cost_code.as_ref())
        .filter_map(|code| library.cost(code).map(|c| (code.clone(), c.clone())))
        .collect();
    let notice = q.saved.map(|what| format!("{} saved.", capitalise(&what)));
    Ok(EditPage {
        chrome: chrome(state, identity, SECTION, &format!("Edit {}", a.model.name)).await?,
        id: a.id,
        model: a.model,
        errors,
        entered,
        query,
        query_outcome: q.outcome.unwrap_or(0),
        hits,
        library_costs: library.costs.len(),
        used,
        problem,
        notice,
    })
}

pub async fn edit(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<EditQuery>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let a = load(&state, id).await?;
    render(&edit_page(&state, &identity, a, Vec::new(), HashMap::new(), q).await?)
}
