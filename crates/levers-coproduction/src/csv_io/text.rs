//! Reading a register file's text: its encoding, the guard
//! against spreadsheet formulas taken off again, and yes/no and count cells.

/// Windows-1252's characters for bytes 0x80 to 0x9F (others are as Latin-1).
const CP1252: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

/// UTF-8 (with or without a byte-order mark), or else Windows-1252.
pub(super) fn decode(bytes: &[u8], warnings: &mut Vec<String>) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => {
            warnings.push("the file is not UTF-8: it was read as Windows-1252 (check accented letters and £ signs)".into());
            bytes
                .iter()
                .map(|&b| {
                    if (0x80..0xA0).contains(&b) {
                        CP1252[(b - 0x80) as usize]
                    } else {
                        b as char
                    }
                })
                .collect()
        }
    }
}

/// Whether a spreadsheet could take the text as a formula, even behind quote marks.
pub(super) fn formula_like(s: &str) -> bool {
    s.trim_start_matches('\'').starts_with(['=', '+', '-', '@'])
}

/// Removes the `'` that export puts before formula-like text.
pub(super) fn unguard(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if formula_like(rest) => rest,
        _ => s,
    }
}

pub(super) fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "" | "no" | "n" | "false" | "0" => Some(false),
        "yes" | "y" | "true" | "1" => Some(true),
        _ => None,
    }
}

pub(super) fn parse_count(s: &str) -> Option<u32> {
    let t: String = s.trim().chars().filter(|c| *c != ',').collect();
    if t.is_empty() {
        Some(0)
    } else {
        t.parse().ok()
    }
}
