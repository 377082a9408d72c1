//! Trafford's 2025/26 spending file (the LGA national spend schema) imported through the use case and
//! stored keeps each payment's ProClass category and its supplier's VAT number: counts and the top
//! category's total read back from the store equal the published file's (counted independently with
//! Python's csv module when this test was written). Skipped with a message without ../shared; fails
//! under CI=true.

use std::path::PathBuf;
use std::sync::Arc;

use levers_app::spend_import::{ImportOutcome, import_bytes};
use levers_core::Money;
use levers_store::testing::{postgres_test_url, scratch_postgres, scratch_sqlite};
use levers_store::{Actor, Store};

fn trafford_zip() -> Option<PathBuf> {
    let base = std::env::var("LEVERS_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"))
        });
    let zip = base.join("contracts/trafford/trafford-supplier-spend-2025-26.zip");
    if zip.is_file() {
        return Some(zip);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "CI=true but Trafford's spending file {} is missing",
            zip.display()
        );
    }
    eprintln!(
        "NOT RUN: {} is missing (a fresh clone has no ../shared); the stored national-schema test needs it",
        zip.display()
    );
    None
}

async fn trafford(store: &Store, zip: &std::path::Path) {
    let bytes = Arc::new(std::fs::read(zip).unwrap());
    let out = import_bytes(
        store,
        &Actor::system("test"),
        "Trafford Council",
        "trafford-supplier-spend-2025-26.zip",
        bytes,
        &[],
    )
    .await
    .unwrap();
    let ImportOutcome::Imported { counts, .. } = out else {
        panic!("not imported: {out:?}")
    };
    assert_eq!(counts.rows_kept, 241_764);
    assert_eq!(counts.rows_new, 241_764);
    assert_eq!(counts.total_pence, 62_191_362_442);

    let cov = store
        .spend_field_coverage("Trafford Council")
        .await
        .unwrap();
    assert_eq!(cov.payments, 241_764);
    // A ProClass label other than "Not Classified" or "NA"; a code other than "NA".
    assert_eq!(cov.with_category, 193_649);
    assert_eq!(cov.with_proclass_code, 193_649);
    // VAT registration numbers other than "NA".
    assert_eq!(cov.with_vat_number, 62_448);

    let cats = store.spend_categories("Trafford Council").await.unwrap();
    let top = &cats[0];
    assert_eq!(top.label, "CONSULTANCY :Traffic Planning");
    assert_eq!(top.payments, 106);
    assert_eq!(top.total, Money::from_pence(7_074_575_377));
    assert!(top.code.as_deref().is_some_and(|c| c.len() == 6), "{top:?}");
    assert_eq!(
        cats.iter().map(|c| c.payments).sum::<i64>(),
        cov.with_category
    );

    // The column blocks the procurement analysis reads carry the category too, exactly as the rows.
    let bodies = ["Trafford Council".to_string()];
    let mut with_category = 0;
    for year in store.spend_years(&bodies).await.unwrap() {
        let blocks = store.procurement_payments(&bodies, &year).await.unwrap();
        let rows = store
            .procurement_payments_by_rows(&bodies, &year)
            .await
            .unwrap();
        assert_eq!(blocks.rows, rows.rows, "{year}");
        assert_eq!(blocks.fact_keys, rows.fact_keys, "{year}");
        with_category += blocks.rows.iter().filter(|r| r.category != 0).count() as i64;
    }
    assert_eq!(with_category, cov.with_category);
}

#[tokio::test]
async fn trafford_stored_keeps_proclass_and_vat_numbers_on_sqlite() {
    let Some(zip) = trafford_zip() else { return };
    let (store, scratch) = scratch_sqlite().await.unwrap();
    trafford(&store, &zip).await;
    scratch.remove().await;
}

#[tokio::test]
async fn trafford_stored_keeps_proclass_and_vat_numbers_on_postgres() {
    let Some(zip) = trafford_zip() else { return };
    let url = match postgres_test_url() {
        Ok(Some(url)) => url,
        Ok(None) => {
            eprintln!(
                "NOT RUN: the PostgreSQL national-schema test needs LEVERS_TEST_PG=postgres://… (CI sets it)"
            );
            return;
        }
        Err(why) => panic!("{why}"),
    };
    let (store, scratch) = scratch_postgres(&url).await.unwrap();
    trafford(&store, &zip).await;
    scratch.remove().await;
}
