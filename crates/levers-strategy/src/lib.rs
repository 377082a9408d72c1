//! levers-strategy: a council's anti-poverty (or community wealth building) strategy as data.
//!
//! A [`Strategy`] has [`Objective`]s; each objective has an owner, the [`Lever`]s it relies on and
//! [`Measure`]s. A measure has a [`Source`] (computed by levers from its own records through a
//! [`Metric`], or an official statistic named by indicator, measure, area and period), a direction
//! (higher or lower is better), a baseline and yearly targets. [`status`] holds the trajectory from
//! the baseline through the targets and the stated rule that turns an observed value into
//! on track / at risk / off track. Pure: no IO, no async, no SQL.

mod dates;
pub mod kinds;
pub mod metric;
pub mod model;
pub mod period;
pub mod status;
pub mod tag;
pub mod view;

pub use metric::Metric;
pub use model::{
    Direction, Lever, Measure, Objective, Observation, OfficialRef, Point, Source, Strategy, Unit,
};
pub use period::{month_in_year, period_year};
pub use status::{
    Assessment, RULE, Status, assess, expected, latest, objective_status, trajectory,
};
pub use tag::normalise_tag;
pub use view::{Links, MeasureView, ObjectiveView, StatusCounts, StrategyView, Values};
