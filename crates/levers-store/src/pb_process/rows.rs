//! Row mappings and shared SQL of the community budget store modules.

use levers_pb::process::ProcessDef;

use crate::{Result, StoreError};

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
pub(super) use process_from_row;

macro_rules! proposal_from_row {
    ($r:expr) => {{
        let r = $r;
        let status: String = r.try_get("status")?;
        PbProposal {
            id: r.try_get("id")?,
            number: r.try_get("number")?,
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
pub(super) use proposal_from_row;

pub(super) const PROCESS_SELECT: &str = "SELECT id, definition_json, phase, ballot_json, created_at, created_by, updated_at FROM pb_processes";
pub(super) const PROPOSAL_SELECT: &str = "SELECT id, (SELECT COUNT(*) FROM pb_proposals q WHERE q.process_id = pb_proposals.process_id AND q.id <= pb_proposals.id) AS number,
        process_id, title, description, rough_cost_pence, location, category, contact, status, final_cost_pence,
        reason, feasibility, merged_into, submitted_at, submitted_by, reviewed_at, reviewed_by FROM pb_proposals";

pub(super) fn def_json(def: &ProcessDef) -> Result<String> {
    serde_json::to_string(def).map_err(|e| StoreError::Corrupt(format!("process definition: {e}")))
}

/// Rows per INSERT of code hashes (3 parameters each).
pub(super) const CODE_BATCH: usize = 300;
