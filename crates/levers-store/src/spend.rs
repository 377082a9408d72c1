//! Spend: the bodies whose transparency files are imported, each import with its reconciliation, the
//! de-duplicated transactions, undo, and uploads staged between the web check and the import.

use levers_core::{FinancialYear, Money};
use levers_spend::Transaction;
use serde::Serialize;
use sqlx::Row;

use crate::BeginWrite;
use crate::audit::{Actor, NewAudit, insert_audit};
use crate::{Result, Store, StoreError, Tx, now_unix, with_pool, with_tx};

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

/// Columns written per transaction, in bind order.
const TX_COLUMNS: [&str; 24] = [
    "body_id",
    "import_id",
    "identity",
    "line",
    "paid_on",
    "financial_year",
    "amount_pence",
    "irrecoverable_vat_pence",
    "supplier_name",
    "redacted",
    "supplier_id",
    "transaction_number",
    "invoice_number",
    "vat_number",
    "company_number",
    "charity_number",
    "expense_area",
    "expense_type",
    "expense_code",
    "creditor_type",
    "purpose",
    "merchant_category",
    "capital_revenue",
    "flags",
];

/// Rows per INSERT: 24 columns × 400 rows stays well under both backends' parameter limits.
pub const INSERT_BATCH: usize = 400;

fn insert_sql(rows: usize) -> String {
    let cols = TX_COLUMNS.len();
    let mut sql = format!(
        "INSERT INTO spend_transactions ({}) VALUES ",
        TX_COLUMNS.join(", ")
    );
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..cols {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", r * cols + c + 1));
        }
        sql.push(')');
    }
    sql.push_str(" ON CONFLICT (body_id, identity) DO NOTHING");
    sql
}

fn iso(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn flags(t: &Transaction) -> String {
    t.flags
        .iter()
        .map(|f| {
            serde_json::to_value(f)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// An import in progress: one transaction; dropping it rolls everything back.
pub struct SpendImportTx {
    tx: Tx,
    import_id: i64,
    body_id: i64,
    counts: SpendCounts,
}

impl Store {
    /// The body's id, creating it on first use.
    async fn spend_body_id(&self, name: &str) -> Result<i64> {
        let name = name.trim();
        with_pool!(self, pool => {
            sqlx::query("INSERT INTO spend_bodies (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
                .bind(name)
                .bind(now_unix())
                .execute(pool)
                .await?;
            Ok(sqlx::query_scalar("SELECT id FROM spend_bodies WHERE name = $1").bind(name).fetch_one(pool).await?)
        })
    }

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

    /// Starts importing a file for `body`; its rows are added with [`SpendImportTx::add`].
    pub async fn begin_spend_import(
        &self,
        actor: &Actor,
        body: &str,
        file_name: &str,
        sha256: &str,
        file_bytes: i64,
    ) -> Result<SpendImportTx> {
        let body_id = self.spend_body_id(body).await?;
        let (tx, import_id) = with_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO spend_imports (body_id, file_name, file_sha256, file_bytes, imported_at, imported_by)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(body_id)
            .bind(file_name)
            .bind(sha256)
            .bind(file_bytes)
            .bind(now_unix())
            .bind(&actor.label)
            .fetch_one(&mut *tx)
            .await?;
            (Tx::from(tx), id)
        });
        Ok(SpendImportTx {
            tx,
            import_id,
            body_id,
            counts: SpendCounts::default(),
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
            let removed = sqlx::query("DELETE FROM spend_transactions WHERE import_id = $1").bind(id).execute(&mut *tx).await?.rows_affected();
            sqlx::query("UPDATE spend_imports SET undone_at = $1, undone_by = $2 WHERE id = $3")
                .bind(now_unix())
                .bind(&actor.label)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            insert_audit!(
                &mut *tx,
                actor,
                NewAudit::new("spend.undo", "spend_import", id)
                    .before(serde_json::json!({"file": imp.file_name, "body": imp.body, "rows_new": imp.rows_new, "new_pence": imp.new_pence}))
                    .after(serde_json::json!({"rows_removed": removed}))
            )?;
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

impl SpendImportTx {
    pub fn import_id(&self) -> i64 {
        self.import_id
    }

    /// Adds cleaned transactions; rows whose identity the body already has are skipped and counted.
    pub async fn add(&mut self, batch: &[Transaction]) -> Result<()> {
        for chunk in batch.chunks(INSERT_BATCH) {
            let sql = insert_sql(chunk.len());
            let (body_id, import_id) = (self.body_id, self.import_id);
            let inserted = with_tx!(&mut self.tx, t => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for tr in chunk {
                    q = q
                        .bind(body_id)
                        .bind(import_id)
                        .bind(&tr.identity)
                        .bind(tr.line as i64)
                        .bind(tr.date.map(iso))
                        .bind(tr.date.map(|d| FinancialYear::of(d).to_string()))
                        .bind(tr.amount.pence())
                        .bind(tr.irrecoverable_vat.map(Money::pence))
                        .bind(&tr.supplier_name)
                        .bind(tr.redacted)
                        .bind(&tr.supplier_id)
                        .bind(&tr.transaction_number)
                        .bind(&tr.invoice_number)
                        .bind(&tr.vat_number)
                        .bind(&tr.company_number)
                        .bind(&tr.charity_number)
                        .bind(&tr.expense_area)
                        .bind(&tr.expense_type)
                        .bind(&tr.expense_code)
                        .bind(&tr.creditor_type)
                        .bind(&tr.purpose)
                        .bind(&tr.merchant_category)
                        .bind(&tr.capital_revenue)
                        .bind(flags(tr));
                }
                q.execute(&mut **t).await?.rows_affected()
            });
            let total: i64 = chunk.iter().map(|t| t.amount.pence()).sum();
            self.counts.rows_kept += chunk.len() as i64;
            self.counts.total_pence += total;
            self.counts.rows_new += inserted as i64;
            self.counts.rows_already += chunk.len() as i64 - inserted as i64;
        }
        Ok(())
    }

    /// What has been added so far.
    pub fn counts(&self) -> SpendCounts {
        self.counts
    }

    /// Records the report and the mapping (kept for the body's next file), audits, and commits.
    /// Returns the import's id and what it added.
    pub async fn finish(
        mut self,
        actor: &Actor,
        report: &serde_json::Value,
        mapping: &[(String, String)],
    ) -> Result<(i64, SpendCounts)> {
        let id = self.import_id;
        let body_id = self.body_id;
        // The pence added are those of the rows this import inserted.
        let new_pence: i64 = with_tx!(&mut self.tx, t => {
            let s: Option<String> = sqlx::query_scalar("SELECT CAST(SUM(amount_pence) AS TEXT) FROM spend_transactions WHERE import_id = $1")
                .bind(id)
                .fetch_one(&mut **t)
                .await?;
            s.map_or(Ok(0), |s| s.parse::<i64>().map_err(|_| StoreError::Corrupt(format!("sum {s}"))))?
        });
        self.counts.new_pence = new_pence;
        let c = self.counts;
        let mapping_json =
            serde_json::to_string(mapping).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let entry = NewAudit::new("spend.import", "spend_import", id).after(serde_json::json!({
            "rows_kept": c.rows_kept, "rows_new": c.rows_new, "rows_already": c.rows_already,
            "total_pence": c.total_pence, "new_pence": c.new_pence,
            "reconciliation": report.get("reconciliation"),
        }));
        with_tx!(&mut self.tx, t => {
            sqlx::query(
                "UPDATE spend_imports SET rows_kept = $1, rows_new = $2, rows_already = $3, total_pence = $4, new_pence = $5, report_json = $6 WHERE id = $7",
            )
            .bind(c.rows_kept)
            .bind(c.rows_new)
            .bind(c.rows_already)
            .bind(c.total_pence)
            .bind(c.new_pence)
            .bind(report.to_string())
            .bind(id)
            .execute(&mut **t)
            .await?;
            sqlx::query("UPDATE spend_bodies SET mapping_json = $1 WHERE id = $2").bind(&mapping_json).bind(body_id).execute(&mut **t).await?;
            insert_audit!(&mut **t, actor, entry)?;
        });
        with_tx!(self.tx, t => t.commit().await?);
        Ok((id, c))
    }
}
