//! Trajectories and the status rule: where a measure should be in a year, and whether it is there.
//!
//! **The rule (the strategy page states it in these words, [`RULE`]).** Each measure has a planned
//! trajectory: a straight line from its baseline to its first yearly target, then straight lines
//! from each target to the next; after the last target it stays at the last target. For the latest
//! year with a value, the *planned change* is the distance from the baseline to the trajectory in
//! that year and the *progress* is how far the value has moved from the baseline in the better
//! direction.
//! - **On track**: the value is at or better than the trajectory.
//! - **At risk**: behind the trajectory, but progress is at least half of the planned change.
//! - **Off track**: progress is less than half of the planned change (including moving the wrong
//!   way). When no change was planned yet, any value worse than the baseline is off track.
//!
//! A measure with no baseline, no target or no value in or after its baseline year has no status
//! (shown as "no data"). An objective takes the worst status among its measures that have one.

use levers_core::FinancialYear;
use serde::Serialize;

use crate::model::{Measure, Observation, Point};

/// The status rule in plain English, as the strategy page and the cabinet report print it.
pub const RULE: &str = "Each measure has a planned trajectory: a straight line from its baseline to its first yearly target and on through each later target (after the last target it stays there). We compare the latest year's value with that trajectory. On track: the value is at or better than the trajectory. At risk: behind the trajectory, but it has made at least half of the change planned from the baseline by that year. Off track: less than half of the planned change, or moving the wrong way (when no change was planned yet, any value worse than the baseline). An objective takes the worst status of its measures.";

/// The share of the planned change that separates "at risk" from "off track".
pub const AT_RISK_SHARE: f64 = 0.5;

/// Where a measure stands against its trajectory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    OnTrack,
    AtRisk,
    OffTrack,
    NoData,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::OnTrack => "On track",
            Status::AtRisk => "At risk",
            Status::OffTrack => "Off track",
            Status::NoData => "No data",
        }
    }

    /// A class name for the page's status tag.
    pub fn key(self) -> &'static str {
        match self {
            Status::OnTrack => "on-track",
            Status::AtRisk => "at-risk",
            Status::OffTrack => "off-track",
            Status::NoData => "no-data",
        }
    }

    /// How bad it is, for "worst of": off track > at risk > on track; no data counts least.
    fn severity(self) -> u8 {
        match self {
            Status::NoData => 0,
            Status::OnTrack => 1,
            Status::AtRisk => 2,
            Status::OffTrack => 3,
        }
    }
}

/// A measure's value in a year judged against its trajectory.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub status: Status,
    pub year: Option<FinancialYear>,
    pub actual: Option<f64>,
    /// Where the trajectory says the measure should be that year.
    pub expected: Option<f64>,
    /// Progress made as a share of the change planned by that year (1 = exactly on the line).
    pub progress: Option<f64>,
}

impl Assessment {
    fn none() -> Assessment {
        Assessment {
            status: Status::NoData,
            year: None,
            actual: None,
            expected: None,
            progress: None,
        }
    }
}

/// The trajectory's value in a year: the baseline in its year, straight lines through the targets,
/// the last target after it. `None` without a baseline and at least one target, or before the
/// baseline year.
pub fn expected(m: &Measure, year: FinancialYear) -> Option<f64> {
    let base = m.baseline?;
    let last = m.targets.last()?;
    if year < base.year {
        return None;
    }
    if year >= last.year {
        return Some(last.value);
    }
    let mut prev = base;
    for t in &m.targets {
        if year <= t.year {
            return Some(between(prev, *t, year));
        }
        prev = *t;
    }
    Some(last.value)
}

fn between(a: Point, b: Point, year: FinancialYear) -> f64 {
    let span = f64::from(b.year.start() - a.year.start());
    if span <= 0.0 {
        return b.value;
    }
    let t = f64::from(year.start() - a.year.start()) / span;
    a.value + (b.value - a.value) * t
}

/// The trajectory in each of the years given (years before the baseline left out).
pub fn trajectory(m: &Measure, years: &[FinancialYear]) -> Vec<(FinancialYear, f64)> {
    years
        .iter()
        .filter_map(|y| expected(m, *y).map(|v| (*y, v)))
        .collect()
}

/// Judges a value in a year by the rule in [`RULE`].
pub fn assess(m: &Measure, year: FinancialYear, actual: f64) -> Assessment {
    let (Some(base), Some(exp)) = (m.baseline, expected(m, year)) else {
        return Assessment {
            actual: Some(actual),
            year: Some(year),
            ..Assessment::none()
        };
    };
    if !actual.is_finite() {
        return Assessment::none();
    }
    let sign = m.direction.sign();
    let planned = sign * (exp - base.value);
    let made = sign * (actual - base.value);
    let behind = sign * (exp - actual);
    let progress = (planned.abs() > 1e-12).then(|| made / planned);
    let status = if behind <= 1e-9 {
        Status::OnTrack
    } else if planned > 1e-12 && made >= AT_RISK_SHARE * planned {
        Status::AtRisk
    } else {
        Status::OffTrack
    };
    Assessment {
        status,
        year: Some(year),
        actual: Some(actual),
        expected: Some(exp),
        progress,
    }
}

/// Judges the latest observation in or after the baseline year.
pub fn latest(m: &Measure, observations: &[Observation]) -> Assessment {
    let from = m.baseline.map(|b| b.year);
    observations
        .iter()
        .filter(|o| o.value.is_finite() && from.is_none_or(|f| o.year >= f))
        .max_by_key(|o| o.year)
        .map_or_else(Assessment::none, |o| assess(m, o.year, o.value))
}

/// The worst status among the measures' assessments (no data when none has one).
pub fn objective_status(assessments: &[Assessment]) -> Status {
    assessments
        .iter()
        .map(|a| a.status)
        .max_by_key(|s| s.severity())
        .unwrap_or(Status::NoData)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metric::Metric;
    use crate::model::{Direction, Source, Unit};

    fn fy(y: i32) -> FinancialYear {
        FinancialYear::starting(y).unwrap()
    }

    fn m(direction: Direction, base: f64, targets: &[(i32, f64)]) -> Measure {
        Measure {
            id: 1,
            name: "m".into(),
            unit: Unit::Count,
            direction,
            source: Source::Computed {
                metric: Metric::LivedExperiencePeople,
            },
            baseline: Some(Point {
                year: fy(2023),
                value: base,
            }),
            targets: targets
                .iter()
                .map(|(y, v)| Point {
                    year: fy(*y),
                    value: *v,
                })
                .collect(),
        }
    }

    #[test]
    fn the_trajectory_is_straight_between_targets_and_flat_after() {
        let x = m(
            Direction::HigherIsBetter,
            10.0,
            &[(2025, 20.0), (2026, 50.0)],
        );
        assert_eq!(expected(&x, fy(2022)), None);
        assert_eq!(expected(&x, fy(2023)), Some(10.0));
        assert_eq!(expected(&x, fy(2024)), Some(15.0));
        assert_eq!(expected(&x, fy(2025)), Some(20.0));
        assert_eq!(expected(&x, fy(2026)), Some(50.0));
        assert_eq!(expected(&x, fy(2030)), Some(50.0));
    }

    #[test]
    fn the_rule_as_stated() {
        let x = m(Direction::HigherIsBetter, 10.0, &[(2025, 20.0)]);
        // 2024: planned 15, change planned 5.
        assert_eq!(assess(&x, fy(2024), 15.0).status, Status::OnTrack);
        assert_eq!(assess(&x, fy(2024), 16.0).status, Status::OnTrack);
        assert_eq!(assess(&x, fy(2024), 12.5).status, Status::AtRisk);
        assert_eq!(assess(&x, fy(2024), 12.4).status, Status::OffTrack);
        assert_eq!(assess(&x, fy(2024), 9.0).status, Status::OffTrack);
        // Lower is better: the same, mirrored.
        let y = m(Direction::LowerIsBetter, 30.0, &[(2025, 20.0)]);
        assert_eq!(assess(&y, fy(2024), 24.0).status, Status::OnTrack);
        assert_eq!(assess(&y, fy(2024), 27.0).status, Status::AtRisk);
        assert_eq!(assess(&y, fy(2024), 28.0).status, Status::OffTrack);
        // In the baseline year nothing was planned yet: worse than the baseline is off track.
        assert_eq!(assess(&y, fy(2023), 30.0).status, Status::OnTrack);
        assert_eq!(assess(&y, fy(2023), 30.5).status, Status::OffTrack);
    }

    #[test]
    fn an_objective_takes_its_worst_measure() {
        let a = |s| Assessment {
            status: s,
            ..Assessment::none()
        };
        assert_eq!(
            objective_status(&[a(Status::OnTrack), a(Status::NoData), a(Status::AtRisk)]),
            Status::AtRisk
        );
        assert_eq!(objective_status(&[a(Status::NoData)]), Status::NoData);
        assert_eq!(objective_status(&[]), Status::NoData);
    }

    #[test]
    fn the_latest_year_is_judged() {
        let x = m(Direction::HigherIsBetter, 10.0, &[(2025, 20.0)]);
        let o = |y, v| Observation {
            year: fy(y),
            value: v,
            period: String::new(),
            source: String::new(),
            published: None,
            next_release: None,
        };
        let a = latest(&x, &[o(2025, 30.0), o(2024, 5.0), o(2020, 0.0)]);
        assert_eq!(a.year, Some(fy(2025)));
        assert_eq!(a.status, Status::OnTrack);
        assert_eq!(latest(&x, &[o(2020, 0.0)]).status, Status::NoData);
    }
}
