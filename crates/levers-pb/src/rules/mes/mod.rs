//! Method of Equal Shares in exact rationals, with pabutools, equalshares.net and Pabulib-checker
//! semantics, add1/add1u/utilitarian completions and a "who paid what" explanation.
//!
//! Voters whose ballots contain the same set of projects are merged, and voters with equal
//! remaining budgets are kept as one "level", so each round costs O(projects × levels) exact
//! operations instead of O(projects × voters). Runs use a hybrid float/exact pass (`hybrid`) that
//! keeps only each group's level and gathers a project's levels when it is evaluated; the add1
//! walk (`walk`) jumps over the budgets at which the outcome provably cannot change.

mod bounds;
mod chunks;
mod ctx;
mod cursor;
mod exact;
mod gathered;
mod hybrid;
mod lazy;
mod reach;
mod recheck;
mod types;
mod walk;

pub use cursor::{MAX_RUNS, PLAIN_STEPS, Walk};
pub use types::{MesExplanation, MesRound, PaymentGroup, Unfunded};

use super::{Completion, Num, Prepared, RuleError, RuleSpec, Sat, Semantics, utilitarian};
use crate::num::{Q, floor_q, q_f64, q_int, q_u};
use ctx::{Ctx, Run};
use num_traits::{ToPrimitive, Zero};
use walk::{WalkEnd, WalkIn, total};

/// Runs MES with the spec's satisfaction, completion and semantics. Returns the selection order.
pub fn mes(
    prep: &Prepared<'_>,
    spec: &RuleSpec,
    explain: bool,
    notes: &mut Vec<String>,
) -> Result<(Vec<usize>, MesExplanation), RuleError> {
    mes_walk(prep, spec, explain, notes, Walk::Jump)
}

/// `mes` with a chosen add1 walk: `Walk::Step` is the one-increment-at-a-time reference that
/// tests compare the default (`Walk::Jump`) against.
pub fn mes_walk(
    prep: &Prepared<'_>,
    spec: &RuleSpec,
    explain: bool,
    notes: &mut Vec<String>,
    walk: Walk,
) -> Result<(Vec<usize>, MesExplanation), RuleError> {
    let e = prep.e;
    let g = &prep.groups;
    let n = e.projects.len();
    let sem = spec.semantics;
    let floor = sem == Semantics::Checker;
    let costs: Vec<Q> = e
        .projects
        .iter()
        .map(|p| {
            if floor {
                floor_q(&p.cost)
            } else {
                p.cost.clone()
            }
        })
        .collect();
    let budget = if floor {
        floor_q(&e.budget)
    } else {
        e.budget.clone()
    };
    let sat: Vec<Q> = (0..n)
        .map(|p| match spec.sat {
            Sat::Cost => costs[p].clone(),
            Sat::Cardinality => q_int(1),
        })
        .collect();
    let ranks = spec.effective_tie().ranks(e, &g.support);
    let voters = g.num_voters;
    let mut initial: Vec<usize> = Vec::new();
    let mut candidates = Vec::new();
    for p in 0..n {
        if g.support[p] == 0 || sat[p].is_zero() {
            continue;
        }
        if costs[p] > q_int(0) {
            candidates.push(p);
        } else if sem == Semantics::Pabutools {
            initial.push(p);
        }
    }
    initial.sort_by_key(|&p| ranks[p]);
    let costs_f: Vec<f64> = costs.iter().map(q_f64).collect();
    let sat_f: Vec<f64> = sat.iter().map(q_f64).collect();
    let sup_m: Vec<Vec<(u32, u32)>> = g
        .supporters
        .iter()
        .map(|v| {
            v.iter()
                .map(|&gi| {
                    let m = u32::try_from(g.mult[gi as usize]).map_err(|_| {
                        RuleError("more than 4,294,967,295 identical ballots".into())
                    })?;
                    Ok((gi, m))
                })
                .collect()
        })
        .collect::<Result<_, RuleError>>()?;
    let ctx = Ctx {
        prep,
        costs: costs.clone(),
        costs_f,
        sat_f,
        sat,
        ranks: ranks.clone(),
        candidates: candidates.clone(),
        sup_m,
        level_hint: std::sync::atomic::AtomicUsize::new(1),
    };
    if voters == 0 {
        let ex = MesExplanation {
            semantics: sem.name().into(),
            budget_per_voter: Num(q_int(0)),
            runs: 0,
            runs_computed: 0,
            rounds: vec![],
            unfunded: vec![],
            completion_added: vec![],
        };
        return Ok((initial, ex));
    }
    let start = &budget / q_u(voters);
    let inc = spec.increment.clone().unwrap_or_else(|| q_int(1));
    if inc <= q_int(0) {
        return Err(RuleError("the add1 increment must be positive".into()));
    }
    let add1 = matches!(spec.completion, Completion::Add1 | Completion::Add1U);
    let init_cost = total(&costs, &initial);
    let input = WalkIn {
        budget: &budget,
        start: &start,
        inc: &inc,
        voters,
        init_cost: &init_cost,
        all_projects: n,
    };
    let end = if !add1 {
        let cur = ctx.outcome(&start, false, None, None).selected;
        WalkEnd {
            cur,
            per_voter: start.clone(),
            runs: 1,
            computed: 1,
            stopped_at_limit: false,
        }
    } else {
        let end = match sem {
            Semantics::Pabutools => ctx.walk_pabutools(&input, walk),
            Semantics::Equalshares => ctx.walk_equalshares(&input, walk, true),
            Semantics::Checker => ctx.walk_equalshares(&input, walk, false),
        };
        #[cfg(debug_assertions)]
        if walk != Walk::Step && end.runs <= 3_000 && g.sets.len() * candidates.len() <= 20_000 {
            let step = match sem {
                Semantics::Pabutools => ctx.walk_pabutools(&input, Walk::Step),
                Semantics::Equalshares => ctx.walk_equalshares(&input, Walk::Step, true),
                Semantics::Checker => ctx.walk_equalshares(&input, Walk::Step, false),
            };
            debug_assert_eq!(
                (&end.cur, &end.per_voter, end.runs),
                (&step.cur, &step.per_voter, step.runs),
                "add1 jump walk differs from the step-by-step walk"
            );
        }
        end
    };
    if end.stopped_at_limit {
        notes.push(format!("add1 stopped after {MAX_RUNS} runs"));
    }
    let WalkEnd {
        cur,
        per_voter,
        runs,
        computed,
        stopped_at_limit,
    } = end;
    let final_run = if explain {
        // the walk's outcome is the run's at `per_voter` (except past the limit, where the
        // per-voter budget reported stays B/n): replay its winners exactly for the detail
        let replayed = (!stopped_at_limit)
            .then(|| ctx.replay(&per_voter, &cur))
            .flatten();
        #[cfg(debug_assertions)]
        if let Some(r) = &replayed
            && g.sets.len() * candidates.len() <= 200_000
        {
            let full = ctx.run(&per_voter, true);
            debug_assert_eq!(
                (&r.selected, &r.rounds, &r.money_left),
                (&full.selected, &full.rounds, &full.money_left),
                "the replayed detail differs from the exact run"
            );
        }
        replayed.unwrap_or_else(|| ctx.run(&per_voter, true))
    } else {
        Run {
            selected: cur,
            rounds: Vec::new(),
            money_left: Vec::new(),
        }
    };
    let mut selected = initial.clone();
    selected.extend(final_run.selected.iter().copied());
    let mes_part = selected.clone();
    let mut completion_added = Vec::new();
    if matches!(spec.completion, Completion::Add1U | Completion::Utilitarian) {
        let before = selected.len();
        match sem {
            Semantics::Pabutools => {
                let (sel, _) = utilitarian::greedy_utilitarian(
                    prep,
                    spec.sat,
                    &ranks,
                    &selected,
                    spec.fund_unsupported,
                );
                selected = sel;
            }
            _ => {
                selected = votes_completion(prep, &costs, &budget, &selected);
            }
        }
        completion_added = selected[before..]
            .iter()
            .map(|&p| e.projects[p].id.clone())
            .collect();
    }
    let mut unfunded = Vec::new();
    if explain {
        #[allow(clippy::needless_range_loop)]
        for p in 0..n {
            if mes_part.contains(&p) {
                continue;
            }
            let left = final_run.money_left.get(p).cloned().unwrap_or_else(Q::zero);
            let short = &costs[p] - &left;
            let more = if short > q_int(0) && per_voter > q_int(0) {
                (&short / &per_voter).ceil().to_integer().to_u64()
            } else {
                Some(0)
            };
            unfunded.push(Unfunded {
                project: e.projects[p].id.clone(),
                cost: Num(costs[p].clone()),
                supporters: g.support[p],
                supporters_money_left: Num(left.clone()),
                shortfall: Num(short),
                effective_support_percent: if costs[p].is_zero() {
                    0.0
                } else {
                    100.0 * q_f64(&(left / &costs[p]))
                },
                more_supporters_needed: more,
                funded_by_completion: selected.contains(&p),
            });
        }
    }
    if runs > 1 {
        notes.push(format!(
            "add1: {runs} MES runs, final budget per voter {}",
            crate::num::fmt_q_approx(&per_voter, 4)
        ));
    }
    let ex = MesExplanation {
        semantics: sem.name().into(),
        budget_per_voter: Num(per_voter),
        runs,
        runs_computed: computed,
        rounds: final_run.rounds,
        unfunded,
        completion_added,
    };
    Ok((selected, ex))
}

/// equalshares.net / checker utilitarian completion: by number of supporters (stable on file
/// order), add every project that still fits.
pub fn votes_completion(
    prep: &Prepared<'_>,
    costs: &[Q],
    budget: &Q,
    already: &[usize],
) -> Vec<usize> {
    let g = &prep.groups;
    let mut order: Vec<usize> = (0..costs.len()).collect();
    order.sort_by(|&a, &b| g.support[b].cmp(&g.support[a]));
    let mut sel = already.to_vec();
    let mut cost = total(costs, &sel);
    for p in order {
        if sel.contains(&p) {
            continue;
        }
        if &cost + &costs[p] > *budget {
            continue;
        }
        cost += &costs[p];
        sel.push(p);
    }
    sel
}
