//! Repairing broken rows: fields split by an unquoted delimiter joined back, and fused fields split,
//! only when exactly one way gives a plausible row.

use super::table::{Table, width};

/// Longest cell a fused-field split is tried on.
const MAX_SPLIT_CELL: usize = 256;

/// Picks the single best candidate, or explains why none could be chosen.
fn choose(mut cands: Vec<(i32, Vec<String>, String)>) -> Result<(Vec<String>, String), usize> {
    cands.sort_by_key(|c| std::cmp::Reverse(c.0));
    match cands.len() {
        0 => Err(0),
        1 => cands.pop().map(|(_, c, d)| (c, d)).ok_or(0),
        n => {
            if cands[0].0 > cands[1].0 {
                let (_, c, d) = cands.swap_remove(0);
                Ok((c, d))
            } else {
                Err(n)
            }
        }
    }
}

/// More non-blank fields than the header: an unquoted delimiter split a field. Join it back.
pub(super) fn try_merge(
    t: &Table,
    cells: &[String],
    n: usize,
) -> Result<(Vec<String>, String), (usize, String)> {
    let w = t.w_eff;
    let k = n - w;
    let Some(d) = t.delim else {
        return Err((0, format!("the row has {n} cells where the header has {w}")));
    };
    if k > 4 {
        return Err((
            0,
            format!("the row has {n} fields where the header has {w}; too many to repair"),
        ));
    }
    let sep = d.to_string();
    let mut cands = Vec::new();
    for p in 0..w {
        if p + k >= n {
            break;
        }
        let mut cand: Vec<String> = Vec::with_capacity(n - k);
        cand.extend(cells[..p].iter().cloned());
        cand.push(cells[p..=p + k].join(&sep));
        cand.extend(cells[p + k + 1..n].iter().cloned());
        if let Some(s) = t.plausible(&cand) {
            let desc = format!(
                "{k} extra field(s) from an unquoted {sep:?} inside column {:?}: joined back as {:?}",
                t.header_name(p),
                cand[p]
            );
            cands.push((s, cand, desc));
        }
    }
    choose(cands).map_err(|ways| {
        let why = if ways == 0 {
            format!("the row has {n} fields where the header has {w} and no way of joining them back gives a valid row")
        } else {
            format!("the row has {n} fields where the header has {w} and they could be joined back {ways} ways; quote the field that holds a {sep:?} in the file")
        };
        (ways, why)
    })
}

/// Fewer fields than the header and the row does not read: a broken export fused two fields. Split one.
/// Each split is judged cell by cell (no row is built until the best one is chosen), so a broken row
/// costs O(columns² + characters × columns).
/// Why no split was chosen, and (when several tie) the tied ways, for the file's grand total to decide.
pub(super) struct SplitFail {
    pub reason: String,
    pub tied: Vec<(Vec<String>, String)>,
}

/// Most tied splits of one row kept for the grand total to decide between.
const MAX_TIED: usize = 12;

pub(super) fn try_split(t: &Table, cells: &[String]) -> Result<(Vec<String>, String), SplitFail> {
    let n = cells.len();
    // ok[i][s]: cell i read at column i + s (s = 0 before the split, 1 after it).
    let at = |i: usize, col: usize| t.cell_score(col, cells[i].as_str());
    let before: Vec<Option<i32>> = (0..n).map(|i| at(i, i)).collect();
    let after: Vec<Option<i32>> = (0..n).map(|i| at(i, i + 1)).collect();
    // A column the row doesn't reach must be allowed to be blank (amount never is).
    let missing_ok = |from: usize| (from..t.w_eff.max(from)).all(|c| t.cell_score(c, "").is_some());
    let mut best: Vec<(i32, usize, usize)> = Vec::new();
    let mut prefix: Option<i32> = Some(0);
    for p in 0..n.min(t.w_eff) {
        let v = &cells[p];
        let suffix: Option<i32> = after[p + 1..]
            .iter()
            .try_fold(0, |acc, s| s.map(|s| acc + s));
        if let (Some(pre), Some(suf)) = (prefix, suffix)
            && v.len() <= MAX_SPLIT_CELL
            && missing_ok(n + 1)
        {
            let bounds = v
                .char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(v.len()));
            for b in bounds {
                let (l, r) = v.split_at(b);
                let (Some(ls), Some(rs)) = (
                    t.cell_score(p, l.trim_end()),
                    t.cell_score(p + 1, r.trim_start()),
                ) else {
                    continue;
                };
                // The file's dominant forms: a split whose two parts both look like their columns'
                // other values ("123456" + "12345" where IDs have six digits and numbers five) wins.
                let mut score =
                    pre + suf + ls + rs + 2 * (t.form_score(p, l) * t.form_score(p + 1, r));
                // Prefer splitting where the kind of character changes ("ACME LTD|265062").
                let class = |c: char| {
                    if c.is_ascii_digit() {
                        0
                    } else if c.is_alphabetic() {
                        1
                    } else {
                        2
                    }
                };
                // A decimal point or thousands comma between digits is part of the number.
                let num_mark = |c: char, next: Option<char>| {
                    (c == '.' || c == ',') && next.is_some_and(|n| n.is_ascii_digit())
                };
                let r_class = |c: char| {
                    if num_mark(c, r.chars().nth(1)) {
                        0
                    } else {
                        class(c)
                    }
                };
                if let (Some(a), Some(c)) = (l.chars().next_back(), r.chars().next())
                    && (class(a) != r_class(c) || a.is_whitespace() || c.is_whitespace())
                {
                    score += 1;
                }
                best.push((score, p, b));
            }
        }
        prefix = match (prefix, before[p]) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
    }
    best.sort_by_key(|c| std::cmp::Reverse(c.0));
    let ways = best.len();
    let chosen = match best.as_slice() {
        [] => None,
        [one] => Some(*one),
        [first, second, ..] if first.0 > second.0 => Some(*first),
        _ => None,
    };
    let Some((_, p, b)) = chosen else {
        let reason = if ways == 0 {
            format!(
                "the row has {} fields where the header has {} and no split of a fused field gives a valid row",
                width(cells),
                t.w_eff
            )
        } else {
            format!(
                "the row has {} fields where the header has {}: two fields look fused but could be split {ways} ways",
                width(cells),
                t.w_eff
            )
        };
        let top = best.first().map_or(0, |c| c.0);
        let tied = best
            .iter()
            .filter(|c| c.0 == top)
            .take(MAX_TIED + 1)
            .map(|&(_, p, b)| split_at(t, cells, p, b))
            .collect::<Vec<_>>();
        return Err(SplitFail {
            reason,
            tied: if tied.len() > MAX_TIED {
                Vec::new()
            } else {
                tied
            },
        });
    };
    Ok(split_at(t, cells, p, b))
}

/// The row with cell `p` split at byte `b`, and the description of the repair.
fn split_at(t: &Table, cells: &[String], p: usize, b: usize) -> (Vec<String>, String) {
    let v = &cells[p];
    let (l, r) = v.split_at(b);
    let mut cand: Vec<String> = Vec::with_capacity(cells.len() + 1);
    cand.extend(cells[..p].iter().cloned());
    cand.push(l.trim_end().to_string());
    cand.push(r.trim_start().to_string());
    cand.extend(cells[p + 1..].iter().cloned());
    let desc = format!(
        "columns {:?} and {:?} were fused as {:?}: split into {:?} and {:?}",
        t.header_name(p),
        t.header_name(p + 1),
        v,
        l.trim_end(),
        r.trim_start()
    );
    (cand, desc)
}
