//! Classifying suppliers (size, VCSE, public sector, individual or redacted, sector) from what the
//! council declares and what the registers say.

use serde::{Deserialize, Serialize};

use crate::registers::{CharityRecord, CompanyRecord};
use crate::suppliers::DeclaredType;

/// Size class used in the shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SizeClass {
    Sme,
    Large,
    Unknown,
}

/// Where a classification came from, most trusted first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassSource {
    /// The council's supplier record (declared type).
    Council,
    CompaniesHouse,
    CharityCommission,
    /// Words in the supplier's name ("… Council", "NHS …", "… CIC"): a fallback, shown as such.
    Name,
    None,
}

/// What levers concludes about a supplier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Classification {
    pub size: SizeClass,
    pub vcse: bool,
    pub public: bool,
    pub individual: bool,
    pub source: ClassSource,
    /// SIC 2007 section letter (`I`, `Q` …) when known.
    pub sic_section: Option<char>,
}

/// The SIC 2007 section of a 2-digit division (`56` → `I`).
pub fn sic_section(code: &str) -> Option<char> {
    let d: u32 = code.get(..2)?.parse().ok()?;
    Some(match d {
        1..=3 => 'A',
        5..=9 => 'B',
        10..=33 => 'C',
        35 => 'D',
        36..=39 => 'E',
        41..=43 => 'F',
        45..=47 => 'G',
        49..=53 => 'H',
        55..=56 => 'I',
        58..=63 => 'J',
        64..=66 => 'K',
        68 => 'L',
        69..=75 => 'M',
        77..=82 => 'N',
        84 => 'O',
        85 => 'P',
        86..=88 => 'Q',
        90..=93 => 'R',
        94..=96 => 'S',
        97..=98 => 'T',
        99 => 'U',
        _ => return None,
    })
}

/// The name of a SIC 2007 section (UK SIC 2007, ONS).
pub fn sic_section_name(s: char) -> &'static str {
    match s {
        'A' => "Agriculture, forestry and fishing",
        'B' => "Mining and quarrying",
        'C' => "Manufacturing",
        'D' => "Electricity, gas, steam and air conditioning supply",
        'E' => "Water supply, sewerage and waste management",
        'F' => "Construction",
        'G' => "Wholesale and retail trade; repair of motor vehicles",
        'H' => "Transportation and storage",
        'I' => "Accommodation and food service activities",
        'J' => "Information and communication",
        'K' => "Financial and insurance activities",
        'L' => "Real estate activities",
        'M' => "Professional, scientific and technical activities",
        'N' => "Administrative and support service activities",
        'O' => "Public administration and defence",
        'P' => "Education",
        'Q' => "Human health and social work activities",
        'R' => "Arts, entertainment and recreation",
        'S' => "Other service activities",
        'T' => "Households as employers",
        'U' => "Extraterritorial organisations",
        _ => "Unknown",
    }
}

/// Size from Companies House `Accounts.AccountCategory`. Micro, small, medium, total-exemption and
/// abridged accounts are filed by companies within the small/medium thresholds; FULL and GROUP by
/// large ones (a small company may choose full accounts, so this is a proxy, said as such in the
/// report). Dormant, subsidiary exemptions and "no accounts" say nothing.
pub fn size_from_accounts(category: &str) -> SizeClass {
    let c = category.trim().to_ascii_uppercase();
    match c.as_str() {
        "MICRO ENTITY"
        | "SMALL"
        | "MEDIUM"
        | "TOTAL EXEMPTION SMALL"
        | "TOTAL EXEMPTION FULL"
        | "UNAUDITED ABRIDGED"
        | "AUDITED ABRIDGED"
        | "PARTIAL EXEMPTION" => SizeClass::Sme,
        "FULL" | "GROUP" => SizeClass::Large,
        _ => SizeClass::Unknown,
    }
}

/// VCSE legal forms in Companies House `CompanyCategory`: community interest companies, companies
/// limited by guarantee, charitable incorporated organisations, registered (industrial and provident,
/// community benefit, co-operative) societies.
pub fn vcse_company_category(category: &str) -> bool {
    let c = category.to_ascii_lowercase();
    c.contains("community interest")
        || c.contains("guarant")
        || c.contains("lbg")
        || c.contains("charitable incorporated")
        || c.contains("registered society")
        || c.contains("industrial and provident")
        || c.contains("co-operative society")
        || c.contains("community benefit")
}

fn words(name: &str) -> Vec<String> {
    crate::resolve::normalise_name(name)
        .split(' ')
        .map(str::to_string)
        .collect()
}

/// Public bodies by name: councils, NHS bodies, police, fire authorities, government departments,
/// HMRC, schools and academies, pension funds run by councils.
pub fn public_by_name(name: &str) -> bool {
    let w = words(name);
    let has = |s: &str| w.iter().any(|x| x == s);
    let n = w.join(" ");
    has("COUNCIL") && !n.contains("COUNCIL FOR VOLUNTARY")
        || has("NHS")
        || n.contains("HM REVENUE")
        || has("HMRC")
        || n.contains("FIRE AUTHORITY")
        || n.contains("FIRE AND RESCUE")
        || n.contains("POLICE")
        || n.contains("COMBINED AUTHORITY")
        || n.contains("DEPARTMENT FOR")
        || n.contains("PENSION FUND")
        || n.contains("CLINICAL COMMISSIONING")
        || n.contains("INTEGRATED CARE BOARD")
}

/// VCSE by name: CIC, charity, community trust, co-operative, credit union, food bank.
pub fn vcse_by_name(name: &str) -> bool {
    let w = words(name);
    let has = |s: &str| w.iter().any(|x| x == s);
    let n = w.join(" ");
    has("CIC")
        || has("CHARITY")
        || has("CIO")
        || n.contains("COMMUNITY TRUST")
        || n.contains("CO OPERATIVE")
        || has("COOPERATIVE")
        || n.contains("CREDIT UNION")
        || n.contains("FOOD BANK")
        || n.contains("VOLUNTARY")
}

/// Classifies a supplier: the council's declared type first, then the registers, then the name.
pub fn classify(
    declared: Option<DeclaredType>,
    company: Option<&CompanyRecord>,
    charity: Option<&CharityRecord>,
    name: &str,
    redacted: bool,
) -> Classification {
    let sic_section = company
        .and_then(|c| c.sic.first())
        .and_then(|s| sic_section(s));
    let mut c = Classification {
        size: SizeClass::Unknown,
        vcse: false,
        public: false,
        individual: false,
        source: ClassSource::None,
        sic_section,
    };
    if redacted {
        c.individual = true;
        c.source = ClassSource::Council;
        return c;
    }
    let from_company = company.map(|co| {
        (
            size_from_accounts(&co.account_category),
            vcse_company_category(&co.category),
        )
    });
    match declared {
        Some(DeclaredType::Sme) => c.size = SizeClass::Sme,
        Some(DeclaredType::Large) => c.size = SizeClass::Large,
        Some(DeclaredType::Vcse) => {
            c.vcse = true;
            // A VCSE's size still comes from its accounts where known.
            c.size = from_company.map_or(SizeClass::Unknown, |f| f.0);
        }
        Some(DeclaredType::Public) => c.public = true,
        Some(DeclaredType::Individual) => c.individual = true,
        None => {}
    }
    if declared.is_some() {
        c.source = ClassSource::Council;
        return c;
    }
    if let Some((size, vcse)) = from_company {
        c.size = size;
        c.vcse = vcse || charity.is_some();
        c.source = ClassSource::CompaniesHouse;
        return c;
    }
    if charity.is_some() {
        c.vcse = true;
        c.source = ClassSource::CharityCommission;
        return c;
    }
    if public_by_name(name) {
        c.public = true;
        c.source = ClassSource::Name;
    } else if vcse_by_name(name) {
        c.vcse = true;
        c.source = ClassSource::Name;
    }
    c
}
