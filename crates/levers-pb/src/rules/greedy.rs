//! City greedy rules as the Pabulib checker verifies them: `greedy`, `greedy-no-skip`,
//! `greedy-threshold` and Poznań's `greedy-custom`.

use super::{Num, Prepared, RuleKind, RuleSpec};
use crate::model::Election;
use crate::num::{Q, parse_q, q_int, q_u};
use serde::Serialize;

/// One project in the ranking, with what happened to it.
#[derive(Debug, Clone, Serialize)]
pub struct GreedyStep {
    pub project: String,
    pub score: Num,
    pub cost: Num,
    /// Money left before this project was considered.
    pub remaining: Num,
    pub funded: bool,
    pub reason: String,
}

/// The ranking field the checker uses: `score` when PROJECTS has it, else `votes`, else votes
/// counted from the ballots. Missing cells count as 0.
pub fn ranking_scores(e: &Election, support: &[u64]) -> (Vec<Q>, &'static str) {
    let field = if e.project_col("score").is_some() {
        "score"
    } else if e.project_col("votes").is_some() {
        "votes"
    } else {
        return (support.iter().map(|&s| q_u(s)).collect(), "counted votes");
    };
    let v = (0..e.projects.len())
        .map(|p| {
            e.project_value(p, field)
                .and_then(|s| parse_q(&s.replace(',', ".")))
                .unwrap_or_else(|| q_int(0))
        })
        .collect();
    (v, field)
}

/// The META threshold, if any.
pub fn threshold(e: &Election) -> Option<Q> {
    e.meta_q("min_project_score_threshold")
}

/// Runs a city greedy rule. Returns selection order and the explained ranking.
pub fn city_greedy(
    prep: &Prepared<'_>,
    spec: &RuleSpec,
    notes: &mut Vec<String>,
) -> (Vec<usize>, Vec<GreedyStep>) {
    let e = prep.e;
    let (scores, field) = ranking_scores(e, &prep.groups.support);
    let ranks = spec.effective_tie().ranks(e, &prep.groups.support);
    let mut order: Vec<usize> = (0..e.projects.len()).collect();
    order.sort_by(|&a, &b| scores[b].cmp(&scores[a]).then(ranks[a].cmp(&ranks[b])));
    let thr = match spec.kind {
        RuleKind::GreedyCustom => None,
        _ => threshold(e),
    };
    if spec.kind == RuleKind::GreedyThreshold && thr.is_none() {
        notes.push(
            "greedy-threshold without min_project_score_threshold in META: no threshold applied"
                .into(),
        );
    }
    notes.push(format!("ranked by {field}"));
    let mut remaining = e.budget.clone();
    let mut selected = Vec::new();
    let mut steps = Vec::new();
    let mut stopped = false;
    let four_fifths = Q::new(4.into(), 5.into());
    for p in order {
        let cost = &e.projects[p].cost;
        let before = remaining.clone();
        let (funded, reason) = if stopped {
            (
                false,
                "not considered: the rule stopped at an earlier project".to_string(),
            )
        } else if thr.as_ref().is_some_and(|t| scores[p] < *t) {
            (
                false,
                format!(
                    "below the threshold of {}",
                    Num(thr.clone().unwrap_or_default())
                ),
            )
        } else if e.is_withdrawn(p) {
            (false, "withdrawn (sentinel cost)".to_string())
        } else if *cost <= remaining {
            remaining -= cost;
            (true, "fits in the remaining budget".to_string())
        } else {
            match spec.kind {
                RuleKind::Greedy | RuleKind::GreedyThreshold => (
                    false,
                    "does not fit in the remaining budget; skipped".to_string(),
                ),
                RuleKind::GreedyNoSkip => {
                    stopped = true;
                    (
                        false,
                        "does not fit in the remaining budget; the rule stops here".to_string(),
                    )
                }
                _ => {
                    stopped = true;
                    if remaining >= &four_fifths * cost {
                        remaining -= cost;
                        (true, "costs at most 125% of what is left: funded as the last project (selected=2)".to_string())
                    } else {
                        (
                            false,
                            "costs more than 125% of what is left; the rule stops here".to_string(),
                        )
                    }
                }
            }
        };
        if funded {
            selected.push(p);
        }
        steps.push(GreedyStep {
            project: e.projects[p].id.clone(),
            score: Num(scores[p].clone()),
            cost: Num(cost.clone()),
            remaining: Num(before),
            funded,
            reason,
        });
    }
    (selected, steps)
}
