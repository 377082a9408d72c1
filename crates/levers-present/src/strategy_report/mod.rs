//! The strategy as people read it: each objective's status, each measure's trajectory chart beside
//! its table of every year's target, trajectory and value, where the figures come from, and the
//! status rule in plain English. The web's strategy pages and the standalone cabinet report ("how
//! our levers landed", prints on A4) share [`StrategyReport`]; `workbook.rs` writes every figure.

mod workbook;

use askama::Template;
use levers_core::FinancialYear;
use levers_strategy::{
    Direction, Lever, Links, MeasureView, ObjectiveView, Source, Status, StrategyView,
};

use crate::charts::trajectory_chart;

pub use workbook::workbook;

/// One year's row of a measure's table.
pub struct YearRow {
    pub year: String,
    pub target: String,
    pub trajectory: String,
    pub actual: String,
    /// The period the figure covers as its source writes it, and when it was published.
    pub note: String,
}

/// A measure as the pages and the report show it.
pub struct MeasureSection {
    pub id: i64,
    pub name: String,
    pub source_kind: &'static str,
    pub source: String,
    pub direction: &'static str,
    pub baseline: String,
    pub final_target: String,
    pub latest: String,
    pub latest_year: String,
    pub expected: String,
    pub status: Status,
    pub chart: String,
    pub rows: Vec<YearRow>,
    /// Publication details of the latest figure (official statistics).
    pub published: String,
    pub next_release: String,
    /// The lever page that shows the same figure.
    pub page: Option<&'static str>,
    /// The official statistic's indicator, measure and area (empty for computed measures).
    pub official: String,
}

/// An objective as the pages and the report show it.
pub struct ObjectiveSection {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub description: String,
    pub owner: String,
    pub levers: String,
    pub status: Status,
    pub measures: Vec<MeasureSection>,
    pub links: Links,
}

/// Everything the strategy pages and the cabinet report show.
pub struct StrategyReport {
    pub title: String,
    pub council: String,
    pub v: StrategyView,
    pub objectives: Vec<ObjectiveSection>,
    pub generated: String,
    /// Where objective pages live (`/strategy/3`), or `None` in the standalone report, whose
    /// objectives are sections of the same page.
    pub link_base: Option<String>,
}

fn show_year(y: Option<FinancialYear>) -> String {
    y.map_or_else(|| "–".into(), |y| y.to_string())
}

fn measure_section(m: &MeasureView, years: &[FinancialYear]) -> MeasureSection {
    let unit = &m.measure.unit;
    let show = |v: Option<f64>| v.map_or_else(|| "–".to_string(), |v| unit.show(v));
    let planned: Vec<Option<f64>> = years
        .iter()
        .map(|y| m.trajectory.iter().find(|(t, _)| t == y).map(|(_, v)| *v))
        .collect();
    let actual: Vec<Option<f64>> = years
        .iter()
        .map(|y| m.value_in(*y).map(|o| o.value))
        .collect();
    let labels: Vec<String> = years.iter().map(|y| y.to_string()).collect();
    let chart = trajectory_chart(
        &format!("measure-{}", m.measure.id),
        &format!("{}: planned trajectory and actual values", m.measure.name),
        &labels,
        &planned,
        &actual,
        &|v| unit.show(v),
    );
    let rows = years
        .iter()
        .enumerate()
        .filter(|(i, y)| {
            planned[*i].is_some() || actual[*i].is_some() || m.measure.target_for(**y).is_some()
        })
        .map(|(i, y)| {
            let o = m.value_in(*y);
            let mut note = o.map(|o| o.period.clone()).unwrap_or_default();
            if let Some(p) = o.and_then(|o| o.published) {
                note = format!("{note}, published {p}");
            }
            let target = if m.measure.baseline.is_some_and(|b| b.year == *y) {
                format!(
                    "baseline {}",
                    unit.show(m.measure.baseline.map_or(0.0, |b| b.value))
                )
            } else {
                show(m.measure.target_for(*y))
            };
            YearRow {
                year: y.to_string(),
                target,
                trajectory: show(planned[i]),
                actual: show(actual[i]),
                note,
            }
        })
        .collect();
    let latest = m.latest();
    let (source_kind, official) = match &m.measure.source {
        Source::Computed { .. } => ("Computed by levers from its own records", String::new()),
        Source::Official(o) => (
            "Official statistics",
            format!("{} ({}) for {}", o.indicator, o.measure, o.area_code),
        ),
    };
    let next_release = match &m.measure.source {
        Source::Official(o) => latest
            .and_then(|l| l.next_release)
            .or(o.next_release)
            .map_or_else(|| "not known".into(), |d| d.to_string()),
        Source::Computed { .. } => "as records change".into(),
    };
    MeasureSection {
        id: m.measure.id,
        name: m.measure.name.clone(),
        source_kind,
        source: m.source.clone(),
        direction: match m.measure.direction {
            Direction::HigherIsBetter => "Higher is better",
            Direction::LowerIsBetter => "Lower is better",
        },
        baseline: m.measure.baseline.map_or_else(
            || "not set".into(),
            |b| format!("{} in {}", unit.show(b.value), b.year),
        ),
        final_target: m.measure.final_target().map_or_else(
            || "not set".into(),
            |t| format!("{} by {}", unit.show(t.value), t.year),
        ),
        latest: show(m.assessment.actual),
        latest_year: show_year(m.assessment.year),
        expected: show(m.assessment.expected),
        status: m.assessment.status,
        chart,
        rows,
        published: latest
            .and_then(|l| l.published)
            .map_or_else(String::new, |d| d.to_string()),
        next_release,
        page: m.page,
        official,
    }
}

fn objective_section(o: &ObjectiveView, years: &[FinancialYear]) -> ObjectiveSection {
    ObjectiveSection {
        id: o.id,
        code: o.code.clone(),
        title: o.title.clone(),
        description: o.description.clone(),
        owner: o.owner.clone(),
        levers: o
            .levers
            .iter()
            .map(|l: &Lever| l.label())
            .collect::<Vec<_>>()
            .join(", "),
        status: o.status,
        measures: o
            .measures
            .iter()
            .map(|m| measure_section(m, years))
            .collect(),
        links: o.links.clone(),
    }
}

impl StrategyReport {
    pub fn new(v: StrategyView, council: &str) -> StrategyReport {
        let objectives = v
            .objectives
            .iter()
            .map(|o| objective_section(o, &v.years))
            .collect();
        StrategyReport {
            title: format!("How our levers landed: {}", v.name),
            council: council.to_string(),
            generated: v.as_of.to_string(),
            objectives,
            v,
            link_base: None,
        }
    }

    /// Links objectives to their own pages under `base` (the web's strategy pages).
    pub fn with_links(mut self, base: String) -> StrategyReport {
        self.link_base = Some(base);
        self
    }

    /// Where an objective is shown: its page, or its section of the standalone report.
    pub fn objective_href(&self, id: &i64) -> String {
        match &self.link_base {
            Some(b) => format!("{b}/objectives/{id}"),
            None => format!("#objective-{id}"),
        }
    }

    pub fn objective(&self, id: i64) -> Option<&ObjectiveSection> {
        self.objectives.iter().find(|o| o.id == id)
    }

    /// Objectives off track first, then at risk, on track and without data (the report's order).
    pub fn by_concern(&self) -> Vec<&ObjectiveSection> {
        let mut v: Vec<&ObjectiveSection> = self.objectives.iter().collect();
        let rank = |s: Status| match s {
            Status::OffTrack => 0,
            Status::AtRisk => 1,
            Status::OnTrack => 2,
            Status::NoData => 3,
        };
        v.sort_by_key(|o| rank(o.status));
        v
    }
}

/// The standalone cabinet report (inline styles, prints on A4).
#[derive(Template)]
#[template(path = "strategy/report.html")]
pub struct StandaloneReport<'a> {
    pub r: &'a StrategyReport,
}

/// The standalone HTML of the cabinet report.
pub fn standalone_html(v: &StrategyView, council: &str) -> Result<String, askama::Error> {
    let r = StrategyReport::new(v.clone(), council);
    StandaloneReport { r: &r }.render()
}
