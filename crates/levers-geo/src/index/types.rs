//! The geography index and what its queries answer.

use std::collections::HashMap;

use levers_core::AreaCode;
use serde::Serialize;

use super::records::*;
use crate::postcode::Postcode;

/// The read-only geography index that analyses and pages query.
pub struct GeoIndex {
    pub(super) ids: HashMap<AreaCode, u32>,
    pub(super) info: Vec<CodeInfo>,
    pub(super) keys: Vec<u64>,
    pub(super) recs: Vec<PcRec>,
    pub(super) table: PostcodeTable,
    /// LSOA 2021 → the LSOA 2011s whose best fit it is.
    pub(super) from_21: HashMap<u32, Vec<u32>>,
}

/// An area named by code, with its name where known.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaRef {
    pub code: AreaCode,
    pub name: Option<String>,
}

/// A deprivation figure and how it was found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImdFound {
    pub rank: u32,
    pub decile: u8,
    /// The LSOA the figure belongs to.
    pub lsoa: AreaCode,
    /// `"direct"` or the best-fit join used, e.g. `"lsoa21→lsoa11 best fit"`.
    pub via: &'static str,
}

/// Everything levers knows about a postcode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PostcodeLookup {
    pub postcode: Postcode,
    /// `None` when no loaded file says.
    pub terminated: Option<bool>,
    pub lad: Option<AreaRef>,
    pub ward: Option<AreaRef>,
    pub lsoa11: Option<AreaRef>,
    pub lsoa21: Option<AreaRef>,
    pub msoa: Option<AreaRef>,
    pub region: Option<AreaRef>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub imd2019: Option<ImdFound>,
    pub imd2025: Option<ImdFound>,
    /// What could not be found, said plainly (never filled in by guesswork).
    pub gaps: Vec<String>,
}

/// The few facts an analysis needs per postcode, without allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Located {
    pub lad: Option<AreaCode>,
    pub ward: Option<AreaCode>,
    pub lsoa: Option<AreaCode>,
    pub imd2019_decile: Option<u8>,
    pub imd2025_decile: Option<u8>,
}

/// One LSOA in an area profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LsoaSummary {
    pub code: AreaCode,
    pub name: Option<String>,
    pub imd2019: Option<ImdFound>,
    pub imd2025: Option<ImdFound>,
}

/// An area's deprivation profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaProfile {
    pub code: AreaCode,
    pub kind: &'static str,
    pub name: Option<String>,
    pub parents: Vec<AreaRef>,
    /// The area's LSOAs on 2011 codes (what IoD2019 uses).
    pub lsoas_2011: Vec<LsoaSummary>,
    /// The area's LSOAs on 2021 codes (what IoD2025 and current wards use).
    pub lsoas_2021: Vec<LsoaSummary>,
    /// LSOAs (2011) by IMD 2019 decile, index 0 = decile 1 (most deprived).
    pub imd2019_deciles: [u32; 10],
    /// LSOAs (2021) by IMD 2025 decile.
    pub imd2025_deciles: [u32; 10],
    /// LSOAs with no IMD 2019 decile (for areas on 2021 codes: no 2011 best fit).
    pub imd2019_missing: u32,
    pub imd2025_missing: u32,
    pub postcodes: u64,
    pub postcodes_terminated: u64,
    /// Wards within the area (for districts), by code.
    pub wards: Vec<AreaRef>,
}

impl AreaProfile {
    /// Its neighbourhoods in the most deprived 20% in England (IMD deciles 1 and 2) and how many
    /// have a decile: on IMD 2019 when it has any, else IMD 2025. `(0, 0)` when none has a figure.
    pub fn most_deprived_20(&self) -> (u32, u32) {
        let d = if self.imd2019_deciles.iter().sum::<u32>() > 0 {
            &self.imd2019_deciles
        } else {
            &self.imd2025_deciles
        };
        (d[0] + d[1], d.iter().sum())
    }
}

/// Counts of what the index holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IndexStats {
    pub postcodes: u64,
    pub postcodes_terminated: u64,
    pub areas: u64,
    pub lsoas_2011: u64,
    pub lsoas_2021: u64,
    pub imd2019_lsoas: u64,
    pub imd2025_lsoas: u64,
    pub lsoa_links: u64,
}
