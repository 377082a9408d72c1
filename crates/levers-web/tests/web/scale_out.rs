//! Scale-out (#19): two servers (two routers, each with its own connection pool, as two
//! `levers serve` processes would have) on one PostgreSQL database. Sessions and throttles are
//! shared, voters spread across both are counted once per code, and data imported through one is
//! seen by the other at once (its in-memory caches check the database's data version per request).

use super::community_budgets::{post_from, voting_process};
use super::*;
use levers_store::testing::{postgres_test_url, reopen, scratch_postgres};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_on_one_postgres() {
    let url = match postgres_test_url() {
        Ok(Some(url)) => url,
        Ok(None) => {
            eprintln!(
                "NOT RUN: two_servers_on_one_postgres needs LEVERS_TEST_PG=postgres://… (scripts/pg-throwaway; CI sets it)"
            );
            return;
        }
        Err(why) => panic!("{why}"),
    };
    let (store_a, scratch) = scratch_postgres(&url).await.unwrap();
    let store_b = reopen(&scratch).await.unwrap();
    add_users(&store_a).await;
    let config = WebConfig {
        trust_proxy: 1,
        ..WebConfig::default()
    };
    let a = router(store_a.clone(), config.clone());
    let b = router(store_b.clone(), config);

    // A session made on one server is good on the other, and signing out on it ends it on both.
    let mut on_a = Client::new(&a);
    assert_eq!(
        on_a.sign_in("viewer@example.org", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let mut on_b = Client::new(&b);
    on_b.cookies = on_a.cookies.clone();
    assert_eq!(on_b.get("/places").await.status, StatusCode::OK);

    // Sign-in throttles are shared: three wrong passwords on one, two on the other, and the right
    // one is refused on either.
    for (app, n) in [(&a, 3), (&b, 2)] {
        for _ in 0..n {
            let mut c = Client::new(app);
            let r = c.sign_in("officer@example.org", "wrong password!").await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
    }
    for app in [&a, &b] {
        let mut c = Client::new(app);
        let r = c.sign_in("officer@example.org", PASSWORD).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    }

    // Geography imported through one server shows on the other's next page (its index was built
    // before the import).
    let before = on_b.get("/places").await;
    assert!(before.body.contains("No geography is loaded yet"));
    {
        use levers_geo::block::encode_block;
        use levers_store::geo::GeoCounts;
        let files = [
            "LSOA code (2011),LSOA name (2011),Local Authority District code (2019),Local Authority District name (2019),Index of Multiple Deprivation (IMD) Rank,Index of Multiple Deprivation (IMD) Decile\n\
             X01000001,Testham 001A,X07000009,Testham,\"1,000\",1\n",
            "pcd,pcds,doterm,oslaua,osward,lsoa11,lsoa21,lat,long\nXT1 1AA,XT1 1AA,,X07000009,X05000009,X01000001,X01000001,54.0,-3.3\n",
        ];
        for (i, f) in files.iter().enumerate() {
            let mut recs = Vec::new();
            let rep = levers_geo::read_geo("f", f.as_bytes(), |r| recs.push(r), |_| {}).unwrap();
            let mut imp = store_a
                .begin_geo_import(
                    &Actor::system("test"),
                    rep.kind.unwrap().as_str(),
                    &format!("f{i}.csv"),
                )
                .await
                .unwrap();
            imp.add_block(recs.len() as i64, &encode_block(&recs))
                .await
                .unwrap();
            imp.finish(
                &Actor::system("test"),
                &GeoCounts {
                    rows_read: rep.rows_read as i64,
                    rows_imported: rep.rows_imported as i64,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        }
    }
    let after = on_b.get("/places").await;
    assert!(
        after.body.contains("href=\"/places/X07000009\""),
        "{}",
        after.body
    );

    // Spending imported through one server is in the other's analysis at once, though the other
    // already holds that year's payments in memory.
    let import = |file: &'static str, name: &'static str| {
        let store = store_a.clone();
        async move {
            levers_app::spend_import::import_bytes(
                &store,
                &Actor::system("test"),
                "Fixture Council",
                name,
                std::sync::Arc::new(file.as_bytes().to_vec()),
                &[],
            )
            .await
            .unwrap();
        }
    };
    import(
        "Date,Supplier Name,Amount,Transaction Number\n01/05/2024,Alpha Catering Ltd,1000.00,T1\n02/05/2024,Beta Builders Ltd,3000.00,T2\n",
        "may.csv",
    )
    .await;
    let q = "/procurement/analysis?body=Fixture+Council&year=2024%2F25&top=2&local=X07000009&local_name=Testham&wider=X07000009&wider_name=Testham";
    let r = on_b.get(q).await;
    assert!(r.body.contains("£4,000.00"), "{}", r.body);
    import(
        "Date,Supplier Name,Amount,Transaction Number\n03/06/2024,Delta Software plc,2500.00,T3\n",
        "june.csv",
    )
    .await;
    let r = on_b.get(q).await;
    assert!(r.body.contains("£6,500.00"), "{}", r.body);

    // Voters spread across both servers at once, with replays of their codes on the other: each
    // code is counted once.
    let (slug, pid, codes, ids) = voting_process(&store_a, 60).await;
    let mut voters = Vec::new();
    for i in 0..80usize {
        let app = if i % 2 == 0 { &a } else { &b };
        let mut c = Client::new(app);
        c.get(&format!("/community-budgets/{slug}/vote")).await;
        let code = if i < 60 {
            codes[i].clone()
        } else {
            codes[(i - 60) * 3].clone()
        };
        voters.push((c, code, format!("10.2.{}.{}", i / 256, i % 256)));
    }
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(voters.len()));
    let mut set = tokio::task::JoinSet::new();
    for (i, (mut c, code, addr)) in voters.into_iter().enumerate() {
        let (barrier, slug) = (barrier.clone(), slug.clone());
        let choice = ids[i % 3].to_string();
        set.spawn(async move {
            barrier.wait().await;
            let r = post_from(
                &mut c,
                &format!("/community-budgets/{slug}/ballot"),
                &addr,
                &[("code", &code), ("p", &choice), ("action", "cast")],
            )
            .await;
            (r.status, r.body.contains("Your vote has been cast"))
        });
    }
    let (mut cast, mut refused) = (0, 0);
    while let Some(r) = set.join_next().await {
        match r.unwrap() {
            (StatusCode::OK, true) => cast += 1,
            (StatusCode::CONFLICT, _) => refused += 1,
            other => panic!("unexpected reply {other:?}"),
        }
    }
    assert_eq!((cast, refused), (60, 20));
    assert_eq!(store_b.pb_ballot_counts(pid).await.unwrap(), (60, 0));

    store_b.close().await;
    store_a.close().await;
    scratch.remove().await;
}
