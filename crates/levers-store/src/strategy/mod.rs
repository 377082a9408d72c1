//! The council's strategy: strategies, objectives, measures, targets and recorded official values
//! (`read.rs` here; `write.rs` every change, audited; `links.rs` the objectives that community
//! budget projects, co-production activities, appraisals and spend serve, by reference). The model
//! is levers-strategy's; this module only maps it to tables (migration 0012).

mod links;
mod write;

use std::collections::BTreeMap;

use levers_core::FinancialYear;
use levers_strategy::{
    Direction, Lever, Measure, Metric, Objective, Observation, OfficialRef, Point, Source,
    Strategy, Unit,
};
use serde::Serialize;
use time::Date;

pub use links::LinkKind;

use crate::{Result, Store, StoreError, with_pool};

/// A strategy as the list of strategies shows it.
#[derive(Debug, Clone, Serialize)]
pub struct StrategySummary {
    pub id: i64,
    pub name: String,
    pub first_year: FinancialYear,
    pub last_year: FinancialYear,
    pub published: bool,
    pub objectives: i64,
}

/// An objective as a chooser lists it (on the forms of the levers that serve objectives).
#[derive(Debug, Clone, Serialize)]
pub struct ObjectiveChoice {
    pub id: i64,
    pub strategy_id: i64,
    pub strategy: String,
    pub code: String,
    pub title: String,
}

impl ObjectiveChoice {
    /// `O1 Fewer children in poverty (Anti-poverty strategy)`.
    pub fn label(&self) -> String {
        format!("{} {} ({})", self.code, self.title, self.strategy)
    }
}

pub(crate) fn year(y: i64) -> Result<FinancialYear> {
    i32::try_from(y)
        .ok()
        .and_then(|y| FinancialYear::starting(y).ok())
        .ok_or_else(|| StoreError::Corrupt(format!("strategy year {y}")))
}

pub(crate) fn date(s: Option<String>) -> Option<Date> {
    s.and_then(|s| levers_coproduction::register::parse_date(&s))
}

pub(crate) fn iso(d: Option<Date>) -> Option<String> {
    d.map(levers_coproduction::register::iso)
}

type MeasureRow = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<f64>,
);

const MEASURE_COLS: &str = "m.id, m.objective_id, m.name, m.unit, m.direction, m.source, m.metric, m.indicator, m.indicator_measure, m.area_code, m.publisher, m.next_release, m.baseline_year, m.baseline_value";

fn measure_from(r: MeasureRow) -> Result<(i64, Measure)> {
    let (
        id,
        objective_id,
        name,
        unit,
        direction,
        source,
        metric,
        indicator,
        imeasure,
        area,
        publisher,
        next,
        by,
        bv,
    ) = r;
    let source = match source.as_str() {
        "computed" => {
            let key = metric.unwrap_or_default();
            Source::Computed {
                metric: Metric::from_key(&key).ok_or_else(|| {
                    StoreError::Corrupt(format!("measure {id}: metric \"{key}\""))
                })?,
            }
        }
        _ => Source::Official(OfficialRef {
            indicator: indicator.unwrap_or_default(),
            measure: imeasure.unwrap_or_default(),
            area_code: area.unwrap_or_default(),
            publisher: publisher.unwrap_or_default(),
            next_release: date(next),
        }),
    };
    let baseline = match (by, bv) {
        (Some(y), Some(v)) => Some(Point {
            year: year(y)?,
            value: v,
        }),
        _ => None,
    };
    Ok((
        objective_id,
        Measure {
            id,
            name,
            unit: Unit::from_key(&unit),
            direction: Direction::from_key(&direction).unwrap_or(Direction::HigherIsBetter),
            source,
            baseline,
            targets: Vec::new(),
        },
    ))
}

impl Store {
    /// Every strategy, newest first.
    pub async fn strategies(&self) -> Result<Vec<StrategySummary>> {
        let rows: Vec<(i64, String, i64, i64, i64, i64)> = with_pool!(self, pool => {
            sqlx::query_as("SELECT s.id, s.name, s.first_year, s.last_year, s.published, (SELECT COUNT(*) FROM strategy_objectives o WHERE o.strategy_id = s.id) FROM strategies s ORDER BY s.id DESC")
                .fetch_all(pool).await?
        });
        rows.into_iter()
            .map(|(id, name, f, l, p, n)| {
                Ok(StrategySummary {
                    id,
                    name,
                    first_year: year(f)?,
                    last_year: year(l)?,
                    published: p != 0,
                    objectives: n,
                })
            })
            .collect()
    }

    /// A strategy with its objectives, measures and targets, in their order.
    pub async fn strategy(&self, id: i64) -> Result<Option<Strategy>> {
        let head: Option<(i64, String, String, i64, i64, i64)> = with_pool!(self, pool => {
            sqlx::query_as("SELECT id, name, summary, first_year, last_year, published FROM strategies WHERE id = $1")
                .bind(id).fetch_optional(pool).await?
        });
        let Some((id, name, summary, f, l, p)) = head else {
            return Ok(None);
        };
        type ObjRow = (i64, String, String, String, String, String);
        let objectives: Vec<ObjRow> = with_pool!(self, pool => {
            sqlx::query_as("SELECT id, code, title, description, owner, levers FROM strategy_objectives WHERE strategy_id = $1 ORDER BY position, id")
                .bind(id).fetch_all(pool).await?
        });
        let measure_sql = format!(
            "SELECT {MEASURE_COLS} FROM strategy_measures m JOIN strategy_objectives o ON o.id = m.objective_id WHERE o.strategy_id = $1 ORDER BY m.position, m.id"
        );
        let measures: Vec<MeasureRow> = with_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(measure_sql)).bind(id).fetch_all(pool).await?
        });
        let targets: Vec<(i64, i64, f64)> = with_pool!(self, pool => {
            sqlx::query_as("SELECT t.measure_id, t.year, t.value FROM strategy_targets t JOIN strategy_measures m ON m.id = t.measure_id JOIN strategy_objectives o ON o.id = m.objective_id WHERE o.strategy_id = $1 ORDER BY t.measure_id, t.year")
                .bind(id).fetch_all(pool).await?
        });
        let mut by_measure: BTreeMap<i64, Vec<Point>> = BTreeMap::new();
        for (m, y, v) in targets {
            by_measure.entry(m).or_default().push(Point {
                year: year(y)?,
                value: v,
            });
        }
        let mut by_objective: BTreeMap<i64, Vec<Measure>> = BTreeMap::new();
        for r in measures {
            let (o, mut m) = measure_from(r)?;
            m.targets = by_measure.remove(&m.id).unwrap_or_default();
            by_objective.entry(o).or_default().push(m);
        }
        let objectives = objectives
            .into_iter()
            .map(|(oid, code, title, description, owner, levers)| Objective {
                id: oid,
                code,
                title,
                description,
                owner,
                levers: levers
                    .split_whitespace()
                    .filter_map(Lever::from_key)
                    .collect(),
                measures: by_objective.remove(&oid).unwrap_or_default(),
            })
            .collect();
        Ok(Some(Strategy {
            id,
            name,
            summary,
            first_year: year(f)?,
            last_year: year(l)?,
            published: p != 0,
            objectives,
        }))
    }

    /// The strategy an objective belongs to and the objective's id in it.
    pub async fn objective_strategy(&self, objective_id: i64) -> Result<Option<i64>> {
        with_pool!(self, pool => Ok(sqlx::query_scalar("SELECT strategy_id FROM strategy_objectives WHERE id = $1").bind(objective_id).fetch_optional(pool).await?))
    }

    /// The objective a measure belongs to.
    pub async fn measure_objective(&self, measure_id: i64) -> Result<Option<i64>> {
        with_pool!(self, pool => Ok(sqlx::query_scalar("SELECT objective_id FROM strategy_measures WHERE id = $1").bind(measure_id).fetch_optional(pool).await?))
    }

    /// Every objective of every strategy, for the choosers on the levers' forms (newest strategy
    /// first, then in the strategy's order).
    pub async fn objective_choices(&self) -> Result<Vec<ObjectiveChoice>> {
        let rows: Vec<(i64, i64, String, String, String)> = with_pool!(self, pool => {
            sqlx::query_as("SELECT o.id, s.id, s.name, o.code, o.title FROM strategy_objectives o JOIN strategies s ON s.id = o.strategy_id ORDER BY s.id DESC, o.position, o.id")
                .fetch_all(pool).await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, strategy_id, strategy, code, title)| ObjectiveChoice {
                id,
                strategy_id,
                strategy,
                code,
                title,
            })
            .collect())
    }

    /// The official values officers recorded for a strategy's measures, by measure, earliest first.
    pub async fn strategy_values(
        &self,
        strategy_id: i64,
    ) -> Result<BTreeMap<i64, Vec<Observation>>> {
        type Row = (
            i64,
            i64,
            f64,
            String,
            String,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<Row> = with_pool!(self, pool => {
            sqlx::query_as("SELECT v.measure_id, v.year, v.value, v.period, v.source, v.published_on, v.next_release FROM strategy_values v JOIN strategy_measures m ON m.id = v.measure_id JOIN strategy_objectives o ON o.id = m.objective_id WHERE o.strategy_id = $1 ORDER BY v.measure_id, v.year")
                .bind(strategy_id).fetch_all(pool).await?
        });
        let mut out: BTreeMap<i64, Vec<Observation>> = BTreeMap::new();
        for (m, y, value, period, source, published, next) in rows {
            out.entry(m).or_default().push(Observation {
                year: year(y)?,
                value,
                period,
                source,
                published: date(published),
                next_release: date(next),
            });
        }
        Ok(out)
    }

    /// Time credits issued for participation, as (time, credits): each issue positive, each
    /// reversal of an issue negative, oldest first. The strategy's "time credits earned" measure
    /// sums these by financial year.
    pub async fn credits_issued(&self) -> Result<Vec<(i64, i64)>> {
        let rows: Vec<(i64, i64, String)> = with_pool!(self, pool => {
            sqlx::query_as("SELECT t.created_at, t.amount, t.kind FROM credit_transfers t LEFT JOIN credit_transfers r ON r.id = t.reverses_id WHERE t.kind = 'issue' OR (t.kind = 'reversal' AND r.kind = 'issue') ORDER BY t.id")
                .fetch_all(pool).await?
        });
        Ok(rows
            .into_iter()
            .map(|(at, amount, kind)| (at, if kind == "issue" { amount } else { -amount }))
            .collect())
    }
}
