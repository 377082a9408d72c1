//! A resident's ballot: what they marked, checked against the ballot type's limits on the server,
//! stored as a short text, totted up for the running total, and the per-voter project order.

use serde::Serialize;

use crate::process::{BallotType, levers_pence};

mod tally;
pub use tally::{Tally, tally, voter_order};

/// A project on the ballot: its id (the accepted proposal's) and its final cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BallotProject {
    pub id: i64,
    pub cost_pence: i64,
}

/// What the voter marked, as the form sent it (not yet checked).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BallotInput {
    /// Approval and knapsack: the chosen project ids.
    pub chosen: Vec<i64>,
    /// Cumulative: points per project (0 = none).
    pub points: Vec<(i64, u32)>,
    /// Ranking: the rank given to each project (1 = favourite).
    pub ranks: Vec<(i64, u32)>,
}

/// A checked ballot. `items` are (project id, weight): approval and knapsack weight 1, sorted by id;
/// cumulative the points (> 0), sorted by id; ranking weight 1, in order of preference.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Ballot {
    pub items: Vec<(i64, u32)>,
}

/// Why a ballot cannot be accepted, phrased for the voter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BallotError {
    Empty,
    UnknownProject(i64),
    Duplicate(i64),
    TooManyChoices { chosen: usize, max: u32 },
    OverMoneyLimit { total_pence: i64, limit_pence: i64 },
    TooManyPoints { used: u64, max: u32 },
    TooManyPointsOnOne { project: i64, points: u32, max: u32 },
    RankOutOfRange { rank: u32, max: u32 },
    RankUsedTwice(u32),
    Corrupt(String),
}

impl std::fmt::Display for BallotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BallotError::Empty => write!(f, "Choose at least one project"),
            BallotError::UnknownProject(_) => write!(
                f,
                "One of the projects is not on this ballot. Start again from the ballot page"
            ),
            BallotError::Duplicate(_) => write!(
                f,
                "A project appears twice. Start again from the ballot page"
            ),
            BallotError::TooManyChoices { chosen, max } => {
                write!(f, "You chose {chosen} projects; choose {max} or fewer")
            }
            BallotError::OverMoneyLimit {
                total_pence,
                limit_pence,
            } => write!(
                f,
                "Your projects add up to {}, which is more than {}. Remove a project",
                levers_pence(*total_pence),
                levers_pence(*limit_pence)
            ),
            BallotError::TooManyPoints { used, max } => {
                write!(f, "You gave {used} points; you have {max} to give")
            }
            BallotError::TooManyPointsOnOne { points, max, .. } => write!(
                f,
                "You gave one project {points} points; the most for one project is {max}"
            ),
            BallotError::RankOutOfRange { rank, max } => {
                write!(f, "Rank {rank} is not allowed: use ranks 1 to {max}")
            }
            BallotError::RankUsedTwice(r) => write!(
                f,
                "You gave rank {r} to more than one project; give each rank once"
            ),
            BallotError::Corrupt(m) => write!(f, "stored ballot is not valid: {m}"),
        }
    }
}

impl std::error::Error for BallotError {}

fn find(projects: &[BallotProject], id: i64) -> Result<&BallotProject, BallotError> {
    projects
        .iter()
        .find(|p| p.id == id)
        .ok_or(BallotError::UnknownProject(id))
}

fn no_duplicates(ids: impl Iterator<Item = i64>) -> Result<(), BallotError> {
    let mut seen = std::collections::HashSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err(BallotError::Duplicate(id));
        }
    }
    Ok(())
}

/// Checks what the voter marked against the ballot type and the projects on the ballot. The only
/// way a ballot reaches the store.
pub fn validate(
    bt: &BallotType,
    projects: &[BallotProject],
    input: &BallotInput,
) -> Result<Ballot, BallotError> {
    match *bt {
        BallotType::Approval { max_choices } => {
            no_duplicates(input.chosen.iter().copied())?;
            for &id in &input.chosen {
                find(projects, id)?;
            }
            if input.chosen.is_empty() {
                return Err(BallotError::Empty);
            }
            if input.chosen.len() > max_choices as usize {
                return Err(BallotError::TooManyChoices {
                    chosen: input.chosen.len(),
                    max: max_choices,
                });
            }
            let mut items: Vec<(i64, u32)> = input.chosen.iter().map(|&id| (id, 1)).collect();
            items.sort_unstable();
            Ok(Ballot { items })
        }
        BallotType::Knapsack { limit_pence } => {
            no_duplicates(input.chosen.iter().copied())?;
            let mut total: i64 = 0;
            for &id in &input.chosen {
                total = total.saturating_add(find(projects, id)?.cost_pence);
            }
            if input.chosen.is_empty() {
                return Err(BallotError::Empty);
            }
            if total > limit_pence {
                return Err(BallotError::OverMoneyLimit {
                    total_pence: total,
                    limit_pence,
                });
            }
            let mut items: Vec<(i64, u32)> = input.chosen.iter().map(|&id| (id, 1)).collect();
            items.sort_unstable();
            Ok(Ballot { items })
        }
        BallotType::Cumulative {
            points,
            max_per_project,
        } => {
            no_duplicates(input.points.iter().map(|p| p.0))?;
            let mut used: u64 = 0;
            let mut items = Vec::new();
            for &(id, pts) in &input.points {
                find(projects, id)?;
                if pts > max_per_project {
                    return Err(BallotError::TooManyPointsOnOne {
                        project: id,
                        points: pts,
                        max: max_per_project,
                    });
                }
                used += u64::from(pts);
                if pts > 0 {
                    items.push((id, pts));
                }
            }
            if used > u64::from(points) {
                return Err(BallotError::TooManyPoints { used, max: points });
            }
            if items.is_empty() {
                return Err(BallotError::Empty);
            }
            items.sort_unstable();
            Ok(Ballot { items })
        }
        BallotType::Ranking { max_ranks } => {
            no_duplicates(input.ranks.iter().map(|p| p.0))?;
            let mut ranked: Vec<(u32, i64)> = Vec::new();
            for &(id, rank) in &input.ranks {
                find(projects, id)?;
                if rank == 0 {
                    continue;
                }
                if rank > max_ranks {
                    return Err(BallotError::RankOutOfRange {
                        rank,
                        max: max_ranks,
                    });
                }
                ranked.push((rank, id));
            }
            ranked.sort_unstable();
            for w in ranked.windows(2) {
                if w[0].0 == w[1].0 {
                    return Err(BallotError::RankUsedTwice(w[0].0));
                }
            }
            if ranked.is_empty() {
                return Err(BallotError::Empty);
            }
            // Gaps (ranks 1 and 3 only) keep their order: the order is what a ranking says.
            Ok(Ballot {
                items: ranked.into_iter().map(|(_, id)| (id, 1)).collect(),
            })
        }
    }
}

impl Ballot {
    /// The stored text: `3,5,9` (approval, knapsack, ranking in order) or `3:4,5:6` (points).
    pub fn encode(&self, bt: &BallotType) -> String {
        let cumulative = matches!(bt, BallotType::Cumulative { .. });
        self.items
            .iter()
            .map(|&(id, w)| {
                if cumulative {
                    format!("{id}:{w}")
                } else {
                    id.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Reads a stored ballot back and checks it again against the ballot's rules.
    pub fn decode(
        bt: &BallotType,
        projects: &[BallotProject],
        text: &str,
    ) -> Result<Ballot, BallotError> {
        let mut input = BallotInput::default();
        for (i, part) in text.split(',').enumerate() {
            let bad = || BallotError::Corrupt(format!("item {} \"{part}\"", i + 1));
            match bt {
                BallotType::Cumulative { .. } => {
                    let (id, pts) = part.split_once(':').ok_or_else(bad)?;
                    input.points.push((
                        id.parse().map_err(|_| bad())?,
                        pts.parse().map_err(|_| bad())?,
                    ));
                }
                BallotType::Ranking { .. } => input
                    .ranks
                    .push((part.parse().map_err(|_| bad())?, i as u32 + 1)),
                _ => input.chosen.push(part.parse().map_err(|_| bad())?),
            }
        }
        validate(bt, projects, &input)
    }

    /// Project ids on the ballot, in ballot order.
    pub fn ids(&self) -> impl Iterator<Item = i64> + '_ {
        self.items.iter().map(|i| i.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn projects() -> Vec<BallotProject> {
        vec![
            BallotProject {
                id: 1,
                cost_pence: 500_000,
            },
            BallotProject {
                id: 2,
                cost_pence: 300_000,
            },
            BallotProject {
                id: 3,
                cost_pence: 250_000,
            },
            BallotProject {
                id: 7,
                cost_pence: 900_000,
            },
        ]
    }

    #[test]
    fn each_type_checks_its_limit() {
        let ps = projects();
        let approval = BallotType::Approval { max_choices: 2 };
        let ok = validate(
            &approval,
            &ps,
            &BallotInput {
                chosen: vec![3, 1],
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(ok.encode(&approval), "1,3");
        assert_eq!(
            validate(
                &approval,
                &ps,
                &BallotInput {
                    chosen: vec![1, 2, 3],
                    ..Default::default()
                }
            ),
            Err(BallotError::TooManyChoices { chosen: 3, max: 2 })
        );
        assert_eq!(
            validate(&approval, &ps, &BallotInput::default()),
            Err(BallotError::Empty)
        );
        assert_eq!(
            validate(
                &approval,
                &ps,
                &BallotInput {
                    chosen: vec![9],
                    ..Default::default()
                }
            ),
            Err(BallotError::UnknownProject(9))
        );
        assert_eq!(
            validate(
                &approval,
                &ps,
                &BallotInput {
                    chosen: vec![1, 1],
                    ..Default::default()
                }
            ),
            Err(BallotError::Duplicate(1))
        );

        let knap = BallotType::Knapsack {
            limit_pence: 1_000_000,
        };
        assert!(
            validate(
                &knap,
                &ps,
                &BallotInput {
                    chosen: vec![1, 2],
                    ..Default::default()
                }
            )
            .is_ok()
        );
        let e = validate(
            &knap,
            &ps,
            &BallotInput {
                chosen: vec![1, 2, 3],
                ..Default::default()
            },
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "Your projects add up to £10,500, which is more than £10,000. Remove a project"
        );

        let cum = BallotType::Cumulative {
            points: 10,
            max_per_project: 6,
        };
        let b = validate(
            &cum,
            &ps,
            &BallotInput {
                points: vec![(2, 4), (1, 6), (3, 0)],
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(b.encode(&cum), "1:6,2:4");
        assert_eq!(Ballot::decode(&cum, &ps, "1:6,2:4").unwrap(), b);
        assert!(matches!(
            validate(
                &cum,
                &ps,
                &BallotInput {
                    points: vec![(1, 7)],
                    ..Default::default()
                }
            ),
            Err(BallotError::TooManyPointsOnOne { .. })
        ));
        assert_eq!(
            validate(
                &cum,
                &ps,
                &BallotInput {
                    points: vec![(1, 6), (2, 5)],
                    ..Default::default()
                }
            ),
            Err(BallotError::TooManyPoints { used: 11, max: 10 })
        );

        let rank = BallotType::Ranking { max_ranks: 3 };
        let b = validate(
            &rank,
            &ps,
            &BallotInput {
                ranks: vec![(1, 3), (7, 1), (2, 0)],
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(b.encode(&rank), "7,1");
        assert_eq!(Ballot::decode(&rank, &ps, "7,1").unwrap(), b);
        assert_eq!(
            validate(
                &rank,
                &ps,
                &BallotInput {
                    ranks: vec![(1, 1), (7, 1)],
                    ..Default::default()
                }
            ),
            Err(BallotError::RankUsedTwice(1))
        );
        assert_eq!(
            validate(
                &rank,
                &ps,
                &BallotInput {
                    ranks: vec![(1, 4)],
                    ..Default::default()
                }
            ),
            Err(BallotError::RankOutOfRange { rank: 4, max: 3 })
        );
        assert!(matches!(
            Ballot::decode(&rank, &ps, "7,x"),
            Err(BallotError::Corrupt(_))
        ));
    }

    #[test]
    fn running_totals_say_what_is_left() {
        let ps = projects();
        let t = tally(
            &BallotType::Knapsack {
                limit_pence: 1_000_000,
            },
            &ps,
            &BallotInput {
                chosen: vec![1, 3],
                ..Default::default()
            },
        );
        assert_eq!(t.summary, "£7,500 of £10,000 used, £2,500 left");
        assert!(!t.over);
        let t = tally(
            &BallotType::Cumulative {
                points: 10,
                max_per_project: 10,
            },
            &ps,
            &BallotInput {
                points: vec![(1, 8), (2, 3)],
                ..Default::default()
            },
        );
        assert!(t.over && t.summary.starts_with("11 of 10"));
    }

    #[test]
    fn orders_are_permutations_and_differ_between_voters() {
        let a = voter_order(12, 1);
        let mut s = a.clone();
        s.sort_unstable();
        assert_eq!(s, (0..12).collect::<Vec<_>>());
        assert_eq!(a, voter_order(12, 1));
        assert_ne!(a, voter_order(12, 2));
        // every project appears first for some voter (no position is reserved for anyone)
        let firsts: std::collections::HashSet<usize> =
            (0..500).map(|s| voter_order(12, s)[0]).collect();
        assert_eq!(firsts.len(), 12);
    }

    fn any_type() -> impl Strategy<Value = BallotType> {
        prop_oneof![
            (1u32..6).prop_map(|k| BallotType::Approval { max_choices: k }),
            (1i64..2_000_000).prop_map(|l| BallotType::Knapsack { limit_pence: l }),
            (1u32..20, 1u32..20).prop_map(|(p, m)| BallotType::Cumulative {
                points: p,
                max_per_project: m.min(p)
            }),
            (1u32..6).prop_map(|k| BallotType::Ranking { max_ranks: k }),
        ]
    }

    proptest! {
        /// Whatever a form sends, an accepted ballot never exceeds its type's limits, and it reads
        /// back from storage as itself.
        #[test]
        fn no_accepted_ballot_exceeds_its_limit(
            bt in any_type(),
            chosen in proptest::collection::vec(0i64..9, 0..8),
            points in proptest::collection::vec((0i64..9, 0u32..25), 0..8),
            ranks in proptest::collection::vec((0i64..9, 0u32..8), 0..8),
        ) {
            let ps: Vec<BallotProject> = (1..=8).map(|i| BallotProject { id: i, cost_pence: i * 137_000 }).collect();
            let input = BallotInput { chosen, points, ranks };
            if let Ok(b) = validate(&bt, &ps, &input) {
                prop_assert!(!b.items.is_empty());
                let cost: i64 = b.ids().map(|id| ps.iter().find(|p| p.id == id).unwrap().cost_pence).sum();
                let ids: std::collections::HashSet<i64> = b.ids().collect();
                prop_assert_eq!(ids.len(), b.items.len());
                match bt {
                    BallotType::Approval { max_choices } => prop_assert!(b.items.len() <= max_choices as usize),
                    BallotType::Knapsack { limit_pence } => prop_assert!(cost <= limit_pence),
                    BallotType::Cumulative { points, max_per_project } => {
                        prop_assert!(b.items.iter().map(|i| i.1).sum::<u32>() <= points);
                        prop_assert!(b.items.iter().all(|i| i.1 >= 1 && i.1 <= max_per_project));
                    }
                    BallotType::Ranking { max_ranks } => prop_assert!(b.items.len() <= max_ranks as usize),
                }
                prop_assert_eq!(Ballot::decode(&bt, &ps, &b.encode(&bt)).unwrap(), b.clone());
                prop_assert!(!tally(&bt, &ps, &input).over);
            }
        }
    }
}
