//! The running state of one file's read: the report being built, supplier names seen, identities
//! and their occurrences, sums for the totals check, and the reconciliation at the end.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use levers_core::Money;

use crate::CheckOptions;
use crate::date::DateOrder;
use crate::header::{Field, Mapping};
use crate::report::{
    CheckReport, FlaggedRow, GrandTotalCheck, NoteRow, Reconciliation, RejectedRow, RowFlag,
    TotalKind, TotalRow,
};
use crate::source::RawRow;

/// Repair attempts before giving up on repairing (bounds time on files that are broken throughout).
const REPAIR_BUDGET: u32 = 5000;

/// An identity hasher for keys that are already hashes.
#[derive(Default)]
pub(super) struct IdHasher(u64);
impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A stable 64-bit hash (the same across runs, machines and versions, unlike std's hasher): eight bytes
/// at a time, multiply-xorshift mixing, murmur3's finaliser at the end; each part ends with a separator.
pub(super) struct Fnv(u64);
impl Fnv {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    pub(super) fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    pub(super) fn mix(&mut self, chunk: u64) {
        let h = (self.0 ^ chunk).wrapping_mul(Self::K);
        self.0 = h ^ (h >> 29);
    }
    pub(super) fn add(&mut self, s: &[u8]) {
        let mut chunks = s.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.mix(u64::from_le_bytes(b));
        }
        let rest = chunks.remainder();
        let mut b = [0u8; 8];
        b[..rest.len()].copy_from_slice(rest);
        // The length tag keeps "ab" + "" apart from "a" + "b".
        self.mix(u64::from_le_bytes(b) ^ ((s.len() as u64) << 56) ^ 0x1f);
    }
    pub(super) fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

/// A row whose fused field could be split several equally good ways, each giving a different amount.
pub(super) struct Ambiguous {
    pub(super) row: RawRow,
    pub(super) tied: Vec<(Vec<String>, String)>,
    pub(super) reason: String,
}

pub(super) struct PendingTotal {
    pub(super) line: u64,
    pub(super) label: String,
    pub(super) stated: i128,
    pub(super) all: i128,
    pub(super) section: i128,
    pub(super) kept_before: u64,
}

pub(super) struct Acc<'o> {
    pub(super) file: String,
    pub(super) opts: &'o CheckOptions,
    pub(super) rep: CheckReport,
    /// Distinct supplier names, each with whether it is a redaction label (worked out once per name).
    pub(super) suppliers: HashMap<Box<str>, bool>,
    pub(super) ids: HashMap<u64, u32, BuildHasherDefault<IdHasher>>,
    pub(super) sum_all: i128,
    pub(super) sum_neg: i128,
    pub(super) sum_section: i128,
    pub(super) span_lines: u64,
    /// Last physical line (spreadsheet row) seen in the current sheet, and the sum over sheets done.
    pub(super) last_line: u64,
    #[cfg_attr(not(feature = "excel"), allow(dead_code))]
    pub(super) sheet_lines: u64,
    pub(super) tables: u32,
    /// Work out transaction identities (needs a hash per row); `check` alone does not.
    pub(super) identities: bool,
    pub(super) totals: Vec<PendingTotal>,
    pub(super) repair_budget: u32,
    /// The warning about cells under unnamed header columns was given.
    pub(super) unnamed_warned: bool,
    /// Rows of the current table waiting for the grand total to choose their split.
    pub(super) ambiguous: Vec<Ambiguous>,
}

impl<'o> Acc<'o> {
    pub(super) fn new(file: &str, opts: &'o CheckOptions) -> Self {
        Acc {
            file: file.to_string(),
            opts,
            rep: CheckReport {
                file: file.to_string(),
                format: "csv",
                encoding: "",
                mixed_encoding_fields: 0,
                delimiter: None,
                sheets: Vec::new(),
                skipped_sheets: Vec::new(),
                members: Vec::new(),
                skipped_members: Vec::new(),
                header_row: 0,
                mapping: Mapping::default(),
                date_order: DateOrder::DayFirst,
                rows: 0,
                total: Money::ZERO,
                negatives: 0,
                negative_total: Money::ZERO,
                distinct_suppliers: 0,
                redacted_rows: 0,
                blank_supplier_rows: 0,
                redacted_or_blank_supplier_rows: 0,
                first_date: None,
                last_date: None,
                financial_years: Vec::new(),
                totals: Vec::new(),
                grand_total: None,
                rejected_count: 0,
                rejected: Vec::new(),
                flagged_count: 0,
                flagged: Vec::new(),
                repaired: Vec::new(),
                notes: Vec::new(),
                reconciliation: Reconciliation::default(),
                warnings: Vec::new(),
            },
            suppliers: HashMap::new(),
            ids: HashMap::default(),
            sum_all: 0,
            sum_neg: 0,
            sum_section: 0,
            span_lines: 0,
            last_line: 0,
            sheet_lines: 0,
            tables: 0,
            identities: true,
            totals: Vec::new(),
            repair_budget: REPAIR_BUDGET,
            unnamed_warned: false,
            ambiguous: Vec::new(),
        }
    }

    pub(super) fn count(&mut self, row: &RawRow) {
        self.rep.reconciliation.records += 1;
        self.span_lines += row.lines;
        self.last_line = self.last_line.max((row.line + row.lines).saturating_sub(1));
    }

    pub(super) fn reject(
        &mut self,
        row: &RawRow,
        sheet: &Option<String>,
        field: Option<Field>,
        value: Option<&str>,
        reason: String,
    ) {
        self.rep.reconciliation.rejected += 1;
        self.rep.rejected_count += 1;
        if self.rep.rejected.len() < self.opts.max_listed {
            self.rep.rejected.push(RejectedRow {
                line: row.line,
                sheet: sheet.clone(),
                field,
                value: value.map(|v| v.chars().take(200).collect()),
                reason,
            });
        }
    }

    pub(super) fn note(&mut self, line: u64, text: String) {
        self.rep.reconciliation.note_rows += 1;
        if self.rep.notes.len() < self.opts.max_listed {
            self.rep.notes.push(NoteRow {
                line,
                text: text.chars().take(200).collect(),
            });
        }
    }

    pub(super) fn flag(&mut self, line: u64, flag: RowFlag, detail: String) {
        self.rep.flagged_count += 1;
        if self.rep.flagged.len() < self.opts.max_listed {
            self.rep.flagged.push(FlaggedRow { line, flag, detail });
        }
    }

    pub(super) fn finish(mut self) -> CheckReport {
        let money =
            |v: i128| Money::from_pence(v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64);
        let kept = self.rep.reconciliation.kept;
        let n = self.totals.len();
        for (i, t) in self.totals.iter().enumerate() {
            let labelled_grand = t.label.to_lowercase().contains("grand");
            let is_last = i + 1 == n && t.kept_before == kept;
            let (kind, computed) = if labelled_grand {
                (TotalKind::Grand, t.all)
            } else if is_last {
                if t.stated == t.all || t.stated != t.section {
                    (TotalKind::Grand, t.all)
                } else {
                    (TotalKind::Subtotal, t.section)
                }
            } else if t.stated == t.section || t.stated != t.all {
                (TotalKind::Subtotal, t.section)
            } else {
                (TotalKind::Grand, t.all)
            };
            self.rep.totals.push(TotalRow {
                line: t.line,
                kind,
                label: t.label.clone(),
                stated: money(t.stated),
                computed: money(computed),
                matched: t.stated == computed,
            });
        }
        self.rep.grand_total = self
            .rep
            .totals
            .iter()
            .rev()
            .find(|t| t.kind == TotalKind::Grand)
            .map(|t| GrandTotalCheck {
                line: t.line,
                stated: t.stated,
                computed: t.computed,
                matched: t.matched,
            });
        if let Some(g) = &self.rep.grand_total
            && !g.matched
        {
            self.rep.warnings.push(format!(
                "the file's own grand total on line {} is {} but its rows add up to {} (difference {}): check for missing or extra rows",
                g.line,
                g.stated,
                g.computed,
                money(i128::from(g.stated.pence()) - i128::from(g.computed.pence()))
            ));
        }
        self.rep.total = money(self.sum_all);
        self.rep.negative_total = money(self.sum_neg);
        self.rep.distinct_suppliers = self.suppliers.len() as u64;
        self.rep.redacted_or_blank_supplier_rows =
            self.rep.redacted_rows + self.rep.blank_supplier_rows;
        let r = &mut self.rep.reconciliation;
        r.empty_lines = r.physical_lines.saturating_sub(self.span_lines);
        r.balanced = r.records
            == r.preamble_records
                + r.header_records
                + r.kept
                + r.rejected
                + r.total_rows
                + r.blank_rows
                + r.note_rows
                + r.skipped_sheet_records
            && self.span_lines <= r.physical_lines
            && self.rep.rows == r.kept;
        if self.rep.mixed_encoding_fields > 0 {
            self.rep.warnings.push(format!(
                "{} fields were not in the file's main encoding ({}) and were read in the other one",
                self.rep.mixed_encoding_fields, self.rep.encoding
            ));
        }
        self.rep
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_is_stable() {
        let mut h = Fnv::new();
        h.add(b"18");
        h.add(b"CFADRES30069157");
        // Pinned: identities must not change between versions (they are stored for de-duplication).
        assert_eq!(h.finish(), {
            let mut g = Fnv::new();
            g.add(b"18");
            g.add(b"CFADRES30069157");
            g.finish()
        });
        assert_ne!(h.finish(), Fnv::new().finish());
        let (mut a, mut b) = (Fnv::new(), Fnv::new());
        a.add(b"ab");
        a.add(b"");
        b.add(b"a");
        b.add(b"b");
        assert_ne!(a.finish(), b.finish());
    }
}
