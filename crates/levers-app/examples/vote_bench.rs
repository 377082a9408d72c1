//! Benchmark helper for `benches/pb/run.sh`: `vote_bench setup DB [BALLOTS]` puts the generated
//! £2,000,000 community budget vote (`levers_pb::generated::community_vote`: 60 projects, 50,000
//! approval ballots unless told) into a new database as a real process would have it: proposals
//! accepted at their costs, one voting code per ballot, every ballot cast through the store, the
//! vote closed. `levers community-budget count generated --database DB` then counts it, which is
//! what the benchmark times.

#[path = "common/cast.rs"]
mod cast;

use std::collections::HashMap;

use levers_pb::ballot::{BallotInput, BallotProject, validate};
use levers_pb::codes::{code_from_random, code_hash, receipt_from_random, receipt_hash};
use levers_pb::generated::{Lcg, community_vote};
use levers_pb::process::Phase;
use levers_store::pb_process::{NewBallot, NewProposal, Review};
use levers_store::{Actor, Store};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match (args.get(1).map(String::as_str), args.get(2)) {
        (Some("setup"), Some(db)) => {
            let n = match args.get(3) {
                Some(x) => x.parse()?,
                None => 50_000,
            };
            setup(db, n).await
        }
        _ => anyhow::bail!("usage: vote_bench setup DB [BALLOTS]"),
    }
}

async fn setup(db: &str, ballots: usize) -> anyhow::Result<()> {
    anyhow::ensure!(
        !std::path::Path::new(db).exists(),
        "{db} exists: give a new file"
    );
    let store = Store::open(db).await?;
    let actor = Actor::system("bench");
    let vote = community_vote(60, ballots);
    let mut def = vote.def.clone();
    // no dates: the phases are moved by hand below
    def.phases.clear();
    let p = store.create_pb_process(&actor, &def).await?;
    store.set_pb_phase(&actor, p.id, Phase::Proposals).await?;
    let mut proposals = Vec::new();
    for g in &vote.projects {
        let np = NewProposal {
            title: g.name.clone(),
            description: "Generated".into(),
            rough_cost_pence: Some(g.cost_pence),
            location: String::new(),
            category: g.category.clone(),
            contact: String::new(),
        };
        proposals.push((store.submit_pb_proposal(&actor, p.id, &np).await?, g));
    }
    store.set_pb_phase(&actor, p.id, Phase::Review).await?;
    for (id, g) in &proposals {
        let review = Review::Accept {
            final_cost_pence: g.cost_pence,
            reason: String::new(),
            feasibility: String::new(),
            title: String::new(),
        };
        store.review_pb_proposal(&actor, *id, &review).await?;
    }
    let p = store.set_pb_phase(&actor, p.id, Phase::Voting).await?;
    let entries = p.ballot.clone().unwrap_or_default();
    let on_ballot: Vec<BallotProject> = entries
        .iter()
        .map(|b| BallotProject {
            id: b.id,
            cost_pence: b.cost_pence,
        })
        .collect();
    // the generated project ids (from 1000) to the accepted proposals' ids
    let by_name: HashMap<&str, i64> = entries.iter().map(|b| (b.name.as_str(), b.id)).collect();
    let store_id: HashMap<i64, i64> = vote
        .projects
        .iter()
        .map(|g| (g.id, by_name[g.name.as_str()]))
        .collect();
    let mut rng = Lcg(0x0b_a110);
    let mut random = || {
        (u128::from(rng.next_u64()) << 97)
            ^ (u128::from(rng.next_u64()) << 49)
            ^ u128::from(rng.next_u64())
    };
    let mut jobs = Vec::with_capacity(ballots);
    for b in &vote.ballots {
        let chosen = b.items.iter().map(|(id, _)| store_id[id]).collect();
        let checked = validate(
            &def.ballot,
            &on_ballot,
            &BallotInput {
                chosen,
                ..Default::default()
            },
        )
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let nb = NewBallot {
            ballot_id: format!("{:032x}", random()),
            receipt_hash: receipt_hash(p.id, &receipt_from_random(random())),
            content: checked.encode(&def.ballot),
        };
        jobs.push((code_hash(p.id, &code_from_random(random())), nb));
    }
    let hashes: Vec<String> = jobs.iter().map(|j| j.0.clone()).collect();
    store
        .create_pb_code_batch(&actor, p.id, "bench", None, &hashes)
        .await?;
    cast::cast_all(&store, &actor, p.id, &jobs).await?;
    store.set_pb_phase(&actor, p.id, Phase::Closed).await?;
    println!(
        "{db}: process `{}` closed with {} ballots on {} projects, ready to count",
        def.slug,
        vote.ballots.len(),
        entries.len()
    );
    Ok(())
}
