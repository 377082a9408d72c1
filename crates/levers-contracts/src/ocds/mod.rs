//! Reading OCDS files: release packages, record packages and JSON Lines, streamed one element at a
//! time (`scan`), each element read into the fields levers uses (`raw`) and flattened into a
//! [`Contract`] (`flatten`). Every element is accounted for: read = contracts given + rejected.

pub mod flatten;
pub mod raw;
pub mod scan;

use std::io::Read;

use serde::Serialize;

use crate::ContractsError;
use crate::model::Contract;
use scan::{Element, ElementKind, Scanner};

/// Rejections kept in full in a report (all are counted).
pub const MAX_REJECTIONS_KEPT: usize = 1000;

/// A release or record that could not be read, naming it and the field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    pub line: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ocid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    pub field: String,
    pub reason: String,
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}", self.line)?;
        if let Some(o) = &self.ocid {
            write!(f, ", ocid {o}")?;
        }
        if let Some(r) = &self.release {
            write!(f, ", release {r}")?;
        }
        write!(f, ", field {}: {}", self.field, self.reason)
    }
}

/// How an OCDS file was read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OcdsReport {
    pub file: String,
    pub bytes: u64,
    /// Packages (release or record packages, or bare arrays) found; 0 for JSON Lines of releases.
    pub packages: u64,
    /// Releases and records read.
    pub read: u64,
    pub releases: u64,
    pub records: u64,
    /// Contracts handed on (one per release; one per record).
    pub given: u64,
    pub rejected: u64,
    pub rejections: Vec<Rejection>,
    /// Things at the top level that were not releases or packages (not counted as read).
    pub oddities: Vec<String>,
}

impl OcdsReport {
    /// read = given + rejected.
    pub fn balanced(&self) -> bool {
        self.read == self.given + self.rejected && self.read == self.releases + self.records
    }

    fn reject(&mut self, r: Rejection) {
        self.rejected += 1;
        if self.rejections.len() < MAX_REJECTIONS_KEPT {
            self.rejections.push(r);
        }
    }
}

fn name_of(bytes: &[u8]) -> (Option<String>, Option<String>) {
    match serde_json::from_slice::<raw::Name>(bytes) {
        Ok(n) => (
            n.ocid.get().map(str::to_string),
            n.id.get().map(str::to_string),
        ),
        Err(_) => (None, None),
    }
}

fn parse_error<'de, T: serde::Deserialize<'de>>(
    bytes: &'de [u8],
    line: u64,
    first: serde_json::Error,
) -> Rejection {
    let (ocid, release) = name_of(bytes);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let (field, reason) = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Err(e) => (e.path().to_string(), e.inner().to_string()),
        Ok(_) => (".".to_string(), first.to_string()),
    };
    Rejection {
        line: line + u64::try_from(first.line()).unwrap_or(1).saturating_sub(1),
        ocid,
        release,
        field: if field.is_empty() { ".".into() } else { field },
        reason: format!("{reason}; fix this value in the file, or leave it out"),
    }
}

/// The identity of a release within its ocid: its id, else its date.
pub fn release_identity(c: &Contract) -> String {
    match &c.release_id {
        Some(id) => id.clone(),
        None => format!(
            "{}@{}",
            c.ocid.as_deref().unwrap_or_default(),
            c.release_date.as_deref().unwrap_or_default()
        ),
    }
}

/// A release read: rejected without an ocid, else flattened and handed on.
fn release(r: &raw::Release<'_>, line: u64, rep: &mut OcdsReport, on: &mut dyn FnMut(Contract)) {
    match r.ocid.get() {
        None => rep.reject(Rejection {
            line,
            ocid: None,
            release: r.id.get().map(str::to_string),
            field: "ocid".into(),
            reason: "missing: a release without an ocid cannot be joined to its procurement; add the ocid".into(),
        }),
        Some(_) => {
            let mut c = flatten::flatten(r);
            c.seen = vec![release_identity(&c)];
            rep.given += 1;
            on(c);
        }
    }
}

/// Hands the scanner's elements to [`element`], and reads whole releases straight from the read
/// buffer when they sit in it (no copy, no second pass to find their end).
struct Reader<'r, 'f> {
    rep: &'r mut OcdsReport,
    on: &'r mut (dyn FnMut(Contract) + 'f),
}

impl scan::Handler<std::convert::Infallible> for Reader<'_, '_> {
    fn element(&mut self, e: Element<'_>) -> Result<(), std::convert::Infallible> {
        element(&e, self.rep, self.on);
        Ok(())
    }

    fn whole(&mut self, kind: ElementKind, text: &str, line: u64) -> Option<usize> {
        if kind != ElementKind::Release {
            return None;
        }
        let mut it = serde_json::Deserializer::from_str(text).into_iter::<raw::Release>();
        // Anything but a release read whole (cut off by the buffer's end, or one to reject with
        // its field named) goes the long way, through `element`.
        let Some(Ok(r)) = it.next() else {
            return None;
        };
        let used = it.byte_offset();
        self.rep.read += 1;
        self.rep.releases += 1;
        release(&r, line, self.rep, self.on);
        Some(used)
    }

    fn reads_whole(&self) -> bool {
        true
    }
}

fn element(e: &Element<'_>, rep: &mut OcdsReport, on: &mut dyn FnMut(Contract)) {
    rep.read += 1;
    match e.kind {
        ElementKind::Release => {
            rep.releases += 1;
            match serde_json::from_slice::<raw::Release>(e.bytes) {
                Ok(r) => release(&r, e.line, rep, on),
                Err(err) => {
                    let r = parse_error::<raw::Release>(e.bytes, e.line, err);
                    rep.reject(r);
                }
            }
        }
        ElementKind::Record => {
            rep.records += 1;
            match serde_json::from_slice::<raw::Record>(e.bytes) {
                Ok(rec) => {
                    let ocid = rec.ocid.get().map(str::to_string);
                    let mut releases: Vec<&raw::Release> = Vec::new();
                    if let Some(cr) = &rec.compiled_release {
                        releases.push(cr);
                    } else {
                        // Linked releases (only a `url`) carry nothing to read.
                        releases.extend(
                            rec.releases
                                .iter()
                                .filter(|r| r.id.get().is_some() || r.date.get().is_some()),
                        );
                        releases.sort_by(|a, b| a.date.get().cmp(&b.date.get()));
                    }
                    let mut merged: Option<Contract> = None;
                    for r in releases {
                        let mut c = flatten::flatten(r);
                        if c.ocid.as_deref().is_none_or(str::is_empty) {
                            c.ocid.clone_from(&ocid);
                            c.key = format!("ocds:{}", ocid.as_deref().unwrap_or_default());
                        }
                        c.seen = vec![release_identity(&c)];
                        match &mut merged {
                            None => merged = Some(c),
                            Some(m) => m.update_from(c),
                        }
                    }
                    match merged {
                        Some(c) if c.ocid.as_deref().is_some_and(|o| !o.is_empty()) => {
                            rep.given += 1;
                            on(c);
                        }
                        Some(_) => rep.reject(Rejection {
                            line: e.line,
                            ocid: None,
                            release: None,
                            field: "ocid".into(),
                            reason: "missing: add the record's ocid".into(),
                        }),
                        None => rep.reject(Rejection {
                            line: e.line,
                            ocid,
                            release: None,
                            field: "compiledRelease".into(),
                            reason: "the record has no compiledRelease and no embedded releases (linked releases are not fetched); publish it with its compiled release".into(),
                        }),
                    }
                }
                Err(err) => {
                    let r = parse_error::<raw::Record>(e.bytes, e.line, err);
                    rep.reject(r);
                }
            }
        }
    }
}

/// Reads an OCDS file from `r`, handing each contract to `on`. Holds one release at a time.
/// A file whose JSON breaks off (truncated, not JSON at all) is an error naming the line; single
/// releases that cannot be read are rejections in the report.
pub fn read_ocds<R: Read>(
    name: &str,
    r: R,
    on: &mut dyn FnMut(Contract),
) -> Result<OcdsReport, ContractsError> {
    let mut rep = OcdsReport {
        file: name.to_string(),
        ..OcdsReport::default()
    };
    let mut sc = Scanner::new();
    let res = sc.run_with(r, &mut Reader { rep: &mut rep, on });
    if let Err(e) = res {
        return Err(ContractsError::Read {
            file: name.to_string(),
            message: format!("could not be read: {e}"),
        });
    }
    rep.bytes = sc.bytes_read;
    rep.packages = sc.packages;
    for (line, kind) in &sc.too_big {
        rep.read += 1;
        match kind {
            ElementKind::Release => rep.releases += 1,
            ElementKind::Record => rep.records += 1,
        }
        rep.reject(Rejection {
            line: *line,
            ocid: None,
            release: None,
            field: ".".into(),
            reason: format!(
                "larger than {} MB: not read; split the file or check it is a release",
                scan::MAX_ELEMENT >> 20
            ),
        });
    }
    rep.oddities = sc
        .oddities
        .iter()
        .map(|o| format!("line {}: {}", o.line, o.what))
        .collect();
    if let Some(line) = sc.unfinished() {
        return Err(ContractsError::Syntax {
            file: name.to_string(),
            line,
            message: format!(
                "the value starting here never ends; {} releases or records were read before it",
                rep.read
            ),
        });
    }
    if rep.read == 0 && rep.packages == 0 {
        return Err(ContractsError::Read {
            file: name.to_string(),
            message: "holds no OCDS release, record or package: is it an OCDS JSON file?".into(),
        });
    }
    Ok(rep)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_package_with_a_bad_release_accounts_for_every_one() {
        let pkg = br#"{"releases":[
 {"ocid":"a","id":"1","tender":{"title":"x"}},
 {"ocid":"b","id":"2","tender":"not an object"},
 {"id":"3"},
 7
]}"#;
        let mut got = Vec::new();
        let rep = read_ocds("p.json", &pkg[..], &mut |c| got.push(c)).unwrap();
        assert_eq!((rep.read, rep.given, rep.rejected), (4, 1, 3), "{rep:?}");
        assert!(rep.balanced());
        assert_eq!(rep.rejections[0].line, 3);
        assert_eq!(rep.rejections[0].ocid.as_deref(), Some("b"));
        assert_eq!(rep.rejections[0].field, "tender");
        assert_eq!(rep.rejections[1].field, "ocid");
        assert_eq!(got[0].title, "x");
    }

    #[test]
    fn records_use_their_compiled_release_or_merge_embedded_ones() {
        let pkg = br#"{"records":[
 {"ocid":"a","compiledRelease":{"ocid":"a","id":"c","tender":{"title":"compiled"}}},
 {"ocid":"b","releases":[{"ocid":"b","id":"2","date":"2025-02-01","tender":{"title":"later"}},{"ocid":"b","id":"1","date":"2025-01-01","tender":{"title":"earlier","description":"d"}}]},
 {"ocid":"c","releases":[{"url":"https://x"}]}
]}"#;
        let mut got = Vec::new();
        let rep = read_ocds("r.json", &pkg[..], &mut |c| got.push(c)).unwrap();
        assert!(rep.balanced(), "{rep:?}");
        assert_eq!((got.len(), rep.rejected), (2, 1));
        assert_eq!(rep.rejections[0].field, "compiledRelease");
        assert_eq!(got[1].title, "later");
        assert_eq!(got[1].description, "d");
    }

    /// Gives at most `k` bytes a read, so elements fall across read buffers.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn whole_releases_read_in_place_give_what_gathered_ones_give() {
        let pkg = "{\"releases\":[\n {\"ocid\":\"a\",\"id\":\"1\",\"tender\":{\"title\":\"Caf\u{e9} \\\"x\\\"\"}},\n {\"ocid\":\"b\",\"id\":\"2\",\"tender\":\"bad\"},\n {\"id\":\"3\"},\n {\"ocid\":\"c\",\"id\":\"4\",\"date\":\"2026-01-01\"}\n]}";
        let whole = {
            let mut got = Vec::new();
            let rep = read_ocds("p.json", pkg.as_bytes(), &mut |c| got.push(c)).unwrap();
            (got, rep)
        };
        assert_eq!(whole.0.len(), 2);
        assert_eq!(whole.0[0].title, "Caf\u{e9} \"x\"");
        assert_eq!(whole.1.rejections[0].line, 3);
        assert_eq!(whole.1.rejections[1].line, 4);
        for k in [1, 2, 3, 5, 8, 13, 40, 100] {
            let mut got = Vec::new();
            let rep =
                read_ocds("p.json", Trickle(pkg.as_bytes(), k), &mut |c| got.push(c)).unwrap();
            assert_eq!(got, whole.0, "reads of {k} bytes");
            assert_eq!(rep.rejections, whole.1.rejections, "reads of {k} bytes");
            assert!(rep.balanced());
        }
    }

    #[test]
    fn a_truncated_file_is_an_error_naming_the_line() {
        let e = read_ocds(
            "t.json",
            &b"{\"releases\":[\n{\"ocid\":\"a\""[..],
            &mut |_| {},
        )
        .unwrap_err();
        assert!(matches!(e, ContractsError::Syntax { line: 1, .. }), "{e}");
        assert!(read_ocds("e.json", &b"hello"[..], &mut |_| {}).is_err());
    }
}
