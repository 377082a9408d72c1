//! Who may do what in each phase of a community budget process: the one table the web pages, the
//! CLI and the demo follow (the store enforces the same phases for ballots, counts and delivery).

use super::{Phase, ProcessDef};

/// Who is acting: a resident (no account) or a council officer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Resident,
    Officer,
}

/// Something a resident or an officer does with a process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See the process at all (its page, its place in the list). Officers see processes being set up.
    SeeProcess,
    /// Read the ideas residents sent and what became of each.
    ReadIdeas,
    /// Suggest an idea on the public form.
    SuggestIdea,
    /// Vote online with a code.
    VoteOnline,
    /// Check a receipt number against the ballots received and counted.
    CheckReceipt,
    /// Read the result. Officers may preview a count before it is published.
    ReadResults,
    /// Add projects or review ideas: anything that changes what goes on the ballot. Officers only.
    ChangeBallot,
    /// Change the pot, ballot type, allocation rule or web address. Officers only.
    ChangeVoteSettings,
    /// Make a batch of voting codes or register a resident with one. Officers only.
    IssueCodes,
    /// Cancel a code that must not vote. Officers only.
    CancelCode,
    /// Enter a paper ballot with its code. Officers only.
    EnterPaperBallot,
    /// Seal the ballot box and count. Officers only.
    Count,
    /// Record the delivery of funded projects. Officers only.
    TrackDelivery,
}

impl Action {
    pub const ALL: [Action; 13] = [
        Action::SeeProcess,
        Action::ReadIdeas,
        Action::SuggestIdea,
        Action::VoteOnline,
        Action::CheckReceipt,
        Action::ReadResults,
        Action::ChangeBallot,
        Action::ChangeVoteSettings,
        Action::IssueCodes,
        Action::CancelCode,
        Action::EnterPaperBallot,
        Action::Count,
        Action::TrackDelivery,
    ];

    /// Whether only officers may do it.
    pub fn officers_only(self) -> bool {
        matches!(
            self,
            Action::ChangeBallot
                | Action::ChangeVoteSettings
                | Action::IssueCodes
                | Action::CancelCode
                | Action::EnterPaperBallot
                | Action::Count
                | Action::TrackDelivery
        )
    }

    /// Whether `who` may do it while the process is in `phase`, and if not, why (a sentence to show).
    pub fn allowed(self, who: Who, phase: Phase) -> Result<(), &'static str> {
        if who == Who::Resident && self.officers_only() {
            return Err("Only council officers can do this");
        }
        let officer = who == Who::Officer;
        let ok = match self {
            Action::SeeProcess => officer || phase != Phase::Setup,
            Action::ReadIdeas => phase >= Phase::Review,
            Action::SuggestIdea => phase == Phase::Proposals,
            Action::VoteOnline => phase == Phase::Voting,
            Action::CheckReceipt => phase >= Phase::Voting,
            Action::ReadResults => officer || phase == Phase::Results,
            Action::ChangeBallot | Action::ChangeVoteSettings => phase < Phase::Voting,
            Action::IssueCodes => phase < Phase::Closed,
            Action::CancelCode => phase < Phase::Results,
            Action::EnterPaperBallot => matches!(phase, Phase::Voting | Phase::Closed),
            Action::Count => phase == Phase::Closed,
            Action::TrackDelivery => phase == Phase::Results,
        };
        if ok { Ok(()) } else { Err(self.refusal()) }
    }

    /// Why the action is refused in the wrong phase (a sentence to show).
    pub fn refusal(self) -> &'static str {
        match self {
            Action::SeeProcess => "This process is still being set up",
            Action::ReadIdeas => "The ideas are published once the review starts",
            Action::SuggestIdea => "This process is not taking ideas at the moment",
            Action::VoteOnline => "Voting is not open for this community budget",
            Action::CheckReceipt => "Receipts can be checked once voting has opened",
            Action::ReadResults => "The result has not been published",
            Action::ChangeBallot => "Voting has opened: the ballot can no longer change",
            Action::ChangeVoteSettings => {
                "Voting has opened, so the pot, ballot and rule can no longer change"
            }
            Action::IssueCodes => "Voting has closed: no more codes can be made",
            Action::CancelCode => {
                "The result has been published: cancelling a code now would change nothing"
            }
            Action::EnterPaperBallot => {
                "Paper ballots can be entered while voting is open, and after it closes until the result is published"
            }
            Action::Count => {
                "Votes are counted once voting has closed, before the result is published"
            }
            Action::TrackDelivery => "Delivery is tracked once the result is published",
        }
    }
}

impl Phase {
    /// Whether `who` may do `action` in this phase (see [`Action::allowed`]).
    pub fn allows(self, who: Who, action: Action) -> bool {
        action.allowed(who, self).is_ok()
    }

    /// The phases an officer may move the process on to from here, in order.
    pub fn next_phases(self) -> Vec<Phase> {
        Phase::ALL
            .into_iter()
            .filter(|to| self.can_move_to(*to).is_ok())
            .collect()
    }

    /// What moving a process into this phase does, as the officer's button says it.
    pub fn move_label(self) -> &'static str {
        match self {
            Phase::Proposals => "Open for ideas",
            Phase::Review => "Close ideas and start the review",
            Phase::Voting => "Open voting (freezes the ballot)",
            Phase::Closed => "Close voting",
            Phase::Results => "Publish the result",
            Phase::Setup => "Set up",
        }
    }
}

impl ProcessDef {
    /// A voter must confirm the minimum age, when the process sets one, before the ballot is cast.
    pub fn check_age(&self, confirmed: bool) -> Result<(), String> {
        match self.min_age {
            Some(age) if !confirmed => Err(format!("Confirm that you are {age} or older to vote")),
            _ => Ok(()),
        }
    }

    /// The instance written in the exported Pabulib file: the year voting starts, or `this_year`
    /// when no voting dates are planned.
    pub fn count_instance(&self, this_year: i32) -> String {
        self.dates(Phase::Voting)
            .map_or_else(|| this_year.to_string(), |d| d.starts[..4].to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::super::{AllocationRule, Area, BallotType, PhaseDates};
    use super::*;

    fn allowed_phases(who: Who, a: Action) -> Vec<Phase> {
        Phase::ALL
            .into_iter()
            .filter(|p| p.allows(who, a))
            .collect()
    }

    #[test]
    fn residents_follow_the_phases() {
        use Phase::*;
        let r = |a| allowed_phases(Who::Resident, a);
        assert_eq!(
            r(Action::SeeProcess),
            vec![Proposals, Review, Voting, Closed, Results]
        );
        assert_eq!(r(Action::ReadIdeas), vec![Review, Voting, Closed, Results]);
        assert_eq!(r(Action::SuggestIdea), vec![Proposals]);
        assert_eq!(r(Action::VoteOnline), vec![Voting]);
        assert_eq!(r(Action::CheckReceipt), vec![Voting, Closed, Results]);
        assert_eq!(r(Action::ReadResults), vec![Results]);
        for a in Action::ALL.into_iter().filter(|a| a.officers_only()) {
            assert!(r(a).is_empty(), "{a:?}");
            assert_eq!(
                a.allowed(Who::Resident, Voting),
                Err("Only council officers can do this")
            );
        }
    }

    #[test]
    fn officers_follow_the_phases() {
        use Phase::*;
        let o = |a| allowed_phases(Who::Officer, a);
        assert_eq!(o(Action::SeeProcess), Phase::ALL.to_vec());
        assert_eq!(o(Action::ReadResults), Phase::ALL.to_vec(), "a preview");
        assert_eq!(o(Action::ChangeBallot), vec![Setup, Proposals, Review]);
        assert_eq!(
            o(Action::ChangeVoteSettings),
            vec![Setup, Proposals, Review]
        );
        assert_eq!(
            o(Action::IssueCodes),
            vec![Setup, Proposals, Review, Voting]
        );
        assert_eq!(
            o(Action::CancelCode),
            vec![Setup, Proposals, Review, Voting, Closed]
        );
        assert_eq!(o(Action::EnterPaperBallot), vec![Voting, Closed]);
        assert_eq!(o(Action::Count), vec![Closed]);
        assert_eq!(o(Action::TrackDelivery), vec![Results]);
        assert_eq!(
            Action::ChangeBallot.allowed(Who::Officer, Voting),
            Err("Voting has opened: the ballot can no longer change")
        );
    }

    #[test]
    fn the_next_phases_are_the_allowed_moves() {
        use Phase::*;
        assert_eq!(Setup.next_phases(), vec![Proposals, Review, Voting]);
        assert_eq!(Voting.next_phases(), vec![Closed]);
        assert_eq!(Closed.next_phases(), vec![Results]);
        assert!(Results.next_phases().is_empty());
        assert_eq!(Voting.move_label(), "Open voting (freezes the ballot)");
    }

    #[test]
    fn the_age_is_confirmed_and_the_instance_is_the_voting_year() {
        let mut def = ProcessDef {
            name: "Harbour".into(),
            slug: "harbour".into(),
            description: String::new(),
            area_name: "Harbour ward".into(),
            area: Area::Wards(vec!["X05000001".into()]),
            pot_pence: 5_000_000,
            ballot: BallotType::Approval { max_choices: 3 },
            rule: AllocationRule::Greedy,
            min_age: None,
            shuffle: false,
            phases: vec![],
        };
        assert!(def.check_age(false).is_ok());
        assert_eq!(def.count_instance(2030), "2030");
        def.min_age = Some(16);
        assert_eq!(
            def.check_age(false).unwrap_err(),
            "Confirm that you are 16 or older to vote"
        );
        assert!(def.check_age(true).is_ok());
        def.phases.push(PhaseDates {
            phase: Phase::Voting,
            starts: "2026-03-01".into(),
            ends: "2026-03-14".into(),
        });
        assert_eq!(def.count_instance(2030), "2026");
    }
}
