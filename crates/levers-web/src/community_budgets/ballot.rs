//! The ballot page, shared by residents voting online and officers entering paper ballots: the rows
//! in each voter's order, the running total, and reading the marks from the form.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use levers_pb::ballot::{Ballot, BallotInput, BallotProject, Tally, tally};
use levers_pb::codes::{self, receipt_hash};
use levers_pb::process::BallotType;
use levers_store::pb_process::{BallotEntry, NewBallot, PbProcess};
use serde::Deserialize;

use super::common::{ProcessView, SECTION, random_u128};
use crate::error::AppError;
use crate::identity::Identity;
use crate::layout::{Chrome, FieldError, error_for};
use crate::page::{chrome, render_status};
use crate::show::money_short;
use crate::state::AppState;

/// A project row on the ballot page.
pub struct BallotRow {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub location: String,
    pub cost: String,
    pub chosen: bool,
    pub points: u32,
    pub rank: u32,
    /// (rank, selected) for the rank drop-down.
    pub rank_options: Vec<(u32, bool)>,
}

#[derive(Template)]
#[template(path = "pb/ballot.html")]
pub struct BallotPage {
    pub chrome: Chrome,
    pub p: ProcessView,
    /// The code as typed back (hidden field), or "" on the officers' paper form.
    pub code: String,
    pub rows: Vec<BallotRow>,
    pub tally: Tally,
    pub errors: Vec<FieldError>,
    /// "ballot" or "review".
    pub step: &'static str,
    /// Officers entering a paper ballot.
    pub paper: bool,
    pub max_points: u32,
    pub age_ok: bool,
    pub notice: Option<String>,
}

impl BallotPage {
    pub fn err(&self, f: &str) -> Option<&str> {
        error_for(&self.errors, f)
    }
    pub fn action(&self) -> String {
        if self.paper {
            format!("/community-budgets/{}/paper", self.p.slug)
        } else {
            format!("/community-budgets/{}/ballot", self.p.slug)
        }
    }
    pub fn kind(&self) -> &'static str {
        self.p.ballot_kind
    }
    /// Rows the voter marked, in the order shown (ranking: by rank).
    pub fn marked(&self) -> Vec<&BallotRow> {
        let mut m: Vec<&BallotRow> = self
            .rows
            .iter()
            .filter(|r| r.chosen || r.points > 0 || r.rank > 0)
            .collect();
        if self.p.ballot_kind == "ranking" {
            m.sort_by_key(|r| r.rank);
        }
        m
    }
}

pub(super) fn ballot_projects(p: &PbProcess) -> Vec<BallotProject> {
    p.ballot
        .iter()
        .flatten()
        .map(|b| BallotProject {
            id: b.id,
            cost_pence: b.cost_pence,
        })
        .collect()
}

/// A ballot form (online or paper). Its field names carry the project ids (`p` repeated for each
/// project chosen, `pts_12` for points, `rank_12` for ranks), so it is read as name/value pairs;
/// `code`, `action` (update, review, change, cast) and `age_ok` are plain fields.
#[derive(Deserialize)]
#[serde(transparent)]
pub struct BallotForm(Vec<(String, String)>);

impl BallotForm {
    /// A plain field's value, or "".
    pub(super) fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// What the voter marked.
    pub(super) fn input(&self) -> BallotInput {
        input_from_pairs(&self.0)
    }

    /// The voter's marks checked against the ballot: points that are not a whole number of 0 or
    /// more (−5, 2.5, "lots") are named as such, before the ballot's own rules are checked.
    pub(super) fn checked(
        &self,
        ballot: &BallotType,
        projects: &[levers_pb::ballot::BallotProject],
        input: &BallotInput,
    ) -> Result<levers_pb::ballot::Ballot, String> {
        let unreadable = self.0.iter().any(|(k, v)| {
            k.starts_with("pts_") && !v.trim().is_empty() && v.trim().parse::<u32>().is_err()
        });
        if unreadable {
            return Err("Give each project a whole number of points, 0 or more".into());
        }
        levers_pb::ballot::validate(ballot, projects, input).map_err(|e| e.to_string())
    }
}

fn input_from_pairs(f: &[(String, String)]) -> BallotInput {
    let mut input = BallotInput::default();
    for (k, v) in f {
        if k == "p" {
            if let Ok(id) = v.parse() {
                input.chosen.push(id);
            }
        } else if let Some(id) = k.strip_prefix("pts_").and_then(|x| x.parse::<i64>().ok()) {
            let v = v.trim();
            let pts = if v.is_empty() {
                0
            } else {
                v.parse::<u32>().unwrap_or(u32::MAX)
            };
            input.points.push((id, pts));
        } else if let Some(id) = k.strip_prefix("rank_").and_then(|x| x.parse::<i64>().ok()) {
            input.ranks.push((id, v.trim().parse::<u32>().unwrap_or(0)));
        }
    }
    input
}

fn ballot_rows(p: &PbProcess, input: &BallotInput, seed: Option<u64>) -> Vec<BallotRow> {
    let entries: Vec<&BallotEntry> = p.ballot.iter().flatten().collect();
    let order = match seed {
        Some(s) if p.def.shuffle => levers_pb::ballot::voter_order(entries.len(), s),
        _ => (0..entries.len()).collect(),
    };
    let max_rank = match p.def.ballot {
        BallotType::Ranking { max_ranks } => max_ranks,
        _ => 0,
    };
    order
        .into_iter()
        .map(|i| {
            let b = entries[i];
            let rank = input.ranks.iter().find(|r| r.0 == b.id).map_or(0, |r| r.1);
            BallotRow {
                id: b.id,
                name: b.name.clone(),
                description: b.description.clone(),
                location: b.location.clone(),
                cost: money_short(b.cost_pence),
                chosen: input.chosen.contains(&b.id),
                points: input.points.iter().find(|x| x.0 == b.id).map_or(0, |x| x.1),
                rank,
                rank_options: (1..=max_rank.min(entries.len() as u32))
                    .map(|r| (r, r == rank))
                    .collect(),
            }
        })
        .collect()
}

/// A checked ballot ready to store, with a fresh receipt number (returned to show the voter) and
/// a random ballot id: nothing links it to the code.
pub(super) fn new_ballot(p: &PbProcess, ballot: &Ballot) -> (String, NewBallot) {
    let receipt = codes::receipt_from_random(random_u128());
    let nb = NewBallot {
        ballot_id: format!("{:032x}", random_u128()),
        receipt_hash: receipt_hash(p.id, &receipt),
        content: ballot.encode(&p.def.ballot),
    };
    (receipt, nb)
}

/// The per-voter order seed: from the code's hash, so each voter's order is stable across steps
/// and differs between voters, and nothing needs storing.
pub(super) fn order_seed(hash: &str) -> u64 {
    u64::from_str_radix(&hash[hash.len().saturating_sub(16)..], 16).unwrap_or(0)
}

/// Who is filling in a ballot and what is marked so far.
#[derive(Clone, Copy)]
pub(super) struct Draft<'a> {
    /// The code as typed back (a hidden field online; the code box on the paper form).
    pub code: &'a str,
    /// The voter's own order of the projects (online), or None for the listed order (paper).
    pub seed: Option<u64>,
    pub input: &'a BallotInput,
    /// Officers entering a paper ballot.
    pub paper: bool,
    /// The voter has confirmed the minimum age (the officer checks it on paper ballots).
    pub age_ok: bool,
}

/// An empty paper ballot form.
pub(super) const PAPER: Draft<'static> = Draft {
    code: "",
    seed: None,
    input: &BallotInput {
        chosen: Vec::new(),
        points: Vec::new(),
        ranks: Vec::new(),
    },
    paper: true,
    age_ok: true,
};

/// The ballot page at `step` ("ballot" or "review"), 422 when there are errors.
pub(super) async fn ballot_page(
    state: &AppState,
    identity: &Identity,
    p: &PbProcess,
    draft: &Draft<'_>,
    step: &'static str,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let Draft {
        code,
        seed,
        input,
        paper,
        age_ok,
    } = *draft;
    let title = match (paper, step) {
        (true, _) => "Enter a paper ballot",
        (false, "review") => "Check your vote",
        _ => "Your ballot",
    };
    let chrome = chrome(state, identity, SECTION, title).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let max_points = match p.def.ballot {
        BallotType::Cumulative {
            max_per_project, ..
        } => max_per_project,
        _ => 0,
    };
    let page = BallotPage {
        chrome,
        p: ProcessView::new(p),
        code: code.to_string(),
        rows: ballot_rows(p, input, seed),
        tally: tally(&p.def.ballot, &ballot_projects(p), input),
        errors,
        step,
        paper,
        max_points,
        age_ok,
        notice,
    };
    render_status(status, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ballot_form_reads_choices_points_and_ranks() {
        let f: BallotForm = crate::form::parse(
            b"csrf_token=x&code=ABCD-EFGH&p=3&p=7&p=x&pts_3=2&pts_7=&pts_9=lots&rank_4=1&action=review",
        )
        .unwrap();
        assert_eq!(f.get("code"), "ABCD-EFGH");
        assert_eq!(f.get("action"), "review");
        assert_eq!(f.get("age_ok"), "");
        let input = f.input();
        assert_eq!(input.chosen, vec![3, 7]);
        assert_eq!(input.points, vec![(3, 2), (7, 0), (9, u32::MAX)]);
        assert_eq!(input.ranks, vec![(4, 1)]);
    }

    /// −5 or 2.5 points are refused as not whole numbers of points, not as 4,294,967,295 points.
    #[test]
    fn points_that_are_not_whole_numbers_are_named() {
        let bt = BallotType::Cumulative {
            points: 10,
            max_per_project: 5,
        };
        let projects = [levers_pb::ballot::BallotProject {
            id: 3,
            cost_pence: 100,
        }];
        for bad in ["-5", "2.5", "lots"] {
            let f: BallotForm = crate::form::parse(format!("p=3&pts_3={bad}").as_bytes()).unwrap();
            let e = f.checked(&bt, &projects, &f.input()).unwrap_err();
            assert!(e.contains("whole number of points"), "{bad}: {e}");
            assert!(!e.contains("4294967295"), "{e}");
        }
        let f: BallotForm = crate::form::parse(b"pts_3=4").unwrap();
        assert!(f.checked(&bt, &projects, &f.input()).is_ok());
    }
}
