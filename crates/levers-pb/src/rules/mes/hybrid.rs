//! The hybrid MES run: decisions in floating point when certified far from their threshold, exact
//! otherwise, with remaining budgets kept as lazily exact "levels". On request it also returns the
//! run's reach: how far the per-voter budget can grow with every decision of the run unchanged
//! (the argument is in ARCHITECTURE.md, levers-pb).

use super::bounds::envelope_holds;
use super::ctx::Ctx;
use super::gathered::{Gathered, List, RoundIndex};
use super::lazy::{
    Check, Fe, HybridOut, Lazy, PayDef, Rival, SAFE, Snap, Tk, U, fe_div, fe_sub, gather, water,
};
use super::reach::{Lb, Now, Reach, Scratch};
use crate::num::{Q, q_f64, q_int, q_u};
use num_traits::Zero;
use std::sync::atomic::Ordering::Relaxed;

/// A candidate's ρ this round: float value with tolerance, exact when computed, and the capped
/// levels / uncapped count that define it exactly.
struct Cand {
    rho_f: f64,
    tol: f64,
    p: usize,
    exact: Option<Q>,
    /// Where its capped levels sit in the round's `caps`.
    capped: std::ops::Range<usize>,
    count: u64,
    pay_f: f64,
    pay_e: f64,
}

/// Appends a candidate's capped levels to the round's `caps`; where they sit.
fn keep(
    caps: &mut Vec<(u32, u64)>,
    levels: impl IntoIterator<Item = (u32, u64)>,
) -> std::ops::Range<usize> {
    let start = caps.len();
    caps.extend(levels);
    start..caps.len()
}

impl Ctx<'_, '_> {
    /// Exact ρ of `p` when the capped levels are known: (cost − Σ capped) / (s × count).
    fn rho_from(&self, p: usize, lz: &mut Lazy, capped: &[(u32, u64)], count: u64) -> Q {
        let contrib = lz.sum_exact(capped);
        (&self.costs[p] - contrib) / (&self.sat[p] * q_u(count))
    }

    /// Slope of ρ_C for `p` with capped set `capped` and uncapped count `count`, in floats.
    fn rho_slope_f(&self, p: usize, lz: &Lazy, capped: &[(u32, u64)], count: u64) -> Fe {
        let s = lz.slope_sum_f(capped);
        fe_div(Fe { v: -s.v, e: s.e }, self.sat_f[p] * count as f64)
    }

    /// The outcome for a per-voter budget (see `outcome`) and, when `want_reach`, its reach and
    /// trace; with `check` (the trace of a run at a smaller per-voter budget), whether the outcome
    /// is provably the same at every budget in between (see ARCHITECTURE.md, levers-pb). `shape`
    /// (or the checked run) lends its gathered levels while this run's rounds have its shape.
    pub fn run_hybrid(
        &self,
        per_voter: &Q,
        want_reach: bool,
        base: Option<Check<'_>>,
        shape: Option<&Snap>,
    ) -> HybridOut {
        let check = base.map(|b| b.trace);
        let give_up = base.is_some_and(|b| b.give_up);
        let mut complete = true;
        let shape = shape.or(base.map(|b| b.snap));
        let mut snap = Snap {
            per_voter: q_f64(per_voter),
            ..Snap::default()
        };
        // (round, project) whose ρ here does not clear the checked winner's: for `envelope_holds`
        let mut pending: Vec<(usize, usize)> = Vec::new();
        let mut trace: Vec<Tk> = Vec::new();
        let mut ok = check.is_some();
        let g = &self.prep.groups;
        let n = self.costs.len();
        // capacity from the previous run, so the level arrays do not grow (and copy) round by round
        let mut lz = Lazy::with_capacity(self.level_hint.load(Relaxed));
        lz.push_val(per_voter.clone(), q_int(1));
        let mut reach = Reach {
            d: if want_reach { f64::INFINITY } else { 0.0 },
            back: if want_reach { f64::INFINITY } else { 0.0 },
            pred: if want_reach { f64::INFINITY } else { 0.0 },
            want: want_reach,
            unaff: Vec::new(),
        };
        let mut group_level: Vec<u32> = vec![0; g.sets.len()];
        // per-level voter counts, scratch for `gather` (levels of a project are built on demand)
        let mut agg: Vec<u64> = Vec::new();
        let mut is_capped: Vec<bool> = Vec::new();
        let mut active = vec![false; n];
        // lower bound on each candidate's current ρ (ρ never decreases as budgets shrink)
        let mut lb: Vec<f64> = vec![0.0; n];
        let mut lbs: Vec<Option<Lb>> = Vec::new();
        if want_reach {
            lbs.resize_with(n, || None);
        }
        for &p in &self.candidates {
            active[p] = true;
            let r = self.costs_f[p] / (self.sat_f[p] * g.support[p] as f64);
            lb[p] = r * (1.0 - 1e-12);
            if want_reach {
                lbs[p] = Some(Lb {
                    v: Fe {
                        v: r,
                        e: 4.0 * U * r,
                    },
                    s: Fe { v: 0.0, e: 0.0 },
                });
            }
        }
        let mut remaining: Vec<usize> = self.candidates.clone();
        let mut selected = Vec::new();
        let mut lv: Vec<(u32, u64)> = Vec::new();
        let mut guess_scratch = Scratch::default();
        let mut cands: Vec<Cand> = Vec::new();
        let mut new_of: Vec<u32> = Vec::new();
        let mut mapped: Vec<u32> = Vec::new();
        let mut capped_flag: Vec<bool> = Vec::new();
        // every candidate's capped levels this round, one after another
        let mut caps: Vec<(u32, u64)> = Vec::new();
        // this run's gathered levels (kept for a later run), and the shape run's while every
        // round so far has had its shape
        let mut own = Gathered::default();
        let mut same_shape = shape.is_some();
        let mut base_round = RoundIndex::default();
        loop {
            own.start_round();
            if let Some(b) = shape.filter(|_| same_shape) {
                same_shape = base_round.load(&b.gathered, selected.len(), n);
            }
            if agg.len() < lz.vf.len() {
                agg.resize(lz.vf.len(), 0);
            }
            remaining.retain(|&p| active[p]);
            remaining.sort_unstable_by(|&a, &b| lb[a].total_cmp(&lb[b]));
            cands.clear();
            caps.clear();
            let mut best_hi = f64::INFINITY;
            // with a check, also evaluate every project whose bound does not clear the checked ρ
            // (a run with more rounds than the checked one fails the length test at the end)
            let tk = check.filter(|_| ok).and_then(|t| t.get(selected.len()));
            let t_hi = tk.map_or(f64::NEG_INFINITY, |t| t.f + t.tol);
            // the least lower bound of the projects not evaluated (`remaining` is in its order)
            let mut rest = f64::INFINITY;
            for &p in &remaining {
                if lb[p] > best_hi && lb[p] > t_hi {
                    rest = lb[p];
                    break;
                }
                let cost = self.costs_f[p];
                let cost_e = cost * U;
                let s = self.sat_f[p];
                // the full list (zero levels too: its level ids are the same in every run with
                // these winners so far), then the levels that still hold money
                let full = match shape
                    .filter(|_| same_shape)
                    .and_then(|b| base_round.get(&b.gathered, selected.len(), p))
                {
                    Some(x) => {
                        let x = x.clone();
                        // (branch-free: zero levels are common after a few rounds)
                        lv.resize(x.len(), (0, 0));
                        let mut kept = 0;
                        for &e in x.iter() {
                            lv[kept] = e;
                            kept += usize::from(!lz.zeroed[e.0 as usize]);
                        }
                        lv.truncate(kept);
                        Some((x, false))
                    }
                    None => {
                        gather(&self.sup_m[p], &group_level, &mut agg, &mut lv);
                        let kept = own.room(lv.len()).then(|| (List::from(&lv[..]), true));
                        lv.retain(|e| !lz.zeroed[e.0 as usize]);
                        kept
                    }
                };
                if let Some((x, fresh)) = full {
                    own.record(p, x, fresh);
                }
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
                    self.unaffordable(p, &lz, &lv, Some((money, money_e)), &mut reach);
                    continue;
                }
                if money - SAFE * money_e > cost
                    && let Some((x, x_e, count)) =
                        water(&lv, &lz.vf, &lz.ve, cost, cost_e, &mut capped_flag)
                {
                    let r = x / s;
                    let tol = SAFE * (x_e / s + U * r);
                    let flagged = lv.iter().zip(capped_flag.iter()).filter(|x| *x.1);
                    let capped = keep(&mut caps, flagged.map(|x| *x.0));
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
                                capped: keep(&mut caps, lv[..k].iter().copied()),
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
                            self.unaffordable(p, &lz, &lv, None, &mut reach);
                            continue;
                        }
                        Some((q, capped_levels, count)) => {
                            let capped = keep(&mut caps, capped_levels);
                            let f = q_f64(&q);
                            let pay = &q * &self.sat[p];
                            let pf = q_f64(&pay);
                            Cand {
                                rho_f: f,
                                tol: f * 1e-12,
                                p,
                                exact: Some(q),
                                capped,
                                count,
                                pay_f: pf,
                                pay_e: pf * U,
                            }
                        }
                    },
                };
                lb[p] = entry.rho_f - entry.tol;
                best_hi = best_hi.min(entry.rho_f + entry.tol);
                if want_reach {
                    lbs[p] = Some(Lb {
                        v: Fe {
                            v: entry.rho_f,
                            e: entry.tol,
                        },
                        s: self.rho_slope_f(p, &lz, &caps[entry.capped.clone()], entry.count),
                    });
                }
                cands.push(entry);
            }
            if want_reach {
                let rivals = cands.iter().map(|c| Rival {
                    p: c.p,
                    lo: c.rho_f - c.tol,
                    hi: c.rho_f + c.tol,
                    exact: c.exact.clone(),
                });
                snap.rivals.push((rivals.collect(), rest));
            }
            if let Some(t) = tk {
                for c in &cands {
                    if c.p != t.w && !self.stays_behind(c, &caps, t, &mut lz) {
                        pending.push((selected.len(), c.p));
                    }
                }
            }
            cands.retain(|c| c.rho_f - c.tol <= best_hi);
            if cands.is_empty() {
                break;
            }
            if cands.len() > 1 {
                for c in cands.iter_mut() {
                    if c.exact.is_none() {
                        let capped = &caps[c.capped.clone()];
                        c.exact = Some(self.rho_from(c.p, &mut lz, capped, c.count));
                        if let Some((rivals, _)) = snap.rivals.last_mut()
                            && let Some(r) = rivals.iter_mut().find(|r| r.p == c.p)
                        {
                            r.exact.clone_from(&c.exact);
                        }
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
            if tk.is_some_and(|t| t.w != w) || check.is_some_and(|t| selected.len() >= t.len()) {
                ok = false;
            }
            if give_up && !ok {
                complete = false;
                break;
            }
            if want_reach {
                trace.push(Tk {
                    w,
                    f: win.rho_f,
                    tol: win.tol,
                    exact: win.exact.clone(),
                });
            }
            // the payment ρ × s: exact when known, else defined lazily by the certified structure
            let pay_id = lz.pays.len() as u32;
            let (pf, pe) = match &win.exact {
                Some(q) => {
                    let pay = q * &self.sat[w];
                    let pf = q_f64(&pay);
                    (pf, pf * U)
                }
                None => (win.pay_f, win.pay_e),
            };
            let win_capped = caps[win.capped.clone()].to_vec();
            let slope_sum = lz.slope_sum_f(&win_capped);
            let ds = fe_div(
                Fe {
                    v: -slope_sum.v,
                    e: slope_sum.e,
                },
                win.count as f64,
            );
            let rho_w = Fe {
                v: win.rho_f,
                e: win.tol,
            };
            lz.pays.push(PayDef {
                exact: win.exact.as_ref().map(|q| q * &self.sat[w]),
                cost: self.costs[w].clone(),
                capped: win_capped,
                count: win.count,
            });
            if want_reach {
                let now = Now {
                    lz: &lz,
                    group_level: &group_level,
                    gathered: &mut own,
                    shape: shape
                        .filter(|_| same_shape)
                        .map(|b| (&b.gathered, &base_round)),
                    round: selected.len(),
                };
                self.others_stay_behind(
                    (w, rho_w, ds),
                    (&remaining, &active, &lbs),
                    now,
                    &mut guess_scratch,
                    &mut reach,
                );
            }
            if new_of.len() < lz.vf.len() {
                new_of.resize(lz.vf.len(), u32::MAX);
            }
            if is_capped.len() < lz.vf.len() {
                is_capped.resize(lz.vf.len(), false);
            }
            for &(l, _) in &lz.pays[pay_id as usize].capped {
                is_capped[l as usize] = true;
            }
            mapped.clear();
            // the winner was gathered this round (recorded unless past the cap)
            match own.find(selected.len(), w) {
                Some(x) => {
                    lv.clear();
                    lv.extend_from_slice(x);
                }
                None => gather(&self.sup_m[w], &group_level, &mut agg, &mut lv),
            }
            // (every level here: the zero ones move to new zero levels)
            for &(l, _) in lv.iter() {
                let (v, ve) = (lz.vf[l as usize], lz.ve[l as usize]);
                let (sv, se) = (lz.sf[l as usize], lz.se[l as usize]);
                let nl = if is_capped[l as usize] || lz.zeroed[l as usize] {
                    // capped: pays all it has; stays capped while x − v ≥ 0
                    if reach.live() {
                        let f0 = fe_sub(Fe { v: pf, e: pe }, Fe { v, e: ve });
                        let f1 = fe_sub(ds, Fe { v: sv, e: se });
                        reach.cond(f0, f1);
                    }
                    // a zero level per old level (`Lazy::zeroed`): level ids depend only on the
                    // winners so far, never on who was capped
                    lz.push_zero()
                } else {
                    let margin = SAFE * (ve + pe + U * v.abs().max(pf.abs()));
                    // a level left with exactly nothing becomes a zero level (its slope is then
                    // not tracked, so this run gets no reach)
                    let above = v - margin > pf || lz.exact(l) > lz.pay_exact(pay_id);
                    if above {
                        let nv = v - pf;
                        let ns = sv - ds.v;
                        let nl = lz.push_sub(
                            l,
                            pay_id,
                            Fe {
                                v: nv,
                                e: ve + pe + U * nv.abs(),
                            },
                            Fe {
                                v: ns,
                                e: se + ds.e + U * ns.abs(),
                            },
                        );
                        // uncapped: pays x; stays uncapped while its new level is ≥ 0
                        if reach.live() {
                            let f0 = Fe {
                                v: lz.vf[nl as usize],
                                e: lz.ve[nl as usize],
                            };
                            let f1 = Fe {
                                v: lz.sf[nl as usize],
                                e: lz.se[nl as usize],
                            };
                            reach.cond(f0, f1);
                        }
                        nl
                    } else {
                        reach.stop();
                        lz.push_zero()
                    }
                };
                if new_of.len() < lz.vf.len() {
                    new_of.resize(lz.vf.len(), u32::MAX);
                }
                new_of[l as usize] = nl;
                mapped.push(l);
            }
            for &(l, _) in &lz.pays[pay_id as usize].capped {
                is_capped[l as usize] = false;
            }
            for &gi in &g.supporters[w] {
                let gi = gi as usize;
                let new = new_of[group_level[gi] as usize];
                if new != u32::MAX {
                    group_level[gi] = new;
                }
            }
            // the snapshot is kept always: a check, or the next run's shape, may use it
            snap.maps
                .push(mapped.iter().map(|&l| (l, new_of[l as usize])).collect());
            snap.winners.push(w);
            if let Some(b) = shape.filter(|_| same_shape) {
                let r = selected.len();
                same_shape = b.winners.get(r) == Some(&w)
                    && b.maps.get(r).is_some_and(|m| snap.maps.last() == Some(m));
            }
            for &l in &mapped {
                new_of[l as usize] = u32::MAX;
            }
            active[w] = false;
            selected.push(w);
        }
        self.level_hint.fetch_max(lz.vf.len(), Relaxed);
        if check.is_some_and(|t| t.len() != selected.len()) {
            ok = false;
        }
        snap.vf = std::mem::take(&mut lz.vf);
        snap.ve = std::mem::take(&mut lz.ve);
        snap.zeroed = std::mem::take(&mut lz.zeroed);
        snap.reach = reach.d;
        snap.back = reach.back;
        snap.gathered = own;
        if ok
            && let Some(Check {
                trace: t, snap: lo, ..
            }) = base
        {
            let winners: Vec<usize> = t.iter().map(|t| t.w).collect();
            let proj = |p: usize| (&self.sup_m[p][..], self.costs_f[p], self.sat_f[p]);
            let runs = (lo, &snap, reach.back);
            ok = envelope_holds(runs, g.sets.len(), proj, &winners, &pending);
        }
        HybridOut {
            selected,
            reach: if want_reach { reach.d } else { 0.0 },
            pred: reach.pred,
            trace,
            ok,
            snap,
            complete,
        }
    }

    /// Whether candidate `c`'s ρ here is provably above the checked winner's ρ `t` (or equal with
    /// the winner first in the tie order).
    fn stays_behind(&self, c: &Cand, caps: &[(u32, u64)], t: &Tk, lz: &mut Lazy) -> bool {
        if c.rho_f - c.tol > t.f + t.tol {
            return true;
        }
        let Some(te) = &t.exact else { return false };
        if c.rho_f + c.tol < t.f - t.tol {
            return false;
        }
        let q = match &c.exact {
            Some(q) => q.clone(),
            None => self.rho_from(c.p, lz, &caps[c.capped.clone()], c.count),
        };
        q > *te || (q == *te && self.ranks[t.w] < self.ranks[c.p])
    }

    /// Exact ρ of `p` from its (lazily materialised) exact levels, with the capped levels and the
    /// uncapped count; `None` when unaffordable.
    #[allow(clippy::type_complexity)]
    fn rho_exact_lazy(
        &self,
        p: usize,
        lz: &mut Lazy,
        pl: &[(u32, u64)],
    ) -> Option<(Q, Vec<(u32, u64)>, u64)> {
        let mut lvq: Vec<(Q, u32, u64)> = pl.iter().map(|&(l, c)| (lz.exact(l), l, c)).collect();
        let money: Q = lvq.iter().map(|(v, _, c)| v * q_u(*c)).sum();
        if money < self.costs[p] {
            return None;
        }
        lvq.sort_by(|a, b| a.0.cmp(&b.0));
        let s = &self.sat[p];
        let mut contrib = Q::zero();
        let mut count: u64 = lvq.iter().map(|x| x.2).sum();
        for (k, (v, _, c)) in lvq.iter().enumerate() {
            let r = (&self.costs[p] - &contrib) / (s * q_u(count));
            if &(&r * s) <= v {
                let capped = lvq[..k].iter().map(|x| (x.1, x.2)).collect();
                return Some((r, capped, count));
            }
            contrib += v * q_u(*c);
            count -= c;
        }
        None
    }
}
