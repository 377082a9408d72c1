//! Fuzz target: file-kind detection and the streaming reader never panic on any bytes, always
//! reconcile, and every record they produce survives the block encoding.
#![no_main]

use levers_geo::block::{decode_block, encode_block};
use levers_geo::read_geo;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut records = Vec::new();
    if let Ok(report) = read_geo("fuzz", data, |r| records.push(r), |_| {}) {
        assert!(report.reconciles());
        let bytes = encode_block(&records);
        let mut back = Vec::new();
        decode_block(&bytes, |r| back.push(r)).expect("our own blocks decode");
        assert_eq!(back.len(), records.len());
    }
    let _ = decode_block(data, |_| {});
});
