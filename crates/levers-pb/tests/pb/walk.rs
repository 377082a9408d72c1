//! The add1 walk that jumps over budgets (the default) against the one-increment-at-a-time
//! reference walk: on every shared Pabulib file for every semantics, completion and satisfaction
//! (release builds), and as a property on generated small-budget elections.

use super::data::{pabulib_dir, valid_files};
use super::props::election;
use levers_pb::model::{Election, VoteType};
use levers_pb::num::{Q, q_int};
use levers_pb::read;
use levers_pb::rules::mes::{MesExplanation, Walk, mes_walk};
use levers_pb::rules::{Completion, Prepared, RuleKind, RuleSpec, Sat, Semantics};
use proptest::prelude::*;

const SEMANTICS: [Semantics; 3] = [
    Semantics::Pabutools,
    Semantics::Equalshares,
    Semantics::Checker,
];

fn run(prep: &Prepared<'_>, spec: &RuleSpec, walk: Walk) -> (Vec<usize>, MesExplanation) {
    let mut notes = Vec::new();
    mes_walk(prep, spec, true, &mut notes, walk).unwrap()
}

/// Asserts the jump walk gives the step walk's selection, final per-voter budget, run count and
/// explanation (rounds and payments); returns the step walk's number of runs.
fn same(prep: &Prepared<'_>, spec: &RuleSpec, what: &str) -> usize {
    let (a, ea) = run(prep, spec, Walk::Step);
    let (b, eb) = run(prep, spec, Walk::Jump);
    assert_eq!(a, b, "{what}: selection");
    assert_eq!(
        ea.budget_per_voter, eb.budget_per_voter,
        "{what}: budget per voter"
    );
    assert_eq!(ea.runs, eb.runs, "{what}: runs");
    assert_eq!(
        serde_json::to_string(&ea.rounds).unwrap(),
        serde_json::to_string(&eb.rounds).unwrap(),
        "{what}: rounds"
    );
    ea.runs
}

fn spec(sem: Semantics, c: Completion, s: Sat) -> RuleSpec {
    RuleSpec::new(RuleKind::Mes)
        .sat(s)
        .completion(c)
        .semantics(sem)
}

#[test]
fn jump_walk_equals_step_walk_on_every_shared_file() {
    let Some(dir) = pabulib_dir() else { return };
    if cfg!(debug_assertions) {
        eprintln!(
            "NOT RUN in a debug build (the step-by-step reference takes minutes there): run `cargo test --release -p levers-pb --test pb`"
        );
        return;
    }
    let files = valid_files(&dir);
    let elections: Vec<(String, Election)> = files
        .iter()
        .map(|f| {
            let name = f.file_name().unwrap().to_string_lossy().to_string();
            (name, read(&std::fs::read_to_string(f).unwrap()).unwrap())
        })
        .collect();
    // jobs: (file, semantics, satisfaction); the biggest walks first so two threads share the work
    let mut jobs = Vec::new();
    // Budapest's step-by-step reference takes minutes per semantics, so the test command leaves it
    // to LEVERS_PB_WALK_ALL=1 (and says so); every other shared file is compared every time.
    let all = std::env::var("LEVERS_PB_WALK_ALL").is_ok_and(|v| v == "1");
    if !all {
        eprintln!(
            "NOT RUN for Hungary_Budapest_2024: set LEVERS_PB_WALK_ALL=1 to compare its walks too (minutes)"
        );
    }
    for (i, (name, _)) in elections.iter().enumerate() {
        if !all && name.starts_with("Hungary_Budapest") {
            continue;
        }
        for sem in SEMANTICS {
            for s in [Sat::Cost, Sat::Cardinality] {
                // Budapest's step-by-step reference takes ~45 s per walk: cost satisfaction only
                if name.starts_with("Hungary_Budapest") && s == Sat::Cardinality {
                    continue;
                }
                jobs.push((i, sem, s));
            }
        }
    }
    jobs.sort_by_key(|&(i, _, _)| !elections[i].0.starts_with("Hungary_Budapest"));
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|sc| {
        for _ in 0..2 {
            sc.spawn(|| {
                loop {
                    let j = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(&(i, sem, s)) = jobs.get(j) else {
                        break;
                    };
                    let (name, e) = &elections[i];
                    let prep = Prepared::new(e);
                    let what = format!("{name} {} {}", sem.name(), s.name());
                    for c in [Completion::None, Completion::Utilitarian] {
                        same(&prep, &spec(sem, c, s), &format!("{what} {}", c.name()));
                    }
                    let add1 = spec(sem, Completion::Add1, s);
                    let steps = same(&prep, &add1, &format!("{what} add1"));
                    // add1u walks exactly as add1 and then completes: compare its walk with the
                    // reference add1 walk, and the whole outcome with the reference when cheap
                    let add1u = spec(sem, Completion::Add1U, s);
                    let (ref_sel, ref_ex) = run(&prep, &add1, Walk::Step);
                    let (sel, ex) = run(&prep, &add1u, Walk::Jump);
                    assert_eq!(&sel[..ref_sel.len()], &ref_sel[..], "{what} add1u prefix");
                    assert_eq!(ex.budget_per_voter, ref_ex.budget_per_voter, "{what} add1u");
                    assert_eq!(ex.runs, ref_ex.runs, "{what} add1u runs");
                    if steps <= 5_000 {
                        same(&prep, &add1u, &format!("{what} add1u"));
                    }
                }
            });
        }
    });
}

fn arb_small() -> impl Strategy<Value = (Election, i64)> {
    (
        prop::collection::vec(1i64..40, 1..7),
        5i64..120,
        prop::collection::vec(prop::collection::vec(0usize..7, 0..4), 1..30),
        prop::sample::select(vec![1i64, 2, 3, 7]),
    )
        .prop_map(|(c, b, v, inc)| (election(c, b, v, VoteType::Approval), inc))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn jump_walk_equals_step_walk_on_small_elections((e, inc) in arb_small(), third in proptest::bool::ANY) {
        let prep = Prepared::new(&e);
        // whole and fractional increments (a third of a unit reaches grid points below B/n)
        let inc = if third { Q::new(inc.into(), 3.into()) } else { q_int(inc) };
        for sem in SEMANTICS {
            for c in [Completion::Add1, Completion::Add1U] {
                for s in [Sat::Cost, Sat::Cardinality] {
                    let mut sp = spec(sem, c, s);
                    sp.increment = Some(inc.clone());
                    let (a, ea) = run(&prep, &sp, Walk::Step);
                    for walk in [Walk::Jump, Walk::JumpAlways] {
                        let (b, eb) = run(&prep, &sp, walk);
                        prop_assert_eq!(&a, &b, "{} {:?}", sp.label(), walk);
                        prop_assert_eq!(&ea.budget_per_voter, &eb.budget_per_voter, "{}", sp.label());
                        prop_assert_eq!(ea.runs, eb.runs, "{}", sp.label());
                    }
                }
            }
        }
    }
}
