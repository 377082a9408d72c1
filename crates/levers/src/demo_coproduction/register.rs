//! The demo borough's register of 40 synthetic commissioning activities across six directorates,
//! with the patchy coverage the article describes, written as a register CSV.

use std::fmt::Write;

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

pub(super) fn date(y: i32, m: u8, d: u8) -> Date {
    Date::from_calendar_date(y, Month::try_from(m).expect("month"), d).expect("date")
}

pub(super) fn iso(d: Date) -> String {
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
