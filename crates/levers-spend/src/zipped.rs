//! Zip archives of spending files: guarding against zip bombs (bytes counted as inflated, through
//! levers-xlsx) and reading an archive's spreadsheets and CSVs into memory.

use std::io::Read;

/// Most bytes the parts of a zip may expand to (guards against zip bombs before anything is read).
pub(crate) const MAX_EXPANDED: u64 = 1 << 30;

pub(crate) use levers_xlsx::read::ZipKind;

/// What a zip holds (levers-xlsx tells workbooks from archives).
pub(crate) fn kind(bytes: &[u8]) -> ZipKind {
    levers_xlsx::read::zip_kind(bytes)
}

fn open(bytes: &[u8]) -> Result<zip::ZipArchive<std::io::Cursor<&[u8]>>, String> {
    zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a readable zip archive: {e}"))
}

/// Refuses a zip whose parts inflate past [`MAX_EXPANDED`], counting the bytes actually inflated
/// (levers-xlsx's guard: declared sizes are not trusted).
pub(crate) fn check_expanded(bytes: &[u8]) -> Result<(), String> {
    levers_xlsx::read::check_inflated(bytes, MAX_EXPANDED)
        .map(|_| ())
        .map_err(|e| e.to_string())
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
