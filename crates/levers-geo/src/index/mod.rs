//! The in-memory geography index: postcodes sorted by key for binary search, every area code interned
//! to a `u32` with its name, parents and deprivation, so a lookup touches no database and few cache lines.
//!
//! `records` holds the interned records and the postcode hash table, `builder` collects files into
//! an index, `types` the index and what its queries answer, `lookup` postcode lookups and
//! deprivation, `profile` area profiles and listings.

mod builder;
mod lookup;
mod profile;
pub use profile::name_key;
mod records;
mod types;

pub use builder::GeoIndexBuilder;
pub use records::Imd;
pub use types::{
    AreaProfile, AreaRef, GeoIndex, ImdFound, IndexStats, Located, LsoaSummary, PostcodeLookup,
};
