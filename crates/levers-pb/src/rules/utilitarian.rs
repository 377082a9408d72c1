//! pabutools `greedy_utilitarian_welfare` (additive satisfaction): fund projects by decreasing
//! total satisfaction per unit of cost, skipping those that no longer fit.

use super::{Num, Prepared, Sat};
use crate::num::{Q, q_int, q_u};
use serde::Serialize;
use std::cmp::Ordering;

/// One considered project.
#[derive(Debug, Clone, Serialize)]
pub struct UtilStep {
    pub project: String,
    /// Total satisfaction divided by cost (`null` = infinite, zero-cost project).
    pub density: Option<f64>,
    pub cost: Num,
    pub remaining: Num,
    pub funded: bool,
    pub reason: String,
}

/// Total satisfaction of a project over all voters.
pub fn total_sat(prep: &Prepared<'_>, sat: Sat, p: usize) -> Q {
    let s = prep.groups.support[p];
    match sat {
        Sat::Cost => q_u(s) * &prep.e.projects[p].cost,
        Sat::Cardinality => q_u(s),
    }
}

#[derive(Clone)]
enum Density {
    Zero,
    Finite(Q),
    Inf,
}

fn cmp_density(a: &Density, b: &Density) -> Ordering {
    use Density::*;
    match (a, b) {
        (Inf, Inf) | (Zero, Zero) => Ordering::Equal,
        (Inf, _) => Ordering::Greater,
        (_, Inf) => Ordering::Less,
        (Zero, Finite(x)) => q_int(0).cmp(x),
        (Finite(x), Zero) => x.cmp(&q_int(0)),
        (Finite(x), Finite(y)) => x.cmp(y),
    }
}

/// Greedy utilitarian welfare, starting from `initial` (already funded, kept first).
/// `ranks` is the tie-breaking order. With `fund_unsupported` (pabutools' behaviour) projects with
/// zero satisfaction are funded last if money is left.
pub fn greedy_utilitarian(
    prep: &Prepared<'_>,
    sat: Sat,
    ranks: &[usize],
    initial: &[usize],
    fund_unsupported: bool,
) -> (Vec<usize>, Vec<UtilStep>) {
    let e = prep.e;
    let n = e.projects.len();
    let dens: Vec<Density> = (0..n)
        .map(|p| {
            let t = total_sat(prep, sat, p);
            if t > q_int(0) {
                if e.projects[p].cost > q_int(0) {
                    Density::Finite(t / &e.projects[p].cost)
                } else {
                    Density::Inf
                }
            } else {
                Density::Zero
            }
        })
        .collect();
    let mut order: Vec<usize> = (0..n).filter(|p| !initial.contains(p)).collect();
    order.sort_by(|&a, &b| cmp_density(&dens[b], &dens[a]).then(ranks[a].cmp(&ranks[b])));
    let mut remaining = e.budget.clone()
        - initial
            .iter()
            .map(|&p| e.projects[p].cost.clone())
            .sum::<Q>();
    let mut sel: Vec<usize> = initial.to_vec();
    let mut steps = Vec::new();
    for p in order {
        let cost = &e.projects[p].cost;
        let before = remaining.clone();
        let unsupported = matches!(dens[p], Density::Zero);
        let (funded, reason) = if unsupported && !fund_unsupported {
            (false, "nobody voted for it".to_string())
        } else if *cost <= remaining {
            remaining -= cost;
            (
                true,
                if unsupported {
                    "fits; funded although nobody voted for it (pabutools)".into()
                } else {
                    "fits in the remaining budget".into()
                },
            )
        } else {
            (false, "does not fit in the remaining budget".to_string())
        };
        if funded {
            sel.push(p);
        }
        steps.push(UtilStep {
            project: e.projects[p].id.clone(),
            density: match &dens[p] {
                Density::Inf => None,
                Density::Zero => Some(0.0),
                Density::Finite(x) => Some(crate::num::q_f64(x)),
            },
            cost: Num(cost.clone()),
            remaining: Num(before),
            funded,
            reason,
        });
    }
    (sel, steps)
}
