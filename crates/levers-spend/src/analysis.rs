//! The community wealth building spend analysis (CLES "Preston model", BRIEF §4.2), pure: a year of
//! payments for one body or several, each body's supplier records, the geography index, exclusion
//! rules, and two areas (local and wider, each a named set of districts) in; the report out.
//!
//! The steps:
//! 1. Resolve every distinct supplier as payments name it (supplier ID, registered number, officer's
//!    decision, exact normalised name, fuzzy) into *units*: a linked supplier record, an unlinked name,
//!    or a body's redacted payments.
//! 2. Exclude payments by the first matching rule (each excluded pound is attributed to one rule).
//! 3. Net the rest per unit; units whose credits outweigh their payments are set aside (reported as
//!    `net_credit_pence`), so total = excluded + net credit + analysed and every share lies in [0, 1].
//! 4. Locate each unit: its sites in order (council postcode, branch postcodes, then — only when the
//!    council's record has no postcode — the Companies House registered office or the Charity
//!    Commission contact postcode). A unit is *local* if any site is in a local district and *in the
//!    wider area* if any site is in the wider area (which includes the local one). Its ward and
//!    deprivation decile come from its first local site, else first wider-area site, else first
//!    located site.
//! 5. Metrics for all analysed units and for each body's top N by annual value: local, wider and
//!    leakage pounds and shares; deprived shares (IMD decile 1, deciles 1–2); SME, large, unknown
//!    size, VCSE, public, individual/redacted and unknown-location shares; by sector, by ward, by
//!    spend band; location sources; opportunities (sectors with most of their spend leaking while
//!    local suppliers of that sector exist, named). With several bodies, each body's shares and the
//!    mean of the bodies' shares beside the spend-weighted shares.

use std::collections::{HashMap, HashSet};

use levers_core::{AreaCode, AreaKind};
use levers_geo::{GeoIndex, Postcode};
use serde::{Deserialize, Serialize};
use time::Date;

use crate::classify::{
    Classification, ExclusionRule, PaymentFacts, RuleSet, SizeClass, public_by_name, vcse_by_name,
};
use crate::resolve::{Candidate, Decision, MatchConfig, MatchMethod, Matcher, normalise_name};

use crate::FastMap;

/// Strings shared by many payments, stored once; id 0 is the empty string.
#[derive(Debug, Clone)]
pub struct Interner {
    map: FastMap<Box<str>, u32>,
    strs: Vec<Box<str>>,
}

impl Default for Interner {
    fn default() -> Self {
        Interner {
            map: FastMap::from_iter([(Box::from(""), 0)]),
            strs: vec![Box::from("")],
        }
    }
}

impl Interner {
    pub fn id(&mut self, s: &str) -> u32 {
        let s = s.trim();
        if s.is_empty() {
            return 0;
        }
        if let Some(&i) = self.map.get(s) {
            return i;
        }
        let i = self.strs.len() as u32;
        self.strs.push(Box::from(s));
        self.map.insert(Box::from(s), i);
        i
    }

    pub fn get(&self, id: u32) -> &str {
        self.strs.get(id as usize).map_or("", |s| s)
    }

    pub fn len(&self) -> usize {
        self.strs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.strs.len() <= 1
    }
}

/// One payment, its text fields interned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentRow {
    /// The store's row id (for drill-down), or any caller's id.
    pub row_id: i64,
    pub body: u16,
    pub redacted: bool,
    pub date: Option<Date>,
    pub amount_pence: i64,
    pub supplier_name: u32,
    pub supplier_id: u32,
    pub company_number: u32,
    pub charity_number: u32,
    pub vat_number: u32,
    pub expense_type: u32,
    pub expense_area: u32,
    pub purpose: u32,
    pub creditor_type: u32,
    /// The row's supplier as the payment names it (body, ID, numbers, name, redacted), as an index
    /// into [`Payments::supplier_keys`]: rows naming a supplier the same way share it, so the
    /// analysis resolves each once.
    pub supplier_key: u32,
    /// The row's other rule-relevant fields (expense type, area, purpose, creditor type), as an index
    /// into [`Payments::fact_keys`].
    pub fact_key: u32,
}

/// How a payment names its supplier: body, ID, company, charity and VAT numbers, name (string ids)
/// and whether it is redacted.
pub type SupplierKey = (u16, u32, u32, u32, u32, u32, bool);
/// A payment's expense type, area, purpose and creditor type (string ids).
pub type FactKey = (u32, u32, u32, u32);

/// A year of payments for the bodies analysed, dictionary-encoded as they are added (strings, the
/// ways suppliers are named, and the combinations of other fields each stored once), so the analysis
/// works on small integers. Add rows with [`Payments::push`].
#[derive(Debug, Clone, Default)]
pub struct Payments {
    pub strings: Interner,
    pub rows: Vec<PaymentRow>,
    pub supplier_keys: Vec<SupplierKey>,
    pub fact_keys: Vec<FactKey>,
    supplier_key_ids: FastMap<SupplierKey, u32>,
    fact_key_ids: FastMap<FactKey, u32>,
}

/// A payment's fields as text, for [`Payments::push`].
#[derive(Debug, Clone, Copy, Default)]
pub struct PaymentText<'a> {
    pub row_id: i64,
    pub body: u16,
    pub redacted: bool,
    pub date: Option<Date>,
    pub amount_pence: i64,
    pub supplier_name: &'a str,
    pub supplier_id: &'a str,
    pub company_number: &'a str,
    pub charity_number: &'a str,
    pub vat_number: &'a str,
    pub expense_type: &'a str,
    pub expense_area: &'a str,
    pub purpose: &'a str,
    pub creditor_type: &'a str,
}

impl Payments {
    pub fn push(&mut self, p: PaymentText<'_>) {
        let s = &mut self.strings;
        let row = PaymentRow {
            row_id: p.row_id,
            body: p.body,
            redacted: p.redacted,
            date: p.date,
            amount_pence: p.amount_pence,
            supplier_name: s.id(p.supplier_name),
            supplier_id: s.id(p.supplier_id),
            company_number: s.id(p.company_number),
            charity_number: s.id(p.charity_number),
            vat_number: s.id(p.vat_number),
            expense_type: s.id(p.expense_type),
            expense_area: s.id(p.expense_area),
            purpose: s.id(p.purpose),
            creditor_type: s.id(p.creditor_type),
            supplier_key: 0,
            fact_key: 0,
        };
        let sk: SupplierKey = (
            row.body,
            row.supplier_id,
            row.company_number,
            row.charity_number,
            row.vat_number,
            row.supplier_name,
            row.redacted,
        );
        let next = self.supplier_keys.len() as u32;
        let supplier_key = *self.supplier_key_ids.entry(sk).or_insert(next);
        if supplier_key == next {
            self.supplier_keys.push(sk);
        }
        let fk: FactKey = (
            row.expense_type,
            row.expense_area,
            row.purpose,
            row.creditor_type,
        );
        let next = self.fact_keys.len() as u32;
        let fact_key = *self.fact_key_ids.entry(fk).or_insert(next);
        if fact_key == next {
            self.fact_keys.push(fk);
        }
        self.rows.push(PaymentRow {
            supplier_key,
            fact_key,
            ..row
        });
    }
}

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

/// A named set of districts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Area {
    pub name: String,
    pub lads: Vec<AreaCode>,
}

/// Which Indices of Deprivation give the deciles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ImdChoice {
    #[default]
    Imd2019,
    Imd2025,
}

impl ImdChoice {
    pub fn label(self) -> &'static str {
        match self {
            ImdChoice::Imd2019 => "IMD 2019",
            ImdChoice::Imd2025 => "IMD 2025",
        }
    }
}

/// What "sector" means in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SectorBasis {
    /// The council's own expense types on each payment (a payment without one takes its supplier's
    /// sector).
    #[default]
    ExpenseType,
    /// The supplier's sector: the council's category for it, else its SIC section.
    Supplier,
}

/// How to analyse.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnalysisOptions {
    pub year: String,
    pub local: Area,
    pub wider: Area,
    pub top_n: usize,
    pub imd: ImdChoice,
    pub sector: SectorBasis,
    pub rules: Vec<ExclusionRule>,
    pub matching: MatchConfig,
    /// A sector is an opportunity when at least this share of its spend leaks out of the wider area.
    pub opportunity_share: f64,
}

impl AnalysisOptions {
    pub fn new(year: &str, local: Area, wider: Area) -> AnalysisOptions {
        AnalysisOptions {
            year: year.to_string(),
            local,
            wider,
            top_n: 300,
            imd: ImdChoice::Imd2019,
            sector: SectorBasis::ExpenseType,
            rules: crate::classify::default_rules(),
            matching: MatchConfig::default(),
            opportunity_share: 0.5,
        }
    }
}

/// Spend accounted for in a scope: total = excluded + net_credit + analysed + outside_scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeSpend {
    pub total_pence: i64,
    pub excluded_pence: i64,
    /// Suppliers whose credit notes outweigh their payments (≤ 0), left out of the shares.
    pub net_credit_pence: i64,
    pub analysed_pence: i64,
    /// For the top N: analysed spend with suppliers outside each body's top N.
    pub outside_scope_pence: i64,
}

/// Pounds behind the shares (pence).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pounds {
    pub local_pence: i64,
    /// Inclusive of the local area.
    pub wider_pence: i64,
    pub wider_outside_local_pence: i64,
    /// analysed − wider.
    pub leakage_pence: i64,
    pub deprived_decile_1_pence: i64,
    pub deprived_decile_1_2_pence: i64,
    pub sme_pence: i64,
    pub large_pence: i64,
    pub unknown_size_pence: i64,
    pub vcse_pence: i64,
    pub public_pence: i64,
    pub individual_redacted_pence: i64,
    /// Spend whose supplier could not be located (no postcode, or one the geography does not know).
    pub unlocated_pence: i64,
    /// Spend whose supplier is linked to a supplier record.
    pub linked_pence: i64,
}

/// Fractions of analysed spend.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Shares {
    pub local: f64,
    pub wider: f64,
    pub leakage: f64,
    pub deprived_decile_1: f64,
    pub deprived_decile_1_2: f64,
    pub sme: f64,
    pub large: f64,
    pub unknown_size: f64,
    pub vcse: f64,
    pub public: f64,
    pub individual_redacted: f64,
    pub unknown_location: f64,
    pub linked: f64,
}

impl Shares {
    fn of(p: &Pounds, analysed: i64) -> Shares {
        let f = |v: i64| {
            if analysed > 0 {
                v as f64 / analysed as f64
            } else {
                0.0
            }
        };
        Shares {
            local: f(p.local_pence),
            wider: f(p.wider_pence),
            leakage: f(p.leakage_pence),
            deprived_decile_1: f(p.deprived_decile_1_pence),
            deprived_decile_1_2: f(p.deprived_decile_1_2_pence),
            sme: f(p.sme_pence),
            large: f(p.large_pence),
            unknown_size: f(p.unknown_size_pence),
            vcse: f(p.vcse_pence),
            public: f(p.public_pence),
            individual_redacted: f(p.individual_redacted_pence),
            unknown_location: f(p.unlocated_pence),
            linked: f(p.linked_pence),
        }
    }

    /// (key, label, value) for tables and charts.
    pub fn labelled(&self) -> Vec<(&'static str, &'static str, f64)> {
        vec![
            ("local", "In the local area", self.local),
            ("wider", "In the wider area (including local)", self.wider),
            ("leakage", "Leaks out of the wider area", self.leakage),
            (
                "deprived_decile_1",
                "With suppliers in the most deprived 10% of neighbourhoods",
                self.deprived_decile_1,
            ),
            (
                "deprived_decile_1_2",
                "With suppliers in the most deprived 20% of neighbourhoods",
                self.deprived_decile_1_2,
            ),
            ("sme", "With SMEs", self.sme),
            (
                "vcse",
                "With the voluntary, community and social enterprise sector",
                self.vcse,
            ),
            ("public", "With public bodies", self.public),
            (
                "individual_redacted",
                "To individuals or redacted",
                self.individual_redacted,
            ),
            (
                "unknown_location",
                "Supplier could not be located",
                self.unknown_location,
            ),
        ]
    }
}

/// Counts of suppliers (units) in a scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierCounts {
    pub analysed: u64,
    pub located: u64,
    pub local: u64,
    pub wider: u64,
    pub linked: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectorRow {
    pub sector: String,
    pub analysed_pence: i64,
    pub local_pence: i64,
    pub wider_pence: i64,
    pub leakage_pence: i64,
    pub leakage_share: f64,
    pub suppliers: u64,
    pub local_suppliers: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WardRow {
    pub code: AreaCode,
    pub name: Option<String>,
    pub lad: Option<AreaCode>,
    pub pence: i64,
    pub share: f64,
    pub suppliers: u64,
    /// The ward's neighbourhoods (LSOAs on the IMD's codes) and how many are in deciles 1 and 1–2.
    pub lsoas: u32,
    pub lsoas_decile_1: u32,
    pub lsoas_decile_1_2: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BandRow {
    pub band: String,
    pub suppliers: u64,
    pub pence: i64,
    pub local_pence: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalSupplier {
    pub name: String,
    pub postcode: Option<String>,
    pub ward: Option<String>,
    /// This year's analysed spend with it in this sector (0 if it was not paid for this sector).
    pub sector_pence: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Opportunity {
    pub sector: String,
    pub analysed_pence: i64,
    pub leakage_pence: i64,
    pub leakage_share: f64,
    pub local_suppliers: Vec<LocalSupplier>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupplierRow {
    /// Index into the report's units (for drill-down).
    pub unit: u32,
    pub name: String,
    pub body: String,
    pub pence: i64,
    pub linked: bool,
    pub local: bool,
    pub wider: bool,
    pub located: bool,
    pub postcode: Option<String>,
    pub ward: Option<String>,
    pub decile: Option<u8>,
    pub location_source: Option<LocationSource>,
    pub size: SizeClass,
    pub vcse: bool,
    pub public: bool,
    pub individual_redacted: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceRow {
    pub source: Option<LocationSource>,
    pub label: String,
    pub pence: i64,
    pub share: f64,
    pub suppliers: u64,
}

/// The metrics for one scope (all suppliers, or each body's top N).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scope {
    /// N for the top-N scope, `None` for all suppliers.
    pub n: Option<usize>,
    pub spend: ScopeSpend,
    pub shares: Shares,
    pub pounds: Pounds,
    pub suppliers: SupplierCounts,
    pub by_sector: Vec<SectorRow>,
    pub by_ward: Vec<WardRow>,
    pub by_band: Vec<BandRow>,
    pub opportunities: Vec<Opportunity>,
    pub top_suppliers: Vec<SupplierRow>,
    pub location_sources: Vec<SourceRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExclusionRow {
    pub key: String,
    pub label: String,
    pub pence: i64,
    pub payments: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchRow {
    pub method: MatchMethod,
    pub label: String,
    pub names: u64,
    pub payments: u64,
    pub pence: i64,
}

/// A name on payments whose best match is below the auto-accept threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub body: String,
    pub name: String,
    pub normalised: String,
    /// (supplier key, name, score), best first.
    pub suggestions: Vec<(i64, String, f64)>,
    pub payments: u64,
    pub pence: i64,
}

/// One body's own figures, for multi-body reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BodySummary {
    pub name: String,
    pub all_analysed_pence: i64,
    pub all: Shares,
    pub top_n_analysed_pence: i64,
    pub top_n: Shares,
}

/// Shares for a group of bodies, two ways: weighted by spend (Σ pounds / Σ analysed, the same as the
/// report's own shares) and the plain mean of the bodies' shares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupAverages {
    pub weighted_all: Shares,
    pub mean_of_bodies_all: Shares,
    pub weighted_top_n: Shares,
    pub mean_of_bodies_top_n: Shares,
}

/// A payment as the drill-down lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PaymentLine {
    pub row_id: i64,
    pub date: Option<Date>,
    pub amount_pence: i64,
    pub supplier_name: String,
    pub expense_type: String,
    pub expense_area: String,
    pub excluded_by: Option<String>,
}

/// A supplier (or unlinked name, or a body's redacted payments) as the analysis counts it.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    pub body: u16,
    /// Index into the body's suppliers when linked.
    pub supplier: Option<u32>,
    pub name: String,
    pub redacted: bool,
    pub class: Classification,
    /// Net analysed pence (after exclusions).
    pub net_pence: i64,
    pub excluded_pence: i64,
    /// (sector id, pence) pairs; their sum is `net_pence`.
    pub sectors: Vec<(u32, i64)>,
    /// The sector its payments without an expense type (or all, on the supplier basis) fall in.
    pub own_sector: Option<u32>,
    pub loc: UnitLocation,
}

/// Where a unit is, as the analysis sees it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnitLocation {
    pub located: bool,
    pub local: bool,
    pub wider: bool,
    pub postcode: Option<String>,
    pub ward: Option<AreaCode>,
    pub lad: Option<AreaCode>,
    pub decile: Option<u8>,
    pub source: Option<LocationSource>,
}

/// Change against a baseline year: percentage points and pounds (L_t·S_t − L_0·S_0, which is the
/// change in pounds of that kind of spend).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeRow {
    pub key: String,
    pub label: String,
    pub baseline_share: f64,
    pub share: f64,
    pub points: f64,
    pub baseline_pence: i64,
    pub pence: i64,
    pub change_pence: i64,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub year: String,
    pub bodies: Vec<String>,
    pub local: Area,
    pub wider: Area,
    pub settings: serde_json::Value,
    pub all: Scope,
    pub top_n: Scope,
    pub exclusions: Vec<ExclusionRow>,
    pub match_rates: Vec<MatchRow>,
    pub review: Vec<ReviewItem>,
    pub body_summaries: Vec<BodySummary>,
    pub group: Option<GroupAverages>,
    /// Filled by [`Report::with_baseline`].
    pub baseline: Option<Baseline>,
    #[serde(skip)]
    pub units: Vec<Unit>,
    #[serde(skip)]
    pub sector_names: Vec<String>,
    /// For each payment row: its unit, and the index of the rule that excluded it (or `u8::MAX`).
    #[serde(skip)]
    pub row_unit: Vec<u32>,
    #[serde(skip)]
    pub row_rule: Vec<u8>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Baseline {
    pub year: String,
    pub all: Vec<ChangeRow>,
    pub top_n: Vec<ChangeRow>,
}

/// Spend bands of a supplier's annual value with a body.
const BANDS: &[(i64, &str)] = &[
    (1_000_000, "Under £10,000"),
    (5_000_000, "£10,000 to £50,000"),
    (25_000_000, "£50,000 to £250,000"),
    (100_000_000, "£250,000 to £1 million"),
    (i64::MAX, "£1 million and over"),
];

/// Runs the analysis.
pub fn analyse(
    bodies: &[BodyData],
    payments: &Payments,
    geo: &GeoIndex,
    opts: &AnalysisOptions,
) -> Report {
    let rules = RuleSet::new(&opts.rules);
    let local: HashSet<AreaCode> = opts.local.lads.iter().copied().collect();
    let wider: HashSet<AreaCode> = opts
        .wider
        .lads
        .iter()
        .copied()
        .chain(opts.local.lads.iter().copied())
        .collect();
    let matchers: Vec<Matcher> = bodies
        .iter()
        .map(|b| {
            let cands: Vec<Candidate> = b
                .suppliers
                .iter()
                .map(|s| Candidate {
                    supplier_id: s.supplier_id.as_deref(),
                    name: &s.name,
                    company_number: s.company_number.as_deref(),
                    charity_number: s.charity_number.as_deref(),
                    vat_number: s.vat_number.as_deref(),
                })
                .collect();
            Matcher::new(&cands, &b.decisions, opts.matching)
        })
        .collect();
    let strings = &payments.strings;
    let split = rules.name_mask("").is_some();

    // 1. Resolution, once per distinct way a payment names its supplier (see
    // `Payments::supplier_keys`), in parallel. Each key also gets its name's exclusion-rule bits.
    struct KeyRes {
        method: MatchMethod,
        supplier: Option<u32>,
        /// The normalised name of an unlinked, unredacted key (units of unlinked names are per
        /// normalised name).
        norm: Option<String>,
        name_mask: u64,
    }
    let resolved: Vec<Option<KeyRes>> = crate::par::map(
        &payments.supplier_keys,
        |&(body, id, company, charity, vat, name_id, redacted)| {
            let matcher = matchers.get(body as usize)?;
            let opt = |id: u32| Some(strings.get(id)).filter(|s| !s.is_empty());
            let name = strings.get(name_id);
            let r = matcher.resolve(
                opt(id),
                [opt(company), opt(charity), opt(vat)],
                name,
                redacted,
            );
            // A suggestion waiting for review links nothing until an officer accepts it.
            let supplier = if r.method == MatchMethod::Review {
                None
            } else {
                r.supplier.map(|s| s as u32)
            };
            let norm = (!redacted && supplier.is_none()).then(|| normalise_name(name));
            let name_mask = if split {
                rules.name_mask(name).unwrap_or(0)
            } else {
                0
            };
            Some(KeyRes {
                method: r.method,
                supplier,
                norm,
                name_mask,
            })
        },
    );

    // Units, in order of first appearance: a body's redacted payments, a linked supplier, an
    // unlinked normalised name. `specs` says what each is; `key_unit` maps every key to its unit.
    let mut key_unit: Vec<u32> = vec![u32::MAX; resolved.len()];
    let mut specs: Vec<(u16, Option<u32>, u32, bool)> = Vec::new();
    {
        let mut unit_of_redacted: Vec<u32> = vec![u32::MAX; bodies.len()];
        let mut unit_of_linked: Vec<Vec<u32>> = bodies
            .iter()
            .map(|b| vec![u32::MAX; b.suppliers.len()])
            .collect();
        let mut unit_of_name: FastMap<(u16, &str), u32> = FastMap::default();
        for (k, res) in resolved.iter().enumerate() {
            let Some(res) = res else { continue };
            let (body, .., name_id, redacted) = payments.supplier_keys[k];
            let next = specs.len() as u32;
            let slot = match (redacted, res.supplier, &res.norm) {
                (true, ..) => &mut unit_of_redacted[body as usize],
                (false, Some(s), _) => &mut unit_of_linked[body as usize][s as usize],
                (false, None, Some(n)) => {
                    unit_of_name.entry((body, n.as_str())).or_insert(u32::MAX)
                }
                (false, None, None) => unreachable!("an unlinked name is always normalised"),
            };
            if *slot == u32::MAX {
                *slot = next;
                specs.push((
                    body,
                    if redacted { None } else { res.supplier },
                    name_id,
                    redacted,
                ));
            }
            key_unit[k] = *slot;
        }
    }
    let mut units: Vec<Unit> = crate::par::map(&specs, |&(body, supplier, name_id, redacted)| {
        let name = strings.get(name_id);
        let (class, display, loc) = match (redacted, supplier) {
            (true, _) => (
                crate::classify::classify(None, None, None, name, true),
                "Redacted payments".to_string(),
                UnitLocation::default(),
            ),
            (false, Some(s)) => {
                let info = &bodies[body as usize].suppliers[s as usize];
                (
                    info.class.clone(),
                    info.name.clone(),
                    locate(info, geo, &local, &wider, opts.imd),
                )
            }
            (false, None) => {
                let mut c = crate::classify::classify(None, None, None, name, false);
                if !(public_by_name(name) || vcse_by_name(name)) {
                    c.source = crate::classify::ClassSource::None;
                }
                (c, name.trim().to_string(), UnitLocation::default())
            }
        };
        Unit {
            body,
            supplier,
            name: display,
            redacted,
            class,
            net_pence: 0,
            excluded_pence: 0,
            sectors: Vec::new(),
            own_sector: None,
            loc,
        }
    });

    // Sectors: each payment's expense type (per distinct combination of facts), falling back to
    // its unit's own sector (the supplier's category or SIC section).
    let mut sector_ids: FastMap<String, u32> = FastMap::default();
    let mut sector_names: Vec<String> = Vec::new();
    let mut sector_id = |s: &str| -> u32 {
        let s = if s.trim().is_empty() {
            "Unknown sector"
        } else {
            s.trim()
        };
        if let Some(&i) = sector_ids.get(s) {
            return i;
        }
        let i = sector_names.len() as u32;
        sector_names.push(s.to_string());
        sector_ids.insert(s.to_string(), i);
        i
    };
    let mut et_sector: FastMap<u32, u32> = FastMap::default();
    let fact_sector: Vec<u32> = payments
        .fact_keys
        .iter()
        .map(|&(et, ..)| match opts.sector {
            SectorBasis::ExpenseType if et != 0 => *et_sector
                .entry(et)
                .or_insert_with(|| sector_id(strings.get(et))),
            _ => u32::MAX,
        })
        .collect();
    for u in &mut units {
        let label = u
            .supplier
            .and_then(|s| {
                bodies[u.body as usize].suppliers[s as usize]
                    .sector
                    .as_deref()
            })
            .unwrap_or_default();
        u.own_sector = Some(sector_id(label));
    }
    // Per key, packed for the payment loop: its unit, the unit's public/individual flags (which
    // some rules test) and its name's rule bits.
    // Each worker counts a key's payments and pence in the same slot, so a payment touches one
    // slot for its key and one for its unit.
    #[derive(Clone, Copy)]
    struct KeyInfo {
        name_mask: u64,
        unit: u32,
        flags: u8,
        payments: u64,
        pence: i64,
    }
    let key_info: Vec<KeyInfo> = key_unit
        .iter()
        .zip(&resolved)
        .map(|(&u, r)| match (units.get(u as usize), r) {
            (Some(unit), Some(r)) => KeyInfo {
                name_mask: r.name_mask,
                unit: u,
                flags: u8::from(unit.class.public) * 2 + u8::from(unit.class.individual),
                payments: 0,
                pence: 0,
            },
            _ => KeyInfo {
                name_mask: 0,
                unit: u32::MAX,
                flags: 0,
                payments: 0,
                pence: 0,
            },
        })
        .collect();

    // 2. Exclusions and sums, over the payments in one chunk per worker. A payment's rule comes from
    // its name's rule bits (per key) and its other fields' (per fact combination and flags, worked
    // out when first needed); more than 64 rules fall back to whole-payment matching, memoised per
    // distinct set of facts.
    /// A unit's sums in one chunk: net and excluded pence, and its first two sectors' pence kept
    /// inline (most units have one or two), more going to the chunk's overflow map; with the unit's
    /// own sector, for payments without an expense type.
    #[derive(Clone, Copy)]
    struct UnitSums {
        net: i64,
        excluded: i64,
        sectors: [(u32, i64); 2],
        own_sector: u32,
    }
    const NO_SECTOR: u32 = u32::MAX;
    struct Part {
        total: i64,
        excluded: i64,
        by_rule: Vec<(i64, u64)>,
        keys: Vec<KeyInfo>,
        units: Vec<UnitSums>,
        /// (unit << 32 | sector) → pence, for a unit's third sector onwards.
        overflow: FastMap<u64, i64>,
        row_unit: Vec<u32>,
        row_rule: Vec<u8>,
    }
    let n_rules = rules.rules().count();
    let parts: Vec<Part> = crate::par::chunks(&payments.rows, |_, rows| {
        let mut p = Part {
            total: 0,
            excluded: 0,
            by_rule: vec![(0, 0); n_rules],
            keys: key_info.clone(),
            units: units
                .iter()
                .map(|u| UnitSums {
                    net: 0,
                    excluded: 0,
                    sectors: [(NO_SECTOR, 0); 2],
                    own_sector: u.own_sector.unwrap_or(NO_SECTOR),
                })
                .collect(),
            overflow: FastMap::default(),
            row_unit: Vec::with_capacity(rows.len()),
            row_rule: Vec::with_capacity(rows.len()),
        };
        // Per (fact key, flags): the other fields' rule bits, or u64::MAX before they are known (all
        // 64 bits set would need 64 rules matching at once, which the memo then merely recomputes).
        let mut other_memo: Vec<u64> = if split {
            vec![u64::MAX; payments.fact_keys.len() * 4]
        } else {
            Vec::new()
        };
        type RuleKey = (u32, u32, u32, u32, u32, bool, bool);
        let mut rule_memo: FastMap<RuleKey, u8> = FastMap::default();
        for row in rows {
            let key = &mut p.keys[row.supplier_key as usize];
            let (name_mask, unit, flags) = (key.name_mask, key.unit, key.flags);
            if unit == u32::MAX {
                p.row_unit.push(u32::MAX);
                p.row_rule.push(u8::MAX);
                continue;
            }
            let amount = row.amount_pence;
            p.total += amount;
            key.payments += 1;
            key.pence += amount;
            let (public, individual) = (flags & 2 != 0, flags & 1 != 0);
            let facts = || PaymentFacts {
                supplier_name: strings.get(row.supplier_name),
                expense_type: strings.get(row.expense_type),
                expense_area: strings.get(row.expense_area),
                purpose: strings.get(row.purpose),
                creditor_type: strings.get(row.creditor_type),
                public,
                individual,
            };
            let rule = if split {
                let slot = row.fact_key as usize * 4 + usize::from(flags);
                if other_memo[slot] == u64::MAX {
                    other_memo[slot] = rules.other_mask(&facts()).unwrap_or(0);
                }
                RuleSet::first_of(name_mask | other_memo[slot])
                    .map_or(u8::MAX, |i| i.min(254) as u8)
            } else {
                let rk: RuleKey = (
                    row.supplier_name,
                    row.expense_type,
                    row.expense_area,
                    row.purpose,
                    row.creditor_type,
                    public,
                    individual,
                );
                *rule_memo.entry(rk).or_insert_with(|| {
                    rules
                        .first_match(&facts())
                        .map_or(u8::MAX, |i| i.min(254) as u8)
                })
            };
            p.row_unit.push(unit);
            p.row_rule.push(rule);
            let us = &mut p.units[unit as usize];
            if rule != u8::MAX {
                p.excluded += amount;
                let e = &mut p.by_rule[rule as usize];
                e.0 += amount;
                e.1 += 1;
                us.excluded += amount;
                continue;
            }
            us.net += amount;
            let sec = match fact_sector[row.fact_key as usize] {
                NO_SECTOR => us.own_sector,
                s => s,
            };
            match us
                .sectors
                .iter_mut()
                .find(|(s, _)| *s == sec || *s == NO_SECTOR)
            {
                Some(slot) => {
                    slot.0 = sec;
                    slot.1 += amount;
                }
                None => {
                    *p.overflow
                        .entry(u64::from(unit) << 32 | u64::from(sec))
                        .or_insert(0) += amount
                }
            }
        }
        p
    });

    // Merge the chunks.
    let mut total: i64 = 0;
    let mut excluded_total: i64 = 0;
    let mut excluded_by_rule: Vec<(i64, u64)> = vec![(0, 0); n_rules];
    let mut key_sums: Vec<(u64, i64)> = vec![(0, 0); key_info.len()];
    drop(key_info);
    let mut row_unit = Vec::with_capacity(payments.rows.len());
    let mut row_rule = Vec::with_capacity(payments.rows.len());
    let add_sector =
        |u: &mut Unit, sec: u32, pence: i64| match u.sectors.iter_mut().find(|(s, _)| *s == sec) {
            Some(e) => e.1 += pence,
            None => u.sectors.push((sec, pence)),
        };
    for p in parts {
        total += p.total;
        excluded_total += p.excluded;
        for (e, (pence, n)) in excluded_by_rule.iter_mut().zip(p.by_rule) {
            e.0 += pence;
            e.1 += n;
        }
        for (k, key) in key_sums.iter_mut().zip(p.keys) {
            k.0 += key.payments;
            k.1 += key.pence;
        }
        for (u, sums) in units.iter_mut().zip(p.units) {
            u.net_pence += sums.net;
            u.excluded_pence += sums.excluded;
            for (sec, pence) in sums.sectors {
                if sec != NO_SECTOR {
                    add_sector(u, sec, pence);
                }
            }
        }
        for (key, pence) in p.overflow {
            add_sector(&mut units[(key >> 32) as usize], key as u32, pence);
        }
        row_unit.extend(p.row_unit);
        row_rule.extend(p.row_rule);
    }
    for u in &mut units {
        u.sectors.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    }
    // Per resolved key, in order of first appearance: how it resolved, its payments and pence.
    struct NameRes {
        method: MatchMethod,
        payments: u64,
        pence: i64,
    }
    let name_res: Vec<(SupplierKey, NameRes)> = resolved
        .iter()
        .enumerate()
        .filter_map(|(k, r)| {
            r.as_ref().map(|r| {
                (
                    payments.supplier_keys[k],
                    NameRes {
                        method: r.method,
                        payments: key_sums[k].0,
                        pence: key_sums[k].1,
                    },
                )
            })
        })
        .collect();

    // 3. Scopes.
    let analysed_units: Vec<u32> = (0..units.len() as u32)
        .filter(|&u| units[u as usize].net_pence > 0)
        .collect();
    let net_credit: i64 = units
        .iter()
        .filter(|u| u.net_pence <= 0)
        .map(|u| u.net_pence)
        .sum();
    let mut top: Vec<u32> = Vec::new();
    for b in 0..bodies.len() as u16 {
        let mine: Vec<u32> = analysed_units
            .iter()
            .copied()
            .filter(|&u| units[u as usize].body == b)
            .collect();
        top.extend(largest(&units, mine, opts.top_n));
    }
    let unit_of_supplier = units
        .iter()
        .enumerate()
        .filter_map(|(i, u)| u.supplier.map(|s| ((u.body, s), i as u32)))
        .collect();
    let ctx = Ctx {
        bodies,
        unit_of_supplier,
        units: &units,
        sector_names: &sector_names,
        geo,
        opts,
        local: &local,
    };
    let base_spend = ScopeSpend {
        total_pence: total,
        excluded_pence: excluded_total,
        net_credit_pence: net_credit,
        analysed_pence: 0,
        outside_scope_pence: 0,
    };
    let (all, top_scope) = crate::par::join(
        || ctx.scope(&analysed_units, None, base_spend),
        || ctx.scope(&top, Some(opts.top_n), base_spend),
    );

    // Per body and group averages.
    let mut body_summaries = Vec::new();
    for (b, body) in bodies.iter().enumerate() {
        let mine: Vec<u32> = analysed_units
            .iter()
            .copied()
            .filter(|&u| units[u as usize].body == b as u16)
            .collect();
        let mine_top: Vec<u32> = top
            .iter()
            .copied()
            .filter(|&u| units[u as usize].body == b as u16)
            .collect();
        let (pa, aa) = ctx.pounds(&mine);
        let (pt, at) = ctx.pounds(&mine_top);
        body_summaries.push(BodySummary {
            name: body.name.clone(),
            all_analysed_pence: aa,
            all: Shares::of(&pa, aa),
            top_n_analysed_pence: at,
            top_n: Shares::of(&pt, at),
        });
    }
    let group = (bodies.len() > 1).then(|| {
        let mean = |f: &dyn Fn(&BodySummary) -> (i64, Shares)| -> Shares {
            let v: Vec<Shares> = body_summaries
                .iter()
                .map(f)
                .filter(|(a, _)| *a > 0)
                .map(|(_, s)| s)
                .collect();
            mean_shares(&v)
        };
        GroupAverages {
            weighted_all: all.shares,
            mean_of_bodies_all: mean(&|b| (b.all_analysed_pence, b.all)),
            weighted_top_n: top_scope.shares,
            mean_of_bodies_top_n: mean(&|b| (b.top_n_analysed_pence, b.top_n)),
        }
    });

    // Match rates and the review queue.
    let mut rates: HashMap<MatchMethod, (u64, u64, i64)> = HashMap::new();
    let mut review = Vec::new();
    for (nk, nr) in &name_res {
        let e = rates.entry(nr.method).or_default();
        e.0 += 1;
        e.1 += nr.payments;
        e.2 += nr.pence;
        if nr.method == MatchMethod::Review {
            let body = &bodies[nk.0 as usize];
            let name = strings.get(nk.5).to_string();
            let normalised = normalise_name(&name);
            let suggestions = matchers[nk.0 as usize]
                .suggestions(&normalised, opts.matching.review_floor, 3)
                .into_iter()
                .map(|(i, s)| (body.suppliers[i].key, body.suppliers[i].name.clone(), s))
                .collect();
            review.push(ReviewItem {
                body: body.name.clone(),
                name,
                normalised,
                suggestions,
                payments: nr.payments,
                pence: nr.pence,
            });
        }
    }
    review.sort_by(|a, b| b.pence.cmp(&a.pence).then_with(|| a.name.cmp(&b.name)));
    // Several spellings can share a normalised name: list each normalised name once per body.
    review.dedup_by(|a, b| a.body == b.body && a.normalised == b.normalised);
    let match_rates = MatchMethod::ALL
        .iter()
        .map(|m| {
            let (n, p, pence) = rates.get(m).copied().unwrap_or_default();
            MatchRow {
                method: *m,
                label: m.label().to_string(),
                names: n,
                payments: p,
                pence,
            }
        })
        .collect();
    let exclusions = rules
        .rules()
        .zip(&excluded_by_rule)
        .map(|(r, (p, n))| ExclusionRow {
            key: r.key.clone(),
            label: r.label.clone(),
            pence: *p,
            payments: *n,
        })
        .collect();
    let settings = serde_json::json!({
        "top_n": opts.top_n,
        "imd": opts.imd.label(),
        "sector_basis": opts.sector,
        "auto_accept": opts.matching.auto_accept,
        "review_floor": opts.matching.review_floor,
        "opportunity_share": opts.opportunity_share,
        "rules": opts.rules.iter().filter(|r| r.enabled).map(|r| &r.key).collect::<Vec<_>>(),
    });
    Report {
        year: opts.year.clone(),
        bodies: bodies.iter().map(|b| b.name.clone()).collect(),
        local: opts.local.clone(),
        wider: opts.wider.clone(),
        settings,
        all,
        top_n: top_scope,
        exclusions,
        match_rates,
        review,
        body_summaries,
        group,
        baseline: None,
        units,
        sector_names,
        row_unit,
        row_rule,
    }
}

/// The `n` units of `set` with the largest net spend, largest first (ties by name, then by order of
/// first appearance), without sorting the rest.
pub fn largest(units: &[Unit], mut set: Vec<u32>, n: usize) -> Vec<u32> {
    let order = |a: &u32, b: &u32| {
        let (ua, ub) = (&units[*a as usize], &units[*b as usize]);
        ub.net_pence
            .cmp(&ua.net_pence)
            .then_with(|| ua.name.cmp(&ub.name))
            .then(a.cmp(b))
    };
    if n < set.len() {
        if n == 0 {
            return Vec::new();
        }
        set.select_nth_unstable_by(n - 1, order);
        set.truncate(n);
    }
    set.sort_unstable_by(order);
    set
}

fn mean_shares(v: &[Shares]) -> Shares {
    if v.is_empty() {
        return Shares::default();
    }
    let n = v.len() as f64;
    let m = |f: fn(&Shares) -> f64| v.iter().map(f).sum::<f64>() / n;
    Shares {
        local: m(|s| s.local),
        wider: m(|s| s.wider),
        leakage: m(|s| s.leakage),
        deprived_decile_1: m(|s| s.deprived_decile_1),
        deprived_decile_1_2: m(|s| s.deprived_decile_1_2),
        sme: m(|s| s.sme),
        large: m(|s| s.large),
        unknown_size: m(|s| s.unknown_size),
        vcse: m(|s| s.vcse),
        public: m(|s| s.public),
        individual_redacted: m(|s| s.individual_redacted),
        unknown_location: m(|s| s.unknown_location),
        linked: m(|s| s.linked),
    }
}

/// Locates a supplier record's sites.
fn locate(
    info: &SupplierInfo,
    geo: &GeoIndex,
    local: &HashSet<AreaCode>,
    wider: &HashSet<AreaCode>,
    imd: ImdChoice,
) -> UnitLocation {
    let mut found: Vec<(&Site, levers_geo::Located)> = Vec::new();
    for s in &info.sites {
        if let Ok(p) = Postcode::parse(&s.postcode)
            && let Some(l) = geo.locate(&p)
            && l.lad.is_some()
        {
            found.push((s, l));
        }
    }
    let is_local = |l: &levers_geo::Located| l.lad.is_some_and(|c| local.contains(&c));
    let is_wider = |l: &levers_geo::Located| l.lad.is_some_and(|c| wider.contains(&c));
    let pick = found
        .iter()
        .find(|(_, l)| is_local(l))
        .or_else(|| found.iter().find(|(_, l)| is_wider(l)))
        .or(found.first());
    let Some((site, l)) = pick else {
        return UnitLocation {
            postcode: info.sites.first().map(|s| s.postcode.clone()),
            ..UnitLocation::default()
        };
    };
    UnitLocation {
        located: true,
        local: found.iter().any(|(_, l)| is_local(l)),
        wider: found.iter().any(|(_, l)| is_wider(l)),
        postcode: Some(site.postcode.clone()),
        ward: l.ward,
        lad: l.lad,
        decile: match imd {
            ImdChoice::Imd2019 => l.imd2019_decile,
            ImdChoice::Imd2025 => l.imd2025_decile,
        },
        source: Some(site.source),
    }
}

struct Ctx<'a> {
    bodies: &'a [BodyData],
    /// (body, supplier index) → its unit, for suppliers paid this year.
    unit_of_supplier: HashMap<(u16, u32), u32>,
    units: &'a [Unit],
    sector_names: &'a [String],
    geo: &'a GeoIndex,
    opts: &'a AnalysisOptions,
    local: &'a HashSet<AreaCode>,
}

impl Ctx<'_> {
    fn pounds(&self, set: &[u32]) -> (Pounds, i64) {
        let mut p = Pounds::default();
        let mut analysed = 0i64;
        for &u in set {
            let u = &self.units[u as usize];
            let v = u.net_pence;
            analysed += v;
            let l = &u.loc;
            if l.local {
                p.local_pence += v;
            }
            if l.wider {
                p.wider_pence += v;
            }
            if l.decile == Some(1) {
                p.deprived_decile_1_pence += v;
            }
            if l.decile.is_some_and(|d| d <= 2) {
                p.deprived_decile_1_2_pence += v;
            }
            if !l.located {
                p.unlocated_pence += v;
            }
            let c = &u.class;
            if c.individual || u.redacted {
                p.individual_redacted_pence += v;
            } else {
                match c.size {
                    SizeClass::Sme => p.sme_pence += v,
                    SizeClass::Large => p.large_pence += v,
                    SizeClass::Unknown => p.unknown_size_pence += v,
                }
            }
            if c.vcse {
                p.vcse_pence += v;
            }
            if c.public {
                p.public_pence += v;
            }
            if u.supplier.is_some() {
                p.linked_pence += v;
            }
        }
        p.leakage_pence = analysed - p.wider_pence;
        p.wider_outside_local_pence = p.wider_pence - p.local_pence;
        (p, analysed)
    }

    fn row(&self, ui: u32) -> SupplierRow {
        let u = &self.units[ui as usize];
        SupplierRow {
            unit: ui,
            name: u.name.clone(),
            body: self.bodies[u.body as usize].name.clone(),
            pence: u.net_pence,
            linked: u.supplier.is_some(),
            local: u.loc.local,
            wider: u.loc.wider,
            located: u.loc.located,
            postcode: u.loc.postcode.clone(),
            ward: u.loc.ward.map(|w| {
                self.geo
                    .name(&w)
                    .map_or_else(|| w.to_string(), str::to_string)
            }),
            decile: u.loc.decile,
            location_source: u.loc.source,
            size: u.class.size,
            vcse: u.class.vcse,
            public: u.class.public,
            individual_redacted: u.class.individual || u.redacted,
        }
    }

    fn scope(&self, set: &[u32], n: Option<usize>, base: ScopeSpend) -> Scope {
        let (pounds, analysed) = self.pounds(set);
        let all_analysed: i64 = self
            .units
            .iter()
            .filter(|u| u.net_pence > 0)
            .map(|u| u.net_pence)
            .sum();
        let spend = ScopeSpend {
            analysed_pence: analysed,
            outside_scope_pence: all_analysed - analysed,
            ..base
        };
        let units = self.units;
        let counts = SupplierCounts {
            analysed: set.len() as u64,
            located: set
                .iter()
                .filter(|&&u| units[u as usize].loc.located)
                .count() as u64,
            local: set.iter().filter(|&&u| units[u as usize].loc.local).count() as u64,
            wider: set.iter().filter(|&&u| units[u as usize].loc.wider).count() as u64,
            linked: set
                .iter()
                .filter(|&&u| units[u as usize].supplier.is_some())
                .count() as u64,
        };

        // By sector.
        let mut sec: FastMap<u32, (i64, i64, i64, u64, u64)> = FastMap::default();
        for &ui in set {
            let u = &units[ui as usize];
            for &(s, p) in &u.sectors {
                let e = sec.entry(s).or_default();
                e.0 += p;
                if u.loc.local {
                    e.1 += p;
                    e.4 += 1;
                }
                if u.loc.wider {
                    e.2 += p;
                }
                e.3 += 1;
            }
        }
        let mut by_sector: Vec<SectorRow> = sec
            .into_iter()
            .map(|(s, (a, l, w, n, ln))| SectorRow {
                sector: self.sector_names[s as usize].clone(),
                analysed_pence: a,
                local_pence: l,
                wider_pence: w,
                leakage_pence: a - w,
                leakage_share: if a > 0 {
                    (a - w) as f64 / a as f64
                } else {
                    0.0
                },
                suppliers: n,
                local_suppliers: ln,
            })
            .collect();
        by_sector.sort_by(|a, b| {
            b.analysed_pence
                .cmp(&a.analysed_pence)
                .then_with(|| a.sector.cmp(&b.sector))
        });

        // By ward: every ward of the local districts, with the spend attributed to it.
        let mut wards: HashMap<AreaCode, (i64, u64)> = HashMap::new();
        for lad in &self.opts.local.lads {
            if let Some(p) = self.geo.area(lad) {
                for w in p.wards {
                    wards.entry(w.code).or_default();
                }
            }
        }
        for &ui in set {
            let u = &units[ui as usize];
            if u.loc.local
                && let Some(w) = u.loc.ward
            {
                let e = wards.entry(w).or_default();
                e.0 += u.net_pence;
                e.1 += 1;
            }
        }
        let mut by_ward: Vec<WardRow> = wards
            .into_iter()
            .filter(|(c, _)| c.kind() == AreaKind::Ward)
            .map(|(code, (pence, suppliers))| {
                let prof = self.geo.area(&code);
                let (lsoas, d1, d12) = prof.as_ref().map_or((0, 0, 0), |p| {
                    let d = match self.opts.imd {
                        ImdChoice::Imd2019 => p.imd2019_deciles,
                        ImdChoice::Imd2025 => p.imd2025_deciles,
                    };
                    (d.iter().sum::<u32>(), d[0], d[0] + d[1])
                });
                WardRow {
                    code,
                    name: prof.as_ref().and_then(|p| p.name.clone()),
                    lad: prof.as_ref().and_then(|p| {
                        p.parents
                            .iter()
                            .find(|a| a.code.kind() == AreaKind::District)
                            .map(|a| a.code)
                    }),
                    pence,
                    share: if analysed > 0 {
                        pence as f64 / analysed as f64
                    } else {
                        0.0
                    },
                    suppliers,
                    lsoas,
                    lsoas_decile_1: d1,
                    lsoas_decile_1_2: d12,
                }
            })
            .collect();
        // Most deprived wards first (share of neighbourhoods in deciles 1–2), then by name.
        by_ward.sort_by(|a, b| {
            let r = |w: &WardRow| {
                if w.lsoas > 0 {
                    f64::from(w.lsoas_decile_1_2) / f64::from(w.lsoas)
                } else {
                    0.0
                }
            };
            r(b).total_cmp(&r(a))
                .then_with(|| a.name.cmp(&b.name))
                .then(a.code.cmp(&b.code))
        });

        // By spend band (a unit's annual value with its body).
        let mut by_band: Vec<BandRow> = BANDS
            .iter()
            .map(|(_, l)| BandRow {
                band: l.to_string(),
                suppliers: 0,
                pence: 0,
                local_pence: 0,
            })
            .collect();
        for &ui in set {
            let u = &units[ui as usize];
            let i = BANDS
                .iter()
                .position(|(lim, _)| u.net_pence < *lim)
                .unwrap_or(BANDS.len() - 1);
            by_band[i].suppliers += 1;
            by_band[i].pence += u.net_pence;
            if u.loc.local {
                by_band[i].local_pence += u.net_pence;
            }
        }

        // Location sources.
        let mut src: HashMap<Option<LocationSource>, (i64, u64)> = HashMap::new();
        for &ui in set {
            let u = &units[ui as usize];
            let e = src.entry(u.loc.source).or_default();
            e.0 += u.net_pence;
            e.1 += 1;
        }
        let mut location_sources: Vec<SourceRow> = src
            .into_iter()
            .map(|(s, (p, n))| SourceRow {
                source: s,
                label: s.map_or("Not located".to_string(), |s| s.label().to_string()),
                pence: p,
                share: if analysed > 0 {
                    p as f64 / analysed as f64
                } else {
                    0.0
                },
                suppliers: n,
            })
            .collect();
        location_sources.sort_by(|a, b| {
            a.source
                .is_none()
                .cmp(&b.source.is_none())
                .then(a.source.cmp(&b.source))
        });

        // Opportunities: sectors leaking at least the threshold share, with local suppliers of that sector.
        let opportunities = self.opportunities(&by_sector);

        let top_suppliers = largest(units, set.to_vec(), 20)
            .into_iter()
            .map(|u| self.row(u))
            .collect();
        Scope {
            n,
            spend,
            shares: Shares::of(&pounds, analysed),
            pounds,
            suppliers: counts,
            by_sector,
            by_ward,
            by_band,
            opportunities,
            top_suppliers,
            location_sources,
        }
    }

    fn opportunities(&self, by_sector: &[SectorRow]) -> Vec<Opportunity> {
        let leaking: Vec<&SectorRow> = by_sector
            .iter()
            .filter(|s| {
                s.analysed_pence > 0
                    && s.leakage_pence > 0
                    && s.leakage_share >= self.opts.opportunity_share
                    && s.sector != "Unknown sector"
            })
            .collect();
        if leaking.is_empty() {
            return Vec::new();
        }
        let by_name: HashMap<&str, usize> = leaking
            .iter()
            .enumerate()
            .map(|(i, s)| (s.sector.as_str(), i))
            .collect();
        let by_id: HashMap<u32, usize> = self
            .sector_names
            .iter()
            .enumerate()
            .filter_map(|(id, n)| by_name.get(n.as_str()).map(|&i| (id as u32, i)))
            .collect();
        let mut local: Vec<Vec<LocalSupplier>> = vec![Vec::new(); leaking.len()];
        let mut seen: Vec<HashSet<(u16, u32)>> = vec![HashSet::new(); leaking.len()];
        // Local suppliers paid for each sector this year …
        for u in self.units.iter().filter(|u| u.loc.local) {
            let Some(si) = u.supplier else { continue };
            for &(x, p) in &u.sectors {
                if let Some(&i) = by_id.get(&x)
                    && seen[i].insert((u.body, si))
                {
                    local[i].push(LocalSupplier {
                        name: u.name.clone(),
                        postcode: u.loc.postcode.clone(),
                        ward: u
                            .loc
                            .ward
                            .and_then(|w| self.geo.name(&w).map(str::to_string)),
                        sector_pence: p.max(0),
                    });
                }
            }
        }
        // … and local suppliers on record whose own sector is one of them (paid or not).
        let mut wider: Option<HashSet<AreaCode>> = None;
        for (b, body) in self.bodies.iter().enumerate() {
            for (si, info) in body.suppliers.iter().enumerate() {
                let Some(&i) = info.sector.as_deref().and_then(|s| by_name.get(s.trim())) else {
                    continue;
                };
                if seen[i].contains(&(b as u16, si as u32)) {
                    continue;
                }
                let loc = match self.unit_of_supplier.get(&(b as u16, si as u32)) {
                    Some(&u) => self.units[u as usize].loc.clone(),
                    None => {
                        let wider = wider
                            .get_or_insert_with(|| self.opts.wider.lads.iter().copied().collect());
                        locate(info, self.geo, self.local, wider, self.opts.imd)
                    }
                };
                if loc.local {
                    seen[i].insert((b as u16, si as u32));
                    local[i].push(LocalSupplier {
                        name: info.name.clone(),
                        postcode: loc.postcode.clone(),
                        ward: loc.ward.and_then(|w| self.geo.name(&w).map(str::to_string)),
                        sector_pence: 0,
                    });
                }
            }
        }
        let mut out: Vec<Opportunity> = leaking
            .into_iter()
            .zip(local)
            .filter(|(_, l)| !l.is_empty())
            .map(|(s, mut l)| {
                l.sort_by(|a, b| {
                    b.sector_pence
                        .cmp(&a.sector_pence)
                        .then_with(|| a.name.cmp(&b.name))
                });
                Opportunity {
                    sector: s.sector.clone(),
                    analysed_pence: s.analysed_pence,
                    leakage_pence: s.leakage_pence,
                    leakage_share: s.leakage_share,
                    local_suppliers: l,
                }
            })
            .collect();
        out.sort_by(|a, b| {
            b.leakage_pence
                .cmp(&a.leakage_pence)
                .then_with(|| a.sector.cmp(&b.sector))
        });
        out
    }
}

fn change_rows(cur: &Scope, base: &Scope) -> Vec<ChangeRow> {
    #[allow(clippy::type_complexity)]
    let rows: [(&str, &str, fn(&Shares) -> f64, fn(&Pounds) -> i64); 7] = [
        ("local", "Local", |s| s.local, |p| p.local_pence),
        ("wider", "Wider area", |s| s.wider, |p| p.wider_pence),
        (
            "deprived_decile_1",
            "Most deprived 10%",
            |s| s.deprived_decile_1,
            |p| p.deprived_decile_1_pence,
        ),
        (
            "deprived_decile_1_2",
            "Most deprived 20%",
            |s| s.deprived_decile_1_2,
            |p| p.deprived_decile_1_2_pence,
        ),
        ("sme", "SMEs", |s| s.sme, |p| p.sme_pence),
        ("vcse", "VCSE", |s| s.vcse, |p| p.vcse_pence),
        ("leakage", "Leakage", |s| s.leakage, |p| p.leakage_pence),
    ];
    rows.iter()
        .map(|(k, l, s, p)| ChangeRow {
            key: k.to_string(),
            label: l.to_string(),
            baseline_share: s(&base.shares),
            share: s(&cur.shares),
            points: (s(&cur.shares) - s(&base.shares)) * 100.0,
            baseline_pence: p(&base.pounds),
            pence: p(&cur.pounds),
            change_pence: p(&cur.pounds) - p(&base.pounds),
        })
        .collect()
}

impl Report {
    /// Attaches the change against a baseline year's report (same bodies, areas and rules).
    pub fn with_baseline(mut self, base: &Report) -> Report {
        self.baseline = Some(Baseline {
            year: base.year.clone(),
            all: change_rows(&self.all, &base.all),
            top_n: change_rows(&self.top_n, &base.top_n),
        });
        self
    }

    /// The JSON `levers spend analyse --json` prints.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// Units of a sector in a scope, largest first (drill-down from a sector to its suppliers).
    pub fn sector_suppliers(&self, sector: &str, top_only: bool) -> Vec<(SupplierRow, i64)> {
        let Some(sid) = self.sector_names.iter().position(|n| n == sector) else {
            return Vec::new();
        };
        let top: HashSet<u32> = if top_only {
            self.top_n_units()
        } else {
            HashSet::new()
        };
        let ctx_geo_rows: Vec<(u32, i64)> = self
            .units
            .iter()
            .enumerate()
            .filter(|(i, u)| u.net_pence > 0 && (!top_only || top.contains(&(*i as u32))))
            .filter_map(|(i, u)| {
                u.sectors
                    .iter()
                    .find(|(s, _)| *s as usize == sid)
                    .map(|(_, p)| (i as u32, *p))
            })
            .collect();
        let mut v: Vec<(SupplierRow, i64)> = ctx_geo_rows
            .into_iter()
            .map(|(u, p)| (self.unit_row(u), p))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.name.cmp(&b.0.name)));
        v
    }

    /// The units in each body's top N.
    pub fn top_n_units(&self) -> HashSet<u32> {
        let mut out = HashSet::new();
        let n = self.top_n.n.unwrap_or(usize::MAX);
        for b in 0..self.bodies.len() as u16 {
            let mine: Vec<u32> = (0..self.units.len() as u32)
                .filter(|&u| {
                    self.units[u as usize].body == b && self.units[u as usize].net_pence > 0
                })
                .collect();
            out.extend(largest(&self.units, mine, n));
        }
        out
    }

    /// A unit as a supplier row (the ward shown by code; pages name it from the geography).
    pub fn unit_row(&self, ui: u32) -> SupplierRow {
        let u = &self.units[ui as usize];
        SupplierRow {
            unit: ui,
            name: u.name.clone(),
            body: self
                .bodies
                .get(u.body as usize)
                .cloned()
                .unwrap_or_default(),
            pence: u.net_pence,
            linked: u.supplier.is_some(),
            local: u.loc.local,
            wider: u.loc.wider,
            located: u.loc.located,
            postcode: u.loc.postcode.clone(),
            ward: u.loc.ward.map(|w| w.to_string()),
            decile: u.loc.decile,
            location_source: u.loc.source,
            size: u.class.size,
            vcse: u.class.vcse,
            public: u.class.public,
            individual_redacted: u.class.individual || u.redacted,
        }
    }

    /// The payments of a unit (drill-down from a supplier to its transactions), optionally one
    /// sector's, with the rule that excluded each if any.
    pub fn unit_payments(
        &self,
        payments: &Payments,
        unit: u32,
        sector: Option<&str>,
    ) -> Vec<PaymentLine> {
        let rules: Vec<&ExclusionRow> = self.exclusions.iter().collect();
        let basis_expense =
            self.settings.get("sector_basis").and_then(|v| v.as_str()) == Some("expense_type");
        let mut out = Vec::new();
        for (i, row) in payments.rows.iter().enumerate() {
            if self.row_unit.get(i) != Some(&unit) {
                continue;
            }
            let et = payments.strings.get(row.expense_type);
            if let Some(s) = sector {
                let own = self.units[unit as usize]
                    .own_sector
                    .and_then(|i| self.sector_names.get(i as usize))
                    .map_or("Unknown sector", String::as_str);
                let label = if basis_expense && !et.trim().is_empty() {
                    et.trim()
                } else {
                    own
                };
                if label != s {
                    continue;
                }
            }
            let rule = self.row_rule.get(i).copied().unwrap_or(u8::MAX);
            out.push(PaymentLine {
                row_id: row.row_id,
                date: row.date,
                amount_pence: row.amount_pence,
                supplier_name: payments.strings.get(row.supplier_name).to_string(),
                expense_type: et.to_string(),
                expense_area: payments.strings.get(row.expense_area).to_string(),
                excluded_by: (rule != u8::MAX).then(|| {
                    rules
                        .get(rule as usize)
                        .map_or_else(String::new, |r| r.label.clone())
                }),
            });
        }
        out.sort_by(|a, b| a.date.cmp(&b.date).then(a.row_id.cmp(&b.row_id)));
        out
    }
}
