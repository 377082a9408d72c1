//! levers-coproduction: co-production across every commissioning activity, and time credits for the
//! people who take part. Pure: no IO, no async, no SQL; the store and the web call these rules.
//!
//! - [`register`]: commissioning activities and, per stage of the Institute of Public Care cycle
//!   (Analyse, Plan, Do, Review), the involvement on Think Local Act Personal's ladder of co-production.
//! - [`coverage`]: how much commissioning is co-produced (co-design or above) at two or more stages and
//!   at all four, by count and by £ value; what happens only inside a provider's contract; by
//!   directorate, value band and quarter.
//! - [`principles`]: a scored self-assessment against the six features of co-production in Boyle and
//!   Harris, *The Challenge of Co-production* (nef / NESTA, 2009).
//! - [`ledger`]: the time-credit double-entry ledger: every transfer two movements summing to zero,
//!   balances derived from movements, idempotency keys, overdraft limits, reversals as new transfers,
//!   anonymisation that keeps the ledger balanced.
//! - [`people`]: forms of reward (and which flag benefits advice), equality-monitoring categories and
//!   small-number suppression, retention.
//! - [`csv_io`]: the register as CSV, read with reconciliation (errors name line and field) and written.

pub mod coverage;
pub mod csv_io;
pub mod ledger;
pub mod people;
pub mod principles;
pub mod register;

pub use coverage::{Coverage, Quarter, Tally, coverage, quarterly};
pub use register::{
    Activity, FieldProblem, Involvement, Lead, RegisterEntry, Rung, Stage, ValueBand,
};
