//! Rows whose fused field splits several equally good ways, each giving a different amount: settled
//! at the end of their table by the file's own total when exactly one choice of splits adds up to it.

use crate::amount::parse_amount_rounding;

use super::Callback;
use super::acc::Acc;
use super::row::handle_row_with;
use super::table::{Table, cell};

/// Most combinations of tied splits tried against the grand total.
const MAX_COMBINATIONS: usize = 4096;

/// Decides the rows whose fused field could be split several ways: when the file states a total after
/// them and exactly one choice of splits makes the rows add up to it, that choice is kept (and said
/// so); otherwise each is rejected with its reason. Called at the end of each table.
pub(super) fn resolve_ambiguous(acc: &mut Acc<'_>, t: &Table, on_tx: &mut Callback<'_>) {
    let pending = std::mem::take(&mut acc.ambiguous);
    let Some(first) = pending.first() else {
        return;
    };
    let amount = |c: &[String]| {
        parse_amount_rounding(cell(c, t.amount_col))
            .map(|(m, _)| i128::from(m.pence()))
            .unwrap_or(0)
    };
    // The last total row after them, and what is missing from it.
    let last_line = pending.last().map_or(first.row.line, |a| a.row.line);
    let target = acc
        .totals
        .iter()
        .rev()
        .find(|pt| pt.line > last_line)
        .map(|pt| (pt.stated - pt.all, pt.line));
    // Each row's distinct amounts: the total can only tell amounts apart.
    let options: Vec<Vec<i128>> = pending
        .iter()
        .map(|a| {
            let mut v: Vec<i128> = a.tied.iter().map(|(c, _)| amount(c)).collect();
            v.sort_unstable();
            v.dedup();
            v
        })
        .collect();
    let combos: usize = options
        .iter()
        .map(Vec::len)
        .try_fold(1usize, |acc, n| acc.checked_mul(n))
        .unwrap_or(usize::MAX);
    let mut chosen: Option<(Vec<usize>, u64)> = None;
    if let Some((need, line)) = target
        && combos <= MAX_COMBINATIONS
    {
        let mut found: Vec<Vec<usize>> = Vec::new();
        let mut ix = vec![0usize; pending.len()];
        'all: loop {
            let sum: i128 = options.iter().zip(&ix).map(|(o, &i)| o[i]).sum();
            if sum == need {
                found.push(ix.clone());
                if found.len() > 1 {
                    break;
                }
            }
            for k in 0..ix.len() {
                ix[k] += 1;
                if ix[k] < options[k].len() {
                    continue 'all;
                }
                ix[k] = 0;
            }
            break;
        }
        if found.len() == 1 {
            chosen = found.pop().map(|f| (f, line));
        }
    }
    for (k, a) in pending.into_iter().enumerate() {
        let pick = chosen.as_ref().and_then(|(ix, line)| {
            let want = options[k][ix[k]];
            let mut with = a.tied.iter().filter(|(c, _)| amount(c) == want);
            match (with.next(), with.next()) {
                (Some(one), None) => Some((one.clone(), *line)),
                _ => None,
            }
        });
        match pick {
            Some(((cells, desc), total_line)) => {
                let p = amount(&cells);
                let desc = format!(
                    "{desc} (of {} ways, the one that makes the rows add up to the total on line {total_line})",
                    a.tied.len()
                );
                let kept_before = acc.rep.reconciliation.kept;
                handle_row_with(acc, t, &a.row, Some((cells, desc)), on_tx);
                if acc.rep.reconciliation.kept > kept_before {
                    // Kept after the totals below it were read: count it in them as if in order.
                    acc.sum_section -= p;
                    let mut first_after = true;
                    for pt in acc.totals.iter_mut().filter(|pt| pt.line > a.row.line) {
                        pt.all += p;
                        pt.kept_before += 1;
                        if first_after {
                            pt.section += p;
                            first_after = false;
                        }
                    }
                }
            }
            None => acc.reject(&a.row, &t.sheet, None, None, a.reason),
        }
    }
}
