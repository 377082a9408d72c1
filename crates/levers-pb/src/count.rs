//! Counting a community budget vote: the anonymised ballots become a Pabulib election (the same
//! file residents can download), the process's rule runs on it through `rules::run`, and each
//! project gets a plain-English explanation of why it was or was not funded.

use std::collections::HashMap;

use num_traits::ToPrimitive;
use serde::{Deserialize, Serialize};

use crate::ballot::Ballot;
use crate::model::{Election, Project, Voter};
use crate::num::{Q, fmt_q, q_f64, q_int};
use crate::process::{BallotType, Phase, ProcessDef};
use crate::rules::{Explanation, RuleError, run};

mod explain;
use explain::explain;

/// A project on the ballot as the count needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountProject {
    pub id: i64,
    pub name: String,
    pub category: String,
    pub cost_pence: i64,
}

/// Builds the Pabulib election of a process from its ballots (in the order given: the store gives
/// them in the order of their random ids, so voter numbers say nothing about who voted when).
/// Amounts are in pounds, exact to the penny (rationals). Without an outcome `selected` is absent.
pub fn build_election(
    def: &ProcessDef,
    instance: &str,
    projects: &[CountProject],
    ballots: &[Ballot],
) -> Election {
    let vote_type = def.ballot.vote_type();
    let index: HashMap<i64, u32> = projects
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id, i as u32))
        .collect();
    let (begin, end) = def
        .dates(Phase::Voting)
        .map(|d| (pabulib_date(&d.starts), pabulib_date(&d.ends)))
        .unwrap_or_else(|| (instance.to_string(), instance.to_string()));
    let mut meta: Vec<(String, String)> = vec![
        ("description".into(), def.name.clone()),
        ("country".into(), "United Kingdom".into()),
        ("unit".into(), def.area_name.clone()),
        ("instance".into(), instance.into()),
        ("num_projects".into(), projects.len().to_string()),
        ("num_votes".into(), ballots.len().to_string()),
        ("budget".into(), fmt_q(&pounds(def.pot_pence))),
        ("vote_type".into(), vote_type.as_str().into()),
        ("rule".into(), def.rule.pabulib_rule().into()),
        ("date_begin".into(), begin),
        ("date_end".into(), end),
        ("currency".into(), "GBP".into()),
        ("language".into(), "en".into()),
        ("min_length".into(), "1".into()),
    ];
    match def.ballot {
        BallotType::Approval { max_choices } => {
            meta.push(("max_length".into(), max_choices.to_string()))
        }
        BallotType::Knapsack { limit_pence } => {
            meta.push(("max_sum_cost".into(), fmt_q(&pounds(limit_pence))))
        }
        BallotType::Cumulative {
            points,
            max_per_project,
        } => {
            meta.push(("max_sum_points".into(), points.to_string()));
            meta.push(("max_points".into(), max_per_project.to_string()));
        }
        BallotType::Ranking { max_ranks } => {
            meta.push(("max_length".into(), max_ranks.to_string()))
        }
    }
    meta.push((
        "comment".into(),
        "#1: Costs and the budget are in pounds (GBP) with exact pence. #2: Exported by levers from anonymised ballots; voter numbers follow random ballot identifiers and say nothing about who voted or when.".into(),
    ));
    let with_score = matches!(
        def.ballot,
        BallotType::Cumulative { .. } | BallotType::Ranking { .. }
    );
    let mut project_columns: Vec<String> = vec!["project_id".into(), "cost".into(), "votes".into()];
    if with_score {
        project_columns.push("score".into());
    }
    project_columns.extend(["name".to_string(), "category".to_string()]);
    let mut voters = Vec::with_capacity(ballots.len());
    for (i, b) in ballots.iter().enumerate() {
        let vote: Vec<u32> = b.ids().filter_map(|id| index.get(&id).copied()).collect();
        let points = matches!(def.ballot, BallotType::Cumulative { .. }).then(|| {
            b.items
                .iter()
                .map(|&(_, w)| q_int(i64::from(w)))
                .collect::<Vec<Q>>()
        });
        voters.push(Voter {
            id: (i + 1).to_string(),
            vote,
            points,
            values: Vec::new(),
            line: 0,
        });
    }
    let mut e = Election {
        meta,
        meta_lines: Vec::new(),
        project_columns,
        projects: projects
            .iter()
            .map(|p| Project {
                id: p.id.to_string(),
                cost: pounds(p.cost_pence),
                values: Vec::new(),
                line: 0,
            })
            .collect(),
        vote_columns: if matches!(def.ballot, BallotType::Cumulative { .. }) {
            vec!["voter_id".into(), "vote".into(), "points".into()]
        } else {
            vec!["voter_id".into(), "vote".into()]
        },
        voters,
        vote_type,
        budget: pounds(def.pot_pence),
    };
    let votes = e.counted_votes();
    let scores = e.counted_scores();
    for (i, p) in projects.iter().enumerate() {
        let mut vals = vec![
            p.id.to_string(),
            fmt_q(&pounds(p.cost_pence)),
            votes[i].to_string(),
        ];
        if with_score {
            vals.push(fmt_q(&scores[i]));
        }
        vals.extend([p.name.clone(), p.category.clone()]);
        e.projects[i].values = vals;
    }
    e
}

/// One project's result, with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectResult {
    pub id: i64,
    pub name: String,
    pub category: String,
    pub cost_pence: i64,
    /// Ballots that include it.
    pub votes: u64,
    /// Points (cumulative) or rank score (ranking), when the ballot has them.
    pub score: Option<u64>,
    pub funded: bool,
    /// Position in the order the rule funded projects (1 = first).
    pub funded_order: Option<usize>,
    /// Why, in sentences.
    pub explanation: Vec<String>,
}

/// A counted vote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountResult {
    pub rule: String,
    pub ballots: u64,
    pub pot_pence: i64,
    pub spent_pence: i64,
    /// Funded project ids in the order the rule chose them.
    pub selected: Vec<i64>,
    /// Projects in ballot order.
    pub projects: Vec<ProjectResult>,
    pub notes: Vec<String>,
    /// The election with its `selected` column: the file residents download.
    pub pb: String,
    /// For MES: each voter's share of the pot in the final run, in pence.
    pub share_per_voter_pence: Option<f64>,
}

/// Pence as an exact amount in pounds.
fn pounds(pence: i64) -> Q {
    Q::new(pence.into(), 100.into())
}

/// `2026-03-01` as Pabulib writes dates, `01.03.2026`.
fn pabulib_date(iso: &str) -> String {
    match (iso.get(0..4), iso.get(5..7), iso.get(8..10)) {
        (Some(y), Some(m), Some(d)) => format!("{d}.{m}.{y}"),
        _ => iso.to_string(),
    }
}

/// Counts a process: builds the election, runs the rule with its explanation, writes `selected`.
pub fn count(
    def: &ProcessDef,
    instance: &str,
    projects: &[CountProject],
    ballots: &[Ballot],
) -> Result<CountResult, RuleError> {
    let mut e = build_election(def, instance, projects, ballots);
    let spec = def.rule.spec();
    let out = run(&e, &spec, true)?;
    let funded: std::collections::HashSet<usize> = out.selected_idx.iter().copied().collect();
    e.project_columns.push("selected".into());
    for (i, p) in e.projects.iter_mut().enumerate() {
        p.values.push(if funded.contains(&i) {
            "1".into()
        } else {
            "0".into()
        });
    }
    let votes = e.counted_votes();
    let scores = e.counted_scores();
    let explanations = explain(def, &e, &out, &votes);
    let spent: i64 = out
        .selected_idx
        .iter()
        .map(|&i| projects[i].cost_pence)
        .sum();
    let share = match &out.explanation {
        Some(Explanation::Mes(m)) if !ballots.is_empty() => {
            Some(q_f64(&m.budget_per_voter.0) * 100.0)
        }
        _ => None,
    };
    let with_score = matches!(
        def.ballot,
        BallotType::Cumulative { .. } | BallotType::Ranking { .. }
    );
    let result_projects = projects
        .iter()
        .enumerate()
        .map(|(i, p)| ProjectResult {
            id: p.id,
            name: p.name.clone(),
            category: p.category.clone(),
            cost_pence: p.cost_pence,
            votes: votes[i],
            score: with_score.then(|| scores[i].to_integer().to_u64().unwrap_or(0)),
            funded: funded.contains(&i),
            funded_order: out.selected_idx.iter().position(|&s| s == i).map(|x| x + 1),
            explanation: explanations[i].clone(),
        })
        .collect();
    Ok(CountResult {
        rule: out.rule.clone(),
        ballots: ballots.len() as u64,
        pot_pence: def.pot_pence,
        spent_pence: spent,
        selected: out.selected_idx.iter().map(|&i| projects[i].id).collect(),
        projects: result_projects,
        notes: out.notes.clone(),
        pb: crate::writer::write(&e),
        share_per_voter_pence: share,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ballot::{BallotInput, BallotProject, validate};
    use crate::process::{AllocationRule, Area, PhaseDates};
    use proptest::prelude::*;

    fn def(ballot: BallotType, rule: AllocationRule, pot: i64) -> ProcessDef {
        ProcessDef {
            name: "Harbour; \"pilot\"".into(),
            slug: "harbour".into(),
            description: String::new(),
            area_name: "Harbour ward".into(),
            area: Area::Wards(vec!["X05000001".into()]),
            pot_pence: pot,
            ballot,
            rule,
            min_age: Some(16),
            shuffle: true,
            phases: vec![PhaseDates {
                phase: Phase::Voting,
                starts: "2026-03-01".into(),
                ends: "2026-03-14".into(),
            }],
        }
    }

    fn projects(costs: &[i64]) -> Vec<CountProject> {
        costs
            .iter()
            .enumerate()
            .map(|(i, &c)| CountProject {
                id: 10 + i as i64,
                name: format!("Project {}", i + 1),
                category: "parks".into(),
                cost_pence: c,
            })
            .collect()
    }

    #[test]
    fn the_exported_file_reproduces_the_count_and_explains_an_unfunded_popular_project() {
        // Ten voters want A and B (two big projects); four want C. Equal shares gives the four their
        // fair share (C), although B has more votes than C.
        let d = def(
            BallotType::Approval { max_choices: 3 },
            AllocationRule::EqualShares,
            1_400_000,
        );
        let ps = projects(&[700_000, 700_000, 400_000]);
        let mut ballots = Vec::new();
        for _ in 0..10 {
            ballots.push(Ballot {
                items: vec![(10, 1), (11, 1)],
            });
        }
        for _ in 0..4 {
            ballots.push(Ballot {
                items: vec![(12, 1)],
            });
        }
        let r = count(&d, "2026", &ps, &ballots).unwrap();
        assert!(r.spent_pence <= d.pot_pence);
        assert_eq!(r.selected.len(), 2);
        assert!(r.selected.contains(&12), "{:?}", r.selected);
        let unfunded = r.projects.iter().find(|p| !p.funded).unwrap();
        assert_eq!(unfunded.votes, 10);
        let text = unfunded.explanation.join(" ");
        assert!(
            text.contains(
                "More people voted for it than for one project funded by equal shares (Project 3)"
            ),
            "{text}"
        );
        let funded_c = r.projects.iter().find(|p| p.id == 12).unwrap();
        assert!(
            funded_c.explanation[0].starts_with("Funded in round"),
            "{:?}",
            funded_c.explanation
        );
        // The download reads back, `verify` recomputes it, and the strict check has no errors.
        let e = crate::read(&r.pb).unwrap();
        let v = crate::verify(&e);
        assert!(v.supported && v.matches, "{v:?}");
        let rep = crate::check(&r.pb, crate::Mode::Strict);
        assert_eq!(rep.errors, 0, "{:?}", rep.diagnostics);
    }

    #[test]
    fn greedy_with_points_and_ranks_is_verified_too() {
        for bt in [
            BallotType::Cumulative {
                points: 5,
                max_per_project: 5,
            },
            BallotType::Ranking { max_ranks: 3 },
            BallotType::Knapsack {
                limit_pence: 900_000,
            },
        ] {
            let d = def(bt, AllocationRule::Greedy, 1_000_000);
            let ps = projects(&[600_000, 300_000, 500_000]);
            let ballots = vec![
                Ballot {
                    items: if matches!(bt, BallotType::Cumulative { .. }) {
                        vec![(10, 4), (11, 1)]
                    } else {
                        vec![(10, 1), (11, 1)]
                    },
                },
                Ballot {
                    items: if matches!(bt, BallotType::Cumulative { .. }) {
                        vec![(12, 5)]
                    } else {
                        vec![(12, 1)]
                    },
                },
            ];
            let r = count(&d, "2026", &ps, &ballots).unwrap();
            let e = crate::read(&r.pb).unwrap();
            let v = crate::verify(&e);
            assert!(v.supported && v.matches, "{bt:?}: {v:?}");
            assert!(r.projects.iter().all(|p| !p.explanation.is_empty()));
            let rep = crate::check(&r.pb, crate::Mode::Strict);
            assert_eq!(rep.errors, 0, "{bt:?} {:?}", rep.diagnostics);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Whatever the ballots, the funded projects never cost more than the pot, and the file
        /// residents download reproduces the published outcome.
        #[test]
        fn budgets_are_never_exceeded_and_the_file_reproduces_the_result(
            costs in proptest::collection::vec(1_000i64..600_000, 1..7),
            pot in 100_000i64..1_500_000,
            raw in proptest::collection::vec(proptest::collection::vec((0usize..7, 1u32..4), 1..5), 0..40),
            kind in 0usize..4,
            greedy in any::<bool>(),
        ) {
            let bt = match kind {
                0 => BallotType::Approval { max_choices: 3 },
                1 => BallotType::Knapsack { limit_pence: pot },
                2 => BallotType::Cumulative { points: 6, max_per_project: 3 },
                _ => BallotType::Ranking { max_ranks: 3 },
            };
            let rule = if greedy { AllocationRule::Greedy } else { AllocationRule::EqualShares };
            let d = def(bt, rule, pot);
            let ps = projects(&costs);
            let bps: Vec<BallotProject> = ps.iter().map(|p| BallotProject { id: p.id, cost_pence: p.cost_pence }).collect();
            let mut ballots = Vec::new();
            for marks in &raw {
                let mut input = BallotInput::default();
                for (k, &(p, w)) in marks.iter().enumerate() {
                    let id = 10 + (p % costs.len()) as i64;
                    input.chosen.push(id);
                    input.points.push((id, w));
                    input.ranks.push((id, k as u32 + 1));
                }
                input.chosen.dedup();
                if let Ok(b) = validate(&bt, &bps, &input) {
                    ballots.push(b);
                }
            }
            let r = count(&d, "2026", &ps, &ballots).unwrap();
            prop_assert!(r.spent_pence <= pot);
            let e = crate::read(&r.pb).unwrap();
            prop_assert_eq!(e.voters.len(), ballots.len());
            let v = crate::verify(&e);
            prop_assert!(v.supported && v.matches, "{:?}", v);
        }
    }
}
