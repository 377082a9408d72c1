//! The check of a hybrid run against a run below it, done after the fact between two complete
//! runs with the same winners, from what the upper run kept (each round's evaluated projects with
//! their ρ, a bound on the others, its levels): the same proof as the check made during a run
//! (ARCHITECTURE.md, levers-pb), so a run whose check failed can be proven later from a nearer
//! base without computing it again.

use super::bounds::envelope_holds;
use super::ctx::Ctx;
use super::lazy::{Rival, Snap, Tk};

impl Ctx<'_, '_> {
    /// Whether every budget between the run `lo` and the run `hi` above it (trace and snapshot
    /// of each, `hi` asked for its reach) provably has their winners.
    pub(super) fn holds_between(&self, (t0, lo): (&[Tk], &Snap), (t1, hi): (&[Tk], &Snap)) -> bool {
        let same = t0.len() == t1.len() && t0.iter().zip(t1).all(|(a, b)| a.w == b.w);
        if !same || hi.rivals.len() < t0.len() || hi.per_voter <= lo.per_voter {
            return false;
        }
        // round by round, as the check in `run_hybrid`: every other project's ρ at the upper
        // budget clears the winner's ρ at the lower one, or is left to the envelope check
        let mut pending = Vec::new();
        for (round, t) in t0.iter().enumerate() {
            let (rivals, rest) = &hi.rivals[round];
            if *rest <= t.f + t.tol {
                return false;
            }
            for c in rivals {
                if c.p != t.w && !self.behind(c, t) {
                    pending.push((round, c.p));
                }
            }
        }
        let winners: Vec<usize> = t0.iter().map(|t| t.w).collect();
        let proj = |p: usize| (&self.sup_m[p][..], self.costs_f[p], self.sat_f[p]);
        let groups = self.prep.groups.sets.len();
        envelope_holds((lo, hi, hi.back), groups, proj, &winners, &pending)
    }

    /// Whether `c`'s ρ is provably above the winner's ρ `t` (or equal with the winner first in the
    /// tie order), from floats or from the exact values both runs computed.
    fn behind(&self, c: &Rival, t: &Tk) -> bool {
        if c.lo > t.f + t.tol {
            return true;
        }
        if c.hi < t.f - t.tol {
            return false;
        }
        match (&c.exact, &t.exact) {
            (Some(q), Some(te)) => q > te || (q == te && self.ranks[t.w] < self.ranks[c.p]),
            _ => false,
        }
    }
}
