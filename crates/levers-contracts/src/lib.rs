//! levers-contracts: the contract pipeline, pure (bytes and readers in, records and advice out).
//!
//! - [`ocds`]: Open Contracting Data Standard release packages, record packages and JSON Lines,
//!   streamed one release at a time; Procurement Act 2023 notices (UK1 … UK17) with the UK extension.
//! - [`register`]: a council's contract register (Local Government Transparency Code 2015), any
//!   layout, CSV or spreadsheet, columns found by header.
//! - [`merge`]: one contract per ocid or reference, a release seen twice kept once, a later one
//!   updating it, every record accounted for.
//! - [`pipeline`]: contracts ending or reaching a renewal decision within a horizon, and planned or
//!   open procurements, as opportunities (leaking sectors first, with the reason).
//! - [`mapping`]: the editable CPV → NACE Rev. 2 division mapping (no official concordance exists).
//! - [`matching`]: local and wider-area suppliers, SMEs and VCSEs who could bid, with evidence.
//! - [`advice`]: thresholds (dated data), reservation and lotting in plain English.

pub mod advice;
pub mod mapping;
pub mod matching;
pub mod merge;
pub mod model;
pub mod ocds;
pub mod pipeline;
pub mod register;
pub mod thresholds;

pub use model::{Contract, Lot, Source, Stage, SupplierRef};

/// Why a file could not be read at all (problems with single records are rejections, not errors).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContractsError {
    #[error("{file}: {message}")]
    Read { file: String, message: String },
    #[error(
        "{file}, line {line}: the JSON stops being readable here ({message}); fix the file (is it cut short?) and import it again"
    )]
    Syntax {
        file: String,
        line: u64,
        message: String,
    },
    #[error("{file}: {message}")]
    Register { file: String, message: String },
}
