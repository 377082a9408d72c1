//! Co-production: the register (activities and involvements), principles self-assessments,
//! participants with the minimum personal data (equality monitoring apart), participation, the
//! time-credit ledger, retention purges, subject-access exports and erasure requests.
//!
//! The ledger's rules are `levers_coproduction::ledger`'s; this module applies them inside one
//! transaction per transfer that writes the transfer, both its movements and its audit entry, or
//! nothing. Concurrency: on SQLite a transfer takes the write lock at its start (`BEGIN IMMEDIATE`),
//! so balance checks and writes are serialised; on PostgreSQL it locks both account rows
//! (`SELECT … FOR UPDATE`, in id order so two transfers cannot deadlock) before reading the payer's
//! balance, so two transfers from one account cannot both pass an overdraft check. An idempotency key
//! is `UNIQUE`: a replay racing its original loses on the constraint and is answered as a replay.
//!
//! Audit entries about people carry ids and non-personal facts only: the audit log is append-only,
//! so anything written there could never be erased.

use std::collections::BTreeMap;

use levers_coproduction::ledger::{
    self, AccountId, AccountKind, AccountState, LedgerError, Movement, StatementLine, Transfer,
    TransferId, TransferKind, TransferRequest,
};
use levers_coproduction::people::{DIMENSIONS, RewardForm, valid_answer};
use levers_coproduction::principles::{Assessment, FRAMEWORK_KEY};
use levers_coproduction::register::{
    Activity, Involvement, Lead, RegisterEntry, Rung, Stage, iso, join_list, parse_date, split_list,
};
use levers_core::Money;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::BeginWrite;
use crate::audit::{Actor, NewAudit, insert_audit};
use crate::tx::or_end;
use crate::{Backend, Result, Store, StoreError, Tx, now_unix, with_pool, with_tx, write_tx};

/// Settings keys (in the site settings table) for co-production.
pub const CREDITS_PER_HOUR: &str = "coproduction.credits_per_hour";
pub const RETENTION_DAYS: &str = "coproduction.retention_days";
/// Defaults when unset: one hour, one credit; two years' retention after a person was last active.
pub const DEFAULT_CREDITS_PER_HOUR: u32 = 1;
pub const DEFAULT_RETENTION_DAYS: i64 = 730;
/// The issuer and the community pot are created by the migration with these ids.
pub const ISSUER_ACCOUNT: AccountId = 1;
pub const POT_ACCOUNT: AccountId = 2;

/// An activity as stored, with its involvements.
#[derive(Debug, Clone, Serialize)]
pub struct ActivityRecord {
    pub id: i64,
    pub activity: Activity,
    pub involvements: Vec<InvolvementRecord>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl ActivityRecord {
    pub fn entry(&self) -> RegisterEntry {
        RegisterEntry {
            activity: self.activity.clone(),
            involvements: self
                .involvements
                .iter()
                .map(|i| i.involvement.clone())
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct InvolvementRecord {
    pub id: i64,
    pub activity_id: i64,
    pub involvement: Involvement,
}

/// What a register import changed.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct RegisterImportCounts {
    pub activities_created: u64,
    pub activities_updated: u64,
    pub activities_unchanged: u64,
    pub involvements_added: u64,
    pub involvements_removed: u64,
    pub involvements_kept: u64,
}

/// A stored self-assessment.
#[derive(Debug, Clone, Serialize)]
pub struct AssessmentRecord {
    pub id: i64,
    pub assessment: Assessment,
    pub created_at: i64,
    pub created_by: String,
}

/// A participant: the minimum the council keeps.
#[derive(Debug, Clone, Serialize)]
pub struct Participant {
    pub id: i64,
    pub display_name: String,
    pub contact: Option<String>,
    pub contact_consent: bool,
    pub reward_form: RewardForm,
    pub benefits_advice_offered: bool,
    pub created_at: i64,
    pub last_active_at: i64,
    pub anonymised_at: Option<i64>,
    pub account_id: AccountId,
}

impl Participant {
    /// Paid rewards need benefits advice, and it has not been recorded as offered.
    pub fn benefits_flag(&self) -> bool {
        self.reward_form.needs_benefits_advice()
            && !self.benefits_advice_offered
            && self.anonymised_at.is_none()
    }
}

/// What a person's record holds, as entered on the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantDetails {
    pub display_name: String,
    pub contact: Option<String>,
    pub contact_consent: bool,
    pub reward_form: RewardForm,
    pub benefits_advice_offered: bool,
}

/// A ledger account with its balance (the sum of its movements).
#[derive(Debug, Clone, Serialize)]
pub struct AccountRow {
    pub id: AccountId,
    pub kind: AccountKind,
    pub name: String,
    pub participant_id: Option<i64>,
    pub overdraft_limit: Option<i64>,
    pub closed_at: Option<i64>,
    pub balance: i64,
}

/// A stored transfer with when and by whom.
#[derive(Debug, Clone, Serialize)]
pub struct TransferRow {
    #[serde(flatten)]
    pub transfer: Transfer,
    pub at: i64,
    pub by: String,
}

/// What a transfer call did.
#[derive(Debug, Clone, Serialize)]
pub struct TransferOutcome {
    pub transfer: TransferRow,
    /// The key had been used for this same transfer before: nothing moved this time.
    pub replayed: bool,
}

/// One statement line with the counterparty's name and the time.
#[derive(Debug, Clone, Serialize)]
pub struct StatementRow {
    #[serde(flatten)]
    pub line: StatementLine,
    pub counterparty_name: String,
    pub at: i64,
    /// The transfer that reversed this one, if any.
    pub reversed_by: Option<TransferId>,
}

/// A participation: time given at an involvement, and the credits issued for it.
#[derive(Debug, Clone, Serialize)]
pub struct ParticipationRow {
    pub id: i64,
    pub participant_id: i64,
    pub involvement_id: Option<i64>,
    /// "Service (reference), stage", when the involvement still exists.
    pub what: String,
    pub minutes: i64,
    pub credits: i64,
    pub transfer_id: Option<i64>,
    pub at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ErasureRequest {
    pub id: i64,
    pub participant_id: i64,
    pub received_at: i64,
    pub received_by: String,
    pub status: String,
    pub decided_at: Option<i64>,
    pub decided_by: Option<String>,
    pub reason: String,
}

/// The whole ledger as stored, for checking its invariants.
#[derive(Debug, Clone)]
pub struct LedgerSnapshot {
    pub accounts: Vec<ledger::Account>,
    pub transfers: Vec<Transfer>,
    pub movements: Vec<Movement>,
    /// Each account's balance as `SUM` in the database computes it.
    pub balances: BTreeMap<AccountId, i64>,
}

impl LedgerSnapshot {
    /// The ledger's invariants (see `levers_coproduction::ledger::check_invariants`).
    pub fn check(&self) -> std::result::Result<(), String> {
        ledger::check_invariants(&self.accounts, &self.transfers, &self.movements, |id| {
            self.balances.get(&id).copied().unwrap_or(0)
        })
    }
}

fn ledger_conflict(e: LedgerError) -> StoreError {
    StoreError::Conflict(e.to_string())
}

fn corrupt(what: &str, v: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} \"{v}\""))
}

const ACTIVITY_COLS: &str = "id, reference, service, directorate, annual_value_pence, current_stage, procurement_ref, objectives, started_on, created_at, updated_at";
const INVOLVEMENT_COLS: &str = "id, activity_id, stage, rung, lead, held_on, methods, participant_groups, lived_experience, headcount, hours, decisions, you_said_we_did";
const TRANSFER_COLS: &str = "id, idempotency_key, kind, from_account, to_account, amount, memo, reverses_id, created_at, created_by";
const PARTICIPANT_COLS: &str = "p.id, p.display_name, p.contact, p.contact_consent, p.reward_form, p.benefits_advice_offered, p.created_at, p.last_active_at, p.anonymised_at, a.id AS account_id";

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

const ACCOUNT_SELECT: &str = "SELECT a.id, a.kind, a.name, a.participant_id, a.overdraft_limit, a.closed_at,
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

/// The audit form of an activity (no personal data in it).
fn activity_json(a: &Activity) -> serde_json::Value {
    json!({"reference": a.reference, "service": a.service, "directorate": a.directorate, "annual_value_pence": a.annual_value.pence(),
           "current_stage": a.current_stage.name(), "procurement_ref": a.procurement_ref, "objectives": a.objectives, "started_on": iso(a.started_on)})
}

impl Store {
    // -----------------------------------------------------------------------------------------
    // The register

    /// Every activity with its involvements, by reference.
    pub async fn coproduction_activities(&self) -> Result<Vec<ActivityRecord>> {
        let a_sql =
            format!("SELECT {ACTIVITY_COLS} FROM coproduction_activities ORDER BY reference");
        let i_sql = format!(
            "SELECT {INVOLVEMENT_COLS} FROM coproduction_involvements ORDER BY activity_id, stage, held_on, id"
        );
        with_pool!(self, pool => {
            let mut out = Vec::new();
            for r in sqlx::query(sqlx::AssertSqlSafe(a_sql)).fetch_all(pool).await? {
                out.push(activity_from_row!(&r));
            }
            let mut by_id: BTreeMap<i64, usize> = out.iter().enumerate().map(|(i, a)| (a.id, i)).collect();
            for r in sqlx::query(sqlx::AssertSqlSafe(i_sql)).fetch_all(pool).await? {
                let inv = involvement_from_row!(&r);
                if let Some(i) = by_id.get_mut(&inv.activity_id) {
                    out[*i].involvements.push(inv);
                }
            }
            for a in &mut out {
                a.involvements.sort_by_key(|i| (i.involvement.stage, i.involvement.held_on, i.id));
            }
            Ok(out)
        })
    }

    /// The register as the coverage measures take it.
    pub async fn coproduction_register(&self) -> Result<Vec<RegisterEntry>> {
        Ok(self
            .coproduction_activities()
            .await?
            .iter()
            .map(ActivityRecord::entry)
            .collect())
    }

    pub async fn coproduction_activity(&self, id: i64) -> Result<Option<ActivityRecord>> {
        let a_sql = format!("SELECT {ACTIVITY_COLS} FROM coproduction_activities WHERE id = $1");
        let i_sql = format!(
            "SELECT {INVOLVEMENT_COLS} FROM coproduction_involvements WHERE activity_id = $1 ORDER BY stage, held_on, id"
        );
        with_pool!(self, pool => {
            let Some(r) = sqlx::query(sqlx::AssertSqlSafe(a_sql)).bind(id).fetch_optional(pool).await? else { return Ok(None) };
            let mut a = activity_from_row!(&r);
            for r in sqlx::query(sqlx::AssertSqlSafe(i_sql)).bind(id).fetch_all(pool).await? {
                a.involvements.push(involvement_from_row!(&r));
            }
            a.involvements.sort_by_key(|i| (i.involvement.stage, i.involvement.held_on, i.id));
            Ok(Some(a))
        })
    }

    /// Adds an activity; a reference already in the register is a conflict.
    pub async fn create_coproduction_activity(&self, actor: &Actor, a: &Activity) -> Result<i64> {
        let now = now_unix();
        with_pool!(self, pool => write_tx!(pool, tx => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO coproduction_activities (reference, service, directorate, annual_value_pence, current_stage, procurement_ref, objectives, started_on, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
            )
            .bind(a.reference.trim())
            .bind(a.service.trim())
            .bind(a.directorate.trim())
            .bind(a.annual_value.pence())
            .bind(a.current_stage.name())
            .bind(a.procurement_ref.as_deref())
            .bind(join_list(&a.objectives))
            .bind(iso(a.started_on))
            .bind(now)
            .fetch_one(&mut *tx)
            .await.map_err(|e| crate::conflict_on_unique(e, || format!("the register already has an activity with the reference {}: choose another", a.reference.trim())))?;
            insert_audit!(&mut *tx, actor, NewAudit::new("coproduction.activity.create", "coproduction_activity", id).after(activity_json(a)))?;
            Ok(id)
        }))
    }

    /// Changes an activity's fields (audited with before and after).
    pub async fn update_coproduction_activity(
        &self,
        actor: &Actor,
        id: i64,
        a: &Activity,
    ) -> Result<()> {
        let before = self
            .coproduction_activity(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("activity {id}")))?;
        with_pool!(self, pool => write_tx!(pool, tx => {
            sqlx::query(
                "UPDATE coproduction_activities SET reference = $1, service = $2, directorate = $3, annual_value_pence = $4, current_stage = $5,
                    procurement_ref = $6, objectives = $7, started_on = $8, updated_at = $9 WHERE id = $10",
            )
            .bind(a.reference.trim())
            .bind(a.service.trim())
            .bind(a.directorate.trim())
            .bind(a.annual_value.pence())
            .bind(a.current_stage.name())
            .bind(a.procurement_ref.as_deref())
            .bind(join_list(&a.objectives))
            .bind(iso(a.started_on))
            .bind(now_unix())
            .bind(id)
            .execute(&mut *tx)
            .await.map_err(|e| crate::conflict_on_unique(e, || format!("the register already has an activity with the reference {}: choose another", a.reference.trim())))?;
            insert_audit!(
                &mut *tx,
                actor,
                NewAudit::new("coproduction.activity.update", "coproduction_activity", id).before(activity_json(&before.activity)).after(activity_json(a))
            )?;
            Ok(())
        }))?;
        Ok(())
    }

    /// Records an involvement at one stage of an activity.
    pub async fn add_coproduction_involvement(
        &self,
        actor: &Actor,
        activity_id: i64,
        inv: &Involvement,
    ) -> Result<i64> {
        if self.coproduction_activity(activity_id).await?.is_none() {
            return Err(StoreError::NotFound(format!("activity {activity_id}")));
        }
        with_pool!(self, pool => write_tx!(pool, tx => {
            let id = insert_involvement!(&mut *tx, activity_id, inv);
            sqlx::query("UPDATE coproduction_activities SET updated_at = $1 WHERE id = $2").bind(now_unix()).bind(activity_id).execute(&mut *tx).await?;
            insert_audit!(&mut *tx, actor, NewAudit::new("coproduction.involvement.create", "coproduction_activity", activity_id).after(json!({
                "involvement": id, "stage": inv.stage.name(), "rung": inv.rung.name(), "lead": inv.lead.name(), "held_on": iso(inv.held_on),
                "headcount": inv.headcount, "hours": inv.hours, "lived_experience": inv.lived_experience
            })))?;
            Ok(id)
        }))
    }

    /// Imports register entries in one transaction. Each activity in the file is created, or updated
    /// to the file's fields; its involvements become exactly the file's (identical ones are kept, with
    /// their ids; others removed or added). Activities not in the file are untouched.
    pub async fn import_coproduction_register(
        &self,
        actor: &Actor,
        file_name: &str,
        entries: &[RegisterEntry],
        reconciliation: serde_json::Value,
    ) -> Result<RegisterImportCounts> {
        let existing: BTreeMap<String, ActivityRecord> = self
            .coproduction_activities()
            .await?
            .into_iter()
            .map(|a| (a.activity.reference.clone(), a))
            .collect();
        let mut c = RegisterImportCounts::default();
        let now = now_unix();
        with_pool!(self, pool => write_tx!(pool, tx => {
            for e in entries {
                let a = &e.activity;
                let id = match existing.get(a.reference.trim()) {
                    Some(old) => {
                        if old.activity != *a {
                            sqlx::query(
                                "UPDATE coproduction_activities SET service = $1, directorate = $2, annual_value_pence = $3, current_stage = $4,
                                    procurement_ref = $5, objectives = $6, started_on = $7, updated_at = $8 WHERE id = $9",
                            )
                            .bind(a.service.trim())
                            .bind(a.directorate.trim())
                            .bind(a.annual_value.pence())
                            .bind(a.current_stage.name())
                            .bind(a.procurement_ref.as_deref())
                            .bind(join_list(&a.objectives))
                            .bind(iso(a.started_on))
                            .bind(now)
                            .bind(old.id)
                            .execute(&mut *tx)
                            .await?;
                            c.activities_updated += 1;
                        } else {
                            c.activities_unchanged += 1;
                        }
                        // Keep identical involvements; remove the rest; add what is new.
                        let mut unused: Vec<&InvolvementRecord> = old.involvements.iter().collect();
                        let mut to_add = Vec::new();
                        for inv in &e.involvements {
                            match unused.iter().position(|o| o.involvement == *inv) {
                                Some(p) => {
                                    unused.remove(p);
                                    c.involvements_kept += 1;
                                }
                                None => to_add.push(inv),
                            }
                        }
                        for o in unused {
                            sqlx::query("DELETE FROM coproduction_involvements WHERE id = $1").bind(o.id).execute(&mut *tx).await?;
                            c.involvements_removed += 1;
                        }
                        for inv in to_add {
                            insert_involvement!(&mut *tx, old.id, inv);
                            c.involvements_added += 1;
                        }
                        old.id
                    }
                    None => {
                        let id: i64 = sqlx::query_scalar(
                            "INSERT INTO coproduction_activities (reference, service, directorate, annual_value_pence, current_stage, procurement_ref, objectives, started_on, created_at, updated_at)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
                        )
                        .bind(a.reference.trim())
                        .bind(a.service.trim())
                        .bind(a.directorate.trim())
                        .bind(a.annual_value.pence())
                        .bind(a.current_stage.name())
                        .bind(a.procurement_ref.as_deref())
                        .bind(join_list(&a.objectives))
                        .bind(iso(a.started_on))
                        .bind(now)
                        .fetch_one(&mut *tx)
                        .await?;
                        for inv in &e.involvements {
                            insert_involvement!(&mut *tx, id, inv);
                            c.involvements_added += 1;
                        }
                        c.activities_created += 1;
                        id
                    }
                };
                let _ = id;
            }
            insert_audit!(&mut *tx, actor, NewAudit::new("coproduction.register.import", "coproduction_register", file_name).after(json!({
                "counts": c, "reconciliation": reconciliation
            })))?;
            Ok(())
        }))?;
        Ok(c)
    }

    // -----------------------------------------------------------------------------------------
    // Principles self-assessments

    pub async fn add_coproduction_assessment(&self, actor: &Actor, a: &Assessment) -> Result<i64> {
        let scores =
            serde_json::to_string(&a.scores).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let summary = a.summary();
        with_pool!(self, pool => write_tx!(pool, tx => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO coproduction_assessments (directorate, assessed_on, framework, scores_json, notes, created_at, created_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(a.directorate.trim())
            .bind(iso(a.assessed_on))
            .bind(FRAMEWORK_KEY)
            .bind(&scores)
            .bind(&a.notes)
            .bind(now_unix())
            .bind(&actor.label)
            .fetch_one(&mut *tx)
            .await?;
            insert_audit!(&mut *tx, actor, NewAudit::new("coproduction.assessment.create", "coproduction_assessment", id).after(json!({
                "directorate": a.directorate.trim(), "assessed_on": iso(a.assessed_on), "total": summary.total, "max": summary.max
            })))?;
            Ok(id)
        }))
    }

    /// Every assessment of the current framework, oldest first.
    pub async fn coproduction_assessments(&self) -> Result<Vec<AssessmentRecord>> {
        with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT id, directorate, assessed_on, scores_json, notes, created_at, created_by FROM coproduction_assessments
                 WHERE framework = $1 ORDER BY assessed_on, id",
            )
            .bind(FRAMEWORK_KEY)
            .fetch_all(pool)
            .await?;
            let mut out = Vec::new();
            for r in &rows {
                let on: String = r.try_get("assessed_on")?;
                let scores: String = r.try_get("scores_json")?;
                out.push(AssessmentRecord {
                    id: r.try_get("id")?,
                    assessment: Assessment {
                        directorate: r.try_get("directorate")?,
                        assessed_on: parse_date(&on).ok_or_else(|| corrupt("date", &on))?,
                        scores: serde_json::from_str(&scores).map_err(|e| StoreError::Corrupt(format!("assessment scores: {e}")))?,
                        notes: r.try_get("notes")?,
                    },
                    created_at: r.try_get("created_at")?,
                    created_by: r.try_get("created_by")?,
                });
            }
            Ok(out)
        })
    }

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

    // -----------------------------------------------------------------------------------------
    // The ledger

    pub async fn credit_accounts(&self) -> Result<Vec<AccountRow>> {
        let sql = format!(
            "{ACCOUNT_SELECT} ORDER BY CASE a.kind WHEN 'issuer' THEN 0 WHEN 'community_pot' THEN 1 WHEN 'venue' THEN 2 ELSE 3 END, a.id"
        );
        with_pool!(self, pool => {
            let mut out = Vec::new();
            for r in sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await? {
                out.push(account_from_row!(&r));
            }
            Ok(out)
        })
    }

    pub async fn credit_account(&self, id: AccountId) -> Result<Option<AccountRow>> {
        let sql = format!("{ACCOUNT_SELECT} WHERE a.id = $1");
        with_pool!(self, pool => {
            Ok(match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await? {
                Some(r) => Some(account_from_row!(&r)),
                None => None,
            })
        })
    }

    /// Opens an account for a partner venue (or a further community pot).
    pub async fn create_credit_account(
        &self,
        actor: &Actor,
        kind: AccountKind,
        name: &str,
    ) -> Result<AccountId> {
        if !matches!(kind, AccountKind::Venue | AccountKind::CommunityPot) {
            return Err(StoreError::Conflict(
                "participants' accounts are opened with their record, and there is one issuer"
                    .into(),
            ));
        }
        with_pool!(self, pool => write_tx!(pool, tx => {
            let id: i64 = sqlx::query_scalar("INSERT INTO credit_accounts (kind, name, overdraft_limit, created_at) VALUES ($1, $2, 0, $3) RETURNING id")
                .bind(kind.name())
                .bind(name.trim())
                .bind(now_unix())
                .fetch_one(&mut *tx)
                .await?;
            insert_audit!(&mut *tx, actor, NewAudit::new("credits.account.create", "credit_account", id).after(json!({"kind": kind.name(), "name": name.trim()})))?;
            Ok(id)
        }))
    }

    /// Sets how far below zero an account may go (not the issuer's, which has no limit).
    pub async fn set_overdraft_limit(
        &self,
        actor: &Actor,
        id: AccountId,
        limit: i64,
    ) -> Result<()> {
        let a = self
            .credit_account(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("credit account {id}")))?;
        if a.kind == AccountKind::Issuer || !(0..=ledger::MAX_TRANSFER).contains(&limit) {
            return Err(StoreError::Conflict(format!(
                "an overdraft limit is 0 to {} credits, and the issuer has none",
                ledger::MAX_TRANSFER
            )));
        }
        with_pool!(self, pool => write_tx!(pool, tx => {
            sqlx::query("UPDATE credit_accounts SET overdraft_limit = $1 WHERE id = $2").bind(limit).bind(id).execute(&mut *tx).await?;
            insert_audit!(&mut *tx, actor, NewAudit::new("credits.account.limit", "credit_account", id).before(a.overdraft_limit).after(limit))?;
            Ok(())
        }))?;
        Ok(())
    }

    /// Starts a ledger transaction holding the locks a transfer between `accounts` needs.
    async fn begin_ledger(&self, accounts: &[AccountId]) -> Result<Tx> {
        match &self.backend {
            // Take SQLite's write lock now: a deferred transaction that read a balance and then tried to
            // write could fail with SQLITE_BUSY instead of waiting.
            Backend::Sqlite(pool) => Ok(Tx::Sqlite(pool.begin_write().await?)),
            Backend::Postgres(pool) => {
                let mut tx = pool.begin_write().await?;
                let mut ids = accounts.to_vec();
                ids.sort_unstable();
                ids.dedup();
                // In id order, so two transfers between the same accounts cannot deadlock.
                let locked = sqlx::query(
                    "SELECT id FROM credit_accounts WHERE id = ANY($1) ORDER BY id FOR UPDATE",
                )
                .bind(ids)
                .fetch_all(&mut *tx)
                .await;
                let tx = Tx::Postgres(tx);
                or_end!(tx, locked);
                Ok(tx)
            }
        }
    }

    /// Makes a transfer: both movements and its audit entry, or nothing. A key used before for the
    /// same transfer returns that transfer with `replayed: true`; for a different one, a conflict.
    pub async fn credit_transfer(
        &self,
        actor: &Actor,
        req: &TransferRequest,
    ) -> Result<TransferOutcome> {
        self.credit_transfer_at(actor, req, now_unix()).await
    }

    /// As [`Store::credit_transfer`], stamped with `at` (Unix seconds) rather than now: for bringing
    /// in the history of an existing time-credit scheme (and the demo's year of activity). Transfers
    /// must still be made in the order they happened, as balances are checked as they go.
    pub async fn credit_transfer_at(
        &self,
        actor: &Actor,
        req: &TransferRequest,
        at: i64,
    ) -> Result<TransferOutcome> {
        ledger::check_key(&req.key).map_err(ledger_conflict)?;
        let mut tx = self.begin_ledger(&[req.from, req.to]).await?;
        match apply_transfer(&mut tx, actor, req, at).await {
            Ok(out) => {
                tx.commit().await.map_err(|e| {
                    crate::conflict_on_unique(e, || {
                        format!(
                            "the idempotency key \"{}\" was used at the same moment",
                            req.key
                        )
                    })
                })?;
                Ok(out)
            }
            Err(StoreError::Database(e)) if is_unique(&e) => {
                tx.rollback().await;
                // Another request with the same key committed first: answer as a replay.
                self.replay_of(req).await
            }
            Err(e) => {
                tx.rollback().await;
                Err(e)
            }
        }
    }

    async fn replay_of(&self, req: &TransferRequest) -> Result<TransferOutcome> {
        match self.credit_transfer_by_key(&req.key).await? {
            Some(t) if req.same_effect(&t.transfer) => Ok(TransferOutcome {
                transfer: t,
                replayed: true,
            }),
            Some(_) => Err(ledger_conflict(LedgerError::KeyReused(req.key.clone()))),
            None => Err(StoreError::Conflict(format!(
                "transfer with key \"{}\" could not be completed: try again",
                req.key
            ))),
        }
    }

    /// Reverses a transfer with a new one the other way (never an edit).
    pub async fn reverse_credit_transfer(
        &self,
        actor: &Actor,
        id: TransferId,
        key: &str,
        memo: &str,
    ) -> Result<TransferOutcome> {
        let original = self
            .credit_transfer_by_id(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("transfer {id}")))?;
        let req = ledger::reversal_of(&original.transfer, key, memo).map_err(ledger_conflict)?;
        self.credit_transfer(actor, &req).await
    }

    pub async fn credit_transfer_by_key(&self, key: &str) -> Result<Option<TransferRow>> {
        let sql =
            format!("SELECT {TRANSFER_COLS} FROM credit_transfers WHERE idempotency_key = $1");
        with_pool!(self, pool => {
            Ok(match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(key).fetch_optional(pool).await? {
                Some(r) => Some(transfer_from_row!(&r)),
                None => None,
            })
        })
    }

    pub async fn credit_transfer_by_id(&self, id: TransferId) -> Result<Option<TransferRow>> {
        let sql = format!("SELECT {TRANSFER_COLS} FROM credit_transfers WHERE id = $1");
        with_pool!(self, pool => {
            Ok(match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await? {
                Some(r) => Some(transfer_from_row!(&r)),
                None => None,
            })
        })
    }

    /// The most recent transfers, newest first.
    pub async fn credit_transfers(&self, limit: i64) -> Result<Vec<TransferRow>> {
        let sql = format!("SELECT {TRANSFER_COLS} FROM credit_transfers ORDER BY id DESC LIMIT $1");
        with_pool!(self, pool => {
            let mut out = Vec::new();
            for r in sqlx::query(sqlx::AssertSqlSafe(sql)).bind(limit.clamp(1, 10_000)).fetch_all(pool).await? {
                out.push(transfer_from_row!(&r));
            }
            Ok(out)
        })
    }

    /// An account's statement, oldest first, with running balance.
    pub async fn credit_statement(&self, account: AccountId) -> Result<Vec<StatementRow>> {
        let sql = format!(
            "SELECT {TRANSFER_COLS} FROM credit_transfers WHERE from_account = $1 OR to_account = $1 ORDER BY id"
        );
        let rows: Vec<TransferRow> = with_pool!(self, pool => {
            let mut out = Vec::new();
            for r in sqlx::query(sqlx::AssertSqlSafe(sql)).bind(account).fetch_all(pool).await? {
                out.push(transfer_from_row!(&r));
            }
            out
        });
        let names: BTreeMap<AccountId, String> = self
            .credit_accounts()
            .await?
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect();
        let reversed: BTreeMap<TransferId, TransferId> = with_pool!(self, pool => {
            let mut m = BTreeMap::new();
            for r in sqlx::query("SELECT id, reverses_id FROM credit_transfers WHERE reverses_id IS NOT NULL AND (from_account = $1 OR to_account = $1)")
                .bind(account)
                .fetch_all(pool)
                .await?
            {
                m.insert(r.try_get::<i64, _>("reverses_id")?, r.try_get::<i64, _>("id")?);
            }
            m
        });
        let transfers: Vec<Transfer> = rows.iter().map(|r| r.transfer.clone()).collect();
        Ok(ledger::statement(account, &transfers)
            .into_iter()
            .zip(&rows)
            .map(|(line, row)| StatementRow {
                counterparty_name: names.get(&line.counterparty).cloned().unwrap_or_default(),
                reversed_by: reversed.get(&line.transfer).copied(),
                line,
                at: row.at,
            })
            .collect())
    }

    /// Everything in the ledger, with balances as the database sums them, for checking invariants.
    pub async fn credit_ledger_snapshot(&self) -> Result<LedgerSnapshot> {
        let accounts = self.credit_accounts().await?;
        let balances = accounts.iter().map(|a| (a.id, a.balance)).collect();
        let accounts = accounts
            .into_iter()
            .map(|a| ledger::Account {
                id: a.id,
                kind: a.kind,
                name: a.name,
                overdraft_limit: a.overdraft_limit,
                closed: a.closed_at.is_some(),
            })
            .collect();
        let sql = format!("SELECT {TRANSFER_COLS} FROM credit_transfers ORDER BY id");
        with_pool!(self, pool => {
            let mut transfers = Vec::new();
            for r in sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await? {
                transfers.push(transfer_from_row!(&r).transfer);
            }
            let mut movements = Vec::new();
            for r in sqlx::query("SELECT transfer_id, account_id, amount FROM credit_movements ORDER BY id").fetch_all(pool).await? {
                movements.push(Movement { transfer: r.try_get("transfer_id")?, account: r.try_get("account_id")?, amount: r.try_get("amount")? });
            }
            Ok(LedgerSnapshot { accounts, transfers, movements, balances })
        })
    }

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
                sqlx::query("UPDATE coproduction_participants SET display_name = $1, contact = NULL, contact_consent = $2, anonymised_at = $3 WHERE id = $4")
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

fn is_unique(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// Applies a transfer on an open ledger transaction (locks already held): replay check, rules,
/// the transfer row, both movements, the audit entry.
async fn apply_transfer(
    tx: &mut Tx,
    actor: &Actor,
    req: &TransferRequest,
    at: i64,
) -> Result<TransferOutcome> {
    let by_key = format!("SELECT {TRANSFER_COLS} FROM credit_transfers WHERE idempotency_key = $1");
    let existing = with_tx!(&mut *tx, t => match sqlx::query(sqlx::AssertSqlSafe(by_key)).bind(&req.key).fetch_optional(&mut **t).await? {
        Some(r) => Some(transfer_from_row!(&r)),
        None => None,
    });
    if let Some(t) = existing {
        return if req.same_effect(&t.transfer) {
            Ok(TransferOutcome {
                transfer: t,
                replayed: true,
            })
        } else {
            Err(ledger_conflict(LedgerError::KeyReused(req.key.clone())))
        };
    }
    if let Some(orig) = req.reverses {
        let by_id = format!("SELECT {TRANSFER_COLS} FROM credit_transfers WHERE id = $1");
        let original = with_tx!(&mut *tx, t => match sqlx::query(sqlx::AssertSqlSafe(by_id)).bind(orig).fetch_optional(&mut **t).await? {
            Some(r) => Some(transfer_from_row!(&r)),
            None => None,
        })
        .ok_or_else(|| ledger_conflict(LedgerError::NoTransfer(orig)))?;
        let expected = ledger::reversal_of(&original.transfer, &req.key, &req.memo)
            .map_err(ledger_conflict)?;
        if expected.from != req.from
            || expected.to != req.to
            || expected.amount != req.amount
            || req.kind != TransferKind::Reversal
        {
            return Err(StoreError::Conflict(format!(
                "a reversal of transfer {orig} must move its {} credits back the other way",
                original.transfer.amount
            )));
        }
        let by: Option<i64> = with_tx!(&mut *tx, t => sqlx::query_scalar("SELECT id FROM credit_transfers WHERE reverses_id = $1").bind(orig).fetch_optional(&mut **t).await?);
        if let Some(by) = by {
            return Err(ledger_conflict(LedgerError::AlreadyReversed(orig, by)));
        }
    } else if req.kind == TransferKind::Reversal {
        return Err(StoreError::Conflict(
            "a reversal must name the transfer it reverses".into(),
        ));
    }
    let mut states = Vec::with_capacity(2);
    for id in [req.from, req.to] {
        let state: Option<AccountState> = with_tx!(&mut *tx, t => {
            let row = sqlx::query(
                "SELECT kind, overdraft_limit, closed_at, CAST(COALESCE((SELECT SUM(m.amount) FROM credit_movements m WHERE m.account_id = a.id), 0) AS BIGINT) AS balance
                 FROM credit_accounts a WHERE a.id = $1",
            )
            .bind(id)
            .fetch_optional(&mut **t)
            .await?;
            match row {
                None => None,
                Some(r) => {
                    let kind: String = r.try_get("kind")?;
                    let closed: Option<i64> = r.try_get("closed_at")?;
                    Some(AccountState {
                        kind: AccountKind::parse(&kind).ok_or_else(|| corrupt("account kind", &kind))?,
                        overdraft_limit: r.try_get("overdraft_limit")?,
                        balance: r.try_get("balance")?,
                        closed: closed.is_some(),
                    })
                }
            }
        });
        states.push(state.ok_or_else(|| ledger_conflict(LedgerError::NoAccount(id)))?);
    }
    ledger::check_transfer(
        req.kind, req.from, &states[0], req.to, &states[1], req.amount,
    )
    .map_err(ledger_conflict)?;
    let now = at;
    let id: i64 = with_tx!(&mut *tx, t => {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO credit_transfers (idempotency_key, kind, from_account, to_account, amount, memo, reverses_id, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(&req.key)
        .bind(req.kind.name())
        .bind(req.from)
        .bind(req.to)
        .bind(req.amount)
        .bind(req.memo.trim())
        .bind(req.reverses)
        .bind(now)
        .bind(&actor.label)
        .fetch_one(&mut **t)
        .await?;
        for m in ledger::movements_of(id, req.from, req.to, req.amount) {
            sqlx::query("INSERT INTO credit_movements (transfer_id, account_id, amount) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(m.account)
                .bind(m.amount)
                .execute(&mut **t)
                .await?;
        }
        if req.kind != TransferKind::Sweep {
            sqlx::query(
                "UPDATE coproduction_participants SET last_active_at = CASE WHEN last_active_at < $1 THEN $1 ELSE last_active_at END
                 WHERE id IN (SELECT participant_id FROM credit_accounts WHERE id IN ($2, $3) AND participant_id IS NOT NULL)",
            )
            .bind(now)
            .bind(req.from)
            .bind(req.to)
            .execute(&mut **t)
            .await?;
        }
        // The memo is not audited: it may be blanked on anonymisation, and the audit log never changes.
        insert_audit!(&mut **t, actor, NewAudit::new("credits.transfer", "credit_transfer", id).after(json!({
            "kind": req.kind.name(), "from": req.from, "to": req.to, "amount": req.amount, "reverses": req.reverses, "key": req.key
        })))?;
        id
    });
    Ok(TransferOutcome {
        transfer: TransferRow {
            transfer: Transfer {
                id,
                key: req.key.clone(),
                kind: req.kind,
                from: req.from,
                to: req.to,
                amount: req.amount,
                memo: req.memo.trim().to_string(),
                reverses: req.reverses,
            },
            at: now,
            by: actor.label.clone(),
        },
        replayed: false,
    })
}
