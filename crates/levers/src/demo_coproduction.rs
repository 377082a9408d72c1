//! The demo borough's co-production: a register of 40 synthetic commissioning activities across six
//! directorates with the patchy coverage the article describes (consultation common, co-production
//! rare and mostly inside providers' contracts), principles self-assessments, and a year of
//! time-credit activity by made-up participants at made-up venues. Written as a register CSV and
//! imported through the same reader as a council's file; refreshing the demo adds nothing twice.

use std::fmt::Write;

use levers_coproduction::csv_io::read_register;
use levers_coproduction::ledger::{AccountKind, TransferKind, TransferRequest};
use levers_coproduction::people::RewardForm;
use levers_coproduction::principles::{Assessment, statements};
use levers_store::coproduction::{ISSUER_ACCOUNT, POT_ACCOUNT, ParticipantDetails};
use levers_store::{Actor, Store};
use time::{Date, Duration, Month};

use crate::demo::Rng;

/// How involved people were across an activity's stages.
#[derive(Clone, Copy)]
enum Profile {
    /// Nothing recorded yet.
    Empty,
    /// Told, not asked: informing at Analyse, the provider informs at Do.
    Informed,
    /// Asked: consultation at Analyse and Review.
    Consulted,
    /// Co-design only inside the provider's contract (Do, provider-led).
    Contract,
    /// Co-design at Analyse and Plan; engagement by the provider at Do.
    TwoStages,
    /// Co-design or co-production at every stage.
    AllFour,
}

/// (reference, service, directorate, annual value in pounds, profile, strategy objective)
const ACTIVITIES: &[(&str, &str, &str, i64, Profile, &str)] = &[
    (
        "ASC-001",
        "Home care",
        "Adults' Social Care",
        6_200_000,
        Profile::Contract,
        "Independent living",
    ),
    (
        "ASC-002",
        "Extra care housing support",
        "Adults' Social Care",
        1_100_000,
        Profile::Consulted,
        "Independent living",
    ),
    (
        "ASC-003",
        "Day opportunities",
        "Adults' Social Care",
        850_000,
        Profile::Contract,
        "Independent living",
    ),
    (
        "ASC-004",
        "Carers' support service",
        "Adults' Social Care",
        420_000,
        Profile::TwoStages,
        "Independent living",
    ),
    (
        "ASC-005",
        "Reablement",
        "Adults' Social Care",
        2_300_000,
        Profile::Informed,
        "Independent living",
    ),
    (
        "ASC-006",
        "Direct payments support",
        "Adults' Social Care",
        310_000,
        Profile::Consulted,
        "",
    ),
    (
        "ASC-007",
        "Independent advocacy",
        "Adults' Social Care",
        260_000,
        Profile::Consulted,
        "",
    ),
    (
        "ASC-008",
        "Mental health recovery college",
        "Adults' Social Care",
        380_000,
        Profile::AllFour,
        "Good mental health",
    ),
    (
        "ASC-009",
        "Supported living (learning disability)",
        "Adults' Social Care",
        4_800_000,
        Profile::Contract,
        "Independent living",
    ),
    (
        "ASC-010",
        "Community equipment",
        "Adults' Social Care",
        1_400_000,
        Profile::Empty,
        "",
    ),
    (
        "CHS-001",
        "Family hubs",
        "Children's Services",
        1_900_000,
        Profile::AllFour,
        "Reduce child poverty",
    ),
    (
        "CHS-002",
        "Early help",
        "Children's Services",
        2_600_000,
        Profile::Consulted,
        "Reduce child poverty",
    ),
    (
        "CHS-003",
        "Short breaks for disabled children",
        "Children's Services",
        720_000,
        Profile::TwoStages,
        "",
    ),
    (
        "CHS-004",
        "Youth service",
        "Children's Services",
        950_000,
        Profile::Contract,
        "Reduce child poverty",
    ),
    (
        "CHS-005",
        "Care leavers' support",
        "Children's Services",
        540_000,
        Profile::Informed,
        "Reduce child poverty",
    ),
    (
        "CHS-006",
        "Foster carer recruitment",
        "Children's Services",
        180_000,
        Profile::Empty,
        "",
    ),
    (
        "CHS-007",
        "Home to school transport (SEND)",
        "Children's Services",
        3_700_000,
        Profile::Informed,
        "",
    ),
    (
        "PHL-001",
        "Drug and alcohol treatment",
        "Public Health",
        3_100_000,
        Profile::Contract,
        "Good mental health",
    ),
    (
        "PHL-002",
        "Stop smoking service",
        "Public Health",
        290_000,
        Profile::Informed,
        "",
    ),
    (
        "PHL-003",
        "Healthy weight programme",
        "Public Health",
        160_000,
        Profile::Consulted,
        "",
    ),
    (
        "PHL-004",
        "Sexual health service",
        "Public Health",
        1_800_000,
        Profile::Consulted,
        "",
    ),
    (
        "PHL-005",
        "Health visiting",
        "Public Health",
        4_200_000,
        Profile::Informed,
        "Reduce child poverty",
    ),
    (
        "PHL-006",
        "School nursing",
        "Public Health",
        1_300_000,
        Profile::Empty,
        "",
    ),
    (
        "HOU-001",
        "Homelessness prevention",
        "Housing",
        1_200_000,
        Profile::TwoStages,
        "End rough sleeping",
    ),
    (
        "HOU-002",
        "Temporary accommodation",
        "Housing",
        5_400_000,
        Profile::Informed,
        "End rough sleeping",
    ),
    (
        "HOU-003",
        "Housing-related support",
        "Housing",
        2_100_000,
        Profile::Contract,
        "End rough sleeping",
    ),
    (
        "HOU-004",
        "Domestic abuse refuge",
        "Housing",
        640_000,
        Profile::Consulted,
        "",
    ),
    (
        "HOU-005",
        "Rough sleeping outreach",
        "Housing",
        470_000,
        Profile::Consulted,
        "End rough sleeping",
    ),
    (
        "PLC-001",
        "Household waste collection",
        "Place and Environment",
        7_800_000,
        Profile::Informed,
        "",
    ),
    (
        "PLC-002",
        "Parks and green spaces",
        "Place and Environment",
        2_400_000,
        Profile::Consulted,
        "",
    ),
    (
        "PLC-003",
        "Highways maintenance",
        "Place and Environment",
        9_600_000,
        Profile::Empty,
        "Good jobs",
    ),
    (
        "PLC-004",
        "Community transport",
        "Place and Environment",
        330_000,
        Profile::TwoStages,
        "",
    ),
    (
        "PLC-005",
        "Library service",
        "Place and Environment",
        1_700_000,
        Profile::Consulted,
        "",
    ),
    (
        "PLC-006",
        "Leisure centres",
        "Place and Environment",
        2_900_000,
        Profile::Contract,
        "",
    ),
    (
        "COM-001",
        "Welfare rights advice",
        "Communities and Resources",
        680_000,
        Profile::TwoStages,
        "Reduce child poverty",
    ),
    (
        "COM-002",
        "Local welfare assistance",
        "Communities and Resources",
        450_000,
        Profile::Consulted,
        "Reduce child poverty",
    ),
    (
        "COM-003",
        "Community grants programme",
        "Communities and Resources",
        250_000,
        Profile::Informed,
        "",
    ),
    (
        "COM-004",
        "Financial inclusion and debt advice",
        "Communities and Resources",
        390_000,
        Profile::Empty,
        "Good jobs",
    ),
    (
        "COM-005",
        "Employment support",
        "Communities and Resources",
        1_050_000,
        Profile::Informed,
        "Good jobs",
    ),
    (
        "COM-006",
        "Digital inclusion",
        "Communities and Resources",
        120_000,
        Profile::Empty,
        "",
    ),
];

fn date(y: i32, m: u8, d: u8) -> Date {
    Date::from_calendar_date(y, Month::try_from(m).expect("month"), d).expect("date")
}

fn iso(d: Date) -> String {
    levers_coproduction::register::iso(d)
}

/// The register as a CSV file in the layout `levers coproduction register import` reads.
pub fn register_csv() -> String {
    let mut rng = Rng::new(0xC0_0C_0D);
    let mut out = String::from(
        "reference,service,directorate,annual_value,current_stage,started_on,objectives,stage,rung,lead,held_on,methods,groups,lived_experience,headcount,hours,decisions,you_said_we_did\n",
    );
    let base = date(2024, 4, 1);
    for (i, (reference, service, directorate, pounds, profile, objective)) in
        ACTIVITIES.iter().enumerate()
    {
        // Activities enter the register over two years; involvements follow over the next months.
        let started = base + Duration::days((i as i64 * 19) % 600);
        let stage = ["analyse", "plan", "do", "review"][i % 4];
        let activity = format!(
            "{reference},\"{service}\",\"{directorate}\",{pounds},{stage},{},\"{objective}\"",
            iso(started)
        );
        let rows: Vec<(&str, &str, &str, i64)> = match profile {
            Profile::Empty => vec![],
            Profile::Informed => vec![
                ("analyse", "informing", "council", 20),
                ("do", "informing", "provider", 120),
            ],
            Profile::Consulted => vec![
                ("analyse", "consultation", "council", 30),
                ("review", "consultation", "council", 330),
            ],
            Profile::Contract => vec![
                ("analyse", "consultation", "council", 25),
                ("do", "co_design", "provider", 200),
            ],
            Profile::TwoStages => vec![
                ("analyse", "co_design", "council", 40),
                ("plan", "co_design", "council", 110),
                ("do", "engagement", "provider", 250),
            ],
            Profile::AllFour => vec![
                ("analyse", "co_production", "council", 30),
                ("plan", "co_design", "council", 100),
                ("do", "co_design", "provider", 220),
                ("review", "co_production", "council", 400),
            ],
        };
        if rows.is_empty() {
            let _ = writeln!(out, "{activity},,,,,,,,,,,,");
        }
        for (stage, rung, lead, offset) in rows {
            let held = started + Duration::days(offset + rng.range(0, 20));
            let co = rung.starts_with("co_");
            let lived = co && rng.unit() < 0.7 || rng.unit() < 0.05;
            let (methods, groups) = match rung {
                "informing" => ("newsletter; web page", "residents"),
                "consultation" => (
                    "online survey; drop-in sessions",
                    "service users; residents",
                ),
                "engagement" => ("service user forum", "service users"),
                _ => (
                    "design workshops; peer research",
                    "people with lived experience of poverty; carers",
                ),
            };
            let headcount = if co {
                rng.range(8, 25)
            } else {
                rng.range(20, 300)
            };
            let hours = if co {
                headcount * rng.range(4, 12)
            } else {
                headcount
            };
            let (decisions, ysdw) = if co {
                (
                    "The service specification and the evaluation questions",
                    "You said the service was hard to reach after work; we asked for evening and weekend sessions in the specification",
                )
            } else {
                ("", "")
            };
            let _ = writeln!(
                out,
                "{activity},{stage},{rung},{lead},{},\"{methods}\",\"{groups}\",{},{headcount},{hours},\"{decisions}\",\"{ysdw}\"",
                iso(held),
                if lived { "yes" } else { "no" }
            );
        }
    }
    out
}

const PEOPLE: &[(&str, RewardForm)] = &[
    ("Ade", RewardForm::TimeCredits),
    ("Bea", RewardForm::TimeCredits),
    ("Cal", RewardForm::TimeCredits),
    ("Dee", RewardForm::Expenses),
    ("Eli", RewardForm::TimeCredits),
    ("Fay", RewardForm::TimeCredits),
    ("Gus", RewardForm::Payment),
    ("Hal", RewardForm::TimeCredits),
    ("Ivy", RewardForm::TimeCredits),
    ("Jo", RewardForm::Voucher),
    ("Kit", RewardForm::TimeCredits),
    ("Lou", RewardForm::TimeCredits),
    ("Mo", RewardForm::TimeCredits),
    ("Nat", RewardForm::Expenses),
    ("Oz", RewardForm::TimeCredits),
    ("Pip", RewardForm::TimeCredits),
    ("Quin", RewardForm::Payment),
    ("Ros", RewardForm::TimeCredits),
    ("Sol", RewardForm::TimeCredits),
    ("Tam", RewardForm::TimeCredits),
    ("Uma", RewardForm::TimeCredits),
    ("Vic", RewardForm::None),
    ("Wren", RewardForm::TimeCredits),
    ("Yas", RewardForm::TimeCredits),
];

const VENUES: &[&str] = &[
    "Levermouth Leisure Centre",
    "Harbour Community Café",
    "Old Town Picture House",
    "Quayside Swimming Pool",
];

/// Builds the demo's co-production, or leaves it as it is when it is already there.
pub async fn build(store: &Store, actor: &Actor) -> anyhow::Result<()> {
    let text = register_csv();
    let file = read_register("levermouth-register.csv", text.as_bytes())
        .map_err(|e| anyhow::anyhow!("demo register: {e}"))?;
    if !file.errors.is_empty() {
        anyhow::bail!("demo register: {:?}", file.errors[0]);
    }
    store
        .import_coproduction_register(
            actor,
            "levermouth-register.csv",
            &file.entries,
            serde_json::to_value(file.reconciliation)?,
        )
        .await?;
    if store.coproduction_assessments().await?.is_empty() {
        let mut rng = Rng::new(0xA55E55);
        for (d, base) in [
            ("Adults' Social Care", 1i64),
            ("Children's Services", 1),
            ("Housing", 0),
            ("Public Health", 0),
        ] {
            for (year, lift) in [(2025, 0i64), (2026, 1)] {
                let scores = statements()
                    .map(|s| {
                        (
                            s.key.to_string(),
                            (base + lift + rng.range(0, 1)).clamp(0, 3) as u8,
                        )
                    })
                    .collect();
                let a = Assessment {
                    directorate: d.into(),
                    assessed_on: date(year, 6, 30),
                    scores,
                    notes: "Synthetic demo self-assessment.".into(),
                };
                store.add_coproduction_assessment(actor, &a).await?;
            }
        }
    }
    if !store.participants().await?.is_empty() {
        return Ok(());
    }
    let mut rng = Rng::new(0x7143_C4ED);
    let mut people = Vec::new();
    for (i, (name, reward)) in PEOPLE.iter().enumerate() {
        let d = ParticipantDetails {
            display_name: (*name).into(),
            contact: (i % 3 == 0).then(|| format!("{}@example.org", name.to_lowercase())),
            contact_consent: i % 3 == 0,
            reward_form: *reward,
            benefits_advice_offered: *reward == RewardForm::Payment && i % 2 == 0,
        };
        let p = store.create_participant(actor, &d).await?;
        let dims = levers_coproduction::people::DIMENSIONS;
        let answers: Vec<(&str, Option<String>)> = dims
            .iter()
            .map(|dim| {
                // Most people answer; answers lean to the first options so some totals reach ten.
                let n = dim.answers.len() as i64;
                let pick = if rng.unit() < 0.6 {
                    rng.range(0, 1.min(n - 1))
                } else {
                    rng.range(0, n - 1)
                };
                (
                    dim.key,
                    (rng.unit() < 0.9).then(|| dim.answers[pick as usize].0.to_string()),
                )
            })
            .collect();
        store
            .set_participant_equality(actor, p.id, &answers)
            .await?;
        people.push(p);
    }
    let mut venues = Vec::new();
    for v in VENUES {
        venues.push(
            store
                .create_credit_account(actor, AccountKind::Venue, v)
                .await?,
        );
    }
    let involvements: Vec<i64> = store
        .coproduction_activities()
        .await?
        .iter()
        .flat_map(|a| {
            a.involvements
                .iter()
                .filter(|i| i.involvement.rung.is_coproduction())
                .map(|i| i.id)
                .collect::<Vec<_>>()
        })
        .collect();
    let earners: Vec<_> = people
        .iter()
        .filter(|p| p.reward_form == RewardForm::TimeCredits)
        .cloned()
        .collect();
    let now = levers_store::now_unix();
    let start = now - 365 * 86_400;
    let mut n = 0u32;
    let mut key = |what: &str| {
        n += 1;
        format!("demo-{what}-{n}")
    };
    for week in 0..52i64 {
        let at = start + week * 7 * 86_400;
        for _ in 0..rng.range(2, 5) {
            let p = &earners[rng.range(0, earners.len() as i64 - 1) as usize];
            let inv = (!involvements.is_empty())
                .then(|| involvements[rng.range(0, involvements.len() as i64 - 1) as usize]);
            let minutes = [60, 90, 120, 150, 180][rng.range(0, 4) as usize];
            store
                .record_participation_at(
                    actor,
                    p.id,
                    inv,
                    minutes,
                    &key("issue"),
                    "Co-production session",
                    at + 3_600,
                )
                .await?;
        }
        for _ in 0..rng.range(1, 3) {
            let p = &earners[rng.range(0, earners.len() as i64 - 1) as usize];
            let v = venues[rng.range(0, venues.len() as i64 - 1) as usize];
            let amount = rng.range(1, 3);
            let req = TransferRequest {
                key: key("spend"),
                kind: TransferKind::Spend,
                from: p.account_id,
                to: v,
                amount,
                memo: String::new(),
                reverses: None,
            };
            // Someone without enough credits is refused, as at a real venue's till.
            let _ = store.credit_transfer_at(actor, &req, at + 7_200).await;
        }
        if rng.unit() < 0.3 {
            let p = &earners[rng.range(0, earners.len() as i64 - 1) as usize];
            let req = TransferRequest {
                key: key("gift"),
                kind: TransferKind::Gift,
                from: p.account_id,
                to: POT_ACCOUNT,
                amount: 1,
                memo: "Gift to the community pot".into(),
                reverses: None,
            };
            let _ = store.credit_transfer_at(actor, &req, at + 10_800).await;
        }
        if week % 8 == 7 {
            let p = &earners[rng.range(0, earners.len() as i64 - 1) as usize];
            let req = TransferRequest {
                key: key("grant"),
                kind: TransferKind::Grant,
                from: POT_ACCOUNT,
                to: p.account_id,
                amount: 2,
                memo: "Community pot grant".into(),
                reverses: None,
            };
            let _ = store.credit_transfer_at(actor, &req, at + 14_400).await;
        }
        if week % 13 == 12 {
            let v = venues[rng.range(0, venues.len() as i64 - 1) as usize];
            let req = TransferRequest {
                key: key("redeem"),
                kind: TransferKind::Redeem,
                from: v,
                to: ISSUER_ACCOUNT,
                amount: 2,
                memo: "Quarterly hand-back".into(),
                reverses: None,
            };
            let _ = store.credit_transfer_at(actor, &req, at + 18_000).await;
        }
    }
    // Two corrections, as reversals.
    for t in store
        .credit_transfers(200)
        .await?
        .iter()
        .filter(|t| t.transfer.kind == TransferKind::Spend)
        .take(2)
    {
        store
            .reverse_credit_transfer(
                actor,
                t.transfer.id,
                &format!("demo-reverse-{}", t.transfer.id),
                "Recorded at the wrong venue",
            )
            .await?;
    }
    let snap = store.credit_ledger_snapshot().await?;
    snap.check()
        .map_err(|e| anyhow::anyhow!("demo ledger: {e}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_register_reads_cleanly_and_coverage_is_realistically_poor() {
        let f = read_register("demo.csv", register_csv().as_bytes()).unwrap();
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert!(f.reconciliation.reconciles());
        assert_eq!(f.entries.len(), 40);
        let c = levers_coproduction::coverage(&f.entries, None);
        let o = c.overall;
        assert_eq!((o.two_plus, o.all_four, o.provider_only), (7, 2, 7));
        assert!(
            o.two_plus_value_share() < 0.2,
            "{}",
            o.two_plus_value_share()
        );
        assert!(
            o.provider_only_value_share() > o.two_plus_value_share(),
            "more value co-produced only in contracts than across stages"
        );
        assert_eq!(c.by_directorate.len(), 6);
    }
}
