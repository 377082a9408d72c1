//! Stored appraisals (each kept as its TOML model).

use levers_appraisal::Appraisal;
use sqlx::Row;

use crate::audit::{Actor, NewAudit, insert_audit};

use super::rows::*;
use super::types::*;
use crate::{Result, Store, StoreError, conflict_on_unique, now_unix, with_pool, write_tx};

impl Store {
    /// Saves an appraisal: a new one when `id` is `None`, else replaces that one's model.
    pub async fn save_appraisal(
        &self,
        actor: &Actor,
        id: Option<i64>,
        model: &Appraisal,
    ) -> Result<i64> {
        model
            .check()
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let toml = model.to_toml();
        let now = now_unix();
        let name = model.name.trim().to_owned();
        with_pool!(self, pool => write_tx!(pool, tx => {
            let (id, before) = match id {
                None => {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO appraisals (name, model_toml, created_at, created_by, updated_at, updated_by)
                         VALUES ($1, $2, $3, $4, $3, $4) RETURNING id",
                    )
                    .bind(&name)
                    .bind(&toml)
                    .bind(now)
                    .bind(&actor.label)
                    .fetch_one(&mut *tx)
                    .await.map_err(|e| conflict_on_unique(e, || format!("an appraisal called \"{name}\" already exists: choose another name")))?;
                    (id, None)
                }
                Some(id) => {
                    let before: Option<String> = sqlx::query_scalar("SELECT model_toml FROM appraisals WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                    let Some(before) = before else { return Err(StoreError::NotFound(format!("appraisal {id}"))) };
                    sqlx::query("UPDATE appraisals SET name = $1, model_toml = $2, updated_at = $3, updated_by = $4 WHERE id = $5")
                        .bind(&name)
                        .bind(&toml)
                        .bind(now)
                        .bind(&actor.label)
                        .bind(id)
                        .execute(&mut *tx)
                        .await.map_err(|e| conflict_on_unique(e, || format!("an appraisal called \"{name}\" already exists: choose another name")))?;
                    (id, Some(before))
                }
            };
            insert_audit!(
                &mut *tx,
                actor,
                NewAudit::new(if before.is_some() { "appraisal.update" } else { "appraisal.create" }, "appraisal", id)
                    .before(before.map(|t| serde_json::json!({"model_toml": t})))
                    .after(serde_json::json!({"model_toml": toml}))
            )?;
            Ok(id)
        }))
    }

    pub async fn appraisals(&self) -> Result<Vec<StoredAppraisal>> {
        with_pool!(self, pool => {
            let rows = sqlx::query("SELECT * FROM appraisals ORDER BY name").fetch_all(pool).await?;
            rows.iter().map(|r| appraisal_from_row(r.try_get("id")?, r.try_get("model_toml")?, r.try_get("created_at")?,
                r.try_get("created_by")?, r.try_get("updated_at")?, r.try_get("updated_by")?)).collect()
        })
    }

    pub async fn appraisal(&self, id: i64) -> Result<Option<StoredAppraisal>> {
        with_pool!(self, pool => {
            let r = sqlx::query("SELECT * FROM appraisals WHERE id = $1").bind(id).fetch_optional(pool).await?;
            match r {
                None => Ok(None),
                Some(r) => appraisal_from_row(r.try_get("id")?, r.try_get("model_toml")?, r.try_get("created_at")?,
                    r.try_get("created_by")?, r.try_get("updated_at")?, r.try_get("updated_by")?).map(Some),
            }
        })
    }

    pub async fn delete_appraisal(&self, actor: &Actor, id: i64) -> Result<()> {
        with_pool!(self, pool => write_tx!(pool, tx => {
            let before: Option<String> = sqlx::query_scalar("SELECT model_toml FROM appraisals WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
            let Some(before) = before else { return Err(StoreError::NotFound(format!("appraisal {id}"))) };
            sqlx::query("DELETE FROM appraisals WHERE id = $1").bind(id).execute(&mut *tx).await?;
            insert_audit!(&mut *tx, actor, NewAudit::new("appraisal.delete", "appraisal", id).before(serde_json::json!({"model_toml": before})))?;
            Ok(())
        }))
    }
}
