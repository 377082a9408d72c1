//! Sign-in sessions kept in the database (so any number of web processes can share them).
//! Only a hash of each session token is stored; the token itself lives in the user's cookie.

use sqlx::Row;

use crate::users::User;
use crate::{Result, Store, now_unix, with_pool};

/// A live session with its CSRF token.
#[derive(Debug, Clone)]
pub struct Session {
    pub token_hash: String,
    pub user_id: i64,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen: i64,
    pub expires_at: i64,
}

impl Store {
    /// Starts a session for `user_id` lasting `ttl_seconds` of inactivity.
    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        csrf_token: &str,
        ttl_seconds: i64,
    ) -> Result<Session> {
        let now = now_unix();
        let s = Session {
            token_hash: token_hash.to_string(),
            user_id,
            csrf_token: csrf_token.to_string(),
            created_at: now,
            last_seen: now,
            expires_at: now + ttl_seconds,
        };
        with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen, expires_at)
                 VALUES ($1, $2, $3, $4, $4, $5)",
            )
            .bind(&s.token_hash)
            .bind(s.user_id)
            .bind(&s.csrf_token)
            .bind(now)
            .bind(s.expires_at)
            .execute(pool)
            .await?;
        });
        Ok(s)
    }

    /// The live session for a token hash and its enabled user; `None` when unknown, expired or the
    /// account is disabled. Slides the expiry forward by `ttl_seconds` at most once a minute.
    pub async fn session_user(
        &self,
        token_hash: &str,
        ttl_seconds: i64,
    ) -> Result<Option<(Session, User)>> {
        let now = now_unix();
        let found = with_pool!(self, pool => {
            let row = sqlx::query(
                "SELECT token_hash, user_id, csrf_token, created_at, last_seen, expires_at
                 FROM sessions WHERE token_hash = $1 AND expires_at > $2",
            )
            .bind(token_hash)
            .bind(now)
            .fetch_optional(pool)
            .await?;
            match row {
                None => None,
                Some(r) => Some(Session {
                    token_hash: r.try_get("token_hash")?,
                    user_id: r.try_get("user_id")?,
                    csrf_token: r.try_get("csrf_token")?,
                    created_at: r.try_get("created_at")?,
                    last_seen: r.try_get("last_seen")?,
                    expires_at: r.try_get("expires_at")?,
                }),
            }
        });
        let Some(mut session) = found else {
            return Ok(None);
        };
        let Some(user) = self.user_by_id(session.user_id).await? else {
            return Ok(None);
        };
        if user.disabled {
            return Ok(None);
        }
        if now - session.last_seen >= 60 {
            session.last_seen = now;
            session.expires_at = now + ttl_seconds;
            with_pool!(self, pool => {
                sqlx::query("UPDATE sessions SET last_seen = $1, expires_at = $2 WHERE token_hash = $3")
                    .bind(session.last_seen)
                    .bind(session.expires_at)
                    .bind(token_hash)
                    .execute(pool)
                    .await?;
            });
        }
        Ok(Some((session, user)))
    }

    /// Ends one session (sign-out).
    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(pool).await?;
        });
        Ok(())
    }

    /// Removes expired sessions and sign-in failures older than `failure_window` seconds.
    /// Returns how many sessions went.
    pub async fn purge_expired(&self, failure_window: i64) -> Result<u64> {
        let now = now_unix();
        with_pool!(self, pool => {
            let n = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(pool).await?.rows_affected();
            sqlx::query("DELETE FROM sign_in_failures WHERE at < $1").bind(now - failure_window).execute(pool).await?;
            Ok(n)
        })
    }

    /// Number of live sessions of a user (for tests and the admin page).
    pub async fn session_count(&self, user_id: i64) -> Result<i64> {
        with_pool!(self, pool => {
            Ok(sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id = $1 AND expires_at > $2")
                .bind(user_id)
                .bind(now_unix())
                .fetch_one(pool)
                .await?)
        })
    }
}
