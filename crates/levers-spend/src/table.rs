//! A small tabular reader shared by the supplier master file and the LM3 survey: the same encodings,
//! delimiters and spreadsheets as spending files, a header found below any preamble by a caller's
//! scoring function, and every record accounted for (preamble, header, data, blank).

use crate::SpendError;
use crate::encoding::{self, TextEncoding};
use crate::source::{CsvSource, RawRow, RowSource, detect_delimiter};

/// Records searched for the header.
pub const HEADER_SCAN: usize = 60;

/// How the records of a table were accounted for before the caller looked at its data rows.
#[derive(Debug, Clone, Default)]
pub struct TableCounts {
    pub records: u64,
    pub preamble: u64,
    pub header: u64,
    pub blank: u64,
    pub format: &'static str,
    pub encoding: &'static str,
}

/// Reads `bytes` as CSV (any encoding levers knows) or a spreadsheet (first sheet with a header),
/// finds the header as the first of the first [`HEADER_SCAN`] records with the highest positive
/// `score`, then hands each non-blank data row (1-based line, cells) to `on_row`.
/// Returns the header cells, its line and the counts. Comment lines starting with `#` before the
/// header count as preamble.
pub fn read_table(
    name: &str,
    bytes: &[u8],
    score: &dyn Fn(&[String]) -> usize,
    on_row: &mut dyn FnMut(u64, &[String]),
) -> Result<(Vec<String>, u64, TableCounts), SpendError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(SpendError::Empty {
            file: name.to_string(),
        });
    }
    let is_xls = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    if is_xls || is_zip {
        return read_sheets(name, bytes, is_xls, score, on_row);
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
    if text[..text.len().min(8192)].contains(&0) {
        return Err(SpendError::NotTabular {
            file: name.to_string(),
            why: "it holds binary data".into(),
        });
    }
    let delim = detect_delimiter(text);
    let mut src = CsvSource::new(text, field_enc, delim);
    let mut counts = TableCounts {
        format: "csv",
        encoding: enc.name(),
        ..TableCounts::default()
    };
    let (header, line) = scan(name, &mut src, score, on_row, &mut counts)?;
    Ok((header, line, counts))
}

fn scan(
    name: &str,
    src: &mut dyn RowSource,
    score: &dyn Fn(&[String]) -> usize,
    on_row: &mut dyn FnMut(u64, &[String]),
    counts: &mut TableCounts,
) -> Result<(Vec<String>, u64), SpendError> {
    let mut head: Vec<RawRow> = Vec::new();
    let mut row = RawRow::default();
    let fix = |e: SpendError| match e {
        SpendError::Read { line, message, .. } => SpendError::Read {
            file: name.to_string(),
            line,
            message,
        },
        e => e,
    };
    while head.len() < HEADER_SCAN && src.next_row(&mut row).map_err(fix)? {
        head.push(row.to_owned_row());
    }
    let mut best: Option<(usize, usize)> = None;
    for (i, r) in head.iter().enumerate() {
        if r.cells()
            .first()
            .is_some_and(|c| c.trim_start().starts_with('#'))
        {
            continue;
        }
        let s = score(r.cells());
        if s > 0 && best.is_none_or(|(_, b)| s > b) {
            best = Some((i, s));
        }
    }
    let Some((hi, _)) = best else {
        return Err(SpendError::NoHeader {
            file: name.to_string(),
            scanned: HEADER_SCAN,
        });
    };
    let header: Vec<String> = head[hi]
        .cells()
        .iter()
        .map(|c| c.trim().to_string())
        .collect();
    let header_line = head[hi].line;
    counts.records += head.len() as u64;
    counts.preamble += hi as u64;
    counts.header += 1;
    let mut data = |r: &RawRow, counts: &mut TableCounts| {
        if r.is_blank() {
            counts.blank += 1;
        } else {
            on_row(r.line, r.cells());
        }
    };
    for r in &head[hi + 1..] {
        data(r, counts);
    }
    while src.next_row(&mut row).map_err(fix)? {
        counts.records += 1;
        data(&row, counts);
    }
    Ok((header, header_line))
}

#[cfg(feature = "excel")]
fn read_sheets(
    name: &str,
    bytes: &[u8],
    is_xls: bool,
    score: &dyn Fn(&[String]) -> usize,
    on_row: &mut dyn FnMut(u64, &[String]),
) -> Result<(Vec<String>, u64, TableCounts), SpendError> {
    let (_, sheets) = crate::source::read_workbook(name, bytes)?;
    let mut first_err = None;
    for mut sheet in sheets {
        let mut counts = TableCounts {
            format: if is_xls { "xls" } else { "xlsx" },
            encoding: TextEncoding::Spreadsheet.name(),
            ..TableCounts::default()
        };
        // Only the first sheet with a header is read; a notes sheet before it is skipped.
        match scan(name, &mut sheet, score, on_row, &mut counts) {
            Ok((h, line)) => return Ok((h, line, counts)),
            Err(e @ SpendError::NoHeader { .. }) => {
                first_err.get_or_insert(e);
            }
            Err(e) => return Err(e),
        }
    }
    Err(first_err.unwrap_or(SpendError::Empty {
        file: name.to_string(),
    }))
}

#[cfg(not(feature = "excel"))]
fn read_sheets(
    name: &str,
    _: &[u8],
    _: bool,
    _: &dyn Fn(&[String]) -> usize,
    _: &mut dyn FnMut(u64, &[String]),
) -> Result<(Vec<String>, u64, TableCounts), SpendError> {
    Err(SpendError::ExcelDisabled {
        file: name.to_string(),
    })
}
