//! Participation: time given, and the credits issued for it in the same transaction.

use levers_coproduction::ledger::{self, TransferKind, TransferRequest};
use levers_coproduction::people::RewardForm;
use levers_coproduction::register::Stage;
use sqlx::Row;

use super::ledger::apply_transfer;
use super::rows::*;
use super::types::*;
use crate::audit::Actor;
use crate::{Result, Store, StoreError, now_unix, with_pool, with_tx};

impl Store {
    /// Credits per hour of participation (setting, default 1).
    pub async fn credits_per_hour(&self) -> Result<u32> {
        Ok(self
            .setting(CREDITS_PER_HOUR)
            .await?
            .and_then(|v| v.parse().ok())
            .filter(|v| (1..=100).contains(v))
            .unwrap_or(DEFAULT_CREDITS_PER_HOUR))
    }

    /// Days after a participant was last active before they are anonymised (setting, default 730).
    pub async fn retention_days(&self) -> Result<i64> {
        Ok(self
            .setting(RETENTION_DAYS)
            .await?
            .and_then(|v| v.parse().ok())
            .filter(|v| (30..=3650).contains(v))
            .unwrap_or(DEFAULT_RETENTION_DAYS))
    }

    /// Records time a participant gave and issues their credits (at the credits-per-hour setting), in
    /// one transaction. The key makes a repeated submission harmless: it returns the first.
    pub async fn record_participation(
        &self,
        actor: &Actor,
        participant_id: i64,
        involvement_id: Option<i64>,
        minutes: u32,
        key: &str,
        memo: &str,
    ) -> Result<(i64, TransferOutcome)> {
        self.record_participation_at(
            actor,
            participant_id,
            involvement_id,
            minutes,
            key,
            memo,
            now_unix(),
        )
        .await
    }

    /// As [`Store::record_participation`], stamped with `at` (see [`Store::credit_transfer_at`]).
    #[allow(clippy::too_many_arguments)]
    pub async fn record_participation_at(
        &self,
        actor: &Actor,
        participant_id: i64,
        involvement_id: Option<i64>,
        minutes: u32,
        key: &str,
        memo: &str,
        at: i64,
    ) -> Result<(i64, TransferOutcome)> {
        let p = self
            .participant(participant_id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("participant {participant_id}")))?;
        if p.reward_form != RewardForm::TimeCredits {
            return Err(StoreError::Conflict(format!(
                "participant {participant_id} is rewarded by {}, not time credits: change their reward form first",
                p.reward_form.label().to_lowercase()
            )));
        }
        if !(1..=24 * 60).contains(&minutes) {
            return Err(StoreError::Conflict(
                "enter the time given, from 1 minute to 24 hours".into(),
            ));
        }
        let credits = ledger::credits_for(minutes, self.credits_per_hour().await?);
        if credits < 1 {
            return Err(StoreError::Conflict(format!(
                "{minutes} minutes earns less than one credit at the current rate: nothing to issue"
            )));
        }
        if let Some(i) = involvement_id {
            let exists: Option<i64> = with_pool!(self, pool => sqlx::query_scalar("SELECT id FROM coproduction_involvements WHERE id = $1").bind(i).fetch_optional(pool).await?);
            if exists.is_none() {
                return Err(StoreError::NotFound(format!("involvement {i}")));
            }
        }
        let req = TransferRequest {
            key: key.to_string(),
            kind: TransferKind::Issue,
            from: ISSUER_ACCOUNT,
            to: p.account_id,
            amount: credits,
            memo: memo.to_string(),
            reverses: None,
        };
        ledger::check_key(key).map_err(ledger_conflict)?;
        let mut tx = self.begin_ledger(&[ISSUER_ACCOUNT, p.account_id]).await?;
        let result = async {
            let out = apply_transfer(&mut tx, actor, &req, at).await?;
            let pid: i64 = if out.replayed {
                with_tx!(&mut tx, t => sqlx::query_scalar("SELECT id FROM coproduction_participations WHERE transfer_id = $1").bind(out.transfer.transfer.id).fetch_one(&mut **t).await?)
            } else {
                with_tx!(&mut tx, t => {
                    sqlx::query_scalar(
                        "INSERT INTO coproduction_participations (participant_id, involvement_id, minutes, credits, transfer_id, created_at, created_by)
                         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    )
                    .bind(participant_id)
                    .bind(involvement_id)
                    .bind(i64::from(minutes))
                    .bind(credits)
                    .bind(out.transfer.transfer.id)
                    .bind(at)
                    .bind(&actor.label)
                    .fetch_one(&mut **t)
                    .await?
                })
            };
            Ok::<_, StoreError>((pid, out))
        }
        .await;
        match result {
            Ok(v) => {
                tx.commit().await?;
                Ok(v)
            }
            Err(StoreError::Database(e)) if is_unique(&e) => {
                tx.rollback().await;
                let out = self.replay_of(&req).await?;
                let pid: i64 = with_pool!(self, pool => sqlx::query_scalar("SELECT id FROM coproduction_participations WHERE transfer_id = $1").bind(out.transfer.transfer.id).fetch_one(pool).await?);
                Ok((pid, out))
            }
            Err(e) => {
                tx.rollback().await;
                Err(e)
            }
        }
    }

    /// A participant's recorded participation, newest first.
    pub async fn participations(&self, participant_id: i64) -> Result<Vec<ParticipationRow>> {
        with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT pa.id, pa.participant_id, pa.involvement_id, pa.minutes, pa.credits, pa.transfer_id, pa.created_at,
                        a.service, a.reference, i.stage
                 FROM coproduction_participations pa
                 LEFT JOIN coproduction_involvements i ON i.id = pa.involvement_id
                 LEFT JOIN coproduction_activities a ON a.id = i.activity_id
                 WHERE pa.participant_id = $1 ORDER BY pa.id DESC",
            )
            .bind(participant_id)
            .fetch_all(pool)
            .await?;
            let mut out = Vec::new();
            for r in &rows {
                let service: Option<String> = r.try_get("service")?;
                let reference: Option<String> = r.try_get("reference")?;
                let stage: Option<String> = r.try_get("stage")?;
                let what = match (service, reference, stage) {
                    (Some(s), Some(rf), Some(st)) => format!("{s} ({rf}), {}", Stage::parse(&st).map_or(st.clone(), |x| x.label().to_string())),
                    _ => "Not linked to a recorded involvement".to_string(),
                };
                out.push(ParticipationRow {
                    id: r.try_get("id")?,
                    participant_id: r.try_get("participant_id")?,
                    involvement_id: r.try_get("involvement_id")?,
                    what,
                    minutes: r.try_get("minutes")?,
                    credits: r.try_get("credits")?,
                    transfer_id: r.try_get("transfer_id")?,
                    at: r.try_get("created_at")?,
                });
            }
            Ok(out)
        })
    }
}
