//! levers-place against the real boundary files in `../shared/data/geo/boundaries` and the IMD 2019
//! file (skipped with a reason when absent, failing under CI): every district's LSOA 2011 outlines
//! are exactly the LSOAs IMD 2019 ranks for it, ward files read, and everything projects into the
//! drawing.

use std::collections::BTreeSet;
use std::path::PathBuf;

use levers_place::boundary::{Projector, read_geojson};

fn shared_geo() -> Option<PathBuf> {
    let base = std::env::var("LEVERS_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"))
        });
    let geo = base.join("geo");
    if geo.join("boundaries").is_dir() {
        return Some(geo);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "CI=true but the shared data folder {} is missing",
            geo.display()
        );
    }
    eprintln!(
        "NOT RUN: {} is missing (a fresh clone has no ../shared); the real-data boundary tests need it",
        geo.display()
    );
    None
}

#[test]
fn real_boundaries_match_imd_lsoas_and_project() {
    let Some(geo) = shared_geo() else { return };
    // IMD 2019 File 1's LSOAs by district (the test's own reading of the published file).
    let imd = std::fs::read_to_string(
        geo.join("imd2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv"),
    )
    .unwrap();
    let mut rdr = csv::Reader::from_reader(imd.as_bytes());
    let rows: Vec<(String, String)> = rdr
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), r[2].to_string())
        })
        .collect();
    let mut districts = 0;
    for entry in std::fs::read_dir(geo.join("boundaries/lsoa2011_by_lad")).unwrap() {
        let path = entry.unwrap().path();
        let lad = path.file_stem().unwrap().to_string_lossy().to_string();
        let read = read_geojson(&lad, &std::fs::read(&path).unwrap()).unwrap();
        assert!(read.skipped.is_empty(), "{lad}: {:?}", read.skipped);
        let drawn: BTreeSet<String> = read.areas.iter().map(|a| a.code.to_string()).collect();
        let ranked: BTreeSet<String> = rows
            .iter()
            .filter(|(_, l)| *l == lad)
            .map(|(c, _)| c.clone())
            .collect();
        assert_eq!(drawn, ranked, "{lad}: outlines and IMD 2019 LSOAs differ");
        let shapes: Vec<_> = read.areas.iter().map(|a| a.polygons.clone()).collect();
        let p = Projector::fit(shapes.iter(), 640.0, 480.0, 8.0).unwrap();
        for s in &shapes {
            for q in s.iter().flatten().flatten() {
                let [x, y] = p.project(*q);
                assert!(
                    (7.9..=632.1).contains(&x) && (7.9..=472.1).contains(&y),
                    "{lad}"
                );
            }
            assert!(p.path(s, 0.6).starts_with('M'));
        }
        districts += 1;
    }
    assert_eq!(districts, 24);
    // Trafford: 138 LSOAs; its 2013 wards are 21, none of them today's codes (2023 wards).
    let t = read_geojson(
        "t",
        &std::fs::read(geo.join("boundaries/lsoa2011_by_lad/E08000009.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(t.areas.len(), 138);
    let w = read_geojson(
        "w",
        &std::fs::read(geo.join("boundaries/wards2013_by_lad/E08000009.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(w.areas.len(), 21);
    assert!(
        w.areas
            .iter()
            .any(|a| a.name == "Altrincham" && a.code.as_str() == "E05000819")
    );
    assert!(
        !w.areas.iter().any(|a| a.code.as_str() == "E05015239"),
        "2023 codes have no 2013 outline"
    );
}
