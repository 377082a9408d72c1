//! Helpers for tests across the workspace: a throwaway SQLite file or PostgreSQL schema per test.

use std::str::FromStr;

use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};

use crate::{Result, Store, StoreError};

/// Where the test database lives, so it can be removed afterwards.
#[derive(Debug)]
pub enum Scratch {
    SqliteFile(std::path::PathBuf),
    PostgresSchema { url: String, schema: String },
}

fn unique_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{}_{}_{}", std::process::id(), nanos % 1_000_000_000_000, n)
}

/// A migrated store in a new SQLite file under the system temp folder.
pub async fn scratch_sqlite() -> Result<(Store, Scratch)> {
    let path = std::env::temp_dir().join(format!("levers_test_{}.db", unique_suffix()));
    let store = Store::open(&path.to_string_lossy()).await?;
    Ok((store, Scratch::SqliteFile(path)))
}

/// A migrated store in a new schema of the PostgreSQL database at `url` (`search_path` pinned to it),
/// so tests never touch each other's tables.
pub async fn scratch_postgres(url: &str) -> Result<(Store, Scratch)> {
    let schema = format!("levers_test_{}", unique_suffix());
    let connect_err = |source| StoreError::Connect {
        url: crate::redact_url(url),
        source,
    };
    let mut admin = PgConnection::connect(url).await.map_err(connect_err)?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&mut admin)
        .await?;
    admin.close().await?;
    let opts = PgConnectOptions::from_str(url)
        .map_err(connect_err)?
        .options([("search_path", schema.as_str())]);
    let store = Store::connect_postgres(opts).await.map_err(connect_err)?;
    store.migrate().await?;
    Ok((
        store,
        Scratch::PostgresSchema {
            url: url.to_string(),
            schema,
        },
    ))
}

/// Another store on the same test database (a second pool, as a second `levers serve` process
/// would open): the same SQLite file, or the same PostgreSQL schema.
pub async fn reopen(scratch: &Scratch) -> Result<Store> {
    match scratch {
        Scratch::SqliteFile(p) => Store::open(&p.to_string_lossy()).await,
        Scratch::PostgresSchema { url, schema } => {
            let connect_err = |source| StoreError::Connect {
                url: crate::redact_url(url),
                source,
            };
            let opts = PgConnectOptions::from_str(url)
                .map_err(connect_err)?
                .options([("search_path", schema.as_str())]);
            Store::connect_postgres(opts).await.map_err(connect_err)
        }
    }
}

impl Scratch {
    /// Removes the test database. Errors are ignored: it is only tidying up.
    pub async fn remove(self) {
        match self {
            Scratch::SqliteFile(p) => {
                for ext in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{ext}", p.display()));
                }
            }
            Scratch::PostgresSchema { url, schema } => {
                if let Ok(mut c) = PgConnection::connect(&url).await {
                    let _ =
                        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                            .execute(&mut c)
                            .await;
                    let _ = c.close().await;
                }
            }
        }
    }
}

/// The PostgreSQL URL for tests, from `LEVERS_TEST_PG`. Under `CI=true` its absence is an error (CI
/// must test PostgreSQL); elsewhere `None`, and the caller says the PostgreSQL run was skipped.
pub fn postgres_test_url() -> std::result::Result<Option<String>, String> {
    match std::env::var("LEVERS_TEST_PG") {
        Ok(url) if !url.trim().is_empty() => Ok(Some(url)),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => Err(
            "CI=true but LEVERS_TEST_PG is not set: CI must run the store tests against PostgreSQL"
                .into(),
        ),
        _ => Ok(None),
    }
}
