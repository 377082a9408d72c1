//! Zip containers: telling an .xlsx or .ods from an archive of files, and the zip-bomb guard that
//! inflates every part once, counting the bytes actually produced, and stops at the limit.

use super::ReadError;
use std::io::{Read, Write};

/// Most parts a workbook's zip may have (a real workbook has tens).
const MAX_PARTS: usize = 10_000;

/// What a zip holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZipKind {
    Xlsx,
    Ods,
    /// Not a workbook: an archive of files, each read on its own.
    Archive,
}

fn open(bytes: &[u8]) -> Result<zip::ZipArchive<std::io::Cursor<&[u8]>>, ReadError> {
    zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| ReadError(format!("not a readable .xlsx, .ods or zip archive: {e}")))
}

/// An .xlsx has `xl/workbook.xml` (or `[Content_Types].xml`), an OpenDocument spreadsheet a
/// `mimetype` of `application/vnd.oasis.opendocument.spreadsheet`; anything else is an archive. A
/// zip that cannot be opened is taken for a broken .xlsx (reading it says so).
pub fn zip_kind(bytes: &[u8]) -> ZipKind {
    let Ok(mut z) = open(bytes) else {
        return ZipKind::Xlsx;
    };
    let names: Vec<String> = z.file_names().map(str::to_string).collect();
    if names
        .iter()
        .any(|n| n == "xl/workbook.xml" || n == "[Content_Types].xml")
    {
        return ZipKind::Xlsx;
    }
    if names.iter().any(|n| n == "content.xml")
        && let Ok(mut m) = z.by_name("mimetype")
    {
        let mut s = String::new();
        if m.by_ref().take(200).read_to_string(&mut s).is_ok()
            && s.trim()
                .starts_with("application/vnd.oasis.opendocument.spreadsheet")
        {
            return ZipKind::Ods;
        }
    }
    ZipKind::Archive
}

/// What inflating a zip found.
#[derive(Debug, Default)]
pub struct Inflated {
    /// Bytes all parts inflated to.
    pub total: u64,
    /// The part `content.xml` (an OpenDocument file's cells), inflated, if there is one.
    pub content: Option<Vec<u8>>,
}

/// A writer that counts what it is given and refuses to take more than `left`.
struct Counter {
    left: u64,
    seen: u64,
    over: bool,
    keep: Option<Vec<u8>>,
}

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = buf.len() as u64;
        if n > self.left {
            self.over = true;
            return Err(std::io::Error::other("limit"));
        }
        self.left -= n;
        self.seen += n;
        if let Some(k) = self.keep.as_mut() {
            k.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Inflates every part of a zip once, counting the bytes actually produced, and refuses the zip as
/// soon as they pass `max_expanded` in all, or when a part inflates to a size other than the one it
/// declares (so nothing reading the parts later gets more than was counted). Sizes declared in the
/// zip (zip64 ones too) are never trusted.
pub fn check_inflated(bytes: &[u8], max_expanded: u64) -> Result<Inflated, ReadError> {
    let mut z = open(bytes)?;
    if z.len() > MAX_PARTS {
        return Err(ReadError(format!(
            "the zip has {} parts, more than levers reads (at most {MAX_PARTS})",
            z.len()
        )));
    }
    let too_big = || {
        ReadError(format!(
            "the file expands to more than {max_expanded} bytes, more than levers reads; save the sheet you need as CSV"
        ))
    };
    let mut out = Inflated::default();
    for i in 0..z.len() {
        let mut f = z
            .by_index(i)
            .map_err(|e| ReadError(format!("not a readable zip: {e}")))?;
        if f.is_dir() {
            continue;
        }
        let name = f.name().to_string();
        let declared = f.size();
        let keep = (name == "content.xml").then(Vec::new);
        let mut counter = Counter {
            left: max_expanded - out.total,
            seen: 0,
            over: false,
            keep,
        };
        match std::io::copy(&mut f, &mut counter) {
            Ok(_) => {}
            Err(_) if counter.over => {
                return Err(too_big());
            }
            Err(e) => {
                return Err(ReadError(format!(
                    "{name} inside the file could not be expanded ({e}); open it in a spreadsheet program and save it again"
                )));
            }
        }
        if counter.seen != declared {
            return Err(ReadError(format!(
                "{name} inside the file declares {declared} bytes but holds {}; the file is damaged or crafted",
                counter.seen
            )));
        }
        out.total += counter.seen;
        if let Some(k) = counter.keep {
            out.content = Some(k);
        }
    }
    Ok(out)
}
