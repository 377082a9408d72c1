//! Streams a geography file: finds its kind from the header, turns each row into records, and
//! reconciles (rows read = imported + rejected with reasons + blank). `rows` turns a row into records,
//! `lines` gives each row the line an editor shows.

use std::io::Read;

use levers_core::AreaCode;
use serde::Serialize;

mod lines;
mod rows;

use crate::kind::{FileKind, Header, detect};
use crate::postcode::Postcode;
pub use lines::{LineCounting, Lines, line_counting};
use rows::{columns, row_records};

/// One postcode's geography as a file states it. Missing values are `None`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PostcodeRow {
    pub postcode: Postcode,
    pub lad: Option<AreaCode>,
    pub ward: Option<AreaCode>,
    pub lsoa11: Option<AreaCode>,
    pub lsoa21: Option<AreaCode>,
    pub msoa: Option<AreaCode>,
    pub region: Option<AreaCode>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    /// `Some(true)` when the file gives a termination date; `None` when it has no such column.
    pub terminated: Option<bool>,
}

/// Which Indices of Deprivation a row belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum ImdVintage {
    /// IoD2019, on LSOA 2011 codes.
    #[serde(rename = "2019")]
    Iod2019,
    /// IoD2025, on LSOA 2021 codes.
    #[serde(rename = "2025")]
    Iod2025,
}

impl ImdVintage {
    pub fn year(self) -> u16 {
        match self {
            ImdVintage::Iod2019 => 2019,
            ImdVintage::Iod2025 => 2025,
        }
    }

    pub fn from_year(y: i64) -> Option<ImdVintage> {
        match y {
            2019 => Some(ImdVintage::Iod2019),
            2025 => Some(ImdVintage::Iod2025),
            _ => None,
        }
    }
}

/// A domain's rank and decile (and score, where the file has it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Domain {
    pub name: String,
    pub rank: u32,
    pub decile: u8,
    pub score: Option<f64>,
}

/// One LSOA's deprivation. Rank 1 and decile 1 are the most deprived.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeprivationRow {
    pub vintage: ImdVintage,
    pub lsoa: AreaCode,
    pub lsoa_name: Option<String>,
    pub lad: Option<AreaCode>,
    pub lad_name: Option<String>,
    pub rank: u32,
    pub decile: u8,
    pub score: Option<f64>,
    pub domains: Vec<Domain>,
}

/// What a lookup file says about an area: its name and the areas that contain it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaRow {
    pub code: AreaCode,
    pub name: Option<String>,
    /// Containing areas (MSOA, ward, LAD, region), their kind read from their codes.
    pub parents: Vec<AreaCode>,
    /// Names of the parents (and of any other area the row names).
    pub names: Vec<(AreaCode, String)>,
}

/// Everything a geography file can say.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum GeoRecord {
    Postcode(PostcodeRow),
    Deprivation(DeprivationRow),
    Area(AreaRow),
    /// An LSOA 2011 and its best-fit LSOA 2021.
    LsoaLink {
        lsoa11: AreaCode,
        lsoa21: AreaCode,
    },
}

/// A row that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rejection {
    /// 1-based physical line number of the row in the file (the header is line 1).
    pub line: u64,
    pub field: String,
    pub reason: String,
}

/// The reconciliation of one file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReadReport {
    pub kind: Option<FileKind>,
    pub rows_read: u64,
    pub rows_imported: u64,
    pub rows_rejected: u64,
    pub rows_blank: u64,
    /// The first rejections in full (all are counted in `rows_rejected`).
    pub rejections: Vec<Rejection>,
}

impl ReadReport {
    /// rows read = imported + rejected + blank.
    pub fn reconciles(&self) -> bool {
        self.rows_read == self.rows_imported + self.rows_rejected + self.rows_blank
    }
}

/// Why a file could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum GeoError {
    #[error("{file}: the file is empty: it has no header row")]
    Empty { file: String },
    #[error(
        "{file}: not a geography file levers knows. It recognises: {known}. The header it saw was: {header}"
    )]
    Unrecognised {
        file: String,
        known: String,
        header: String,
    },
    #[error("{file}: line {line}: {message}")]
    Csv {
        file: String,
        line: u64,
        message: String,
    },
}

const MAX_REJECTIONS_KEPT: usize = 200;

/// Reads a whole geography file from `input`, calling `sink` with every record and `progress` with
/// the bytes read so far (every 64 KiB or so). The file's kind comes from its header.
pub fn read_geo<R: Read>(
    file: &str,
    input: R,
    sink: impl FnMut(GeoRecord),
    progress: impl FnMut(u64),
) -> Result<ReadReport, GeoError> {
    read_geo_with_kind(file, input, |_| {}, sink, progress)
}

/// As [`read_geo`], telling `on_kind` the file's kind as soon as the header is read (before any record).
pub fn read_geo_with_kind<R: Read>(
    file: &str,
    input: R,
    on_kind: impl FnOnce(FileKind),
    mut sink: impl FnMut(GeoRecord),
    mut progress: impl FnMut(u64),
) -> Result<ReadReport, GeoError> {
    let (input, lines) = line_counting(input);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(input);
    let mut rec = csv::ByteRecord::new();
    let line_at = |byte: u64| lines.line_at(byte);
    let csv_err = |e: csv::Error| GeoError::Csv {
        file: file.to_string(),
        line: e.position().map_or(0, |p| line_at(p.byte())),
        message: format!("{e}: the file is not valid CSV"),
    };
    if !rdr.read_byte_record(&mut rec).map_err(csv_err)? {
        return Err(GeoError::Empty {
            file: file.to_string(),
        });
    }
    let header = Header::new(rec.iter().map(|b| std::str::from_utf8(b).unwrap_or("")));
    let kind = detect(&header).ok_or_else(|| GeoError::Unrecognised {
        file: file.to_string(),
        known: FileKind::ALL
            .iter()
            .map(|k| k.describe())
            .collect::<Vec<_>>()
            .join("; "),
        header: header
            .cells
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join(", "),
    })?;
    on_kind(kind);
    let cols = columns(kind, &header);
    let mut report = ReadReport {
        kind: Some(kind),
        ..ReadReport::default()
    };
    let mut out = Vec::with_capacity(4);
    let mut last_progress = 0u64;
    while rdr.read_byte_record(&mut rec).map_err(csv_err)? {
        report.rows_read += 1;
        let line = rec
            .position()
            .map_or(report.rows_read + 1, |p| line_at(p.byte()));
        if rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            report.rows_blank += 1;
            continue;
        }
        out.clear();
        match row_records(&cols, &rec, line, &mut out) {
            Ok(()) => {
                report.rows_imported += 1;
                for r in out.drain(..) {
                    sink(r);
                }
            }
            Err(rej) => {
                report.rows_rejected += 1;
                if report.rejections.len() < MAX_REJECTIONS_KEPT {
                    report.rejections.push(rej);
                }
            }
        }
        let pos = rec.position().map_or(0, |p| p.byte());
        if pos - last_progress >= 1 << 16 {
            last_progress = pos;
            progress(pos);
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (ReadReport, Vec<GeoRecord>) {
        let mut recs = Vec::new();
        let rep = read_geo("t.csv", text.as_bytes(), |r| recs.push(r), |_| {}).unwrap();
        (rep, recs)
    }

    #[test]
    fn onspd_rows_with_pseudo_codes_and_termination() {
        let (rep, recs) = read(
            "pcd,pcds,doterm,oslaua,osward,lsoa11,lsoa21,lat,long\n\
             PR1 2HE,PR1 2HE,,E07000123,E05012345,E01025300,E01025300,53.76,-2.70\n\
             PR1 9ZZ,PR1 9ZZ,200012,E07000123,E99999999,,,99.999999,0.000000\n\
             ,,,,,,,,\n\
             XX,XX,,E07000123,,,,,\n",
        );
        assert_eq!(
            (
                rep.rows_read,
                rep.rows_imported,
                rep.rows_rejected,
                rep.rows_blank
            ),
            (4, 2, 1, 1)
        );
        assert!(rep.reconciles());
        assert_eq!(rep.rejections[0].line, 5);
        assert_eq!(rep.rejections[0].field, "postcode");
        let GeoRecord::Postcode(a) = &recs[0] else {
            panic!()
        };
        assert_eq!(a.terminated, Some(false));
        assert_eq!(a.lsoa11.unwrap().as_str(), "E01025300");
        let GeoRecord::Postcode(b) = &recs[1] else {
            panic!()
        };
        assert_eq!((b.terminated, b.ward, b.lat), (Some(true), None, None));
    }

    /// A reader handing over one byte at a time, so a CRLF is split between reads.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            match (self.0.split_first(), buf.first_mut()) {
                (Some((b, rest)), Some(slot)) => {
                    *slot = *b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    /// Rejections name the line an editor shows, whatever the line ends (Windows CRLF, Unix LF, old
    /// Mac CR), with an empty line and a quoted field spanning two lines before the bad rows, and
    /// however the bytes arrive.
    #[test]
    fn line_numbers_are_right_for_every_line_ending() {
        for end in ["\n", "\r\n", "\r"] {
            let text = [
                "pcd,pcds,doterm,oslaua,osward,lsoa11,lsoa21,lat,long",
                "PR1 2HE,PR1 2HE,,E07000123,E05012345,E01025300,E01025300,53.76,-2.70",
                "",
                "PR1 2HF,\"PR1",
                "2HF\",,E07000123,,,,,",
                "XX,XX,,E07000123,,,,,",
                "YY,YY,,E07000123,,,,,",
            ]
            .join(end);
            for trickle in [false, true] {
                let rep = if trickle {
                    read_geo("t.csv", Trickle(text.as_bytes()), |_| {}, |_| {})
                } else {
                    read_geo("t.csv", text.as_bytes(), |_| {}, |_| {})
                }
                .unwrap();
                let lines: Vec<u64> = rep.rejections.iter().map(|r| r.line).collect();
                assert_eq!(
                    lines,
                    [6, 7],
                    "line end {end:?}, one byte a read: {trickle}"
                );
            }
        }
    }

    /// Reads `n` bytes at a time.
    struct Chunks<'a>(&'a [u8], usize);
    impl Read for Chunks<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    proptest::proptest! {
        /// For any text and any read sizes, each record's line is the number of line breaks (LF, CRLF
        /// or lone CR) before its first character, plus one.
        #[test]
        fn lines_match_a_count_over_the_whole_text(
            text in "[a,\"\r\n]{0,80}",
            chunk in 1usize..9,
        ) {
            let b = text.as_bytes();
            let (input, lines) = line_counting(Chunks(b, chunk));
            let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(input);
            let mut rec = csv::ByteRecord::new();
            while let Ok(true) = rdr.read_byte_record(&mut rec) {
                let Some(p) = rec.position() else { continue };
                let mut start = p.byte() as usize;
                while start < b.len() && matches!(b[start], b'\r' | b'\n') {
                    start += 1;
                }
                let breaks = (0..start)
                    .filter(|&i| b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n')))
                    .count() as u64;
                proptest::prop_assert_eq!(lines.line_at(p.byte()), breaks + 1, "{:?} at {}", text, p.byte());
            }
        }
    }

    #[test]
    fn imd_ranks_with_thousands_separators() {
        let (rep, recs) = read(
            "LSOA code (2011),LSOA name (2011),Local Authority District code (2019),Local Authority District name (2019),Index of Multiple Deprivation (IMD) Rank,Index of Multiple Deprivation (IMD) Decile\n\
             E01000001,City of London 001A,E09000001,City of London,\"29,199\",9\n\
             E01000002,City of London 001B,E09000001,City of London,\"30,379\",11\n",
        );
        assert_eq!(rep.kind, Some(FileKind::Iod2019File1));
        assert_eq!((rep.rows_imported, rep.rows_rejected), (1, 1));
        assert!(rep.rejections[0].reason.contains("not a decile"));
        let GeoRecord::Deprivation(d) = &recs[0] else {
            panic!()
        };
        assert_eq!(
            (d.rank, d.decile, d.vintage),
            (29_199, 9, ImdVintage::Iod2019)
        );
    }

    #[test]
    fn unknown_files_say_what_is_known() {
        let err = read_geo(
            "spend.csv",
            "Date,Supplier,Amount\n1,2,3\n".as_bytes(),
            |_| {},
            |_| {},
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("spend.csv")
                && err.contains("ONSPD")
                && err.contains("date, supplier, amount"),
            "{err}"
        );
        assert!(matches!(
            read_geo("e.csv", "".as_bytes(), |_| {}, |_| {}),
            Err(GeoError::Empty { .. })
        ));
    }
}
