//! The add1 walk's second check between two runs at b₀ < b₁ with the same winners, for the
//! projects whose ρ at b₁ does not clear the winner's ρ at b₀: affine bounds on every remaining
//! budget over the whole interval [b₀, b₁] (a voter never capped at b₀ gains at least what the
//! budget gains), and the convexity of the water-filling payment in the levels, compare both ρs
//! at every budget in between (the argument is in ARCHITECTURE.md, levers-pb).

use super::lazy::{Snap, Sup, U};

/// Water-filling bounds: for voters with (float) remaining budgets `lv` (value, voters), the
/// payment x with Σ min(rᵢ, x) = cost. Returns (lower bound, upper bound) on the exact payment for
/// exactly these float levels, or `None` when they cannot pay (or floats cannot tell).
pub(super) fn water_bounds(lv: &mut [(f64, u64)], cost: f64) -> Option<(f64, f64)> {
    let (x, contrib, count) = match water_passes(lv, cost) {
        Some(w) => w,
        None => water_sorted(lv, cost),
    };
    if count == 0 || !x.is_finite() || x <= 0.0 {
        return None;
    }
    // any capped set C gives x_C = (cost − Σ_C r)/|rest| ≤ x (ARCHITECTURE.md): x_C less its
    // rounding is a lower bound
    let n = lv.len() as f64 + 4.0;
    let eps = 4.0 * U * n * (cost.abs() + contrib.abs()) / count as f64 + 4.0 * U * x;
    let lo = x - eps;
    // and X is an upper bound when Σ min(rᵢ, X) ≥ cost (checked with its rounding error)
    let hi = x + eps + 1e-9 * x;
    let mut phi = 0.0;
    let mut tot = 0.0;
    for &(v, c) in lv.iter() {
        phi += v.min(hi) * c as f64;
        tot += v.min(hi).abs() * c as f64;
    }
    if phi - 4.0 * U * n * tot < cost + 4.0 * U * cost.abs() {
        return None;
    }
    Some((lo, hi))
}

/// The water level x = (cost − Σ capped) / uncapped voters, with Σ capped and the uncapped
/// count, by capping every level below the running x until none is left (x only grows; no sort):
/// `None` when that takes more than a few passes (then `water_sorted`).
fn water_passes(lv: &[(f64, u64)], cost: f64) -> Option<(f64, f64, u64)> {
    let total: u64 = lv.iter().map(|x| x.1).sum();
    if total == 0 {
        return Some((f64::NAN, 0.0, 0));
    }
    let mut x = cost / total as f64;
    for _ in 0..8 {
        // every level below x is capped (the set only grows as x grows)
        let (mut contrib, mut count) = (0.0, 0u64);
        for &(v, c) in lv {
            if v < x {
                contrib += v * c as f64;
            } else {
                count += c;
            }
        }
        if count == 0 {
            return Some((f64::NAN, contrib, 0));
        }
        let nx = (cost - contrib) / count as f64;
        if nx <= x {
            return Some((nx, contrib, count));
        }
        x = nx;
    }
    None
}

/// `water_passes` by a sorted scan (any number of capped levels).
fn water_sorted(lv: &mut [(f64, u64)], cost: f64) -> (f64, f64, u64) {
    lv.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut contrib = 0.0;
    let mut count: u64 = lv.iter().map(|x| x.1).sum();
    let mut x = f64::NAN;
    for &(v, c) in lv.iter() {
        if count == 0 {
            break;
        }
        x = (cost - contrib) / count as f64;
        if x <= v {
            break;
        }
        contrib += v * c as f64;
        count -= c;
        x = f64::NAN;
    }
    (x, contrib, count)
}

/// An upper bound on level `l`'s exact value in a run's snapshot.
fn level_hi(s: &Snap, l: u32) -> f64 {
    let l = l as usize;
    nudge(s.vf[l] + s.ve[l], 1.0)
}

/// Rounds `v` down (`dir` < 0) or up (`dir` > 0) past its own rounding error.
fn nudge(v: f64, dir: f64) -> f64 {
    v + dir * 4.0 * U * v.abs()
}

/// Bounds on the remaining budgets over [b₀, b₁] for the levels of the run at b₀ other than its
/// zero levels (their voters have never been capped there, so they gain at least what b gains):
/// a lower bound affine in b (values at b₀ and b₁) and an upper bound affine in b (value at b₁
/// and slope). Voters at b₀'s zero levels are bounded by 0 and by their level at b₁.
struct Envelope<'s> {
    lo: &'s Snap,
    hi: &'s Snap,
    l0: Vec<f64>,
    l1: Vec<f64>,
    h1: Vec<f64>,
    hs: Vec<f64>,
    /// b₁ − b₀ less its rounding error (> 0), and plus it.
    d: f64,
    d_hi: f64,
    /// Where the check must hold: from b₀ + `fwd` (b₀'s reach covers below) to b₁ − `back`
    /// (b₁'s reach downwards covers above), both slightly shortened.
    fwd: f64,
    back: f64,
    /// Each voter group's level round by round, the same in both runs (the same winners, and
    /// level ids that depend only on the winners).
    at: Vec<u32>,
    /// Scratch: voters per level of either run, the gathered levels, the bounds fed to water-filling.
    agg0: Vec<u64>,
    agg1: Vec<u64>,
    keys0: Vec<u32>,
    keys1: Vec<u32>,
    vals: Vec<(f64, u64)>,
    next: Vec<u32>,
}

impl<'s> Envelope<'s> {
    /// From the two runs; `None` when b₁ is not provably above b₀.
    fn new(lo: &'s Snap, hi: &'s Snap, back: f64, groups: usize) -> Option<Self> {
        let d = hi.per_voter - lo.per_voter;
        let d_e = 4.0 * U * (hi.per_voter.abs() + lo.per_voter.abs());
        if d <= d_e || lo.vf.is_empty() || hi.vf.is_empty() {
            return None;
        }
        let n0 = lo.vf.len();
        let mut env = Envelope {
            lo,
            hi,
            l0: vec![0.0; n0],
            l1: vec![0.0; n0],
            h1: vec![0.0; n0],
            hs: vec![0.0; n0],
            d: d - d_e,
            d_hi: d + d_e,
            fwd: (lo.reach * (1.0 - 1e-9)).max(0.0),
            back: (back * (1.0 - 1e-9)).max(0.0),
            at: vec![0; groups],
            agg0: vec![0; n0],
            agg1: vec![0; hi.vf.len().max(n0)],
            keys0: Vec::new(),
            keys1: Vec::new(),
            vals: Vec::new(),
            next: vec![u32::MAX; n0.max(hi.vf.len())],
        };
        // level 0 of both runs is the per-voter budget itself
        env.l0[0] = nudge(lo.per_voter, -1.0);
        env.l1[0] = nudge(hi.per_voter, -1.0);
        env.h1[0] = nudge(hi.per_voter, 1.0);
        env.hs[0] = 1.0;
        Some(env)
    }

    fn grows(&self, l: u32) -> bool {
        !self.lo.zeroed[l as usize]
    }

    /// Gathers a project's supporters by their level at b₀ (those still growing) and, for those
    /// at a zero level at b₀, by their level at b₁ (`by1`) or into one count (returned). Both
    /// runs have the same winners so far, so their voter groups sit at the same level ids: the
    /// run at b₁ usually kept p's list for round `round`, else it is gathered from `sup`.
    fn gather(&mut self, (round, p, sup): (usize, usize, &Sup), by1: bool) -> u64 {
        self.keys0.clear();
        self.keys1.clear();
        let mut zero = 0;
        let mut put = |env: &mut Self, l: u32, m: u64| {
            if env.grows(l) {
                let a = &mut env.agg0[l as usize];
                if *a == 0 {
                    env.keys0.push(l);
                }
                *a += m;
            } else if by1 {
                let a = &mut env.agg1[l as usize];
                if *a == 0 {
                    env.keys1.push(l);
                }
                *a += m;
            } else {
                zero += m;
            }
        };
        match self.hi.gathered.find(round, p) {
            Some(list) => {
                for &(l, m) in list.iter() {
                    put(self, l, m);
                }
            }
            None => {
                for &(gi, m) in sup {
                    put(self, self.at[gi as usize], u64::from(m));
                }
            }
        }
        zero
    }

    /// Upper bounds on the winner's payment at b₀ and b₁ from the lower level bounds: the
    /// payment of the lower bounds is convex in b (levels affine in b) and above the true one,
    /// so below its chord.
    fn chord(&mut self, w: (usize, usize, &Sup), cost_w: f64) -> Option<(f64, f64)> {
        let zero = self.gather(w, false);
        let mut ends = [None; 2];
        for (i, end) in ends.iter_mut().enumerate() {
            self.vals.clear();
            for &l in &self.keys0 {
                let v = if i == 0 {
                    self.l0[l as usize]
                } else {
                    self.l1[l as usize]
                };
                self.vals.push((v, self.agg0[l as usize]));
            }
            if zero > 0 {
                self.vals.push((0.0, zero));
            }
            *end = water_bounds(&mut self.vals, cost_w).map(|b| b.1);
        }
        for &l in &self.keys0 {
            self.agg0[l as usize] = 0;
        }
        Some((ends[0]?, ends[1]?))
    }

    /// A lower bound on p's payment at b₁ and a slope g ≤ 0 with payment(b) ≥ x₁ + g(b − b₁)
    /// for b ≤ b₁: the payment of the upper level bounds is convex in b and below the true one,
    /// so above its tangent at b₁, whose slope is at most the secant slope over [b₁, b₁ + δ].
    fn tangent(&mut self, p: (usize, usize, &Sup), cost_p: f64) -> Option<(f64, f64)> {
        self.gather(p, true);
        let delta = self.d / 4.0;
        let mut at = [(0.0f64, 0.0f64); 2];
        let mut res = Some(());
        for (i, out) in at.iter_mut().enumerate() {
            self.vals.clear();
            for &l in &self.keys0 {
                let v = if i == 0 {
                    self.h1[l as usize]
                } else {
                    // rounded down: a lower level can only raise the upper bound at b₁ + δ
                    nudge(self.h1[l as usize] + self.hs[l as usize] * delta, -1.0)
                };
                self.vals.push((v, self.agg0[l as usize]));
            }
            for &l in &self.keys1 {
                self.vals
                    .push((level_hi(self.hi, l), self.agg1[l as usize]));
            }
            match water_bounds(&mut self.vals, cost_p) {
                Some(b) => *out = b,
                None => res = None,
            }
        }
        for &l in &self.keys0 {
            self.agg0[l as usize] = 0;
        }
        for &l in &self.keys1 {
            self.agg1[l as usize] = 0;
        }
        res?;
        let x1 = at[0].0;
        let g = nudge((at[1].1 - x1) / delta, 1.0).min(0.0);
        Some((x1, g))
    }

    /// Whether p's ρ is provably above w's in this round at every budget in [b₀, b₁], given the
    /// same winners before it there (`chord`: w's payment bounds from `chord`).
    fn stays_behind(
        &mut self,
        (round, p, (sup_p, cost_p, s_p)): (usize, usize, Proj<'_>),
        (a0, a1): (f64, f64),
        s_w: f64,
    ) -> bool {
        let Some((x1, g)) = self.tangent((round, p, sup_p), cost_p) else {
            return false;
        };
        let (f, k) = (self.fwd, self.back);
        // the tangent at u₀ = b₀ + f and u₁ = b₁ − k (u₀ lies at least d − f below b₁; with
        // g ≤ 0 more distance only helps)
        let xp0 = nudge(x1 - g * (self.d - f).max(0.0), -1.0);
        let xp1 = nudge(x1 - g * k, -1.0);
        // the chord at u = b₀ + τ (b₁ − b₀), τ known within [τ_lo, τ_hi]
        let chord = |t_lo: f64, t_hi: f64| {
            let s = a1 - a0;
            nudge(a0 + (s * t_lo).max(s * t_hi), 1.0)
        };
        let xw0 = chord(nudge(f / self.d_hi, -1.0), nudge(f / self.d, 1.0));
        let xw1 = chord(
            nudge(1.0 - k / self.d, -1.0).max(0.0),
            nudge(1.0 - k / self.d_hi, 1.0).min(1.0),
        );
        // ρ_p > ρ_w at both ends of [u₀, u₁], so along it (both bounds are lines)
        let beats = |xp: f64, xw: f64| nudge(xp * s_w, -1.0) > nudge(xw * s_p, 1.0);
        beats(xp0, xw0) && beats(xp1, xw1)
    }

    /// After a round's winner w (the same in both runs): the bounds of the new levels at b₀ of
    /// its supporters who stay uncapped there drop by the chord (lower) and the tangent (upper);
    /// then every supporter moves to its new level in both runs.
    fn pay(&mut self, (round, w, sup_w): (usize, usize, &Sup), cost_w: f64) -> bool {
        let (Some((a0, a1)), Some((x1, g))) = (
            self.chord((round, w, sup_w), cost_w),
            self.tangent((round, w, sup_w), cost_w),
        ) else {
            return false;
        };
        let lo = self.lo;
        debug_assert_eq!(lo.maps[round], self.hi.maps[round], "level ids differ");
        for &(old, new) in &lo.maps[round] {
            if !self.grows(new) {
                continue;
            }
            let (o, n) = (old as usize, new as usize);
            self.l0[n] = nudge(self.l0[o] - a0, -1.0);
            self.l1[n] = nudge(self.l1[o] - a1, -1.0);
            self.h1[n] = nudge(self.h1[o] - x1, 1.0);
            self.hs[n] = nudge(self.hs[o] - g, 1.0);
        }
        let maps = &lo.maps[round];
        for &(old, new) in maps {
            self.next[old as usize] = new;
        }
        for &(gi, _) in sup_w {
            let l = &mut self.at[gi as usize];
            let n = self.next[*l as usize];
            if n != u32::MAX {
                *l = n;
            }
        }
        for &(old, _) in maps {
            self.next[old as usize] = u32::MAX;
        }
        true
    }
}

/// A project as the check needs it: its supporter groups with their voters, its cost and its
/// satisfaction per supporter.
pub(super) type Proj<'a> = (&'a Sup, f64, f64);

/// The second check: with `winners` the same in the runs at b₀ (`lo`) and b₁ (`hi`), and
/// `pending` the (round, project) pairs, in round order, whose ρ at b₁ does not clear the
/// winner's ρ at b₀, whether each such project's ρ stays above the winner's at every budget
/// in between.
pub(super) fn envelope_holds<'a>(
    (lo, hi, back): (&Snap, &Snap, f64),
    groups: usize,
    proj: impl Fn(usize) -> Proj<'a>,
    winners: &[usize],
    pending: &[(usize, usize)],
) -> bool {
    let Some(last) = pending.last().map(|x| x.0) else {
        return true;
    };
    let Some(mut env) = Envelope::new(lo, hi, back, groups) else {
        return false;
    };
    if env.fwd + env.back >= env.d_hi {
        // the two reaches cover [b₀, b₁]
        return true;
    }
    let mut next = 0;
    for (round, &w) in winners.iter().enumerate().take(last + 1) {
        let (sup_w, cost_w, s_w) = proj(w);
        if pending.get(next).is_some_and(|x| x.0 == round) {
            let Some(chord) = env.chord((round, w, sup_w), cost_w) else {
                return false;
            };
            while let Some(&(_, p)) = pending.get(next).filter(|x| x.0 == round) {
                if !env.stays_behind((round, p, proj(p)), chord, s_w) {
                    return false;
                }
                next += 1;
            }
        }
        if round < last && !env.pay((round, w, sup_w), cost_w) {
            return false;
        }
    }
    true
}
