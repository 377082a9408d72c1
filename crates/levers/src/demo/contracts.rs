//! The demo borough's contract pipeline: Levermouth's contract register (Transparency Code 2015
//! layout, written as a CSV with a title row and imported through the register reader) and two
//! Procurement Act notices as an OCDS release package (a UK1 pipeline notice and an open UK4
//! tender), imported through the OCDS reader. Dates are relative to today, so the pipeline always
//! has something in its 18 months; the suppliers are the demo's spend suppliers.

use levers_contracts::model::opt_date::iso;
use levers_contracts::pipeline::shift_months;
use levers_store::{Actor, Store};
use time::Date;

use super::borough::COUNCIL;

/// (reference, title, department, supplier, company number, total value, months from today to
/// the start (negative: already started), months to the end, months to the review, procedure,
/// SME, VCSE, CPV).
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i32,
    i32,
    Option<i32>,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const REGISTER: &[Row] = &[
    (
        "LBC-C-001",
        "Household waste and recycling collection",
        "Environment",
        "Countrywide Waste Services Ltd",
        "",
        "1,800,000.00",
        -51,
        9,
        None,
        "Open procedure",
        "N",
        "N",
        "90511000",
    ),
    (
        "LBC-C-002",
        "Facilities management of council buildings",
        "Corporate",
        "Nationwide Facilities Management plc",
        "",
        "2,400,000.00",
        -40,
        14,
        Some(8),
        "Framework call-off",
        "N",
        "N",
        "79993000",
    ),
    (
        "LBC-C-003",
        "Highways maintenance term contract",
        "Environment",
        "Metro Highways Contracting Ltd",
        "",
        "6,000,000.00",
        -44,
        16,
        Some(10),
        "Restricted procedure",
        "N",
        "N",
        "45233141",
    ),
    (
        "LBC-C-004",
        "School meals",
        "Education",
        "Levermouth Harbour Catering Ltd",
        "",
        "160,000.00",
        -30,
        6,
        None,
        "Open procedure",
        "Y",
        "N",
        "55524000",
    ),
    (
        "LBC-C-005",
        "Cleaning of council offices",
        "Corporate",
        "Quayside Cleaning Co-operative",
        "",
        "90,000.00",
        -25,
        11,
        None,
        "Request for quotation",
        "Y",
        "Y",
        "90910000",
    ),
    (
        "LBC-C-006",
        "Parks and grounds maintenance",
        "Environment",
        "Fennick Landscapes Ltd",
        "",
        "150,000.00",
        -33,
        4,
        Some(2),
        "Request for quotation",
        "Y",
        "N",
        "77314000",
    ),
    (
        "LBC-C-007",
        "Council ICT managed service",
        "Corporate",
        "Global Software Licensing Ltd",
        "",
        "400,000.00",
        -16,
        20,
        None,
        "Framework call-off",
        "N",
        "N",
        "72000000",
    ),
    (
        "LBC-C-008",
        "Home to school transport",
        "Children's Services",
        "Kestrel Vale Transport Ltd",
        "",
        "600,000.00",
        -35,
        13,
        None,
        "Open procedure",
        "Y",
        "N",
        "60130000",
    ),
    (
        "LBC-C-009",
        "Agency social workers",
        "Adult Social Care",
        "Premier Agency Staffing Ltd",
        "",
        "500,000.00",
        -26,
        5,
        None,
        "Framework call-off",
        "N",
        "N",
        "79620000",
    ),
    (
        "LBC-C-010",
        "Day opportunities for adults with mental health needs",
        "Adult Social Care",
        "Coast & Vale Mental Health Charity",
        "",
        "240,000.00",
        -22,
        10,
        None,
        "Grant to contract",
        "N",
        "Y",
        "85312000",
    ),
];

fn shifted(today: Date, months: i32) -> Date {
    shift_months(today, months)
}

fn uk(d: Date) -> String {
    format!("{:02}/{:02}/{}", d.day(), d.month() as u8, d.year())
}

/// The register as a council might publish it: a title row, the Code's field names.
pub fn register_csv(today: Date) -> String {
    let mut s = String::from(
        "Levermouth Borough Council: contract register (Local Government Transparency Code 2015)\r\n",
    );
    s.push_str("Reference Number,Title of Agreement,Department Responsible,Supplier Name,Registered Company Number,Sum to be paid over the length of the contract,Start Date,End Date,Review Date,Procurement Process,SME,VCSE,CPV Code\r\n");
    for (r, t, dep, sup, co, v, st, en, rev, proc_, sme, vcse, cpv) in REGISTER {
        s.push_str(&format!(
            "{r},{t},{dep},\"{sup}\",{co},\"{v}\",{},{},{},{proc_},{sme},{vcse},{cpv}\r\n",
            uk(shifted(today, *st)),
            uk(shifted(today, *en)),
            rev.map(|m| uk(shifted(today, m))).unwrap_or_default()
        ));
    }
    s
}

/// A UK1 pipeline notice and an open UK4 tender, as Find a Tender publishes them.
pub fn notices_json(today: Date) -> String {
    let d = |m: i32| iso(shifted(today, m));
    let buyer = serde_json::json!({"id": "GB-PPON-XDEM-0001-LEVR", "name": COUNCIL});
    let party = serde_json::json!({"id": "GB-PPON-XDEM-0001-LEVR", "name": COUNCIL, "roles": ["buyer"], "address": {"postalCode": "XL1 1AA"}});
    serde_json::json!({
        "uri": "https://example.invalid/levermouth/ocds",
        "version": "1.1",
        "publishedDate": format!("{}T09:00:00Z", d(0)),
        "releases": [
            {
                "ocid": "ocds-xdemo-levermouth-retrofit", "id": "XDEMO-001", "date": format!("{}T09:00:00Z", d(-1)),
                "tag": ["planning"], "buyer": buyer, "parties": [party],
                "planning": {"documents": [{"id": "XDEMO-001", "documentType": "plannedProcurementNotice", "noticeType": "UK1"}]},
                "tender": {
                    "id": "LBC-P-2027-01", "title": "Energy efficiency retrofit of council homes",
                    "description": "Insulation, ventilation and heating upgrades to 400 council homes, in lots by estate.",
                    "status": "planned", "mainProcurementCategory": "works",
                    "items": [{"id": "1", "additionalClassifications": [{"scheme": "CPV", "id": "45321000", "description": "Thermal insulation work"}]}],
                    "value": {"amount": 3200000, "amountGross": 3840000, "currency": "GBP"},
                    "lots": [{"id": "1", "contractPeriod": {"startDate": format!("{}T00:00:00Z", d(7)), "endDate": format!("{}T23:59:59Z", d(31))}}]
                }
            },
            {
                "ocid": "ocds-xdemo-levermouth-food", "id": "XDEMO-002", "date": format!("{}T09:00:00Z", d(0)),
                "tag": ["tender"], "buyer": buyer, "parties": [party],
                "tender": {
                    "id": "LBC-T-2026-14", "title": "Community food programme",
                    "description": "Community larders and cooking clubs in the three most deprived wards.",
                    "status": "active", "aboveThreshold": false, "mainProcurementCategory": "services",
                    "items": [{"id": "1", "additionalClassifications": [{"scheme": "CPV", "id": "85312000", "description": "Social work services without accommodation"}]}],
                    "value": {"amount": 120000, "amountGross": 120000, "currency": "GBP"},
                    "tenderPeriod": {"endDate": format!("{}T12:00:00Z", d(1))},
                    "contractPeriod": {"startDate": format!("{}T00:00:00Z", d(3)), "endDate": format!("{}T23:59:59Z", d(27))},
                    "documents": [{"id": "XDEMO-002", "documentType": "tenderNotice", "noticeType": "UK4", "url": "https://example.invalid/levermouth/notices/XDEMO-002"}]
                }
            }
        ]
    })
    .to_string()
}

pub async fn build(store: &Store, actor: &Actor) -> anyhow::Result<()> {
    let today = time::OffsetDateTime::now_utc().date();
    levers_app::contracts::import_bytes(
        store,
        actor,
        "levermouth-contract-register.csv",
        register_csv(today).into_bytes(),
        COUNCIL,
    )
    .await
    .map_err(|e| anyhow::anyhow!("demo contract register: {e}"))?;
    levers_app::contracts::import_bytes(
        store,
        actor,
        "levermouth-notices.json",
        notices_json(today).into_bytes(),
        COUNCIL,
    )
    .await
    .map_err(|e| anyhow::anyhow!("demo notices: {e}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_register_and_notices_read_cleanly() {
        let today = date!(2026 - 12 - 04);
        let mut n = 0;
        let rep = levers_contracts::register::read_register(
            "r.csv",
            register_csv(today).as_bytes(),
            COUNCIL,
            &mut |_| n += 1,
        )
        .unwrap();
        assert!(rep.balanced());
        assert_eq!((rep.kept, rep.rejected.len()), (10, 0), "{rep:?}");
        let mut cs = Vec::new();
        let rep =
            levers_contracts::ocds::read_ocds("n.json", notices_json(today).as_bytes(), &mut |c| {
                cs.push(c)
            })
            .unwrap();
        assert_eq!(rep.given, 2);
        assert_eq!(cs[0].notice_type.as_deref(), Some("UK1"));
        assert_eq!(shifted(today, -2), date!(2026 - 10 - 04));
        assert_eq!(shifted(date!(2026 - 03 - 31), -1), date!(2026 - 02 - 28));
    }
}
