//! Fuzz target: the unit cost and deflator readers never panic and a unit cost table always
//! reconciles (rows read = costs kept + rows without a code + rows rejected).
#![no_main]

use levers_appraisal::{Deflators, read_unit_costs};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((costs, report)) = read_unit_costs("fuzz.csv", data) {
        assert_eq!(costs.len() as u64, report.costs);
        assert_eq!(
            report.rows_read,
            report.costs + report.rows_without_code + report.rejected.len() as u64
        );
    }
    let _ = Deflators::from_csv("fuzz.csv", data);
});
