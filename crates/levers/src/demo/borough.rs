//! The synthetic borough itself: its council, districts, wards and neighbourhoods with a realistic
//! spread of deprivation and postcodes, written in the real ONS and MHCLG file layouts, and the
//! deterministic generator every part of the demo draws from.

use std::fmt::Write;

/// The made-up borough's council. "Levermouth" is not a real place.
pub const COUNCIL: &str = "Levermouth Borough Council";
/// The borough's district code.
pub const BOROUGH: &str = "X07000001";

/// A small deterministic generator (SplitMix64), so the demo borough is the same every time.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A whole number in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % ((hi - lo + 1) as u64)) as i64
    }

    /// A number in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

struct District {
    code: &'static str,
    name: &'static str,
    outward: &'static str,
    /// Ward names and how deprived each tends to be (1 = most).
    wards: &'static [(&'static str, i64)],
}

const REGION: (&str, &str) = ("X12000001", "Levermouth Coast (synthetic region)");

const DISTRICTS: &[District] = &[
    District {
        code: BOROUGH,
        name: "Levermouth",
        outward: "XL",
        wards: &[
            ("Harbour", 1),
            ("Old Town", 1),
            ("Quayside", 2),
            ("Northgate", 2),
            ("Millfield", 3),
            ("St Brannoc's", 4),
            ("Rookery", 3),
            ("Fennick", 5),
            ("Westcliff", 7),
            ("Lowther Park", 8),
            ("Sandhills", 6),
            ("Ashby Moor", 9),
        ],
    },
    District {
        code: "X07000002",
        name: "Saltmarsh",
        outward: "XS",
        wards: &[
            ("Saltmarsh Central", 3),
            ("Eastfleet", 5),
            ("Marram", 7),
            ("Dunmere", 6),
        ],
    },
    District {
        code: "X07000003",
        name: "Kestrel Vale",
        outward: "XK",
        wards: &[
            ("Kestrel", 6),
            ("Hobby Green", 8),
            ("Valley Mills", 4),
            ("Tarn", 9),
        ],
    },
    District {
        code: "X07000004",
        name: "Brackenby",
        outward: "XB",
        wards: &[("Brackenby Town", 2), ("Ferncliff", 5), ("Holm", 8)],
    },
];

/// The synthetic geography as files in the real layouts: (dataset name, CSV text).
pub fn geography_files() -> Vec<(&'static str, String)> {
    let mut rng = Rng::new(0x0001_e7e5_2026);
    let mut onspd =
        String::from("pcd,pcds,doterm,oslaua,osward,lsoa11,lsoa21,msoa21,rgn,lat,long\n");
    let mut iod2019 = String::from(
        "LSOA code (2011),LSOA name (2011),Local Authority District code (2019),Local Authority District name (2019),Index of Multiple Deprivation (IMD) Rank,Index of Multiple Deprivation (IMD) Decile\n",
    );
    let mut iod2025 = String::from(
        "LSOA code (2021),LSOA name (2021),Local Authority District code (2024),Local Authority District name (2024),Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived),Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)\n",
    );
    let mut hierarchy = String::from(
        "lsoa21cd,lsoa21nm,msoa21cd,msoa21nm,wd24cd,wd24nm,lad24cd,lad24nm,rgn24cd,rgn24nm\n",
    );
    let (mut lsoa_no, mut ward_no, mut msoa_no) = (0u32, 0u32, 0u32);
    let lsoas_per_decile = 3_284i64; // 32,844 LSOAs in England / 10
    for (di, d) in DISTRICTS.iter().enumerate() {
        let mut lsoa_in_district = 0;
        for (wi, (ward_name, base)) in d.wards.iter().enumerate() {
            ward_no += 1;
            let ward = format!("X05{ward_no:06}");
            msoa_no += 1;
            let msoa = format!("X02{msoa_no:06}");
            let lsoas = if di == 0 {
                rng.range(6, 9)
            } else {
                rng.range(5, 8)
            };
            for _ in 0..lsoas {
                lsoa_no += 1;
                lsoa_in_district += 1;
                let lsoa = format!("X01{lsoa_no:06}");
                let lsoa_name = format!(
                    "{} {:03}{}",
                    d.name,
                    wi + 1,
                    (b'A' + (lsoa_in_district % 26) as u8) as char
                );
                let decile = (base + rng.range(-1, 1)).clamp(1, 10);
                let rank = (decile - 1) * lsoas_per_decile + rng.range(1, lsoas_per_decile);
                let decile25 = (decile + rng.range(-1, 1)).clamp(1, 10);
                let rank25 = (decile25 - 1) * 3_367 + rng.range(1, 3_367);
                let _ = writeln!(
                    iod2019,
                    "{lsoa},{lsoa_name},{},{},\"{}\",{decile}",
                    d.code,
                    d.name,
                    thousands(rank)
                );
                let _ = writeln!(
                    iod2025,
                    "{lsoa},{lsoa_name},{},{},{rank25},{decile25}",
                    d.code, d.name
                );
                let _ = writeln!(
                    hierarchy,
                    "{lsoa},{lsoa_name},{msoa},{} {:03},{ward},{ward_name},{},{},{},{}",
                    d.name,
                    wi + 1,
                    d.code,
                    d.name,
                    REGION.0,
                    REGION.1
                );
                // About 30 postcodes a neighbourhood, a few of them terminated.
                let sector = lsoa_no % 10;
                for k in 0..rng.range(22, 36) {
                    let a = (b'A' + ((k * 7 + lsoa_no as i64) % 20) as u8) as char;
                    let b = (b'A' + ((k * 3 + 5) % 20) as u8) as char;
                    let (a, b) = (skip_cikmov(a), skip_cikmov(b));
                    let pc = format!("{}{} {sector}{a}{b}", d.outward, wi + 1);
                    let terminated = if rng.unit() < 0.03 { "201904" } else { "" };
                    let lat = 54.05 - di as f64 * 0.08 + rng.unit() * 0.06;
                    let long = -3.40 + wi as f64 * 0.01 + rng.unit() * 0.02;
                    let pcd = format!("{:<7}", pc.replace(' ', "")).replace(' ', "");
                    let _ = writeln!(
                        onspd,
                        "{pcd},{pc},{terminated},{},{ward},{lsoa},{lsoa},{msoa},{},{lat:.6},{long:.6}",
                        d.code, REGION.0
                    );
                }
            }
        }
    }
    vec![
        ("levermouth_iod2019_file1.csv", iod2019),
        ("levermouth_iod2025_file1.csv", iod2025),
        ("levermouth_lsoa_ward_lad_region.csv", hierarchy),
        ("levermouth_onspd.csv", onspd),
    ]
}

fn skip_cikmov(c: char) -> char {
    match c {
        'C' => 'D',
        'I' => 'J',
        'K' => 'L',
        'M' => 'N',
        'O' => 'P',
        'V' => 'W',
        c => c,
    }
}

pub fn thousands(n: i64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
