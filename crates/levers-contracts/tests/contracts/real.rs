//! The real OCDS files in `shared/data/ocds` and `shared/data/contracts/fts`: every release
//! accounted for, and the figures of the Find a Tender notices pinned from their PROVENANCE.md.

use std::path::PathBuf;

use levers_contracts::merge::Merger;
use levers_contracts::model::opt_date::iso;
use levers_contracts::ocds::read_ocds;
use levers_contracts::{Contract, Stage};
use levers_core::Money;

fn shared_data() -> Option<PathBuf> {
    let dir = std::env::var_os("LEVERS_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"))
        });
    if dir.join("ocds").is_dir() && dir.join("contracts/fts").is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "shared data not found at {} (set LEVERS_SHARED_DATA); required under CI=true",
            dir.display()
        );
    }
    eprintln!(
        "NOT RUN: shared data not found at {} (set LEVERS_SHARED_DATA to run the real-file tests)",
        dir.display()
    );
    None
}

fn read(path: &std::path::Path) -> (Vec<Contract>, levers_contracts::ocds::OcdsReport) {
    let mut out = Vec::new();
    let f = std::fs::File::open(path).unwrap();
    let rep = read_ocds(&path.display().to_string(), f, &mut |c| out.push(c)).unwrap();
    assert!(rep.balanced(), "{rep:?}");
    (out, rep)
}

fn pounds(p: i64) -> Option<Money> {
    Money::from_pounds(p)
}

#[test]
fn the_three_ocds_samples_are_read_whole() {
    let Some(dir) = shared_data() else { return };
    // (file, releases, distinct ocids, duplicates) counted independently with Python's json.
    for (file, releases, ocids, dups) in [
        ("contracts_finder_releases_2025_sample.json", 201, 190, 1),
        (
            "public_contracts_scotland_releases_2025_sample.json",
            90,
            90,
            0,
        ),
        ("sell2wales_releases_2025_sample.json", 90, 90, 0),
    ] {
        let (cs, rep) = read(&dir.join("ocds").join(file));
        assert_eq!(
            (rep.read, rep.given, rep.rejected),
            (releases, releases, 0),
            "{file}"
        );
        assert_eq!(rep.packages, 1);
        let mut m = Merger::new();
        for c in cs {
            m.add(c);
        }
        assert_eq!(m.contracts.len() as u64, ocids, "{file}");
        assert_eq!(m.counts.duplicates, dups, "{file}");
        assert_eq!(m.counts.total(), releases);
        // Every release in these samples carries CPV codes, in tender.classification (Contracts
        // Finder) or items[].additionalClassifications (Scotland, Wales).
        assert!(m.contracts.iter().all(|c| !c.cpv.is_empty()), "{file}");
    }
    // Public Contracts Scotland releases carry no id: told apart by ocid and date, said so.
    let (cs, _) = read(&dir.join("ocds/public_contracts_scotland_releases_2025_sample.json"));
    assert!(cs[0].release_id.is_none());
    assert!(cs[0].warnings.iter().any(|w| w.contains("no id")));
}

#[test]
fn find_a_tender_notices_keep_their_figures() {
    let Some(dir) = shared_data() else { return };
    let fts = dir.join("contracts/fts");
    let (cs, _) = read(&fts.join("fts_037689-2026_UK1_pipeline_northumberland_cc.json"));
    let n = &cs[0];
    assert_eq!(n.notice_type.as_deref(), Some("UK1"));
    assert_eq!(n.stage, Stage::Planning);
    assert_eq!(n.buyer, "Northumberland County Council");
    assert_eq!(n.value_net, pounds(30_000_000));
    assert_eq!(n.value_gross, pounds(36_000_000));
    assert_eq!(n.cpv.len(), 12, "{:?}", n.cpv);
    assert_eq!(n.end.map(iso).as_deref(), Some("2028-03-31"));

    let (cs, _) = read(&fts.join("fts_032703-2026_UK4_tender_harrogate_town_council.json"));
    let h = &cs[0];
    assert_eq!(h.notice_type.as_deref(), Some("UK4"));
    assert_eq!(h.stage, Stage::Tender);
    assert_eq!(h.value_net, pounds(33_721));
    assert_eq!(h.value_gross, Some(Money::from_pence(40_465_20)));
    assert_eq!(h.cpv, vec!["09323000".to_string(), "79314000".to_string()]);
    assert_eq!(h.above_threshold, Some(false));
    assert_eq!(h.tender_end.map(iso).as_deref(), Some("2026-05-08"));
    assert_eq!(h.end.map(iso).as_deref(), Some("2026-12-31"));

    // The transcribed API page: shapes only, plus figures its PROVENANCE.md states.
    let (cs, rep) = read(&fts.join("fts_release_package_2026-10-06_limit4_UK6x3_UK4x1.json"));
    assert_eq!(rep.given, 4);
    let notices: Vec<_> = cs
        .iter()
        .map(|c| c.notice_type.clone().unwrap_or_default())
        .collect();
    assert_eq!(notices, vec!["UK6", "UK4", "UK6", "UK6"]);
    let cb = &cs[1];
    assert_eq!(cb.buyer, "Central Bedfordshire Council");
    assert_eq!(cb.value_net, pounds(2_772_000));
    assert_eq!(cb.max_extent.map(iso).as_deref(), Some("2034-10-31"));
    assert!(cb.has_renewal);
    assert_eq!(cb.special_regime, vec!["lightTouch".to_string()]);
    assert!(
        cb.warnings.iter().any(|w| w.contains("AED")),
        "{:?}",
        cb.warnings
    );
    let chess = &cs[0];
    assert_eq!(chess.value_net, None);
    assert_eq!(chess.value_gross, Some(Money::from_pence(256_378_74)));
    assert_eq!(chess.suppliers[0].scale.as_deref(), Some("large"));
    let switch = &cs[3];
    let s = &switch.suppliers[0];
    assert_eq!(s.vcse, Some(true));
    assert_eq!(s.scale.as_deref(), Some("large"));
    assert_eq!(s.company_number.as_deref(), Some("08522643"));
    assert_eq!(cs[2].suppliers[0].scale.as_deref(), Some("sme"));
}

/// The same releases as JSON Lines, as a record package with compiled releases, and cut into a
/// bare array give the same contracts.
#[test]
fn every_container_gives_the_same_contracts() {
    let Some(dir) = shared_data() else { return };
    let path = dir.join("ocds/sell2wales_releases_2025_sample.json");
    let (pkg, _) = read(&path);
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let rels = v["releases"].as_array().unwrap();
    let lines: String = rels.iter().map(|r| format!("{r}\n")).collect();
    let mut jl = Vec::new();
    let rep = read_ocds("x.jsonl", lines.as_bytes(), &mut |c| jl.push(c)).unwrap();
    assert_eq!((rep.given, rep.packages), (90, 0));
    assert_eq!(jl, pkg);
    let records: Vec<serde_json::Value> = rels
        .iter()
        .map(|r| serde_json::json!({"ocid": r["ocid"], "compiledRelease": r}))
        .collect();
    let text = serde_json::json!({"uri": "x", "records": records}).to_string();
    let mut rp = Vec::new();
    let rep = read_ocds("r.json", text.as_bytes(), &mut |c| rp.push(c)).unwrap();
    assert_eq!((rep.records, rep.given), (90, 90));
    assert_eq!(rp, pkg);
}
