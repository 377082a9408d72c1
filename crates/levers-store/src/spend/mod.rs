//! Spend: the bodies whose transparency files are imported, each import with its reconciliation, the
//! de-duplicated transactions, undo, and uploads staged between the web check and the import.

use levers_core::{FinancialYear, Money};
use serde::Serialize;
use sqlx::Row;

use crate::BeginWrite;
use crate::audit::{Actor, NewAudit, insert_audit};
use crate::{Result, Store, StoreError, now_unix, or_rollback, with_pool};

pub(crate) mod block;
mod categories;
mod import;

pub use categories::{SpendCategory, SpendFieldCoverage};
pub use import::{INSERT_BATCH, SpendImportTx};

/// One import of one file.
#[derive(Debug, Clone, Serialize)]
pub struct SpendImport {
    pub id: i64,
    pub body: String,
    pub file_name: String,
    pub file_sha256: String,
    pub file_bytes: i64,
    pub rows_kept: i64,
    /// Rows added by this import.
    pub rows_new: i64,
    /// Rows already stored from an earlier, overlapping file.
    pub rows_already: i64,
    pub total_pence: i64,
    pub new_pence: i64,
    /// The check report (reconciliation, rejected rows with reasons …) as JSON.
    pub report: serde_json::Value,
    pub imported_at: i64,
    pub imported_by: String,
    pub undone_at: Option<i64>,
    pub undone_by: Option<String>,
}

/// What an import added, for its summary.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct SpendCounts {
    pub rows_kept: i64,
    pub rows_new: i64,
    pub rows_already: i64,
    pub total_pence: i64,
    pub new_pence: i64,
}

/// A file staged by the web upload page, waiting for the officer to confirm the mapping.
#[derive(Debug, Clone)]
pub struct SpendUpload {
    pub id: i64,
    pub token: String,
    pub file_name: String,
    pub body_name: String,
    pub data: Vec<u8>,
    pub uploaded_by: i64,
    pub created_at: i64,
}

const IMPORT_SELECT: &str = "SELECT i.id, b.name AS body, i.file_name, i.file_sha256, i.file_bytes, i.rows_kept, i.rows_new, i.rows_already,
        i.total_pence, i.new_pence, i.report_json, i.imported_at, i.imported_by, i.undone_at, i.undone_by
     FROM spend_imports i JOIN spend_bodies b ON b.id = i.body_id";

macro_rules! import_from_row {
    ($r:expr) => {{
        let r = $r;
        let report: String = r.try_get("report_json")?;
        SpendImport {
            id: r.try_get("id")?,
            body: r.try_get("body")?,
            file_name: r.try_get("file_name")?,
            file_sha256: r.try_get("file_sha256")?,
            file_bytes: r.try_get("file_bytes")?,
            rows_kept: r.try_get("rows_kept")?,
            rows_new: r.try_get("rows_new")?,
            rows_already: r.try_get("rows_already")?,
            total_pence: r.try_get("total_pence")?,
            new_pence: r.try_get("new_pence")?,
            report: serde_json::from_str(&report)
                .map_err(|e| StoreError::Corrupt(format!("spend import report: {e}")))?,
            imported_at: r.try_get("imported_at")?,
            imported_by: r.try_get("imported_by")?,
            undone_at: r.try_get("undone_at")?,
            undone_by: r.try_get("undone_by")?,
        }
    }};
}

impl Store {
    /// Every body with imported spend, by name.
    pub async fn spend_bodies(&self) -> Result<Vec<String>> {
        with_pool!(self, pool => Ok(sqlx::query_scalar("SELECT name FROM spend_bodies ORDER BY name").fetch_all(pool).await?))
    }

    /// The column mapping last used for a body, as `(field, header)` pairs.
    pub async fn spend_mapping(&self, body: &str) -> Result<Vec<(String, String)>> {
        let json: Option<String> = with_pool!(self, pool => {
            sqlx::query_scalar("SELECT mapping_json FROM spend_bodies WHERE name = $1").bind(body.trim()).fetch_optional(pool).await?
        });
        match json {
            None => Ok(Vec::new()),
            Some(j) => serde_json::from_str(&j)
                .map_err(|e| StoreError::Corrupt(format!("spend mapping: {e}"))),
        }
    }

    /// A live (not undone) import of exactly this file for this body, if there is one.
    pub async fn spend_import_of_file(
        &self,
        body: &str,
        sha256: &str,
    ) -> Result<Option<SpendImport>> {
        let sql = format!(
            "{IMPORT_SELECT} WHERE b.name = $1 AND i.file_sha256 = $2 AND i.undone_at IS NULL ORDER BY i.id LIMIT 1"
        );
        with_pool!(self, pool => {
            let r = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(body.trim()).bind(sha256).fetch_optional(pool).await?;
            Ok(match r { Some(r) => Some(import_from_row!(&r)), None => None })
        })
    }

    /// Every import, newest first.
    pub async fn spend_imports(&self) -> Result<Vec<SpendImport>> {
        let sql = format!("{IMPORT_SELECT} ORDER BY i.id DESC");
        with_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(import_from_row!(r));
            }
            Ok(out)
        })
    }

    /// Changes whenever payments are added or removed (an import or an undo), so a year of payments
    /// read earlier can be reused until then.
    pub async fn spend_version(&self) -> Result<String> {
        with_pool!(self, pool => {
            let row = sqlx::query("SELECT COUNT(*) AS n, COALESCE(MAX(id), 0) AS m, COUNT(undone_at) AS u FROM spend_imports").fetch_one(pool).await?;
            let (n, m, u): (i64, i64, i64) = (row.try_get("n")?, row.try_get("m")?, row.try_get("u")?);
            Ok(format!("{n}:{m}:{u}"))
        })
    }

    pub async fn spend_import(&self, id: i64) -> Result<Option<SpendImport>> {
        let sql = format!("{IMPORT_SELECT} WHERE i.id = $1");
        with_pool!(self, pool => {
            let r = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?;
            Ok(match r { Some(r) => Some(import_from_row!(&r)), None => None })
        })
    }

    /// Removes the rows an import added and marks it undone (audited). Rows an earlier import
    /// already held stay, because they belong to that import.
    pub async fn undo_spend_import(&self, actor: &Actor, id: i64) -> Result<u64> {
        let imp = self
            .spend_import(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("spend import {id}")))?;
        if imp.undone_at.is_some() {
            return Err(StoreError::Conflict(format!(
                "import {id} of {} has already been undone",
                imp.file_name
            )));
        }
        with_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let removed = or_rollback!(tx, sqlx::query("DELETE FROM spend_transactions WHERE import_id = $1").bind(id).execute(&mut *tx).await, StoreError::from).rows_affected();
            or_rollback!(tx, sqlx::query("DELETE FROM spend_blocks WHERE import_id = $1").bind(id).execute(&mut *tx).await, StoreError::from);
            or_rollback!(tx, sqlx::query("UPDATE spend_imports SET undone_at = $1, undone_by = $2 WHERE id = $3")
                .bind(now_unix())
                .bind(&actor.label)
                .bind(id)
                .execute(&mut *tx)
                .await, StoreError::from);
            let audited = insert_audit!(
                &mut *tx,
                actor,
                NewAudit::new("spend.undo", "spend_import", id)
                    .before(serde_json::json!({"file": imp.file_name, "body": imp.body, "rows_new": imp.rows_new, "new_pence": imp.new_pence}))
                    .after(serde_json::json!({"rows_removed": removed}))
            );
            or_rollback!(tx, audited, StoreError::from);
            tx.commit().await?;
            Ok(removed)
        })
    }

    /// Count and total of stored transactions for a body, optionally one financial year.
    pub async fn spend_totals(
        &self,
        body: &str,
        year: Option<FinancialYear>,
    ) -> Result<(i64, Money)> {
        let fy = year.map(|y| y.to_string());
        with_pool!(self, pool => {
            // SUM is BIGINT on SQLite and NUMERIC on PostgreSQL: read it as text to be exact on both.
            let r = sqlx::query(
                "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(t.amount_pence), 0) AS TEXT) AS total
                 FROM spend_transactions t JOIN spend_bodies b ON b.id = t.body_id
                 WHERE b.name = $1 AND ($2 IS NULL OR t.financial_year = $2)",
            )
            .bind(body.trim())
            .bind(fy)
            .fetch_one(pool)
            .await?;
            let n: i64 = r.try_get("n")?;
            let total: String = r.try_get("total")?;
            let total: i64 = total.parse().map_err(|_| StoreError::Corrupt(format!("spend total {total} is not whole pence")))?;
            Ok((n, Money::from_pence(total)))
        })
    }

    /// Stages an uploaded file for the web import flow; returns its token.
    pub async fn stage_spend_upload(
        &self,
        user_id: i64,
        file_name: &str,
        body_name: &str,
        data: &[u8],
        token: &str,
    ) -> Result<()> {
        with_pool!(self, pool => {
            // Uploads older than a day were abandoned.
            sqlx::query("DELETE FROM spend_uploads WHERE created_at < $1").bind(now_unix() - 86_400).execute(pool).await?;
            sqlx::query("INSERT INTO spend_uploads (token, file_name, body_name, data, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(token)
                .bind(file_name)
                .bind(body_name)
                .bind(data)
                .bind(user_id)
                .bind(now_unix())
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// A staged upload, only for the user who uploaded it.
    pub async fn spend_upload(&self, token: &str, user_id: i64) -> Result<Option<SpendUpload>> {
        with_pool!(self, pool => {
            let r = sqlx::query("SELECT id, token, file_name, body_name, data, uploaded_by, created_at FROM spend_uploads WHERE token = $1 AND uploaded_by = $2")
                .bind(token)
                .bind(user_id)
                .fetch_optional(pool)
                .await?;
            Ok(match r {
                None => None,
                Some(r) => Some(SpendUpload {
                    id: r.try_get("id")?,
                    token: r.try_get("token")?,
                    file_name: r.try_get("file_name")?,
                    body_name: r.try_get("body_name")?,
                    data: r.try_get("data")?,
                    uploaded_by: r.try_get("uploaded_by")?,
                    created_at: r.try_get("created_at")?,
                }),
            })
        })
    }

    pub async fn delete_spend_upload(&self, token: &str) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query("DELETE FROM spend_uploads WHERE token = $1").bind(token).execute(pool).await?;
        });
        Ok(())
    }
}
