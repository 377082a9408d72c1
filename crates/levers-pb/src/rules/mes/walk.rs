//! The add1 completion's walk up the per-voter budget, one increment per step, under pabutools
//! and equalshares/checker semantics. `Walk::Jump` computes only the runs at which the outcome
//! can change and counts the skipped steps as if they had been run; `Walk::Step` runs every step
//! (the reference).

use super::chunks::Changes;
use super::ctx::Ctx;
use super::cursor::{MAX_RUNS, Walk};
use crate::num::{Q, floor_q, q_f64, q_u};

/// Where the walk ended.
pub(super) struct WalkEnd {
    pub cur: Vec<usize>,
    pub per_voter: Q,
    /// Steps of the one-increment walk (what `Walk::Step` computes).
    pub runs: usize,
    /// Runs actually computed.
    pub computed: usize,
    pub stopped_at_limit: bool,
}

/// Total cost of a selection.
pub(super) fn total(costs: &[Q], sel: &[usize]) -> Q {
    sel.iter().map(|&p| costs[p].clone()).sum()
}

/// What the walk needs from the election.
pub(super) struct WalkIn<'a> {
    pub budget: &'a Q,
    pub start: &'a Q,
    pub inc: &'a Q,
    pub voters: u64,
    pub init_cost: &'a Q,
    pub all_projects: usize,
}

impl Ctx<'_, '_> {
    /// pabutools: from B/n, +inc per voter until the outcome overspends (keep the previous one) or
    /// is exhaustive over the supported projects.
    pub(super) fn walk_pabutools(&self, w: &WalkIn<'_>, walk: Walk) -> WalkEnd {
        let at = |k: usize| w.start + w.inc * q_u(k as u64);
        let over = |o: &[usize]| w.init_cost + total(&self.costs, o) > *w.budget;
        let exhaustive = |o: &[usize]| {
            let c = w.init_cost + total(&self.costs, o);
            self.candidates
                .iter()
                .all(|p| o.contains(p) || &c + &self.costs[*p] > *w.budget)
        };
        let stop = |o: &[usize]| over(o) || exhaustive(o);
        let mut cursor = Changes::new(self, &at, q_f64(w.inc), walk, &stop);
        let mut cur = cursor
            .serial
            .set_base(self.outcome(w.start, false, None, None));
        let mut k = 0usize;
        let mut runs = 1usize;
        let mut prev: Option<(Vec<usize>, usize)> = None;
        let mut pending: Option<(usize, Vec<usize>)> = None;
        loop {
            let end = |cur, per_voter, runs, stopped_at_limit, computed| WalkEnd {
                cur,
                per_voter,
                runs,
                computed,
                stopped_at_limit,
            };
            if over(&cur) {
                let (cur, per_voter) = match prev {
                    Some((r, pk)) => (r, at(pk)),
                    None => (Vec::new(), w.start.clone()),
                };
                return end(cur, per_voter, runs, false, cursor.computed());
            }
            if exhaustive(&cur) {
                return end(cur, at(k), runs, false, cursor.computed());
            }
            if runs >= MAX_RUNS {
                // as the step walk always did: the per-voter budget reported stays B/n
                return end(cur, w.start.clone(), runs, true, cursor.computed());
            }
            let (same, next) = match pending.take() {
                Some(x) => x,
                None => cursor.advance(k, &cur),
            };
            if same > 0 {
                let skip = same.min(MAX_RUNS - runs);
                k += skip;
                runs += skip;
                prev = Some((cur.clone(), k - 1));
                pending = Some((same - skip, next));
                continue;
            }
            prev = Some((std::mem::replace(&mut cur, next), k));
            k += 1;
            runs += 1;
        }
    }

    /// equalshares.net / checker: first run at B/n, then from floor(B/n)·n add n·inc while the next
    /// outcome fits and the current one is not exhaustive (equalshares) or until every supported
    /// project is funded.
    pub(super) fn walk_equalshares(&self, w: &WalkIn<'_>, walk: Walk, check_exh: bool) -> WalkEnd {
        let nq = q_u(w.voters);
        let base = floor_q(w.start) * &nq;
        let step = w.inc * &nq;
        let at = |k: usize| (&base + &step * q_u(k as u64)) / &nq;
        let all_cands = self.candidates.len();
        let first_above = at(1) >= *w.start;
        let exhaustive = |o: &[usize]| {
            let c = total(&self.costs, o);
            (0..w.all_projects).all(|p| o.contains(&p) || &c + &self.costs[p] > *w.budget)
        };
        let stop = |o: &[usize]| {
            (check_exh && exhaustive(o))
                || o.len() == all_cands
                || total(&self.costs, o) > *w.budget
        };
        let mut cursor = Changes::new(self, &at, q_f64(w.inc), walk, &stop);
        let mut cur = cursor
            .serial
            .set_base(self.outcome(w.start, false, None, None));
        if !first_above {
            cursor.serial.forget_base();
        }
        let mut k = 0usize;
        let mut per_voter = w.start.clone();
        let mut runs = 1usize;
        let mut stopped_at_limit = false;
        let mut pending: Option<(usize, Vec<usize>)> = None;
        loop {
            if check_exh && exhaustive(&cur) {
                break;
            }
            if cur.len() == all_cands && runs > 1 {
                // every supported project is funded: further increments change nothing
                break;
            }
            if runs >= MAX_RUNS {
                stopped_at_limit = true;
                break;
            }
            let (same, next) = match pending.take() {
                Some(x) => x,
                None => cursor.advance(k, &cur),
            };
            if same > 0 {
                // the next `same` steps give the current outcome again, which fits
                let skip = if cur.len() == all_cands {
                    1
                } else {
                    same.min(MAX_RUNS - runs)
                };
                k += skip;
                runs += skip;
                per_voter = at(k);
                pending = Some((same - skip, next));
                continue;
            }
            runs += 1;
            if total(&self.costs, &next) <= *w.budget {
                k += 1;
                per_voter = at(k);
                cur = next;
                if cur.len() == all_cands {
                    break;
                }
            } else {
                break;
            }
        }
        WalkEnd {
            cur,
            per_voter,
            runs,
            computed: cursor.computed(),
            stopped_at_limit,
        }
    }
}
