//! The add1 walk's cursor: from a computed run, the next grid point whose outcome must be
//! computed and how many before it provably share the current outcome (reach, checks, the check
//! after the fact), within a limit.

use super::ctx::Ctx;
use super::lazy::{Check, HybridOut, Snap, Tk};
use crate::num::Q;

/// How the add1 walk moves: every step computed, or jumping over steps whose outcome is proven
/// unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Walk {
    Step,
    /// Jump after the first `PLAIN_STEPS` steps, or after `QUIET_STEPS` steps in a row with the
    /// same winners (the default).
    Jump,
    /// Jump from the first step (tests: small elections rarely walk 256 steps).
    JumpAlways,
}

/// Steps the jump walk takes one by one before it starts jumping.
pub const PLAIN_STEPS: usize = 256;

/// Plain steps in a row with the same winners after which the jump walk starts jumping before
/// `PLAIN_STEPS` (Budapest 2024: 2.89 -> 2.63 s; Warszawa 2026 and Praga-Południe, whose outcome
/// changes every few steps, unchanged).
pub const QUIET_STEPS: usize = 16;

/// Safety limit on the walk's (logical) number of runs.
pub const MAX_RUNS: usize = 2_000_000;

/// How many grid points i·inc (i ≥ 1) beyond the run lie strictly within its reach.
fn steps_within(reach: f64, inc_f: f64) -> usize {
    if reach.is_nan() || inc_f.is_nan() || reach <= 0.0 || inc_f <= 0.0 {
        return 0;
    }
    let t = reach / inc_f * (1.0 - 1e-9);
    if t >= MAX_RUNS as f64 {
        MAX_RUNS
    } else {
        t.floor() as usize
    }
}

/// Whether a complete run has the winners, in order, of a trace.
fn same_winners_of(out: &HybridOut, trace: &[Tk]) -> bool {
    out.complete && out.trace.iter().map(|t| t.w).eq(trace.iter().map(|t| t.w))
}

/// Finds the next grid point whose outcome must be computed, and how many grid points before it
/// provably share the current outcome: from the current run's reach (every decision unchanged)
/// and by checking a run further up against the current one (same winners, and every round's
/// winner here beats every other project there), galloping: the distance doubles after a check
/// that holds and halves after one that fails.
pub(super) struct Cursor<'c, 'p, 'a, F: Fn(usize) -> Q> {
    ctx: &'c Ctx<'p, 'a>,
    at: F,
    inc_f: f64,
    walk: Walk,
    /// The computed run at the walk's position: its trace, and how many grid points above it
    /// its reach covers; `None` when checks against it are not valid for the grid points above
    /// (the equalshares start B/n lies above the first grid point).
    base: Option<(Vec<Tk>, Snap, usize, usize)>,
    delta: usize,
    pub computed: usize,
    /// Plain steps in a row that gave the same winners, and the last plain step's winners.
    quiet: usize,
    last: Vec<usize>,
    /// A grid point above the walk's position whose outcome is known to differ from the current
    /// one (a failed check found other winners there): later checks stay below it.
    differs: usize,
    /// The longest first check worth trying: a check whose bounds could not prove its interval
    /// (with the same winners) caps later first checks at twice its length, and a check that
    /// holds lets them grow to twice its own (Budapest 2024: 806 -> 710 runs computed; with the
    /// check after the fact, `upper`, 659 -> 640).
    long: usize,
    /// Runs further up whose checks failed with the current winners (their bounds could not
    /// prove so long an interval), farthest first: proven later from a nearer base, each is a
    /// step computed for free. (Several: a check retried shorter can fail again, and the farther
    /// run is often proven once the nearer one is; Budapest 2024 with chunks: 663 -> 627 runs.)
    uppers: Vec<(usize, HybridOut)>,
    /// The last grid point this cursor computes (a chunk's end; `usize::MAX` for a whole walk).
    pub limit: usize,
}

impl<'c, 'p, 'a, F: Fn(usize) -> Q> Cursor<'c, 'p, 'a, F> {
    /// A cursor at the walk's first run (counted as computed), before any base is set.
    pub fn new(ctx: &'c Ctx<'p, 'a>, at: F, inc_f: f64, walk: Walk) -> Self {
        Cursor {
            ctx,
            at,
            inc_f,
            walk,
            base: None,
            delta: 1,
            computed: 1,
            quiet: 0,
            last: Vec::new(),
            differs: 0,
            long: MAX_RUNS,
            uppers: Vec::new(),
            limit: usize::MAX,
        }
    }

    /// No base: checks against the run at the position are not valid for the grid points above
    /// it (the equalshares start B/n lies above the first grid point).
    pub fn forget_base(&mut self) {
        self.base = None;
    }

    pub fn set_base(&mut self, out: HybridOut) -> Vec<usize> {
        self.base = Some((
            out.trace,
            out.snap,
            steps_within(out.reach, self.inc_f),
            steps_within(out.pred, self.inc_f),
        ));
        out.selected
    }

    /// Keeps a run further up, farthest first (one per grid point).
    fn keep_upper(&mut self, at: usize, out: HybridOut) {
        let i = self.uppers.partition_point(|u| u.0 > at);
        if self.uppers.get(i).is_some_and(|u| u.0 == at) {
            self.uppers[i] = (at, out);
        } else {
            self.uppers.insert(i, (at, out));
        }
    }

    /// From the computed position `k` (below `limit`): (m, outcome at k + m + 1) where
    /// k + 1 … k + m share the outcome at k, or (limit − k, `None`) when every grid point up to
    /// the limit is proven to share it.
    pub fn advance(&mut self, k: usize) -> (usize, Option<Vec<usize>>) {
        // short walks (most real elections) are cheapest step by step: reach and checks cost
        // more per run, so jumping starts only past the first `PLAIN_STEPS` steps, or once
        // `QUIET_STEPS` steps in a row have given the same winners (a walk of long intervals)
        let jump = match self.walk {
            Walk::Step => false,
            Walk::Jump => k + 1 >= PLAIN_STEPS || self.quiet >= QUIET_STEPS,
            Walk::JumpAlways => true,
        };
        let (trace, snap, same, pred) = match self.base.take() {
            Some(b) if jump => b,
            prev => {
                self.computed += 1;
                // the previous run lends its gathered levels while the rounds keep its shape
                // (not in the reference walk, kept as it always was)
                let shape = prev
                    .as_ref()
                    .filter(|_| self.walk != Walk::Step)
                    .map(|b| &b.1);
                let out = self.ctx.outcome(&(self.at)(k + 1), jump, None, shape);
                if out.selected == self.last {
                    self.quiet += 1;
                } else {
                    self.quiet = 0;
                    self.last.clone_from(&out.selected);
                }
                return (0, Some(self.set_base(out)));
            }
        };
        while self.uppers.last().is_some_and(|u| u.0 <= k) {
            self.uppers.pop();
        }
        if let Some((at, up)) = self.uppers.pop() {
            if self
                .ctx
                .holds_between((&trace, &snap), (&up.trace, &up.snap))
            {
                // (debug builds: small walks compare every grid point in between exactly)
                #[cfg(debug_assertions)]
                if at - k <= 64
                    && self.ctx.prep.groups.sets.len() * self.ctx.candidates.len() <= 20_000
                {
                    let here: Vec<usize> = trace.iter().map(|t| t.w).collect();
                    for i in k + 1..at {
                        let mid = self.ctx.run(&(self.at)(i), false).selected;
                        debug_assert_eq!(mid, here, "a run proven after the fact differs");
                    }
                }
                self.delta = (at - k).saturating_mul(2);
                return (at - k - 1, Some(self.set_base(up)));
            }
            self.keep_upper(at, up);
        }
        let room = self.limit - k;
        if same >= room {
            // (the cursor ends here: its base is the run at k, not at the limit)
            return (room, None);
        }
        let floor = same.min(MAX_RUNS) + 1;
        let guided = pred < MAX_RUNS;
        // the first grid point known to differ, as a distance from k (outcomes up to `floor`
        // are the current one, so it lies at or above it)
        let below = self.differs.saturating_sub(k).max(floor);
        // aim a little short of the guessed change: the guess is good to a few per cent, and a
        // check just short of a tie is the hardest to prove
        let mut j = if guided {
            (pred - pred / 20).min(self.long).max(floor)
        } else {
            self.delta.max(floor).min(MAX_RUNS)
        };
        if self.differs > k {
            j = j.min(below - 1).max(floor);
        }
        j = j.min(room);
        let mut fails = 0;
        // a failed check's outcome is needed only at the floor: above it the run may give up
        let check = |give_up| Check {
            trace: &trace,
            snap: &snap,
            give_up,
        };
        loop {
            self.computed += 1;
            let out = self
                .ctx
                .outcome(&(self.at)(k + j), true, Some(check(j > floor)), None);
            if out.ok {
                self.delta = j.saturating_mul(2);
                self.long = self.long.max(j.saturating_mul(2));
                return (j - 1, Some(self.set_base(out)));
            }
            let same_winners = same_winners_of(&out, &trace);
            // (a run at the floor never gives up: its outcome is complete)
            if j <= floor && out.complete {
                self.delta = (j / 2).max(1);
                if !same_winners {
                    // the outcome changes here: what differed from the old one is unknown now
                    self.differs = 0;
                    self.uppers.clear();
                }
                return (j - 1, Some(self.set_base(out)));
            }
            fails += 1;
            // the same winners but no proof: the bounds were too loose over so long an
            // interval, and a check a third as long usually holds (on Budapest 2024 this
            // computes 851 runs instead of 926); the run is kept, to be proven later from
            // nearer. Other winners: the guess overshot a little, and later checks stay below
            let at = k + j;
            j = if same_winners {
                self.long = j.saturating_mul(2);
                self.keep_upper(at, out);
                (j / 3).max(floor)
            } else {
                self.differs = at;
                if guided && fails == 1 {
                    floor + (j - floor) * 3 / 4
                } else {
                    (j / 2).max(floor)
                }
            };
        }
    }
}
