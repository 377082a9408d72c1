//! Canonical fields, the synonym table built from real council headers, and finding the header row.

use serde::{Deserialize, Serialize};

/// The canonical fields of a transparency-code payment record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Body,
    BodyName,
    Date,
    TransactionNumber,
    InvoiceNumber,
    Amount,
    IrrecoverableVat,
    SupplierName,
    SupplierId,
    VatNumber,
    CompanyNumber,
    CharityNumber,
    ExpenseArea,
    ExpenseType,
    ExpenseCode,
    CreditorType,
    Purpose,
    MerchantCategory,
    CapitalRevenue,
}

impl Field {
    pub const ALL: [Field; 19] = [
        Field::Body,
        Field::BodyName,
        Field::Date,
        Field::TransactionNumber,
        Field::InvoiceNumber,
        Field::Amount,
        Field::IrrecoverableVat,
        Field::SupplierName,
        Field::SupplierId,
        Field::VatNumber,
        Field::CompanyNumber,
        Field::CharityNumber,
        Field::ExpenseArea,
        Field::ExpenseType,
        Field::ExpenseCode,
        Field::CreditorType,
        Field::Purpose,
        Field::MerchantCategory,
        Field::CapitalRevenue,
    ];

    /// The name used in `--map field=Header` and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Field::Body => "body",
            Field::BodyName => "body_name",
            Field::Date => "date",
            Field::TransactionNumber => "transaction_number",
            Field::InvoiceNumber => "invoice_number",
            Field::Amount => "amount",
            Field::IrrecoverableVat => "irrecoverable_vat",
            Field::SupplierName => "supplier_name",
            Field::SupplierId => "supplier_id",
            Field::VatNumber => "vat_number",
            Field::CompanyNumber => "company_number",
            Field::CharityNumber => "charity_number",
            Field::ExpenseArea => "expense_area",
            Field::ExpenseType => "expense_type",
            Field::ExpenseCode => "expense_code",
            Field::CreditorType => "creditor_type",
            Field::Purpose => "purpose",
            Field::MerchantCategory => "merchant_category",
            Field::CapitalRevenue => "capital_revenue",
        }
    }

    /// Reads a field name as typed in `--map` (`supplier_name`, `supplier-name`, `Supplier Name`, `supplier`).
    pub fn from_name(s: &str) -> Option<Field> {
        let n: String = s
            .trim()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        let n = n.trim_matches('_');
        Field::ALL.into_iter().find(|f| f.name() == n).or(match n {
            "supplier" | "beneficiary" | "payee" => Some(Field::SupplierName),
            "vat" => Some(Field::IrrecoverableVat),
            "transaction" | "reference" => Some(Field::TransactionNumber),
            "invoice" => Some(Field::InvoiceNumber),
            _ => None,
        })
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Lower case, every run of non-alphanumerics (spaces, `£`, brackets, colons, underscores) one space.
/// `"Name of  Body"`, `" Amount "`, `"Net Amount(£)"` and `"Name:  "` become `name of body`, `amount`,
/// `net amount`, `name`.
pub fn normalise_header(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        } else {
            pending_space = true;
        }
    }
    out
}

/// Exact synonyms (normalised) with a priority (0 best). Built from the headers of the real files in
/// `shared/data/spend/real` (Devon, Warwickshire, Hyndburn, Manchester), the ODI Leeds header map of 18
/// bodies (`header_synonyms_odileeds.json`, public data) and the field names of the Local Government
/// Transparency Code 2015.
pub(crate) const SYNONYMS: &[(&str, Field, u8)] = &[
    // Body (the code of the publishing body)
    ("body", Field::Body, 0),
    ("body code", Field::Body, 0),
    ("organisation code", Field::Body, 0),
    ("organisation uri", Field::Body, 1),
    ("authority code", Field::Body, 0),
    ("la code", Field::Body, 1),
    ("ons code", Field::Body, 1),
    // Body name
    ("body name", Field::BodyName, 0),
    ("name of body", Field::BodyName, 0),
    ("organisation name", Field::BodyName, 0),
    ("organisation label", Field::BodyName, 0),
    ("organisation", Field::BodyName, 1),
    ("authority name", Field::BodyName, 0),
    ("local authority", Field::BodyName, 1),
    ("council", Field::BodyName, 2),
    ("org short name", Field::BodyName, 1),
    // Date
    ("date", Field::Date, 0),
    ("payment date", Field::Date, 0),
    ("pay date", Field::Date, 0),
    ("date paid", Field::Date, 0),
    ("datepaid", Field::Date, 0),
    ("paid date", Field::Date, 0),
    ("date of payment", Field::Date, 0),
    ("payment date", Field::Date, 0),
    ("transaction date", Field::Date, 0),
    ("invoice payment date", Field::Date, 0),
    ("payment run date", Field::Date, 0),
    ("cheque date", Field::Date, 1),
    ("posting date", Field::Date, 1),
    ("clearing date", Field::Date, 1),
    ("certified date", Field::Date, 1),
    ("gl date", Field::Date, 1),
    ("invoice gl date", Field::Date, 1),
    ("effective date", Field::Date, 2),
    ("value date", Field::Date, 2),
    ("invoice date", Field::Date, 3),
    ("updated", Field::Date, 4),
    // Transaction number
    ("transaction number", Field::TransactionNumber, 0),
    ("transaction no", Field::TransactionNumber, 0),
    ("transaction id", Field::TransactionNumber, 0),
    ("transaction ref", Field::TransactionNumber, 0),
    ("transaction reference", Field::TransactionNumber, 0),
    ("transno", Field::TransactionNumber, 0),
    ("trans no", Field::TransactionNumber, 0),
    ("internal reference number", Field::TransactionNumber, 0),
    ("internal reference", Field::TransactionNumber, 1),
    ("payment reference", Field::TransactionNumber, 1),
    ("payment number", Field::TransactionNumber, 1),
    ("payment id", Field::TransactionNumber, 1),
    ("document number", Field::TransactionNumber, 1),
    ("document no", Field::TransactionNumber, 1),
    ("doc no", Field::TransactionNumber, 1),
    ("voucher number", Field::TransactionNumber, 1),
    ("journal number", Field::TransactionNumber, 2),
    ("reference", Field::TransactionNumber, 2),
    ("reference number", Field::TransactionNumber, 2),
    ("ref no", Field::TransactionNumber, 2),
    ("ref", Field::TransactionNumber, 3),
    // Invoice number
    ("invoice number", Field::InvoiceNumber, 0),
    ("invoice no", Field::InvoiceNumber, 0),
    ("invoice ref", Field::InvoiceNumber, 0),
    ("invoice reference", Field::InvoiceNumber, 0),
    ("invoice id", Field::InvoiceNumber, 1),
    ("supplier invoice number", Field::InvoiceNumber, 0),
    // Amount
    ("amount", Field::Amount, 0),
    ("net amount", Field::Amount, 0),
    ("netamount", Field::Amount, 0),
    ("amount paid", Field::Amount, 0),
    ("net amount paid", Field::Amount, 0),
    ("paid amount", Field::Amount, 0),
    ("payment amount", Field::Amount, 0),
    ("transaction amount", Field::Amount, 0),
    ("amount excluding vat", Field::Amount, 0),
    ("amount excl vat", Field::Amount, 0),
    ("amount ex vat", Field::Amount, 0),
    ("net amount excluding vat", Field::Amount, 0),
    ("amount gbp", Field::Amount, 0),
    ("total excludes vat", Field::Amount, 0),
    ("invoice line value net of vat", Field::Amount, 0),
    ("invoice distribution amount", Field::Amount, 0),
    ("sum of invoice distribution amount", Field::Amount, 1),
    ("line amount", Field::Amount, 1),
    ("invoiced value", Field::Amount, 1),
    ("net value", Field::Amount, 1),
    ("net", Field::Amount, 1),
    ("value", Field::Amount, 2),
    ("spend", Field::Amount, 2),
    ("expenditure", Field::Amount, 3),
    ("total", Field::Amount, 3),
    ("total spend", Field::Amount, 2),
    ("total amount", Field::Amount, 2),
    ("total paid", Field::Amount, 2),
    ("total value", Field::Amount, 2),
    ("sum of amount", Field::Amount, 2),
    ("sum of net amount", Field::Amount, 2),
    ("sum of value", Field::Amount, 2),
    ("gross", Field::Amount, 3),
    ("gross amount", Field::Amount, 3),
    ("grand total", Field::Amount, 4),
    // Irrecoverable VAT
    ("irrecoverable vat", Field::IrrecoverableVat, 0),
    ("irrecoverable vat amount", Field::IrrecoverableVat, 0),
    ("vat irrecoverable", Field::IrrecoverableVat, 0),
    ("non recoverable vat", Field::IrrecoverableVat, 0),
    (
        "irrecoverable vat if applicable",
        Field::IrrecoverableVat,
        0,
    ),
    // Supplier name
    ("supplier name", Field::SupplierName, 0),
    ("suppliername", Field::SupplierName, 0),
    ("supplier", Field::SupplierName, 0),
    ("supplier text", Field::SupplierName, 0),
    ("supplier name t", Field::SupplierName, 0),
    ("supplier beneficiary name", Field::SupplierName, 0),
    ("approved supplier beneficiary name", Field::SupplierName, 0),
    ("beneficiary", Field::SupplierName, 0),
    ("beneficiary name", Field::SupplierName, 0),
    ("benificiary name", Field::SupplierName, 0),
    ("payee", Field::SupplierName, 0),
    ("payee name", Field::SupplierName, 0),
    ("vendor", Field::SupplierName, 0),
    ("vendor name", Field::SupplierName, 0),
    ("creditor", Field::SupplierName, 1),
    ("creditor name", Field::SupplierName, 0),
    ("recipient", Field::SupplierName, 1),
    ("recipient name", Field::SupplierName, 0),
    ("merchant name", Field::SupplierName, 1),
    ("name", Field::SupplierName, 3),
    ("supplier id t", Field::SupplierName, 4),
    ("suuplier id t", Field::SupplierName, 4),
    // Supplier ID
    ("supplier id", Field::SupplierId, 0),
    ("supplier number", Field::SupplierId, 0),
    ("supplier no", Field::SupplierId, 0),
    ("supplier code", Field::SupplierId, 0),
    ("supplier ref", Field::SupplierId, 0),
    ("supplier reference", Field::SupplierId, 0),
    ("vendor id", Field::SupplierId, 0),
    ("vendor number", Field::SupplierId, 0),
    ("creditor id", Field::SupplierId, 0),
    ("creditor number", Field::SupplierId, 0),
    ("creditor no", Field::SupplierId, 0),
    ("creditor code", Field::SupplierId, 0),
    ("beneficiary id", Field::SupplierId, 0),
    ("payee id", Field::SupplierId, 0),
    // VAT number
    ("vat reg no", Field::VatNumber, 0),
    ("vat registration number", Field::VatNumber, 0),
    ("vat registration no", Field::VatNumber, 0),
    ("vat reg number", Field::VatNumber, 0),
    ("vat number", Field::VatNumber, 0),
    ("vat no", Field::VatNumber, 0),
    ("supplier vat number", Field::VatNumber, 0),
    ("supplier vat registration number", Field::VatNumber, 0),
    ("vat registration", Field::VatNumber, 1),
    // Company / charity number
    ("company number", Field::CompanyNumber, 0),
    ("company no", Field::CompanyNumber, 0),
    ("company registration number", Field::CompanyNumber, 0),
    ("company reg no", Field::CompanyNumber, 0),
    ("companies house number", Field::CompanyNumber, 0),
    ("registered company number", Field::CompanyNumber, 0),
    ("charity number", Field::CharityNumber, 0),
    ("charity no", Field::CharityNumber, 0),
    ("charity registration number", Field::CharityNumber, 0),
    ("registered charity number", Field::CharityNumber, 0),
    // Expense area (service, department)
    ("expense area", Field::ExpenseArea, 0),
    ("service area", Field::ExpenseArea, 0),
    ("spend area", Field::ExpenseArea, 0),
    ("service", Field::ExpenseArea, 1),
    ("service label", Field::ExpenseArea, 1),
    ("service label t", Field::ExpenseArea, 1),
    ("servicelabel", Field::ExpenseArea, 1),
    ("service category label", Field::ExpenseArea, 2),
    ("department", Field::ExpenseArea, 1),
    ("department area", Field::ExpenseArea, 2),
    ("directorate", Field::ExpenseArea, 1),
    ("directotate", Field::ExpenseArea, 1),
    ("service division", Field::ExpenseArea, 1),
    ("division", Field::ExpenseArea, 2),
    ("portfolio", Field::ExpenseArea, 2),
    ("organisational unit", Field::ExpenseArea, 1),
    ("business unit", Field::ExpenseArea, 1),
    ("business unit description", Field::ExpenseArea, 1),
    ("strategic group", Field::ExpenseArea, 2),
    ("group", Field::ExpenseArea, 3),
    ("entity", Field::ExpenseArea, 3),
    ("nstrg t", Field::ExpenseArea, 3),
    ("strgrp t", Field::ExpenseArea, 3),
    ("strgrpcc t", Field::ExpenseArea, 3),
    ("cost centre description", Field::ExpenseArea, 3),
    // Expense type
    ("expense type", Field::ExpenseType, 0),
    ("expenses type", Field::ExpenseType, 0),
    ("expenditure type", Field::ExpenseType, 0),
    ("expense description", Field::ExpenseType, 0),
    ("expense category", Field::ExpenseType, 1),
    ("expenditure category", Field::ExpenseType, 1),
    ("spend category", Field::ExpenseType, 1),
    ("account description", Field::ExpenseType, 0),
    ("account name", Field::ExpenseType, 1),
    ("subjective description", Field::ExpenseType, 1),
    ("subjective", Field::ExpenseType, 2),
    ("cost type", Field::ExpenseType, 1),
    ("nominal description", Field::ExpenseType, 1),
    ("ledger description", Field::ExpenseType, 1),
    (
        "expenditure account code description",
        Field::ExpenseType,
        1,
    ),
    ("expenditure account", Field::ExpenseType, 2),
    ("procurement classification", Field::ExpenseType, 2),
    ("proclass description", Field::ExpenseType, 2),
    ("category", Field::ExpenseType, 3),
    ("category family", Field::ExpenseType, 3),
    // Expense code
    ("expense code", Field::ExpenseCode, 0),
    ("expense type code", Field::ExpenseCode, 0),
    ("account code", Field::ExpenseCode, 0),
    ("account", Field::ExpenseCode, 1),
    ("subjective code", Field::ExpenseCode, 0),
    ("nominal code", Field::ExpenseCode, 0),
    ("ledger code", Field::ExpenseCode, 0),
    ("gl code", Field::ExpenseCode, 1),
    ("cost code", Field::ExpenseCode, 1),
    ("expenditure code", Field::ExpenseCode, 0),
    // Creditor type
    ("creditor type", Field::CreditorType, 0),
    ("supplier type", Field::CreditorType, 0),
    ("vendor type", Field::CreditorType, 0),
    ("payee type", Field::CreditorType, 0),
    ("beneficiary type", Field::CreditorType, 0),
    ("supplier category", Field::CreditorType, 1),
    // Purpose
    ("purpose", Field::Purpose, 0),
    ("purpose of expenditure", Field::Purpose, 0),
    ("summary of purpose of expenditure", Field::Purpose, 0),
    ("description", Field::Purpose, 1),
    ("transaction description", Field::Purpose, 1),
    ("payment description", Field::Purpose, 1),
    ("line description", Field::Purpose, 1),
    ("item description", Field::Purpose, 1),
    ("narrative", Field::Purpose, 1),
    ("details", Field::Purpose, 2),
    // Merchant category
    ("merchant category", Field::MerchantCategory, 0),
    ("merchant category code", Field::MerchantCategory, 0),
    ("merchant category mcc", Field::MerchantCategory, 0),
    ("merchant type", Field::MerchantCategory, 1),
    ("mcc", Field::MerchantCategory, 1),
    // Capital or revenue
    ("capital revenue", Field::CapitalRevenue, 0),
    ("capital or revenue", Field::CapitalRevenue, 0),
    ("revenue capital", Field::CapitalRevenue, 0),
    ("revenue or capital", Field::CapitalRevenue, 0),
    ("capital revenue indicator", Field::CapitalRevenue, 0),
    ("cap rev", Field::CapitalRevenue, 0),
    ("rev cap", Field::CapitalRevenue, 0),
];

/// Priority given to a guess from words in the header rather than an exact synonym.
const GUESS: u8 = 6;

/// The field a header names, with a priority (lower is surer), from the table or else from its words.
pub(crate) fn classify(normalised: &str) -> Option<(Field, u8)> {
    if normalised.is_empty() {
        return None;
    }
    if let Some((_, f, p)) = SYNONYMS.iter().find(|(s, _, _)| *s == normalised) {
        return Some((*f, *p));
    }
    let words: Vec<&str> = normalised.split(' ').collect();
    let has = |w: &str| words.contains(&w);
    let any = |ws: &[&str]| ws.iter().any(|w| words.contains(w));
    let id_like = any(&["id", "number", "no", "code", "ref", "reference", "num"]);
    let who = any(&[
        "supplier",
        "suppliers",
        "beneficiary",
        "payee",
        "vendor",
        "creditor",
        "recipient",
    ]);
    let g = |f| Some((f, GUESS));
    if has("irrecoverable") || (has("vat") && any(&["amount", "irrecoverable", "non"])) && !id_like
    {
        return g(Field::IrrecoverableVat);
    }
    if has("vat") && any(&["reg", "registration", "number", "no"]) {
        return g(Field::VatNumber);
    }
    if has("charity") {
        return g(Field::CharityNumber);
    }
    if has("company") && id_like {
        return g(Field::CompanyNumber);
    }
    if has("merchant") {
        return g(Field::MerchantCategory);
    }
    if who && has("type") {
        return g(Field::CreditorType);
    }
    if who && id_like {
        return g(Field::SupplierId);
    }
    if who {
        return g(Field::SupplierName);
    }
    if any(&["amount", "amt"]) && !has("vat") {
        return g(Field::Amount);
    }
    if has("date") {
        return g(Field::Date);
    }
    if has("invoice") && id_like {
        return g(Field::InvoiceNumber);
    }
    if any(&["transaction", "trans", "payment", "document"]) && id_like {
        return g(Field::TransactionNumber);
    }
    if any(&["capital", "revenue"]) {
        return g(Field::CapitalRevenue);
    }
    if any(&["purpose", "narrative"]) {
        return g(Field::Purpose);
    }
    if any(&["expense", "expenditure", "account", "subjective", "nominal"])
        && any(&["code", "no", "number"])
    {
        return g(Field::ExpenseCode);
    }
    if any(&["expense", "expenses", "expenditure"]) && any(&["type", "description", "category"]) {
        return g(Field::ExpenseType);
    }
    if any(&["directorate", "department", "service", "portfolio"])
        || (has("expense") && has("area"))
    {
        return g(Field::ExpenseArea);
    }
    if any(&["ref", "reference"]) {
        return Some((Field::TransactionNumber, GUESS + 1));
    }
    None
}

/// One column given to a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MappedColumn {
    pub field: Field,
    /// 0-based column index.
    pub column: usize,
    /// The header text as written in the file.
    pub header: String,
    /// How the column was chosen: "override", "synonym" or "guess".
    pub how: &'static str,
}

/// Columns chosen for each field.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Mapping {
    pub columns: Vec<MappedColumn>,
    /// Named header cells not used for any field.
    pub unmapped: Vec<String>,
    #[serde(skip)]
    pub(crate) by_field: [Option<usize>; 19],
}

impl Mapping {
    pub fn column(&self, f: Field) -> Option<usize> {
        self.by_field[f.index()]
    }

    /// Number of fields found.
    pub fn len(&self) -> usize {
        self.columns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }
}

/// Maps a header row to fields. `overrides` are `(field, header text)` pairs that win over the table;
/// an override whose header is not in this row is returned in the error list.
pub(crate) fn map_header(
    cells: &[String],
    overrides: &[(Field, String)],
) -> (Mapping, Vec<(Field, String)>) {
    let mut m = Mapping::default();
    let mut col_taken = vec![false; cells.len()];
    let mut missing = Vec::new();
    for (f, h) in overrides {
        let want = normalise_header(h);
        let found = cells
            .iter()
            .enumerate()
            .find(|(i, c)| !col_taken[*i] && (c.trim() == h.trim() || normalise_header(c) == want));
        match found {
            Some((i, c)) if m.by_field[f.index()].is_none() => {
                col_taken[i] = true;
                m.by_field[f.index()] = Some(i);
                m.columns.push(MappedColumn {
                    field: *f,
                    column: i,
                    header: c.clone(),
                    how: "override",
                });
            }
            _ => missing.push((*f, h.clone())),
        }
    }
    let mut cands: Vec<(u8, usize, Field)> = cells
        .iter()
        .enumerate()
        .filter_map(|(i, c)| classify(&normalise_header(c)).map(|(f, p)| (p, i, f)))
        .collect();
    cands.sort();
    for (p, i, f) in cands {
        if col_taken[i] || m.by_field[f.index()].is_some() {
            continue;
        }
        col_taken[i] = true;
        m.by_field[f.index()] = Some(i);
        m.columns.push(MappedColumn {
            field: f,
            column: i,
            header: cells[i].clone(),
            how: if p >= GUESS { "guess" } else { "synonym" },
        });
    }
    m.columns.sort_by_key(|c| c.column);
    m.unmapped = cells
        .iter()
        .enumerate()
        .filter(|(i, c)| !col_taken[*i] && !c.trim().is_empty())
        .map(|(_, c)| c.clone())
        .collect();
    (m, missing)
}

/// How strongly a row looks like a header: number of fields mapped, or 0 without an amount column.
pub(crate) fn header_score(cells: &[String], overrides: &[(Field, String)]) -> usize {
    let non_empty = cells.iter().filter(|c| !c.trim().is_empty()).count();
    if non_empty < 2 {
        return 0;
    }
    let (m, _) = map_header(cells, overrides);
    if m.column(Field::Amount).is_none() {
        return 0;
    }
    // A data row can contain words like "Services"; a header names several fields and holds no amounts.
    let numeric = cells
        .iter()
        .filter(|c| crate::amount::parse_amount(c).is_ok())
        .count();
    // Pivot-table headers count too, so a supplier summary is found and refused with a clear message.
    let pivot = cells
        .iter()
        .filter(|c| is_summary_header(&normalise_header(c)))
        .count();
    (m.len() + pivot).saturating_sub(numeric)
}

/// Headers that mark a summary (pivot) table rather than a list of payments.
pub(crate) fn is_summary_header(h: &str) -> bool {
    matches!(
        h,
        "count"
            | "number of transactions"
            | "no of transactions"
            | "transactions"
            | "number of payments"
            | "row labels"
    ) || h.starts_with("count of")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(cells: &[&str]) -> Mapping {
        let cells: Vec<String> = cells.iter().map(|s| s.to_string()).collect();
        map_header(&cells, &[]).0
    }

    #[test]
    fn real_headers_map() {
        let m = map(&[
            "Body",
            "Name of  Body",
            "Date",
            "Transaction Number",
            "Invoice Number",
            " Amount ",
            "Supplier Name",
            "Supplier ID",
            "VAT Reg no",
            "Expense Area",
            "Expense Type",
            "Expense Code",
            "Costcuk",
            "Creditor Type",
        ]);
        assert_eq!(m.column(Field::Body), Some(0));
        assert_eq!(m.column(Field::BodyName), Some(1));
        assert_eq!(m.column(Field::Amount), Some(5));
        assert_eq!(m.column(Field::SupplierId), Some(7));
        assert_eq!(m.column(Field::VatNumber), Some(8));
        assert_eq!(m.column(Field::CreditorType), Some(13));
        assert_eq!(m.unmapped, vec!["Costcuk".to_string()]);

        let h = map(&[
            "Department Area",
            "Service Area",
            "Description",
            "Line",
            "HBC Ref No.",
            "Name:  ",
            "Payment Date",
            "Amount Paid",
        ]);
        assert_eq!(h.column(Field::SupplierName), Some(5));
        assert_eq!(h.column(Field::ExpenseArea), Some(1));
        assert_eq!(h.column(Field::TransactionNumber), Some(4));
        assert_eq!(h.column(Field::Amount), Some(7));
        assert_eq!(h.column(Field::Date), Some(6));

        let w = map(&[
            "",
            "Supplier id",
            "Supplier Name",
            "Transno",
            "Account",
            "Description",
            "Amount",
            "Pay Date",
            "Group",
        ]);
        assert_eq!(w.column(Field::SupplierId), Some(1));
        assert_eq!(w.column(Field::ExpenseCode), Some(4));
        assert_eq!(w.column(Field::ExpenseArea), Some(8));
        assert_eq!(
            map(&["Net Amount(£)", "Vendor Name", "Date Paid"]).column(Field::Amount),
            Some(0)
        );
    }

    #[test]
    fn overrides_win_and_missing_ones_are_reported() {
        let cells: Vec<String> = ["Payee", "Cost", "When"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let (m, missing) = map_header(
            &cells,
            &[
                (Field::Amount, "Cost".into()),
                (Field::Date, "when".into()),
                (Field::Purpose, "Why".into()),
            ],
        );
        assert_eq!(m.column(Field::Amount), Some(1));
        assert_eq!(m.column(Field::Date), Some(2));
        assert_eq!(m.column(Field::SupplierName), Some(0));
        assert_eq!(missing, vec![(Field::Purpose, "Why".to_string())]);
    }

    #[test]
    fn preamble_lines_do_not_score() {
        let row = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            header_score(&row(&["Warwickshire County Council", "", ""]), &[]),
            0
        );
        assert_eq!(
            header_score(
                &row(&["Monthly Expenditure over  £500 - December 2010", ""]),
                &[]
            ),
            0
        );
        assert!(
            header_score(
                &row(&["Supplier Name", "Supplier ID", "Payment Date", "Amount"]),
                &[]
            ) >= 3
        );
        assert_eq!(Field::from_name("supplier-name"), Some(Field::SupplierName));
        assert_eq!(normalise_header("Net Amount(£)"), "net amount");
    }
}
