//! cargo-fuzz target for the LM3 survey reader: any bytes must give a reconciled report with a finite
//! multiplier of at least 1, or an error, never a panic.
//!
//! Run: `cd crates/levers-spend/fuzz && cargo +nightly fuzz run lm3 -- -max_len=65536`

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(rep) = levers_spend::lm3::lm3_from_survey("fuzz.csv", data) {
        assert!(rep.balanced, "{rep:?}");
        assert!(
            rep.lm3.lm3.is_finite() && rep.lm3.lm3 >= 1.0,
            "{}",
            rep.lm3.lm3
        );
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = levers_spend::lm3::parse_share(s);
    }
});
