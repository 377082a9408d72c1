//! Sign-in throttling: failed attempts counted per account and per address, in the database so every
//! web process sees the same counts.
//!
//! An attempt that may fail (a password to check, a voting code to try) is first *reserved*: in one
//! write transaction the recent failures of each key are counted and, when every key is under its
//! limit, a row is added for each, counted as a failure from that moment. Only then is the secret
//! checked; success releases the reservation. Concurrent attempts thus cannot all read a count under
//! the limit and all be checked. On SQLite the write transaction holds the database's write lock from
//! its start; on PostgreSQL each key takes a transaction-scoped advisory lock (in key order, so two
//! reservations cannot deadlock) before counting.

use crate::{Backend, Result, Store, now_unix, with_pool, write_tx};

/// Rows added by [`Store::reserve_attempt`]: counted as failures until released.
#[derive(Debug)]
#[must_use = "release the reservation when the attempt succeeds"]
pub struct Reservation {
    ids: Vec<i64>,
}

impl Store {
    /// Records one failed sign-in against each key (for example `account:a@b` and `addr:10.0.0.1`).
    pub async fn record_sign_in_failure(&self, keys: &[String]) -> Result<()> {
        let now = now_unix();
        with_pool!(self, pool => write_tx!(pool, tx => {
            for k in keys {
                sqlx::query("INSERT INTO sign_in_failures (key, at) VALUES ($1, $2)").bind(k).bind(now).execute(&mut *tx).await?;
            }
            Ok(())
        }))
    }

    /// Reserves one attempt against each `(key, limit)`: `None` (nothing recorded) when any key already
    /// has `limit` failures or more in the last `window_seconds`; otherwise a failure is recorded
    /// against every key, atomically with the count, and the reservation returned. Release it with
    /// [`Store::release_attempt`] when the attempt succeeds.
    pub async fn reserve_attempt(
        &self,
        limits: &[(&str, i64)],
        window_seconds: i64,
    ) -> Result<Option<Reservation>> {
        let now = now_unix();
        let postgres = matches!(self.backend, Backend::Postgres(_));
        let mut keys: Vec<&str> = limits.iter().map(|(k, _)| *k).collect();
        keys.sort_unstable();
        keys.dedup();
        with_pool!(self, pool => write_tx!(pool, tx => {
            if postgres {
                for k in &keys {
                    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 7461))").bind(*k).execute(&mut *tx).await?;
                }
            }
            for (k, limit) in limits {
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sign_in_failures WHERE key = $1 AND at > $2")
                    .bind(*k).bind(now - window_seconds).fetch_one(&mut *tx).await?;
                if n >= *limit {
                    return Ok(None);
                }
            }
            let mut ids = Vec::with_capacity(limits.len());
            for (k, _) in limits {
                let id: i64 = sqlx::query_scalar("INSERT INTO sign_in_failures (key, at) VALUES ($1, $2) RETURNING id")
                    .bind(*k).bind(now).fetch_one(&mut *tx).await?;
                ids.push(id);
            }
            Ok(Some(Reservation { ids }))
        }))
    }

    /// Releases a reserved attempt that succeeded: its rows no longer count as failures.
    pub async fn release_attempt(&self, reservation: Reservation) -> Result<()> {
        with_pool!(self, pool => write_tx!(pool, tx => {
            for id in &reservation.ids {
                sqlx::query("DELETE FROM sign_in_failures WHERE id = $1").bind(*id).execute(&mut *tx).await?;
            }
            Ok(())
        }))
    }

    /// Failures recorded against `key` in the last `window_seconds`.
    pub async fn recent_sign_in_failures(&self, key: &str, window_seconds: i64) -> Result<i64> {
        with_pool!(self, pool => {
            Ok(sqlx::query_scalar("SELECT COUNT(*) FROM sign_in_failures WHERE key = $1 AND at > $2")
                .bind(key)
                .bind(now_unix() - window_seconds)
                .fetch_one(pool)
                .await?)
        })
    }

    /// Forgets the failures of a key (after a successful sign-in).
    pub async fn clear_sign_in_failures(&self, key: &str) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query("DELETE FROM sign_in_failures WHERE key = $1").bind(key).execute(pool).await?;
        });
        Ok(())
    }
}
