//! Pabulib reader in two modes: lenient (what pabutools 1.2.3 accepts) and strict (what the Pabulib
//! checker enforces), with errors and warnings that carry line numbers.

mod ballots;
mod diag;
mod parse;
mod strict;

pub use diag::{CheckReport, Diagnostic, Level, Mode, ParseError};

use crate::model::Election;
use parse::parse;
use strict::strict_checks;

/// Reads a Pabulib file leniently (pabutools semantics).
pub fn read(text: &str) -> Result<Election, ParseError> {
    let mut diags = Vec::new();
    parse(text, Mode::Lenient, &mut diags)
}

/// Reads and checks a Pabulib file. In strict mode every checker rule runs.
pub fn check(text: &str, mode: Mode) -> CheckReport {
    let mut diags = Vec::new();
    let election = match parse(text, mode, &mut diags) {
        Ok(e) => Some(e),
        Err(e) => {
            diags.push(Diagnostic {
                level: Level::Error,
                line: e.line,
                code: "unreadable".into(),
                message: e.message,
            });
            None
        }
    };
    if let (Some(e), Mode::Strict) = (&election, mode) {
        strict_checks(e, &mut diags);
    }
    diags.sort_by_key(|d| (d.line, d.level == Level::Warning));
    let errors = diags.iter().filter(|d| d.level == Level::Error).count();
    let warnings = diags.len() - errors;
    CheckReport {
        valid: errors == 0,
        errors,
        warnings,
        diagnostics: diags,
        election,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::num::q_int;

    const SMALL: &str = "META\nkey;value\ndescription;t\ncountry;X\nunit;U\ninstance;1\nnum_projects;2\nnum_votes;2\nbudget;10\nvote_type;approval\nrule;greedy\ndate_begin;2024\ndate_end;2024\nPROJECTS\nproject_id;cost;votes;name;selected\n1;6;2;\"A; b\";1\n2;5;1;B;0\nVOTES\nvoter_id;vote\nv1;1,2\nv2;1\n";

    #[test]
    fn reads_small_file() {
        let e = read(SMALL).unwrap();
        assert_eq!(e.projects.len(), 2);
        assert_eq!(e.projects[0].values[3], "A; b");
        assert_eq!(e.voters[0].vote, vec![0, 1]);
        assert_eq!(e.budget, q_int(10));
        let r = check(SMALL, Mode::Strict);
        assert!(r.valid, "{:?}", r.diagnostics);
    }

    #[test]
    fn strict_checks_voter_ids_and_sex() {
        let text = "META\nkey;value\ndescription;x\ncountry;X\nunit;X\ninstance;2024\nnum_projects;1\nnum_votes;2\nbudget;10\nvote_type;approval\nrule;greedy\nPROJECTS\nproject_id;cost\n1;5\nVOTES\nvoter_id;sex;vote\n290,67;M;1\n2;Z;1\n";
        let r = check(text, Mode::Strict);
        let codes: Vec<(&str, usize)> = r
            .diagnostics
            .iter()
            .map(|d| (d.code.as_str(), d.line))
            .collect();
        assert!(codes.contains(&("voter-id", 17)), "{codes:?}");
        assert!(codes.contains(&("sex", 18)), "{codes:?}");
    }

    #[test]
    fn strict_reports_count_mismatches_with_lines() {
        let bad = SMALL
            .replace("num_votes;2", "num_votes;5")
            .replace("v2;1\n", "v2;1\nv1;2\n");
        let r = check(&bad, Mode::Strict);
        assert!(!r.valid);
        assert!(
            r.diagnostics
                .iter()
                .any(|d| d.code == "num-votes-mismatch" && d.line == 8),
            "{:?}",
            r.diagnostics
        );
        assert!(
            r.diagnostics
                .iter()
                .any(|d| d.code == "duplicate-voter" && d.line == 22),
            "{:?}",
            r.diagnostics
        );
        // votes column now disagrees too
        assert!(r.diagnostics.iter().any(|d| d.code == "votes-mismatch"));
    }

    #[test]
    fn points_on_approval_and_unknown_project() {
        let bad = SMALL
            .replace("voter_id;vote\n", "voter_id;vote;points\n")
            .replace("v1;1,2\n", "v1;1,2;1,1\n");
        let r = check(&bad, Mode::Strict);
        assert!(r.diagnostics.iter().any(|d| d.code == "points-on-approval"));
        let bad = SMALL.replace("v2;1\n", "v2;9\n");
        let e = read(&bad).unwrap_err();
        assert_eq!(e.line, 21);
    }

    #[test]
    fn duplicate_project_is_fatal() {
        let bad = SMALL.replace("2;5;1;B;0", "1;5;1;B;0");
        assert!(read(&bad).is_err());
    }

    #[test]
    fn negative_costs_and_points_are_rejected_in_both_modes() {
        let neg_cost = SMALL.replace("2;5;1;B;0", "2;-5;1;B;0");
        for mode in [Mode::Lenient, Mode::Strict] {
            let r = check(&neg_cost, mode);
            assert!(!r.valid, "{mode:?}");
            assert!(
                r.diagnostics
                    .iter()
                    .any(|d| d.line == 17 && d.message.contains("negative cost")),
                "{:?}",
                r.diagnostics
            );
        }
        assert!(read(&neg_cost).is_err());
        let points = "META\nkey;value\nbudget;10\nvote_type;cumulative\nrule;greedy\nPROJECTS\nproject_id;cost\n1;6\n2;5\nVOTES\nvoter_id;vote;points\nv1;1,2;3,-1\n";
        let e = read(points);
        let msg = e.expect_err("negative points").to_string();
        assert!(
            msg.contains("line 12") && msg.contains("negative points"),
            "{msg}"
        );
        assert!(!check(points, Mode::Lenient).valid);
        assert!(read(&points.replace("3,-1", "3,1")).is_ok());
    }
}
