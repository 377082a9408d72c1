//! The sensitivity scenarios and the results of an appraisal across them.

use super::figures::*;
use super::resolve::Resolved;
use super::scenario::compute;

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
