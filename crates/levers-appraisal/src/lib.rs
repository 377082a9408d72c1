//! levers-appraisal: the arithmetic of cost-benefit appraisal for community budgets (the New Economy /
//! GMCA method): the unit cost library, uprating to a price base, and Green Book discounting.
//!
//! Pure: readers take bytes, everything else is arithmetic. Appraisal values are `f64` (they are
//! estimates, not ledger money); they are rounded to pence only for display and comparison.

pub mod deflator;
pub mod discount;
pub mod library;

pub use deflator::{DeflatorError, Deflators};
pub use discount::{Schedule, discount_factor};
pub use library::{LibraryError, LibraryReport, Rag, UnitCost, ValueKind, ValueAt, read_unit_costs};
