//! An XLS (BIFF8) workbook, `data/june.xls`, written by `data/make_xls.py` with xlwt: title rows, a notes
//! sheet, real Excel dates, float amounts (0.1 + 0.2), a cp1252-range letter, VARIOUS and a total row.

use levers_spend::{CheckOptions, RowFlag, check, transactions};

const JUNE: &[u8] = include_bytes!("data/june.xls");

#[test]
fn xls_is_read_like_a_csv() {
    let r = check("june.xls", JUNE, &CheckOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.format, "xls");
    assert_eq!(r.sheets, ["June 2024"]);
    assert_eq!(r.skipped_sheets, ["Notes"]);
    assert_eq!(r.header_row, 2);
    assert_eq!(r.rows, 4);
    assert_eq!(r.total.pence(), 123_456 + 30 - 9_950 + 50_000);
    assert_eq!(r.negatives, 1);
    assert_eq!(r.redacted_rows, 1);
    assert!(
        r.grand_total
            .as_ref()
            .is_some_and(|g| g.matched && g.line == 8),
        "{:?}",
        r.totals
    );
    assert!(r.reconciliation.balanced, "{:?}", r.reconciliation);
    let (txs, _) = transactions("june.xls", JUNE, &CheckOptions::default()).unwrap();
    assert_eq!(
        txs[0].date.map(|d| d.to_string()),
        Some("2024-06-03".into())
    );
    assert_eq!(txs[0].supplier_id.as_deref(), Some("265062"));
    assert_eq!(txs[2].supplier_name, "CAFÉ NERO");
    assert!(txs[3].flags.contains(&RowFlag::VariousDate));
    assert_eq!(txs[3].line, 7);
}

#[test]
fn truncated_xls_is_an_error_not_a_panic() {
    for cut in [8, 512, JUNE.len() / 2, JUNE.len() - 1] {
        let _ = check("cut.xls", &JUNE[..cut], &CheckOptions::default());
    }
}

/// Found by the fuzzer: a mutated XLS of 6 KB whose records claim a sheet of billions of cells made
/// calamine try to reserve gigabytes. It is now refused before calamine reads it.
#[test]
fn xls_claiming_a_huge_sheet_is_refused() {
    let mut bad = JUNE.to_vec();
    // Find the June sheet's DIMENSIONS record (type 0x0200, length 14) and claim 4 billion rows.
    let at = bad
        .windows(4)
        .rposition(|w| w == [0x00, 0x02, 0x0E, 0x00])
        .expect("dimensions record");
    bad[at + 8..at + 12].copy_from_slice(&u32::MAX.to_le_bytes());
    let e = check("huge.xls", &bad, &CheckOptions::default()).unwrap_err();
    assert!(e.to_string().contains("more than levers reads"), "{e}");
    // The real file passes the same check.
    assert!(check("june.xls", JUNE, &CheckOptions::default()).is_ok());
}

/// Two 6 KB files the fuzzer made from `june.xls` on which calamine reserved gigabytes (header sizes
/// and sector chains it trusts). Both are refused up front now.
#[test]
fn fuzzer_found_xls_files_are_refused_quickly() {
    for (name, bytes) in [
        ("fuzz_oom_1.xls", &include_bytes!("data/fuzz_oom_1.xls")[..]),
        ("fuzz_oom_2.xls", &include_bytes!("data/fuzz_oom_2.xls")[..]),
    ] {
        let e = check(name, bytes, &CheckOptions::default()).unwrap_err();
        assert!(e.to_string().starts_with(name), "{e}");
    }
}
