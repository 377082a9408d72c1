//! Tests of the guarded reader: hostile workbooks are refused with clear errors, ordinary ones read.

use super::crafted::{lie_about_size, ods, sheet_xml, xlsx, zip_of};
use super::*;

fn small() -> Limits {
    Limits {
        max_file_bytes: 1 << 20,
        max_expanded_bytes: 1 << 20,
        max_rows: 1000,
        max_cells: 10_000,
        max_columns: 512,
    }
}

fn text(v: &str) -> String {
    format!(r#"<is><t>{v}</t></is>"#)
}

#[test]
fn an_ordinary_workbook_reads_sparse_rows() {
    let rows = format!(
        r#"<row r="1"><c r="A1" t="inlineStr">{}</c><c r="C1"><v>2.5</v></c></row><row r="4"><c r="B4" t="inlineStr">{}</c></row>"#,
        text("name"),
        text("x")
    );
    let book = xlsx(&[("Data", &sheet_xml(Some("A1:C4"), &rows))], true);
    let sheets = read(&book, &small()).unwrap();
    assert_eq!(sheets.len(), 1);
    assert_eq!(sheets[0].name, "Data");
    let r = &sheets[0].rows;
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].index, 0);
    assert_eq!(r[0].get(0), Some(&Data::String("name".into())));
    assert_eq!(r[0].get(2), Some(&Data::Float(2.5)));
    assert_eq!(r[0].get(1), None);
    assert_eq!(r[1].index, 3);
    assert_eq!(r[1].get(1), Some(&Data::String("x".into())));
}

/// One cell at A1 and one at XFD1048576 (a 17-billion-cell bounding box, and a dimension saying so):
/// read without reserving the box; far columns are ignored, far rows count as one row.
#[test]
fn a_far_corner_cell_reserves_nothing() {
    let rows = format!(
        r#"<row r="1"><c r="A1" t="inlineStr">{}</c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#,
        text("a")
    );
    let book = xlsx(&[("S", &sheet_xml(Some("A1:XFD1048576"), &rows))], true);
    let sheets = read(&book, &small()).unwrap();
    assert_eq!(sheets[0].rows.len(), 1, "XFD is past max_columns");
    let wide = Limits {
        max_columns: 1 << 20,
        ..small()
    };
    let e = read(&book, &wide).unwrap_err();
    assert!(e.0.contains("more than 10000 cells"), "{e}");
}

#[test]
fn rows_and_cells_are_limited() {
    let rows: String = (1..=1500)
        .map(|r| format!(r#"<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>"#))
        .collect();
    let book = xlsx(&[("S", &sheet_xml(None, &rows))], true);
    let e = read(&book, &small()).unwrap_err();
    assert!(e.0.contains("more than 1000 rows"), "{e}");
    let e = read(
        &book,
        &Limits {
            max_file_bytes: 100,
            ..small()
        },
    )
    .unwrap_err();
    assert!(e.0.contains("more than levers reads (at most 100)"), "{e}");
}

/// A sheet that declares 2 KB but inflates to 4 MB: the declared size is not trusted; inflation stops
/// at the 1 MB limit.
#[test]
fn a_part_inflating_past_its_declared_size_is_refused() {
    let big = sheet_xml(None, &"<row/>".repeat(700_000));
    let book = xlsx(&[("S", &big)], true);
    let book = lie_about_size(book, "xl/worksheets/sheet1.xml", 2048);
    let e = read(&book, &small()).unwrap_err();
    assert!(e.0.contains("expands to more than 1048576 bytes"), "{e}");
    // Within the limit but still lying: refused for the lie.
    let lying = lie_about_size(
        xlsx(&[("S", &sheet_xml(None, &"<row/>".repeat(1000)))], true),
        "xl/worksheets/sheet1.xml",
        100,
    );
    let e = read(&lying, &small()).unwrap_err();
    assert!(e.0.contains("declares 100 bytes but holds"), "{e}");
}

/// zip64 parts are counted the same way.
#[test]
fn zip64_parts_are_counted_as_inflated() {
    let parts = vec![
        ("xl/workbook.xml".to_string(), b"<workbook/>".to_vec()),
        ("xl/worksheets/sheet1.xml".to_string(), vec![b' '; 3 << 20]),
    ];
    let book = zip_of(&parts, true, true);
    let e = read(&book, &small()).unwrap_err();
    assert!(e.0.contains("expands to more than"), "{e}");
    let e = check_inflated(&book, 1 << 20).unwrap_err();
    assert!(e.0.contains("expands to more than"), "{e}");
    assert_eq!(
        check_inflated(&book, 4 << 20).unwrap().total,
        (3 << 20) + 11
    );
}

#[test]
fn ods_repeats_are_refused_before_calamine_expands_them() {
    let bomb = ods(
        r#"<table:table table:name="S"><table:table-row table:number-rows-repeated="1000000"><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="1000"/></table:table-row></table:table>"#,
    );
    let e = read(&bomb, &small()).unwrap_err();
    assert!(e.0.contains("cells"), "{e}");
    let fine = ods(
        r#"<table:table table:name="S"><table:table-row><table:table-cell office:value-type="string"><text:p>hello</text:p></table:table-cell><table:table-cell table:number-columns-repeated="1000"/></table:table-row><table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="1024"/></table:table-row></table:table>"#,
    );
    let sheets = read(&fine, &small()).unwrap();
    assert_eq!(sheets[0].rows.len(), 1);
    assert_eq!(
        sheets[0].rows[0].get(0),
        Some(&Data::String("hello".into()))
    );
}

#[test]
fn garbage_is_an_error() {
    assert!(read(b"not a workbook", &small()).is_err());
    assert!(read(&[0xD0, 0xCF, 0x11, 0xE0, 0, 0, 0], &small()).is_err());
    assert_eq!(format(b"PK"), Format::Xlsx);
}
