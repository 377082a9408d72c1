//! levers-parquet: a small, dependency-free writer of Apache Parquet files for exports.
//!
//! It writes what levers' exports need and nothing more: a flat schema of optional columns (64- and
//! 32-bit integers, booleans, UTF-8 text, calendar dates), each row group's columns as one data
//! page (format v1) in PLAIN encoding, uncompressed, with definition levels in the RLE/bit-packed
//! hybrid encoding, and the file's metadata as a Thrift compact-protocol footer. DuckDB, pandas
//! (pyarrow), DataFusion and Spark read the result; a data team can take many councils' files into
//! one of those when one machine's levers is no longer enough.
//!
//! ```
//! use levers_parquet::{Column, Kind, Writer};
//! let mut w = Writer::new(Vec::new(), &[("id", Kind::Int64), ("name", Kind::Text)]).unwrap();
//! w.write_row_group(vec![
//!     Column::Int64(vec![Some(1), Some(2)]),
//!     Column::Text(vec![Some("Acme Ltd".into()), None]),
//! ])
//! .unwrap();
//! let bytes = w.finish().unwrap();
//! assert_eq!(&bytes[..4], b"PAR1");
//! assert_eq!(&bytes[bytes.len() - 4..], b"PAR1");
//! ```

use std::io::{self, Write};

mod thrift;

use thrift::Thrift;

/// A column's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int64,
    Int32,
    Bool,
    /// UTF-8 text (BYTE_ARRAY, logical type STRING).
    Text,
    /// A calendar date, as days since 1970-01-01 (INT32, logical type DATE).
    Date,
}

impl Kind {
    /// The Parquet physical type.
    fn physical(self) -> i32 {
        match self {
            Kind::Bool => 0,
            Kind::Int32 | Kind::Date => 1,
            Kind::Int64 => 2,
            Kind::Text => 6,
        }
    }
}

/// One row group's values for one column; `None` is a null. `Date` holds days since 1970-01-01.
#[derive(Debug, Clone)]
pub enum Column {
    Int64(Vec<Option<i64>>),
    Int32(Vec<Option<i32>>),
    Bool(Vec<Option<bool>>),
    Text(Vec<Option<String>>),
    Date(Vec<Option<i32>>),
}

impl Column {
    fn kind(&self) -> Kind {
        match self {
            Column::Int64(_) => Kind::Int64,
            Column::Int32(_) => Kind::Int32,
            Column::Bool(_) => Kind::Bool,
            Column::Text(_) => Kind::Text,
            Column::Date(_) => Kind::Date,
        }
    }

    fn len(&self) -> usize {
        match self {
            Column::Int64(v) => v.len(),
            Column::Int32(v) | Column::Date(v) => v.len(),
            Column::Bool(v) => v.len(),
            Column::Text(v) => v.len(),
        }
    }

    /// Whether each value is present, in order.
    fn present(&self) -> Vec<bool> {
        match self {
            Column::Int64(v) => v.iter().map(Option::is_some).collect(),
            Column::Int32(v) | Column::Date(v) => v.iter().map(Option::is_some).collect(),
            Column::Bool(v) => v.iter().map(Option::is_some).collect(),
            Column::Text(v) => v.iter().map(Option::is_some).collect(),
        }
    }

    /// The present values, PLAIN-encoded.
    fn plain(&self, out: &mut Vec<u8>) {
        match self {
            Column::Int64(v) => v.iter().flatten().for_each(|x| out.extend(x.to_le_bytes())),
            Column::Int32(v) | Column::Date(v) => {
                v.iter().flatten().for_each(|x| out.extend(x.to_le_bytes()));
            }
            Column::Bool(v) => bit_pack(v.iter().flatten().copied(), out),
            Column::Text(v) => {
                for s in v.iter().flatten() {
                    out.extend((s.len() as u32).to_le_bytes());
                    out.extend(s.as_bytes());
                }
            }
        }
    }
}

/// Booleans packed eight to a byte, first value in the lowest bit.
fn bit_pack(bits: impl Iterator<Item = bool>, out: &mut Vec<u8>) {
    let mut byte = 0u8;
    let mut n = 0;
    for b in bits {
        byte |= u8::from(b) << n;
        n += 1;
        if n == 8 {
            out.push(byte);
            byte = 0;
            n = 0;
        }
    }
    if n > 0 {
        out.push(byte);
    }
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Definition levels (1 present, 0 null) in the RLE/bit-packed hybrid encoding at bit width 1, as
/// one bit-packed run, preceded by its length as the v1 data page wants it.
fn definition_levels(present: &[bool], out: &mut Vec<u8>) {
    let mut run = Vec::with_capacity(present.len() / 8 + 8);
    let groups = present.len().div_ceil(8);
    varint(&mut run, ((groups as u64) << 1) | 1);
    bit_pack(present.iter().copied(), &mut run);
    out.extend((run.len() as u32).to_le_bytes());
    out.extend(run);
}

struct ChunkMeta {
    kind: Kind,
    values: i64,
    offset: i64,
    size: i64,
}

/// Writes a Parquet file: the schema first, then row groups, then [`Writer::finish`].
pub struct Writer<W: Write> {
    out: W,
    schema: Vec<(String, Kind)>,
    at: i64,
    rows: i64,
    row_groups: Vec<(i64, Vec<ChunkMeta>)>,
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

impl<W: Write> Writer<W> {
    /// Starts a file with these columns (every column optional: a value may be null).
    pub fn new(mut out: W, schema: &[(&str, Kind)]) -> io::Result<Writer<W>> {
        out.write_all(b"PAR1")?;
        Ok(Writer {
            out,
            schema: schema.iter().map(|(n, k)| (n.to_string(), *k)).collect(),
            at: 4,
            rows: 0,
            row_groups: Vec::new(),
        })
    }

    /// Writes one row group: a column per schema column, in order, all of the same length.
    pub fn write_row_group(&mut self, columns: Vec<Column>) -> io::Result<()> {
        if columns.len() != self.schema.len() {
            return Err(invalid(format!(
                "a row group needs {} columns, not {}",
                self.schema.len(),
                columns.len()
            )));
        }
        let rows = columns.first().map_or(0, Column::len);
        let mut chunks = Vec::with_capacity(columns.len());
        for (c, (name, kind)) in columns.iter().zip(&self.schema) {
            if c.kind() != *kind || c.len() != rows {
                return Err(invalid(format!(
                    "column {name}: expected {rows} values of {kind:?}, got {} of {:?}",
                    c.len(),
                    c.kind()
                )));
            }
            let mut page = Vec::new();
            definition_levels(&c.present(), &mut page);
            c.plain(&mut page);
            let size = i32::try_from(page.len())
                .map_err(|_| invalid(format!("column {name}: a page over 2 GB")))?;
            let mut header = Thrift::new();
            header.i32(1, 0); // DATA_PAGE
            header.i32(2, size);
            header.i32(3, size);
            header.begin_struct(5);
            header.i32(1, rows as i32);
            header.i32(2, 0); // PLAIN
            header.i32(3, 3); // definition levels: RLE
            header.i32(4, 3); // repetition levels: RLE (none, the schema is flat)
            header.end_struct();
            let header = header.finish();
            self.out.write_all(&header)?;
            self.out.write_all(&page)?;
            let total = (header.len() + page.len()) as i64;
            chunks.push(ChunkMeta {
                kind: *kind,
                values: rows as i64,
                offset: self.at,
                size: total,
            });
            self.at += total;
        }
        self.rows += rows as i64;
        self.row_groups.push((rows as i64, chunks));
        Ok(())
    }

    /// Writes the footer (the file's metadata) and returns the writer.
    pub fn finish(mut self) -> io::Result<W> {
        let mut m = Thrift::new();
        m.i32(1, 1); // version
        m.list(2, thrift::STRUCT, self.schema.len() + 1);
        m.begin_element();
        m.binary(4, b"schema");
        m.i32(5, self.schema.len() as i32);
        m.end_struct();
        for (name, kind) in &self.schema {
            m.begin_element();
            m.i32(1, kind.physical());
            m.i32(3, 1); // OPTIONAL
            m.binary(4, name.as_bytes());
            let logical = match kind {
                Kind::Text => Some((0, 1)), // converted UTF8; logical STRING
                Kind::Date => Some((6, 6)), // converted DATE; logical DATE
                _ => None,
            };
            if let Some((converted, logical)) = logical {
                m.i32(6, converted);
                m.begin_struct(10);
                m.begin_struct(logical);
                m.end_struct();
                m.end_struct();
            }
            m.end_struct();
        }
        m.i64(3, self.rows);
        m.list(4, thrift::STRUCT, self.row_groups.len());
        for (rows, chunks) in &self.row_groups {
            m.begin_element();
            m.list(1, thrift::STRUCT, chunks.len());
            for (c, (name, _)) in chunks.iter().zip(&self.schema) {
                m.begin_element();
                m.i64(2, c.offset);
                m.begin_struct(3);
                m.i32(1, c.kind.physical());
                m.list(2, thrift::I32, 2);
                m.list_i32(0); // PLAIN
                m.list_i32(3); // RLE
                m.list(3, thrift::BINARY, 1);
                m.list_binary(name.as_bytes());
                m.i32(4, 0); // UNCOMPRESSED
                m.i64(5, c.values);
                m.i64(6, c.size);
                m.i64(7, c.size);
                m.i64(9, c.offset);
                m.end_struct();
                m.end_struct();
            }
            m.i64(2, chunks.iter().map(|c| c.size).sum());
            m.i64(3, *rows);
            m.end_struct();
        }
        m.binary(6, b"levers");
        let meta = m.finish();
        self.out.write_all(&meta)?;
        self.out.write_all(&(meta.len() as u32).to_le_bytes())?;
        self.out.write_all(b"PAR1")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definition_levels_pack_eight_to_a_byte() {
        let mut out = Vec::new();
        definition_levels(
            &[true, false, true, true, false, false, false, false, true],
            &mut out,
        );
        // length 3: header (2 groups, bit-packed), then 0b0000_1101 and 0b0000_0001.
        assert_eq!(out, vec![3, 0, 0, 0, 0b101, 0b0000_1101, 1]);
    }

    #[test]
    fn a_mismatched_row_group_is_refused() {
        let mut w = Writer::new(Vec::new(), &[("a", Kind::Int64), ("b", Kind::Bool)]).unwrap();
        assert!(
            w.write_row_group(vec![Column::Int64(vec![Some(1)])])
                .is_err()
        );
        assert!(
            w.write_row_group(vec![
                Column::Int64(vec![Some(1)]),
                Column::Bool(vec![Some(true), None])
            ])
            .is_err()
        );
        assert!(
            w.write_row_group(vec![
                Column::Int64(vec![Some(1)]),
                Column::Int64(vec![None])
            ])
            .is_err()
        );
    }

    #[test]
    fn the_footer_length_points_at_the_metadata() {
        let mut w = Writer::new(Vec::new(), &[("d", Kind::Date), ("t", Kind::Text)]).unwrap();
        w.write_row_group(vec![
            Column::Date(vec![Some(20_000), None]),
            Column::Text(vec![None, Some("x".into())]),
        ])
        .unwrap();
        let bytes = w.finish().unwrap();
        let n = bytes.len();
        let len = u32::from_le_bytes(bytes[n - 8..n - 4].try_into().unwrap()) as usize;
        // The metadata starts with field 1 (version, i32 = 1): header 0x15, zigzag 1 = 2.
        assert_eq!(&bytes[n - 8 - len..n - 8 - len + 2], &[0x15, 0x02]);
        assert_eq!(
            *bytes.get(n - 9).unwrap(),
            0,
            "the metadata struct ends with a stop byte"
        );
    }
}
