//! cargo-fuzz target for the guarded workbook reader: any bytes (as .xlsx, .xls or .ods) give sheets
//! within the limits or an error, never a panic, an abort or memory past the limits.
//!
//! Run: `cd crates/levers-xlsx/fuzz && cargo +nightly fuzz run read -- -rss_limit_mb=1024 -max_len=1048576`
//! (seed it with real workbooks: `../../../../shared/data/spend/real/*/` and the unit cost workbook).

#![no_main]

use levers_xlsx::read::{Limits, read};
use libfuzzer_sys::fuzz_target;

const LIMITS: Limits = Limits {
    max_file_bytes: 4 << 20,
    max_expanded_bytes: 64 << 20,
    max_rows: 100_000,
    max_cells: 1_000_000,
    max_columns: 512,
};

fuzz_target!(|data: &[u8]| {
    if let Ok(sheets) = read(data, &LIMITS) {
        let rows: usize = sheets.iter().map(|s| s.rows.len()).sum();
        assert!(rows as u64 <= LIMITS.max_rows);
        for s in &sheets {
            for r in &s.rows {
                assert!(r.cells.windows(2).all(|w| w[0].0 < w[1].0));
                assert!(r.cells.iter().all(|(c, _)| *c < LIMITS.max_columns));
            }
        }
    }
});
