//! Ideas: residents suggest them on the public form; officers add projects, review ideas (final
//! cost, accept, merge, reject) and so decide the ballot.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use levers_pb::process::{Action, Who};
use levers_store::Actor;
use levers_store::pb_process::{NewProposal, PbProcess, ProposalStatus, Review};
use serde::Deserialize;

use super::common::{
    IdeaView, LIMIT_WINDOW_SECONDS, MAX_PROPOSALS, ProcessView, SECTION, client_key, idea_view,
    load, load_public, who,
};
use crate::auth::{actor, require_officer};
use crate::error::AppError;
use crate::form::Form;
use crate::identity::{ClientAddr, CurrentUser, Identity};
use crate::layout::{Chrome, FieldError, error_for};
use crate::page::{chrome, render, render_status};
use crate::show::parse_pounds;
use crate::state::AppState;

/// The public form for suggesting an idea.
pub(super) fn public_routes() -> Router<AppState> {
    Router::new().route(
        "/community-budgets/{slug}/propose",
        get(propose_form).post(propose),
    )
}

/// The officers' ideas page: add and review.
pub(super) fn officer_routes() -> Router<AppState> {
    Router::new()
        .route("/community-budgets/{slug}/ideas", get(ideas).post(add_idea))
        .route("/community-budgets/{slug}/ideas/{id}", post(review_idea))
}

#[derive(Template)]
#[template(path = "pb/propose.html")]
pub struct ProposePage {
    pub chrome: Chrome,
    pub p: ProcessView,
    pub title: String,
    pub description: String,
    pub cost: String,
    pub location: String,
    pub category: String,
    pub contact: String,
    pub errors: Vec<FieldError>,
    pub done: Option<i64>,
}

impl ProposePage {
    pub fn err(&self, f: &str) -> Option<&str> {
        error_for(&self.errors, f)
    }
}

pub async fn propose_form(
    State(state): State<AppState>,
    identity: Identity,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let p = load_public(&state, &identity, &slug).await?;
    let chrome = chrome(&state, &identity, SECTION, "Suggest an idea").await?;
    render(&ProposePage {
        chrome,
        p: ProcessView::new(&p),
        title: String::new(),
        description: String::new(),
        cost: String::new(),
        location: String::new(),
        category: String::new(),
        contact: String::new(),
        errors: vec![],
        done: None,
    })
}

/// An idea as typed: the public form and the officers' "add a project".
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct IdeaForm {
    pub title: String,
    pub description: String,
    /// Rough cost in pounds, as typed.
    pub cost: String,
    pub location: String,
    pub category: String,
    pub contact: String,
}

/// An officer's decision on an idea.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReviewForm {
    /// accept, reject or merge.
    decision: String,
    /// In pounds, as typed (accept).
    final_cost: String,
    reason: String,
    feasibility: String,
    /// A better name for the idea (accept; blank keeps it).
    title: String,
    /// The idea to merge into (merge).
    into: String,
}

/// Checks an idea's fields; shared by the public form and the officers' "add a project".
fn idea_from_form(f: &IdeaForm, errors: &mut Vec<FieldError>) -> NewProposal {
    let title = f.title.trim().to_string();
    let description = f.description.trim().to_string();
    if title.is_empty() {
        errors.push(FieldError::new("title", "Enter a short name for your idea"));
    } else if title.chars().count() > 120 {
        errors.push(FieldError::new(
            "title",
            "The name must be 120 characters or fewer",
        ));
    }
    if description.is_empty() {
        errors.push(FieldError::new("description", "Describe your idea"));
    } else if description.chars().count() > 3000 {
        errors.push(FieldError::new(
            "description",
            "The description must be 3,000 characters or fewer",
        ));
    }
    let cost_text = f.cost.trim();
    let rough = if cost_text.is_empty() {
        None
    } else {
        match parse_pounds(cost_text) {
            Some(p) if p > 0 => Some(p),
            _ => {
                errors.push(FieldError::new(
                    "cost",
                    "Enter a rough cost in pounds, like 2500, or leave it blank",
                ));
                None
            }
        }
    };
    for (k, v, max) in [
        ("location", &f.location, 200),
        ("category", &f.category, 60),
        ("contact", &f.contact, 200),
    ] {
        if v.chars().count() > max {
            errors.push(FieldError::new(
                k,
                format!("This must be {max} characters or fewer"),
            ));
        }
    }
    NewProposal {
        title,
        description,
        rough_cost_pence: rough,
        location: f.location.trim().to_string(),
        category: f.category.trim().to_string(),
        contact: f.contact.trim().to_string(),
    }
}

pub async fn propose(
    State(state): State<AppState>,
    identity: Identity,
    axum::Extension(addr): axum::Extension<ClientAddr>,
    Path(slug): Path<String>,
    Form(f): Form<IdeaForm>,
) -> Result<Response, AppError> {
    let p = load_public(&state, &identity, &slug).await?;
    let chrome = chrome(&state, &identity, SECTION, "Suggest an idea").await?;
    let mut errors = Vec::new();
    if let Err(why) = Action::SuggestIdea.allowed(who(&identity), p.phase) {
        errors.push(FieldError::new("title", why));
    }
    let key = client_key(&addr, "idea");
    // The idea is reserved against the address's limit before it is stored (released if the form
    // has errors), so a burst of submissions cannot pass the limit.
    let reservation = state
        .store
        .reserve_attempt(&[(key.as_str(), MAX_PROPOSALS)], LIMIT_WINDOW_SECONDS)
        .await?;
    if reservation.is_none() {
        errors.push(FieldError::new(
            "title",
            "You have sent several ideas in the last few minutes. Wait 15 minutes and try again",
        ));
    }
    let np = idea_from_form(&f, &mut errors);
    let mut page = ProposePage {
        chrome,
        p: ProcessView::new(&p),
        title: np.title.clone(),
        description: np.description.clone(),
        cost: f.cost.clone(),
        location: np.location.clone(),
        category: np.category.clone(),
        contact: np.contact.clone(),
        errors,
        done: None,
    };
    if !page.errors.is_empty() {
        if let Some(r) = reservation {
            state.store.release_attempt(r).await?;
        }
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    // The reservation stands: the limit is on ideas per address.
    let id = state
        .store
        .submit_pb_proposal(&Actor::system("public"), p.id, &np)
        .await?;
    let number = state.store.pb_proposal(id).await?.map_or(id, |i| i.number);
    page.done = Some(number);
    page.title.clear();
    page.description.clear();
    page.cost.clear();
    page.location.clear();
    page.category.clear();
    page.contact.clear();
    render(&page)
}

#[derive(Template)]
#[template(path = "pb/ideas.html")]
pub struct IdeasPage {
    pub chrome: Chrome,
    pub p: ProcessView,
    pub ideas: Vec<(IdeaView, String, String)>,
    /// Ideas still open, to merge into: (id, number, title).
    pub open: Vec<(i64, i64, String)>,
    pub errors: Vec<FieldError>,
    pub notice: Option<String>,
    pub locked: bool,
    /// The "add a project" form as typed, shown again with its errors.
    pub f: IdeaForm,
}

impl IdeasPage {
    pub fn err(&self, f: &str) -> Option<&str> {
        error_for(&self.errors, f)
    }
}

async fn ideas_page(
    state: &AppState,
    identity: &Identity,
    p: &PbProcess,
    errors: Vec<FieldError>,
    notice: Option<String>,
    f: IdeaForm,
) -> Result<Response, AppError> {
    let all = state.store.pb_proposals(p.id).await?;
    let open = all
        .iter()
        .filter(|i| {
            matches!(
                i.status,
                ProposalStatus::Submitted | ProposalStatus::Accepted
            )
        })
        .map(|i| (i.id, i.number, i.title.clone()))
        .collect();
    let ideas = all
        .iter()
        .map(|i| {
            (
                idea_view(i, &all),
                i.feasibility.clone(),
                i.final_cost_pence
                    .or(i.rough_cost_pence)
                    .map(|c| levers_core::Money::from_pence(c).to_plain())
                    .unwrap_or_default(),
            )
        })
        .collect();
    let chrome = chrome(state, identity, SECTION, &format!("Ideas: {}", p.def.name)).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(
        status,
        &IdeasPage {
            chrome,
            p: ProcessView::new(p),
            ideas,
            open,
            errors,
            notice,
            locked: !p.phase.allows(Who::Officer, Action::ChangeBallot),
            f,
        },
    )
}

pub async fn ideas(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let p = load(&state, &slug).await?;
    ideas_page(&state, &identity, &p, vec![], None, IdeaForm::default()).await
}

/// An officer adds a project directly (for example from a public meeting).
pub async fn add_idea(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(slug): Path<String>,
    Form(f): Form<IdeaForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let p = load(&state, &slug).await?;
    let mut errors = Vec::new();
    let np = idea_from_form(&f, &mut errors);
    if let Err(why) = Action::ChangeBallot.allowed(Who::Officer, p.phase) {
        errors.push(FieldError::new("title", why));
    }
    if !errors.is_empty() {
        return ideas_page(&state, &identity, &p, errors, None, f).await;
    }
    let id = state
        .store
        .submit_pb_proposal(&actor(&me), p.id, &np)
        .await?;
    let number = state.store.pb_proposal(id).await?.map_or(id, |i| i.number);
    let done = format!("Idea {number} added");
    ideas_page(
        &state,
        &identity,
        &p,
        vec![],
        Some(done),
        IdeaForm::default(),
    )
    .await
}

/// Every review problem is shown at the top of the ideas page, under this key.
const REVIEW: &str = "review";

pub async fn review_idea(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path((slug, id)): Path<(String, i64)>,
    Form(f): Form<ReviewForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let p = load(&state, &slug).await?;
    let idea = state
        .store
        .pb_proposal(id)
        .await?
        .filter(|i| i.process_id == p.id)
        .ok_or(AppError::NotFound)?;
    let n = idea.number;
    let reason = f.reason.trim().to_string();
    let feasibility = f.feasibility.trim().to_string();
    let refused = |message: String| {
        let errors = vec![FieldError::new(REVIEW, message)];
        ideas_page(&state, &identity, &p, errors, None, IdeaForm::default())
    };
    let review = match f.decision.as_str() {
        "accept" => match parse_pounds(&f.final_cost) {
            Some(c) if c > 0 => Review::Accept {
                final_cost_pence: c,
                reason,
                feasibility,
                title: f.title.clone(),
            },
            _ => {
                return refused(format!(
                    "Enter the final cost of idea {n} in pounds to accept it"
                ))
                .await;
            }
        },
        "reject" if reason.is_empty() => {
            return refused(format!(
                "Give the reason idea {n} is not taken forward: it is published"
            ))
            .await;
        }
        "reject" => Review::Reject {
            reason,
            feasibility,
        },
        "merge" => match f.into.parse::<i64>() {
            Ok(into) => Review::Merge { into, reason },
            Err(_) => return refused(format!("Choose the idea to merge idea {n} into")).await,
        },
        _ => return Err(AppError::NotFound),
    };
    match state
        .store
        .review_pb_proposal(&actor(&me), idea.id, &review)
        .await
    {
        Ok(i) => {
            let done = format!("Idea {}: {}", i.number, i.status.label());
            ideas_page(
                &state,
                &identity,
                &p,
                vec![],
                Some(done),
                IdeaForm::default(),
            )
            .await
        }
        Err(levers_store::StoreError::Conflict(m)) => refused(m).await,
        Err(e) => Err(e.into()),
    }
}
