//! Fuzz target: the postcode parser never panics, and whatever it accepts round-trips through its
//! display form and its packed key.
#![no_main]

use levers_geo::Postcode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(p) = Postcode::parse(s) {
        assert_eq!(Postcode::parse(&p.to_string()).ok(), Some(p));
        assert_eq!(Postcode::from_key(p.key()), Some(p));
        assert!(p.compact().len() <= 7);
    }
});
