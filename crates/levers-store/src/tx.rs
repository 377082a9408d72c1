//! Write transactions that always end: begun with the write lock on SQLite, and committed or rolled
//! back with an awaited call before the store method returns, whatever the body did.
//!
//! Every write goes through [`write_tx!`] (one transaction in one call) or, for a transaction that
//! spans several calls or must choose its own ending, through [`Tx`] and its [`Tx::end`],
//! [`Tx::commit`] and [`Tx::rollback`]. Nothing relies on sqlx's deferred rollback: a transaction
//! merely dropped is rolled back later (on SQLite by the connection's worker thread, on PostgreSQL
//! only when the pool next touches the connection), and until then it keeps SQLite's write lock or
//! PostgreSQL's row locks, so another connection's write waits or fails with "database is locked".
//! The one exception is a future dropped mid-way (a request cancelled by its client): nothing can be
//! awaited then, and sqlx's deferred rollback is what ends it.

use std::future::Future;

use sqlx::{PgPool, SqlitePool};

use crate::Result;

/// Begins a transaction that will write. On SQLite it is `BEGIN IMMEDIATE`, taking the write lock
/// at the start: sqlx's plain `begin()` is deferred, and a deferred transaction that reads and then
/// writes fails at once with "database is locked" (a stale snapshot, which no busy timeout waits
/// out) if another connection committed in between. On PostgreSQL it is an ordinary `BEGIN`.
pub(crate) trait BeginWrite {
    type Db: sqlx::Database;
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, Self::Db>, sqlx::Error>> + Send;
}

impl BeginWrite for SqlitePool {
    type Db = sqlx::Sqlite;
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error>> + Send
    {
        self.begin_with("BEGIN IMMEDIATE")
    }
}

impl BeginWrite for PgPool {
    type Db = sqlx::Postgres;
    fn begin_write(
        &self,
    ) -> impl Future<Output = Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error>> + Send
    {
        self.begin()
    }
}

/// Runs `$body` in a write transaction on `$pool` (a concrete pool, as [`crate::with_pool!`] binds
/// it), with `$tx` bound to the open `sqlx::Transaction`, and evaluates to the body's `Result`.
///
/// The body is an async block's body: `?` and `return` leave the body, not the enclosing function.
/// When it gives `Ok` the transaction is committed; when it gives `Err` it is rolled back, and the
/// rollback is awaited before the error comes out, so the connection goes back to the pool with
/// its locks released. Errors are [`crate::StoreError`]s; the three-argument form takes a function
/// from `sqlx::Error` to another error type, used for the begin and the commit (inside the body `?`
/// converts with that type's `From`). `write_tx!(@begin FUTURE, MAP, tx => body)` runs the body in
/// a transaction begun some other way (on a connection already acquired, say).
///
/// ```ignore
/// with_pool!(self, pool => write_tx!(pool, tx => {
///     let Some(row) = find(&mut *tx).await? else {
///         return Err(StoreError::NotFound("thing 1".into()));
///     };
///     sqlx::query("UPDATE …").execute(&mut *tx).await?;
///     Ok(row)
/// }))
/// ```
macro_rules! write_tx {
    (@begin $begin:expr, $map:expr, $tx:ident => $body:expr) => {
        async {
            let map = $map;
            #[allow(unused_mut)]
            let mut $tx = match $begin.await {
                Ok(t) => t,
                Err(e) => return Err(map(e)),
            };
            let outcome = $crate::tx::body_of(&map, async { $body }).await;
            $crate::tx::end($tx, outcome, map).await
        }
        .await
    };
    ($pool:expr, $tx:ident => $body:expr) => {
        $crate::tx::write_tx!(@begin $crate::tx::BeginWrite::begin_write($pool), $crate::StoreError::from, $tx => $body)
    };
    ($pool:expr, $map:expr, $tx:ident => $body:expr) => {
        $crate::tx::write_tx!(@begin $crate::tx::BeginWrite::begin_write($pool), $map, $tx => $body)
    };
}
pub(crate) use write_tx;

/// Fixes the error type of a transaction's body to the one `map` makes, so `?` inside it converts.
#[doc(hidden)]
pub(crate) fn body_of<T, E, F>(_map: &impl Fn(sqlx::Error) -> E, body: F) -> F
where
    F: Future<Output = std::result::Result<T, E>>,
{
    body
}

/// Ends `tx` as `outcome` says: commits on `Ok`, rolls back (awaited, its own error ignored: the
/// body's error is the one worth reporting) on `Err`.
pub(crate) async fn end<DB: sqlx::Database, T, E>(
    tx: sqlx::Transaction<'_, DB>,
    outcome: std::result::Result<T, E>,
    map: impl Fn(sqlx::Error) -> E,
) -> std::result::Result<T, E> {
    match outcome {
        Ok(v) => {
            tx.commit().await.map_err(map)?;
            Ok(v)
        }
        Err(e) => {
            let _ = tx.rollback().await;
            Err(e)
        }
    }
}

/// An open write transaction on either backend, for work that spans several calls (imports) or
/// that chooses its own ending (the ledger answers a lost race as a replay).
pub(crate) enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs `$body` with `$t` bound to the concrete transaction of a [`Tx`].
macro_rules! with_tx {
    ($tx:expr, $t:ident => $body:expr) => {
        match $tx {
            $crate::Tx::Sqlite($t) => $body,
            $crate::Tx::Postgres($t) => $body,
        }
    };
}
pub(crate) use with_tx;

impl Tx {
    /// Commits.
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        with_tx!(self, t => t.commit().await)
    }

    /// Rolls back, awaited; a failure to roll back is ignored (the connection is then closed by
    /// the pool, which ends the transaction just the same).
    pub(crate) async fn rollback(self) {
        let _ = with_tx!(self, t => t.rollback().await);
    }

    /// Ends the transaction as `outcome` says: commit on `Ok`, awaited rollback on `Err`.
    pub(crate) async fn end<T>(self, outcome: Result<T>) -> Result<T> {
        match outcome {
            Ok(v) => {
                self.commit().await?;
                Ok(v)
            }
            Err(e) => {
                self.rollback().await;
                Err(e)
            }
        }
    }
}

/// Runs `$body` as the first part of a [`Tx`]'s work: on `Err` the transaction is rolled back
/// (awaited) and the error returned from the enclosing function; on `Ok` evaluates to the value and
/// the transaction stays open.
macro_rules! or_end {
    ($tx:ident, $body:expr) => {
        match $body {
            Ok(v) => v,
            Err(e) => {
                $tx.rollback().await;
                return Err($crate::StoreError::from(e));
            }
        }
    };
}
pub(crate) use or_end;

impl From<sqlx::Transaction<'static, sqlx::Sqlite>> for Tx {
    fn from(t: sqlx::Transaction<'static, sqlx::Sqlite>) -> Tx {
        Tx::Sqlite(t)
    }
}

impl From<sqlx::Transaction<'static, sqlx::Postgres>> for Tx {
    fn from(t: sqlx::Transaction<'static, sqlx::Postgres>) -> Tx {
        Tx::Postgres(t)
    }
}

/// Ends a transaction with an awaited rollback and returns `$err` from the function. Kept only for
/// `procurement.rs` until it is written with [`write_tx!`]; new code uses that instead.
macro_rules! rollback_and {
    ($tx:ident, $err:expr) => {{
        let _ = $tx.rollback().await;
        return Err($err);
    }};
}
pub(crate) use rollback_and;

/// One step of a transaction written out step by step (the spend import and undo, the block
/// backfill): the step's value, or on `Err` an awaited rollback and `return Err(map(e))` from the
/// function. Every `?`-free step inside such a transaction goes through this, so no error leaves
/// a transaction to sqlx's deferred rollback; [`write_tx!`] is the shorter form for new code.
macro_rules! or_rollback {
    ($tx:ident, $res:expr, $map:expr) => {
        match $res {
            Ok(v) => v,
            Err(e) => {
                let _ = $tx.rollback().await;
                return Err(($map)(e));
            }
        }
    };
}
pub(crate) use or_rollback;
