//! Places (migration 0013): official indicator values imported from their files, area boundaries
//! for maps, and the ward, LSOA or council-wide place of each lever's records.

pub mod boundaries;
pub mod indicators;
pub mod links;
