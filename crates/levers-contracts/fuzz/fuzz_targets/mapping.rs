//! cargo-fuzz target for an edited CPV → NACE mapping table: any text must give a table or an
//! error naming the line, never a panic.
//!
//! Run: `cd crates/levers-contracts/fuzz && cargo +nightly fuzz run mapping`

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(m) = levers_contracts::mapping::Mapping::parse(text)
    {
        let _ = m.divisions(&["45000000".to_string(), "85311000".to_string()]);
    }
});
