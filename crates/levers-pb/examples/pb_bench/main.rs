//! Benchmark inputs for `benches/pb/run.sh`: `community` generates a £2,000,000 community budget
//! vote (pence, 50,000 approval ballots, 60 projects) and counts it with the process's default
//! rule through `count::count`, the function `levers community-budget count` calls; `crafted PATH`
//! writes the adversarial election (3,000 projects × 3,000 voters × 200 approvals each) as a
//! Pabulib file.

use levers_pb::count::count;
use levers_pb::generated::{Lcg, community_vote};
use std::fmt::Write as _;
use std::time::Instant;

fn community() {
    let vote = community_vote(60, 50_000);
    let (def, projects, ballots) = (&vote.def, &vote.projects, &vote.ballots);
    let t = Instant::now();
    let r = count(def, "2026", projects, ballots).expect("count");
    let secs = t.elapsed().as_secs_f64();
    println!(
        "counted {} ballots, {} projects with {}: {} funded, £{:.2} of £{:.2} spent in {secs:.3} s; {}",
        r.ballots,
        projects.len(),
        r.rule,
        r.selected.len(),
        r.spent_pence as f64 / 100.0,
        r.pot_pence as f64 / 100.0,
        r.notes.join("; ")
    );
}

fn crafted(path: &str) {
    let (projects, voters, approvals) = (3_000u64, 3_000u64, 200u64);
    let mut rng = Lcg(19);
    let mut s = String::new();
    let _ = write!(
        s,
        "META\nkey;value\ndescription;crafted adversarial election\ncountry;X\nunit;X\ninstance;crafted\nnum_projects;{projects}\nnum_votes;{voters}\nbudget;{}\nvote_type;approval\nrule;greedy\ndate_begin;2026\ndate_end;2026\nPROJECTS\nproject_id;cost\n",
        projects * 1_000
    );
    for p in 0..projects {
        let _ = writeln!(s, "{p};{}", 100 + rng.below(19_900));
    }
    s.push_str("VOTES\nvoter_id;vote\n");
    for v in 0..voters {
        let mut chosen: Vec<u64> = Vec::with_capacity(approvals as usize);
        while (chosen.len() as u64) < approvals {
            let p = rng.below(projects);
            if !chosen.contains(&p) {
                chosen.push(p);
            }
        }
        let list: Vec<String> = chosen.iter().map(|p| p.to_string()).collect();
        let _ = writeln!(s, "{v};{}", list.join(","));
    }
    std::fs::write(path, s).expect("write the crafted file");
    println!("wrote {path}");
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("community") => community(),
        Some("crafted") if args.len() == 3 => crafted(&args[2]),
        _ => {
            eprintln!("usage: pb_bench community | pb_bench crafted OUT.pb");
            std::process::exit(2);
        }
    }
}
