//! Layouts seen in real councils' files, each built here in the shape of a real file: the LGA national
//! schema (Trafford), columns no header names, a header below the listing, a second header part-way
//! down, cells under unnamed header columns, time-only and month-only dates, dates with a separator
//! missing, older finance systems' headers, and listings of which nothing reads.

use levers_spend::{CheckOptions, Field, RowFlag, SpendError, check, transactions};

use crate::{run, run_with};

/// Trafford's shape: the LGA national spend schema's camel-case headers, CRLF, `NA` for a missing VAT
/// number or ProClass code, an `InvoiceNumber` column the schema does not list.
pub const LGA: &str = "OrganisationLabel,OrganisationURI,EffectiveDate,OrganisationalUnit,BeneficiaryName,BeneficiaryOtherID,PaymentDate,TransactionNumber,Amount,IrrecoverableVATAmount,Purpose,ProclassLabel,ProclassCode,InvoiceNumber,ProfitCentre,VATRegistrationNumber\r\n\
Trafford Council,https://opendatacommunities.org/id/metropolitan-district-council/trafford,2026-03-31,LIFT REPAIRS & MTCE,VLC (Stairlifts) Limited,3536,2026-03-31,5100505736,2850.00,0.00,CLIENTS LIFT REP & M,SOCIAL CARE : Equipment,321311,68528,250210,GB812311285\r\n\
Trafford Council,https://opendatacommunities.org/id/metropolitan-district-council/trafford,2026-03-31,LIFT REPAIRS & MTCE,VLC (Stairlifts) Limited,3536,2026-03-31,5100505737,664.17,0.00,CLIENTS LIFT REP & M,Not Classified,NA,68534,250210,NA\r\n\
Trafford Council,https://opendatacommunities.org/id/metropolitan-district-council/trafford,2026-03-31,ADULT SOCIAL CARE,Redacted,0,2026-03-30,5100505781,-1150.00,0.00,Care,FACILITIES MGT : Lifts,191400,68537,250210,NA\r\n";

#[test]
fn the_lga_national_schema_reads_without_map() {
    let r = run("trafford.csv", LGA.as_bytes());
    assert_eq!(r.rows, 3);
    assert_eq!(r.total.pence(), 285_000 + 66_417 - 115_000);
    assert_eq!(r.redacted_rows, 1);
    let (txs, _) = transactions("trafford.csv", LGA.as_bytes(), &CheckOptions::default()).unwrap();
    assert_eq!(txs[0].proclass_code.as_deref(), Some("321311"));
    assert_eq!(
        txs[0].proclass_label.as_deref(),
        Some("SOCIAL CARE : Equipment")
    );
    assert_eq!(txs[0].category(), Some("SOCIAL CARE : Equipment"));
    assert_eq!(txs[0].vat_number.as_deref(), Some("GB812311285"));
    assert_eq!(txs[0].supplier_id.as_deref(), Some("3536"));
    assert_eq!(txs[0].expense_area.as_deref(), Some("LIFT REPAIRS & MTCE"));
    assert_eq!(txs[0].invoice_number.as_deref(), Some("68528"));
    assert_eq!(txs[1].vat_number, None);
    assert_eq!(txs[1].proclass_code, None);
    assert_eq!(txs[1].proclass_label.as_deref(), Some("Not Classified"));
    assert_eq!(txs[1].category(), None);
    assert_eq!(
        txs[2].date.map(|d| d.to_string()),
        Some("2026-03-30".into())
    );
    // Lines are the editor's, CRLF or not.
    assert_eq!(txs.iter().map(|t| t.line).collect::<Vec<_>>(), [2, 3, 4]);
}

#[test]
fn an_na_proclass_label_is_no_category() {
    // Trafford writes "NA" as the label (and code) of payments it has not classified.
    let f = format!(
        "{}Trafford Council,https://opendatacommunities.org/id/metropolitan-district-council/trafford,2025-04-30,CHILDRENS SERVICES,A Supplier Ltd,4410,2025-04-30,5100400001,120.00,0.00,Fees,NA,NA,70001,250210,NA\r\n",
        LGA.lines().next().unwrap().to_string() + "\n"
    );
    let (txs, _) = transactions("trafford.csv", f.as_bytes(), &CheckOptions::default()).unwrap();
    assert_eq!(txs.len(), 1);
    assert_eq!(txs[0].proclass_label, None);
    assert_eq!(txs[0].proclass_code, None);
    assert_eq!(txs[0].category(), None);
}

#[test]
fn older_finance_system_headers_map() {
    // An Agresso export: the supplier's name is the text of its Ap/Ar ID.
    let f = "Entity Name,Ap/Ar ID,Ap/Ar ID(T),PymtDate,Pymt Amt\n\
             Borough Council,40012,ACME LTD,03/04/2023,100.00\n\
             Borough Council,40013,B AND C LTD,04/04/2023,250.50\n";
    let r = run("agresso.csv", f.as_bytes());
    assert_eq!(r.rows, 2);
    assert_eq!(r.mapping.column(Field::SupplierName), Some(2));
    assert_eq!(r.mapping.column(Field::SupplierId), Some(1));
    assert_eq!(r.mapping.column(Field::Date), Some(3));
    assert_eq!(r.mapping.column(Field::Amount), Some(4));
}

#[test]
fn columns_no_header_names_are_found_by_what_they_hold() {
    // A small body's own export: labels the synonym table does not know.
    let f = "Ref,Posted,Paid To,Cost,Area\n\
             100234,01/04/2024,ACME LTD,\"1,234.56\",Adults\n\
             100235,02/04/2024,Bolton Community Trust,500.00,Adults\n\
             100236,15/04/2024,J Smith & Co,-20.10,Children\n\
             100237,30/04/2024,ACME LTD,99.99,Adults\n";
    let r = run("own.csv", f.as_bytes());
    assert_eq!(r.rows, 4);
    assert_eq!(r.total.pence(), 123_456 + 50_000 - 2_010 + 9_999);
    for (field, col) in [
        (Field::Date, 1),
        (Field::SupplierName, 2),
        (Field::Amount, 3),
    ] {
        let c = r
            .mapping
            .columns
            .iter()
            .find(|c| c.field == field)
            .unwrap_or_else(|| panic!("{field} not mapped"));
        assert_eq!((c.column, c.how), (col, "content"), "{field}");
        assert!(c.why.as_deref().is_some_and(|w| w.contains("values")));
    }
    let text = r.render_text();
    assert!(text.contains("content: no header names it"), "{text}");
}

#[test]
fn every_missing_required_field_is_named_at_once() {
    let e = check(
        "codes.csv",
        b"Cost Centre Code,Amount,Ref\n101,10.00,7\n102,20.00,8\n",
        &CheckOptions::default(),
    )
    .unwrap_err();
    let SpendError::MissingField { ref fields, .. } = e else {
        panic!("{e}")
    };
    assert_eq!(fields, "date or supplier_name");
    let m = e.to_string();
    assert!(
        m.contains("--map date=") && m.contains("--map supplier_name="),
        "{m}"
    );
    assert!(m.contains("\"Cost Centre Code\""), "{m}");
}

#[test]
fn a_header_on_the_last_line_reads_the_rows_above_it() {
    // Short listing: title, rows, then the header as its last line.
    let f = "Payments over 500 - April 2024\n\
             ACME LTD,01/04/2024,100.00\n\
             B LTD,02/04/2024,200.00\n\
             Supplier Name,Payment Date,Amount\n";
    let r = run("bottom.csv", f.as_bytes());
    assert_eq!(r.rows, 2);
    assert_eq!(r.reconciliation.preamble_records, 1);
    assert_eq!(r.header_row, 3);
    assert!(
        r.warnings.iter().any(|w| w.contains("below")),
        "{:?}",
        r.warnings
    );
    // Long listing: far more rows than are searched at the top.
    let mut f = String::new();
    for i in 0..150 {
        f.push_str(&format!(
            "SUPPLIER {i} LTD,{:02}/05/2024,{i}.50\n",
            i % 28 + 1
        ));
    }
    f.push_str("Supplier Name,Payment Date,Amount\n");
    let r = run("long-bottom.csv", f.as_bytes());
    assert_eq!(r.rows, 150);
    assert_eq!(r.reconciliation.preamble_records, 0);
}

#[test]
fn a_second_header_part_way_down_switches_layout() {
    // Two months pasted into one sheet, the second from a new finance system with its own columns.
    let f = "Supplier Name,Payment Date,Amount\n\
             ACME LTD,01/04/2024,100.00\n\
             B LTD,02/04/2024,200.00\n\
             \n\
             Transaction No,Payment Date,Vendor Name,Service,Net Amount\n\
             T1,01/05/2024,C LTD,Adults,300.00\n\
             T2,02/05/2024,D LTD,Children,400.00\n";
    let r = run("two-layouts.csv", f.as_bytes());
    assert_eq!(r.rows, 4, "{:?}", r.rejected);
    assert_eq!(r.total.pence(), 100_000);
    assert_eq!(r.reconciliation.header_records, 2);
    let (txs, _) = transactions("two-layouts.csv", f.as_bytes(), &CheckOptions::default()).unwrap();
    assert_eq!(txs[2].supplier_name, "C LTD");
    assert_eq!(txs[2].transaction_number.as_deref(), Some("T1"));
    assert_eq!(txs[3].line, 7);
}

#[test]
fn extra_cells_under_unnamed_header_columns_are_not_a_broken_row() {
    // Hyndburn's shape: the header ends in empty cells and some rows carry notes under them.
    let mut f = String::from("Supplier id,Supplier Name,Transno,Amount,Pay Date,Group,,,\n");
    for i in 0..30 {
        f.push_str(&format!(
            "S{i},SUPPLIER {i} LTD,{i},{i}.00,01/04/2024,Adults,,,\n"
        ));
    }
    f.push_str("S99,LATE LTD,99,9.00,02/04/2024,Adults,see note,re-issued,\n");
    let r = run("unnamed.csv", f.as_bytes());
    assert_eq!(r.rows, 31, "{:?}", r.rejected);
    assert!(r.repaired.is_empty());
    assert!(
        r.warnings.iter().any(|w| w.contains("no name")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn a_time_only_date_is_no_date_and_said_so() {
    let f = "Supplier Name,Payment Date,Amount\n\
             ACME LTD,00:00:00,100.00\n\
             B LTD,02/04/2024,200.00\n";
    let r = run("time.csv", f.as_bytes());
    assert_eq!(r.rows, 2);
    assert!(
        r.flagged
            .iter()
            .any(|f| f.flag == RowFlag::TimeOnlyDate && f.line == 2 && f.detail.contains("time"))
    );
    let (txs, _) = transactions("time.csv", f.as_bytes(), &CheckOptions::default()).unwrap();
    assert_eq!(txs[0].date, None);
}

#[test]
fn month_only_dates_are_the_first_of_the_month_flagged() {
    let f = "Supplier Name,Period,Amount\nACME LTD,Apr-24,100.00\nB LTD,May-24,200.00\n";
    let (txs, r) = transactions(
        "months.csv",
        f.as_bytes(),
        &CheckOptions::with_map_specs(&["date=Period"]).unwrap(),
    )
    .unwrap();
    assert_eq!(r.rows, 2);
    assert_eq!(
        txs[0].date.map(|d| d.to_string()),
        Some("2024-04-01".into())
    );
    assert!(txs[1].flags.contains(&RowFlag::MonthOnlyDate));
    assert_eq!(r.financial_years.len(), 1);
}

#[test]
fn dates_missing_a_separator_are_repaired_inside_the_period_only() {
    let mut f = String::from("Supplier Name,Payment Date,Amount\n");
    for d in 1..=25 {
        f.push_str(&format!("S{d} LTD,{d:02}/08/2014,10.00\n"));
    }
    f.push_str("TYPO LTD,26/082014,20.00\n");
    f.push_str("FAR LTD,2403/2017,30.00\n");
    let r = check("typos.csv", f.as_bytes(), &CheckOptions::default()).unwrap();
    assert_eq!(r.rows, 26);
    assert!(r.flagged.iter().any(|x| x.flag == RowFlag::RepairedDate
        && x.line == 27
        && x.detail.contains("2014-08-26")));
    assert_eq!(r.rejected_count, 1);
    assert_eq!(r.rejected[0].line, 28);
    assert!(
        r.rejected[0].reason.contains("outside the file's period"),
        "{}",
        r.rejected[0].reason
    );
}

#[test]
fn a_listing_of_which_no_row_reads_is_an_error() {
    let f = "Supplier Name,Payment Date,Amount\nACME LTD,01/04/2024,ten pounds\nB LTD,02/04/2024,lots\n";
    let e = check("bad.csv", f.as_bytes(), &CheckOptions::default()).unwrap_err();
    assert!(
        matches!(
            e,
            SpendError::AllRejected {
                rejected: 2,
                line: 2,
                ..
            }
        ),
        "{e}"
    );
    assert!(e.to_string().contains("ten pounds"), "{e}");
}

#[test]
fn line_numbers_match_the_editor_for_every_line_ending() {
    for end in ["\n", "\r\n", "\r"] {
        let f = [
            "Title",
            "",
            "Supplier Name,Payment Date,Amount",
            "ACME LTD,01/04/2024,100.00",
            "",
            "\"B",
            "LTD\",02/04/2024,oops",
            "C LTD,03/04/2024,5.00",
        ]
        .join(end);
        let r = check("ends.csv", f.as_bytes(), &CheckOptions::default()).unwrap();
        assert_eq!(
            r.rejected.iter().map(|x| x.line).collect::<Vec<_>>(),
            [6],
            "{end:?}"
        );
        let (txs, _) = transactions("ends.csv", f.as_bytes(), &CheckOptions::default()).unwrap();
        assert_eq!(
            txs.iter().map(|t| t.line).collect::<Vec<_>>(),
            [4, 8],
            "{end:?}"
        );
    }
}

#[test]
fn overrides_still_win_over_content() {
    let f = "Ref,Posted,Payee,Cost\n1,01/04/2024,ACME LTD,10.00\n2,02/04/2024,B LTD,20.00\n";
    let r = run_with(
        "o.csv",
        f.as_bytes(),
        &CheckOptions::with_map_specs(&["amount=Cost", "supplier_name=Payee"]).unwrap(),
    );
    assert_eq!(r.rows, 2);
    let how = |f: Field| {
        r.mapping
            .columns
            .iter()
            .find(|c| c.field == f)
            .map(|c| c.how)
    };
    assert_eq!(how(Field::Amount), Some("override"));
    assert_eq!(how(Field::Date), Some("content"));
}

#[test]
fn a_fused_field_is_split_by_the_files_dominant_forms() {
    // Six-digit supplier IDs and five-digit transaction numbers; one row lost the comma between them.
    // Every split of "40001250099" reads as two numbers; only 400012|50099 gives both their usual form.
    let mut f = String::from("Supplier ID,Transaction Number,Supplier Name,Payment Date,Amount\n");
    for i in 0..30 {
        f.push_str(&format!(
            "{},{},SUPPLIER {i} LTD,{:02}/04/2024,{i}.25\n",
            400_000 + i * 7,
            50_000 + i * 3,
            i % 28 + 1
        ));
    }
    f.push_str("40001250099,LATE LTD,02/04/2024,9.99\n");
    let (txs, r) = transactions("fused.csv", f.as_bytes(), &CheckOptions::default()).unwrap();
    assert_eq!(r.rows, 31, "{:?}", r.rejected);
    let late = txs.last().unwrap();
    assert_eq!(late.supplier_id.as_deref(), Some("400012"));
    assert_eq!(late.transaction_number.as_deref(), Some("50099"));
    assert!(late.flags.contains(&RowFlag::Repaired));
}

#[test]
fn a_fused_field_that_splits_several_ways_is_settled_by_the_grand_total() {
    // References of any length and amounts of any form, so "123456.78" (reference and amount fused)
    // reads as 1|23456.78, 12|3456.78, … equally well; the file's total says which.
    let mut f = String::from("Supplier Name,Payment Date,Reference,Amount\n");
    let mut sum = 0i64;
    for i in 1..=25i64 {
        let pence = i * 1_234 + (i % 3) * 5;
        sum += pence;
        f.push_str(&format!(
            "SUPPLIER {i} LTD,{:02}/04/2024,{},{}.{:02}\n",
            i,
            i * i * 37,
            pence / 100,
            pence % 100
        ));
    }
    f.push_str("LATE LTD,26/04/2024,123456.78\n");
    let total = sum + 5_678;
    f.push_str(&format!("Total,,,{}.{:02}\n", total / 100, total % 100));
    let (txs, r) = transactions("fused-total.csv", f.as_bytes(), &CheckOptions::default()).unwrap();
    assert_eq!(r.rows, 26, "{:?}", r.rejected);
    let late = txs.iter().find(|t| t.supplier_name == "LATE LTD").unwrap();
    assert_eq!(late.amount.pence(), 5_678);
    assert_eq!(late.transaction_number.as_deref(), Some("1234"));
    assert_eq!(late.line, 27);
    assert!(
        r.grand_total.as_ref().is_some_and(|g| g.matched),
        "{:?}",
        r.totals
    );
    assert!(
        r.repaired[0]
            .description
            .contains("add up to the total on line 28")
    );
    // Without a total to decide, the row is rejected with its reason.
    let cut = f.rfind("Total").unwrap();
    let r = check(
        "fused-no-total.csv",
        &f.as_bytes()[..cut],
        &CheckOptions::default(),
    )
    .unwrap();
    assert_eq!((r.rows, r.rejected_count), (25, 1));
    assert!(
        r.rejected[0].reason.contains("ways"),
        "{}",
        r.rejected[0].reason
    );
}
