//! Suppliers as the analysis sees them: each body's records with their sites, and where a location came from.

#[allow(unused_imports)]
use super::*;

/// Where a supplier's location came from. A registered office or a charity's contact address is not
/// necessarily where the organisation works, so the report says how much spend each source locates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocationSource {
    /// The postcode on the council's supplier record.
    Council,
    /// A branch or trading postcode on the council's record.
    Branch,
    /// The Companies House registered office (used only when the council's record has no postcode).
    CompaniesHouse,
    /// The Charity Commission contact postcode (likewise).
    CharityCommission,
}

impl LocationSource {
    pub fn key(self) -> &'static str {
        match self {
            LocationSource::Council => "council",
            LocationSource::Branch => "branch",
            LocationSource::CompaniesHouse => "companies_house",
            LocationSource::CharityCommission => "charity_commission",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LocationSource::Council => "Council's supplier record",
            LocationSource::Branch => "Branch postcode on the council's record",
            LocationSource::CompaniesHouse => "Companies House registered office",
            LocationSource::CharityCommission => "Charity Commission contact address",
        }
    }

    pub fn from_key(s: &str) -> Option<LocationSource> {
        [
            LocationSource::Council,
            LocationSource::Branch,
            LocationSource::CompaniesHouse,
            LocationSource::CharityCommission,
        ]
        .into_iter()
        .find(|l| l.key() == s)
    }
}

/// One place a supplier is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Site {
    /// A postcode as levers shows it (`PR1 2HE`).
    pub postcode: String,
    pub source: LocationSource,
}

/// A supplier record with everything the analysis needs already worked out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupplierInfo {
    /// The caller's key (the store's id).
    pub key: i64,
    pub supplier_id: Option<String>,
    pub name: String,
    /// In order: council postcode, branches, then register addresses.
    pub sites: Vec<Site>,
    pub class: Classification,
    /// The supplier's own sector label (the council's category, else the SIC section's name).
    pub sector: Option<String>,
    pub company_number: Option<String>,
    pub charity_number: Option<String>,
    pub vat_number: Option<String>,
}

impl SupplierInfo {
    /// Builds what the analysis needs from the council's record and any register entries matched to
    /// it (by company or charity number). The register's address is added as a site only when the
    /// council's record has no postcode of its own and `use_registers` is on, and is always marked as
    /// a registered office or contact address, never as a trading location.
    pub fn build(
        key: i64,
        rec: &crate::suppliers::SupplierRecord,
        company: Option<&crate::registers::CompanyRecord>,
        charity: Option<&crate::registers::CharityRecord>,
        use_registers: bool,
    ) -> SupplierInfo {
        let mut sites = Vec::new();
        if let Some(p) = &rec.postcode {
            sites.push(Site {
                postcode: p.clone(),
                source: LocationSource::Council,
            });
        }
        for b in &rec.branch_postcodes {
            sites.push(Site {
                postcode: b.clone(),
                source: LocationSource::Branch,
            });
        }
        if rec.postcode.is_none() && use_registers {
            if let Some(p) = company.and_then(|c| c.postcode.clone()) {
                sites.push(Site {
                    postcode: p,
                    source: LocationSource::CompaniesHouse,
                });
            }
            if let Some(p) = charity.and_then(|c| c.postcode.clone()) {
                sites.push(Site {
                    postcode: p,
                    source: LocationSource::CharityCommission,
                });
            }
        }
        let class =
            crate::classify::classify(rec.declared_type, company, charity, &rec.name, false);
        let sector = rec
            .sector
            .clone()
            .filter(|s| !s.trim().is_empty())
            .map(|s| {
                // A SIC code in the council's sector column reads as its section's name.
                match crate::registers::sic_code(&s).and_then(|c| crate::classify::sic_section(&c))
                {
                    Some(sec) if s.trim().chars().all(|c| c.is_ascii_digit()) => {
                        crate::classify::sic_section_name(sec).to_string()
                    }
                    _ => s.trim().to_string(),
                }
            })
            .or_else(|| {
                class
                    .sic_section
                    .map(|c| crate::classify::sic_section_name(c).to_string())
            });
        SupplierInfo {
            key,
            supplier_id: rec.supplier_id.clone(),
            name: rec.name.clone(),
            sites,
            class,
            sector,
            company_number: rec
                .company_number
                .clone()
                .or_else(|| charity.and_then(|c| c.company_number.clone())),
            charity_number: rec.charity_number.clone(),
            vat_number: rec.vat_number.clone(),
        }
    }
}

/// One body's suppliers and the officers' remembered matching decisions (keyed by normalised name,
/// linking to an index in `suppliers`).
#[derive(Debug, Clone, Default)]
pub struct BodyData {
    pub name: String,
    pub suppliers: Vec<SupplierInfo>,
    pub decisions: HashMap<String, Decision>,
}
