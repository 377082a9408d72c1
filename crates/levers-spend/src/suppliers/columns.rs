//! The supplier file's columns: its fields, the synonym table and guesses from words, and finding the
//! header row.

use levers_geo::Postcode;
use serde::{Deserialize, Serialize};

use crate::header::normalise_header;

/// The columns of a supplier master file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupplierField {
    SupplierId,
    Name,
    Postcode,
    /// Branch or trading postcodes: one column with several (separated by `;`, `,`, `|` or `/`), or
    /// several columns.
    BranchPostcodes,
    CompanyNumber,
    CharityNumber,
    VatNumber,
    DeclaredType,
    /// The council's own category or a SIC code.
    Sector,
}

impl SupplierField {
    pub const ALL: [SupplierField; 9] = [
        SupplierField::SupplierId,
        SupplierField::Name,
        SupplierField::Postcode,
        SupplierField::BranchPostcodes,
        SupplierField::CompanyNumber,
        SupplierField::CharityNumber,
        SupplierField::VatNumber,
        SupplierField::DeclaredType,
        SupplierField::Sector,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SupplierField::SupplierId => "supplier_id",
            SupplierField::Name => "name",
            SupplierField::Postcode => "postcode",
            SupplierField::BranchPostcodes => "branch_postcodes",
            SupplierField::CompanyNumber => "company_number",
            SupplierField::CharityNumber => "charity_number",
            SupplierField::VatNumber => "vat_number",
            SupplierField::DeclaredType => "declared_type",
            SupplierField::Sector => "sector",
        }
    }
}

impl std::fmt::Display for SupplierField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Exact header synonyms (normalised) for creditor files, from the column names finance systems
/// export (Agresso/Unit4, Oracle, SAP, Civica, Integra creditor reports) and the spend-file table.
const SYNONYMS: &[(&str, SupplierField)] = &[
    ("supplier id", SupplierField::SupplierId),
    ("supplier number", SupplierField::SupplierId),
    ("supplier no", SupplierField::SupplierId),
    ("supplier code", SupplierField::SupplierId),
    ("supplier ref", SupplierField::SupplierId),
    ("supplier reference", SupplierField::SupplierId),
    ("creditor id", SupplierField::SupplierId),
    ("creditor number", SupplierField::SupplierId),
    ("creditor no", SupplierField::SupplierId),
    ("creditor code", SupplierField::SupplierId),
    ("creditor reference", SupplierField::SupplierId),
    ("vendor id", SupplierField::SupplierId),
    ("vendor number", SupplierField::SupplierId),
    ("vendor no", SupplierField::SupplierId),
    ("account number", SupplierField::SupplierId),
    ("supplier name", SupplierField::Name),
    ("supplier", SupplierField::Name),
    ("creditor name", SupplierField::Name),
    ("creditor", SupplierField::Name),
    ("vendor name", SupplierField::Name),
    ("vendor", SupplierField::Name),
    ("name", SupplierField::Name),
    ("trading name", SupplierField::Name),
    ("organisation name", SupplierField::Name),
    ("payee name", SupplierField::Name),
    ("postcode", SupplierField::Postcode),
    ("post code", SupplierField::Postcode),
    ("supplier postcode", SupplierField::Postcode),
    ("address postcode", SupplierField::Postcode),
    ("remittance postcode", SupplierField::Postcode),
    ("main postcode", SupplierField::Postcode),
    ("head office postcode", SupplierField::Postcode),
    ("postal code", SupplierField::Postcode),
    ("zip", SupplierField::Postcode),
    ("branch postcode", SupplierField::BranchPostcodes),
    ("branch postcodes", SupplierField::BranchPostcodes),
    ("trading postcode", SupplierField::BranchPostcodes),
    ("trading postcodes", SupplierField::BranchPostcodes),
    ("site postcode", SupplierField::BranchPostcodes),
    ("site postcodes", SupplierField::BranchPostcodes),
    ("local branch postcode", SupplierField::BranchPostcodes),
    ("other postcodes", SupplierField::BranchPostcodes),
    ("company number", SupplierField::CompanyNumber),
    ("company no", SupplierField::CompanyNumber),
    ("company registration number", SupplierField::CompanyNumber),
    ("company reg no", SupplierField::CompanyNumber),
    ("companies house number", SupplierField::CompanyNumber),
    ("crn", SupplierField::CompanyNumber),
    ("charity number", SupplierField::CharityNumber),
    ("charity no", SupplierField::CharityNumber),
    ("charity registration number", SupplierField::CharityNumber),
    ("registered charity number", SupplierField::CharityNumber),
    ("vat number", SupplierField::VatNumber),
    ("vat no", SupplierField::VatNumber),
    ("vat reg no", SupplierField::VatNumber),
    ("vat registration number", SupplierField::VatNumber),
    ("vat registration no", SupplierField::VatNumber),
    ("supplier type", SupplierField::DeclaredType),
    ("creditor type", SupplierField::DeclaredType),
    ("vendor type", SupplierField::DeclaredType),
    ("organisation type", SupplierField::DeclaredType),
    ("business type", SupplierField::DeclaredType),
    ("declared type", SupplierField::DeclaredType),
    ("type", SupplierField::DeclaredType),
    ("sme", SupplierField::DeclaredType),
    ("sme status", SupplierField::DeclaredType),
    ("size", SupplierField::DeclaredType),
    ("sector", SupplierField::Sector),
    ("category", SupplierField::Sector),
    ("supplier category", SupplierField::Sector),
    ("industry", SupplierField::Sector),
    ("sic", SupplierField::Sector),
    ("sic code", SupplierField::Sector),
    ("procurement category", SupplierField::Sector),
];

fn classify(n: &str) -> Option<SupplierField> {
    if n.is_empty() {
        return None;
    }
    if let Some((_, f)) = SYNONYMS.iter().find(|(s, _)| *s == n) {
        return Some(*f);
    }
    let words: Vec<&str> = n.split(' ').collect();
    let has = |w: &str| words.contains(&w);
    let any = |ws: &[&str]| ws.iter().any(|w| words.contains(w));
    let id_like = any(&["id", "number", "no", "code", "ref", "reference", "num"]);
    if any(&["postcode", "postcodes"]) || (has("post") && has("code")) {
        return Some(
            if any(&[
                "branch", "trading", "site", "sites", "other", "local", "depot", "office",
                "offices",
            ]) && !any(&["head", "main", "registered"])
            {
                SupplierField::BranchPostcodes
            } else {
                SupplierField::Postcode
            },
        );
    }
    if has("charity") {
        return Some(SupplierField::CharityNumber);
    }
    if has("company") && id_like {
        return Some(SupplierField::CompanyNumber);
    }
    if has("vat") {
        return Some(SupplierField::VatNumber);
    }
    if any(&["type", "sme", "size", "classification", "status"]) {
        return Some(SupplierField::DeclaredType);
    }
    if any(&["sector", "sic", "industry", "category"]) {
        return Some(SupplierField::Sector);
    }
    let who = any(&["supplier", "creditor", "vendor", "payee"]);
    if who && id_like {
        return Some(SupplierField::SupplierId);
    }
    if who || has("name") {
        return Some(SupplierField::Name);
    }
    None
}

/// Columns found for each field (branch postcodes may have several).
#[derive(Debug, Clone, Default, Serialize)]
pub struct SupplierMapping {
    /// (field, 0-based column, header as written).
    pub columns: Vec<(SupplierField, usize, String)>,
    pub unmapped: Vec<String>,
}

impl SupplierMapping {
    pub fn column(&self, f: SupplierField) -> Option<usize> {
        self.columns
            .iter()
            .find(|(g, _, _)| *g == f)
            .map(|(_, c, _)| *c)
    }

    pub(super) fn branch_columns(&self) -> impl Iterator<Item = usize> + '_ {
        self.columns
            .iter()
            .filter(|(g, _, _)| *g == SupplierField::BranchPostcodes)
            .map(|(_, c, _)| *c)
    }
}

pub(super) fn map_header(
    cells: &[String],
    overrides: &[(SupplierField, String)],
) -> SupplierMapping {
    let mut m = SupplierMapping::default();
    let mut taken = vec![false; cells.len()];
    for (f, h) in overrides {
        let want = normalise_header(h);
        if let Some(i) =
            (0..cells.len()).find(|i| !taken[*i] && normalise_header(&cells[*i]) == want)
        {
            taken[i] = true;
            m.columns.push((*f, i, cells[i].clone()));
        }
    }
    for (i, c) in cells.iter().enumerate() {
        if taken[i] {
            continue;
        }
        if let Some(f) = classify(&normalise_header(c)) {
            // One column per field, except branch postcodes.
            if f == SupplierField::BranchPostcodes || m.column(f).is_none() {
                taken[i] = true;
                m.columns.push((f, i, c.clone()));
            }
        }
    }
    m.columns.sort_by_key(|(_, c, _)| *c);
    m.unmapped = cells
        .iter()
        .enumerate()
        .filter(|(i, c)| !taken[*i] && !c.trim().is_empty())
        .map(|(_, c)| c.clone())
        .collect();
    m
}

pub(super) fn header_score(cells: &[String]) -> usize {
    let m = map_header(cells, &[]);
    if m.column(SupplierField::Name).is_none() {
        return 0;
    }
    // A data row holds postcodes and numbers, not header words; require a second recognised field.
    let n = m.columns.len();
    let postcode_like = cells.iter().filter(|c| Postcode::parse(c).is_ok()).count();
    if n < 2 {
        0
    } else {
        n.saturating_sub(postcode_like)
    }
}
