//! The small kinds a strategy is made of: the three levers, which way a measure should move, and
//! the unit its values are in (with how a value is shown).

use serde::{Deserialize, Serialize};

/// The three levers against poverty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lever {
    Procurement,
    CommunityBudgets,
    Coproduction,
}

impl Lever {
    pub const ALL: [Lever; 3] = [
        Lever::Procurement,
        Lever::CommunityBudgets,
        Lever::Coproduction,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Lever::Procurement => "procurement",
            Lever::CommunityBudgets => "community_budgets",
            Lever::Coproduction => "coproduction",
        }
    }

    pub fn from_key(s: &str) -> Option<Lever> {
        Lever::ALL.into_iter().find(|l| l.key() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Lever::Procurement => "Procurement",
            Lever::CommunityBudgets => "Community budgets",
            Lever::Coproduction => "Co-production",
        }
    }
}

/// Which way a measure should move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
}

impl Direction {
    pub fn key(self) -> &'static str {
        match self {
            Direction::HigherIsBetter => "higher",
            Direction::LowerIsBetter => "lower",
        }
    }

    pub fn from_key(s: &str) -> Option<Direction> {
        match s.trim() {
            "higher" => Some(Direction::HigherIsBetter),
            "lower" => Some(Direction::LowerIsBetter),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Direction::HigherIsBetter => "Higher is better",
            Direction::LowerIsBetter => "Lower is better",
        }
    }

    /// +1 when higher is better, −1 when lower is: `sign × (value − other)` is how much better.
    pub fn sign(self) -> f64 {
        match self {
            Direction::HigherIsBetter => 1.0,
            Direction::LowerIsBetter => -1.0,
        }
    }
}

/// What a measure's values count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A percentage, 0 to 100.
    Percent,
    /// Whole pounds (a statistic about money, not a ledger: kept as a number).
    Pounds,
    /// A count of people, things or credits.
    Count,
    /// Anything else, named as the publisher names it (a rate per 1,000, a score).
    Other(String),
}

impl Unit {
    pub fn key(&self) -> String {
        match self {
            Unit::Percent => "percent".into(),
            Unit::Pounds => "pounds".into(),
            Unit::Count => "count".into(),
            Unit::Other(s) => s.clone(),
        }
    }

    pub fn from_key(s: &str) -> Unit {
        match s.trim() {
            "percent" | "%" => Unit::Percent,
            "pounds" | "£" => Unit::Pounds,
            "count" | "" => Unit::Count,
            other => Unit::Other(other.to_string()),
        }
    }

    /// A value in this unit as text: `34.5%`, `£12,300`, `1,234`, `12.3 per 1,000`.
    pub fn show(&self, v: f64) -> String {
        if !v.is_finite() {
            return "n/a".into();
        }
        match self {
            Unit::Percent => format!("{v:.1}%"),
            Unit::Pounds => {
                let s = group(v.abs().round() as u64);
                if v < 0.0 {
                    format!("−£{s}")
                } else {
                    format!("£{s}")
                }
            }
            Unit::Count => {
                if (v - v.round()).abs() < 1e-9 {
                    let s = group(v.abs().round() as u64);
                    if v < 0.0 { format!("−{s}") } else { s }
                } else {
                    format!("{v:.1}")
                }
            }
            Unit::Other(u) => format!("{v:.1} {u}"),
        }
    }
}

fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
