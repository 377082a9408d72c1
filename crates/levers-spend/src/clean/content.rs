//! Columns found by what they hold when no header names them: a date column by its values, an amount
//! column by its numbers, a supplier column by its text. Each choice says why, for the report.

use std::collections::HashSet;

use crate::amount::parse_amount;
use crate::date::{DateCell, DateOrder, parse_date};
use crate::header::{Field, MappedColumn, Mapping};
use crate::source::{RawRow, is_blank};

/// Rows looked at.
const LOOK: usize = 500;
/// Share of a column's values that must read as the field.
const MIN_SHARE: f64 = 0.9;

/// The non-blank values of column `c` in the first rows.
fn values(sample: &[RawRow], c: usize) -> Vec<&str> {
    sample
        .iter()
        .filter(|r| !r.is_blank())
        .take(LOOK)
        .map(|r| r.cell(c).trim())
        .filter(|v| !is_blank(v))
        .collect()
}

fn is_date(v: &str) -> bool {
    // Either order: the file's order is not known until its date column is.
    [DateOrder::DayFirst, DateOrder::MonthFirst]
        .iter()
        .any(|o| {
            matches!(
                parse_date(v, *o),
                Ok(DateCell::Date(_) | DateCell::MonthOnly(_))
            )
        })
}

fn date_score(vals: &[&str]) -> Option<(f64, usize)> {
    let ok = vals.iter().filter(|v| is_date(v)).count();
    if vals.len() < 2 || (ok as f64) < MIN_SHARE * vals.len() as f64 {
        return None;
    }
    // Plain numbers read as dates only as spreadsheet day numbers; a column with separators or month
    // names is surer.
    let written = vals
        .iter()
        .filter(|v| v.contains(['/', '-', ' ']) || v.chars().any(char::is_alphabetic))
        .count();
    Some((
        ok as f64 / vals.len() as f64 + written as f64 / vals.len() as f64,
        ok,
    ))
}

fn amount_score(vals: &[&str]) -> Option<(f64, usize)> {
    let ok = vals.iter().filter(|v| parse_amount(v).is_ok()).count();
    if vals.len() < 2 || (ok as f64) < MIN_SHARE * vals.len() as f64 {
        return None;
    }
    if vals.iter().filter(|v| is_date(v)).count() * 2 > vals.len() {
        return None;
    }
    // Identifiers: whole numbers all of one length of five digits or more.
    let lens: HashSet<usize> = vals.iter().map(|v| v.len()).collect();
    let whole = vals.iter().all(|v| v.bytes().all(|b| b.is_ascii_digit()));
    if whole && lens.len() == 1 && lens.iter().all(|l| *l >= 5) {
        return None;
    }
    let pence = vals
        .iter()
        .filter(|v| v.rsplit_once('.').is_some_and(|(_, d)| d.len() == 2))
        .count();
    let distinct: HashSet<&&str> = vals.iter().collect();
    Some((
        ok as f64 / vals.len() as f64
            + pence as f64 / vals.len() as f64
            + 0.5 * distinct.len() as f64 / vals.len() as f64,
        ok,
    ))
}

const ORG_WORDS: [&str; 12] = [
    "ltd", "limited", "plc", "llp", "council", "trust", "cic", "services", "ltd.", "group", "co",
    "&",
];

fn supplier_score(vals: &[&str]) -> Option<(f64, usize)> {
    let texty = vals
        .iter()
        .filter(|v| v.chars().filter(|c| c.is_alphabetic()).count() >= 2)
        .filter(|v| parse_amount(v).is_err() && !is_date(v))
        .count();
    if vals.len() < 2 || (texty as f64) < MIN_SHARE * vals.len() as f64 {
        return None;
    }
    let orgs = vals
        .iter()
        .filter(|v| {
            v.to_lowercase()
                .split(|c: char| c.is_whitespace() || c == ',')
                .any(|w| ORG_WORDS.contains(&w))
        })
        .count();
    let avg = vals.iter().map(|v| v.chars().count()).sum::<usize>() as f64 / vals.len() as f64;
    let distinct: HashSet<&&str> = vals.iter().collect();
    let spread = distinct.len() as f64 / vals.len() as f64;
    // Suppliers repeat a little and vary a lot; a category column repeats a lot, a description is long.
    let mut score = 2.0 * orgs as f64 / vals.len() as f64 + spread.min(0.8);
    if avg > 60.0 {
        score -= 1.0;
    }
    if distinct.len() < 2 && vals.len() > 2 {
        return None;
    }
    Some((score, texty))
}

/// Finds each of `need` (date, amount, supplier name) among the columns `mapping` leaves free, adds
/// it to the mapping with `how = "content"` and the reason, and returns the fields still not found.
pub(super) fn find_by_content(
    mapping: &mut Mapping,
    header: &[String],
    sample: &[RawRow],
    need: &[Field],
) -> Vec<Field> {
    let width = sample
        .iter()
        .take(LOOK)
        .map(|r| r.len)
        .max()
        .unwrap_or(0)
        .max(header.len());
    let mut missing = Vec::new();
    for &f in need {
        let taken: HashSet<usize> = mapping.columns.iter().map(|c| c.column).collect();
        let scorer: fn(&[&str]) -> Option<(f64, usize)> = match f {
            Field::Date => date_score,
            Field::Amount => amount_score,
            _ => supplier_score,
        };
        let best = (0..width)
            .filter(|c| !taken.contains(c))
            .filter_map(|c| {
                let vals = values(sample, c);
                scorer(&vals)
                    .map(|(s, ok)| (s, c, ok, vals.len(), vals.first().map(|v| v.to_string())))
            })
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        let Some((_, c, ok, n, example)) = best else {
            missing.push(f);
            continue;
        };
        let what = match f {
            Field::Date => "read as dates",
            Field::Amount => "read as amounts of money",
            _ => "are names (text, not numbers or dates)",
        };
        let why = format!(
            "no header names it; {ok} of the first {n} values {what}, e.g. {:?}",
            example.unwrap_or_default()
        );
        let h = header.get(c).map_or("", |h| h.as_str());
        mapping.unmapped.retain(|u| u != h);
        mapping.by_field[f.index()] = Some(c);
        mapping.columns.push(MappedColumn {
            field: f,
            column: c,
            header: h.to_string(),
            how: "content",
            why: Some(why),
        });
        mapping.columns.sort_by_key(|c| c.column);
    }
    missing
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(lines: &[&[&str]]) -> Vec<RawRow> {
        lines
            .iter()
            .enumerate()
            .map(|(i, l)| RawRow {
                line: i as u64 + 2,
                lines: 1,
                cells: l.iter().map(|s| s.to_string()).collect(),
                len: l.len(),
                sheet: None,
            })
            .collect()
    }

    #[test]
    fn date_amount_and_supplier_found_by_what_they_hold() {
        let header: Vec<String> = ["Ref", "Posted", "Payee", "Cost", "Area"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let sample = rows(&[
            &["100234", "01/04/2024", "ACME LTD", "1,234.56", "Adults"],
            &["100235", "02/04/2024", "Bolton Trust", "500.00", "Adults"],
            &["100236", "15/04/2024", "J Smith & Co", "-20.10", "Children"],
            &["100237", "30/04/2024", "ACME LTD", "99.99", "Adults"],
        ]);
        let mut m = Mapping::default();
        let missing = find_by_content(
            &mut m,
            &header,
            &sample,
            &[Field::Date, Field::Amount, Field::SupplierName],
        );
        assert!(missing.is_empty(), "{missing:?}");
        assert_eq!(m.column(Field::Date), Some(1));
        assert_eq!(m.column(Field::Amount), Some(3));
        assert_eq!(m.column(Field::SupplierName), Some(2));
        assert!(
            m.columns
                .iter()
                .all(|c| c.how == "content" && c.why.is_some())
        );
    }
}
