//! Boundary files and their outlines (simplified longitude/latitude polygons as JSON), one
//! transaction per file (a re-import of the same file name replaces it), audited.

use levers_place::boundary::{Boundary, BoundaryRead, Polygon};
use serde::Serialize;
use sqlx::Row;

use crate::audit::{Actor, NewAudit, insert_audit};
use crate::{Result, Store, StoreError, now_unix, with_pool, write_tx};

/// One imported boundary file.
#[derive(Debug, Clone, Serialize)]
pub struct BoundaryFile {
    pub id: i64,
    pub file_name: String,
    pub features: i64,
    pub areas: i64,
    pub skipped: i64,
    pub skipped_detail: serde_json::Value,
    pub imported_at: i64,
    pub imported_by: String,
}

/// A stored outline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredBoundary {
    pub area_code: String,
    pub area_name: String,
    pub polygons: Vec<Polygon>,
}

impl Store {
    /// Stores a boundary file's outlines in one transaction, replacing an earlier import of the same
    /// file name. An area appearing twice in one file keeps its first outline.
    pub async fn import_boundary_file(
        &self,
        actor: &Actor,
        file_name: &str,
        read: &BoundaryRead,
    ) -> Result<i64> {
        let skipped = serde_json::to_string(&read.skipped)
            .map_err(|e| StoreError::Corrupt(format!("boundary skipped list: {e}")))?;
        let shapes: Vec<(&Boundary, String)> = read
            .areas
            .iter()
            .map(|a| {
                serde_json::to_string(&a.polygons)
                    .map(|s| (a, s))
                    .map_err(|e| StoreError::Corrupt(format!("boundary {}: {e}", a.code)))
            })
            .collect::<Result<_>>()?;
        with_pool!(self, pool => write_tx!(pool, tx => {
            let replaced: Option<i64> = sqlx::query_scalar("SELECT id FROM place_boundary_files WHERE file_name = $1")
                .bind(file_name).fetch_optional(&mut *tx).await?;
            if let Some(old) = replaced {
                sqlx::query("DELETE FROM place_boundaries WHERE file_id = $1").bind(old).execute(&mut *tx).await?;
                sqlx::query("DELETE FROM place_boundary_files WHERE id = $1").bind(old).execute(&mut *tx).await?;
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO place_boundary_files (file_name, features, skipped, skipped_json, imported_at, imported_by)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
                .bind(file_name).bind(read.features as i64).bind(read.skipped.len() as i64)
                .bind(&skipped).bind(now_unix()).bind(actor.label.clone())
                .fetch_one(&mut *tx).await?;
            // 100 outlines to a statement (an area named twice keeps its first outline)
            for chunk in shapes.chunks(100) {
                let sql = format!(
                    "INSERT INTO place_boundaries (file_id, area_code, area_name, shape_json) VALUES {} ON CONFLICT (file_id, area_code) DO NOTHING",
                    crate::Marks::of(&self.backend).rows(chunk.len(), 4)
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for (a, shape) in chunk {
                    q = q.bind(id).bind(a.code.as_str()).bind(&a.name).bind(shape);
                }
                q.execute(&mut *tx).await?;
            }
            insert_audit!(&mut *tx, actor, NewAudit::new("boundaries.import", "boundary_file", file_name)
                .before(replaced.map(|r| serde_json::json!({ "replaced_file_id": r })))
                .after(serde_json::json!({ "features": read.features, "areas": read.areas.len(), "skipped": read.skipped.len() })))?;
            Ok(id)
        }))
    }

    /// The imported boundary files, newest first.
    pub async fn boundary_files(&self) -> Result<Vec<BoundaryFile>> {
        with_pool!(self, pool => {
            let rows = sqlx::query("SELECT f.id, f.file_name, f.features, f.skipped, f.skipped_json, f.imported_at, f.imported_by,
                    (SELECT COUNT(*) FROM place_boundaries b WHERE b.file_id = f.id) AS areas
                 FROM place_boundary_files f ORDER BY f.imported_at DESC, f.id DESC")
                .fetch_all(pool).await?;
            rows.iter().map(|r| {
                let s: String = r.try_get("skipped_json")?;
                Ok(BoundaryFile {
                    id: r.try_get("id")?,
                    file_name: r.try_get("file_name")?,
                    features: r.try_get("features")?,
                    areas: r.try_get("areas")?,
                    skipped: r.try_get("skipped")?,
                    skipped_detail: serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(format!("boundary skipped list: {e}")))?,
                    imported_at: r.try_get("imported_at")?,
                    imported_by: r.try_get("imported_by")?,
                })
            }).collect()
        })
    }

    /// Outlines for the given codes (the newest file's where several hold one), in code order.
    pub async fn boundaries_for(&self, codes: &[String]) -> Result<Vec<StoredBoundary>> {
        let mut out: Vec<StoredBoundary> = Vec::new();
        for chunk in codes.chunks(500) {
            let sql = format!(
                "SELECT area_code, area_name, shape_json FROM place_boundaries WHERE area_code IN ({}) ORDER BY area_code, file_id DESC",
                crate::Marks::of(&self.backend).list(1, chunk.len())
            );
            with_pool!(self, pool => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                for c in chunk { q = q.bind(c); }
                for r in q.fetch_all(pool).await? {
                    let code: String = r.try_get("area_code")?;
                    if out.last().is_some_and(|b| b.area_code == code) {
                        continue;
                    }
                    let shape: String = r.try_get("shape_json")?;
                    out.push(StoredBoundary {
                        polygons: serde_json::from_str(&shape).map_err(|e| StoreError::Corrupt(format!("boundary {code}: {e}")))?,
                        area_code: code,
                        area_name: r.try_get("area_name")?,
                    });
                }
            });
        }
        Ok(out)
    }
}
