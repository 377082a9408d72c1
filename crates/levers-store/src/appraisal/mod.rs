//! Appraisal: unit cost libraries, the deflator table, appraisals (kept as their documented TOML
//! model), and pooled budgets (partners, contributions, lines, plan and spend by quarter). Every
//! change is audited in the same transaction.
//!
//! `types` holds what callers see and `rows` the row mappings; `library` (unit costs and
//! deflators), `appraisals` and `pools` are `Store` methods.

mod appraisals;
mod library;
mod pools;
mod rows;
mod types;

pub use types::*;
