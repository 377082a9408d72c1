//! Canonical fields, the synonym table built from real council headers, and finding the header row.
//! `field` (the fields), `synonyms` (what headers name them).

mod field;
mod synonyms;

use serde::Serialize;

pub use field::Field;
pub(crate) use synonyms::{GUESS, classify};

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

/// Splits words run together in camel case, as the LGA national spend schema writes its headers:
/// `PaymentDate` → `Payment Date`, `VATRegistrationNumber` → `VAT Registration Number`,
/// `BeneficiaryOtherID` → `Beneficiary Other ID`.
pub fn split_camel(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        if i > 0 && c.is_uppercase() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if prev.is_lowercase() || (prev.is_uppercase() && next_lower) {
                out.push(' ');
            }
        }
        out.push(c);
    }
    out
}

/// The field a header cell names: its normalised text looked up, and when that is unknown or only a
/// guess, its camel-case words split (`PaymentDate`), whichever is surer.
pub(crate) fn classify_header(raw: &str) -> Option<(Field, u8)> {
    let n = normalise_header(raw);
    let first = classify(&n);
    if first.is_some_and(|(_, p)| p < GUESS) || !raw.chars().any(char::is_lowercase) {
        return first;
    }
    let split = normalise_header(&split_camel(raw));
    if split == n {
        return first;
    }
    match (first, classify(&split)) {
        (Some(a), Some(b)) if b.1 < a.1 => Some(b),
        (None, b) => b,
        (a, _) => a,
    }
}

/// One column given to a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MappedColumn {
    pub field: Field,
    /// 0-based column index.
    pub column: usize,
    /// The header text as written in the file.
    pub header: String,
    /// How the column was chosen: "override", "synonym", "guess" or "content" (by what it holds).
    pub how: &'static str,
    /// Why, for a column chosen by content.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// Columns chosen for each field.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Mapping {
    pub columns: Vec<MappedColumn>,
    /// Named header cells not used for any field.
    pub unmapped: Vec<String>,
    #[serde(skip)]
    pub(crate) by_field: [Option<usize>; Field::ALL.len()],
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
                    why: None,
                });
            }
            _ => missing.push((*f, h.clone())),
        }
    }
    let mut cands: Vec<(u8, usize, Field)> = cells
        .iter()
        .enumerate()
        .filter_map(|(i, c)| classify_header(c).map(|(f, p)| (p, i, f)))
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
            why: None,
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
    fn the_lga_national_schema_maps_every_field() {
        let m = map(&[
            "OrganisationLabel",
            "OrganisationURI",
            "EffectiveDate",
            "OrganisationalUnit",
            "BeneficiaryName",
            "BeneficiaryOtherID",
            "PaymentDate",
            "TransactionNumber",
            "Amount",
            "IrrecoverableVATAmount",
            "Purpose",
            "ProclassLabel",
            "ProclassCode",
            "InvoiceNumber",
            "ProfitCentre",
            "VATRegistrationNumber",
        ]);
        let want = [
            (Field::BodyName, 0),
            (Field::Body, 1),
            (Field::ExpenseArea, 3),
            (Field::SupplierName, 4),
            (Field::SupplierId, 5),
            (Field::Date, 6),
            (Field::TransactionNumber, 7),
            (Field::Amount, 8),
            (Field::IrrecoverableVat, 9),
            (Field::Purpose, 10),
            (Field::ProclassLabel, 11),
            (Field::ProclassCode, 12),
            (Field::InvoiceNumber, 13),
            (Field::ExpenseCode, 14),
            (Field::VatNumber, 15),
        ];
        for (f, c) in want {
            assert_eq!(m.column(f), Some(c), "{f}");
        }
        assert_eq!(m.unmapped, vec!["EffectiveDate".to_string()]);
    }

    #[test]
    fn older_finance_system_headers_map() {
        let m = map(&[
            "Entity Name",
            "Ap/Ar ID",
            "Ap/Ar ID(T)",
            "PymtDate",
            "Pymt Amt",
        ]);
        assert_eq!(m.column(Field::SupplierName), Some(2));
        assert_eq!(m.column(Field::SupplierId), Some(1));
        assert_eq!(m.column(Field::Date), Some(3));
        assert_eq!(m.column(Field::Amount), Some(4));
        let m = map(&["Entity Name", "PymtDate", "Amount"]);
        assert_eq!(m.column(Field::SupplierName), Some(0));
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

    #[test]
    fn camel_case_headers_split() {
        assert_eq!(split_camel("PaymentDate"), "Payment Date");
        assert_eq!(
            split_camel("VATRegistrationNumber"),
            "VAT Registration Number"
        );
        assert_eq!(split_camel("BeneficiaryOtherID"), "Beneficiary Other ID");
        assert_eq!(split_camel("OrganisationURI"), "Organisation URI");
        assert_eq!(split_camel("SUPPLIER NAME"), "SUPPLIER NAME");
    }
}
