//! levers-xlsx: a small, dependency-free writer of Office Open XML spreadsheets (.xlsx) for exports.
//!
//! It writes what levers' reports need and nothing more: several sheets of rows, each cell text, a
//! number, an amount of money in pence (shown as pounds), or a fraction (shown as a percentage), a bold
//! header row, column widths and a frozen header. Text is stored inline (no shared-string table) and
//! the package is a ZIP of stored (uncompressed) entries with fixed timestamps, so the same workbook
//! always produces the same bytes. Excel, LibreOffice and calamine read the result.
//!
//! With the `read` feature, [`read`] is the one guarded path by which levers reads workbooks from
//! outside (.xlsx, .xls, .ods): limits on file size, bytes actually inflated, rows and cells.
//!
//! ```
//! use levers_xlsx::{Cell, Workbook};
//! let mut book = Workbook::new();
//! let sheet = book.sheet("Suppliers");
//! sheet.header(["Supplier", "Spend", "Local share"]);
//! sheet.row([Cell::text("Acme Ltd"), Cell::pence(123_456), Cell::percent(0.25)]);
//! let bytes = book.to_bytes();
//! assert_eq!(&bytes[..2], b"PK");
//! ```

#[cfg(feature = "read")]
pub mod read;
mod zip;

use std::fmt::Write as _;

/// One cell's value and how it is shown.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing in this cell.
    Empty,
    /// Text, shown as written.
    Text(String),
    /// Text in bold (for headings and totals).
    Bold(String),
    /// A plain number.
    Number(f64),
    /// An amount of money in pence, stored as pounds and shown as `£#,##0.00`.
    Pence(i64),
    /// A fraction (0.25), shown as a percentage (25.0%).
    Percent(f64),
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }
    pub fn bold(s: impl Into<String>) -> Cell {
        Cell::Bold(s.into())
    }
    pub fn number(n: f64) -> Cell {
        Cell::Number(n)
    }
    pub fn pence(p: i64) -> Cell {
        Cell::Pence(p)
    }
    pub fn percent(f: f64) -> Cell {
        Cell::Percent(f)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }
}
impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}
impl From<f64> for Cell {
    fn from(n: f64) -> Cell {
        Cell::Number(n)
    }
}
impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Number(n as f64)
    }
}
impl From<usize> for Cell {
    fn from(n: usize) -> Cell {
        Cell::Number(n as f64)
    }
}

/// One worksheet: rows of cells, optional column widths, and whether the first row is a frozen header.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    name: String,
    rows: Vec<Vec<Cell>>,
    widths: Vec<f64>,
    frozen_header: bool,
}

impl Sheet {
    /// Adds a bold header row and freezes it (only meaningful as the first row).
    pub fn header<I, S>(&mut self, titles: I) -> &mut Sheet
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        if self.rows.is_empty() {
            self.frozen_header = true;
        }
        self.rows
            .push(titles.into_iter().map(|t| Cell::Bold(t.into())).collect());
        self
    }

    /// Adds a row of cells.
    pub fn row<I, C>(&mut self, cells: I) -> &mut Sheet
    where
        I: IntoIterator<Item = C>,
        C: Into<Cell>,
    {
        self.rows.push(cells.into_iter().map(Into::into).collect());
        self
    }

    /// Sets column widths in characters, first column first.
    pub fn widths(&mut self, widths: &[f64]) -> &mut Sheet {
        self.widths = widths.to_vec();
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn rows(&self) -> &[Vec<Cell>] {
        &self.rows
    }

    fn xml(&self) -> String {
        let mut x = String::with_capacity(256 + self.rows.len() * 64);
        x.push_str(XML_HEAD);
        x.push_str(
            r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
        );
        if self.frozen_header {
            x.push_str(r#"<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>"#);
        }
        if !self.widths.is_empty() {
            x.push_str("<cols>");
            for (i, w) in self.widths.iter().enumerate() {
                let _ = write!(
                    x,
                    r#"<col min="{n}" max="{n}" width="{w}" customWidth="1"/>"#,
                    n = i + 1
                );
            }
            x.push_str("</cols>");
        }
        x.push_str("<sheetData>");
        for (r, row) in self.rows.iter().enumerate() {
            let _ = write!(x, r#"<row r="{}">"#, r + 1);
            for (c, cell) in row.iter().enumerate() {
                let at = format!("{}{}", column_name(c), r + 1);
                match cell {
                    Cell::Empty => {}
                    Cell::Text(s) => {
                        let _ = write!(
                            x,
                            r#"<c r="{at}" t="inlineStr"><is><t xml:space="preserve">{}</t></is></c>"#,
                            escape(s)
                        );
                    }
                    Cell::Bold(s) => {
                        let _ = write!(
                            x,
                            r#"<c r="{at}" s="{STYLE_BOLD}" t="inlineStr"><is><t xml:space="preserve">{}</t></is></c>"#,
                            escape(s)
                        );
                    }
                    Cell::Number(n) => number_cell(&mut x, &at, *n, 0),
                    Cell::Percent(f) => number_cell(&mut x, &at, *f, STYLE_PERCENT),
                    Cell::Pence(p) => {
                        let _ = write!(
                            x,
                            r#"<c r="{at}" s="{STYLE_MONEY}"><v>{}</v></c>"#,
                            pounds(*p)
                        );
                    }
                }
            }
            x.push_str("</row>");
        }
        x.push_str("</sheetData></worksheet>");
        x
    }
}

fn number_cell(x: &mut String, at: &str, n: f64, style: u8) {
    let s = if style == 0 {
        String::new()
    } else {
        format!(r#" s="{style}""#)
    };
    if n.is_finite() {
        let _ = write!(x, r#"<c r="{at}"{s}><v>{n}</v></c>"#);
    } else {
        // Spreadsheets have no infinity or NaN; say what it was instead of writing a broken number.
        let label = if n.is_nan() {
            "n/a"
        } else if n > 0.0 {
            "infinite"
        } else {
            "-infinite"
        };
        let _ = write!(
            x,
            r#"<c r="{at}" t="inlineStr"><is><t>{label}</t></is></c>"#
        );
    }
}

/// Pence as an exact decimal number of pounds: 123456 -> "1234.56", -5 -> "-0.05".
fn pounds(p: i64) -> String {
    let sign = if p < 0 { "-" } else { "" };
    let a = p.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// A spreadsheet of one or more sheets.
#[derive(Debug, Clone, Default)]
pub struct Workbook {
    sheets: Vec<Sheet>,
}

const XML_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
const STYLE_BOLD: u8 = 1;
const STYLE_MONEY: u8 = 2;
const STYLE_PERCENT: u8 = 3;

impl Workbook {
    pub fn new() -> Workbook {
        Workbook::default()
    }

    /// Adds a sheet and returns it. Names are made valid for spreadsheets (at most 31 characters,
    /// none of `[]:*?/\`) and unique (a suffix " (2)" is added when needed).
    pub fn sheet(&mut self, name: &str) -> &mut Sheet {
        let mut clean: String = name
            .chars()
            .map(|c| {
                if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') {
                    '-'
                } else {
                    c
                }
            })
            .collect();
        clean = clean.trim().trim_matches('\'').to_owned();
        if clean.is_empty() {
            clean = format!("Sheet{}", self.sheets.len() + 1);
        }
        let base: String = clean.chars().take(31).collect();
        let mut candidate = base.clone();
        let mut n = 2;
        while self
            .sheets
            .iter()
            .any(|s| s.name.eq_ignore_ascii_case(&candidate))
        {
            let suffix = format!(" ({n})");
            candidate = base.chars().take(31 - suffix.len()).collect::<String>() + &suffix;
            n += 1;
        }
        self.sheets.push(Sheet {
            name: candidate,
            ..Sheet::default()
        });
        self.sheets.last_mut().expect("just pushed")
    }

    pub fn sheets(&self) -> &[Sheet] {
        &self.sheets
    }

    /// The workbook as the bytes of an .xlsx file. A workbook with no sheets gets one empty sheet,
    /// since spreadsheet programs refuse a workbook without any.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut sheets = self.sheets.clone();
        if sheets.is_empty() {
            sheets.push(Sheet {
                name: "Sheet1".into(),
                ..Sheet::default()
            });
        }
        let mut content_types = String::from(XML_HEAD);
        content_types.push_str(concat!(
            r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#,
            r#"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#,
            r#"<Default Extension="xml" ContentType="application/xml"/>"#,
            r#"<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#,
            r#"<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#,
        ));
        let mut workbook = String::from(XML_HEAD);
        workbook.push_str(concat!(
            r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" "#,
            r#"xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>"#
        ));
        let mut rels = String::from(XML_HEAD);
        rels.push_str(r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#);
        for (i, s) in sheets.iter().enumerate() {
            let n = i + 1;
            let _ = write!(
                content_types,
                r#"<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
            );
            let _ = write!(
                workbook,
                r#"<sheet name="{}" sheetId="{n}" r:id="rId{n}"/>"#,
                escape(&s.name)
            );
            let _ = write!(
                rels,
                r#"<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{n}.xml"/>"#
            );
        }
        content_types.push_str("</Types>");
        workbook.push_str("</sheets></workbook>");
        let _ = write!(
            rels,
            r#"<Relationship Id="rId{}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#,
            sheets.len() + 1
        );
        let root_rels = format!(
            "{XML_HEAD}{}",
            concat!(
                r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
                r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>"#,
                "</Relationships>"
            )
        );
        let styles = format!("{XML_HEAD}{STYLES}");

        let mut zip = zip::Writer::default();
        zip.add("[Content_Types].xml", content_types.as_bytes());
        zip.add("_rels/.rels", root_rels.as_bytes());
        zip.add("xl/workbook.xml", workbook.as_bytes());
        zip.add("xl/_rels/workbook.xml.rels", rels.as_bytes());
        zip.add("xl/styles.xml", styles.as_bytes());
        for (i, s) in sheets.iter().enumerate() {
            zip.add(
                &format!("xl/worksheets/sheet{}.xml", i + 1),
                s.xml().as_bytes(),
            );
        }
        zip.finish()
    }
}

/// Cell formats: 0 default, 1 bold, 2 pounds, 3 percentage (indices match the STYLE_ constants).
const STYLES: &str = concat!(
    r#"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
    r#"<numFmts count="2"><numFmt numFmtId="164" formatCode="&quot;£&quot;#,##0.00;\-&quot;£&quot;#,##0.00"/>"#,
    r#"<numFmt numFmtId="165" formatCode="0.0%"/></numFmts>"#,
    r#"<fonts count="2"><font><sz val="11"/><name val="Arial"/></font><font><b/><sz val="11"/><name val="Arial"/></font></fonts>"#,
    r#"<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>"#,
    r#"<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"#,
    r#"<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>"#,
    r#"<cellXfs count="4">"#,
    r#"<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>"#,
    r#"<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>"#,
    r#"<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>"#,
    r#"<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>"#,
    r#"</cellXfs></styleSheet>"#
);

/// Column letters: 0 -> A, 25 -> Z, 26 -> AA.
fn column_name(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ASCII")
}

/// Escapes XML text and drops characters XML 1.0 cannot carry (control characters other than tab,
/// newline and carriage return), which otherwise make spreadsheet programs refuse the file.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(27), "AB");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
    }

    #[test]
    fn pounds_are_exact() {
        assert_eq!(pounds(123_456), "1234.56");
        assert_eq!(pounds(-5), "-0.05");
        assert_eq!(pounds(0), "0.00");
        assert_eq!(pounds(i64::MIN), "-92233720368547758.08");
    }

    #[test]
    fn escaping_and_control_characters() {
        assert_eq!(
            escape("A & B <c> \"d\"\u{1}"),
            "A &amp; B &lt;c&gt; &quot;d&quot;"
        );
    }

    #[test]
    fn sheet_names_are_made_valid_and_unique() {
        let mut b = Workbook::new();
        b.sheet("Spend [2024/25]");
        b.sheet("spend -2024-25-");
        b.sheet(&"x".repeat(40));
        b.sheet(&"x".repeat(40));
        b.sheet("  ");
        let names: Vec<_> = b.sheets().iter().map(|s| s.name().to_owned()).collect();
        assert_eq!(names[0], "Spend -2024-25-");
        assert_eq!(names[1], "spend -2024-25- (2)");
        assert_eq!(names[2].chars().count(), 31);
        assert_eq!(names[3], format!("{} (2)", "x".repeat(27)));
        assert_eq!(names[4], "Sheet5");
    }

    #[test]
    fn sheet_xml_has_typed_cells() {
        let mut b = Workbook::new();
        let s = b.sheet("S");
        s.header(["Name", "Amount"]);
        s.row([Cell::text("a<b"), Cell::pence(-150)]);
        s.row([
            Cell::number(2.5),
            Cell::percent(0.125),
            Cell::Empty,
            Cell::number(f64::NAN),
        ]);
        let x = s.xml();
        assert!(
            x.contains(r#"<c r="A1" s="1" t="inlineStr"><is><t xml:space="preserve">Name</t>"#)
        );
        assert!(x.contains(r#"<c r="B2" s="2"><v>-1.50</v></c>"#));
        assert!(x.contains(r#"<c r="A2" t="inlineStr"><is><t xml:space="preserve">a&lt;b</t>"#));
        assert!(x.contains(r#"<c r="A3"><v>2.5</v></c>"#));
        assert!(x.contains(r#"<c r="B3" s="3"><v>0.125</v></c>"#));
        assert!(!x.contains(r#"r="C3""#));
        assert!(x.contains(r#"<c r="D3" t="inlineStr"><is><t>n/a</t>"#));
        assert!(x.contains(r#"state="frozen""#));
    }

    #[test]
    fn same_workbook_same_bytes_and_a_valid_zip() {
        let make = || {
            let mut b = Workbook::new();
            b.sheet("One").header(["A"]).row([Cell::pence(1)]);
            b.sheet("Two").row(["x"]);
            b.to_bytes()
        };
        let bytes = make();
        assert_eq!(bytes, make());
        let entries = zip::tests::list(&bytes);
        let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "[Content_Types].xml",
                "_rels/.rels",
                "xl/workbook.xml",
                "xl/_rels/workbook.xml.rels",
                "xl/styles.xml",
                "xl/worksheets/sheet1.xml",
                "xl/worksheets/sheet2.xml"
            ]
        );
        let wb = &entries[2].1;
        assert!(
            String::from_utf8_lossy(wb).contains(r#"<sheet name="Two" sheetId="2" r:id="rId2"/>"#)
        );
    }

    #[test]
    fn empty_workbook_still_has_a_sheet() {
        let bytes = Workbook::new().to_bytes();
        let entries = zip::tests::list(&bytes);
        assert!(entries.iter().any(|(n, _)| n == "xl/worksheets/sheet1.xml"));
    }
}
