//! The one guarded path by which levers reads a workbook from outside (.xlsx, .xlsm, .xls, .ods).
//!
//! A workbook is a small file that can claim or expand to a great deal: a 1.5 KB .xlsx with cells at A1
//! and XFD1048576 makes a dense reader reserve 17 billion cells; a part that declares 2 KB can inflate
//! to gigabytes; an .xls or .ods can repeat one cell a billion times. [`read`] refuses all of these with
//! a clear error before any of it is held in memory:
//!
//! - the file itself is at most [`Limits::max_file_bytes`];
//! - every part of a zip container (.xlsx, .ods) is inflated once, counting the bytes actually produced
//!   (not the sizes the zip declares, zip64 or not), and the reading stops at
//!   [`Limits::max_expanded_bytes`] in all; a part whose content differs from its declared size is
//!   refused, so calamine, reading the same parts afterwards, reads no more than was counted;
//! - .xlsx sheets are streamed cell by cell (never a dense range reserved from the sheet's dimension),
//!   counting rows and cells as they come;
//! - .xls and .ods are checked before calamine opens them (it reads every sheet at once): the .xls
//!   compound file and BIFF size claims ([`xls`]), the .ods row and column repeats ([`ods`]);
//! - rows are sparse: each holds only its non-empty cells, and the cells counted against
//!   [`Limits::max_cells`] are those a caller would hold if it laid each row out densely (the last
//!   column's number plus one), so callers can densify rows safely. Columns from
//!   [`Limits::max_columns`] on are ignored.
//!
//! A panic inside calamine (input it does not expect) becomes an error too.

#[doc(hidden)]
pub mod crafted;
mod ods;
mod xls;
mod zipped;

pub use calamine::{Data, ExcelDateTime, ExcelDateTimeType};
pub use zipped::{ZipKind, check_inflated, zip_kind};

use calamine::Reader;
use std::io::Cursor;

/// How much of a workbook levers will read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most bytes the file itself may have.
    pub max_file_bytes: u64,
    /// Most bytes all parts of a zip container may inflate to, counted as they are inflated.
    pub max_expanded_bytes: u64,
    /// Most rows with any cell, across all sheets.
    pub max_rows: u64,
    /// Most cells, across all sheets, counting each row up to its last non-empty cell.
    pub max_cells: u64,
    /// Columns from this one (0-based) on are ignored.
    pub max_columns: u32,
}

impl Default for Limits {
    /// 64 MB files, 1 GB inflated, 2 million rows, 20 million cells, 512 columns.
    fn default() -> Limits {
        Limits {
            max_file_bytes: 64 << 20,
            max_expanded_bytes: 1 << 30,
            max_rows: 2_000_000,
            max_cells: 20_000_000,
            max_columns: 512,
        }
    }
}

/// Why a workbook was not read. The message says what was wrong and what to do; callers add the file
/// name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError(pub String);

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ReadError {}

fn fail<T>(m: impl Into<String>) -> Result<T, ReadError> {
    Err(ReadError(m.into()))
}

/// One row of a sheet: its 0-based number and its non-empty cells, (0-based column, value), in column
/// order.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub index: u32,
    pub cells: Vec<(u32, Data)>,
}

impl Row {
    /// The value at column `c`, if the row has one.
    pub fn get(&self, c: u32) -> Option<&Data> {
        self.cells
            .binary_search_by_key(&c, |(col, _)| *col)
            .ok()
            .map(|i| &self.cells[i].1)
    }
}

/// A sheet: its name and its rows with any cell, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Row>,
}

/// Which reader a file needs, from its first bytes and (for zips) its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Xls,
    Ods,
}

/// The format of a workbook's bytes: .xls by its compound-file signature, .ods by its mimetype part,
/// anything else is taken for .xlsx (a broken one says so when read).
pub fn format(bytes: &[u8]) -> Format {
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Format::Xls
    } else if zip_kind(bytes) == ZipKind::Ods {
        Format::Ods
    } else {
        Format::Xlsx
    }
}

/// Reads every sheet of a workbook within `limits` (see the module documentation).
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Vec<Sheet>, ReadError> {
    if bytes.len() as u64 > limits.max_file_bytes {
        return fail(format!(
            "the workbook is {} bytes, more than levers reads (at most {}); save the sheet you need as CSV",
            bytes.len(),
            limits.max_file_bytes
        ));
    }
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read_inner(bytes, limits)))
        .unwrap_or_else(|_| {
            fail("the workbook is malformed and could not be read; open it in a spreadsheet program and save it again, or save it as CSV")
        })
}

fn read_inner(bytes: &[u8], limits: &Limits) -> Result<Vec<Sheet>, ReadError> {
    match format(bytes) {
        Format::Xls => {
            // calamine holds each .xls and .ods sheet densely while it reads: half the cells for those.
            xls::check_xls(bytes, limits.max_cells / 2).map_err(ReadError)?;
            let mut wb: calamine::Xls<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
                .map_err(|e: calamine::XlsError| {
                    ReadError(format!("not a readable XLS workbook: {e}"))
                })?;
            ranges(&mut wb, limits)
        }
        Format::Ods => {
            let parts = check_inflated(bytes, limits.max_expanded_bytes)?;
            let content = parts.content.ok_or_else(|| {
                ReadError("not a readable OpenDocument spreadsheet (no content.xml)".into())
            })?;
            ods::check_ods(&content, limits.max_cells / 2)?;
            drop(content);
            let mut wb: calamine::Ods<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
                .map_err(|e: calamine::OdsError| {
                    ReadError(format!("not a readable OpenDocument spreadsheet: {e}"))
                })?;
            ranges(&mut wb, limits)
        }
        Format::Xlsx => {
            check_inflated(bytes, limits.max_expanded_bytes)?;
            let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
                .map_err(|e: calamine::XlsxError| {
                    ReadError(format!("not a readable .xlsx workbook: {e}"))
                })?;
            let mut count = Count::default();
            let mut out = Vec::new();
            for name in wb.sheet_names() {
                let mut reader = wb
                    .worksheet_cells_reader(&name)
                    .map_err(|e| ReadError(format!("sheet \"{name}\": {e}")))?;
                let mut rows: Vec<Row> = Vec::new();
                while let Some(cell) = reader
                    .next_cell()
                    .map_err(|e| ReadError(format!("sheet \"{name}\": {e}")))?
                {
                    let (r, c) = cell.get_position();
                    if c >= limits.max_columns {
                        continue;
                    }
                    let value: Data = match cell.get_value() {
                        calamine::DataRef::SharedString(s) => Data::String(s.to_string()),
                        other => Data::from(other.clone()),
                    };
                    if value == Data::Empty {
                        continue;
                    }
                    push(&mut rows, r, c, value, &name, &mut count, limits)?;
                }
                out.push(Sheet { name, rows });
            }
            Ok(out)
        }
    }
}

/// Rows and cells counted so far, across sheets.
#[derive(Default)]
struct Count {
    rows: u64,
    cells: u64,
}

/// Adds a cell to the sheet's rows (cells arrive row by row), counting against the limits.
fn push(
    rows: &mut Vec<Row>,
    r: u32,
    c: u32,
    value: Data,
    sheet: &str,
    count: &mut Count,
    limits: &Limits,
) -> Result<(), ReadError> {
    let new_row = match rows.last() {
        Some(last) if last.index == r => false,
        Some(last) if r < last.index => {
            return fail(format!(
                "sheet \"{sheet}\": rows out of order at row {}; open it in a spreadsheet program and save it again",
                u64::from(r) + 1
            ));
        }
        _ => true,
    };
    if new_row {
        count.rows += 1;
        if count.rows > limits.max_rows {
            return fail(format!(
                "sheet \"{sheet}\": the workbook has more than {} rows, more than levers reads; save the rows you need as CSV",
                limits.max_rows
            ));
        }
        rows.push(Row {
            index: r,
            cells: Vec::new(),
        });
    }
    let row = rows.last_mut().expect("a row was just pushed");
    // Dense width grows from the previous last column (or nothing) to this one.
    let before = row.cells.last().map_or(0, |(col, _)| u64::from(*col) + 1);
    let after = u64::from(c) + 1;
    if row.cells.last().is_some_and(|(col, _)| *col >= c) {
        return fail(format!(
            "sheet \"{sheet}\": cells out of order in row {}; open it in a spreadsheet program and save it again",
            u64::from(r) + 1
        ));
    }
    count.cells += after - before;
    if count.cells > limits.max_cells {
        return fail(format!(
            "sheet \"{sheet}\": the workbook spans more than {} cells, more than levers reads; save the rows you need as CSV",
            limits.max_cells
        ));
    }
    row.cells.push((c, value));
    Ok(())
}

/// Every sheet of an .xls or .ods (already checked for size) as sparse rows.
fn ranges<RS, R>(wb: &mut R, limits: &Limits) -> Result<Vec<Sheet>, ReadError>
where
    RS: std::io::Read + std::io::Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Display,
{
    let mut count = Count::default();
    let mut out = Vec::new();
    for name in wb.sheet_names() {
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| ReadError(format!("sheet \"{name}\": {e}")))?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let mut rows: Vec<Row> = Vec::new();
        for (r, c, v) in range.used_cells() {
            let (r, c) = (r0 + r as u32, c0 + c as u32);
            if c >= limits.max_columns || *v == Data::Empty {
                continue;
            }
            push(&mut rows, r, c, v.clone(), &name, &mut count, limits)?;
        }
        out.push(Sheet { name, rows });
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
