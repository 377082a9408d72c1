//! The officers' dashboard for a process: where it stands, moving it to its next phase, counting.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use levers_pb::process::{Action, Phase, Who};
use levers_store::pb_process::{PbProcess, ProposalStatus};
use serde::Deserialize;

use super::common::{ProcessView, SECTION, load};
use crate::auth::{actor, require_officer};
use crate::error::AppError;
use crate::form::Form;
use crate::identity::{CurrentUser, Identity};
use crate::layout::{Chrome, FieldError, error_for};
use crate::page::{chrome, render_status};
use crate::show::money_short;
use crate::state::AppState;
use levers_app::community_budget::{CountError, count_process};

/// Moving a process on.
#[derive(Deserialize)]
pub struct PhaseForm {
    /// The phase to move to (`Phase::as_str`).
    #[serde(default)]
    to: String,
}

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/community-budgets/{slug}/manage", get(manage))
        .route("/community-budgets/{slug}/phase", post(move_phase))
        .route("/community-budgets/{slug}/count", post(count_votes))
}

#[derive(Template)]
#[template(path = "pb/manage.html")]
pub struct ManagePage {
    pub chrome: Chrome,
    pub p: ProcessView,
    pub ideas: usize,
    pub waiting: usize,
    pub accepted: usize,
    pub on_ballot: usize,
    pub codes_issued: i64,
    pub codes_used: i64,
    pub ballots_waiting: i64,
    pub ballots_sealed: i64,
    pub counted: Option<(i64, String, bool)>,
    pub next: Vec<(&'static str, &'static str)>,
    pub errors: Vec<FieldError>,
    pub notice: Option<String>,
}

impl ManagePage {
    pub fn err(&self, f: &str) -> Option<&str> {
        error_for(&self.errors, f)
    }
    /// Voting has closed: the box can be sealed and counted.
    pub fn may_count(&self) -> bool {
        self.p.phase.allows(Who::Officer, Action::Count)
    }
    /// The result is published: delivery of funded projects can be recorded.
    pub fn may_track_delivery(&self) -> bool {
        self.p.phase.allows(Who::Officer, Action::TrackDelivery)
    }
}

async fn manage_page(
    state: &AppState,
    identity: &Identity,
    p: &PbProcess,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let ideas = state.store.pb_proposals(p.id).await?;
    let batches = state.store.pb_code_batches(p.id).await?;
    let (ballots_waiting, ballots_sealed) = state.store.pb_ballot_counts(p.id).await?;
    let counted = state.store.pb_result(p.id).await?.map(|r| {
        (
            r.ballots,
            crate::layout::when(&r.counted_at),
            r.published_at.is_some(),
        )
    });
    let next = p
        .phase
        .next_phases()
        .into_iter()
        .map(|to| (to.as_str(), to.move_label()))
        .collect();
    let chrome = chrome(state, identity, SECTION, &format!("Manage: {}", p.def.name)).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::CONFLICT
    };
    render_status(
        status,
        &ManagePage {
            chrome,
            p: ProcessView::new(p),
            ideas: ideas.len(),
            waiting: ideas
                .iter()
                .filter(|i| i.status == ProposalStatus::Submitted)
                .count(),
            accepted: ideas
                .iter()
                .filter(|i| i.status == ProposalStatus::Accepted)
                .count(),
            on_ballot: p.ballot.as_ref().map_or(0, |b| b.len()),
            codes_issued: batches.iter().map(|b| b.codes).sum(),
            codes_used: batches.iter().map(|b| b.used_online + b.used_paper).sum(),
            ballots_waiting,
            ballots_sealed,
            counted,
            next,
            errors,
            notice,
        },
    )
}

pub async fn manage(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let p = load(&state, &slug).await?;
    manage_page(&state, &identity, &p, vec![], None).await
}

pub async fn move_phase(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(slug): Path<String>,
    Form(f): Form<PhaseForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let p = load(&state, &slug).await?;
    let Some(to) = Phase::parse(&f.to) else {
        return Err(AppError::NotFound);
    };
    match state.store.set_pb_phase(&actor(&me), p.id, to).await {
        Ok(p) => {
            manage_page(
                &state,
                &identity,
                &p,
                vec![],
                Some(format!("The process is now: {}", p.phase.label())),
            )
            .await
        }
        Err(levers_store::StoreError::Conflict(m)) => {
            manage_page(
                &state,
                &identity,
                &p,
                vec![FieldError::new("phase", m)],
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// Seals the box and counts with levers-pb; the result and the exported file are stored.
pub async fn count_votes(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let p = load(&state, &slug).await?;
    match count_process(&state.store, &actor(&me), &p).await {
        Ok(r) => {
            let p = load(&state, &slug).await?;
            let msg = format!(
                "Counted {} ballots: {} projects funded, {} of {} spent.",
                r.ballots,
                r.selected.len(),
                money_short(r.spent_pence),
                money_short(r.pot_pence)
            );
            manage_page(&state, &identity, &p, vec![], Some(msg)).await
        }
        Err(CountError::Conflict(m)) => {
            manage_page(
                &state,
                &identity,
                &p,
                vec![FieldError::new("count", m)],
                None,
            )
            .await
        }
        Err(e) => Err(AppError::Internal(e.into())),
    }
}
