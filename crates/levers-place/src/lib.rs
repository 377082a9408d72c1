//! levers-place: where the levers land. Official indicators read by header from their published
//! files (`indicators`), area boundaries read from GeoJSON and projected for drawing (`boundary`),
//! and how a lever's money or people spread over places of each deprivation decile (`reach`).
//!
//! Pure: readers take any `Read` or bytes; the store and the pages decide where data comes from.

pub mod boundary;
pub mod indicators;
pub mod reach;

pub use indicators::{
    IndicatorError, IndicatorFileKind, IndicatorReport, IndicatorValue, read_indicators,
};
