//! Strict (Pabulib checker) rules for the ballots and for whether `selected` follows the rule.

use super::diag::{Diagnostic, Level, push};
use crate::model::{Election, VoteType, is_none_cell};
use crate::num::{Q, fmt_q, q_int};
use std::collections::HashMap;

/// Ballot rules: lengths, costs, points, duplicate voters.
pub(super) fn ballot_checks(e: &Election, d: &mut Vec<Diagnostic>) {
    use Level::{Error, Warning};
    // Ballots.
    let min_len = e.meta_q("min_length");
    let max_len = e.meta_q("max_length");
    let min_sum_cost = e.meta_q("min_sum_cost");
    let max_sum_cost = e.meta_q("max_sum_cost");
    let min_points = e.meta_q("min_points");
    let max_points = e.meta_q("max_points");
    let min_sum_points = e.meta_q("min_sum_points");
    let max_sum_points = e.meta_q("max_sum_points");
    let points_col = e.vote_col("points");
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for v in &e.voters {
        if let Some(first) = ids.insert(v.id.as_str(), v.line) {
            push(
                d,
                Error,
                v.line,
                "duplicate-voter",
                format!("voter_id `{}` repeated (first on line {first})", v.id),
            );
        }
        let mut set = v.vote.clone();
        set.sort_unstable();
        set.dedup();
        if set.len() != v.vote.len() {
            push(
                d,
                Error,
                v.line,
                "duplicate-in-vote",
                format!("voter `{}` lists a project more than once", v.id),
            );
        }
        if v.vote.is_empty() {
            push(
                d,
                Warning,
                v.line,
                "empty-vote",
                format!("voter `{}` has an empty vote", v.id),
            );
        }
        let n = q_int(v.vote.len() as i64);
        if let Some(m) = &min_len
            && n < *m
        {
            push(
                d,
                Error,
                v.line,
                "vote-too-short",
                format!(
                    "voter `{}` chose {} projects, min_length is {}",
                    v.id,
                    v.vote.len(),
                    fmt_q(m)
                ),
            );
        }
        if let Some(m) = &max_len
            && n > *m
        {
            push(
                d,
                Error,
                v.line,
                "vote-too-long",
                format!(
                    "voter `{}` chose {} projects, max_length is {}",
                    v.id,
                    v.vote.len(),
                    fmt_q(m)
                ),
            );
        }
        if e.vote_type == VoteType::Choose1 && v.vote.len() > 1 {
            push(
                d,
                Error,
                v.line,
                "choose-1",
                format!(
                    "voter `{}` chose {} projects on a choose-1 ballot",
                    v.id,
                    v.vote.len()
                ),
            );
        }
        if e.vote_type.is_approval() {
            if let Some(pc) = points_col
                && !is_none_cell(&v.values[pc])
            {
                push(
                    d,
                    Error,
                    v.line,
                    "points-on-approval",
                    format!(
                        "voter `{}` has points on an approval ballot; remove the points",
                        v.id
                    ),
                );
            }
            if min_sum_cost.is_some() || max_sum_cost.is_some() {
                let total: Q = set
                    .iter()
                    .map(|&p| e.projects[p as usize].cost.clone())
                    .sum();
                if let Some(m) = &max_sum_cost
                    && total > *m
                {
                    push(
                        d,
                        Error,
                        v.line,
                        "vote-over-max-sum-cost",
                        format!(
                            "voter `{}` chose projects costing {} over max_sum_cost {}",
                            v.id,
                            fmt_q(&total),
                            fmt_q(m)
                        ),
                    );
                }
                if let Some(m) = &min_sum_cost
                    && total < *m
                {
                    push(
                        d,
                        Error,
                        v.line,
                        "vote-under-min-sum-cost",
                        format!(
                            "voter `{}` chose projects costing {} under min_sum_cost {}",
                            v.id,
                            fmt_q(&total),
                            fmt_q(m)
                        ),
                    );
                }
            }
        }
        if e.vote_type.has_points() {
            let raw = points_col.map(|pc| v.values[pc].as_str()).unwrap_or("");
            match &v.points {
                None if !v.vote.is_empty() => push(
                    d,
                    Error,
                    v.line,
                    "missing-points",
                    format!(
                        "voter `{}` has no points on a {} ballot",
                        v.id,
                        e.vote_type.as_str()
                    ),
                ),
                None => {}
                Some(pts) => {
                    let given = raw.split(',').filter(|x| !x.trim().is_empty()).count();
                    if given != v.vote.len() {
                        push(
                            d,
                            Error,
                            v.line,
                            "points-count",
                            format!(
                                "voter `{}` has {given} points for {} projects",
                                v.id,
                                v.vote.len()
                            ),
                        );
                    }
                    let sum: Q = pts.iter().cloned().sum();
                    if let Some(m) = &max_sum_points
                        && sum > *m
                    {
                        push(
                            d,
                            Error,
                            v.line,
                            "points-over-max-sum",
                            format!(
                                "voter `{}` gave {} points, max_sum_points is {}",
                                v.id,
                                fmt_q(&sum),
                                fmt_q(m)
                            ),
                        );
                    }
                    if let Some(m) = &min_sum_points
                        && sum < *m
                    {
                        push(
                            d,
                            Error,
                            v.line,
                            "points-under-min-sum",
                            format!(
                                "voter `{}` gave {} points, min_sum_points is {}",
                                v.id,
                                fmt_q(&sum),
                                fmt_q(m)
                            ),
                        );
                    }
                    for x in pts {
                        if let Some(m) = &max_points
                            && x > m
                        {
                            push(
                                d,
                                Error,
                                v.line,
                                "points-over-max",
                                format!(
                                    "voter `{}` gave {} points to one project, max_points is {}",
                                    v.id,
                                    fmt_q(x),
                                    fmt_q(m)
                                ),
                            );
                        }
                        if let Some(m) = &min_points
                            && x < m
                        {
                            push(
                                d,
                                Error,
                                v.line,
                                "points-under-min",
                                format!(
                                    "voter `{}` gave {} points to one project, min_points is {}",
                                    v.id,
                                    fmt_q(x),
                                    fmt_q(m)
                                ),
                            );
                        }
                    }
                }
            }
        }
    }
}
