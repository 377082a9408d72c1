//! cargo-fuzz target for the Companies House and Charity Commission readers: any bytes must give a
//! reconciled report or an error, never a panic.
//!
//! Run: `cd crates/levers-spend/fuzz && cargo +nightly fuzz run registers -- -max_len=262144`

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut kept = 0u64;
    if let Ok(rep) =
        levers_spend::registers::read_register("fuzz.csv", data, |_| true, |_| kept += 1)
    {
        assert!(rep.balanced, "{rep:?}");
        assert_eq!(rep.kept, kept);
        let _ = rep.render_text();
    }
});
