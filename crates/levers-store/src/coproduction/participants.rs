//! Participants: the minimum personal data, and equality monitoring kept apart.

use std::collections::BTreeMap;

use levers_coproduction::people::{DIMENSIONS, RewardForm, valid_answer};
use serde_json::json;
use sqlx::Row;

use super::rows::*;
use super::types::*;
use crate::audit::{Actor, NewAudit, insert_audit};
use crate::{Result, Store, StoreError, now_unix, with_pool, write_tx};

impl Store {
    // -----------------------------------------------------------------------------------------
    // Participants

    /// Adds a participant and opens their credit account, in one transaction.
    pub async fn create_participant(
        &self,
        actor: &Actor,
        d: &ParticipantDetails,
    ) -> Result<Participant> {
        let now = now_unix();
        let contact = if d.contact_consent {
            d.contact
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
        } else {
            None
        };
        let id = with_pool!(self, pool => write_tx!(pool, tx => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO coproduction_participants (display_name, contact, contact_consent, reward_form, benefits_advice_offered, created_at, last_active_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
            )
            .bind(d.display_name.trim())
            .bind(contact)
            .bind(contact.is_some() && d.contact_consent)
            .bind(d.reward_form.name())
            .bind(d.benefits_advice_offered)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            let account: i64 = sqlx::query_scalar(
                "INSERT INTO credit_accounts (kind, name, participant_id, overdraft_limit, created_at) VALUES ('participant', $1, $2, 0, $3) RETURNING id",
            )
            .bind(format!("Participant {id}"))
            .bind(id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            insert_audit!(&mut *tx, actor, NewAudit::new("coproduction.participant.create", "coproduction_participant", id).after(json!({
                "account": account, "reward_form": d.reward_form.name(), "contact_held": contact.is_some()
            })))?;
            Ok(id)
        }))?;
        self.participant(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("participant {id}")))
    }

    /// Changes a participant's record. Contact details are kept only with consent.
    pub async fn update_participant(
        &self,
        actor: &Actor,
        id: i64,
        d: &ParticipantDetails,
    ) -> Result<()> {
        let before = self
            .participant(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("participant {id}")))?;
        if before.anonymised_at.is_some() {
            return Err(StoreError::Conflict(format!(
                "participant {id} has been anonymised: their record can no longer change"
            )));
        }
        let contact = if d.contact_consent {
            d.contact
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
        } else {
            None
        };
        with_pool!(self, pool => write_tx!(pool, tx => {
            sqlx::query(
                "UPDATE coproduction_participants SET display_name = $1, contact = $2, contact_consent = $3, reward_form = $4, benefits_advice_offered = $5
                 WHERE id = $6",
            )
            .bind(d.display_name.trim())
            .bind(contact)
            .bind(contact.is_some() && d.contact_consent)
            .bind(d.reward_form.name())
            .bind(d.benefits_advice_offered)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            insert_audit!(&mut *tx, actor, NewAudit::new("coproduction.participant.update", "coproduction_participant", id)
                .before(json!({"reward_form": before.reward_form.name(), "benefits_advice_offered": before.benefits_advice_offered, "contact_held": before.contact.is_some()}))
                .after(json!({"reward_form": d.reward_form.name(), "benefits_advice_offered": d.benefits_advice_offered, "contact_held": contact.is_some()})))?;
            Ok(())
        }))?;
        Ok(())
    }

    pub async fn participants(&self) -> Result<Vec<Participant>> {
        let sql = format!(
            "SELECT {PARTICIPANT_COLS} FROM coproduction_participants p JOIN credit_accounts a ON a.participant_id = p.id ORDER BY p.id"
        );
        with_pool!(self, pool => {
            let mut out = Vec::new();
            for r in sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await? {
                out.push(participant_from_row!(&r));
            }
            Ok(out)
        })
    }

    pub async fn participant(&self, id: i64) -> Result<Option<Participant>> {
        let sql = format!(
            "SELECT {PARTICIPANT_COLS} FROM coproduction_participants p JOIN credit_accounts a ON a.participant_id = p.id WHERE p.id = $1"
        );
        with_pool!(self, pool => {
            Ok(match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await? {
                Some(r) => Some(participant_from_row!(&r)),
                None => None,
            })
        })
    }

    /// Records (or replaces) a participant's equality-monitoring answers. `answers` pairs a
    /// dimension key with an answer, or `None` for a question not answered.
    pub async fn set_participant_equality(
        &self,
        actor: &Actor,
        id: i64,
        answers: &[(&str, Option<String>)],
    ) -> Result<()> {
        let p = self
            .participant(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("participant {id}")))?;
        if p.anonymised_at.is_some() {
            return Err(StoreError::Conflict(format!(
                "participant {id} has been anonymised"
            )));
        }
        let mut vals: BTreeMap<&str, Option<String>> =
            DIMENSIONS.iter().map(|d| (d.key, None)).collect();
        for (k, v) in answers {
            if let Some(v) = v
                && !valid_answer(k, v)
            {
                return Err(StoreError::Conflict(format!(
                    "\"{v}\" is not an answer to the equality question {k}"
                )));
            }
            vals.insert(k, v.clone());
        }
        with_pool!(self, pool => write_tx!(pool, tx => {
            sqlx::query("DELETE FROM coproduction_equality WHERE participant_id = $1").bind(id).execute(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO coproduction_equality (participant_id, age_band, gender, ethnicity, disability, lived_experience, recorded_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(vals["age_band"].clone())
            .bind(vals["gender"].clone())
            .bind(vals["ethnicity"].clone())
            .bind(vals["disability"].clone())
            .bind(vals["lived_experience"].clone())
            .bind(now_unix())
            .execute(&mut *tx)
            .await?;
            // The answers themselves are special category data: the audit records only that they changed.
            insert_audit!(&mut *tx, actor, NewAudit::new("coproduction.equality.set", "coproduction_participant", id))?;
            Ok(())
        }))?;
        Ok(())
    }

    /// Counts of each answer to each equality question (`dimension → answer → count`), over everyone
    /// with answers. Callers must suppress small counts before showing them.
    pub async fn equality_counts(&self) -> Result<BTreeMap<&'static str, BTreeMap<String, u64>>> {
        let mut out = BTreeMap::new();
        for d in DIMENSIONS {
            // The column name comes from the fixed list of dimensions, never from input.
            let sql = format!(
                "SELECT {0} AS answer, COUNT(*) AS n FROM coproduction_equality WHERE {0} IS NOT NULL GROUP BY {0}",
                d.key
            );
            let counts: BTreeMap<String, u64> = with_pool!(self, pool => {
                let mut m = BTreeMap::new();
                for r in sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await? {
                    let n: i64 = r.try_get("n")?;
                    m.insert(r.try_get::<String, _>("answer")?, n as u64);
                }
                m
            });
            out.insert(d.key, counts);
        }
        Ok(out)
    }

    /// A participant's equality-monitoring answers (dimension key → answer), if they gave any.
    pub async fn participant_equality(
        &self,
        id: i64,
    ) -> Result<Option<BTreeMap<String, Option<String>>>> {
        with_pool!(self, pool => {
            let r = sqlx::query("SELECT age_band, gender, ethnicity, disability, lived_experience FROM coproduction_equality WHERE participant_id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?;
            Ok(match r {
                None => None,
                Some(r) => {
                    let mut m = BTreeMap::new();
                    for d in DIMENSIONS {
                        m.insert(d.key.to_string(), r.try_get::<Option<String>, _>(d.key)?);
                    }
                    Some(m)
                }
            })
        })
    }
}
