//! The place view in the web app: a viewer reads the council's, a ward's and a neighbourhood's views
//! and the ward profile, with a map that draws what has an outline and lists what has none; only
//! officers choose where a record is, and the choice must come from the loaded geography.

use axum::http::StatusCode;
use levers_geo::block::encode_block;
use levers_store::Actor;
use levers_store::geo::GeoCounts;
use levers_store::places::links::PlaceTarget;
use levers_web::WebConfig;

use super::{Client, PASSWORD, setup};

const GEO: [&str; 3] = [
    "LSOA code (2011),LSOA name (2011),Local Authority District code (2019),Local Authority District name (2019),Index of Multiple Deprivation (IMD) Rank,Index of Multiple Deprivation (IMD) Decile\n\
     X01000001,Testham 001A,X07000009,Testham,\"1,000\",1\nX01000002,Testham 001B,X07000009,Testham,\"31,000\",10\n",
    "pcd,pcds,doterm,oslaua,osward,lsoa11,lsoa21,lat,long\nXT1 1AA,XT1 1AA,,X07000009,X05000009,X01000001,X01000001,54.0,-3.3\nXT1 1AB,XT1 1AB,,X07000009,X05000009,X01000002,X01000002,54.0,-3.3\n",
    "lsoa21cd,lsoa21nm,wd22cd,wd22nm,lad22cd,lad22nm\nX01000001,Testham 001A,X05000009,Testward,X07000009,Testham\nX01000002,Testham 001B,X05000009,Testward,X07000009,Testham\n",
];

/// Loads the small test geography (one district, one ward, two neighbourhoods) as the council.
pub(super) async fn load_geo(store: &levers_store::Store) {
    let actor = Actor::system("test");
    for (i, f) in GEO.iter().enumerate() {
        let mut recs = Vec::new();
        let rep = levers_geo::read_geo("f", f.as_bytes(), |r| recs.push(r), |_| {}).unwrap();
        let mut imp = store
            .begin_geo_import(&actor, rep.kind.unwrap().as_str(), &format!("f{i}.csv"))
            .await
            .unwrap();
        imp.add_block(recs.len() as i64, &encode_block(&recs))
            .await
            .unwrap();
        imp.finish(&actor, &GeoCounts::default()).await.unwrap();
    }
    store
        .set_setting(&actor, levers_app::procurement::LOCAL_LADS, "X07000009")
        .await
        .unwrap();
}

#[tokio::test]
async fn place_view_maps_profile_and_choosing_a_place() {
    let (store, scratch, app) = setup(WebConfig::default()).await;
    let actor = Actor::system("test");
    load_geo(&store).await;
    // One neighbourhood has an outline; the other has none.
    let geojson = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"LSOA11CD":"X01000001","LSOA11NM":"Testham 001A"},"geometry":{"type":"Polygon","coordinates":[[[-3.3,54.0],[-3.3,54.01],[-3.29,54.01],[-3.29,54.0],[-3.3,54.0]]]}}]}"#;
    levers_app::place::boundaries::import_boundaries(&store, &actor, "t.geojson", geojson.into())
        .await
        .unwrap();

    let mut v = Client::new(&app);
    v.sign_in("viewer@example.org", PASSWORD).await;
    let r = v.get("/places/levers").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Where the levers land"));
    assert!(
        r.body.contains("<svg class=\"lv-map\""),
        "a map: {}",
        r.body
    );
    assert!(
        r.body.contains(
            "<a href=\"/places/levers/X01000001\" aria-label=\"Testham 001A: decile 1\">"
        ),
        "areas are links named with their figure"
    );
    assert!(
        r.body.contains(
            "Not on the map (no boundary with this code):</strong> Testham 001B (X01000002)"
        ),
        "what has no outline is listed"
    );
    assert!(
        r.body
            .contains("<caption class=\"lv-table__caption\">Neighbourhoods by IMD 2019 decile"),
        "and a table"
    );
    let r = v.get("/places/levers/X05000009").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("1 of 2"), "{}", r.body);
    assert_eq!(
        v.get("/places/levers/X01000002").await.status,
        StatusCode::OK
    );
    assert_eq!(
        v.get("/places/profile/X05000009").await.status,
        StatusCode::OK
    );
    assert_eq!(
        v.get("/places/profile/X01000001").await.status,
        StatusCode::NOT_FOUND
    );
    // The profile as CSV and as a workbook that opens, with the same figures.
    let r = v.get("/places/profile/X05000009").await;
    assert!(
        r.body.contains("/places/profile/X05000009/profile.xlsx"),
        "linked from the page"
    );
    let csv = v.get("/places/profile/X05000009/profile.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.content_type.starts_with("text/csv"));
    assert!(
        csv.body.starts_with(
            "area_code,area_name,figure,value,unit,note\r\nX05000009,Testward,Residents,"
        ),
        "{}",
        csv.body
    );
    assert!(
        csv.body
            .contains("Neighbourhoods in the most deprived 20% (IMD 2019),1,LSOAs"),
        "{}",
        csv.body
    );
    let xlsx = v.get_bytes("/places/profile/X05000009/profile.xlsx").await;
    let sheets = levers_xlsx::read::read(&xlsx, &levers_xlsx::read::Limits::default()).unwrap();
    let names: Vec<&str> = sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Figures", "Neighbourhoods", "Reach", "Indicators"]);
    let figures = &sheets[0];
    let cell = |r: usize, c: u32| {
        figures.rows[r]
            .get(c)
            .map(|d| d.to_string())
            .unwrap_or_default()
    };
    assert_eq!(cell(0, 2), "figure");
    assert_eq!(
        cell(2, 2),
        "Neighbourhoods in the most deprived 20% (IMD 2019)"
    );
    assert_eq!(cell(2, 3), "1");
    assert_eq!(
        sheets[1].rows.len(),
        3,
        "a header and the ward's two neighbourhoods"
    );
    assert_eq!(
        v.get("/places/profile/X01000001/profile.xlsx").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        v.get("/places/levers/X05999999").await.status,
        StatusCode::NOT_FOUND
    );

    // Only officers choose places.
    let activity = levers_coproduction::register::Activity {
        reference: "T-1".into(),
        service: "Test service".into(),
        directorate: "Adults".into(),
        annual_value: levers_core::Money::from_pence(100_000_00),
        current_stage: levers_coproduction::register::Stage::Plan,
        procurement_ref: None,
        objectives: vec![],
        started_on: time::macros::date!(2025 - 04 - 01),
    };
    let id = store
        .create_coproduction_activity(&actor, &activity)
        .await
        .unwrap();
    let path = format!("/places/set/activity/{id}");
    assert_eq!(v.get(&path).await.status, StatusCode::FORBIDDEN);
    let mut o = Client::new(&app);
    o.sign_in("officer@example.org", PASSWORD).await;
    let r = o.get(&path).await;
    assert!(r.body.contains("<option value=\"X05000009\""), "{}", r.body);
    let r = o.post(&path, &[("place", "X05999999")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body
            .contains("not a ward or neighbourhood in the loaded geography")
    );
    let r = o.post(&path, &[("place", "X05000009")]).await;
    assert_eq!(
        r.location.as_deref(),
        Some(format!("/co-production/register/{id}").as_str())
    );
    let held = store.place_codes(PlaceTarget::Activity).await.unwrap();
    assert_eq!(held, vec![(id, Some("X05000009".to_string()))]);
    let audit = store
        .audit_entries(&levers_store::audit::AuditQuery {
            action: Some("place.set".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    let r = o.get("/places/levers/X05000009").await;
    assert!(
        r.body.contains("Test service"),
        "the activity shows in its ward's view"
    );
    scratch.remove().await;
}
