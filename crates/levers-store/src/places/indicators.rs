//! Indicator files and their values: one transaction per file (a re-import of the same file name
//! replaces it), audited; values read back by area or by indicator.

use levers_place::{IndicatorReport, IndicatorValue};
use serde::Serialize;
use sqlx::Row;

use crate::audit::{Actor, NewAudit, insert_audit};
use crate::{Result, Store, StoreError, now_unix, with_pool, write_tx};

/// One imported indicator file and its reconciliation.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorFile {
    pub id: i64,
    pub file_name: String,
    pub kind: String,
    pub rows_read: i64,
    pub rows_imported: i64,
    pub rows_rejected: i64,
    pub rows_blank: i64,
    pub value_count: i64,
    pub rejections: serde_json::Value,
    pub imported_at: i64,
    pub imported_by: String,
}

/// A stored value with the file it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredIndicator {
    pub area_code: String,
    pub area_name: String,
    pub period: String,
    pub indicator: String,
    pub measure: String,
    pub unit: String,
    pub value: f64,
    pub file_name: String,
    pub imported_at: i64,
}

/// Rows per multi-row insert (8 parameters each, well under SQLite's limit).
const BATCH: usize = 500;

const VALUE_SELECT: &str = "SELECT v.area_code, v.area_name, v.period, v.indicator, v.measure, v.unit, v.value, f.file_name, f.imported_at
     FROM place_indicator_values v JOIN place_indicator_files f ON f.id = v.file_id";

macro_rules! value_from_row {
    ($r:expr) => {{
        let r = $r;
        StoredIndicator {
            area_code: r.try_get("area_code")?,
            area_name: r.try_get("area_name")?,
            period: r.try_get("period")?,
            indicator: r.try_get("indicator")?,
            measure: r.try_get("measure")?,
            unit: r.try_get("unit")?,
            value: r.try_get("value")?,
            file_name: r.try_get("file_name")?,
            imported_at: r.try_get("imported_at")?,
        }
    }};
}

impl Store {
    /// Stores a whole file's values in one transaction, replacing an earlier import of the same
    /// file name, with an audit entry. Returns the file's row.
    pub async fn import_indicator_file(
        &self,
        actor: &Actor,
        file_name: &str,
        report: &IndicatorReport,
        values: &[IndicatorValue],
    ) -> Result<IndicatorFile> {
        let kind = report.kind.map_or("unknown", |k| k.as_str());
        let rejections = serde_json::to_string(&report.rejections)
            .map_err(|e| StoreError::Corrupt(format!("indicator rejections: {e}")))?;
        let now = now_unix();
        let id: i64 = with_pool!(self, pool => write_tx!(pool, tx => {
            let replaced: Option<i64> = sqlx::query_scalar("SELECT id FROM place_indicator_files WHERE file_name = $1")
                .bind(file_name).fetch_optional(&mut *tx).await?;
            if let Some(old) = replaced {
                sqlx::query("DELETE FROM place_indicator_values WHERE file_id = $1").bind(old).execute(&mut *tx).await?;
                sqlx::query("DELETE FROM place_indicator_files WHERE id = $1").bind(old).execute(&mut *tx).await?;
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO place_indicator_files (file_name, kind, rows_read, rows_imported, rows_rejected, rows_blank, value_count, rejections_json, imported_at, imported_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id")
                .bind(file_name).bind(kind)
                .bind(report.rows_read as i64).bind(report.rows_imported as i64)
                .bind(report.rows_rejected as i64).bind(report.rows_blank as i64)
                .bind(values.len() as i64).bind(&rejections).bind(now).bind(actor.label.clone())
                .fetch_one(&mut *tx).await?;
            for chunk in values.chunks(BATCH) {
                let sql = format!(
                    "INSERT INTO place_indicator_values (file_id, area_code, area_name, period, indicator, measure, unit, value) VALUES {}",
                    crate::Marks::of(&self.backend).rows(chunk.len(), 8)
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for v in chunk {
                    q = q.bind(id).bind(v.area_code.as_str()).bind(&v.area_name).bind(&v.period)
                        .bind(&v.indicator).bind(&v.measure).bind(&v.unit).bind(v.value);
                }
                q.execute(&mut *tx).await?;
            }
            insert_audit!(&mut *tx, actor, NewAudit::new("indicators.import", "indicator_file", file_name)
                .before(replaced.map(|r| serde_json::json!({ "replaced_file_id": r })))
                .after(serde_json::json!({
                    "kind": kind, "rows_read": report.rows_read, "rows_imported": report.rows_imported,
                    "rows_rejected": report.rows_rejected, "rows_blank": report.rows_blank, "values": values.len(),
                })))?;
            Ok(id)
        }))?;
        self.indicator_files()
            .await?
            .into_iter()
            .find(|f| f.id == id)
            .ok_or_else(|| StoreError::NotFound(format!("indicator file {file_name}")))
    }

    /// Every imported indicator file, newest first.
    pub async fn indicator_files(&self) -> Result<Vec<IndicatorFile>> {
        with_pool!(self, pool => {
            let rows = sqlx::query("SELECT id, file_name, kind, rows_read, rows_imported, rows_rejected, rows_blank, value_count, rejections_json, imported_at, imported_by FROM place_indicator_files ORDER BY imported_at DESC, id DESC")
                .fetch_all(pool).await?;
            rows.iter().map(|r| {
                let rej: String = r.try_get("rejections_json")?;
                Ok(IndicatorFile {
                    id: r.try_get("id")?,
                    file_name: r.try_get("file_name")?,
                    kind: r.try_get("kind")?,
                    rows_read: r.try_get("rows_read")?,
                    rows_imported: r.try_get("rows_imported")?,
                    rows_rejected: r.try_get("rows_rejected")?,
                    rows_blank: r.try_get("rows_blank")?,
                    value_count: r.try_get("value_count")?,
                    rejections: serde_json::from_str(&rej).map_err(|e| StoreError::Corrupt(format!("indicator rejections: {e}")))?,
                    imported_at: r.try_get("imported_at")?,
                    imported_by: r.try_get("imported_by")?,
                })
            }).collect()
        })
    }

    /// Every value for one area, ordered by indicator, measure and period as stored.
    pub async fn indicator_values_for(&self, area_code: &str) -> Result<Vec<StoredIndicator>> {
        with_pool!(self, pool => {
            let sql = format!("{VALUE_SELECT} WHERE v.area_code = $1 ORDER BY v.indicator, v.measure, f.id, v.period");
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(area_code).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(value_from_row!(r))).collect()
        })
    }

    /// Every value of one indicator and measure (all areas and periods).
    pub async fn indicator_values_of(
        &self,
        indicator: &str,
        measure: &str,
    ) -> Result<Vec<StoredIndicator>> {
        with_pool!(self, pool => {
            let sql = format!("{VALUE_SELECT} WHERE v.indicator = $1 AND v.measure = $2 ORDER BY v.area_code, f.id, v.period");
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(indicator).bind(measure).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(value_from_row!(r))).collect()
        })
    }

    /// Every value whose area code is in `codes` (chunked), for a place view over many areas.
    pub async fn indicator_values_in(&self, codes: &[String]) -> Result<Vec<StoredIndicator>> {
        let mut out = Vec::new();
        for chunk in codes.chunks(500) {
            let sql = format!(
                "{VALUE_SELECT} WHERE v.area_code IN ({}) ORDER BY v.area_code, v.indicator, v.measure, f.id, v.period",
                crate::Marks::of(&self.backend).list(1, chunk.len())
            );
            with_pool!(self, pool => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                for c in chunk { q = q.bind(c); }
                let rows = q.fetch_all(pool).await?;
                for r in &rows { out.push(value_from_row!(r)); }
            });
        }
        Ok(out)
    }

    /// The distinct (indicator, measure, unit) triples held, for choosing what to map.
    pub async fn indicator_catalogue(&self) -> Result<Vec<(String, String, String, i64)>> {
        with_pool!(self, pool => {
            let rows = sqlx::query("SELECT indicator, measure, unit, COUNT(*) AS n FROM place_indicator_values GROUP BY indicator, measure, unit ORDER BY indicator, measure, unit")
                .fetch_all(pool).await?;
            rows.iter().map(|r| Ok((r.try_get("indicator")?, r.try_get("measure")?, r.try_get("unit")?, r.try_get("n")?))).collect()
        })
    }
}
