//! Coverage: how much of the council's commissioning is co-produced, answering the article's finding
//! that co-production is confined to single service contracts.
//!
//! Definitions (each stage's level is the highest rung of its involvements; an activity counts as of a
//! date when it started on or before it, and an involvement when it was held on or before it):
//! - **co-produced at a stage**: that stage's level is co-design or above;
//! - **two or more stages** / **all four stages**: the number of co-produced stages;
//! - **only in the provider's contract**: the activity has co-design-or-above involvement, and every
//!   such involvement is at the Do stage and provider-led;
//! - **none**: no stage co-produced.
//!
//! Shares are given by count and by estimated annual value (pence, summed exactly).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use levers_core::{FinancialYear, Money};
use serde::Serialize;
use time::Date;

use crate::register::{Lead, RegisterEntry, Rung, Stage, ValueBand};

/// The highest rung recorded at each stage (index by [`Stage::index`]), counting only involvements
/// held on or before `as_of` when given.
pub fn stage_levels(entry: &RegisterEntry, as_of: Option<Date>) -> [Option<Rung>; 4] {
    let mut levels = [None; 4];
    for inv in entry
        .involvements
        .iter()
        .filter(|i| as_of.is_none_or(|d| i.held_on <= d))
    {
        let slot = &mut levels[inv.stage.index()];
        if slot.is_none_or(|r| inv.rung > r) {
            *slot = Some(inv.rung);
        }
    }
    levels
}

/// How one activity stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ActivityStanding {
    /// Stages with co-design or above.
    pub coproduced_stages: u8,
    /// Co-produced only inside the provider's contract (Do, provider-led).
    pub provider_contract_only: bool,
    /// Any involvement with people with lived experience of poverty.
    pub lived_experience: bool,
}

pub fn standing(entry: &RegisterEntry, as_of: Option<Date>) -> ActivityStanding {
    let levels = stage_levels(entry, as_of);
    let coproduced_stages = levels
        .iter()
        .filter(|l| l.is_some_and(Rung::is_coproduction))
        .count() as u8;
    let counted: Vec<_> = entry
        .involvements
        .iter()
        .filter(|i| as_of.is_none_or(|d| i.held_on <= d))
        .collect();
    let co: Vec<_> = counted
        .iter()
        .filter(|i| i.rung.is_coproduction())
        .collect();
    let provider_contract_only = !co.is_empty()
        && co
            .iter()
            .all(|i| i.stage == Stage::Do && i.lead == Lead::Provider);
    let lived_experience = counted.iter().any(|i| i.lived_experience);
    ActivityStanding {
        coproduced_stages,
        provider_contract_only,
        lived_experience,
    }
}

/// Counts and £ values for a set of activities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Tally {
    pub activities: u64,
    pub value: Money,
    pub two_plus: u64,
    pub two_plus_value: Money,
    pub all_four: u64,
    pub all_four_value: Money,
    pub provider_only: u64,
    pub provider_only_value: Money,
    pub none: u64,
    pub none_value: Money,
}

fn add(m: &mut Money, v: Money) {
    // Register values are bounded well below i64 pence; saturate rather than wrap if not.
    *m = m.checked_add(v).unwrap_or(Money::from_pence(i64::MAX));
}

impl Tally {
    fn count(&mut self, value: Money, s: ActivityStanding) {
        self.activities += 1;
        add(&mut self.value, value);
        if s.coproduced_stages >= 2 {
            self.two_plus += 1;
            add(&mut self.two_plus_value, value);
        }
        if s.coproduced_stages == 4 {
            self.all_four += 1;
            add(&mut self.all_four_value, value);
        }
        if s.provider_contract_only {
            self.provider_only += 1;
            add(&mut self.provider_only_value, value);
        }
        if s.coproduced_stages == 0 {
            self.none += 1;
            add(&mut self.none_value, value);
        }
    }

    fn share(n: u64, d: u64) -> f64 {
        if d == 0 { 0.0 } else { n as f64 / d as f64 }
    }

    pub fn two_plus_share(&self) -> f64 {
        Tally::share(self.two_plus, self.activities)
    }
    pub fn two_plus_value_share(&self) -> f64 {
        self.two_plus_value.ratio_of(self.value)
    }
    pub fn all_four_share(&self) -> f64 {
        Tally::share(self.all_four, self.activities)
    }
    pub fn all_four_value_share(&self) -> f64 {
        self.all_four_value.ratio_of(self.value)
    }
    pub fn provider_only_share(&self) -> f64 {
        Tally::share(self.provider_only, self.activities)
    }
    pub fn provider_only_value_share(&self) -> f64 {
        self.provider_only_value.ratio_of(self.value)
    }
    pub fn none_share(&self) -> f64 {
        Tally::share(self.none, self.activities)
    }
}

/// Strategy objectives linked from the register, and how many of them had an activity that involved
/// people with lived experience of poverty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ObjectiveReach {
    pub objectives: u64,
    pub with_lived_experience: u64,
    /// Objectives none of whose activities involved people with lived experience.
    pub without: Vec<String>,
}

/// The coverage of the whole register at one date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    #[serde(skip)]
    pub as_of: Option<Date>,
    pub overall: Tally,
    /// By directorate, alphabetical.
    pub by_directorate: Vec<(String, Tally)>,
    /// By value band, lowest first, every band listed.
    pub by_band: Vec<(ValueBand, Tally)>,
    /// Activities at each number of co-produced stages (0 to 4).
    pub by_stage_count: [u64; 5],
    /// Activities whose highest rung anywhere is each rung (index 0 = none recorded, 1..=7 the rungs).
    pub by_highest_rung: [u64; 8],
    pub objectives: ObjectiveReach,
}

/// Computes coverage over the register as it stood at `as_of` (everything when `None`).
pub fn coverage(entries: &[RegisterEntry], as_of: Option<Date>) -> Coverage {
    let mut overall = Tally::default();
    let mut dirs: BTreeMap<String, Tally> = BTreeMap::new();
    let mut bands: BTreeMap<ValueBand, Tally> = ValueBand::ALL
        .iter()
        .map(|b| (*b, Tally::default()))
        .collect();
    let mut by_stage_count = [0u64; 5];
    let mut by_highest_rung = [0u64; 8];
    let mut objectives: BTreeMap<String, bool> = BTreeMap::new();
    for e in entries
        .iter()
        .filter(|e| as_of.is_none_or(|d| e.activity.started_on <= d))
    {
        let s = standing(e, as_of);
        let v = e.activity.annual_value;
        overall.count(v, s);
        dirs.entry(e.activity.directorate.trim().to_string())
            .or_default()
            .count(v, s);
        bands
            .entry(e.activity.value_band())
            .or_default()
            .count(v, s);
        by_stage_count[s.coproduced_stages as usize] += 1;
        let top = stage_levels(e, as_of)
            .iter()
            .flatten()
            .max()
            .map_or(0, |r| r.level() as usize);
        by_highest_rung[top] += 1;
        for o in &e.activity.objectives {
            let seen = objectives.entry(o.trim().to_string()).or_insert(false);
            *seen |= s.lived_experience;
        }
    }
    let reach = ObjectiveReach {
        objectives: objectives.len() as u64,
        with_lived_experience: objectives.values().filter(|v| **v).count() as u64,
        without: objectives
            .iter()
            .filter(|(_, v)| !**v)
            .map(|(k, _)| k.clone())
            .collect(),
    };
    Coverage {
        as_of,
        overall,
        by_directorate: dirs.into_iter().collect(),
        by_band: bands.into_iter().collect(),
        by_stage_count,
        by_highest_rung,
        objectives: reach,
    }
}

/// A quarter of a financial year (Q1 = April to June).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Quarter {
    pub year: FinancialYear,
    pub q: u8,
}

impl Quarter {
    pub fn of(d: Date) -> Quarter {
        Quarter {
            year: FinancialYear::of(d),
            q: FinancialYear::quarter_of(d),
        }
    }

    /// The last day of the quarter.
    pub fn last_day(self) -> Date {
        use time::Month::*;
        let y = self.year.start_year();
        let (year, month, day) = match self.q {
            1 => (y, June, 30),
            2 => (y, September, 30),
            3 => (y, December, 31),
            _ => (y + 1, March, 31),
        };
        Date::from_calendar_date(year, month, day).expect("quarter ends exist")
    }

    pub fn next(self) -> Quarter {
        if self.q >= 4 {
            Quarter {
                year: self.year.next(),
                q: 1,
            }
        } else {
            Quarter {
                year: self.year,
                q: self.q + 1,
            }
        }
    }
}

impl fmt::Display for Quarter {
    /// `2024/25 Q1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} Q{}", self.year, self.q)
    }
}

/// Coverage at the end of each quarter from the earliest activity's quarter to `today`'s quarter
/// (the current quarter is measured as of `today`). At most 40 quarters, the latest kept.
pub fn quarterly(entries: &[RegisterEntry], today: Date) -> Vec<(Quarter, Tally)> {
    let Some(first) = entries.iter().map(|e| e.activity.started_on).min() else {
        return Vec::new();
    };
    if first > today {
        return Vec::new();
    }
    let last = Quarter::of(today);
    let mut quarters = Vec::new();
    let mut q = Quarter::of(first);
    while q <= last {
        quarters.push(q);
        q = q.next();
    }
    let skip = quarters.len().saturating_sub(40);
    quarters
        .into_iter()
        .skip(skip)
        .map(|q| {
            let at = if q == last { today } else { q.last_day() };
            (q, coverage(entries, Some(at)).overall)
        })
        .collect()
}

/// Every strategy objective named in the register, sorted, without repeats.
pub fn objectives(entries: &[RegisterEntry]) -> BTreeSet<String> {
    entries
        .iter()
        .flat_map(|e| e.activity.objectives.iter().map(|o| o.trim().to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::register::{Activity, Involvement};
    use time::macros::date;

    fn entry(dir: &str, pounds: i64, invs: &[(Stage, Rung, Lead)]) -> RegisterEntry {
        RegisterEntry {
            activity: Activity {
                reference: format!("R{pounds}"),
                service: "s".into(),
                directorate: dir.into(),
                annual_value: Money::from_pounds(pounds).unwrap(),
                current_stage: Stage::Do,
                procurement_ref: None,
                objectives: vec![],
                started_on: date!(2024 - 04 - 01),
            },
            involvements: invs
                .iter()
                .map(|(s, r, l)| Involvement {
                    stage: *s,
                    rung: *r,
                    lead: *l,
                    held_on: date!(2024 - 05 - 01),
                    methods: vec![],
                    groups: vec![],
                    lived_experience: false,
                    headcount: 1,
                    hours: 1,
                    decisions: String::new(),
                    you_said_we_did: String::new(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_stage_counts_its_highest_rung() {
        use Lead::*;
        use Rung::*;
        use Stage::*;
        let e = entry(
            "A",
            1,
            &[
                (Plan, Consultation, Council),
                (Plan, CoDesign, Council),
                (Do, Informing, Provider),
            ],
        );
        assert_eq!(
            stage_levels(&e, None),
            [None, Some(CoDesign), Some(Informing), None]
        );
        assert_eq!(standing(&e, None).coproduced_stages, 1);
        // Only provider-led co-design at Do is "only in the contract"; council-led is not.
        assert!(
            standing(
                &entry(
                    "A",
                    1,
                    &[(Do, CoProduction, Provider), (Plan, Engagement, Council)]
                ),
                None
            )
            .provider_contract_only
        );
        assert!(
            !standing(&entry("A", 1, &[(Do, CoProduction, Council)]), None).provider_contract_only
        );
        assert!(
            !standing(
                &entry(
                    "A",
                    1,
                    &[(Do, CoProduction, Provider), (Review, CoDesign, Council)]
                ),
                None
            )
            .provider_contract_only
        );
        assert!(!standing(&entry("A", 1, &[]), None).provider_contract_only);
    }

    #[test]
    fn empty_registers_have_zero_shares() {
        let c = coverage(&[], None);
        assert_eq!(c.overall.activities, 0);
        assert_eq!(c.overall.two_plus_share(), 0.0);
        assert_eq!(c.by_band.len(), 5);
        assert!(quarterly(&[], date!(2025 - 01 - 01)).is_empty());
    }

    #[test]
    fn quarters_run_april_to_march() {
        let q = Quarter::of(date!(2025 - 02 - 10));
        assert_eq!(q.to_string(), "2024/25 Q4");
        assert_eq!(q.last_day(), date!(2025 - 03 - 31));
        assert_eq!(q.next().to_string(), "2025/26 Q1");
        assert_eq!(
            Quarter::of(date!(2024 - 09 - 30)).last_day(),
            date!(2024 - 09 - 30)
        );
    }
}
