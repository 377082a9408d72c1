//! One row of a table: blank, repeated header, total, footer, rejected or kept; a kept row's amount,
//! date, VAT and supplier read, its statistics counted and its identity worked out.

use crate::amount::{parse_amount, parse_amount_rounding};
use crate::date::{DateCell, parse_date};
use crate::header::{Field, normalise_header};
use crate::report::{RepairedRow, RowFlag, TransactionView};
use crate::source::{RawRow, is_blank};

use super::Callback;
use super::acc::{Acc, Ambiguous, Fnv, PendingTotal};
use super::repair::{try_merge, try_split};
use super::table::{Table, cell, width};

/// "Total", "Grand Total", "Sub-total", "Total for April" — not "Total Gas & Power Ltd".
fn total_label(s: &str) -> Option<String> {
    let n = normalise_header(s);
    let words: Vec<&str> = n.split(' ').collect();
    let first_two = (
        words.first().copied().unwrap_or(""),
        words.get(1).copied().unwrap_or(""),
    );
    let is_total = matches!(
        first_two,
        ("total" | "totals" | "subtotal" | "subtotals", "")
            | (
                "grand" | "sub" | "report" | "overall" | "net" | "file" | "period" | "monthly",
                "total" | "totals"
            )
            | (
                "total",
                "for" | "spend" | "expenditure" | "payments" | "amount" | "value" | "paid" | "of"
            )
            | ("sum", "" | "of")
    );
    is_total.then(|| s.trim().to_string())
}

/// Supplier labels that hide the name: "REDACTED UNDER DP ACT", "Redacted Personal Information", "Withheld".
pub(crate) fn is_redacted(s: &str) -> bool {
    let l = s.to_lowercase();
    // "Redacted", "REDACTION", not "Redactive Publishing Ltd".
    if l.split(|c: char| !c.is_alphabetic())
        .any(|w| w.starts_with("redact") && !w.starts_with("redactive"))
    {
        return true;
    }
    const PARTS: [&str; 13] = [
        "withheld",
        "withhold",
        "personal data",
        "personal information",
        "personal details",
        "data protection",
        "dp act",
        "gdpr",
        "not disclosed",
        "non disclos",
        "undisclosed",
        "name removed",
        "details removed",
    ];
    if PARTS.iter().any(|p| l.contains(p)) {
        return true;
    }
    let t = l.trim();
    matches!(
        t,
        "individual"
            | "private individual"
            | "private"
            | "confidential"
            | "personal"
            | "anonymised"
            | "anonymous"
            | "sensitive"
    ) || (t.len() >= 3 && t.chars().all(|c| c == '*' || c == 'x'))
}

pub(super) fn handle_row(acc: &mut Acc<'_>, t: &Table, row: &RawRow, on_tx: &mut Callback<'_>) {
    handle_row_with(acc, t, row, None, on_tx);
}

/// As [`handle_row`], with the repair already chosen when `forced` is given.
pub(super) fn handle_row_with(
    acc: &mut Acc<'_>,
    t: &Table,
    row: &RawRow,
    forced: Option<(Vec<String>, String)>,
    on_tx: &mut Callback<'_>,
) {
    let raw = row.cells();
    if row.is_blank() {
        acc.rep.reconciliation.blank_rows += 1;
        return;
    }
    // A header repeated in the body (concatenated exports). Only looked for when the amount does not read.
    let raw_amount = parse_amount_rounding(cell(raw, t.amount_col));
    if raw_amount.is_err() {
        let mapped_same = t
            .mapping
            .columns
            .iter()
            .filter(|c| normalise_header(cell(raw, c.column)) == t.header_norm[c.column])
            .count();
        if mapped_same * 2 > t.mapping.columns.len() && mapped_same >= 2 {
            acc.note(row.line, "repeated header".into());
            return;
        }
    }

    let n = width(raw);
    let forced_some = forced.is_some();
    let mut repaired: Option<(Vec<String>, String)> = forced;
    let under_unnamed = n > t.w_eff && n <= t.header_len && {
        let trimmed = &raw[..t.w_eff.min(raw.len())];
        t.as_is_ok(trimmed) && (!t.can_repair || t.plausible(trimmed).is_some())
    };
    if forced_some {
        // Chosen already (by the file's grand total).
    } else if under_unnamed {
        // Extra cells under header columns that have no name: not a broken row; those cells are not read.
        if !acc.unnamed_warned {
            acc.unnamed_warned = true;
            acc.rep.warnings.push(format!(
                "rows have values under header columns with no name (first on line {}): the rows were kept and those cells not read",
                row.line
            ));
        }
    } else if n > t.w_eff {
        if acc.repair_budget == 0 || !t.can_repair {
            acc.reject(
                row,
                &t.sheet,
                None,
                None,
                format!("the row has {n} fields where the header has {}", t.w_eff),
            );
            return;
        }
        acc.repair_budget -= 1;
        match try_merge(t, raw, n) {
            Ok(r) => repaired = Some(r),
            Err((ways, reason)) => {
                let trimmed: Vec<String> = raw[..t.w_eff.min(raw.len())].to_vec();
                if ways > 0 || !t.as_is_ok(&trimmed) || t.plausible(&trimmed).is_none() {
                    acc.reject(row, &t.sheet, None, None, reason);
                    return;
                }
                // The mapped columns read well; the extra cells are a stray unnamed column.
            }
        }
    } else if raw.len() < t.header_len
        && t.can_repair
        && acc.repair_budget > 0
        && (!t.as_is_ok(raw) || t.plausible(raw).is_none())
    {
        acc.repair_budget -= 1;
        match try_split(t, raw) {
            Ok(r) => repaired = Some(r),
            // Short, but its amount and date read: keep it as it is (some exports drop trailing empties).
            Err(_) if t.as_is_ok(raw) => {}
            Err(fail) => {
                let detail = field_problem(t, raw)
                    .map(|(_, m)| format!("; {m}"))
                    .unwrap_or_default();
                let reason = format!("{}{detail}", fail.reason);
                // Splits that tie but give different amounts wait for the file's grand total.
                let amounts: std::collections::HashSet<Option<i64>> = fail
                    .tied
                    .iter()
                    .map(|(c, _)| {
                        parse_amount_rounding(cell(c, t.amount_col))
                            .ok()
                            .map(|(m, _)| m.pence())
                    })
                    .collect();
                if amounts.len() > 1
                    && amounts.iter().all(Option::is_some)
                    && acc.ambiguous.len() < MAX_AMBIGUOUS
                {
                    acc.ambiguous.push(Ambiguous {
                        row: row.to_owned_row(),
                        tied: fail.tied,
                        reason,
                    });
                    return;
                }
                acc.reject(row, &t.sheet, None, None, reason);
                return;
            }
        }
    }
    let cells: &[String] = repaired.as_ref().map_or(raw, |r| r.0.as_slice());

    let amt_text = cell(cells, t.amount_col);
    let amt_parsed = if repaired.is_some() {
        parse_amount_rounding(amt_text)
    } else {
        raw_amount
    };
    let date_text = cell(cells, t.date_col);
    let date_parsed = parse_date(date_text, t.order);
    let date_is_date = matches!(
        date_parsed,
        Ok(DateCell::Date(_) | DateCell::MonthOnly(_) | DateCell::Repaired(_))
    );
    // Total rows carry no date, so labels are only looked for when there is none.
    let label = if date_is_date {
        None
    } else {
        cells
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != t.amount_col)
            .find_map(|(_, c)| total_label(c))
    };
    let only_amount = !is_blank(amt_text)
        && cells
            .iter()
            .enumerate()
            .all(|(i, c)| i == t.amount_col || is_blank(c));
    if (label.is_some() && !date_is_date) || only_amount {
        match &amt_parsed {
            Ok((m, _)) => {
                acc.rep.reconciliation.total_rows += 1;
                acc.totals.push(PendingTotal {
                    line: row.line,
                    label: label.unwrap_or_default(),
                    stated: i128::from(m.pence()),
                    all: acc.sum_all,
                    section: acc.sum_section,
                    kept_before: acc.rep.reconciliation.kept,
                });
                acc.sum_section = 0;
                return;
            }
            Err(_) if label.is_some() => {
                acc.note(
                    row.line,
                    cells
                        .iter()
                        .filter(|c| !is_blank(c))
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(" | "),
                );
                return;
            }
            Err(_) => {}
        }
    }

    let mut flags: Vec<RowFlag> = Vec::new();
    let amount = match amt_parsed {
        Ok((m, rounded)) => {
            if rounded {
                flags.push(RowFlag::RoundedToPenny);
                acc.flag(
                    row.line,
                    RowFlag::RoundedToPenny,
                    format!(
                        "amount {:?} has fractions of a penny: counted as {m}",
                        amt_text.trim()
                    ),
                );
            }
            m
        }
        Err(e) => {
            let non_blank = cells.iter().filter(|c| !is_blank(c)).count();
            let footer = !date_is_date
                && (non_blank == 1 || (non_blank == 2 && is_blank(cell(cells, t.supplier_col))));
            if footer {
                acc.note(
                    row.line,
                    cells
                        .iter()
                        .filter(|c| !is_blank(c))
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(" | "),
                );
                return;
            }
            let reason = format!("amount (column {:?}): {e}", t.header_name(t.amount_col));
            acc.reject(row, &t.sheet, Some(Field::Amount), Some(amt_text), reason);
            return;
        }
    };
    let date = match date_parsed {
        Ok(DateCell::Date(d)) => Some(d),
        Ok(DateCell::Various) => {
            flags.push(RowFlag::VariousDate);
            acc.flag(
                row.line,
                RowFlag::VariousDate,
                format!(
                    "date {:?}: an aggregated payment, kept without a date",
                    date_text.trim()
                ),
            );
            None
        }
        Ok(DateCell::TimeOnly) => {
            flags.push(RowFlag::TimeOnlyDate);
            acc.flag(
                row.line,
                RowFlag::TimeOnlyDate,
                format!(
                    "date {:?} is only a time of day: kept without a date",
                    date_text.trim()
                ),
            );
            None
        }
        Ok(DateCell::MonthOnly(d)) => {
            flags.push(RowFlag::MonthOnlyDate);
            acc.flag(
                row.line,
                RowFlag::MonthOnlyDate,
                format!(
                    "date {:?} gives only the month: kept as {}",
                    date_text.trim(),
                    crate::report::iso(d)
                ),
            );
            Some(d)
        }
        Ok(DateCell::Repaired(d)) => {
            if let Some((first, last)) = t.period
                && (d < first - time::Duration::days(62) || d > last + time::Duration::days(62))
            {
                let reason = format!(
                    "date (column {:?}): {:?} has a separator missing and would be {}, outside the file's period {} to {}: correct it in the file",
                    t.header_name(t.date_col),
                    date_text.trim(),
                    crate::report::iso(d),
                    crate::report::iso(first),
                    crate::report::iso(last)
                );
                acc.reject(row, &t.sheet, Some(Field::Date), Some(date_text), reason);
                return;
            }
            flags.push(RowFlag::RepairedDate);
            acc.flag(
                row.line,
                RowFlag::RepairedDate,
                format!(
                    "date {:?} has a separator missing: read as {}",
                    date_text.trim(),
                    crate::report::iso(d)
                ),
            );
            Some(d)
        }
        Ok(DateCell::Blank) => {
            flags.push(RowFlag::BlankDate);
            acc.flag(
                row.line,
                RowFlag::BlankDate,
                "date is blank: kept without a date".into(),
            );
            None
        }
        Err(e) => {
            let reason = format!("date (column {:?}): {e}", t.header_name(t.date_col));
            acc.reject(row, &t.sheet, Some(Field::Date), Some(date_text), reason);
            return;
        }
    };
    let vat = match t.vat_col.map(|c| cell(cells, c)) {
        Some(v) if !is_blank(v) => match parse_amount(v) {
            Ok(m) => Some(m),
            Err(e) => {
                flags.push(RowFlag::UnreadableVat);
                acc.flag(
                    row.line,
                    RowFlag::UnreadableVat,
                    format!("irrecoverable VAT: {e}"),
                );
                None
            }
        },
        _ => None,
    };
    if let Some((_, desc)) = &repaired {
        flags.push(RowFlag::Repaired);
        acc.flag(row.line, RowFlag::Repaired, desc.clone());
        if acc.rep.repaired.len() < acc.opts.max_listed {
            acc.rep.repaired.push(RepairedRow {
                line: row.line,
                description: desc.clone(),
            });
        }
    }
    let supplier = cell(cells, t.supplier_col).trim();
    let mut redacted = false;
    if supplier.is_empty() {
        flags.push(RowFlag::BlankSupplier);
        acc.rep.blank_supplier_rows += 1;
    } else {
        redacted = match acc.suppliers.get(supplier) {
            Some(r) => *r,
            None => {
                let r = is_redacted(supplier);
                acc.suppliers.insert(supplier.into(), r);
                r
            }
        };
        if redacted {
            acc.rep.redacted_rows += 1;
        }
    }

    // Statistics.
    let p = i128::from(amount.pence());
    acc.sum_all += p;
    acc.sum_section += p;
    if p < 0 {
        acc.rep.negatives += 1;
        acc.sum_neg += p;
    }
    acc.rep.rows += 1;
    acc.rep.reconciliation.kept += 1;
    if let Some(d) = date {
        let fy = levers_core::FinancialYear::of(d);
        if !acc.rep.financial_years.contains(&fy) {
            acc.rep.financial_years.push(fy);
            acc.rep.financial_years.sort();
        }
        if acc.rep.first_date.is_none_or(|f| d < f) {
            acc.rep.first_date = Some(d);
        }
        if acc.rep.last_date.is_none_or(|l| d > l) {
            acc.rep.last_date = Some(d);
        }
    }

    // Identity.
    let (id, occurrence) = if acc.identities {
        let mut h = Fnv::new();
        let body = t
            .body_cols
            .iter()
            .flatten()
            .map(|c| cell(cells, *c).trim())
            .find(|s| !s.is_empty());
        h.add(body.or(acc.opts.body.as_deref()).unwrap_or("").as_bytes());
        let txn = t.txn_col.map_or("", |c| cell(cells, c).trim());
        h.add(txn.as_bytes());
        match date {
            Some(d) => h.add(&[
                (d.year() >> 8) as u8,
                d.year() as u8,
                u8::from(d.month()),
                d.day(),
            ]),
            None => h.add(date_text.trim().as_bytes()),
        }
        h.add(&amount.pence().to_le_bytes());
        h.add(supplier.as_bytes());
        if txn.is_empty() {
            for c in &t.mapping.columns {
                if c.column != t.amount_col && c.column != t.date_col && c.column != t.supplier_col
                {
                    h.add(cell(cells, c.column).trim().as_bytes());
                }
            }
        }
        let id = h.finish();
        let occ = acc.ids.entry(id).or_insert(0);
        *occ += 1;
        (id, *occ)
    } else {
        (0, 0)
    };

    let view = TransactionView {
        line: row.line,
        sheet: t.sheet.as_deref(),
        date,
        amount,
        irrecoverable_vat: vat,
        supplier_name: supplier,
        redacted,
        flags: &flags,
        cells,
        mapping: &t.mapping,
        identity_hash: id,
        occurrence,
    };
    on_tx(&view);
}

/// Rows with tied splits held for the grand total (bounds the combinations tried).
const MAX_AMBIGUOUS: usize = 8;
/// The first mapped field that does not read, for explaining a broken row.
fn field_problem(t: &Table, cells: &[String]) -> Option<(Field, String)> {
    let a = cell(cells, t.amount_col);
    if let Err(e) = parse_amount(a) {
        return Some((
            Field::Amount,
            format!("amount (column {:?}): {e}", t.header_name(t.amount_col)),
        ));
    }
    if let Err(e) = parse_date(cell(cells, t.date_col), t.order) {
        return Some((
            Field::Date,
            format!("date (column {:?}): {e}", t.header_name(t.date_col)),
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn total_labels() {
        assert!(total_label("Total").is_some());
        assert!(total_label("GRAND TOTAL").is_some());
        assert!(total_label("Sub-total").is_some());
        assert!(total_label("Total for April 2024").is_some());
        assert!(total_label("TOTAL GAS & POWER LTD").is_none());
        assert!(total_label("Total Fitness").is_none());
        assert!(total_label("Devon County Council").is_none());
    }

    #[test]
    fn redaction_labels() {
        for r in [
            "REDACTED UNDER DP ACT",
            "Redacted",
            "Redacted Personal Information",
            "Personal Data Withheld",
            "*****",
            "Private Individual",
            "REDACTEDPERSONALDATA",
        ] {
            assert!(is_redacted(r), "{r}");
        }
        for n in [
            "INDIVIDUAL CARE SERVICES",
            "Individual Support Solutions Ltd",
            "ACME LTD",
            "Private Eye Ltd",
            "Redactive Publishing Ltd",
            "REDACTIVE MEDIA GROUP",
        ] {
            assert!(!is_redacted(n), "{n}");
        }
    }
}
