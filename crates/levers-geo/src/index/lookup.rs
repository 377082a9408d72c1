//! Postcode lookups on the index, and the deprivation figure for an LSOA of either vintage.

use levers_core::AreaCode;

use super::records::*;
use super::types::*;
use crate::postcode::Postcode;

impl GeoIndex {
    pub(super) fn code_of(&self, id: u32) -> Option<AreaCode> {
        (id != NONE).then(|| self.info[id as usize].code)
    }

    pub(super) fn aref(&self, id: u32) -> Option<AreaRef> {
        (id != NONE).then(|| {
            let i = &self.info[id as usize];
            AreaRef {
                code: i.code,
                name: i.name.as_deref().map(str::to_string),
            }
        })
    }

    pub(super) fn parent(&self, id: u32, slot: usize) -> u32 {
        if id == NONE {
            NONE
        } else {
            self.info[id as usize].parents[slot]
        }
    }

    pub(super) fn first(ids: &[u32]) -> u32 {
        ids.iter().copied().find(|i| *i != NONE).unwrap_or(NONE)
    }

    pub(super) fn find(&self, p: &Postcode) -> Option<&PcRec> {
        self.table.get(p.key()).map(|i| &self.recs[i])
    }

    pub fn contains(&self, p: &Postcode) -> bool {
        self.find(p).is_some()
    }

    /// IMD 2019 for an LSOA 2011 id directly, or for an LSOA 2021 id through the best fit.
    pub(super) fn imd2019_for(&self, lsoa11: u32, lsoa21: u32) -> Result<ImdFound, String> {
        if lsoa11 != NONE {
            let i = &self.info[lsoa11 as usize];
            return i
                .imd2019
                .map(|m| ImdFound {
                    rank: m.rank,
                    decile: m.decile,
                    lsoa: i.code,
                    via: "direct",
                })
                .ok_or_else(|| format!("no IMD 2019 figure is loaded for LSOA {}", i.code));
        }
        if lsoa21 == NONE {
            return Err("no LSOA is known for it, so no IMD 2019 decile".into());
        }
        let code21 = self.info[lsoa21 as usize].code;
        // An unchanged LSOA keeps its code.
        if let Some(m) = self.info[lsoa21 as usize].imd2019 {
            return Ok(ImdFound {
                rank: m.rank,
                decile: m.decile,
                lsoa: code21,
                via: "same code in 2011",
            });
        }
        match self.from_21.get(&lsoa21).map(Vec::as_slice) {
            None | Some([]) => Err(format!(
                "LSOA 2021 {code21} has no 2011 LSOA in the best-fit lookup, so no IMD 2019 decile"
            )),
            Some([one]) => {
                let i = &self.info[*one as usize];
                i.imd2019
                    .map(|m| ImdFound {
                        rank: m.rank,
                        decile: m.decile,
                        lsoa: i.code,
                        via: "lsoa21→lsoa11 best fit",
                    })
                    .ok_or_else(|| format!("no IMD 2019 figure is loaded for LSOA {}", i.code))
            }
            Some(many) => {
                let found: Vec<(AreaCode, Option<Imd>)> = many
                    .iter()
                    .map(|i| (self.info[*i as usize].code, self.info[*i as usize].imd2019))
                    .collect();
                let deciles: Vec<u8> = found
                    .iter()
                    .filter_map(|(_, m)| m.map(|m| m.decile))
                    .collect();
                if deciles.len() == found.len() && deciles.windows(2).all(|w| w[0] == w[1]) {
                    let (code, m) = found
                        .iter()
                        .min_by_key(|(_, m)| m.map_or(u32::MAX, |m| m.rank))
                        .copied()
                        .expect("non-empty");
                    let m = m.expect("all have figures");
                    Ok(ImdFound {
                        rank: m.rank,
                        decile: m.decile,
                        lsoa: code,
                        via: "lsoa21→lsoa11 best fit (merged LSOAs, same decile)",
                    })
                } else {
                    Err(format!(
                        "LSOA 2021 {code21} joins several 2011 LSOAs ({}) with different IMD 2019 deciles, so none is given",
                        found
                            .iter()
                            .map(|(c, m)| format!(
                                "{c}: decile {}",
                                m.map_or("unknown".into(), |m| m.decile.to_string())
                            ))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                }
            }
        }
    }

    pub(super) fn imd2025_for(&self, lsoa11: u32, lsoa21: u32) -> Result<ImdFound, String> {
        if lsoa21 != NONE {
            let i = &self.info[lsoa21 as usize];
            return i
                .imd2025
                .map(|m| ImdFound {
                    rank: m.rank,
                    decile: m.decile,
                    lsoa: i.code,
                    via: "direct",
                })
                .ok_or_else(|| format!("no IMD 2025 figure is loaded for LSOA {}", i.code));
        }
        if lsoa11 == NONE {
            return Err("no LSOA is known for it, so no IMD 2025 decile".into());
        }
        let i = &self.info[lsoa11 as usize];
        if let Some(m) = i.imd2025 {
            return Ok(ImdFound {
                rank: m.rank,
                decile: m.decile,
                lsoa: i.code,
                via: "same code in 2021",
            });
        }
        let b = i.best_fit_21;
        if b == NONE {
            return Err(format!(
                "LSOA 2011 {} has no 2021 best fit loaded, so no IMD 2025 decile",
                i.code
            ));
        }
        let j = &self.info[b as usize];
        j.imd2025
            .map(|m| ImdFound {
                rank: m.rank,
                decile: m.decile,
                lsoa: j.code,
                via: "lsoa11→lsoa21 best fit",
            })
            .ok_or_else(|| format!("no IMD 2025 figure is loaded for LSOA {}", j.code))
    }

    /// Everything known about a postcode, or `None` when no loaded file has it.
    pub fn lookup(&self, p: &Postcode) -> Option<PostcodeLookup> {
        let r = *self.find(p)?;
        let lsoa = if r.lsoa21 != NONE { r.lsoa21 } else { r.lsoa11 };
        let msoa = Self::first(&[r.msoa, self.parent(lsoa, P_MSOA)]);
        let ward = Self::first(&[r.ward, self.parent(lsoa, P_WARD)]);
        let lad = Self::first(&[r.lad, self.parent(lsoa, P_LAD), self.parent(ward, P_LAD)]);
        let region = Self::first(&[
            r.region,
            self.parent(lsoa, P_REGION),
            self.parent(lad, P_REGION),
        ]);
        let mut gaps = Vec::new();
        let imd2019 = self
            .imd2019_for(r.lsoa11, r.lsoa21)
            .map_err(|g| gaps.push(g))
            .ok();
        let imd2025 = self
            .imd2025_for(r.lsoa11, r.lsoa21)
            .map_err(|g| gaps.push(g))
            .ok();
        let has_coords = r.lat != NO_COORD;
        Some(PostcodeLookup {
            postcode: *p,
            terminated: match r.status {
                1 => Some(false),
                2 => Some(true),
                _ => None,
            },
            lad: self.aref(lad),
            ward: self.aref(ward),
            lsoa11: self.aref(r.lsoa11),
            lsoa21: self.aref(r.lsoa21),
            msoa: self.aref(msoa),
            region: self.aref(region),
            lat: has_coords.then(|| f64::from(r.lat) / 1e6),
            long: has_coords.then(|| f64::from(r.long) / 1e6),
            imd2019,
            imd2025,
            gaps,
        })
    }

    /// The hot path for analyses: LAD, ward, LSOA and deciles of a postcode, with no allocation.
    pub fn locate(&self, p: &Postcode) -> Option<Located> {
        let r = self.find(p)?;
        let lsoa = if r.lsoa21 != NONE { r.lsoa21 } else { r.lsoa11 };
        let d2019 = if r.lsoa11 != NONE {
            self.info[r.lsoa11 as usize].imd2019.map(|m| m.decile)
        } else if r.lsoa21 != NONE {
            self.imd2019_for(NONE, r.lsoa21).ok().map(|m| m.decile)
        } else {
            None
        };
        let d2025 = if r.lsoa21 != NONE {
            self.info[r.lsoa21 as usize].imd2025.map(|m| m.decile)
        } else {
            None
        };
        Some(Located {
            lad: self.code_of(Self::first(&[r.lad, self.parent(lsoa, P_LAD)])),
            ward: self.code_of(Self::first(&[r.ward, self.parent(lsoa, P_WARD)])),
            lsoa: self.code_of(lsoa),
            imd2019_decile: d2019,
            imd2025_decile: d2025,
        })
    }

    /// The name of any loaded area.
    pub fn name(&self, code: &AreaCode) -> Option<&str> {
        self.ids
            .get(code)
            .and_then(|i| self.info[*i as usize].name.as_deref())
    }

    /// Whether the index knows anything about this area.
    pub fn knows(&self, code: &AreaCode) -> bool {
        self.ids.contains_key(code)
    }

    pub(super) fn in_area(&self, id: u32, target: u32, slot: usize) -> bool {
        let info = &self.info[id as usize];
        if info.parents[slot] == target {
            return true;
        }
        // A LAD through the LSOA's ward, a region through its LAD.
        match slot {
            P_LAD => self.parent(info.parents[P_WARD], P_LAD) == target,
            P_REGION => {
                let lad = Self::first(&[
                    info.parents[P_LAD],
                    self.parent(info.parents[P_WARD], P_LAD),
                ]);
                self.parent(lad, P_REGION) == target
            }
            _ => false,
        }
    }

    pub(super) fn summary(&self, id: u32, vintage21: bool) -> LsoaSummary {
        let i = &self.info[id as usize];
        let (l11, l21) = if vintage21 { (NONE, id) } else { (id, NONE) };
        LsoaSummary {
            code: i.code,
            name: i.name.as_deref().map(str::to_string),
            imd2019: self.imd2019_for(l11, l21).ok(),
            imd2025: self.imd2025_for(l11, l21).ok(),
        }
    }
}
