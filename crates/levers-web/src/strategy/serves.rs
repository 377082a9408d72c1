//! "Which objectives does it serve?": one page for any record that serves the strategy by
//! reference (a community budget idea, an appraisal, a commissioning activity, or a body's spend,
//! all of it or one category), ticking objectives rather than typing them. Officers change it;
//! the store audits it.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use levers_store::strategy::{LinkKind, ObjectiveChoice};
use serde::Deserialize;

use super::common::SECTION;
use crate::auth::{actor, require_officer};
use crate::error::AppError;
use crate::form::Form;
use crate::identity::{CurrentUser, Identity};
use crate::layout::Chrome;
use crate::page::{chrome, render};
use crate::state::AppState;

/// What is being linked, its name and the page to go back to.
struct Target {
    kind: Option<LinkKind>,
    id: i64,
    spend: Option<(String, String)>,
    what: String,
    back: String,
}

async fn target(state: &AppState, kind: &str, id: i64) -> Result<Target, AppError> {
    let store = &state.store;
    let (kind, what, back) = match kind {
        "idea" => {
            let p = store.pb_proposal(id).await?.ok_or(AppError::NotFound)?;
            let slug = store
                .pb_process(p.process_id)
                .await?
                .map(|p| p.def.slug)
                .unwrap_or_default();
            (
                LinkKind::PbProposal,
                format!("Community budget idea: {}", p.title),
                format!("/community-budgets/{slug}/ideas#idea-{id}"),
            )
        }
        "appraisal" => {
            let a = store.appraisal(id).await?.ok_or(AppError::NotFound)?;
            (
                LinkKind::Appraisal,
                format!("Appraisal: {}", a.model.name),
                format!("/appraisals/{id}"),
            )
        }
        "activity" => {
            let a = store.coproduction_activity(id).await?.ok_or(AppError::NotFound)?;
            (
                LinkKind::Coproduction,
                format!(
                    "Commissioning activity {}: {}",
                    a.activity.reference, a.activity.service
                ),
                format!("/co-production/register/{id}"),
            )
        }
        _ => return Err(AppError::NotFound),
    };
    Ok(Target {
        kind: Some(kind),
        id,
        spend: None,
        what,
        back,
    })
}

#[derive(Template)]
#[template(path = "strategy/serves.html")]
pub struct ServesPage {
    pub chrome: Chrome,
    pub what: String,
    pub back: String,
    pub action: String,
    pub choices: Vec<ObjectiveChoice>,
    pub chosen: Vec<i64>,
}

impl ServesPage {
    pub fn is_chosen(&self, id: &i64) -> bool {
        self.chosen.contains(id)
    }
}

async fn page(state: &AppState, identity: &Identity, t: Target, action: String) -> Result<Response, AppError> {
    let chosen = match (&t.kind, &t.spend) {
        (Some(k), _) => state.store.linked_objectives(*k, t.id).await?,
        (None, Some((b, c))) => state.store.spend_objectives(b, c).await?,
        _ => vec![],
    };
    let chrome = chrome(state, identity, SECTION, "Objectives it serves").await?;
    render(&ServesPage {
        chrome,
        what: t.what,
        back: t.back,
        action,
        choices: state.store.objective_choices().await?,
        chosen,
    })
}

/// The ticked objectives.
#[derive(Deserialize, Default)]
pub struct ServesForm {
    #[serde(default)]
    objective: Vec<i64>,
}

async fn save(state: &AppState, me: &levers_store::User, t: &Target, objectives: &[i64]) -> Result<(), AppError> {
    let known: Vec<i64> = state.store.objective_choices().await?.iter().map(|c| c.id).collect();
    if objectives.iter().any(|o| !known.contains(o)) {
        return Err(AppError::BadRequest("an objective chosen is no longer recorded: go back and choose again".into()));
    }
    match (&t.kind, &t.spend) {
        (Some(k), _) => state.store.set_linked_objectives(&actor(me), *k, t.id, objectives).await?,
        (None, Some((b, c))) => state.store.set_spend_objectives(&actor(me), b, c, objectives).await?,
        _ => {}
    }
    Ok(())
}

pub async fn serves(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path((kind, id)): Path<(String, i64)>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let t = target(&state, &kind, id).await?;
    page(&state, &identity, t, format!("/strategy/serves/{kind}/{id}")).await
}

pub async fn set_serves(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path((kind, id)): Path<(String, i64)>,
    Form(form): Form<ServesForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let t = target(&state, &kind, id).await?;
    save(&state, &me, &t, &form.objective).await?;
    Ok(Redirect::to(&t.back).into_response())
}

/// A body's spend (`?body=`), or one of its categories (`&category=`).
#[derive(Deserialize, Default)]
pub struct SpendQuery {
    #[serde(default)]
    body: String,
    #[serde(default)]
    category: String,
}

async fn spend_target(state: &AppState, q: &SpendQuery) -> Result<Target, AppError> {
    let body = q.body.trim().to_string();
    if !state.store.spend_bodies().await?.contains(&body) {
        return Err(AppError::NotFound);
    }
    let category = q.category.trim().to_string();
    let what = if category.is_empty() {
        format!("All of {body}'s spend")
    } else {
        format!("{body}'s spend on {category}")
    };
    Ok(Target {
        kind: None,
        id: 0,
        spend: Some((body, category)),
        what,
        back: "/procurement/analysis".into(),
    })
}

fn spend_action(q: &SpendQuery) -> String {
    let enc = |s: &str| -> String { form_urlencoded::byte_serialize(s.trim().as_bytes()).collect() };
    format!("/strategy/serves/spend?body={}&category={}", enc(&q.body), enc(&q.category))
}

pub async fn serves_spend(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Query(q): Query<SpendQuery>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let t = spend_target(&state, &q).await?;
    page(&state, &identity, t, spend_action(&q)).await
}

pub async fn set_serves_spend(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Query(q): Query<SpendQuery>,
    Form(form): Form<ServesForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let t = spend_target(&state, &q).await?;
    save(&state, &me, &t, &form.objective).await?;
    Ok((StatusCode::SEE_OTHER, [(axum::http::header::LOCATION, t.back)]).into_response())
}
