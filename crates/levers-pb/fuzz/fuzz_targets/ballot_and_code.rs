//! Fuzz target: what residents type (voting codes) and what the store hands back (encoded ballots)
//! never panic the parsers; a ballot that decodes is within its limits and encodes back to itself,
//! and a code that normalises normalises to itself again.
#![no_main]

use levers_pb::ballot::{Ballot, BallotProject};
use levers_pb::codes::normalise_code;
use levers_pb::process::BallotType;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(code) = normalise_code(&text) {
        assert_eq!(normalise_code(&code).as_deref(), Ok(code.as_str()));
    }
    let projects: Vec<BallotProject> = (1..=6)
        .map(|i| BallotProject {
            id: i,
            cost_pence: i * 1_000_00,
        })
        .collect();
    let types = [
        BallotType::Approval { max_choices: 3 },
        BallotType::Knapsack {
            limit_pence: 7_000_00,
        },
        BallotType::Cumulative {
            points: 10,
            max_per_project: 5,
        },
        BallotType::Ranking { max_ranks: 4 },
    ];
    for bt in &types {
        if let Ok(ballot) = Ballot::decode(bt, &projects, &text) {
            let again = Ballot::decode(bt, &projects, &ballot.encode(bt))
                .expect("an encoded ballot decodes");
            assert_eq!(again, ballot);
            if let BallotType::Knapsack { limit_pence } = bt {
                let spent: i64 = ballot
                    .items
                    .iter()
                    .map(|(id, _)| projects[*id as usize - 1].cost_pence)
                    .sum();
                assert!(spent <= *limit_pence);
            }
        }
    }
});
