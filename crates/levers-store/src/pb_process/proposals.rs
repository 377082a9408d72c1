//! Proposals: submitted by the public, reviewed by officers.

use levers_pb::process::Phase;
use serde_json::json;
use sqlx::Row;

use crate::audit::{Actor, NewAudit, insert_audit};

use super::rows::*;
use super::types::*;
use crate::{Result, Store, StoreError, now_unix, with_pool, write_tx};

impl Store {
    /// Stores an idea. `actor` is an officer, or `Actor::system("public")` for the public form.
    pub async fn submit_pb_proposal(
        &self,
        actor: &Actor,
        process_id: i64,
        p: &NewProposal,
    ) -> Result<i64> {
        with_pool!(self, pool => write_tx!(pool, tx => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO pb_proposals (process_id, title, description, rough_cost_pence, location, category, contact, submitted_at, submitted_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(process_id)
            .bind(p.title.trim())
            .bind(p.description.trim())
            .bind(p.rough_cost_pence)
            .bind(p.location.trim())
            .bind(p.category.trim())
            .bind(p.contact.trim())
            .bind(now_unix())
            .bind(&actor.label)
            .fetch_one(&mut *tx)
            .await?;
            insert_audit!(&mut *tx, actor, NewAudit::new("pb.proposal.submit", "pb_proposal", id).after(json!({"process_id": process_id, "proposal": p})))?;
            Ok(id)
        }))
    }

    /// A process's proposals, oldest first.
    pub async fn pb_proposals(&self, process_id: i64) -> Result<Vec<PbProposal>> {
        let sql = format!("{PROPOSAL_SELECT} WHERE process_id = $1 ORDER BY id");
        with_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(process_id).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(proposal_from_row!(r))).collect()
        })
    }

    pub async fn pb_proposal(&self, id: i64) -> Result<Option<PbProposal>> {
        let sql = format!("{PROPOSAL_SELECT} WHERE id = $1");
        with_pool!(self, pool => {
            let r = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?;
            Ok(match r { Some(r) => Some(proposal_from_row!(&r)), None => None })
        })
    }

    /// Records an officer's decision. Refused once voting has opened (the ballot is frozen).
    pub async fn review_pb_proposal(
        &self,
        actor: &Actor,
        id: i64,
        review: &Review,
    ) -> Result<PbProposal> {
        let old = self
            .pb_proposal(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("proposal {id}")))?;
        let process = self
            .pb_process(old.process_id)
            .await?
            .ok_or_else(|| StoreError::NotFound("process".into()))?;
        if process.phase >= Phase::Voting {
            return Err(StoreError::Conflict(
                "voting has opened: the ballot can no longer change".into(),
            ));
        }
        let (status, cost, reason, feasibility, merged, title) = match review {
            Review::Accept {
                final_cost_pence,
                reason,
                feasibility,
                title,
            } => {
                if *final_cost_pence <= 0 {
                    return Err(StoreError::Conflict(
                        "the final cost must be more than £0".into(),
                    ));
                }
                (
                    "accepted",
                    Some(*final_cost_pence),
                    reason.clone(),
                    feasibility.clone(),
                    None,
                    if title.trim().is_empty() {
                        old.title.clone()
                    } else {
                        title.trim().to_string()
                    },
                )
            }
            Review::Reject {
                reason,
                feasibility,
            } => (
                "rejected",
                None,
                reason.clone(),
                feasibility.clone(),
                None,
                old.title.clone(),
            ),
            Review::Merge { into, reason } => {
                let target = self
                    .pb_proposal(*into)
                    .await?
                    .filter(|t| t.process_id == old.process_id && t.id != id);
                let Some(target) = target else {
                    return Err(StoreError::Conflict(
                        "merge into another idea of the same process".into(),
                    ));
                };
                if target.status == ProposalStatus::Merged
                    || target.status == ProposalStatus::Rejected
                {
                    return Err(StoreError::Conflict(format!(
                        "idea {} has itself been merged or rejected; merge into an idea still open",
                        target.id
                    )));
                }
                (
                    "merged",
                    None,
                    reason.clone(),
                    old.feasibility.clone(),
                    Some(*into),
                    old.title.clone(),
                )
            }
        };
        with_pool!(self, pool => write_tx!(pool, tx => {
            sqlx::query(
                "UPDATE pb_proposals SET status = $1, final_cost_pence = $2, reason = $3, feasibility = $4, merged_into = $5, title = $6,
                        reviewed_at = $7, reviewed_by = $8 WHERE id = $9",
            )
            .bind(status)
            .bind(cost)
            .bind(reason.trim())
            .bind(feasibility.trim())
            .bind(merged)
            .bind(&title)
            .bind(now_unix())
            .bind(&actor.label)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            insert_audit!(
                &mut *tx,
                actor,
                NewAudit::new("pb.proposal.review", "pb_proposal", id)
                    .before(json!({"status": old.status, "final_cost_pence": old.final_cost_pence, "reason": old.reason}))
                    .after(review)
            )?;
            Ok(())
        }))?;
        self.pb_proposal(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("proposal {id}")))
    }
}
