//! A compact binary encoding of geography records, so the store can keep millions of postcodes as a
//! few hundred blocks and the index can be rebuilt from them quickly. Version-tagged; decoding checks
//! every length and reports corruption instead of panicking.

use levers_core::AreaCode;

use crate::postcode::Postcode;
use crate::read::{AreaRow, DeprivationRow, Domain, GeoRecord, ImdVintage, PostcodeRow};

const VERSION: u8 = 1;
const T_POSTCODE: u8 = 1;
const T_DEPRIVATION: u8 = 2;
const T_AREA: u8 = 3;
const T_LINK: u8 = 4;
const NO_COORD: i32 = i32::MIN;

/// A block that cannot be decoded.
#[derive(Debug, thiserror::Error)]
#[error("stored geography block is corrupt at byte {at}: {what}. Re-import the file it came from")]
pub struct BlockError {
    pub at: usize,
    pub what: &'static str,
}

struct W(Vec<u8>);

impl W {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn i32(&mut self, v: i32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn code(&mut self, c: Option<AreaCode>) {
        match c {
            Some(c) => self.0.extend_from_slice(c.as_str().as_bytes()),
            None => self.0.push(0),
        }
    }
    fn str(&mut self, s: &str) {
        let b = &s.as_bytes()[..s.len().min(u16::MAX as usize)];
        self.0.extend_from_slice(&(b.len() as u16).to_le_bytes());
        self.0.extend_from_slice(b);
    }
    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => {
                self.u8(1);
                self.str(s);
            }
            None => self.u8(0),
        }
    }
    fn opt_f64(&mut self, v: Option<f64>) {
        match v {
            Some(v) => {
                self.u8(1);
                self.0.extend_from_slice(&v.to_le_bytes());
            }
            None => self.u8(0),
        }
    }
    fn coord(&mut self, v: Option<f64>) {
        self.i32(v.map_or(NO_COORD, |v| (v * 1e6).round() as i32));
    }
}

struct R<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> R<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], BlockError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|e| *e <= self.b.len())
            .ok_or(BlockError {
                at: self.at,
                what: "it ends early",
            })?;
        let s = &self.b[self.at..end];
        self.at = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, BlockError> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, BlockError> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    fn u64(&mut self) -> Result<u64, BlockError> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
    fn i32(&mut self) -> Result<i32, BlockError> {
        Ok(i32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    fn code(&mut self) -> Result<Option<AreaCode>, BlockError> {
        if self.b.get(self.at) == Some(&0) {
            self.at += 1;
            return Ok(None);
        }
        let at = self.at;
        let raw = self.take(9)?;
        let s = std::str::from_utf8(raw).map_err(|_| BlockError {
            at,
            what: "an area code is not text",
        })?;
        AreaCode::parse(s).map(Some).map_err(|_| BlockError {
            at,
            what: "an area code is not valid",
        })
    }
    fn code_req(&mut self) -> Result<AreaCode, BlockError> {
        let at = self.at;
        self.code()?.ok_or(BlockError {
            at,
            what: "a required area code is missing",
        })
    }
    fn str(&mut self) -> Result<String, BlockError> {
        let n = u16::from_le_bytes(self.take(2)?.try_into().expect("2 bytes"));
        let at = self.at;
        let raw = self.take(usize::from(n))?;
        String::from_utf8(raw.to_vec()).map_err(|_| BlockError {
            at,
            what: "a name is not UTF-8",
        })
    }
    fn opt_str(&mut self) -> Result<Option<String>, BlockError> {
        Ok(if self.u8()? == 1 {
            Some(self.str()?)
        } else {
            None
        })
    }
    fn opt_f64(&mut self) -> Result<Option<f64>, BlockError> {
        Ok(if self.u8()? == 1 {
            Some(f64::from_le_bytes(
                self.take(8)?.try_into().expect("8 bytes"),
            ))
        } else {
            None
        })
    }
    fn coord(&mut self) -> Result<Option<f64>, BlockError> {
        let v = self.i32()?;
        Ok((v != NO_COORD).then(|| f64::from(v) / 1e6))
    }
}

/// Encodes records into one block.
pub fn encode_block(records: &[GeoRecord]) -> Vec<u8> {
    let mut w = W(Vec::with_capacity(records.len() * 48 + 8));
    w.u8(VERSION);
    w.u32(records.len() as u32);
    for r in records {
        match r {
            GeoRecord::Postcode(p) => {
                w.u8(T_POSTCODE);
                w.u64(p.postcode.key());
                for c in [p.lad, p.ward, p.lsoa11, p.lsoa21, p.msoa, p.region] {
                    w.code(c);
                }
                w.coord(p.lat);
                w.coord(p.long);
                w.u8(match p.terminated {
                    None => 0,
                    Some(false) => 1,
                    Some(true) => 2,
                });
            }
            GeoRecord::Deprivation(d) => {
                w.u8(T_DEPRIVATION);
                w.u8(match d.vintage {
                    ImdVintage::Iod2019 => 19,
                    ImdVintage::Iod2025 => 25,
                });
                w.code(Some(d.lsoa));
                w.opt_str(d.lsoa_name.as_deref());
                w.code(d.lad);
                w.opt_str(d.lad_name.as_deref());
                w.u32(d.rank);
                w.u8(d.decile);
                w.opt_f64(d.score);
                w.u8(d.domains.len().min(255) as u8);
                for dom in d.domains.iter().take(255) {
                    w.str(&dom.name);
                    w.u32(dom.rank);
                    w.u8(dom.decile);
                    w.opt_f64(dom.score);
                }
            }
            GeoRecord::Area(a) => {
                w.u8(T_AREA);
                w.code(Some(a.code));
                w.opt_str(a.name.as_deref());
                w.u8(a.parents.len().min(255) as u8);
                for p in a.parents.iter().take(255) {
                    w.code(Some(*p));
                }
                w.u8(a.names.len().min(255) as u8);
                for (c, n) in a.names.iter().take(255) {
                    w.code(Some(*c));
                    w.str(n);
                }
            }
            GeoRecord::LsoaLink { lsoa11, lsoa21 } => {
                w.u8(T_LINK);
                w.code(Some(*lsoa11));
                w.code(Some(*lsoa21));
            }
        }
    }
    w.0
}

/// Decodes a block made by [`encode_block`], calling `sink` with each record.
pub fn decode_block(bytes: &[u8], mut sink: impl FnMut(GeoRecord)) -> Result<u32, BlockError> {
    let mut r = R { b: bytes, at: 0 };
    if r.u8()? != VERSION {
        return Err(BlockError {
            at: 0,
            what: "unknown block version",
        });
    }
    let n = r.u32()?;
    for _ in 0..n {
        let at = r.at;
        let rec = match r.u8()? {
            T_POSTCODE => {
                let key = r.u64()?;
                let postcode = Postcode::from_key(key).ok_or(BlockError {
                    at,
                    what: "a postcode key is not valid",
                })?;
                let (lad, ward, lsoa11, lsoa21, msoa, region) = (
                    r.code()?,
                    r.code()?,
                    r.code()?,
                    r.code()?,
                    r.code()?,
                    r.code()?,
                );
                let lat = r.coord()?;
                let long = r.coord()?;
                let terminated = match r.u8()? {
                    1 => Some(false),
                    2 => Some(true),
                    _ => None,
                };
                GeoRecord::Postcode(PostcodeRow {
                    postcode,
                    lad,
                    ward,
                    lsoa11,
                    lsoa21,
                    msoa,
                    region,
                    lat,
                    long,
                    terminated,
                })
            }
            T_DEPRIVATION => {
                let vintage = match r.u8()? {
                    19 => ImdVintage::Iod2019,
                    25 => ImdVintage::Iod2025,
                    _ => {
                        return Err(BlockError {
                            at,
                            what: "unknown deprivation vintage",
                        });
                    }
                };
                let lsoa = r.code_req()?;
                let lsoa_name = r.opt_str()?;
                let lad = r.code()?;
                let lad_name = r.opt_str()?;
                let rank = r.u32()?;
                let decile = r.u8()?;
                let score = r.opt_f64()?;
                let nd = r.u8()?;
                let mut domains = Vec::with_capacity(usize::from(nd));
                for _ in 0..nd {
                    domains.push(Domain {
                        name: r.str()?,
                        rank: r.u32()?,
                        decile: r.u8()?,
                        score: r.opt_f64()?,
                    });
                }
                GeoRecord::Deprivation(DeprivationRow {
                    vintage,
                    lsoa,
                    lsoa_name,
                    lad,
                    lad_name,
                    rank,
                    decile,
                    score,
                    domains,
                })
            }
            T_AREA => {
                let code = r.code_req()?;
                let name = r.opt_str()?;
                let np = r.u8()?;
                let mut parents = Vec::with_capacity(usize::from(np));
                for _ in 0..np {
                    parents.push(r.code_req()?);
                }
                let nn = r.u8()?;
                let mut names = Vec::with_capacity(usize::from(nn));
                for _ in 0..nn {
                    names.push((r.code_req()?, r.str()?));
                }
                GeoRecord::Area(AreaRow {
                    code,
                    name,
                    parents,
                    names,
                })
            }
            T_LINK => GeoRecord::LsoaLink {
                lsoa11: r.code_req()?,
                lsoa21: r.code_req()?,
            },
            _ => {
                return Err(BlockError {
                    at,
                    what: "unknown record type",
                });
            }
        };
        sink(rec);
    }
    if r.at != bytes.len() {
        return Err(BlockError {
            at: r.at,
            what: "bytes left over after the last record",
        });
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_record_kind_round_trips() {
        let c = |s: &str| AreaCode::parse(s).unwrap();
        let recs = vec![
            GeoRecord::Postcode(PostcodeRow {
                postcode: Postcode::parse("PR1 2HE").unwrap(),
                lad: Some(c("E07000123")),
                ward: None,
                lsoa11: Some(c("E01025300")),
                lsoa21: None,
                msoa: None,
                region: Some(c("E12000002")),
                lat: Some(53.758_123),
                long: Some(-2.703_456),
                terminated: Some(true),
            }),
            GeoRecord::Deprivation(DeprivationRow {
                vintage: ImdVintage::Iod2019,
                lsoa: c("E01000001"),
                lsoa_name: Some("City of London 001A".into()),
                lad: Some(c("E09000001")),
                lad_name: None,
                rank: 29_199,
                decile: 9,
                score: Some(6.2),
                domains: vec![Domain {
                    name: "Income".into(),
                    rank: 32_831,
                    decile: 10,
                    score: None,
                }],
            }),
            GeoRecord::Area(AreaRow {
                code: c("E05000650"),
                name: Some("Astley Bridge".into()),
                parents: vec![c("E08000001")],
                names: vec![(c("E08000001"), "Bolton".into())],
            }),
            GeoRecord::LsoaLink {
                lsoa11: c("E01006185"),
                lsoa21: c("E01034001"),
            },
        ];
        let bytes = encode_block(&recs);
        let mut back = Vec::new();
        assert_eq!(decode_block(&bytes, |r| back.push(r)).unwrap(), 4);
        assert_eq!(back, recs);
        // Truncation anywhere is an error, never a panic.
        for cut in 0..bytes.len() {
            assert!(decode_block(&bytes[..cut], |_| {}).is_err(), "cut at {cut}");
        }
    }
}
