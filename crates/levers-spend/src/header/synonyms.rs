//! The synonym table built from real council headers and the LGA national spend schema, and the
//! guess from a header's words when it is not in the table.

use super::field::Field;

/// Exact synonyms (normalised) with a priority (0 best). Built from the headers of the real files in
/// `shared/data/spend/real` (Devon, Warwickshire, Hyndburn, Manchester), the ODI Leeds header map of 18
/// bodies (`header_synonyms_odileeds.json`, public data) and the field names of the Local Government
/// Transparency Code 2015, plus the Local Government Association's national spend schema
/// (`OrganisationLabel`, `BeneficiaryName`, `BeneficiaryOtherID`, `ProclassLabel`, … read with their
/// words split, see `split_camel`) and the abbreviations of older finance systems (`PymtDate`,
/// `Entity Name`, `Ap/Ar ID(T)`).
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
    ("pymt date", Field::Date, 0),
    ("pymtdate", Field::Date, 0),
    ("pmt date", Field::Date, 0),
    ("pmnt date", Field::Date, 0),
    ("payment dt", Field::Date, 0),
    ("pay dt", Field::Date, 0),
    ("paid dt", Field::Date, 1),
    ("check date", Field::Date, 1),
    ("cheque run date", Field::Date, 1),
    ("bacs date", Field::Date, 1),
    // Transaction number
    ("transaction number", Field::TransactionNumber, 0),
    ("trans num", Field::TransactionNumber, 0),
    ("pymt ref", Field::TransactionNumber, 1),
    ("pymt no", Field::TransactionNumber, 1),
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
    ("pymt amount", Field::Amount, 0),
    ("pymt amt", Field::Amount, 0),
    ("amt", Field::Amount, 1),
    ("net amt", Field::Amount, 0),
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
    ("ap ar id t", Field::SupplierName, 0),
    ("ap ar name", Field::SupplierName, 1),
    ("entity name", Field::SupplierName, 3),
    ("beneficiary name t", Field::SupplierName, 0),
    ("supplier vendor name", Field::SupplierName, 0),
    ("supplier long name", Field::SupplierName, 0),
    ("payee details", Field::SupplierName, 2),
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
    ("beneficiary other id", Field::SupplierId, 0),
    ("beneficiary other identifier", Field::SupplierId, 0),
    ("ap ar id", Field::SupplierId, 1),
    ("vendor no", Field::SupplierId, 0),
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
    ("beneficiary company number", Field::CompanyNumber, 0),
    ("beneficiary registration number", Field::CompanyNumber, 2),
    ("company no", Field::CompanyNumber, 0),
    ("company registration number", Field::CompanyNumber, 0),
    ("company reg no", Field::CompanyNumber, 0),
    ("companies house number", Field::CompanyNumber, 0),
    ("registered company number", Field::CompanyNumber, 0),
    ("charity number", Field::CharityNumber, 0),
    ("beneficiary charity number", Field::CharityNumber, 0),
    ("charity no", Field::CharityNumber, 0),
    ("charity registration number", Field::CharityNumber, 0),
    ("registered charity number", Field::CharityNumber, 0),
    // Expense area (service, department)
    ("expense area", Field::ExpenseArea, 0),
    ("service area", Field::ExpenseArea, 0),
    ("spend area", Field::ExpenseArea, 0),
    ("service", Field::ExpenseArea, 1),
    ("service label", Field::ExpenseArea, 1),
    ("service category label", Field::ExpenseArea, 1),
    ("service division label", Field::ExpenseArea, 1),
    ("service label t", Field::ExpenseArea, 1),
    ("servicelabel", Field::ExpenseArea, 1),
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
    ("expenses type label", Field::ExpenseType, 0),
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
    ("profit centre", Field::ExpenseCode, 2),
    ("cost centre", Field::ExpenseCode, 2),
    ("expenses code", Field::ExpenseCode, 0),
    ("expenditure code", Field::ExpenseCode, 0),
    // Creditor type
    ("creditor type", Field::CreditorType, 0),
    ("supplier type", Field::CreditorType, 0),
    ("vendor type", Field::CreditorType, 0),
    ("payee type", Field::CreditorType, 0),
    ("beneficiary type", Field::CreditorType, 0),
    ("beneficiary category", Field::CreditorType, 1),
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
    // ProClass (the LGA national spend schema's ProclassLabel and ProclassCode)
    ("proclass label", Field::ProclassLabel, 0),
    ("proclass description", Field::ProclassLabel, 0),
    ("proclass", Field::ProclassLabel, 1),
    ("proclass category", Field::ProclassLabel, 1),
    ("procurement classification", Field::ProclassLabel, 1),
    ("procurement classification label", Field::ProclassLabel, 0),
    ("procurement category", Field::ProclassLabel, 2),
    ("proclass code", Field::ProclassCode, 0),
    ("proclass id", Field::ProclassCode, 0),
    ("procurement classification code", Field::ProclassCode, 0),
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
pub(crate) const GUESS: u8 = 6;

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
