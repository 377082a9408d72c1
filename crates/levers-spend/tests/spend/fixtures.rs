//! Small files made here, one per kind of mess seen in real transparency files, so a clone without the
//! shared data still tests everything.

use levers_core::Money;
use levers_spend::{
    CheckOptions, Field, RowFlag, SpendError, TotalKind, check, read_transactions, transactions,
};

use crate::{run, run_with};

fn pence(r: &levers_spend::CheckReport) -> i64 {
    r.total.pence()
}

#[test]
fn preamble_cp1252_various_and_trailing_blank_row() {
    // Warwickshire December 2010: two title rows (the £ as byte A3), then the header; a VARIOUS row.
    let mut f: Vec<u8> = Vec::new();
    f.extend_from_slice(b"Warwickshire County Council,,,,,,,\r\n");
    f.extend_from_slice(b"Monthly Expenditure over  \xA3500 - December 2010,,,,,,,\r\n");
    f.extend_from_slice(b"Supplier Name,Supplier ID,Payment Date,Amount,Spend Area, Account Code,Account Description,Internal Reference Number\r\n");
    f.extend_from_slice(b"007 STRATFORD TAXIS LIMITED,C20689,20/12/2010,\"2,310.00\",ENVIRONMENT AND ECONOMY,CF08,SEN UNDER 16,\"PT348115,1\"\r\n");
    f.extend_from_slice(
        b"CAF\xC9 NERO,C1,21/12/2010,\"1,976.00\",ENVIRONMENT AND ECONOMY,CF07,SEN 16 - 19,\"PT348112,1\"\r\n",
    );
    f.extend_from_slice(b"VARIOUS,VARIOUS,VARIOUS,\"3,615.39\",CHILDREN YOUNG PEOPLE AND FAMILIES,5A01,RESIDENTIAL COSTS - GENERAL,VARIOUS\r\n");
    f.extend_from_slice(b",,,,,,,\r\n");
    let r = run("wcc.csv", &f);
    assert_eq!(r.encoding, "windows-1252");
    assert_eq!(r.header_row, 2);
    assert_eq!(r.reconciliation.preamble_records, 2);
    assert_eq!(r.rows, 3);
    assert_eq!(pence(&r), 231_000 + 197_600 + 361_539);
    assert_eq!(
        r.financial_years
            .iter()
            .map(|y| y.to_string())
            .collect::<Vec<_>>(),
        ["2010/11"]
    );
    assert_eq!(r.reconciliation.blank_rows, 1);
    assert_eq!(r.flagged_count, 1);
    assert_eq!(r.flagged[0].flag, RowFlag::VariousDate);
    assert_eq!(r.flagged[0].line, 6);
    let (txs, _) = transactions("wcc.csv", &f, &CheckOptions::default()).unwrap();
    assert_eq!(txs[1].supplier_name, "CAFÉ NERO");
    assert_eq!(txs[2].date, None);
    assert_eq!(txs[0].transaction_number.as_deref(), Some("PT348115,1"));
}

#[test]
fn bom_padded_amounts_and_grand_total_row() {
    // Devon March 2026: BOM, " Amount " header, " 9,999.99 " amounts, a last row that is the grand total.
    let f = "\u{feff}Body,Name of Body,Date,Transaction number, Amount ,Supplier name,Supplier ID\r\n\
18,Devon County Council,02/03/2026,22074502, 519.89 ,TRIP COMMUNITY TRANSPORT,21790\r\n\
18,Devon County Council,31/03/2026,22085635,\" 200,768.88 \",TEIGNBRIDGE DISTRICT COUNCIL,4872\r\n\
,,,,\" 201,288.77 \",,\r\n";
    let r = run("dcc.csv", f.as_bytes());
    assert_eq!(r.encoding, "utf-8-bom");
    assert_eq!(r.rows, 2);
    assert_eq!(pence(&r), 20_128_877);
    assert_eq!(r.reconciliation.total_rows, 1);
    let g = r.grand_total.as_ref().expect("grand total recognised");
    assert!(g.matched);
    assert_eq!(g.line, 4);

    // The same file whose stated total is wrong: still recognised, not added, and reported as a mismatch.
    let bad = f.replace("201,288.77", "201,288.78");
    let r = run("dcc-bad.csv", bad.as_bytes());
    assert_eq!(pence(&r), 20_128_877);
    let g = r.grand_total.as_ref().expect("grand total recognised");
    assert!(!g.matched);
    assert_eq!(g.stated, Money::from_pence(20_128_878));
    assert!(
        r.warnings.iter().any(|w| w.contains("line 4")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn subtotals_grand_total_and_footer_notes() {
    let f = "Supplier,Date,Amount,Directorate\n\
A LTD,01/04/2024,100.00,Adults\n\
B LTD,02/04/2024,50.50,Adults\n\
Sub-total,,150.50,Adults\n\
C LTD,03/04/2024,10.00,Children\n\
Sub-total,,10.00,Children\n\
Grand Total,,160.50,\n\
\n\
Published under the Open Government Licence,,,\n\
TOTAL GAS & POWER LTD,04/04/2024,1.00,Place\n";
    let r = run("subtotals.csv", f.as_bytes());
    assert_eq!(r.rows, 4);
    assert_eq!(pence(&r), 16_150);
    assert_eq!(r.reconciliation.total_rows, 3);
    assert_eq!(r.reconciliation.note_rows, 1);
    assert_eq!(
        r.totals
            .iter()
            .filter(|t| t.kind == TotalKind::Subtotal && t.matched)
            .count(),
        2
    );
    let g = r.grand_total.as_ref().unwrap();
    assert!(g.matched, "{:?}", r.totals);
    assert_eq!(g.line, 7);
    assert_eq!(r.notes[0].line, 9);
    assert_eq!(r.reconciliation.empty_lines, 1);
    assert_eq!(r.reconciliation.physical_lines, 10);
}

#[test]
fn double_encoded_bom_and_text() {
    let f = "\u{ef}\u{bb}\u{bf}Body Name,Invoice Payment Date,Net Amount,Supplier Name\n\
Manchester City Council,2022-05-03,-2500,Redacted Personal Information\n\
Manchester City Council,2022-05-05,1466.53,CafÃ© Ltd\n";
    let r = run("mcc.csv", f.as_bytes());
    assert_eq!(r.encoding, "utf-8-double-encoded-bom");
    assert_eq!(r.rows, 2);
    assert_eq!(r.redacted_rows, 1);
    assert_eq!(r.negatives, 1);
    let (txs, _) = transactions("mcc.csv", f.as_bytes(), &CheckOptions::default()).unwrap();
    assert_eq!(txs[1].supplier_name, "Café Ltd");
    assert_eq!(txs[0].body_name.as_deref(), Some("Manchester City Council"));
}

#[test]
fn delimiters_tab_semicolon_pipe() {
    for d in ['\t', ';', '|'] {
        let f = format!(
            "Supplier Name{d}Payment Date{d}Amount{d}Purpose\nACME, LTD{d}01/06/2024{d}1,234.56{d}Repairs, roof\nB LTD{d}02/06/2024{d}-5.00{d}Refund\n"
        );
        let r = run("d.csv", f.as_bytes());
        assert_eq!(r.delimiter.as_deref(), Some(d.to_string().as_str()));
        assert_eq!(r.rows, 2);
        assert_eq!(pence(&r), 123_456 - 500);
    }
}

#[test]
fn utf16_file() {
    let text = "Supplier Name\tPayment Date\tAmount\r\nACME\t01/06/2024\t£12.00\r\n";
    let mut f = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        f.extend_from_slice(&u.to_le_bytes());
    }
    let r = run("u16.txt", &f);
    assert_eq!(r.encoding, "utf-16le");
    assert_eq!(pence(&r), 1200);
}

#[test]
fn amount_forms() {
    let f = "Supplier,Date,Amount\n\
A,01/01/2024,\"161,413.00-\"\n\
B,01/01/2024,(99.50)\n\
C,01/01/2024,£1000\n\
D,01/01/2024,\" 9,999.99 \"\n\
E,01/01/2024,12.00 CR\n\
F,01/01/2024,815.045\n";
    let mut bytes = f.as_bytes().to_vec();
    // cp1252 £ in an otherwise UTF-8 file.
    bytes.extend_from_slice(b"G,01/01/2024,\xA35.00\n");
    let r = run("amounts.csv", &bytes);
    assert_eq!(r.rows, 7);
    assert_eq!(r.negatives, 3);
    assert_eq!(r.negative_total.pence(), -16_141_300 - 9_950 - 1_200);
    assert_eq!(
        pence(&r),
        -16_141_300 - 9_950 + 100_000 + 999_999 - 1_200 + 81_505 + 500
    );
    assert!(
        r.flagged
            .iter()
            .any(|f| f.flag == RowFlag::RoundedToPenny && f.line == 7)
    );
    assert_eq!(r.mixed_encoding_fields, 1);
}

#[test]
fn date_forms_and_month_first_files() {
    let f = "Supplier,Date,Amount\n\
A,2020-03-02 00:00:00,1\n\
B,43892,1\n\
C,01-JUN-2012,1\n\
D,01-Jun-12,1\n\
E,3/4/12,1\n\
F,2020-03-02T10:00:00Z,1\n\
G,,1\n";
    let (txs, r) = transactions("dates.csv", f.as_bytes(), &CheckOptions::default()).unwrap();
    assert_eq!(r.rows, 7);
    let d: Vec<String> = txs
        .iter()
        .map(|t| t.date.map(|d| d.to_string()).unwrap_or_default())
        .collect();
    assert_eq!(
        d,
        [
            "2020-03-02",
            "2020-03-02",
            "2012-06-01",
            "2012-06-01",
            "2012-04-03",
            "2020-03-02",
            ""
        ]
    );
    assert!(txs[6].flags.contains(&RowFlag::BlankDate));

    let us = "Vendor Name,Check Date,Amount\nA,04/13/2024,1\nB,04/01/2024,1\n";
    let (txs, r) = transactions("us.csv", us.as_bytes(), &CheckOptions::default()).unwrap();
    assert_eq!(r.date_order, levers_spend::DateOrder::MonthFirst);
    assert_eq!(
        txs[1].date.map(|d| d.to_string()),
        Some("2024-04-01".into())
    );
}

#[test]
fn redacted_and_blank_suppliers() {
    let f = "Supplier Name,Date,Amount\n\
REDACTED UNDER DP ACT,01/01/2024,1\n\
Redacted,01/01/2024,1\n\
,01/01/2024,1\n\
INDIVIDUAL CARE SERVICES,01/01/2024,1\n\
REDACTED UNDER DP ACT,01/01/2024,1\n";
    let r = run("red.csv", f.as_bytes());
    assert_eq!(r.redacted_rows, 3);
    assert_eq!(r.blank_supplier_rows, 1);
    assert_eq!(r.redacted_or_blank_supplier_rows, 4);
    assert_eq!(r.distinct_suppliers, 3);
}

#[test]
fn rejected_rows_name_line_field_and_value() {
    let f = "Supplier,Date,Amount\n\
A,01/01/2024,1\n\
B,31/02/2024,1\n\
\"C\nwith a line break\",01/01/2024,abc\n\
D,01/01/2024,\n";
    let r = run("bad.csv", f.as_bytes());
    assert_eq!(r.rows, 1);
    assert_eq!(r.rejected_count, 3);
    assert_eq!(r.rejected[0].line, 3);
    assert_eq!(r.rejected[0].field, Some(Field::Date));
    assert!(
        r.rejected[0].reason.contains("31/02/2024"),
        "{}",
        r.rejected[0].reason
    );
    assert_eq!(r.rejected[1].line, 4);
    assert_eq!(r.rejected[1].field, Some(Field::Amount));
    assert_eq!(
        r.rejected[2].line, 6,
        "line numbers count the line break inside the quoted field"
    );
    assert!(r.rejected[2].reason.contains("blank"));
    assert_eq!(r.reconciliation.physical_lines, 6);
}

#[test]
fn fused_fields_are_repaired_when_unambiguous() {
    // Enough clean rows to learn each column's shape and vocabulary.
    let mut f = String::from(
        "Body,Date,Transaction Number,Amount,Supplier Name,Supplier ID,Expense Area,Expense Type\n",
    );
    for i in 0..40 {
        let area = if i % 2 == 0 {
            "People Services"
        } else {
            "Place Services"
        };
        f.push_str(&format!(
            "18,0{}/10/2012,T{i:05},{}.50,SUPPLIER {i} LTD,{},{area},Type {i}\n",
            1 + i % 9,
            100 + i,
            20000 + i
        ));
    }
    // Line 42: an unquoted comma inside the supplier name split it into two fields; only one join
    // leaves a numeric supplier ID.
    f.push_str("18,05/10/2012,T99001,250.00,SMITH, JONES & CO,23456,People Services,Fees\n");
    // Line 43: the export lost the delimiter between supplier name and supplier ID.
    f.push_str("18,05/10/2012,T99002,260.00,ACME TRADING LTD23457,Place Services,Fees\n");
    // Line 44: an unquoted comma between two free-text columns: "Adults, Health" + "Care Fees" or
    // "Adults" + " Health,Care Fees" both read; ambiguous, so rejected with its line number.
    f.push_str("18,05/10/2012,T99003,270.00,WIDGETS LTD,23458,Adults, Health,Care Fees\n");
    let r = run("fused.csv", f.as_bytes());
    assert_eq!(r.rows, 42, "{:#?}", r.rejected);
    assert_eq!(r.repaired.len(), 2, "{:#?}", r.repaired);
    assert_eq!(r.repaired[0].line, 42);
    assert_eq!(r.repaired[1].line, 43);
    assert_eq!(r.rejected_count, 1);
    assert_eq!(r.rejected[0].line, 44);
    assert!(
        r.rejected[0].reason.contains("fields where the header has"),
        "{}",
        r.rejected[0].reason
    );
    let (txs, _) = transactions("fused.csv", f.as_bytes(), &CheckOptions::default()).unwrap();
    let smith = txs.iter().find(|t| t.line == 42).unwrap();
    assert_eq!(smith.supplier_name, "SMITH, JONES & CO");
    assert_eq!(smith.supplier_id.as_deref(), Some("23456"));
    assert_eq!(smith.amount, Money::from_pence(25_000));
    let acme = txs.iter().find(|t| t.line == 43).unwrap();
    assert_eq!(acme.supplier_name, "ACME TRADING LTD");
    assert_eq!(acme.supplier_id.as_deref(), Some("23457"));
    assert_eq!(acme.expense_area.as_deref(), Some("Place Services"));
    assert!(acme.flags.contains(&RowFlag::Repaired));
}

#[test]
fn trailing_empty_columns_and_leading_label_column() {
    let pad = ",".repeat(120);
    let mut f = format!(
        "\"setparameter select to_char(sysdate,'DD/MM/YYYY' ) as today from dual \",,,,{pad}\n"
    );
    f.push_str(&format!(
        ",Supplier id,Supplier Name,Transno,Amount,Pay Date,Group{pad}\n"
    ));
    f.push_str(&format!(
        "INSERTED DETAIL,228843,1st Care Ltd,51023185,2916.44,16/05/2016,People Group{pad}\n"
    ));
    f.push_str(&format!(
        "INSERTED DETAIL,228844,Redacted,51023186,-16.44,17/05/2016,People Group{pad}\n"
    ));
    f.push_str(&format!(",,,,,,{pad}\n"));
    let r = run("wide.csv", f.as_bytes());
    assert_eq!(r.header_row, 1);
    assert_eq!(r.rows, 2);
    assert_eq!(pence(&r), 290_000);
    assert_eq!(r.redacted_rows, 1);
    assert_eq!(r.reconciliation.blank_rows, 1);
}

#[test]
fn supplier_summary_is_refused() {
    let f = "Supplier Name,Total Spend\nACME LTD,\"12,000.00\"\nB LTD,500.00\nC LTD,700.00\nD LTD,900.00\n";
    let err = check("pivot.csv", f.as_bytes(), &CheckOptions::default()).unwrap_err();
    assert!(matches!(err, SpendError::SupplierSummary { .. }), "{err}");
    assert!(
        err.to_string().contains("summary of totals per supplier"),
        "{err}"
    );
    let f2 = "Row Labels,Sum of Amount,Count of Transactions\nACME,100,2\n";
    assert!(matches!(
        check("pivot2.csv", f2.as_bytes(), &CheckOptions::default()),
        Err(SpendError::SupplierSummary { .. })
    ));
}

#[test]
fn errors_name_the_file_and_what_to_do() {
    let e = check(
        "notes.csv",
        b"just some text\nand more\n",
        &CheckOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, SpendError::NoHeader { .. }));
    assert!(e.to_string().starts_with("notes.csv"));
    assert!(e.to_string().contains("--map"));
    let e = check("e.csv", b"", &CheckOptions::default()).unwrap_err();
    assert!(matches!(e, SpendError::Empty { .. }));
    let e = check(
        "bin.csv",
        b"\x00\x01\x02\x03garbage",
        &CheckOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, SpendError::NotTabular { .. }), "{e}");
    let e = check(
        "nodate.csv",
        b"Supplier,Amount,Area\nA,1,X\nA,2,Y\nA,3,Z\n",
        &CheckOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            SpendError::MissingField {
                field: Field::Date,
                line: 1,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("--map date="), "{e}");
}

#[test]
fn explicit_overrides() {
    let f = "Payee,When,Cost (ex VAT),Notes\nACME,01/01/2024,10.00,x\n";
    let opts = CheckOptions::with_map_specs(&["date=When", "amount=Cost (ex VAT)"]).unwrap();
    let r = run_with("o.csv", f.as_bytes(), &opts);
    assert_eq!(pence(&r), 1000);
    let m = r
        .mapping
        .columns
        .iter()
        .find(|c| c.field == Field::Date)
        .unwrap();
    assert_eq!((m.header.as_str(), m.how), ("When", "override"));
    assert!(CheckOptions::with_map_specs(&["nonsense"]).is_err());
    assert!(CheckOptions::with_map_specs(&["colour=Red"]).is_err());
    let missing = CheckOptions::with_map_specs(&["amount=Cost (ex VAT)", "date=Paid On"]).unwrap();
    let e = check("o.csv", f.as_bytes(), &missing).unwrap_err();
    assert!(matches!(e, SpendError::MapNotFound { .. }), "{e}");
}

#[test]
fn identities_are_stable_across_overlapping_files() {
    let a = "Body,Date,Transaction Number,Amount,Supplier Name\n18,01/01/2024,T1,10,A\n18,02/01/2024,T2,20,B\n";
    let b = "Body,Date,Transaction Number,Amount,Supplier Name\n18,02/01/2024,T2,20,B\n18,03/01/2024,T3,30,C\n";
    let (ta, _) = transactions("a.csv", a.as_bytes(), &CheckOptions::default()).unwrap();
    let (tb, _) = transactions("b.csv", b.as_bytes(), &CheckOptions::default()).unwrap();
    assert_eq!(ta[1].identity, tb[0].identity);
    assert_ne!(ta[0].identity, ta[1].identity);
    // Without transaction numbers, identical rows in one file are told apart by occurrence.
    let c = "Date,Amount,Supplier Name\n01/01/2024,10,A\n01/01/2024,10,A\n";
    let (tc, _) = transactions("c.csv", c.as_bytes(), &CheckOptions::default()).unwrap();
    assert_eq!(format!("{}-2", tc[0].identity), tc[1].identity);
}

#[test]
fn streaming_matches_check() {
    let mut f = String::from("Supplier Name,Date,Amount\n");
    for i in 0..5000 {
        f.push_str(&format!(
            "S{},{:02}/01/2024,{}.{:02}\n",
            i % 97,
            1 + i % 28,
            i,
            i % 100
        ));
    }
    let r = run("many.csv", f.as_bytes());
    let mut n = 0u64;
    let mut sum = 0i64;
    let r2 = read_transactions("many.csv", f.as_bytes(), &CheckOptions::default(), |t| {
        n += 1;
        sum += t.amount.pence();
    })
    .unwrap();
    assert_eq!(n, r.rows);
    assert_eq!(sum, r.total.pence());
    assert_eq!(r2.distinct_suppliers, 97);
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["rows"], 5000);
    assert!(json["mapping"]["columns"].is_array());
    assert!(r.render_text().contains("balanced"));
}
