//! The exact MES run in rationals, with the round-by-round "who paid what" detail; the reference
//! the hybrid run is checked against. `replay` recomputes the detail exactly for a winner sequence
//! already known (from the hybrid run), evaluating only the winners.

use super::super::Num;
use super::ctx::{Ctx, Run};
use super::types::{MesRound, PaymentGroup};
use crate::num::{Q, q_f64, q_u, sum_weighted};
use num_traits::Zero;
use std::collections::HashMap;

/// The exact state of a run: every remaining-budget level, each voter group's level and, per
/// project, its supporters' levels with their voter counts.
struct Exact {
    levels: Vec<Q>,
    zero_level: Option<u32>,
    group_level: Vec<u32>,
    proj_levels: Vec<Vec<(u32, u64)>>,
}

impl Exact {
    fn new(ctx: &Ctx<'_, '_>, per_voter: &Q) -> Self {
        let g = &ctx.prep.groups;
        let n = ctx.prep.e.projects.len();
        let mut proj_levels: Vec<Vec<(u32, u64)>> = vec![Vec::new(); n];
        for (p, pl) in proj_levels.iter_mut().enumerate() {
            if g.support[p] > 0 {
                *pl = vec![(0, g.support[p])];
            }
        }
        Exact {
            levels: vec![per_voter.clone()],
            zero_level: None,
            group_level: vec![0; g.sets.len()],
            proj_levels,
        }
    }

    /// p's exact ρ now, or `None` when its supporters cannot pay its cost.
    fn rho(&self, ctx: &Ctx<'_, '_>, p: usize) -> Option<Q> {
        let mut lv: Vec<(&Q, u64)> = self.proj_levels[p]
            .iter()
            .filter(|x| x.1 > 0)
            .map(|&(l, c)| (&self.levels[l as usize], c))
            .collect();
        // no separate "money < cost" test: the water-filling below finds a payment exactly when
        // the supporters' money covers the cost (a payment x ≤ vₖ ≤ vᵢ for i ≥ k means
        // Σᵢ≥ₖ vᵢcᵢ ≥ x·countₖ = cost − contribₖ; and with money < cost the last step fails)
        lv.sort_by(|a, b| a.0.cmp(b.0));
        let s = &ctx.sat[p];
        let mut contrib = Q::zero();
        let mut count: u64 = lv.iter().map(|x| x.1).sum();
        for (v, c) in &lv {
            let r = (&ctx.costs[p] - &contrib) / (s * q_u(count));
            if &(&r * s) <= *v {
                return Some(r);
            }
            contrib += *v * q_u(*c);
            count -= c;
        }
        None
    }

    /// w wins at ρ: its supporters pay ρ × s each, or all they have; with `detail`, the round.
    fn pay(
        &mut self,
        ctx: &Ctx<'_, '_>,
        w: usize,
        rho: &Q,
        round: usize,
        detail: bool,
    ) -> Option<MesRound> {
        let g = &ctx.prep.groups;
        let payment = rho * &ctx.sat[w];
        // new level per old level
        let mut map: HashMap<u32, u32> = HashMap::new();
        let mut pay_groups: Vec<PaymentGroup> = Vec::new();
        let mut full_payers = 0u64;
        for &(l, c) in &self.proj_levels[w] {
            if c == 0 {
                continue;
            }
            let v = self.levels[l as usize].clone();
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
                let levels = &mut self.levels;
                *self.zero_level.get_or_insert_with(|| {
                    levels.push(Q::zero());
                    (levels.len() - 1) as u32
                })
            } else {
                full_payers += c;
                self.levels.push(v - &payment);
                (self.levels.len() - 1) as u32
            };
            map.insert(l, nl);
        }
        let out = detail.then(|| {
            let mut groups = vec![PaymentGroup {
                voters: full_payers,
                paid: Num(payment.clone()),
                capped: false,
            }];
            groups.extend(pay_groups);
            groups.retain(|x| x.voters > 0);
            MesRound {
                round,
                project: ctx.prep.e.projects[w].id.clone(),
                cost: Num(ctx.costs[w].clone()),
                rho: Num(rho.clone()),
                price_per_supporter: Num(payment.clone()),
                supporters: g.support[w],
                payments: groups,
            }
        });
        for &gi in &g.supporters[w] {
            let gi = gi as usize;
            let old = self.group_level[gi];
            let Some(&new) = map.get(&old) else { continue };
            if new == old {
                continue;
            }
            self.group_level[gi] = new;
            let m = g.mult[gi];
            for &q in &g.sets[gi] {
                let pl = &mut self.proj_levels[q as usize];
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
        out
    }

    /// Each project's supporters' money left.
    fn money_left(&self) -> Vec<Q> {
        self.proj_levels
            .iter()
            .map(|pl| sum_weighted(pl.iter().map(|&(l, c)| (&self.levels[l as usize], c))))
            .collect()
    }
}

impl Ctx<'_, '_> {
    /// The exact run; `detail` records rounds and each project's supporters' money left.
    pub fn run(&self, per_voter: &Q, detail: bool) -> Run {
        let n = self.prep.e.projects.len();
        let mut st = Exact::new(self, per_voter);
        let mut active = vec![false; n];
        let mut stored_f: Vec<f64> = vec![0.0; n];
        for &p in &self.candidates {
            active[p] = true;
            stored_f[p] =
                q_f64(&(&self.costs[p] / (&self.sat[p] * q_u(self.prep.groups.support[p]))));
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
                let Some(rho) = st.rho(self, p) else {
                    active[p] = false;
                    continue;
                };
                stored_f[p] = q_f64(&rho);
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
            rounds.extend(st.pay(self, w, &rho, rounds.len() + 1, detail));
            active[w] = false;
            selected.push(w);
        }
        Run {
            selected,
            rounds,
            money_left: if detail { st.money_left() } else { Vec::new() },
        }
    }

    /// The exact run's detail for a winner sequence already known to be the run's at this
    /// per-voter budget (the hybrid run's): only the winners are evaluated. `None` if a winner
    /// cannot pay here (then the sequence was not this run's).
    pub fn replay(&self, per_voter: &Q, winners: &[usize]) -> Option<Run> {
        let mut st = Exact::new(self, per_voter);
        let mut rounds = Vec::with_capacity(winners.len());
        for (i, &w) in winners.iter().enumerate() {
            let rho = st.rho(self, w)?;
            rounds.extend(st.pay(self, w, &rho, i + 1, true));
        }
        Some(Run {
            selected: winners.to_vec(),
            rounds,
            money_left: st.money_left(),
        })
    }
}
