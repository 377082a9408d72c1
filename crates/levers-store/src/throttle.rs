//! Sign-in throttling: failed attempts counted per account and per address, in the database so every
//! web process sees the same counts.

use crate::{Result, Store, now_unix, with_pool, write_tx};

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
