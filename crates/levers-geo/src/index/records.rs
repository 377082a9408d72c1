//! The index's interned records (area codes with parents and deprivation, postcodes) and the
//! postcode hash table.

use levers_core::AreaCode;
use serde::Serialize;

pub(super) const NONE: u32 = u32::MAX;

/// Parents by kind, in this order.
pub(super) const P_MSOA: usize = 0;
pub(super) const P_WARD: usize = 1;
pub(super) const P_LAD: usize = 2;
pub(super) const P_REGION: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Imd {
    pub rank: u32,
    pub decile: u8,
}

#[derive(Debug, Clone)]
pub(super) struct CodeInfo {
    pub(super) code: AreaCode,
    pub(super) name: Option<Box<str>>,
    pub(super) parents: [u32; 4],
    pub(super) imd2019: Option<Imd>,
    pub(super) imd2025: Option<Imd>,
    /// For an LSOA 2011: its best-fit LSOA 2021.
    pub(super) best_fit_21: u32,
    pub(super) is_lsoa11: bool,
    pub(super) is_lsoa21: bool,
}

impl CodeInfo {
    pub(super) fn new(code: AreaCode) -> CodeInfo {
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
pub(super) struct PcRec {
    pub(super) lad: u32,
    pub(super) ward: u32,
    pub(super) lsoa11: u32,
    pub(super) lsoa21: u32,
    pub(super) msoa: u32,
    pub(super) region: u32,
    pub(super) lat: i32,
    pub(super) long: i32,
    /// 0 unknown, 1 live, 2 terminated.
    pub(super) status: u8,
}

pub(super) const NO_COORD: i32 = i32::MIN;

impl PcRec {
    /// Fills this record's gaps from `later`, letting `later` win where both have a value.
    pub(super) fn overlay(&mut self, later: &PcRec) {
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

/// Open-addressing hash table from postcode key to record index: one probe usually lands on the
/// right slot, so a lookup costs about two cache misses (slot, record) instead of a binary search's
/// twenty-odd.
pub(super) struct PostcodeTable {
    /// (key, index + 1); index 0 marks an empty slot.
    pub(super) slots: Vec<(u64, u32)>,
    pub(super) shift: u32,
}

impl PostcodeTable {
    pub(super) fn build(keys: &[u64]) -> PostcodeTable {
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
    pub(super) fn slot(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    #[inline]
    pub(super) fn get(&self, key: u64) -> Option<usize> {
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
