//! Voting online: the code page (rate-limited per address), the ballot's steps (update, review,
//! change, cast) and the confirmation with the receipt number.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use levers_pb::ballot::BallotInput;
use levers_pb::codes::{self, code_hash};
use levers_pb::process::{Action, Who};
use levers_store::Actor;
use levers_store::pb_process::{CastOutcome, Channel, PbProcess};
use serde::Deserialize;

use super::ballot::{BallotForm, Draft, ballot_page, ballot_projects, new_ballot, order_seed};
use super::common::{
    LIMIT_WINDOW_SECONDS, MAX_CODE_FAILURES, ProcessView, SECTION, client_key, load_public,
};
use crate::error::AppError;
use crate::form::Form;
use crate::identity::{ClientAddr, Identity};
use crate::layout::{Chrome, FieldError, error_for};
use crate::page::{chrome, render, render_status};
use crate::state::AppState;

/// A voting code as typed.
#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/community-budgets/{slug}/vote",
            get(code_form).post(enter_code),
        )
        .route("/community-budgets/{slug}/ballot", post(ballot_step))
}

#[derive(Template)]
#[template(path = "pb/code.html")]
pub struct CodePage {
    pub chrome: Chrome,
    pub p: ProcessView,
    pub code: String,
    pub errors: Vec<FieldError>,
}

impl CodePage {
    pub fn err(&self, f: &str) -> Option<&str> {
        error_for(&self.errors, f)
    }
}

pub async fn code_form(
    State(state): State<AppState>,
    identity: Identity,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let p = load_public(&state, &identity, &slug).await?;
    let chrome = chrome(&state, &identity, SECTION, "Enter your voting code").await?;
    let mut errors = vec![];
    if let Err(why) = Action::VoteOnline.allowed(Who::Resident, p.phase) {
        errors.push(FieldError::new("code", why));
    }
    render(&CodePage {
        chrome,
        p: ProcessView::new(&p),
        code: String::new(),
        errors,
    })
}

/// What a resident sees on trying a cancelled code.
const VOIDED_CODE: &str = "This code has been cancelled. Ask the council for a new one";

/// Why a code cannot vote, as the page to show (and whether it counts against the rate limit).
enum CodeProblem {
    Limited,
    Message(String),
    Closed,
}

/// Checks a typed code against the rate limit, its format and the store. Wrong and used codes
/// count against the address (the attempt is reserved first, released for a good code).
async fn check_code(
    state: &AppState,
    addr: &ClientAddr,
    p: &PbProcess,
    typed: &str,
) -> Result<Result<(String, String), CodeProblem>, AppError> {
    if !p.phase.allows(Who::Resident, Action::VoteOnline) {
        return Ok(Err(CodeProblem::Closed));
    }
    let key = client_key(addr, "code");
    // The attempt is reserved (counted as a failure) before the code is looked up, in one step with
    // the count, so a burst of guesses cannot pass the limit; a good code releases it.
    let Some(reservation) = state
        .store
        .reserve_attempt(&[(key.as_str(), MAX_CODE_FAILURES)], LIMIT_WINDOW_SECONDS)
        .await?
    else {
        return Ok(Err(CodeProblem::Limited));
    };
    let compact = match codes::normalise_code(typed) {
        Ok(c) => c,
        Err(e) => return Ok(Err(CodeProblem::Message(e.to_string()))),
    };
    let hash = code_hash(p.id, &compact);
    match state.store.pb_code_state(p.id, &hash).await?.as_deref() {
        Some("unused") => {
            state.store.release_attempt(reservation).await?;
            Ok(Ok((compact, hash)))
        }
        Some("void") => Ok(Err(CodeProblem::Message(VOIDED_CODE.into()))),
        Some(_) => Ok(Err(CodeProblem::Message(
            "This code has already been used to vote. Each code can be used once".into(),
        ))),
        None => Ok(Err(CodeProblem::Message(
            "We do not recognise this code for this community budget. Check it and try again"
                .into(),
        ))),
    }
}

async fn code_problem_page(
    state: &AppState,
    identity: &Identity,
    p: &PbProcess,
    typed: &str,
    problem: CodeProblem,
) -> Result<Response, AppError> {
    let chrome = chrome(state, identity, SECTION, "Enter your voting code").await?;
    let (status, msg) = match problem {
        CodeProblem::Limited => (
            StatusCode::TOO_MANY_REQUESTS,
            "Too many codes have been tried from your connection. Wait 15 minutes and try again, or ask the council for help".to_string(),
        ),
        CodeProblem::Closed => (StatusCode::CONFLICT, "Voting is not open for this community budget".to_string()),
        CodeProblem::Message(m) if m.contains("already been used") => (StatusCode::CONFLICT, m),
        CodeProblem::Message(m) => (StatusCode::UNPROCESSABLE_ENTITY, m),
    };
    render_status(
        status,
        &CodePage {
            chrome,
            p: ProcessView::new(p),
            code: typed.to_string(),
            errors: vec![FieldError::new("code", msg)],
        },
    )
}

pub async fn enter_code(
    State(state): State<AppState>,
    identity: Identity,
    axum::Extension(addr): axum::Extension<ClientAddr>,
    Path(slug): Path<String>,
    Form(f): Form<CodeForm>,
) -> Result<Response, AppError> {
    let p = load_public(&state, &identity, &slug).await?;
    let typed = f.code.as_str();
    match check_code(&state, &addr, &p, typed).await? {
        Err(problem) => code_problem_page(&state, &identity, &p, typed, problem).await,
        Ok((compact, hash)) => {
            let draft = Draft {
                code: &codes::display(&compact),
                seed: Some(order_seed(&hash)),
                input: &BallotInput::default(),
                paper: false,
                age_ok: false,
            };
            ballot_page(&state, &identity, &p, &draft, "ballot", vec![], None).await
        }
    }
}

/// One step of the ballot: `update` (recompute the running total), `review`, `change` (back from
/// review) or `cast`.
pub async fn ballot_step(
    State(state): State<AppState>,
    identity: Identity,
    axum::Extension(addr): axum::Extension<ClientAddr>,
    Path(slug): Path<String>,
    Form(f): Form<BallotForm>,
) -> Result<Response, AppError> {
    let p = load_public(&state, &identity, &slug).await?;
    let typed = f.get("code");
    let (compact, hash) = match check_code(&state, &addr, &p, typed).await? {
        Err(problem) => return code_problem_page(&state, &identity, &p, typed, problem).await,
        Ok(x) => x,
    };
    let shown = codes::display(&compact);
    let input = f.input();
    let projects = ballot_projects(&p);
    let draft = Draft {
        code: &shown,
        seed: Some(order_seed(&hash)),
        input: &input,
        paper: false,
        age_ok: f.get("age_ok") == "yes",
    };
    let action = f.get("action");
    match action {
        "review" | "cast" => {
            let checked = f.checked(&p.def.ballot, &projects, &input);
            let ballot = match checked {
                Err(e) => {
                    return ballot_page(
                        &state,
                        &identity,
                        &p,
                        &draft,
                        "ballot",
                        vec![FieldError::new("choices", e.to_string())],
                        None,
                    )
                    .await;
                }
                Ok(b) => b,
            };
            if action == "review" {
                return ballot_page(&state, &identity, &p, &draft, "review", vec![], None).await;
            }
            if let Err(msg) = p.def.check_age(draft.age_ok) {
                return ballot_page(
                    &state,
                    &identity,
                    &p,
                    &Draft {
                        age_ok: false,
                        ..draft
                    },
                    "review",
                    vec![FieldError::new("age_ok", msg)],
                    None,
                )
                .await;
            }
            let (receipt, nb) = new_ballot(&p, &ballot);
            match state
                .store
                .cast_pb_ballot(
                    &Actor::system("resident"),
                    p.id,
                    &hash,
                    Channel::Online,
                    &nb,
                )
                .await?
            {
                CastOutcome::Cast => {
                    let chrome =
                        chrome(&state, &identity, SECTION, "Your vote has been cast").await?;
                    render(&ConfirmationPage {
                        chrome,
                        p: ProcessView::new(&p),
                        receipt: codes::display(&receipt),
                    })
                }
                CastOutcome::AlreadyUsed(_) => {
                    state
                        .store
                        .record_sign_in_failure(&[client_key(&addr, "code")])
                        .await?;
                    code_problem_page(
                        &state,
                        &identity,
                        &p,
                        typed,
                        CodeProblem::Message(
                            "This code has already been used to vote. Each code can be used once"
                                .into(),
                        ),
                    )
                    .await
                }
                CastOutcome::NotOpen => {
                    code_problem_page(&state, &identity, &p, typed, CodeProblem::Closed).await
                }
                CastOutcome::Void => {
                    state
                        .store
                        .record_sign_in_failure(&[client_key(&addr, "code")])
                        .await?;
                    code_problem_page(
                        &state,
                        &identity,
                        &p,
                        typed,
                        CodeProblem::Message(VOIDED_CODE.into()),
                    )
                    .await
                }
                CastOutcome::UnknownCode => Err(AppError::NotFound),
            }
        }
        _ => ballot_page(&state, &identity, &p, &draft, "ballot", vec![], None).await,
    }
}

#[derive(Template)]
#[template(path = "pb/confirmation.html")]
pub struct ConfirmationPage {
    pub chrome: Chrome,
    pub p: ProcessView,
    pub receipt: String,
}
