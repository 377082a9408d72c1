//! Method of Equal Shares in exact rationals, with pabutools, equalshares.net and Pabulib-checker
//! semantics, add1/add1u/utilitarian completions and a "who paid what" explanation.
//!
//! Voters whose ballots contain the same set of projects are merged, and voters with equal
//! remaining budgets are kept as one "level", so each round costs O(projects × levels) exact
//! operations instead of O(projects × voters). The add1 runs use a hybrid float/exact pass that
//! keeps only each group's level and gathers a project's levels when it is evaluated.

use super::{Completion, Num, Prepared, RuleError, RuleSpec, Sat, Semantics, utilitarian};
use crate::num::{Q, floor_q, q_f64, q_int, q_u};
use num_traits::{ToPrimitive, Zero};
use serde::Serialize;
use std::collections::HashMap;

/// What a group of supporters paid in one round.
#[derive(Debug, Clone, Serialize)]
pub struct PaymentGroup {
    /// How many voters paid this amount.
    pub voters: u64,
    pub paid: Num,
    /// True when this is their whole remaining budget (they could not pay the full share).
    pub capped: bool,
}

/// One MES round.
#[derive(Debug, Clone, Serialize)]
pub struct MesRound {
    pub round: usize,
    pub project: String,
    pub cost: Num,
    /// Price per unit of satisfaction (pabutools' affordability ρ).
    pub rho: Num,
    /// What a supporter who can afford it pays: ρ × satisfaction.
    pub price_per_supporter: Num,
    pub supporters: u64,
    pub payments: Vec<PaymentGroup>,
}

/// A project MES did not fund and how far it was from being affordable at the end.
#[derive(Debug, Clone, Serialize)]
pub struct Unfunded {
    pub project: String,
    pub cost: Num,
    pub supporters: u64,
    /// Money its supporters had left when MES stopped.
    pub supporters_money_left: Num,
    /// cost − money left.
    pub shortfall: Num,
    /// Money left as a share of the cost, in percent.
    pub effective_support_percent: f64,
    /// Extra supporters with a full fresh share needed to afford it.
    pub more_supporters_needed: Option<u64>,
    /// Funded later by a completion step.
    pub funded_by_completion: bool,
}

/// The MES explanation.
#[derive(Debug, Clone, Serialize)]
pub struct MesExplanation {
    pub semantics: String,
    pub budget_per_voter: Num,
    /// How many MES runs the completion needed.
    pub runs: usize,
    pub rounds: Vec<MesRound>,
    pub unfunded: Vec<Unfunded>,
    /// Projects added by the utilitarian completion, in order.
    pub completion_added: Vec<String>,
}

struct Ctx<'p, 'a> {
    prep: &'p Prepared<'a>,
    costs: Vec<Q>,
    costs_f: Vec<f64>,
    sat_f: Vec<f64>,
    /// satisfaction per supporter (cost or 1)
    sat: Vec<Q>,
    ranks: Vec<usize>,
    candidates: Vec<usize>,
    /// For each project, its supporter groups with their multiplicities.
    sup_m: Vec<Vec<(u32, u64)>>,
    /// Number of levels the last hybrid run created (capacity hint for the next add1 run).
    level_hint: std::cell::Cell<usize>,
}

struct Run {
    selected: Vec<usize>,
    rounds: Vec<MesRound>,
    money_left: Vec<Q>,
}

impl<'p, 'a> Ctx<'p, 'a> {
    /// The outcome for a per-voter budget, identical to the exact run (`run`): every decision is
    /// made in floating point when it is certified far (relative 1e-9) from the threshold, and
    /// otherwise settled exactly on the spot. Remaining budgets ("levels") are kept exactly and the
    /// floating-point copies are rounded from them, so errors never accumulate across rounds.
    fn outcome(&self, per_voter: &Q) -> Vec<usize> {
        let sel = self.run_hybrid(per_voter);
        #[cfg(debug_assertions)]
        if self.prep.groups.sets.len() * self.candidates.len() <= 200_000 {
            debug_assert_eq!(
                sel,
                self.run(per_voter, false).selected,
                "hybrid MES differs from the exact run"
            );
        }
        sel
    }

    /// Exact ρ of `p` when the float pass certified which levels are capped: (cost − Σ capped) / (s × count).
    fn rho_from(&self, p: usize, lz: &mut Lazy, capped: &[(u32, u64)], count: u64) -> Q {
        let mut contrib = Q::zero();
        for &(l, c) in capped {
            contrib += lz.exact(l) * q_u(c);
        }
        (&self.costs[p] - contrib) / (&self.sat[p] * q_u(count))
    }

    fn run_hybrid(&self, per_voter: &Q) -> Vec<usize> {
        let g = &self.prep.groups;
        let n = self.costs.len();
        let pv_f = q_f64(per_voter);
        // capacity from the previous run, so the level arrays do not grow (and copy) round by round
        let cap = self.level_hint.get();
        let mut lz = Lazy {
            defs: Vec::with_capacity(cap),
            exact: Vec::with_capacity(cap),
            vf: Vec::with_capacity(cap),
            ve: Vec::with_capacity(cap),
            pays: Vec::new(),
        };
        lz.push(LDef::Val, Some(per_voter.clone()), pv_f, pv_f * U);
        let mut zero_level: Option<u32> = None;
        let mut group_level: Vec<u32> = vec![0; g.sets.len()];
        // per-level voter counts, scratch for `gather` (levels of a project are built on demand)
        let mut agg: Vec<u64> = Vec::new();
        let mut active = vec![false; n];
        // lower bound on each candidate's current ρ (ρ never decreases as budgets shrink)
        let mut lb: Vec<f64> = vec![0.0; n];
        for &p in &self.candidates {
            active[p] = true;
            lb[p] = self.costs_f[p] / (self.sat_f[p] * g.support[p] as f64) * (1.0 - 1e-12);
        }
        let mut remaining: Vec<usize> = self.candidates.clone();
        let mut selected = Vec::new();
        let mut lv: Vec<(u32, u64)> = Vec::new();
        let mut cands: Vec<Cand> = Vec::new();
        let mut new_of: Vec<u32> = Vec::new();
        let mut mapped: Vec<u32> = Vec::new();
        let mut capped_flag: Vec<bool> = Vec::new();
        loop {
            if agg.len() < lz.vf.len() {
                agg.resize(lz.vf.len(), 0);
            }
            remaining.retain(|&p| active[p]);
            remaining.sort_unstable_by(|&a, &b| lb[a].total_cmp(&lb[b]));
            cands.clear();
            let mut best_hi = f64::INFINITY;
            for &p in &remaining {
                if lb[p] > best_hi {
                    break;
                }
                let cost = self.costs_f[p];
                let cost_e = cost * U;
                let s = self.sat_f[p];
                gather(&self.sup_m[p], &group_level, &mut agg, &mut lv);
                let mut money = 0.0;
                let mut money_e = 0.0;
                for &(l, c) in lv.iter() {
                    money += lz.vf[l as usize] * c as f64;
                    money_e += lz.ve[l as usize] * c as f64;
                }
                money_e += U * money * (lv.len() as f64 + 1.0) + cost_e;
                let mut fast: Option<Cand> = None;
                if money + SAFE * money_e < cost {
                    active[p] = false;
                    continue;
                }
                if money - SAFE * money_e > cost
                    && let Some((x, x_e, count)) =
                        water(&lv, &lz.vf, &lz.ve, cost, cost_e, &mut capped_flag)
                {
                    let r = x / s;
                    let tol = SAFE * (x_e / s + U * r);
                    let capped = lv
                        .iter()
                        .zip(capped_flag.iter())
                        .filter(|x| *x.1)
                        .map(|x| *x.0)
                        .collect();
                    fast = Some(Cand {
                        rho_f: r,
                        tol,
                        p,
                        exact: None,
                        capped,
                        count,
                        pay_f: x,
                        pay_e: x_e,
                    });
                }
                if fast.is_none() && money - SAFE * money_e > cost {
                    lv.sort_unstable_by(|a, b| lz.vf[a.0 as usize].total_cmp(&lz.vf[b.0 as usize]));
                    let mut contrib = 0.0;
                    let mut contrib_e = 0.0;
                    let mut count: u64 = lv.iter().map(|x| x.1).sum();
                    for (k, &(l, c)) in lv.iter().enumerate() {
                        let (v, ve) = (lz.vf[l as usize], lz.ve[l as usize]);
                        let x = (cost - contrib) / count as f64;
                        let x_e =
                            (cost_e + contrib_e + U * (cost + contrib)) / count as f64 + U * x;
                        if (x - v).abs() <= SAFE * (x_e + ve + U * v) {
                            break;
                        }
                        if x <= v {
                            let r = x / s;
                            let tol = SAFE * (x_e / s + U * r);
                            fast = Some(Cand {
                                rho_f: r,
                                tol,
                                p,
                                exact: None,
                                capped: lv[..k].to_vec(),
                                count,
                                pay_f: x,
                                pay_e: x_e,
                            });
                            break;
                        }
                        contrib += v * c as f64;
                        contrib_e += ve * c as f64 + U * contrib;
                        count -= c;
                    }
                }
                let entry = match fast {
                    Some(c) => c,
                    None => match self.rho_exact_lazy(p, &mut lz, &lv) {
                        None => {
                            active[p] = false;
                            continue;
                        }
                        Some(q) => {
                            let f = q_f64(&q);
                            let pay = &q * &self.sat[p];
                            let pf = q_f64(&pay);
                            Cand {
                                rho_f: f,
                                tol: f * 1e-12,
                                p,
                                exact: Some(q),
                                capped: Vec::new(),
                                count: 0,
                                pay_f: pf,
                                pay_e: pf * U,
                            }
                        }
                    },
                };
                lb[p] = entry.rho_f - entry.tol;
                best_hi = best_hi.min(entry.rho_f + entry.tol);
                cands.push(entry);
            }
            cands.retain(|c| c.rho_f - c.tol <= best_hi);
            if cands.is_empty() {
                break;
            }
            if cands.len() > 1 {
                for c in cands.iter_mut() {
                    if c.exact.is_none() {
                        c.exact = Some(self.rho_from(c.p, &mut lz, &c.capped, c.count));
                    }
                }
            }
            let mut wi = 0;
            for i in 1..cands.len() {
                let (a, b) = (&cands[i], &cands[wi]);
                let (qa, qb) = (
                    a.exact.as_ref().expect("exact ρ"),
                    b.exact.as_ref().expect("exact ρ"),
                );
                if qa < qb || (qa == qb && self.ranks[a.p] < self.ranks[b.p]) {
                    wi = i;
                }
            }
            let win = cands.swap_remove(wi);
            let w = win.p;
            // the payment ρ × s, exact when known, else defined lazily by the certified structure
            let pay_id = lz.pays.len() as u32;
            let (pf, pe) = match &win.exact {
                Some(q) => {
                    let pay = q * &self.sat[w];
                    let pf = q_f64(&pay);
                    lz.pays.push(PayDef {
                        exact: Some(pay),
                        cost: self.costs[w].clone(),
                        capped: Vec::new(),
                        count: 0,
                    });
                    (pf, pf * U)
                }
                None => {
                    lz.pays.push(PayDef {
                        exact: None,
                        cost: self.costs[w].clone(),
                        capped: win.capped,
                        count: win.count,
                    });
                    (win.pay_f, win.pay_e)
                }
            };
            if new_of.len() < lz.vf.len() {
                new_of.resize(lz.vf.len(), u32::MAX);
            }
            mapped.clear();
            gather(&self.sup_m[w], &group_level, &mut agg, &mut lv);
            for &(l, _) in lv.iter() {
                let (v, ve) = (lz.vf[l as usize], lz.ve[l as usize]);
                let margin = SAFE * (ve + pe + U * v.abs().max(pf.abs()));
                let zero = if v - margin > pf {
                    false
                } else if v + margin < pf {
                    true
                } else {
                    let vq = lz.exact(l);
                    vq <= lz.pay_exact(pay_id)
                };
                let nl = if zero {
                    *zero_level.get_or_insert_with(|| lz.push(LDef::Val, Some(Q::zero()), 0.0, 0.0))
                } else {
                    let nv = v - pf;
                    lz.push(LDef::Sub(l, pay_id), None, nv, ve + pe + U * nv.abs())
                };
                new_of[l as usize] = nl;
                mapped.push(l);
            }
            for &gi in &g.supporters[w] {
                let gi = gi as usize;
                let new = new_of[group_level[gi] as usize];
                if new != u32::MAX {
                    group_level[gi] = new;
                }
            }
            for &l in &mapped {
                new_of[l as usize] = u32::MAX;
            }
            active[w] = false;
            selected.push(w);
        }
        self.level_hint.set(self.level_hint.get().max(lz.vf.len()));
        selected
    }

    /// Exact ρ of `p` from its (lazily materialised) exact levels; `None` when unaffordable.
    fn rho_exact_lazy(&self, p: usize, lz: &mut Lazy, pl: &[(u32, u64)]) -> Option<Q> {
        let vals: Vec<Q> = pl.iter().map(|&(l, _)| lz.exact(l)).collect();
        let mut lvq: Vec<(&Q, u64)> = vals
            .iter()
            .zip(pl.iter())
            .map(|(v, &(_, c))| (v, c))
            .collect();
        let money: Q = lvq.iter().map(|(v, c)| *v * q_u(*c)).sum();
        if money < self.costs[p] {
            return None;
        }
        lvq.sort_by(|a, b| a.0.cmp(b.0));
        let s = &self.sat[p];
        let mut contrib = Q::zero();
        let mut count: u64 = lvq.iter().map(|x| x.1).sum();
        for (v, c) in &lvq {
            let r = (&self.costs[p] - &contrib) / (s * q_u(count));
            if &(&r * s) <= *v {
                return Some(r);
            }
            contrib += *v * q_u(*c);
            count -= c;
        }
        None
    }

    fn run(&self, per_voter: &Q, detail: bool) -> Run {
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

/// Generous unit roundoff (≈ 9 ulps) and safety factor for the running error bounds of the float pass.
const U: f64 = 1e-15;
const SAFE: f64 = 4.0;

/// Float water-filling for an affordable project without sorting its levels: caps every level
/// below the equal share x = (cost − Σ capped)/count until none is left below (x only grows).
/// Returns (x, error bound of x, uncapped count) and the capped flags per level, or `None` when
/// some level is within its error margin of x (or no quick convergence): the caller then decides
/// by the sorted scan / exactly. Every level is certified strictly below (capped) or above x.
fn water(
    lv: &[(u32, u64)],
    vf: &[f64],
    ve: &[f64],
    cost: f64,
    cost_e: f64,
    capped: &mut Vec<bool>,
) -> Option<(f64, f64, u64)> {
    capped.clear();
    capped.resize(lv.len(), false);
    let mut count: u64 = lv.iter().map(|x| x.1).sum();
    let mut contrib = 0.0;
    let mut contrib_e = 0.0;
    let mut ncap = 0usize;
    let mut x = cost / count as f64;
    let mut converged = false;
    for _ in 0..12 {
        let mut changed = false;
        for (i, &(l, c)) in lv.iter().enumerate() {
            let v = vf[l as usize];
            if !capped[i] && v < x {
                capped[i] = true;
                changed = true;
                contrib += v * c as f64;
                contrib_e += ve[l as usize] * c as f64;
                count -= c;
                ncap += 1;
            }
        }
        if !changed {
            converged = true;
            break;
        }
        if count == 0 {
            return None;
        }
        x = (cost - contrib) / count as f64;
    }
    if !converged || x.is_nan() || x <= 0.0 {
        return None;
    }
    // contrib: ncap products and additions of nonnegative terms, each rounding ≤ U·contrib
    let ce = contrib_e + U * contrib * (ncap as f64 + 1.0);
    let x_e = (cost_e + ce + U * (cost + contrib)) / count as f64 + U * x;
    for (i, &(l, _)) in lv.iter().enumerate() {
        let (v, e) = (vf[l as usize], ve[l as usize]);
        if (x - v).abs() <= SAFE * (x_e + e + U * v) || capped[i] != (v < x) {
            return None;
        }
    }
    Some((x, x_e, count))
}

/// The levels of a project's supporters with their voter counts (in first-seen order), from the
/// voter groups' current levels; `agg` is zeroed scratch indexed by level (at least as long as the
/// number of levels) and is left zeroed.
fn gather(sup: &[(u32, u64)], group_level: &[u32], agg: &mut [u64], out: &mut Vec<(u32, u64)>) {
    out.clear();
    for &(gi, m) in sup {
        let l = group_level[gi as usize];
        let a = &mut agg[l as usize];
        if *a == 0 {
            out.push((l, 0));
        }
        *a += m;
    }
    for x in out.iter_mut() {
        x.1 = std::mem::take(&mut agg[x.0 as usize]);
    }
}

/// How a remaining-budget level is defined: a known value, or a parent level minus a round's payment.
enum LDef {
    Val,
    Sub(u32, u32),
}

/// A round's payment ρ × s: exact, or (cost − Σ capped levels) / count with the capped levels
/// certified by the float pass.
struct PayDef {
    exact: Option<Q>,
    cost: Q,
    capped: Vec<(u32, u64)>,
    count: u64,
}

/// Levels with float values, absolute error bounds and exact values materialised on demand.
struct Lazy {
    defs: Vec<LDef>,
    exact: Vec<Option<Q>>,
    vf: Vec<f64>,
    ve: Vec<f64>,
    pays: Vec<PayDef>,
}

impl Lazy {
    fn push(&mut self, d: LDef, exact: Option<Q>, vf: f64, ve: f64) -> u32 {
        self.defs.push(d);
        self.exact.push(exact);
        self.vf.push(vf);
        self.ve.push(ve);
        (self.defs.len() - 1) as u32
    }

    fn exact(&mut self, l: u32) -> Q {
        if let Some(q) = &self.exact[l as usize] {
            return q.clone();
        }
        let LDef::Sub(parent, pay) = self.defs[l as usize] else {
            unreachable!("value levels are exact")
        };
        let v = self.exact(parent) - self.pay_exact(pay);
        self.exact[l as usize] = Some(v.clone());
        v
    }

    fn pay_exact(&mut self, k: u32) -> Q {
        if let Some(q) = &self.pays[k as usize].exact {
            return q.clone();
        }
        let capped = std::mem::take(&mut self.pays[k as usize].capped);
        let mut contrib = Q::zero();
        for &(l, c) in &capped {
            contrib += self.exact(l) * q_u(c);
        }
        let d = &self.pays[k as usize];
        let v = (&d.cost - contrib) / q_u(d.count);
        self.pays[k as usize].exact = Some(v.clone());
        v
    }
}

/// A candidate's ρ this round: float value with tolerance, exact when computed, and the certified
/// capped levels / uncapped count that define it exactly.
struct Cand {
    rho_f: f64,
    tol: f64,
    p: usize,
    exact: Option<Q>,
    capped: Vec<(u32, u64)>,
    count: u64,
    pay_f: f64,
    pay_e: f64,
}

fn total(costs: &[Q], sel: &[usize]) -> Q {
    sel.iter().map(|&p| costs[p].clone()).sum()
}

/// Runs MES with the spec's satisfaction, completion and semantics. Returns the selection order.
pub fn mes(
    prep: &Prepared<'_>,
    spec: &RuleSpec,
    explain: bool,
    notes: &mut Vec<String>,
) -> Result<(Vec<usize>, MesExplanation), RuleError> {
    let e = prep.e;
    let g = &prep.groups;
    let n = e.projects.len();
    let sem = spec.semantics;
    let floor = sem == Semantics::Checker;
    let costs: Vec<Q> = e
        .projects
        .iter()
        .map(|p| {
            if floor {
                floor_q(&p.cost)
            } else {
                p.cost.clone()
            }
        })
        .collect();
    let budget = if floor {
        floor_q(&e.budget)
    } else {
        e.budget.clone()
    };
    let sat: Vec<Q> = (0..n)
        .map(|p| match spec.sat {
            Sat::Cost => costs[p].clone(),
            Sat::Cardinality => q_int(1),
        })
        .collect();
    let ranks = spec.effective_tie().ranks(e, &g.support);
    let voters = g.num_voters;
    let mut initial: Vec<usize> = Vec::new();
    let mut candidates = Vec::new();
    for p in 0..n {
        if g.support[p] == 0 || sat[p].is_zero() {
            continue;
        }
        if costs[p] > q_int(0) {
            candidates.push(p);
        } else if sem == Semantics::Pabutools {
            initial.push(p);
        }
    }
    initial.sort_by_key(|&p| ranks[p]);
    let costs_f: Vec<f64> = costs.iter().map(q_f64).collect();
    let sat_f: Vec<f64> = sat.iter().map(q_f64).collect();
    let sup_m: Vec<Vec<(u32, u64)>> = g
        .supporters
        .iter()
        .map(|v| v.iter().map(|&gi| (gi, g.mult[gi as usize])).collect())
        .collect();
    let ctx = Ctx {
        prep,
        costs: costs.clone(),
        costs_f,
        sat_f,
        sat,
        ranks: ranks.clone(),
        candidates: candidates.clone(),
        sup_m,
        level_hint: std::cell::Cell::new(1),
    };
    if voters == 0 {
        let ex = MesExplanation {
            semantics: sem.name().into(),
            budget_per_voter: Num(q_int(0)),
            runs: 0,
            rounds: vec![],
            unfunded: vec![],
            completion_added: vec![],
        };
        return Ok((initial, ex));
    }
    let nq = q_u(voters);
    let start = &budget / &nq;
    let inc = spec.increment.clone().unwrap_or_else(|| q_int(1));
    if inc <= q_int(0) {
        return Err(RuleError("the add1 increment must be positive".into()));
    }
    let add1 = matches!(spec.completion, Completion::Add1 | Completion::Add1U);
    let mut runs = 1usize;
    let mut per_voter = start.clone();
    let mut cur: Vec<usize> = ctx.outcome(&start);
    let init_cost = total(&costs, &initial);
    const MAX_RUNS: usize = 2_000_000;
    if add1 {
        match sem {
            Semantics::Pabutools => {
                let mut prev: Option<(Vec<usize>, Q)> = None;
                let mut b = start.clone();
                loop {
                    let c = &init_cost + total(&costs, &cur);
                    if c > budget {
                        match prev {
                            Some((r, pb)) => {
                                cur = r;
                                per_voter = pb;
                            }
                            None => {
                                cur = Vec::new();
                            }
                        }
                        break;
                    }
                    let exhaustive = candidates
                        .iter()
                        .all(|p| cur.contains(p) || &c + &costs[*p] > budget);
                    if exhaustive {
                        per_voter = b.clone();
                        break;
                    }
                    if runs >= MAX_RUNS {
                        notes.push(format!("add1 stopped after {MAX_RUNS} runs"));
                        break;
                    }
                    prev = Some((cur, b.clone()));
                    b += &inc;
                    cur = ctx.outcome(&b);
                    runs += 1;
                }
            }
            Semantics::Equalshares | Semantics::Checker => {
                let mut tot = floor_q(&start) * &nq;
                let step = &inc * &nq;
                let all_cands = candidates.len();
                loop {
                    let c = total(&costs, &cur);
                    if sem == Semantics::Equalshares {
                        let exhaustive =
                            (0..n).all(|p| cur.contains(&p) || &c + &costs[p] > budget);
                        if exhaustive {
                            break;
                        }
                    }
                    if cur.len() == all_cands && runs > 1 {
                        // every supported project is funded: further increments change nothing
                        break;
                    }
                    if runs >= MAX_RUNS {
                        notes.push(format!("add1 stopped after {MAX_RUNS} runs"));
                        break;
                    }
                    let next_tot = &tot + &step;
                    let pv = &next_tot / &nq;
                    let next = ctx.outcome(&pv);
                    runs += 1;
                    if total(&costs, &next) <= budget {
                        tot = next_tot;
                        per_voter = pv;
                        cur = next;
                        if cur.len() == all_cands {
                            break;
                        }
                    } else {
                        break;
                    }
                }
            }
        }
    }
    let final_run = if explain {
        ctx.run(&per_voter, true)
    } else {
        Run {
            selected: cur,
            rounds: Vec::new(),
            money_left: Vec::new(),
        }
    };
    let mut selected = initial.clone();
    selected.extend(final_run.selected.iter().copied());
    let mes_part = selected.clone();
    let mut completion_added = Vec::new();
    if matches!(spec.completion, Completion::Add1U | Completion::Utilitarian) {
        let before = selected.len();
        match sem {
            Semantics::Pabutools => {
                let (sel, _) = utilitarian::greedy_utilitarian(
                    prep,
                    spec.sat,
                    &ranks,
                    &selected,
                    spec.fund_unsupported,
                );
                selected = sel;
            }
            _ => {
                selected = votes_completion(prep, &costs, &budget, &selected);
            }
        }
        completion_added = selected[before..]
            .iter()
            .map(|&p| e.projects[p].id.clone())
            .collect();
    }
    let mut unfunded = Vec::new();
    if explain {
        #[allow(clippy::needless_range_loop)]
        for p in 0..n {
            if mes_part.contains(&p) {
                continue;
            }
            let left = final_run.money_left.get(p).cloned().unwrap_or_else(Q::zero);
            let short = &costs[p] - &left;
            let more = if short > q_int(0) && per_voter > q_int(0) {
                (&short / &per_voter).ceil().to_integer().to_u64()
            } else {
                Some(0)
            };
            unfunded.push(Unfunded {
                project: e.projects[p].id.clone(),
                cost: Num(costs[p].clone()),
                supporters: g.support[p],
                supporters_money_left: Num(left.clone()),
                shortfall: Num(short),
                effective_support_percent: if costs[p].is_zero() {
                    0.0
                } else {
                    100.0 * q_f64(&(left / &costs[p]))
                },
                more_supporters_needed: more,
                funded_by_completion: selected.contains(&p),
            });
        }
    }
    if runs > 1 {
        notes.push(format!(
            "add1: {runs} MES runs, final budget per voter {}",
            crate::num::fmt_q_approx(&per_voter, 4)
        ));
    }
    let ex = MesExplanation {
        semantics: sem.name().into(),
        budget_per_voter: Num(per_voter),
        runs,
        rounds: final_run.rounds,
        unfunded,
        completion_added,
    };
    Ok((selected, ex))
}

/// equalshares.net / checker utilitarian completion: by number of supporters (stable on file
/// order), add every project that still fits.
pub fn votes_completion(
    prep: &Prepared<'_>,
    costs: &[Q],
    budget: &Q,
    already: &[usize],
) -> Vec<usize> {
    let g = &prep.groups;
    let mut order: Vec<usize> = (0..costs.len()).collect();
    order.sort_by(|&a, &b| g.support[b].cmp(&g.support[a]));
    let mut sel = already.to_vec();
    let mut cost = total(costs, &sel);
    for p in order {
        if sel.contains(&p) {
            continue;
        }
        if &cost + &costs[p] > *budget {
            continue;
        }
        cost += &costs[p];
        sel.push(p);
    }
    sel
}
