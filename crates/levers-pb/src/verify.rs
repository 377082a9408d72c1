//! `verify`: recompute a file's own `rule` and compare it with its `selected` column, the way the
//! Pabulib checker does (city greedy variants; Method of Equal Shares with the checker's add1).

use crate::model::Election;
use crate::num::floor_q;
use crate::rules::greedy::ranking_scores;
use crate::rules::mes::votes_completion;
use crate::rules::{Completion, Prepared, RuleKind, RuleSpec, Sat, Semantics, run_prepared};
use serde::Serialize;
use std::collections::BTreeSet;

/// A project whose `selected` value is a special case (2 or 3).
#[derive(Debug, Clone, Serialize)]
pub struct Special {
    pub project: String,
    pub selected: String,
}

/// Result of `verify`.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub rule: String,
    pub supported: bool,
    #[serde(rename = "match")]
    pub matches: bool,
    /// Officially selected projects (file order).
    pub official: Vec<String>,
    /// Projects the rule selects, in selection order.
    pub computed: Vec<String>,
    /// How the rule was recomputed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Why it does not match, or why it cannot be checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Official but not computed.
    pub missing: Vec<String>,
    /// Computed but not official.
    pub extra: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub special: Vec<Special>,
    /// The file's META comment, shown when it may explain a departure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

const DEPARTURE_WORDS: &[&str] = &[
    "selected",
    "funded",
    "not implemented",
    "withdrawn",
    "excluded",
    "additional",
    "reserve",
    "despite",
    "although",
    "exception",
    "instead",
    "budget was",
    "increased",
    "decided",
    "resigned",
    "removed",
    "cancel",
    "leftover",
    "remaining funds",
    "unused funds",
    "wybran",
    "zrealiz",
];

fn comment_explains(comment: &str, diff: &[String]) -> bool {
    let c = comment.to_lowercase();
    diff.iter().any(|id| {
        let id = id.to_lowercase();
        c.match_indices(&id).any(|(i, _)| {
            let before = c[..i].chars().next_back();
            let after = c[i + id.len()..].chars().next();
            !before.is_some_and(|ch| ch.is_alphanumeric())
                && !after.is_some_and(|ch| ch.is_alphanumeric())
        })
    }) || DEPARTURE_WORDS.iter().any(|w| c.contains(w))
}

/// levers' community budget rule: Method of Equal Shares with equalshares.net semantics (exact costs,
/// start B/n, then floor(B/n)+k per voter while the outcome is not exhaustive and the next one fits;
/// ties cheaper first, then more votes) and the remaining money by votes (add1u). Not a Pabulib
/// checker rule name. Defined for every ballot type by which projects a ballot contains.
pub const EQUALSHARES_ADD1U: &str = "equalshares/add1u";

/// Verifies the file's own rule against its `selected` column.
pub fn verify(e: &Election) -> Verification {
    let rule = e.rule().to_string();
    let comment = e.meta("comment").map(|s| s.to_string());
    let mut v = Verification {
        rule: rule.clone(),
        supported: false,
        matches: false,
        official: vec![],
        computed: vec![],
        method: None,
        reason: None,
        missing: vec![],
        extra: vec![],
        special: vec![],
        comment: None,
    };
    if e.project_col("selected").is_none() {
        v.reason = Some(
            "the file has no `selected` column: there is no official outcome to compare with"
                .into(),
        );
        return v;
    }
    let poznan = rule == "greedy-custom" && e.meta("unit") == Some("Poznań");
    let sel_val = |p: usize| e.project_value(p, "selected").unwrap_or("0").to_string();
    for p in 0..e.projects.len() {
        let s = sel_val(p);
        let official = if poznan {
            matches!(s.as_str(), "1" | "2" | "3")
        } else {
            s == "1"
        };
        if official {
            v.official.push(e.projects[p].id.clone());
        }
        if s == "2" || s == "3" {
            v.special.push(Special {
                project: e.projects[p].id.clone(),
                selected: s,
            });
        }
    }
    let prep = Prepared::new(e);
    let spec = match rule.as_str() {
        "greedy" => Some(RuleSpec::new(RuleKind::Greedy)),
        "greedy-no-skip" => Some(RuleSpec::new(RuleKind::GreedyNoSkip)),
        "greedy-threshold" => Some(RuleSpec::new(RuleKind::GreedyThreshold)),
        "greedy-custom" if poznan => Some(RuleSpec::new(RuleKind::GreedyCustom)),
        EQUALSHARES_ADD1U => Some(
            RuleSpec::new(RuleKind::Mes)
                .sat(Sat::Cost)
                .completion(Completion::Add1U)
                .semantics(Semantics::Equalshares),
        ),
        "equalshares"
        | "equalshares-comparison"
        | "equalshares/add1"
        | "equalshares/add1-comparison" => {
            if !e.vote_type.is_approval() {
                v.reason = Some(format!(
                    "rule {rule} is only defined (by the Pabulib checker) for approval ballots; this file is {}",
                    e.vote_type.as_str()
                ));
                None
            } else {
                let c = if rule.contains("add1") {
                    Completion::Add1
                } else {
                    Completion::None
                };
                Some(
                    RuleSpec::new(RuleKind::Mes)
                        .sat(Sat::Cost)
                        .completion(c)
                        .semantics(Semantics::Checker),
                )
            }
        }
        "greedy-custom" => {
            v.reason = Some("greedy-custom outside Poznań is a city-specific rule described only in the file's comment; it cannot be recomputed".into());
            None
        }
        "greedy-exclusive" => {
            v.reason = Some("greedy-exclusive resolves conflicting projects by a hierarchy that is not stored in the file; it cannot be recomputed".into());
            None
        }
        "unknown" => {
            v.reason = Some("the rule is `unknown`".into());
            None
        }
        other => {
            v.reason = Some(format!("rule `{other}` is not supported"));
            None
        }
    };
    let Some(spec) = spec else {
        v.comment = comment;
        return v;
    };
    v.supported = true;
    let out = match run_prepared(&prep, &spec, false) {
        Ok(o) => o,
        Err(err) => {
            v.supported = false;
            v.reason = Some(err.0);
            return v;
        }
    };
    let mut computed = out.selected_idx.clone();
    let mut method = out.rule.clone();
    if poznan {
        let extra = v.special.iter().filter(|s| s.selected == "3").count();
        if extra > 0 {
            let (scores, _) = ranking_scores(e, &prep.groups.support);
            let mut order: Vec<usize> = (0..e.projects.len()).collect();
            order.sort_by(|&a, &b| scores[b].cmp(&scores[a]));
            let add: Vec<usize> = order
                .into_iter()
                .filter(|p| !computed.contains(p))
                .take(extra)
                .collect();
            computed.extend(add);
            method.push_str(&format!(
                " + {extra} next-ranked project(s) from reserve funds (selected=3)"
            ));
        }
    }
    if rule.ends_with("-comparison") {
        let costs: Vec<_> = e.projects.iter().map(|p| floor_q(&p.cost)).collect();
        let greedy = votes_completion(&prep, &costs, &floor_q(&e.budget), &[]);
        let g = &prep.groups;
        let (mut prefer_mes, mut prefer_greedy) = (0u64, 0u64);
        for (gi, set) in g.sets.iter().enumerate() {
            let a = set
                .iter()
                .filter(|p| computed.contains(&(**p as usize)))
                .count();
            let b = set
                .iter()
                .filter(|p| greedy.contains(&(**p as usize)))
                .count();
            if a > b {
                prefer_mes += g.mult[gi];
            } else if b > a {
                prefer_greedy += g.mult[gi];
            }
        }
        if prefer_greedy > prefer_mes {
            computed = greedy;
            method.push_str(&format!(" then comparison step: {prefer_greedy} voters prefer greedy vs {prefer_mes} MES, greedy outcome used"));
        } else {
            method.push_str(&format!(" then comparison step: {prefer_mes} voters prefer MES vs {prefer_greedy} greedy, MES outcome kept"));
        }
    }
    if rule == EQUALSHARES_ADD1U {
        method.push_str(" (equalshares.net variant: exact costs, start B/n, then floor(B/n)+k per voter while the outcome is not exhaustive and the next fits; then what is left by votes; each ballot counts as support for the projects it contains)");
    } else if spec.kind == RuleKind::Mes {
        method.push_str(" (Pabulib checker variant: costs and budget floored, start B/n, then floor(B/n)+k per voter until the next outcome overspends)");
    }
    v.method = Some(method);
    v.computed = computed.iter().map(|&p| e.projects[p].id.clone()).collect();
    let off: BTreeSet<&String> = v.official.iter().collect();
    let com: BTreeSet<&String> = v.computed.iter().collect();
    v.missing = off.difference(&com).map(|s| s.to_string()).collect();
    v.extra = com.difference(&off).map(|s| s.to_string()).collect();
    v.matches = v.missing.is_empty() && v.extra.is_empty();
    let mut reason = Vec::new();
    if !v.matches {
        if !v.missing.is_empty() {
            reason.push(format!(
                "officially selected but not by the rule: {}",
                v.missing.join(", ")
            ));
        }
        if !v.extra.is_empty() {
            reason.push(format!(
                "selected by the rule but not officially: {}",
                v.extra.join(", ")
            ));
        }
        let diff: Vec<String> = v.missing.iter().chain(&v.extra).cloned().collect();
        match &comment {
            Some(c) if comment_explains(c, &diff) => {
                reason.push(format!("the official outcome departs from the stated rule; the file's comment explains: {c}"));
                v.comment = comment.clone();
            }
            Some(c) => {
                reason.push(format!(
                    "the file's comment does not obviously explain it: {c}"
                ));
                v.comment = comment.clone();
            }
            None => reason.push("the file has no comment explaining a departure".into()),
        }
    } else if !v.special.is_empty() && !poznan {
        reason.push(format!(
            "{} project(s) carry a special selected value (2/3) explained in the file's comment; they are not counted as officially selected",
            v.special.len()
        ));
        v.comment = comment.clone();
    }
    if !reason.is_empty() {
        v.reason = Some(reason.join("; "));
    }
    v
}
