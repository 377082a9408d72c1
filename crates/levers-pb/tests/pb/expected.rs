//! Outcomes identical (as ordered lists) to pabutools 1.2.3, from the committed expectations in
//! `tests/expected/*.json` (regenerate with `scripts/pb/gen_expected.py`).

use super::data::pabulib_dir;
use levers_pb::rules::{Completion, Prepared, RuleKind, RuleSpec, Sat};
use levers_pb::{read, run_prepared};

fn spec_for(name: &str) -> RuleSpec {
    match name {
        "utilitarian_cost" => RuleSpec::new(RuleKind::Utilitarian)
            .sat(Sat::Cost)
            .fund_unsupported(true),
        "utilitarian_cardinality" => RuleSpec::new(RuleKind::Utilitarian)
            .sat(Sat::Cardinality)
            .fund_unsupported(true),
        "mes_cost" => RuleSpec::new(RuleKind::Mes).sat(Sat::Cost),
        "mes_cost_add1" => RuleSpec::new(RuleKind::Mes)
            .sat(Sat::Cost)
            .completion(Completion::Add1),
        "phragmen" => RuleSpec::new(RuleKind::Phragmen),
        other => panic!("unknown expectation {other}"),
    }
}

#[test]
fn outcomes_equal_pabutools() {
    let Some(dir) = pabulib_dir() else { return };
    let exp_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/expected");
    let mut files: Vec<_> = std::fs::read_dir(exp_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 15,
        "expectations missing: run scripts/pb/gen_expected.py"
    );
    let mut compared = 0;
    for f in files {
        let exp: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        let pb = dir.join(exp["file"].as_str().unwrap());
        let e = read(&std::fs::read_to_string(&pb).unwrap()).unwrap();
        let prep = Prepared::new(&e);
        for (name, want) in exp["outcomes"].as_object().unwrap() {
            let want: Vec<String> = want
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect();
            let slow = exp["seconds"][name.as_str()].as_f64().unwrap_or(0.0) > 60.0;
            if cfg!(debug_assertions) && slow && name == "mes_cost_add1" {
                eprintln!(
                    "NOT RUN in a debug build: {} {name} (pabutools needed >60 s; run `cargo test --release -p levers-pb`)",
                    pb.display()
                );
                continue;
            }
            let got = run_prepared(&prep, &spec_for(name), false).unwrap();
            let mut got = got.selected;
            if name == "phragmen" {
                // pabutools' sequential_phragmen returns its allocation sorted by project id
                got.sort();
            }
            assert_eq!(got, want, "{} {name}", pb.display());
            compared += 1;
        }
    }
    assert!(compared >= 60, "{compared}");
}
