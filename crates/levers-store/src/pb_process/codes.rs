//! Voting codes: batches kept as hashes only, cancelling unused codes, a code's state.

use serde_json::json;
use sqlx::Row;

use crate::audit::{Actor, NewAudit, insert_audit};

use super::rows::*;
use super::types::*;
use crate::{Result, Store, now_unix, with_pool, write_tx};

impl Store {
    /// Stores a batch of code hashes (the codes themselves are shown once and never stored).
    pub async fn create_pb_code_batch(
        &self,
        actor: &Actor,
        process_id: i64,
        label: &str,
        ward: Option<(&str, &str)>,
        hashes: &[String],
    ) -> Result<i64> {
        with_pool!(self, pool => write_tx!(pool, tx => {
            let batch: i64 = sqlx::query_scalar(
                "INSERT INTO pb_code_batches (process_id, label, ward_code, ward_name, codes, created_at, created_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(process_id)
            .bind(label.trim())
            .bind(ward.map(|w| w.0.to_string()))
            .bind(ward.map(|w| w.1.to_string()))
            .bind(hashes.len() as i64)
            .bind(now_unix())
            .bind(&actor.label)
            .fetch_one(&mut *tx)
            .await?;
            for chunk in hashes.chunks(CODE_BATCH) {
                let sql = format!(
                    "INSERT INTO pb_codes (process_id, code_hash, batch_id, state) VALUES {}",
                    crate::Marks::of(&self.backend).rows(chunk.len(), 4)
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for h in chunk {
                    q = q.bind(process_id).bind(h.clone()).bind(batch).bind("unused");
                }
                q.execute(&mut *tx).await.map_err(|e| crate::conflict_on_unique(e, || "a generated code repeated an existing one; generate the batch again".into()))?;
            }
            insert_audit!(
                &mut *tx,
                actor,
                NewAudit::new("pb.codes.create", "pb_code_batch", batch)
                    .after(json!({"process_id": process_id, "label": label, "codes": hashes.len(), "ward": ward.map(|w| w.0)}))
            )?;
            Ok(batch)
        }))
    }

    /// A process's code batches with how many codes of each were used.
    pub async fn pb_code_batches(&self, process_id: i64) -> Result<Vec<PbCodeBatch>> {
        with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT b.id, b.process_id, b.label, b.ward_code, b.ward_name, b.codes, b.created_at, b.created_by,
                        (SELECT COUNT(*) FROM pb_codes c WHERE c.batch_id = b.id AND c.state = 'online') AS used_online,
                        (SELECT COUNT(*) FROM pb_codes c WHERE c.batch_id = b.id AND c.state = 'paper') AS used_paper,
                        (SELECT COUNT(*) FROM pb_codes c WHERE c.batch_id = b.id AND c.state = 'void') AS voided
                 FROM pb_code_batches b WHERE b.process_id = $1 ORDER BY b.id",
            )
            .bind(process_id)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(PbCodeBatch {
                        id: r.try_get("id")?,
                        process_id: r.try_get("process_id")?,
                        label: r.try_get("label")?,
                        ward_code: r.try_get("ward_code")?,
                        ward_name: r.try_get("ward_name")?,
                        codes: r.try_get("codes")?,
                        used_online: r.try_get("used_online")?,
                        used_paper: r.try_get("used_paper")?,
                        voided: r.try_get("voided")?,
                        created_at: r.try_get("created_at")?,
                        created_by: r.try_get("created_by")?,
                    })
                })
                .collect()
        })
    }

    /// Cancels an unused code so it can never vote, with the reason, in one transaction with its
    /// audit entry (which names the batch and the reason, not the code). A used code cannot be
    /// cancelled: its ballot is already anonymous in the box.
    pub async fn void_pb_code(
        &self,
        actor: &Actor,
        process_id: i64,
        code_hash: &str,
        reason: &str,
    ) -> Result<VoidOutcome> {
        let voided = with_pool!(self, pool => write_tx!(pool, tx => {
            // Read to the end (fetch_all), so the statement is finished before the commit.
            let batches: Vec<i64> = sqlx::query_scalar(
                "UPDATE pb_codes SET state = 'void' WHERE process_id = $1 AND code_hash = $2 AND state = 'unused' RETURNING batch_id",
            )
            .bind(process_id)
            .bind(code_hash)
            .fetch_all(&mut *tx)
            .await?;
            match batches.first().copied() {
                Some(batch) => {
                    insert_audit!(
                        &mut *tx,
                        actor,
                        NewAudit::new("pb.code.void", "pb_code_batch", batch).after(json!({"process_id": process_id, "reason": reason.trim()}))
                    )?;
                    Ok(true)
                }
                // Nothing changed: committing the empty transaction ends it as well as a rollback.
                None => Ok(false),
            }
        }))?;
        if voided {
            return Ok(VoidOutcome::Voided);
        }
        Ok(
            match self.pb_code_state(process_id, code_hash).await?.as_deref() {
                None => VoidOutcome::UnknownCode,
                Some("online") => VoidOutcome::AlreadyUsed(Channel::Online),
                Some("paper") => VoidOutcome::AlreadyUsed(Channel::Paper),
                // "unused" again would mean it was voided and restored between the two statements,
                // which nothing does; "void" is the ordinary case.
                _ => VoidOutcome::AlreadyVoid,
            },
        )
    }

    /// Whether a code can vote now: `None` when unknown, else its state (`unused`, `online`,
    /// `paper`, `void`).
    pub async fn pb_code_state(&self, process_id: i64, code_hash: &str) -> Result<Option<String>> {
        with_pool!(self, pool => {
            Ok(sqlx::query_scalar("SELECT state FROM pb_codes WHERE process_id = $1 AND code_hash = $2")
                .bind(process_id)
                .bind(code_hash)
                .fetch_optional(pool)
                .await?)
        })
    }
}
