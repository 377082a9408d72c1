//! Access to `../shared/data/pabulib`, and tests that read the shared files (verify, round trip,
//! strict check of the checker's examples, speed smoke test).

use levers_pb::{Mode, check, read, verify, write};
use std::path::PathBuf;

/// The shared Pabulib folder, or `None` (after printing why) when it is missing and `CI` is not
/// `true`. With `CI=true` a missing folder fails the test.
pub fn pabulib_dir() -> Option<PathBuf> {
    let base = std::env::var("LEVERS_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"))
        });
    let dir = base.join("pabulib");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "shared data folder {} is missing (CI=true requires it); set LEVERS_SHARED_DATA",
            dir.display()
        );
    }
    eprintln!(
        "NOT RUN: shared data folder {} is missing; set LEVERS_SHARED_DATA to run this test",
        dir.display()
    );
    None
}

/// All `.pb` files except the deliberately invalid one.
pub fn valid_files(dir: &PathBuf) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "pb") && !p.ends_with("checker_example_invalid.pb")
        })
        .collect();
    v.sort();
    v
}

fn strip_lines(mut e: levers_pb::Election) -> levers_pb::Election {
    e.meta_lines.iter_mut().for_each(|l| *l = 0);
    e.projects.iter_mut().for_each(|p| p.line = 0);
    e.voters.iter_mut().for_each(|v| v.line = 0);
    e
}

#[test]
fn verify_matches_every_verifiable_shared_file() {
    let Some(dir) = pabulib_dir() else { return };
    let mut checked = 0;
    for f in valid_files(&dir) {
        let e = read(&std::fs::read_to_string(&f).unwrap()).unwrap();
        let v = verify(&e);
        let rule = e.rule();
        let city = [
            "greedy",
            "greedy-no-skip",
            "greedy-threshold",
            "greedy-custom",
        ]
        .contains(&rule)
            || rule.starts_with("equalshares");
        if city && e.project_col("selected").is_some() {
            assert!(v.supported, "{}: {:?}", f.display(), v.reason);
            assert!(
                v.matches,
                "{}: official {:?} computed {:?}: {:?}",
                f.display(),
                v.official,
                v.computed,
                v.reason
            );
            assert!(!v.computed.is_empty());
            checked += 1;
        } else {
            assert!(!v.matches, "{}: nothing to match", f.display());
            assert!(v.reason.is_some());
        }
    }
    assert_eq!(
        checked, 9,
        "expected 9 verifiable files in the shared folder"
    );
}

#[test]
fn write_then_read_gives_same_instance() {
    let Some(dir) = pabulib_dir() else { return };
    for f in valid_files(&dir) {
        let e = read(&std::fs::read_to_string(&f).unwrap()).unwrap();
        let text = write(&e);
        let back = read(&text).unwrap_or_else(|err| panic!("{}: {err}", f.display()));
        assert!(
            strip_lines(e.clone()) == strip_lines(back),
            "{}: round trip differs",
            f.display()
        );
    }
}

#[test]
fn strict_check_on_checker_examples() {
    let Some(dir) = pabulib_dir() else { return };
    let ok = check(
        &std::fs::read_to_string(dir.join("checker_example_valid.pb")).unwrap(),
        Mode::Strict,
    );
    assert!(ok.valid, "{:?}", ok.diagnostics);
    let bad = check(
        &std::fs::read_to_string(dir.join("checker_example_invalid.pb")).unwrap(),
        Mode::Strict,
    );
    assert!(!bad.valid);
    let codes: Vec<&str> = bad.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert!(codes.contains(&"currency"), "{codes:?}");
    // The voter with id "290,67" (a comma in an id) and the sexes X and Z the format does not allow.
    let lines = |code: &str| {
        bad.diagnostics
            .iter()
            .filter(|d| d.code == code)
            .map(|d| d.line)
            .collect::<Vec<_>>()
    };
    assert_eq!(lines("voter-id"), vec![29]);
    assert_eq!(lines("sex"), vec![29, 30]);
    assert!(
        bad.diagnostics
            .iter()
            .all(|d| d.line > 0 || d.code.starts_with("missing")),
        "{:?}",
        bad.diagnostics
    );
    // the real city files pass the strict check with no errors
    for name in [
        "Poland_Warszawa_2017_Plac_Wojska_Polskiego.pb",
        "Netherlands_Assen_2024.pb",
        "Poland_Swiecie_2023.pb",
    ] {
        let r = check(
            &std::fs::read_to_string(dir.join(name)).unwrap(),
            Mode::Strict,
        );
        assert!(
            r.errors == 0,
            "{name}: {:?}",
            r.diagnostics
                .iter()
                .filter(|d| d.level == levers_pb::Level::Error)
                .collect::<Vec<_>>()
        );
    }
}

#[test]
fn identical_ballots_are_collapsed() {
    let Some(dir) = pabulib_dir() else { return };
    let e = read(&std::fs::read_to_string(dir.join("Poland_Wroclaw_2015_150_-_500.pb")).unwrap())
        .unwrap();
    let p = levers_pb::profile::Profile::new(&e);
    assert_eq!(p.num_voters, 131_778);
    assert!(p.ballots.len() <= 197, "{}", p.ballots.len());
    assert_eq!(
        p.ballots.iter().map(|b| b.multiplicity).sum::<u64>(),
        131_778
    );
}
