//! A table's layout: which row is its header (named columns, or failing that a row of labels above
//! rows that read as payments), the columns it maps (by name, then by content), the required fields
//! checked all at once, and a different header part-way down that starts a new layout.

use std::collections::HashSet;

use crate::amount::parse_amount;
use crate::date::{DateCell, DateOrder, parse_date};
use crate::header::{Field, header_score, map_header, normalise_header};
use crate::source::RawRow;
use crate::{CheckOptions, SpendError};

use super::acc::Acc;
use super::content::find_by_content;
use super::table::{Table, learn};

/// The header among `rows`: the row naming the most fields, or (with no such row) a row of labels
/// whose next rows read as payments (an amount and a date each), for the columns to be found by
/// content. `None` when neither is there.
pub(super) fn find_header(rows: &[RawRow], opts: &CheckOptions) -> Option<usize> {
    let scores: Vec<(usize, usize)> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (header_score(r.cells(), &opts.overrides), i))
        .filter(|(s, _)| *s >= 2)
        .collect();
    // The first row naming the date, supplier and amount is the header (a later, fuller one starts a
    // second layout); else the row naming the most fields.
    let complete = scores.iter().find(|(s, i)| {
        *s >= 3 && {
            let (m, _) = map_header(rows[*i].cells(), &opts.overrides);
            [Field::Date, Field::SupplierName, Field::Amount]
                .iter()
                .all(|f| m.column(*f).is_some())
        }
    });
    if let Some((_, i)) = complete {
        return Some(*i);
    }
    let best = scores
        .into_iter()
        .max_by_key(|(s, i)| (*s, std::cmp::Reverse(*i)));
    if let Some((_, i)) = best {
        return Some(i);
    }
    (0..rows.len()).find(|&i| is_label_row(&rows[i]) && data_follows(&rows[i + 1..]))
}

fn is_date_cell(v: &str) -> bool {
    matches!(
        parse_date(v, DateOrder::DayFirst),
        Ok(DateCell::Date(_) | DateCell::MonthOnly(_))
    ) || matches!(parse_date(v, DateOrder::MonthFirst), Ok(DateCell::Date(_)))
}

/// Three or more labels, none a number or a date.
fn is_label_row(r: &RawRow) -> bool {
    let cells: Vec<&str> = r
        .cells()
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .collect();
    cells.len() >= 3
        && cells.iter().all(|c| {
            parse_amount(c).is_err() && !is_date_cell(c) && c.chars().any(char::is_alphabetic)
        })
}

/// The next non-blank rows (at least two of the first three) hold a written date and a money amount.
fn data_follows(rows: &[RawRow]) -> bool {
    let next: Vec<&RawRow> = rows.iter().filter(|r| !r.is_blank()).take(3).collect();
    let looks = |r: &&RawRow| {
        let c = r.cells();
        c.iter()
            .any(|v| is_date_cell(v.trim()) && v.contains(['/', '-', ' ']))
            && c.iter().any(|v| {
                let v = v.trim();
                !v.is_empty() && !is_date_cell(v) && parse_amount(v).is_ok()
            })
    };
    next.len() >= 2 && next.iter().filter(|r| looks(r)).count() >= 2
}

/// The headers of a row, quoted, for messages.
pub(super) fn headers_list(header: &[String]) -> String {
    header
        .iter()
        .filter(|h| !h.trim().is_empty())
        .map(|h| format!("{:?}", h.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Maps the header row, finds what the names leave out by content, checks the required fields (all
/// missing ones named in one error) and supplier summaries, and learns the table from `sample`.
pub(super) fn build_table(
    acc: &mut Acc<'_>,
    header_row: &RawRow,
    sample: &[RawRow],
    delim: Option<char>,
    sheet: Option<String>,
) -> Result<Table, SpendError> {
    let file = acc.file.clone();
    let header_line = header_row.line;
    let header: Vec<String> = header_row.cells().to_vec();
    let (mut mapping, missing) = map_header(&header, &acc.opts.overrides);
    if let Some((f, h)) = missing.first() {
        return Err(SpendError::MapNotFound {
            file,
            line: header_line,
            field: *f,
            header: h.clone(),
            headers: headers_list(&header),
        });
    }
    let norm: Vec<String> = header.iter().map(|h| normalise_header(h)).collect();
    let summary_header = norm.iter().find(|h| crate::header::is_summary_header(h));
    if let Some(h) = summary_header
        && mapping.column(Field::TransactionNumber).is_none()
    {
        return Err(SpendError::SupplierSummary {
            file,
            why: format!(
                "the header on line {header_line} has a {h:?} column and no transaction number"
            ),
        });
    }
    let need: Vec<Field> = [Field::Date, Field::SupplierName, Field::Amount]
        .into_iter()
        .filter(|f| mapping.column(*f).is_none())
        .collect();
    let still = if need.is_empty() {
        need
    } else {
        find_by_content(&mut mapping, &header, sample, &need)
    };
    if still.contains(&Field::Date)
        && let Some(sc) = mapping.column(Field::SupplierName)
    {
        let names: Vec<&str> = sample
            .iter()
            .map(|r| r.cell(sc).trim())
            .filter(|s| !s.is_empty())
            .collect();
        let distinct: HashSet<&str> = names.iter().copied().collect();
        if names.len() >= 3 && distinct.len() * 100 >= names.len() * 95 {
            return Err(SpendError::SupplierSummary {
                file,
                why: format!(
                    "there is no payment date column and each of the {} suppliers in the first {} rows appears once",
                    distinct.len(),
                    names.len()
                ),
            });
        }
    }
    if let Some(&first) = still.first() {
        let names: Vec<&str> = still.iter().map(|f| f.name()).collect();
        let fields = match names.as_slice() {
            [one] => one.to_string(),
            [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
            [] => String::new(),
        };
        return Err(SpendError::MissingField {
            file,
            line: header_line,
            field: first,
            fields,
            maps: names
                .iter()
                .map(|n| format!("--map {n}=\"Header\""))
                .collect::<Vec<_>>()
                .join(" "),
            headers: headers_list(&header),
        });
    }
    let (Some(date_col), Some(supplier_col), Some(amount_col)) = (
        mapping.column(Field::Date),
        mapping.column(Field::SupplierName),
        mapping.column(Field::Amount),
    ) else {
        return Err(SpendError::NoHeader {
            file,
            scanned: super::HEADER_SCAN,
        });
    };
    if acc.tables == 0 {
        acc.rep.header_row = header_line.saturating_sub(1);
        acc.rep.mapping = mapping.clone();
    } else if acc.rep.mapping.columns != mapping.columns {
        acc.rep.warnings.push(match &sheet {
            Some(s) => format!(
                "{s:?} has a different header (line {header_line}) from the first table; its own mapping was used"
            ),
            None => format!(
                "line {header_line} starts a different header from the first table; its own mapping was used"
            ),
        });
    }
    acc.tables += 1;
    let table = learn(
        mapping,
        header,
        norm,
        sample,
        delim,
        sheet,
        amount_col,
        date_col,
        supplier_col,
    );
    if acc.tables == 1 {
        acc.rep.date_order = table.order;
    }
    Ok(table)
}

/// A row part-way down that is a header for a different layout: its amount does not read, it names
/// the required fields (or the overrides' headers), and its columns differ from the current table's.
pub(super) fn is_new_header(t: &Table, row: &RawRow, opts: &CheckOptions) -> bool {
    let cells = row.cells();
    if parse_amount(row.cell(t.amount_col)).is_ok() || header_score(cells, &opts.overrides) < 3 {
        return false;
    }
    let (m, _) = map_header(cells, &opts.overrides);
    let required = [Field::Date, Field::SupplierName, Field::Amount];
    required.iter().all(|f| m.column(*f).is_some())
        && required
            .iter()
            .any(|f| m.column(*f) != t.mapping.column(*f))
}
