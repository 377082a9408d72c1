//! The demo's community budget: a synthetic process in three Levermouth wards, with residents'
//! ideas reviewed (accepted with final costs, rejected with published reasons, a duplicate merged),
//! codes issued by ward, a few thousand synthetic ballots cast online and on paper through the same
//! store calls as real ones, then closed, counted with equal shares, published, and delivery under
//! way. Deterministic: the same every time, and built only once per database.

use levers_pb::ballot::{BallotInput, BallotProject, validate};
use levers_pb::codes::{code_from_random, code_hash, receipt_from_random, receipt_hash};
use levers_pb::process::{AllocationRule, Area, BallotType, Phase, PhaseDates, ProcessDef};
use levers_store::pb_process::{CastOutcome, Channel, NewBallot, NewProposal, Review};
use levers_store::{Actor, Store};

use crate::demo::borough::Rng;

/// The demo process's web address.
pub const SLUG: &str = "harbour-2026";

/// (title, description, location, category, cost in pounds, decision) where decision is
/// `Ok(())` accept, `Err(Some(reason))` reject, `Err(None)` merge into the idea before it.
type Idea = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    Result<(), Option<&'static str>>,
);

const IDEAS: &[Idea] = &[
    (
        "Harbour play park refurbishment",
        "New swings, a climbing frame and safer surfacing at the harbour play park.",
        "Harbour Green",
        "children",
        18_000,
        Ok(()),
    ),
    (
        "Benches and planters on the Quay",
        "Ten benches with planters along the quay so people can rest on the walk into town.",
        "The Quay",
        "streets",
        6_500,
        Ok(()),
    ),
    (
        "More benches by the harbour",
        "Somewhere to sit near the harbour wall.",
        "Harbour wall",
        "streets",
        2_000,
        Err(None),
    ),
    (
        "Youth club evening sessions",
        "Three evenings a week of youth work at the Old Town hall for a year.",
        "Old Town hall",
        "young people",
        12_000,
        Ok(()),
    ),
    (
        "Community fridge",
        "A fridge and volunteers to share surplus food from local shops.",
        "Old Town hall",
        "food",
        4_000,
        Ok(()),
    ),
    (
        "Free swimming lessons for children",
        "Ten-week courses for children who cannot swim, at Quayside pool.",
        "Quayside pool",
        "children",
        9_500,
        Ok(()),
    ),
    (
        "Street lighting on Ropewalk",
        "Brighter, low-energy lights on the Ropewalk footpath, which feels unsafe after dark.",
        "Ropewalk",
        "streets",
        15_000,
        Ok(()),
    ),
    (
        "Food growing beds at St Anne's",
        "Raised beds, tools and seeds for a community growing space.",
        "St Anne's churchyard",
        "food",
        3_500,
        Ok(()),
    ),
    (
        "Digital skills drop-in",
        "Weekly help with phones, online forms and job searches at the library.",
        "Harbour library",
        "skills",
        5_500,
        Ok(()),
    ),
    (
        "Bus shelter with seating on Northgate Road",
        "A shelter and seat at the stop used by the day centre.",
        "Northgate Road",
        "streets",
        7_000,
        Ok(()),
    ),
    (
        "Mural trail by local artists",
        "Five murals painted with local schools and artists.",
        "Old Town",
        "arts",
        8_000,
        Ok(()),
    ),
    (
        "Warm space winter opening",
        "Keep the community centre open and heated on winter evenings, with hot drinks.",
        "Quayside community centre",
        "community",
        6_000,
        Ok(()),
    ),
    (
        "Skate park",
        "A concrete skate park on the old car park.",
        "Old car park",
        "young people",
        45_000,
        Err(Some(
            "It would cost three quarters of the pot and needs planning permission. The council will consider it in its leisure facilities plan.",
        )),
    ),
    (
        "Fix potholes on Quay Street",
        "The road surface is breaking up.",
        "Quay Street",
        "streets",
        3_000,
        Err(Some(
            "Road repairs are paid for from the highways budget, so this has been reported to highways instead (reference HW-2026-0113).",
        )),
    ),
];

/// Voter groups: share of voters and, per idea title, how likely a member is to choose it.
const GROUPS: &[(f64, &[(&str, f64)])] = &[
    (
        0.35,
        &[
            ("Harbour play park refurbishment", 0.8),
            ("Free swimming lessons for children", 0.7),
            ("Community fridge", 0.4),
            ("Food growing beds at St Anne's", 0.3),
            ("Mural trail by local artists", 0.2),
        ],
    ),
    (
        0.25,
        &[
            ("Benches and planters on the Quay", 0.8),
            ("Bus shelter with seating on Northgate Road", 0.7),
            ("Warm space winter opening", 0.6),
            ("Street lighting on Ropewalk", 0.5),
            ("Digital skills drop-in", 0.3),
        ],
    ),
    (
        0.15,
        &[
            ("Youth club evening sessions", 0.9),
            ("Mural trail by local artists", 0.5),
            ("Free swimming lessons for children", 0.3),
            ("Harbour play park refurbishment", 0.2),
        ],
    ),
    (
        0.25,
        &[
            ("Food growing beds at St Anne's", 0.7),
            ("Community fridge", 0.6),
            ("Warm space winter opening", 0.5),
            ("Mural trail by local artists", 0.4),
            ("Street lighting on Ropewalk", 0.4),
            ("Harbour play park refurbishment", 0.3),
        ],
    ),
];

/// (ward code, ward name, codes issued, ballots cast online)
const WARDS: &[(&str, &str, usize, usize)] = &[
    ("X05000001", "Harbour", 5_000, 1_300),
    ("X05000002", "Old Town", 4_500, 1_100),
    ("X05000003", "Quayside", 4_000, 900),
];
const PAPER: usize = 150;

fn definition() -> ProcessDef {
    let d = |phase, s: &str, e: &str| PhaseDates {
        phase,
        starts: s.into(),
        ends: e.into(),
    };
    ProcessDef {
        name: "Harbour, Old Town and Quayside community budget 2026".into(),
        slug: SLUG.into(),
        description: "£60,000 for residents of Harbour, Old Town and Quayside wards to decide how to spend on their neighbourhoods.".into(),
        area_name: "Harbour, Old Town and Quayside wards".into(),
        area: Area::Wards(WARDS.iter().map(|w| w.0.to_string()).collect()),
        pot_pence: 6_000_000,
        ballot: BallotType::Approval { max_choices: 4 },
        rule: AllocationRule::EqualShares,
        min_age: Some(16),
        shuffle: true,
        phases: vec![
            d(Phase::Proposals, "2026-01-05", "2026-02-01"),
            d(Phase::Review, "2026-02-02", "2026-02-22"),
            d(Phase::Voting, "2026-03-01", "2026-03-21"),
            d(Phase::Results, "2026-03-28", "2026-12-31"),
        ],
    }
}

fn random_u128(rng: &mut Rng) -> u128 {
    (u128::from(rng.next_u64()) << 64) | u128::from(rng.next_u64())
}

/// Builds the demo process unless it already exists. Returns the number of ballots cast.
pub async fn build(store: &Store, actor: &Actor) -> anyhow::Result<usize> {
    if store.pb_process_by_slug(SLUG).await?.is_some() {
        return Ok(0);
    }
    let mut rng = Rng::new(0x9b_2026);
    let p = store.create_pb_process(actor, &definition()).await?;
    store.set_pb_phase(actor, p.id, Phase::Proposals).await?;
    let public = Actor::system("public");
    let mut ids: Vec<i64> = Vec::new();
    for (title, description, location, category, cost, _) in IDEAS {
        let np = NewProposal {
            title: (*title).into(),
            description: (*description).into(),
            rough_cost_pence: Some(cost * 100 - 50_000),
            location: (*location).into(),
            category: (*category).into(),
            contact: String::new(),
        };
        ids.push(store.submit_pb_proposal(&public, p.id, &np).await?);
    }
    store.set_pb_phase(actor, p.id, Phase::Review).await?;
    for (i, (_, _, _, _, cost, decision)) in IDEAS.iter().enumerate() {
        let review = match decision {
            Ok(()) => accept(cost * 100),
            Err(Some(reason)) => Review::Reject {
                reason: (*reason).into(),
                feasibility: String::new(),
            },
            Err(None) => Review::Merge {
                into: ids[i - 1],
                reason: "The same idea as the one before it".into(),
            },
        };
        store.review_pb_proposal(actor, ids[i], &review).await?;
    }
    let p = store.set_pb_phase(actor, p.id, Phase::Voting).await?;
    let entries = p.ballot.clone().unwrap_or_default();
    let projects: Vec<BallotProject> = entries
        .iter()
        .map(|b| BallotProject {
            id: b.id,
            cost_pence: b.cost_pence,
        })
        .collect();
    let id_of = |title: &str| entries.iter().find(|e| e.name == title).map(|e| e.id);

    // Codes by ward; the first `cast` of each ward's codes vote online, some of the rest on paper.
    let mut online: Vec<String> = Vec::new();
    let mut paper: Vec<String> = Vec::new();
    for (code, name, issued, cast) in WARDS {
        let codes: Vec<String> = (0..*issued)
            .map(|_| code_from_random(random_u128(&mut rng)))
            .collect();
        let hashes: Vec<String> = codes.iter().map(|c| code_hash(p.id, c)).collect();
        store
            .create_pb_code_batch(
                actor,
                p.id,
                &format!("{name} door to door"),
                Some((code, name)),
                &hashes,
            )
            .await?;
        online.extend(hashes[..*cast].iter().cloned());
        paper.extend(hashes[*cast..*cast + PAPER / WARDS.len()].iter().cloned());
    }

    // Synthetic preferences: each voter belongs to a group and chooses each of its projects with
    // the group's probability, keeping at most four.
    let make_ballot = |rng: &mut Rng| -> String {
        loop {
            let u = rng.unit();
            let mut acc = 0.0;
            let group = GROUPS.iter().find(|(share, _)| {
                acc += share;
                u < acc
            });
            let likes = group.map_or(GROUPS[0].1, |g| g.1);
            let mut chosen: Vec<i64> = likes
                .iter()
                .filter(|(_, pr)| rng.unit() < *pr)
                .filter_map(|(t, _)| id_of(t))
                .collect();
            chosen.truncate(4);
            if let Ok(b) = validate(
                &definition().ballot,
                &projects,
                &BallotInput {
                    chosen,
                    ..Default::default()
                },
            ) {
                return b.encode(&definition().ballot);
            }
        }
    };
    let mut jobs: Vec<(String, Channel, NewBallot)> = Vec::new();
    for (list, channel) in [(&online, Channel::Online), (&paper, Channel::Paper)] {
        for h in list {
            let content = make_ballot(&mut rng);
            let receipt = receipt_from_random(random_u128(&mut rng));
            let nb = NewBallot {
                ballot_id: format!("{:032x}", random_u128(&mut rng)),
                receipt_hash: receipt_hash(p.id, &receipt),
                content,
            };
            jobs.push((h.clone(), channel, nb));
        }
    }
    let total = jobs.len();
    let resident = Actor::system("resident");
    let mut set = tokio::task::JoinSet::new();
    for chunk in jobs.chunks(total.div_ceil(8)) {
        let (store, chunk, resident, officer) = (
            store.clone(),
            chunk.to_vec(),
            resident.clone(),
            actor.clone(),
        );
        let pid = p.id;
        set.spawn(async move {
            for (h, channel, nb) in chunk {
                let who = if channel == Channel::Online {
                    &resident
                } else {
                    &officer
                };
                let r = store.cast_pb_ballot(who, pid, &h, channel, &nb).await?;
                if r != CastOutcome::Cast {
                    anyhow::bail!("demo ballot refused: {r:?}");
                }
            }
            Ok(())
        });
    }
    while let Some(r) = set.join_next().await {
        r??;
    }
    store.set_pb_phase(actor, p.id, Phase::Closed).await?;
    let result = levers_app::community_budget::count_process(store, actor, &p)
        .await
        .map_err(|e| anyhow::anyhow!("demo count: {e}"))?;
    store.set_pb_phase(actor, p.id, Phase::Results).await?;
    for (k, id) in result.selected.iter().take(3).enumerate() {
        let cost = result
            .projects
            .iter()
            .find(|x| x.id == *id)
            .map_or(0, |x| x.cost_pence);
        let (status, spent, note) = match k {
            0 => ("delivered", cost - 23_500, "Opened on 18 July 2026"),
            1 => (
                "in_progress",
                cost / 2,
                "Ordered; installation in September",
            ),
            _ => ("not_started", 0, "Waiting for the contractor"),
        };
        store
            .set_pb_delivery(actor, p.id, *id, status, spent, note)
            .await?;
    }
    Ok(total)
}

fn accept(cost_pence: i64) -> Review {
    Review::Accept {
        final_cost_pence: cost_pence,
        reason: String::new(),
        feasibility: "Checked with the neighbourhood team".into(),
        title: String::new(),
    }
}
