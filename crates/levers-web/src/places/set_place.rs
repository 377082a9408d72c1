//! Choosing where a lever's record is: a community budget idea, a commissioning activity (council-
//! wide, a ward or a neighbourhood from the loaded geography) or a participant (where they live: a
//! ward only, the least that places them). Officers only; every change is audited by the store.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use levers_app::place::links::{
    PlaceChoice, check_place, council_districts, place_choices, place_label,
};
use levers_store::places::links::PlaceTarget;
use serde::Deserialize;

use crate::AppState;
use crate::auth::{actor, require_officer};
use crate::error::AppError;
use crate::form::Form;
use crate::identity::{CurrentUser, Identity};
use crate::layout::{Chrome, FieldError};
use crate::page::{chrome, render_status};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PlaceForm {
    place: String,
}

#[derive(Template)]
#[template(path = "places/set_place.html")]
pub struct SetPlacePage {
    pub chrome: Chrome,
    pub what: String,
    pub back: String,
    pub current: String,
    pub chosen: String,
    pub choices: Vec<PlaceChoice>,
    pub groups: Vec<&'static str>,
    pub hint: &'static str,
    pub errors: Vec<FieldError>,
}

crate::layout::field_errors!(SetPlacePage);

/// The record named by the path: its kind, a description and the page to go back to.
async fn record(
    state: &AppState,
    kind: &str,
    id: i64,
) -> Result<(PlaceTarget, String, String), AppError> {
    match kind {
        "idea" => {
            let idea = state
                .store
                .pb_proposal(id)
                .await?
                .ok_or(AppError::NotFound)?;
            let process = state
                .store
                .pb_process(idea.process_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let typed = if idea.location.is_empty() {
                String::new()
            } else {
                format!(" (typed as \"{}\")", idea.location)
            };
            Ok((
                PlaceTarget::Proposal,
                format!("Community budget idea {id}: {}{typed}", idea.title),
                format!("/community-budgets/{}/ideas#idea-{id}", process.def.slug),
            ))
        }
        "activity" => {
            let a = state
                .store
                .coproduction_activity(id)
                .await?
                .ok_or(AppError::NotFound)?;
            Ok((
                PlaceTarget::Activity,
                format!(
                    "Commissioning activity {}: {}",
                    a.activity.reference, a.activity.service
                ),
                format!("/co-production/register/{id}"),
            ))
        }
        "participant" => {
            let p = state
                .store
                .participant(id)
                .await?
                .ok_or(AppError::NotFound)?;
            if p.anonymised_at.is_some() {
                return Err(AppError::NotFound);
            }
            Ok((
                PlaceTarget::Participant,
                format!("Where participant {id} lives"),
                format!("/co-production/participants/{id}"),
            ))
        }
        _ => Err(AppError::NotFound),
    }
}

async fn page(
    state: &AppState,
    identity: &Identity,
    kind: &str,
    id: i64,
    chosen: Option<String>,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let (target, what, back) = record(state, kind, id).await?;
    let geo = state.geo.get(&state.store).await?;
    let districts = council_districts(&state.store).await?;
    let mut choices = place_choices(&geo, &districts);
    let current = state
        .store
        .place_codes(target)
        .await?
        .into_iter()
        .find(|(i, _)| *i == id)
        .and_then(|(_, c)| c);
    let (groups, hint) = if target == PlaceTarget::Participant {
        choices.retain(|c| c.group == "Wards");
        (
            vec!["Wards"],
            "Only the ward is recorded: it is enough to count people by place, and counts under ten are never shown.",
        )
    } else {
        (
            vec!["Council-wide", "Wards", "Neighbourhoods (LSOAs)"],
            "Choose council-wide when it serves the whole council area.",
        )
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(
        status,
        &SetPlacePage {
            chrome: chrome(state, identity, "places", "Where is it?").await?,
            current: place_label(&geo, current.as_deref()),
            chosen: chosen.or(current).unwrap_or_default(),
            what,
            back,
            choices,
            groups,
            hint,
            errors,
        },
    )
}

pub async fn form(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path((kind, id)): Path<(String, i64)>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    page(&state, &identity, &kind, id, None, vec![]).await
}

pub async fn save(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path((kind, id)): Path<(String, i64)>,
    Form(f): Form<PlaceForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let (target, _, back) = record(&state, &kind, id).await?;
    let geo = state.geo.get(&state.store).await?;
    let checked = check_place(&geo, &f.place).and_then(|c| match (target, c.as_deref()) {
        (PlaceTarget::Participant, Some(code)) if !is_ward(code) => {
            Err("Choose the ward the person lives in".to_string())
        }
        _ => Ok(c),
    });
    match checked {
        Ok(code) => {
            state
                .store
                .set_place_code(&actor(&me), target, id, code.as_deref())
                .await?;
            Ok(Redirect::to(&back).into_response())
        }
        Err(msg) => {
            page(
                &state,
                &identity,
                &kind,
                id,
                Some(f.place.clone()),
                vec![FieldError::new("place", msg)],
            )
            .await
        }
    }
}

fn is_ward(code: &str) -> bool {
    levers_core::AreaCode::parse(code).is_ok_and(|c| c.kind() == levers_core::AreaKind::Ward)
}
