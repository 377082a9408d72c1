//! `levers strategy`: the demo's strategy, and its computed measures equal to each lever's own
//! figures for the same year (the procurement analysis, co-production coverage and the community
//! budget's stored count and code batches), and the cabinet report in its three forms.

use levers_core::FinancialYear;
use levers_store::Actor;
use levers_strategy::{Direction, Measure, Objective, OfficialRef, Point, Source, Strategy, Unit};

use super::{levers, temp_db, text};

fn json(args: &[&str]) -> serde_json::Value {
    let out = levers(args, &[]);
    assert!(out.status.success(), "{:?}: {}", args, text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn value(measures: &serde_json::Value, metric: &str, year: &str) -> f64 {
    let m = measures["measures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == metric)
        .unwrap_or_else(|| panic!("no {metric}"));
    m["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["year"] == year)
        .unwrap_or_else(|| panic!("no {metric} in {year}: {m}"))["value"]
        .as_f64()
        .unwrap()
}

fn close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() < 1e-9, "{what}: strategy {a}, lever {b}");
}

#[tokio::test(flavor = "multi_thread")]
async fn strategy_measures_equal_each_levers_own_figures() {
    let db = temp_db("strategy");
    let out = levers(&["demo", "--no-serve", "--database", &db], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let measures = json(&["strategy", "measures", "--json", "--database", &db]);

    // Procurement: the analysis as `levers spend analyse` (and the dashboard) runs it.
    for year in ["2022/23", "2023/24", "2024/25"] {
        let a = json(&[
            "spend",
            "analyse",
            "--body",
            "Levermouth Borough Council",
            "--year",
            year,
            "--local",
            "X07000001",
            "--wider",
            "X07000002,X07000003",
            "--json",
            "--database",
            &db,
        ]);
        let shares = &a["all"]["shares"];
        for (metric, field) in [
            ("procurement_local_share", "local"),
            ("procurement_wider_share", "wider"),
            ("procurement_deprived10_share", "deprived_decile_1"),
            ("procurement_deprived20_share", "deprived_decile_1_2"),
            ("procurement_sme_share", "sme"),
            ("procurement_vcse_share", "vcse"),
        ] {
            close(
                value(&measures, metric, year),
                shares[field].as_f64().unwrap() * 100.0,
                &format!("{metric} {year}"),
            );
        }
    }

    // Co-production: coverage as the coverage page and `levers coproduction coverage` compute it,
    // the register as it stood at the year's end.
    let c = json(&[
        "coproduction",
        "coverage",
        "--as-of",
        "2025-03-31",
        "--json",
        "--database",
        &db,
    ]);
    close(
        value(&measures, "coproduced_share_count", "2024/25"),
        c["overall"]["two_plus_stages_share"].as_f64().unwrap() * 100.0,
        "co-produced share by count",
    );
    close(
        value(&measures, "coproduced_share_value", "2024/25"),
        c["overall"]["two_plus_stages_value_share"]
            .as_f64()
            .unwrap()
            * 100.0,
        "co-produced share by value",
    );

    // Community budget: what the results page shows (the stored count's spend; codes used of
    // codes issued, summed over the wards of its turnout table).
    let store = levers_store::Store::open(&db).await.unwrap();
    let p = store
        .pb_process_by_slug("harbour-2026")
        .await
        .unwrap()
        .unwrap();
    let r = store.pb_result(p.id).await.unwrap().unwrap();
    let spent = r.result["spent_pence"].as_i64().unwrap();
    close(
        value(&measures, "community_budget_allocated", "2025/26"),
        spent as f64 / 100.0,
        "community budget allocated",
    );
    let (issued, used) = store
        .pb_turnout(p.id)
        .await
        .unwrap()
        .iter()
        .fold((0, 0), |(i, u), t| {
            (i + t.issued, u + t.used_online + t.used_paper)
        });
    close(
        value(&measures, "community_budget_turnout", "2025/26"),
        used as f64 / issued as f64 * 100.0,
        "community budget turnout",
    );
    store.close().await;

    // The demo's strategy: mixed, with an objective off track, and the report in three forms.
    let s = json(&["strategy", "report", "--json", "--database", &db]);
    assert_eq!(s["counts"]["off_track"], 2, "{}", s["counts"]);
    assert_eq!(s["counts"]["at_risk"], 1);
    let child = &s["objectives"][0];
    assert_eq!(child["title"], "Reduce child poverty");
    assert_eq!(child["status"], "off_track");
    // The official measure reads the imported indicator file.
    let obs = child["measures"][0]["observations"].as_array().unwrap();
    let got: Vec<(&str, f64)> = obs
        .iter()
        .map(|o| (o["year"].as_str().unwrap(), o["value"].as_f64().unwrap()))
        .collect();
    assert_eq!(got, vec![("2023/24", 24.8), ("2024/25", 25.6)]);
    assert!(
        obs[0]["source"]
            .as_str()
            .unwrap()
            .contains("imported from levermouth_district_indicators.csv")
    );
    assert_eq!(
        child["measures"][0]["measure"]["source"]["next_release"],
        "2027-03-25"
    );
    assert!(s["rule"].as_str().unwrap().contains("at least half"));
    // Objectives are linked from the register's typed objectives, projects and appraisals.
    assert!(!child["links"]["activities"].as_array().unwrap().is_empty());
    assert!(!child["links"]["projects"].as_array().unwrap().is_empty());
    let html = format!("{db}.report.html");
    let xlsx = format!("{db}.report.xlsx");
    let out = levers(
        &[
            "strategy",
            "report",
            "--html",
            &html,
            "--xlsx",
            &xlsx,
            "--database",
            &db,
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("How our levers landed") && page.contains("@page { size: A4"));
    assert!(page.contains("<svg") && page.contains("Off track"));
    let bytes = std::fs::read(&xlsx).unwrap();
    assert_eq!(&bytes[..2], b"PK");
    let out = levers(&["strategy", "show", "--database", &db], &[]);
    assert!(text(&out.stdout).contains("O1 Reduce child poverty [Off track]"));
    for f in [html, xlsx] {
        let _ = std::fs::remove_file(f);
    }
}

/// The shared indicator files, or None after saying why the real-data test is not run (a failure
/// under CI=true).
fn indicator_files() -> Option<std::path::PathBuf> {
    let base = std::env::var("LEVERS_SHARED_DATA")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| {
            std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"))
        })
        .join("indicators");
    if base.join("cilif_trafford_and_neighbours.csv").is_file() {
        return Some(base);
    }
    assert!(
        std::env::var("CI").map_or(true, |v| v != "true"),
        "CI=true but {} is missing",
        base.display()
    );
    eprintln!(
        "NOT RUN: {} is missing; official measures are checked against DWP's and ONS's published Trafford figures there",
        base.display()
    );
    None
}

fn official(name: &str, indicator: &str, baseline: (i32, f64)) -> Measure {
    let fy = |y| FinancialYear::starting(y).unwrap();
    Measure {
        id: 0,
        name: name.into(),
        unit: Unit::Percent,
        direction: Direction::LowerIsBetter,
        source: Source::Official(OfficialRef {
            indicator: indicator.into(),
            measure: "Percentage".into(),
            area_code: "E08000009".into(),
            publisher: "DWP and ONS".into(),
            next_release: None,
        }),
        baseline: Some(Point {
            year: fy(baseline.0),
            value: baseline.1,
        }),
        targets: vec![Point {
            year: fy(2027),
            value: 10.0,
        }],
    }
}

/// Trafford's official figures imported from the shared files (DWP children in low income
/// families, ONS claimant count) read back into a strategy's measures for every year, equal to the
/// published rows: financial-year periods as they are, monthly periods by the year's latest month.
#[tokio::test(flavor = "multi_thread")]
async fn official_measures_read_the_published_trafford_figures() {
    let Some(dir) = indicator_files() else {
        return;
    };
    let db = temp_db("strategy-trafford");
    let cilif = dir.join("cilif_trafford_and_neighbours.csv");
    let claimants = dir.join("claimant_count_trafford_and_neighbours.csv");
    let out = levers(
        &[
            "indicators",
            "import",
            cilif.to_str().unwrap(),
            claimants.to_str().unwrap(),
            "--database",
            &db,
        ],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let store = levers_store::Store::open(&db).await.unwrap();
    let actor = Actor::system("test");
    let fy = |y| FinancialYear::starting(y).unwrap();
    let sid = store
        .create_strategy(
            &actor,
            &Strategy {
                id: 0,
                name: "Trafford test".into(),
                summary: String::new(),
                first_year: fy(2024),
                last_year: fy(2027),
                published: false,
                objectives: vec![],
            },
        )
        .await
        .unwrap();
    let o = Objective {
        id: 0,
        code: "O1".into(),
        title: "Fewer people in poverty".into(),
        description: String::new(),
        owner: String::new(),
        levers: vec![],
        measures: vec![],
    };
    let oid = store.create_objective(&actor, sid, &o).await.unwrap();
    let relative = "% of children living in relative low income families: Aged 0-15";
    store
        .save_measure(
            &actor,
            oid,
            &official("Children in relative low income", relative, (2019, 14.3)),
        )
        .await
        .unwrap();
    store
        .save_measure(
            &actor,
            oid,
            &official(
                "Claimant rate",
                "claimants as a proportion of residents aged 16-64",
                (2022, 3.1),
            ),
        )
        .await
        .unwrap();
    store.close().await;
    let v = json(&["strategy", "report", "--json", "--database", &db]);
    let measures = v["objectives"][0]["measures"].as_array().unwrap();
    let values = |i: usize| -> Vec<(String, String, f64)> {
        measures[i]["observations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                (
                    o["year"].as_str().unwrap().to_string(),
                    o["period"].as_str().unwrap().to_string(),
                    o["value"].as_f64().unwrap(),
                )
            })
            .collect()
    };
    // Every published Trafford row of the relative measure, year by year.
    let file = std::fs::read_to_string(&cilif).unwrap();
    let published: Vec<(String, String, f64)> = file
        .lines()
        .filter(|l| l.starts_with("E08000009,") && l.contains(relative))
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[2].to_string(), f[2].to_string(), f[6].parse().unwrap())
        })
        .collect();
    assert_eq!(published.len(), 8);
    assert_eq!(values(0), published);
    assert_eq!(measures[0]["assessment"]["year"], "2024/25");
    // The claimant rate: 2022/23 is March 2023's figure; every year is one of its months.
    let claim = values(1);
    assert_eq!(claim[0], ("2022/23".into(), "March 2023".into(), 3.1));
    assert!(
        claim
            .iter()
            .skip(1)
            .all(|(_, p, _)| p.starts_with("March ") || claim.last().is_some_and(|l| l.1 == *p)),
        "{claim:?}"
    );
    let _ = std::fs::remove_file(&db);
}
