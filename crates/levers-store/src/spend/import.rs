//! Importing a spending file's cleaned transactions in one transaction: rows go into
//! `spend_transactions` in large prepared multi-row inserts (PostgreSQL: `COPY` into a temporary
//! table, then one insert from it), the body's existing identities de-duplicate them (SQLite:
//! `INSERT OR IGNORE`, the new rows' ids known from the last row id and the count inserted;
//! PostgreSQL: `ON CONFLICT DO NOTHING … RETURNING`), and the new rows are also written
//! column-wise as blocks ([`super::block`]) for fast reading. Every exit awaits a commit or a
//! rollback.
//!
//! On a SQLite file the import runs on a connection of its own with foreign-key enforcement off:
//! every key it writes is the body and the import it has itself named inside the same write
//! transaction (and the acting user, checked explicitly), and without enforcement SQLite needs no
//! statement journal for a multi-row insert, which was a third of the import's time.

use std::collections::{BTreeMap, HashMap};

use levers_core::{FinancialYear, Money};
use levers_spend::Transaction;
use sqlx::Row;
use sqlx::sqlite::SqlitePoolOptions;

use super::SpendCounts;
use super::block::{BLOCK_ROWS, BlockRow, BlockWriter};
use crate::BeginWrite;
use crate::audit::{Actor, NewAudit, insert_audit};
use crate::{Backend, Result, Store, StoreError, Tx, now_unix, with_tx};

/// Columns written per transaction, in bind order.
const TX_COLUMNS: [&str; 26] = [
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
    "proclass_label",
    "proclass_code",
];

/// Rows per INSERT: 26 columns × 1,000 rows stays under SQLite's 32,766 parameters.
pub const INSERT_BATCH: usize = 1_000;

/// SQLite's page cache while importing (KiB, negative = size): the unique index on identities is
/// written in hash order, so a cache that holds it avoids re-reading pages. Set on the import's
/// own connection (or, for an in-memory database, back to the default afterwards).
const IMPORT_CACHE_KIB: i64 = 131_072;

mod write;
use write::{copy_batch_postgres, insert_chunk_sqlite, match_inserted};

/// An import in progress: one transaction. End it with [`SpendImportTx::finish`] or
/// [`SpendImportTx::abandon`]; merely dropping it rolls back later, when the pool gets to it.
pub struct SpendImportTx {
    tx: Tx,
    import_id: i64,
    body_id: i64,
    counts: SpendCounts,
    /// The new rows not yet written as blocks, by financial year.
    blocks: BTreeMap<Option<FinancialYear>, BlockWriter>,
    /// SQLite: the highest row id written before the next insert (row ids only grow).
    high_id: i64,
    /// SQLite on a file: the import's own one-connection pool, closed when the import ends.
    own: Option<sqlx::SqlitePool>,
}

/// SQLite: begins the import's write transaction on a connection of its own, opened as the pool's
/// are but with foreign-key enforcement off and a large page cache (see the module's note). An
/// in-memory database exists only on the pool's one connection, so there the pool's is used.
async fn begin_sqlite(
    pool: &sqlx::SqlitePool,
) -> Result<(
    sqlx::Transaction<'static, sqlx::Sqlite>,
    Option<sqlx::SqlitePool>,
)> {
    let opts = pool.connect_options();
    let name = opts.get_filename().to_string_lossy();
    if name == ":memory:" || name.starts_with("file:sqlx-in-memory") {
        return Ok((pool.begin_write().await?, None));
    }
    let own = SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(0)
        .connect_with(
            (*opts)
                .clone()
                .foreign_keys(false)
                .pragma("cache_size", format!("-{IMPORT_CACHE_KIB}")),
        )
        .await?;
    match own.begin_write().await {
        Ok(t) => Ok((t, Some(own))),
        Err(e) => {
            own.close().await;
            Err(e.into())
        }
    }
}

impl Store {
    /// Starts importing a file for `body`; its rows are added with [`SpendImportTx::add`].
    pub async fn begin_spend_import(
        &self,
        actor: &Actor,
        body: &str,
        file_name: &str,
        sha256: &str,
        file_bytes: i64,
    ) -> Result<SpendImportTx> {
        let body = body.trim();
        let (mut tx, own) = match &self.backend {
            Backend::Sqlite(pool) => {
                let (t, own) = begin_sqlite(pool).await?;
                (Tx::Sqlite(t), own)
            }
            Backend::Postgres(pool) => (Tx::Postgres(pool.begin_write().await?), None),
        };
        // The body is named inside the import's transaction, so an import that never finishes
        // leaves no body behind.
        let named: Result<(i64, i64)> = with_tx!(&mut tx, t => async {
            sqlx::query("INSERT INTO spend_bodies (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
                .bind(body)
                .bind(now_unix())
                .execute(&mut **t)
                .await?;
            let body_id: i64 = sqlx::query_scalar("SELECT id FROM spend_bodies WHERE name = $1").bind(body).fetch_one(&mut **t).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO spend_imports (body_id, file_name, file_sha256, file_bytes, imported_at, imported_by, blocks)
                 VALUES ($1, $2, $3, $4, $5, $6, 1) RETURNING id",
            )
            .bind(body_id)
            .bind(file_name)
            .bind(sha256)
            .bind(file_bytes)
            .bind(now_unix())
            .bind(&actor.label)
            .fetch_one(&mut **t)
            .await?;
            Ok((id, body_id))
        }.await);
        let (import_id, body_id) = match named {
            Ok(v) => v,
            Err(e) => {
                tx.rollback().await;
                if let Some(own) = own {
                    own.close().await;
                }
                return Err(e);
            }
        };
        let mut imp = SpendImportTx {
            tx,
            import_id,
            body_id,
            counts: SpendCounts::default(),
            blocks: BTreeMap::new(),
            high_id: 0,
            own,
        };
        if let Err(e) = imp.prepare().await {
            imp.abandon().await;
            return Err(e);
        }
        Ok(imp)
    }
}

impl SpendImportTx {
    pub fn import_id(&self) -> i64 {
        self.import_id
    }

    async fn prepare(&mut self) -> Result<()> {
        match &mut self.tx {
            Tx::Sqlite(t) => {
                if self.own.is_none() {
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "PRAGMA cache_size = -{IMPORT_CACHE_KIB}"
                    )))
                    .execute(&mut **t)
                    .await?;
                }
                self.high_id =
                    sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM spend_transactions")
                        .fetch_one(&mut **t)
                        .await?;
            }
            Tx::Postgres(t) => {
                sqlx::query(
                    "CREATE TEMPORARY TABLE spend_incoming (
                        seq BIGINT, body_id BIGINT, import_id BIGINT, identity TEXT, line BIGINT, paid_on TEXT,
                        financial_year TEXT, amount_pence BIGINT, irrecoverable_vat_pence BIGINT, supplier_name TEXT,
                        redacted BOOLEAN, supplier_id TEXT, transaction_number TEXT, invoice_number TEXT, vat_number TEXT,
                        company_number TEXT, charity_number TEXT, expense_area TEXT, expense_type TEXT, expense_code TEXT,
                        creditor_type TEXT, purpose TEXT, merchant_category TEXT, capital_revenue TEXT, flags TEXT,
                        proclass_label TEXT, proclass_code TEXT
                    ) ON COMMIT DROP",
                )
                .execute(&mut **t)
                .await?;
            }
        }
        Ok(())
    }

    /// Adds cleaned transactions; rows whose identity the body already has are skipped and counted.
    /// On an error, end the import with [`SpendImportTx::abandon`].
    pub async fn add(&mut self, batch: &[Transaction]) -> Result<()> {
        let inserted = match &mut self.tx {
            Tx::Sqlite(t) => {
                let mut inserted = Vec::with_capacity(batch.len());
                for (k, chunk) in batch.chunks(INSERT_BATCH).enumerate() {
                    let new = insert_chunk_sqlite(
                        t,
                        self.body_id,
                        self.import_id,
                        &mut self.high_id,
                        chunk,
                    )
                    .await?;
                    inserted.extend(new.into_iter().map(|(id, i)| (id, k * INSERT_BATCH + i)));
                }
                inserted
            }
            Tx::Postgres(t) => {
                let returned = copy_batch_postgres(t, self.body_id, self.import_id, batch).await?;
                match_inserted(batch, &returned)
            }
        };
        self.counts.rows_kept += batch.len() as i64;
        self.counts.total_pence += batch.iter().map(|t| t.amount.pence()).sum::<i64>();
        self.counts.rows_new += inserted.len() as i64;
        self.counts.rows_already += (batch.len() - inserted.len()) as i64;
        for (id, i) in inserted {
            let t = &batch[i];
            self.counts.new_pence += t.amount.pence();
            let fy = t.date.map(FinancialYear::of);
            let w = self.blocks.entry(fy).or_default();
            w.push(&BlockRow::of(id, t));
            if w.len() >= BLOCK_ROWS {
                let full = std::mem::take(w);
                self.write_block(fy, full).await?;
            }
        }
        Ok(())
    }

    async fn write_block(&mut self, fy: Option<FinancialYear>, w: BlockWriter) -> Result<()> {
        let rows = w.len() as i64;
        let data = w.finish();
        let (body_id, import_id) = (self.body_id, self.import_id);
        with_tx!(&mut self.tx, t => {
            sqlx::query("INSERT INTO spend_blocks (body_id, import_id, financial_year, rows, data) VALUES ($1, $2, $3, $4, $5)")
                .bind(body_id)
                .bind(import_id)
                .bind(fy.map(|y| y.to_string()))
                .bind(rows)
                .bind(data)
                .execute(&mut **t)
                .await?;
        });
        Ok(())
    }

    /// What has been added so far.
    pub fn counts(&self) -> SpendCounts {
        self.counts
    }

    /// Ends the import without keeping anything, awaiting the rollback.
    pub async fn abandon(self) {
        self.tx.rollback().await;
        if let Some(own) = self.own {
            own.close().await;
        }
    }

    /// Records the report and the mapping (kept for the body's next file), audits, and commits.
    /// Returns the import's id and what it added. On an error everything is rolled back.
    pub async fn finish(
        mut self,
        actor: &Actor,
        report: &serde_json::Value,
        mapping: &[(String, String)],
    ) -> Result<(i64, SpendCounts)> {
        match self.record(actor, report, mapping).await {
            Ok(()) => {
                let (id, c) = (self.import_id, self.counts);
                let committed = self.tx.commit().await;
                if let Some(own) = self.own {
                    own.close().await;
                }
                committed?;
                Ok((id, c))
            }
            Err(e) => {
                self.abandon().await;
                Err(e)
            }
        }
    }

    async fn record(
        &mut self,
        actor: &Actor,
        report: &serde_json::Value,
        mapping: &[(String, String)],
    ) -> Result<()> {
        for (fy, w) in std::mem::take(&mut self.blocks) {
            if w.len() > 0 {
                self.write_block(fy, w).await?;
            }
        }
        let id = self.import_id;
        let body_id = self.body_id;
        let c = self.counts;
        let mapping_json =
            serde_json::to_string(mapping).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let entry = NewAudit::new("spend.import", "spend_import", id).after(serde_json::json!({
            "rows_kept": c.rows_kept, "rows_new": c.rows_new, "rows_already": c.rows_already,
            "total_pence": c.total_pence, "new_pence": c.new_pence,
            "reconciliation": report.get("reconciliation"),
        }));
        with_tx!(&mut self.tx, t => {
            // The acting user must exist (foreign keys are not enforced on the import's own
            // SQLite connection).
            if let Some(user) = actor.user_id {
                let known: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE id = $1").bind(user).fetch_optional(&mut **t).await?;
                if known.is_none() {
                    return Err(StoreError::NotFound(format!("user {user} (the import's actor)")));
                }
            }
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
        if let (Tx::Sqlite(t), None) = (&mut self.tx, &self.own) {
            sqlx::query("PRAGMA cache_size = -2000")
                .execute(&mut **t)
                .await?;
        }
        Ok(())
    }
}
