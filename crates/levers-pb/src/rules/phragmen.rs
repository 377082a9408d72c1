//! Sequential Phragmén as in pabutools 1.2.3: each round funds the project minimising the new
//! maximum load (approvers' loads + cost) / approvals; stops at the first tied minimiser that does
//! not fit. Loads are kept as shared levels, like MES budgets; a project's levels are gathered from
//! its supporter groups when it is evaluated, so a round costs O(evaluated projects × their
//! supporter groups), not O(voters × ballot length).

use super::{Num, Prepared, RuleError};
use crate::num::{Q, q_f64, q_u};
use num_traits::Zero;
use serde::Serialize;

/// One Phragmén round.
#[derive(Debug, Clone, Serialize)]
pub struct PhragmenRound {
    pub project: String,
    /// The supporters' new common load (`null` = project nobody approved).
    pub new_max_load: Option<Num>,
    pub funded: bool,
    pub reason: String,
}

/// Bound on the exact arithmetic one count may do, in 64-bit words of load numerators and
/// denominators summed over every evaluation (real Pabulib elections need at most a few million;
/// exact loads grow with every round, so a crafted election can need far more).
pub const MAX_WORK: u64 = 2_000_000;

/// Runs sequential Phragmén. `ranks` breaks ties. Stops with an error past `MAX_WORK`.
pub fn sequential_phragmen(
    prep: &Prepared<'_>,
    ranks: &[usize],
) -> Result<(Vec<usize>, Vec<PhragmenRound>), RuleError> {
    let mut work: u64 = 0;
    let e = prep.e;
    let g = &prep.groups;
    let n = e.projects.len();
    let mut levels: Vec<Q> = vec![Q::zero()];
    let mut group_level: Vec<u32> = vec![0; g.sets.len()];
    // per-level voter counts, scratch for gathering a project's levels (left zeroed)
    let mut agg: Vec<u64> = vec![0];
    let mut lv: Vec<(u32, u64)> = Vec::new();
    let mut remaining: Vec<usize> = (0..n).filter(|&p| e.projects[p].cost <= e.budget).collect();
    let mut stored_f: Vec<f64> = vec![0.0; n];
    for &p in &remaining {
        stored_f[p] = if g.support[p] == 0 {
            f64::INFINITY
        } else {
            q_f64(&(&e.projects[p].cost / q_u(g.support[p])))
        };
    }
    let mut cost = Q::zero();
    let mut selected = Vec::new();
    let mut rounds = Vec::new();
    while !remaining.is_empty() {
        remaining.sort_by(|&a, &b| {
            stored_f[a]
                .partial_cmp(&stored_f[b])
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        // best: None = infinity
        let mut best: Option<Option<Q>> = None;
        let mut best_f = f64::INFINITY;
        let mut tied: Vec<usize> = Vec::new();
        for &p in &remaining {
            if best.is_some()
                && stored_f[p].is_finite()
                && best_f.is_finite()
                && stored_f[p] > best_f * (1.0 + 1e-9)
            {
                break;
            }
            if best.is_some() && best_f.is_finite() && stored_f[p].is_infinite() {
                break;
            }
            let val: Option<Q> = if g.support[p] == 0 {
                None
            } else {
                lv.clear();
                for &gi in &g.supporters[p] {
                    let l = group_level[gi as usize];
                    let a = &mut agg[l as usize];
                    if *a == 0 {
                        lv.push((l, 0));
                    }
                    *a += g.mult[gi as usize];
                }
                for x in lv.iter_mut() {
                    x.1 = std::mem::take(&mut agg[x.0 as usize]);
                }
                for &(l, _) in lv.iter() {
                    let q = &levels[l as usize];
                    work += 1 + (q.numer().bits() + q.denom().bits()) / 64;
                }
                if work > MAX_WORK {
                    return Err(RuleError(format!(
                        "sequential Phragmén stopped after {} rounds: its exact loads grew past levers' arithmetic limit ({MAX_WORK} words) on this election ({n} projects, {} voters); use --rule mes or --rule greedy for it",
                        selected.len(),
                        g.num_voters
                    )));
                }
                let s: Q = lv
                    .iter()
                    .filter(|x| !levels[x.0 as usize].is_zero())
                    .map(|&(l, c)| &levels[l as usize] * q_u(c))
                    .sum();
                Some((s + &e.projects[p].cost) / q_u(g.support[p]))
            };
            stored_f[p] = val.as_ref().map(q_f64).unwrap_or(f64::INFINITY);
            let better = match (&best, &val) {
                (None, _) => true,
                (Some(None), Some(_)) => true,
                (Some(Some(b)), Some(v)) => v < b,
                _ => false,
            };
            let equal = match (&best, &val) {
                (Some(None), None) => true,
                (Some(Some(b)), Some(v)) => v == b,
                _ => false,
            };
            if better {
                best_f = stored_f[p];
                best = Some(val);
                tied = vec![p];
            } else if equal {
                tied.push(p);
            }
        }
        let Some(best) = best else { break };
        if let Some(&p) = tied
            .iter()
            .find(|&&p| &cost + &e.projects[p].cost > e.budget)
        {
            rounds.push(PhragmenRound {
                project: e.projects[p].id.clone(),
                new_max_load: best.clone().map(Num),
                funded: false,
                reason: "minimises the new maximum load but does not fit: the rule stops".into(),
            });
            break;
        }
        let w = *tied.iter().min_by_key(|&&p| ranks[p]).unwrap_or(&tied[0]);
        cost += &e.projects[w].cost;
        selected.push(w);
        rounds.push(PhragmenRound {
            project: e.projects[w].id.clone(),
            new_max_load: best.clone().map(Num),
            funded: true,
            reason: if tied.len() > 1 {
                format!(
                    "minimises the new maximum load (tie among {} broken)",
                    tied.len()
                )
            } else {
                "minimises the new maximum load".into()
            },
        });
        remaining.retain(|&p| p != w);
        if let Some(load) = best {
            levels.push(load);
            agg.push(0);
            let nl = (levels.len() - 1) as u32;
            for &gi in &g.supporters[w] {
                group_level[gi as usize] = nl;
            }
        }
    }
    Ok((selected, rounds))
}
