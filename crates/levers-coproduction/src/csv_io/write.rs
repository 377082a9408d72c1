//! Writing the register as CSV in the layout `read_register` reads, with text a spreadsheet would
//! run as a formula guarded.

use crate::register::{RegisterEntry, iso, join_list};

use super::COLUMNS;
use super::text::formula_like;

/// Puts `'` before text a spreadsheet would treat as a formula.
fn guard(s: &str) -> String {
    if formula_like(s) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// Writes the register in the layout [`read_register`] reads.
pub fn write_register(entries: &[RegisterEntry]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let _ = w.write_record(COLUMNS.iter().map(|(c, _)| *c));
    for e in entries {
        let a = &e.activity;
        let base = [
            guard(&a.reference),
            guard(&a.service),
            guard(&a.directorate),
            a.annual_value.to_plain(),
            a.value_band().name().to_string(),
            a.current_stage.name().to_string(),
            guard(a.procurement_ref.as_deref().unwrap_or("")),
            guard(&join_list(&a.objectives)),
            iso(a.started_on),
        ];
        if e.involvements.is_empty() {
            let _ = w.write_record(
                base.iter()
                    .map(String::as_str)
                    .chain(std::iter::repeat_n("", COLUMNS.len() - base.len())),
            );
        }
        for i in &e.involvements {
            let inv = [
                i.stage.name().to_string(),
                i.rung.name().to_string(),
                i.lead.name().to_string(),
                iso(i.held_on),
                guard(&join_list(&i.methods)),
                guard(&join_list(&i.groups)),
                if i.lived_experience { "yes" } else { "no" }.to_string(),
                i.headcount.to_string(),
                i.hours.to_string(),
                guard(&i.decisions),
                guard(&i.you_said_we_did),
            ];
            let _ = w.write_record(base.iter().chain(inv.iter()).map(String::as_str));
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
