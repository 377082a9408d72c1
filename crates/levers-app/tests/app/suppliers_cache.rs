//! The analysed bodies' supplier records are kept between requests only while they are current:
//! a supplier import and a matching decision each make the next read go back to the store.

use levers_app::procurement::{AnalysisParams, PaymentsCache};
use levers_spend::analysis::{Area, ImdChoice, SectorBasis};
use levers_spend::resolve::Decision;
use levers_spend::suppliers::SupplierRecord;
use levers_store::testing::scratch_sqlite;
use levers_store::{Actor, Store};

fn record(line: u64, name: &str) -> SupplierRecord {
    SupplierRecord {
        line,
        supplier_id: Some(format!("S{line}")),
        name: name.to_string(),
        postcode: None,
        branch_postcodes: Vec::new(),
        company_number: None,
        charity_number: None,
        vat_number: None,
        declared_type: None,
        sector: None,
    }
}

async fn import(store: &Store, names: &[&str]) {
    let records: Vec<SupplierRecord> = names
        .iter()
        .enumerate()
        .map(|(i, n)| record(i as u64 + 2, n))
        .collect();
    store
        .import_suppliers(
            &Actor::system("test"),
            "Test Council",
            "suppliers.csv",
            &format!("sha-{}", names.len()),
            &records,
            &serde_json::json!({}),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn supplier_records_are_read_again_after_an_import_or_a_decision() {
    let (store, scratch) = scratch_sqlite().await.unwrap();
    import(&store, &["Harbour Builders Ltd", "Quay Cleaning"]).await;
    let p = AnalysisParams {
        bodies: vec!["Test Council".into()],
        year: "2024/25".into(),
        local: Area {
            name: "Here".into(),
            lads: Vec::new(),
        },
        wider: Area {
            name: "Around".into(),
            lads: Vec::new(),
        },
        top_n: 10,
        baseline: None,
        imd: ImdChoice::Imd2019,
        sector: SectorBasis::ExpenseType,
        use_registers: true,
    };
    let cache = PaymentsCache::default();
    let first = cache.bodies(&store, &p).await.unwrap();
    assert_eq!(first[0].suppliers.len(), 2);
    let again = cache.bodies(&store, &p).await.unwrap();
    assert!(
        std::sync::Arc::ptr_eq(&first, &again),
        "unchanged: from memory"
    );

    import(
        &store,
        &["Harbour Builders Ltd", "Quay Cleaning", "Dockside Care"],
    )
    .await;
    let after_import = cache.bodies(&store, &p).await.unwrap();
    assert_eq!(
        after_import[0].suppliers.len(),
        3,
        "a supplier import is seen"
    );

    let stored = store.proc_suppliers("Test Council").await.unwrap();
    let dockside = stored
        .iter()
        .find(|s| s.record.name == "Dockside Care")
        .unwrap();
    store
        .decide_match(
            &Actor::system("test"),
            "Test Council",
            "DOCKSIDE CARE SERVICES",
            Some(dockside.id),
        )
        .await
        .unwrap();
    let after_decision = cache.bodies(&store, &p).await.unwrap();
    assert!(!std::sync::Arc::ptr_eq(&after_import, &after_decision));
    assert_eq!(after_decision[0].decisions.len(), 1, "a decision is seen");
    assert!(
        after_decision[0]
            .decisions
            .values()
            .all(|d| matches!(d, Decision::Link(_)))
    );
    scratch.remove().await;
}
