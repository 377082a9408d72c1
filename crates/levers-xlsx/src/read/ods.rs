//! A size check on an OpenDocument spreadsheet's `content.xml` before calamine reads it. calamine
//! reads every sheet when the workbook is opened and writes out every repeat: a cell with
//! `table:number-columns-repeated="1000000000"`, or a row with `table:number-rows-repeated` of as
//! much, is a billion cells from a few bytes. This walks the tags the way calamine does and adds up
//! the cells each sheet would hold (the rows from its first to its last non-empty one, times its widest
//! row), refusing the file first.

use super::ReadError;

/// Refuses an .ods whose sheets together would hold more than `max_cells` cells.
pub(crate) fn check_ods(content: &[u8], max_cells: u64) -> Result<(), ReadError> {
    let mut total: u64 = 0;
    let mut sheet = Sheet::default();
    let mut row: Option<RowScan> = None;
    let mut at = 0;
    while let Some(open) = memchr(b'<', &content[at..]) {
        let start = at + open + 1;
        let Some(close) = memchr(b'>', &content[start..]) else {
            break;
        };
        let tag = &content[start..start + close];
        at = start + close + 1;
        let self_closing = tag.ends_with(b"/");
        let (name, attrs) = match tag
            .iter()
            .skip(1)
            .position(|b| b.is_ascii_whitespace() || *b == b'/')
        {
            Some(i) => (&tag[..i + 1], &tag[i + 1..]),
            None => (tag, &tag[..0]),
        };
        match name {
            b"table:table-row" if !self_closing => {
                row = Some(RowScan {
                    repeats: repeat(attrs, b"table:number-rows-repeated"),
                    width: 0,
                    pending_empty: 0,
                });
            }
            b"table:table-cell" | b"table:covered-table-cell" => {
                if let Some(r) = row.as_mut() {
                    let n = repeat(attrs, b"table:number-columns-repeated");
                    // calamine keeps a run of empty cells only when a non-empty one follows.
                    let empty = self_closing && !has(attrs, b"office:value-type");
                    if empty {
                        r.pending_empty = r.pending_empty.saturating_add(n);
                    } else {
                        r.width = r.width.saturating_add(r.pending_empty).saturating_add(n);
                        r.pending_empty = 0;
                    }
                }
            }
            b"/table:table-row" => {
                if let Some(r) = row.take() {
                    sheet.row(r.repeats, r.width);
                }
            }
            b"/table:table" => {
                total = total.saturating_add(sheet.cells());
                sheet = Sheet::default();
            }
            _ => {}
        }
        if total.saturating_add(sheet.cells()) > max_cells {
            return Err(ReadError(format!(
                "the spreadsheet's sheets span more than {max_cells} cells (counting repeated rows and columns), more than levers reads; save the sheet you need as CSV"
            )));
        }
    }
    Ok(())
}

struct RowScan {
    repeats: u64,
    width: u64,
    pending_empty: u64,
}

/// One sheet's extent so far: rows seen, the first and last non-empty ones, and the widest.
#[derive(Default)]
struct Sheet {
    rows: u64,
    first: Option<u64>,
    end: u64,
    width: u64,
}

impl Sheet {
    fn row(&mut self, repeats: u64, width: u64) {
        if width > 0 {
            self.first.get_or_insert(self.rows);
            self.end = self.rows.saturating_add(repeats);
            self.width = self.width.max(width);
        }
        self.rows = self.rows.saturating_add(repeats);
    }

    fn cells(&self) -> u64 {
        match self.first {
            Some(first) => (self.end - first).saturating_mul(self.width),
            None => 0,
        }
    }
}

/// The number in attribute `key` (1 when absent or not a number: calamine then stops with an error).
fn repeat(attrs: &[u8], key: &[u8]) -> u64 {
    attr(attrs, key)
        .and_then(|v| std::str::from_utf8(v).ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(1)
}

fn has(attrs: &[u8], key: &[u8]) -> bool {
    attr(attrs, key).is_some()
}

/// The value of attribute `key` in a tag's attribute text.
fn attr<'a>(attrs: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let mut from = 0;
    while let Some(i) = find(&attrs[from..], key) {
        let at = from + i;
        let before_ok = at == 0 || attrs[at - 1].is_ascii_whitespace();
        let rest = &attrs[at + key.len()..];
        let rest_trim = rest
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .map_or(&rest[rest.len()..], |p| &rest[p..]);
        if before_ok && rest_trim.first() == Some(&b'=') {
            let v = &rest_trim[1..];
            let v = &v[v
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .unwrap_or(v.len())..];
            let quote = *v.first()?;
            if quote != b'"' && quote != b'\'' {
                return None;
            }
            let end = memchr(quote, &v[1..])?;
            return Some(&v[1..1 + end]);
        }
        from = at + key.len();
    }
    None
}

fn memchr(b: u8, s: &[u8]) -> Option<usize> {
    s.iter().position(|x| *x == b)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(rows: &str) -> Vec<u8> {
        format!("<office:body><table:table table:name=\"S\">{rows}</table:table></office:body>")
            .into_bytes()
    }

    #[test]
    fn trailing_empty_repeats_cost_nothing() {
        let c = sheet(concat!(
            r#"<table:table-row><table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>"#,
            r#"<table:table-cell table:number-columns-repeated="16383"/></table:table-row>"#,
            r#"<table:table-row table:number-rows-repeated="1048575"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>"#
        ));
        assert!(check_ods(&c, 10).is_ok());
    }

    #[test]
    fn repeated_non_empty_cells_are_counted() {
        let c = sheet(
            r#"<table:table-row table:number-rows-repeated="100000"><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="100000"/></table:table-row>"#,
        );
        let e = check_ods(&c, 1_000_000).unwrap_err();
        assert!(e.0.contains("more than 1000000 cells"), "{e}");
        // Empty rows between non-empty ones are held too.
        let c = sheet(concat!(
            r#"<table:table-row><table:table-cell office:value-type="string"><text:p>a</text:p></table:table-cell></table:table-row>"#,
            r#"<table:table-row table:number-rows-repeated="5000000"><table:table-cell/></table:table-row>"#,
            r#"<table:table-row><table:table-cell table:number-columns-repeated="3"/><table:table-cell office:value-type="string"><text:p>b</text:p></table:table-cell></table:table-row>"#
        ));
        assert!(check_ods(&c, 1_000_000).is_err());
        assert!(check_ods(&c, 100_000_000).is_ok());
    }
}
