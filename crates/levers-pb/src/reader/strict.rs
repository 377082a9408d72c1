//! Strict (Pabulib checker) rules for the META section and the projects.

use super::ballots::ballot_checks;
use super::diag::{Diagnostic, Level, push};
use crate::model::{Election, VoteType, WITHDRAWN_SENTINEL_COST, is_none_cell};
use crate::num::{floor_q, fmt_q, parse_q, q_int};

pub(super) const VALID_RULES: &[&str] = &[
    "greedy",
    "greedy-no-skip",
    "greedy-threshold",
    "greedy-exclusive",
    "greedy-custom",
    "equalshares",
    "equalshares-comparison",
    "equalshares/add1",
    "equalshares/add1-comparison",
    "unknown",
];

const OBLIGATORY_META: &[&str] = &[
    "description",
    "country",
    "unit",
    "instance",
    "num_projects",
    "num_votes",
    "budget",
    "vote_type",
    "rule",
    "date_begin",
    "date_end",
];

/// Every checker rule; findings go to `d`.
pub(super) fn strict_checks(e: &Election, d: &mut Vec<Diagnostic>) {
    meta_checks(e, d);
    project_checks(e, d);
    ballot_checks(e, d);
    rule_compliance(e, d);
}

/// Whether the `selected` column follows the file's rule.
fn rule_compliance(e: &Election, d: &mut Vec<Diagnostic>) {
    use Level::Error;
    let rule = e.rule();
    // Rule compliance.
    if e.project_col("selected").is_some()
        && (VALID_RULES.contains(&rule) || rule == crate::verify::EQUALSHARES_ADD1U)
    {
        let v = crate::verify::verify(e);
        if v.supported && !v.matches {
            let why = v.reason.clone().unwrap_or_default();
            push(
                d,
                Error,
                e.meta_line("rule"),
                "rule-not-followed",
                format!("the `selected` column does not follow rule `{rule}`: {why}"),
            );
        }
    }
}

fn meta_checks(e: &Election, d: &mut Vec<Diagnostic>) {
    use Level::{Error, Warning};
    // Voter fields whose values the format defines.
    let sex_col = e.vote_columns.iter().position(|c| c == "sex");
    for v in &e.voters {
        if v.id.contains(',') {
            push(
                d,
                Error,
                v.line,
                "voter-id",
                format!(
                    "voter id `{}` contains a comma; ids are single values",
                    v.id
                ),
            );
        }
        if let Some(s) = sex_col.and_then(|i| v.values.get(i)) {
            let s = s.trim();
            if !(s.is_empty() || is_none_cell(s) || matches!(s, "M" | "F" | "O")) {
                push(
                    d,
                    Error,
                    v.line,
                    "sex",
                    format!("sex `{s}` for voter {} is not M, F or O", v.id),
                );
            }
        }
    }
    for k in OBLIGATORY_META {
        match e.meta(k) {
            None => push(
                d,
                Error,
                0,
                "missing-meta",
                format!("META has no `{k}`; add it"),
            ),
            Some(v) if v.trim().is_empty() => push(
                d,
                Error,
                e.meta_line(k),
                "empty-meta",
                format!("META `{k}` is empty"),
            ),
            _ => {}
        }
    }
    for (k, mode) in [
        ("num_projects", e.projects.len()),
        ("num_votes", e.voters.len()),
    ] {
        if let Some(v) = e.meta(k) {
            match v.trim().parse::<usize>() {
                Ok(n) if n != mode => {
                    let what = if k == "num_projects" {
                        "PROJECTS rows"
                    } else {
                        "VOTES rows"
                    };
                    push(
                        d,
                        Error,
                        e.meta_line(k),
                        if k == "num_projects" {
                            "num-projects-mismatch"
                        } else {
                            "num-votes-mismatch"
                        },
                        format!("META {k} is {n} but the file has {mode} {what}; correct {k}"),
                    )
                }
                Ok(_) => {}
                Err(_) => push(
                    d,
                    Error,
                    e.meta_line(k),
                    "not-a-number",
                    format!("META {k} `{v}` is not an integer"),
                ),
            }
        }
    }
    let rule = e.rule();
    if rule == crate::verify::EQUALSHARES_ADD1U {
        push(
            d,
            Warning,
            e.meta_line("rule"),
            "levers-rule",
            format!(
                "rule `{rule}` is levers' equal shares with add1 then votes completion; `levers pb verify` recomputes it but the Pabulib checker does not know it"
            ),
        );
    } else if !VALID_RULES.contains(&rule) {
        push(
            d,
            Error,
            e.meta_line("rule"),
            "unknown-rule",
            format!("rule `{rule}` is not one of {}", VALID_RULES.join(", ")),
        );
    }
    if rule == "greedy" && e.meta("min_project_score_threshold").is_some() {
        push(
            d,
            Error,
            e.meta_line("rule"),
            "rule-threshold",
            "rule is `greedy` but min_project_score_threshold is set; use `greedy-threshold`",
        );
    }
    if rule == "greedy-threshold" && e.meta("min_project_score_threshold").is_none() {
        push(
            d,
            Error,
            e.meta_line("rule"),
            "missing-threshold",
            "rule is `greedy-threshold` but META has no min_project_score_threshold",
        );
    }
    if let Some(c) = e.meta("comment")
        && !c.starts_with("#1: ")
    {
        push(
            d,
            Error,
            e.meta_line("comment"),
            "comment-format",
            "comment must start with `#1: ` and number each remark",
        );
    }
    if e.vote_type == VoteType::Cumulative && e.meta("max_sum_points").is_none() {
        push(
            d,
            Error,
            0,
            "missing-meta",
            "vote_type cumulative needs max_sum_points",
        );
    }
    for (k, v) in &e.meta {
        if [
            "min_length",
            "max_length",
            "num_projects",
            "num_votes",
            "min_points",
            "max_points",
            "min_sum_points",
            "max_sum_points",
            "min_project_score_threshold",
        ]
        .contains(&k.as_str())
            && !is_none_cell(v)
            && parse_q(v).is_none()
        {
            push(
                d,
                Error,
                e.meta_line(k),
                "not-a-number",
                format!("META {k} `{v}` is not a number"),
            );
        }
    }
    if let Some(c) = e.meta("currency")
        && !(c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()))
    {
        push(
            d,
            Error,
            e.meta_line("currency"),
            "currency",
            format!("currency `{c}` is not an ISO 4217 code"),
        );
    }
    for key in ["date_begin", "date_end"] {
        if let Some(v) = e.meta(key) {
            let ok = (v.len() == 4 && v.bytes().all(|b| b.is_ascii_digit()))
                || (v.len() == 10
                    && v.as_bytes()[2] == b'.'
                    && v.as_bytes()[5] == b'.'
                    && v.bytes()
                        .enumerate()
                        .all(|(i, b)| i == 2 || i == 5 || b.is_ascii_digit()));
            if !ok {
                push(
                    d,
                    Error,
                    e.meta_line(key),
                    "date-format",
                    format!("{key} `{v}` must be YYYY or DD.MM.YYYY"),
                );
            }
        }
    }
}

fn project_checks(e: &Election, d: &mut Vec<Diagnostic>) {
    use Level::{Error, Warning};
    // Projects.
    let budget_floor = floor_q(&e.budget);
    let zero = q_int(0);
    let sentinel = q_int(WITHDRAWN_SENTINEL_COST);
    for p in &e.projects {
        if p.cost <= zero {
            push(
                d,
                Error,
                p.line,
                "project-no-cost",
                format!("project `{}` has cost {}", p.id, fmt_q(&p.cost)),
            );
        } else if p.cost == sentinel {
            push(
                d,
                Warning,
                p.line,
                "withdrawn",
                format!(
                    "project `{}` has the withdrawn sentinel cost {WITHDRAWN_SENTINEL_COST}; it is never funded",
                    p.id
                ),
            );
        } else if p.cost > budget_floor {
            push(
                d,
                Error,
                p.line,
                "project-exceeds-budget",
                format!(
                    "project `{}` costs {} which exceeds the whole budget {}",
                    p.id,
                    fmt_q(&p.cost),
                    fmt_q(&budget_floor)
                ),
            );
        }
    }
    let counted = e.counted_votes();
    let scores = e.counted_scores();
    let has_votes = e.project_col("votes").is_some();
    let has_score = e.project_col("score").is_some();
    if !has_votes && !has_score {
        push(
            d,
            Error,
            e.projects
                .first()
                .map(|p| p.line.saturating_sub(1))
                .unwrap_or(0),
            "no-votes-or-score",
            "PROJECTS has neither `votes` nor `score`; add at least one",
        );
    }
    for (i, p) in e.projects.iter().enumerate() {
        if has_votes {
            match e.project_value(i, "votes").map(|v| (v, parse_q(v))) {
                Some((_, Some(v))) if v == q_int(counted[i] as i64) => {}
                Some((raw, _)) => push(
                    d,
                    Error,
                    p.line,
                    "votes-mismatch",
                    format!(
                        "project `{}` has votes {raw} but the ballots give {}",
                        p.id, counted[i]
                    ),
                ),
                None if counted[i] > 0 => push(
                    d,
                    Error,
                    p.line,
                    "votes-mismatch",
                    format!(
                        "project `{}` has no votes value but the ballots give {}",
                        p.id, counted[i]
                    ),
                ),
                None => {}
            }
            if counted[i] == 0 {
                push(
                    d,
                    Warning,
                    p.line,
                    "project-no-votes",
                    format!("project `{}` has no votes (was it on the ballot?)", p.id),
                );
            }
        }
        if has_score {
            match e.project_value(i, "score").map(|v| (v, parse_q(v))) {
                Some((_, Some(v))) if v == scores[i] => {}
                Some((raw, _)) => push(
                    d,
                    Error,
                    p.line,
                    "score-mismatch",
                    format!(
                        "project `{}` has score {raw} but the ballots give {}",
                        p.id,
                        fmt_q(&scores[i])
                    ),
                ),
                None if scores[i] != zero => push(
                    d,
                    Error,
                    p.line,
                    "score-mismatch",
                    format!(
                        "project `{}` has no score but the ballots give {}",
                        p.id,
                        fmt_q(&scores[i])
                    ),
                ),
                None => {}
            }
        }
    }
    // Selected / budget.
    if e.project_col("selected").is_some() {
        let mut spent = q_int(0);
        for (i, p) in e.projects.iter().enumerate() {
            match e.project_value(i, "selected") {
                Some("1") => spent += &p.cost,
                Some("0") | Some("2") | Some("3") | None => {}
                Some(v) => push(
                    d,
                    Error,
                    p.line,
                    "selected-value",
                    format!("project `{}` has selected `{v}`; use 0, 1, 2 or 3", p.id),
                ),
            }
        }
        if spent > budget_floor {
            push(
                d,
                Error,
                e.meta_line("budget"),
                "budget-exceeded",
                format!(
                    "selected projects cost {} which exceeds the budget {}",
                    fmt_q(&spent),
                    fmt_q(&budget_floor)
                ),
            );
        }
        if e.meta("fully_funded") != Some("1") {
            let left = &budget_floor - &spent;
            for (i, p) in e.projects.iter().enumerate() {
                if e.project_value(i, "selected") == Some("0") && p.cost < left {
                    push(
                        d,
                        Warning,
                        p.line,
                        "unused-budget",
                        format!(
                            "project `{}` fits in the unused budget ({}) but is not selected",
                            p.id,
                            fmt_q(&left)
                        ),
                    );
                }
            }
        }
    }
}
