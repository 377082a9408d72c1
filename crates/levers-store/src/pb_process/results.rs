//! The count, its publication, turnout by ward, and delivery of funded projects.

use serde_json::json;
use sqlx::Row;

use crate::audit::{Actor, NewAudit, insert_audit};

use super::types::*;
use crate::{Result, Store, StoreError, now_unix, with_pool, write_tx};

impl Store {
    /// Stores (or replaces) the count of a closed process.
    pub async fn save_pb_count(
        &self,
        actor: &Actor,
        process_id: i64,
        ballots: i64,
        result: &serde_json::Value,
        pb_text: &str,
    ) -> Result<()> {
        with_pool!(self, pool => write_tx!(pool, tx => {
            let phase: Option<String> = sqlx::query_scalar("SELECT phase FROM pb_processes WHERE id = $1").bind(process_id).fetch_optional(&mut *tx).await?;
            if phase.as_deref() != Some("closed") {
                return Err(StoreError::Conflict("only a closed vote can be counted, and a published result cannot be recounted".into()));
            }
            let before: Option<String> = sqlx::query_scalar("SELECT result_json FROM pb_results WHERE process_id = $1").bind(process_id).fetch_optional(&mut *tx).await?;
            sqlx::query("DELETE FROM pb_results WHERE process_id = $1").bind(process_id).execute(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO pb_results (process_id, ballots, result_json, pb_text, counted_at, counted_by) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(process_id)
            .bind(ballots)
            .bind(result.to_string())
            .bind(pb_text)
            .bind(now_unix())
            .bind(&actor.label)
            .execute(&mut *tx)
            .await?;
            let summary = |v: &serde_json::Value| json!({"ballots": v.get("ballots"), "selected": v.get("selected"), "spent_pence": v.get("spent_pence"), "rule": v.get("rule")});
            let before = before.and_then(|b| serde_json::from_str::<serde_json::Value>(&b).ok()).map(|b| summary(&b));
            insert_audit!(&mut *tx, actor, NewAudit::new("pb.count", "pb_process", process_id).before(before).after(summary(result)))?;
            Ok(())
        }))
    }

    pub async fn pb_result(&self, process_id: i64) -> Result<Option<PbResult>> {
        with_pool!(self, pool => {
            let r = sqlx::query("SELECT process_id, ballots, result_json, pb_text, counted_at, counted_by, published_at, published_by FROM pb_results WHERE process_id = $1")
                .bind(process_id)
                .fetch_optional(pool)
                .await?;
            let Some(r) = r else { return Ok(None) };
            let json: String = r.try_get("result_json")?;
            Ok(Some(PbResult {
                process_id: r.try_get("process_id")?,
                ballots: r.try_get("ballots")?,
                result: serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(format!("pb result: {e}")))?,
                pb_text: r.try_get("pb_text")?,
                counted_at: r.try_get("counted_at")?,
                counted_by: r.try_get("counted_by")?,
                published_at: r.try_get("published_at")?,
                published_by: r.try_get("published_by")?,
            }))
        })
    }

    /// Codes issued and used per ward (from the code batches; ballots themselves carry no ward).
    pub async fn pb_turnout(&self, process_id: i64) -> Result<Vec<WardTurnout>> {
        with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT b.ward_code, MAX(b.ward_name) AS ward_name,
                        SUM(CASE WHEN c.state <> 'void' THEN 1 ELSE 0 END) AS issued,
                        SUM(CASE WHEN c.state = 'online' THEN 1 ELSE 0 END) AS used_online,
                        SUM(CASE WHEN c.state = 'paper' THEN 1 ELSE 0 END) AS used_paper,
                        SUM(CASE WHEN c.state = 'void' THEN 1 ELSE 0 END) AS voided
                 FROM pb_codes c JOIN pb_code_batches b ON b.id = c.batch_id
                 WHERE c.process_id = $1 GROUP BY b.ward_code ORDER BY MAX(b.ward_name), b.ward_code",
            )
            .bind(process_id)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(WardTurnout {
                        ward_code: r.try_get("ward_code")?,
                        ward_name: r.try_get("ward_name")?,
                        issued: r.try_get("issued")?,
                        used_online: r.try_get("used_online")?,
                        used_paper: r.try_get("used_paper")?,
                        voided: r.try_get("voided")?,
                    })
                })
                .collect()
        })
    }

    /// Records the delivery status and spend of a funded project.
    pub async fn set_pb_delivery(
        &self,
        actor: &Actor,
        process_id: i64,
        proposal_id: i64,
        status: &str,
        spent_pence: i64,
        note: &str,
    ) -> Result<()> {
        if !DELIVERY_STATUSES.iter().any(|s| s.0 == status) {
            return Err(StoreError::Conflict(format!(
                "unknown delivery status {status}"
            )));
        }
        if spent_pence < 0 {
            return Err(StoreError::Conflict("spend cannot be negative".into()));
        }
        let before = self
            .pb_delivery(process_id)
            .await?
            .into_iter()
            .find(|d| d.proposal_id == proposal_id);
        with_pool!(self, pool => write_tx!(pool, tx => {
            let phase: Option<String> = sqlx::query_scalar("SELECT phase FROM pb_processes WHERE id = $1").bind(process_id).fetch_optional(&mut *tx).await?;
            if phase.as_deref() != Some("results") {
                return Err(StoreError::Conflict("delivery is tracked once the result is published".into()));
            }
            sqlx::query("DELETE FROM pb_delivery WHERE process_id = $1 AND proposal_id = $2").bind(process_id).bind(proposal_id).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO pb_delivery (process_id, proposal_id, status, spent_pence, note, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(process_id)
                .bind(proposal_id)
                .bind(status)
                .bind(spent_pence)
                .bind(note.trim())
                .bind(now_unix())
                .bind(&actor.label)
                .execute(&mut *tx)
                .await?;
            insert_audit!(
                &mut *tx,
                actor,
                NewAudit::new("pb.delivery", "pb_proposal", proposal_id)
                    .before(before.map(|b| json!({"status": b.status, "spent_pence": b.spent_pence, "note": b.note})))
                    .after(json!({"status": status, "spent_pence": spent_pence, "note": note.trim()}))
            )?;
            Ok(())
        }))
    }

    pub async fn pb_delivery(&self, process_id: i64) -> Result<Vec<Delivery>> {
        with_pool!(self, pool => {
            let rows = sqlx::query("SELECT proposal_id, status, spent_pence, note, updated_at, updated_by FROM pb_delivery WHERE process_id = $1 ORDER BY proposal_id")
                .bind(process_id)
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|r| {
                    Ok(Delivery {
                        proposal_id: r.try_get("proposal_id")?,
                        status: r.try_get("status")?,
                        spent_pence: r.try_get("spent_pence")?,
                        note: r.try_get("note")?,
                        updated_at: r.try_get("updated_at")?,
                        updated_by: r.try_get("updated_by")?,
                    })
                })
                .collect()
        })
    }
}
