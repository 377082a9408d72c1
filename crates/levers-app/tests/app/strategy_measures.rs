//! The strategy's procurement measures read the analysis the dashboard and the place view open on:
//! the home body's spend only, year by year, not every spending body loaded beside it.

use std::sync::Arc;

use levers_app::procurement::{LOCAL_LADS, PaymentsCache};
use levers_app::strategy::{all_computed, today};
use levers_geo::GeoIndex;
use levers_store::testing::scratch_sqlite;
use levers_store::{Actor, Store};
use levers_strategy::Metric;

async fn spend(store: &Store, body: &str, rows: &str) {
    let csv =
        format!("Date,Supplier Name,Supplier ID,Amount,Expense Type,Transaction Number\n{rows}");
    levers_app::spend_import::import_bytes(
        store,
        &Actor::system("test"),
        body,
        "spend.csv",
        Arc::new(csv.into_bytes()),
        &[],
    )
    .await
    .unwrap();
}

/// The periods the local-spend measure has observations for.
async fn years(store: &Store, geo: Arc<GeoIndex>) -> Vec<String> {
    let c = all_computed(store, &PaymentsCache::default(), geo, today())
        .await
        .unwrap();
    c.get(&Metric::ProcurementLocalShare)
        .map(|obs| obs.iter().map(|o| o.period.clone()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn procurement_measures_count_the_home_body_only() {
    let (store, _scratch) = scratch_sqlite().await.unwrap();
    let actor = Actor::system("test");
    // the council's own spend in 2024/25; another body's, loaded for comparison, in 2019/20
    spend(
        &store,
        "Home Council",
        "01/05/2024,Alpha Catering Ltd,A1,1000.00,Catering,T1\n",
    )
    .await;
    spend(
        &store,
        "Neighbour Fire Authority",
        "01/05/2019,Beta Builders Ltd,B1,3000.00,Building works,T2\n",
    )
    .await;
    store
        .set_setting(&actor, LOCAL_LADS, "X07000001")
        .await
        .unwrap();
    let geo = Arc::new(store.load_geo_index().await.unwrap());
    // "Home Council" sorts first, so it is the home body until another is chosen
    assert_eq!(
        years(&store, geo.clone()).await,
        vec!["2024/25".to_string()]
    );
    store
        .set_setting(
            &actor,
            levers_store::settings::HOME_BODY,
            "Neighbour Fire Authority",
        )
        .await
        .unwrap();
    assert_eq!(years(&store, geo).await, vec!["2019/20".to_string()]);
}
