//! cargo-fuzz target for the supplier master file reader: any bytes must give suppliers and a report
//! that reconciles, or an error, never a panic; every kept postcode must read back as a postcode.
//!
//! Run: `cd crates/levers-spend/fuzz && cargo +nightly fuzz run suppliers -- -max_len=262144`

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((recs, rep)) = levers_spend::suppliers::read_suppliers("fuzz.csv", data, &[]) {
        assert!(rep.balanced, "{rep:?}");
        assert_eq!(rep.kept as usize, recs.len());
        for r in &recs {
            assert!(!r.name.is_empty());
            for p in r.postcode.iter().chain(&r.branch_postcodes) {
                assert!(levers_geo::Postcode::parse(p).is_ok(), "{p}");
            }
        }
        let _ = rep.render_text();
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = levers_spend::suppliers::DeclaredType::parse(s);
        let _ = levers_spend::suppliers::normalise_company_number(s);
        let _ = levers_spend::suppliers::normalise_charity_number(s);
        let _ = levers_spend::suppliers::normalise_vat_number(s);
        let n = levers_spend::resolve::normalise_name(s);
        assert_eq!(
            levers_spend::resolve::normalise_name(&n),
            n,
            "normalising is idempotent"
        );
    }
});
