//! levers-geo against the real ONS and MHCLG files in `../shared/data/geo` (skipped with a reason when
//! absent, failing under CI), plus a self-made fixture that always runs.

use std::collections::{BTreeSet, HashMap};
use std::io::Read;
use std::path::PathBuf;

use levers_core::{AreaCode, AreaKind};
use levers_geo::{FileKind, GeoIndex, GeoIndexBuilder, GeoRecord, Postcode, ReadReport, read_geo};

fn shared_geo() -> Option<PathBuf> {
    let base = std::env::var("LEVERS_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"))
        });
    let geo = base.join("geo");
    if geo.is_dir() {
        return Some(geo);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "CI=true but the shared data folder {} is missing",
            geo.display()
        );
    }
    eprintln!(
        "NOT RUN: {} is missing (a fresh clone has no ../shared); the real-data geography tests need it",
        geo.display()
    );
    None
}

/// Reads one file (plain or .gz) into the builder, checking it reconciles.
fn load(b: &mut GeoIndexBuilder, path: &PathBuf) -> ReadReport {
    let raw = std::fs::read(path).unwrap();
    let bytes = if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .unwrap();
        out
    } else {
        raw
    };
    let rep = read_geo(
        &path.display().to_string(),
        &bytes[..],
        |r| b.add(&r),
        |_| {},
    )
    .unwrap();
    assert!(rep.reconciles(), "{}: {rep:?}", path.display());
    rep
}

fn code(s: &str) -> AreaCode {
    AreaCode::parse(s).unwrap()
}

#[test]
fn imd2019_file1_counts_match_the_published_figures() {
    let Some(geo) = shared_geo() else { return };
    let mut b = GeoIndexBuilder::new();
    let rep = load(
        &mut b,
        &geo.join("imd2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv"),
    );
    assert_eq!(rep.kind, Some(FileKind::Iod2019File1));
    assert_eq!(
        (rep.rows_read, rep.rows_imported, rep.rows_rejected),
        (32_844, 32_844, 0)
    );
    let idx = b.build();
    assert_eq!(idx.stats().imd2019_lsoas, 32_844);
    let preston = idx.area(&code("E07000123")).unwrap();
    assert_eq!(preston.name.as_deref(), Some("Preston"));
    assert_eq!(preston.lsoas_2011.len(), 86);
    assert_eq!(preston.imd2019_deciles[0], 16);
    assert_eq!(preston.imd2019_deciles[1], 21);
    assert_eq!(preston.imd2019_deciles.iter().sum::<u32>(), 86);
    let manchester = idx.area(&code("E08000003")).unwrap();
    assert_eq!(manchester.lsoas_2011.len(), 282);
    assert_eq!(manchester.imd2019_deciles[0], 122);
}

#[test]
fn domains_and_lookups_read_and_reconcile() {
    let Some(geo) = shared_geo() else { return };
    let mut b = GeoIndexBuilder::new();
    let mut domains = 0;
    let raw =
        std::fs::read(geo.join("imd2019/File_2_-_IoD2019_Domains_of_Deprivation.csv.gz")).unwrap();
    let mut text = Vec::new();
    flate2::read::GzDecoder::new(&raw[..])
        .read_to_end(&mut text)
        .unwrap();
    let rep = read_geo(
        "File_2",
        &text[..],
        |r| {
            if let GeoRecord::Deprivation(d) = &r {
                domains = d.domains.len();
            }
            b.add(&r)
        },
        |_| {},
    )
    .unwrap();
    assert_eq!(rep.kind, Some(FileKind::Iod2019File2));
    assert_eq!(rep.rows_imported, 32_844);
    assert_eq!(
        domains, 7,
        "File 2 has the seven domains (IDACI and IDAOPI are in File 3)"
    );
    for (file, kind, rows) in [
        (
            "geo_lookups/lsoa11_msoa11_lad17_rgn11_EW.csv",
            FileKind::LsoaHierarchy,
            34_753,
        ),
        (
            "geo_lookups/lsoa11_to_lsoa21_lad22_best_fit_EW_v2.csv",
            FileKind::Lsoa11To21,
            34_753,
        ),
        (
            "geo_lookups/gm_2021_lsoa_to_ward_best-fit_lookup.csv",
            FileKind::LsoaToWard,
            1_702,
        ),
        (
            "geo_lookups/gm_2021_statistical_lookup.csv",
            FileKind::LsoaHierarchy,
            8_966,
        ),
        (
            "geo_lookups/gm_2021_administrative_lookup.csv",
            FileKind::WardToLad,
            215,
        ),
    ] {
        let rep = load(&mut b, &geo.join(file));
        assert_eq!(rep.kind, Some(kind), "{file}");
        assert_eq!(
            (rep.rows_read, rep.rows_imported),
            (rows, rows),
            "{file}: {:?}",
            rep.rejections.first()
        );
    }
    let idx = b.build();
    // Preston sits in the North West through the LSOA hierarchy.
    let preston = idx.area(&code("E07000123")).unwrap();
    assert_eq!(
        preston
            .parents
            .iter()
            .map(|p| p.code.as_str())
            .collect::<Vec<_>>(),
        vec!["E12000002"]
    );
    // A GM ward has its 2021 LSOAs and its IMD 2019 deciles through the best fit.
    let ward = idx.area(&code("E05000650")).unwrap();
    assert_eq!(ward.name.as_deref(), Some("Astley Bridge"));
    assert!(!ward.lsoas_2021.is_empty());
    assert_eq!(
        ward.imd2019_deciles.iter().sum::<u32>() + ward.imd2019_missing,
        ward.lsoas_2021.len() as u32
    );
    let bolton = idx.area(&code("E08000001")).unwrap();
    assert!(
        bolton
            .wards
            .iter()
            .any(|w| w.name.as_deref() == Some("Astley Bridge"))
    );
}

#[test]
fn nspd_postcodes_of_24_councils() {
    let Some(geo) = shared_geo() else { return };
    let mut b = GeoIndexBuilder::new();
    let rep = load(
        &mut b,
        &geo.join("postcodes/nspd_nov2025_pcd_lad_lancashire14_gm10.csv"),
    );
    assert_eq!(rep.kind, Some(FileKind::Nspd));
    assert_eq!(
        (rep.rows_read, rep.rows_imported, rep.rows_rejected),
        (173_073, 173_073, 0)
    );
    let idx = b.build();
    assert_eq!(idx.stats().postcodes, 173_073);
    let mut per_lad: HashMap<AreaCode, u64> = HashMap::new();
    for lad in idx.postcode_lads() {
        *per_lad
            .entry(lad.expect("every postcode has a LAD"))
            .or_default() += 1;
    }
    assert_eq!(per_lad.len(), 24);
    assert!(per_lad.keys().all(|c| c.kind() == AreaKind::District));
    assert_eq!(per_lad[&code("E07000123")], 6_152);
    assert_eq!(idx.area(&code("E07000123")).unwrap().postcodes, 6_152);
    // However it is typed, it is the same postcode.
    let want = idx.lookup(&Postcode::parse("PR1 2HE").unwrap()).unwrap();
    for typed in ["pr1  2he", "PR12HE", " Pr1 2hE "] {
        assert_eq!(
            idx.lookup(&Postcode::parse(typed).unwrap()).unwrap(),
            want,
            "{typed}"
        );
    }
    assert_eq!(want.lad.unwrap().code.as_str(), "E07000123");
    assert_eq!(
        want.terminated, None,
        "NSPD extract has no termination column: unknown, not live"
    );
}

#[test]
fn trafford_postcodes_wards_and_the_two_lsoas_without_imd2019() {
    let Some(geo) = shared_geo() else { return };
    let mut b = GeoIndexBuilder::new();
    load(
        &mut b,
        &geo.join("imd2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv"),
    );
    load(
        &mut b,
        &geo.join("geo_lookups/lsoa11_to_lsoa21_lad22_best_fit_EW_v2.csv"),
    );
    let mut lsoas = BTreeSet::new();
    let mut wards = BTreeSet::new();
    let path = geo.join("postcodes/trafford_postcodes_onspd_feb2025.csv");
    let bytes = std::fs::read(&path).unwrap();
    let rep = read_geo(
        "trafford",
        &bytes[..],
        |r| {
            if let GeoRecord::Postcode(p) = &r {
                lsoas.insert(p.lsoa21.unwrap());
                wards.insert(p.ward.unwrap());
            }
            b.add(&r)
        },
        |_| {},
    )
    .unwrap();
    assert_eq!(rep.kind, Some(FileKind::TidyPostcodes));
    assert_eq!(rep.rows_imported, 11_264);
    assert_eq!(wards.len(), 21);
    assert_eq!(lsoas.len(), 139);
    let idx: GeoIndex = b.build();
    // Two of Trafford's 2021 LSOAs are not IoD2019 LSOAs: both were split from 2011's E01006185
    // (Trafford 001E). The best-fit lookup sends E01006185 to E01034001, so that one gets a decile
    // through the join (and says so); E01034000 is reached by no 2011 LSOA, so it has none.
    let not_2019: Vec<&AreaCode> = lsoas
        .iter()
        .filter(|l| {
            idx.area(l).unwrap().lsoas_2021[0]
                .imd2019
                .as_ref()
                .is_none_or(|m| m.via != "same code in 2011")
        })
        .collect();
    assert_eq!(
        not_2019.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        vec!["E01034000", "E01034001"]
    );
    let joined = idx.area(&code("E01034001")).unwrap().lsoas_2021[0]
        .imd2019
        .clone()
        .unwrap();
    assert_eq!(
        (joined.lsoa.as_str(), joined.via),
        ("E01006185", "lsoa21→lsoa11 best fit")
    );
    let without: Vec<&AreaCode> = lsoas
        .iter()
        .filter(|l| idx.area(l).unwrap().lsoas_2021[0].imd2019.is_none())
        .collect();
    assert_eq!(
        without.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        vec!["E01034000"]
    );
    // A postcode in one of them reports the gap rather than a decile.
    let pc = idx
        .postcodes()
        .find(|p| {
            idx.lookup(p)
                .unwrap()
                .lsoa21
                .as_ref()
                .is_some_and(|l| l.code == *without[0])
        })
        .unwrap();
    let l = idx.lookup(&pc).unwrap();
    assert!(l.imd2019.is_none());
    assert!(
        l.gaps
            .iter()
            .any(|g| g.contains("no 2011 LSOA in the best-fit lookup")),
        "{:?}",
        l.gaps
    );
    // Elsewhere the join is used and named.
    let old_trafford = idx.lookup(&Postcode::parse("M15 4AD").unwrap()).unwrap();
    let imd = old_trafford.imd2019.unwrap();
    assert!(
        imd.via == "same code in 2011" || imd.via.contains("best fit"),
        "{}",
        imd.via
    );
    assert_eq!(
        old_trafford.ward.unwrap().name.as_deref(),
        Some("Old Trafford")
    );
    assert_eq!(old_trafford.lad.unwrap().name.as_deref(), Some("Trafford"));
    // Ward profile: LSOAs by decile.
    let ward = idx.area(&code("E05015253")).unwrap();
    assert_eq!(ward.name.as_deref(), Some("Old Trafford"));
    assert!(ward.postcodes > 0);
}

/// A tiny borough of our own: always runs, no shared data needed.
#[test]
fn fixture_borough_profile_and_lookup() {
    let files = [
        "LSOA code (2011),LSOA name (2011),Local Authority District code (2019),Local Authority District name (2019),Index of Multiple Deprivation (IMD) Rank,Index of Multiple Deprivation (IMD) Decile\n\
         E01900001,Fixture 001A,E09900001,Fixture,\"1,000\",1\n\
         E01900002,Fixture 001B,E09900001,Fixture,\"30,000\",10\n\
         E01900003,Fixture 001C,E09900001,Fixture,\"5,000\",2\n",
        "LSOA11CD,LSOA11NM,LSOA21CD,LSOA21NM,LAD22CD,LAD22NM\n\
         E01900001,Fixture 001A,E01900001,Fixture 001A,E09900001,Fixture\n\
         E01900002,Fixture 001B,E01900011,Fixture 001E,E09900001,Fixture\n\
         E01900003,Fixture 001C,E01900011,Fixture 001E,E09900001,Fixture\n",
        "pcd,pcds,doterm,oslaua,osward,lsoa11,lsoa21,lat,long\n\
         ZZ1 1AA,ZZ1 1AA,,E09900001,E05900001,E01900001,E01900001,51.5,-0.1\n\
         ZZ1 1AB,ZZ1 1AB,202001,E09900001,E05900001,E01900002,E01900011,51.5,-0.1\n\
         ZZ1 1AD,ZZ1 1AD,,E09900001,E05900002,,E01900012,51.5,-0.1\n",
    ];
    let mut b = GeoIndexBuilder::new();
    for f in files {
        let rep = read_geo("fixture", f.as_bytes(), |r| b.add(&r), |_| {}).unwrap();
        assert!(rep.reconciles() && rep.rows_rejected == 0);
    }
    let idx = b.build();
    let p = idx.area(&code("E09900001")).unwrap();
    assert_eq!(p.lsoas_2011.len(), 3);
    assert_eq!(&p.imd2019_deciles[..3], &[1, 1, 0]);
    assert_eq!(p.imd2019_deciles[9], 1);
    assert_eq!((p.postcodes, p.postcodes_terminated), (3, 1));
    // A merged 2021 LSOA of deciles 10 and 2 gets no decile: no invented figure.
    let merged = idx.lookup(&Postcode::parse("zz11ab").unwrap()).unwrap();
    assert_eq!(
        merged.imd2019.as_ref().unwrap().via,
        "direct",
        "the postcode's own 2011 LSOA is used first"
    );
    let new_lsoa = idx.lookup(&Postcode::parse("ZZ1 1AD").unwrap()).unwrap();
    assert!(new_lsoa.imd2019.is_none());
    let ward = idx.area(&code("E05900001")).unwrap();
    assert_eq!(ward.postcodes, 2);
    let l = idx.locate(&Postcode::parse("ZZ11AA").unwrap()).unwrap();
    assert_eq!(
        (l.imd2019_decile, l.lad.unwrap().as_str()),
        (Some(1), "E09900001")
    );
}

mod never_panics {
    //! The same properties as the fuzz targets in `fuzz/`, run on every test run with proptest.
    use levers_geo::block::{decode_block, encode_block};
    use levers_geo::{Postcode, read_geo};
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn postcode_parser(s in "\\PC{0,12}") {
            if let Ok(p) = Postcode::parse(&s) {
                prop_assert_eq!(Postcode::parse(&p.to_string()).ok(), Some(p));
                prop_assert_eq!(Postcode::from_key(p.key()), Some(p));
            }
        }

        #[test]
        fn postcode_shaped_input(s in "[A-Za-z]{1,2}[0-9][0-9A-Za-z]? ?[0-9][A-Za-z]{2}") {
            let _ = Postcode::parse(&s);
        }

        #[test]
        fn reader_on_any_bytes(data in proptest::collection::vec(any::<u8>(), 0..400)) {
            let mut n = 0;
            if let Ok(rep) = read_geo("p", &data[..], |_| n += 1, |_| {}) {
                prop_assert!(rep.reconciles());
            }
            let _ = decode_block(&data, |_| {});
        }

        #[test]
        fn reader_on_plausible_files(
            header in prop::sample::select(vec![
                "pcd,pcds,doterm,oslaua,osward,lsoa11,lsoa21,lat,long",
                "pcd7,lad25cd,east1m,north1m",
                "postcode,ward_code,lsoa_code,la_code,lon,lat",
                "LSOA code (2011),Index of Multiple Deprivation (IMD) Rank,Index of Multiple Deprivation (IMD) Decile",
                "LSOA11CD,LSOA21CD,LAD22CD",
                "lsoa21cd,wd22cd,lad22cd",
            ]),
            rows in proptest::collection::vec("[A-Z0-9 ,\"\\-\\.]{0,60}", 0..20),
        ) {
            let text = format!("{header}\n{}\n", rows.join("\n"));
            let mut records = Vec::new();
            let rep = read_geo("p", text.as_bytes(), |r| records.push(r), |_| {}).unwrap();
            prop_assert!(rep.reconciles());
            let mut back = Vec::new();
            decode_block(&encode_block(&records), |r| back.push(r)).unwrap();
            prop_assert_eq!(back, records);
        }
    }
}
