//! The reading engine: finding each table's header and the sources (CSV text, workbook sheets) it is
//! read from. The parts: `acc` (the running report and identities), `table` (what a table's columns
//! hold), `repair` (fused and split rows), `row` (one row classified, cleaned and handed over).

mod acc;
mod ambiguous;
mod content;
mod layout;
mod repair;
mod row;
mod table;

use crate::encoding::{self, TextEncoding};
use crate::header::{header_score, normalise_header};
use crate::report::{CheckReport, TransactionView};
use crate::source::{CsvSource, RawRow, RowSource, count_lines, detect_delimiter};
use crate::{CheckOptions, SpendError};
use acc::Acc;
use ambiguous::resolve_ambiguous;
use layout::{build_table, find_header, headers_list, is_new_header};
use row::handle_row;

/// Records searched for the header.
const HEADER_SCAN: usize = 60;
/// Data rows studied (date order, column shapes) before streaming.
const SAMPLE: usize = 2000;

pub(crate) type Callback<'c> = dyn FnMut(&TransactionView<'_>) + 'c;

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
    if is_archive(bytes) {
        read_archive(&mut acc, name, bytes, on_tx)?;
    } else {
        read_one(&mut acc, name, bytes, None, on_tx)?;
    }
    let rep = acc.finish();
    // A listing of which no row could be read is an error, not an empty success.
    if rep.rows == 0
        && rep.rejected_count > 0
        && let Some(first) = rep.rejected.first()
    {
        return Err(SpendError::AllRejected {
            file: name.to_string(),
            rejected: rep.rejected_count,
            line: first.line,
            reason: first.reason.clone(),
        });
    }
    Ok(rep)
}

/// A zip that is not a workbook: a folder of spending files zipped.
#[cfg(feature = "excel")]
fn is_archive(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
        && crate::zipped::kind(bytes) == crate::zipped::ZipKind::Archive
}

#[cfg(not(feature = "excel"))]
fn is_archive(_: &[u8]) -> bool {
    false
}

/// Reads each spreadsheet and CSV inside a zip archive as if they were one file, each member's rows
/// located by its name. A member that holds no payments (a readme, a summary) is skipped and said so
/// when others do; with none readable, the first member's own error is given.
#[cfg(feature = "excel")]
fn read_archive(
    acc: &mut Acc<'_>,
    name: &str,
    bytes: &[u8],
    on_tx: &mut Callback<'_>,
) -> Result<(), SpendError> {
    let (members, others) = crate::zipped::members(bytes).map_err(|m| SpendError::Spreadsheet {
        file: name.to_string(),
        message: m,
    })?;
    if members.is_empty() {
        return Err(SpendError::NotTabular {
            file: name.to_string(),
            why: format!(
                "it is a zip archive holding no CSV or spreadsheet ({})",
                if others.is_empty() {
                    "it is empty".to_string()
                } else {
                    others.join(", ")
                }
            ),
        });
    }
    acc.rep.skipped_members = others;
    let count = members.len();
    let mut first_refusal = None;
    for m in members {
        let label = (count > 1).then(|| m.name.clone());
        let before = acc.rep.reconciliation.clone();
        let span_before = acc.span_lines;
        match read_one(acc, &m.name, &m.bytes, label, on_tx) {
            Ok(()) => acc.rep.members.push(m.name),
            Err(e) if count > 1 => {
                // Nothing of a refused member is counted: its rows are not records of the listing.
                acc.rep.reconciliation = before;
                acc.span_lines = span_before;
                acc.rep
                    .warnings
                    .push(format!("{} inside the zip skipped: {e}", m.name));
                acc.rep.skipped_members.push(m.name);
                first_refusal.get_or_insert(e);
            }
            Err(e) => return Err(e),
        }
    }
    match first_refusal {
        Some(e) if acc.rep.members.is_empty() => Err(e),
        _ => Ok(()),
    }
}

#[cfg(not(feature = "excel"))]
fn read_archive(
    _: &mut Acc<'_>,
    name: &str,
    _: &[u8],
    _: &mut Callback<'_>,
) -> Result<(), SpendError> {
    Err(SpendError::ExcelDisabled {
        file: name.to_string(),
    })
}

/// Reads one CSV or workbook into the running report. `label` names its tables' rows when it is one
/// of several files in an archive.
fn read_one(
    acc: &mut Acc<'_>,
    name: &str,
    bytes: &[u8],
    label: Option<String>,
    on_tx: &mut Callback<'_>,
) -> Result<(), SpendError> {
    let is_xls = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    if is_xls || is_zip {
        return read_spreadsheet(acc, name, bytes, is_xls, label, on_tx);
    }
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
    if text.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(SpendError::Empty {
            file: name.to_string(),
        });
    }
    let delim = detect_delimiter(text);
    acc.rep.format = "csv";
    acc.rep.encoding = enc.name();
    acc.rep.delimiter = Some((delim as char).to_string());
    let physical = count_lines(text);
    acc.rep.reconciliation.physical_lines += physical;
    let span_before = acc.span_lines;
    let mut src = CsvSource::new(text, field_enc, delim);
    let used = process_table(acc, &mut src, Some(delim as char), label, true, on_tx);
    acc.rep.mixed_encoding_fields += src.odd_fields;
    used?;
    // Lines spanned by records: every line that is not an empty line the reader passed over.
    acc.span_lines = span_before + physical.saturating_sub(src.empty_lines());
    Ok(())
}

#[cfg(feature = "excel")]
fn read_spreadsheet(
    acc: &mut Acc<'_>,
    name: &str,
    bytes: &[u8],
    is_xls: bool,
    label: Option<String>,
    on_tx: &mut Callback<'_>,
) -> Result<(), SpendError> {
    let (names, sheets) = crate::source::read_workbook(name, bytes)?;
    acc.rep.format = if is_xls {
        "xls"
    } else if crate::zipped::kind(bytes) == crate::zipped::ZipKind::Ods {
        "ods"
    } else {
        "xlsx"
    };
    let span_before = acc.span_lines;
    acc.sheet_lines = 0;
    acc.rep.encoding = TextEncoding::Spreadsheet.name();
    let mut any = false;
    let mut first_refusal: Option<SpendError> = None;
    let count = sheets.len();
    for (i, mut sheet) in sheets.into_iter().enumerate() {
        let sheet_name = match &label {
            Some(l) => format!("{l}: {}", names.get(i).map_or("", |n| n.as_str())),
            None => names.get(i).cloned().unwrap_or_default(),
        };
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
    acc.rep.reconciliation.physical_lines += acc
        .sheet_lines
        .max(acc.span_lines.saturating_sub(span_before));
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
    _: Option<String>,
    _: &mut Callback<'_>,
) -> Result<(), SpendError> {
    Err(SpendError::ExcelDisabled {
        file: name.to_string(),
    })
}

/// Most rows held in memory while looking for a header that is not near the top (a listing whose
/// header is its last line): beyond this the file is refused for want of a header.
const TAIL_SCAN: usize = 200_000;

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
    let mut found = find_header(&head, acc.opts);
    if found.is_none() && head.len() == HEADER_SCAN {
        // The header may be at the bottom of the listing: hold the rows and look at the last ones.
        while head.len() < TAIL_SCAN && src.next_row(&mut row).map_err(|e| with_file(e, &file))? {
            acc.count(&row);
            head.push(row.to_owned_row());
        }
        let tail: Vec<usize> = (0..head.len())
            .rev()
            .filter(|&i| !head[i].is_blank())
            .take(5)
            .collect();
        found = tail
            .into_iter()
            .find(|&i| header_score(head[i].cells(), &acc.opts.overrides) >= 3);
    }
    let Some(hi) = found else {
        return no_header(acc, src, head, required);
    };
    let header_row = head[hi].to_owned_row();
    let mut sample: Vec<RawRow> = head.split_off(hi + 1);
    head.truncate(hi);
    let above = head;
    while sample.len() < SAMPLE && src.next_row(&mut row).map_err(|e| with_file(e, &file))? {
        acc.count(&row);
        sample.push(row.to_owned_row());
    }
    // With no rows below the header, the rows above it are the listing (a header at the bottom).
    let below_any = sample.iter().any(|r| !r.is_blank());
    let table = build_table(
        acc,
        &header_row,
        if below_any { &sample } else { &above },
        delim,
        sheet.clone(),
    )?;
    acc.rep.reconciliation.header_records += 1;
    // Rows above the header: a listing when most of them read as payments with it, else a preamble.
    let start = above.iter().position(|r| table.as_is_ok(r.cells()));
    let data_above = start.map_or(0, |s| {
        above[s..]
            .iter()
            .filter(|r| table.as_is_ok(r.cells()))
            .count()
    });
    let non_blank_above = start.map_or(0, |s| above[s..].iter().filter(|r| !r.is_blank()).count());
    match start {
        Some(s) if data_above * 2 > non_blank_above => {
            acc.rep.reconciliation.preamble_records += s as u64;
            acc.rep.warnings.push(format!(
                "the header is on line {} below {data_above} payment rows: those rows were read with it",
                header_row.line
            ));
            for r in &above[s..] {
                handle_row(acc, &table, r, on_tx);
            }
        }
        _ => acc.rep.reconciliation.preamble_records += above.len() as u64,
    }
    drop(above);
    let mut table = table;
    let mut pending: std::collections::VecDeque<RawRow> = sample.into();
    loop {
        let next = match pending.pop_front() {
            Some(r) => r,
            None => {
                if !src.next_row(&mut row).map_err(|e| with_file(e, &file))? {
                    break;
                }
                acc.count(&row);
                if !is_new_header(&table, &row, acc.opts) {
                    handle_row(acc, &table, &row, on_tx);
                    continue;
                }
                row.to_owned_row()
            }
        };
        if !is_new_header(&table, &next, acc.opts) {
            handle_row(acc, &table, &next, on_tx);
            continue;
        }
        // A different header part-way down: the rows below it are read with it.
        while pending.len() < SAMPLE && src.next_row(&mut row).map_err(|e| with_file(e, &file))? {
            acc.count(&row);
            pending.push_back(row.to_owned_row());
        }
        let rows: Vec<RawRow> = pending.iter().map(RawRow::to_owned_row).collect();
        match build_table(acc, &next, &rows, delim, sheet.clone()) {
            Ok(t) => {
                resolve_ambiguous(acc, &table, on_tx);
                acc.rep.reconciliation.header_records += 1;
                table = t;
            }
            // Not a usable header after all: the row is what it would have been.
            Err(_) => handle_row(acc, &table, &next, on_tx),
        }
    }
    resolve_ambiguous(acc, &table, on_tx);
    Ok(true)
}

/// No header found: say why (a `--map` header that is not there, an empty file, no header), or, for a
/// sheet among others, skip it with all its rows accounted for.
fn no_header(
    acc: &mut Acc<'_>,
    src: &mut dyn RowSource,
    head: Vec<RawRow>,
    required: bool,
) -> Result<bool, SpendError> {
    let file = acc.file.clone();
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
        return Err(SpendError::MapNotFound {
            file,
            line: r.line,
            field: *f,
            header: h.clone(),
            headers: headers_list(r.cells()),
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
    let mut row = RawRow::default();
    while src.next_row(&mut row)? {
        acc.count(&row);
        skipped += 1;
    }
    acc.rep.reconciliation.skipped_sheet_records += skipped;
    Ok(false)
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
