//! The ballot page's running total (choices, money or points used against the limit) and the order
//! each voter sees the projects in.

use serde::Serialize;

use super::{BallotInput, BallotProject};
use crate::process::{BallotType, levers_pence};

/// The running total shown on the ballot page and the review page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub chosen: usize,
    pub spent_pence: i64,
    pub points: u64,
    /// Text such as "2 of 3 choices used" or "£4,500 of £10,000 used".
    pub summary: String,
    pub over: bool,
}

/// Totals what the voter has marked so far (valid or not), against the limit.
pub fn tally(bt: &BallotType, projects: &[BallotProject], input: &BallotInput) -> Tally {
    let cost = |id: i64| {
        projects
            .iter()
            .find(|p| p.id == id)
            .map_or(0, |p| p.cost_pence)
    };
    let spent: i64 = input.chosen.iter().map(|&id| cost(id)).sum();
    let points: u64 = input.points.iter().map(|p| u64::from(p.1)).sum();
    let ranked = input.ranks.iter().filter(|r| r.1 > 0).count();
    let (chosen, summary, over) = match *bt {
        BallotType::Approval { max_choices } => (
            input.chosen.len(),
            format!("{} of {max_choices} choices used", input.chosen.len()),
            input.chosen.len() > max_choices as usize,
        ),
        BallotType::Knapsack { limit_pence } => (
            input.chosen.len(),
            format!(
                "{} of {} used, {} left",
                levers_pence(spent),
                levers_pence(limit_pence),
                levers_pence((limit_pence - spent).max(0))
            ),
            spent > limit_pence,
        ),
        BallotType::Cumulative { points: max, .. } => (
            input.points.iter().filter(|p| p.1 > 0).count(),
            format!(
                "{points} of {max} points used, {} left",
                u64::from(max).saturating_sub(points)
            ),
            points > u64::from(max),
        ),
        BallotType::Ranking { max_ranks } => (
            ranked,
            format!("{ranked} of {max_ranks} ranks used"),
            ranked > max_ranks as usize,
        ),
    };
    Tally {
        chosen,
        spent_pence: spent,
        points,
        summary,
        over,
    }
}

/// The order one voter sees `n` projects in: a Fisher–Yates shuffle driven by `seed` (SplitMix64),
/// so the same voter sees the same order on every step of the ballot.
pub fn voter_order(n: usize, seed: u64) -> Vec<usize> {
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    order
}
