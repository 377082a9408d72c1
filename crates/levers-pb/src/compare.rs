//! Side-by-side comparison of rule outcomes with satisfaction and proportionality figures.

use crate::num::{Q, q_f64};
use crate::rules::{Outcome, Prepared, RuleError, RuleSpec, run_prepared};
use serde::Serialize;

/// Figures for one outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    /// Share of the budget spent.
    pub budget_used: f64,
    /// Mean over voters of the cost of funded projects on their ballot.
    pub avg_cost_satisfaction: f64,
    /// Mean over voters of the number of funded projects on their ballot.
    pub avg_cardinality_satisfaction: f64,
    /// Share of voters with no funded project on their ballot.
    pub exclusion_ratio: f64,
    /// Gini coefficient of voters' cost satisfaction (0 = equal).
    pub gini_cost_satisfaction: f64,
    /// Share of voters whose ballot's cost satisfaction is at least their fair share of the
    /// budget (B/n), capped by the total cost of their ballot.
    pub fair_share_reached: f64,
}

/// One column of the comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub outcome: Outcome,
    pub figures: Figures,
}

/// Computes the figures of a selection.
pub fn figures(prep: &Prepared<'_>, selected: &[usize]) -> Figures {
    let e = prep.e;
    let g = &prep.groups;
    let n = g.num_voters.max(1) as f64;
    let mut funded = vec![false; e.projects.len()];
    for &p in selected {
        funded[p] = true;
    }
    let cost_f: Vec<f64> = e.projects.iter().map(|p| q_f64(&p.cost)).collect();
    let budget = q_f64(&e.budget);
    let share = budget / n;
    let mut sats: Vec<(f64, u64)> = Vec::with_capacity(g.sets.len());
    let (mut sum_cost, mut sum_card, mut excluded, mut fair) = (0.0, 0.0, 0u64, 0u64);
    for (gi, set) in g.sets.iter().enumerate() {
        let m = g.mult[gi];
        let c: f64 = set
            .iter()
            .filter(|&&p| funded[p as usize])
            .map(|&p| cost_f[p as usize])
            .sum();
        let k = set.iter().filter(|&&p| funded[p as usize]).count();
        let ballot_total: f64 = set.iter().map(|&p| cost_f[p as usize]).sum();
        sum_cost += c * m as f64;
        sum_card += k as f64 * m as f64;
        if k == 0 {
            excluded += m;
        }
        if c + 1e-9 >= share.min(ballot_total) {
            fair += m;
        }
        sats.push((c, m));
    }
    // Gini over voters with multiplicities
    sats.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
    let total: f64 = sats.iter().map(|(c, m)| c * *m as f64).sum();
    let mut gini = 0.0;
    if total > 0.0 {
        let mut cum = 0.0;
        let mut area = 0.0;
        for (c, m) in &sats {
            let prev = cum;
            cum += c * *m as f64;
            area += (*m as f64) * (prev + cum) / 2.0;
        }
        gini = 1.0 - 2.0 * area / (n * total);
    }
    let spent: Q = selected.iter().map(|&p| e.projects[p].cost.clone()).sum();
    Figures {
        budget_used: if budget > 0.0 {
            q_f64(&spent) / budget
        } else {
            0.0
        },
        avg_cost_satisfaction: sum_cost / n,
        avg_cardinality_satisfaction: sum_card / n,
        exclusion_ratio: excluded as f64 / n,
        gini_cost_satisfaction: gini,
        fair_share_reached: fair as f64 / n,
    }
}

/// Runs each rule and returns the columns.
pub fn compare(prep: &Prepared<'_>, specs: &[RuleSpec]) -> Result<Vec<Column>, RuleError> {
    specs
        .iter()
        .map(|s| {
            let o = run_prepared(prep, s, false)?;
            let f = figures(prep, &o.selected_idx);
            Ok(Column {
                outcome: o,
                figures: f,
            })
        })
        .collect()
}
