//! The exact MES run in rationals, with the round-by-round "who paid what" detail; the reference
//! the hybrid run is checked against.

use super::super::Num;
use super::ctx::{Ctx, Run};
use super::types::{MesRound, PaymentGroup};
use crate::num::{Q, q_f64, q_u};
use num_traits::Zero;
use std::collections::HashMap;

impl Ctx<'_, '_> {
    /// The exact run; `detail` records rounds and each project's supporters' money left.
    pub fn run(&self, per_voter: &Q, detail: bool) -> Run {
        let g = &self.prep.groups;
        let e = self.prep.e;
        let n = e.projects.len();
        // levels
        let mut levels: Vec<Q> = vec![per_voter.clone()];
        let mut zero_level: Option<u32> = None;
        let mut group_level: Vec<u32> = vec![0; g.sets.len()];
        let mut proj_levels: Vec<Vec<(u32, u64)>> = vec![Vec::new(); n];
        let mut active = vec![false; n];
        let mut stored: Vec<Q> = vec![Q::zero(); n];
        let mut stored_f: Vec<f64> = vec![0.0; n];
        for &p in &self.candidates {
            proj_levels[p] = vec![(0, g.support[p])];
            active[p] = true;
            stored[p] = &self.costs[p] / (&self.sat[p] * q_u(g.support[p]));
            stored_f[p] = q_f64(&stored[p]);
        }
        let tracked: Vec<bool> = (0..n).map(|p| g.support[p] > 0).collect();
        for p in 0..n {
            if tracked[p] && proj_levels[p].is_empty() {
                proj_levels[p] = vec![(0, g.support[p])];
            }
        }
        let mut remaining: Vec<usize> = self.candidates.clone();
        let mut selected = Vec::new();
        let mut rounds = Vec::new();
        loop {
            remaining.retain(|&p| active[p]);
            remaining.sort_by(|&a, &b| {
                stored_f[a]
                    .partial_cmp(&stored_f[b])
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
            let mut best: Option<Q> = None;
            let mut best_f = f64::INFINITY;
            let mut tied: Vec<usize> = Vec::new();
            for &p in &remaining {
                if best.is_some() && stored_f[p] > best_f * (1.0 + 1e-9) {
                    break;
                }
                let mut lv: Vec<(&Q, u64)> = proj_levels[p]
                    .iter()
                    .filter(|x| x.1 > 0)
                    .map(|&(l, c)| (&levels[l as usize], c))
                    .collect();
                let money: Q = lv.iter().map(|(v, c)| *v * q_u(*c)).sum();
                if money < self.costs[p] {
                    active[p] = false;
                    continue;
                }
                lv.sort_by(|a, b| a.0.cmp(b.0));
                let s = &self.sat[p];
                let mut contrib = Q::zero();
                let mut count: u64 = lv.iter().map(|x| x.1).sum();
                let mut rho = None;
                for (v, c) in &lv {
                    let r = (&self.costs[p] - &contrib) / (s * q_u(count));
                    if &(&r * s) <= *v {
                        rho = Some(r);
                        break;
                    }
                    contrib += *v * q_u(*c);
                    count -= c;
                }
                let Some(rho) = rho else {
                    // money == cost reached only at the very end: the last level pays exactly
                    active[p] = false;
                    continue;
                };
                stored_f[p] = q_f64(&rho);
                stored[p] = rho.clone();
                match &best {
                    Some(b) if rho > *b => {}
                    Some(b) if rho == *b => tied.push(p),
                    _ => {
                        best_f = stored_f[p];
                        best = Some(rho);
                        tied = vec![p];
                    }
                }
            }
            let Some(rho) = best else { break };
            let w = *tied
                .iter()
                .min_by_key(|&&p| self.ranks[p])
                .unwrap_or(&tied[0]);
            let payment = &rho * &self.sat[w];
            // new level per old level
            let mut map: HashMap<u32, u32> = HashMap::new();
            let mut pay_groups: Vec<PaymentGroup> = Vec::new();
            let mut full_payers = 0u64;
            for &(l, c) in &proj_levels[w] {
                if c == 0 {
                    continue;
                }
                let v = levels[l as usize].clone();
                let nl = if v <= payment {
                    if detail && v < payment {
                        pay_groups.push(PaymentGroup {
                            voters: c,
                            paid: Num(v.clone()),
                            capped: true,
                        });
                    } else if detail {
                        full_payers += c;
                    }
                    *zero_level.get_or_insert_with(|| {
                        levels.push(Q::zero());
                        (levels.len() - 1) as u32
                    })
                } else {
                    full_payers += c;
                    levels.push(v - &payment);
                    (levels.len() - 1) as u32
                };
                map.insert(l, nl);
            }
            if detail {
                let mut groups = vec![PaymentGroup {
                    voters: full_payers,
                    paid: Num(payment.clone()),
                    capped: false,
                }];
                groups.extend(pay_groups);
                groups.retain(|x| x.voters > 0);
                rounds.push(MesRound {
                    round: rounds.len() + 1,
                    project: e.projects[w].id.clone(),
                    cost: Num(self.costs[w].clone()),
                    rho: Num(rho.clone()),
                    price_per_supporter: Num(payment.clone()),
                    supporters: g.support[w],
                    payments: groups,
                });
            }
            for &gi in &g.supporters[w] {
                let gi = gi as usize;
                let old = group_level[gi];
                let Some(&new) = map.get(&old) else { continue };
                if new == old {
                    continue;
                }
                group_level[gi] = new;
                let m = g.mult[gi];
                for &q in &g.sets[gi] {
                    let pl = &mut proj_levels[q as usize];
                    if let Some(x) = pl.iter_mut().find(|x| x.0 == old) {
                        x.1 -= m;
                    }
                    match pl.iter_mut().find(|x| x.0 == new) {
                        Some(x) => x.1 += m,
                        None => pl.push((new, m)),
                    }
                    if pl.len() > 8 {
                        pl.retain(|x| x.1 > 0);
                    }
                }
            }
            active[w] = false;
            selected.push(w);
        }
        let money_left = if detail {
            (0..n)
                .map(|p| {
                    proj_levels[p]
                        .iter()
                        .map(|&(l, c)| &levels[l as usize] * q_u(c))
                        .sum()
                })
                .collect()
        } else {
            Vec::new()
        };
        Run {
            selected,
            rounds,
            money_left,
        }
    }
}
