//! API bearer tokens that an admin issues to a user and can revoke. Only a hash is stored.

use serde::Serialize;
use sqlx::Row;

use crate::audit::{Actor, NewAudit, insert_audit};
use crate::users::User;
use crate::{Result, Store, StoreError, conflict_on_unique, now_unix, with_pool, write_tx};

/// An issued token (never the secret itself).
#[derive(Debug, Clone, Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub user_email: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

const TOKEN_SELECT: &str = "SELECT t.id, t.user_id, u.email AS user_email, t.name, t.created_at, t.last_used_at, t.revoked_at
     FROM api_tokens t JOIN users u ON u.id = t.user_id";

macro_rules! token_from_row {
    ($r:expr) => {{
        let r = $r;
        ApiToken {
            id: r.try_get("id")?,
            user_id: r.try_get("user_id")?,
            user_email: r.try_get("user_email")?,
            name: r.try_get("name")?,
            created_at: r.try_get("created_at")?,
            last_used_at: r.try_get("last_used_at")?,
            revoked_at: r.try_get("revoked_at")?,
        }
    }};
}

impl Store {
    /// Issues a token for `user_id`; the caller keeps the secret and passes its hash here.
    pub async fn create_api_token(
        &self,
        actor: &Actor,
        user_id: i64,
        name: &str,
        token_hash: &str,
    ) -> Result<ApiToken> {
        let user = self
            .user_by_id(user_id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("account {user_id}")))?;
        if user.disabled {
            return Err(StoreError::Conflict(format!(
                "{} is disabled: enable the account before issuing it a token",
                user.email
            )));
        }
        let now = now_unix();
        with_pool!(self, pool => write_tx!(pool, tx => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(user_id)
            .bind(name.trim())
            .bind(token_hash)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| conflict_on_unique(e, || "that token already exists".into()))?;
            insert_audit!(
                &mut *tx,
                actor,
                NewAudit::new("token.create", "api_token", id).after(serde_json::json!({"user": user.email, "name": name.trim()}))
            )?;
            Ok(ApiToken {
                id,
                user_id,
                user_email: user.email,
                name: name.trim().to_string(),
                created_at: now,
                last_used_at: None,
                revoked_at: None,
            })
        }))
    }

    /// Every token, newest first.
    pub async fn api_tokens(&self) -> Result<Vec<ApiToken>> {
        let sql = format!("{TOKEN_SELECT} ORDER BY t.id DESC");
        with_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(token_from_row!(r));
            }
            Ok(out)
        })
    }

    /// Revokes a token; revoking twice is harmless but only audited once.
    pub async fn revoke_api_token(&self, actor: &Actor, id: i64) -> Result<()> {
        with_pool!(self, pool => write_tx!(pool, tx => {
            let n = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(now_unix())
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 1 {
                insert_audit!(&mut *tx, actor, NewAudit::new("token.revoke", "api_token", id))?;
            } else {
                let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_tokens WHERE id = $1").bind(id).fetch_one(&mut *tx).await?;
                if exists == 0 {
                    return Err(StoreError::NotFound(format!("API token {id}")));
                }
            }
            Ok(())
        }))
    }

    /// The enabled user behind a live (unrevoked) token hash, marking the token used.
    pub async fn api_token_user(&self, token_hash: &str) -> Result<Option<User>> {
        let user_id: Option<i64> = with_pool!(self, pool => {
            let id: Option<i64> = sqlx::query_scalar("SELECT user_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL")
                .bind(token_hash)
                .fetch_optional(pool)
                .await?;
            if id.is_some() {
                sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2")
                    .bind(now_unix())
                    .bind(token_hash)
                    .execute(pool)
                    .await?;
            }
            id
        });
        match user_id {
            None => Ok(None),
            Some(id) => Ok(self.user_by_id(id).await?.filter(|u| !u.disabled)),
        }
    }
}
