//! Zip containers: telling an XLSX or OpenDocument spreadsheet from an archive of spending files,
//! guarding against zip bombs before anything is expanded, and reading an archive's spreadsheets and
//! CSVs into memory.

use std::io::Read;

/// Most bytes the parts of a zip may expand to (guards against zip bombs before anything is read).
pub(crate) const MAX_EXPANDED: u64 = 1 << 30;

/// What a zip holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ZipKind {
    Xlsx,
    Ods,
    /// Not a workbook: an archive of files, each read on its own.
    Archive,
}

fn open(bytes: &[u8]) -> Result<zip::ZipArchive<std::io::Cursor<&[u8]>>, String> {
    zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a readable XLSX or zip archive: {e}"))
}

/// An XLSX has `xl/workbook.xml` (or `[Content_Types].xml`), an OpenDocument spreadsheet a `mimetype`
/// of `application/vnd.oasis.opendocument.spreadsheet`; anything else is an archive. A zip that cannot
/// be opened is taken for a broken XLSX (the error says so).
pub(crate) fn kind(bytes: &[u8]) -> ZipKind {
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

/// Refuses a zip whose parts would expand past [`MAX_EXPANDED`] or by more than 1000 times.
pub(crate) fn check_expanded(bytes: &[u8]) -> Result<(), String> {
    let mut z = open(bytes)?;
    let mut expanded: u64 = 0;
    for i in 0..z.len() {
        let f = z
            .by_index_raw(i)
            .map_err(|e| format!("not a readable zip: {e}"))?;
        expanded = expanded.saturating_add(f.size());
    }
    if expanded > MAX_EXPANDED || expanded / 1000 > bytes.len() as u64 {
        return Err(format!(
            "the zip expands to {expanded} bytes, more than levers reads; unzip it and export the data as CSV"
        ));
    }
    Ok(())
}

/// A file inside an archive.
pub(crate) struct Member {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Extensions of the files levers reads inside an archive.
const READABLE: [&str; 7] = ["csv", "txt", "tsv", "xlsx", "xlsm", "xls", "ods"];

/// The readable files of an archive (in archive order), and the names of the others it holds.
pub(crate) fn members(bytes: &[u8]) -> Result<(Vec<Member>, Vec<String>), String> {
    check_expanded(bytes)?;
    let mut z = open(bytes)?;
    let mut read = Vec::new();
    let mut skipped = Vec::new();
    let mut budget = MAX_EXPANDED;
    for i in 0..z.len() {
        let mut f = z
            .by_index(i)
            .map_err(|e| format!("not a readable zip: {e}"))?;
        if f.is_dir() {
            continue;
        }
        let name = f.name().to_string();
        let base = name.rsplit('/').next().unwrap_or("");
        let ext = base.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
        let hidden =
            base.starts_with('.') || base.starts_with("~$") || name.starts_with("__MACOSX/");
        if hidden || !ext.as_deref().is_some_and(|e| READABLE.contains(&e)) {
            skipped.push(name);
            continue;
        }
        let mut out = Vec::with_capacity(f.size().min(budget) as usize);
        f.by_ref()
            .take(budget + 1)
            .read_to_end(&mut out)
            .map_err(|e| format!("{name} inside the zip could not be expanded: {e}"))?;
        if out.len() as u64 > budget {
            return Err(format!(
                "the zip expands to more than {MAX_EXPANDED} bytes, more than levers reads"
            ));
        }
        budget -= out.len() as u64;
        read.push(Member { name, bytes: out });
    }
    Ok((read, skipped))
}
