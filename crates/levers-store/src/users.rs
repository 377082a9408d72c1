//! Accounts: officers, admins and viewers who sign in. Only argon2 hashes are stored, never passwords.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::audit::{Actor, NewAudit, insert_audit};
use crate::{Result, Store, StoreError, conflict_on_unique, now_unix, with_pool, write_tx};

/// What an account may do. Ordered: an admin can do everything an officer can, and so on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads dashboards and reports.
    Viewer,
    /// Imports data, runs processes and records work.
    Officer,
    /// Manages accounts, tokens and settings, and reads the audit log.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Officer, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Officer => "officer",
            Role::Admin => "admin",
        }
    }

    /// True when this role includes everything `needed` may do.
    pub fn allows(self, needed: Role) -> bool {
        self >= needed
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "viewer" => Ok(Role::Viewer),
            "officer" => Ok(Role::Officer),
            "admin" => Ok(Role::Admin),
            other => Err(format!(
                "\"{other}\" is not a role: use admin, officer or viewer"
            )),
        }
    }
}

/// An account as stored.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub role: Role,
    pub disabled: bool,
    pub must_change_password: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What the audit log keeps of an account: never the hash.
#[derive(Serialize)]
struct UserAudit<'a> {
    email: &'a str,
    display_name: &'a str,
    role: Role,
    disabled: bool,
}

impl User {
    fn audit_view(&self) -> UserAudit<'_> {
        UserAudit {
            email: &self.email,
            display_name: &self.display_name,
            role: self.role,
            disabled: self.disabled,
        }
    }
}

/// A new account. `password_hash` must already be an argon2 PHC string.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub must_change_password: bool,
}

/// Emails are compared without case or surrounding spaces.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

const USER_COLUMNS: &str = "id, email, display_name, password_hash, role, disabled, must_change_password, created_at, updated_at";

fn user_from_row<R: Row>(r: &R) -> Result<User>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> bool: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let role: String = r.try_get("role")?;
    Ok(User {
        id: r.try_get("id")?,
        email: r.try_get("email")?,
        display_name: r.try_get("display_name")?,
        password_hash: r.try_get("password_hash")?,
        role: role.parse().map_err(StoreError::Corrupt)?,
        disabled: r.try_get("disabled")?,
        must_change_password: r.try_get("must_change_password")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// Locks the enabled admins' rows (PostgreSQL) so concurrent role and status changes queue.
const LOCK_ADMINS: &str =
    "SELECT id FROM users WHERE role = 'admin' AND disabled = FALSE ORDER BY id FOR UPDATE";
/// Enabled admins, counted inside a change's transaction.
const COUNT_ADMINS: &str = "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = FALSE";

impl Store {
    /// Adds an account and audits it. A second account with the same email is a conflict.
    pub async fn create_user(&self, actor: &Actor, new: NewUser) -> Result<User> {
        let email = normalise_email(&new.email);
        if !new.password_hash.starts_with("$argon2") {
            return Err(StoreError::Corrupt(
                "refusing to store a password that is not an argon2 hash".into(),
            ));
        }
        let now = now_unix();
        let sql = format!(
            "INSERT INTO users (email, display_name, password_hash, role, disabled, must_change_password, created_at, updated_at)
             VALUES ($1, $2, $3, $4, FALSE, $5, $6, $6) RETURNING {USER_COLUMNS}"
        );
        with_pool!(self, pool => write_tx!(pool, tx => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(&email)
                .bind(new.display_name.trim())
                .bind(&new.password_hash)
                .bind(new.role.as_str())
                .bind(new.must_change_password)
                .bind(now)
                .fetch_one(&mut *tx)
                .await.map_err(|e| conflict_on_unique(e, || format!("an account for {email} already exists")))?;
            let user = user_from_row(&row)?;
            insert_audit!(&mut *tx, actor, NewAudit::new("user.create", "user", user.id).after(user.audit_view()))?;
            Ok(user)
        }))
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1");
        with_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(normalise_email(email)).fetch_optional(pool).await?;
            row.as_ref().map(user_from_row).transpose()
        })
    }

    pub async fn user_by_id(&self, id: i64) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        with_pool!(self, pool => {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?;
            row.as_ref().map(user_from_row).transpose()
        })
    }

    /// Every account, admins first, then by email.
    pub async fn users(&self) -> Result<Vec<User>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users ORDER BY CASE role WHEN 'admin' THEN 0 WHEN 'officer' THEN 1 ELSE 2 END, email"
        );
        with_pool!(self, pool => {
            sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?.iter().map(user_from_row).collect()
        })
    }

    /// Number of enabled admins: the last one may not be disabled or demoted.
    ///
    /// The guard is checked inside the change's own transaction, after the change (which is rolled
    /// back when no enabled admin would be left): on SQLite the write transaction holds the write lock
    /// throughout; on PostgreSQL the enabled admins' rows are locked first, so two
    /// admins demoting each other at once are taken one after the other and the second is refused.
    pub async fn active_admin_count(&self) -> Result<i64> {
        with_pool!(self, pool => {
            Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = FALSE")
                .fetch_one(pool)
                .await?)
        })
    }

    /// Disables or re-enables an account. Disabling ends its sessions and revokes its API tokens.
    pub async fn set_user_disabled(&self, actor: &Actor, id: i64, disabled: bool) -> Result<User> {
        let before = self
            .user_by_id(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("account {id}")))?;
        let now = now_unix();
        let sql = format!(
            "UPDATE users SET disabled = $1, updated_at = $2 WHERE id = $3 RETURNING {USER_COLUMNS}"
        );
        let postgres = matches!(self.backend, crate::Backend::Postgres(_));
        with_pool!(self, pool => write_tx!(pool, tx => {
            if postgres {
                sqlx::query(LOCK_ADMINS).execute(&mut *tx).await?;
            }
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(disabled).bind(now).bind(id).fetch_one(&mut *tx).await?;
            let after = user_from_row(&row)?;
            let admins: i64 = sqlx::query_scalar(COUNT_ADMINS).fetch_one(&mut *tx).await?;
            if admins == 0 {
                return Err(StoreError::Conflict(
                    "this is the only enabled admin account: add another admin before disabling it".into(),
                ));
            }
            if disabled {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
                sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
                    .bind(now)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            let action = if disabled { "user.disable" } else { "user.enable" };
            insert_audit!(
                &mut *tx,
                actor,
                NewAudit::new(action, "user", id).before(before.audit_view()).after(after.audit_view())
            )?;
            Ok(after)
        }))
    }

    /// Replaces an account's password hash. `must_change` forces a new password at next sign-in
    /// (used for one-time passwords). Ends the account's other sessions.
    pub async fn set_password(
        &self,
        actor: &Actor,
        id: i64,
        password_hash: &str,
        must_change: bool,
        keep_session: Option<&str>,
    ) -> Result<()> {
        if !password_hash.starts_with("$argon2") {
            return Err(StoreError::Corrupt(
                "refusing to store a password that is not an argon2 hash".into(),
            ));
        }
        let now = now_unix();
        with_pool!(self, pool => write_tx!(pool, tx => {
            let n = sqlx::query("UPDATE users SET password_hash = $1, must_change_password = $2, updated_at = $3 WHERE id = $4")
                .bind(password_hash)
                .bind(must_change)
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound(format!("account {id}")));
            }
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
                .bind(id)
                .bind(keep_session.unwrap_or(""))
                .execute(&mut *tx)
                .await?;
            insert_audit!(
                &mut *tx,
                actor,
                NewAudit::new("user.password", "user", id).after(serde_json::json!({"must_change_password": must_change}))
            )?;
            Ok(())
        }))
    }

    /// Changes an account's role and audits it. The last enabled admin keeps the admin role.
    pub async fn set_user_role(&self, actor: &Actor, id: i64, role: Role) -> Result<User> {
        let before = self
            .user_by_id(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("account {id}")))?;
        let sql = format!(
            "UPDATE users SET role = $1, updated_at = $2 WHERE id = $3 RETURNING {USER_COLUMNS}"
        );
        let postgres = matches!(self.backend, crate::Backend::Postgres(_));
        with_pool!(self, pool => write_tx!(pool, tx => {
            if postgres {
                sqlx::query(LOCK_ADMINS).execute(&mut *tx).await?;
            }
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(role.as_str()).bind(now_unix()).bind(id).fetch_one(&mut *tx).await?;
            let after = user_from_row(&row)?;
            let admins: i64 = sqlx::query_scalar(COUNT_ADMINS).fetch_one(&mut *tx).await?;
            if admins == 0 {
                return Err(StoreError::Conflict(
                    "this is the only enabled admin account: it must stay an admin".into(),
                ));
            }
            insert_audit!(
                &mut *tx,
                actor,
                NewAudit::new("user.role", "user", id).before(before.audit_view()).after(after.audit_view())
            )?;
            Ok(after)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_by_power() {
        assert!(Role::Admin.allows(Role::Officer));
        assert!(Role::Officer.allows(Role::Viewer));
        assert!(!Role::Viewer.allows(Role::Officer));
        assert!(!Role::Officer.allows(Role::Admin));
        assert_eq!("Admin".parse::<Role>(), Ok(Role::Admin));
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn emails_compare_without_case() {
        assert_eq!(
            normalise_email("  Officer@Council.GOV.uk "),
            "officer@council.gov.uk"
        );
    }
}
