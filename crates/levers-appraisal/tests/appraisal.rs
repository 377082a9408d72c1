//! levers-appraisal against the real Unit Cost Database v1.4 in `../shared/data/appraisal`.

use std::path::PathBuf;

use levers_appraisal::{Deflators, ValueKind, read_unit_costs};

fn shared() -> Option<PathBuf> {
    let base = std::env::var("LEVERS_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")));
    let dir = base.join("appraisal");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(std::env::var("CI").map_or(true, |v| v != "true"), "CI=true but {} is missing", dir.display());
    eprintln!("NOT RUN: {} is missing; the Unit Cost Database tests need it", dir.display());
    None
}

/// Uprating every value of all 683 costs to 2015/16 with the workbook's own deflator table gives the
/// workbook's "2015/16" columns to the penny.
#[test]
fn uprating_reproduces_the_workbook_2015_16_columns() {
    let Some(dir) = shared() else { return };
    let (costs, report) = read_unit_costs("ucd", &std::fs::read(dir.join("gmca_unit_cost_database_v1_4.csv")).unwrap()).unwrap();
    assert_eq!(report.costs, 683);
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    let deflators = Deflators::from_csv("deflators", &std::fs::read(dir.join("gmca_ucd_v1_4_gdp_deflator_lookup.csv")).unwrap()).unwrap();
    let base = "2015/16".parse().unwrap();
    let mut checked = 0;
    for c in &costs {
        for kind in [ValueKind::Fiscal, ValueKind::Economic, ValueKind::Social] {
            let Some(v) = c.value(kind) else { continue };
            let Some(stated) = v.stated_2015_16 else { continue };
            let ours = deflators.uprate(v.amount, v.price_year, base).unwrap();
            assert_eq!((ours * 100.0).round(), (stated * 100.0).round(), "{} {kind:?}: {} at {} → {ours} vs {stated}", c.code, v.amount, v.price_year);
            checked += 1;
        }
    }
    // Every value the workbook gives a 2015/16 figure for: 779 values in all, less CR8.18.5 (a fiscal
    // value of 0 with no 2015/16 figure).
    assert_eq!(checked, 778);
    let cr1 = costs.iter().find(|c| c.code == "CR1.0").unwrap();
    assert_eq!(cr1.agency, "Police");
    let cr1_2015 = deflators.uprate(500.0, "2002/03".parse().unwrap(), base).unwrap();
    assert!((cr1_2015 - 673.231_218_315_559_5).abs() < 1e-6);
}

#[test]
fn a_table_in_the_wrong_layout_says_which_columns_it_lacks() {
    let err = read_unit_costs("mine.csv", b"code,desc\nX,Y\n").unwrap_err().to_string();
    assert!(err.contains("mine.csv") && err.contains("cost_code") && err.contains("fiscal_price_year"), "{err}");
}
