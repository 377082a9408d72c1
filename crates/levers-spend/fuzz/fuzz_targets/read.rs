//! cargo-fuzz target for the whole reader: any bytes, as CSV or spreadsheet, must give a report or an
//! error, never a panic, and every report must reconcile.
//!
//! Run: `cd crates/levers-spend/fuzz && cargo +nightly fuzz run read -- -rss_limit_mb=2048 -max_len=1048576`
//! (seed it with the real files: `cargo +nightly fuzz run read ../../../../shared/data/spend/real/*/`).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = levers_spend::CheckOptions::default();
    let mut kept = 0u64;
    let result = levers_spend::read_transactions("fuzz.csv", data, &opts, |t| {
        kept += 1;
        let owned = t.to_owned();
        assert_eq!(owned.amount, t.amount);
        assert!(!t.identity().is_empty());
    });
    if let Ok(report) = result {
        assert!(
            report.reconciliation.balanced,
            "{:?}",
            report.reconciliation
        );
        assert_eq!(report.rows, kept);
        let _ = report.render_text();
    }
    // The field parsers on their own, on the same bytes as text.
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = levers_spend::parse_amount(s);
        let _ = levers_spend::parse_date(s, levers_spend::DateOrder::DayFirst);
        let _ = levers_spend::normalise_header(s);
    }
});
