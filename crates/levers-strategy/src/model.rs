//! The strategy, its objectives and their measures, and the checks an officer's edit must pass.

use levers_core::FinancialYear;
use serde::{Deserialize, Serialize};
use time::Date;

pub use crate::kinds::{Direction, Lever, Unit};
use crate::metric::Metric;

/// A value in a financial year: a baseline, a target or an observation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub year: FinancialYear,
    pub value: f64,
}

/// An official statistic a measure follows, named as the indicator store names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficialRef {
    /// The indicator, e.g. `children_in_low_income_families`.
    pub indicator: String,
    /// The measure within it, e.g. `percentage` or `count`.
    pub measure: String,
    /// The area it is for (a district or ward code).
    pub area_code: String,
    /// The publisher and series, e.g. "DWP Children in low income families".
    pub publisher: String,
    /// The next release, where known.
    #[serde(with = "crate::dates::option", default)]
    pub next_release: Option<Date>,
}

/// Where a measure's values come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Source {
    /// Computed by levers from its own records.
    Computed { metric: Metric },
    /// An official statistic imported from its published file (or recorded by an officer from it).
    Official(OfficialRef),
}

impl Source {
    pub fn is_computed(&self) -> bool {
        matches!(self, Source::Computed { .. })
    }

    /// The source as the page names it.
    pub fn name(&self) -> String {
        match self {
            Source::Computed { metric } => metric.source_name().to_string(),
            Source::Official(o) => o.publisher.clone(),
        }
    }
}

/// An observed value of a measure, with where and when it was published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    pub year: FinancialYear,
    pub value: f64,
    /// The period the figure covers as its publisher writes it (`2024/25`, `2023`, `Mar 2025`).
    pub period: String,
    /// Where it came from.
    pub source: String,
    #[serde(with = "crate::dates::option", default)]
    pub published: Option<Date>,
    #[serde(with = "crate::dates::option", default)]
    pub next_release: Option<Date>,
}

/// One measure of an objective.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    pub id: i64,
    pub name: String,
    pub unit: Unit,
    pub direction: Direction,
    pub source: Source,
    pub baseline: Option<Point>,
    /// Yearly targets, earliest first.
    pub targets: Vec<Point>,
}

impl Measure {
    /// What is wrong with this measure, as (field, what to do). Empty when it may be saved.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            out.push((
                "name",
                "Enter the measure's name, 200 characters or fewer".into(),
            ));
        }
        if let Source::Official(o) = &self.source {
            if o.indicator.trim().is_empty() {
                out.push((
                    "indicator",
                    "Enter the indicator the measure follows".into(),
                ));
            }
            if o.area_code.trim().is_empty() {
                out.push(("area_code", "Enter the area code the figure is for".into()));
            }
            if o.publisher.trim().is_empty() {
                out.push(("publisher", "Enter who publishes the figure".into()));
            }
        }
        let check = |p: &Point| -> Option<String> {
            if !p.value.is_finite() {
                Some("must be a number".into())
            } else if self.unit == Unit::Percent && !(0.0..=100.0).contains(&p.value) {
                Some("is a percentage: enter a number from 0 to 100".into())
            } else {
                None
            }
        };
        if let Some(b) = &self.baseline
            && let Some(e) = check(b)
        {
            out.push(("baseline", format!("The baseline {e}")));
        }
        for t in &self.targets {
            if let Some(e) = check(t) {
                out.push(("targets", format!("The {} target {e}", t.year)));
            }
        }
        if self.targets.windows(2).any(|w| w[0].year >= w[1].year) {
            out.push((
                "targets",
                "Give each year's target once, earliest year first".into(),
            ));
        }
        if let (Some(b), Some(t)) = (&self.baseline, self.targets.first())
            && t.year <= b.year
        {
            out.push((
                "targets",
                format!(
                    "Targets must be for years after the baseline year {}",
                    b.year
                ),
            ));
        }
        out
    }

    /// The target for a year, if one is set.
    pub fn target_for(&self, year: FinancialYear) -> Option<f64> {
        self.targets
            .iter()
            .find(|t| t.year == year)
            .map(|t| t.value)
    }

    /// The last target (the strategy's end point for this measure).
    pub fn final_target(&self) -> Option<Point> {
        self.targets.last().copied()
    }
}

/// An objective of the strategy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Objective {
    pub id: i64,
    /// A short reference such as `O1`, unique within the strategy.
    pub code: String,
    pub title: String,
    pub description: String,
    /// The officer or cabinet portfolio accountable for it.
    pub owner: String,
    pub levers: Vec<Lever>,
    pub measures: Vec<Measure>,
}

impl Objective {
    /// What is wrong with the objective's own fields (its measures are checked one by one).
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let code = self.code.trim();
        if code.is_empty() || code.chars().count() > 20 {
            out.push((
                "code",
                "Enter a short reference such as O1, 20 characters or fewer".into(),
            ));
        }
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 200 || title.contains(';') {
            out.push((
                "title",
                "Enter the objective, 200 characters or fewer, without semicolons".into(),
            ));
        }
        if self.owner.chars().count() > 200 {
            out.push(("owner", "The owner must be 200 characters or fewer".into()));
        }
        out
    }
}

/// A council's strategy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Strategy {
    pub id: i64,
    pub name: String,
    pub summary: String,
    pub first_year: FinancialYear,
    pub last_year: FinancialYear,
    /// Whether the public may read it.
    pub published: bool,
    pub objectives: Vec<Objective>,
}

impl Strategy {
    /// The financial years the strategy runs over, first to last.
    pub fn years(&self) -> Vec<FinancialYear> {
        let mut out = vec![self.first_year];
        let mut y = self.first_year;
        while y < self.last_year && out.len() < 50 {
            y = y.next();
            out.push(y);
        }
        out
    }

    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if self.name.trim().is_empty() || self.name.chars().count() > 200 {
            out.push((
                "name",
                "Enter the strategy's name, 200 characters or fewer".into(),
            ));
        }
        if self.last_year < self.first_year {
            out.push((
                "last_year",
                "The last year must not be before the first".into(),
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fy(y: i32) -> FinancialYear {
        FinancialYear::starting(y).unwrap()
    }

    fn measure() -> Measure {
        Measure {
            id: 1,
            name: "Local spend".into(),
            unit: Unit::Percent,
            direction: Direction::HigherIsBetter,
            source: Source::Computed {
                metric: Metric::ProcurementLocalShare,
            },
            baseline: Some(Point {
                year: fy(2023),
                value: 30.0,
            }),
            targets: vec![
                Point {
                    year: fy(2024),
                    value: 33.0,
                },
                Point {
                    year: fy(2026),
                    value: 40.0,
                },
            ],
        }
    }

    #[test]
    fn a_good_measure_has_no_problems() {
        assert!(measure().problems().is_empty());
    }

    #[test]
    fn targets_out_of_order_or_before_the_baseline_are_refused() {
        let mut m = measure();
        m.targets.reverse();
        assert!(m.problems().iter().any(|(f, _)| *f == "targets"));
        let mut m = measure();
        m.targets[0].year = fy(2023);
        assert!(m.problems().iter().any(|(f, _)| *f == "targets"));
        let mut m = measure();
        m.targets[0].value = 130.0;
        assert!(m.problems()[0].1.contains("0 to 100"));
    }

    #[test]
    fn units_show_values_as_people_read_them() {
        assert_eq!(Unit::Percent.show(34.56), "34.6%");
        assert_eq!(Unit::Pounds.show(1234567.4), "£1,234,567");
        assert_eq!(Unit::Count.show(1200.0), "1,200");
        assert_eq!(Unit::from_key("per 1,000").show(2.0), "2.0 per 1,000");
    }
}
