//! Reading a register file's text: its encoding, the line an editor shows for each record, the guard
//! against spreadsheet formulas taken off again, and yes/no and count cells.

/// Windows-1252's characters for bytes 0x80 to 0x9F (others are as Latin-1).
const CP1252: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

/// The line a person sees a record on in a text editor, from the byte where the CSV reader says the
/// record starts. The csv crate's own line count is a line early after Windows (CRLF) line ends and
/// skips empty lines, so lines are counted here: line breaks (`\n`, `\r\n` or a lone `\r`) before the
/// record's first character, plus one. Records are asked for in order, so the count moves forward only.
pub(super) struct LineOf<'a> {
    text: &'a [u8],
    at: usize,
    line: u64,
}

impl<'a> LineOf<'a> {
    pub(super) fn new(text: &'a [u8]) -> Self {
        LineOf {
            text,
            at: 0,
            line: 1,
        }
    }

    pub(super) fn line_at(&mut self, byte: u64) -> u64 {
        let mut start = (byte as usize).clamp(self.at, self.text.len());
        // The reader's position is where it began looking: before the line end it had not consumed
        // and any empty lines it passed over.
        while start < self.text.len() && matches!(self.text[start], b'\n' | b'\r') {
            start += 1;
        }
        for i in self.at..start {
            let b = self.text[i];
            if b == b'\n' || (b == b'\r' && self.text.get(i + 1) != Some(&b'\n')) {
                self.line += 1;
            }
        }
        self.at = start;
        self.line
    }
}

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
