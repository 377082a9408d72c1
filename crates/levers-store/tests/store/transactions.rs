//! Transactions that always end (issue 14): when a write fails half-way, or leaves early, its
//! transaction is over by the time the store method returns, so another connection can write at
//! once. Run by store.rs on SQLite and PostgreSQL.
//!
//! The check runs on its own thread and runtime while the test's (single-threaded) runtime is held
//! still: a transaction that was merely dropped would still be open then (on PostgreSQL its
//! rollback waits for the pool's release task, which cannot run), so only an awaited rollback or
//! commit passes. With the rollback left to sqlx, the PostgreSQL run fails every time; on SQLite
//! sqlx's connection thread usually ends a dropped transaction within microseconds, so the SQLite
//! run catches it only when that thread is slow (as under load).

use levers_pb::codes::{code_from_random, code_hash};
use levers_pb::process::Phase;
use levers_store::pb_process::{CastOutcome, Channel, NewBallot, NewProposal, Review};
use levers_store::testing::Scratch;
use levers_store::{Actor, Store, StoreError};
use sqlx::Connection;

fn ballot(id: u128) -> NewBallot {
    NewBallot {
        ballot_id: format!("{id:032x}"),
        receipt_hash: format!("receipt-{id}"),
        content: "1".into(),
    }
}

/// Whether another connection can take `table` for writing at once, without waiting: on SQLite
/// `BEGIN IMMEDIATE` with no busy timeout, on PostgreSQL `LOCK TABLE … NOWAIT` in the strongest
/// mode (which any lock an open transaction holds on the table blocks).
fn writable_at_once(scratch: &Scratch, table: &str) -> Result<(), String> {
    let scratch = match scratch {
        Scratch::SqliteFile(p) => Scratch::SqliteFile(p.clone()),
        Scratch::PostgresSchema { url, schema } => Scratch::PostgresSchema {
            url: url.clone(),
            schema: schema.clone(),
        },
    };
    let table = table.to_string();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        rt.block_on(async move {
            match &scratch {
                Scratch::SqliteFile(path) => {
                    let opts = sqlx::sqlite::SqliteConnectOptions::new()
                        .filename(path)
                        .busy_timeout(std::time::Duration::ZERO);
                    let mut c = sqlx::SqliteConnection::connect_with(&opts)
                        .await
                        .map_err(|e| e.to_string())?;
                    let taken = sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut c).await;
                    let _ = sqlx::raw_sql("ROLLBACK").execute(&mut c).await;
                    let _ = c.close().await;
                    taken.map(|_| ()).map_err(|e| format!("SQLite: {e}"))
                }
                Scratch::PostgresSchema { url, schema } => {
                    let mut c = sqlx::PgConnection::connect(url)
                        .await
                        .map_err(|e| e.to_string())?;
                    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("SET search_path = {schema}")))
                        .execute(&mut c)
                        .await
                        .map_err(|e| e.to_string())?;
                    let mut tx = c.begin().await.map_err(|e| e.to_string())?;
                    let taken = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                        "LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE NOWAIT"
                    )))
                    .execute(&mut *tx)
                    .await;
                    let _ = tx.rollback().await;
                    let _ = c.close().await;
                    taken.map(|_| ()).map_err(|e| format!("PostgreSQL: {e}"))
                }
            }
        })
    })
    .join()
    .map_err(|_| "the checking thread panicked".to_string())?
}

pub async fn transactions_always_end(store: &Store, scratch: &Scratch) {
    let officer = Actor::system("officer@test");
    let resident = Actor::system("resident");
    let pid = store
        .create_pb_process(&officer, &super::pb_process::def("tx-2026"))
        .await
        .unwrap()
        .id;
    store
        .set_pb_phase(&officer, pid, Phase::Proposals)
        .await
        .unwrap();
    let np = NewProposal {
        title: "Benches".into(),
        description: "Benches on the quay".into(),
        rough_cost_pence: Some(800_000),
        location: "Quay".into(),
        category: "parks".into(),
        contact: String::new(),
    };
    let proposal = store.submit_pb_proposal(&resident, pid, &np).await.unwrap();
    store
        .set_pb_phase(&officer, pid, Phase::Review)
        .await
        .unwrap();
    let accept = Review::Accept {
        final_cost_pence: 900_000,
        reason: String::new(),
        feasibility: String::new(),
        title: String::new(),
    };
    store
        .review_pb_proposal(&officer, proposal, &accept)
        .await
        .unwrap();
    let hashes: Vec<String> = (1..=2u128)
        .map(|i| code_hash(pid, &code_from_random((i * 0x9E37_79B9_7F4A_7C15) ^ 0xABCD)))
        .collect();
    store
        .create_pb_code_batch(&officer, pid, "Quay", None, &hashes)
        .await
        .unwrap();
    store
        .set_pb_phase(&officer, pid, Phase::Voting)
        .await
        .unwrap();
    assert_eq!(
        store
            .cast_pb_ballot(&resident, pid, &hashes[0], Channel::Online, &ballot(1))
            .await
            .unwrap(),
        CastOutcome::Cast
    );

    // Fails half-way: the second code is claimed (a write), then the ballot's id repeats the first
    // ballot's and its insert fails. The claim must be undone and the transaction over on return.
    let failed = store
        .cast_pb_ballot(&resident, pid, &hashes[1], Channel::Online, &ballot(1))
        .await;
    assert!(matches!(failed, Err(StoreError::Database(_))), "{failed:?}");
    writable_at_once(scratch, "pb_ballots_cast")
        .expect("a write that failed half-way left its transaction open");
    assert_eq!(
        store
            .pb_code_state(pid, &hashes[1])
            .await
            .unwrap()
            .as_deref(),
        Some("unused"),
        "the failed write's claim of the code was not rolled back"
    );

    // Fails on a check after reading, under the write lock: the transaction ends too.
    assert!(matches!(
        store.set_pb_phase(&officer, pid, Phase::Results).await,
        Err(StoreError::Conflict(_))
    ));
    writable_at_once(scratch, "pb_processes")
        .expect("a write refused by a check left its transaction open");

    // And the next write on another pooled connection goes straight through.
    assert_eq!(
        store
            .cast_pb_ballot(&resident, pid, &hashes[1], Channel::Online, &ballot(2))
            .await
            .unwrap(),
        CastOutcome::Cast
    );

    // An import given up by its caller ends when abandoned.
    let import = store
        .begin_geo_import(&officer, "onspd", "abandoned.csv")
        .await
        .unwrap();
    import.abandon().await;
    writable_at_once(scratch, "geo_datasets")
        .expect("an abandoned import left its transaction open");
    assert!(
        store
            .geo_datasets()
            .await
            .unwrap()
            .iter()
            .all(|d| d.file_name != "abandoned.csv")
    );
}
