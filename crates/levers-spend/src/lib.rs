//! levers-spend: reads council "spending over £500" transparency files (CSV in any delimiter and
//! encoding seen, XLS/XLSX behind the `excel` feature), finds the header, maps columns to canonical
//! fields, cleans amounts to exact pence and dates, recognises totals, redactions, footers and fused
//! rows, and accounts for every record. Pure: bytes in, report and transactions out.
//!
//! ```
//! let csv = b"Supplier Name,Payment Date,Amount\nACME LTD,01/06/2024,\"1,234.56\"\n";
//! let report = levers_spend::check("june.csv", csv, &levers_spend::CheckOptions::default()).unwrap();
//! assert_eq!(report.rows, 1);
//! assert_eq!(report.total.pence(), 123_456);
//! ```

pub mod amount;
pub mod analysis;
pub mod classify;
mod clean;
pub mod date;
pub mod encoding;
pub mod header;
pub mod lm3;
mod par;
pub mod registers;
mod report;
pub mod resolve;
mod source;
pub mod suppliers;
pub mod table;
#[cfg(feature = "excel")]
mod zipped;

pub use amount::{AmountError, parse_amount, parse_amount_rounding};
pub use date::{DateCell, DateError, DateOrder, parse_date};
pub use encoding::TextEncoding;
pub use header::{Field, MappedColumn, Mapping, normalise_header};
pub use report::{
    CheckReport, FlaggedRow, GrandTotalCheck, NoteRow, Reconciliation, RejectedRow, RepairedRow,
    RowFlag, TotalKind, TotalRow, Transaction, TransactionView, proclass_category,
};

/// The hash map of the analysis and matching: foldhash, randomly seeded per map (so minimally
/// resistant to crafted collisions, which SipHash resists better) and several times faster than
/// SipHash on the short strings and small integers these maps hold. The maps live for one analysis.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// How to read a file.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Explicit column choices, `(field, header text)`, which win over the synonym table.
    pub overrides: Vec<(Field, String)>,
    /// The publishing body, used in transaction identities when the file has no body column.
    pub body: Option<String>,
    /// How many rejected/flagged/note rows the report lists in full (all are counted). Bounds memory.
    pub max_listed: usize,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            overrides: Vec::new(),
            body: None,
            max_listed: 1000,
        }
    }
}

impl CheckOptions {
    /// Options with `field=Header` overrides as typed on the command line (`--map amount="Net (£)"`).
    pub fn with_map_specs<S: AsRef<str>>(specs: &[S]) -> Result<Self, SpendError> {
        let mut o = CheckOptions::default();
        for spec in specs {
            let spec = spec.as_ref();
            let (f, h) = spec.split_once('=').ok_or_else(|| SpendError::BadMap {
                spec: spec.to_string(),
                reason: "it has no '=': write field=Header, e.g. amount=\"Net Amount\"".into(),
            })?;
            let field = Field::from_name(f).ok_or_else(|| SpendError::BadMap {
                spec: spec.to_string(),
                reason: format!(
                    "\"{}\" is not a field; fields are {}",
                    f.trim(),
                    Field::ALL
                        .iter()
                        .map(|f| f.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })?;
            let h = h.trim().trim_matches('"');
            if h.is_empty() {
                return Err(SpendError::BadMap {
                    spec: spec.to_string(),
                    reason: "the header after '=' is empty".into(),
                });
            }
            o.overrides.push((field, h.to_string()));
        }
        Ok(o)
    }
}

/// Why a file could not be read at all. Row-level problems are not errors: they are rejected rows in
/// the report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpendError {
    #[error("{file}: the file is empty")]
    Empty { file: String },
    #[error(
        "{file}: this is not a CSV or spreadsheet file ({why}); export the spending data as CSV or XLSX"
    )]
    NotTabular { file: String, why: String },
    #[error("{file}: {message}")]
    Spreadsheet { file: String, message: String },
    #[error(
        "{file}: is a spreadsheet, but this build of levers was made without the `excel` feature; save it as CSV or use a build with that feature"
    )]
    ExcelDisabled { file: String },
    #[error("{file}, line {line}: {message}")]
    Read {
        file: String,
        line: u64,
        message: String,
    },
    #[error(
        "{file}: no header row found in the first {scanned} lines: levers looks for a row naming at least the amount, the supplier and the date columns. Add --map amount=\"Header\" (and supplier_name=, date=) naming the file's own headers"
    )]
    NoHeader { file: String, scanned: usize },
    #[error(
        "{file}, line {line}: the header has no {fields} column, and no column holds what it would (headers: {headers}). Name the column(s) with {maps}"
    )]
    MissingField {
        file: String,
        line: u64,
        /// The first field missing.
        field: Field,
        /// Every field missing, as words ("date, supplier_name or amount").
        fields: String,
        /// The `--map` options that would name them.
        maps: String,
        headers: String,
    },
    #[error(
        "{file}, line {line}: --map {field}=\"{header}\" names a header that is not in the header row (headers: {headers})"
    )]
    MapNotFound {
        file: String,
        line: u64,
        field: Field,
        header: String,
        headers: String,
    },
    #[error("--map {spec:?}: {reason}")]
    BadMap { spec: String, reason: String },
    #[error(
        "{file}: every one of its {rejected} payment rows was rejected, so nothing was read. The first, line {line}: {reason}. Correct the file (or, if a column was misread, choose it with --map field=\"Header\") and try again"
    )]
    AllRejected {
        file: String,
        rejected: u64,
        line: u64,
        reason: String,
    },
    #[error(
        "{file}: this is a summary of totals per supplier, not a list of payments ({why}). levers needs the transaction-level file (one row per payment, with its date); ask the council for it or download the monthly transaction file instead"
    )]
    SupplierSummary { file: String, why: String },
}

/// Reads a file and reports on it, without keeping the transactions.
pub fn check(name: &str, bytes: &[u8], opts: &CheckOptions) -> Result<CheckReport, SpendError> {
    clean::run(name, bytes, opts, false, &mut |_| {})
}

/// Reads a file, handing each cleaned transaction to `on_transaction` as it goes (memory stays bounded:
/// besides the input, one row, the set of supplier names and a 12-byte identity entry per row are held),
/// and returns the report. (`check` gives the same report without working out identities.)
pub fn read_transactions<F>(
    name: &str,
    bytes: &[u8],
    opts: &CheckOptions,
    mut on_transaction: F,
) -> Result<CheckReport, SpendError>
where
    F: FnMut(&TransactionView<'_>),
{
    clean::run(name, bytes, opts, true, &mut on_transaction)
}

/// Reads a file into owned transactions (for small files; use [`read_transactions`] for large ones).
pub fn transactions(
    name: &str,
    bytes: &[u8],
    opts: &CheckOptions,
) -> Result<(Vec<Transaction>, CheckReport), SpendError> {
    let mut out = Vec::new();
    let report = read_transactions(name, bytes, opts, |t| out.push(t.to_owned()))?;
    Ok((out, report))
}
