//! The community budget story (issue 7), run by store.rs on SQLite and PostgreSQL: a process from
//! setup to delivery; one ballot per code under concurrency; and ballot secrecy (no linking column,
//! storage order unrelated to the order of casting, on PostgreSQL no shared transaction id).

use levers_pb::codes::{code_from_random, code_hash};
use levers_pb::process::{AllocationRule, Area, BallotType, Phase, ProcessDef};
use levers_store::audit::AuditQuery;
use levers_store::pb_process::{
    CastOutcome, Channel, NewBallot, NewProposal, ReceiptStatus, Review, VoidOutcome,
};
use levers_store::testing::Scratch;
use levers_store::{Actor, Store, StoreError};
use sqlx::{Connection, Row};

pub fn def(slug: &str) -> ProcessDef {
    ProcessDef {
        name: "Harbour community budget".into(),
        slug: slug.into(),
        description: "Ideas for the harbour".into(),
        area_name: "Harbour ward".into(),
        area: Area::Wards(vec!["X05000001".into()]),
        pot_pence: 5_000_000,
        ballot: BallotType::Approval { max_choices: 3 },
        rule: AllocationRule::EqualShares,
        min_age: Some(16),
        shuffle: true,
        phases: vec![],
    }
}

/// A distinct, valid code for test number `i`.
fn code(i: u64) -> String {
    code_from_random(u128::from(i).wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835) ^ 0xABCD)
}

fn ballot(i: u64, content: &str) -> NewBallot {
    NewBallot {
        ballot_id: format!(
            "{:032x}",
            u128::from(i).wrapping_mul(0xD6E8_FEB8_6659_FD93_2545_F491_4F6C_DD1D)
        ),
        receipt_hash: format!("r{i}"),
        content: content.into(),
    }
}

/// Spearman's rank correlation of positions 0..n against `seq` (a permutation of 0..n).
fn rank_correlation(seq: &[usize]) -> f64 {
    let n = seq.len() as f64;
    let d2: f64 = seq
        .iter()
        .enumerate()
        .map(|(i, &s)| (i as f64 - s as f64).powi(2))
        .sum();
    1.0 - 6.0 * d2 / (n * (n * n - 1.0))
}

async fn columns(scratch: &Scratch, table: &str) -> Vec<String> {
    let mut cols: Vec<String> = match scratch {
        Scratch::SqliteFile(path) => {
            let mut c = sqlx::SqliteConnection::connect(&format!("sqlite:{}", path.display()))
                .await
                .unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA table_info({table})")))
                .fetch_all(&mut c)
                .await
                .unwrap()
                .iter()
                .map(|r| r.get::<String, _>("name"))
                .collect()
        }
        Scratch::PostgresSchema { url, schema } => {
            let mut c = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::query_scalar("SELECT column_name::text FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2")
                .bind(schema)
                .bind(table)
                .fetch_all(&mut c)
                .await
                .unwrap()
        }
    };
    cols.sort();
    cols
}

/// The contents of a ballot table in storage order (SQLite: the table's own order; PostgreSQL:
/// physical position, `ctid`).
async fn storage_order(scratch: &Scratch, table: &str, process_id: i64) -> Vec<String> {
    match scratch {
        Scratch::SqliteFile(path) => {
            let mut c = sqlx::SqliteConnection::connect(&format!("sqlite:{}", path.display()))
                .await
                .unwrap();
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT content FROM {table} WHERE process_id = $1"
            )))
            .bind(process_id)
            .fetch_all(&mut c)
            .await
            .unwrap()
        }
        Scratch::PostgresSchema { url, schema } => {
            let mut c = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT content FROM {schema}.{table} WHERE process_id = $1 ORDER BY ctid"
            )))
            .bind(process_id)
            .fetch_all(&mut c)
            .await
            .unwrap()
        }
    }
}

pub async fn pb_story(store: &Store, scratch: &Scratch) {
    let officer = Actor::system("officer@test");
    let public = Actor::system("public");
    let resident = Actor::system("resident");

    // A process, unique by web address.
    let p = store
        .create_pb_process(&officer, &def("harbour-2026"))
        .await
        .unwrap();
    assert_eq!(p.phase, Phase::Setup);
    assert!(matches!(
        store
            .create_pb_process(&officer, &def("harbour-2026"))
            .await,
        Err(StoreError::Conflict(_))
    ));
    let pid = p.id;
    assert_eq!(
        store
            .pb_process_by_slug("harbour-2026")
            .await
            .unwrap()
            .unwrap()
            .id,
        pid
    );

    // Voting cannot open with nothing on the ballot; phases never go back.
    store
        .set_pb_phase(&officer, pid, Phase::Proposals)
        .await
        .unwrap();
    assert!(matches!(
        store.set_pb_phase(&officer, pid, Phase::Voting).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.set_pb_phase(&officer, pid, Phase::Setup).await,
        Err(StoreError::Conflict(_))
    ));

    // Proposals from the public form, reviewed: accepted with a final cost, rejected with a
    // published reason, a duplicate merged.
    let mut ids = Vec::new();
    for (t, c) in [
        ("Benches on the quay", 800_000),
        ("Play area", 2_500_000),
        ("Tree planting", 600_000),
        ("More benches", 300_000),
        ("A helipad", 90_000_000),
    ] {
        let np = NewProposal {
            title: t.into(),
            description: format!("{t} please"),
            rough_cost_pence: Some(c),
            location: "Quay".into(),
            category: "parks".into(),
            contact: "me@example.org".into(),
        };
        ids.push(store.submit_pb_proposal(&public, pid, &np).await.unwrap());
    }
    store
        .set_pb_phase(&officer, pid, Phase::Review)
        .await
        .unwrap();
    for (i, cost) in [(0, 900_000), (1, 2_400_000), (2, 650_000)] {
        let r = Review::Accept {
            final_cost_pence: cost,
            reason: String::new(),
            feasibility: "checked with highways".into(),
            title: String::new(),
        };
        store
            .review_pb_proposal(&officer, ids[i], &r)
            .await
            .unwrap();
    }
    store
        .review_pb_proposal(
            &officer,
            ids[4],
            &Review::Reject {
                reason: "Not on council land".into(),
                feasibility: String::new(),
            },
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .review_pb_proposal(
                &officer,
                ids[3],
                &Review::Merge {
                    into: ids[4],
                    reason: String::new()
                }
            )
            .await,
        Err(StoreError::Conflict(_))
    ));
    let merged = store
        .review_pb_proposal(
            &officer,
            ids[3],
            &Review::Merge {
                into: ids[0],
                reason: "Same as benches on the quay".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(merged.merged_into, Some(ids[0]));

    // Codes: hashes only, in batches with a ward.
    let hashes: Vec<String> = (0..400).map(|i| code_hash(pid, &code(i))).collect();
    let batch = store
        .create_pb_code_batch(
            &officer,
            pid,
            "Harbour door to door",
            Some(("X05000001", "Harbour")),
            &hashes[..300],
        )
        .await
        .unwrap();
    store
        .create_pb_code_batch(&officer, pid, "Library", None, &hashes[300..])
        .await
        .unwrap();
    assert!(matches!(
        store
            .create_pb_code_batch(&officer, pid, "again", None, &hashes[..1])
            .await,
        Err(StoreError::Conflict(_))
    ));

    // Not open yet.
    assert_eq!(
        store
            .cast_pb_ballot(&resident, pid, &hashes[0], Channel::Online, &ballot(0, "x"))
            .await
            .unwrap(),
        CastOutcome::NotOpen
    );
    let opened = store
        .set_pb_phase(&officer, pid, Phase::Voting)
        .await
        .unwrap();
    let frozen = opened.ballot.unwrap();
    assert_eq!(
        frozen.iter().map(|b| b.cost_pence).collect::<Vec<_>>(),
        vec![900_000, 2_400_000, 650_000]
    );
    assert!(matches!(
        store
            .review_pb_proposal(
                &officer,
                ids[2],
                &Review::Reject {
                    reason: "x".into(),
                    feasibility: String::new()
                }
            )
            .await,
        Err(StoreError::Conflict(_))
    ));

    // Sequential ballots in a known order; the content records the order.
    let sequential = 150u64;
    for i in 0..sequential {
        assert_eq!(
            store
                .cast_pb_ballot(
                    &resident,
                    pid,
                    &hashes[i as usize],
                    Channel::Online,
                    &ballot(i, &format!("seq{i}"))
                )
                .await
                .unwrap(),
            CastOutcome::Cast
        );
    }
    assert_eq!(
        store
            .cast_pb_ballot(
                &resident,
                pid,
                &hashes[0],
                Channel::Online,
                &ballot(999, "again")
            )
            .await
            .unwrap(),
        CastOutcome::AlreadyUsed(Channel::Online)
    );
    assert_eq!(
        store
            .cast_pb_ballot(
                &officer,
                pid,
                &hashes[0],
                Channel::Paper,
                &ballot(998, "again")
            )
            .await
            .unwrap(),
        CastOutcome::AlreadyUsed(Channel::Online)
    );
    assert_eq!(
        store
            .cast_pb_ballot(
                &resident,
                pid,
                "no such hash",
                Channel::Online,
                &ballot(997, "x")
            )
            .await
            .unwrap(),
        CastOutcome::UnknownCode
    );
    assert_eq!(
        store
            .cast_pb_ballot(
                &officer,
                pid,
                &hashes[200],
                Channel::Paper,
                &ballot(200, "paper200")
            )
            .await
            .unwrap(),
        CastOutcome::Cast
    );
    assert_eq!(
        store
            .cast_pb_ballot(
                &resident,
                pid,
                &hashes[200],
                Channel::Online,
                &ballot(996, "x")
            )
            .await
            .unwrap(),
        CastOutcome::AlreadyUsed(Channel::Paper)
    );

    // Cancelling codes: an unused code (a returned letter) can never vote; a used one cannot be
    // cancelled (its ballot is anonymous); the audit names the batch and reason, not the code.
    let void = |h: &str| {
        let (s, h, o) = (store.clone(), h.to_string(), officer.clone());
        async move {
            s.void_pb_code(&o, pid, &h, "The letter came back undelivered")
                .await
                .unwrap()
        }
    };
    assert_eq!(void(&hashes[399]).await, VoidOutcome::Voided);
    assert_eq!(void(&hashes[399]).await, VoidOutcome::AlreadyVoid);
    assert_eq!(
        void(&hashes[0]).await,
        VoidOutcome::AlreadyUsed(Channel::Online)
    );
    assert_eq!(
        void(&hashes[200]).await,
        VoidOutcome::AlreadyUsed(Channel::Paper)
    );
    assert_eq!(void("no such hash").await, VoidOutcome::UnknownCode);
    assert_eq!(
        store
            .cast_pb_ballot(
                &resident,
                pid,
                &hashes[399],
                Channel::Online,
                &ballot(995, "x")
            )
            .await
            .unwrap(),
        CastOutcome::Void
    );
    assert_eq!(
        store
            .cast_pb_ballot(
                &officer,
                pid,
                &hashes[399],
                Channel::Paper,
                &ballot(994, "x")
            )
            .await
            .unwrap(),
        CastOutcome::Void
    );
    let library = store
        .pb_code_batches(pid)
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.label == "Library")
        .unwrap();
    assert_eq!((library.codes, library.voided), (100, 1));
    let turnout = store.pb_turnout(pid).await.unwrap();
    assert_eq!(
        turnout
            .iter()
            .find(|t| t.ward_code.is_none())
            .map(|t| (t.issued, t.voided)),
        Some((99, 1)),
        "a cancelled code is not counted as issued"
    );
    let voids = store
        .audit_entries(&AuditQuery {
            action: Some("pb.code.void".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(voids.len(), 1);
    assert_eq!(voids[0].object_id, library.id.to_string());
    assert!(
        !serde_json::to_string(&voids)
            .unwrap()
            .contains(&hashes[399])
    );

    // Concurrency: 40 fresh codes each tried by two voters at once, plus 20 replays of used codes:
    // exactly one ballot per fresh code.
    let mut set = tokio::task::JoinSet::new();
    for i in 0..40u64 {
        for attempt in 0..2u64 {
            let (s, h, a) = (
                store.clone(),
                hashes[(160 + i) as usize].clone(),
                resident.clone(),
            );
            set.spawn(async move {
                s.cast_pb_ballot(
                    &a,
                    pid,
                    &h,
                    Channel::Online,
                    &ballot(10_000 + i * 2 + attempt, "race"),
                )
                .await
                .unwrap()
            });
        }
    }
    for i in 0..20u64 {
        let (s, h, a) = (store.clone(), hashes[i as usize].clone(), resident.clone());
        set.spawn(async move {
            s.cast_pb_ballot(&a, pid, &h, Channel::Online, &ballot(20_000 + i, "replay"))
                .await
                .unwrap()
        });
    }
    let (mut cast, mut refused) = (0, 0);
    while let Some(r) = set.join_next().await {
        match r.unwrap() {
            CastOutcome::Cast => cast += 1,
            CastOutcome::AlreadyUsed(_) => refused += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!((cast, refused), (40, 60));
    let expected = sequential as i64 + 1 + 40;
    assert_eq!(store.pb_ballot_counts(pid).await.unwrap(), (expected, 0));
    assert_eq!(
        store.pb_receipt_status(pid, "r3").await.unwrap(),
        ReceiptStatus::Received
    );
    assert_eq!(
        store.pb_receipt_status(pid, "nope").await.unwrap(),
        ReceiptStatus::Unknown
    );

    // Secrecy by schema: the ballot tables hold only a random id, the receipt hash and the content.
    for t in ["pb_ballots", "pb_ballots_cast"] {
        assert_eq!(
            columns(scratch, t).await,
            vec!["ballot_id", "content", "process_id", "receipt_hash"],
            "{t}"
        );
    }
    let code_cols = columns(scratch, "pb_codes").await;
    assert!(
        !code_cols
            .iter()
            .any(|c| c.contains("ballot") || c.contains("receipt") || c.ends_with("_at")),
        "{code_cols:?}"
    );
    // The audit log records that ballots arrived, never which code or ballot.
    let audit = store
        .audit_entries(&AuditQuery {
            action: Some("pb.ballot.cast".into()),
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len() as i64, expected);
    let all = serde_json::to_string(
        &store
            .audit_entries(&AuditQuery {
                limit: 1000,
                ..Default::default()
            })
            .await
            .unwrap(),
    )
    .unwrap();
    assert!(
        !all.contains(&hashes[5])
            && !all.contains("seq5")
            && !all.contains(&ballot(5, "").ballot_id)
    );

    let seq_of = |order: Vec<String>| -> Vec<usize> {
        let seq: Vec<usize> = order
            .iter()
            .filter_map(|c| c.strip_prefix("seq").and_then(|n| n.parse().ok()))
            .collect();
        assert_eq!(seq.len(), sequential as usize);
        // re-rank among the sequential ballots only
        let mut sorted = seq.clone();
        sorted.sort_unstable();
        seq.iter()
            .map(|s| sorted.binary_search(s).unwrap())
            .collect()
    };
    let before = rank_correlation(&seq_of(
        storage_order(scratch, "pb_ballots_cast", pid).await,
    ));
    if matches!(scratch, Scratch::PostgresSchema { .. }) {
        // The detector works: PostgreSQL's heap keeps insertion order until the box is sealed.
        assert!(before > 0.9, "cast table order vs casting order: {before}");
    } else {
        assert!(
            before.abs() < 0.35,
            "SQLite WITHOUT ROWID keeps key order: {before}"
        );
    }

    // Closing: online refused, paper still accepted until the count; sealing moves everything.
    store
        .set_pb_phase(&officer, pid, Phase::Closed)
        .await
        .unwrap();
    assert_eq!(
        store
            .cast_pb_ballot(
                &resident,
                pid,
                &hashes[390],
                Channel::Online,
                &ballot(390, "late")
            )
            .await
            .unwrap(),
        CastOutcome::NotOpen
    );
    assert_eq!(
        store
            .cast_pb_ballot(
                &officer,
                pid,
                &hashes[301],
                Channel::Paper,
                &ballot(301, "paper301")
            )
            .await
            .unwrap(),
        CastOutcome::Cast
    );
    let sealed = store.seal_pb_ballots(&officer, pid).await.unwrap();
    assert_eq!(sealed, expected + 1);
    assert_eq!(
        store.pb_ballot_counts(pid).await.unwrap(),
        (0, expected + 1)
    );
    let after = rank_correlation(&seq_of(storage_order(scratch, "pb_ballots", pid).await));
    assert!(
        after.abs() < 0.35,
        "sealed storage order vs casting order: {after}"
    );
    let contents = store.pb_sealed_ballots(pid).await.unwrap();
    assert_eq!(contents.len() as i64, expected + 1);
    if let Scratch::PostgresSchema { url, schema } = scratch {
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        let ballot_xids: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT DISTINCT xmin::text FROM {schema}.pb_ballots WHERE process_id = $1"
        )))
        .bind(pid)
        .fetch_all(&mut c)
        .await
        .unwrap();
        assert_eq!(
            ballot_xids.len(),
            1,
            "one sealing transaction wrote every ballot"
        );
        let code_xids: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT xmin::text FROM {schema}.pb_codes WHERE state <> 'unused'"
        )))
        .fetch_all(&mut c)
        .await
        .unwrap();
        assert!(!code_xids.contains(&ballot_xids[0]));
    }

    // Count, then a late paper ballot: publishing waits for a recount.
    assert!(matches!(
        store.set_pb_phase(&officer, pid, Phase::Results).await,
        Err(StoreError::Conflict(_))
    ));
    let result = serde_json::json!({"ballots": sealed, "selected": [ids[0]], "spent_pence": 900_000, "rule": "mes"});
    store
        .save_pb_count(&officer, pid, sealed, &result, "META\n")
        .await
        .unwrap();
    assert_eq!(
        store.pb_receipt_status(pid, "r3").await.unwrap(),
        ReceiptStatus::Counted
    );
    assert_eq!(
        store
            .cast_pb_ballot(
                &officer,
                pid,
                &hashes[302],
                Channel::Paper,
                &ballot(302, "paper302")
            )
            .await
            .unwrap(),
        CastOutcome::Cast
    );
    let err = store
        .set_pb_phase(&officer, pid, Phase::Results)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("count again"), "{err}");
    let sealed = store.seal_pb_ballots(&officer, pid).await.unwrap();
    assert_eq!(sealed, expected + 2);
    let after = rank_correlation(&seq_of(storage_order(scratch, "pb_ballots", pid).await));
    assert!(after.abs() < 0.35, "resealed order: {after}");
    store
        .save_pb_count(&officer, pid, sealed, &result, "META\n")
        .await
        .unwrap();
    assert!(matches!(
        store
            .set_pb_delivery(&officer, pid, ids[0], "in_progress", 100, "")
            .await,
        Err(StoreError::Conflict(_))
    ));
    let published = store
        .set_pb_phase(&officer, pid, Phase::Results)
        .await
        .unwrap();
    assert_eq!(published.phase, Phase::Results);
    assert!(
        store
            .pb_result(pid)
            .await
            .unwrap()
            .unwrap()
            .published_at
            .is_some()
    );
    assert!(matches!(
        store
            .save_pb_count(&officer, pid, sealed, &result, "")
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        store
            .cast_pb_ballot(
                &officer,
                pid,
                &hashes[303],
                Channel::Paper,
                &ballot(303, "x")
            )
            .await
            .unwrap(),
        CastOutcome::NotOpen
    );

    // Turnout by ward comes from the codes, not the ballots.
    let turnout = store.pb_turnout(pid).await.unwrap();
    let harbour = turnout
        .iter()
        .find(|t| t.ward_code.as_deref() == Some("X05000001"))
        .unwrap();
    assert_eq!(
        (harbour.issued, harbour.used_online, harbour.used_paper),
        (300, sequential as i64 + 40, 1)
    );
    let library = turnout.iter().find(|t| t.ward_code.is_none()).unwrap();
    assert_eq!(
        (library.issued, library.used_paper, library.voided),
        (99, 2, 1),
        "one Library code was cancelled"
    );
    let batches = store.pb_code_batches(pid).await.unwrap();
    assert_eq!(
        batches.iter().find(|b| b.id == batch).unwrap().used_online,
        sequential as i64 + 40
    );

    // Delivery tracking.
    store
        .set_pb_delivery(&officer, pid, ids[0], "in_progress", 250_000, "ordered")
        .await
        .unwrap();
    store
        .set_pb_delivery(&officer, pid, ids[0], "delivered", 880_000, "installed")
        .await
        .unwrap();
    assert!(matches!(
        store
            .set_pb_delivery(&officer, pid, ids[0], "lost", 0, "")
            .await,
        Err(StoreError::Conflict(_))
    ));
    let d = store.pb_delivery(pid).await.unwrap();
    assert_eq!(
        (d[0].status.as_str(), d[0].spent_pence),
        ("delivered", 880_000)
    );
    for action in [
        "pb.process.create",
        "pb.process.phase",
        "pb.proposal.submit",
        "pb.proposal.review",
        "pb.codes.create",
        "pb.ballots.seal",
        "pb.count",
        "pb.delivery",
    ] {
        let n = store
            .audit_count(&AuditQuery {
                action: Some(action.into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(n > 0, "{action} is audited");
    }
}
