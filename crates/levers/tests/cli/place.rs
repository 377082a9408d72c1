//! The place view's lever figures equal the lever pages' for the same year and area: on the demo
//! borough, the procurement dashboard's default analysis (built here as the dashboard builds it)
//! and each community budget's results and turnout, against `levers place view --json` for the
//! council and every ward.

use std::collections::HashMap;

use levers_app::procurement::{AnalysisParams, PaymentsCache, bodies_for, parse_codes, run};
use levers_spend::analysis::{Area, ImdChoice, SectorBasis};

use super::{levers, temp_db, text};

fn view(db: &str, area: Option<&str>) -> serde_json::Value {
    let mut args = vec!["place", "view", "--json", "--database", db];
    if let Some(a) = area {
        args.insert(2, a);
    }
    let out = levers(&args, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn place_view_figures_equal_the_lever_pages() {
    let db = temp_db("place");
    let out = levers(&["demo", "--no-serve", "--database", &db], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let store = levers_store::Store::open(&db).await.unwrap();
    // The dashboard with no filters: the first body, the first year it lists, the settings' areas.
    let body = store.spend_bodies().await.unwrap()[0].clone();
    let year = store
        .spend_years(std::slice::from_ref(&body))
        .await
        .unwrap()[0]
        .clone();
    let setting = |k: &'static str| {
        let store = store.clone();
        async move { store.setting(k).await.unwrap().unwrap_or_default() }
    };
    let p = AnalysisParams {
        bodies: vec![body],
        year: year.clone(),
        local: Area {
            name: setting(levers_app::procurement::LOCAL_NAME).await,
            lads: parse_codes(&setting(levers_app::procurement::LOCAL_LADS).await).unwrap(),
        },
        wider: Area {
            name: setting(levers_app::procurement::WIDER_NAME).await,
            lads: parse_codes(&setting(levers_app::procurement::WIDER_LADS).await).unwrap(),
        },
        top_n: 300,
        baseline: None,
        imd: ImdChoice::Imd2019,
        sector: SectorBasis::ExpenseType,
        use_registers: true,
    };
    let geo = std::sync::Arc::new(store.load_geo_index().await.unwrap());
    let bodies = bodies_for(&store, &p).await.unwrap();
    let (report, _) = run(&store, &PaymentsCache::default(), geo, &bodies, &p)
        .await
        .unwrap();

    // Community budget results pages: funded projects by their ideas' places, turnout by ward.
    let places: HashMap<i64, Option<String>> = store
        .place_codes(levers_store::places::links::PlaceTarget::Proposal)
        .await
        .unwrap()
        .into_iter()
        .collect();
    let mut pb_by_ward: HashMap<String, i64> = HashMap::new();
    let mut pb_total = 0;
    let mut turnout: HashMap<String, (i64, i64)> = HashMap::new();
    for process in store.pb_processes().await.unwrap() {
        let Some((_, result)) = levers_app::community_budget::result(&store, process.id)
            .await
            .unwrap()
        else {
            continue;
        };
        pb_total += result.spent_pence;
        for r in result.projects.iter().filter(|r| r.funded) {
            let place = places[&r.id]
                .clone()
                .expect("every demo project has a place");
            *pb_by_ward.entry(place).or_default() += r.cost_pence;
        }
        for t in levers_app::community_budget::turnout(&store, process.id)
            .await
            .unwrap()
        {
            let e = turnout.entry(t.ward_code.unwrap()).or_default();
            e.0 += t.used_online + t.used_paper;
            e.1 += t.issued;
        }
    }
    store.close().await;

    let council = view(&db, None);
    assert_eq!(council["spend_year"], year.as_str());
    assert_eq!(
        council["figures"]["spend_pence"],
        report.all.pounds.local_pence
    );
    assert_eq!(council["figures"]["pb_pence"], pb_total);
    let rows = council["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 12, "Levermouth's twelve wards");
    let mut wards_with_spend = 0;
    for row in rows {
        let code = row["code"].as_str().unwrap();
        let dashboard = report
            .all
            .by_ward
            .iter()
            .find(|w| w.code.as_str() == code)
            .map_or((0, 0), |w| (w.pence, w.suppliers));
        assert_eq!(row["figures"]["spend_pence"], dashboard.0, "{code}");
        assert_eq!(row["figures"]["spend_suppliers"], dashboard.1, "{code}");
        wards_with_spend += usize::from(dashboard.0 > 0);
        assert_eq!(
            row["figures"]["pb_pence"],
            pb_by_ward.get(code).copied().unwrap_or(0),
            "{code}"
        );
        let (voted, issued) = turnout.get(code).copied().unwrap_or((0, 0));
        assert_eq!(row["figures"]["turnout_voted"], voted, "{code}");
        assert_eq!(row["figures"]["turnout_issued"], issued, "{code}");
        // The ward's own view gives the same figures as its row.
        let ward = view(&db, Some(code));
        assert_eq!(
            ward["figures"]["spend_pence"],
            row["figures"]["spend_pence"]
        );
        assert_eq!(ward["figures"]["pb_pence"], row["figures"]["pb_pence"]);
    }
    assert!(wards_with_spend >= 5, "{wards_with_spend}");
    assert!(pb_by_ward.len() >= 3);
    // Small numbers are never shown: every shown count of people is at least ten.
    for row in rows {
        if let Some(n) = row["figures"]["people"].as_u64() {
            assert!(n >= 10, "{row}");
        }
    }
    // The ward profile's figures as CSV and its workbook, with the same figures as the JSON.
    let ward = rows[0]["code"].as_str().unwrap();
    let out = levers(&["place", "profile", ward, "--csv", "--database", &db], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    assert!(
        csv.starts_with("area_code,area_name,figure,value,unit,note\r\n"),
        "{csv}"
    );
    let spend = rows[0]["figures"]["spend_pence"].as_i64().unwrap();
    let line = format!(
        "{ward},{},Spend with suppliers based here,{}.{:02},GBP,",
        rows[0]["name"].as_str().unwrap(),
        spend / 100,
        spend % 100
    );
    assert!(csv.contains(&line), "{line} in {csv}");
    let xlsx = format!("{db}.profile.xlsx");
    let out = levers(
        &["place", "profile", ward, "--xlsx", &xlsx, "--database", &db],
        &[],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let bytes = std::fs::read(&xlsx).unwrap();
    assert!(bytes.starts_with(b"PK") && bytes.len() > 1000);
    let _ = std::fs::remove_file(&xlsx);
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{db}{ext}"));
    }
}
