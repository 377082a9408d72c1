//! Geography datasets: one row per imported file and its records as compact blocks, written in one
//! transaction per file (a re-import of the same file replaces it), read back in import order.

use futures_util::TryStreamExt;
use serde::Serialize;
use sqlx::Row;

use crate::BeginWrite;
use crate::audit::{Actor, NewAudit, insert_audit};
use crate::tx::or_end;
use crate::{Result, Store, StoreError, Tx, now_unix, with_pool, with_tx, write_tx};

/// One imported geography file and its reconciliation.
#[derive(Debug, Clone, Serialize)]
pub struct GeoDataset {
    pub id: i64,
    pub kind: String,
    pub file_name: String,
    pub rows_read: i64,
    pub rows_imported: i64,
    pub rows_rejected: i64,
    pub rows_blank: i64,
    pub records: i64,
    pub rejections: serde_json::Value,
    pub imported_at: i64,
    pub imported_by: String,
}

/// The counts a finished import records.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GeoCounts {
    pub rows_read: i64,
    pub rows_imported: i64,
    pub rows_rejected: i64,
    pub rows_blank: i64,
    pub records: i64,
    pub rejections: serde_json::Value,
}

/// An import in progress: nothing is visible to others until [`GeoImport::finish`] commits. A
/// failed [`GeoImport::add_block`] or `finish` rolls everything back before it returns; a caller
/// that gives up for its own reasons calls [`GeoImport::abandon`] (merely dropping it also rolls
/// back, but later, holding the database's write lock meanwhile).
pub struct GeoImport {
    /// `None` once a failed step has rolled the import back.
    tx: Option<Tx>,
    dataset_id: i64,
    next_block: i64,
    replaced: Option<GeoDataset>,
    kind: String,
    file_name: String,
}

const DATASET_COLUMNS: &str = "id, kind, file_name, rows_read, rows_imported, rows_rejected, rows_blank, records, rejections_json, imported_at, imported_by";

macro_rules! dataset_from_row {
    ($r:expr) => {{
        let r = $r;
        let rej: String = r.try_get("rejections_json")?;
        GeoDataset {
            id: r.try_get("id")?,
            kind: r.try_get("kind")?,
            file_name: r.try_get("file_name")?,
            rows_read: r.try_get("rows_read")?,
            rows_imported: r.try_get("rows_imported")?,
            rows_rejected: r.try_get("rows_rejected")?,
            rows_blank: r.try_get("rows_blank")?,
            records: r.try_get("records")?,
            rejections: serde_json::from_str(&rej)
                .map_err(|e| StoreError::Corrupt(format!("geo rejections: {e}")))?,
            imported_at: r.try_get("imported_at")?,
            imported_by: r.try_get("imported_by")?,
        }
    }};
}

impl Store {
    /// Starts importing a file of `kind`. An earlier import of the same kind and file name is
    /// replaced when this one commits.
    pub async fn begin_geo_import(
        &self,
        actor: &Actor,
        kind: &str,
        file_name: &str,
    ) -> Result<GeoImport> {
        let select = format!(
            "SELECT {DATASET_COLUMNS} FROM geo_datasets WHERE kind = $1 AND file_name = $2"
        );
        let mut tx: Tx = with_pool!(self, pool => pool.begin_write().await?.into());
        let started = with_tx!(&mut tx, t => async {
            let old = sqlx::query(sqlx::AssertSqlSafe(select)).bind(kind).bind(file_name).fetch_optional(&mut **t).await?;
            let replaced = match old {
                Some(r) => Some(dataset_from_row!(&r)),
                None => None,
            };
            if let Some(old) = &replaced {
                sqlx::query("DELETE FROM geo_blocks WHERE dataset_id = $1").bind(old.id).execute(&mut **t).await?;
                sqlx::query("DELETE FROM geo_datasets WHERE id = $1").bind(old.id).execute(&mut **t).await?;
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO geo_datasets (kind, file_name, imported_at, imported_by) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(kind)
            .bind(file_name)
            .bind(now_unix())
            .bind(&actor.label)
            .fetch_one(&mut **t)
            .await?;
            Ok::<_, StoreError>((id, replaced))
        }.await);
        let (dataset_id, replaced) = or_end!(tx, started);
        Ok(GeoImport {
            tx: Some(tx),
            dataset_id,
            next_block: 0,
            replaced,
            kind: kind.to_string(),
            file_name: file_name.to_string(),
        })
    }

    /// Every dataset, oldest first.
    pub async fn geo_datasets(&self) -> Result<Vec<GeoDataset>> {
        let sql = format!("SELECT {DATASET_COLUMNS} FROM geo_datasets ORDER BY id");
        with_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(dataset_from_row!(r));
            }
            Ok(out)
        })
    }

    /// A number that changes whenever geography is imported or removed, so processes know when to
    /// rebuild their in-memory index.
    pub async fn geo_version(&self) -> Result<String> {
        with_pool!(self, pool => {
            let row = sqlx::query("SELECT COUNT(*) AS n, COALESCE(MAX(id), 0) AS m, COALESCE(MAX(imported_at), 0) AS t FROM geo_datasets")
                .fetch_one(pool)
                .await?;
            let n: i64 = row.try_get("n")?;
            let m: i64 = row.try_get("m")?;
            let t: i64 = row.try_get("t")?;
            Ok(format!("{n}:{m}:{t}"))
        })
    }

    /// Streams every block, datasets in import order, to `sink(dataset_id, bytes)`.
    pub async fn geo_blocks(
        &self,
        mut sink: impl FnMut(i64, &[u8]) -> std::result::Result<(), String>,
    ) -> Result<()> {
        with_pool!(self, pool => {
            let mut rows = sqlx::query("SELECT dataset_id, data FROM geo_blocks ORDER BY dataset_id, block_no").fetch(pool);
            while let Some(r) = rows.try_next().await? {
                let id: i64 = r.try_get("dataset_id")?;
                let data: Vec<u8> = r.try_get("data")?;
                sink(id, &data).map_err(StoreError::Corrupt)?;
            }
        });
        Ok(())
    }

    /// Removes a dataset and its records, audited.
    pub async fn delete_geo_dataset(&self, actor: &Actor, id: i64) -> Result<()> {
        let all = self.geo_datasets().await?;
        let old = all
            .into_iter()
            .find(|d| d.id == id)
            .ok_or_else(|| StoreError::NotFound(format!("geography dataset {id}")))?;
        with_pool!(self, pool => write_tx!(pool, tx => {
            sqlx::query("DELETE FROM geo_blocks WHERE dataset_id = $1").bind(id).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM geo_datasets WHERE id = $1").bind(id).execute(&mut *tx).await?;
            insert_audit!(&mut *tx, actor, NewAudit::new("geo.delete", "geo_dataset", id).before(&old))?;
            Ok(())
        }))?;
        Ok(())
    }
}

impl GeoImport {
    /// The dataset this import writes.
    pub fn dataset_id(&self) -> i64 {
        self.dataset_id
    }

    /// The earlier import this one replaces, if any.
    pub fn replaces(&self) -> Option<&GeoDataset> {
        self.replaced.as_ref()
    }

    /// The open transaction, or an error saying the import already failed.
    fn open_tx(&mut self) -> Result<&mut Tx> {
        self.tx.as_mut().ok_or_else(already_failed)
    }

    /// Adds one encoded block of `records` records. On failure the import is rolled back.
    pub async fn add_block(&mut self, records: i64, data: &[u8]) -> Result<()> {
        let (id, no) = (self.dataset_id, self.next_block);
        let added = with_tx!(self.open_tx()?, t => {
            sqlx::query("INSERT INTO geo_blocks (dataset_id, block_no, records, data) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(no)
                .bind(records)
                .bind(data)
                .execute(&mut **t)
                .await
                .map(|_| ())
        });
        if let Err(e) = added {
            if let Some(tx) = self.tx.take() {
                tx.rollback().await;
            }
            return Err(e.into());
        }
        self.next_block += 1;
        Ok(())
    }

    /// Gives up the import: rolls it back, awaited, so nothing of it stays and no lock is held.
    pub async fn abandon(mut self) {
        if let Some(tx) = self.tx.take() {
            tx.rollback().await;
        }
    }

    /// Records the reconciliation, audits the import, and commits it; on failure rolls it back.
    pub async fn finish(mut self, actor: &Actor, counts: &GeoCounts) -> Result<GeoDataset> {
        let id = self.dataset_id;
        let after = serde_json::json!({
            "kind": self.kind, "file_name": self.file_name,
            "rows_read": counts.rows_read, "rows_imported": counts.rows_imported,
            "rows_rejected": counts.rows_rejected, "rows_blank": counts.rows_blank, "records": counts.records,
        });
        let entry = NewAudit::new(if self.replaced.is_some() { "geo.reimport" } else { "geo.import" }, "geo_dataset", id)
            .before(self.replaced.as_ref().map(|d| serde_json::json!({"id": d.id, "rows_imported": d.rows_imported, "imported_at": d.imported_at})))
            .after(after);
        let sql = format!(
            "UPDATE geo_datasets SET rows_read = $1, rows_imported = $2, rows_rejected = $3, rows_blank = $4, records = $5, rejections_json = $6
             WHERE id = $7 RETURNING {DATASET_COLUMNS}"
        );
        let mut tx = self.tx.take().ok_or_else(already_failed)?;
        let outcome = with_tx!(&mut tx, t => async {
            let r = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(counts.rows_read)
                .bind(counts.rows_imported)
                .bind(counts.rows_rejected)
                .bind(counts.rows_blank)
                .bind(counts.records)
                .bind(counts.rejections.to_string())
                .bind(id)
                .fetch_one(&mut **t)
                .await?;
            insert_audit!(&mut **t, actor, entry)?;
            Ok::<_, StoreError>(dataset_from_row!(&r))
        }.await);
        tx.end(outcome).await
    }
}

/// The error for a step of an import that an earlier failure already rolled back.
fn already_failed() -> StoreError {
    StoreError::Invalid(
        "this geography import already failed and was rolled back: import the file again".into(),
    )
}

impl Store {
    /// Builds the in-memory geography index from every stored dataset, later imports overriding
    /// earlier ones. Analyses and pages query this copy, never the database per row.
    pub async fn load_geo_index(&self) -> Result<levers_geo::GeoIndex> {
        let mut b = levers_geo::GeoIndexBuilder::new();
        self.geo_blocks(|_, data| {
            levers_geo::block::decode_block(data, |r| b.add(&r))
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
        .await?;
        Ok(b.build())
    }
}
