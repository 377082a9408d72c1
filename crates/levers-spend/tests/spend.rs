//! Integration tests for levers-spend: inline fixtures for every kind of mess, and the real council files
//! in `shared/data/spend/real` checked against an independent profile.

#[path = "spend/fixtures.rs"]
mod fixtures;
#[path = "spend/layouts.rs"]
mod layouts;
#[path = "spend/procurement.rs"]
mod procurement;
#[path = "spend/real.rs"]
mod real;
#[cfg(feature = "excel")]
#[path = "spend/xls.rs"]
mod xls;
#[cfg(feature = "excel")]
#[path = "spend/xlsx.rs"]
mod xlsx;

/// Without the `excel` feature a workbook is refused with a message saying how to proceed.
#[cfg(not(feature = "excel"))]
#[test]
fn spreadsheets_need_the_excel_feature() {
    let e = check(
        "june.xlsx",
        b"PK\x03\x04rest-of-a-zip",
        &CheckOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(e, levers_spend::SpendError::ExcelDisabled { .. }),
        "{e}"
    );
    assert!(e.to_string().contains("save it as CSV"));
}

use levers_spend::{CheckOptions, CheckReport, check};

/// Checks a fixture and asserts the reconciliation holds.
pub fn run(name: &str, bytes: &[u8]) -> CheckReport {
    run_with(name, bytes, &CheckOptions::default())
}

pub fn run_with(name: &str, bytes: &[u8], opts: &CheckOptions) -> CheckReport {
    let r = check(name, bytes, opts).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(
        r.reconciliation.balanced,
        "{name}: not balanced: {:?}",
        r.reconciliation
    );
    let c = &r.reconciliation;
    assert_eq!(
        c.records,
        c.preamble_records
            + c.header_records
            + c.kept
            + c.rejected
            + c.total_rows
            + c.blank_rows
            + c.note_rows
            + c.skipped_sheet_records,
        "{name}"
    );
    r
}
