//! Streams a geography file: finds its kind from the header, turns each row into records, and
//! reconciles (rows read = imported + rejected with reasons + blank).

use std::io::Read;

use levers_core::AreaCode;
use serde::Serialize;

use crate::kind::{FileKind, Header, detect};
use crate::postcode::Postcode;

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

/// A cell as text: UTF-8, or Windows-1252 for the odd legacy byte.
fn cell(rec: &csv::ByteRecord, i: Option<usize>) -> Option<std::borrow::Cow<'_, str>> {
    let raw = rec.get(i?)?;
    let s = match std::str::from_utf8(raw) {
        Ok(s) => std::borrow::Cow::Borrowed(s.trim()),
        Err(_) => std::borrow::Cow::Owned(
            raw.iter()
                .map(|&b| b as char)
                .collect::<String>()
                .trim()
                .to_string(),
        ),
    };
    if s.is_empty() { None } else { Some(s) }
}

/// An area code, with ONS pseudo-codes (`E99999999`, `L99999999` …) and blanks treated as missing.
fn code(
    rec: &csv::ByteRecord,
    i: Option<usize>,
    field: &str,
    line: u64,
) -> Result<Option<AreaCode>, Rejection> {
    let Some(s) = cell(rec, i) else {
        return Ok(None);
    };
    if s.len() == 9 && s.ends_with("99999999") {
        return Ok(None);
    }
    AreaCode::parse(&s).map(Some).map_err(|e| Rejection {
        line,
        field: field.to_string(),
        reason: e.to_string(),
    })
}

fn number(rec: &csv::ByteRecord, i: Option<usize>) -> Option<f64> {
    cell(rec, i).and_then(|s| s.replace(',', "").parse::<f64>().ok())
}

/// A rank such as `"29,199"`.
fn rank(rec: &csv::ByteRecord, i: Option<usize>, field: &str, line: u64) -> Result<u32, Rejection> {
    let s = cell(rec, i).ok_or_else(|| Rejection {
        line,
        field: field.into(),
        reason: "the rank is missing".into(),
    })?;
    s.replace(',', "")
        .parse::<u32>()
        .ok()
        .filter(|r| *r >= 1)
        .ok_or_else(|| Rejection {
            line,
            field: field.into(),
            reason: format!("\"{s}\" is not a rank (a whole number from 1)"),
        })
}

fn decile(
    rec: &csv::ByteRecord,
    i: Option<usize>,
    field: &str,
    line: u64,
) -> Result<u8, Rejection> {
    let s = cell(rec, i).ok_or_else(|| Rejection {
        line,
        field: field.into(),
        reason: "the decile is missing".into(),
    })?;
    s.parse::<u8>()
        .ok()
        .filter(|d| (1..=10).contains(d))
        .ok_or_else(|| Rejection {
            line,
            field: field.into(),
            reason: format!("\"{s}\" is not a decile (1 to 10)"),
        })
}

/// Where each needed column is, for one kind of file.
struct Columns {
    kind: FileKind,
    // postcodes
    postcode: Option<usize>,
    lad: Option<usize>,
    ward: Option<usize>,
    lsoa11: Option<usize>,
    lsoa21: Option<usize>,
    msoa: Option<usize>,
    region: Option<usize>,
    lat: Option<usize>,
    long: Option<usize>,
    doterm: Option<usize>,
    // names
    lsoa_name: Option<usize>,
    msoa_name: Option<usize>,
    ward_name: Option<usize>,
    lad_name: Option<usize>,
    region_name: Option<usize>,
    lsoa21_name: Option<usize>,
    // deprivation
    imd_rank: Option<usize>,
    imd_decile: Option<usize>,
    imd_score: Option<usize>,
    domains: Vec<(String, usize, usize, Option<usize>)>,
}

fn columns(kind: FileKind, h: &Header) -> Columns {
    let v = |p: &str, s: &str| h.vintaged(p, s);
    let mut c = Columns {
        kind,
        postcode: h.exact(&["pcds", "pcd", "pcd7", "pcd2", "pcd8", "postcode"]),
        lad: h
            .exact(&["oslaua", "laua", "la_code", "lad_code"])
            .or_else(|| v("lad", "cd")),
        ward: h
            .exact(&["osward", "ward", "ward_code"])
            .or_else(|| v("wd", "cd")),
        lsoa11: h.exact(&["lsoa11", "lsoa11cd"]),
        lsoa21: h.exact(&["lsoa21", "lsoa21cd"]),
        msoa: h.exact(&["msoa21", "msoa21cd", "msoa11", "msoa11cd", "msoa_code"]),
        region: h.exact(&["rgn"]).or_else(|| v("rgn", "cd")),
        lat: h.exact(&["lat"]),
        long: h.exact(&["long", "lon"]),
        doterm: h.exact(&["doterm"]),
        lsoa_name: h.exact(&[
            "lsoa_name",
            "lsoa11nm",
            "lsoa21nm",
            "lsoa name (2011)",
            "lsoa name (2021)",
        ]),
        msoa_name: h
            .exact(&["msoa_name", "msoa_hcl_name"])
            .or_else(|| v("msoa", "nm")),
        ward_name: h.exact(&["ward_name"]).or_else(|| v("wd", "nm")),
        lad_name: h
            .exact(&["la_name", "lad_name"])
            .or_else(|| v("lad", "nm"))
            .or_else(|| h.starting("local authority district name")),
        region_name: v("rgn", "nm"),
        lsoa21_name: h.exact(&["lsoa21nm"]),
        imd_rank: h.starting("index of multiple deprivation (imd) rank"),
        imd_decile: h.starting("index of multiple deprivation (imd) decile"),
        imd_score: h.starting("index of multiple deprivation (imd) score"),
        domains: Vec::new(),
    };
    match kind {
        FileKind::TidyPostcodes => {
            // A tidy list's lsoa_code is taken as LSOA 2021 (ONSPD has used 2021 LSOAs since 2022),
            // unless the file says which.
            c.lsoa21 = h.exact(&["lsoa21_code", "lsoa_code"]);
            c.lsoa11 = h.exact(&["lsoa11_code"]);
        }
        FileKind::Iod2019File1 | FileKind::Iod2019File2 | FileKind::Iod2019File7 => {
            c.lsoa11 = h.exact(&["lsoa code (2011)"]);
            c.lad = h.starting("local authority district code");
        }
        FileKind::Iod2025 => {
            c.lsoa21 = h.exact(&["lsoa code (2021)"]);
            c.lad = h.starting("local authority district code");
        }
        FileKind::LsoaHierarchy | FileKind::LsoaToWard => {
            c.lsoa11 = h.exact(&["lsoa11cd"]);
            c.lsoa21 = h.exact(&["lsoa21cd"]);
            c.msoa = v("msoa", "cd");
            c.ward = v("wd", "cd");
        }
        _ => {}
    }
    if kind.is_deprivation() {
        for (i, name) in h.cells.iter().enumerate() {
            let Some(domain) = name
                .split(" rank")
                .next()
                .filter(|_| name.contains(" rank"))
            else {
                continue;
            };
            if domain.starts_with("index of multiple deprivation") {
                continue;
            }
            let decile = h
                .cells
                .iter()
                .position(|c| c.starts_with(&format!("{domain} decile")));
            let score = h
                .cells
                .iter()
                .position(|c| c.starts_with(&format!("{domain} score")));
            if let Some(d) = decile {
                c.domains.push((title_case(domain), i, d, score));
            }
        }
    }
    c
}

/// "income" → "Income"; "education, skills and training" → "Education, skills and training".
fn title_case(s: &str) -> String {
    let mut ch = s.chars();
    ch.next().map_or_else(String::new, |f| {
        f.to_uppercase().collect::<String>() + ch.as_str()
    })
}

fn named(
    rec: &csv::ByteRecord,
    pairs: &[(Option<AreaCode>, Option<usize>)],
) -> Vec<(AreaCode, String)> {
    pairs
        .iter()
        .filter_map(|(code, col)| Some(((*code)?, cell(rec, *col)?.into_owned())))
        .collect()
}

fn row_records(
    c: &Columns,
    rec: &csv::ByteRecord,
    line: u64,
    out: &mut Vec<GeoRecord>,
) -> Result<(), Rejection> {
    match c.kind {
        FileKind::Onspd | FileKind::Nspl | FileKind::Nspd | FileKind::TidyPostcodes => {
            let raw = cell(rec, c.postcode).ok_or_else(|| Rejection {
                line,
                field: "postcode".into(),
                reason: "the postcode is missing".into(),
            })?;
            let postcode = Postcode::parse(&raw).map_err(|e| Rejection {
                line,
                field: "postcode".into(),
                reason: e.to_string(),
            })?;
            let lat = number(rec, c.lat).filter(|v| (-90.0..=90.0).contains(v) && *v != 0.0);
            let long =
                number(rec, c.long).filter(|v| (-180.0..=180.0).contains(v) && lat.is_some());
            let row = PostcodeRow {
                postcode,
                lad: code(rec, c.lad, "lad", line)?,
                ward: code(rec, c.ward, "ward", line)?,
                lsoa11: code(rec, c.lsoa11, "lsoa11", line)?,
                lsoa21: code(rec, c.lsoa21, "lsoa21", line)?,
                msoa: code(rec, c.msoa, "msoa", line)?,
                region: code(rec, c.region, "region", line)?,
                lat,
                long,
                terminated: c.doterm.map(|_| cell(rec, c.doterm).is_some()),
            };
            if c.kind == FileKind::TidyPostcodes {
                let names = named(
                    rec,
                    &[
                        (row.ward, c.ward_name),
                        (row.lsoa21.or(row.lsoa11), c.lsoa_name),
                        (row.lad, c.lad_name),
                        (row.msoa, c.msoa_name),
                    ],
                );
                if !names.is_empty() {
                    let code = row.lad.or(row.ward);
                    if let Some(code) = code {
                        out.push(GeoRecord::Area(AreaRow {
                            code,
                            name: None,
                            parents: vec![],
                            names,
                        }));
                    }
                }
                // The list also says which ward, MSOA and LAD each LSOA is in.
                if let Some(lsoa) = row.lsoa21.or(row.lsoa11) {
                    let parents = [row.ward, row.msoa, row.lad]
                        .into_iter()
                        .flatten()
                        .collect();
                    out.push(GeoRecord::Area(AreaRow {
                        code: lsoa,
                        name: None,
                        parents,
                        names: vec![],
                    }));
                }
            }
            out.push(GeoRecord::Postcode(row));
        }
        FileKind::Iod2019File1
        | FileKind::Iod2019File2
        | FileKind::Iod2019File7
        | FileKind::Iod2025 => {
            let (vintage, lsoa_col, field) = if c.kind == FileKind::Iod2025 {
                (ImdVintage::Iod2025, c.lsoa21, "LSOA code (2021)")
            } else {
                (ImdVintage::Iod2019, c.lsoa11, "LSOA code (2011)")
            };
            let lsoa = code(rec, lsoa_col, field, line)?.ok_or_else(|| Rejection {
                line,
                field: field.into(),
                reason: "the LSOA code is missing".into(),
            })?;
            let mut domains = Vec::with_capacity(c.domains.len());
            for (name, r, d, s) in &c.domains {
                domains.push(Domain {
                    name: name.clone(),
                    rank: rank(rec, Some(*r), name, line)?,
                    decile: decile(rec, Some(*d), name, line)?,
                    score: number(rec, *s),
                });
            }
            out.push(GeoRecord::Deprivation(DeprivationRow {
                vintage,
                lsoa,
                lsoa_name: cell(rec, c.lsoa_name).map(|s| s.into_owned()),
                lad: code(rec, c.lad, "local authority district code", line)?,
                lad_name: cell(rec, c.lad_name).map(|s| s.into_owned()),
                rank: rank(rec, c.imd_rank, "IMD rank", line)?,
                decile: decile(rec, c.imd_decile, "IMD decile", line)?,
                score: number(rec, c.imd_score),
                domains,
            }));
        }
        FileKind::Lsoa11To21 => {
            let lsoa11 = code(rec, c.lsoa11, "LSOA11CD", line)?.ok_or_else(|| Rejection {
                line,
                field: "LSOA11CD".into(),
                reason: "the LSOA 2011 code is missing".into(),
            })?;
            let lsoa21 = code(rec, c.lsoa21, "LSOA21CD", line)?.ok_or_else(|| Rejection {
                line,
                field: "LSOA21CD".into(),
                reason: "the LSOA 2021 code is missing".into(),
            })?;
            let lad = code(rec, c.lad, "LAD", line)?;
            out.push(GeoRecord::LsoaLink { lsoa11, lsoa21 });
            let names = named(rec, &[(Some(lsoa11), c.lsoa_name), (lad, c.lad_name)]);
            out.push(GeoRecord::Area(AreaRow {
                code: lsoa21,
                name: cell(rec, c.lsoa21_name).map(|s| s.into_owned()),
                parents: lad.into_iter().collect(),
                names,
            }));
        }
        FileKind::LsoaHierarchy | FileKind::LsoaToWard => {
            let lsoa =
                code(rec, c.lsoa21.or(c.lsoa11), "LSOA code", line)?.ok_or_else(|| Rejection {
                    line,
                    field: "LSOA code".into(),
                    reason: "the LSOA code is missing".into(),
                })?;
            let msoa = code(rec, c.msoa, "MSOA code", line)?;
            let ward = code(rec, c.ward, "ward code", line)?;
            let lad = code(rec, c.lad, "LAD code", line)?;
            let region = code(rec, c.region, "region code", line)?;
            let names = named(
                rec,
                &[
                    (msoa, c.msoa_name),
                    (ward, c.ward_name),
                    (lad, c.lad_name),
                    (region, c.region_name),
                ],
            );
            out.push(GeoRecord::Area(AreaRow {
                code: lsoa,
                name: cell(rec, c.lsoa_name).map(|s| s.into_owned()),
                parents: [msoa, ward, lad, region].into_iter().flatten().collect(),
                names,
            }));
            // A LAD's region and a ward's LAD are worth knowing on their own.
            if let (Some(lad), Some(region)) = (lad, region) {
                out.push(GeoRecord::Area(AreaRow {
                    code: lad,
                    name: None,
                    parents: vec![region],
                    names: vec![],
                }));
            }
            if let (Some(ward), Some(lad)) = (ward, lad) {
                out.push(GeoRecord::Area(AreaRow {
                    code: ward,
                    name: None,
                    parents: vec![lad],
                    names: vec![],
                }));
            }
        }
        FileKind::WardToLad => {
            let ward = code(rec, c.ward, "ward code", line)?.ok_or_else(|| Rejection {
                line,
                field: "ward code".into(),
                reason: "the ward code is missing".into(),
            })?;
            let lad = code(rec, c.lad, "LAD code", line)?;
            out.push(GeoRecord::Area(AreaRow {
                code: ward,
                name: cell(rec, c.ward_name).map(|s| s.into_owned()),
                parents: lad.into_iter().collect(),
                names: named(rec, &[(lad, c.lad_name)]),
            }));
        }
    }
    Ok(())
}

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

/// Where the lines with something on them start, as the bytes stream past: for each, its byte offset
/// and the line breaks before it (`\n`, `\r\n` or a lone `\r`). The csv crate's own line count is a
/// line early after Windows (CRLF) line ends and skips empty lines; this gives the line a person sees
/// in a text editor. Only the starts not yet asked about are held (about one read buffer's worth).
#[derive(Default)]
struct LineStarts {
    /// (byte offset of a line's first character, line number).
    pending: std::collections::VecDeque<(u64, u64)>,
    /// Bytes seen, line breaks seen, and the last byte (a CR whose LF may come in the next read).
    seen: u64,
    breaks: u64,
    last: Option<u8>,
}

impl LineStarts {
    fn feed(&mut self, bytes: &[u8]) {
        let base = self.seen;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            let at = base + i as u64;
            // A lone CR ends its line once the next byte shows it is not a CRLF; an LF always does.
            if self.last == Some(b'\r') && b != b'\n' {
                self.breaks += 1;
            }
            if b == b'\n' || b == b'\r' {
                if b == b'\n' {
                    self.breaks += 1;
                }
                self.last = Some(b);
                i += 1;
                continue;
            }
            if at == 0 || matches!(self.last, Some(b'\r' | b'\n')) {
                self.pending.push_back((at, self.breaks + 1));
            }
            // The rest of the line holds no line break: skip to its end.
            let run = bytes[i..]
                .iter()
                .position(|&c| c == b'\n' || c == b'\r')
                .unwrap_or(bytes.len() - i);
            i += run;
            self.last = Some(bytes[i - 1]);
        }
        self.seen += bytes.len() as u64;
    }

    /// The line of the record the CSV reader says starts at `byte` (its first character is at the
    /// first line start at or after it). Records are asked for in order.
    fn line_at(&mut self, byte: u64) -> u64 {
        while let Some(&(at, _)) = self.pending.front() {
            if at < byte {
                self.pending.pop_front();
            } else {
                break;
            }
        }
        self.pending.front().map_or(self.breaks + 1, |p| p.1)
    }
}

/// A reader that notes where lines start as bytes pass through it, for [`Lines::line_at`].
pub struct LineCounting<R> {
    inner: R,
    starts: std::rc::Rc<std::cell::RefCell<LineStarts>>,
}

/// The line numbers of what a [`LineCounting`] reader has passed on.
pub struct Lines(std::rc::Rc<std::cell::RefCell<LineStarts>>);

impl Lines {
    /// The line an editor shows for the record a `csv` reader over the [`LineCounting`] reader says
    /// starts at `byte` (`Position::byte`). Ask in record order.
    pub fn line_at(&self, byte: u64) -> u64 {
        self.0.borrow_mut().line_at(byte)
    }
}

/// Wraps `inner` so that CSV records read through it can be given the line a person sees in a text
/// editor, for LF, CRLF and CR line ends alike (the csv crate's `Position::line` is a line early after
/// CRLF and does not count empty lines).
pub fn line_counting<R: Read>(inner: R) -> (LineCounting<R>, Lines) {
    let starts = std::rc::Rc::new(std::cell::RefCell::new(LineStarts::default()));
    (
        LineCounting {
            inner,
            starts: starts.clone(),
        },
        Lines(starts),
    )
}

impl<R: Read> Read for LineCounting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.starts.borrow_mut().feed(&buf[..n]);
        Ok(n)
    }
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
