//! An XLSX workbook built in the test (a title row, a notes sheet, dates as Excel serial numbers, float
//! amounts) read through the `excel` feature.

use std::io::Write;

use levers_spend::{CheckOptions, check, transactions};

fn cell(r: &str, v: &str) -> String {
    if let Some(d) = v.strip_prefix("d:") {
        // A number formatted as a date (style 1 is dd/mm/yyyy).
        format!(r#"<c r="{r}" s="1"><v>{d}</v></c>"#)
    } else if v.parse::<f64>().is_ok() {
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
    workbook_with(sheets, false)
}

/// A workbook, in Excel's 1904 date system (older Mac workbooks) when `date1904`.
pub fn workbook_with(sheets: &[(&str, String)], date1904: bool) -> Vec<u8> {
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
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#,
    );
    if date1904 {
        wb.push_str(r#"<workbookPr date1904="1"/>"#);
    }
    wb.push_str("<sheets>");
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
    types.push_str(r#"<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#);
    rels.push_str(r#"<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#);
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
    put(
        "xl/styles.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>"#,
    );
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

/// A sheet that declares 2 KB but inflates to 6 MB: the declared size is not trusted (the bytes are
/// counted as they inflate), so it is refused instead of being read past what the guard checked.
#[test]
fn a_part_inflating_past_its_declared_size_is_refused() {
    use levers_xlsx::read::crafted::{lie_about_size, xlsx};
    let rows = sheet(&[
        &["Supplier", "Date", "Amount"],
        &["Acme", "01/06/2024", "600"],
    ]);
    let padded = rows.replace(
        "</worksheet>",
        &format!("<!--{}--></worksheet>", " ".repeat(6 << 20)),
    );
    let book = lie_about_size(
        xlsx(&[("S", &padded)], true),
        "xl/worksheets/sheet1.xml",
        2048,
    );
    let e = check("bomb.xlsx", &book, &CheckOptions::default()).unwrap_err();
    assert!(e.to_string().contains("declares 2048 bytes"), "{e}");
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

/// Excel's 1904 date system: the same day is 1,462 lower than in the 1900 system. Time-only cells
/// (a date-formatted 0, shown 00:00:00) are no date, and said so.
#[test]
fn the_1904_date_system_and_time_only_cells() {
    let rows: &[&[&str]] = &[
        &["Supplier Name", "Payment Date", "Amount"],
        // 2024-06-01 is 45444 in the 1900 system, 43982 in the 1904 one.
        &["ACME LTD", "d:43982", "100"],
        &["B LTD", "d:0", "200"],
    ];
    let bytes = workbook_with(&[("Data", sheet(rows))], true);
    let (txs, r) = transactions("mac.xlsx", &bytes, &CheckOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.rows, 2);
    assert_eq!(
        txs[0].date.map(|d| d.to_string()),
        Some("2024-06-01".into())
    );
    assert_eq!(txs[1].date, None);
    assert!(txs[1].flags.contains(&levers_spend::RowFlag::TimeOnlyDate));
    // The same day number in the 1900 system.
    let rows: &[&[&str]] = &[
        &["Supplier Name", "Payment Date", "Amount"],
        &["ACME LTD", "d:45444", "100"],
    ];
    let (txs, _) = transactions(
        "pc.xlsx",
        &workbook_with(&[("Data", sheet(rows))], false),
        &CheckOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        txs[0].date.map(|d| d.to_string()),
        Some("2024-06-01".into())
    );
}

fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, body) in files {
        z.start_file(*name, o).expect("zip entry");
        z.write_all(body).expect("zip write");
    }
    z.finish().expect("zip finish").into_inner()
}

/// A council's year as a zip of monthly files (a CSV and a workbook), with a readme and a logo: each
/// spending file inside is read and named, the others are not, and rows are located by file.
#[test]
fn a_zip_archive_of_spending_files_reads_each_inside() {
    let april = b"Supplier Name,Payment Date,Amount\r\nACME LTD,01/04/2024,100.00\r\nB LTD,02/04/2024,oops\r\n";
    let may = workbook(&[(
        "May",
        sheet(&[
            &["Supplier Name", "Payment Date", "Amount"],
            &["C LTD", "45413", "300"],
        ]),
    )]);
    let bytes = zip_of(&[
        ("2024/april.csv", april),
        ("2024/may.xlsx", &may),
        ("README.txt", b"These files are published under the OGL.\n"),
        ("logo.png", b"\x89PNG"),
    ]);
    let r =
        check("spend-2024.zip", &bytes, &CheckOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.members, ["2024/april.csv", "2024/may.xlsx"]);
    assert_eq!(r.skipped_members, ["logo.png", "README.txt"]);
    assert_eq!(r.rows, 2);
    assert_eq!(r.total.pence(), 40_000);
    assert!(r.reconciliation.balanced, "{:?}", r.reconciliation);
    assert_eq!(r.rejected[0].line, 3);
    assert_eq!(r.rejected[0].sheet.as_deref(), Some("2024/april.csv"));
    assert!(
        r.render_text()
            .contains("read inside the zip: 2024/april.csv, 2024/may.xlsx")
    );
    // One file in a zip reads as that file.
    let one = zip_of(&[("april.csv", april)]);
    let r = check("one.zip", &one, &CheckOptions::default()).unwrap();
    assert_eq!((r.rows, r.members.len()), (1, 1));
    assert_eq!(r.rejected[0].sheet, None);
    // A zip with nothing to read says so.
    let e = check(
        "pics.zip",
        &zip_of(&[("logo.png", b"x")]),
        &CheckOptions::default(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("no CSV or spreadsheet"), "{e}");
}

/// An OpenDocument spreadsheet (LibreOffice's .ods), with a title row, a date cell and a text date.
#[test]
fn an_opendocument_spreadsheet_reads() {
    let cell = |v: &str| {
        if let Some(d) = v.strip_prefix("date:") {
            format!(
                r#"<table:table-cell office:value-type="date" office:date-value="{d}"><text:p>{d}</text:p></table:table-cell>"#
            )
        } else if v.parse::<f64>().is_ok() {
            format!(
                r#"<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>"#
            )
        } else {
            format!(
                r#"<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>"#
            )
        }
    };
    let rows: &[&[&str]] = &[
        &["Expenditure over 500 pounds"],
        &["Supplier Name", "Payment Date", "Amount"],
        &["ACME LTD", "date:2024-06-01", "1234.56"],
        &["B LTD", "03/06/2024", "-10"],
    ];
    let mut body = String::new();
    for r in rows {
        body.push_str("<table:table-row>");
        for v in *r {
            body.push_str(&cell(v));
        }
        body.push_str("</table:table-row>");
    }
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="June">{body}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let bytes = zip_of(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        ),
        ("content.xml", content.as_bytes()),
        ("META-INF/manifest.xml", manifest.as_bytes()),
    ]);
    let (txs, r) = transactions("june.ods", &bytes, &CheckOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.format, "ods");
    assert_eq!(r.sheets, ["June"]);
    assert_eq!(r.rows, 2);
    assert_eq!(r.total.pence(), 123_456 - 1_000);
    assert_eq!(
        txs[0].date.map(|d| d.to_string()),
        Some("2024-06-01".into())
    );
    assert_eq!(txs[1].line, 4);
}
