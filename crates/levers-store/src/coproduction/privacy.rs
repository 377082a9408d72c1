//! Anonymisation, the retention purge, subject-access exports and erasure requests.

use levers_coproduction::ledger::{self, TransferKind, TransferRequest};
use serde_json::json;
use sqlx::Row;

use super::ledger::apply_transfer;
use super::types::*;
use crate::audit::{Actor, NewAudit, insert_audit};
use crate::{Result, Store, StoreError, now_unix, with_pool, with_tx, write_tx};

impl Store {
    // -----------------------------------------------------------------------------------------
    // Anonymisation, retention, subject access, erasure

    /// Anonymises a participant: their name becomes "Anonymised participant N", contact details and
    /// equality answers are deleted, memos on their transfers are blanked, any positive balance is
    /// swept to the community pot and their account is closed: all in one transaction, audited with
    /// ids only. The ledger stays balanced. Returns the credits swept.
    pub async fn anonymise_participant(&self, actor: &Actor, id: i64, why: &str) -> Result<i64> {
        let p = self
            .participant(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("participant {id}")))?;
        if p.anonymised_at.is_some() {
            return Ok(0);
        }
        let account = p.account_id;
        let mut tx = self.begin_ledger(&[account, POT_ACCOUNT]).await?;
        let result = async {
            let balance: i64 = with_tx!(&mut tx, t => sqlx::query_scalar("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM credit_movements WHERE account_id = $1").bind(account).fetch_one(&mut **t).await?);
            let mut swept = 0;
            let mut left = balance;
            let mut part = 0;
            while left > 0 {
                let amount = left.min(ledger::MAX_TRANSFER);
                let key = if part == 0 { format!("anonymise-participant-{id}") } else { format!("anonymise-participant-{id}#{part}") };
                let req = TransferRequest { key, kind: TransferKind::Sweep, from: account, to: POT_ACCOUNT, amount, memo: String::new(), reverses: None };
                apply_transfer(&mut tx, actor, &req, now_unix()).await?;
                swept += amount;
                left -= amount;
                part += 1;
            }
            let now = now_unix();
            with_tx!(&mut tx, t => {
                sqlx::query("UPDATE coproduction_participants SET display_name = $1, contact = NULL, contact_consent = $2, anonymised_at = $3, place_code = NULL WHERE id = $4")
                    .bind(format!("Anonymised participant {id}"))
                    .bind(false)
                    .bind(now)
                    .bind(id)
                    .execute(&mut **t)
                    .await?;
                sqlx::query("DELETE FROM coproduction_equality WHERE participant_id = $1").bind(id).execute(&mut **t).await?;
                sqlx::query("UPDATE credit_transfers SET memo = '' WHERE (from_account = $1 OR to_account = $1) AND memo <> ''").bind(account).execute(&mut **t).await?;
                sqlx::query("UPDATE credit_accounts SET name = $1, closed_at = $2 WHERE id = $3")
                    .bind(format!("Anonymised participant {id}"))
                    .bind(now)
                    .bind(account)
                    .execute(&mut **t)
                    .await?;
                insert_audit!(&mut **t, actor, NewAudit::new("coproduction.participant.anonymise", "coproduction_participant", id).after(json!({
                    "reason": why, "account": account, "credits_swept_to_pot": swept
                })))?;
            });
            Ok::<_, StoreError>(swept)
        }
        .await;
        tx.end(result).await
    }

    /// Anonymises everyone not active for the retention period. Returns their ids.
    pub async fn purge_participants(&self, actor: &Actor, now: i64) -> Result<Vec<i64>> {
        let days = self.retention_days().await?;
        let cutoff = now - days * levers_coproduction::people::DAY;
        let due: Vec<i64> = with_pool!(self, pool => {
            sqlx::query_scalar("SELECT id FROM coproduction_participants WHERE anonymised_at IS NULL AND last_active_at < $1 ORDER BY id")
                .bind(cutoff)
                .fetch_all(pool)
                .await?
        });
        for id in &due {
            self.anonymise_participant(
                actor,
                *id,
                &format!("retention: not active for {days} days"),
            )
            .await?;
        }
        Ok(due)
    }

    /// Everything held about a participant, as JSON, for a subject-access request (audited).
    pub async fn participant_subject_access(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<serde_json::Value> {
        let p = self
            .participant(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("participant {id}")))?;
        let equality = self.participant_equality(id).await?;
        let participations = self.participations(id).await?;
        let statement = self.credit_statement(p.account_id).await?;
        let account = self.credit_account(p.account_id).await?;
        let erasure: Vec<ErasureRequest> = self
            .erasure_requests()
            .await?
            .into_iter()
            .filter(|r| r.participant_id == id)
            .collect();
        let iso_time = |t: i64| {
            time::OffsetDateTime::from_unix_timestamp(t).map_or_else(
                |_| t.to_string(),
                |d| {
                    d.format(&time::format_description::well_known::Rfc3339)
                        .unwrap_or_default()
                },
            )
        };
        let export = json!({
            "export": "Subject-access export: everything levers holds about this participant",
            "generated_at": iso_time(now_unix()),
            "lawful_basis": "Public task (UK GDPR Article 6(1)(e)); equality monitoring: substantial public interest, equality of opportunity (Data Protection Act 2018, Schedule 1, paragraph 8)",
            "participant": {
                "id": p.id, "display_name": p.display_name, "contact": p.contact, "contact_consent": p.contact_consent,
                "reward_form": p.reward_form.name(), "benefits_advice_offered": p.benefits_advice_offered,
                "created_at": iso_time(p.created_at), "last_active_at": iso_time(p.last_active_at), "anonymised_at": p.anonymised_at.map(iso_time),
            },
            "equality_monitoring": equality,
            "participation": participations.iter().map(|x| json!({"what": x.what, "minutes": x.minutes, "credits": x.credits, "at": iso_time(x.at)})).collect::<Vec<_>>(),
            "time_credits": {
                "account": p.account_id,
                "balance": account.map(|a| a.balance),
                "statement": statement.iter().map(|s| json!({
                    "transfer": s.line.transfer, "kind": s.line.kind.name(), "with": s.counterparty_name, "credits": s.line.amount,
                    "balance": s.line.balance, "memo": s.line.memo, "at": iso_time(s.at)
                })).collect::<Vec<_>>(),
            },
            "erasure_requests": erasure,
        });
        self.audit(
            actor,
            NewAudit::new(
                "coproduction.participant.subject_access",
                "coproduction_participant",
                id,
            ),
        )
        .await?;
        Ok(export)
    }

    /// Records a request to erase a participant's data (audited).
    pub async fn request_erasure(&self, actor: &Actor, participant_id: i64) -> Result<i64> {
        if self.participant(participant_id).await?.is_none() {
            return Err(StoreError::NotFound(format!(
                "participant {participant_id}"
            )));
        }
        with_pool!(self, pool => write_tx!(pool, tx => {
            let open: Option<i64> = sqlx::query_scalar("SELECT id FROM coproduction_erasure_requests WHERE participant_id = $1 AND status = 'open'")
                .bind(participant_id)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(id) = open {
                return Ok(id);
            }
            let id: i64 = sqlx::query_scalar("INSERT INTO coproduction_erasure_requests (participant_id, received_at, received_by) VALUES ($1, $2, $3) RETURNING id")
                .bind(participant_id)
                .bind(now_unix())
                .bind(&actor.label)
                .fetch_one(&mut *tx)
                .await?;
            insert_audit!(&mut *tx, actor, NewAudit::new("coproduction.erasure.request", "coproduction_erasure_request", id).after(json!({"participant": participant_id})))?;
            Ok(id)
        }))
    }

    pub async fn erasure_requests(&self) -> Result<Vec<ErasureRequest>> {
        with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT id, participant_id, received_at, received_by, status, decided_at, decided_by, reason FROM coproduction_erasure_requests ORDER BY id DESC",
            )
            .fetch_all(pool)
            .await?;
            let mut out = Vec::new();
            for r in &rows {
                out.push(ErasureRequest {
                    id: r.try_get("id")?,
                    participant_id: r.try_get("participant_id")?,
                    received_at: r.try_get("received_at")?,
                    received_by: r.try_get("received_by")?,
                    status: r.try_get("status")?,
                    decided_at: r.try_get("decided_at")?,
                    decided_by: r.try_get("decided_by")?,
                    reason: r.try_get("reason")?,
                });
            }
            Ok(out)
        })
    }

    /// Carries out (`refuse_reason` = None: anonymise the participant) or refuses an open request.
    pub async fn decide_erasure(
        &self,
        actor: &Actor,
        request_id: i64,
        refuse_reason: Option<&str>,
    ) -> Result<()> {
        let req = self
            .erasure_requests()
            .await?
            .into_iter()
            .find(|r| r.id == request_id)
            .ok_or_else(|| StoreError::NotFound(format!("erasure request {request_id}")))?;
        if req.status != "open" {
            return Err(StoreError::Conflict(format!(
                "erasure request {request_id} has already been {}",
                req.status
            )));
        }
        if refuse_reason.is_none() {
            self.anonymise_participant(
                actor,
                req.participant_id,
                &format!("erasure request {request_id}"),
            )
            .await?;
        }
        let (status, reason) = match refuse_reason {
            Some(r) => ("refused", r.trim().to_string()),
            None => ("completed", String::new()),
        };
        with_pool!(self, pool => write_tx!(pool, tx => {
            sqlx::query("UPDATE coproduction_erasure_requests SET status = $1, decided_at = $2, decided_by = $3, reason = $4 WHERE id = $5 AND status = 'open'")
                .bind(status)
                .bind(now_unix())
                .bind(&actor.label)
                .bind(&reason)
                .bind(request_id)
                .execute(&mut *tx)
                .await?;
            insert_audit!(&mut *tx, actor, NewAudit::new(&format!("coproduction.erasure.{}", if status == "refused" { "refuse" } else { "complete" }), "coproduction_erasure_request", request_id)
                .after(json!({"participant": req.participant_id, "status": status, "reason": reason})))?;
            Ok(())
        }))?;
        Ok(())
    }
}
