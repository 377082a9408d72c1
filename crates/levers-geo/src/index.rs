//! The in-memory geography index: postcodes sorted by key for binary search, every area code interned
//! to a `u32` with its name, parents and deprivation, so a lookup touches no database and few cache lines.

use std::collections::HashMap;

use levers_core::{AreaCode, AreaKind};
use serde::Serialize;

use crate::postcode::Postcode;
use crate::read::{DeprivationRow, GeoRecord, ImdVintage, PostcodeRow};

const NONE: u32 = u32::MAX;

/// Parents by kind, in this order.
const P_MSOA: usize = 0;
const P_WARD: usize = 1;
const P_LAD: usize = 2;
const P_REGION: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Imd {
    pub rank: u32,
    pub decile: u8,
}

#[derive(Debug, Clone)]
struct CodeInfo {
    code: AreaCode,
    name: Option<Box<str>>,
    parents: [u32; 4],
    imd2019: Option<Imd>,
    imd2025: Option<Imd>,
    /// For an LSOA 2011: its best-fit LSOA 2021.
    best_fit_21: u32,
    is_lsoa11: bool,
    is_lsoa21: bool,
}

impl CodeInfo {
    fn new(code: AreaCode) -> CodeInfo {
        CodeInfo {
            code,
            name: None,
            parents: [NONE; 4],
            imd2019: None,
            imd2025: None,
            best_fit_21: NONE,
            is_lsoa11: false,
            is_lsoa21: false,
        }
    }
}

/// A postcode's geography, as interned ids.
#[derive(Debug, Clone, Copy)]
struct PcRec {
    lad: u32,
    ward: u32,
    lsoa11: u32,
    lsoa21: u32,
    msoa: u32,
    region: u32,
    lat: i32,
    long: i32,
    /// 0 unknown, 1 live, 2 terminated.
    status: u8,
}

const NO_COORD: i32 = i32::MIN;

impl PcRec {
    /// Fills this record's gaps from `later`, letting `later` win where both have a value.
    fn overlay(&mut self, later: &PcRec) {
        let pick = |a: &mut u32, b: u32| {
            if b != NONE {
                *a = b;
            }
        };
        pick(&mut self.lad, later.lad);
        pick(&mut self.ward, later.ward);
        pick(&mut self.lsoa11, later.lsoa11);
        pick(&mut self.lsoa21, later.lsoa21);
        pick(&mut self.msoa, later.msoa);
        pick(&mut self.region, later.region);
        if later.lat != NO_COORD {
            self.lat = later.lat;
            self.long = later.long;
        }
        if later.status != 0 {
            self.status = later.status;
        }
    }
}

/// Collects records from any number of files, then builds a [`GeoIndex`]. Records from later files
/// override earlier ones where both give a value.
#[derive(Default)]
pub struct GeoIndexBuilder {
    ids: HashMap<AreaCode, u32>,
    info: Vec<CodeInfo>,
    postcodes: Vec<(u64, PcRec)>,
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

/// Open-addressing hash table from postcode key to record index: one probe usually lands on the
/// right slot, so a lookup costs about two cache misses (slot, record) instead of a binary search's
/// twenty-odd.
struct PostcodeTable {
    /// (key, index + 1); index 0 marks an empty slot.
    slots: Vec<(u64, u32)>,
    shift: u32,
}

impl PostcodeTable {
    fn build(keys: &[u64]) -> PostcodeTable {
        let want = (keys.len() * 8 / 5).max(16).next_power_of_two();
        let bits = want.trailing_zeros();
        let mut t = PostcodeTable {
            slots: vec![(0, 0); want],
            shift: 64 - bits,
        };
        let mask = want - 1;
        for (i, k) in keys.iter().enumerate() {
            let mut s = t.slot(*k);
            while t.slots[s].1 != 0 {
                s = (s + 1) & mask;
            }
            t.slots[s] = (*k, i as u32 + 1);
        }
        t
    }

    #[inline]
    fn slot(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    #[inline]
    fn get(&self, key: u64) -> Option<usize> {
        let mask = self.slots.len() - 1;
        let mut s = self.slot(key);
        loop {
            let (k, i) = self.slots[s];
            if i == 0 {
                return None;
            }
            if k == key {
                return Some(i as usize - 1);
            }
            s = (s + 1) & mask;
        }
    }
}

/// The read-only geography index that analyses and pages query.
pub struct GeoIndex {
    ids: HashMap<AreaCode, u32>,
    info: Vec<CodeInfo>,
    keys: Vec<u64>,
    recs: Vec<PcRec>,
    table: PostcodeTable,
    /// LSOA 2021 → the LSOA 2011s whose best fit it is.
    from_21: HashMap<u32, Vec<u32>>,
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

impl GeoIndex {
    fn code_of(&self, id: u32) -> Option<AreaCode> {
        (id != NONE).then(|| self.info[id as usize].code)
    }

    fn aref(&self, id: u32) -> Option<AreaRef> {
        (id != NONE).then(|| {
            let i = &self.info[id as usize];
            AreaRef {
                code: i.code,
                name: i.name.as_deref().map(str::to_string),
            }
        })
    }

    fn parent(&self, id: u32, slot: usize) -> u32 {
        if id == NONE {
            NONE
        } else {
            self.info[id as usize].parents[slot]
        }
    }

    fn first(ids: &[u32]) -> u32 {
        ids.iter().copied().find(|i| *i != NONE).unwrap_or(NONE)
    }

    fn find(&self, p: &Postcode) -> Option<&PcRec> {
        self.table.get(p.key()).map(|i| &self.recs[i])
    }

    pub fn contains(&self, p: &Postcode) -> bool {
        self.find(p).is_some()
    }

    /// IMD 2019 for an LSOA 2011 id directly, or for an LSOA 2021 id through the best fit.
    fn imd2019_for(&self, lsoa11: u32, lsoa21: u32) -> Result<ImdFound, String> {
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

    fn imd2025_for(&self, lsoa11: u32, lsoa21: u32) -> Result<ImdFound, String> {
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

    fn in_area(&self, id: u32, target: u32, slot: usize) -> bool {
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

    fn summary(&self, id: u32, vintage21: bool) -> LsoaSummary {
        let i = &self.info[id as usize];
        let (l11, l21) = if vintage21 { (NONE, id) } else { (id, NONE) };
        LsoaSummary {
            code: i.code,
            name: i.name.as_deref().map(str::to_string),
            imd2019: self.imd2019_for(l11, l21).ok(),
            imd2025: self.imd2025_for(l11, l21).ok(),
        }
    }

    /// The deprivation profile of an area: its LSOAs (2011 and 2021 codes) with their deciles, and
    /// its postcodes. `None` when the code is unknown.
    pub fn area(&self, code: &AreaCode) -> Option<AreaProfile> {
        let &id = self.ids.get(code)?;
        let kind = code.kind();
        let slot = match kind {
            AreaKind::Msoa => Some(P_MSOA),
            AreaKind::Ward => Some(P_WARD),
            AreaKind::District => Some(P_LAD),
            AreaKind::Region => Some(P_REGION),
            _ => None,
        };
        let (mut l11, mut l21): (Vec<u32>, Vec<u32>) = (Vec::new(), Vec::new());
        for (i, info) in self.info.iter().enumerate() {
            let i = i as u32;
            if info.code.kind() != AreaKind::Lsoa {
                continue;
            }
            let inside = match slot {
                Some(s) => self.in_area(i, id, s),
                None => i == id,
            };
            if inside {
                if info.is_lsoa11 {
                    l11.push(i);
                }
                if info.is_lsoa21 {
                    l21.push(i);
                }
            }
        }
        let mut p = AreaProfile {
            code: *code,
            kind: kind.label(),
            name: self.info[id as usize].name.as_deref().map(str::to_string),
            parents: self.info[id as usize]
                .parents
                .iter()
                .filter_map(|p| self.aref(*p))
                .collect(),
            lsoas_2011: l11.iter().map(|i| self.summary(*i, false)).collect(),
            lsoas_2021: l21.iter().map(|i| self.summary(*i, true)).collect(),
            imd2019_deciles: [0; 10],
            imd2025_deciles: [0; 10],
            imd2019_missing: 0,
            imd2025_missing: 0,
            postcodes: 0,
            postcodes_terminated: 0,
            wards: Vec::new(),
        };
        // IMD 2019 counts over 2011 LSOAs when the area has them, else over 2021 LSOAs via best fit.
        let base2019 = if p.lsoas_2011.is_empty() {
            &p.lsoas_2021
        } else {
            &p.lsoas_2011
        };
        for l in base2019 {
            match &l.imd2019 {
                Some(m) => p.imd2019_deciles[usize::from(m.decile - 1)] += 1,
                None => p.imd2019_missing += 1,
            }
        }
        let base2025 = if p.lsoas_2021.is_empty() {
            &p.lsoas_2011
        } else {
            &p.lsoas_2021
        };
        for l in base2025 {
            match &l.imd2025 {
                Some(m) => p.imd2025_deciles[usize::from(m.decile - 1)] += 1,
                None => p.imd2025_missing += 1,
            }
        }
        if p.imd2025_deciles.iter().all(|c| *c == 0) {
            p.imd2025_missing = 0;
        }
        for r in &self.recs {
            let lsoa = if r.lsoa21 != NONE { r.lsoa21 } else { r.lsoa11 };
            let inside = match slot {
                Some(P_LAD) => Self::first(&[r.lad, self.parent(lsoa, P_LAD)]) == id,
                Some(P_WARD) => Self::first(&[r.ward, self.parent(lsoa, P_WARD)]) == id,
                Some(P_MSOA) => Self::first(&[r.msoa, self.parent(lsoa, P_MSOA)]) == id,
                Some(_) => {
                    let lad = Self::first(&[r.lad, self.parent(lsoa, P_LAD)]);
                    Self::first(&[
                        r.region,
                        self.parent(lsoa, P_REGION),
                        self.parent(lad, P_REGION),
                    ]) == id
                }
                None => r.lsoa11 == id || r.lsoa21 == id,
            };
            if inside {
                p.postcodes += 1;
                if r.status == 2 {
                    p.postcodes_terminated += 1;
                }
            }
        }
        if kind == AreaKind::District {
            // Wards named as in the district, or holding any of its LSOAs.
            let mut ids: Vec<u32> = l11
                .iter()
                .chain(&l21)
                .map(|l| self.info[*l as usize].parents[P_WARD])
                .filter(|w| *w != NONE)
                .collect();
            ids.extend(
                self.info
                    .iter()
                    .enumerate()
                    .filter(|(_, i)| i.code.kind() == AreaKind::Ward && i.parents[P_LAD] == id)
                    .map(|(n, _)| n as u32),
            );
            ids.sort_unstable();
            ids.dedup();
            let mut wards: Vec<AreaRef> = ids.into_iter().filter_map(|w| self.aref(w)).collect();
            wards.sort_by(|a, b| a.name.cmp(&b.name).then(a.code.cmp(&b.code)));
            p.wards = wards;
        }
        Some(p)
    }

    /// Every loaded area of a kind, by name then code.
    pub fn areas_of_kind(&self, kind: AreaKind) -> Vec<AreaRef> {
        let mut v: Vec<AreaRef> = self
            .info
            .iter()
            .filter(|i| i.code.kind() == kind)
            .map(|i| AreaRef {
                code: i.code,
                name: i.name.as_deref().map(str::to_string),
            })
            .collect();
        v.sort_by(|a, b| a.name.cmp(&b.name).then(a.code.cmp(&b.code)));
        v
    }

    /// Every postcode (for tests and exports), in key order.
    pub fn postcodes(&self) -> impl Iterator<Item = Postcode> + '_ {
        self.keys.iter().filter_map(|k| Postcode::from_key(*k))
    }

    /// The LAD of every postcode, as codes, for counts.
    pub fn postcode_lads(&self) -> impl Iterator<Item = Option<AreaCode>> + '_ {
        self.recs.iter().map(|r| {
            let lsoa = if r.lsoa21 != NONE { r.lsoa21 } else { r.lsoa11 };
            self.code_of(Self::first(&[r.lad, self.parent(lsoa, P_LAD)]))
        })
    }

    pub fn stats(&self) -> IndexStats {
        IndexStats {
            postcodes: self.keys.len() as u64,
            postcodes_terminated: self.recs.iter().filter(|r| r.status == 2).count() as u64,
            areas: self.info.len() as u64,
            lsoas_2011: self.info.iter().filter(|i| i.is_lsoa11).count() as u64,
            lsoas_2021: self.info.iter().filter(|i| i.is_lsoa21).count() as u64,
            imd2019_lsoas: self.info.iter().filter(|i| i.imd2019.is_some()).count() as u64,
            imd2025_lsoas: self.info.iter().filter(|i| i.imd2025.is_some()).count() as u64,
            lsoa_links: self.info.iter().filter(|i| i.best_fit_21 != NONE).count() as u64,
        }
    }

    /// Approximate bytes held (for the status page and benchmarks).
    pub fn approx_bytes(&self) -> usize {
        self.keys.capacity() * 8
            + self.table.slots.capacity() * std::mem::size_of::<(u64, u32)>()
            + self.recs.capacity() * std::mem::size_of::<PcRec>()
            + self.info.capacity() * std::mem::size_of::<CodeInfo>()
            + self
                .info
                .iter()
                .map(|i| i.name.as_ref().map_or(0, |n| n.len()))
                .sum::<usize>()
            + self.ids.capacity() * (std::mem::size_of::<(AreaCode, u32)>() + 8)
    }
}
