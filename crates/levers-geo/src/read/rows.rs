//! One row of a geography file into records: its columns found from the header for the file's kind,
//! codes, ranks and deciles read, and a rejection naming the line and field when a value is wrong.

use levers_core::AreaCode;

use super::{AreaRow, DeprivationRow, Domain, GeoRecord, ImdVintage, PostcodeRow, Rejection};
use crate::kind::{FileKind, Header};
use crate::postcode::Postcode;

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
pub(super) struct Columns {
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

pub(super) fn columns(kind: FileKind, h: &Header) -> Columns {
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

pub(super) fn row_records(
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
