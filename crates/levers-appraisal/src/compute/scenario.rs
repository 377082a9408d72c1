//! The arithmetic of one scenario: net outcomes, benefits over the years, discounting, budget
//! impact, returns, public value, payback and who pays and who benefits.

use std::collections::BTreeMap;

use levers_core::FinancialYear;

use super::figures::*;
use super::resolve::Resolved;
use crate::discount::discount_factor;
use crate::library::ValueKind;
use crate::model::DEFAULT_GRADE;

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
