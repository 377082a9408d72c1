//! The demo borough's anti-poverty strategy: five objectives across the three levers, each with an
//! owner, measures computed by levers from the demo's own records (spend shares, the community
//! budget, co-production coverage, lived experience, time credits, appraisals) and official
//! statistics for two years (synthetic figures, labelled as such: child poverty imported as an
//! indicator file, the claimant count recorded by an officer), with baselines and yearly
//! targets set so that the picture is mixed: child poverty and co-production coverage off track,
//! good jobs at risk (SME spend behind), the rest on track.
//! Objectives are linked from the register (by its typed objectives), community budget projects,
//! appraisals and the council's spend. Refreshing the demo leaves an existing strategy as it is.

use levers_core::FinancialYear;
use levers_store::strategy::LinkKind;
use levers_store::{Actor, Store};
use levers_strategy::{
    Direction, Lever, Measure, Metric, Objective, Observation, OfficialRef, Point, Source,
    Strategy, Unit,
};

use super::COUNCIL;

pub const NAME: &str = "Levermouth Tackling Poverty Together 2024–2028";

fn fy(y: i32) -> FinancialYear {
    FinancialYear::starting(y).expect("a year in range")
}

fn computed(metric: Metric, base: (i32, f64), targets: &[(i32, f64)]) -> Measure {
    Measure {
        id: 0,
        name: metric.label().to_string(),
        unit: metric.unit(),
        direction: metric.direction(),
        source: Source::Computed { metric },
        baseline: Some(Point {
            year: fy(base.0),
            value: base.1,
        }),
        targets: targets
            .iter()
            .map(|(y, v)| Point {
                year: fy(*y),
                value: *v,
            })
            .collect(),
    }
}

struct Official {
    name: &'static str,
    indicator: &'static str,
    measure: &'static str,
    publisher: &'static str,
    unit: Unit,
    direction: Direction,
    base: (i32, f64),
    targets: &'static [(i32, f64)],
    /// (year, value, period, published)
    values: &'static [(i32, f64, &'static str, &'static str)],
    next_release: &'static str,
}

const DATE: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

fn date(s: &str) -> Option<time::Date> {
    time::Date::parse(s, DATE).ok()
}

fn official(o: &Official) -> Measure {
    Measure {
        id: 0,
        name: o.name.into(),
        unit: o.unit.clone(),
        direction: o.direction,
        source: Source::Official(OfficialRef {
            indicator: o.indicator.into(),
            measure: o.measure.into(),
            area_code: "X07000001".into(),
            publisher: format!("{} (synthetic demo figures)", o.publisher),
            next_release: date(o.next_release),
        }),
        baseline: Some(Point {
            year: fy(o.base.0),
            value: o.base.1,
        }),
        targets: o
            .targets
            .iter()
            .map(|(y, v)| Point {
                year: fy(*y),
                value: *v,
            })
            .collect(),
    }
}

const CHILD_POVERTY: Official = Official {
    name: "Children in relative low income families (before housing costs)",
    indicator: "% of children living in relative low income families: Aged 0-15",
    measure: "Percentage",
    publisher: "DWP Children in low income families: local area statistics",
    unit: Unit::Percent,
    direction: Direction::LowerIsBetter,
    base: (2023, 24.8),
    targets: &[(2024, 24.0), (2025, 23.0), (2027, 21.0)],
    values: &[
        (2023, 24.8, "2023/24", "2025-03-27"),
        (2024, 25.6, "2024/25", "2026-03-26"),
    ],
    next_release: "2027-03-25",
};

const CLAIMANTS: Official = Official {
    name: "Claimant count, share of residents aged 16–64",
    indicator: "claimant_count",
    measure: "rate",
    publisher: "ONS Claimant count by sex and age",
    unit: Unit::Percent,
    direction: Direction::LowerIsBetter,
    base: (2023, 4.9),
    targets: &[(2025, 4.5), (2027, 4.0)],
    values: &[
        (2023, 4.9, "March 2024", "2024-04-16"),
        (2024, 4.7, "March 2025", "2025-04-15"),
    ],
    next_release: "2026-04-14",
};

/// (code, title as the register types it, owner, levers, description)
const OBJECTIVES: &[(&str, &str, &str, &[Lever], &str)] = &[
    (
        "O1",
        "Reduce child poverty",
        "Cabinet Member for Children and Families",
        &[Lever::CommunityBudgets, Lever::Coproduction],
        "Fewer Levermouth children growing up in low-income families, with families shaping the services meant for them.",
    ),
    (
        "O2",
        "Good jobs",
        "Director of Economy and Regeneration",
        &[Lever::Procurement],
        "More of the council's spend reaching local firms, small businesses, social enterprises and the most deprived neighbourhoods.",
    ),
    (
        "O3",
        "Independent living",
        "Director of Adults' Social Care",
        &[Lever::Coproduction],
        "Care and support commissioned with the people who use it, at more than one stage of commissioning.",
    ),
    (
        "O4",
        "End rough sleeping",
        "Cabinet Member for Housing",
        &[Lever::Coproduction, Lever::CommunityBudgets],
        "People with lived experience of homelessness and poverty involved in designing the response, and rewarded for their time.",
    ),
    (
        "O5",
        "Good mental health",
        "Director of Public Health",
        &[Lever::CommunityBudgets],
        "Community-led interventions whose public value, not only their savings, is appraised.",
    ),
];

/// Builds the demo strategy, or leaves it when it is already there.
pub async fn build(store: &Store, actor: &Actor) -> anyhow::Result<()> {
    if store.strategies().await?.iter().any(|s| s.name == NAME) {
        return Ok(());
    }
    let sid = store
        .create_strategy(
            actor,
            &Strategy {
                id: 0,
                name: NAME.into(),
                summary: "Our strategy joins up the council's three levers against poverty: what we buy and from whom, the budgets residents decide, and services designed with the people who use them.".into(),
                first_year: fy(2024),
                last_year: fy(2027),
                published: true,
                objectives: vec![],
            },
        )
        .await?;
    let mut ids = Vec::new();
    for (code, title, owner, levers, description) in OBJECTIVES {
        let id = store
            .create_objective(
                actor,
                sid,
                &Objective {
                    id: 0,
                    code: (*code).into(),
                    title: (*title).into(),
                    description: (*description).into(),
                    owner: (*owner).into(),
                    levers: levers.to_vec(),
                    measures: vec![],
                },
            )
            .await?;
        ids.push(id);
    }
    let (o1, o2, o3, o4, o5) = (ids[0], ids[1], ids[2], ids[3], ids[4]);
    // O1: child poverty (official, rising: off track), read from an indicator file in the tidy
    // layout imported like a council's own, and community budget turnout.
    store
        .save_measure(actor, o1, &official(&CHILD_POVERTY))
        .await?;
    import_district_figures(store, actor, &CHILD_POVERTY).await?;
    store
        .save_measure(
            actor,
            o1,
            &computed(
                Metric::CommunityBudgetTurnout,
                (2024, 18.0),
                &[(2025, 24.0), (2027, 30.0)],
            ),
        )
        .await?;
    // O2: the council's spend, three years of it, and the claimant count.
    for (metric, base, targets) in [
        (
            Metric::ProcurementLocalShare,
            44.3,
            [(2024, 46.0), (2027, 52.0)],
        ),
        (
            Metric::ProcurementDeprived20Share,
            35.0,
            [(2024, 38.0), (2027, 45.0)],
        ),
        (
            Metric::ProcurementSmeShare,
            33.6,
            [(2024, 35.5), (2027, 40.0)],
        ),
        (
            Metric::ProcurementVcseShare,
            7.0,
            [(2024, 9.0), (2027, 12.0)],
        ),
    ] {
        store
            .save_measure(actor, o2, &computed(metric, (2022, base), &targets))
            .await?;
    }
    let m = store.save_measure(actor, o2, &official(&CLAIMANTS)).await?;
    record(store, actor, m, &CLAIMANTS).await?;
    // O3: co-production coverage.
    store
        .save_measure(
            actor,
            o3,
            &computed(
                Metric::CoproducedShareCount,
                (2024, 17.9),
                &[(2025, 20.0), (2027, 30.0)],
            ),
        )
        .await?;
    store
        .save_measure(
            actor,
            o3,
            &computed(
                Metric::CoproducedShareValue,
                (2024, 10.3),
                &[(2025, 12.0), (2027, 20.0)],
            ),
        )
        .await?;
    // O4: lived experience and time credits.
    store
        .save_measure(
            actor,
            o4,
            &computed(
                Metric::LivedExperiencePeople,
                (2024, 271.0),
                &[(2025, 350.0), (2027, 500.0)],
            ),
        )
        .await?;
    store
        .save_measure(
            actor,
            o4,
            &computed(
                Metric::TimeCreditsEarned,
                (2025, 120.0),
                &[(2026, 200.0), (2027, 300.0)],
            ),
        )
        .await?;
    // O5: appraisals' public value and outcomes.
    store
        .save_measure(
            actor,
            o5,
            &computed(
                Metric::AppraisalNetPublicValue,
                (2024, 0.0),
                &[(2025, 300_000.0), (2027, 1_000_000.0)],
            ),
        )
        .await?;
    store
        .save_measure(
            actor,
            o5,
            &computed(
                Metric::AppraisalNetOutcomes,
                (2024, 0.0),
                &[(2025, 60.0), (2027, 150.0)],
            ),
        )
        .await?;
    link(store, actor, &[o1, o4, o5]).await?;
    // The register's typed objectives become links to these objectives.
    store.link_activity_tags(actor).await?;
    store
        .set_spend_objectives(actor, COUNCIL, "", &[o2])
        .await?;
    let _ = o3;
    Ok(())
}

/// The official figures as a tidy indicator file for the borough, imported through the same use
/// case as the shared data's files.
async fn import_district_figures(store: &Store, actor: &Actor, o: &Official) -> anyhow::Result<()> {
    let mut csv = String::from("area_code,area_name,period,indicator,measure,unit,value\n");
    for (_, v, period, _) in o.values {
        csv.push_str(&format!(
            "X07000001,Levermouth,{period},{},{},Persons,{v}\n",
            o.indicator, o.measure
        ));
    }
    levers_app::indicators::import_file(
        store,
        actor,
        "levermouth_district_indicators.csv",
        csv.into_bytes(),
    )
    .await
    .map_err(|e| anyhow::anyhow!("demo district indicators: {e}"))?;
    Ok(())
}

async fn record(store: &Store, actor: &Actor, measure: i64, o: &Official) -> anyhow::Result<()> {
    for (y, v, period, published) in o.values {
        store
            .record_measure_value(
                actor,
                measure,
                &Observation {
                    year: fy(*y),
                    value: *v,
                    period: (*period).into(),
                    source: format!("{} (synthetic demo figures)", o.publisher),
                    published: date(published),
                    next_release: None,
                },
            )
            .await?;
    }
    Ok(())
}

/// Community budget projects and appraisals that serve the objectives.
async fn link(store: &Store, actor: &Actor, o: &[i64]) -> anyhow::Result<()> {
    let (child, rough, mental) = (o[0], o[1], o[2]);
    if let Some(p) = store.pb_process_by_slug(super::pb::SLUG).await? {
        for prop in store.pb_proposals(p.id).await? {
            let serves: &[i64] = match prop.title.as_str() {
                "Free swimming lessons for children" | "Youth club evening sessions" => &[child],
                "Community fridge" => &[child, rough],
                "Digital skills drop-in" => &[rough],
                _ => &[],
            };
            if !serves.is_empty() {
                store
                    .set_linked_objectives(actor, LinkKind::PbProposal, prop.id, serves)
                    .await?;
            }
        }
    }
    for a in store.appraisals().await? {
        let serves: &[i64] = if a.model.name.starts_with("Family Futures") {
            &[child, mental]
        } else {
            &[rough, mental]
        };
        store
            .set_linked_objectives(actor, LinkKind::Appraisal, a.id, serves)
            .await?;
    }
    Ok(())
}
