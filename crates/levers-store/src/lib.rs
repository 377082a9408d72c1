//! levers-store: the only place with SQL. Maps levers' values to tables on SQLite (default) or PostgreSQL.
//!
//! One [`Store`] wraps a connection pool for either backend. Queries are written once with `$1`
//! placeholders (which both sqlx drivers accept) and run through [`with_pool!`], which expands the same
//! code for each backend's concrete types. Every change to users, tokens or settings writes an
//! [`audit`] entry in the same transaction as the change itself. Every write runs through
//! `write_tx!` (`tx.rs`), which commits or rolls back, awaited, before the method returns.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

pub mod appraisal;
pub mod audit;
pub mod contracts;
pub mod coproduction;
pub mod geo;
pub mod jobs;
mod marks;
mod migrate;
pub mod pb_process;
pub mod places;
pub mod procurement;
pub mod sessions;
pub mod settings;
pub mod spend;
pub mod strategy;
pub mod testing;
pub mod throttle;
pub mod tokens;
mod tx;
pub mod users;

pub use audit::{Actor, AuditEntry, NewAudit};
pub use sessions::Session;
pub use tokens::ApiToken;
pub use users::{NewUser, Role, User};

pub(crate) use marks::Marks;
pub(crate) use tx::{BeginWrite, Tx, or_rollback, rollback_and, with_tx, write_tx};

/// Runs `$body` with `$pool` bound to the concrete pool of whichever backend the store uses.
/// The body is compiled once per backend, so it may use backend-specific types freely.
macro_rules! with_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.backend {
            $crate::Backend::Sqlite($pool) => $body,
            $crate::Backend::Postgres($pool) => $body,
        }
    };
}
pub(crate) use with_pool;

/// Which database a store talks to.
#[derive(Debug, Clone)]
pub(crate) enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// What went wrong in the store, phrased for the person who has to act on it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "cannot open the database \"{url}\": {source}. Check the --database URL (a file path, sqlite:FILE or postgres://…) and that the server is running"
    )]
    Connect { url: String, source: sqlx::Error },
    #[error(
        "the database schema could not be brought up to date (migration {version} {name}): {source}"
    )]
    Migrate {
        version: i64,
        name: &'static str,
        source: sqlx::Error,
    },
    #[error(
        "the database was written by a newer levers (schema version {found}, this build knows up to {known}): upgrade levers"
    )]
    SchemaTooNew { found: i64, known: i64 },
    #[error("{0}")]
    Conflict(String),
    #[error("{0} was not found")]
    NotFound(String),
    /// The caller asked for something the rules do not allow; the message says what to change.
    #[error("{0}")]
    Invalid(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A handle on the levers database. Cheap to clone: clones share the pool.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) backend: Backend,
}

impl Store {
    /// Opens the database named by `url` and brings its schema up to date.
    ///
    /// `postgres://…` or `postgresql://…` selects PostgreSQL; `sqlite:FILE`, `sqlite::memory:` or a
    /// plain file path selects SQLite (created if missing, WAL journal, foreign keys on).
    pub async fn open(url: &str) -> Result<Store> {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Opens the database without running migrations.
    pub async fn connect(url: &str) -> Result<Store> {
        let err = |source| StoreError::Connect {
            url: redact_url(url),
            source,
        };
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url).map_err(err)?;
            Store::connect_postgres(opts).await.map_err(err)
        } else {
            let memory = url == "sqlite::memory:" || url == ":memory:";
            let opts = if memory {
                SqliteConnectOptions::from_str("sqlite::memory:")
            } else if url.starts_with("sqlite:") {
                SqliteConnectOptions::from_str(url)
            } else {
                Ok(SqliteConnectOptions::new().filename(url))
            }
            .map_err(err)?
            .create_if_missing(true)
            .foreign_keys(true)
            .journal_mode(if memory {
                SqliteJournalMode::Memory
            } else {
                SqliteJournalMode::Wal
            })
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10));
            // An in-memory database exists per connection, so it must have exactly one.
            let pool = SqlitePoolOptions::new()
                .max_connections(if memory { 1 } else { 8 })
                .min_connections(if memory { 1 } else { 0 })
                .idle_timeout(if memory {
                    None
                } else {
                    Some(Duration::from_secs(600))
                })
                .max_lifetime(if memory {
                    None
                } else {
                    Some(Duration::from_secs(3600))
                })
                .connect_with(opts)
                .await
                .map_err(err)?;
            Ok(Store {
                backend: Backend::Sqlite(pool),
            })
        }
    }

    /// Opens PostgreSQL with explicit options (tests use this to pin a schema via `search_path`).
    pub async fn connect_postgres(opts: PgConnectOptions) -> Result<Store, sqlx::Error> {
        // One direct connection first, so a wrong address fails at once instead of after the pool's
        // acquire timeout.
        sqlx::Connection::close(
            <sqlx::PgConnection as sqlx::Connection>::connect_with(&opts).await?,
        )
        .await?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts)
            .await?;
        Ok(Store {
            backend: Backend::Postgres(pool),
        })
    }

    /// `"sqlite"` or `"postgres"`, as `/healthz` reports it.
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// A trivial round trip, for health checks.
    pub async fn ping(&self) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    /// Closes every connection; later calls fail. Used by tests of failure paths and by shutdown.
    pub async fn close(&self) {
        with_pool!(self, pool => pool.close().await)
    }
}

/// The current time as whole seconds since the Unix epoch, the unit of every stored timestamp.
pub fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Hides a password in a database URL before it is shown in an error.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Turns a unique-constraint violation into a [`StoreError::Conflict`] with the given message.
pub(crate) fn conflict_on_unique(e: sqlx::Error, message: impl FnOnce() -> String) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(message()),
        _ => StoreError::Database(e),
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_never_appear_in_errors() {
        assert_eq!(
            redact_url("postgres://levers:s3cret@db:5432/levers"),
            "postgres://levers:***@db:5432/levers"
        );
        assert_eq!(redact_url("postgres://db/levers"), "postgres://db/levers");
        assert_eq!(redact_url("levers.db"), "levers.db");
    }
}
