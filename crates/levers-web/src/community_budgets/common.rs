//! What every community budget page shares: loading a process (hidden from residents while it is
//! set up), asking `levers_pb::process::Action` what the visitor may do, the process and idea
//! summaries the pages show, the rate-limit keys and a random number for codes and receipts.
//! Imports nothing from its sibling modules.

use levers_pb::process::{Action, Phase, Who};
use levers_store::Role;
use levers_store::pb_process::{PbProcess, PbProposal, ProposalStatus};
use rand_core::{OsRng, RngCore};

use crate::error::AppError;
use crate::identity::{ClientAddr, Identity};
use crate::show::money_short;
use crate::state::AppState;

/// Wrong or already-used codes one address may try in the window before it is refused.
pub const MAX_CODE_FAILURES: i64 = 30;
/// Ideas one address may submit in the window.
pub const MAX_PROPOSALS: i64 = 10;
/// The window for both limits.
pub const LIMIT_WINDOW_SECONDS: i64 = 15 * 60;

/// The navigation section of every community budget page.
pub(super) const SECTION: &str = "community-budgets";

pub(super) fn is_officer(identity: &Identity) -> bool {
    identity
        .user()
        .is_some_and(|u| u.role.allows(Role::Officer))
}

/// Who the visitor is to the process rules: an officer (or admin), or a resident.
pub(super) fn who(identity: &Identity) -> Who {
    if is_officer(identity) {
        Who::Officer
    } else {
        Who::Resident
    }
}

/// Whether the visitor may do `action` in the process's current phase.
pub(super) fn may(identity: &Identity, p: &PbProcess, action: Action) -> bool {
    p.phase.allows(who(identity), action)
}

/// The process at `slug`, in any phase (officers' pages).
pub(super) async fn load(state: &AppState, slug: &str) -> Result<PbProcess, AppError> {
    state
        .store
        .pb_process_by_slug(slug)
        .await?
        .ok_or(AppError::NotFound)
}

/// Processes in setup are visible to officers only.
pub(super) async fn load_public(
    state: &AppState,
    identity: &Identity,
    slug: &str,
) -> Result<PbProcess, AppError> {
    let p = load(state, slug).await?;
    if !may(identity, &p, Action::SeeProcess) {
        return Err(AppError::NotFound);
    }
    Ok(p)
}

pub(super) fn random_u128() -> u128 {
    let mut b = [0u8; 16];
    OsRng.fill_bytes(&mut b);
    u128::from_le_bytes(b)
}

pub(super) fn client_key(addr: &ClientAddr, what: &str) -> String {
    format!("pb{what}:{}", addr.0)
}

/// The part of a process every page shows.
pub struct ProcessView {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub area_name: String,
    pub pot: String,
    pub phase: Phase,
    pub phase_label: &'static str,
    pub ballot_kind: &'static str,
    pub instruction: String,
    pub rule_name: &'static str,
    pub min_age: Option<u8>,
    pub dates: Vec<(&'static str, String, String)>,
}

impl ProcessView {
    pub(super) fn new(p: &PbProcess) -> ProcessView {
        ProcessView {
            slug: p.def.slug.clone(),
            name: p.def.name.clone(),
            description: p.def.description.clone(),
            area_name: p.def.area_name.clone(),
            pot: money_short(p.def.pot_pence),
            phase: p.phase,
            phase_label: p.phase.label(),
            ballot_kind: p.def.ballot.kind(),
            instruction: p.def.ballot.instruction(),
            rule_name: p.def.rule.name(),
            min_age: p.def.min_age,
            dates: p
                .def
                .phases
                .iter()
                .map(|d| (d.phase.label(), d.starts.clone(), d.ends.clone()))
                .collect(),
        }
    }
    /// Residents may vote online now.
    pub fn voting(&self) -> bool {
        self.phase.allows(Who::Resident, Action::VoteOnline)
    }
    /// Residents may suggest ideas now.
    pub fn proposals_open(&self) -> bool {
        self.phase.allows(Who::Resident, Action::SuggestIdea)
    }
    /// The result is published (and delivery is tracked).
    pub fn results_out(&self) -> bool {
        self.phase.allows(Who::Resident, Action::ReadResults)
    }
    /// Residents may check their receipts now.
    pub fn receipts(&self) -> bool {
        self.phase.allows(Who::Resident, Action::CheckReceipt)
    }
}

/// An idea as the public process page and the officers' ideas page show it.
pub struct IdeaView {
    pub id: i64,
    /// The idea's number within its process, as people see it.
    pub number: i64,
    pub title: String,
    pub description: String,
    pub location: String,
    pub category: String,
    pub status: &'static str,
    pub status_key: &'static str,
    pub cost: String,
    pub reason: String,
}

/// An idea as pages show it; `all` is its process's ideas, to number the one it was merged into.
pub(super) fn idea_view(p: &PbProposal, all: &[PbProposal]) -> IdeaView {
    let number_of = |id: i64| all.iter().find(|o| o.id == id).map_or(id, |o| o.number);
    IdeaView {
        id: p.id,
        number: p.number,
        title: p.title.clone(),
        description: p.description.clone(),
        location: p.location.clone(),
        category: p.category.clone(),
        status: p.status.label(),
        status_key: p.status.as_str(),
        cost: p
            .final_cost_pence
            .or(p.rough_cost_pence)
            .map(money_short)
            .unwrap_or_else(|| "not given".into()),
        reason: match (p.status, p.merged_into) {
            (ProposalStatus::Merged, Some(into)) if p.reason.is_empty() => {
                format!("Merged into idea {}", number_of(into))
            }
            (ProposalStatus::Merged, Some(into)) => {
                format!("Merged into idea {}: {}", number_of(into), p.reason)
            }
            _ => p.reason.clone(),
        },
    }
}
