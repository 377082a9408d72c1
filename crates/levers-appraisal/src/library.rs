//! The unit cost library: the GMCA / New Economy Unit Cost Database layout (and any council's own
//! table in the same columns), read by header names, each cost with its fiscal, economic and social
//! values and their price years, agencies, confidence (RAG) and source.

use levers_core::FinancialYear;
use serde::{Deserialize, Serialize};

/// Confidence in a value, as the Unit Cost Database grades it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rag {
    Green,
    Amber,
    Red,
    Unknown,
}

/// Which kind of value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueKind {
    /// A cost to (or saving for) a public agency's budget.
    Fiscal,
    /// Wider economic value (e.g. earnings).
    Economic,
    /// Social value (e.g. wellbeing).
    Social,
}

/// A value and the price year it is stated in.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ValueAt {
    pub amount: f64,
    pub price_year: FinancialYear,
    /// The source's own figure at 2015/16 prices, where it gives one (a check on uprating).
    pub stated_2015_16: Option<f64>,
}

/// One unit cost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitCost {
    pub code: String,
    pub theme: String,
    pub category: String,
    pub detail: String,
    pub description: String,
    pub unit: String,
    /// The agency that bears a fiscal cost (first and second level).
    pub agency: String,
    pub agency_detail: String,
    pub fiscal: Option<ValueAt>,
    pub economic: Option<ValueAt>,
    pub social: Option<ValueAt>,
    pub source: String,
    pub rag: Rag,
    pub comment: String,
}

impl UnitCost {
    pub fn value(&self, kind: ValueKind) -> Option<ValueAt> {
        match kind {
            ValueKind::Fiscal => self.fiscal,
            ValueKind::Economic => self.economic,
            ValueKind::Social => self.social,
        }
    }
}

/// What reading a library file found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LibraryReport {
    pub rows_read: u64,
    pub costs: u64,
    /// Rows without a cost code (section headings in some exports).
    pub rows_without_code: u64,
    pub rejected: Vec<(u64, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    #[error("{file}: {message}")]
    Header { file: String, message: String },
    #[error("{file}, line {line}: {message}")]
    Csv {
        file: String,
        line: u64,
        message: String,
    },
}

const REQUIRED: [&str; 5] = [
    "cost_code",
    "description",
    "unit",
    "fiscal_value",
    "fiscal_price_year",
];

/// Reads a unit cost table. Rows with a bad value are rejected with line and reason; the rest kept.
pub fn read_unit_costs(
    file: &str,
    bytes: &[u8],
) -> Result<(Vec<UnitCost>, LibraryReport), LibraryError> {
    let text =
        String::from_utf8_lossy(bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)).into_owned();
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| LibraryError::Header {
            file: file.into(),
            message: e.to_string(),
        })?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|r| !headers.iter().any(|h| h == r))
        .collect();
    if !missing.is_empty() {
        return Err(LibraryError::Header {
            file: file.into(),
            message: format!(
                "this is not a unit cost table: it lacks the columns {} (the Unit Cost Database CSV layout is expected). Headers seen: {}",
                missing.join(", "),
                headers.join(", ")
            ),
        });
    }
    let col = |n: &str| headers.iter().position(|h| h == n);
    let mut report = LibraryReport::default();
    let mut out = Vec::new();
    let mut lines = levers_core::lines::LineOf::new(text.as_bytes());
    for rec in rdr.records() {
        let line = lines.line_at(record_byte(&rec));
        report.rows_read += 1;
        let rec = rec.map_err(|e| LibraryError::Csv {
            file: file.into(),
            line,
            message: e.to_string(),
        })?;
        let get = |n: &str| {
            col(n)
                .and_then(|c| rec.get(c))
                .unwrap_or("")
                .trim()
                .to_string()
        };
        keep(parse_row(&get), line, &mut out, &mut report);
    }
    Ok((out, report))
}

/// Where the csv crate says a record (or the record it could not read) starts.
pub(crate) fn record_byte(rec: &Result<csv::StringRecord, csv::Error>) -> u64 {
    match rec {
        Ok(r) => r.position().map(|p| p.byte()),
        Err(e) => e.position().map(|p| p.byte()),
    }
    .unwrap_or(0)
}

fn keep(
    parsed: Result<Option<UnitCost>, String>,
    line: u64,
    out: &mut Vec<UnitCost>,
    report: &mut LibraryReport,
) {
    match parsed {
        Ok(Some(c)) => {
            report.costs += 1;
            out.push(c);
        }
        Ok(None) => report.rows_without_code += 1,
        Err(e) => report.rejected.push((line, e)),
    }
}

/// One row, its fields fetched by the CSV layout's column names. `None` for a row without a code.
fn parse_row(get: &dyn Fn(&str) -> String) -> Result<Option<UnitCost>, String> {
    let code = get("cost_code");
    if code.is_empty() {
        return Ok(None);
    }
    let value = |v: &str, y: &str, s: &str| -> Result<Option<ValueAt>, String> {
        let (v, y, s) = (get(v), get(y), get(s));
        if v.is_empty() {
            return Ok(None);
        }
        let amount: f64 = v
            .replace([',', '£'], "")
            .parse()
            .map_err(|_| format!("\"{v}\" is not a number"))?;
        let price_year: FinancialYear = y
            .parse()
            .map_err(|e: levers_core::FinancialYearError| e.to_string())?;
        let stated = if s.is_empty() {
            None
        } else {
            s.replace([',', '£'], "").parse().ok()
        };
        Ok(Some(ValueAt {
            amount,
            price_year,
            stated_2015_16: stated,
        }))
    };
    Ok(Some(UnitCost {
        fiscal: value("fiscal_value", "fiscal_price_year", "fiscal_value_2015_16")
            .map_err(|e| format!("{code}: fiscal value: {e}"))?,
        economic: value(
            "economic_value",
            "economic_price_year",
            "economic_value_2015_16",
        )
        .map_err(|e| format!("{code}: economic value: {e}"))?,
        social: value("social_value", "social_price_year", "social_value_2015_16")
            .map_err(|e| format!("{code}: social value: {e}"))?,
        theme: get("theme"),
        category: get("outcome_category"),
        detail: get("outcome_detail"),
        description: get("description"),
        unit: get("unit"),
        agency: get("agency_level1"),
        agency_detail: get("agency_level2"),
        source: get("original_source"),
        rag: match get("rag_assessment").to_uppercase().as_str() {
            "G" | "GREEN" => Rag::Green,
            "A" | "AMBER" => Rag::Amber,
            "R" | "RED" => Rag::Red,
            _ => Rag::Unknown,
        },
        comment: get("comment"),
        code,
    }))
}

/// The columns of each thematic sheet of the Unit Cost Database workbook (v1.4 and later editions
/// in the same layout), by position, named as in the CSV layout.
#[cfg(feature = "excel")]
const WORKBOOK_COLUMNS: [&str; 19] = [
    "outcome_category",
    "outcome_detail",
    "cost_code",
    "description",
    "unit",
    "agency_level1",
    "agency_level2",
    "fiscal_value",
    "fiscal_price_year",
    "fiscal_value_2015_16",
    "economic_value",
    "economic_price_year",
    "economic_value_2015_16",
    "social_value",
    "social_price_year",
    "social_value_2015_16",
    "original_source",
    "rag_assessment",
    "comment",
];

/// Reads the Unit Cost Database workbook itself (.xlsx): every sheet whose first and third columns
/// are headed "Outcome category" and "Cost code" is a theme (the sheet name); rows start after the two header rows; outcome details
/// are filled down and whitespace collapsed, as in the CSV. Errors and rejections name the sheet
/// and row (rejections carry the row number; their reason starts with the sheet name).
#[cfg(feature = "excel")]
pub fn read_unit_costs_xlsx(
    file: &str,
    bytes: &[u8],
) -> Result<(Vec<UnitCost>, LibraryReport), LibraryError> {
    use levers_xlsx::read::{Data, read};
    let err = |message: String| LibraryError::Header {
        file: file.into(),
        message,
    };
    let sheets = read(bytes, &crate::WORKBOOK_LIMITS).map_err(|e| err(e.to_string()))?;
    let mut report = LibraryReport::default();
    let mut out = Vec::new();
    let mut themes = 0;
    for levers_xlsx::read::Sheet { name: sheet, rows } in sheets {
        let text = |d: Option<&Data>| -> String {
            match d {
                None | Some(Data::Empty) => String::new(),
                Some(Data::String(s)) => s.split_whitespace().collect::<Vec<_>>().join(" "),
                Some(Data::Float(f)) => f.to_string(),
                Some(Data::Int(i)) => i.to_string(),
                Some(other) => other.to_string(),
            }
        };
        let Some(first) = rows.first() else { continue };
        if !(text(first.get(0)).eq_ignore_ascii_case("outcome category")
            && text(first.get(2)).eq_ignore_ascii_case("cost code"))
        {
            continue;
        }
        themes += 1;
        let start = first.index;
        let mut detail = String::new();
        for data_row in rows.iter().filter(|r| r.index >= start + 2) {
            let r = data_row.index;
            let mut row: Vec<String> = (0..WORKBOOK_COLUMNS.len() as u32)
                .map(|c| text(data_row.get(c)))
                .collect();
            if row.iter().all(String::is_empty) {
                continue;
            }
            report.rows_read += 1;
            if row[1].is_empty() {
                row[1] = detail.clone();
            } else {
                detail = row[1].clone();
            }
            let theme = sheet.clone();
            let get = |n: &str| {
                if n == "theme" {
                    return theme.clone();
                }
                WORKBOOK_COLUMNS
                    .iter()
                    .position(|c| *c == n)
                    .map(|i| row[i].clone())
                    .unwrap_or_default()
            };
            let parsed = parse_row(&get).map_err(|e| format!("sheet {sheet}: {e}"));
            keep(parsed, u64::from(r) + 1, &mut out, &mut report);
        }
    }
    if themes == 0 {
        return Err(err(
            "no sheet has a \"Cost code\" column in the Unit Cost Database layout".into(),
        ));
    }
    Ok((out, report))
}
