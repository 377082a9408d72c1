//! Races an attacker or two busy admins could run (#19): the last-admin guard and the sign-in attempt
//! reservation under concurrency, on SQLite and on PostgreSQL.

use super::*;

/// Two admins (the only two) demote or disable each other at the same moment: one change is
/// refused, one admin is left.
async fn two_admins_demote_each_other(store: &Store, disable: bool) {
    let a = store
        .create_user(
            &Actor::system("test"),
            new_user("a@example.org", Role::Admin),
        )
        .await
        .unwrap();
    let b = store
        .create_user(
            &Actor::system("test"),
            new_user("b@example.org", Role::Admin),
        )
        .await
        .unwrap();
    let by_a = Actor::user(a.id, &a.email);
    let by_b = Actor::user(b.id, &b.email);
    let (x, y) = if disable {
        let (x, y) = tokio::join!(
            store.set_user_disabled(&by_a, b.id, true),
            store.set_user_disabled(&by_b, a.id, true)
        );
        (x.map(|_| ()), y.map(|_| ()))
    } else {
        let (x, y) = tokio::join!(
            store.set_user_role(&by_a, b.id, Role::Viewer),
            store.set_user_role(&by_b, a.id, Role::Viewer)
        );
        (x.map(|_| ()), y.map(|_| ()))
    };
    assert!(x.is_err() || y.is_err(), "both changes went through");
    assert!(
        matches!(x, Err(StoreError::Conflict(_))) || matches!(y, Err(StoreError::Conflict(_))),
        "{x:?} {y:?}"
    );
    assert_eq!(store.active_admin_count().await.unwrap(), 1);
}

/// Forty attempts reserved at once against a limit of five: exactly five are granted.
async fn reservations_hold_the_limit(store: &Store) {
    let key = format!("account:race{}@example.org", store.backend_name());
    let tries = (0..40).map(|_| {
        let store = store.clone();
        let key = key.clone();
        tokio::spawn(async move {
            store
                .reserve_attempt(&[(key.as_str(), 5), ("addr:192.0.2.1", 1000)], 900)
                .await
                .unwrap()
                .is_some()
        })
    });
    let mut granted = 0;
    for t in tries.collect::<Vec<_>>() {
        if t.await.unwrap() {
            granted += 1;
        }
    }
    assert_eq!(granted, 5);
    assert_eq!(store.recent_sign_in_failures(&key, 900).await.unwrap(), 5);
    // A released reservation no longer counts.
    let other = format!("account:ok{}@example.org", store.backend_name());
    let r = store
        .reserve_attempt(&[(other.as_str(), 5)], 900)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(store.recent_sign_in_failures(&other, 900).await.unwrap(), 1);
    store.release_attempt(r).await.unwrap();
    assert_eq!(store.recent_sign_in_failures(&other, 900).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn races_on_sqlite() {
    let (store, scratch) = scratch_sqlite().await.unwrap();
    reservations_hold_the_limit(&store).await;
    store.close().await;
    scratch.remove().await;
    for round in 0..6 {
        let (store, scratch) = scratch_sqlite().await.unwrap();
        two_admins_demote_each_other(&store, round % 2 == 1).await;
        store.close().await;
        scratch.remove().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn races_on_postgres() {
    let url = match postgres_test_url() {
        Ok(Some(url)) => url,
        Ok(None) => {
            eprintln!("NOT RUN: races_on_postgres needs LEVERS_TEST_PG=postgres://… (CI sets it)");
            return;
        }
        Err(why) => panic!("{why}"),
    };
    let (store, scratch) = scratch_postgres(&url).await.unwrap();
    reservations_hold_the_limit(&store).await;
    store.close().await;
    scratch.remove().await;
    for round in 0..4 {
        let (store, scratch) = scratch_postgres(&url).await.unwrap();
        two_admins_demote_each_other(&store, round % 2 == 1).await;
        store.close().await;
        scratch.remove().await;
    }
}

/// A spend import that never finishes (the process killed mid-way: its transaction rolls back) leaves
/// nothing behind, not even the body it named for the first time.
#[tokio::test]
async fn an_unfinished_spend_import_leaves_no_body() {
    let (store, scratch) = scratch_sqlite().await.unwrap();
    let imp = store
        .begin_spend_import(&Actor::system("test"), "Killed Council", "k.csv", "00", 10)
        .await
        .unwrap();
    imp.abandon().await;
    assert!(
        !store
            .spend_bodies()
            .await
            .unwrap()
            .contains(&"Killed Council".to_string())
    );
    store.close().await;
    scratch.remove().await;
}

/// A spend import runs on SQLite with foreign-key enforcement off (no statement journal for its
/// multi-row inserts): what it stores still satisfies every foreign key, and an actor naming a
/// user that does not exist is refused, as enforcement would have refused it.
#[tokio::test]
async fn a_spend_import_keeps_the_foreign_keys() {
    use levers_spend::{CheckOptions, transactions};
    let (store, scratch) = scratch_sqlite().await.unwrap();
    let text = "Date,Supplier,Amount,Transaction Number\n05/01/2025,Acme Ltd,10.00,T1\n06/01/2025,Beta CIC,-2.25,T2\n";
    let (txs, report) = transactions("fk.csv", text.as_bytes(), &CheckOptions::default()).unwrap();
    let report = serde_json::to_value(&report).unwrap();
    let ghost = Actor::user(999_999, "nobody@example.org");
    let mut imp = store
        .begin_spend_import(&ghost, "FK Council", "fk.csv", "sha-fk", 10)
        .await
        .unwrap();
    imp.add(&txs).await.unwrap();
    assert!(matches!(
        imp.finish(&ghost, &report, &[]).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(store.spend_imports().await.unwrap().is_empty());
    let actor = Actor::system("test");
    let mut imp = store
        .begin_spend_import(&actor, "FK Council", "fk.csv", "sha-fk", 10)
        .await
        .unwrap();
    imp.add(&txs).await.unwrap();
    imp.finish(&actor, &report, &[]).await.unwrap();
    let Scratch::SqliteFile(path) = &scratch else {
        unreachable!()
    };
    let mut c = sqlx::SqliteConnection::connect(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    let broken: Vec<(String,)> = sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
        .fetch_all(&mut c)
        .await
        .unwrap();
    assert!(broken.is_empty(), "{broken:?}");
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM spend_transactions")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(n, 2);
    c.close().await.unwrap();
    store.close().await;
    scratch.remove().await;
}
