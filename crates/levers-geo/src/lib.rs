//! levers-geo: where things are and how deprived those places are, read from the real ONS and MHCLG files.
//!
//! Pure: readers take any `Read` and a callback, the index is built in memory. The CLI and the store
//! decide where bytes come from and where records go.

pub mod block;
pub mod index;
pub mod kind;
pub mod postcode;
pub mod read;

pub use index::{
    AreaProfile, AreaRef, GeoIndex, GeoIndexBuilder, ImdFound, IndexStats, Located, LsoaSummary,
    PostcodeLookup,
};
pub use kind::FileKind;
pub use postcode::{Postcode, PostcodeError};
pub use read::{
    AreaRow, DeprivationRow, Domain, GeoError, GeoRecord, ImdVintage, PostcodeRow, ReadReport,
    Rejection, read_geo, read_geo_with_kind,
};
