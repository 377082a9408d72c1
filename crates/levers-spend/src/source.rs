//! Row sources: CSV with a detected delimiter, and (behind the `excel` feature) XLS/XLSX sheets, each
//! giving rows of text cells with their line numbers.

use crate::SpendError;
use crate::encoding::{TextEncoding, decode_field};

/// One physical record: its cells as text and where it is.
#[derive(Debug, Default)]
pub(crate) struct RawRow {
    /// 1-based line (CSV) or row (spreadsheet) where the record starts.
    pub line: u64,
    /// Lines the record spans (more than 1 when a quoted field holds line breaks).
    pub lines: u64,
    pub cells: Vec<String>,
    pub len: usize,
    /// Sheet name, for spreadsheets.
    pub sheet: Option<usize>,
}

impl RawRow {
    pub fn cells(&self) -> &[String] {
        &self.cells[..self.len]
    }

    pub fn cell(&self, i: usize) -> &str {
        if i < self.len {
            self.cells[i].as_str()
        } else {
            ""
        }
    }

    fn clear(&mut self) {
        self.len = 0;
    }

    fn push_with(&mut self, f: impl FnOnce(&mut String)) {
        if self.len == self.cells.len() {
            self.cells.push(String::new());
        }
        let s = &mut self.cells[self.len];
        s.clear();
        f(s);
        self.len += 1;
    }

    pub fn to_owned_row(&self) -> RawRow {
        RawRow {
            line: self.line,
            lines: self.lines,
            cells: self.cells().to_vec(),
            len: self.len,
            sheet: self.sheet,
        }
    }

    pub fn is_blank(&self) -> bool {
        self.cells().iter().all(|c| is_blank(c))
    }
}

pub(crate) fn is_blank(s: &str) -> bool {
    s.chars().all(|c| c.is_whitespace() || c == '\u{a0}')
}

pub(crate) trait RowSource {
    /// Fills `row` with the next record; false at the end.
    fn next_row(&mut self, row: &mut RawRow) -> Result<bool, SpendError>;
}

/// Picks the delimiter that splits the opening of the file into the most rows of one consistent width.
pub(crate) fn detect_delimiter(text: &[u8]) -> u8 {
    let sample = &text[..text.len().min(64 * 1024)];
    let mut best = (b',', 0usize, 0usize);
    for d in [b',', b'\t', b';', b'|'] {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(d)
            .from_reader(sample);
        let mut counts: Vec<usize> = Vec::new();
        let mut rec = csv::ByteRecord::new();
        while counts.len() < 200 {
            match rdr.read_byte_record(&mut rec) {
                Ok(true) => {
                    // Width up to the last non-empty cell, so trailing empty columns don't split the vote.
                    let w = rec
                        .iter()
                        .rposition(|f| !f.iter().all(u8::is_ascii_whitespace))
                        .map_or(0, |p| p + 1);
                    counts.push(w);
                }
                _ => break,
            }
        }
        let mut freq: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
        for c in &counts {
            if *c > 1 {
                *freq.entry(*c).or_default() += 1;
            }
        }
        // Rows at least as wide as the commonest width count as agreeing (trailing columns vary).
        if let Some((&mode, _)) = freq.iter().max_by_key(|(w, n)| (**n, **w)) {
            let agree = counts
                .iter()
                .filter(|c| **c >= mode.saturating_sub(1) && **c > 1)
                .count();
            if agree > best.1 || (agree == best.1 && mode > best.2) {
                best = (d, agree, mode);
            }
        }
    }
    best.0
}

pub(crate) struct CsvSource<'a> {
    rdr: csv::Reader<&'a [u8]>,
    text: &'a [u8],
    /// Byte offset and 1-based line number of the last record start (the csv crate's own line count
    /// skips empty lines, so lines are counted here).
    at_byte: usize,
    at_line: u64,
    /// Empty lines passed over between records.
    empty: u64,
    rec: csv::ByteRecord,
    enc: TextEncoding,
    /// Fields that needed the other encoding.
    pub odd_fields: u64,
}

impl<'a> CsvSource<'a> {
    pub fn new(text: &'a [u8], enc: TextEncoding, delimiter: u8) -> Self {
        let rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .buffer_capacity(256 * 1024)
            .from_reader(text);
        CsvSource {
            rdr,
            text,
            at_byte: 0,
            at_line: 1,
            empty: 0,
            rec: csv::ByteRecord::new(),
            enc,
            odd_fields: 0,
        }
    }
}

impl RowSource for CsvSource<'_> {
    fn next_row(&mut self, row: &mut RawRow) -> Result<bool, SpendError> {
        // The csv crate cannot fail on bytes held in memory except on UTF-8, which byte records skip.
        match self.rdr.read_byte_record(&mut self.rec) {
            Ok(true) => {}
            Ok(false) => return Ok(false),
            Err(e) => {
                return Err(SpendError::Read {
                    file: String::new(),
                    line: e.position().map_or(0, |p| p.line()),
                    message: e.to_string(),
                });
            }
        }
        row.clear();
        let pos = self
            .rec
            .position()
            .map_or(self.at_byte, |p| p.byte() as usize)
            .clamp(self.at_byte, self.text.len());
        // The reader's position is where it began looking, before the line ends and empty lines it skipped.
        let mut start = pos;
        while start < self.text.len() && matches!(self.text[start], b'\n' | b'\r') {
            start += 1;
        }
        if start > pos {
            let mut skipped = count_newlines(&self.text[pos..start]);
            // The LF of the previous record's CRLF is not an empty line.
            if pos > 0 && self.text[pos - 1] == b'\r' && self.text[pos] == b'\n' {
                skipped = skipped.saturating_sub(1);
            }
            self.empty += skipped;
        }
        self.at_line += count_newlines(&self.text[self.at_byte..start]);
        self.at_byte = start;
        row.line = self.at_line;
        // Lines a record spans are accounted for the whole file (physical lines less empty ones).
        row.lines = 1;
        let slice = self.rec.as_slice();
        if slice.is_ascii() {
            // The common case: one check for the whole record, then the fields are sliced, not re-checked.
            if let Ok(whole) = std::str::from_utf8(slice) {
                let base = slice.as_ptr() as usize;
                for f in self.rec.iter() {
                    let at = f.as_ptr() as usize - base;
                    let text = whole.get(at..at + f.len()).unwrap_or("");
                    row.push_with(|s| s.push_str(text));
                }
                return Ok(true);
            }
        }
        let enc = self.enc;
        let mut odd = 0;
        for f in self.rec.iter() {
            row.push_with(|s| {
                if decode_field(enc, f, s) {
                    odd += 1;
                }
            });
        }
        self.odd_fields += odd;
        Ok(true)
    }
}

/// Line breaks in `b`: each LF, and each CR not followed by an LF (old Mac files); a CRLF is one.
fn count_newlines(b: &[u8]) -> u64 {
    let lf = memchr::memchr_iter(b'\n', b).count() as u64;
    let lone_cr = memchr::memchr_iter(b'\r', b)
        .filter(|&i| b.get(i + 1) != Some(&b'\n'))
        .count() as u64;
    lf + lone_cr
}

impl CsvSource<'_> {
    /// Empty lines the reader passed over, including those after the last record.
    pub fn empty_lines(&self) -> u64 {
        let trailing = (self
            .text
            .iter()
            .rev()
            .take_while(|b| matches!(b, b'\n' | b'\r'))
            .filter(|b| **b == b'\n')
            .count() as u64)
            .saturating_sub(1);
        self.empty + trailing
    }
}

/// Counts physical lines (a final line without a newline counts).
pub(crate) fn count_lines(text: &[u8]) -> u64 {
    let nl = memchr::memchr_iter(b'\n', text).count() as u64;
    if nl == 0 {
        let cr = text.iter().filter(|b| **b == b'\r').count() as u64;
        if cr > 0 {
            return cr + u64::from(text.last() != Some(&b'\r'));
        }
    }
    nl + u64::from(!text.is_empty() && text.last() != Some(&b'\n'))
}

/// A spreadsheet already read into rows of text (numbers in their shortest exact decimal form; dates as
/// Excel day numbers, which the date parser understands).
#[cfg(feature = "excel")]
pub(crate) struct SheetSource {
    rows: std::vec::IntoIter<RawRow>,
}

#[cfg(feature = "excel")]
impl RowSource for SheetSource {
    fn next_row(&mut self, row: &mut RawRow) -> Result<bool, SpendError> {
        match self.rows.next() {
            Some(r) => {
                *row = r;
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

/// Most cells a spreadsheet may hold before it is refused: bounds memory on hostile input
/// (10 million cells is 500,000 rows of 20 columns; export anything larger as CSV).
#[cfg(feature = "excel")]
pub(crate) const MAX_SHEET_CELLS: usize = 10_000_000;
/// Columns beyond this are ignored (transparency files have a few dozen at most).
#[cfg(feature = "excel")]
const MAX_COLUMNS: u32 = 512;

/// How much of a spending workbook levers reads (through levers-xlsx's guarded reader): files up to
/// 512 MB, 1 GB inflated, 10 million cells (500,000 rows of 20 columns; export anything larger as
/// CSV), the first 512 columns.
#[cfg(feature = "excel")]
pub(crate) const WORKBOOK_LIMITS: levers_xlsx::read::Limits = levers_xlsx::read::Limits {
    max_file_bytes: 512 << 20,
    max_expanded_bytes: crate::zipped::MAX_EXPANDED,
    max_rows: MAX_SHEET_CELLS as u64,
    max_cells: MAX_SHEET_CELLS as u64,
    max_columns: MAX_COLUMNS,
};

/// Reads every sheet of a workbook (.xlsx, .xls, .ods) through the guarded reader; rows with no
/// cells are not stored (like empty CSV lines they are counted from the gap in row numbers).
#[cfg(feature = "excel")]
pub(crate) fn read_workbook(
    file: &str,
    bytes: &[u8],
) -> Result<(Vec<String>, Vec<SheetSource>), SpendError> {
    use levers_xlsx::read::Data;
    let sheets =
        levers_xlsx::read::read(bytes, &WORKBOOK_LIMITS).map_err(|e| SpendError::Spreadsheet {
            file: file.to_string(),
            message: e.to_string(),
        })?;
    let text = |d: &Data| -> String {
        match d {
            Data::Empty => String::new(),
            Data::String(s) => s.clone(),
            Data::Float(f) => float_text(*f),
            Data::Int(i) => i.to_string(),
            Data::Bool(b) => b.to_string(),
            Data::DateTime(dt) => datetime_text(dt),
            Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
            Data::Error(e) => format!("#{e:?}"),
        }
    };
    let mut names = Vec::new();
    let mut out = Vec::new();
    for (si, sheet) in sheets.into_iter().enumerate() {
        let mut rows = Vec::with_capacity(sheet.rows.len());
        for row in sheet.rows {
            let mut cells: Vec<String> = Vec::new();
            for (c, v) in &row.cells {
                let v = text(v);
                if v.is_empty() {
                    continue;
                }
                let c = *c as usize;
                if cells.len() <= c {
                    cells.resize(c + 1, String::new());
                }
                cells[c] = v;
            }
            if cells.is_empty() {
                continue;
            }
            let len = cells.len();
            rows.push(RawRow {
                line: u64::from(row.index) + 1,
                lines: 1,
                cells,
                len,
                sheet: Some(si),
            });
        }
        names.push(sheet.name);
        out.push(SheetSource {
            rows: rows.into_iter(),
        });
    }
    Ok((names, out))
}

/// A date-formatted cell as text the date parser reads. In the usual 1900 date system, the day number
/// ("45444"), as before; in a workbook using Excel's 1904 date system (older Mac workbooks), the
/// calendar date it means ("2024-06-01"), since its day numbers are 1,462 days off; a time of day
/// with no date ("00:00:00", a day number below 1) as that time, which the reader treats as no date.
#[cfg(feature = "excel")]
fn datetime_text(dt: &levers_xlsx::read::ExcelDateTime) -> String {
    let v = dt.as_f64();
    if dt.is_duration() || (0.0..1.0).contains(&v) {
        let secs = (v.fract() * 86_400.0).round() as u64;
        return format!(
            "{:02}:{:02}:{:02}",
            (secs / 3600) % 24,
            (secs / 60) % 60,
            secs % 60
        );
    }
    use levers_xlsx::read::{ExcelDateTime, ExcelDateTimeType};
    let as_1900 = ExcelDateTime::new(v, ExcelDateTimeType::DateTime, false);
    let (y, m, d, ..) = dt.to_ymd_hms_milli();
    if as_1900.to_ymd_hms_milli().0 == y
        && (as_1900.to_ymd_hms_milli().1, as_1900.to_ymd_hms_milli().2) == (m, d)
    {
        float_text(v.floor())
    } else {
        format!("{y:04}-{m:02}-{d:02}")
    }
}

/// A spreadsheet number as the shortest decimal that reads back as the same float ("1234.56", "41061").
#[cfg(feature = "excel")]
fn float_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters_are_detected() {
        assert_eq!(detect_delimiter(b"a,b,c\n1,2,3\n4,5,6\n"), b',');
        assert_eq!(detect_delimiter(b"a\tb\tc\n1,5\t2\t3\n4\t5\t6\n"), b'\t');
        assert_eq!(detect_delimiter(b"a;b;c\n1,5;2;3\n4;5;6\n"), b';');
        assert_eq!(detect_delimiter(b"a|b|c\n1|2|3\n4|5|6\n"), b'|');
        assert_eq!(
            detect_delimiter(b"Title line\nname,amount,date\nx,\"1,000.00\",01/01/2020\n"),
            b','
        );
    }

    #[test]
    fn lines_are_counted() {
        assert_eq!(count_lines(b""), 0);
        assert_eq!(count_lines(b"a\nb\n"), 2);
        assert_eq!(count_lines(b"a\r\nb"), 2);
        assert_eq!(count_lines(b"a\rb\r"), 2);
    }
}
