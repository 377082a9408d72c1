//! The contract pipeline's tables (migration 0011): imports of OCDS files and contract registers,
//! one row per contract, and officers' corrections of supplier matches. An import is one
//! transaction (`ContractImport`): batches are merged with what is held (a release seen before is a
//! duplicate, a later one updates, an earlier one fills gaps), and `finish` records the
//! reconciliation and audits it; `abandon` (or any failed step) rolls everything back.

use levers_contracts::Contract;
use levers_contracts::matching::Correction;
use levers_contracts::merge::{MergeCounts, Merger, Outcome};
use serde::Serialize;
use sqlx::Row;

use crate::BeginWrite;
use crate::audit::{Actor, NewAudit, insert_audit};
use crate::{Marks, Result, Store, StoreError, Tx, now_unix, with_pool, with_tx, write_tx};

/// One import as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContractImportRow {
    pub id: i64,
    pub kind: String,
    pub file_name: String,
    pub body: String,
    pub records_read: i64,
    pub new: i64,
    pub updated: i64,
    pub older: i64,
    pub duplicates: i64,
    pub rejected: i64,
    pub imported_at: i64,
    pub imported_by: String,
}

const IMPORT_COLUMNS: &str = "id, kind, file_name, body, records_read, contracts_new, updated, older, duplicates, rejected, imported_at, imported_by";

macro_rules! import_from_row {
    ($r:expr) => {{
        let r = $r;
        ContractImportRow {
            id: r.try_get("id")?,
            kind: r.try_get("kind")?,
            file_name: r.try_get("file_name")?,
            body: r.try_get("body")?,
            records_read: r.try_get("records_read")?,
            new: r.try_get("contracts_new")?,
            updated: r.try_get("updated")?,
            older: r.try_get("older")?,
            duplicates: r.try_get("duplicates")?,
            rejected: r.try_get("rejected")?,
            imported_at: r.try_get("imported_at")?,
            imported_by: r.try_get("imported_by")?,
        }
    }};
}

/// An import under way: one transaction until `finish` or `abandon`.
pub struct ContractImport {
    tx: Option<Tx>,
    id: i64,
    kind: String,
    file_name: String,
    pub counts: MergeCounts,
}

fn already_failed() -> StoreError {
    StoreError::Invalid(
        "this contract import already failed and was rolled back: import the file again".into(),
    )
}

fn decode(j: &str) -> Result<Contract> {
    serde_json::from_str(j).map_err(|e| StoreError::Corrupt(format!("contract record: {e}")))
}

fn stage_name(c: &Contract) -> String {
    serde_json::to_value(c.stage)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

impl Store {
    /// Starts importing a file of `kind` (`ocds` or `register`).
    pub async fn begin_contract_import(
        &self,
        actor: &Actor,
        kind: &str,
        file_name: &str,
        file_sha256: &str,
        body: &str,
    ) -> Result<ContractImport> {
        if kind != "ocds" && kind != "register" {
            return Err(StoreError::Invalid(format!(
                "\"{kind}\" is not a kind of contract file: use ocds or register"
            )));
        }
        let mut tx: Tx = with_pool!(self, pool => pool.begin_write().await?.into());
        let started = with_tx!(&mut tx, t => {
            sqlx::query_scalar::<_, i64>(
                "INSERT INTO contract_imports (kind, file_name, file_sha256, body, imported_at, imported_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(kind)
            .bind(file_name)
            .bind(file_sha256)
            .bind(body)
            .bind(now_unix())
            .bind(&actor.label)
            .fetch_one(&mut **t)
            .await
        });
        match started {
            Ok(id) => Ok(ContractImport {
                tx: Some(tx),
                id,
                kind: kind.to_string(),
                file_name: file_name.to_string(),
                counts: MergeCounts::default(),
            }),
            Err(e) => {
                tx.rollback().await;
                Err(e.into())
            }
        }
    }

    /// Every contract held, in key order.
    pub async fn contracts(&self) -> Result<Vec<Contract>> {
        let rows: Vec<String> = with_pool!(self, pool => sqlx::query_scalar("SELECT record_json FROM contracts ORDER BY contract_key").fetch_all(pool).await?);
        rows.iter().map(|j| decode(j)).collect()
    }

    /// One contract by key.
    pub async fn contract(&self, key: &str) -> Result<Option<Contract>> {
        let row: Option<String> = with_pool!(self, pool => sqlx::query_scalar("SELECT record_json FROM contracts WHERE contract_key = $1").bind(key).fetch_optional(pool).await?);
        row.as_deref().map(decode).transpose()
    }

    /// Imports, newest first.
    pub async fn contract_imports(&self) -> Result<Vec<ContractImportRow>> {
        let sql = format!("SELECT {IMPORT_COLUMNS} FROM contract_imports ORDER BY id DESC");
        with_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?;
            let mut out = Vec::new();
            for r in &rows {
                out.push(import_from_row!(r));
            }
            Ok(out)
        })
    }

    /// One import with the reader's report (its reconciliation and rejections), if it exists.
    pub async fn contract_import(
        &self,
        id: i64,
    ) -> Result<Option<(ContractImportRow, serde_json::Value)>> {
        let sql =
            format!("SELECT {IMPORT_COLUMNS}, report_json FROM contract_imports WHERE id = $1");
        with_pool!(self, pool => {
            let Some(r) = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await? else {
                return Ok(None);
            };
            let report: String = r.try_get("report_json")?;
            let report = serde_json::from_str(&report)
                .map_err(|e| StoreError::Corrupt(format!("contract import {id}'s report: {e}")))?;
            Ok(Some((import_from_row!(&r), report)))
        })
    }

    /// Records (or replaces) an officer's correction: `include` adds the candidate to the
    /// contract's matches, `!include` removes it. Audited with the correction it replaces.
    pub async fn correct_match(
        &self,
        actor: &Actor,
        contract_key: &str,
        candidate_key: &str,
        include: bool,
        note: &str,
    ) -> Result<()> {
        if self.contract(contract_key).await?.is_none() {
            return Err(StoreError::NotFound(format!("contract {contract_key}")));
        }
        if candidate_key.trim().is_empty() {
            return Err(StoreError::Invalid(
                "say which supplier the correction is about".into(),
            ));
        }
        let before = self
            .match_corrections(Some(contract_key))
            .await?
            .into_iter()
            .find(|c| c.candidate == candidate_key);
        let note = note.trim();
        with_pool!(self, pool => write_tx!(pool, tx => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO contract_match_corrections (contract_key, candidate_key, include, note, decided_at, decided_by) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (contract_key, candidate_key) DO UPDATE SET include = excluded.include, note = excluded.note,
                 decided_at = excluded.decided_at, decided_by = excluded.decided_by RETURNING id",
            )
            .bind(contract_key)
            .bind(candidate_key)
            .bind(include)
            .bind(note)
            .bind(now_unix())
            .bind(&actor.label)
            .fetch_one(&mut *tx)
            .await?;
            insert_audit!(
                &mut *tx,
                actor,
                NewAudit::new("contracts.match.correct", "contract_match_correction", id)
                    .before(before.as_ref().map(|b| serde_json::json!({"include": b.include, "note": b.note})))
                    .after(serde_json::json!({"contract": contract_key, "candidate": candidate_key, "include": include, "note": note}))
            )?;
            Ok(())
        }))
    }

    /// Officers' corrections, for one contract or all.
    pub async fn match_corrections(&self, contract_key: Option<&str>) -> Result<Vec<Correction>> {
        with_pool!(self, pool => {
            let base = "SELECT contract_key, candidate_key, include, note FROM contract_match_corrections";
            let rows = match contract_key {
                Some(k) => {
                    let sql = format!("{base} WHERE contract_key = $1 ORDER BY decided_at, id");
                    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(k).fetch_all(pool).await?
                }
                None => {
                    let sql = format!("{base} ORDER BY decided_at, id");
                    sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?
                }
            };
            let mut out = Vec::new();
            for r in &rows {
                out.push(Correction {
                    opportunity: r.try_get("contract_key")?,
                    candidate: r.try_get("candidate_key")?,
                    include: r.try_get("include")?,
                    note: r.try_get("note")?,
                });
            }
            Ok(out)
        })
    }
}

/// Contracts per upsert statement (10 parameters each).
const UPSERT_BATCH: usize = 200;

/// `INSERT … ON CONFLICT DO UPDATE` of `n` contracts.
fn upsert_sql(n: usize, marks: Marks) -> String {
    format!(
        "INSERT INTO contracts (contract_key, source, title, buyer, stage, value_pence, end_date, record_json, import_id, updated_at)
         VALUES {} ON CONFLICT (contract_key) DO UPDATE SET source = excluded.source, title = excluded.title, buyer = excluded.buyer,
         stage = excluded.stage, value_pence = excluded.value_pence, end_date = excluded.end_date,
         record_json = excluded.record_json, import_id = excluded.import_id, updated_at = excluded.updated_at",
        marks.rows(n, 10)
    )
}

impl ContractImport {
    fn open_tx(&mut self) -> Result<&mut Tx> {
        self.tx.as_mut().ok_or_else(already_failed)
    }

    /// Merges a batch of contracts with what is held and writes the ones that changed. On failure
    /// the whole import is rolled back.
    pub async fn add_batch(&mut self, batch: Vec<Contract>) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let id = self.id;
        let mut keys: Vec<String> = batch.iter().map(|c| c.key.clone()).collect();
        keys.sort();
        keys.dedup();
        let marks = Marks::of_tx(self.open_tx()?);
        let outcome = with_tx!(self.open_tx()?, t => async {
            let mut held = Vec::new();
            for chunk in keys.chunks(500) {
                let sql = format!("SELECT record_json FROM contracts WHERE contract_key IN ({})", marks.list(1, chunk.len()));
                let mut q = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql));
                for k in chunk {
                    q = q.bind(k);
                }
                for j in q.fetch_all(&mut **t).await? {
                    held.push(decode(&j)?);
                }
            }
            let mut m = Merger::with_held(held);
            let mut dirty = std::collections::BTreeSet::new();
            let mut counts = MergeCounts::default();
            for c in batch {
                let key = c.key.clone();
                let o = m.add(c);
                counts.add(o);
                if o != Outcome::Duplicate {
                    dirty.insert(key);
                }
            }
            let now = now_unix();
            // the changed contracts, `UPSERT_BATCH` to a statement (each key once: the merger
            // holds one contract per key)
            let changed: Vec<&Contract> = m.contracts.iter().filter(|c| dirty.contains(&c.key)).collect();
            for chunk in changed.chunks(UPSERT_BATCH) {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(upsert_sql(chunk.len(), marks)));
                for c in chunk {
                    let json = serde_json::to_string(c).map_err(|e| StoreError::Corrupt(format!("contract record: {e}")))?;
                    q = q
                        .bind(&c.key)
                        .bind(match c.source { levers_contracts::Source::Ocds => "ocds", levers_contracts::Source::Register => "register" })
                        .bind(&c.title)
                        .bind(&c.buyer)
                        .bind(stage_name(c))
                        .bind(c.value().map(|m| m.pence()))
                        .bind(c.end_date().map(levers_contracts::model::opt_date::iso))
                        .bind(json)
                        .bind(id)
                        .bind(now);
                }
                q.execute(&mut **t).await?;
            }
            Ok::<_, StoreError>(counts)
        }.await);
        match outcome {
            Ok(c) => {
                self.counts.new += c.new;
                self.counts.updated += c.updated;
                self.counts.older += c.older;
                self.counts.duplicates += c.duplicates;
                Ok(())
            }
            Err(e) => {
                if let Some(tx) = self.tx.take() {
                    tx.rollback().await;
                }
                Err(e)
            }
        }
    }

    /// Gives up: rolls the import back, awaited, so nothing of it stays.
    pub async fn abandon(mut self) {
        if let Some(tx) = self.tx.take() {
            tx.rollback().await;
        }
    }

    /// Records the reconciliation (`read` records, `rejected` of them refused, the reader's
    /// report as JSON), audits the import and commits. Refuses counts that do not add up.
    pub async fn finish(
        mut self,
        actor: &Actor,
        read: u64,
        rejected: u64,
        report: serde_json::Value,
    ) -> Result<ContractImportRow> {
        let c = self.counts;
        if read != c.total() + rejected {
            if let Some(tx) = self.tx.take() {
                tx.rollback().await;
            }
            return Err(StoreError::Invalid(format!(
                "the import does not reconcile: {read} read but {} merged and {rejected} rejected; nothing was kept",
                c.total()
            )));
        }
        let id = self.id;
        let entry = NewAudit::new("contracts.import", "contract_import", id).after(serde_json::json!({
            "kind": self.kind, "file_name": self.file_name, "read": read, "new": c.new, "updated": c.updated,
            "older": c.older, "duplicates": c.duplicates, "rejected": rejected,
        }));
        let sql = format!(
            "UPDATE contract_imports SET records_read = $1, contracts_new = $2, updated = $3, older = $4, duplicates = $5, rejected = $6, report_json = $7
             WHERE id = $8 RETURNING {IMPORT_COLUMNS}"
        );
        let mut tx = self.tx.take().ok_or_else(already_failed)?;
        let i = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        let outcome = with_tx!(&mut tx, t => async {
            let r = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(i(read))
                .bind(i(c.new))
                .bind(i(c.updated))
                .bind(i(c.older))
                .bind(i(c.duplicates))
                .bind(i(rejected))
                .bind(report.to_string())
                .bind(id)
                .fetch_one(&mut **t)
                .await?;
            let row = import_from_row!(&r);
            insert_audit!(&mut **t, actor, entry)?;
            Ok::<_, StoreError>(row)
        }.await);
        tx.end(outcome).await
    }
}
