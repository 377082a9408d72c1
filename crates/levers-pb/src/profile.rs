//! Ballots collapsed with multiplicities, and the approval-set view the rules run on.

use crate::model::Election;
use crate::num::Q;
use std::collections::HashMap;

/// A distinct ballot with how many voters cast it.
#[derive(Debug, Clone, PartialEq)]
pub struct Ballot {
    /// Projects in ballot order.
    pub projects: Vec<u32>,
    pub points: Option<Vec<Q>>,
    pub multiplicity: u64,
}

/// The profile: identical ballots collapsed (same projects in the same order with the same points).
#[derive(Debug, Clone)]
pub struct Profile {
    pub ballots: Vec<Ballot>,
    pub num_voters: u64,
}

/// A group of voters whose ballots contain the same set of projects. All rules here use satisfaction
/// functions that depend only on membership (cost, cardinality), so this merge is exact.
#[derive(Debug, Clone)]
pub struct Groups {
    /// Sorted, deduplicated project sets.
    pub sets: Vec<Vec<u32>>,
    pub mult: Vec<u64>,
    /// For each project, the groups that contain it.
    pub supporters: Vec<Vec<u32>>,
    /// For each project, the number of voters whose ballot contains it.
    pub support: Vec<u64>,
    pub num_voters: u64,
}

impl Profile {
    /// Collapses the election's ballots. Cumulative/scoring ballots without points count as empty,
    /// as in pabutools.
    pub fn new(e: &Election) -> Self {
        let mut map: HashMap<(&[u32], Option<&[Q]>), usize> = HashMap::new();
        let mut ballots: Vec<Ballot> = Vec::new();
        let empty: &[u32] = &[];
        for v in &e.voters {
            let proj: &[u32] = if e.vote_type.has_points() && v.points.is_none() {
                empty
            } else {
                &v.vote
            };
            let pts = if e.vote_type.has_points() {
                v.points.as_deref()
            } else {
                None
            };
            match map.get(&(proj, pts)) {
                Some(&i) => ballots[i].multiplicity += 1,
                None => {
                    map.insert((proj, pts), ballots.len());
                    ballots.push(Ballot {
                        projects: proj.to_vec(),
                        points: pts.map(|p| p.to_vec()),
                        multiplicity: 1,
                    });
                }
            }
        }
        Profile {
            ballots,
            num_voters: e.voters.len() as u64,
        }
    }

    /// Merges ballots by their project set.
    pub fn groups(&self, num_projects: usize) -> Groups {
        let mut map: HashMap<Vec<u32>, usize> = HashMap::new();
        let mut sets: Vec<Vec<u32>> = Vec::new();
        let mut mult: Vec<u64> = Vec::new();
        for b in &self.ballots {
            let mut s = b.projects.clone();
            s.sort_unstable();
            s.dedup();
            match map.get(&s) {
                Some(&i) => mult[i] += b.multiplicity,
                None => {
                    map.insert(s.clone(), sets.len());
                    sets.push(s);
                    mult.push(b.multiplicity);
                }
            }
        }
        let mut supporters = vec![Vec::new(); num_projects];
        let mut support = vec![0u64; num_projects];
        for (g, s) in sets.iter().enumerate() {
            for &p in s {
                supporters[p as usize].push(g as u32);
                support[p as usize] += mult[g];
            }
        }
        Groups {
            sets,
            mult,
            supporters,
            support,
            num_voters: self.num_voters,
        }
    }
}
