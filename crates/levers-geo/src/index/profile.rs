//! Area profiles (deprivation of the LSOAs in an area) and listings of what the index holds.

use levers_core::{AreaCode, AreaKind};

use super::records::*;
use super::types::*;
use crate::postcode::Postcode;

impl GeoIndex {
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

    /// Wards, districts, regions and MSOAs whose name matches `q` (case and spacing ignored): the
    /// exact names first, then names starting with it, then names containing it, each group by
    /// name; at most `limit`. Neighbourhoods (LSOAs) are left out: their names are the district's
    /// name and a number, found by code.
    pub fn find_by_name(&self, q: &str, limit: usize) -> Vec<AreaRef> {
        let q = name_key(q);
        if q.is_empty() {
            return Vec::new();
        }
        let mut found: Vec<(u8, AreaRef)> = self
            .info
            .iter()
            .filter(|i| {
                matches!(
                    i.code.kind(),
                    AreaKind::Ward | AreaKind::District | AreaKind::Region | AreaKind::Msoa
                )
            })
            .filter_map(|i| {
                let name = i.name.as_deref()?;
                let n = name_key(name);
                let rank = if n == q {
                    0
                } else if n.starts_with(&q) {
                    1
                } else if n.contains(&q) {
                    2
                } else {
                    return None;
                };
                Some((
                    rank,
                    AreaRef {
                        code: i.code,
                        name: Some(name.to_string()),
                    },
                ))
            })
            .collect();
        found.sort_by(|a, b| (a.0, &a.1.name, a.1.code).cmp(&(b.0, &b.1.name, b.1.code)));
        found.dedup_by(|a, b| a.1.code == b.1.code);
        found.into_iter().take(limit).map(|(_, a)| a).collect()
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

/// A place name as `find_by_name` compares it: lower case, runs of white space as one space, trimmed.
/// Two names with the same key are the same name.
pub fn name_key(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}
