//! CSV cells safe to open in a spreadsheet: text that a spreadsheet would read as a formula
//! (starting `=`, `+`, `-` or `@`, and not a number) gets a leading apostrophe, and cells holding a
//! comma, quote or line break are quoted. The one guard every CSV levers writes for people uses.

/// One CSV cell, guarded against formula injection and quoted when needed.
pub fn cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) && s.parse::<f64>().is_err() {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formulas_are_defused_and_numbers_kept() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("-12.50"), "-12.50");
        assert_eq!(cell("+44 1234"), "'+44 1234");
        assert_eq!(cell("Acme, Ltd"), "\"Acme, Ltd\"");
        assert_eq!(cell("plain"), "plain");
    }
}
