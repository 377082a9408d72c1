//! An XLSX workbook built in the test (a title row, a notes sheet, dates as Excel serial numbers, float
//! amounts) read through the `excel` feature.

use std::io::Write;

use levers_spend::{CheckOptions, check, transactions};

fn cell(r: &str, v: &str) -> String {
    if v.parse::<f64>().is_ok() {
        format!(r#"<c r="{r}"><v>{v}</v></c>"#)
    } else {
        format!(r#"<c r="{r}" t="inlineStr"><is><t>{v}</t></is></c>"#)
    }
}

fn sheet(rows: &[&[&str]]) -> String {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (i, row) in rows.iter().enumerate() {
        let n = i + 1;
        s.push_str(&format!(r#"<row r="{n}">"#));
        for (j, v) in row.iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            let col = (b'A' + j as u8) as char;
            s.push_str(&cell(&format!("{col}{n}"), v));
        }
        s.push_str("</row>");
    }
    s.push_str("</sheetData></worksheet>");
    s
}

pub fn workbook(sheets: &[(&str, String)]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut put = |name: &str, body: &str| {
        z.start_file(name, o).expect("zip entry");
        z.write_all(body.as_bytes()).expect("zip write");
    };
    let mut types = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#,
    );
    let mut wb = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>"#,
    );
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    for (i, (name, _)) in sheets.iter().enumerate() {
        let n = i + 1;
        types.push_str(&format!(r#"<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#));
        wb.push_str(&format!(
            r#"<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>"#
        ));
        rels.push_str(&format!(r#"<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{n}.xml"/>"#));
    }
    types.push_str("</Types>");
    wb.push_str("</sheets></workbook>");
    rels.push_str("</Relationships>");
    put("[Content_Types].xml", &types);
    put(
        "_rels/.rels",
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    );
    put("xl/workbook.xml", &wb);
    put("xl/_rels/workbook.xml.rels", &rels);
    for (i, (_, body)) in sheets.iter().enumerate() {
        put(&format!("xl/worksheets/sheet{}.xml", i + 1), body);
    }
    z.finish().expect("zip finish").into_inner()
}

#[test]
fn xlsx_with_title_rows_serial_dates_and_a_notes_sheet() {
    let data = sheet(&[
        &["Spending over 500 pounds - June 2024"],
        &[],
        &["Supplier Name", "Payment Date", "Amount", "Expense Type"],
        &["ACME LTD", "45444", "1234.56", "Repairs"],
        &["REDACTED", "45445", "-0.30000000000000004", "Care"],
        &["B LTD", "01/06/2024", "500", "Care"],
        &["Total", "", "1734.26", ""],
    ]);
    let notes = sheet(&[&["These data are published under the OGL."]]);
    let bytes = workbook(&[("Notes", notes), ("June", data)]);
    let r = check("june.xlsx", &bytes, &CheckOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.format, "xlsx");
    assert_eq!(r.sheets, ["June"]);
    assert_eq!(r.skipped_sheets, ["Notes"]);
    assert_eq!(r.header_row, 2);
    assert_eq!(r.rows, 3);
    assert_eq!(r.total.pence(), 123_456 - 30 + 50_000);
    assert_eq!(r.redacted_rows, 1);
    let g = r.grand_total.as_ref().expect("total row");
    assert!(g.matched);
    assert!(r.reconciliation.balanced, "{:?}", r.reconciliation);
    let (txs, _) = transactions("june.xlsx", &bytes, &CheckOptions::default()).unwrap();
    assert_eq!(
        txs[0].date.map(|d| d.to_string()),
        Some("2024-06-01".into())
    );
    assert_eq!(txs[0].line, 4);
    assert_eq!(txs[0].sheet.as_deref(), Some("June"));
}

#[test]
fn broken_zip_is_an_error_not_a_panic() {
    let mut bytes = workbook(&[("S", sheet(&[&["Supplier", "Date", "Amount"]]))]);
    bytes.truncate(bytes.len() / 2);
    assert!(check("broken.xlsx", &bytes, &CheckOptions::default()).is_err());
}

#[test]
fn a_pivot_sheet_is_skipped_when_another_sheet_has_the_payments() {
    let pivot = sheet(&[
        &["Row Labels", "Sum of Amount"],
        &["ACME LTD", "1234.56"],
        &["B LTD", "10"],
    ]);
    let data = sheet(&[
        &["Supplier Name", "Payment Date", "Amount"],
        &["ACME LTD", "45444", "1234.56"],
    ]);
    let bytes = workbook(&[("Summary", pivot.clone()), ("Data", data)]);
    let r = check("two.xlsx", &bytes, &CheckOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.sheets, ["Data"]);
    assert_eq!(r.skipped_sheets, ["Summary"]);
    assert_eq!(r.reconciliation.skipped_sheet_records, 3);
    assert!(r.reconciliation.balanced, "{:?}", r.reconciliation);
    assert!(
        r.warnings.iter().any(|w| w.contains("summary")),
        "{:?}",
        r.warnings
    );
    // A workbook that is only a pivot is refused, saying so.
    let only = workbook(&[
        ("Summary", pivot),
        ("Notes", sheet(&[&["Published under the OGL"]])),
    ]);
    let e = check("pivot.xlsx", &only, &CheckOptions::default()).unwrap_err();
    assert!(
        matches!(e, levers_spend::SpendError::SupplierSummary { .. }),
        "{e}"
    );
}
