//! What a table's columns hold, learned from its first rows (date order, usual width, each column's
//! shape and vocabulary), and whether a row's cells could be a payment.

use std::collections::{HashMap, HashSet};

use crate::amount::parse_amount;
use crate::date::{DateCell, DateOrder, numeric_day_month, parse_date};
use crate::header::{Field, Mapping};
use crate::source::{RawRow, is_blank};

/// What a column holds, learned from the first rows; used only to choose between repairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    Any,
    Blank,
    Digits,
    Amount,
    Date,
    Code,
}

pub(super) struct Table {
    pub(super) mapping: Mapping,
    pub(super) header: Vec<String>,
    pub(super) header_norm: Vec<String>,
    /// Columns up to the last named header (or the usual data width when that is wider).
    pub(super) w_eff: usize,
    pub(super) header_len: usize,
    pub(super) order: DateOrder,
    /// First and last well-formed date of the sample.
    pub(super) period: Option<(time::Date, time::Date)>,
    pub(super) shapes: Vec<Shape>,
    pub(super) vocab: Vec<Option<HashSet<String>>>,
    /// The form nearly every value of a column takes (`999999` for six-digit IDs, `9.99` for amounts
    /// in pence), used to choose between ways of splitting a fused field.
    pub(super) forms: Vec<Option<String>>,
    /// Enough well-formed rows were seen to judge repairs; without them no row is repaired.
    pub(super) can_repair: bool,
    pub(super) delim: Option<char>,
    pub(super) sheet: Option<String>,
    pub(super) amount_col: usize,
    pub(super) date_col: usize,
    pub(super) supplier_col: usize,
    pub(super) vat_col: Option<usize>,
    pub(super) body_cols: [Option<usize>; 2],
    pub(super) txn_col: Option<usize>,
}

pub(super) fn cell(cells: &[String], i: usize) -> &str {
    cells.get(i).map_or("", |s| s.as_str())
}

pub(super) fn width(cells: &[String]) -> usize {
    cells
        .iter()
        .rposition(|c| !is_blank(c))
        .map_or(0, |p| p + 1)
}

#[allow(clippy::too_many_arguments)]
pub(super) fn learn(
    mapping: Mapping,
    header: Vec<String>,
    header_norm: Vec<String>,
    sample: &[RawRow],
    delim: Option<char>,
    sheet: Option<String>,
    amount_col: usize,
    date_col: usize,
    supplier_col: usize,
) -> Table {
    // Date order from the file's own dates.
    let (mut day_first, mut month_first) = (0u32, 0u32);
    for r in sample {
        if let Some((a, b)) = numeric_day_month(r.cell(date_col)) {
            if a > 12 {
                day_first += 1;
            }
            if b > 12 {
                month_first += 1;
            }
        }
    }
    let order = if month_first > 0 && day_first == 0 {
        DateOrder::MonthFirst
    } else {
        DateOrder::DayFirst
    };
    // The file's period, from its well-formed dates: a date with a separator missing is kept only
    // inside it.
    let mut period: Option<(time::Date, time::Date)> = None;
    for r in sample {
        if let Ok(DateCell::Date(d)) = parse_date(r.cell(date_col), order) {
            period = Some(period.map_or((d, d), |(a, b)| (a.min(d), b.max(d))));
        }
    }

    let header_w = width(&header);
    let mut widths: HashMap<usize, usize> = HashMap::new();
    for r in sample.iter().filter(|r| !r.is_blank()) {
        *widths.entry(width(r.cells())).or_default() += 1;
    }
    let non_blank = sample.iter().filter(|r| !r.is_blank()).count();
    let data_w = widths
        .iter()
        .max_by_key(|(w, n)| (**n, **w))
        .map_or(0, |(w, n)| if *n * 2 >= non_blank { *w } else { 0 });
    let w_eff = header_w.max(data_w);

    // Shapes are learned from rows of the usual raw length only, so fused or split rows don't teach them.
    let mut raw_lens: HashMap<usize, usize> = HashMap::new();
    for r in sample.iter().filter(|r| !r.is_blank()) {
        *raw_lens.entry(r.len).or_default() += 1;
    }
    let usual_len = raw_lens
        .iter()
        .max_by_key(|(l, n)| (**n, **l))
        .map_or(0, |(l, _)| *l);
    let clean: Vec<&RawRow> = sample
        .iter()
        .filter(|r| {
            !r.is_blank()
                && r.len == usual_len
                && width(r.cells()) <= w_eff
                && parse_amount(r.cell(amount_col)).is_ok()
        })
        .collect();
    let mut shapes = vec![Shape::Any; w_eff];
    let mut vocab: Vec<Option<HashSet<String>>> = vec![None; w_eff];
    let mut forms: Vec<Option<String>> = vec![None; w_eff];
    for (c, shape) in shapes.iter_mut().enumerate() {
        let vals: Vec<&str> = clean
            .iter()
            .map(|r| r.cell(c).trim())
            .filter(|v| !v.is_empty())
            .collect();
        *shape = if vals.is_empty() {
            if clean.len() >= 20 {
                Shape::Blank
            } else {
                Shape::Any
            }
        } else if vals.iter().all(|v| v.bytes().all(|b| b.is_ascii_digit())) {
            Shape::Digits
        } else if vals.iter().all(|v| parse_amount(v).is_ok()) {
            Shape::Amount
        } else if vals.iter().all(|v| {
            matches!(
                parse_date(v, order),
                Ok(DateCell::Date(_) | DateCell::Various)
            )
        }) {
            Shape::Date
        } else if vals
            .iter()
            .all(|v| v.len() <= 40 && !v.contains(char::is_whitespace))
        {
            Shape::Code
        } else {
            Shape::Any
        };
        if vals.len() >= 20 {
            let mut counts: HashMap<String, usize> = HashMap::new();
            for v in &vals {
                *counts.entry(form(v)).or_default() += 1;
            }
            if let Some((f, n)) = counts.into_iter().max_by_key(|(_, n)| *n)
                && n * 10 >= vals.len() * 9
            {
                forms[c] = Some(f);
            }
        }
        let distinct: HashSet<String> = vals.iter().map(|v| v.to_string()).collect();
        if !distinct.is_empty() && distinct.len() <= 300 && vals.len() >= 2 * distinct.len() {
            vocab[c] = Some(distinct);
        }
    }
    Table {
        vat_col: mapping.column(Field::IrrecoverableVat),
        body_cols: [mapping.column(Field::Body), mapping.column(Field::BodyName)],
        txn_col: mapping.column(Field::TransactionNumber),
        mapping,
        header_len: header.len(),
        header,
        header_norm,
        w_eff,
        order,
        period,
        can_repair: clean.len() >= 20,
        shapes,
        vocab,
        forms,
        delim,
        sheet,
        amount_col,
        date_col,
        supplier_col,
    }
}

/// A value's form: each digit `9`, each run of letters `a`, other characters as they are
/// (`"123456"` → `999999`, `"-1,234.56"` → `-9,999.99`, `"ACME LTD"` → `a a`).
pub(super) fn form(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        if c.is_ascii_digit() {
            out.push('9');
        } else if c.is_alphabetic() {
            if !out.ends_with('a') {
                out.push('a');
            }
        } else {
            out.push(c);
        }
    }
    out
}

impl Table {
    /// 1 when `v` takes the form nearly every value of column `col` takes, else 0.
    pub(super) fn form_score(&self, col: usize, v: &str) -> i32 {
        match self.forms.get(col) {
            Some(Some(f)) => i32::from(form(v.trim()) == *f),
            _ => 0,
        }
    }

    /// Could these cells be a payment row? `Some(score)` (higher = more values seen before in their
    /// column) or `None`.
    pub(super) fn plausible(&self, cells: &[String]) -> Option<i32> {
        // The amount and date columns must read even when the row is too short to reach them.
        let mut score = 0;
        for col in 0..cells.len().max(self.amount_col + 1).max(self.date_col + 1) {
            score += self.cell_score(col, cells.get(col).map_or("", |s| s.as_str()))?;
        }
        Some(score)
    }

    /// One cell read at a column: `None` if it cannot be there, else its vocabulary score.
    pub(super) fn cell_score(&self, col: usize, v: &str) -> Option<i32> {
        let v = v.trim();
        if col == self.amount_col {
            parse_amount(v).ok()?;
        }
        if col == self.date_col {
            parse_date(v, self.order).ok()?;
        }
        if v.is_empty() {
            return Some(0);
        }
        let ok = match *self.shapes.get(col)? {
            Shape::Any => true,
            Shape::Blank => false,
            Shape::Digits => v.bytes().all(|b| b.is_ascii_digit()),
            Shape::Amount => parse_amount(v).is_ok(),
            Shape::Date => parse_date(v, self.order).is_ok(),
            Shape::Code => v.len() <= 40 && !v.contains(char::is_whitespace),
        };
        if !ok {
            return None;
        }
        Some(if self.vocab[col].as_ref().is_some_and(|s| s.contains(v)) {
            2
        } else {
            0
        })
    }

    pub(super) fn as_is_ok(&self, cells: &[String]) -> bool {
        let a = cell(cells, self.amount_col);
        !is_blank(a)
            && parse_amount(a).is_ok()
            && parse_date(cell(cells, self.date_col), self.order).is_ok()
    }

    pub(super) fn header_name(&self, i: usize) -> &str {
        self.header.get(i).map_or("", |h| h.trim())
    }
}
