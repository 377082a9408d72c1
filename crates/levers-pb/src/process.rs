//! A community budget process as a council runs it: area, pot, phases with dates, ballot type, the
//! allocation rule and a minimum age, with the checks an officer's settings must pass; and (in
//! [`actions`]) who may do what in each phase.

use serde::{Deserialize, Serialize};

use crate::rules::{Completion, RuleKind, RuleSpec, Sat, Semantics};

mod actions;
mod area;
pub use actions::{Action, Who};
pub use area::Area;

/// The stages of a process, in order. A process only moves forward.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Being set up by officers; not shown to the public.
    Setup,
    /// Residents submit ideas.
    Proposals,
    /// Officers check feasibility, set final costs, merge duplicates, accept or reject.
    Review,
    /// Residents vote with codes; the ballot (accepted projects) is frozen.
    Voting,
    /// Voting has closed; the ballot box is sealed and officers count.
    Closed,
    /// The result is published; delivery of funded projects is tracked.
    Results,
}

impl Phase {
    pub const ALL: [Phase; 6] = [
        Phase::Setup,
        Phase::Proposals,
        Phase::Review,
        Phase::Voting,
        Phase::Closed,
        Phase::Results,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Setup => "setup",
            Phase::Proposals => "proposals",
            Phase::Review => "review",
            Phase::Voting => "voting",
            Phase::Closed => "closed",
            Phase::Results => "results",
        }
    }
    pub fn parse(s: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.as_str() == s)
    }
    /// How residents see the phase.
    pub fn label(self) -> &'static str {
        match self {
            Phase::Setup => "Being set up",
            Phase::Proposals => "Ideas wanted",
            Phase::Review => "Ideas being reviewed",
            Phase::Voting => "Voting open",
            Phase::Closed => "Voting closed, counting",
            Phase::Results => "Results published",
        }
    }
    /// Whether an officer may move a process from `self` to `to`, and why not. Phases move forward;
    /// proposals and review may be skipped (officers can enter projects themselves), but voting can
    /// only close from voting and results only follow a closed vote (the count is checked elsewhere).
    pub fn can_move_to(self, to: Phase) -> Result<(), String> {
        if to <= self {
            return Err(format!(
                "A process cannot go back from \"{}\" to \"{}\"",
                self.label(),
                to.label()
            ));
        }
        match to {
            Phase::Closed if self != Phase::Voting => {
                Err("Voting can only close once it has opened".into())
            }
            Phase::Results if self != Phase::Closed => {
                Err("Results follow a closed, counted vote".into())
            }
            Phase::Voting if self > Phase::Voting => Err("Voting cannot reopen".into()),
            _ => Ok(()),
        }
    }
}

/// A planned phase with its dates (ISO `YYYY-MM-DD`, inclusive), shown to residents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhaseDates {
    pub phase: Phase,
    pub starts: String,
    pub ends: String,
}

/// Checks an ISO date `YYYY-MM-DD` (a real calendar date).
pub fn valid_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().ok();
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1900..=2200).contains(&y) && (1..=days).contains(&d)
}

/// Checks a phase plan: real dates, each phase ending on or after it starts, phases in order and
/// not overlapping. Returns the message for the first problem.
pub fn check_phase_plan(plan: &[PhaseDates]) -> Result<(), String> {
    let mut last_end: Option<&str> = None;
    let mut last_phase: Option<Phase> = None;
    for p in plan {
        for (what, d) in [("start", &p.starts), ("end", &p.ends)] {
            if !valid_date(d) {
                return Err(format!(
                    "The {what} date of \"{}\" must be a real date like 2026-05-01",
                    p.phase.label()
                ));
            }
        }
        if p.ends < p.starts {
            return Err(format!(
                "\"{}\" must end on or after the day it starts",
                p.phase.label()
            ));
        }
        if let Some(lp) = last_phase
            && p.phase <= lp
        {
            return Err("List the phases in order".into());
        }
        if let Some(le) = last_end
            && p.starts.as_str() < le
        {
            return Err(format!(
                "\"{}\" must start after the phase before it ends",
                p.phase.label()
            ));
        }
        last_end = Some(&p.ends);
        last_phase = Some(p.phase);
    }
    Ok(())
}

/// What a ballot asks of a voter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BallotType {
    /// Choose up to `max_choices` projects.
    Approval { max_choices: u32 },
    /// Choose projects whose costs add up to at most `limit_pence` ("knapsack" voting).
    Knapsack { limit_pence: i64 },
    /// Share `points` points among projects, at most `max_per_project` on any one.
    Cumulative { points: u32, max_per_project: u32 },
    /// Rank up to `max_ranks` projects, favourite first.
    Ranking { max_ranks: u32 },
}

impl BallotType {
    pub fn kind(&self) -> &'static str {
        match self {
            BallotType::Approval { .. } => "approval",
            BallotType::Knapsack { .. } => "knapsack",
            BallotType::Cumulative { .. } => "cumulative",
            BallotType::Ranking { .. } => "ranking",
        }
    }
    /// The Pabulib `vote_type`.
    pub fn vote_type(&self) -> crate::VoteType {
        match self {
            BallotType::Approval { .. } | BallotType::Knapsack { .. } => crate::VoteType::Approval,
            BallotType::Cumulative { .. } => crate::VoteType::Cumulative,
            BallotType::Ranking { .. } => crate::VoteType::Ordinal,
        }
    }
    /// The instruction at the top of the ballot.
    pub fn instruction(&self) -> String {
        match self {
            BallotType::Approval { max_choices } => format!(
                "Choose up to {max_choices} project{} you would like to see funded.",
                plural(*max_choices)
            ),
            BallotType::Knapsack { limit_pence } => {
                format!(
                    "Choose the projects you would fund, up to a total of {}.",
                    levers_pence(*limit_pence)
                )
            }
            BallotType::Cumulative {
                points,
                max_per_project,
            } => format!(
                "Share {points} points among the projects: give more points to the projects you care about most (at most {max_per_project} to any one project)."
            ),
            BallotType::Ranking { max_ranks } => format!(
                "Rank up to {max_ranks} project{} in order of preference: 1 is your favourite.",
                plural(*max_ranks)
            ),
        }
    }
    /// Checks the settings against the pot.
    pub fn check(&self, pot_pence: i64) -> Result<(), String> {
        match *self {
            BallotType::Approval { max_choices } if !(1..=100).contains(&max_choices) => {
                Err("The number of choices must be between 1 and 100".into())
            }
            BallotType::Knapsack { limit_pence } if limit_pence <= 0 => {
                Err("The spending limit must be more than £0".into())
            }
            BallotType::Knapsack { limit_pence } if limit_pence > pot_pence => {
                Err("The spending limit cannot be more than the pot".into())
            }
            BallotType::Cumulative { points, .. } if !(1..=1000).contains(&points) => {
                Err("The points to share must be between 1 and 1,000".into())
            }
            BallotType::Cumulative {
                points,
                max_per_project,
            } if max_per_project == 0 || max_per_project > points => Err(
                "The most points for one project must be between 1 and the points to share".into(),
            ),
            BallotType::Ranking { max_ranks } if !(1..=100).contains(&max_ranks) => {
                Err("The number of ranks must be between 1 and 100".into())
            }
            _ => Ok(()),
        }
    }
}

fn plural(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `£1,234.56`, or `£1,234` for whole pounds: how ballots, results and their explanations show money
/// (through `levers_core::Money`).
pub fn levers_pence(p: i64) -> String {
    let s = levers_core::Money::from_pence(p).to_string();
    s.strip_suffix(".00").map(str::to_owned).unwrap_or(s)
}

/// How the money is allocated once voting closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AllocationRule {
    /// Method of Equal Shares with add1 completion then greedy by votes ("add1u"), equalshares.net
    /// semantics (exact, ties: cheaper first, then more votes).
    EqualShares,
    /// Most popular first: fund each project in order of votes (points, or rank score) while it fits.
    Greedy,
}

impl AllocationRule {
    pub fn as_str(self) -> &'static str {
        match self {
            AllocationRule::EqualShares => "equal_shares",
            AllocationRule::Greedy => "greedy",
        }
    }
    pub fn parse(s: &str) -> Option<AllocationRule> {
        match s {
            "equal_shares" => Some(AllocationRule::EqualShares),
            "greedy" => Some(AllocationRule::Greedy),
            _ => None,
        }
    }
    /// The levers-pb rule that counts this process.
    pub fn spec(self) -> RuleSpec {
        match self {
            AllocationRule::EqualShares => RuleSpec::new(RuleKind::Mes)
                .sat(Sat::Cost)
                .completion(Completion::Add1U)
                .semantics(Semantics::Equalshares),
            AllocationRule::Greedy => RuleSpec::new(RuleKind::Greedy),
        }
    }
    /// The Pabulib `rule` written in the exported file; `levers pb verify` recomputes it.
    pub fn pabulib_rule(self) -> &'static str {
        match self {
            AllocationRule::EqualShares => crate::verify::EQUALSHARES_ADD1U,
            AllocationRule::Greedy => "greedy",
        }
    }
    /// The `levers pb run` options that reproduce the count.
    pub fn cli_options(self) -> &'static str {
        match self {
            AllocationRule::EqualShares => "--rule mes --completion add1u --semantics equalshares",
            AllocationRule::Greedy => "--rule greedy",
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            AllocationRule::EqualShares => "Method of Equal Shares",
            AllocationRule::Greedy => "Most votes first (greedy)",
        }
    }
    /// The rule in plain English, for the results page.
    pub fn plain_english(self, ballot: &BallotType) -> Vec<String> {
        let support = match ballot {
            BallotType::Cumulative { .. } => "gave it at least one point",
            BallotType::Ranking { .. } => "ranked it",
            _ => "chose it",
        };
        match self {
            AllocationRule::EqualShares => vec![
                "The pot was shared equally among everyone who voted: each voter controlled the same slice of the money.".into(),
                format!("A project was funded when the people who {support} could pay its cost together from their slices, sharing it as equally as possible. Round by round, the project whose supporters could fund it while each paid the least was chosen first; ties went to the cheaper project, then to the one with more supporters."),
                "People who had already spent their slice on projects they backed had less left for later ones, so a group of voters that agrees on many projects cannot take the whole pot: every group gets a fair share.".into(),
                "When no further project could be paid for this way, each voter's slice was raised a pound at a time for as long as the result still fitted the pot and money that could fund another project was left (the \"add one\" completion), and any money still left funded the projects with the most supporters that fitted.".into(),
                match ballot {
                    BallotType::Cumulative { .. } => "With points ballots, this rule counts a project as supported by everyone who gave it any points; how many points does not change the shares.".into(),
                    BallotType::Ranking { .. } => "With ranked ballots, this rule counts a project as supported by everyone who ranked it; the order of ranking does not change the shares.".into(),
                    _ => "The whole pot is never exceeded.".into(),
                },
            ],
            AllocationRule::Greedy => vec![
                match ballot {
                    BallotType::Cumulative { .. } => "Projects were ranked by the total points residents gave them.".into(),
                    BallotType::Ranking { .. } => "Projects were ranked by a points score: on each ballot a project ranked first gets as many points as projects the voter ranked, the next one less, and so on down to 1.".into(),
                    _ => "Projects were ranked by how many residents chose them.".into(),
                },
                "Going down that list, each project was funded if its cost still fitted in what was left of the pot; a project that did not fit was skipped and the next one tried. Ties keep the order projects were listed in.".into(),
            ],
        }
    }
}

/// Everything that defines a process apart from its projects, as an officer sets it up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessDef {
    pub name: String,
    /// A short web address part, lowercase letters, digits and hyphens.
    pub slug: String,
    pub description: String,
    pub area_name: String,
    pub area: Area,
    pub pot_pence: i64,
    pub ballot: BallotType,
    pub rule: AllocationRule,
    /// Youngest age allowed to vote, if the process sets one (voters confirm it on the ballot).
    pub min_age: Option<u8>,
    /// Show each voter the projects in their own random order (removes position bias).
    pub shuffle: bool,
    pub phases: Vec<PhaseDates>,
}

impl ProcessDef {
    /// Every problem with the settings, as (field, message) pairs for the form.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let name = self.name.trim();
        if name.is_empty() {
            out.push(("name", "Enter a name for the process".to_string()));
        } else if name.chars().count() > 120 {
            out.push((
                "name",
                "The name must be 120 characters or fewer".to_string(),
            ));
        }
        if self.slug.is_empty()
            || self.slug.len() > 60
            || !self
                .slug
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            || self.slug.starts_with('-')
        {
            out.push(("slug", "The web address must be 1 to 60 lowercase letters, digits and hyphens, like harbour-2026".to_string()));
        }
        if self.description.chars().count() > 5000 {
            out.push((
                "description",
                "The description must be 5,000 characters or fewer".to_string(),
            ));
        }
        if self.area_name.trim().is_empty() {
            out.push((
                "area_name",
                "Enter the name of the area, like Harbour ward".to_string(),
            ));
        }
        if self.pot_pence <= 0 {
            out.push(("pot", "Enter a pot of more than £0".to_string()));
        } else if self.pot_pence > 100_000_000_000 {
            out.push(("pot", "The pot must be £1,000,000,000 or less".to_string()));
        }
        if let Err(m) = self.ballot.check(self.pot_pence.max(1)) {
            out.push(("ballot_type", m));
        }
        if let Some(a) = self.min_age
            && !(10..=25).contains(&a)
        {
            out.push((
                "min_age",
                "The minimum age must be between 10 and 25, or left blank".to_string(),
            ));
        }
        if let Err(m) = check_phase_plan(&self.phases) {
            out.push(("phases", m));
        }
        out
    }

    /// Dates of a phase, if planned.
    pub fn dates(&self, phase: Phase) -> Option<&PhaseDates> {
        self.phases.iter().find(|p| p.phase == phase)
    }
}

/// Turns a name into a web address part: `Harbour 2026!` → `harbour-2026`.
pub fn slugify(name: &str) -> String {
    let mut s = String::new();
    for ch in name.chars() {
        if ch.is_ascii_alphanumeric() {
            s.push(ch.to_ascii_lowercase());
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    let s = s.trim_end_matches('-');
    s.chars()
        .take(60)
        .collect::<String>()
        .trim_end_matches('-')
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_only_move_forward_and_results_follow_a_closed_vote() {
        assert!(Phase::Setup.can_move_to(Phase::Proposals).is_ok());
        assert!(
            Phase::Setup.can_move_to(Phase::Voting).is_ok(),
            "officers may enter projects themselves"
        );
        assert!(Phase::Voting.can_move_to(Phase::Review).is_err());
        assert!(Phase::Review.can_move_to(Phase::Closed).is_err());
        assert!(Phase::Voting.can_move_to(Phase::Results).is_err());
        assert!(Phase::Voting.can_move_to(Phase::Closed).is_ok());
        assert!(Phase::Closed.can_move_to(Phase::Results).is_ok());
        assert!(Phase::Results.can_move_to(Phase::Results).is_err());
        for p in Phase::ALL {
            assert_eq!(Phase::parse(p.as_str()), Some(p));
        }
    }

    #[test]
    fn dates_and_plans_are_checked() {
        assert!(
            valid_date("2024-02-29")
                && !valid_date("2023-02-29")
                && !valid_date("2026-13-01")
                && !valid_date("26-01-01")
        );
        let d = |phase, s: &str, e: &str| PhaseDates {
            phase,
            starts: s.into(),
            ends: e.into(),
        };
        assert!(
            check_phase_plan(&[
                d(Phase::Proposals, "2026-01-01", "2026-01-31"),
                d(Phase::Voting, "2026-02-01", "2026-02-14")
            ])
            .is_ok()
        );
        assert!(
            check_phase_plan(&[
                d(Phase::Proposals, "2026-01-01", "2026-01-31"),
                d(Phase::Voting, "2026-01-20", "2026-02-14")
            ])
            .is_err()
        );
        assert!(check_phase_plan(&[d(Phase::Voting, "2026-02-01", "2026-01-14")]).is_err());
        assert!(
            check_phase_plan(&[
                d(Phase::Voting, "2026-02-01", "2026-02-14"),
                d(Phase::Proposals, "2026-03-01", "2026-03-02")
            ])
            .is_err()
        );
    }

    #[test]
    fn areas_parse_and_name_bad_codes() {
        assert_eq!(
            Area::parse("wards", "x05000001, X05000002\nX05000001").unwrap(),
            Area::Wards(vec!["X05000001".into(), "X05000002".into()])
        );
        assert!(
            Area::parse("wards", "E01000001")
                .unwrap_err()
                .contains("E01000001")
        );
        assert_eq!(
            Area::parse("postcodes", "xl12ab\nXL1 2AB").unwrap(),
            Area::Postcodes(vec!["XL1 2AB".into()])
        );
        assert!(Area::parse("lsoas", "").is_err());
    }

    #[test]
    fn settings_are_checked() {
        let def = ProcessDef {
            name: "Harbour".into(),
            slug: slugify("Harbour 2026!"),
            description: String::new(),
            area_name: "Harbour ward".into(),
            area: Area::Wards(vec!["X05000001".into()]),
            pot_pence: 5_000_000,
            ballot: BallotType::Knapsack {
                limit_pence: 6_000_000,
            },
            rule: AllocationRule::EqualShares,
            min_age: Some(5),
            shuffle: true,
            phases: vec![],
        };
        assert_eq!(def.slug, "harbour-2026");
        let fields: Vec<&str> = def.problems().iter().map(|p| p.0).collect();
        assert_eq!(fields, vec!["ballot_type", "min_age"]);
        assert_eq!(levers_pence(123_456_789), "£1,234,567.89");
        assert_eq!(levers_pence(500_000), "£5,000");
        assert_eq!(levers_pence(-1_050), "-£10.50");
        assert_eq!(levers_pence(7), "£0.07");
        assert!(
            BallotType::Cumulative {
                points: 10,
                max_per_project: 11
            }
            .check(1)
            .is_err()
        );
    }
}
