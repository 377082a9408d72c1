//! The candidates who could bid, as the procurement analysis and the supplier records know them:
//! the analysis's suppliers (location, size, VCSE, spend and its categories), with the Companies
//! House SIC codes and charity objects of the register entries their supplier records lead to.

use std::collections::HashMap;

use levers_contracts::matching::Candidate;
use levers_spend::analysis::Report;
use levers_spend::registers::{CharityRecord, CompanyRecord, RegisterRecord};
use levers_spend::resolve::normalise_name;
use levers_spend::suppliers::SupplierRecord;

/// The analysis's suppliers as candidates: location, size, VCSE, spend and its categories.
pub fn candidates_from_report(r: &Report) -> Vec<Candidate> {
    r.units
        .iter()
        .filter(|u| !u.redacted && u.net_pence > 0 && !u.class.public && !u.class.individual)
        .map(|u| Candidate {
            key: levers_spend::resolve::normalise_name(&u.name),
            name: u.name.clone(),
            local: u.loc.local,
            wider: u.loc.wider,
            postcode: u.loc.postcode.clone(),
            size: match u.class.size {
                levers_spend::classify::SizeClass::Sme => Some("sme".into()),
                levers_spend::classify::SizeClass::Large => Some("large".into()),
                _ => None,
            },
            vcse: u.class.vcse,
            spend_pence: u.net_pence,
            categories: u
                .sectors
                .iter()
                .filter_map(|(id, p)| r.sector_names.get(*id as usize).map(|n| (n.clone(), *p)))
                .collect(),
            sic_codes: Vec::new(),
            charity_objects: None,
        })
        .collect()
}

/// Adds what the supplier records and the public registers know to each candidate: its company and
/// charity numbers from the bodies' supplier records (matched by normalised name; else a register
/// entry of the same normalised name), then the SIC codes of its Companies House entry and the
/// objects of its Charity Commission entry (a charitable company's charity found by its company
/// number too). What is not found stays empty, and the matcher then has no such evidence.
pub fn enrich_candidates(
    candidates: &mut [Candidate],
    suppliers: &[SupplierRecord],
    registers: &[RegisterRecord],
) {
    let mut numbers: HashMap<String, (Option<String>, Option<String>)> = HashMap::new();
    for s in suppliers {
        let e = numbers.entry(normalise_name(&s.name)).or_default();
        if e.0.is_none() {
            e.0.clone_from(&s.company_number);
        }
        if e.1.is_none() {
            e.1.clone_from(&s.charity_number);
        }
    }
    let mut companies: HashMap<&str, &CompanyRecord> = HashMap::new();
    let mut charities: HashMap<&str, &CharityRecord> = HashMap::new();
    let mut charity_of_company: HashMap<&str, &CharityRecord> = HashMap::new();
    let mut by_name: HashMap<String, Vec<&RegisterRecord>> = HashMap::new();
    for r in registers {
        match r {
            RegisterRecord::Company(c) => {
                companies.insert(&c.number, c);
            }
            RegisterRecord::Charity(c) => {
                charities.insert(&c.number, c);
                if let Some(n) = &c.company_number {
                    charity_of_company.insert(n, c);
                }
            }
        }
        by_name.entry(normalise_name(r.name())).or_default().push(r);
    }
    for c in candidates.iter_mut() {
        let (mut company, mut charity) = numbers.get(&c.key).cloned().unwrap_or_default();
        if company.is_none() && charity.is_none() {
            for r in by_name.get(&c.key).into_iter().flatten() {
                match r {
                    RegisterRecord::Company(x) => company = Some(x.number.clone()),
                    RegisterRecord::Charity(x) => charity = Some(x.number.clone()),
                }
            }
        }
        let charity = charity
            .as_deref()
            .and_then(|n| charities.get(n))
            .or_else(|| company.as_deref().and_then(|n| charity_of_company.get(n)));
        let company = company
            .as_deref()
            .or_else(|| charity.and_then(|ch| ch.company_number.as_deref()))
            .and_then(|n| companies.get(n));
        if let Some(co) = company
            && c.sic_codes.is_empty()
        {
            c.sic_codes.clone_from(&co.sic);
        }
        if let Some(ch) = charity
            && c.charity_objects.is_none()
        {
            c.charity_objects.clone_from(&ch.objects);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use levers_contracts::mapping::Mapping;
    use levers_contracts::matching::matches;
    use levers_spend::registers::read_register;

    fn register(name: &str, text: &str) -> Vec<RegisterRecord> {
        let mut out = Vec::new();
        let rep = read_register(name, text.as_bytes(), |_| true, |r| out.push(r)).unwrap();
        assert!(rep.balanced, "{rep:?}");
        out
    }

    fn candidate(name: &str) -> Candidate {
        Candidate {
            key: normalise_name(name),
            name: name.into(),
            local: true,
            ..Candidate::default()
        }
    }

    #[test]
    fn supplier_records_lead_candidates_to_their_sic_codes_and_charity_objects() {
        let mut registers = register(
            "companies.csv",
            include_str!("../../tests/fixtures/contracts/companies.csv"),
        );
        registers.extend(register(
            "charities.txt",
            include_str!("../../tests/fixtures/contracts/charities.txt"),
        ));
        let supplier = |name: &str, company: Option<&str>, charity: Option<&str>| SupplierRecord {
            line: 2,
            supplier_id: None,
            name: name.into(),
            postcode: None,
            branch_postcodes: Vec::new(),
            company_number: company.map(str::to_string),
            charity_number: charity.map(str::to_string),
            vat_number: None,
            declared_type: None,
            sector: None,
        };
        // The supplier file names the waste firm by its company number and the trust by its
        // charity number; the grounds firm is found in the register by its name alone.
        let suppliers = vec![
            supplier("Levermouth Waste Services Ltd", Some("01234567"), None),
            supplier("Harbour Community Trust", None, Some("1012345")),
        ];
        let mut cands = vec![
            candidate("Levermouth Waste Services Ltd"),
            candidate("Harbour Community Trust"),
            candidate("Green Acres Grounds Limited"),
            candidate("Nobody Known Ltd"),
        ];
        enrich_candidates(&mut cands, &suppliers, &registers);
        assert_eq!(cands[0].sic_codes, ["38110", "38210"]);
        assert!(
            cands[1]
                .charity_objects
                .as_deref()
                .is_some_and(|o| o.starts_with("Supported living")),
            "{:?}",
            cands[1]
        );
        // A charitable company: its SIC codes come through its company number too.
        assert_eq!(cands[1].sic_codes, ["87900"]);
        assert_eq!(cands[2].sic_codes, ["81300"]);
        assert!(cands[3].sic_codes.is_empty() && cands[3].charity_objects.is_none());

        // The matcher now has the evidence: refuse collection (CPV 90511000) finds the waste firm
        // by its SIC code; supported living (CPV 85311000) finds the trust by its objects.
        let mapping = Mapping::default();
        let waste = matches("o1", &["90511000".into()], &mapping, &cands, &[]);
        assert_eq!(waste.len(), 1, "{waste:?}");
        assert!(
            waste[0]
                .evidence
                .iter()
                .any(|e| e.kind == "sic" && e.text.contains("38110"))
        );
        let care = matches("o2", &["85311000".into()], &mapping, &cands, &[]);
        let trust = care
            .iter()
            .find(|m| m.name == "Harbour Community Trust")
            .unwrap();
        assert!(
            trust.evidence.iter().any(|e| e.kind == "charity"),
            "{care:?}"
        );
    }
}
