//! Community budget processes: the process and its phase, proposals and their review, batches of
//! voting codes (kept only as hashes), ballots that nothing links to a code or a voter, the count,
//! publication and delivery tracking. Every state change writes the audit log in its transaction.
//!
//! Casting is one transaction: the code goes from `unused` to `online` or `paper` with a conditional
//! UPDATE (so of any number of concurrent attempts with one code exactly one succeeds, on both
//! backends) and the ballot is inserted, without any reference to the code, into `pb_ballots_cast`.
//! Counting first seals the box: the cast ballots move to `pb_ballots` in the order of their random
//! ids, so neither columns, storage order nor (on PostgreSQL) the writing transaction link a stored
//! ballot to the moment, and so the code, it was cast with.

use levers_pb::process::{Phase, ProcessDef};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::Row;

use crate::audit::{Actor, NewAudit, insert_audit};

use crate::{Backend, Result, Store, StoreError, now_unix, with_pool, write_tx};

/// A project as frozen on the ballot when voting opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BallotEntry {
    /// The accepted proposal's id.
    pub id: i64,
    pub name: String,
    pub description: String,
    pub category: String,
    pub location: String,
    pub cost_pence: i64,
}

/// A stored process.
#[derive(Debug, Clone, Serialize)]
pub struct PbProcess {
    pub id: i64,
    pub def: ProcessDef,
    pub phase: Phase,
    /// The projects on the ballot, once voting has opened.
    pub ballot: Option<Vec<BallotEntry>>,
    pub created_at: i64,
    pub created_by: String,
    pub updated_at: i64,
}

/// Where a proposal is in review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    Submitted,
    Accepted,
    Rejected,
    Merged,
}

impl ProposalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalStatus::Submitted => "submitted",
            ProposalStatus::Accepted => "accepted",
            ProposalStatus::Rejected => "rejected",
            ProposalStatus::Merged => "merged",
        }
    }
    fn parse(s: &str) -> Result<ProposalStatus> {
        Ok(match s {
            "submitted" => ProposalStatus::Submitted,
            "accepted" => ProposalStatus::Accepted,
            "rejected" => ProposalStatus::Rejected,
            "merged" => ProposalStatus::Merged,
            other => return Err(StoreError::Corrupt(format!("proposal status {other}"))),
        })
    }
    pub fn label(self) -> &'static str {
        match self {
            ProposalStatus::Submitted => "Waiting for review",
            ProposalStatus::Accepted => "On the ballot",
            ProposalStatus::Rejected => "Not taken forward",
            ProposalStatus::Merged => "Merged with a similar idea",
        }
    }
}

/// An idea as a resident (or officer) submits it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct NewProposal {
    pub title: String,
    pub description: String,
    pub rough_cost_pence: Option<i64>,
    pub location: String,
    pub category: String,
    /// Optional contact, never published.
    #[serde(skip)]
    pub contact: String,
}

/// A stored proposal.
#[derive(Debug, Clone, Serialize)]
pub struct PbProposal {
    pub id: i64,
    pub process_id: i64,
    pub title: String,
    pub description: String,
    pub rough_cost_pence: Option<i64>,
    pub location: String,
    pub category: String,
    #[serde(skip)]
    pub contact: String,
    pub status: ProposalStatus,
    pub final_cost_pence: Option<i64>,
    pub reason: String,
    pub feasibility: String,
    pub merged_into: Option<i64>,
    pub submitted_at: i64,
    pub submitted_by: String,
    pub reviewed_at: Option<i64>,
    pub reviewed_by: Option<String>,
}

/// An officer's decision on a proposal.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Review {
    Accept {
        final_cost_pence: i64,
        reason: String,
        feasibility: String,
        title: String,
    },
    Reject {
        reason: String,
        feasibility: String,
    },
    Merge {
        into: i64,
        reason: String,
    },
}

/// A batch of codes.
#[derive(Debug, Clone, Serialize)]
pub struct PbCodeBatch {
    pub id: i64,
    pub process_id: i64,
    pub label: String,
    pub ward_code: Option<String>,
    pub ward_name: Option<String>,
    pub codes: i64,
    pub used_online: i64,
    pub used_paper: i64,
    /// Cancelled before use (a returned letter, a damaged card, a code seen by someone else).
    pub voided: i64,
    pub created_at: i64,
    pub created_by: String,
}

/// How a ballot arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Online,
    Paper,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Online => "online",
            Channel::Paper => "paper",
        }
    }
}

/// A ballot ready to store: a random id, the hash of the voter's receipt and the checked content.
#[derive(Debug, Clone)]
pub struct NewBallot {
    pub ballot_id: String,
    pub receipt_hash: String,
    pub content: String,
}

/// What happened to an attempt to cast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CastOutcome {
    Cast,
    /// No such code in this process.
    UnknownCode,
    /// The code has been used (online or on paper).
    AlreadyUsed(Channel),
    /// The process is not accepting ballots through this channel now.
    NotOpen,
    /// The code was cancelled by an officer before it was used.
    Void,
}

/// What cancelling a code found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoidOutcome {
    /// The code was unused and can no longer vote.
    Voided,
    /// No such code in this process.
    UnknownCode,
    /// Too late: the code has voted (online or on paper), and that ballot stands.
    AlreadyUsed(Channel),
    /// The code was cancelled before.
    AlreadyVoid,
}

/// What a receipt check finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptStatus {
    Unknown,
    /// In the ballot box, waiting for the count.
    Received,
    /// Sealed and included in the count.
    Counted,
}

/// Codes issued and used in one ward (or with no ward).
#[derive(Debug, Clone, Serialize)]
pub struct WardTurnout {
    pub ward_code: Option<String>,
    pub ward_name: Option<String>,
    /// Codes made for the ward, less those cancelled.
    pub issued: i64,
    pub used_online: i64,
    pub used_paper: i64,
    pub voided: i64,
}

/// A stored count.
#[derive(Debug, Clone, Serialize)]
pub struct PbResult {
    pub process_id: i64,
    pub ballots: i64,
    pub result: serde_json::Value,
    pub pb_text: String,
    pub counted_at: i64,
    pub counted_by: String,
    pub published_at: Option<i64>,
    pub published_by: Option<String>,
}

/// Delivery of a funded project.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    pub proposal_id: i64,
    pub status: String,
    pub spent_pence: i64,
    pub note: String,
    pub updated_at: i64,
    pub updated_by: String,
}

/// The delivery statuses, in order.
pub const DELIVERY_STATUSES: [(&str, &str); 4] = [
    ("not_started", "Not started"),
    ("in_progress", "In progress"),
    ("delivered", "Delivered"),
    ("cancelled", "Cancelled"),
];

macro_rules! process_from_row {
    ($r:expr) => {{
        let r = $r;
        let def: String = r.try_get("definition_json")?;
        let phase: String = r.try_get("phase")?;
        let ballot: Option<String> = r.try_get("ballot_json")?;
        PbProcess {
            id: r.try_get("id")?,
            def: serde_json::from_str(&def)
                .map_err(|e| StoreError::Corrupt(format!("process definition: {e}")))?,
            phase: Phase::parse(&phase)
                .ok_or_else(|| StoreError::Corrupt(format!("process phase {phase}")))?,
            ballot: match ballot {
                Some(b) => Some(
                    serde_json::from_str(&b)
                        .map_err(|e| StoreError::Corrupt(format!("process ballot: {e}")))?,
                ),
                None => None,
            },
            created_at: r.try_get("created_at")?,
            created_by: r.try_get("created_by")?,
            updated_at: r.try_get("updated_at")?,
        }
    }};
}

macro_rules! proposal_from_row {
    ($r:expr) => {{
        let r = $r;
        let status: String = r.try_get("status")?;
        PbProposal {
            id: r.try_get("id")?,
            process_id: r.try_get("process_id")?,
            title: r.try_get("title")?,
            description: r.try_get("description")?,
            rough_cost_pence: r.try_get("rough_cost_pence")?,
            location: r.try_get("location")?,
            category: r.try_get("category")?,
            contact: r.try_get("contact")?,
            status: ProposalStatus::parse(&status)?,
            final_cost_pence: r.try_get("final_cost_pence")?,
            reason: r.try_get("reason")?,
            feasibility: r.try_get("feasibility")?,
            merged_into: r.try_get("merged_into")?,
            submitted_at: r.try_get("submitted_at")?,
            submitted_by: r.try_get("submitted_by")?,
            reviewed_at: r.try_get("reviewed_at")?,
            reviewed_by: r.try_get("reviewed_by")?,
        }
    }};
}

const PROCESS_SELECT: &str = "SELECT id, definition_json, phase, ballot_json, created_at, created_by, updated_at FROM pb_processes";
const PROPOSAL_SELECT: &str = "SELECT id, process_id, title, description, rough_cost_pence, location, category, contact, status, final_cost_pence,
        reason, feasibility, merged_into, submitted_at, submitted_by, reviewed_at, reviewed_by FROM pb_proposals";

fn def_json(def: &ProcessDef) -> Result<String> {
    serde_json::to_string(def).map_err(|e| StoreError::Corrupt(format!("process definition: {e}")))
}

/// Rows per INSERT of code hashes (3 parameters each).
const CODE_BATCH: usize = 300;

impl Store {
    /// Creates a process in the setup phase.
    pub async fn create_pb_process(&self, actor: &Actor, def: &ProcessDef) -> Result<PbProcess> {
        let now = now_unix();
        let json = def_json(def)?;
        let id: i64 = with_pool!(self, pool => write_tx!(pool, tx => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO pb_processes (slug, name, definition_json, phase, created_at, created_by, updated_at)
                 VALUES ($1, $2, $3, 'setup', $4, $5, $4) RETURNING id",
            )
            .bind(&def.slug)
            .bind(&def.name)
            .bind(&json)
            .bind(now)
            .bind(&actor.label)
            .fetch_one(&mut *tx)
            .await.map_err(|e| crate::conflict_on_unique(e, || format!("a process with the web address \"{}\" already exists; choose another", def.slug)))?;
            insert_audit!(&mut *tx, actor, NewAudit::new("pb.process.create", "pb_process", id).after(def))?;
            Ok(id)
        }))?;
        self.pb_process(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("process {id}")))
    }

    /// Changes a process's settings. The ballot settings (type, rule, pot) are frozen once voting opens.
    pub async fn update_pb_process(
        &self,
        actor: &Actor,
        id: i64,
        def: &ProcessDef,
    ) -> Result<PbProcess> {
        let old = self
            .pb_process(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("process {id}")))?;
        if old.phase >= Phase::Voting
            && (old.def.ballot != def.ballot
                || old.def.rule != def.rule
                || old.def.pot_pence != def.pot_pence
                || old.def.slug != def.slug)
        {
            return Err(StoreError::Conflict(
                "the pot, ballot type, rule and web address cannot change once voting has opened"
                    .into(),
            ));
        }
        let json = def_json(def)?;
        with_pool!(self, pool => write_tx!(pool, tx => {
            sqlx::query("UPDATE pb_processes SET slug = $1, name = $2, definition_json = $3, updated_at = $4 WHERE id = $5")
                .bind(&def.slug)
                .bind(&def.name)
                .bind(&json)
                .bind(now_unix())
                .bind(id)
                .execute(&mut *tx)
                .await.map_err(|e| crate::conflict_on_unique(e, || format!("a process with the web address \"{}\" already exists; choose another", def.slug)))?;
            insert_audit!(&mut *tx, actor, NewAudit::new("pb.process.update", "pb_process", id).before(&old.def).after(def))?;
            Ok(())
        }))?;
        self.pb_process(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("process {id}")))
    }

    pub async fn pb_process(&self, id: i64) -> Result<Option<PbProcess>> {
        let sql = format!("{PROCESS_SELECT} WHERE id = $1");
        with_pool!(self, pool => {
            let r = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?;
            Ok(match r { Some(r) => Some(process_from_row!(&r)), None => None })
        })
    }

    pub async fn pb_process_by_slug(&self, slug: &str) -> Result<Option<PbProcess>> {
        let sql = format!("{PROCESS_SELECT} WHERE slug = $1");
        with_pool!(self, pool => {
            let r = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(slug).fetch_optional(pool).await?;
            Ok(match r { Some(r) => Some(process_from_row!(&r)), None => None })
        })
    }

    /// Every process, newest first.
    pub async fn pb_processes(&self) -> Result<Vec<PbProcess>> {
        let sql = format!("{PROCESS_SELECT} ORDER BY id DESC");
        with_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(process_from_row!(r))).collect()
        })
    }

    /// Moves a process to another phase. Opening voting freezes the ballot (the accepted proposals,
    /// at least one); publishing needs a count. The process row is locked so no ballot can be in
    /// flight across the change.
    pub async fn set_pb_phase(&self, actor: &Actor, id: i64, to: Phase) -> Result<PbProcess> {
        let postgres = matches!(self.backend, Backend::Postgres(_));
        with_pool!(self, pool => write_tx!(pool, tx => {
            if postgres {
                // Waits for ballots in flight (they hold a key-share lock on the row) and keeps new
                // ones out until the phase has changed.
                sqlx::query("SELECT id FROM pb_processes WHERE id = $1 FOR UPDATE").bind(id).execute(&mut *tx).await?;
            }
            // A write first: on SQLite it takes the database's write lock at once.
            sqlx::query("UPDATE pb_processes SET updated_at = $1 WHERE id = $2").bind(now_unix()).bind(id).execute(&mut *tx).await?;
            let phase: Option<String> = sqlx::query_scalar("SELECT phase FROM pb_processes WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
            let Some(phase) = phase else { return Err(StoreError::NotFound(format!("process {id}"))) };
            let Some(from) = Phase::parse(&phase) else { return Err(StoreError::Corrupt("process phase".into())) };
            if let Err(why) = from.can_move_to(to) {
                return Err(StoreError::Conflict(why));
            }
            let mut after = json!({"phase": to.as_str()});
            if to == Phase::Voting {
                let rows = sqlx::query(
                    "SELECT id, title, description, category, location, final_cost_pence FROM pb_proposals
                     WHERE process_id = $1 AND status = 'accepted' ORDER BY id",
                )
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
                let mut ballot = Vec::new();
                for r in &rows {
                    ballot.push(BallotEntry {
                        id: r.try_get("id")?,
                        name: r.try_get("title")?,
                        description: r.try_get("description")?,
                        category: r.try_get("category")?,
                        location: r.try_get("location")?,
                        cost_pence: r.try_get::<Option<i64>, _>("final_cost_pence")?.unwrap_or(0),
                    });
                }
                if ballot.is_empty() {
                    return Err(StoreError::Conflict("accept at least one proposal, with its final cost, before voting opens".into()));
                }
                let json = match serde_json::to_string(&ballot) {
                    Ok(j) => j,
                    Err(e) => return Err(StoreError::Corrupt(e.to_string())),
                };
                sqlx::query("UPDATE pb_processes SET ballot_json = $1 WHERE id = $2").bind(json).bind(id).execute(&mut *tx).await?;
                after["ballot"] = json!(ballot.iter().map(|b| json!({"id": b.id, "name": b.name, "cost_pence": b.cost_pence})).collect::<Vec<_>>());
            }
            if to == Phase::Results {
                let counted: Option<i64> = sqlx::query_scalar("SELECT ballots FROM pb_results WHERE process_id = $1").bind(id).fetch_optional(&mut *tx).await?;
                let waiting: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pb_ballots_cast WHERE process_id = $1").bind(id).fetch_one(&mut *tx).await?;
                match counted {
                    None => return Err(StoreError::Conflict("count the votes before publishing the result".into())),
                    Some(_) if waiting > 0 => {
                        return Err(StoreError::Conflict(format!("{waiting} ballot(s) arrived after the count; count again before publishing")))
                    }
                    Some(n) => after["ballots"] = json!(n),
                }
                sqlx::query("UPDATE pb_results SET published_at = $1, published_by = $2 WHERE process_id = $3")
                    .bind(now_unix())
                    .bind(&actor.label)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("UPDATE pb_processes SET phase = $1 WHERE id = $2").bind(to.as_str()).bind(id).execute(&mut *tx).await?;
            insert_audit!(&mut *tx, actor, NewAudit::new("pb.process.phase", "pb_process", id).before(json!({"phase": from.as_str()})).after(after))?;
            Ok(())
        }))?;
        self.pb_process(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("process {id}")))
    }

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
                let mut sql = String::from("INSERT INTO pb_codes (process_id, code_hash, batch_id, state) VALUES ");
                for i in 0..chunk.len() {
                    if i > 0 {
                        sql.push_str(", ");
                    }
                    sql.push_str(&format!("(${}, ${}, ${}, 'unused')", 3 * i + 1, 3 * i + 2, 3 * i + 3));
                }
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for h in chunk {
                    q = q.bind(process_id).bind(h.clone()).bind(batch);
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

    /// Uses a code and stores its ballot, in one transaction: exactly one ballot per code however
    /// many attempts race. Online ballots need the voting phase; paper ballots may also be entered
    /// after online voting closes, until the result is published. The ballot row holds no reference
    /// to the code; the audit entry says a ballot arrived and how, not which code or which ballot.
    pub async fn cast_pb_ballot(
        &self,
        actor: &Actor,
        process_id: i64,
        code_hash: &str,
        channel: Channel,
        ballot: &NewBallot,
    ) -> Result<CastOutcome> {
        let phases = match channel {
            Channel::Online => "('voting')",
            Channel::Paper => "('voting', 'closed')",
        };
        let claim = format!(
            "UPDATE pb_codes SET state = $3 WHERE process_id = $1 AND code_hash = $2 AND state = 'unused'
               AND EXISTS (SELECT 1 FROM pb_processes WHERE id = $1 AND phase IN {phases})"
        );
        let postgres = matches!(self.backend, Backend::Postgres(_));
        let claimed = with_pool!(self, pool => write_tx!(pool, tx => {
            if postgres {
                // Holds off a concurrent phase change (which locks the row FOR UPDATE) until this
                // ballot is in, so no ballot can slip past the sealing of the box.
                sqlx::query("SELECT id FROM pb_processes WHERE id = $1 FOR KEY SHARE").bind(process_id).execute(&mut *tx).await?;
            }
            let n = sqlx::query(sqlx::AssertSqlSafe(claim))
                .bind(process_id)
                .bind(code_hash)
                .bind(channel.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 1 {
                sqlx::query("INSERT INTO pb_ballots_cast (process_id, ballot_id, receipt_hash, content) VALUES ($1, $2, $3, $4)")
                    .bind(process_id)
                    .bind(&ballot.ballot_id)
                    .bind(&ballot.receipt_hash)
                    .bind(&ballot.content)
                    .execute(&mut *tx)
                    .await?;
                insert_audit!(&mut *tx, actor, NewAudit::new("pb.ballot.cast", "pb_process", process_id).after(json!({"channel": channel.as_str()})))?;
                Ok(true)
            } else {
                // Nothing changed: committing the empty transaction ends it as well as a rollback.
                Ok(false)
            }
        }))?;
        if claimed {
            return Ok(CastOutcome::Cast);
        }
        let state = self.pb_code_state(process_id, code_hash).await?;
        Ok(match state.as_deref() {
            None => CastOutcome::UnknownCode,
            Some("online") => CastOutcome::AlreadyUsed(Channel::Online),
            Some("paper") => CastOutcome::AlreadyUsed(Channel::Paper),
            Some("void") => CastOutcome::Void,
            _ => CastOutcome::NotOpen,
        })
    }

    /// Whether the ballot with this receipt is in the box.
    pub async fn pb_receipt_status(
        &self,
        process_id: i64,
        receipt_hash: &str,
    ) -> Result<ReceiptStatus> {
        with_pool!(self, pool => {
            let sealed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pb_ballots WHERE process_id = $1 AND receipt_hash = $2")
                .bind(process_id).bind(receipt_hash).fetch_one(pool).await?;
            if sealed > 0 {
                let counted: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pb_results WHERE process_id = $1").bind(process_id).fetch_one(pool).await?;
                return Ok(if counted > 0 { ReceiptStatus::Counted } else { ReceiptStatus::Received });
            }
            let cast: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pb_ballots_cast WHERE process_id = $1 AND receipt_hash = $2")
                .bind(process_id).bind(receipt_hash).fetch_one(pool).await?;
            Ok(if cast > 0 { ReceiptStatus::Received } else { ReceiptStatus::Unknown })
        })
    }

    /// Ballots stored for a process: (waiting in the cast table, sealed).
    pub async fn pb_ballot_counts(&self, process_id: i64) -> Result<(i64, i64)> {
        with_pool!(self, pool => {
            let cast: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pb_ballots_cast WHERE process_id = $1").bind(process_id).fetch_one(pool).await?;
            let sealed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pb_ballots WHERE process_id = $1").bind(process_id).fetch_one(pool).await?;
            Ok((cast, sealed))
        })
    }

    /// Seals the ballot box of a closed process: in one transaction, every ballot of the process
    /// (those cast since the last seal and those sealed before) is rewritten into `pb_ballots` in
    /// the order of the random ballot ids, and the cast table is emptied. Returns the number of
    /// sealed ballots. Afterwards every sealed row of the process has the same writing transaction
    /// and a storage position that follows its random id. On PostgreSQL the two tables are then
    /// vacuumed so the dead row versions (which carried the casting transactions' ids) are removed;
    /// on SQLite deleted rows are overwritten (`secure_delete`) and the WAL is checkpointed and
    /// truncated.
    pub async fn seal_pb_ballots(&self, actor: &Actor, process_id: i64) -> Result<i64> {
        let postgres = matches!(self.backend, Backend::Postgres(_));
        let total = with_pool!(self, pool => {
            let mut conn = pool.acquire().await?;
            if !postgres {
                sqlx::raw_sql("PRAGMA secure_delete = ON").execute(&mut *conn).await?;
            }
            let total: i64 = write_tx!(@begin sqlx::Connection::begin(&mut *conn), StoreError::from, tx => {
            if postgres {
                sqlx::query("SELECT id FROM pb_processes WHERE id = $1 FOR UPDATE").bind(process_id).execute(&mut *tx).await?;
            }
            sqlx::query("UPDATE pb_processes SET updated_at = $1 WHERE id = $2").bind(now_unix()).bind(process_id).execute(&mut *tx).await?;
            let phase: Option<String> = sqlx::query_scalar("SELECT phase FROM pb_processes WHERE id = $1").bind(process_id).fetch_optional(&mut *tx).await?;
            match phase.as_deref() {
                None => return Err(StoreError::NotFound(format!("process {process_id}"))),
                Some("closed") => {}
                Some(_) => return Err(StoreError::Conflict("close voting before counting".into())),
            }
            let moved: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pb_ballots_cast WHERE process_id = $1").bind(process_id).fetch_one(&mut *tx).await?;
            for sql in [
                "INSERT INTO pb_ballots_cast (process_id, ballot_id, receipt_hash, content)
                 SELECT process_id, ballot_id, receipt_hash, content FROM pb_ballots WHERE process_id = $1",
                "DELETE FROM pb_ballots WHERE process_id = $1",
                "INSERT INTO pb_ballots (process_id, ballot_id, receipt_hash, content)
                 SELECT process_id, ballot_id, receipt_hash, content FROM pb_ballots_cast WHERE process_id = $1 ORDER BY ballot_id",
                "DELETE FROM pb_ballots_cast WHERE process_id = $1",
            ] {
                sqlx::query(sql).bind(process_id).execute(&mut *tx).await?;
            }
            let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pb_ballots WHERE process_id = $1").bind(process_id).fetch_one(&mut *tx).await?;
            insert_audit!(&mut *tx, actor, NewAudit::new("pb.ballots.seal", "pb_process", process_id).after(json!({"sealed_now": moved, "sealed_total": total})))?;
            Ok(total)
            })?;
            if postgres {
                sqlx::raw_sql("VACUUM pb_ballots_cast, pb_ballots").execute(&mut *conn).await?;
            } else {
                sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut *conn).await?;
            }
            total
        });
        Ok(total)
    }

    /// The sealed ballots' contents in the order of their random ids (what the count and the
    /// exported file use).
    pub async fn pb_sealed_ballots(&self, process_id: i64) -> Result<Vec<String>> {
        with_pool!(self, pool => {
            Ok(sqlx::query_scalar("SELECT content FROM pb_ballots WHERE process_id = $1 ORDER BY ballot_id")
                .bind(process_id)
                .fetch_all(pool)
                .await?)
        })
    }

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
