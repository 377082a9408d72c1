//! Property tests: budget never exceeded, greedy exhaustive, MES payments within budgets,
//! outcomes independent of ballot order, writer/reader round trip, reader never panics.

use levers_pb::model::{Election, Project, VoteType, Voter};
use levers_pb::num::{Q, q_int};
use levers_pb::rules::{Completion, Explanation, Prepared, RuleKind, RuleSpec, Sat, Semantics};
use levers_pb::{read, run_prepared, write};
use proptest::prelude::*;

pub fn election(costs: Vec<i64>, budget: i64, ballots: Vec<Vec<usize>>, vt: VoteType) -> Election {
    let projects: Vec<Project> = costs
        .iter()
        .enumerate()
        .map(|(i, c)| Project {
            id: format!("p{i}"),
            cost: q_int(*c),
            values: vec![format!("p{i}"), c.to_string()],
            line: 0,
        })
        .collect();
    let voters: Vec<Voter> = ballots
        .into_iter()
        .enumerate()
        .map(|(i, b)| {
            let mut b: Vec<u32> = b.into_iter().map(|x| (x % costs.len()) as u32).collect();
            b.dedup();
            let mut seen = std::collections::HashSet::new();
            b.retain(|x| seen.insert(*x));
            Voter {
                id: i.to_string(),
                vote: b,
                points: None,
                values: vec![i.to_string(), String::new()],
                line: 0,
            }
        })
        .collect();
    Election {
        meta: vec![
            ("budget".into(), budget.to_string()),
            ("vote_type".into(), vt.as_str().into()),
            ("rule".into(), "greedy".into()),
        ],
        meta_lines: vec![0; 3],
        project_columns: vec!["project_id".into(), "cost".into()],
        projects,
        vote_columns: vec!["voter_id".into(), "vote".into()],
        voters,
        vote_type: vt,
        budget: q_int(budget),
    }
}

fn specs() -> Vec<RuleSpec> {
    let mut v = vec![
        RuleSpec::new(RuleKind::Greedy),
        RuleSpec::new(RuleKind::GreedyNoSkip),
        RuleSpec::new(RuleKind::GreedyCustom),
        RuleSpec::new(RuleKind::Utilitarian).fund_unsupported(true),
        RuleSpec::new(RuleKind::Utilitarian).sat(Sat::Cardinality),
        RuleSpec::new(RuleKind::Phragmen),
        RuleSpec::new(RuleKind::MaxWelfare),
    ];
    for sem in [
        Semantics::Pabutools,
        Semantics::Equalshares,
        Semantics::Checker,
    ] {
        for c in [Completion::None, Completion::Add1, Completion::Add1U] {
            for s in [Sat::Cost, Sat::Cardinality] {
                let mut spec = RuleSpec::new(RuleKind::Mes)
                    .sat(s)
                    .completion(c)
                    .semantics(sem);
                spec.increment = Some(q_int(7));
                v.push(spec);
            }
        }
    }
    v
}

fn arb() -> impl Strategy<Value = Election> {
    (
        prop::collection::vec(1i64..60, 1..7),
        10i64..150,
        prop::collection::vec(prop::collection::vec(0usize..7, 0..4), 1..25),
    )
        .prop_map(|(c, b, v)| {
            // make the projects' votes column consistent for the city rules
            let mut e = election(c, b, v, VoteType::Approval);
            let counts = e.counted_votes();
            e.project_columns.push("votes".into());
            for (p, n) in e.projects.iter_mut().zip(counts) {
                p.values.push(n.to_string());
            }
            e
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn never_over_budget_and_greedy_exhaustive(e in arb()) {
        let prep = Prepared::new(&e);
        for spec in specs() {
            let o = run_prepared(&prep, &spec, true).unwrap();
            let total: Q = o.selected_idx.iter().map(|&p| e.projects[p].cost.clone()).sum();
            if spec.kind == RuleKind::GreedyCustom {
                // Poznań's rule may fund one last project costing up to 125% of what is left
                prop_assert!(total <= &e.budget * Q::new(5.into(), 4.into()), "{} over 125% of the budget", o.rule);
            } else {
                prop_assert!(total <= e.budget, "{} over budget", o.rule);
            }
            let mut s = o.selected_idx.clone();
            s.sort();
            s.dedup();
            prop_assert_eq!(s.len(), o.selected_idx.len(), "{} selects twice", o.rule);
            if matches!(spec.kind, RuleKind::Greedy) || (spec.kind == RuleKind::Utilitarian && spec.fund_unsupported) {
                let left = &e.budget - &total;
                for p in 0..e.projects.len() {
                    prop_assert!(o.selected_idx.contains(&p) || e.projects[p].cost > left, "{} not exhaustive", o.rule);
                }
            }
            if let Some(Explanation::Mes(m)) = &o.explanation {
                for r in &m.rounds {
                    let paid: Q = r.payments.iter().map(|g| &g.paid.0 * Q::from_integer(g.voters.into())).sum();
                    prop_assert_eq!(paid, r.cost.0.clone(), "round pays the cost");
                    for g in &r.payments {
                        prop_assert!(g.paid.0 <= m.budget_per_voter.0, "payment over a voter's budget");
                        prop_assert!(g.paid.0 >= q_int(0));
                    }
                }
                // replay: each voter pays min(what is left, price) for every funded project they
                // support; nobody ever pays more than their budget and each round collects the cost
                let mut left = vec![m.budget_per_voter.0.clone(); e.voters.len()];
                for r in &m.rounds {
                    let p = e.project_index(&r.project).unwrap() as u32;
                    let mut collected = q_int(0);
                    for (v, voter) in e.voters.iter().enumerate() {
                        if voter.vote.contains(&p) {
                            let pay = if left[v] < r.price_per_supporter.0 { left[v].clone() } else { r.price_per_supporter.0.clone() };
                            left[v] -= &pay;
                            collected += pay;
                            prop_assert!(left[v] >= q_int(0), "voter {} overspent", v);
                        }
                    }
                    prop_assert_eq!(collected, r.cost.0.clone(), "round {} does not collect the cost", r.round);
                }
            }
        }
    }

    #[test]
    fn ballot_order_does_not_matter(e in arb(), seed in 0u64..1000) {
        let mut f = e.clone();
        let n = f.voters.len();
        for i in 0..n {
            let j = ((seed as usize).wrapping_mul(31).wrapping_add(i * 17)) % n;
            f.voters.swap(i, j);
        }
        f.voters.reverse();
        let (pe, pf) = (Prepared::new(&e), Prepared::new(&f));
        for spec in specs() {
            let a = run_prepared(&pe, &spec, false).unwrap();
            let b = run_prepared(&pf, &spec, false).unwrap();
            prop_assert_eq!(a.selected, b.selected, "{}", a.rule);
        }
    }

    #[test]
    fn write_read_round_trip(e in arb()) {
        let mut e = e;
        e.meta.push(("description".into(), "a;b \"quoted\"".into()));
        e.meta_lines.push(0);
        let back = read(&write(&e)).unwrap();
        prop_assert_eq!(back.projects.iter().map(|p| (&p.id, &p.cost)).collect::<Vec<_>>(), e.projects.iter().map(|p| (&p.id, &p.cost)).collect::<Vec<_>>());
        prop_assert_eq!(back.voters.iter().map(|v| &v.vote).collect::<Vec<_>>(), e.voters.iter().map(|v| &v.vote).collect::<Vec<_>>());
        prop_assert_eq!(back.meta, e.meta);
    }

    #[test]
    fn reader_never_panics(s in "(META|PROJECTS|VOTES|key;value|project_id;cost|voter_id;vote|[0-9a-z;,\"\\. \n]{0,20}){0,30}") {
        let _ = levers_pb::check(&s, levers_pb::Mode::Strict);
        let _ = read(&s);
    }
}

#[test]
fn mes_voter_payments_never_exceed_budget_exact() {
    // 3 voters, budget 30: each has 10. p0 (cost 12) approved by all: each pays 4 and keeps 6;
    // p1 (cost 15) is approved by v0 only, p2 (cost 9) by v2 only: neither is affordable.
    let e = election(
        vec![12, 15, 9],
        30,
        vec![vec![0, 1], vec![0], vec![0, 2]],
        VoteType::Approval,
    );
    let prep = Prepared::new(&e);
    let o = run_prepared(&prep, &RuleSpec::new(RuleKind::Mes), true).unwrap();
    let Some(Explanation::Mes(m)) = o.explanation else {
        panic!()
    };
    assert_eq!(o.selected, vec!["p0"]);
    assert_eq!(m.rounds[0].price_per_supporter.0, q_int(4));
    // p1 unfunded: v0 has 6 left, needs 15
    let u = m.unfunded.iter().find(|u| u.project == "p1").unwrap();
    assert_eq!(u.shortfall.0, q_int(9));
    assert_eq!(u.more_supporters_needed, Some(1));
}
