//! Fuzz target: the indicator reader never panics on any bytes, and always reconciles.
#![no_main]

use levers_place::read_indicators;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut values = 0u64;
    if let Ok(report) = read_indicators("fuzz", data, |_| values += 1) {
        assert!(report.reconciles());
        assert_eq!(report.values, values);
    }
});
