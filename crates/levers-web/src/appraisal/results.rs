//! One appraisal's results (outcomes first, charts with their tables, who pays and who benefits,
//! sensitivity, evidence) and its TOML and workbook downloads.

use crate::page::attachment;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use levers_appraisal::{Appraisal, Evidence, Results};
use levers_core::FinancialYear;
use levers_store::Role;

use super::common::{SECTION, compute, count, kind_label, load, rag_label, ratio};
use super::workbook::{workbook, xlsx_response};
use crate::charts::signed_hbar_chart;
use crate::error::AppError;
use crate::identity::{CurrentUser, Identity};
use crate::layout::Chrome;
use crate::page::{chrome, render};
use crate::show;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "appraisal/results.html")]
pub struct ResultsPage {
    pub chrome: Chrome,
    pub id: i64,
    pub model: Appraisal,
    pub updated: String,
    pub updated_by: String,
    pub result: Result<Results, String>,
    pub can_change: bool,
    pub chart_value: String,
    pub chart_agencies: String,
    pub chart_sensitivity: String,
}

impl ResultsPage {
    pub fn ratio(&self, x: &Option<f64>) -> String {
        ratio(*x)
    }
    pub fn count(&self, x: &f64) -> String {
        count(*x)
    }
    pub fn cpo(&self, x: &Option<f64>) -> String {
        x.map_or("n/a".into(), show::estimate)
    }
    pub fn kind(&self, e: &Evidence) -> &'static str {
        kind_label(e.kind)
    }
    pub fn rag(&self, e: &Evidence) -> &'static str {
        rag_label(e.rag)
    }
    pub fn fy(&self, y: &Option<FinancialYear>) -> String {
        y.map(|y| y.to_string()).unwrap_or_default()
    }
    pub fn payback(&self, r: &Results) -> String {
        match (r.central.payback_year, r.central.payback_financial_year) {
            (Some(y), Some(fy)) => format!("Year {y} ({fy})"),
            (Some(y), None) => format!("Year {y}"),
            _ => "Not within the appraisal period".into(),
        }
    }
}

/// The three charts of a result.
fn charts(r: &Results, prefix: &str) -> (String, String, String) {
    let c = &r.central;
    let value = signed_hbar_chart(
        &format!("{prefix}value"),
        "Present value of costs and of each kind of benefit",
        &[
            "Costs".into(),
            "Fiscal benefits (not transfers)".into(),
            "Transfers (not public value)".into(),
            "Economic benefits".into(),
            "Social benefits".into(),
            "Public value".into(),
        ],
        &[(
            "Present value",
            &[
                c.pv_costs,
                c.pv_fiscal - c.pv_fiscal_transfers,
                c.pv_fiscal_transfers,
                c.pv_economic,
                c.pv_social,
                c.public_value,
            ],
        )],
        &show::estimate_whole,
    );
    let labels: Vec<String> = c.agencies.iter().map(|a| a.agency.clone()).collect();
    let pays: Vec<f64> = c.agencies.iter().map(|a| a.pv_costs).collect();
    let gets: Vec<f64> = c.agencies.iter().map(|a| a.pv_benefits).collect();
    let agencies = signed_hbar_chart(
        &format!("{prefix}agencies"),
        "Who pays and who benefits: present value of costs borne and fiscal benefits received, by agency",
        &labels,
        &[("Costs borne", &pays), ("Benefits received", &gets)],
        &show::estimate_whole,
    );
    let scen: Vec<String> = r.sensitivity.iter().map(|s| s.scenario.clone()).collect();
    let npv: Vec<f64> = r.sensitivity.iter().map(|s| s.net_public_value).collect();
    let npbi: Vec<f64> = r
        .sensitivity
        .iter()
        .map(|s| s.net_present_budget_impact)
        .collect();
    let sensitivity = signed_hbar_chart(
        &format!("{prefix}sensitivity"),
        "Sensitivity: net public value and net budget impact under each assumption",
        &scen,
        &[("Net public value", &npv), ("Net budget impact", &npbi)],
        &show::estimate_whole,
    );
    (value, agencies, sensitivity)
}

pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let a = load(&state, id).await?;
    let result = compute(&state, &a.model).await?;
    let (chart_value, chart_agencies, chart_sensitivity) = match &result {
        Ok(r) => charts(r, ""),
        Err(_) => Default::default(),
    };
    render(&ResultsPage {
        chrome: chrome(&state, &identity, SECTION, &a.model.name).await?,
        id,
        updated: crate::layout::when(&a.updated_at),
        updated_by: a.updated_by.clone(),
        model: a.model,
        result,
        can_change: me.role.allows(Role::Officer),
        chart_value,
        chart_agencies,
        chart_sensitivity,
    })
}

pub async fn download_toml(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let a = load(&state, id).await?;
    Ok(attachment(
        "application/toml; charset=utf-8",
        format!("appraisal-{id}.toml"),
        a.model.to_toml(),
    ))
}

pub async fn download_xlsx(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let a = load(&state, id).await?;
    match compute(&state, &a.model).await? {
        Ok(r) => Ok(xlsx_response(
            &format!("appraisal {}", a.model.name),
            workbook(&[&r]),
        )),
        Err(_) => Ok(Redirect::to(&format!("/appraisals/{id}")).into_response()),
    }
}
