//! cargo-fuzz target for the contract register reader: any bytes must give a reconciled report or
//! an error, never a panic.
//!
//! Run: `cd crates/levers-contracts/fuzz && cargo +nightly fuzz run register -- -max_len=65536`

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut kept = 0u64;
    if let Ok(rep) =
        levers_contracts::register::read_register("fuzz.csv", data, "Fuzz", &mut |_| kept += 1)
    {
        assert!(rep.balanced(), "{rep:?}");
        assert_eq!(rep.kept, kept);
    }
});
