//! What community budget callers see: processes, proposals, code batches, ballots, outcomes,
//! results and delivery.

use levers_pb::process::{Phase, ProcessDef};
use serde::{Deserialize, Serialize};

use crate::{Result, StoreError};

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
    pub(super) fn parse(s: &str) -> Result<ProposalStatus> {
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
    /// The idea's number within its process (1, 2, 3 …), as residents see it; `id` is global.
    pub number: i64,
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
