//! The reading engine: header discovery, column profiling, row classification (kept, rejected, total,
//! blank, note), fused-field repair, statistics and reconciliation.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use levers_core::Money;

use crate::amount::{parse_amount, parse_amount_rounding};
use crate::date::{DateCell, DateOrder, numeric_day_month, parse_date};
use crate::encoding::{self, TextEncoding};
use crate::header::{Field, Mapping, header_score, map_header, normalise_header};
use crate::report::{
    CheckReport, FlaggedRow, GrandTotalCheck, NoteRow, Reconciliation, RejectedRow, RepairedRow,
    RowFlag, TotalKind, TotalRow, TransactionView,
};
use crate::source::{CsvSource, RawRow, RowSource, count_lines, detect_delimiter, is_blank};
use crate::{CheckOptions, SpendError};

/// Records searched for the header.
const HEADER_SCAN: usize = 60;
/// Data rows studied (date order, column shapes) before streaming.
const SAMPLE: usize = 2000;
/// Repair attempts before giving up on repairing (bounds time on files that are broken throughout).
const REPAIR_BUDGET: u32 = 5000;
/// Longest cell a fused-field split is tried on.
const MAX_SPLIT_CELL: usize = 256;

type Callback<'c> = dyn FnMut(&TransactionView<'_>) + 'c;

pub(crate) fn run(
    name: &str,
    bytes: &[u8],
    opts: &CheckOptions,
    identities: bool,
    on_tx: &mut Callback<'_>,
) -> Result<CheckReport, SpendError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(SpendError::Empty {
            file: name.to_string(),
        });
    }
    let mut acc = Acc::new(name, opts);
    acc.identities = identities;
    let is_xls = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    if is_xls || is_zip {
        read_spreadsheet(&mut acc, name, bytes, is_xls, on_tx)?;
    } else {
        let (enc, skip) = encoding::detect(bytes);
        let owned;
        let (text, field_enc): (&[u8], TextEncoding) = match enc {
            TextEncoding::Utf16Le | TextEncoding::Utf16Be => {
                owned = encoding::transcode_utf16(enc, &bytes[skip..]);
                (owned.as_bytes(), TextEncoding::Utf8)
            }
            _ => (&bytes[skip..], enc),
        };
        let head = &text[..text.len().min(8192)];
        if head.contains(&0) {
            return Err(SpendError::NotTabular {
                file: name.to_string(),
                why: "it holds binary data".into(),
            });
        }
        let delim = detect_delimiter(text);
        acc.rep.format = "csv";
        acc.rep.encoding = enc.name();
        acc.rep.delimiter = Some((delim as char).to_string());
        acc.rep.reconciliation.physical_lines = count_lines(text);
        let mut src = CsvSource::new(text, field_enc, delim);
        let used = process_table(&mut acc, &mut src, Some(delim as char), None, true, on_tx);
        acc.rep.mixed_encoding_fields = src.odd_fields;
        used?;
        // Lines spanned by records: every line that is not an empty line the reader passed over.
        acc.span_lines = acc
            .rep
            .reconciliation
            .physical_lines
            .saturating_sub(src.empty_lines());
    }
    Ok(acc.finish())
}

#[cfg(feature = "excel")]
fn read_spreadsheet(
    acc: &mut Acc<'_>,
    name: &str,
    bytes: &[u8],
    is_xls: bool,
    on_tx: &mut Callback<'_>,
) -> Result<(), SpendError> {
    let (names, sheets) = crate::source::read_workbook(name, bytes)?;
    acc.rep.format = if is_xls { "xls" } else { "xlsx" };
    acc.rep.encoding = TextEncoding::Spreadsheet.name();
    let mut any = false;
    let mut first_refusal: Option<SpendError> = None;
    let count = sheets.len();
    for (i, mut sheet) in sheets.into_iter().enumerate() {
        let sheet_name = names.get(i).cloned().unwrap_or_default();
        acc.last_line = 0;
        let before = acc.rep.reconciliation.clone();
        let used = match process_table(
            acc,
            &mut sheet,
            None,
            Some(sheet_name.clone()),
            false,
            on_tx,
        ) {
            Ok(used) => used,
            // A summary sheet or one without the needed columns, in a workbook with other sheets: skip it
            // (all its rows accounted as skipped) and say why if no sheet can be read.
            Err(e @ (SpendError::SupplierSummary { .. } | SpendError::MissingField { .. }))
                if count > 1 =>
            {
                let read_so_far = acc.rep.reconciliation.records - before.records;
                let mut rest = 0u64;
                let mut row = RawRow::default();
                while sheet.next_row(&mut row)? {
                    acc.count(&row);
                    rest += 1;
                }
                acc.rep.reconciliation = before;
                acc.rep.reconciliation.records += read_so_far + rest;
                acc.rep.reconciliation.skipped_sheet_records += read_so_far + rest;
                acc.rep
                    .warnings
                    .push(format!("sheet {sheet_name:?} skipped: {e}"));
                first_refusal.get_or_insert(e);
                false
            }
            Err(e) => return Err(e),
        };
        acc.sheet_lines += acc.last_line;
        if used {
            any = true;
            acc.rep.sheets.push(sheet_name);
        } else {
            acc.rep.skipped_sheets.push(sheet_name);
        }
    }
    acc.rep.reconciliation.physical_lines = acc.sheet_lines.max(acc.span_lines);
    if !any {
        if let Some(e) = first_refusal {
            return Err(e);
        }
        return Err(if count == 0 {
            SpendError::Empty {
                file: name.to_string(),
            }
        } else {
            SpendError::NoHeader {
                file: name.to_string(),
                scanned: HEADER_SCAN,
            }
        });
    }
    Ok(())
}

#[cfg(not(feature = "excel"))]
fn read_spreadsheet(
    _: &mut Acc<'_>,
    name: &str,
    _: &[u8],
    _: bool,
    _: &mut Callback<'_>,
) -> Result<(), SpendError> {
    Err(SpendError::ExcelDisabled {
        file: name.to_string(),
    })
}

/// An identity hasher for keys that are already hashes.
#[derive(Default)]
struct IdHasher(u64);
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
struct Fnv(u64);
impl Fnv {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn mix(&mut self, chunk: u64) {
        let h = (self.0 ^ chunk).wrapping_mul(Self::K);
        self.0 = h ^ (h >> 29);
    }
    fn add(&mut self, s: &[u8]) {
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
    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

struct PendingTotal {
    line: u64,
    label: String,
    stated: i128,
    all: i128,
    section: i128,
    kept_before: u64,
}

struct Acc<'o> {
    file: String,
    opts: &'o CheckOptions,
    rep: CheckReport,
    /// Distinct supplier names, each with whether it is a redaction label (worked out once per name).
    suppliers: HashMap<Box<str>, bool>,
    ids: HashMap<u64, u32, BuildHasherDefault<IdHasher>>,
    sum_all: i128,
    sum_neg: i128,
    sum_section: i128,
    span_lines: u64,
    /// Last physical line (spreadsheet row) seen in the current sheet, and the sum over sheets done.
    last_line: u64,
    #[cfg_attr(not(feature = "excel"), allow(dead_code))]
    sheet_lines: u64,
    tables: u32,
    /// Work out transaction identities (needs a hash per row); `check` alone does not.
    identities: bool,
    totals: Vec<PendingTotal>,
    repair_budget: u32,
}

impl<'o> Acc<'o> {
    fn new(file: &str, opts: &'o CheckOptions) -> Self {
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
        }
    }

    fn count(&mut self, row: &RawRow) {
        self.rep.reconciliation.records += 1;
        self.span_lines += row.lines;
        self.last_line = self.last_line.max((row.line + row.lines).saturating_sub(1));
    }

    fn reject(
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

    fn note(&mut self, line: u64, text: String) {
        self.rep.reconciliation.note_rows += 1;
        if self.rep.notes.len() < self.opts.max_listed {
            self.rep.notes.push(NoteRow {
                line,
                text: text.chars().take(200).collect(),
            });
        }
    }

    fn flag(&mut self, line: u64, flag: RowFlag, detail: String) {
        self.rep.flagged_count += 1;
        if self.rep.flagged.len() < self.opts.max_listed {
            self.rep.flagged.push(FlaggedRow { line, flag, detail });
        }
    }

    fn finish(mut self) -> CheckReport {
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

/// What a column holds, learned from the first rows; used only to choose between repairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Any,
    Blank,
    Digits,
    Amount,
    Date,
    Code,
}

struct Table {
    mapping: Mapping,
    header: Vec<String>,
    header_norm: Vec<String>,
    /// Columns up to the last named header (or the usual data width when that is wider).
    w_eff: usize,
    header_len: usize,
    order: DateOrder,
    shapes: Vec<Shape>,
    vocab: Vec<Option<HashSet<String>>>,
    /// Enough well-formed rows were seen to judge repairs; without them no row is repaired.
    can_repair: bool,
    delim: Option<char>,
    sheet: Option<String>,
    amount_col: usize,
    date_col: usize,
    supplier_col: usize,
    vat_col: Option<usize>,
    body_cols: [Option<usize>; 2],
    txn_col: Option<usize>,
}

fn cell(cells: &[String], i: usize) -> &str {
    cells.get(i).map_or("", |s| s.as_str())
}

fn width(cells: &[String]) -> usize {
    cells
        .iter()
        .rposition(|c| !is_blank(c))
        .map_or(0, |p| p + 1)
}

fn process_table(
    acc: &mut Acc<'_>,
    src: &mut dyn RowSource,
    delim: Option<char>,
    sheet: Option<String>,
    required: bool,
    on_tx: &mut Callback<'_>,
) -> Result<bool, SpendError> {
    let file = acc.file.clone();
    let mut row = RawRow::default();
    let mut head: Vec<RawRow> = Vec::new();
    while head.len() < HEADER_SCAN && src.next_row(&mut row).map_err(|e| with_file(e, &file))? {
        acc.count(&row);
        head.push(row.to_owned_row());
    }
    let best = head
        .iter()
        .enumerate()
        .map(|(i, r)| (header_score(r.cells(), &acc.opts.overrides), i))
        .filter(|(s, _)| *s >= 2)
        .max_by_key(|(s, i)| (*s, std::cmp::Reverse(*i)));
    let Some((_, hi)) = best else {
        // With --map given, say which named header is missing from the row that names the most of them.
        let found = |r: &RawRow, h: &str| {
            let want = normalise_header(h);
            r.cells()
                .iter()
                .any(|c| c.trim() == h.trim() || normalise_header(c) == want)
        };
        let best_override_row = head
            .iter()
            .map(|r| {
                (
                    acc.opts
                        .overrides
                        .iter()
                        .filter(|(_, h)| found(r, h))
                        .count(),
                    r,
                )
            })
            .filter(|(n, _)| *n > 0)
            .max_by_key(|(n, r)| (*n, std::cmp::Reverse(r.line)));
        if let Some((_, r)) = best_override_row
            && let Some((f, h)) = acc.opts.overrides.iter().find(|(_, h)| !found(r, h))
        {
            let headers = r
                .cells()
                .iter()
                .filter(|h| !h.trim().is_empty())
                .map(|h| format!("{:?}", h.trim()))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(SpendError::MapNotFound {
                file,
                line: r.line,
                field: *f,
                header: h.clone(),
                headers,
            });
        }
        if required {
            return Err(if head.iter().all(|r| r.is_blank()) {
                SpendError::Empty { file }
            } else {
                SpendError::NoHeader {
                    file,
                    scanned: HEADER_SCAN,
                }
            });
        }
        let mut skipped = head.len() as u64;
        while src.next_row(&mut row)? {
            acc.count(&row);
            skipped += 1;
        }
        acc.rep.reconciliation.skipped_sheet_records += skipped;
        return Ok(false);
    };
    let header_line = head[hi].line;
    let header: Vec<String> = head[hi].cells().to_vec();
    let (mapping, missing) = map_header(&header, &acc.opts.overrides);
    let headers_list = || {
        header
            .iter()
            .filter(|h| !h.trim().is_empty())
            .map(|h| format!("{:?}", h.trim()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some((f, h)) = missing.first() {
        return Err(SpendError::MapNotFound {
            file,
            line: header_line,
            field: *f,
            header: h.clone(),
            headers: headers_list(),
        });
    }
    acc.rep.reconciliation.preamble_records += hi as u64;
    acc.rep.reconciliation.header_records += 1;
    let mut sample: Vec<RawRow> = head.split_off(hi + 1);
    while sample.len() < SAMPLE && src.next_row(&mut row).map_err(|e| with_file(e, &file))? {
        acc.count(&row);
        sample.push(row.to_owned_row());
    }

    // Required fields, and refusing supplier summaries.
    let norm: Vec<String> = header.iter().map(|h| normalise_header(h)).collect();
    let summary_header = norm.iter().find(|h| crate::header::is_summary_header(h));
    let supplier_col = mapping.column(Field::SupplierName);
    if let Some(h) = summary_header
        && mapping.column(Field::TransactionNumber).is_none()
    {
        return Err(SpendError::SupplierSummary {
            file,
            why: format!(
                "the header on line {header_line} has a {h:?} column and no transaction number"
            ),
        });
    }
    let Some(date_col) = mapping.column(Field::Date) else {
        if let Some(sc) = supplier_col {
            let names: Vec<&str> = sample
                .iter()
                .map(|r| r.cell(sc).trim())
                .filter(|s| !s.is_empty())
                .collect();
            let distinct: HashSet<&str> = names.iter().copied().collect();
            if names.len() >= 3 && distinct.len() * 100 >= names.len() * 95 {
                return Err(SpendError::SupplierSummary {
                    file,
                    why: format!(
                        "there is no payment date column and each of the {} suppliers in the first {} rows appears once",
                        distinct.len(),
                        names.len()
                    ),
                });
            }
        }
        return Err(SpendError::MissingField {
            file,
            line: header_line,
            field: Field::Date,
            headers: headers_list(),
        });
    };
    let Some(supplier_col) = supplier_col else {
        return Err(SpendError::MissingField {
            file,
            line: header_line,
            field: Field::SupplierName,
            headers: headers_list(),
        });
    };
    let Some(amount_col) = mapping.column(Field::Amount) else {
        return Err(SpendError::MissingField {
            file,
            line: header_line,
            field: Field::Amount,
            headers: headers_list(),
        });
    };

    if acc.tables == 0 {
        acc.rep.header_row = header_line.saturating_sub(1);
        acc.rep.mapping = mapping.clone();
    } else if acc.rep.mapping.columns != mapping.columns {
        acc.rep.warnings.push(format!(
            "sheet {:?} has a different header from the first sheet; its own mapping was used",
            sheet.as_deref().unwrap_or("")
        ));
    }
    acc.tables += 1;

    let table = learn(
        mapping,
        header,
        norm,
        &sample,
        delim,
        sheet,
        amount_col,
        date_col,
        supplier_col,
    );
    if acc.tables == 1 {
        acc.rep.date_order = table.order;
    }
    for r in &sample {
        handle_row(acc, &table, r, on_tx);
    }
    drop(sample);
    while src.next_row(&mut row).map_err(|e| with_file(e, &file))? {
        acc.count(&row);
        handle_row(acc, &table, &row, on_tx);
    }
    Ok(true)
}

fn with_file(e: SpendError, file: &str) -> SpendError {
    match e {
        SpendError::Read { line, message, .. } => SpendError::Read {
            file: file.to_string(),
            line,
            message,
        },
        other => other,
    }
}

#[allow(clippy::too_many_arguments)]
fn learn(
    mapping: Mapping,
    header: Vec<String>,
    header_norm: Vec<String>,
    sample: &[RawRow],
    delim: Option<char>,
    sheet: Option<String>,
    amount_col: usize,
    date_col: usize,
    supplier_col: usize,
) -> Table {
    // Date order from the file's own dates.
    let (mut day_first, mut month_first) = (0u32, 0u32);
    for r in sample {
        if let Some((a, b)) = numeric_day_month(r.cell(date_col)) {
            if a > 12 {
                day_first += 1;
            }
            if b > 12 {
                month_first += 1;
            }
        }
    }
    let order = if month_first > 0 && day_first == 0 {
        DateOrder::MonthFirst
    } else {
        DateOrder::DayFirst
    };

    let header_w = width(&header);
    let mut widths: HashMap<usize, usize> = HashMap::new();
    for r in sample.iter().filter(|r| !r.is_blank()) {
        *widths.entry(width(r.cells())).or_default() += 1;
    }
    let non_blank = sample.iter().filter(|r| !r.is_blank()).count();
    let data_w = widths
        .iter()
        .max_by_key(|(w, n)| (**n, **w))
        .map_or(0, |(w, n)| if *n * 2 >= non_blank { *w } else { 0 });
    let w_eff = header_w.max(data_w);

    // Shapes are learned from rows of the usual raw length only, so fused or split rows don't teach them.
    let mut raw_lens: HashMap<usize, usize> = HashMap::new();
    for r in sample.iter().filter(|r| !r.is_blank()) {
        *raw_lens.entry(r.len).or_default() += 1;
    }
    let usual_len = raw_lens
        .iter()
        .max_by_key(|(l, n)| (**n, **l))
        .map_or(0, |(l, _)| *l);
    let clean: Vec<&RawRow> = sample
        .iter()
        .filter(|r| {
            !r.is_blank()
                && r.len == usual_len
                && width(r.cells()) <= w_eff
                && parse_amount(r.cell(amount_col)).is_ok()
        })
        .collect();
    let mut shapes = vec![Shape::Any; w_eff];
    let mut vocab: Vec<Option<HashSet<String>>> = vec![None; w_eff];
    for (c, shape) in shapes.iter_mut().enumerate() {
        let vals: Vec<&str> = clean
            .iter()
            .map(|r| r.cell(c).trim())
            .filter(|v| !v.is_empty())
            .collect();
        *shape = if vals.is_empty() {
            if clean.len() >= 20 {
                Shape::Blank
            } else {
                Shape::Any
            }
        } else if vals.iter().all(|v| v.bytes().all(|b| b.is_ascii_digit())) {
            Shape::Digits
        } else if vals.iter().all(|v| parse_amount(v).is_ok()) {
            Shape::Amount
        } else if vals.iter().all(|v| {
            matches!(
                parse_date(v, order),
                Ok(DateCell::Date(_) | DateCell::Various)
            )
        }) {
            Shape::Date
        } else if vals
            .iter()
            .all(|v| v.len() <= 40 && !v.contains(char::is_whitespace))
        {
            Shape::Code
        } else {
            Shape::Any
        };
        let distinct: HashSet<String> = vals.iter().map(|v| v.to_string()).collect();
        if !distinct.is_empty() && distinct.len() <= 300 && vals.len() >= 2 * distinct.len() {
            vocab[c] = Some(distinct);
        }
    }
    Table {
        vat_col: mapping.column(Field::IrrecoverableVat),
        body_cols: [mapping.column(Field::Body), mapping.column(Field::BodyName)],
        txn_col: mapping.column(Field::TransactionNumber),
        mapping,
        header_len: header.len(),
        header,
        header_norm,
        w_eff,
        order,
        can_repair: clean.len() >= 20,
        shapes,
        vocab,
        delim,
        sheet,
        amount_col,
        date_col,
        supplier_col,
    }
}

impl Table {
    /// Could these cells be a payment row? `Some(score)` (higher = more values seen before in their
    /// column) or `None`.
    fn plausible(&self, cells: &[String]) -> Option<i32> {
        // The amount and date columns must read even when the row is too short to reach them.
        let mut score = 0;
        for col in 0..cells.len().max(self.amount_col + 1).max(self.date_col + 1) {
            score += self.cell_score(col, cells.get(col).map_or("", |s| s.as_str()))?;
        }
        Some(score)
    }

    /// One cell read at a column: `None` if it cannot be there, else its vocabulary score.
    fn cell_score(&self, col: usize, v: &str) -> Option<i32> {
        let v = v.trim();
        if col == self.amount_col {
            parse_amount(v).ok()?;
        }
        if col == self.date_col {
            parse_date(v, self.order).ok()?;
        }
        if v.is_empty() {
            return Some(0);
        }
        let ok = match *self.shapes.get(col)? {
            Shape::Any => true,
            Shape::Blank => false,
            Shape::Digits => v.bytes().all(|b| b.is_ascii_digit()),
            Shape::Amount => parse_amount(v).is_ok(),
            Shape::Date => parse_date(v, self.order).is_ok(),
            Shape::Code => v.len() <= 40 && !v.contains(char::is_whitespace),
        };
        if !ok {
            return None;
        }
        Some(if self.vocab[col].as_ref().is_some_and(|s| s.contains(v)) {
            2
        } else {
            0
        })
    }

    fn as_is_ok(&self, cells: &[String]) -> bool {
        let a = cell(cells, self.amount_col);
        !is_blank(a)
            && parse_amount(a).is_ok()
            && parse_date(cell(cells, self.date_col), self.order).is_ok()
    }

    fn header_name(&self, i: usize) -> &str {
        self.header.get(i).map_or("", |h| h.trim())
    }
}

/// Picks the single best candidate, or explains why none could be chosen.
fn choose(mut cands: Vec<(i32, Vec<String>, String)>) -> Result<(Vec<String>, String), usize> {
    cands.sort_by_key(|c| std::cmp::Reverse(c.0));
    match cands.len() {
        0 => Err(0),
        1 => cands.pop().map(|(_, c, d)| (c, d)).ok_or(0),
        n => {
            if cands[0].0 > cands[1].0 {
                let (_, c, d) = cands.swap_remove(0);
                Ok((c, d))
            } else {
                Err(n)
            }
        }
    }
}

/// More non-blank fields than the header: an unquoted delimiter split a field. Join it back.
fn try_merge(
    t: &Table,
    cells: &[String],
    n: usize,
) -> Result<(Vec<String>, String), (usize, String)> {
    let w = t.w_eff;
    let k = n - w;
    let Some(d) = t.delim else {
        return Err((0, format!("the row has {n} cells where the header has {w}")));
    };
    if k > 4 {
        return Err((
            0,
            format!("the row has {n} fields where the header has {w}; too many to repair"),
        ));
    }
    let sep = d.to_string();
    let mut cands = Vec::new();
    for p in 0..w {
        if p + k >= n {
            break;
        }
        let mut cand: Vec<String> = Vec::with_capacity(n - k);
        cand.extend(cells[..p].iter().cloned());
        cand.push(cells[p..=p + k].join(&sep));
        cand.extend(cells[p + k + 1..n].iter().cloned());
        if let Some(s) = t.plausible(&cand) {
            let desc = format!(
                "{k} extra field(s) from an unquoted {sep:?} inside column {:?}: joined back as {:?}",
                t.header_name(p),
                cand[p]
            );
            cands.push((s, cand, desc));
        }
    }
    choose(cands).map_err(|ways| {
        let why = if ways == 0 {
            format!("the row has {n} fields where the header has {w} and no way of joining them back gives a valid row")
        } else {
            format!("the row has {n} fields where the header has {w} and they could be joined back {ways} ways; quote the field that holds a {sep:?} in the file")
        };
        (ways, why)
    })
}

/// Fewer fields than the header and the row does not read: a broken export fused two fields. Split one.
/// Each split is judged cell by cell (no row is built until the best one is chosen), so a broken row
/// costs O(columns² + characters × columns).
fn try_split(t: &Table, cells: &[String]) -> Result<(Vec<String>, String), String> {
    let n = cells.len();
    // ok[i][s]: cell i read at column i + s (s = 0 before the split, 1 after it).
    let at = |i: usize, col: usize| t.cell_score(col, cells[i].as_str());
    let before: Vec<Option<i32>> = (0..n).map(|i| at(i, i)).collect();
    let after: Vec<Option<i32>> = (0..n).map(|i| at(i, i + 1)).collect();
    // A column the row doesn't reach must be allowed to be blank (amount never is).
    let missing_ok = |from: usize| (from..t.w_eff.max(from)).all(|c| t.cell_score(c, "").is_some());
    let mut best: Vec<(i32, usize, usize)> = Vec::new();
    let mut prefix: Option<i32> = Some(0);
    for p in 0..n.min(t.w_eff) {
        let v = &cells[p];
        let suffix: Option<i32> = after[p + 1..]
            .iter()
            .try_fold(0, |acc, s| s.map(|s| acc + s));
        if let (Some(pre), Some(suf)) = (prefix, suffix)
            && v.len() <= MAX_SPLIT_CELL
            && missing_ok(n + 1)
        {
            let bounds = v
                .char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(v.len()));
            for b in bounds {
                let (l, r) = v.split_at(b);
                let (Some(ls), Some(rs)) = (
                    t.cell_score(p, l.trim_end()),
                    t.cell_score(p + 1, r.trim_start()),
                ) else {
                    continue;
                };
                let mut score = pre + suf + ls + rs;
                // Prefer splitting where the kind of character changes ("ACME LTD|265062").
                let class = |c: char| {
                    if c.is_ascii_digit() {
                        0
                    } else if c.is_alphabetic() {
                        1
                    } else {
                        2
                    }
                };
                if let (Some(a), Some(c)) = (l.chars().next_back(), r.chars().next())
                    && (class(a) != class(c) || a.is_whitespace() || c.is_whitespace())
                {
                    score += 1;
                }
                best.push((score, p, b));
            }
        }
        prefix = match (prefix, before[p]) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
    }
    best.sort_by_key(|c| std::cmp::Reverse(c.0));
    let ways = best.len();
    let chosen = match best.as_slice() {
        [] => None,
        [one] => Some(*one),
        [first, second, ..] if first.0 > second.0 => Some(*first),
        _ => None,
    };
    let Some((_, p, b)) = chosen else {
        return Err(if ways == 0 {
            format!(
                "the row has {} fields where the header has {} and no split of a fused field gives a valid row",
                width(cells),
                t.w_eff
            )
        } else {
            format!(
                "the row has {} fields where the header has {}: two fields look fused but could be split {ways} ways",
                width(cells),
                t.w_eff
            )
        });
    };
    let v = &cells[p];
    let (l, r) = v.split_at(b);
    let mut cand: Vec<String> = Vec::with_capacity(n + 1);
    cand.extend(cells[..p].iter().cloned());
    cand.push(l.trim_end().to_string());
    cand.push(r.trim_start().to_string());
    cand.extend(cells[p + 1..].iter().cloned());
    let desc = format!(
        "columns {:?} and {:?} were fused as {:?}: split into {:?} and {:?}",
        t.header_name(p),
        t.header_name(p + 1),
        v,
        l.trim_end(),
        r.trim_start()
    );
    Ok((cand, desc))
}

/// "Total", "Grand Total", "Sub-total", "Total for April" — not "Total Gas & Power Ltd".
fn total_label(s: &str) -> Option<String> {
    let n = normalise_header(s);
    let words: Vec<&str> = n.split(' ').collect();
    let first_two = (
        words.first().copied().unwrap_or(""),
        words.get(1).copied().unwrap_or(""),
    );
    let is_total = matches!(
        first_two,
        ("total" | "totals" | "subtotal" | "subtotals", "")
            | (
                "grand" | "sub" | "report" | "overall" | "net" | "file" | "period" | "monthly",
                "total" | "totals"
            )
            | (
                "total",
                "for" | "spend" | "expenditure" | "payments" | "amount" | "value" | "paid" | "of"
            )
            | ("sum", "" | "of")
    );
    is_total.then(|| s.trim().to_string())
}

/// Supplier labels that hide the name: "REDACTED UNDER DP ACT", "Redacted Personal Information", "Withheld".
pub(crate) fn is_redacted(s: &str) -> bool {
    let l = s.to_lowercase();
    const PARTS: [&str; 14] = [
        "redact",
        "withheld",
        "withhold",
        "personal data",
        "personal information",
        "personal details",
        "data protection",
        "dp act",
        "gdpr",
        "not disclosed",
        "non disclos",
        "undisclosed",
        "name removed",
        "details removed",
    ];
    if PARTS.iter().any(|p| l.contains(p)) {
        return true;
    }
    let t = l.trim();
    matches!(
        t,
        "individual"
            | "private individual"
            | "private"
            | "confidential"
            | "personal"
            | "anonymised"
            | "anonymous"
            | "sensitive"
    ) || (t.len() >= 3 && t.chars().all(|c| c == '*' || c == 'x'))
}

fn handle_row(acc: &mut Acc<'_>, t: &Table, row: &RawRow, on_tx: &mut Callback<'_>) {
    let raw = row.cells();
    if row.is_blank() {
        acc.rep.reconciliation.blank_rows += 1;
        return;
    }
    // A header repeated in the body (concatenated exports). Only looked for when the amount does not read.
    let raw_amount = parse_amount_rounding(cell(raw, t.amount_col));
    if raw_amount.is_err() {
        let mapped_same = t
            .mapping
            .columns
            .iter()
            .filter(|c| normalise_header(cell(raw, c.column)) == t.header_norm[c.column])
            .count();
        if mapped_same * 2 > t.mapping.columns.len() && mapped_same >= 2 {
            acc.note(row.line, "repeated header".into());
            return;
        }
    }

    let n = width(raw);
    let mut repaired: Option<(Vec<String>, String)> = None;
    if n > t.w_eff {
        if acc.repair_budget == 0 || !t.can_repair {
            acc.reject(
                row,
                &t.sheet,
                None,
                None,
                format!("the row has {n} fields where the header has {}", t.w_eff),
            );
            return;
        }
        acc.repair_budget -= 1;
        match try_merge(t, raw, n) {
            Ok(r) => repaired = Some(r),
            Err((ways, reason)) => {
                let trimmed: Vec<String> = raw[..t.w_eff.min(raw.len())].to_vec();
                if ways > 0 || !t.as_is_ok(&trimmed) || t.plausible(&trimmed).is_none() {
                    acc.reject(row, &t.sheet, None, None, reason);
                    return;
                }
                // The mapped columns read well; the extra cells are a stray unnamed column.
            }
        }
    } else if raw.len() < t.header_len
        && t.can_repair
        && acc.repair_budget > 0
        && (!t.as_is_ok(raw) || t.plausible(raw).is_none())
    {
        acc.repair_budget -= 1;
        match try_split(t, raw) {
            Ok(r) => repaired = Some(r),
            // Short, but its amount and date read: keep it as it is (some exports drop trailing empties).
            Err(_) if t.as_is_ok(raw) => {}
            Err(reason) => {
                let detail = field_problem(t, raw)
                    .map(|(_, m)| format!("; {m}"))
                    .unwrap_or_default();
                acc.reject(row, &t.sheet, None, None, format!("{reason}{detail}"));
                return;
            }
        }
    }
    let cells: &[String] = repaired.as_ref().map_or(raw, |r| r.0.as_slice());

    let amt_text = cell(cells, t.amount_col);
    let amt_parsed = if repaired.is_some() {
        parse_amount_rounding(amt_text)
    } else {
        raw_amount
    };
    let date_text = cell(cells, t.date_col);
    let date_parsed = parse_date(date_text, t.order);
    let date_is_date = matches!(date_parsed, Ok(DateCell::Date(_)));
    // Total rows carry no date, so labels are only looked for when there is none.
    let label = if date_is_date {
        None
    } else {
        cells
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != t.amount_col)
            .find_map(|(_, c)| total_label(c))
    };
    let only_amount = !is_blank(amt_text)
        && cells
            .iter()
            .enumerate()
            .all(|(i, c)| i == t.amount_col || is_blank(c));
    if (label.is_some() && !date_is_date) || only_amount {
        match &amt_parsed {
            Ok((m, _)) => {
                acc.rep.reconciliation.total_rows += 1;
                acc.totals.push(PendingTotal {
                    line: row.line,
                    label: label.unwrap_or_default(),
                    stated: i128::from(m.pence()),
                    all: acc.sum_all,
                    section: acc.sum_section,
                    kept_before: acc.rep.reconciliation.kept,
                });
                acc.sum_section = 0;
                return;
            }
            Err(_) if label.is_some() => {
                acc.note(
                    row.line,
                    cells
                        .iter()
                        .filter(|c| !is_blank(c))
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(" | "),
                );
                return;
            }
            Err(_) => {}
        }
    }

    let mut flags: Vec<RowFlag> = Vec::new();
    let amount = match amt_parsed {
        Ok((m, rounded)) => {
            if rounded {
                flags.push(RowFlag::RoundedToPenny);
                acc.flag(
                    row.line,
                    RowFlag::RoundedToPenny,
                    format!(
                        "amount {:?} has fractions of a penny: counted as {m}",
                        amt_text.trim()
                    ),
                );
            }
            m
        }
        Err(e) => {
            let non_blank = cells.iter().filter(|c| !is_blank(c)).count();
            let footer = !date_is_date
                && (non_blank == 1 || (non_blank == 2 && is_blank(cell(cells, t.supplier_col))));
            if footer {
                acc.note(
                    row.line,
                    cells
                        .iter()
                        .filter(|c| !is_blank(c))
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(" | "),
                );
                return;
            }
            let reason = format!("amount (column {:?}): {e}", t.header_name(t.amount_col));
            acc.reject(row, &t.sheet, Some(Field::Amount), Some(amt_text), reason);
            return;
        }
    };
    let date = match date_parsed {
        Ok(DateCell::Date(d)) => Some(d),
        Ok(DateCell::Various) => {
            flags.push(RowFlag::VariousDate);
            acc.flag(
                row.line,
                RowFlag::VariousDate,
                format!(
                    "date {:?}: an aggregated payment, kept without a date",
                    date_text.trim()
                ),
            );
            None
        }
        Ok(DateCell::Blank) => {
            flags.push(RowFlag::BlankDate);
            acc.flag(
                row.line,
                RowFlag::BlankDate,
                "date is blank: kept without a date".into(),
            );
            None
        }
        Err(e) => {
            let reason = format!("date (column {:?}): {e}", t.header_name(t.date_col));
            acc.reject(row, &t.sheet, Some(Field::Date), Some(date_text), reason);
            return;
        }
    };
    let vat = match t.vat_col.map(|c| cell(cells, c)) {
        Some(v) if !is_blank(v) => match parse_amount(v) {
            Ok(m) => Some(m),
            Err(e) => {
                flags.push(RowFlag::UnreadableVat);
                acc.flag(
                    row.line,
                    RowFlag::UnreadableVat,
                    format!("irrecoverable VAT: {e}"),
                );
                None
            }
        },
        _ => None,
    };
    if let Some((_, desc)) = &repaired {
        flags.push(RowFlag::Repaired);
        acc.flag(row.line, RowFlag::Repaired, desc.clone());
        if acc.rep.repaired.len() < acc.opts.max_listed {
            acc.rep.repaired.push(RepairedRow {
                line: row.line,
                description: desc.clone(),
            });
        }
    }
    let supplier = cell(cells, t.supplier_col).trim();
    let mut redacted = false;
    if supplier.is_empty() {
        flags.push(RowFlag::BlankSupplier);
        acc.rep.blank_supplier_rows += 1;
    } else {
        redacted = match acc.suppliers.get(supplier) {
            Some(r) => *r,
            None => {
                let r = is_redacted(supplier);
                acc.suppliers.insert(supplier.into(), r);
                r
            }
        };
        if redacted {
            acc.rep.redacted_rows += 1;
        }
    }

    // Statistics.
    let p = i128::from(amount.pence());
    acc.sum_all += p;
    acc.sum_section += p;
    if p < 0 {
        acc.rep.negatives += 1;
        acc.sum_neg += p;
    }
    acc.rep.rows += 1;
    acc.rep.reconciliation.kept += 1;
    if let Some(d) = date {
        let fy = levers_core::FinancialYear::of(d);
        if !acc.rep.financial_years.contains(&fy) {
            acc.rep.financial_years.push(fy);
            acc.rep.financial_years.sort();
        }
        if acc.rep.first_date.is_none_or(|f| d < f) {
            acc.rep.first_date = Some(d);
        }
        if acc.rep.last_date.is_none_or(|l| d > l) {
            acc.rep.last_date = Some(d);
        }
    }

    // Identity.
    let (id, occurrence) = if acc.identities {
        let mut h = Fnv::new();
        let body = t
            .body_cols
            .iter()
            .flatten()
            .map(|c| cell(cells, *c).trim())
            .find(|s| !s.is_empty());
        h.add(body.or(acc.opts.body.as_deref()).unwrap_or("").as_bytes());
        let txn = t.txn_col.map_or("", |c| cell(cells, c).trim());
        h.add(txn.as_bytes());
        match date {
            Some(d) => h.add(&[
                (d.year() >> 8) as u8,
                d.year() as u8,
                u8::from(d.month()),
                d.day(),
            ]),
            None => h.add(date_text.trim().as_bytes()),
        }
        h.add(&amount.pence().to_le_bytes());
        h.add(supplier.as_bytes());
        if txn.is_empty() {
            for c in &t.mapping.columns {
                if c.column != t.amount_col && c.column != t.date_col && c.column != t.supplier_col
                {
                    h.add(cell(cells, c.column).trim().as_bytes());
                }
            }
        }
        let id = h.finish();
        let occ = acc.ids.entry(id).or_insert(0);
        *occ += 1;
        (id, *occ)
    } else {
        (0, 0)
    };

    let view = TransactionView {
        line: row.line,
        sheet: t.sheet.as_deref(),
        date,
        amount,
        irrecoverable_vat: vat,
        supplier_name: supplier,
        redacted,
        flags: &flags,
        cells,
        mapping: &t.mapping,
        identity_hash: id,
        occurrence,
    };
    on_tx(&view);
}

/// The first mapped field that does not read, for explaining a broken row.
fn field_problem(t: &Table, cells: &[String]) -> Option<(Field, String)> {
    let a = cell(cells, t.amount_col);
    if let Err(e) = parse_amount(a) {
        return Some((
            Field::Amount,
            format!("amount (column {:?}): {e}", t.header_name(t.amount_col)),
        ));
    }
    if let Err(e) = parse_date(cell(cells, t.date_col), t.order) {
        return Some((
            Field::Date,
            format!("date (column {:?}): {e}", t.header_name(t.date_col)),
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn total_labels() {
        assert!(total_label("Total").is_some());
        assert!(total_label("GRAND TOTAL").is_some());
        assert!(total_label("Sub-total").is_some());
        assert!(total_label("Total for April 2024").is_some());
        assert!(total_label("TOTAL GAS & POWER LTD").is_none());
        assert!(total_label("Total Fitness").is_none());
        assert!(total_label("Devon County Council").is_none());
    }

    #[test]
    fn redaction_labels() {
        for r in [
            "REDACTED UNDER DP ACT",
            "Redacted",
            "Redacted Personal Information",
            "Personal Data Withheld",
            "*****",
            "Private Individual",
        ] {
            assert!(is_redacted(r), "{r}");
        }
        for n in [
            "INDIVIDUAL CARE SERVICES",
            "Individual Support Solutions Ltd",
            "ACME LTD",
            "Private Eye Ltd",
        ] {
            assert!(!is_redacted(n), "{n}");
        }
    }

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
