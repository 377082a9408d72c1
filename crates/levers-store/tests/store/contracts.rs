//! The contract pipeline's tables (issue 16), on SQLite and PostgreSQL: an import merges batches
//! with what is held (a release seen twice kept once, a later one updating it), reconciles and is
//! audited; an abandoned import leaves nothing; officers' corrections are kept and audited.

use levers_contracts::Contract;
use levers_store::audit::AuditQuery;
use levers_store::{Actor, Store, StoreError};

fn rel(ocid: &str, id: &str, date: &str, title: &str) -> Contract {
    Contract {
        key: format!("ocds:{ocid}"),
        source: levers_contracts::Source::Ocds,
        ocid: Some(ocid.into()),
        release_id: Some(id.into()),
        release_date: Some(date.into()),
        title: title.into(),
        seen: vec![id.into()],
        ..Contract::default()
    }
}

pub async fn contracts_story(store: &Store) {
    let actor = Actor::system("test");
    let mut imp = store
        .begin_contract_import(&actor, "ocds", "a.json", "00", "")
        .await
        .unwrap();
    imp.add_batch(vec![
        rel("a", "1", "2025-01-01T00:00:00Z", "first"),
        rel("b", "1", "2025-01-01T00:00:00Z", "bee"),
    ])
    .await
    .unwrap();
    imp.add_batch(vec![
        rel("a", "1", "2025-01-01T00:00:00Z", "first"),
        rel("a", "2", "2025-02-01T00:00:00Z", "second"),
    ])
    .await
    .unwrap();
    // 4 merged + 1 rejected must be 5 read; 6 does not reconcile.
    let row = imp
        .finish(&actor, 5, 1, serde_json::json!({"file": "a.json"}))
        .await
        .unwrap();
    assert_eq!(
        (
            row.records_read,
            row.new,
            row.updated,
            row.duplicates,
            row.rejected
        ),
        (5, 2, 1, 1, 1)
    );
    let held = store.contracts().await.unwrap();
    assert_eq!(held.len(), 2);
    assert_eq!(held[0].title, "second");
    assert_eq!(held[0].seen, vec!["1".to_string(), "2".to_string()]);

    // The same file again: all duplicates, nothing changes.
    let mut imp = store
        .begin_contract_import(&actor, "ocds", "a.json", "00", "")
        .await
        .unwrap();
    imp.add_batch(vec![rel("a", "2", "2025-02-01T00:00:00Z", "second")])
        .await
        .unwrap();
    let bad = imp.finish(&actor, 2, 0, serde_json::json!({})).await;
    assert!(matches!(bad, Err(StoreError::Invalid(_))), "{bad:?}");
    assert_eq!(store.contract_imports().await.unwrap().len(), 1);

    // An abandoned import leaves nothing.
    let mut imp = store
        .begin_contract_import(&actor, "register", "r.csv", "11", "LBC")
        .await
        .unwrap();
    imp.add_batch(vec![rel("c", "1", "2025-01-01T00:00:00Z", "cee")])
        .await
        .unwrap();
    imp.abandon().await;
    assert!(store.contract("ocds:c").await.unwrap().is_none());
    assert_eq!(store.contract_imports().await.unwrap().len(), 1);

    // Corrections: kept, replaced, audited; unknown contracts refused.
    store
        .correct_match(&actor, "ocds:a", "greenbin", false, "")
        .await
        .unwrap();
    store
        .correct_match(&actor, "ocds:a", "greenbin", true, "they bid last time")
        .await
        .unwrap();
    let cs = store.match_corrections(Some("ocds:a")).await.unwrap();
    assert_eq!(cs.len(), 1);
    assert!(cs[0].include);
    assert_eq!(cs[0].note, "they bid last time");
    assert!(
        store
            .correct_match(&actor, "ocds:zz", "x", true, "")
            .await
            .is_err()
    );
    let log = store
        .audit_entries(&AuditQuery {
            action: Some("contracts.match.correct".into()),
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(log.len(), 2);
    let log = store
        .audit_entries(&AuditQuery {
            action: Some("contracts.import".into()),
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(log.len(), 1);

    // Batches longer than one statement: 1,100 new contracts, then each updated by a later
    // release beside one seen before, in a batch whose held contracts are read in three goes.
    let many = |id: &str, date: &str| -> Vec<Contract> {
        (0..1_100)
            .map(|i| rel(&format!("m{i:04}"), id, date, &format!("many {i} {id}")))
            .collect()
    };
    let mut imp = store
        .begin_contract_import(&actor, "ocds", "many.json", "22", "")
        .await
        .unwrap();
    imp.add_batch(many("1", "2025-01-01T00:00:00Z"))
        .await
        .unwrap();
    let mut second = many("2", "2025-03-01T00:00:00Z");
    second.push(rel("m0007", "1", "2025-01-01T00:00:00Z", "many 7 1"));
    imp.add_batch(second).await.unwrap();
    let row = imp
        .finish(&actor, 2_201, 0, serde_json::json!({}))
        .await
        .unwrap();
    assert_eq!((row.new, row.updated, row.duplicates), (1_100, 1_100, 1));
    let held = store.contracts().await.unwrap();
    let m: Vec<&Contract> = held
        .iter()
        .filter(|c| c.key.starts_with("ocds:m"))
        .collect();
    assert_eq!(m.len(), 1_100);
    assert!(
        m.iter()
            .all(|c| c.title.ends_with(" 2") && c.seen == ["1", "2"])
    );
}
