//! People who take part: how they are rewarded (and which rewards flag benefits advice), the
//! equality-monitoring categories (stored apart from the person, reported only as totals of at least
//! ten), and retention.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How a participant is recognised for their time. Recorded for every participant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RewardForm {
    /// No reward (they chose not to have one).
    None,
    /// Out-of-pocket costs repaid (travel, care): not income.
    Expenses,
    /// A payment for time.
    Payment,
    /// Shop or gift vouchers.
    Voucher,
    /// Time credits on the ledger.
    TimeCredits,
}

impl RewardForm {
    pub const ALL: [RewardForm; 5] = [
        RewardForm::TimeCredits,
        RewardForm::Expenses,
        RewardForm::Voucher,
        RewardForm::Payment,
        RewardForm::None,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RewardForm::None => "none",
            RewardForm::Expenses => "expenses",
            RewardForm::Payment => "payment",
            RewardForm::Voucher => "voucher",
            RewardForm::TimeCredits => "time_credits",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RewardForm::None => "No reward",
            RewardForm::Expenses => "Expenses only",
            RewardForm::Payment => "Payment",
            RewardForm::Voucher => "Vouchers",
            RewardForm::TimeCredits => "Time credits",
        }
    }

    pub fn parse(s: &str) -> Option<RewardForm> {
        RewardForm::ALL.into_iter().find(|r| r.name() == s.trim())
    }

    /// Paid rewards (payment and vouchers) can count as income for means-tested benefits such as
    /// Universal Credit, so the participant should be offered benefits advice before accepting.
    pub fn needs_benefits_advice(self) -> bool {
        matches!(self, RewardForm::Payment | RewardForm::Voucher)
    }
}

impl fmt::Display for RewardForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// An equality-monitoring question and its answers. Every question has "Prefer not to say".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Dimension {
    /// The stored column.
    pub key: &'static str,
    pub question: &'static str,
    /// (stored value, label).
    pub answers: &'static [(&'static str, &'static str)],
}

pub const PREFER_NOT: (&str, &str) = ("prefer_not", "Prefer not to say");

/// The questions asked. Ethnic groups are the ONS 2021 Census high-level groups for England.
pub const DIMENSIONS: &[Dimension] = &[
    Dimension {
        key: "age_band",
        question: "Age",
        answers: &[
            ("16_24", "16 to 24"),
            ("25_34", "25 to 34"),
            ("35_49", "35 to 49"),
            ("50_64", "50 to 64"),
            ("65_plus", "65 and over"),
            PREFER_NOT,
        ],
    },
    Dimension {
        key: "gender",
        question: "Gender",
        answers: &[
            ("woman", "Woman"),
            ("man", "Man"),
            ("non_binary", "Non-binary"),
            ("another", "In another way"),
            PREFER_NOT,
        ],
    },
    Dimension {
        key: "ethnicity",
        question: "Ethnic group",
        answers: &[
            ("asian", "Asian, Asian British or Asian Welsh"),
            (
                "black",
                "Black, Black British, Black Welsh, Caribbean or African",
            ),
            ("mixed", "Mixed or Multiple ethnic groups"),
            ("white", "White"),
            ("other", "Other ethnic group"),
            PREFER_NOT,
        ],
    },
    Dimension {
        key: "disability",
        question: "Disabled (Equality Act 2010)",
        answers: &[("yes", "Yes"), ("no", "No"), PREFER_NOT],
    },
    Dimension {
        key: "lived_experience",
        question: "Lived experience of poverty",
        answers: &[("yes", "Yes"), ("no", "No"), PREFER_NOT],
    },
];

/// Whether `value` is an answer to the dimension `key`.
pub fn valid_answer(key: &str, value: &str) -> bool {
    DIMENSIONS
        .iter()
        .any(|d| d.key == key && d.answers.iter().any(|(v, _)| *v == value))
}

/// Counts smaller than this are never shown.
pub const SUPPRESS_BELOW: u64 = 10;

/// Which counts of one question may be shown. Primary suppression hides every count under ten
/// (including zero, which would tell readers that everyone else answered otherwise). Secondary
/// suppression: when exactly one count is hidden, the total would reveal it, so the smallest shown
/// count is hidden too. The total itself is shown only when it is at least ten.
pub fn suppress(counts: &[u64]) -> (Vec<Option<u64>>, Option<u64>) {
    let mut shown: Vec<Option<u64>> = counts
        .iter()
        .map(|&c| (c >= SUPPRESS_BELOW).then_some(c))
        .collect();
    let total: u64 = counts.iter().sum();
    let total_shown = (total >= SUPPRESS_BELOW).then_some(total);
    if total_shown.is_some()
        && shown.iter().filter(|s| s.is_none()).count() == 1
        && let Some((i, _)) = shown
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.map(|v| (i, v)))
            .min_by_key(|(_, v)| *v)
    {
        shown[i] = None;
    }
    (shown, total_shown)
}

/// Seconds in a day, for retention periods.
pub const DAY: i64 = 86_400;

/// Whether a participant last active at `last_active` (Unix seconds) is past a retention period of
/// `days` at `now`.
pub fn retention_due(last_active: i64, now: i64, days: i64) -> bool {
    last_active.saturating_add(days.saturating_mul(DAY)) < now
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paid_rewards_flag_benefits_advice() {
        let flagged: Vec<RewardForm> = RewardForm::ALL
            .into_iter()
            .filter(|r| r.needs_benefits_advice())
            .collect();
        assert_eq!(flagged, vec![RewardForm::Voucher, RewardForm::Payment]);
        for r in RewardForm::ALL {
            assert_eq!(RewardForm::parse(r.name()), Some(r));
        }
    }

    #[test]
    fn small_counts_are_suppressed_with_secondary_suppression() {
        // All large: everything shown.
        assert_eq!(
            suppress(&[12, 30, 10]),
            (vec![Some(12), Some(30), Some(10)], Some(52))
        );
        // One small count: total 52 - 30 - 12 would reveal it, so the smallest shown (12) goes too.
        assert_eq!(
            suppress(&[12, 30, 4]),
            (vec![None, Some(30), None], Some(46))
        );
        // Two small counts already protect each other.
        assert_eq!(
            suppress(&[3, 30, 4]),
            (vec![None, Some(30), None], Some(37))
        );
        // Zero is suppressed as well.
        assert_eq!(suppress(&[0, 30, 20]).0, vec![None, Some(30), None]);
        // Tiny totals show nothing at all.
        assert_eq!(suppress(&[2, 3]), (vec![None, None], None));
        assert!(
            valid_answer("gender", "prefer_not")
                && !valid_answer("gender", "x")
                && !valid_answer("shoe", "yes")
        );
    }

    #[test]
    fn retention_counts_whole_days() {
        assert!(!retention_due(0, 10 * DAY, 10));
        assert!(retention_due(0, 10 * DAY + 1, 10));
        assert!(!retention_due(i64::MAX - 5, i64::MAX, 10));
    }
}
