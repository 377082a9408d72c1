//! The public place view: an admin publishes the council's place view (audited as a setting), and
//! only then may anyone read `/public/places` and each ward's and neighbourhood's view without
//! signing in. They show what the signed-in view shows (aggregate figures, people counted only at
//! or above the safe count) without links to the officers' pages; unpublished, they are 404s.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use levers_core::AreaCode;
use levers_store::settings::PUBLISHED_PLACE_VIEW;
use serde::Deserialize;

use super::levers::{LeverQuery, page};
use crate::AppState;
use crate::auth::{actor, require_admin};
use crate::error::AppError;
use crate::form::Form;
use crate::identity::{CurrentUser, Identity};

/// The publish form: `publish=yes` publishes, anything else withdraws.
#[derive(Deserialize, Default)]
pub struct PublishForm {
    #[serde(default)]
    publish: String,
}

/// Publishes or withdraws the council's place view (admins only).
pub async fn publish(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Form(form): Form<PublishForm>,
) -> Result<Response, AppError> {
    require_admin(&me)?;
    let value = if form.publish == "yes" { "yes" } else { "" };
    state
        .store
        .set_setting(&actor(&me), PUBLISHED_PLACE_VIEW, value)
        .await?;
    Ok(Redirect::to("/places/levers").into_response())
}

async fn published(state: &AppState) -> Result<(), AppError> {
    if crate::strategy::place_view_published(state).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// The council's public place view.
pub async fn council(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<LeverQuery>,
) -> Result<Response, AppError> {
    published(&state).await?;
    page(state, identity, None, q, true).await
}

/// A ward's or neighbourhood's public place view.
pub async fn area(
    State(state): State<AppState>,
    identity: Identity,
    Path(code): Path<String>,
    Query(q): Query<LeverQuery>,
) -> Result<Response, AppError> {
    published(&state).await?;
    let code = AreaCode::parse(&code).map_err(|_| AppError::NotFound)?;
    page(state, identity, Some(code), q, true).await
}
