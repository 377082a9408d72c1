//! Classifying suppliers (size, VCSE, public sector, individual or redacted, sector) from what the
//! council declares and what the registers say, and the influenceable-spend exclusion rules (levies,
//! precepts, pensions, HMRC, payroll, loans and financing, grants and direct payments to individuals,
//! payments to other public bodies, refunds): editable, applied in order, each excluded pound
//! attributed to the first rule that matches it.

use crate::FastMap;

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

/// What a rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleField {
    SupplierName,
    ExpenseType,
    ExpenseArea,
    Purpose,
    CreditorType,
}

impl RuleField {
    pub const ALL: [RuleField; 5] = [
        RuleField::SupplierName,
        RuleField::ExpenseType,
        RuleField::ExpenseArea,
        RuleField::Purpose,
        RuleField::CreditorType,
    ];

    pub fn key(self) -> &'static str {
        match self {
            RuleField::SupplierName => "supplier_name",
            RuleField::ExpenseType => "expense_type",
            RuleField::ExpenseArea => "expense_area",
            RuleField::Purpose => "purpose",
            RuleField::CreditorType => "creditor_type",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RuleField::SupplierName => "Supplier name",
            RuleField::ExpenseType => "Expense type",
            RuleField::ExpenseArea => "Expense area",
            RuleField::Purpose => "Purpose",
            RuleField::CreditorType => "Creditor type",
        }
    }

    pub fn from_key(s: &str) -> Option<RuleField> {
        RuleField::ALL.into_iter().find(|f| f.key() == s.trim())
    }
}

/// One influenceable-spend exclusion rule: a payment is excluded when any of `fields` contains any
/// of `keywords` as whole words (case-insensitive), or when its supplier is of one of
/// `supplier_types`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExclusionRule {
    /// Stable key (`levies`, `pensions` …).
    pub key: String,
    pub label: String,
    pub enabled: bool,
    pub fields: Vec<RuleField>,
    pub keywords: Vec<String>,
    /// `public`, `individual`: exclude every payment to suppliers classified so.
    #[serde(default)]
    pub supplier_types: Vec<String>,
}

/// The facts about one payment the rules look at.
#[derive(Debug, Clone, Copy, Default)]
pub struct PaymentFacts<'a> {
    pub supplier_name: &'a str,
    pub expense_type: &'a str,
    pub expense_area: &'a str,
    pub purpose: &'a str,
    pub creditor_type: &'a str,
    pub public: bool,
    pub individual: bool,
}

/// Upper case, every run of non-alphanumerics one space, padded with spaces: whole-word search.
fn padded(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(' ');
    let mut space = true;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
            space = false;
        } else if c.is_alphanumeric() {
            out.extend(c.to_uppercase());
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if !space {
        out.push(' ');
    }
    out
}

/// Rules compiled for fast matching (keywords upper-cased and padded once).
#[derive(Debug, Clone)]
pub struct RuleSet {
    rules: Vec<(ExclusionRule, Vec<String>)>,
    /// The supplier-name keywords by their first word: (padded keyword, rule index). A padded
    /// keyword occurs in a padded name exactly when its words occur there in a row, so a name is
    /// tested word by word against only the keywords starting with that word.
    name_words: FastMap<String, Vec<(String, u8)>>,
}

impl RuleSet {
    pub fn new(rules: &[ExclusionRule]) -> RuleSet {
        let rules: Vec<(ExclusionRule, Vec<String>)> = rules
            .iter()
            .filter(|r| r.enabled)
            .map(|r| {
                (
                    r.clone(),
                    r.keywords
                        .iter()
                        .map(|k| padded(k))
                        .filter(|k| k.trim() != "")
                        .collect(),
                )
            })
            .collect();
        let mut name_words: FastMap<String, Vec<(String, u8)>> = FastMap::default();
        if rules.len() <= 64 {
            for (i, (rule, kws)) in rules.iter().enumerate() {
                if rule.fields.contains(&RuleField::SupplierName) {
                    for k in kws {
                        let first = k.trim_start().split(' ').next().unwrap_or_default();
                        name_words
                            .entry(first.to_string())
                            .or_default()
                            .push((k.clone(), i as u8));
                    }
                }
            }
        }
        RuleSet { rules, name_words }
    }

    pub fn rules(&self) -> impl Iterator<Item = &ExclusionRule> {
        self.rules.iter().map(|(r, _)| r)
    }

    /// The rules whose supplier-name keywords match `name`, as a bit set (bit i = enabled rule i).
    /// `None` when there are more than 64 enabled rules (use [`RuleSet::first_match`] then).
    /// With [`RuleSet::other_mask`] this splits [`RuleSet::first_match`] so the analysis can test a
    /// name once per distinct name and the other fields once per distinct combination.
    pub fn name_mask(&self, name: &str) -> Option<u64> {
        if self.rules.len() > 64 {
            return None;
        }
        if name.is_empty() {
            return Some(0);
        }
        let text = padded(name);
        let mut mask = 0u64;
        // Each word starts after a space; `text[start - 1..]` begins with that space, as keywords do.
        let mut start = 1;
        while start < text.len() {
            let end = text[start..].find(' ').map_or(text.len(), |e| start + e);
            if let Some(kws) = self.name_words.get(&text[start..end]) {
                for (k, i) in kws {
                    if text[start - 1..].starts_with(k.as_str()) {
                        mask |= 1 << i;
                    }
                }
            }
            start = end + 1;
        }
        Some(mask)
    }

    /// The rules matching on anything but the supplier's name (supplier types and the other fields),
    /// as a bit set; the name is ignored. `None` when there are more than 64 enabled rules.
    pub fn other_mask(&self, p: &PaymentFacts<'_>) -> Option<u64> {
        if self.rules.len() > 64 {
            return None;
        }
        let mut texts: [Option<String>; 4] = Default::default();
        let mut mask = 0u64;
        for (i, (rule, kws)) in self.rules.iter().enumerate() {
            if rule
                .supplier_types
                .iter()
                .any(|t| (t == "public" && p.public) || (t == "individual" && p.individual))
            {
                mask |= 1 << i;
                continue;
            }
            for f in &rule.fields {
                let (slot, raw) = match f {
                    RuleField::SupplierName => continue,
                    RuleField::ExpenseType => (0, p.expense_type),
                    RuleField::ExpenseArea => (1, p.expense_area),
                    RuleField::Purpose => (2, p.purpose),
                    RuleField::CreditorType => (3, p.creditor_type),
                };
                if raw.is_empty() {
                    continue;
                }
                let t = texts[slot].get_or_insert_with(|| padded(raw));
                if kws.iter().any(|k| t.contains(k.as_str())) {
                    mask |= 1 << i;
                    break;
                }
            }
        }
        Some(mask)
    }

    /// The first rule in a bit set from [`RuleSet::name_mask`] | [`RuleSet::other_mask`].
    pub fn first_of(mask: u64) -> Option<usize> {
        (mask != 0).then(|| mask.trailing_zeros() as usize)
    }

    /// The index (among enabled rules) of the first rule excluding this payment.
    pub fn first_match(&self, p: &PaymentFacts<'_>) -> Option<usize> {
        let mut texts: [Option<String>; 5] = Default::default();
        for (i, (rule, kws)) in self.rules.iter().enumerate() {
            if rule
                .supplier_types
                .iter()
                .any(|t| (t == "public" && p.public) || (t == "individual" && p.individual))
            {
                return Some(i);
            }
            if kws.is_empty() {
                continue;
            }
            for f in &rule.fields {
                let (slot, raw) = match f {
                    RuleField::SupplierName => (0, p.supplier_name),
                    RuleField::ExpenseType => (1, p.expense_type),
                    RuleField::ExpenseArea => (2, p.expense_area),
                    RuleField::Purpose => (3, p.purpose),
                    RuleField::CreditorType => (4, p.creditor_type),
                };
                if raw.is_empty() {
                    continue;
                }
                let t = texts[slot].get_or_insert_with(|| padded(raw));
                if kws.iter().any(|k| t.contains(k.as_str())) {
                    return Some(i);
                }
            }
        }
        None
    }
}

fn rule(
    key: &str,
    label: &str,
    fields: &[RuleField],
    keywords: &[&str],
    types: &[&str],
) -> ExclusionRule {
    ExclusionRule {
        key: key.into(),
        label: label.into(),
        enabled: true,
        fields: fields.to_vec(),
        keywords: keywords.iter().map(|s| s.to_string()).collect(),
        supplier_types: types.iter().map(|s| s.to_string()).collect(),
    }
}

/// The default exclusion rules (CLES practice: influenceable procurement spend leaves out levies and
/// precepts, payments to other public bodies, pensions, tax, payroll, loans and financing, grants and
/// direct payments to individuals, and refunds). Officers can edit, disable, reorder and add rules.
pub fn default_rules() -> Vec<ExclusionRule> {
    use RuleField::*;
    let text = [ExpenseType, ExpenseArea, Purpose];
    vec![
        rule(
            "levies",
            "Levies and precepts",
            &[ExpenseType, Purpose, SupplierName],
            &["levy", "levies", "precept", "precepts"],
            &[],
        ),
        rule(
            "pensions",
            "Pensions",
            &[ExpenseType, Purpose, SupplierName],
            &["pension", "pensions", "superannuation"],
            &[],
        ),
        rule(
            "hmrc",
            "HMRC and tax",
            &[SupplierName, ExpenseType, Purpose],
            &[
                "HMRC",
                "HM Revenue",
                "PAYE",
                "national insurance",
                "tax payment",
                "tax payments",
                "VAT payment",
                "apprenticeship levy",
            ],
            &[],
        ),
        rule(
            "payroll",
            "Payroll and salaries",
            &text,
            &["salary", "salaries", "payroll", "wages", "employee costs"],
            &[],
        ),
        rule(
            "financing",
            "Loans and financing",
            &[ExpenseType, Purpose, SupplierName],
            &[
                "loan",
                "loans",
                "interest payable",
                "debt repayment",
                "PWLB",
                "public works loan",
                "capital financing",
                "bank charges",
                "minimum revenue provision",
            ],
            &[],
        ),
        rule(
            "individuals",
            "Grants and direct payments to individuals",
            &[ExpenseType, Purpose, CreditorType],
            &[
                "direct payment",
                "direct payments",
                "personal budget",
                "personal budgets",
                "grants to individuals",
                "individual grant",
                "bursary",
                "bursaries",
                "client payments",
            ],
            &["individual"],
        ),
        rule(
            "public_bodies",
            "Payments to other public bodies",
            &[CreditorType],
            &["other local authority", "government department"],
            &["public"],
        ),
        rule(
            "refunds",
            "Refunds",
            &text,
            &["refund", "refunds", "reimbursement of income"],
            &[],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_follow_the_sic_divisions() {
        assert_eq!(sic_section("56290"), Some('I'));
        assert_eq!(sic_section("88990"), Some('Q'));
        assert_eq!(sic_section("01110"), Some('A'));
        assert_eq!(sic_section("04000"), None);
        assert_eq!(sic_section_name('F'), "Construction");
    }

    #[test]
    fn rules_attribute_each_payment_to_the_first_match() {
        let rs = RuleSet::new(&default_rules());
        let f = |name: &'static str, ty: &'static str| PaymentFacts {
            supplier_name: name,
            expense_type: ty,
            ..Default::default()
        };
        let key = |p: PaymentFacts<'_>| {
            rs.first_match(&p)
                .map(|i| rs.rules().nth(i).unwrap().key.clone())
        };
        assert_eq!(
            key(f("Levermouth Coast Fire Authority", "Levies")).as_deref(),
            Some("levies")
        );
        assert_eq!(
            key(f("Levermouth Coast Pension Fund", "Pension contributions")).as_deref(),
            Some("pensions")
        );
        assert_eq!(
            key(f("HM Revenue & Customs", "Tax payments")).as_deref(),
            Some("hmrc")
        );
        assert_eq!(key(f("Acme Ltd", "Catering")), None);
        // Whole words only: "Levyland Ltd" is not a levy, "grants to voluntary bodies" are kept.
        assert_eq!(key(f("Levyland Ltd", "Grants to voluntary bodies")), None);
        let public = PaymentFacts {
            supplier_name: "Saltmarsh Council",
            public: true,
            ..Default::default()
        };
        assert_eq!(key(public).as_deref(), Some("public_bodies"));
        let ind = PaymentFacts {
            supplier_name: "Redacted",
            individual: true,
            ..Default::default()
        };
        assert_eq!(key(ind).as_deref(), Some("individuals"));
        // A disabled rule excludes nothing.
        let mut rules = default_rules();
        rules[0].enabled = false;
        let rs2 = RuleSet::new(&rules);
        assert_eq!(rs2.first_match(&f("Fire Authority", "Levies")), None);
    }

    #[test]
    fn suppliers_are_classified_council_first() {
        let co = CompanyRecord {
            number: "01234567".into(),
            name: "ACME LIMITED".into(),
            postcode: None,
            category: "Private Limited Company".into(),
            status: "Active".into(),
            account_category: "FULL".into(),
            sic: vec!["56290".into()],
        };
        let c = classify(Some(DeclaredType::Sme), Some(&co), None, "Acme", false);
        assert_eq!(
            (c.size, c.source, c.sic_section),
            (SizeClass::Sme, ClassSource::Council, Some('I'))
        );
        let c = classify(None, Some(&co), None, "Acme", false);
        assert_eq!(
            (c.size, c.source),
            (SizeClass::Large, ClassSource::CompaniesHouse)
        );
        let cic = CompanyRecord {
            category: "Community Interest Company".into(),
            account_category: "MICRO ENTITY".into(),
            ..co
        };
        let c = classify(None, Some(&cic), None, "Acme", false);
        assert!(c.vcse && c.size == SizeClass::Sme);
        let c = classify(None, None, None, "Saltmarsh Borough Council", false);
        assert!(c.public && c.source == ClassSource::Name);
        let c = classify(
            None,
            None,
            None,
            "Levermouth Council for Voluntary Service",
            false,
        );
        assert!(!c.public && c.vcse);
        assert!(classify(None, None, None, "REDACTED", true).individual);
    }

    proptest::proptest! {
        /// The word index finds exactly the supplier-name rules a substring search of every
        /// keyword finds, multi-word keywords and odd separators included.
        #[test]
        fn name_mask_agrees_with_searching_every_keyword(
            words in proptest::collection::vec(proptest::sample::select(vec![
                "HMRC", "HM", "Revenue", "Customs", "national", "Insurance", "tax", "payment", "payments", "VAT",
                "apprenticeship", "levy", "Levies", "precept", "pension", "superannuation", "loan", "Public",
                "Works", "PWLB", "capital", "financing", "Acme", "Ltd", "Mr", "É", "ß", "Trust", "x", "and",
            ]), 0..7),
            seps in proptest::collection::vec(proptest::sample::select(vec![" ", "  ", "-", " & ", ".", "/", "'"]), 7),
        ) {
            let name: String = words.iter().zip(&seps).map(|(w, s)| format!("{w}{s}")).collect();
            let rs = RuleSet::new(&default_rules());
            let text = padded(&name);
            let mut brute = 0u64;
            for (i, (rule, kws)) in rs.rules.iter().enumerate() {
                if rule.fields.contains(&RuleField::SupplierName) && kws.iter().any(|k| text.contains(k.as_str())) {
                    brute |= 1 << i;
                }
            }
            proptest::prop_assert_eq!(rs.name_mask(&name), Some(brute), "{}", name);
        }
    }

    proptest::proptest! {
        /// Splitting the match into the name's rules and the other fields' rules picks the same
        /// first rule as matching the whole payment.
        #[test]
        fn split_masks_agree_with_first_match(
            name in proptest::sample::select(vec!["", "Fire Authority", "HMRC", "Acme Ltd", "Mr J Smith", "Pension Fund Trustees", "Harbour Housing Trust", "Levermouth Council"]),
            et in proptest::sample::select(vec!["", "Levies", "Pension contributions", "Catering", "Tax payments", "Grants to individuals", "Loan repayment", "ICT"]),
            area in proptest::sample::select(vec!["", "Finance", "Payroll", "Adult social care", "Treasury management"]),
            purpose in proptest::sample::select(vec!["", "Refund", "Precept", "Direct payment", "Repairs"]),
            creditor in proptest::sample::select(vec!["", "Individual", "Public body", "Company"]),
            public in proptest::bool::ANY,
            individual in proptest::bool::ANY,
            drop in 0usize..12,
        ) {
            let mut rules = default_rules();
            if drop < rules.len() {
                rules[drop].enabled = false;
            }
            let rs = RuleSet::new(&rules);
            let facts = PaymentFacts { supplier_name: name, expense_type: et, expense_area: area, purpose, creditor_type: creditor, public, individual };
            let split = RuleSet::first_of(rs.name_mask(name).unwrap() | rs.other_mask(&facts).unwrap());
            proptest::prop_assert_eq!(split, rs.first_match(&facts));
        }
    }
}
