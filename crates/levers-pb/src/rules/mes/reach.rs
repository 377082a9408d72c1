//! The reach of a hybrid MES run (how far the per-voter budget can grow with every decision of
//! the run provably unchanged) and its guess of the distance to the next change of outcome, which
//! the add1 walk checks first (the argument is in ARCHITECTURE.md, levers-pb).

use super::ctx::Ctx;
use super::gathered::{Gathered, List, RoundIndex};
use super::lazy::{Fe, Lazy, fe_div, fe_sub, gather, reach_f};

/// A lower bound on a project's ρ in the round it was computed and every later one, affine in
/// the per-voter budget: ρ_C = (cost − Σ capped levels) / (s × count) for the capped set C of its
/// last evaluation (the whole support and no capped level before the first one).
pub(super) struct Lb {
    pub v: Fe,
    pub s: Fe,
}

/// The smallest reach of the conditions met so far (0 = no jump, stop collecting), and the
/// predicted distance to the first change of outcome (a guess, not a proof: the affine roots of
/// the outcome's own conditions, ignoring voters who become capped or uncapped on the way).
pub(super) struct Reach {
    pub d: f64,
    /// The same downwards: how far the per-voter budget can shrink with every decision unchanged.
    pub back: f64,
    pub pred: f64,
    pub want: bool,
    /// Projects found unaffordable, with the guessed distance at which their supporters' money
    /// reaches their cost: they can win a round only past it, and only against a winner whose
    /// ρ is above their ρ with no one capped, cost / (s × supporters), a lower bound on their ρ.
    pub unaff: Vec<(usize, f64)>,
}

impl Reach {
    pub fn live(&self) -> bool {
        self.d > 0.0 || self.back > 0.0
    }
    /// A decision of the run that holds while f(b) = f₀ + f₁ (b − b₁) > 0 (affine while every
    /// decision holds): both reaches stop at its roots, or at once when floats cannot tell.
    pub fn cond(&mut self, f0: Fe, f1: Fe) {
        let up = reach_f(f0, f1).unwrap_or(0.0);
        let down = reach_f(f0, Fe { v: -f1.v, e: f1.e }).unwrap_or(0.0);
        self.d = self.d.min(up);
        self.back = self.back.min(down);
    }
    /// A decision whose reach is not tracked.
    pub fn stop(&mut self) {
        self.d = 0.0;
        self.back = 0.0;
    }
    /// f(b) = f0 + f1 (b − b₀) changes sign at the guessed distance.
    pub fn root(f0: f64, f1: f64) -> f64 {
        if f1 < 0.0 {
            f0.max(0.0) / -f1
        } else if f0 > 0.0 {
            f64::INFINITY
        } else {
            0.0
        }
    }
    pub fn guess(&mut self, d: f64) {
        if d < self.pred {
            self.pred = d;
        }
    }
}

impl Ctx<'_, '_> {
    /// Reach of "p stays unaffordable": its supporters' money Σ levels stays below its cost.
    pub(super) fn unaffordable(
        &self,
        p: usize,
        lz: &Lazy,
        lv: &[(u32, u64)],
        money: Option<(f64, f64)>,
        reach: &mut Reach,
    ) {
        if !reach.want {
            return;
        }
        let slope = lz.slope_sum_f(lv);
        let m = money.map_or_else(
            || lv.iter().map(|&(l, c)| lz.vf[l as usize] * c as f64).sum(),
            |x| x.0,
        );
        // where its supporters' money reaches its cost
        reach
            .unaff
            .push((p, Reach::root(self.costs_f[p] - m, -slope.v)));
        if !reach.live() {
            return;
        }
        match money {
            Some((m, me)) => reach.cond(
                Fe {
                    v: self.costs_f[p] - m,
                    e: me,
                },
                Fe {
                    v: -slope.v,
                    e: slope.e,
                },
            ),
            None => reach.stop(),
        }
    }

    /// Reach of "every other active project keeps losing to the winner w": its lower bound ρ_C
    /// stays above ρ_w (or equal, when w wins the tie-break); and the guess of where some
    /// project, active or found unaffordable, would first beat w (see `crossing`), worked out
    /// only for those whose bound says it could come before the current guess.
    pub(super) fn others_stay_behind(
        &self,
        (w, rho_w, ds): (usize, Fe, Fe),
        (remaining, active, lbs): (&[usize], &[bool], &[Option<Lb>]),
        now: Now<'_>,
        scratch: &mut Scratch,
        reach: &mut Reach,
    ) {
        let drho_w = fe_div(ds, self.sat_f[w]);
        let sc = scratch;
        sc.order.clear();
        for &(p, d) in &reach.unaff {
            // ρ ≥ cost / (s × supporters) whoever is capped: p cannot beat w before that crosses
            let r0 = self.costs_f[p] / (self.sat_f[p] * self.prep.groups.support[p] as f64);
            let dd = d.max(Reach::root(r0 - rho_w.v, -drho_w.v));
            if dd < reach.pred {
                sc.order.push((dd, p));
            }
        }
        for &p in remaining {
            if p == w || !active[p] {
                continue;
            }
            let Some(b) = &lbs[p] else { continue };
            let dd = Reach::root(b.v.v - rho_w.v, b.s.v - drho_w.v);
            if dd < reach.pred {
                sc.order.push((dd, p));
            }
            if !reach.live() {
                continue;
            }
            reach.cond(fe_sub(b.v, rho_w), fe_sub(b.s, drho_w));
        }
        sc.order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        for i in 0..sc.order.len() {
            let (dd, p) = sc.order[i];
            if dd >= reach.pred {
                break;
            }
            // gathered already this round, by this run or by the shape run (then kept by this
            // one too); else gathered now, and kept for the winner's update and later runs
            let own = now.gathered.find(now.round, p).cloned();
            let list = own.or_else(|| {
                let x = now
                    .shape
                    .and_then(|(g, ix)| ix.get(g, now.round, p))?
                    .clone();
                now.gathered.record(p, x.clone(), false);
                Some(x)
            });
            sc.list = list;
            let lv: &[(u32, u64)] = match &sc.list {
                Some(x) => x,
                None => {
                    if sc.agg.len() < now.lz.vf.len() {
                        sc.agg.resize(now.lz.vf.len(), 0);
                    }
                    gather(&self.sup_m[p], now.group_level, &mut sc.agg, &mut sc.lv);
                    if now.gathered.room(sc.lv.len()) {
                        now.gathered.record(p, List::from(&sc.lv[..]), true);
                    }
                    &sc.lv
                }
            };
            let d = self.crossing(p, lv, now.lz, (rho_w.v, drho_w.v), reach.pred);
            reach.guess(d.max(dd));
        }
    }

    /// Where p's ρ would first reach w's if every level and ρ_w kept their slopes: the first root
    /// of F(d) = Σ min(level + slope × d, ρ_w(d) × s) − cost (p's ρ is at most ρ_w exactly when
    /// F ≥ 0). F is concave, so Newton's steps from d = 0 stay below its root.
    ///
    /// Newton's steps only grow d, so once d reaches `limit` (the guess so far) the root lies
    /// beyond it and cannot lower the guess: d is returned as it is.
    fn crossing(
        &self,
        p: usize,
        lv: &[(u32, u64)],
        lz: &Lazy,
        (rw, drw): (f64, f64),
        limit: f64,
    ) -> f64 {
        let (s, cost) = (self.sat_f[p], self.costs_f[p]);
        let mut d = 0.0;
        for _ in 0..8 {
            let t = (rw + drw * d) * s;
            if t.is_nan() || t <= 0.0 {
                return f64::INFINITY;
            }
            let (mut f, mut df) = (-cost, 0.0);
            for &(l, c) in lv {
                let (v, sl) = (lz.vf[l as usize], lz.sf[l as usize]);
                let r = v + sl * d;
                if r < t {
                    f += c as f64 * r;
                    df += c as f64 * sl;
                } else {
                    f += c as f64 * t;
                    df += c as f64 * drw * s;
                }
            }
            if f >= -1e-9 * cost {
                return d;
            }
            if df <= 0.0 {
                return f64::INFINITY;
            }
            let step = -f / df;
            d += step;
            if d >= limit || step <= 1e-6 * d {
                break;
            }
        }
        d
    }
}

/// The run's state the guess reads: its levels, each voter group's level, and the levels it
/// has gathered in this round.
pub(super) struct Now<'a> {
    pub lz: &'a Lazy,
    pub group_level: &'a [u32],
    pub gathered: &'a mut Gathered,
    /// The shape run's lists for this round, while this run has its shape so far.
    pub shape: Option<(&'a Gathered, &'a RoundIndex)>,
    pub round: usize,
}

/// Scratch space of the guess.
#[derive(Default)]
pub(super) struct Scratch {
    order: Vec<(f64, usize)>,
    agg: Vec<u64>,
    lv: Vec<(u32, u64)>,
    list: Option<List>,
}
