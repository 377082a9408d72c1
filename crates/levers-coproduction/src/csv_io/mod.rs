//! The register as CSV: one row per involvement, the activity's columns repeated on each (an activity
//! with no involvement yet has one row with the stage blank). Reading reconciles every row (read =
//! kept + rejected + blank), names the line and column of every problem, and holds back an activity
//! whose rows are not all good, so an import never replaces a good record with part of one.
//!
//! Text that a spreadsheet would run as a formula (starting `=`, `+`, `-` or `@`) is written with a
//! leading `'`, which reading removes again, so exported files are safe to open and round-trip exactly.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

mod row;
mod text;
mod write;

use levers_core::lines::LineOf;
use row::Row;
use text::decode;
pub use write::write_register;

use crate::register::RegisterEntry;

/// The columns, in the order export writes them, with the other headers each is recognised by
/// (compared in lower case with everything but letters and digits removed).
pub const COLUMNS: &[(&str, &[&str])] = &[
    ("reference", &["ref", "activityreference", "activityref"]),
    ("service", &["servicename"]),
    ("directorate", &["department"]),
    (
        "annual_value",
        &["estimatedannualvalue", "value", "annualvaluegbp"],
    ),
    ("value_band", &["band"]),
    ("current_stage", &[]),
    (
        "procurement_ref",
        &["procurementreference", "contractreference", "contractref"],
    ),
    ("objectives", &["strategyobjectives", "linkedobjectives"]),
    ("started_on", &["startdate"]),
    ("stage", &["involvementstage"]),
    ("rung", &["ladderrung"]),
    ("lead", &["ledby"]),
    ("held_on", &["involvementdate"]),
    ("methods", &["method"]),
    ("groups", &["participantgroups"]),
    ("lived_experience", &["livedexperienceofpoverty"]),
    ("headcount", &["people"]),
    ("hours", &["participanthours"]),
    ("decisions", &["decisionsinfluenced"]),
    ("you_said_we_did", &[]),
];

/// Columns a file must have.
pub const REQUIRED: &[&str] = &[
    "reference",
    "service",
    "directorate",
    "annual_value",
    "current_stage",
    "started_on",
];

/// A file that cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegisterCsvError {
    #[error(
        "{file}: the file is empty: export the register from levers for the layout, or see the README"
    )]
    Empty { file: String },
    #[error("{file}, line 1: the header lacks the column(s) {}: a register file needs {}", .missing.join(", "), REQUIRED.join(", "))]
    MissingColumns {
        file: String,
        missing: Vec<&'static str>,
    },
    #[error("{file}, line 1: the column \"{column}\" appears twice: remove one")]
    DuplicateColumn { file: String, column: &'static str },
    #[error("{file}, line {line}: {message}")]
    Csv {
        file: String,
        line: u64,
        message: String,
    },
}

/// A row levers could not use, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    pub line: u64,
    pub field: String,
    pub value: String,
    pub message: String,
}

/// Every row accounted for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reconciliation {
    /// Data rows after the header.
    pub rows_read: u64,
    pub rows_kept: u64,
    pub rows_rejected: u64,
    pub rows_blank: u64,
}

impl Reconciliation {
    pub fn reconciles(&self) -> bool {
        self.rows_read == self.rows_kept + self.rows_rejected + self.rows_blank
    }
}

/// What reading a register file found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegisterFile {
    pub file: String,
    /// Activities to import, in the order first seen, each with all its involvements in the file.
    pub entries: Vec<RegisterEntry>,
    pub reconciliation: Reconciliation,
    /// Rows rejected: one entry per problem (a row may have several), ordered by line.
    pub errors: Vec<RowError>,
    /// Activities held back because one of their rows was rejected.
    pub held_back: Vec<String>,
    /// Headers not recognised (ignored), and how the bytes were decoded when not UTF-8.
    pub warnings: Vec<String>,
}

impl RegisterFile {
    /// What reading found, without the entries: kept with an import so its result can be shown
    /// again.
    pub fn report(&self) -> RegisterReport {
        RegisterReport {
            file: self.file.clone(),
            reconciliation: self.reconciliation,
            errors: self.errors.clone(),
            held_back: self.held_back.clone(),
            warnings: self.warnings.clone(),
        }
    }
}

/// A register file's report: [`RegisterFile`] without its entries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterReport {
    pub file: String,
    pub reconciliation: Reconciliation,
    pub errors: Vec<RowError>,
    pub held_back: Vec<String>,
    pub warnings: Vec<String>,
}

fn norm(h: &str) -> String {
    h.chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase()
}

fn column_of(header: &str) -> Option<&'static str> {
    let n = norm(header);
    COLUMNS
        .iter()
        .find(|(c, aliases)| norm(c) == n || aliases.contains(&n.as_str()))
        .map(|(c, _)| *c)
}

/// Reads a register file. `file` names it in messages.
pub fn read_register(file: &str, bytes: &[u8]) -> Result<RegisterFile, RegisterCsvError> {
    let mut warnings = Vec::new();
    let text = decode(bytes, &mut warnings);
    if text.trim().is_empty() {
        return Err(RegisterCsvError::Empty {
            file: file.to_string(),
        });
    }
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut lines = LineOf::new(text.as_bytes());
    let mut records = rdr.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => {
            return Err(RegisterCsvError::Csv {
                file: file.into(),
                line: 1,
                message: e.to_string(),
            });
        }
        None => {
            return Err(RegisterCsvError::Empty {
                file: file.to_string(),
            });
        }
    };
    let mut index: HashMap<&'static str, usize> = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        match column_of(h) {
            Some(c) if index.contains_key(c) => {
                return Err(RegisterCsvError::DuplicateColumn {
                    file: file.into(),
                    column: c,
                });
            }
            Some(c) => {
                index.insert(c, i);
            }
            None if h.trim().is_empty() => {}
            None => warnings.push(format!(
                "the column \"{}\" is not a register column and was ignored",
                h.trim()
            )),
        }
    }
    let missing: Vec<&'static str> = REQUIRED
        .iter()
        .copied()
        .filter(|c| !index.contains_key(c))
        .collect();
    if !missing.is_empty() {
        return Err(RegisterCsvError::MissingColumns {
            file: file.into(),
            missing,
        });
    }

    let mut rec = Reconciliation::default();
    let mut errors: Vec<RowError> = Vec::new();
    // Per reference: the entry, the line that defined the activity, and the kept lines.
    let mut order: Vec<String> = Vec::new();
    let mut found: HashMap<String, (RegisterEntry, u64, Vec<u64>)> = HashMap::new();
    let mut rejected_lines: HashMap<String, Vec<u64>> = HashMap::new();
    for r in records {
        let r = match r {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.line_at(p.byte()));
                return Err(RegisterCsvError::Csv {
                    file: file.into(),
                    line,
                    message: format!("{e}: check the quoting of this row"),
                });
            }
        };
        let line = r.position().map_or(0, |p| lines.line_at(p.byte()));
        rec.rows_read += 1;
        if r.iter().all(|c| c.trim().is_empty()) {
            rec.rows_blank += 1;
            continue;
        }
        let mut row = Row::new(&index, &r, line);
        let activity = row.activity();
        let reference = activity.reference.clone();
        let involvement = row.involvement();
        // The same activity on several rows must agree.
        if row.errors.is_empty()
            && let Some((prev, first_line, _)) = found.get(&reference)
            && let Some(field) = Row::differs(&prev.activity, &activity)
        {
            let value = row.get(field);
            row.err(field, value, format!("differs from line {first_line} for the same reference {reference}: an activity's columns must be the same on all its rows"));
        }
        let row_errors = row.errors;
        if row_errors.is_empty() {
            rec.rows_kept += 1;
            let slot = found.entry(reference.clone()).or_insert_with(|| {
                order.push(reference.clone());
                (
                    RegisterEntry {
                        activity,
                        involvements: Vec::new(),
                    },
                    line,
                    Vec::new(),
                )
            });
            slot.2.push(line);
            if let Some(inv) = involvement {
                slot.0.involvements.push(inv);
            }
        } else {
            rec.rows_rejected += 1;
            rejected_lines.entry(reference).or_default().push(line);
            errors.extend(row_errors);
        }
    }
    // Hold back activities with any rejected row: importing the rest would replace a whole record with
    // part of it.
    let mut entries = Vec::new();
    let mut held_back = Vec::new();
    for reference in order {
        let Some((entry, _, lines)) = found.remove(&reference) else {
            continue;
        };
        match rejected_lines.get(&reference) {
            Some(bad) => {
                for l in &lines {
                    errors.push(RowError {
                        line: *l,
                        field: "reference".into(),
                        value: reference.clone(),
                        message: format!("not imported because line {} of the same activity was rejected: correct it and import the file again", bad[0]),
                    });
                }
                rec.rows_kept -= lines.len() as u64;
                rec.rows_rejected += lines.len() as u64;
                held_back.push(reference);
            }
            None => entries.push(entry),
        }
    }
    errors.sort_by_key(|e| e.line);
    Ok(RegisterFile {
        file: file.to_string(),
        entries,
        reconciliation: rec,
        errors,
        held_back,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use levers_core::Money;

    const GOOD: &str = "Reference,Service,Directorate,Annual value,Current stage,Started on,Stage,Rung,Lead,Held on,Lived experience,Headcount,Hours,Notes\n\
ASC-1,Home care,Adults,\"£1,200,000\",do,01/04/2024,analyse,co-design,council,2024-05-01,yes,12,36,x\n\
ASC-1,Home care,Adults,1200000,do,2024-04-01,do,consultation,provider,2024-09-01,no,40,40,\n\
,,,,,,,,,,,,,\n\
CH-2,Youth clubs,Children's,25000,plan,2024-06-01,,,,,,,,\n";

    #[test]
    fn a_good_file_reconciles_and_groups_rows() {
        let f = read_register("reg.csv", GOOD.as_bytes()).unwrap();
        assert_eq!(
            f.reconciliation,
            Reconciliation {
                rows_read: 4,
                rows_kept: 3,
                rows_rejected: 0,
                rows_blank: 1
            }
        );
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(f.entries.len(), 2);
        assert_eq!(f.entries[0].involvements.len(), 2);
        assert_eq!(
            f.entries[0].activity.annual_value,
            Money::from_pounds(1_200_000).unwrap()
        );
        assert!(f.entries[1].involvements.is_empty());
        assert_eq!(
            f.warnings,
            vec!["the column \"Notes\" is not a register column and was ignored".to_string()]
        );
    }

    #[test]
    fn errors_name_line_and_field_and_hold_back_the_activity() {
        let text = "reference,service,directorate,annual_value,current_stage,started_on,stage,rung,lead,held_on\n\
A-1,Meals,Adults,100,do,2024-04-01,plan,co-design,council,2024-05-01\n\
A-1,Meals,Adults,100,do,2024-04-01,plan,tokenism,council,2024-05-01\n\
B-2,Parks,Place,ten pounds,do,2024-04-01,,,,\n\
C-3,Libraries,Place,100,do,2024-04-01,,,,\n\
C-3,Libraries,People,100,do,2024-04-01,,,,\n\
D-4,Markets,Place,100,do,2024-04-01,,,,\n";
        let f = read_register("r.csv", text.as_bytes()).unwrap();
        assert!(f.reconciliation.reconciles());
        assert_eq!(
            f.reconciliation.rows_kept, 1,
            "only D-4 survives; {:?}",
            f.errors
        );
        let found: Vec<(u64, &str)> = f
            .errors
            .iter()
            .map(|e| (e.line, e.field.as_str()))
            .collect();
        assert_eq!(
            found,
            vec![
                (2, "reference"),
                (3, "rung"),
                (4, "annual_value"),
                (5, "reference"),
                (6, "directorate")
            ]
        );
        assert!(f.errors[0].message.contains("line 3"));
        assert_eq!(f.held_back, vec!["A-1".to_string(), "C-3".to_string()]);
        assert_eq!(f.entries.len(), 1);
        assert_eq!(f.entries[0].activity.reference, "D-4");
    }

    /// Lines are the ones an editor shows, whatever the line ends: Windows CRLF (as Excel and levers'
    /// own export write), Unix LF, old Mac CR, with an empty line and a quoted field spanning two lines.
    #[test]
    fn line_numbers_are_right_for_every_line_ending() {
        for end in ["\n", "\r\n", "\r"] {
            let text = [
                "reference,service,directorate,annual_value,current_stage,started_on,stage,rung,lead,held_on",
                "A-1,Meals,Adults,100,do,2024-04-01,plan,co-design,council,2024-05-01",
                "",
                "B-2,\"Parks and",
                "gardens\",Place,100,do,2024-04-01,,,,",
                "C-3,Libraries,Place,ten pounds,do,2024-04-01,,,,",
                "D-4,Markets,Place,100,do,2024-04-01,plan,tokenism,council,2024-05-01",
            ]
            .join(end);
            let f = read_register("r.csv", text.as_bytes()).unwrap();
            let found: Vec<(u64, &str)> = f
                .errors
                .iter()
                .map(|e| (e.line, e.field.as_str()))
                .collect();
            assert_eq!(
                found,
                vec![(6, "annual_value"), (7, "rung")],
                "line end {end:?}"
            );
            assert_eq!(f.entries.len(), 2, "line end {end:?}");
        }
    }

    #[test]
    fn files_without_the_required_columns_are_refused() {
        let e = read_register("x.csv", b"reference,service\nA,B\n").unwrap_err();
        assert_eq!(e.to_string().split(':').next(), Some("x.csv, line 1"));
        assert!(
            matches!(e, RegisterCsvError::MissingColumns { ref missing, .. } if missing == &["directorate", "annual_value", "current_stage", "started_on"])
        );
        assert!(matches!(
            read_register("x.csv", b"  \n"),
            Err(RegisterCsvError::Empty { .. })
        ));
        assert!(matches!(
            read_register("x.csv", b"reference,ref\n"),
            Err(RegisterCsvError::DuplicateColumn {
                column: "reference",
                ..
            })
        ));
    }

    #[test]
    fn export_round_trips_and_guards_formulas() {
        let f = read_register("reg.csv", GOOD.as_bytes()).unwrap();
        let mut entries = f.entries.clone();
        entries[1].activity.service = "=HYPERLINK(\"x\")".into();
        entries[1].activity.objectives =
            vec!["Reduce child poverty".into(), "-10% rough sleeping".into()];
        let text = write_register(&entries);
        assert!(text.contains("'=HYPERLINK"));
        let back = read_register("out.csv", text.as_bytes()).unwrap();
        assert!(back.errors.is_empty(), "{:?}", back.errors);
        assert_eq!(back.entries, entries);
    }

    #[test]
    fn windows_1252_files_are_read() {
        let bytes = b"reference,service,directorate,annual_value,current_stage,started_on\nA,Caf\xe9 \x96 meals,Adults,\xa3100,do,2024-04-01\n";
        let f = read_register("w.csv", bytes).unwrap();
        assert_eq!(f.entries[0].activity.service, "Café – meals");
        assert_eq!(
            f.entries[0].activity.annual_value,
            Money::from_pence(10_000)
        );
        assert_eq!(f.warnings.len(), 1);
    }
}
