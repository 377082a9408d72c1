//! Fuzz target: the Unit Cost Database workbook readers (costs and deflators, through levers-xlsx's
//! guarded reader) never panic or abort, and a table read always reconciles.
#![no_main]

use levers_appraisal::{Deflators, read_unit_costs_xlsx};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((costs, report)) = read_unit_costs_xlsx("fuzz.xlsx", data) {
        assert_eq!(costs.len() as u64, report.costs);
        assert_eq!(
            report.rows_read,
            report.costs + report.rows_without_code + report.rejected.len() as u64
        );
    }
    let _ = Deflators::from_xlsx("fuzz.xlsx", data);
});
