//! The Method of Equal Shares' explanation types: rounds, payments and unfunded projects.

use super::super::Num;
use serde::Serialize;

/// What a group of supporters paid in one round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PaymentGroup {
    /// How many voters paid this amount.
    pub voters: u64,
    pub paid: Num,
    /// True when this is their whole remaining budget (they could not pay the full share).
    pub capped: bool,
}

/// One MES round.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    /// How many MES runs the completion needed (the one-unit-at-a-time walk's count).
    pub runs: usize,
    /// How many of those runs were computed; the others were skipped because the outcome
    /// provably could not change there (see ARCHITECTURE.md, levers-pb).
    pub runs_computed: usize,
    pub rounds: Vec<MesRound>,
    pub unfunded: Vec<Unfunded>,
    /// Projects added by the utilitarian completion, in order.
    pub completion_added: Vec<String>,
}
