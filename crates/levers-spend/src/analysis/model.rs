//! The analysis' options and its report: areas, scopes, shares, rows for every table and drill-down.

#[allow(unused_imports)]
use super::*;

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
    /// The payment's ProClass category when the file gives one (the LGA national spend schema's
    /// `ProclassLabel`), else its expense type, else its supplier's sector.
    Proclass,
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
    pub(super) fn of(p: &Pounds, analysed: i64) -> Shares {
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
pub(super) const BANDS: &[(i64, &str)] = &[
    (1_000_000, "Under £10,000"),
    (5_000_000, "£10,000 to £50,000"),
    (25_000_000, "£50,000 to £250,000"),
    (100_000_000, "£250,000 to £1 million"),
    (i64::MAX, "£1 million and over"),
];
