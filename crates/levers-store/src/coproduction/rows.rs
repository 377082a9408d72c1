//! Column lists, row mappings and small helpers shared by the co-production store modules.

use levers_coproduction::ledger::LedgerError;
use levers_coproduction::register::{Activity, iso};
use serde_json::json;

use crate::StoreError;

pub(super) fn ledger_conflict(e: LedgerError) -> StoreError {
    StoreError::Conflict(e.to_string())
}

pub(super) fn corrupt(what: &str, v: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} \"{v}\""))
}

pub(super) const ACTIVITY_COLS: &str = "id, reference, service, directorate, annual_value_pence, current_stage, procurement_ref, objectives, started_on, created_at, updated_at";
pub(super) const INVOLVEMENT_COLS: &str = "id, activity_id, stage, rung, lead, held_on, methods, participant_groups, lived_experience, headcount, hours, decisions, you_said_we_did";
pub(super) const TRANSFER_COLS: &str = "id, idempotency_key, kind, from_account, to_account, amount, memo, reverses_id, created_at, created_by";
pub(super) const PARTICIPANT_COLS: &str = "p.id, p.display_name, p.contact, p.contact_consent, p.reward_form, p.benefits_advice_offered, p.created_at, p.last_active_at, p.anonymised_at, a.id AS account_id";

macro_rules! activity_from_row {
    ($r:expr) => {{
        let r = $r;
        let stage: String = r.try_get("current_stage")?;
        let started: String = r.try_get("started_on")?;
        let objectives: String = r.try_get("objectives")?;
        ActivityRecord {
            id: r.try_get("id")?,
            activity: Activity {
                reference: r.try_get("reference")?,
                service: r.try_get("service")?,
                directorate: r.try_get("directorate")?,
                annual_value: Money::from_pence(r.try_get("annual_value_pence")?),
                current_stage: Stage::parse(&stage).ok_or_else(|| corrupt("stage", &stage))?,
                procurement_ref: r.try_get("procurement_ref")?,
                objectives: split_list(&objectives),
                started_on: parse_date(&started).ok_or_else(|| corrupt("date", &started))?,
            },
            involvements: Vec::new(),
            created_at: r.try_get("created_at")?,
            updated_at: r.try_get("updated_at")?,
        }
    }};
}
pub(super) use activity_from_row;

macro_rules! involvement_from_row {
    ($r:expr) => {{
        let r = $r;
        let stage: String = r.try_get("stage")?;
        let rung: String = r.try_get("rung")?;
        let lead: String = r.try_get("lead")?;
        let held: String = r.try_get("held_on")?;
        let methods: String = r.try_get("methods")?;
        let groups: String = r.try_get("participant_groups")?;
        let headcount: i64 = r.try_get("headcount")?;
        let hours: i64 = r.try_get("hours")?;
        InvolvementRecord {
            id: r.try_get("id")?,
            activity_id: r.try_get("activity_id")?,
            involvement: Involvement {
                stage: Stage::parse(&stage).ok_or_else(|| corrupt("stage", &stage))?,
                rung: Rung::parse(&rung).ok_or_else(|| corrupt("rung", &rung))?,
                lead: Lead::parse(&lead).ok_or_else(|| corrupt("lead", &lead))?,
                held_on: parse_date(&held).ok_or_else(|| corrupt("date", &held))?,
                methods: split_list(&methods),
                groups: split_list(&groups),
                lived_experience: r.try_get("lived_experience")?,
                headcount: u32::try_from(headcount)
                    .map_err(|_| corrupt("headcount", &headcount.to_string()))?,
                hours: u32::try_from(hours).map_err(|_| corrupt("hours", &hours.to_string()))?,
                decisions: r.try_get("decisions")?,
                you_said_we_did: r.try_get("you_said_we_did")?,
            },
        }
    }};
}
pub(super) use involvement_from_row;

macro_rules! transfer_from_row {
    ($r:expr) => {{
        let r = $r;
        let kind: String = r.try_get("kind")?;
        TransferRow {
            transfer: Transfer {
                id: r.try_get("id")?,
                key: r.try_get("idempotency_key")?,
                kind: TransferKind::parse(&kind).ok_or_else(|| corrupt("transfer kind", &kind))?,
                from: r.try_get("from_account")?,
                to: r.try_get("to_account")?,
                amount: r.try_get("amount")?,
                memo: r.try_get("memo")?,
                reverses: r.try_get("reverses_id")?,
            },
            at: r.try_get("created_at")?,
            by: r.try_get("created_by")?,
        }
    }};
}
pub(super) use transfer_from_row;

macro_rules! participant_from_row {
    ($r:expr) => {{
        let r = $r;
        let reward: String = r.try_get("reward_form")?;
        Participant {
            id: r.try_get("id")?,
            display_name: r.try_get("display_name")?,
            contact: r.try_get("contact")?,
            contact_consent: r.try_get("contact_consent")?,
            reward_form: RewardForm::parse(&reward)
                .ok_or_else(|| corrupt("reward form", &reward))?,
            benefits_advice_offered: r.try_get("benefits_advice_offered")?,
            created_at: r.try_get("created_at")?,
            last_active_at: r.try_get("last_active_at")?,
            anonymised_at: r.try_get("anonymised_at")?,
            account_id: r.try_get("account_id")?,
        }
    }};
}
pub(super) use participant_from_row;

macro_rules! account_from_row {
    ($r:expr) => {{
        let r = $r;
        let kind: String = r.try_get("kind")?;
        AccountRow {
            id: r.try_get("id")?,
            kind: AccountKind::parse(&kind).ok_or_else(|| corrupt("account kind", &kind))?,
            name: r.try_get("name")?,
            participant_id: r.try_get("participant_id")?,
            overdraft_limit: r.try_get("overdraft_limit")?,
            closed_at: r.try_get("closed_at")?,
            balance: r.try_get("balance")?,
        }
    }};
}
pub(super) use account_from_row;

pub(super) const ACCOUNT_SELECT: &str = "SELECT a.id, a.kind, a.name, a.participant_id, a.overdraft_limit, a.closed_at,
        CAST(COALESCE((SELECT SUM(m.amount) FROM credit_movements m WHERE m.account_id = a.id), 0) AS BIGINT) AS balance
     FROM credit_accounts a";

/// Inserts an involvement on an open transaction; evaluates to its id.
macro_rules! insert_involvement {
    ($conn:expr, $activity_id:expr, $inv:expr) => {{
        let i: &Involvement = $inv;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO coproduction_involvements (activity_id, stage, rung, lead, held_on, methods, participant_groups, lived_experience,
                 headcount, hours, decisions, you_said_we_did, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        )
        .bind($activity_id)
        .bind(i.stage.name())
        .bind(i.rung.name())
        .bind(i.lead.name())
        .bind(iso(i.held_on))
        .bind(join_list(&i.methods))
        .bind(join_list(&i.groups))
        .bind(i.lived_experience)
        .bind(i64::from(i.headcount))
        .bind(i64::from(i.hours))
        .bind(&i.decisions)
        .bind(&i.you_said_we_did)
        .bind(now_unix())
        .fetch_one($conn)
        .await?;
        id
    }};
}
pub(super) use insert_involvement;

/// The audit form of an activity (no personal data in it).
pub(super) fn activity_json(a: &Activity) -> serde_json::Value {
    json!({"reference": a.reference, "service": a.service, "directorate": a.directorate, "annual_value_pence": a.annual_value.pence(),
           "current_stage": a.current_stage.name(), "procurement_ref": a.procurement_ref, "objectives": a.objectives, "started_on": iso(a.started_on)})
}

pub(super) fn is_unique(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}
