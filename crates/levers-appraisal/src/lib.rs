//! levers-appraisal: cost-benefit appraisal for community budgets (the New Economy / GMCA method):
//! the unit cost library, uprating to a price base, Green Book discounting, the appraisal model and
//! its results (outcomes first, then budget impact, public value and who pays and who benefits), and
//! the pooled-budget report.
//!
//! Pure: readers take bytes or text, everything else is arithmetic. Appraisal values are `f64` (they
//! are estimates, not ledger money); pooled-budget contributions and spend are ledger money in pence.

pub mod compute;
pub mod deflator;
pub mod discount;
pub mod library;
pub mod model;
pub mod pooled;
pub mod search;

pub use compute::{
    AgencyFigures, Bound, Evidence, Figures, OutcomeFigures, Resolved, Results, SENSITIVITY,
    Scenario, SensitivityRow, YearFigures, compute, pounds, resolve, results,
};
pub use deflator::{DeflatorError, Deflators};
pub use discount::{Schedule, discount_factor};
#[cfg(feature = "excel")]
pub use library::read_unit_costs_xlsx;
pub use library::{
    LibraryError, LibraryReport, Rag, UnitCost, ValueAt, ValueKind, read_unit_costs,
};
pub use model::{
    Appraisal, Bounds, CostLine, ModelError, OptimismBiasTable, OutcomeLine, PerYear, ReadError,
    ValueLine,
};
pub use search::search_costs;

/// How much of a Unit Cost Database workbook levers reads (the published one is 0.3 MB, ~700 rows):
/// 10 MB files, 256 MB inflated, 100,000 rows, 5 million cells, the first 64 columns.
#[cfg(feature = "excel")]
pub const WORKBOOK_LIMITS: levers_xlsx::read::Limits = levers_xlsx::read::Limits {
    max_file_bytes: 10 << 20,
    max_expanded_bytes: 256 << 20,
    max_rows: 100_000,
    max_cells: 5_000_000,
    max_columns: 64,
};
