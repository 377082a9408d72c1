//! `levers strategy`: the demo's strategy, and its computed measures equal to each lever's own
//! figures for the same year (the procurement analysis, co-production coverage and the community
//! budget's stored count and code batches), and the cabinet report in its three forms.

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
