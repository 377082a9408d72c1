//! The measures levers computes from its own records: each names the lever page whose figure it is,
//! so the strategy shows exactly what that page shows for the same year.

use serde::{Deserialize, Serialize};

use crate::kinds::{Direction, Lever, Unit};

/// A figure levers computes from its own records. The use-case layer computes each with the same
/// code that draws the lever's own page (never a second calculation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Share of analysed (influenceable) spend with suppliers in the local area.
    ProcurementLocalShare,
    /// Share of analysed spend with suppliers in the wider area.
    ProcurementWiderShare,
    /// Share of analysed spend with suppliers in the 10% most deprived neighbourhoods.
    ProcurementDeprived10Share,
    /// Share of analysed spend with suppliers in the 20% most deprived neighbourhoods.
    ProcurementDeprived20Share,
    /// Share of analysed spend with small and medium-sized enterprises.
    ProcurementSmeShare,
    /// Share of analysed spend with voluntary, community and social enterprises.
    ProcurementVcseShare,
    /// Pounds allocated to funded projects by community budget votes counted in the year.
    CommunityBudgetAllocated,
    /// Turnout (ballots cast per voting code issued) in community budget votes counted in the year.
    CommunityBudgetTurnout,
    /// Share of commissioning activities co-produced at two or more stages, by count, at the year's end.
    CoproducedShareCount,
    /// Share of commissioning by annual value co-produced at two or more stages, at the year's end.
    CoproducedShareValue,
    /// People with lived experience of poverty involved in commissioning, in the year.
    LivedExperiencePeople,
    /// Time credits earned (issued for participation) in the year.
    TimeCreditsEarned,
    /// Net public value of the year's appraised interventions (central case, present value).
    AppraisalNetPublicValue,
    /// Net outcomes of the year's appraised interventions (after deadweight, displacement, leakage).
    AppraisalNetOutcomes,
}

impl Metric {
    pub const ALL: [Metric; 14] = [
        Metric::ProcurementLocalShare,
        Metric::ProcurementWiderShare,
        Metric::ProcurementDeprived10Share,
        Metric::ProcurementDeprived20Share,
        Metric::ProcurementSmeShare,
        Metric::ProcurementVcseShare,
        Metric::CommunityBudgetAllocated,
        Metric::CommunityBudgetTurnout,
        Metric::CoproducedShareCount,
        Metric::CoproducedShareValue,
        Metric::LivedExperiencePeople,
        Metric::TimeCreditsEarned,
        Metric::AppraisalNetPublicValue,
        Metric::AppraisalNetOutcomes,
    ];

    /// The stable name stored in the database and used by the CLI.
    pub fn key(self) -> &'static str {
        match self {
            Metric::ProcurementLocalShare => "procurement_local_share",
            Metric::ProcurementWiderShare => "procurement_wider_share",
            Metric::ProcurementDeprived10Share => "procurement_deprived10_share",
            Metric::ProcurementDeprived20Share => "procurement_deprived20_share",
            Metric::ProcurementSmeShare => "procurement_sme_share",
            Metric::ProcurementVcseShare => "procurement_vcse_share",
            Metric::CommunityBudgetAllocated => "community_budget_allocated",
            Metric::CommunityBudgetTurnout => "community_budget_turnout",
            Metric::CoproducedShareCount => "coproduced_share_count",
            Metric::CoproducedShareValue => "coproduced_share_value",
            Metric::LivedExperiencePeople => "lived_experience_people",
            Metric::TimeCreditsEarned => "time_credits_earned",
            Metric::AppraisalNetPublicValue => "appraisal_net_public_value",
            Metric::AppraisalNetOutcomes => "appraisal_net_outcomes",
        }
    }

    /// The metric with this stored name.
    pub fn from_key(key: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.key() == key.trim())
    }

    /// What it measures, as the strategy page says it.
    pub fn label(self) -> &'static str {
        match self {
            Metric::ProcurementLocalShare => "Share of influenceable spend with local suppliers",
            Metric::ProcurementWiderShare => "Share of influenceable spend in the wider area",
            Metric::ProcurementDeprived10Share => {
                "Share of influenceable spend with suppliers in the 10% most deprived neighbourhoods"
            }
            Metric::ProcurementDeprived20Share => {
                "Share of influenceable spend with suppliers in the 20% most deprived neighbourhoods"
            }
            Metric::ProcurementSmeShare => "Share of influenceable spend with SMEs",
            Metric::ProcurementVcseShare => "Share of influenceable spend with VCSEs",
            Metric::CommunityBudgetAllocated => "Community budget pounds allocated by residents",
            Metric::CommunityBudgetTurnout => "Community budget turnout",
            Metric::CoproducedShareCount => {
                "Share of commissioning activities co-produced at two or more stages"
            }
            Metric::CoproducedShareValue => {
                "Share of commissioning value co-produced at two or more stages"
            }
            Metric::LivedExperiencePeople => {
                "People with lived experience of poverty involved in commissioning"
            }
            Metric::TimeCreditsEarned => "Time credits earned",
            Metric::AppraisalNetPublicValue => "Net public value of appraised interventions",
            Metric::AppraisalNetOutcomes => "Net outcomes of appraised interventions",
        }
    }

    /// The page whose figure this is (so readers can check it).
    pub fn page(self) -> &'static str {
        match self.lever() {
            Lever::Procurement => "/procurement/analysis",
            Lever::CommunityBudgets => match self {
                Metric::AppraisalNetPublicValue | Metric::AppraisalNetOutcomes => "/appraisals",
                _ => "/community-budgets",
            },
            Lever::Coproduction => match self {
                Metric::TimeCreditsEarned => "/coproduction/credits",
                _ => "/coproduction/coverage",
            },
        }
    }

    /// The lever it belongs to.
    pub fn lever(self) -> Lever {
        match self {
            Metric::ProcurementLocalShare
            | Metric::ProcurementWiderShare
            | Metric::ProcurementDeprived10Share
            | Metric::ProcurementDeprived20Share
            | Metric::ProcurementSmeShare
            | Metric::ProcurementVcseShare => Lever::Procurement,
            Metric::CommunityBudgetAllocated
            | Metric::CommunityBudgetTurnout
            | Metric::AppraisalNetPublicValue
            | Metric::AppraisalNetOutcomes => Lever::CommunityBudgets,
            Metric::CoproducedShareCount
            | Metric::CoproducedShareValue
            | Metric::LivedExperiencePeople
            | Metric::TimeCreditsEarned => Lever::Coproduction,
        }
    }

    /// The unit its values are in.
    pub fn unit(self) -> Unit {
        match self {
            Metric::CommunityBudgetAllocated | Metric::AppraisalNetPublicValue => Unit::Pounds,
            Metric::LivedExperiencePeople
            | Metric::TimeCreditsEarned
            | Metric::AppraisalNetOutcomes => Unit::Count,
            _ => Unit::Percent,
        }
    }

    /// Which way is better (every computed measure: higher).
    pub fn direction(self) -> Direction {
        Direction::HigherIsBetter
    }

    /// Where the figure comes from, as the page says it.
    pub fn source_name(self) -> &'static str {
        match self.lever() {
            Lever::Procurement => "levers: procurement analysis of the council's spend",
            Lever::CommunityBudgets => match self {
                Metric::AppraisalNetPublicValue | Metric::AppraisalNetOutcomes => {
                    "levers: appraisals (central case)"
                }
                _ => "levers: community budget votes",
            },
            Lever::Coproduction => match self {
                Metric::TimeCreditsEarned => "levers: time-credit ledger",
                _ => "levers: co-production register",
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_reads_back_from_its_key() {
        for m in Metric::ALL {
            assert_eq!(Metric::from_key(m.key()), Some(m));
            assert!(!m.label().is_empty());
        }
        assert_eq!(Metric::from_key("nope"), None);
    }
}
