//! The public registers that fill gaps in a council's supplier records: Companies House "Basic
//! Company Data" (the free bulk CSV, one row per company, ~5 million rows, header names with stray
//! leading spaces) and the Charity Commission for England and Wales register extract (the `charity`
//! table, tab-separated `publicextract.charity.txt` or CSV). Both are recognised by their header
//! names, streamed from any `Read`, filtered by the caller (only the companies and charities the
//! council pays need keeping), and reconciled: records = header + kept + skipped + rejected + blank.
//!
//! Layouts: Companies House, "Free Company Data Product" field list
//! (download.companieshouse.gov.uk/en_output.html: CompanyName, CompanyNumber, RegAddress.*,
//! CompanyCategory, CompanyStatus, …, Accounts.AccountCategory, …, SICCode.SicText_1..4, …);
//! Charity Commission, "Register of charities: data definition" for the full register download
//! (date_of_extract, organisation_number, registered_charity_number, linked_charity_number,
//! charity_name, charity_type, charity_registration_status, …, charity_contact_postcode, …,
//! charity_company_registration_number, …, charity_is_cio, …).

use std::io::Read;

use levers_geo::Postcode;

use crate::SpendError;
use crate::suppliers::{normalise_charity_number, normalise_company_number};

mod records;
pub use records::{
    CharityRecord, CompanyRecord, RegisterKind, RegisterRecord, RegisterRejection, RegisterReport,
};

fn norm(h: &str) -> String {
    h.trim()
        .trim_start_matches('\u{feff}')
        .trim()
        .to_ascii_lowercase()
}

struct Cols {
    kind: RegisterKind,
    idx: Vec<Option<usize>>,
}

const CH: [&str; 11] = [
    "companyname",
    "companynumber",
    "regaddress.postcode",
    "companycategory",
    "companystatus",
    "accounts.accountcategory",
    "siccode.sictext_1",
    "siccode.sictext_2",
    "siccode.sictext_3",
    "siccode.sictext_4",
    "dissolutiondate",
];
const CC: [&str; 11] = [
    "registered_charity_number",
    "linked_charity_number",
    "charity_name",
    "charity_type",
    "charity_registration_status",
    "charity_contact_postcode",
    "charity_company_registration_number",
    "charity_is_cio",
    "date_of_removal",
    "charitable_objects",
    "charity_activities",
];

fn recognise(header: &[String]) -> Option<Cols> {
    let h: Vec<String> = header.iter().map(|c| norm(c)).collect();
    let find = |n: &str| h.iter().position(|c| c == n);
    if find("companynumber").is_some() && find("companyname").is_some() {
        return Some(Cols {
            kind: RegisterKind::CompaniesHouse,
            idx: CH.iter().map(|n| find(n)).collect(),
        });
    }
    if find("registered_charity_number").is_some() && find("charity_name").is_some() {
        return Some(Cols {
            kind: RegisterKind::CharityCommission,
            idx: CC.iter().map(|n| find(n)).collect(),
        });
    }
    None
}

fn postcode(s: &str) -> Option<String> {
    Postcode::parse(s)
        .ok()
        .map(|p| format!("{} {}", p.outward(), p.inward()))
}

/// The 5-digit SIC code at the start of a Companies House `SicText` cell ("62020 - Information
/// technology consultancy activities"), or `None` ("None Supplied", blank).
pub fn sic_code(text: &str) -> Option<String> {
    let code: String = text
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    (code.len() == 5 || code.len() == 4).then(|| format!("{code:0>5}"))
}

/// Streams a register file. Line numbers in rejections are the CSV reader's: empty lines are skipped
/// and not counted (the published files have none). `keep` decides which valid records the caller wants (the rest are
/// counted as skipped); kept ones go to `on_record`.
pub fn read_register<R: Read>(
    name: &str,
    reader: R,
    mut keep: impl FnMut(&RegisterRecord) -> bool,
    mut on_record: impl FnMut(RegisterRecord),
) -> Result<RegisterReport, SpendError> {
    let mut buffered = std::io::BufReader::with_capacity(256 * 1024, reader);
    // The delimiter from the first line: the Charity Commission's .txt files are tab-separated.
    let first = {
        use std::io::BufRead;
        let buf = buffered.fill_buf().map_err(|e| SpendError::Read {
            file: name.into(),
            line: 1,
            message: e.to_string(),
        })?;
        let end = buf.iter().position(|b| *b == b'\n').unwrap_or(buf.len());
        buf[..end].to_vec()
    };
    if first.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(SpendError::Empty {
            file: name.to_string(),
        });
    }
    let tabs = first.iter().filter(|b| **b == b'\t').count();
    let commas = first.iter().filter(|b| **b == b',').count();
    let delim = if tabs > commas { b'\t' } else { b',' };
    // Lines as an editor shows them, whatever the line ends.
    let (counted, lines) = levers_geo::read::line_counting(buffered);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delim)
        // The Charity Commission's tab files do not quote; quotes inside names are literal.
        .quoting(delim != b'\t')
        .from_reader(counted);
    let mut rec = csv::ByteRecord::new();
    let read_err = |e: csv::Error| SpendError::Read {
        file: name.to_string(),
        line: e.position().map_or(0, |p| lines.line_at(p.byte())),
        message: e.to_string(),
    };
    if !rdr.read_byte_record(&mut rec).map_err(read_err)? {
        return Err(SpendError::Empty {
            file: name.to_string(),
        });
    }
    let header: Vec<String> = rec
        .iter()
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    let cols = recognise(&header).ok_or_else(|| SpendError::Read {
        file: name.to_string(),
        line: 1,
        message: format!(
            "this is neither Companies House basic company data (needs CompanyName and CompanyNumber columns) nor the Charity Commission register extract (needs registered_charity_number and charity_name); the header is: {}",
            header.iter().take(12).map(|h| h.trim()).collect::<Vec<_>>().join(", ")
        ),
    })?;
    let mut rep = RegisterReport {
        file: name.to_string(),
        kind: cols.kind,
        records: 1,
        header: 1,
        kept: 0,
        skipped: 0,
        rejected: 0,
        blank: 0,
        balanced: false,
        rejections: Vec::new(),
    };
    let mut cells: Vec<String> = Vec::new();
    while rdr.read_byte_record(&mut rec).map_err(read_err)? {
        rep.records += 1;
        let line = rec.position().map_or(0, |p| lines.line_at(p.byte()));
        cells.clear();
        cells.extend(
            rec.iter()
                .map(|c| String::from_utf8_lossy(c).trim().to_string()),
        );
        if cells.iter().all(String::is_empty) {
            rep.blank += 1;
            continue;
        }
        let get = |i: usize| {
            cols.idx[i]
                .and_then(|c| cells.get(c))
                .map_or("", String::as_str)
        };
        let mut reject = |field: &str, reason: String| {
            rep.rejected += 1;
            if rep.rejections.len() < 1000 {
                rep.rejections.push(RegisterRejection {
                    line,
                    field: field.to_string(),
                    reason,
                });
            }
        };
        let record = match cols.kind {
            RegisterKind::CompaniesHouse => {
                let Some(number) = normalise_company_number(get(1)) else {
                    reject(
                        "CompanyNumber",
                        format!("{:?} is not a company number", get(1)),
                    );
                    continue;
                };
                if get(0).is_empty() {
                    reject("CompanyName", "the company name is blank".into());
                    continue;
                }
                RegisterRecord::Company(CompanyRecord {
                    number,
                    name: get(0).to_string(),
                    postcode: postcode(get(2)),
                    category: get(3).to_string(),
                    status: get(4).to_string(),
                    account_category: get(5).to_string(),
                    sic: (6..10).filter_map(|i| sic_code(get(i))).collect(),
                })
            }
            RegisterKind::CharityCommission => {
                let Some(number) = normalise_charity_number(get(0)) else {
                    reject(
                        "registered_charity_number",
                        format!("{:?} is not a charity number", get(0)),
                    );
                    continue;
                };
                let linked = get(1);
                if !linked.is_empty() && linked != "0" {
                    // A subsidiary under the main charity's number: the main row speaks for it.
                    rep.skipped += 1;
                    continue;
                }
                if get(2).is_empty() {
                    reject("charity_name", "the charity name is blank".into());
                    continue;
                }
                let truthy = |s: &str| {
                    matches!(
                        s.to_ascii_lowercase().as_str(),
                        "true" | "t" | "1" | "yes" | "y"
                    )
                };
                RegisterRecord::Charity(CharityRecord {
                    number,
                    name: get(2).to_string(),
                    postcode: postcode(get(5)),
                    company_number: normalise_company_number(get(6)),
                    charity_type: get(3).to_string(),
                    status: get(4).to_string(),
                    is_cio: truthy(get(7)) || get(3).eq_ignore_ascii_case("CIO"),
                    objects: [get(9), get(10)]
                        .into_iter()
                        .map(str::trim)
                        .find(|t| !t.is_empty())
                        .map(str::to_string),
                })
            }
        };
        if keep(&record) {
            rep.kept += 1;
            on_record(record);
        } else {
            rep.skipped += 1;
        }
    }
    rep.balanced = rep.records == rep.header + rep.kept + rep.skipped + rep.rejected + rep.blank;
    Ok(rep)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header line of Companies House's BasicCompanyData CSV as published (leading spaces and all).
    pub const CH_HEADER: &str = "CompanyName, CompanyNumber,RegAddress.CareOf,RegAddress.POBox,RegAddress.AddressLine1, RegAddress.AddressLine2,RegAddress.PostTown,RegAddress.County,RegAddress.Country,RegAddress.PostCode,CompanyCategory,CompanyStatus,CountryOfOrigin,DissolutionDate,IncorporationDate,Accounts.AccountRefDay,Accounts.AccountRefMonth,Accounts.NextDueDate,Accounts.LastMadeUpDate,Accounts.AccountCategory,Returns.NextDueDate,Returns.LastMadeUpDate,Mortgages.NumMortCharges,Mortgages.NumMortOutstanding,Mortgages.NumMortPartSatisfied,Mortgages.NumMortSatisfied,SICCode.SicText_1,SICCode.SicText_2,SICCode.SicText_3,SICCode.SicText_4,LimitedPartnerships.NumGenPartners,LimitedPartnerships.NumLimPartners,URI,PreviousName_1.CONDATE, PreviousName_1.CompanyName, PreviousName_2.CONDATE, PreviousName_2.CompanyName,PreviousName_3.CONDATE, PreviousName_3.CompanyName,PreviousName_4.CONDATE, PreviousName_4.CompanyName,PreviousName_5.CONDATE, PreviousName_5.CompanyName,PreviousName_6.CONDATE, PreviousName_6.CompanyName,PreviousName_7.CONDATE, PreviousName_7.CompanyName,PreviousName_8.CONDATE, PreviousName_8.CompanyName,PreviousName_9.CONDATE, PreviousName_9.CompanyName,PreviousName_10.CONDATE, PreviousName_10.CompanyName,ConfStmtNextDueDate, ConfStmtLastMadeUpDate";

    fn ch_row(name: &str, number: &str, pc: &str, cat: &str, acc: &str, sic: &str) -> String {
        let mut cells = vec![String::new(); 55];
        cells[0] = format!("\"{name}\"");
        cells[1] = number.into();
        cells[4] = "\"1 HIGH STREET\"".into();
        cells[6] = "PRESTON".into();
        cells[9] = pc.into();
        cells[10] = format!("\"{cat}\"");
        cells[11] = "Active".into();
        cells[12] = "United Kingdom".into();
        cells[19] = acc.into();
        cells[26] = format!("\"{sic}\"");
        cells[27] = String::new();
        cells[32] = format!("http://business.data.gov.uk/id/company/{number}");
        cells.join(",")
    }

    #[test]
    fn companies_house_rows_read_and_reconcile() {
        let text = format!(
            "{CH_HEADER}\n{}\n{}\n{}\n{}\n",
            ch_row(
                "ACME LIMITED",
                "01234567",
                "PR1 2HE",
                "Private Limited Company",
                "SMALL",
                "56290 - Other food services"
            ),
            ch_row(
                "HARBOUR CIC",
                "SC123456",
                "pr12he",
                "Community Interest Company",
                "MICRO ENTITY",
                "88990 - Other social work activities without accommodation n.e.c."
            ),
            ch_row("BROKEN", "not-a-number", "", "", "", ""),
            ch_row(
                "OTHER PLC",
                "00000042",
                "M15 4FN",
                "Public Limited Company",
                "GROUP",
                "None Supplied"
            ),
        );
        let mut kept = Vec::new();
        let rep = read_register(
            "BasicCompanyData.csv",
            text.as_bytes(),
            |r| r.number() != "00000042",
            |r| kept.push(r),
        )
        .unwrap();
        assert!(rep.balanced, "{rep:?}");
        assert_eq!(
            (rep.records, rep.header, rep.kept, rep.skipped, rep.rejected),
            (5, 1, 2, 1, 1)
        );
        assert_eq!(rep.kind, RegisterKind::CompaniesHouse);
        assert_eq!(rep.rejections[0].line, 4);
        let RegisterRecord::Company(a) = &kept[0] else {
            panic!()
        };
        assert_eq!(
            (
                a.number.as_str(),
                a.postcode.as_deref(),
                a.account_category.as_str()
            ),
            ("01234567", Some("PR1 2HE"), "SMALL")
        );
        assert_eq!(a.sic, vec!["56290".to_string()]);
        let RegisterRecord::Company(b) = &kept[1] else {
            panic!()
        };
        assert_eq!(b.postcode.as_deref(), Some("PR1 2HE"));
        assert_eq!(b.category, "Community Interest Company");
    }

    /// Companies House publishes its bulk file with Windows (CRLF) line ends: rejections name the
    /// line an editor shows, as they do for LF and CR files, past an empty line.
    #[test]
    fn line_numbers_are_right_for_every_line_ending() {
        for end in ["\n", "\r\n", "\r"] {
            let text = [
                CH_HEADER.to_string(),
                ch_row("ACME LIMITED", "01234567", "PR1 2HE", "", "SMALL", ""),
                String::new(),
                ch_row("BROKEN", "not-a-number", "", "", "", ""),
            ]
            .join(end);
            let rep = read_register("c.csv", text.as_bytes(), |_| true, |_| {}).unwrap();
            assert!(rep.balanced, "{rep:?}");
            assert_eq!(
                rep.rejections.iter().map(|r| r.line).collect::<Vec<_>>(),
                [4],
                "line end {end:?}"
            );
        }
    }

    #[test]
    fn the_charity_extract_reads_tab_separated() {
        let header = "date_of_extract\torganisation_number\tregistered_charity_number\tlinked_charity_number\tcharity_name\tcharity_type\tcharity_registration_status\tdate_of_registration\tdate_of_removal\tcharity_reporting_status\tlatest_acc_fin_period_start_date\tlatest_acc_fin_period_end_date\tlatest_income\tlatest_expenditure\tcharity_contact_address1\tcharity_contact_address2\tcharity_contact_address3\tcharity_contact_address4\tcharity_contact_address5\tcharity_contact_postcode\tcharity_contact_phone\tcharity_contact_email\tcharity_contact_web\tcharity_company_registration_number\tcharity_insolvent\tcharity_in_administration\tcharity_previously_excepted\tcharity_is_cdf_or_cif\tcharity_is_cio\tcio_is_dissolved\tdate_cio_dissolution_notice\tcharity_activities\tcharity_gift_aid\tcharity_has_land";
        let row = |num: &str, linked: &str, name: &str, ty: &str, pc: &str, co: &str, cio: &str| {
            let mut c = vec![String::new(); 34];
            c[0] = "2025-11-01".into();
            c[1] = "5000001".into();
            c[2] = num.into();
            c[3] = linked.into();
            c[4] = name.into();
            c[5] = ty.into();
            c[6] = "Registered".into();
            c[19] = pc.into();
            c[23] = co.into();
            c[28] = cio.into();
            c.join("\t")
        };
        let text = format!(
            "\u{feff}{header}\n{}\n{}\n{}\n",
            row(
                "1012345",
                "0",
                "HARBOUR \"COMMUNITY\" TRUST",
                "Trust",
                "PR1 2HE",
                "",
                "False"
            ),
            row(
                "1012345",
                "1",
                "HARBOUR TRUST SUBSIDIARY",
                "",
                "PR1 2HE",
                "",
                "False"
            ),
            row("1170001", "0", "MILL CIO", "CIO", "M15 4FN", "", "True"),
        );
        let mut kept = Vec::new();
        let rep = read_register(
            "publicextract.charity.txt",
            text.as_bytes(),
            |_| true,
            |r| kept.push(r),
        )
        .unwrap();
        assert!(rep.balanced);
        assert_eq!(
            (rep.kind, rep.kept, rep.skipped),
            (RegisterKind::CharityCommission, 2, 1)
        );
        let RegisterRecord::Charity(a) = &kept[0] else {
            panic!()
        };
        assert_eq!(a.name, "HARBOUR \"COMMUNITY\" TRUST");
        let RegisterRecord::Charity(b) = &kept[1] else {
            panic!()
        };
        assert!(b.is_cio);
        assert_eq!(b.postcode.as_deref(), Some("M15 4FN"));
    }

    #[test]
    fn other_files_are_refused_with_their_header() {
        let e = read_register("x.csv", "a,b\n1,2\n".as_bytes(), |_| true, |_| {}).unwrap_err();
        assert!(e.to_string().contains("neither Companies House"), "{e}");
        assert_eq!(
            sic_code("62020 - Information technology consultancy activities").as_deref(),
            Some("62020")
        );
        assert_eq!(sic_code("None Supplied"), None);
    }
}
