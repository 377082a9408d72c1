//! Collects geography records from any number of files and builds the index.

use std::collections::HashMap;

use levers_core::{AreaCode, AreaKind};

use super::records::*;
use super::types::GeoIndex;
use crate::read::{DeprivationRow, GeoRecord, ImdVintage, PostcodeRow};

/// Collects records from any number of files, then builds a [`GeoIndex`]. Records from later files
/// override earlier ones where both give a value.
#[derive(Default)]
pub struct GeoIndexBuilder {
    pub(super) ids: HashMap<AreaCode, u32>,
    pub(super) info: Vec<CodeInfo>,
    pub(super) postcodes: Vec<(u64, PcRec)>,
}

impl GeoIndexBuilder {
    pub fn new() -> GeoIndexBuilder {
        GeoIndexBuilder::default()
    }

    fn id(&mut self, code: AreaCode) -> u32 {
        if let Some(id) = self.ids.get(&code) {
            return *id;
        }
        let id = self.info.len() as u32;
        self.info.push(CodeInfo::new(code));
        self.ids.insert(code, id);
        id
    }

    fn opt_id(&mut self, code: Option<AreaCode>) -> u32 {
        code.map_or(NONE, |c| self.id(c))
    }

    fn set_name(&mut self, code: AreaCode, name: &str) {
        let id = self.id(code) as usize;
        self.info[id].name = Some(name.into());
    }

    fn set_parent(&mut self, child: u32, parent: AreaCode) {
        let slot = match parent.kind() {
            AreaKind::Msoa => P_MSOA,
            AreaKind::Ward => P_WARD,
            AreaKind::District => P_LAD,
            AreaKind::Region => P_REGION,
            _ => return,
        };
        let p = self.id(parent);
        if p != child {
            self.info[child as usize].parents[slot] = p;
        }
    }

    pub fn reserve_postcodes(&mut self, n: usize) {
        self.postcodes.reserve(n);
    }

    pub fn add_postcode(&mut self, row: &PostcodeRow) {
        let lsoa11 = self.opt_id(row.lsoa11);
        let lsoa21 = self.opt_id(row.lsoa21);
        if lsoa11 != NONE {
            self.info[lsoa11 as usize].is_lsoa11 = true;
        }
        if lsoa21 != NONE {
            self.info[lsoa21 as usize].is_lsoa21 = true;
        }
        let (lat, long) = match (row.lat, row.long) {
            (Some(la), Some(lo)) => ((la * 1e6).round() as i32, (lo * 1e6).round() as i32),
            _ => (NO_COORD, NO_COORD),
        };
        let rec = PcRec {
            lad: self.opt_id(row.lad),
            ward: self.opt_id(row.ward),
            lsoa11,
            lsoa21,
            msoa: self.opt_id(row.msoa),
            region: self.opt_id(row.region),
            lat,
            long,
            status: match row.terminated {
                None => 0,
                Some(false) => 1,
                Some(true) => 2,
            },
        };
        self.postcodes.push((row.postcode.key(), rec));
    }

    pub fn add_deprivation(&mut self, d: &DeprivationRow) {
        let id = self.id(d.lsoa);
        let imd = Some(Imd {
            rank: d.rank,
            decile: d.decile,
        });
        match d.vintage {
            ImdVintage::Iod2019 => {
                self.info[id as usize].imd2019 = imd;
                self.info[id as usize].is_lsoa11 = true;
            }
            ImdVintage::Iod2025 => {
                self.info[id as usize].imd2025 = imd;
                self.info[id as usize].is_lsoa21 = true;
            }
        }
        if let Some(n) = &d.lsoa_name {
            self.set_name(d.lsoa, n);
        }
        if let Some(lad) = d.lad {
            self.set_parent(id, lad);
            if let Some(n) = &d.lad_name {
                self.set_name(lad, n);
            }
        }
    }

    pub fn add(&mut self, record: &GeoRecord) {
        match record {
            GeoRecord::Postcode(p) => self.add_postcode(p),
            GeoRecord::Deprivation(d) => self.add_deprivation(d),
            GeoRecord::Area(a) => {
                let id = self.id(a.code);
                if let Some(n) = &a.name {
                    self.set_name(a.code, n);
                }
                for p in &a.parents {
                    self.set_parent(id, *p);
                }
                for (code, name) in &a.names {
                    self.set_name(*code, name);
                }
            }
            GeoRecord::LsoaLink { lsoa11, lsoa21 } => {
                let a = self.id(*lsoa11);
                let b = self.id(*lsoa21);
                self.info[a as usize].best_fit_21 = b;
                self.info[a as usize].is_lsoa11 = true;
                self.info[b as usize].is_lsoa21 = true;
            }
        }
    }

    pub fn build(mut self) -> GeoIndex {
        // Stable: among equal postcodes, later records come later, so they overlay earlier ones.
        self.postcodes.sort_by_key(|(k, _)| *k);
        let mut keys: Vec<u64> = Vec::with_capacity(self.postcodes.len());
        let mut recs: Vec<PcRec> = Vec::with_capacity(self.postcodes.len());
        for (k, r) in self.postcodes {
            if keys.last() == Some(&k) {
                recs.last_mut().expect("parallel vectors").overlay(&r);
            } else {
                keys.push(k);
                recs.push(r);
            }
        }
        let mut from_21: HashMap<u32, Vec<u32>> = HashMap::new();
        for (i, info) in self.info.iter().enumerate() {
            if info.best_fit_21 != NONE {
                from_21.entry(info.best_fit_21).or_default().push(i as u32);
            }
        }
        let table = PostcodeTable::build(&keys);
        GeoIndex {
            ids: self.ids,
            info: self.info,
            keys,
            recs,
            table,
            from_21,
        }
    }
}
