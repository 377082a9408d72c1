//! Remaining-budget levels of the hybrid run: float values and slopes with error bounds, exact
//! values materialised on demand, float water-filling, and the "reach" of a condition
//! (how far the per-voter budget can grow before an affine decision can flip).

use crate::num::{Q, q_f64, q_u};
use num_traits::Zero;

/// Generous unit roundoff (≈ 9 ulps) and safety factor for the running error bounds of the float pass.
pub(super) const U: f64 = 1e-15;
pub(super) const SAFE: f64 = 4.0;

/// Float water-filling for an affordable project without sorting its levels: caps every level
/// below the equal share x = (cost − Σ capped)/count until none is left below (x only grows).
/// Returns (x, error bound of x, uncapped count) and the capped flags per level, or `None` when
/// some level is within its error margin of x (or no quick convergence): the caller then decides
/// by the sorted scan / exactly. Every level is certified strictly below (capped) or above x.
pub(super) fn water(
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
        // branch-free: which levels fall below x is unpredictable
        for (i, &(l, c)) in lv.iter().enumerate() {
            let v = vf[l as usize];
            let newly = !capped[i] & (v < x);
            capped[i] |= newly;
            changed |= newly;
            let k = f64::from(u8::from(newly));
            contrib += k * (v * c as f64);
            contrib_e += k * (ve[l as usize] * c as f64);
            count -= u64::from(newly) * c;
            ncap += usize::from(newly);
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

/// A project's supporters: (voter group, voters in it), 8 bytes an entry so that the runs'
/// sweeps over every project's supporters stay in cache.
pub(super) type Sup = [(u32, u32)];

/// The levels of a project's supporters with their voter counts (in first-seen order), from the
/// voter groups' current levels; `agg` is zeroed scratch indexed by level (at least as long as the
/// number of levels) and is left zeroed.
pub(super) fn gather(sup: &Sup, group_level: &[u32], agg: &mut [u64], out: &mut Vec<(u32, u64)>) {
    out.clear();
    for &(gi, m) in sup {
        let l = group_level[gi as usize];
        let a = &mut agg[l as usize];
        if *a == 0 {
            out.push((l, 0));
        }
        *a += u64::from(m);
    }
    for x in out.iter_mut() {
        x.1 = std::mem::take(&mut agg[x.0 as usize]);
    }
}

/// A round of a run as a later run's check needs it: the winner and its ρ (float with error bound,
/// exact when the run computed it).
#[derive(Clone, Debug)]
pub(super) struct Tk {
    pub w: usize,
    pub f: f64,
    pub tol: f64,
    pub exact: Option<Q>,
}

/// What a hybrid run returns.
pub(super) struct HybridOut {
    pub selected: Vec<usize>,
    /// How far the per-voter budget can grow with every decision unchanged (0 unless asked).
    pub reach: f64,
    /// A guess of how far the outcome stays the same (see `Reach::pred`; 0 unless asked).
    pub pred: f64,
    /// Each round's winner and ρ (empty unless asked).
    pub trace: Vec<Tk>,
    /// With a check: the winners are the checked run's, and in every round every other project's
    /// ρ here is above the checked run's winner's ρ (or equal and behind it in the tie order).
    pub ok: bool,
    /// Each round's levels, for checks by a run further up (empty unless asked).
    pub snap: Snap,
    /// False when the run gave up as soon as its check failed (see `Check::give_up`): its
    /// outcome is then unfinished and must not be used.
    pub complete: bool,
}

/// A check of a run against a run at a smaller per-voter budget (its trace and levels): whether
/// the outcome is provably the same at every budget in between.
#[derive(Clone, Copy)]
pub(super) struct Check<'a> {
    pub trace: &'a [Tk],
    pub snap: &'a Snap,
    /// Stop the run as soon as the check fails (the caller then needs only `ok`).
    pub give_up: bool,
}

/// How a remaining-budget level is defined: a known value, or a parent level minus a round's payment.
pub(super) enum LDef {
    Val,
    Sub(u32, u32),
}

/// A round's payment x = ρ × s = (cost − Σ capped levels) / count, with the capped levels (their
/// voters pay all they have) and the uncapped count; the exact value materialised on demand.
pub(super) struct PayDef {
    pub exact: Option<Q>,
    pub cost: Q,
    pub capped: Vec<(u32, u64)>,
    pub count: u64,
}

/// Levels with float values, absolute error bounds and exact values materialised on demand, and
/// their slopes in floats with error bounds: how fast each level grows with the per-voter budget
/// while every decision of the run stays as it is (levels are affine in the per-voter budget there).
#[derive(Default)]
pub(super) struct Lazy {
    pub defs: Vec<LDef>,
    /// Each level's exact value as an index into `vals` (`NONE` until materialised): most levels
    /// never need one, and a run creates thousands.
    exact: Vec<u32>,
    vals: Vec<Q>,
    /// Where `vals` holds zero (shared by every zero level), once one exists.
    zero: Option<u32>,
    pub vf: Vec<f64>,
    pub ve: Vec<f64>,
    pub sf: Vec<f64>,
    pub se: Vec<f64>,
    /// Per level: left with nothing (capped, or paid exactly all); its value and slope are 0.
    pub zeroed: Vec<bool>,
    pub pays: Vec<PayDef>,
}

/// No exact value yet (`Lazy::exact`).
const NONE: u32 = u32::MAX;

/// A float value with an absolute error bound.
#[derive(Clone, Copy, Debug)]
pub(super) struct Fe {
    pub v: f64,
    pub e: f64,
}

impl Lazy {
    pub fn with_capacity(cap: usize) -> Self {
        Lazy {
            defs: Vec::with_capacity(cap),
            exact: Vec::with_capacity(cap),
            vals: Vec::new(),
            zero: None,
            vf: Vec::with_capacity(cap),
            ve: Vec::with_capacity(cap),
            sf: Vec::with_capacity(cap),
            se: Vec::with_capacity(cap),
            zeroed: Vec::with_capacity(cap),
            pays: Vec::new(),
        }
    }

    /// A level with a known exact value and slope.
    pub fn push_val(&mut self, v: Q, slope: Q) -> u32 {
        let (vf, sf) = (q_f64(&v), q_f64(&slope));
        self.defs.push(LDef::Val);
        self.exact.push(self.vals.len() as u32);
        self.vals.push(v);
        self.vf.push(vf);
        self.ve.push(vf.abs() * U);
        self.sf.push(sf);
        self.se.push(sf.abs() * U);
        self.zeroed.push(false);
        (self.defs.len() - 1) as u32
    }

    /// A level with nothing left (exact zero, slope zero).
    pub fn push_zero(&mut self) -> u32 {
        self.defs.push(LDef::Val);
        let vals = &mut self.vals;
        let z = *self.zero.get_or_insert_with(|| {
            vals.push(Q::zero());
            (vals.len() - 1) as u32
        });
        self.exact.push(z);
        self.vf.push(0.0);
        self.ve.push(0.0);
        self.sf.push(0.0);
        self.se.push(0.0);
        self.zeroed.push(true);
        (self.defs.len() - 1) as u32
    }

    /// Level `l` minus payment `k`, with its float value/slope and their error bounds.
    pub fn push_sub(&mut self, l: u32, k: u32, v: Fe, s: Fe) -> u32 {
        self.defs.push(LDef::Sub(l, k));
        self.exact.push(NONE);
        self.vf.push(v.v);
        self.ve.push(v.e);
        self.sf.push(s.v);
        self.se.push(s.e);
        self.zeroed.push(false);
        (self.defs.len() - 1) as u32
    }

    pub fn exact(&mut self, l: u32) -> Q {
        let i = self.exact[l as usize];
        if i != NONE {
            return self.vals[i as usize].clone();
        }
        let LDef::Sub(parent, pay) = self.defs[l as usize] else {
            unreachable!("value levels are exact")
        };
        let v = self.exact(parent) - self.pay_exact(pay);
        self.exact[l as usize] = self.vals.len() as u32;
        self.vals.push(v.clone());
        v
    }

    /// Σ c × value over `levels`, exactly.
    pub fn sum_exact(&mut self, levels: &[(u32, u64)]) -> Q {
        let mut s = Q::zero();
        for &(l, c) in levels {
            s += self.exact(l) * q_u(c);
        }
        s
    }

    /// Σ c × slope over `levels` in floats, with its error bound.
    pub fn slope_sum_f(&self, levels: &[(u32, u64)]) -> Fe {
        let (mut s, mut e) = (0.0, 0.0);
        for &(l, c) in levels {
            s += self.sf[l as usize] * c as f64;
            e += self.se[l as usize] * c as f64;
        }
        Fe {
            v: s,
            e: e + U * s.abs() * (levels.len() as f64 + 1.0),
        }
    }

    pub fn pay_exact(&mut self, k: u32) -> Q {
        if let Some(q) = &self.pays[k as usize].exact {
            return q.clone();
        }
        let capped = std::mem::take(&mut self.pays[k as usize].capped);
        let contrib = self.sum_exact(&capped);
        let d = &mut self.pays[k as usize];
        d.capped = capped;
        let v = (&d.cost - contrib) / q_u(d.count);
        d.exact = Some(v.clone());
        v
    }
}

/// Lower bound on how far the per-voter budget can grow from b₀ while f(b) = f₀ + f₁(b − b₀)
/// stays ≥ 0 (strictly > 0 at the returned distance's open end), from float values with error
/// bounds; `None` when floats cannot tell (f₀ within its error of 0).
pub(super) fn reach_f(f0: Fe, f1: Fe) -> Option<f64> {
    let a = f0.v - SAFE * f0.e - U * f0.v.abs();
    if a.is_nan() || a <= 0.0 {
        return None;
    }
    let b = SAFE * f1.e + U * f1.v.abs() - f1.v;
    if b.is_nan() {
        return None;
    }
    if b <= 0.0 {
        return Some(f64::INFINITY);
    }
    Some(a / b * (1.0 - 1e-9))
}

/// a − b for float values with errors.
pub(super) fn fe_sub(a: Fe, b: Fe) -> Fe {
    Fe {
        v: a.v - b.v,
        e: a.e + b.e + U * (a.v.abs() + b.v.abs()),
    }
}

/// x / d for a float value with error and a positive divisor that is exact up to `U`.
pub(super) fn fe_div(a: Fe, d: f64) -> Fe {
    let v = a.v / d;
    Fe {
        v,
        e: a.e / d + 4.0 * U * v.abs(),
    }
}

/// What a run leaves for checks by a run further up: how its winners' supporters moved from level
/// to level in each round, and the float values of its levels.
#[derive(Default)]
pub(super) struct Snap {
    /// Per round, (old level, new level) for the levels of the winner's supporters.
    pub maps: Vec<Vec<(u32, u32)>>,
    /// Float values of the levels and their absolute error bounds.
    pub vf: Vec<f64>,
    pub ve: Vec<f64>,
    /// Per level: its voters have paid all they had (not known to grow with the budget).
    pub zeroed: Vec<bool>,
    /// The per-voter budget of the run (rounded to the nearest float).
    pub per_voter: f64,
    /// The run's reach (0 unless asked).
    pub reach: f64,
    /// Each round's gathered supporter levels and winner (for a later run of the same shape).
    pub gathered: super::gathered::Gathered,
    pub winners: Vec<usize>,
    /// Per round, in runs asked for their reach: every project evaluated with its ρ, and a lower
    /// bound on the ρ of every other active project (for `Ctx::holds_between`).
    pub rivals: Vec<(Vec<Rival>, f64)>,
    /// The run's reach downwards (0 unless asked).
    pub back: f64,
}

/// A project evaluated in a round: its ρ within [lo, hi], and exactly when the run computed it.
pub(super) struct Rival {
    pub p: usize,
    pub lo: f64,
    pub hi: f64,
    pub exact: Option<Q>,
}
