//! The procurement analysis on a fixture whose every figure was worked out by hand (below), on real
//! postcodes (Trafford and Greater Manchester, from ../shared/data/geo), and property tests of its
//! invariants.

use std::collections::HashMap;

use levers_core::AreaCode;
use levers_geo::{GeoIndex, GeoIndexBuilder, read_geo};
use levers_spend::analysis::{
    AnalysisOptions, Area, BodyData, PaymentText, Payments, Report, SectorBasis, SupplierInfo,
    analyse,
};
use levers_spend::resolve::MatchMethod;
use levers_spend::suppliers::{DeclaredType, SupplierRecord};
use proptest::prelude::*;

fn code(s: &str) -> AreaCode {
    AreaCode::parse(s).unwrap()
}

/// Three synthetic districts: L (local, X07000001), S (wider, X07000002), K (elsewhere, X07000003).
fn fixture_geo() -> GeoIndex {
    let files = [
        "LSOA code (2011),LSOA name (2011),Local Authority District code (2019),Local Authority District name (2019),Index of Multiple Deprivation (IMD) Rank,Index of Multiple Deprivation (IMD) Decile\n\
         X01000001,L 001A,X07000001,L,\"1,000\",1\n\
         X01000002,L 002A,X07000001,L,\"15,000\",5\n\
         X01000003,S 001A,X07000002,S,\"5,000\",2\n\
         X01000004,K 001A,X07000003,K,\"2,000\",1\n",
        "pcd,pcds,doterm,oslaua,osward,lsoa11,lsoa21,lat,long\n\
         XL11AA,XL1 1AA,,X07000001,X05000001,X01000001,X01000001,54.0,-3.0\n\
         XL12AB,XL1 2AB,,X07000001,X05000002,X01000002,X01000002,54.0,-3.0\n\
         XS11AA,XS1 1AA,,X07000002,X05000003,X01000003,X01000003,54.0,-3.0\n\
         XK11AA,XK1 1AA,,X07000003,X05000004,X01000004,X01000004,54.0,-3.0\n",
        "lsoa21cd,lsoa21nm,msoa21cd,msoa21nm,wd24cd,wd24nm,lad24cd,lad24nm,rgn24cd,rgn24nm\n\
         X01000001,L 001A,X02000001,L 001,X05000001,Harbour,X07000001,L,X12000001,R\n\
         X01000002,L 002A,X02000002,L 002,X05000002,Hillside,X07000001,L,X12000001,R\n\
         X01000003,S 001A,X02000003,S 001,X05000003,Marsh,X07000002,S,X12000001,R\n\
         X01000004,K 001A,X02000004,K 001,X05000004,Vale,X07000003,K,X12000001,R\n",
    ];
    let mut b = GeoIndexBuilder::new();
    for (i, f) in files.iter().enumerate() {
        let rep = read_geo(&format!("f{i}.csv"), f.as_bytes(), |r| b.add(&r), |_| {}).unwrap();
        assert!(rep.reconciles() && rep.rows_rejected == 0, "{rep:?}");
    }
    b.build()
}

fn rec(
    id: &str,
    name: &str,
    pc: Option<&str>,
    branches: &[&str],
    t: DeclaredType,
    sector: Option<&str>,
) -> SupplierRecord {
    SupplierRecord {
        line: 0,
        supplier_id: Some(id.into()),
        name: name.into(),
        postcode: pc.map(str::to_string),
        branch_postcodes: branches.iter().map(|s| s.to_string()).collect(),
        company_number: None,
        charity_number: None,
        vat_number: None,
        declared_type: Some(t),
        sector: sector.map(str::to_string),
    }
}

fn fixture_body() -> BodyData {
    use DeclaredType::*;
    let recs = [
        rec("S1", "Alpha Catering Ltd", Some("XL1 1AA"), &[], Sme, None),
        rec(
            "S2",
            "Beta Builders Ltd",
            Some("XK1 1AA"),
            &["XL1 2AB"],
            Large,
            None,
        ),
        rec("S3", "Gamma Trust", Some("XS1 1AA"), &[], Vcse, None),
        rec(
            "S4",
            "Delta Software plc",
            Some("XK1 1AA"),
            &[],
            Large,
            None,
        ),
        rec("S5", "Epsilon Care Ltd", None, &[], Sme, None),
        rec(
            "S6",
            "Saltmarsh Council",
            Some("XS1 1AA"),
            &[],
            Public,
            None,
        ),
        rec(
            "S7",
            "Local Bakers Ltd",
            Some("XL1 2AB"),
            &[],
            Sme,
            Some("Catering"),
        ),
        rec(
            "S8",
            "Harbour IT Ltd",
            Some("XL1 1AA"),
            &[],
            Sme,
            Some("ICT"),
        ),
    ];
    BodyData {
        name: "Testshire".into(),
        suppliers: recs
            .iter()
            .enumerate()
            .map(|(i, r)| SupplierInfo::build(i as i64 + 1, r, None, None, true))
            .collect(),
        decisions: HashMap::new(),
    }
}

/// (supplier id, name, pounds, expense type, redacted)
const PAYMENTS: &[(&str, &str, i64, &str, bool)] = &[
    ("S1", "Alpha Catering Ltd", 1_000, "Catering", false),
    ("", "ALPHA CATERING LIMITED", 500, "Catering", false),
    ("S2", "Beta Builders Ltd", 3_000, "Building works", false),
    ("S2", "Beta Builders Ltd", -200, "Building works", false),
    (
        "",
        "The Gamma Trust",
        800,
        "Grants to voluntary bodies",
        false,
    ),
    ("S4", "Delta Software plc", 2_500, "ICT", false),
    ("S5", "Epsilon Care Ltd", 700, "Residential care", false),
    ("S6", "Saltmarsh Council", 400, "Shared services", false),
    ("", "Testshire Fire Authority", 600, "Levies", false),
    ("", "REDACTED UNDER DP ACT", 300, "Direct payments", true),
    ("", "Zeta Unknown Ltd", 150, "ICT", false),
    ("", "Eta Widgets Ltd", -50, "ICT", false),
    (
        "",
        "Catering Supplies Nationwide Ltd",
        900,
        "Catering",
        false,
    ),
    ("", "Gamma Trusts", 200, "Grants to voluntary bodies", false),
    ("", "Delta Software Solutions", 100, "ICT", false),
];

fn fixture_payments() -> Payments {
    let mut p = Payments::default();
    for (i, (id, name, pounds, et, red)) in PAYMENTS.iter().enumerate() {
        p.push(PaymentText {
            row_id: i as i64 + 1,
            body: 0,
            redacted: *red,
            amount_pence: pounds * 100,
            supplier_name: name,
            supplier_id: id,
            expense_type: et,
            ..PaymentText::default()
        });
    }
    p
}

fn opts(top_n: usize) -> AnalysisOptions {
    let mut o = AnalysisOptions::new(
        "2024/25",
        Area {
            name: "L".into(),
            lads: vec![code("X07000001")],
        },
        Area {
            name: "L and S".into(),
            lads: vec![code("X07000002")],
        },
    );
    o.top_n = top_n;
    o
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-12, "{a} != {b}");
}

/// Every figure by hand:
/// - total = 1,000 + 500 + 3,000 − 200 + 800 + 2,500 + 700 + 400 + 600 + 300 + 150 − 50 + 900 + 200 + 100 = £10,900;
/// - excluded: levies 600 (the fire authority), grants/direct payments to individuals 300 (redacted),
///   other public bodies 400 (Saltmarsh Council, declared public) = £1,300;
/// - net credit: Eta Widgets −50 (its only payment is a credit note);
/// - analysed = 10,900 − 1,300 + 50 = £9,650 = Alpha 1,500 (ID + exact name) + Beta 2,800 (net of the
///   credit) + Gamma 1,000 (exact name without "The" + fuzzy "Gamma Trusts") + Delta 2,500 + Epsilon 700 +
///   Zeta 150 + Catering Supplies Nationwide 900 + Delta Software Solutions 100 (waiting for review,
///   so not linked);
/// - local: Alpha (XL1 1AA) 1,500 + Beta (head office in K, branch XL1 2AB in L) 2,800 = £4,300;
///   wider adds Gamma (XS1 1AA) 1,000 = £5,300; leakage = 9,650 − 5,300 = £4,350;
/// - deprived decile 1: Alpha (LSOA decile 1) 1,500 + Delta (decile 1 in K: deprivation is national)
///   2,500 = £4,000 (Beta's attributed site is its local branch, decile 5); deciles 1–2 add Gamma
///   (decile 2) 1,000 = £5,000;
/// - SME: Alpha + Epsilon = £2,200; large: Beta + Delta = £5,300; unknown size: Gamma (VCSE with no
///   accounts) + Zeta + CSN + DSS = £2,150; VCSE: Gamma £1,000; public: £0 (excluded);
/// - unlocated: Epsilon (no postcode) 700 + Zeta 150 + CSN 900 + DSS 100 = £1,850;
/// - top 2: Beta 2,800 + Delta 2,500 = £5,300, local £2,800, leakage £2,500, outside £4,350.
#[test]
fn hand_computed_fixture() {
    let geo = fixture_geo();
    let body = fixture_body();
    let pays = fixture_payments();
    let r = analyse(std::slice::from_ref(&body), &pays, &geo, &opts(2));
    let s = &r.all.spend;
    assert_eq!(
        (
            s.total_pence,
            s.excluded_pence,
            s.net_credit_pence,
            s.analysed_pence,
            s.outside_scope_pence
        ),
        (1_090_000, 130_000, -5_000, 965_000, 0)
    );
    let ex: Vec<(&str, i64)> = r
        .exclusions
        .iter()
        .filter(|e| e.pence != 0)
        .map(|e| (e.key.as_str(), e.pence))
        .collect();
    assert_eq!(
        ex,
        vec![
            ("levies", 60_000),
            ("individuals", 30_000),
            ("public_bodies", 40_000)
        ]
    );
    let p = &r.all.pounds;
    assert_eq!(
        (
            p.local_pence,
            p.wider_pence,
            p.leakage_pence,
            p.wider_outside_local_pence
        ),
        (430_000, 530_000, 435_000, 100_000)
    );
    assert_eq!(
        (p.deprived_decile_1_pence, p.deprived_decile_1_2_pence),
        (400_000, 500_000)
    );
    assert_eq!(
        (
            p.sme_pence,
            p.large_pence,
            p.unknown_size_pence,
            p.vcse_pence,
            p.public_pence
        ),
        (220_000, 530_000, 215_000, 100_000, 0)
    );
    assert_eq!(
        (
            p.unlocated_pence,
            p.individual_redacted_pence,
            p.linked_pence
        ),
        (185_000, 0, 850_000)
    );
    let sh = &r.all.shares;
    close(sh.local, 4_300.0 / 9_650.0);
    close(sh.wider, 5_300.0 / 9_650.0);
    close(sh.deprived_decile_1, 4_000.0 / 9_650.0);
    close(sh.deprived_decile_1_2, 5_000.0 / 9_650.0);
    close(sh.sme, 2_200.0 / 9_650.0);
    close(sh.vcse, 1_000.0 / 9_650.0);
    close(sh.unknown_location, 1_850.0 / 9_650.0);
    let c = &r.all.suppliers;
    assert_eq!(
        (c.analysed, c.located, c.local, c.wider, c.linked),
        (8, 4, 2, 3, 5)
    );

    // By sector (the council's expense types).
    let sec: Vec<(&str, i64, i64, i64)> = r
        .all
        .by_sector
        .iter()
        .map(|s| {
            (
                s.sector.as_str(),
                s.analysed_pence,
                s.local_pence,
                s.leakage_pence,
            )
        })
        .collect();
    assert_eq!(
        sec,
        vec![
            ("Building works", 280_000, 280_000, 0),
            ("ICT", 275_000, 0, 275_000),
            ("Catering", 240_000, 150_000, 90_000),
            ("Grants to voluntary bodies", 100_000, 0, 0),
            ("Residential care", 70_000, 0, 70_000),
        ]
    );
    // Opportunities: ICT leaks entirely and Harbour IT (on record as ICT, in L) exists; residential
    // care leaks too but no local supplier of it exists; catering leaks only 37.5%.
    assert_eq!(r.all.opportunities.len(), 1);
    let o = &r.all.opportunities[0];
    assert_eq!((o.sector.as_str(), o.leakage_pence), ("ICT", 275_000));
    assert_eq!(
        o.local_suppliers
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        vec!["Harbour IT Ltd"]
    );

    // By ward: L's two wards, the most deprived first.
    let wards: Vec<(&str, i64, u32)> = r
        .all
        .by_ward
        .iter()
        .map(|w| (w.code.as_str(), w.pence, w.lsoas_decile_1))
        .collect();
    assert_eq!(
        wards,
        vec![("X05000001", 150_000, 1), ("X05000002", 280_000, 0)]
    );
    assert_eq!(r.all.by_band[0].suppliers, 8);

    // Location sources: council postcodes locate Alpha, Gamma, Delta; Beta's branch locates it.
    let src: HashMap<String, i64> = r
        .all
        .location_sources
        .iter()
        .map(|s| (s.label.clone(), s.pence))
        .collect();
    assert_eq!(src["Council's supplier record"], 500_000);
    assert_eq!(src["Branch postcode on the council's record"], 280_000);
    assert_eq!(src["Not located"], 185_000);

    // Top 2.
    let t = &r.top_n;
    assert_eq!(
        (
            t.spend.analysed_pence,
            t.spend.outside_scope_pence,
            t.pounds.local_pence,
            t.pounds.leakage_pence
        ),
        (530_000, 435_000, 280_000, 250_000)
    );
    assert_eq!(
        t.top_suppliers
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        vec!["Beta Builders Ltd", "Delta Software plc"]
    );

    // Match rates (names, payments, pence).
    let m: HashMap<MatchMethod, (u64, u64, i64)> = r
        .match_rates
        .iter()
        .map(|m| (m.method, (m.names, m.payments, m.pence)))
        .collect();
    assert_eq!(m[&MatchMethod::SupplierId], (5, 6, 740_000));
    assert_eq!(m[&MatchMethod::ExactName], (2, 2, 130_000));
    assert_eq!(m[&MatchMethod::Fuzzy], (1, 1, 20_000));
    assert_eq!(m[&MatchMethod::Review], (1, 1, 10_000));
    assert_eq!(m[&MatchMethod::Unmatched], (4, 4, 160_000));
    assert_eq!(m[&MatchMethod::Redacted], (1, 1, 30_000));
    assert_eq!(r.review.len(), 1);
    assert_eq!(r.review[0].name, "Delta Software Solutions");
    assert_eq!(r.review[0].suggestions[0].1, "Delta Software plc");

    // Drill-down: sector → suppliers → payments.
    let ict = r.sector_suppliers("ICT", false);
    assert_eq!(
        ict.iter()
            .map(|(s, p)| (s.name.as_str(), *p))
            .collect::<Vec<_>>(),
        vec![
            ("Delta Software plc", 250_000),
            ("Zeta Unknown Ltd", 15_000),
            ("Delta Software Solutions", 10_000)
        ]
    );
    let beta = r.top_n.top_suppliers[0].unit;
    let lines = r.unit_payments(&pays, beta, Some("Building works"));
    assert_eq!(
        lines.iter().map(|l| l.amount_pence).collect::<Vec<_>>(),
        vec![300_000, -20_000]
    );

    // JSON shape the CLI prints.
    let j = r.to_json();
    for scope in ["all", "top_n"] {
        for k in ["total_pence", "excluded_pence", "analysed_pence"] {
            assert!(j[scope]["spend"][k].is_i64(), "{scope}.spend.{k}");
        }
        for k in [
            "local",
            "wider",
            "deprived_decile_1",
            "deprived_decile_1_2",
            "sme",
            "vcse",
            "public",
            "unknown_location",
        ] {
            assert!(j[scope]["shares"][k].is_f64(), "{scope}.shares.{k}");
        }
        for k in ["local_pence", "wider_pence", "leakage_pence"] {
            assert!(j[scope]["pounds"][k].is_i64(), "{scope}.pounds.{k}");
        }
        assert!(
            j[scope]["suppliers"]["analysed"].is_u64() && j[scope]["suppliers"]["located"].is_u64()
        );
        for k in ["by_sector", "by_ward", "opportunities"] {
            assert!(j[scope][k].is_array(), "{scope}.{k}");
        }
    }
}

/// A decision is remembered: accepting the suggestion links "Delta Software Solutions" to Delta, which
/// moves its £100 from unlocated to deprived decile 1 (Delta's site is in a decile-1 LSOA of K).
#[test]
fn decisions_change_the_figures() {
    let geo = fixture_geo();
    let mut body = fixture_body();
    body.decisions.insert(
        levers_spend::resolve::normalise_name("Delta Software Solutions"),
        levers_spend::resolve::Decision::Link(3),
    );
    let r = analyse(
        std::slice::from_ref(&body),
        &fixture_payments(),
        &geo,
        &opts(300),
    );
    assert!(r.review.is_empty());
    assert_eq!(r.all.pounds.unlocated_pence, 175_000);
    assert_eq!(r.all.pounds.deprived_decile_1_pence, 410_000);
    let m: HashMap<MatchMethod, u64> = r.match_rates.iter().map(|m| (m.method, m.names)).collect();
    assert_eq!(m[&MatchMethod::Decision], 1);
}

/// Two bodies: the spend-weighted share and the mean of the bodies' shares differ, as BRIEF §4.2
/// says they do for Greater Manchester. Body A is the fixture (local 4,300 / 9,650 = 44.56%); body B
/// pays £1,000 to Alpha only (local 100%). Weighted: 5,300 / 10,650 = 49.77%; mean: (44.56% + 100%) / 2
/// = 72.28%.
#[test]
fn several_bodies_are_averaged_both_ways() {
    let geo = fixture_geo();
    let a = fixture_body();
    let mut b = fixture_body();
    b.name = "Other body".into();
    let mut pays = fixture_payments();
    pays.push(PaymentText {
        row_id: 100,
        body: 1,
        amount_pence: 100_000,
        supplier_name: "Alpha Catering Ltd",
        supplier_id: "S1",
        expense_type: "Catering",
        ..PaymentText::default()
    });
    let r = analyse(&[a, b], &pays, &geo, &opts(300));
    let g = r.group.as_ref().unwrap();
    close(g.weighted_all.local, 5_300.0 / 10_650.0);
    close(g.mean_of_bodies_all.local, (4_300.0 / 9_650.0 + 1.0) / 2.0);
    assert_eq!(r.body_summaries.len(), 2);
    close(r.body_summaries[1].all.local, 1.0);
}

/// Baseline: change in points and pounds (L_t·S_t − L_0·S_0).
#[test]
fn change_against_a_baseline() {
    let geo = fixture_geo();
    let body = fixture_body();
    let cur = analyse(
        std::slice::from_ref(&body),
        &fixture_payments(),
        &geo,
        &opts(300),
    );
    let mut base_p = Payments::default();
    base_p.push(PaymentText {
        row_id: 1,
        amount_pence: 100_000,
        supplier_name: "Alpha Catering Ltd",
        supplier_id: "S1",
        expense_type: "Catering",
        ..PaymentText::default()
    });
    base_p.push(PaymentText {
        row_id: 2,
        amount_pence: 300_000,
        supplier_name: "Delta Software plc",
        supplier_id: "S4",
        expense_type: "ICT",
        ..PaymentText::default()
    });
    let base = analyse(std::slice::from_ref(&body), &base_p, &geo, &opts(300));
    let r: Report = cur.with_baseline(&base);
    let local = r
        .baseline
        .as_ref()
        .unwrap()
        .all
        .iter()
        .find(|c| c.key == "local")
        .unwrap()
        .clone();
    // Baseline: 1,000 local of 4,000 = 25%. Now 4,300 of 9,650 = 44.56%.
    close(local.baseline_share, 0.25);
    close(local.points, (4_300.0 / 9_650.0 - 0.25) * 100.0);
    assert_eq!(local.change_pence, 430_000 - 100_000);
}

fn shared_geo() -> Option<std::path::PathBuf> {
    let base = std::env::var("LEVERS_SHARED_DATA")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| {
            std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"))
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
        "NOT RUN: {} is missing; the real-postcode procurement test needs it",
        geo.display()
    );
    None
}

/// Real postcodes: Trafford as the local area, the ten Greater Manchester districts as the wider
/// area. Deciles known in advance from IMD 2019 File 1: M15 4AG is in E01006109 (decile 1, Old
/// Trafford), M15 4AD in E01006112 (decile 2), M23 9HB in E01006204 (decile 8, Timperley North);
/// M1 1AA is Manchester (E08000003) and PR0 2AA Preston (E07000123), from the NSPD extract.
/// Spend: 10,000 (M15 4AG) + 5,000 (M15 4AD) + 20,000 (M23 9HB) + 30,000 (M1 1AA) + 40,000 (PR0 2AA) +
/// 15,000 (no postcode) = 120,000. Local 35,000 (29.17%); wider 65,000 (54.17%); leakage 55,000;
/// decile 1 10,000 (8.33%); deciles 1–2 15,000 (12.5%); unlocated 15,000.
#[test]
fn real_postcodes_of_trafford_and_greater_manchester() {
    let Some(geo) = shared_geo() else { return };
    let mut b = GeoIndexBuilder::new();
    for f in [
        "postcodes/nspd_nov2025_pcd_lad_lancashire14_gm10.csv",
        "imd2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv",
        "geo_lookups/lsoa11_to_lsoa21_lad22_best_fit_EW_v2.csv",
        "postcodes/trafford_postcodes_onspd_feb2025.csv",
    ] {
        let bytes = std::fs::read(geo.join(f)).unwrap();
        let rep = read_geo(f, &bytes[..], |r| b.add(&r), |_| {}).unwrap();
        assert!(rep.reconciles(), "{f}");
    }
    let idx = b.build();
    let pcs = [
        ("T1", "M15 4AG", 10_000),
        ("T2", "M15 4AD", 5_000),
        ("T3", "M23 9HB", 20_000),
        ("M1", "M1 1AA", 30_000),
        ("P1", "PR0 2AA", 40_000),
        ("N1", "", 15_000),
    ];
    let mut body = BodyData {
        name: "Trafford".into(),
        ..BodyData::default()
    };
    let mut pays = Payments::default();
    for (i, (id, pc, pounds)) in pcs.iter().enumerate() {
        let r = rec(
            id,
            &format!("Supplier {id} Ltd"),
            (!pc.is_empty()).then_some(pc),
            &[],
            DeclaredType::Sme,
            None,
        );
        body.suppliers
            .push(SupplierInfo::build(i as i64, &r, None, None, true));
        pays.push(PaymentText {
            row_id: i as i64,
            amount_pence: pounds * 100,
            supplier_name: &r.name,
            supplier_id: id,
            expense_type: "Services",
            ..PaymentText::default()
        });
    }
    let gm: Vec<AreaCode> = (1..=10).map(|i| code(&format!("E080000{i:02}"))).collect();
    let o = AnalysisOptions::new(
        "2024/25",
        Area {
            name: "Trafford".into(),
            lads: vec![code("E08000009")],
        },
        Area {
            name: "Greater Manchester".into(),
            lads: gm,
        },
    );
    let r = analyse(&[body], &pays, &idx, &o);
    let p = &r.all.pounds;
    assert_eq!(r.all.spend.analysed_pence, 12_000_000);
    assert_eq!(
        (p.local_pence, p.wider_pence, p.leakage_pence),
        (3_500_000, 6_500_000, 5_500_000)
    );
    assert_eq!(
        (
            p.deprived_decile_1_pence,
            p.deprived_decile_1_2_pence,
            p.unlocated_pence
        ),
        (1_000_000, 1_500_000, 1_500_000)
    );
    close(r.all.shares.local, 35.0 / 120.0);
    close(r.all.shares.wider, 65.0 / 120.0);
    // Spend by ward: Old Trafford holds both deprived suppliers; all 21 Trafford wards are listed.
    assert_eq!(r.all.by_ward.len(), 21);
    let ot = r
        .all
        .by_ward
        .iter()
        .find(|w| w.code.as_str() == "E05015253")
        .unwrap();
    assert_eq!(
        (ot.name.as_deref(), ot.pence, ot.suppliers),
        (Some("Old Trafford"), 1_500_000, 2)
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// For any payments: total = excluded + net credit + analysed (+ outside the top N); local ≤ wider ≤
    /// analysed; wider + leakage = analysed; local + (wider − local) + leakage = analysed; every share
    /// in [0, 1]; SME + large + unknown size + individual/redacted = analysed; the top N is within all.
    #[test]
    fn the_books_balance(rows in prop::collection::vec((0usize..12, -50_000i64..500_000, 0usize..6, any::<bool>()), 0..60), top in 1usize..6) {
        let geo = fixture_geo();
        let body = fixture_body();
        let names = ["Alpha Catering Ltd", "Beta Builders Ltd", "Gamma Trust", "Delta Software plc", "Epsilon Care Ltd", "Saltmarsh Council", "Harbour IT Ltd", "Unknown One Ltd", "Unknown Two", "Testshire Fire Authority", "Alpha Catering", "REDACTED"];
        let types = ["Catering", "ICT", "Levies", "Pension contributions", "", "Building works"];
        let mut pays = Payments::default();
        for (i, (n, amt, t, with_id)) in rows.iter().enumerate() {
            let id = if *with_id && *n < 7 { format!("S{}", n + 1) } else { String::new() };
            pays.push(PaymentText { row_id: i as i64, amount_pence: *amt, supplier_name: names[*n], supplier_id: &id, expense_type: types[*t], redacted: *n == 11, ..PaymentText::default() });
        }
        let r = analyse(std::slice::from_ref(&body), &pays, &geo, &opts(top));
        let total: i64 = rows.iter().map(|r| r.1).sum();
        for sc in [&r.all, &r.top_n] {
            let s = sc.spend;
            let p = sc.pounds;
            prop_assert_eq!(s.total_pence, total);
            prop_assert_eq!(s.total_pence, s.excluded_pence + s.net_credit_pence + s.analysed_pence + s.outside_scope_pence);
            prop_assert!(s.net_credit_pence <= 0 && s.analysed_pence >= 0 && s.outside_scope_pence >= 0);
            prop_assert!(p.local_pence <= p.wider_pence && p.wider_pence <= s.analysed_pence);
            prop_assert_eq!(p.wider_pence + p.leakage_pence, s.analysed_pence);
            prop_assert_eq!(p.local_pence + p.wider_outside_local_pence + p.leakage_pence, s.analysed_pence);
            prop_assert_eq!(p.sme_pence + p.large_pence + p.unknown_size_pence + p.individual_redacted_pence, s.analysed_pence);
            prop_assert!(p.deprived_decile_1_pence <= p.deprived_decile_1_2_pence);
            for (_, _, v) in sc.shares.labelled() {
                prop_assert!((0.0..=1.0).contains(&v), "{v}");
            }
            prop_assert_eq!(sc.by_sector.iter().map(|x| x.analysed_pence).sum::<i64>(), s.analysed_pence);
            prop_assert_eq!(sc.by_band.iter().map(|x| x.pence).sum::<i64>(), s.analysed_pence);
        }
        prop_assert!(r.top_n.spend.analysed_pence <= r.all.spend.analysed_pence);
        prop_assert_eq!(r.exclusions.iter().map(|e| e.pence).sum::<i64>(), r.all.spend.excluded_pence);
        prop_assert_eq!(r.match_rates.iter().map(|m| m.pence).sum::<i64>(), total);
    }
}

/// Sectors by ProClass category: a payment the file gives a category is counted under it, one
/// without keeps its expense type, and the same payments with the expense-type basis ignore the
/// categories. Every payment is in exactly one sector either way.
#[test]
fn sectors_by_proclass_category_where_the_file_gives_one() {
    let geo = fixture_geo();
    let body = fixture_body();
    let mut pays = Payments::default();
    for (i, (id, name, pounds, et, red)) in PAYMENTS.iter().enumerate() {
        pays.push(PaymentText {
            row_id: i as i64 + 1,
            redacted: *red,
            amount_pence: pounds * 100,
            supplier_name: name,
            supplier_id: id,
            expense_type: et,
            category: if *et == "ICT" {
                "COMPUTERS : Software"
            } else {
                ""
            },
            ..PaymentText::default()
        });
    }
    let sectors = |basis: SectorBasis| {
        let mut o = opts(300);
        o.sector = basis;
        let r = analyse(std::slice::from_ref(&body), &pays, &geo, &o);
        r.all
            .by_sector
            .iter()
            .map(|s| (s.sector.clone(), s.analysed_pence))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let by_type = sectors(SectorBasis::ExpenseType);
    let by_class = sectors(SectorBasis::Proclass);
    assert_eq!(
        by_class.values().sum::<i64>(),
        by_type.values().sum::<i64>()
    );
    assert!(!by_class.contains_key("ICT"), "{by_class:?}");
    assert_eq!(by_class.get("COMPUTERS : Software"), by_type.get("ICT"));
    assert!(!by_type.contains_key("COMPUTERS : Software"));
    for (k, v) in &by_type {
        if k != "ICT" {
            assert_eq!(by_class.get(k), Some(v), "{k}");
        }
    }
}
