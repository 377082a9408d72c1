//! The check report for one file (what was read, kept, rejected and why), cleaned transactions, and
//! the plain-text rendering of the report.

use std::fmt::Write as _;

use levers_core::Money;
use serde::{Deserialize, Serialize};
use time::Date;

use crate::date::DateOrder;
use crate::header::{Field, Mapping};

/// Something noted about a kept row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowFlag {
    /// The date cell says "VARIOUS" (an aggregated payment): kept, with no date.
    VariousDate,
    /// The date cell is blank: kept, with no date.
    BlankDate,
    /// The date cell holds only a time of day ("00:00:00"): kept, with no date.
    TimeOnlyDate,
    /// The date cell gives only a month ("Apr-24"): kept, dated the first of the month.
    MonthOnlyDate,
    /// The date had a separator missing (`26/082014`) and was read as the one date it can be, inside
    /// the file's period.
    RepairedDate,
    /// A broken export fused or split fields and the row was repaired (see `repaired`).
    Repaired,
    /// The supplier is blank.
    BlankSupplier,
    /// The amount had fractions of a penny (`815.045`) and was rounded to the nearest penny.
    RoundedToPenny,
    /// The irrecoverable VAT cell could not be read; the payment amount was still kept.
    UnreadableVat,
}

/// A kept payment, owned. See [`TransactionView`] for the borrowed form the streaming reader gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transaction {
    /// Stable identity for de-duplication across overlapping files (see [`TransactionView::identity`]).
    pub identity: String,
    /// 1-based line (row in a spreadsheet) in the file.
    pub line: u64,
    pub sheet: Option<String>,
    #[serde(serialize_with = "ser_date")]
    pub date: Option<Date>,
    pub amount: Money,
    pub irrecoverable_vat: Option<Money>,
    pub supplier_name: String,
    pub redacted: bool,
    pub body: Option<String>,
    pub body_name: Option<String>,
    pub transaction_number: Option<String>,
    pub invoice_number: Option<String>,
    pub supplier_id: Option<String>,
    pub vat_number: Option<String>,
    pub company_number: Option<String>,
    pub charity_number: Option<String>,
    pub expense_area: Option<String>,
    pub expense_type: Option<String>,
    pub expense_code: Option<String>,
    pub creditor_type: Option<String>,
    pub purpose: Option<String>,
    pub merchant_category: Option<String>,
    pub capital_revenue: Option<String>,
    /// The ProClass label (`ProclassLabel` in the LGA national spend schema, "FACILITIES MGT : Lifts"):
    /// the payment's category. "Not Classified" is kept as written; "NA" and the like are `None`.
    pub proclass_label: Option<String>,
    /// The 6-digit ProClass code (`ProclassCode`); `None` when the file writes "NA".
    pub proclass_code: Option<String>,
    pub flags: Vec<RowFlag>,
}

impl Transaction {
    /// The payment's category for grouping into sectors: the ProClass label when the file gives one
    /// (other than "Not Classified"), else the expense type.
    pub fn category(&self) -> Option<&str> {
        proclass_category(self.proclass_label.as_deref()).or(self.expense_type.as_deref())
    }
}

/// A ProClass label as a category: `None` for a missing or blank label and for "Not Classified".
pub fn proclass_category(label: Option<&str>) -> Option<&str> {
    label
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.eq_ignore_ascii_case("not classified"))
}

/// Cells that mean "no value" in identifier columns: `NA`, `N/A`, `#N/A`, `-`, `none`, `null`.
pub(crate) fn is_not_applicable(s: &str) -> bool {
    matches!(
        s.trim().to_ascii_lowercase().as_str(),
        "na" | "n/a" | "n.a." | "#n/a" | "-" | "--" | "none" | "null" | "nil" | "not applicable"
    )
}

fn ser_date<S: serde::Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_some(&iso(*d)),
        None => s.serialize_none(),
    }
}

pub(crate) fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// A kept payment as the streaming reader hands it over: borrowed from the row being read.
#[derive(Debug)]
pub struct TransactionView<'a> {
    pub line: u64,
    pub sheet: Option<&'a str>,
    pub date: Option<Date>,
    pub amount: Money,
    pub irrecoverable_vat: Option<Money>,
    /// Trimmed supplier name as written (a redaction label is kept as written).
    pub supplier_name: &'a str,
    pub redacted: bool,
    pub flags: &'a [RowFlag],
    pub(crate) cells: &'a [String],
    pub(crate) mapping: &'a Mapping,
    pub(crate) identity_hash: u64,
    pub(crate) occurrence: u32,
}

impl<'a> TransactionView<'a> {
    /// The trimmed text of a field ("" when the file has no such column).
    pub fn get(&self, f: Field) -> &'a str {
        match self.mapping.column(f) {
            Some(i) => self.cells.get(i).map_or("", |s| s.trim()),
            None => "",
        }
    }

    /// Stable identity: a hash of body, transaction number, date, amount and supplier (and, when the
    /// file has no transaction number, every mapped field), with `-2`, `-3`… appended to the second and
    /// later rows with the same content in one file. Two overlapping files give the same row the same
    /// identity.
    pub fn identity(&self) -> String {
        if self.occurrence <= 1 {
            format!("{:016x}", self.identity_hash)
        } else {
            format!("{:016x}-{}", self.identity_hash, self.occurrence)
        }
    }

    pub fn to_owned(&self) -> Transaction {
        let opt = |f: Field| {
            let v = self.get(f);
            (!v.is_empty()).then(|| v.to_string())
        };
        // Identifiers written as "NA" (Trafford's VAT numbers and ProClass codes and labels) are
        // absent.
        let id = |f: Field| {
            let v = self.get(f);
            (!v.is_empty() && !is_not_applicable(v)).then(|| v.to_string())
        };
        Transaction {
            identity: self.identity(),
            line: self.line,
            sheet: self.sheet.map(str::to_string),
            date: self.date,
            amount: self.amount,
            irrecoverable_vat: self.irrecoverable_vat,
            supplier_name: self.supplier_name.to_string(),
            redacted: self.redacted,
            body: opt(Field::Body),
            body_name: opt(Field::BodyName),
            transaction_number: opt(Field::TransactionNumber),
            invoice_number: opt(Field::InvoiceNumber),
            supplier_id: id(Field::SupplierId),
            vat_number: id(Field::VatNumber),
            company_number: id(Field::CompanyNumber),
            charity_number: id(Field::CharityNumber),
            expense_area: opt(Field::ExpenseArea),
            expense_type: opt(Field::ExpenseType),
            expense_code: opt(Field::ExpenseCode),
            creditor_type: opt(Field::CreditorType),
            purpose: opt(Field::Purpose),
            merchant_category: opt(Field::MerchantCategory),
            capital_revenue: opt(Field::CapitalRevenue),
            // Trafford writes "NA" as the label of 45,204 unclassified payments: no category.
            proclass_label: id(Field::ProclassLabel),
            proclass_code: id(Field::ProclassCode),
            flags: self.flags.to_vec(),
        }
    }
}

/// A row that was not kept, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedRow {
    pub line: u64,
    pub sheet: Option<String>,
    /// The field at fault, when one is.
    pub field: Option<Field>,
    pub value: Option<String>,
    pub reason: String,
}

/// A kept row with something to note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlaggedRow {
    pub line: u64,
    pub flag: RowFlag,
    pub detail: String,
}

/// A row rebuilt after a broken export fused or split its fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RepairedRow {
    pub line: u64,
    pub description: String,
}

/// A footer or note line after the header (publication notes, repeated headers, record counts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoteRow {
    pub line: u64,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TotalKind {
    Grand,
    Subtotal,
}

/// A total, subtotal or footer-sum row the file carries. Never added to the data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TotalRow {
    pub line: u64,
    pub kind: TotalKind,
    pub label: String,
    /// What the file says.
    pub stated: Money,
    /// What the kept rows it covers add up to.
    pub computed: Money,
    pub matched: bool,
}

/// Every physical record of the file accounted for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reconciliation {
    /// Text lines in the file (CSV); rows (spreadsheets).
    pub physical_lines: u64,
    /// Records read (a record spans several lines when a quoted field holds line breaks).
    pub records: u64,
    /// Empty lines the CSV reader passes over (they are not records).
    pub empty_lines: u64,
    pub preamble_records: u64,
    pub header_records: u64,
    pub kept: u64,
    pub rejected: u64,
    pub total_rows: u64,
    pub blank_rows: u64,
    pub note_rows: u64,
    /// Records in spreadsheet sheets that hold no payment table (e.g. a notes sheet).
    pub skipped_sheet_records: u64,
    /// records = preamble + header + kept + rejected + total + blank + note + skipped sheets, and
    /// physical lines = lines spanned by records + empty lines.
    pub balanced: bool,
}

/// The grand-total check: does the file add up to its own stated total?
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrandTotalCheck {
    pub line: u64,
    pub stated: Money,
    pub computed: Money,
    pub matched: bool,
}

/// What `check` found in one file.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub file: String,
    /// "csv", "xls" or "xlsx".
    pub format: &'static str,
    pub encoding: &'static str,
    /// Fields decoded in the other encoding (a Windows-1252 byte in a UTF-8 file, or the reverse).
    pub mixed_encoding_fields: u64,
    /// "," "\t" ";" "|" for CSV.
    pub delimiter: Option<String>,
    pub sheets: Vec<String>,
    pub skipped_sheets: Vec<String>,
    /// For a zip archive of spending files: the files inside that were read, in order.
    pub members: Vec<String>,
    /// Files inside a zip archive that were not read (not a CSV or spreadsheet, or no payments in them).
    pub skipped_members: Vec<String>,
    /// 0-based line index of the header (of the first sheet used).
    pub header_row: u64,
    pub mapping: Mapping,
    pub date_order: DateOrder,
    pub rows: u64,
    /// Sum of kept rows, in pence.
    pub total: Money,
    pub negatives: u64,
    pub negative_total: Money,
    /// Distinct non-blank supplier names as written (trimmed; a redaction label counts once).
    pub distinct_suppliers: u64,
    /// Rows whose supplier is a redaction label ("REDACTED UNDER DP ACT", "Redacted Personal Information").
    pub redacted_rows: u64,
    pub blank_supplier_rows: u64,
    /// redacted + blank, comparable with a profile's `redacted_or_blank_supplier_rows`.
    pub redacted_or_blank_supplier_rows: u64,
    #[serde(serialize_with = "ser_date")]
    pub first_date: Option<Date>,
    #[serde(serialize_with = "ser_date")]
    pub last_date: Option<Date>,
    /// UK financial years (April to March) the kept rows' dates fall in, e.g. `["2024/25"]`.
    pub financial_years: Vec<levers_core::FinancialYear>,
    pub totals: Vec<TotalRow>,
    pub grand_total: Option<GrandTotalCheck>,
    pub rejected_count: u64,
    /// The first rejected rows (up to `CheckOptions::max_listed`).
    pub rejected: Vec<RejectedRow>,
    pub flagged_count: u64,
    pub flagged: Vec<FlaggedRow>,
    pub repaired: Vec<RepairedRow>,
    pub notes: Vec<NoteRow>,
    pub reconciliation: Reconciliation,
    pub warnings: Vec<String>,
}

impl CheckReport {
    /// The human report printed by `levers spend check`.
    pub fn render_text(&self) -> String {
        let mut o = String::new();
        let r = &self.reconciliation;
        let _ = writeln!(o, "{}", self.file);
        let _ = writeln!(
            o,
            "  format {}, encoding {}{}, header on line {}{}",
            self.format,
            self.encoding,
            self.delimiter
                .as_ref()
                .map(|d| format!(", delimiter {d:?}"))
                .unwrap_or_default(),
            self.header_row + 1,
            if self.sheets.is_empty() {
                String::new()
            } else {
                format!(", sheets {}", self.sheets.join(", "))
            }
        );
        if !self.members.is_empty() {
            let _ = writeln!(o, "  read inside the zip: {}", self.members.join(", "));
        }
        if !self.skipped_members.is_empty() {
            let _ = writeln!(
                o,
                "  not read inside the zip: {}",
                self.skipped_members.join(", ")
            );
        }
        let _ = writeln!(o, "  columns:");
        for c in &self.mapping.columns {
            let _ = writeln!(
                o,
                "    {:<20} <- {:?} (column {}, {}{})",
                c.field.name(),
                c.header,
                c.column + 1,
                c.how,
                c.why.as_ref().map(|w| format!(": {w}")).unwrap_or_default()
            );
        }
        if !self.mapping.unmapped.is_empty() {
            let _ = writeln!(o, "    not used: {}", self.mapping.unmapped.join(", "));
        }
        let _ = writeln!(
            o,
            "  rows kept {}, total {}, negatives {} ({}), distinct suppliers {}, redacted {}, blank supplier {}",
            self.rows,
            self.total,
            self.negatives,
            self.negative_total,
            self.distinct_suppliers,
            self.redacted_rows,
            self.blank_supplier_rows
        );
        if let (Some(a), Some(b)) = (self.first_date, self.last_date) {
            let years: Vec<String> = self.financial_years.iter().map(|y| y.to_string()).collect();
            let _ = writeln!(
                o,
                "  dates {} to {} ({}), financial year {}",
                iso(a),
                iso(b),
                if self.date_order == DateOrder::DayFirst {
                    "day first"
                } else {
                    "month first"
                },
                years.join(", ")
            );
        }
        for t in &self.totals {
            let _ = writeln!(
                o,
                "  {} row on line {} ({:?}): states {}, rows add up to {} — {}",
                if t.kind == TotalKind::Grand {
                    "grand total"
                } else {
                    "subtotal"
                },
                t.line,
                t.label,
                t.stated,
                t.computed,
                if t.matched {
                    "matches"
                } else {
                    "DOES NOT MATCH"
                }
            );
        }
        let _ = writeln!(
            o,
            "  reconciliation: {} records = {} preamble + {} header + {} kept + {} rejected + {} total + {} blank + {} notes{} — {}",
            r.records,
            r.preamble_records,
            r.header_records,
            r.kept,
            r.rejected,
            r.total_rows,
            r.blank_rows,
            r.note_rows,
            if r.skipped_sheet_records > 0 {
                format!(" + {} in skipped sheets", r.skipped_sheet_records)
            } else {
                String::new()
            },
            if r.balanced {
                "balanced"
            } else {
                "NOT BALANCED"
            }
        );
        for f in self.flagged.iter().take(20) {
            let _ = writeln!(o, "  flagged line {}: {:?} {}", f.line, f.flag, f.detail);
        }
        if self.flagged_count > 20 {
            let _ = writeln!(o, "  … {} flagged rows in all", self.flagged_count);
        }
        for f in &self.repaired {
            let _ = writeln!(o, "  repaired line {}: {}", f.line, f.description);
        }
        for n in self.notes.iter().take(10) {
            let _ = writeln!(o, "  note line {}: {:?}", n.line, n.text);
        }
        for j in self.rejected.iter().take(50) {
            let _ = writeln!(
                o,
                "  REJECTED {}line {}{}: {}",
                j.sheet
                    .as_ref()
                    .map(|s| format!("sheet {s:?} "))
                    .unwrap_or_default(),
                j.line,
                j.field.map(|f| format!(", field {f}")).unwrap_or_default(),
                j.reason
            );
        }
        if self.rejected_count > 50 {
            let _ = writeln!(
                o,
                "  … {} rejected rows in all (see --json)",
                self.rejected_count
            );
        }
        if self.rejected_count > 0 {
            let _ = writeln!(
                o,
                "  to keep rejected rows: correct those lines in the file (or, if a whole column was misread, choose it with --map field=\"Header\") and check again"
            );
        }
        for w in &self.warnings {
            let _ = writeln!(o, "  warning: {w}");
        }
        o
    }
}
