//! Unit cost libraries and deflators.

use levers_appraisal::{Deflators, LibraryReport, UnitCost, ValueAt};
use levers_core::FinancialYear;
use sqlx::Row;

use crate::audit::{Actor, NewAudit, insert_audit};

use super::rows::*;
use super::types::*;
use crate::{Result, Store, StoreError, conflict_on_unique, now_unix, with_pool, write_tx};

impl Store {
    /// Imports (or replaces) the library called `name` with `costs`, in one transaction.
    pub async fn import_unit_costs(
        &self,
        actor: &Actor,
        name: &str,
        file_name: &str,
        costs: &[UnitCost],
        report: &LibraryReport,
    ) -> Result<i64> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("give the library a name".into()));
        }
        let report_json =
            serde_json::to_string(report).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        with_pool!(self, pool => write_tx!(pool, tx => {
            let before: Option<i64> = sqlx::query_scalar("SELECT costs FROM appraisal_libraries WHERE name = $1")
                .bind(name)
                .fetch_optional(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM appraisal_libraries WHERE name = $1").bind(name).execute(&mut *tx).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO appraisal_libraries (name, file_name, costs, report_json, imported_at, imported_by)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(name)
            .bind(file_name)
            .bind(costs.len() as i64)
            .bind(&report_json)
            .bind(now_unix())
            .bind(&actor.label)
            .fetch_one(&mut *tx)
            .await?;
            let mut done = 0i64;
            for chunk in costs.chunks(COST_BATCH) {
                let sql = format!(
                    "INSERT INTO unit_costs ({}) VALUES {}",
                    COST_COLUMNS.join(", "),
                    crate::Marks::of(&self.backend).rows(chunk.len(), COST_COLUMNS.len())
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for (c, seq) in chunk.iter().zip(done..) {
                    q = q.bind(id).bind(seq).bind(&c.code).bind(&c.theme).bind(&c.category).bind(&c.detail).bind(&c.description)
                        .bind(&c.unit).bind(&c.agency).bind(&c.agency_detail);
                    for v in [c.fiscal, c.economic, c.social] {
                        q = q.bind(v.map(|v| v.amount)).bind(v.map(|v| v.price_year.to_string())).bind(v.and_then(|v| v.stated_2015_16));
                    }
                    q = q.bind(&c.source).bind(rag_code(c.rag)).bind(&c.comment);
                }
                q.execute(&mut *tx).await.map_err(|e| conflict_on_unique(e, || format!("the library {name} lists a cost code twice")))?;
                done += chunk.len() as i64;
            }
            insert_audit!(
                &mut *tx,
                actor,
                NewAudit::new("appraisal.library.import", "appraisal_library", name)
                    .before(before.map(|n| serde_json::json!({"costs": n})))
                    .after(serde_json::json!({"file": file_name, "costs": costs.len(), "rejected": report.rejected.len()}))
            )?;
            Ok(id)
        }))
    }

    pub async fn unit_cost_libraries(&self) -> Result<Vec<LibrarySummary>> {
        with_pool!(self, pool => {
            let rows = sqlx::query("SELECT id, name, file_name, costs, imported_at, imported_by FROM appraisal_libraries ORDER BY id")
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|r| Ok(LibrarySummary {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    file_name: r.try_get("file_name")?,
                    costs: r.try_get("costs")?,
                    imported_at: r.try_get("imported_at")?,
                    imported_by: r.try_get("imported_by")?,
                }))
                .collect()
        })
    }

    /// Every unit cost, one per code: where libraries share a code, the most recently imported wins
    /// (so a council's own values override the national ones).
    pub async fn unit_costs(&self) -> Result<Vec<UnitCost>> {
        with_pool!(self, pool => {
            let rows = sqlx::query("SELECT * FROM unit_costs ORDER BY library_id DESC, seq").fetch_all(pool).await?;
            let mut seen = std::collections::HashSet::new();
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                let c = cost_from_row!(r);
                if seen.insert(c.code.clone()) {
                    out.push(c);
                }
            }
            Ok(out)
        })
    }

    /// One unit cost by code (the most recently imported library that has it).
    pub async fn unit_cost(&self, code: &str) -> Result<Option<UnitCost>> {
        with_pool!(self, pool => {
            let r = sqlx::query("SELECT * FROM unit_costs WHERE code = $1 ORDER BY library_id DESC LIMIT 1")
                .bind(code.trim())
                .fetch_optional(pool)
                .await?;
            Ok(match r { Some(r) => Some(cost_from_row!(&r)), None => None })
        })
    }

    /// Adds or replaces the deflator figures for the years in `table`.
    pub async fn import_deflators(
        &self,
        actor: &Actor,
        source: &str,
        table: &Deflators,
    ) -> Result<usize> {
        let pairs: Vec<(FinancialYear, f64)> = table.pairs().collect();
        with_pool!(self, pool => write_tx!(pool, tx => {
            for (y, pct) in &pairs {
                sqlx::query(
                    "INSERT INTO appraisal_deflators (fin_year, pct, source, imported_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (fin_year) DO UPDATE SET pct = excluded.pct, source = excluded.source, imported_at = excluded.imported_at",
                )
                .bind(y.to_string())
                .bind(pct)
                .bind(source)
                .bind(now_unix())
                .execute(&mut *tx)
                .await?;
            }
            insert_audit!(
                &mut *tx,
                actor,
                NewAudit::new("appraisal.deflators.import", "appraisal_deflators", source).after(serde_json::json!({
                    "years": pairs.len(),
                    "first": pairs.first().map(|p| p.0.to_string()),
                    "last": pairs.last().map(|p| p.0.to_string()),
                }))
            )?;
            Ok(pairs.len())
        }))
    }

    /// The deflator table (empty when none has been imported).
    pub async fn deflators(&self) -> Result<Deflators> {
        with_pool!(self, pool => {
            let rows = sqlx::query("SELECT fin_year, pct FROM appraisal_deflators").fetch_all(pool).await?;
            let mut pairs = Vec::with_capacity(rows.len());
            for r in &rows {
                let y: String = r.try_get("fin_year")?;
                pairs.push((year(&y, "deflator year")?, r.try_get::<f64, _>("pct")?));
            }
            Ok(Deflators::from_pairs(pairs))
        })
    }
}
