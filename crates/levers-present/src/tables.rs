//! Tables of figures (`levers_core::table`) written out: one table as CSV (money as pounds to the
//! penny, shares as fractions, text guarded against formulas) and any number as an XLSX workbook,
//! one sheet each, with money and shares formatted.

use levers_core::table::{Table, Value};
use levers_xlsx::{Cell, Workbook};

fn pounds(p: i64) -> String {
    let sign = if p < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", (p / 100).abs(), (p % 100).abs())
}

/// The table as CSV with its header (CRLF line ends, as the other exports).
pub fn csv(t: &Table) -> String {
    let mut o = String::new();
    let line = |cells: Vec<String>| cells.join(",") + "\r\n";
    o.push_str(&line(
        t.header.iter().map(|h| levers_core::csv::cell(h)).collect(),
    ));
    for r in &t.rows {
        o.push_str(&line(
            r.iter()
                .map(|v| match v {
                    Value::Empty => String::new(),
                    Value::Text(s) => levers_core::csv::cell(s),
                    Value::Number(n) => n.to_string(),
                    Value::Pence(p) => pounds(*p),
                    Value::Share(s) => format!("{s:.4}"),
                })
                .collect(),
        ));
    }
    o
}

/// The tables as one workbook, a sheet each (empty tables keep their header).
pub fn workbook(tables: &[Table]) -> Vec<u8> {
    let mut wb = Workbook::new();
    for t in tables {
        let s = wb.sheet(&t.name);
        s.header(t.header.iter().map(String::as_str));
        for r in &t.rows {
            s.row(r.iter().map(|v| match v {
                Value::Empty => Cell::Empty,
                Value::Text(s) => Cell::text(s.as_str()),
                Value::Number(n) => Cell::number(*n),
                Value::Pence(p) => Cell::pence(*p),
                Value::Share(s) => Cell::percent(*s),
            }));
        }
    }
    wb.to_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_writes_pounds_shares_and_guards_text() {
        let mut t = Table::new("T", &["a", "b", "c", "d"]);
        t.push(vec![
            Value::text("=SUM(A1)"),
            Value::Pence(-1_205),
            Value::Share(0.25),
            Value::Empty,
        ]);
        assert_eq!(csv(&t), "a,b,c,d\r\n'=SUM(A1),-12.05,0.2500,\r\n");
        assert!(workbook(&[t]).starts_with(b"PK"));
    }
}
