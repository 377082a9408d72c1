//! What the arithmetic reports: scenarios, figures by year, outcome and agency, sensitivity rows
//! and the whole results.

use std::collections::BTreeMap;

use levers_core::FinancialYear;
use serde::Serialize;

use crate::discount::Schedule;

use super::resolve::Evidence;

/// Which optimism-bias figure of each grade to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bound {
    Low,
    Central,
    High,
}

/// The assumptions a run varies.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Scenario {
    pub optimism_bias: Bound,
    /// Multiplies every deadweight (capped at 100%).
    pub deadweight_scale: f64,
    pub social_value: bool,
}

impl Scenario {
    pub const CENTRAL: Scenario = Scenario {
        optimism_bias: Bound::Central,
        deadweight_scale: 1.0,
        social_value: true,
    };
}

/// One year of the appraisal, undiscounted and discounted.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct YearFigures {
    pub year: u32,
    pub financial_year: Option<FinancialYear>,
    pub discount_factor: f64,
    pub costs: f64,
    pub fiscal: f64,
    pub economic: f64,
    pub social: f64,
    pub pv_costs: f64,
    pub pv_fiscal: f64,
    pub pv_public_value: f64,
}

/// Each outcome line's counts and cost effectiveness.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeFigures {
    pub name: String,
    pub gross_outcomes: f64,
    pub net_outcomes: f64,
    /// PV of all costs ÷ this line's net outcomes.
    pub cost_per_net_outcome: Option<f64>,
    /// Present value of this outcome's benefits by kind.
    pub pv_fiscal: f64,
    pub pv_economic: f64,
    pub pv_social: f64,
}

/// Who pays and who benefits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgencyFigures {
    pub agency: String,
    pub pv_costs: f64,
    pub pv_benefits: f64,
    pub net: f64,
    pub wrong_pocket: bool,
}

/// The headline figures of one run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub gross_outcomes: f64,
    pub net_outcomes: f64,
    pub cost_per_net_outcome: Option<f64>,
    pub pv_costs: f64,
    pub pv_fiscal: f64,
    pub pv_fiscal_transfers: f64,
    pub pv_cashable: f64,
    pub pv_economic: f64,
    pub pv_social: f64,
    pub net_present_budget_impact: f64,
    pub financial_roi: Option<f64>,
    pub cashable_roi: Option<f64>,
    pub public_value: f64,
    pub net_public_value: f64,
    pub public_value_roi: Option<f64>,
    pub payback_year: Option<u32>,
    pub payback_financial_year: Option<FinancialYear>,
    pub pv_costs_by_agency: BTreeMap<String, f64>,
    pub pv_fiscal_by_agency: BTreeMap<String, f64>,
    pub agencies: Vec<AgencyFigures>,
    pub outcomes: Vec<OutcomeFigures>,
    pub years: Vec<YearFigures>,
    /// Benefits that fall after the appraisal period when `years` cuts it short (undiscounted).
    pub benefits_beyond_period: f64,
}

/// One sensitivity run's headline figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SensitivityRow {
    pub scenario: String,
    pub pv_costs: f64,
    pub pv_fiscal: f64,
    pub net_present_budget_impact: f64,
    pub financial_roi: Option<f64>,
    pub public_value: f64,
    pub net_public_value: f64,
    pub public_value_roi: Option<f64>,
    pub net_outcomes: f64,
}

/// Everything an appraisal reports: central figures, sensitivity, and the evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Results {
    pub name: String,
    pub price_base: FinancialYear,
    pub discount: Schedule,
    #[serde(flatten)]
    pub central: Figures,
    pub sensitivity: Vec<SensitivityRow>,
    pub evidence: Vec<Evidence>,
    pub optimism_bias_source: String,
}
