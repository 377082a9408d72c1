//! The per-election MES context shared by the exact run, the hybrid run and the add1 walk.

use super::super::Prepared;
use super::lazy::{Check, HybridOut, Snap};
use super::types::MesRound;
use crate::num::Q;

/// Costs, satisfactions, tie ranks and supporter groups of one MES call.
pub(super) struct Ctx<'p, 'a> {
    pub prep: &'p Prepared<'a>,
    pub costs: Vec<Q>,
    pub costs_f: Vec<f64>,
    pub sat_f: Vec<f64>,
    /// satisfaction per supporter (cost or 1)
    pub sat: Vec<Q>,
    pub ranks: Vec<usize>,
    pub candidates: Vec<usize>,
    /// For each project, its supporter groups with their multiplicities.
    pub sup_m: Vec<Vec<(u32, u32)>>,
    /// Number of levels the last hybrid run created (capacity hint for the next add1 run).
    pub level_hint: std::sync::atomic::AtomicUsize,
}

/// The result of one exact run.
pub(super) struct Run {
    pub selected: Vec<usize>,
    pub rounds: Vec<MesRound>,
    pub money_left: Vec<Q>,
}

impl Ctx<'_, '_> {
    /// The outcome for a per-voter budget, identical to the exact run (`run`), and with `reach`,
    /// how far the per-voter budget can grow from here with the outcome provably unchanged
    /// (0 when not asked for). In debug builds small instances are checked against the exact run.
    pub fn outcome(
        &self,
        per_voter: &Q,
        reach: bool,
        check: Option<Check<'_>>,
        shape: Option<&Snap>,
    ) -> HybridOut {
        let out = self.run_hybrid(per_voter, reach, check, shape);
        #[cfg(debug_assertions)]
        if out.complete && self.prep.groups.sets.len() * self.candidates.len() <= 200_000 {
            debug_assert_eq!(
                &out.selected,
                &self.run(per_voter, false).selected,
                "hybrid MES differs from the exact run"
            );
        }
        out
    }
}
