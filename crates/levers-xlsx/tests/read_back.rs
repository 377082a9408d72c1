//! Reads workbooks written by levers-xlsx back with calamine (the reader levers uses for councils' files).

use calamine::{Data, Reader, Xlsx};
use levers_xlsx::{Cell, Workbook};
use std::io::Cursor;

#[test]
fn calamine_reads_what_we_write() {
    let mut book = Workbook::new();
    book.sheet("Spend & suppliers")
        .header(["Supplier", "Spend", "Share", "Count"])
        .row([
            Cell::text("Acme <Ltd> \u{e9}"),
            Cell::pence(123_456),
            Cell::percent(0.25),
            Cell::number(3.0),
        ])
        .row([
            Cell::text("Total"),
            Cell::pence(-5),
            Cell::Empty,
            Cell::number(f64::INFINITY),
        ]);
    book.sheet("Second").row(["only"]);
    let bytes = book.to_bytes();

    let mut xlsx: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("a readable xlsx");
    assert_eq!(xlsx.sheet_names(), ["Spend & suppliers", "Second"]);
    let range = xlsx
        .worksheet_range("Spend & suppliers")
        .expect("first sheet");
    assert_eq!(range.get_size(), (3, 4));
    assert_eq!(range.get((0, 0)), Some(&Data::String("Supplier".into())));
    assert_eq!(
        range.get((1, 0)),
        Some(&Data::String("Acme <Ltd> \u{e9}".into()))
    );
    assert_eq!(range.get((1, 1)), Some(&Data::Float(1234.56)));
    assert_eq!(range.get((1, 2)), Some(&Data::Float(0.25)));
    assert_eq!(range.get((1, 3)), Some(&Data::Float(3.0)));
    assert_eq!(range.get((2, 1)), Some(&Data::Float(-0.05)));
    assert_eq!(range.get((2, 2)), Some(&Data::Empty));
    assert_eq!(range.get((2, 3)), Some(&Data::String("infinite".into())));
    let second = xlsx.worksheet_range("Second").expect("second sheet");
    assert_eq!(second.get((0, 0)), Some(&Data::String("only".into())));
}
