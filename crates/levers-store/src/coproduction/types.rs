//! What co-production callers see: stored records, settings keys and the well-known accounts.

use std::collections::BTreeMap;

use levers_coproduction::ledger::{
    self, AccountId, AccountKind, Movement, StatementLine, Transfer, TransferId,
};
use levers_coproduction::people::RewardForm;
use levers_coproduction::principles::Assessment;
use levers_coproduction::register::{Activity, Involvement, RegisterEntry};
use serde::Serialize;

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
#[derive(Debug, Clone, Copy, Default, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct RegisterImportCounts {
    /// The stored import (its report and these counts), shown after a background job.
    #[serde(default)]
    pub import_id: i64,
    pub activities_created: u64,
    pub activities_updated: u64,
    pub activities_unchanged: u64,
    pub involvements_added: u64,
    pub involvements_removed: u64,
    pub involvements_kept: u64,
}

/// A stored register import: the file's report (as the caller gave it: reconciliation, rejected
/// rows, activities held back, warnings) and what it changed.
#[derive(Debug, Clone, Serialize)]
pub struct RegisterImportRecord {
    pub id: i64,
    pub file_name: String,
    pub report: serde_json::Value,
    pub counts: RegisterImportCounts,
    pub imported_at: i64,
    pub imported_by: String,
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
