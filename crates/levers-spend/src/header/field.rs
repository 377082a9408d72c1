//! The canonical fields of a payment record and their names in `--map` and reports.

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
    /// The ProClass procurement classification's label ("FACILITIES MGT : Lifts"), as in the LGA
    /// national spend schema's `ProclassLabel`.
    ProclassLabel,
    /// The ProClass code (6 digits, "191400"), the schema's `ProclassCode`.
    ProclassCode,
}

impl Field {
    pub const ALL: [Field; 21] = [
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
        Field::ProclassLabel,
        Field::ProclassCode,
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
            Field::ProclassLabel => "proclass_label",
            Field::ProclassCode => "proclass_code",
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
            "proclass" | "category" => Some(Field::ProclassLabel),
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
