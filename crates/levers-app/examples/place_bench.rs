//! Benchmark helper for `benches/place/run.sh`.
//!
//! `place_bench setup DB` adds to a database that already holds the procurement benchmark's year (a
//! million payments; district X07000001 with 40 wards and 200 LSOAs): the local-area settings,
//! populations for the 200 LSOAs (IoD File 6 layout), generated boundaries, a community budget in
//! the 40 wards with 20,000 codes and 20,000 ballots cast through the store and counted, and a
//! 500-activity co-production register placed on wards and council-wide.
//!
//! `place_bench view DB REPEATS` opens the database, loads the geography index, then builds the
//! council's place view (first cold, reading the year's payments from the store, then warm from the
//! process's payments cache, REPEATS times) and a ward's, printing the seconds as JSON.
//!
//! `place_bench strategy DB` adds a strategy with one objective per lever and, between them, every
//! measure levers computes (all 14 metrics), with a baseline and targets; `place_bench report DB
//! REPEATS` evaluates it and renders the cabinet report's standalone HTML (the page that prints),
//! cold (reading the year's payments) and then warm REPEATS times, printing the seconds as JSON.

#[path = "common/cast.rs"]
mod cast;

use std::fmt::Write;
use std::sync::Arc;
use std::time::Instant;

use levers_app::procurement::{LOCAL_LADS, LOCAL_NAME, PaymentsCache, WIDER_LADS, WIDER_NAME};
use levers_coproduction::register::{Activity, Stage};
use levers_core::{AreaCode, Money};
use levers_pb::ballot::{BallotInput, BallotProject, validate};
use levers_pb::codes::{code_from_random, code_hash, receipt_from_random, receipt_hash};
use levers_pb::process::{AllocationRule, Area, BallotType, Phase, ProcessDef};
use levers_store::pb_process::{NewBallot, NewProposal, Review};
use levers_store::places::links::{COUNCIL_WIDE, PlaceTarget};
use levers_store::{Actor, Store};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let x = self.0;
        (x ^ (x >> 33)).wrapping_mul(0xff51afd7ed558ccd) ^ (x >> 29)
    }
    fn u128(&mut self) -> u128 {
        (u128::from(self.next()) << 64) | u128::from(self.next())
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const BALLOTS: usize = 20_000;
const ACTIVITIES: usize = 500;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("setup") => setup(&args[2]).await,
        Some("view") => view(&args[2], args.get(3).map_or(5, |r| r.parse().unwrap_or(5))).await,
        Some("strategy") => strategy(&args[2]).await,
        Some("report") => report(&args[2], args.get(3).map_or(5, |r| r.parse().unwrap_or(5))).await,
        _ => anyhow::bail!(
            "usage: place_bench setup DB | view DB [REPEATS] | strategy DB | report DB [REPEATS]"
        ),
    }
}

async fn setup(db: &str) -> anyhow::Result<()> {
    let store = Store::open(db).await?;
    let actor = Actor::system("bench");
    store.set_setting(&actor, LOCAL_LADS, "X07000001").await?;
    store.set_setting(&actor, LOCAL_NAME, "Bench").await?;
    store
        .set_setting(&actor, WIDER_LADS, "X07000002,X07000003")
        .await?;
    store.set_setting(&actor, WIDER_NAME, "Bench wider").await?;
    let geo = store.load_geo_index().await?;
    let district = geo
        .area(&AreaCode::parse("X07000001")?)
        .ok_or_else(|| anyhow::anyhow!("import the procurement benchmark's geography first"))?;
    let mut rng = Rng(0x9_1ace);
    let mut pop = String::from(
        "LSOA code (2011),LSOA name (2011),Total population: mid 2015 (excluding prisoners)\n",
    );
    for l in &district.lsoas_2011 {
        let _ = writeln!(pop, "{},L,{}", l.code, 1_200 + rng.below(900));
    }
    levers_app::indicators::import_file(&store, &actor, "bench_population.csv", pop.into_bytes())
        .await?;
    // Boundaries: each ward a block on an 8 × 5 grid, its LSOAs strips inside.
    let wards: Vec<AreaCode> = district.wards.iter().map(|w| w.code).collect();
    let mut features = Vec::new();
    for (i, w) in wards.iter().enumerate() {
        let (x0, y0) = (-3.0 + (i % 8) as f64 * 0.02, 54.0 - (i / 8) as f64 * 0.015);
        let rect = |a: f64, b: f64| {
            serde_json::json!([[[a, y0], [b, y0], [b, y0 + 0.015], [a, y0 + 0.015], [a, y0]]])
        };
        features.push(serde_json::json!({"type": "Feature", "properties": {"WD24CD": w.as_str(), "WD24NM": w.as_str()}, "geometry": {"type": "Polygon", "coordinates": rect(x0, x0 + 0.02)}}));
        let lsoas = geo.area(w).map(|p| p.lsoas_2011).unwrap_or_default();
        for (j, l) in lsoas.iter().enumerate() {
            let a = x0 + 0.02 * j as f64 / lsoas.len() as f64;
            features.push(serde_json::json!({"type": "Feature", "properties": {"LSOA11CD": l.code.as_str(), "LSOA11NM": "L"}, "geometry": {"type": "Polygon", "coordinates": rect(a, a + 0.02 / lsoas.len() as f64)}}));
        }
    }
    let doc = serde_json::json!({"type": "FeatureCollection", "features": features});
    levers_app::place::boundaries::import_boundaries(
        &store,
        &actor,
        "bench.geojson",
        serde_json::to_vec(&doc)?,
    )
    .await?;
    // The community budget: 40 projects, one per ward; 500 codes a ward; every code votes.
    let ballot = BallotType::Approval { max_choices: 5 };
    let def = ProcessDef {
        name: "Bench community budget".into(),
        slug: "bench".into(),
        description: "Benchmark".into(),
        area_name: "Bench".into(),
        area: Area::Wards(wards.iter().map(|w| w.to_string()).collect()),
        pot_pence: 40_000_000,
        ballot,
        rule: AllocationRule::EqualShares,
        min_age: None,
        shuffle: false,
        phases: vec![],
    };
    let p = store.create_pb_process(&actor, &def).await?;
    store.set_pb_phase(&actor, p.id, Phase::Proposals).await?;
    let mut ids = Vec::new();
    for (i, w) in wards.iter().enumerate() {
        let np = NewProposal {
            title: format!("Project {i}"),
            description: "Bench".into(),
            rough_cost_pence: None,
            location: String::new(),
            category: String::new(),
            contact: String::new(),
        };
        let id = store.submit_pb_proposal(&actor, p.id, &np).await?;
        store
            .set_place_code(&actor, PlaceTarget::Proposal, id, Some(w.as_str()))
            .await?;
        ids.push(id);
    }
    store.set_pb_phase(&actor, p.id, Phase::Review).await?;
    for id in &ids {
        let review = Review::Accept {
            final_cost_pence: 2_000_000 + rng.below(40) as i64 * 100_000,
            reason: String::new(),
            feasibility: String::new(),
            title: String::new(),
        };
        store.review_pb_proposal(&actor, *id, &review).await?;
    }
    let p = store.set_pb_phase(&actor, p.id, Phase::Voting).await?;
    let entries = p.ballot.clone().unwrap_or_default();
    let projects: Vec<BallotProject> = entries
        .iter()
        .map(|b| BallotProject {
            id: b.id,
            cost_pence: b.cost_pence,
        })
        .collect();
    let mut jobs = Vec::new();
    for w in &wards {
        let hashes: Vec<String> = (0..BALLOTS / wards.len())
            .map(|_| code_hash(p.id, &code_from_random(rng.u128())))
            .collect();
        store
            .create_pb_code_batch(
                &actor,
                p.id,
                w.as_str(),
                Some((w.as_str(), w.as_str())),
                &hashes,
            )
            .await?;
        for h in hashes {
            let chosen: Vec<i64> = (0..3)
                .map(|_| projects[rng.below(projects.len() as u64) as usize].id)
                .collect();
            let mut chosen = chosen;
            chosen.sort();
            chosen.dedup();
            let b = validate(
                &ballot,
                &projects,
                &BallotInput {
                    chosen,
                    ..Default::default()
                },
            )
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let nb = NewBallot {
                ballot_id: format!("{:032x}", rng.u128()),
                receipt_hash: receipt_hash(p.id, &receipt_from_random(rng.u128())),
                content: b.encode(&ballot),
            };
            jobs.push((h, nb));
        }
    }
    cast::cast_all(&store, &actor, p.id, &jobs).await?;
    store.set_pb_phase(&actor, p.id, Phase::Closed).await?;
    levers_app::community_budget::count_process(&store, &actor, &p)
        .await
        .map_err(|e| anyhow::anyhow!("count: {e}"))?;
    // The register: 500 activities, a fifth council-wide, the rest on wards.
    let started_on = time::macros::date!(2024 - 04 - 01);
    for i in 0..ACTIVITIES {
        let a = Activity {
            reference: format!("B-{i:04}"),
            service: format!("Service {i}"),
            directorate: ["Adults", "Children", "Place", "Public health"][i % 4].into(),
            annual_value: Money::from_pence(10_000_00 + rng.below(5_000) as i64 * 100_00),
            current_stage: Stage::ALL[i % 4],
            procurement_ref: None,
            objectives: vec![],
            started_on,
        };
        let id = store.create_coproduction_activity(&actor, &a).await?;
        let place = if i % 5 == 0 {
            COUNCIL_WIDE.to_string()
        } else {
            wards[i % wards.len()].to_string()
        };
        store
            .set_place_code(&actor, PlaceTarget::Activity, id, Some(&place))
            .await?;
    }
    store.close().await;
    println!(
        "{{\"ballots\": {}, \"activities\": {ACTIVITIES}, \"wards\": {}, \"lsoas\": {}}}",
        jobs.len(),
        wards.len(),
        district.lsoas_2011.len()
    );
    Ok(())
}

async fn view(db: &str, repeats: usize) -> anyhow::Result<()> {
    let t0 = Instant::now();
    let store = Store::open(db).await?;
    let geo = Arc::new(store.load_geo_index().await?);
    let load = t0.elapsed().as_secs_f64();
    let cache = PaymentsCache::default();
    let t = Instant::now();
    let v = levers_app::place::view::build(&store, &cache, geo.clone(), None, None)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no place view: run setup first"))?;
    let cold = t.elapsed().as_secs_f64();
    let mut warm = Vec::new();
    for _ in 0..repeats {
        let t = Instant::now();
        levers_app::place::view::build(&store, &cache, geo.clone(), None, None).await?;
        warm.push(t.elapsed().as_secs_f64());
    }
    let ward = AreaCode::parse(&v.rows[0].code)?;
    let t = Instant::now();
    levers_app::place::view::build(&store, &cache, geo.clone(), Some(&ward), None).await?;
    let ward_s = t.elapsed().as_secs_f64();
    warm.sort_by(f64::total_cmp);
    // Where a warm view spends its time: the dashboard's parameters, the body's supplier records
    // and decisions (read once, then kept by the cache; timed here uncached), and the analysis of
    // the cached year.
    let t = Instant::now();
    let p = levers_app::procurement::default_params(&store, None)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no spend"))?;
    let params_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let bodies = levers_app::procurement::bodies_for(&store, &p).await?;
    let suppliers_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    levers_app::procurement::run(&store, &cache, geo.clone(), &bodies, &p).await?;
    let analysis_s = t.elapsed().as_secs_f64();
    println!(
        "{}",
        serde_json::json!({
            "load_seconds": load,
            "council_cold_seconds": cold,
            "council_warm_median_seconds": warm.get(warm.len() / 2),
            "council_warm_runs": warm,
            "ward_warm_seconds": ward_s,
            "warm_parts_seconds": {"params": params_s, "suppliers_and_decisions": suppliers_s, "analysis": analysis_s},
            "spend_pence": v.figures.spend_pence,
            "pb_pence": v.figures.pb_pence,
            "pb_turnout_voted": v.figures.turnout_voted,
            "activities": v.figures.activities,
            "wards": v.rows.len(),
            "reach": v.reach.iter().map(|r| (r.lever, r.reach.share_most_deprived)).collect::<Vec<_>>(),
        })
    );
    Ok(())
}

async fn strategy(db: &str) -> anyhow::Result<()> {
    use levers_core::FinancialYear;
    use levers_strategy::{Direction, Lever, Measure, Metric, Objective, Point, Source, Strategy};
    let store = Store::open(db).await?;
    let actor = Actor::system("bench");
    let fy = |y: i32| FinancialYear::starting(y).expect("a year");
    let sid = store
        .create_strategy(
            &actor,
            &Strategy {
                id: 0,
                name: "Bench strategy".into(),
                summary: "Every computed measure, for the benchmark.".into(),
                first_year: fy(2023),
                last_year: fy(2027),
                published: true,
                objectives: vec![],
            },
        )
        .await?;
    let mut measures = 0;
    for (i, lever) in [
        Lever::Procurement,
        Lever::CommunityBudgets,
        Lever::Coproduction,
    ]
    .into_iter()
    .enumerate()
    {
        let oid = store
            .create_objective(
                &actor,
                sid,
                &Objective {
                    id: 0,
                    code: format!("B{}", i + 1),
                    title: format!("Bench objective {}", i + 1),
                    description: String::new(),
                    owner: "Bench".into(),
                    levers: vec![lever],
                    measures: vec![],
                },
            )
            .await?;
        for metric in Metric::ALL.into_iter().filter(|m| m.lever() == lever) {
            store
                .save_measure(
                    &actor,
                    oid,
                    &Measure {
                        id: 0,
                        name: metric.label().to_string(),
                        unit: metric.unit(),
                        direction: Direction::HigherIsBetter,
                        source: Source::Computed { metric },
                        baseline: Some(Point {
                            year: fy(2023),
                            value: 10.0,
                        }),
                        targets: vec![Point {
                            year: fy(2027),
                            value: 50.0,
                        }],
                    },
                )
                .await?;
            measures += 1;
        }
    }
    store.close().await;
    println!("{{\"strategy\": {sid}, \"measures\": {measures}}}");
    Ok(())
}

async fn report(db: &str, repeats: usize) -> anyhow::Result<()> {
    let t0 = Instant::now();
    let store = Store::open(db).await?;
    let geo = Arc::new(store.load_geo_index().await?);
    let load = t0.elapsed().as_secs_f64();
    let sid = store
        .strategies()
        .await?
        .first()
        .map(|s| s.id)
        .ok_or_else(|| anyhow::anyhow!("no strategy: run `place_bench strategy` first"))?;
    let cache = PaymentsCache::default();
    let today = levers_app::strategy::today();
    let once = || async {
        let v = levers_app::strategy::evaluate(&store, &cache, geo.clone(), sid, today)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no strategy {sid}"))?;
        let html = levers_present::strategy_report::standalone_html(&v, "Bench Council")?;
        anyhow::Ok((v, html))
    };
    let t = Instant::now();
    let (v, html) = once().await?;
    let cold = t.elapsed().as_secs_f64();
    let mut warm = Vec::new();
    for _ in 0..repeats {
        let t = Instant::now();
        once().await?;
        warm.push(t.elapsed().as_secs_f64());
    }
    warm.sort_by(f64::total_cmp);
    let measures: usize = v.objectives.iter().map(|o| o.measures.len()).sum();
    println!(
        "{}",
        serde_json::json!({
            "load_seconds": load,
            "report_cold_seconds": cold,
            "report_warm_median_seconds": warm.get(warm.len() / 2),
            "report_warm_runs": warm,
            "html_bytes": html.len(),
            "objectives": v.objectives.len(),
            "measures": measures,
            "counts": v.counts,
        })
    );
    Ok(())
}
