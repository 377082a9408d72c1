//! The cabinet report's workbook: every figure in it, one sheet for the objectives, one for every
//! measure's year-by-year targets, trajectory and values, one for what serves each objective, and
//! the status rule.

use levers_strategy::{Source, StrategyView};
use levers_xlsx::{Cell, Workbook};

fn num(v: Option<f64>) -> Cell {
    v.map_or(Cell::Empty, Cell::number)
}

/// The workbook of every figure in the report.
pub fn workbook(v: &StrategyView) -> Vec<u8> {
    let mut wb = Workbook::new();
    let s = wb.sheet("Objectives");
    s.header(["Code", "Objective", "Owner", "Levers", "Status", "Measures"]);
    for o in &v.objectives {
        s.row([
            Cell::text(&o.code),
            Cell::text(&o.title),
            Cell::text(&o.owner),
            Cell::text(
                o.levers
                    .iter()
                    .map(|l| l.label())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            Cell::text(o.status.label()),
            Cell::number(o.measures.len() as f64),
        ]);
    }
    s.widths(&[8.0, 50.0, 30.0, 40.0, 12.0, 10.0]);
    let s = wb.sheet("Measures");
    s.header([
        "Objective",
        "Measure",
        "Unit",
        "Direction",
        "Source",
        "Official statistic",
        "Year",
        "Target",
        "Trajectory",
        "Value",
        "Period",
        "Published",
        "Next release",
        "Status (latest year)",
    ]);
    for o in &v.objectives {
        for m in &o.measures {
            let official = match &m.measure.source {
                Source::Official(r) => format!("{} / {} / {}", r.indicator, r.measure, r.area_code),
                Source::Computed { metric } => metric.key().to_string(),
            };
            for y in &v.years {
                let obs = m.value_in(*y);
                let planned = m.trajectory.iter().find(|(t, _)| t == y).map(|(_, v)| *v);
                let target = m
                    .measure
                    .target_for(*y)
                    .or_else(|| m.measure.baseline.filter(|b| b.year == *y).map(|b| b.value));
                if obs.is_none() && planned.is_none() && target.is_none() {
                    continue;
                }
                let status = if m.assessment.year == Some(*y) {
                    m.assessment.status.label()
                } else {
                    ""
                };
                s.row([
                    Cell::text(&o.code),
                    Cell::text(&m.measure.name),
                    Cell::text(m.measure.unit.key()),
                    Cell::text(m.measure.direction.label()),
                    Cell::text(&m.source),
                    Cell::text(&official),
                    Cell::text(y.to_string()),
                    num(target),
                    num(planned),
                    num(obs.map(|o| o.value)),
                    Cell::text(obs.map(|o| o.period.clone()).unwrap_or_default()),
                    Cell::text(
                        obs.and_then(|o| o.published)
                            .map(|d| d.to_string())
                            .unwrap_or_default(),
                    ),
                    Cell::text(
                        obs.and_then(|o| o.next_release)
                            .map(|d| d.to_string())
                            .unwrap_or_default(),
                    ),
                    Cell::text(status),
                ]);
            }
        }
    }
    s.widths(&[
        8.0, 50.0, 10.0, 16.0, 40.0, 40.0, 10.0, 12.0, 12.0, 12.0, 24.0, 12.0, 12.0, 14.0,
    ]);
    let s = wb.sheet("What serves each");
    s.header(["Objective", "Lever", "Kind", "Name"]);
    for o in &v.objectives {
        for (_, _, t) in &o.links.projects {
            s.row([
                Cell::text(&o.code),
                "Community budgets".into(),
                "Project".into(),
                Cell::text(t),
            ]);
        }
        for (_, _, t) in &o
            .links
            .appraisals
            .iter()
            .map(|(a, n)| (a, 0, n.clone()))
            .collect::<Vec<_>>()
        {
            s.row([
                Cell::text(&o.code),
                "Community budgets".into(),
                "Appraisal".into(),
                Cell::text(t),
            ]);
        }
        for (_, r, t) in &o.links.activities {
            s.row([
                Cell::text(&o.code),
                "Co-production".into(),
                "Commissioning activity".into(),
                Cell::text(format!("{r} {t}")),
            ]);
        }
        for (b, c) in &o.links.spend {
            let what = if c.is_empty() {
                b.clone()
            } else {
                format!("{b}: {c}")
            };
            s.row([
                Cell::text(&o.code),
                "Procurement".into(),
                "Spend".into(),
                Cell::text(what),
            ]);
        }
    }
    s.widths(&[8.0, 20.0, 24.0, 60.0]);
    let s = wb.sheet("Status rule");
    s.header(["How status is judged"]);
    s.row([Cell::text(v.rule)]);
    s.row([Cell::text(format!("Figures as of {}", v.as_of))]);
    s.widths(&[120.0]);
    wb.to_bytes()
}
