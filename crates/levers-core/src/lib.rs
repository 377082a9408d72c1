//! levers-core: the value types every other levers crate shares (money, financial years, area codes).
//!
//! Pure: no IO, no async, no SQL. Everything here is small, `Copy` where possible and validated on
//! construction, so a value of these types is always a valid one.

pub mod area;
pub mod csv;
pub mod hex;
pub mod lines;
pub mod money;
pub mod table;
pub mod year;

pub use area::{AreaCode, AreaCodeError, AreaKind, Nation};
pub use money::{Money, MoneyError};
pub use year::{FinancialYear, FinancialYearError};
