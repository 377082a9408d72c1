//! Fuzz target: the register CSV reader never panics on any bytes, always reconciles, and whatever it
//! keeps writes back out and reads again to the same register.
#![no_main]

use levers_coproduction::csv_io::{read_register, write_register};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(file) = read_register("fuzz.csv", data) {
        assert!(file.reconciliation.reconciles());
        let text = write_register(&file.entries);
        let back = read_register("again.csv", text.as_bytes()).expect("our own export reads");
        assert!(back.errors.is_empty(), "{:?}", back.errors);
        assert_eq!(back.entries, file.entries);
    }
});
