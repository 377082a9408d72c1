//! The appraisal arithmetic: resolve every value against the unit cost library and uprate it to the
//! price base, then count net outcomes, spread benefits over the years, discount, and report budget
//! impact, returns on investment, public value, payback, who pays and who benefits, and sensitivity.
//!
//! Definitions (New Economy / GMCA method, HM Treasury 2014 guidance for local partnerships):
//! - net outcomes = gross × (1 − deadweight) × attribution × (1 − displacement) × (1 − leakage)
//!   × (1 − optimism-bias correction), with gross = cohort × engagement × success, or a count;
//! - an outcome achieved in year y yields benefits in years y + lag … y + lag + duration − 1, the k-th
//!   of them weighted (1 − drop-off)^k (a value marked `once` only in the first);
//! - costs are uplifted by their optimism bias; everything is discounted with the Green Book schedule;
//! - net present budget impact = PV fiscal benefits − PV costs; financial ROI = PV fiscal ÷ PV costs;
//!   cashable ROI = PV cashable fiscal ÷ PV costs;
//! - public value = PV fiscal benefits excluding transfers + PV economic + PV social;
//!   public-value ROI = public value ÷ PV costs; net public value = public value − PV costs;
//! - payback year = the first year in which cumulative discounted fiscal benefits reach cumulative
//!   discounted costs;
//! - an agency is in the "wrong pocket" when it bears costs, its fiscal benefits are less than its
//!   costs, and the intervention as a whole creates net public value.

use std::collections::BTreeMap;

use levers_core::FinancialYear;
use serde::Serialize;

use crate::deflator::Deflators;
use crate::discount::{Schedule, discount_factor};
use crate::library::{Rag, UnitCost, ValueKind};
use crate::model::{Appraisal, DEFAULT_GRADE, ModelError};

/// A value line made concrete: its amount at the price base and the evidence behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    pub outcome: String,
    pub description: String,
    pub cost_code: Option<String>,
    pub kind: ValueKind,
    /// The agency whose budget benefits (fiscal values only).
    pub agency: Option<String>,
    pub unit: String,
    /// As stated, at `price_year` prices.
    pub stated: f64,
    pub price_year: FinancialYear,
    /// At the appraisal's price base.
    pub amount: f64,
    pub transfer: bool,
    pub cashable: f64,
    pub once: bool,
    pub source: String,
    pub rag: Option<Rag>,
}

/// An appraisal with every value found in the library and uprated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resolved {
    pub appraisal: Appraisal,
    /// Cost amounts at the price base, in the order of `appraisal.costs`.
    pub cost_amounts: Vec<f64>,
    /// Per outcome line, its values.
    pub values: Vec<Vec<Evidence>>,
}

/// Finds each value's figures in the library (`lookup` by cost code) and uprates stated amounts to
/// the price base. `deflators` is needed whenever a price year differs from the price base.
pub fn resolve(
    appraisal: &Appraisal,
    lookup: &dyn Fn(&str) -> Option<UnitCost>,
    deflators: Option<&Deflators>,
) -> Result<Resolved, ModelError> {
    appraisal.check()?;
    let base = appraisal.price_base;
    let uprate = |place: &str,
                  field: &str,
                  amount: f64,
                  from: FinancialYear|
     -> Result<f64, ModelError> {
        if from == base {
            return Ok(amount);
        }
        let Some(d) = deflators else {
            return Err(ModelError {
                place: place.into(),
                field: field.into(),
                message: format!(
                    "{from} prices need uprating to {base}, but no deflator table is loaded: import one"
                ),
            });
        };
        d.uprate(amount, from, base).map_err(|e| ModelError {
            place: place.into(),
            field: field.into(),
            message: e.to_string(),
        })
    };
    let mut cost_amounts = Vec::with_capacity(appraisal.costs.len());
    for (i, c) in appraisal.costs.iter().enumerate() {
        let place = format!("cost {}", i + 1);
        cost_amounts.push(match c.price_year {
            Some(y) => uprate(&place, "price_year", c.amount, y)?,
            None => c.amount,
        });
    }
    let mut values = Vec::with_capacity(appraisal.outcomes.len());
    for o in &appraisal.outcomes {
        let mut out = Vec::with_capacity(o.values.len());
        for (j, v) in o.values.iter().enumerate() {
            let place = format!("outcome \"{}\", value {}", o.name, j + 1);
            let unit = match &v.cost_code {
                Some(code) => Some(lookup(code).ok_or_else(|| ModelError {
                    place: place.clone(),
                    field: "cost_code".into(),
                    message: format!("{code} is not in the unit cost library: import the library or give the amount yourself"),
                })?),
                None => None,
            };
            let from_library = unit.as_ref().and_then(|u| u.value(v.kind));
            let (stated, price_year) = match (v.amount, from_library) {
                (Some(a), _) => (a, v.price_year.unwrap_or(base)),
                (None, Some(l)) => (l.amount, v.price_year.unwrap_or(l.price_year)),
                (None, None) => {
                    return Err(ModelError {
                        place,
                        field: "kind".into(),
                        message: format!(
                            "{} has no {} value in the library: choose another kind or give the amount",
                            v.cost_code.as_deref().unwrap_or("?"),
                            kind_name(v.kind)
                        ),
                    });
                }
            };
            let amount = uprate(&place, "price_year", stated, price_year)?;
            let agency = match v.kind {
                ValueKind::Fiscal => Some(
                    v.agency
                        .clone()
                        .or_else(|| unit.as_ref().map(|u| u.agency.clone()))
                        .filter(|a| !a.trim().is_empty())
                        .ok_or_else(|| ModelError {
                            place: place.clone(),
                            field: "agency".into(),
                            message: "say which agency's budget benefits from this fiscal value"
                                .into(),
                        })?,
                ),
                _ => None,
            };
            out.push(Evidence {
                outcome: o.name.clone(),
                description: v
                    .description
                    .clone()
                    .or_else(|| unit.as_ref().map(|u| u.description.clone()))
                    .unwrap_or_default(),
                cost_code: v.cost_code.clone(),
                kind: v.kind,
                agency,
                unit: unit.as_ref().map(|u| u.unit.clone()).unwrap_or_default(),
                stated,
                price_year,
                amount,
                transfer: v.transfer,
                cashable: v.cashable,
                once: v.once,
                source: v
                    .source
                    .clone()
                    .or_else(|| unit.as_ref().map(|u| u.source.clone()))
                    .unwrap_or_else(|| "entered by the appraiser".into()),
                rag: unit.as_ref().map(|u| u.rag),
            });
        }
        values.push(out);
    }
    Ok(Resolved {
        appraisal: appraisal.clone(),
        cost_amounts,
        values,
    })
}

/// An estimate in pounds shown to the penny (`£1,234.57`), or "n/a" when it is not a number.
pub fn pounds(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    levers_core::Money::from_pence((x * 100.0).round() as i64).to_string()
}

fn kind_name(k: ValueKind) -> &'static str {
    match k {
        ValueKind::Fiscal => "fiscal",
        ValueKind::Economic => "economic",
        ValueKind::Social => "social",
    }
}

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

/// Agency names as the library writes them vary in case ("Local authority", "Local Authority"):
/// they are grouped without case and shown as first met.
fn agency_key(a: &str) -> String {
    a.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

struct Names(BTreeMap<String, String>);
impl Names {
    fn name(&mut self, a: &str) -> String {
        let key = agency_key(a);
        self.0
            .entry(key)
            .or_insert_with(|| a.split_whitespace().collect::<Vec<_>>().join(" "))
            .clone()
    }
}

fn ratio(n: f64, d: f64) -> Option<f64> {
    (d > 0.0).then(|| n / d)
}

/// Computes one scenario.
pub fn compute(r: &Resolved, s: Scenario) -> Figures {
    let a = &r.appraisal;
    let table = a.table();
    let pick = |b: crate::model::Bounds| match s.optimism_bias {
        Bound::Low => b.low,
        Bound::Central => b.central,
        Bound::High => b.high,
    };
    let cost_ob = |explicit: Option<f64>, grade: Option<u8>| match explicit {
        // An explicit correction is the line's own central figure; the bounds still move it by
        // the same amount as its default grade's bounds would.
        Some(ob) => {
            let b = table.cost(DEFAULT_GRADE).expect("grade");
            (ob + pick(b) - b.central).clamp(0.0, 1.0)
        }
        None => pick(
            table
                .cost(grade.unwrap_or(DEFAULT_GRADE))
                .expect("grade checked"),
        ),
    };
    let benefit_ob = |explicit: Option<f64>, grade: Option<u8>| match explicit {
        Some(ob) => {
            let b = table.benefit(DEFAULT_GRADE).expect("grade");
            (ob + pick(b) - b.central).clamp(0.0, 1.0)
        }
        None => pick(
            table
                .benefit(grade.unwrap_or(DEFAULT_GRADE))
                .expect("grade checked"),
        ),
    };

    // The period: every cost year and every benefit year, unless `years` cuts it.
    let mut last = 0u32;
    for c in &a.costs {
        last = last.max(c.year);
    }
    for o in &a.outcomes {
        let n = o
            .cohort
            .as_ref()
            .or(o.count.as_ref())
            .map_or(1, |p| p.by_year(o.year).len() as u32);
        last = last.max(n.saturating_sub(1) + o.lag + o.duration - 1);
    }
    let period = a.years.unwrap_or(last + 1);
    let mut years: Vec<YearFigures> = (0..period)
        .map(|y| YearFigures {
            year: y,
            financial_year: a
                .first_year
                .and_then(|f| FinancialYear::starting(f.start() + y as i32).ok()),
            discount_factor: discount_factor(a.discount, y),
            ..YearFigures::default()
        })
        .collect();

    let mut names = Names(BTreeMap::new());
    let mut pv_costs_by_agency: BTreeMap<String, f64> = BTreeMap::new();
    let mut pv_fiscal_by_agency: BTreeMap<String, f64> = BTreeMap::new();
    let mut beyond = 0.0;
    for (c, amount) in a.costs.iter().zip(&r.cost_amounts) {
        let uplifted = amount * (1.0 + cost_ob(c.optimism_bias, c.confidence));
        let agency = names.name(&c.agency);
        if let Some(y) = years.get_mut(c.year as usize) {
            y.costs += uplifted;
            *pv_costs_by_agency.entry(agency).or_default() += uplifted * y.discount_factor;
        }
    }

    let mut outcomes = Vec::with_capacity(a.outcomes.len());
    let (mut pv_transfers, mut pv_cashable) = (0.0, 0.0);
    let (mut gross_total, mut net_total) = (0.0, 0.0);
    for (o, values) in a.outcomes.iter().zip(&r.values) {
        let deadweight = (o.deadweight * s.deadweight_scale).min(1.0);
        let factor = (1.0 - deadweight)
            * o.attribution
            * (1.0 - o.displacement)
            * (1.0 - o.leakage)
            * (1.0 - benefit_ob(o.optimism_bias, o.confidence));
        let gross: Vec<f64> = match (&o.cohort, &o.count) {
            (Some(c), _) => c
                .by_year(o.year)
                .iter()
                .map(|n| n * o.engagement * o.success)
                .collect(),
            (None, Some(n)) => n.by_year(o.year),
            (None, None) => Vec::new(),
        };
        let mut line = OutcomeFigures {
            name: o.name.clone(),
            gross_outcomes: gross.iter().sum(),
            net_outcomes: gross.iter().sum::<f64>() * factor,
            cost_per_net_outcome: None,
            pv_fiscal: 0.0,
            pv_economic: 0.0,
            pv_social: 0.0,
        };
        gross_total += line.gross_outcomes;
        net_total += line.net_outcomes;
        for (y0, g) in gross.iter().enumerate() {
            let net = g * factor;
            if net == 0.0 {
                continue;
            }
            for k in 0..o.duration {
                let y = y0 as u32 + o.lag + k;
                let weight = (1.0 - o.drop_off).powi(k as i32);
                for v in values {
                    if v.once && k > 0 {
                        continue;
                    }
                    if v.kind == ValueKind::Social && !s.social_value {
                        continue;
                    }
                    let flow = net * weight * v.amount;
                    let Some(yf) = years.get_mut(y as usize) else {
                        beyond += flow;
                        continue;
                    };
                    let pv = flow * yf.discount_factor;
                    match v.kind {
                        ValueKind::Fiscal => {
                            yf.fiscal += flow;
                            line.pv_fiscal += pv;
                            let agency = names.name(v.agency.as_deref().unwrap_or("Unstated"));
                            *pv_fiscal_by_agency.entry(agency).or_default() += pv;
                            if v.transfer {
                                pv_transfers += pv;
                            } else {
                                yf.pv_public_value += pv;
                            }
                            pv_cashable += pv * v.cashable;
                        }
                        ValueKind::Economic => {
                            yf.economic += flow;
                            line.pv_economic += pv;
                            yf.pv_public_value += pv;
                        }
                        ValueKind::Social => {
                            yf.social += flow;
                            line.pv_social += pv;
                            yf.pv_public_value += pv;
                        }
                    }
                }
            }
        }
        outcomes.push(line);
    }
    for y in &mut years {
        y.pv_costs = y.costs * y.discount_factor;
        y.pv_fiscal = y.fiscal * y.discount_factor;
    }
    let pv_costs: f64 = years.iter().map(|y| y.pv_costs).sum();
    let pv_fiscal: f64 = years.iter().map(|y| y.pv_fiscal).sum();
    let pv_economic: f64 = years.iter().map(|y| y.economic * y.discount_factor).sum();
    let pv_social: f64 = years.iter().map(|y| y.social * y.discount_factor).sum();
    // Summed from its parts rather than as fiscal − transfers, which would leave rounding noise where
    // every fiscal value is a transfer.
    let public_value: f64 = years.iter().map(|y| y.pv_public_value).sum();
    for line in &mut outcomes {
        line.cost_per_net_outcome = ratio(pv_costs, line.net_outcomes);
    }

    let (mut cum_cost, mut cum_fiscal, mut payback) = (0.0, 0.0, None);
    for y in &years {
        cum_cost += y.pv_costs;
        cum_fiscal += y.pv_fiscal;
        if payback.is_none() && cum_cost > 0.0 && cum_fiscal >= cum_cost {
            payback = Some(y.year);
        }
    }
    let net_public_value = public_value - pv_costs;
    let mut all: Vec<String> = pv_costs_by_agency
        .keys()
        .chain(pv_fiscal_by_agency.keys())
        .cloned()
        .collect();
    all.sort_by_key(|a| agency_key(a));
    all.dedup();
    let agencies = all
        .into_iter()
        .map(|agency| {
            let c = pv_costs_by_agency.get(&agency).copied().unwrap_or(0.0);
            let b = pv_fiscal_by_agency.get(&agency).copied().unwrap_or(0.0);
            AgencyFigures {
                wrong_pocket: c > 0.0 && b < c && net_public_value > 0.0,
                agency,
                pv_costs: c,
                pv_benefits: b,
                net: b - c,
            }
        })
        .collect();
    Figures {
        gross_outcomes: gross_total,
        net_outcomes: net_total,
        cost_per_net_outcome: ratio(pv_costs, net_total),
        pv_costs,
        pv_fiscal,
        pv_fiscal_transfers: pv_transfers,
        pv_cashable,
        pv_economic,
        pv_social,
        net_present_budget_impact: pv_fiscal - pv_costs,
        financial_roi: ratio(pv_fiscal, pv_costs),
        cashable_roi: ratio(pv_cashable, pv_costs),
        public_value,
        net_public_value,
        public_value_roi: ratio(public_value, pv_costs),
        payback_financial_year: payback
            .and_then(|p| years.get(p as usize))
            .and_then(|y| y.financial_year),
        payback_year: payback,
        pv_costs_by_agency,
        pv_fiscal_by_agency,
        agencies,
        outcomes,
        years,
        benefits_beyond_period: beyond,
    }
}

/// The sensitivity scenarios, in the order they are reported.
pub const SENSITIVITY: [(&str, Scenario); 6] = [
    ("Central case", Scenario::CENTRAL),
    (
        "Optimism bias at the low bound",
        Scenario {
            optimism_bias: Bound::Low,
            deadweight_scale: 1.0,
            social_value: true,
        },
    ),
    (
        "Optimism bias at the high bound",
        Scenario {
            optimism_bias: Bound::High,
            deadweight_scale: 1.0,
            social_value: true,
        },
    ),
    (
        "Deadweight 50% lower",
        Scenario {
            optimism_bias: Bound::Central,
            deadweight_scale: 0.5,
            social_value: true,
        },
    ),
    (
        "Deadweight 50% higher",
        Scenario {
            optimism_bias: Bound::Central,
            deadweight_scale: 1.5,
            social_value: true,
        },
    ),
    (
        "Social value left out",
        Scenario {
            optimism_bias: Bound::Central,
            deadweight_scale: 1.0,
            social_value: false,
        },
    ),
];

/// The full results: the central case, every sensitivity scenario, and the evidence.
pub fn results(r: &Resolved) -> Results {
    let central = compute(r, Scenario::CENTRAL);
    let sensitivity = SENSITIVITY
        .iter()
        .map(|(label, s)| {
            let f = if *s == Scenario::CENTRAL {
                central.clone()
            } else {
                compute(r, *s)
            };
            SensitivityRow {
                scenario: (*label).into(),
                pv_costs: f.pv_costs,
                pv_fiscal: f.pv_fiscal,
                net_present_budget_impact: f.net_present_budget_impact,
                financial_roi: f.financial_roi,
                public_value: f.public_value,
                net_public_value: f.net_public_value,
                public_value_roi: f.public_value_roi,
                net_outcomes: f.net_outcomes,
            }
        })
        .collect();
    Results {
        name: r.appraisal.name.clone(),
        price_base: r.appraisal.price_base,
        discount: r.appraisal.discount,
        central,
        sensitivity,
        evidence: r.values.iter().flatten().cloned().collect(),
        optimism_bias_source: r.appraisal.table().source,
    }
}
