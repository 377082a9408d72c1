//! cargo-fuzz target reaching past the zip layer: the fuzz bytes become a sheet's XML inside a valid
//! .xlsx (deflated), and an .ods's tables, so calamine's XML reading and the repeat check are exercised
//! directly. Errors are fine; panics, aborts and memory past the limits are not.
//!
//! Run: `cd crates/levers-xlsx/fuzz && cargo +nightly fuzz run sheet_xml -- -rss_limit_mb=1024`

#![no_main]

use levers_xlsx::read::crafted::{ods, xlsx};
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
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = read(&xlsx(&[("S", text)], true), &LIMITS);
    let _ = read(&ods(text), &LIMITS);
});
