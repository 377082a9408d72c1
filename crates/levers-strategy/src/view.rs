//! A strategy evaluated: every measure with its values, trajectory and status, every objective with
//! its status and what serves it. Built from the strategy, the values of each measure and the links
//! (the use-case layer gathers them); shown by the pages, the cabinet report and the CLI alike.

use std::collections::{BTreeMap, BTreeSet};

use levers_core::FinancialYear;
use serde::Serialize;
use time::Date;

use crate::model::{Lever, Measure, Objective, Observation, Strategy};
use crate::status::{Assessment, RULE, Status, latest, objective_status, trajectory};

/// What serves one objective, by reference.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Links {
    /// Community budget projects: (proposal id, process id, title).
    pub projects: Vec<(i64, i64, String)>,
    /// Co-production activities: (activity id, reference, service).
    pub activities: Vec<(i64, String, String)>,
    /// Appraisals: (appraisal id, name).
    pub appraisals: Vec<(i64, String)>,
    /// Spend: (body, category; empty = all of the body's spend).
    pub spend: Vec<(String, String)>,
}

impl Links {
    pub fn is_empty(&self) -> bool {
        self.projects.is_empty()
            && self.activities.is_empty()
            && self.appraisals.is_empty()
            && self.spend.is_empty()
    }
}

/// One measure with its values, trajectory and status.
#[derive(Debug, Clone, Serialize)]
pub struct MeasureView {
    pub measure: Measure,
    /// Where its values come from, as the page names it.
    pub source: String,
    /// The lever page that shows the same figure (computed measures).
    pub page: Option<&'static str>,
    /// Values by year, earliest first.
    pub observations: Vec<Observation>,
    /// The latest value judged against the trajectory.
    pub assessment: Assessment,
    /// The planned trajectory over the years shown.
    pub trajectory: Vec<(FinancialYear, f64)>,
}

impl MeasureView {
    /// The value observed in a year.
    pub fn value_in(&self, year: FinancialYear) -> Option<&Observation> {
        self.observations.iter().find(|o| o.year == year)
    }

    /// The latest observation (its publication date and next release are shown with it).
    pub fn latest(&self) -> Option<&Observation> {
        self.observations.iter().max_by_key(|o| o.year)
    }
}

/// One objective with its measures and status.
#[derive(Debug, Clone, Serialize)]
pub struct ObjectiveView {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub description: String,
    pub owner: String,
    pub levers: Vec<Lever>,
    pub status: Status,
    pub measures: Vec<MeasureView>,
    pub links: Links,
}

/// How many objectives have each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StatusCounts {
    pub on_track: usize,
    pub at_risk: usize,
    pub off_track: usize,
    pub no_data: usize,
}

/// A strategy with every objective evaluated.
#[derive(Debug, Clone, Serialize)]
pub struct StrategyView {
    pub id: i64,
    pub name: String,
    pub summary: String,
    pub first_year: FinancialYear,
    pub last_year: FinancialYear,
    pub published: bool,
    /// The status rule in plain English.
    pub rule: &'static str,
    /// The years the charts and tables run over.
    pub years: Vec<FinancialYear>,
    pub counts: StatusCounts,
    pub objectives: Vec<ObjectiveView>,
    /// The date the figures were worked out.
    #[serde(serialize_with = "crate::dates::serialize")]
    pub as_of: Date,
}

/// The measure's values, where they come from and the page that shows them.
pub struct Values {
    pub observations: Vec<Observation>,
    pub page: Option<&'static str>,
}

impl StrategyView {
    /// Evaluates a strategy from each measure's values (by measure id) and each objective's links
    /// (by objective id).
    pub fn build(
        s: &Strategy,
        mut values: BTreeMap<i64, Values>,
        mut links: BTreeMap<i64, Links>,
        as_of: Date,
    ) -> StrategyView {
        let mut years: BTreeSet<FinancialYear> = s.years().into_iter().collect();
        for m in s.objectives.iter().flat_map(|o| o.measures.iter()) {
            years.extend(m.baseline.map(|b| b.year));
            years.extend(m.targets.iter().map(|t| t.year));
            if let Some(v) = values.get(&m.id) {
                years.extend(v.observations.iter().map(|o| o.year));
            }
        }
        let years = span(&years);
        let mut counts = StatusCounts::default();
        let objectives = s
            .objectives
            .iter()
            .map(|o| {
                let measures: Vec<MeasureView> = o
                    .measures
                    .iter()
                    .map(|m| {
                        let v = values.remove(&m.id).unwrap_or(Values {
                            observations: Vec::new(),
                            page: None,
                        });
                        measure_view(m, v, &years)
                    })
                    .collect();
                let assessments: Vec<Assessment> =
                    measures.iter().map(|m| m.assessment.clone()).collect();
                let status = objective_status(&assessments);
                match status {
                    Status::OnTrack => counts.on_track += 1,
                    Status::AtRisk => counts.at_risk += 1,
                    Status::OffTrack => counts.off_track += 1,
                    Status::NoData => counts.no_data += 1,
                }
                objective_view(o, status, measures, links.remove(&o.id).unwrap_or_default())
            })
            .collect();
        StrategyView {
            id: s.id,
            name: s.name.clone(),
            summary: s.summary.clone(),
            first_year: s.first_year,
            last_year: s.last_year,
            published: s.published,
            rule: RULE,
            years,
            counts,
            objectives,
            as_of,
        }
    }

    pub fn objective(&self, id: i64) -> Option<&ObjectiveView> {
        self.objectives.iter().find(|o| o.id == id)
    }

    /// The report as JSON (the cabinet report's JSON download and `levers strategy report --json`).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// Every year from the first to the last in the set (at most 30).
fn span(years: &BTreeSet<FinancialYear>) -> Vec<FinancialYear> {
    let (Some(first), Some(last)) = (years.first().copied(), years.last().copied()) else {
        return Vec::new();
    };
    let mut out = vec![first];
    let mut y = first;
    while y < last && out.len() < 30 {
        y = y.next();
        out.push(y);
    }
    out
}

fn measure_view(m: &Measure, v: Values, years: &[FinancialYear]) -> MeasureView {
    let mut observations = v.observations;
    observations.sort_by_key(|o| o.year);
    MeasureView {
        assessment: latest(m, &observations),
        source: m.source.name(),
        page: v.page,
        trajectory: trajectory(m, years),
        observations,
        measure: m.clone(),
    }
}

fn objective_view(
    o: &Objective,
    status: Status,
    measures: Vec<MeasureView>,
    links: Links,
) -> ObjectiveView {
    ObjectiveView {
        id: o.id,
        code: o.code.clone(),
        title: o.title.clone(),
        description: o.description.clone(),
        owner: o.owner.clone(),
        levers: o.levers.clone(),
        status,
        measures,
        links,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metric::Metric;
    use crate::model::{Direction, Point, Source, Unit};

    fn fy(y: i32) -> FinancialYear {
        FinancialYear::starting(y).unwrap()
    }

    #[test]
    fn objectives_take_their_worst_measure_and_are_counted() {
        let m = |id, base: f64, target: f64| Measure {
            id,
            name: format!("m{id}"),
            unit: Unit::Percent,
            direction: Direction::HigherIsBetter,
            source: Source::Computed {
                metric: Metric::ProcurementLocalShare,
            },
            baseline: Some(Point {
                year: fy(2023),
                value: base,
            }),
            targets: vec![Point {
                year: fy(2025),
                value: target,
            }],
        };
        let s = Strategy {
            id: 1,
            name: "S".into(),
            summary: String::new(),
            first_year: fy(2024),
            last_year: fy(2027),
            published: true,
            objectives: vec![Objective {
                id: 7,
                code: "O1".into(),
                title: "T".into(),
                description: String::new(),
                owner: String::new(),
                levers: vec![Lever::Procurement],
                measures: vec![m(1, 10.0, 20.0), m(2, 10.0, 20.0)],
            }],
        };
        let obs = |y, v| Observation {
            year: fy(y),
            value: v,
            period: String::new(),
            source: String::new(),
            published: None,
            next_release: None,
        };
        let mut values = BTreeMap::new();
        values.insert(
            1,
            Values {
                observations: vec![obs(2024, 16.0)],
                page: None,
            },
        );
        values.insert(
            2,
            Values {
                observations: vec![obs(2024, 11.0)],
                page: None,
            },
        );
        let v = StrategyView::build(
            &s,
            values,
            BTreeMap::new(),
            time::macros::date!(2025 - 01 - 01),
        );
        assert_eq!(v.years.first(), Some(&fy(2023)));
        assert_eq!(v.years.last(), Some(&fy(2027)));
        assert_eq!(
            v.objectives[0].measures[0].assessment.status,
            Status::OnTrack
        );
        assert_eq!(v.objectives[0].status, Status::OffTrack);
        assert_eq!(v.counts.off_track, 1);
        assert_eq!(v.objectives[0].measures[0].trajectory.len(), 5);
        assert!(
            v.to_json()["rule"]
                .as_str()
                .unwrap()
                .starts_with("Each measure")
        );
    }
}
