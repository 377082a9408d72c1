//! Fuzz target: the Pabulib reader (lenient and strict), writer and verify must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let report = levers_pb::check(text, levers_pb::Mode::Strict);
        if let Some(e) = report.election {
            let _ = levers_pb::verify(&e);
            let again = levers_pb::write(&e);
            let _ = levers_pb::read(&again);
        }
        let _ = levers_pb::read(text);
    }
});
