//! Telling which text encoding a file is in (UTF-8, with BOM, with a double-encoded BOM, Windows-1252,
//! UTF-16) and decoding its fields.

use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1252};
use serde::Serialize;

/// The encoding a file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TextEncoding {
    Utf8,
    /// UTF-8 starting with the byte-order mark EF BB BF.
    Utf8Bom,
    /// UTF-8 starting with C3 AF C2 BB C2 BF: a BOM that was read as Windows-1252 and written again as
    /// UTF-8. Other text in such a file may be double-encoded too and is repaired field by field.
    Utf8DoubleBom,
    /// Windows-1252 (the £ sign as byte A3). Fields that are valid multi-byte UTF-8 are read as UTF-8.
    Windows1252,
    Utf16Le,
    Utf16Be,
    /// A spreadsheet (XLS/XLSX) holds its own text encoding.
    Spreadsheet,
}

impl TextEncoding {
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Utf8Bom => "utf-8-bom",
            TextEncoding::Utf8DoubleBom => "utf-8-double-encoded-bom",
            TextEncoding::Windows1252 => "windows-1252",
            TextEncoding::Utf16Le => "utf-16le",
            TextEncoding::Utf16Be => "utf-16be",
            TextEncoding::Spreadsheet => "spreadsheet",
        }
    }
}

/// Detects the encoding; returns it and the number of leading BOM bytes to skip.
pub(crate) fn detect(bytes: &[u8]) -> (TextEncoding, usize) {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        let rest = &bytes[3..];
        return if std::str::from_utf8(rest).is_ok() {
            (TextEncoding::Utf8Bom, 3)
        } else {
            (TextEncoding::Windows1252, 3)
        };
    }
    if bytes.starts_with(&[0xC3, 0xAF, 0xC2, 0xBB, 0xC2, 0xBF]) {
        return (TextEncoding::Utf8DoubleBom, 6);
    }
    if bytes.starts_with(&[0xFF, 0xFE]) {
        return (TextEncoding::Utf16Le, 2);
    }
    if bytes.starts_with(&[0xFE, 0xFF]) {
        return (TextEncoding::Utf16Be, 2);
    }
    // UTF-16 without a BOM: every other byte of the first line is NUL.
    let head = &bytes[..bytes.len().min(64)];
    if head.len() >= 8 {
        let even_nul = head.iter().step_by(2).filter(|b| **b == 0).count();
        let odd_nul = head.iter().skip(1).step_by(2).filter(|b| **b == 0).count();
        let half = head.len() / 2;
        if odd_nul * 10 >= half * 9 && even_nul == 0 {
            return (TextEncoding::Utf16Le, 0);
        }
        if even_nul * 10 >= half * 9 && odd_nul == 0 {
            return (TextEncoding::Utf16Be, 0);
        }
    }
    if std::str::from_utf8(bytes).is_ok() {
        (TextEncoding::Utf8, 0)
    } else {
        (TextEncoding::Windows1252, 0)
    }
}

/// Whole-file transcoding for UTF-16 input (the CSV reader works on UTF-8 bytes).
pub(crate) fn transcode_utf16(enc: TextEncoding, bytes: &[u8]) -> String {
    let e = if enc == TextEncoding::Utf16Be {
        UTF_16BE
    } else {
        UTF_16LE
    };
    let (text, _) = e.decode_without_bom_handling(bytes);
    text.into_owned()
}

/// Decodes one field into `out` (appending). Returns true when the field was not in the file's main
/// encoding (a Windows-1252 field in a UTF-8 file or the reverse), so the report can count them.
pub(crate) fn decode_field(enc: TextEncoding, field: &[u8], out: &mut String) -> bool {
    if field.is_ascii() {
        // SAFETY-free: ASCII is valid UTF-8.
        if let Ok(s) = std::str::from_utf8(field) {
            out.push_str(s);
        }
        return false;
    }
    match enc {
        TextEncoding::Windows1252 => {
            if let Ok(s) = std::str::from_utf8(field) {
                out.push_str(s);
                true
            } else {
                out.push_str(&WINDOWS_1252.decode_without_bom_handling(field).0);
                false
            }
        }
        TextEncoding::Utf8DoubleBom => match std::str::from_utf8(field) {
            Ok(s) => {
                out.push_str(&undo_double_encoding(s));
                false
            }
            Err(_) => {
                out.push_str(&WINDOWS_1252.decode_without_bom_handling(field).0);
                true
            }
        },
        _ => match std::str::from_utf8(field) {
            Ok(s) => {
                out.push_str(s);
                false
            }
            Err(_) => {
                out.push_str(&WINDOWS_1252.decode_without_bom_handling(field).0);
                true
            }
        },
    }
}

/// "Â£12" back to "£12" when text was UTF-8 read as Windows-1252 and saved as UTF-8 again; text that
/// does not round-trip is left as it is.
pub(crate) fn undo_double_encoding(s: &str) -> std::borrow::Cow<'_, str> {
    if s.is_ascii() {
        return std::borrow::Cow::Borrowed(s);
    }
    let (bytes, _, had_errors) = WINDOWS_1252.encode(s);
    if had_errors {
        return std::borrow::Cow::Borrowed(s);
    }
    match String::from_utf8(bytes.into_owned()) {
        Ok(fixed) => std::borrow::Cow::Owned(fixed),
        Err(_) => std::borrow::Cow::Borrowed(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_encoding() {
        assert_eq!(detect(b"a,b\n1,2\n"), (TextEncoding::Utf8, 0));
        assert_eq!(detect(b"\xEF\xBB\xBFa,b\n"), (TextEncoding::Utf8Bom, 3));
        assert_eq!(
            detect(b"\xC3\xAF\xC2\xBB\xC2\xBFa,b\n"),
            (TextEncoding::Utf8DoubleBom, 6)
        );
        assert_eq!(detect(b"over \xA3500,b\n"), (TextEncoding::Windows1252, 0));
        assert_eq!(detect(b"\xFF\xFEa\0,\0b\0"), (TextEncoding::Utf16Le, 2));
        assert_eq!(detect(b"a\0,\0b\0\n\0c\0,\0"), (TextEncoding::Utf16Le, 0));
    }

    #[test]
    fn decodes_fields() {
        let mut s = String::new();
        assert!(!decode_field(TextEncoding::Windows1252, b"\xA3500", &mut s));
        assert_eq!(s, "£500");
        s.clear();
        assert!(decode_field(TextEncoding::Utf8, b"Children\x92s", &mut s));
        assert_eq!(s, "Children’s");
        s.clear();
        decode_field(TextEncoding::Utf8DoubleBom, "Â£12".as_bytes(), &mut s);
        assert_eq!(s, "£12");
        s.clear();
        decode_field(TextEncoding::Utf8DoubleBom, "Café".as_bytes(), &mut s);
        assert_eq!(s, "Café");
    }
}
