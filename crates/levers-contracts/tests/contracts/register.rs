//! Contract registers in the layouts councils publish: title rows above the header, the Code's own
//! wording or short headers, CSV or XLSX; every record accounted for, bad cells named.

use levers_contracts::model::opt_date::iso;
use levers_contracts::register::{Col, read_register};
use levers_core::Money;

const CSV: &str = "Levermouth Borough Council contract register\r\nPublished under the Local Government Transparency Code 2015\r\n\r\nReference Number,Title of Agreement,Department Responsible,Description of goods and services,Supplier Name,Registered Company Number,Charity Number,Sum to be paid over the length of the contract,Start Date,End Date,Review Date,Procurement Process,SME,VCSE\r\nLBC-001,Household recycling,Environment,Kerbside collections,Greenbin Recycling Ltd,1234567,,\"£150,000.00\",01/01/2024,30/09/2027,31/03/2027,Open,Y,N\r\nLBC-002,Advice service,Communities,Debt advice,Levermouth CAB,,1012345,\"45,000\",01/04/2025,31/03/2027,,Direct award,N,Y\r\nLBC-003,Broken dates,Resources,x,Y Ltd,,,100,31/02/2025,01/01/2026,,,,\r\n,,,,,,,,,,,,,\r\nLBC-004,Cleaning,Resources,Offices,Shiny Ltd,,,\"1,000\",01/01/2027,01/01/2026,,,,\r\n";

#[test]
fn a_csv_register_with_title_rows() {
    let mut got = Vec::new();
    let rep = read_register(
        "register.csv",
        CSV.as_bytes(),
        "Levermouth Borough Council",
        &mut |c| got.push(c),
    )
    .unwrap();
    assert!(rep.balanced(), "{rep:?}");
    assert_eq!(rep.header_line, 4);
    assert_eq!(
        (rep.records, rep.preamble, rep.header, rep.kept, rep.blank),
        (8, 2, 1, 2, 1)
    );
    assert_eq!(rep.rejected.len(), 2);
    assert_eq!(rep.rejected[0].line, 7);
    assert_eq!(rep.rejected[0].field, "start date");
    assert_eq!(rep.rejected[1].field, "end date");
    let cols: Vec<Option<Col>> = rep.columns.iter().map(|c| c.1).collect();
    assert_eq!(cols[0], Some(Col::Reference));
    assert_eq!(cols[7], Some(Col::Value));
    let a = &got[0];
    assert_eq!(a.key, "register:LEVERMOUTH BOROUGH COUNCIL:LBC-001");
    assert_eq!(a.value_net, Money::from_pounds(150_000));
    assert_eq!(a.review.map(iso).as_deref(), Some("2027-03-31"));
    assert!(a.has_renewal);
    assert_eq!(a.suppliers[0].company_number.as_deref(), Some("01234567"));
    assert_eq!(a.suppliers[0].scale.as_deref(), Some("sme"));
    let b = &got[1];
    assert_eq!(b.suppliers[0].charity_number.as_deref(), Some("1012345"));
    assert_eq!(b.suppliers[0].vcse, Some(true));
}

#[test]
fn an_xlsx_register_with_short_headers_and_annual_values() {
    use levers_xlsx::Workbook;
    let mut wb = Workbook::new();
    wb.sheet("Contracts")
        .header([
            "Contract Ref",
            "Contract Title",
            "Contractor",
            "Annual Value",
            "Contract Start Date",
            "Expiry Date",
            "End date including extensions",
            "CPV Code",
        ])
        .row([
            "X-9",
            "Grounds maintenance",
            "Parks Ltd",
            "12000",
            "01/04/2025",
            "31/03/2027",
            "31/03/2029",
            "77310000-6",
        ]);
    let bytes = wb.to_bytes();
    let mut got = Vec::new();
    let rep = read_register("r.xlsx", &bytes, "LBC", &mut |c| got.push(c)).unwrap();
    assert!(rep.balanced(), "{rep:?}");
    assert_eq!(rep.format, "xlsx");
    assert_eq!(got.len(), 1);
    // No total: 24 months of £12,000 a year.
    assert_eq!(got[0].value_net, Money::from_pounds(24_000));
    assert_eq!(rep.flagged.len(), 1);
    assert_eq!(got[0].cpv, vec!["77310000".to_string()]);
    assert_eq!(got[0].max_extent.map(iso).as_deref(), Some("2029-03-31"));
}

#[test]
fn a_file_without_a_register_header_says_what_is_needed() {
    let e = read_register("x.csv", b"a,b\n1,2\n", "LBC", &mut |_| {}).unwrap_err();
    assert!(e.to_string().contains("no header row"), "{e}");
}
