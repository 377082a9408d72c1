//! A size check on XLS files before calamine reads them. calamine trusts sizes written in the file: it
//! reserves memory from the compound-file header and directory (stream lengths, FAT and DIFAT counts),
//! follows sector chains without a cycle check, and reserves a sheet's cells from its DIMENSIONS record
//! and its cells' bounding box, reading every sheet when the workbook is opened. A few kilobytes can so
//! claim gigabytes (the fuzzer found two such files). This reads the compound file and the BIFF records
//! the way calamine will, and refuses the workbook first.

/// Refuses a workbook whose sheets together would need more than `max_cells` cells (or that cannot be
/// read), counting for each sheet the larger of its DIMENSIONS claim and its cells' bounding box.
pub(crate) fn check_xls(bytes: &[u8], max_cells: u64) -> Result<(), String> {
    check_compound_file(bytes)?;
    let stream = workbook_stream(bytes)
        .ok_or_else(|| "not a readable XLS workbook (compound file)".to_string())?;
    // Sheet substreams start where the BOUNDSHEET records of the globals say (as calamine reads them).
    let mut positions = Vec::new();
    for (typ, data) in records(&stream, 0) {
        match typ {
            0x0085 if data.len() >= 4 => positions.push(u32_at(data, 0).unwrap_or(0) as usize),
            0x000A => break,
            _ => {}
        }
    }
    let mut total: u64 = 0;
    for pos in positions {
        let Some(sheet) = stream.get(pos..) else {
            continue;
        };
        let mut claimed: u64 = 0;
        let (mut r0, mut r1, mut c0, mut c1) = (u32::MAX, 0u32, u32::MAX, 0u32);
        let mut any = false;
        let mut cell = |r: u32, c: u32| {
            r0 = r0.min(r);
            r1 = r1.max(r);
            c0 = c0.min(c);
            c1 = c1.max(c);
            any = true;
        };
        for (typ, d) in records(sheet, 0) {
            match typ {
                0x0200 => {
                    let area = dimensions_area(d)
                        .ok_or_else(|| "an XLS sheet has an impossible size".to_string())?;
                    claimed = claimed.max(area);
                }
                0x0203 | 0x0204 | 0x0205 | 0x027E | 0x00FD | 0x0006 if d.len() >= 4 => {
                    cell(
                        u32::from(u16_at(d, 0).unwrap_or(0)),
                        u32::from(u16_at(d, 2).unwrap_or(0)),
                    );
                }
                0x00BD if d.len() >= 6 => {
                    let r = u32::from(u16_at(d, 0).unwrap_or(0));
                    cell(r, u32::from(u16_at(d, 2).unwrap_or(0)));
                    cell(r, u32::from(u16_at(d, d.len() - 2).unwrap_or(0)));
                }
                0x000A => break,
                _ => {}
            }
        }
        if any {
            claimed = claimed.max(u64::from(r1 - r0 + 1) * u64::from(c1 - c0 + 1));
        }
        total = total.saturating_add(claimed);
        if total > max_cells {
            return Err(format!(
                "the XLS sheets span {total} cells, more than levers reads (at most {max_cells}); save it as CSV"
            ));
        }
    }
    Ok(())
}

/// The compound-file sizes and chains calamine relies on, checked against the file itself.
fn check_compound_file(b: &[u8]) -> Result<(), String> {
    let bad = |what: &str| Err(format!("not a readable XLS workbook ({what})"));
    if b.len() < 512 || !b.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return bad("no compound-file header");
    }
    let ss: usize = match u16_at(b, 30) {
        Some(9) => 512,
        Some(12) => 4096,
        _ => return bad("sector size"),
    };
    let len = b.len() as u64;
    let maxid = b.len() / ss;
    let field = |at: usize| u64::from(u32_at(b, at).unwrap_or(u32::MAX));
    // calamine reserves from each of these before reading anything.
    let (dir_len, fat_len, mini_fat_len) = (field(40), field(44), field(64));
    let odd_difat_len = field(62); // calamine reads the DIFAT count from bytes 62..66
    if dir_len * ss as u64 > len || fat_len > maxid as u64 + 1 || mini_fat_len * ss as u64 > len {
        return bad("header sizes larger than the file");
    }
    if odd_difat_len > 1 << 26 {
        return bad("header sizes larger than the file");
    }
    // DIFAT chain: calamine follows it with no cycle check.
    let sector = |n: u32| -> Option<&[u8]> {
        let start = (n as usize).checked_add(1)?.checked_mul(ss)?;
        b.get(start..start.checked_add(ss)?)
    };
    let mut difat: Vec<u32> = (0..109).filter_map(|i| u32_at(b, 76 + 4 * i)).collect();
    let mut id = u32_at(b, 68).unwrap_or(END);
    let mut steps = 0;
    while id < 0xFFFF_FFFA {
        if id as usize > maxid || steps > maxid {
            return bad("DIFAT chain");
        }
        let Some(s) = sector(id) else {
            return bad("DIFAT chain");
        };
        difat.extend((0..ss / 4).filter_map(|i| u32_at(s, 4 * i)));
        id = difat.pop().unwrap_or(END);
        steps += 1;
    }
    let mut fat: Vec<u32> = Vec::new();
    for &f in difat.iter().filter(|f| **f < 0xFFFF_FFFC) {
        match sector(f) {
            Some(s) => fat.extend((0..ss / 4).filter_map(|i| u32_at(s, 4 * i))),
            None if f as usize > maxid => return Ok(()), // calamine stops with an error: nothing to fear
            None => return bad("FAT sector"),
        }
    }
    // A chain calamine follows must end, and every link must index the table (or it panics).
    let chain_ok = |start: u32, table: &[u32], max: usize| -> bool {
        let mut id = start;
        let mut steps = 0;
        while id != END {
            if id as usize > max {
                return true; // calamine reports "sector beyond end of file"
            }
            if id as usize >= table.len() || steps > table.len() {
                return false;
            }
            id = table[id as usize];
            steps += 1;
        }
        true
    };
    let dir_start = u32_at(b, 48).unwrap_or(END);
    if !chain_ok(dir_start, &fat, maxid) {
        return bad("directory chain");
    }
    let mut dir = Vec::new();
    let mut id = dir_start;
    while id != END && (id as usize) < fat.len() && dir.len() <= b.len() {
        match sector(id) {
            Some(s) => dir.extend_from_slice(s),
            None => break,
        }
        id = fat[id as usize];
    }
    let entry = |e: &[u8]| -> Option<(String, u32, u64)> {
        let units: Vec<u16> = (0..32).filter_map(|i| u16_at(e, 2 * i)).collect();
        let name: String = String::from_utf16_lossy(&units)
            .split('\0')
            .next()
            .unwrap_or("")
            .to_string();
        let start = u32_at(e, 116)?;
        let size = if ss == 512 {
            u64::from(u32_at(e, 120)?)
        } else {
            u64::from(u32_at(e, 120)?) | u64::from(u32_at(e, 124)?) << 32
        };
        Some((name, start, size))
    };
    let entries: Vec<(String, u32, u64)> = dir.chunks(128).filter_map(entry).collect();
    let Some(root) = entries.first() else {
        return Ok(());
    };
    if dir.len() % 128 != 0 {
        return bad("directory");
    }
    let mut mini_fat: Vec<u32> = Vec::new();
    if mini_fat_len > 0 {
        if root.2 > len || !chain_ok(root.1, &fat, maxid) {
            return bad("mini stream");
        }
        let mf_start = u32_at(b, 60).unwrap_or(END);
        if !chain_ok(mf_start, &fat, maxid) {
            return bad("mini FAT chain");
        }
        let mut id = mf_start;
        while id != END && (id as usize) < fat.len() && mini_fat.len() <= b.len() {
            match sector(id) {
                Some(s) => mini_fat.extend((0..ss / 4).filter_map(|i| u32_at(s, 4 * i))),
                None => break,
            }
            id = fat[id as usize];
        }
    }
    for name in ["Workbook", "Book"] {
        if let Some((_, start, size)) = entries.iter().find(|e| e.0 == name) {
            if *size > len {
                return bad("workbook stream larger than the file");
            }
            let ok = if *size < 4096 {
                chain_ok(*start, &mini_fat, maxid * 8)
            } else {
                chain_ok(*start, &fat, maxid)
            };
            if !ok {
                return bad("workbook stream chain");
            }
            break;
        }
    }
    Ok(())
}

/// The cells calamine would reserve for a DIMENSIONS record (its arithmetic, which wraps on nonsense).
fn dimensions_area(d: &[u8]) -> Option<u64> {
    let (rf, rl, mut cf, cl) = match d.len() {
        10 => (
            u32::from(u16_at(d, 0)?),
            u32::from(u16_at(d, 2)?),
            u32::from(u16_at(d, 4)?),
            u32::from(u16_at(d, 6)?),
        ),
        14 => (
            u32_at(d, 0)?,
            u32_at(d, 4)?,
            u32::from(u16_at(d, 8)?),
            u32::from(u16_at(d, 10)?),
        ),
        _ => return Some(0),
    };
    if 0xFF < cf || cl < cf {
        cf = 0;
    }
    if rl >= 1 && cl >= 1 {
        // end = (rl - 1, cl - 1); an end before the start would wrap to billions in calamine.
        let rows = (rl - 1).checked_sub(rf)?.checked_add(1)?;
        let cols = (cl - 1).checked_sub(cf)?.checked_add(1)?;
        Some(u64::from(rows) * u64::from(cols))
    } else {
        Some(1)
    }
}

/// BIFF records from `at`: (type, data), stopping at the end or at a record that runs past it.
fn records(s: &[u8], at: usize) -> impl Iterator<Item = (u16, &[u8])> {
    let mut p = at;
    std::iter::from_fn(move || {
        let typ = u16_at(s, p)?;
        let len = usize::from(u16_at(s, p + 2)?);
        let data = s.get(p + 4..p + 4 + len)?;
        p += 4 + len;
        Some((typ, data))
    })
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

const END: u32 = 0xFFFF_FFFE;

/// The "Workbook" (or "Book") stream of a compound file, read through the FAT or the mini FAT.
fn workbook_stream(b: &[u8]) -> Option<Vec<u8>> {
    if !b.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return None;
    }
    let shift = u16_at(b, 0x1E)?;
    if !(7..=16).contains(&shift) {
        return None;
    }
    let ss = 1usize << shift;
    let sector = |n: u32| -> Option<&[u8]> {
        let start = (n as usize).checked_add(1)?.checked_mul(ss)?;
        b.get(start..start.checked_add(ss)?)
    };
    let per = ss / 4;
    // DIFAT: 109 entries in the header, then a chain of DIFAT sectors.
    let mut difat: Vec<u32> = (0..109).filter_map(|i| u32_at(b, 0x4C + 4 * i)).collect();
    let mut next = u32_at(b, 0x44)?;
    let mut guard = 0;
    while next < END && guard < b.len() / ss + 1 {
        let s = sector(next)?;
        difat.extend((0..per - 1).filter_map(|i| u32_at(s, 4 * i)));
        next = u32_at(s, 4 * (per - 1))?;
        guard += 1;
    }
    let num_fat = u32_at(b, 0x2C)? as usize;
    let mut fat: Vec<u32> = Vec::new();
    for &f in difat.iter().filter(|f| **f < END).take(num_fat) {
        let s = sector(f)?;
        fat.extend((0..per).filter_map(|i| u32_at(s, 4 * i)));
    }
    let chain = |start: u32, table: &[u32]| -> Vec<u32> {
        let mut out = Vec::new();
        let mut n = start;
        while n < END && out.len() <= table.len() {
            out.push(n);
            n = table.get(n as usize).copied().unwrap_or(END);
        }
        out
    };
    let read = |start: u32, size: usize| -> Option<Vec<u8>> {
        let mut v = Vec::with_capacity(size.min(b.len()));
        for n in chain(start, &fat) {
            v.extend_from_slice(sector(n)?);
            if v.len() >= size {
                break;
            }
        }
        v.truncate(size);
        Some(v)
    };
    let dir = read(u32_at(b, 0x30)?, b.len())?;
    let entries = dir.chunks_exact(128);
    let name_of = |e: &[u8]| -> String {
        let n = usize::from(u16_at(e, 64).unwrap_or(0))
            .min(64)
            .saturating_sub(2);
        let units: Vec<u16> = (0..n / 2).filter_map(|i| u16_at(e, 2 * i)).collect();
        String::from_utf16_lossy(&units)
    };
    let mut root: Option<(u32, usize)> = None;
    let mut book: Option<(u32, usize)> = None;
    for e in entries {
        let (start, size) = (u32_at(e, 116)?, u32_at(e, 120)? as usize);
        match e[66] {
            5 => root = Some((start, size)),
            2 if book.is_none() && matches!(name_of(e).as_str(), "Workbook" | "Book") => {
                book = Some((start, size))
            }
            _ => {}
        }
    }
    let (start, size) = book?;
    let size = size.min(b.len());
    let cutoff = u32_at(b, 0x38)? as usize;
    if size >= cutoff {
        return read(start, size);
    }
    // A small stream lives in the mini stream, in 64-byte mini sectors.
    let (rs, rsize) = root?;
    let mini = read(rs, rsize.min(b.len()))?;
    let mut mini_fat: Vec<u32> = Vec::new();
    for n in chain(u32_at(b, 0x3C)?, &fat) {
        let s = sector(n)?;
        mini_fat.extend((0..per).filter_map(|i| u32_at(s, 4 * i)));
    }
    let mss = 1usize << u16_at(b, 0x20)?.min(12);
    let mut v = Vec::with_capacity(size);
    for n in chain(start, &mini_fat) {
        let at = (n as usize).checked_mul(mss)?;
        v.extend_from_slice(mini.get(at..at.checked_add(mss)?)?);
        if v.len() >= size {
            break;
        }
    }
    v.truncate(size);
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dimensions_that_wrap_are_refused() {
        // 14-byte DIMENSIONS: rows 10..5 (end before start), columns 0..3.
        let mut d = Vec::new();
        d.extend_from_slice(&10u32.to_le_bytes());
        d.extend_from_slice(&5u32.to_le_bytes());
        d.extend_from_slice(&0u16.to_le_bytes());
        d.extend_from_slice(&3u16.to_le_bytes());
        d.extend_from_slice(&0u16.to_le_bytes());
        assert_eq!(dimensions_area(&d), None);
        let mut ok = Vec::new();
        ok.extend_from_slice(&0u32.to_le_bytes());
        ok.extend_from_slice(&100u32.to_le_bytes());
        ok.extend_from_slice(&0u16.to_le_bytes());
        ok.extend_from_slice(&5u16.to_le_bytes());
        ok.extend_from_slice(&0u16.to_le_bytes());
        assert_eq!(dimensions_area(&ok), Some(500));
    }

    #[test]
    fn not_a_compound_file() {
        assert!(check_xls(b"hello", 10).is_err());
        assert!(check_xls(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0], 10).is_err());
    }
}
