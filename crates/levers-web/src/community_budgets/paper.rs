//! Officers enter paper ballots, each with the code printed on it.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use levers_pb::codes::{self, code_hash};
use levers_pb::process::Action;
use levers_store::pb_process::{CastOutcome, Channel};

use super::ballot::{BallotForm, Draft, PAPER, ballot_page, ballot_projects, new_ballot};
use super::common::load;
use crate::auth::{actor, require_officer};
use crate::error::AppError;
use crate::form::Form;
use crate::identity::{CurrentUser, Identity};
use crate::layout::FieldError;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route(
        "/community-budgets/{slug}/paper",
        get(paper_form).post(paper_entry),
    )
}

pub async fn paper_form(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let p = load(&state, &slug).await?;
    ballot_page(&state, &identity, &p, &PAPER, "ballot", vec![], None).await
}

pub async fn paper_entry(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(slug): Path<String>,
    Form(f): Form<BallotForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let p = load(&state, &slug).await?;
    let input = f.input();
    let typed = f.get("code").to_string();
    let draft = Draft {
        code: &typed,
        input: &input,
        ..PAPER
    };
    let again = |errors: Vec<FieldError>| {
        ballot_page(&state, &identity, &p, &draft, "ballot", errors, None)
    };
    if f.get("action") == "update" {
        return again(vec![]).await;
    }
    let compact = match codes::normalise_code(&typed) {
        Ok(c) => c,
        Err(e) => return again(vec![FieldError::new("code", e.to_string())]).await,
    };
    let ballot = match f.checked(&p.def.ballot, &ballot_projects(&p), &input) {
        Ok(b) => b,
        Err(e) => return again(vec![FieldError::new("choices", e)]).await,
    };
    let (_, nb) = new_ballot(&p, &ballot);
    let hash = code_hash(p.id, &compact);
    let msg = match state
        .store
        .cast_pb_ballot(&actor(&me), p.id, &hash, Channel::Paper, &nb)
        .await?
    {
        CastOutcome::Cast => None,
        CastOutcome::AlreadyUsed(Channel::Online) => {
            Some("This code was already used to vote online: the paper ballot must not be counted")
        }
        CastOutcome::AlreadyUsed(Channel::Paper) => {
            Some("A paper ballot has already been entered with this code")
        }
        CastOutcome::UnknownCode => Some("This code is not one of this community budget's codes"),
        CastOutcome::NotOpen => Some(Action::EnterPaperBallot.refusal()),
        CastOutcome::Void => {
            Some("This code was cancelled before it was used: the paper ballot must not be counted")
        }
    };
    match msg {
        Some(m) => {
            let mut resp = again(vec![FieldError::new("code", m)]).await?;
            *resp.status_mut() = StatusCode::CONFLICT;
            Ok(resp)
        }
        None => {
            ballot_page(
                &state,
                &identity,
                &p,
                &PAPER,
                "ballot",
                vec![],
                Some(format!(
                    "Paper ballot with code {} entered.",
                    codes::display(&compact)
                )),
            )
            .await
        }
    }
}
