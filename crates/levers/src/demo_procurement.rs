//! The demo borough's supplier records and register entries, so the procurement dashboard tells a
//! plausible story: Levermouth's own firms and charities in its wards (several in the deprived
//! harbour), regional firms in Saltmarsh and Kestrel Vale (the wider "Levermouth Coast" area),
//! national firms headquartered in Brackenby (outside it; one with a depot in Levermouth, counted
//! local through its branch), one with no postcode on record that Companies House locates by its
//! registered office, and a few local firms the council has not used yet (the opportunities). The
//! supplier file is written in a creditor-report layout and imported through the same reader as real
//! files; the register entry uses Companies House's published header. Every name is made up.

use std::collections::HashMap;
use std::fmt::Write;

use levers_spend::registers::read_register;
use levers_spend::suppliers::read_suppliers;
use levers_store::{Actor, Store};

use crate::demo_spend::{supplier_names, supplier_ref};

/// Where the demo's local and wider areas are.
pub const LOCAL: &str = "X07000001";
pub const WIDER: &str = "X07000001,X07000002,X07000003";

/// (district, ward) of each supplier in `demo_spend`'s order, a branch (district, ward) if any, its
/// type, sector (the council's own category, matching its expense types), company and charity number.
type Place = Option<(&'static str, &'static str)>;
const RECORDS: &[(Place, Place, &str, &str, &str, &str)] = &[
    (
        Some(("Levermouth", "Harbour")),
        None,
        "SME",
        "Catering",
        "",
        "",
    ),
    (
        Some(("Levermouth", "Old Town")),
        None,
        "SME",
        "Repairs and maintenance",
        "",
        "",
    ),
    (
        Some(("Levermouth", "Quayside")),
        None,
        "Co-operative",
        "Cleaning",
        "",
        "",
    ),
    (
        Some(("Levermouth", "Harbour")),
        None,
        "Charity",
        "Grants to voluntary bodies",
        "",
        "1190001",
    ),
    (
        Some(("Levermouth", "Northgate")),
        None,
        "Community interest company",
        "Youth services",
        "",
        "",
    ),
    (
        Some(("Levermouth", "Millfield")),
        None,
        "SME",
        "Residential care",
        "",
        "",
    ),
    (
        Some(("Levermouth", "Rookery")),
        None,
        "Small business",
        "Printing",
        "",
        "",
    ),
    (
        Some(("Levermouth", "Fennick")),
        None,
        "Credit union (mutual)",
        "Financial inclusion",
        "",
        "",
    ),
    (
        Some(("Levermouth", "Fennick")),
        None,
        "SME",
        "Grounds maintenance",
        "",
        "",
    ),
    (
        Some(("Levermouth", "St Brannoc's")),
        None,
        "Charity",
        "Grants to voluntary bodies",
        "",
        "1190002",
    ),
    (
        Some(("Saltmarsh", "Saltmarsh Central")),
        None,
        "SME",
        "Building works",
        "",
        "",
    ),
    (
        Some(("Kestrel Vale", "Valley Mills")),
        None,
        "SME",
        "Home to school transport",
        "",
        "",
    ),
    (
        Some(("Brackenby", "Brackenby Town")),
        None,
        "SME",
        "Fostering",
        "",
        "",
    ),
    (
        Some(("Kestrel Vale", "Kestrel")),
        None,
        "Charity",
        "Day services",
        "",
        "1190003",
    ),
    (Some(("Saltmarsh", "Eastfleet")), None, "SME", "ICT", "", ""),
    (
        Some(("Brackenby", "Holm")),
        Some(("Levermouth", "Westcliff")),
        "Large",
        "Facilities management",
        "",
        "",
    ),
    (None, None, "Large", "ICT", "09876543", ""),
    (
        Some(("Brackenby", "Ferncliff")),
        None,
        "Large",
        "Energy",
        "",
        "",
    ),
    (
        Some(("Brackenby", "Holm")),
        None,
        "Large",
        "Consultancy",
        "",
        "",
    ),
    (
        Some(("Brackenby", "Brackenby Town")),
        None,
        "Large",
        "Waste collection",
        "",
        "",
    ),
    (
        Some(("Brackenby", "Ferncliff")),
        None,
        "Large",
        "Agency staff",
        "",
        "",
    ),
    (
        Some(("Brackenby", "Holm")),
        None,
        "Large",
        "Highways maintenance",
        "",
        "",
    ),
    (
        Some(("Levermouth", "Ashby Moor")),
        None,
        "Public body",
        "Levies",
        "",
        "",
    ),
    (None, None, "Public body", "Tax payments", "", ""),
    (
        Some(("Levermouth", "Lowther Park")),
        None,
        "Public body",
        "Pension contributions",
        "",
        "",
    ),
];

/// Local firms on record the council has not paid yet: the names the opportunities list offers.
const NOT_YET_USED: &[(&str, (&str, &str), &str, &str)] = &[
    (
        "Levermouth Digital Co-operative",
        ("Levermouth", "Sandhills"),
        "Co-operative",
        "ICT",
    ),
    (
        "Ashby Moor Recycling CIC",
        ("Levermouth", "Ashby Moor"),
        "CIC",
        "Waste collection",
    ),
    (
        "Harbourside Staffing Ltd",
        ("Levermouth", "Quayside"),
        "SME",
        "Agency staff",
    ),
    (
        "Westcliff Community Energy",
        ("Levermouth", "Westcliff"),
        "Co-operative",
        "Energy",
    ),
];

/// Live postcodes of each (district, ward) in the synthetic geography, in file order.
fn postcodes_by_ward() -> HashMap<(String, String), Vec<String>> {
    let files = crate::demo::geography_files();
    let text = |name: &str| {
        files
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| t.clone())
            .unwrap_or_default()
    };
    let mut ward_names = HashMap::new();
    let mut lad_names = HashMap::new();
    for line in text("levermouth_lsoa_ward_lad_region.csv").lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        if c.len() >= 8 {
            ward_names.insert(c[4].to_string(), c[5].to_string());
            lad_names.insert(c[6].to_string(), c[7].to_string());
        }
    }
    let mut out: HashMap<(String, String), Vec<String>> = HashMap::new();
    for line in text("levermouth_onspd.csv").lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        // pcd,pcds,doterm,oslaua,osward,…
        if c.len() >= 5 && c[2].is_empty() {
            let key = (
                lad_names.get(c[3]).cloned().unwrap_or_default(),
                ward_names.get(c[4]).cloned().unwrap_or_default(),
            );
            out.entry(key).or_default().push(c[1].to_string());
        }
    }
    out
}

/// The council's creditor file for the demo, as a finance system's report would print it.
pub fn supplier_file() -> String {
    let pcs = postcodes_by_ward();
    let mut used: HashMap<(String, String), usize> = HashMap::new();
    let mut take = |place: (&str, &str)| -> String {
        let key = (place.0.to_string(), place.1.to_string());
        let n = used.entry(key.clone()).or_default();
        let list = pcs.get(&key).map(Vec::as_slice).unwrap_or(&[]);
        let pc = list
            .get((*n * 7) % list.len().max(1))
            .cloned()
            .unwrap_or_default();
        *n += 1;
        pc
    };
    let mut f = String::from("Creditor master listing,Levermouth Borough Council,,,,,,\r\n");
    f.push_str("Creditor No,Creditor Name,Address Postcode,Branch Postcodes,Company Reg No,Charity No,Supplier Type,Category\r\n");
    for (name, (place, branch, kind, sector, company, charity)) in
        supplier_names().into_iter().zip(RECORDS)
    {
        let pc = place.map(&mut take).unwrap_or_default();
        let br = branch.map(&mut take).unwrap_or_default();
        let _ = write!(
            f,
            "{},\"{name}\",{pc},{br},{company},{charity},{kind},{sector}\r\n",
            supplier_ref(name)
        );
    }
    for (i, (name, place, kind, sector)) in NOT_YET_USED.iter().enumerate() {
        let pc = take(*place);
        let _ = write!(f, "S2{:04},\"{name}\",{pc},,,,{kind},{sector}\r\n", i + 1);
    }
    f
}

/// Companies House basic company data for the one supplier the council's record does not locate.
pub fn companies_house_file() -> String {
    let header = "CompanyName, CompanyNumber,RegAddress.CareOf,RegAddress.POBox,RegAddress.AddressLine1, RegAddress.AddressLine2,RegAddress.PostTown,RegAddress.County,RegAddress.Country,RegAddress.PostCode,CompanyCategory,CompanyStatus,CountryOfOrigin,DissolutionDate,IncorporationDate,Accounts.AccountRefDay,Accounts.AccountRefMonth,Accounts.NextDueDate,Accounts.LastMadeUpDate,Accounts.AccountCategory,Returns.NextDueDate,Returns.LastMadeUpDate,Mortgages.NumMortCharges,Mortgages.NumMortOutstanding,Mortgages.NumMortPartSatisfied,Mortgages.NumMortSatisfied,SICCode.SicText_1,SICCode.SicText_2,SICCode.SicText_3,SICCode.SicText_4,LimitedPartnerships.NumGenPartners,LimitedPartnerships.NumLimPartners,URI";
    let pcs = postcodes_by_ward();
    let pc = pcs
        .get(&("Brackenby".to_string(), "Ferncliff".to_string()))
        .and_then(|v| v.get(3))
        .cloned()
        .unwrap_or_default();
    let mut cells = vec![String::new(); 33];
    cells[0] = "GLOBAL SOFTWARE LICENSING LIMITED".into();
    cells[1] = "09876543".into();
    cells[4] = "\"1 EXAMPLE PARK\"".into();
    cells[6] = "BRACKENBY".into();
    cells[9] = pc;
    cells[10] = "Private Limited Company".into();
    cells[11] = "Active".into();
    cells[12] = "United Kingdom".into();
    cells[19] = "FULL".into();
    cells[26] = "\"62020 - Information technology consultancy activities\"".into();
    format!("{header}\n{}\n", cells.join(","))
}

/// Imports the supplier records and the register entry, and sets the dashboard's default areas.
pub async fn build(store: &Store, actor: &Actor) -> anyhow::Result<()> {
    let council = crate::demo::COUNCIL;
    let file = supplier_file();
    let sha = levers_app::credentials::sha256_hex(file.as_bytes());
    // A refresh of the demo imports the records only once.
    let already = store
        .proc_supplier_imports()
        .await?
        .into_iter()
        .any(|i| i.body == council && store_sha(&i) == sha);
    if !already {
        let (records, report) = read_suppliers("levermouth_creditors.csv", file.as_bytes(), &[])?;
        anyhow::ensure!(
            report.balanced && report.rejected == 0,
            "demo supplier file: {report:?}"
        );
        let mut rep = serde_json::to_value(&report)?;
        rep["sha256"] = serde_json::json!(sha);
        store
            .import_suppliers(
                actor,
                council,
                "levermouth_creditors.csv",
                &sha,
                &records,
                &rep,
            )
            .await?;
        let mut kept = Vec::new();
        let ch = companies_house_file();
        let reg = read_register(
            "BasicCompanyData-levermouth.csv",
            ch.as_bytes(),
            |_| true,
            |r| kept.push(r),
        )?;
        store
            .import_register(
                actor,
                reg.kind,
                "BasicCompanyData-levermouth.csv",
                &kept,
                &serde_json::to_value(&reg)?,
            )
            .await?;
    }
    use levers_app::procurement::{LOCAL_LADS, LOCAL_NAME, WIDER_LADS, WIDER_NAME};
    store.set_setting(actor, LOCAL_LADS, LOCAL).await?;
    store.set_setting(actor, LOCAL_NAME, "Levermouth").await?;
    store.set_setting(actor, WIDER_LADS, WIDER).await?;
    store
        .set_setting(actor, WIDER_NAME, "Levermouth Coast")
        .await?;
    Ok(())
}

fn store_sha(i: &levers_store::procurement::SupplierImport) -> String {
    i.report
        .get("sha256")
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_supplier_file_reads_cleanly_and_places_everyone() {
        let (recs, rep) = read_suppliers("x.csv", supplier_file().as_bytes(), &[]).unwrap();
        assert!(
            rep.balanced && rep.rejected == 0 && rep.issues.is_empty(),
            "{rep:?}"
        );
        assert_eq!(recs.len(), supplier_names().len() + NOT_YET_USED.len());
        // Every supplier with a place has a postcode of the synthetic geography.
        assert_eq!(
            recs.iter().filter(|r| r.postcode.is_some()).count(),
            recs.len() - 2
        );
        assert!(
            recs.iter()
                .all(|r| r.postcode.as_deref().is_none_or(|p| p.starts_with('X')))
        );
        assert_eq!(
            recs.iter()
                .filter(|r| !r.branch_postcodes.is_empty())
                .count(),
            1
        );
        let mut kept = Vec::new();
        let reg = read_register(
            "ch.csv",
            companies_house_file().as_bytes(),
            |_| true,
            |r| kept.push(r),
        )
        .unwrap();
        assert!(reg.balanced && reg.kept == 1, "{reg:?}");
    }
}
