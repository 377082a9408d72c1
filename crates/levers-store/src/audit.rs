//! The audit log: who changed what, when, with the object's state before and after as JSON.

use serde::Serialize;
use serde_json::Value;
use sqlx::Row;

use crate::{Result, Store, StoreError, with_pool};

/// Who made a change: a signed-in user, or a named process (`cli`, `demo`) acting for someone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<i64>,
    /// The user's email, or the process's name: kept even if the user is later renamed.
    pub label: String,
}

impl Actor {
    pub fn user(id: i64, email: &str) -> Actor {
        Actor {
            user_id: Some(id),
            label: email.to_string(),
        }
    }

    pub fn system(name: &str) -> Actor {
        Actor {
            user_id: None,
            label: name.to_string(),
        }
    }
}

/// One change to record.
#[derive(Debug, Clone)]
pub struct NewAudit {
    /// A verb phrase: `user.create`, `user.disable`, `token.revoke` …
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl NewAudit {
    pub fn new(action: &str, object_type: &str, object_id: impl ToString) -> NewAudit {
        NewAudit {
            action: action.to_string(),
            object_type: object_type.to_string(),
            object_id: object_id.to_string(),
            before: None,
            after: None,
        }
    }

    pub fn before(mut self, v: impl Serialize) -> NewAudit {
        self.before = serde_json::to_value(v).ok().filter(|v| !v.is_null());
        self
    }

    pub fn after(mut self, v: impl Serialize) -> NewAudit {
        self.after = serde_json::to_value(v).ok().filter(|v| !v.is_null());
        self
    }
}

/// One recorded change, as the admin audit page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Inserts an audit entry on an open connection or transaction (`&mut *tx`), so the entry and the
/// change it describes commit or roll back together.
macro_rules! insert_audit {
    ($conn:expr, $actor:expr, $entry:expr) => {{
        let actor: &$crate::audit::Actor = $actor;
        let entry: $crate::audit::NewAudit = $entry;
        sqlx::query(
            "INSERT INTO audit_log (at, actor_id, actor, action, object_type, object_id, before_json, after_json)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind($crate::now_unix())
        .bind(actor.user_id)
        .bind(actor.label.clone())
        .bind(entry.action)
        .bind(entry.object_type)
        .bind(entry.object_id)
        .bind(entry.before.map(|v| v.to_string()))
        .bind(entry.after.map(|v| v.to_string()))
        .execute($conn)
        .await
    }};
}
pub(crate) use insert_audit;

/// Filters for reading the log.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub object_type: Option<String>,
    pub action: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

impl Store {
    /// Records a change that has no other row to write with it (for example a failed sign-in lock-out).
    pub async fn audit(&self, actor: &Actor, entry: NewAudit) -> Result<()> {
        with_pool!(self, pool => { insert_audit!(pool, actor, entry)?; });
        Ok(())
    }

    /// The most recent entries first.
    pub async fn audit_entries(&self, q: &AuditQuery) -> Result<Vec<AuditEntry>> {
        let limit = if q.limit <= 0 { 50 } else { q.limit.min(1000) };
        let sql = "SELECT id, at, actor_id, actor, action, object_type, object_id, before_json, after_json
                   FROM audit_log
                   WHERE ($1 IS NULL OR object_type = $1) AND ($2 IS NULL OR action = $2)
                   ORDER BY id DESC LIMIT $3 OFFSET $4";
        with_pool!(self, pool => {
            let rows = sqlx::query(sql)
                .bind(q.object_type.clone())
                .bind(q.action.clone())
                .bind(limit)
                .bind(q.offset.max(0))
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|r| {
                    let json = |col: &str| -> Result<Option<Value>> {
                        let s: Option<String> = r.try_get(col)?;
                        s.map(|s| serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(format!("audit {col}: {e}"))))
                            .transpose()
                    };
                    Ok(AuditEntry {
                        id: r.try_get("id")?,
                        at: r.try_get("at")?,
                        actor_id: r.try_get("actor_id")?,
                        actor: r.try_get("actor")?,
                        action: r.try_get("action")?,
                        object_type: r.try_get("object_type")?,
                        object_id: r.try_get("object_id")?,
                        before: json("before_json")?,
                        after: json("after_json")?,
                    })
                })
                .collect()
        })
    }

    /// How many entries match (for paging).
    pub async fn audit_count(&self, q: &AuditQuery) -> Result<i64> {
        let sql = "SELECT COUNT(*) FROM audit_log WHERE ($1 IS NULL OR object_type = $1) AND ($2 IS NULL OR action = $2)";
        with_pool!(self, pool => {
            Ok(sqlx::query_scalar(sql).bind(q.object_type.clone()).bind(q.action.clone()).fetch_one(pool).await?)
        })
    }
}
