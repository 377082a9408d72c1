//! Generated community budget votes for benchmarks and tests: deterministic, so the same vote can
//! be counted in memory (`pb_bench community`) and through a store and the CLI (`vote_bench`).

use crate::ballot::Ballot;
use crate::count::CountProject;
use crate::process::{AllocationRule, Area, BallotType, Phase, PhaseDates, ProcessDef};

/// A small deterministic generator (64-bit LCG, high bits).
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    /// A number in 0..n (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// A generated approval vote: the process, its projects (ids from 1000) and its ballots.
pub struct Vote {
    pub def: ProcessDef,
    pub projects: Vec<CountProject>,
    pub ballots: Vec<Ballot>,
}

/// A £2,000,000 community budget (in pence) with `projects` projects of £5,000 to £250,000 (to
/// the penny) in four categories and `ballots` approval ballots of one to five projects each,
/// lower-numbered projects chosen more often; counted with the process's default rule.
pub fn community_vote(projects: usize, ballots: usize) -> Vote {
    let mut rng = Lcg(2026);
    let list: Vec<CountProject> = (0..projects as i64)
        .map(|i| CountProject {
            id: 1000 + i,
            name: format!("Project {}", i + 1),
            category: ["parks", "youth", "streets", "arts"][(i % 4) as usize].into(),
            cost_pence: 500_000 + rng.below(24_500_000) as i64,
        })
        .collect();
    let max_choices = 5u32;
    let n = projects as u64;
    let ballots: Vec<Ballot> = (0..ballots)
        .map(|_| {
            let k = (1 + rng.below(u64::from(max_choices))).min(n) as usize;
            let mut chosen: Vec<i64> = Vec::with_capacity(k);
            while chosen.len() < k {
                // skewed popularity: the smaller of two draws
                let id = 1000 + rng.below(n).min(rng.below(n)) as i64;
                if !chosen.contains(&id) {
                    chosen.push(id);
                }
            }
            chosen.sort_unstable();
            Ballot {
                items: chosen.into_iter().map(|id| (id, 1)).collect(),
            }
        })
        .collect();
    let def = ProcessDef {
        name: "Generated £2,000,000 community budget".into(),
        slug: "generated".into(),
        description: "A generated vote for benchmarks.".into(),
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
    Vote {
        def,
        projects: list,
        ballots,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_vote_is_deterministic_and_valid() {
        let a = community_vote(60, 2_000);
        let b = community_vote(60, 2_000);
        assert_eq!(a.ballots, b.ballots);
        assert_eq!(a.projects.len(), 60);
        assert_eq!(a.ballots.len(), 2_000);
        for p in &a.projects {
            assert!(
                (500_000..25_000_000).contains(&p.cost_pence),
                "{}",
                p.cost_pence
            );
        }
        for bl in &a.ballots {
            assert!((1..=5).contains(&bl.items.len()));
            assert!(
                bl.items.windows(2).all(|w| w[0].0 < w[1].0),
                "sorted, no repeats"
            );
            assert!(
                bl.items
                    .iter()
                    .all(|&(id, n)| (1000..1060).contains(&id) && n == 1)
            );
        }
        // skewed: the first project is chosen more often than the last
        let count = |id| {
            a.ballots
                .iter()
                .filter(|b| b.items.iter().any(|x| x.0 == id))
                .count()
        };
        assert!(count(1000) > 3 * count(1059));
        // a tiny vote cannot ask for more projects than there are
        assert!(
            community_vote(2, 50)
                .ballots
                .iter()
                .all(|b| b.items.len() <= 2)
        );
    }
}
