//! Benchmark inputs for `benches/pb/run.sh`: `community` generates a £2,000,000 community budget
//! vote (pence, 50,000 approval ballots, 60 projects) and counts it with the process's default
//! rule through `count::count`, the function `levers community-budget count` calls; `crafted PATH`
//! writes the adversarial election (3,000 projects × 3,000 voters × 200 approvals each) as a
//! Pabulib file.

use levers_pb::ballot::Ballot;
use levers_pb::count::{CountProject, count};
use levers_pb::process::{AllocationRule, Area, BallotType, Phase, PhaseDates, ProcessDef};
use std::fmt::Write as _;
use std::time::Instant;

/// A small deterministic generator (64-bit LCG, high bits).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn community() {
    let mut rng = Lcg(2026);
    let projects: Vec<CountProject> = (0..60)
        .map(|i| CountProject {
            id: 1000 + i,
            name: format!("Project {}", i + 1),
            category: ["parks", "youth", "streets", "arts"][(i % 4) as usize].into(),
            // £5,000 to £250,000, to the penny
            cost_pence: 500_000 + rng.below(24_500_000) as i64,
        })
        .collect();
    let max_choices = 5u32;
    let ballots: Vec<Ballot> = (0..50_000)
        .map(|_| {
            let k = 1 + rng.below(max_choices as u64) as usize;
            let mut chosen: Vec<i64> = Vec::with_capacity(k);
            while chosen.len() < k {
                // skewed popularity: lower-numbered projects are chosen more often
                let a = rng.below(60);
                let b = rng.below(60);
                let id = 1000 + a.min(b) as i64;
                if !chosen.contains(&id) {
                    chosen.push(id);
                }
            }
            chosen.sort();
            Ballot {
                items: chosen.into_iter().map(|id| (id, 1)).collect(),
            }
        })
        .collect();
    let def = ProcessDef {
        name: "Generated £2,000,000 community budget".into(),
        slug: "generated".into(),
        description: String::new(),
        area_name: "Generated borough".into(),
        area: Area::Wards(vec!["X05000001".into()]),
        pot_pence: 200_000_000,
        ballot: BallotType::Approval { max_choices },
        rule: AllocationRule::EqualShares,
        min_age: None,
        shuffle: true,
        phases: vec![PhaseDates {
            phase: Phase::Voting,
            starts: "2026-03-01".into(),
            ends: "2026-03-14".into(),
        }],
    };
    let t = Instant::now();
    let r = count(&def, "2026", &projects, &ballots).expect("count");
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
