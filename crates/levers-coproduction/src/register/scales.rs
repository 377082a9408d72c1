//! The register's scales: the commissioning cycle's stages, the rungs of the ladder of co-production,
//! who led an involvement, and the bands of annual value.

use std::fmt;

use levers_core::Money;
use serde::{Deserialize, Serialize};

/// A stage of the commissioning cycle (Institute of Public Care).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Analyse,
    Plan,
    /// Securing and delivering the service: the stage that lives inside a provider's contract.
    Do,
    Review,
}

impl Stage {
    pub const ALL: [Stage; 4] = [Stage::Analyse, Stage::Plan, Stage::Do, Stage::Review];

    /// The stored and CSV name: `analyse`, `plan`, `do`, `review`.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Analyse => "analyse",
            Stage::Plan => "plan",
            Stage::Do => "do",
            Stage::Review => "review",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::Analyse => "Analyse",
            Stage::Plan => "Plan",
            Stage::Do => "Do",
            Stage::Review => "Review",
        }
    }

    /// What happens at the stage, for hints on forms.
    pub fn hint(self) -> &'static str {
        match self {
            Stage::Analyse => "Understanding needs, resources and what matters to people",
            Stage::Plan => "Designing the service and how it will be secured",
            Stage::Do => {
                "Securing and delivering the service, usually through a provider's contract"
            }
            Stage::Review => "Finding out what difference the service made and what to change",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// Reads a stage name in any case (`Analyse`, `analyze`, `DO`).
    pub fn parse(s: &str) -> Option<Stage> {
        match s.trim().to_ascii_lowercase().as_str() {
            "analyse" | "analyze" | "analysis" => Some(Stage::Analyse),
            "plan" | "planning" => Some(Stage::Plan),
            "do" | "doing" | "deliver" | "delivery" => Some(Stage::Do),
            "review" | "reviewing" => Some(Stage::Review),
            _ => None,
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A rung on TLAP's ladder of co-production, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rung {
    Coercion,
    Educating,
    Informing,
    Consultation,
    Engagement,
    CoDesign,
    CoProduction,
}

impl Rung {
    pub const ALL: [Rung; 7] = [
        Rung::Coercion,
        Rung::Educating,
        Rung::Informing,
        Rung::Consultation,
        Rung::Engagement,
        Rung::CoDesign,
        Rung::CoProduction,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Rung::Coercion => "coercion",
            Rung::Educating => "educating",
            Rung::Informing => "informing",
            Rung::Consultation => "consultation",
            Rung::Engagement => "engagement",
            Rung::CoDesign => "co_design",
            Rung::CoProduction => "co_production",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Rung::Coercion => "Coercion",
            Rung::Educating => "Educating",
            Rung::Informing => "Informing",
            Rung::Consultation => "Consultation",
            Rung::Engagement => "Engagement",
            Rung::CoDesign => "Co-design",
            Rung::CoProduction => "Co-production",
        }
    }

    /// 1 (coercion) to 7 (co-production).
    pub fn level(self) -> u8 {
        self as u8 + 1
    }

    /// A one-line reminder of what the rung means (levers' summary of the TLAP ladder).
    pub fn hint(self) -> &'static str {
        match self {
            Rung::Coercion => {
                "People attend as passive recipients; their views are not taken into account"
            }
            Rung::Educating => {
                "People are helped to understand the service as it has been designed"
            }
            Rung::Informing => "People are told about the service and about decisions already made",
            Rung::Consultation => {
                "People are asked for views (surveys, meetings) but have little power to change things"
            }
            Rung::Engagement => {
                "People have more chances to give views and can influence some decisions"
            }
            Rung::CoDesign => {
                "People design the service with the council from their experience, with real influence"
            }
            Rung::CoProduction => {
                "People share power and responsibility from start to finish, as equal partners"
            }
        }
    }

    /// Co-design or above: what the coverage measures count as co-production.
    pub fn is_coproduction(self) -> bool {
        self >= Rung::CoDesign
    }

    /// Reads a rung as written on forms and in CSV: `co-design`, `Co design`, `co_design`, `codesign`.
    pub fn parse(s: &str) -> Option<Rung> {
        let k: String = s
            .trim()
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphabetic())
            .collect();
        match k.as_str() {
            "coercion" => Some(Rung::Coercion),
            "educating" | "education" => Some(Rung::Educating),
            "informing" | "information" => Some(Rung::Informing),
            "consultation" | "consulting" => Some(Rung::Consultation),
            "engagement" | "engaging" => Some(Rung::Engagement),
            "codesign" | "codesigning" => Some(Rung::CoDesign),
            "coproduction" | "coproducing" => Some(Rung::CoProduction),
            _ => None,
        }
    }
}

impl fmt::Display for Rung {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Who led the involvement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lead {
    Council,
    Provider,
}

impl Lead {
    pub const ALL: [Lead; 2] = [Lead::Council, Lead::Provider];

    pub fn name(self) -> &'static str {
        match self {
            Lead::Council => "council",
            Lead::Provider => "provider",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Lead::Council => "Council-led",
            Lead::Provider => "Provider-led",
        }
    }

    pub fn parse(s: &str) -> Option<Lead> {
        match s
            .trim()
            .to_ascii_lowercase()
            .trim_end_matches("-led")
            .trim_end_matches(" led")
        {
            "council" | "commissioner" | "la" => Some(Lead::Council),
            "provider" | "contractor" | "supplier" => Some(Lead::Provider),
            _ => None,
        }
    }
}

/// A band of estimated annual value, derived from the estimate so the two can never disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueBand {
    /// Under £30,000 a year.
    Under30k,
    /// £30,000 to £249,999.99.
    From30kTo250k,
    /// £250,000 to £999,999.99.
    From250kTo1m,
    /// £1 million to £4,999,999.99.
    From1mTo5m,
    /// £5 million and over.
    Over5m,
}

impl ValueBand {
    pub const ALL: [ValueBand; 5] = [
        ValueBand::Under30k,
        ValueBand::From30kTo250k,
        ValueBand::From250kTo1m,
        ValueBand::From1mTo5m,
        ValueBand::Over5m,
    ];

    /// The band an estimated annual value falls in (lower bounds inclusive).
    pub fn of(value: Money) -> ValueBand {
        match value.pence() {
            p if p < 3_000_000 => ValueBand::Under30k,
            p if p < 25_000_000 => ValueBand::From30kTo250k,
            p if p < 100_000_000 => ValueBand::From250kTo1m,
            p if p < 500_000_000 => ValueBand::From1mTo5m,
            _ => ValueBand::Over5m,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ValueBand::Under30k => "under_30k",
            ValueBand::From30kTo250k => "30k_to_250k",
            ValueBand::From250kTo1m => "250k_to_1m",
            ValueBand::From1mTo5m => "1m_to_5m",
            ValueBand::Over5m => "5m_and_over",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ValueBand::Under30k => "Under £30k",
            ValueBand::From30kTo250k => "£30k to £250k",
            ValueBand::From250kTo1m => "£250k to £1m",
            ValueBand::From1mTo5m => "£1m to £5m",
            ValueBand::Over5m => "£5m and over",
        }
    }

    /// Reads a band by its name or label (CSV files may carry either).
    pub fn parse(s: &str) -> Option<ValueBand> {
        let t = s.trim();
        ValueBand::ALL
            .into_iter()
            .find(|b| b.name().eq_ignore_ascii_case(t) || b.label().eq_ignore_ascii_case(t))
    }
}

impl fmt::Display for ValueBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}
