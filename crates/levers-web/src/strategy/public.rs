//! Publishing: an admin's choice (audited by the store) to show a strategy on the council's public
//! pages, and the public, read-only page of a published strategy: its report with every objective's
//! status, measures, trajectory charts and tables, aggregate figures only. Nothing unpublished is
//! shown to the public: an unpublished or unknown strategy is a 404.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use levers_present::strategy_report::StrategyReport;
use levers_store::settings::PUBLISHED_PLACE_VIEW;
use serde::Deserialize;

use super::common::{SECTION, load};
use crate::auth::{actor, require_admin};
use crate::error::AppError;
use crate::form::Form;
use crate::identity::{CurrentUser, Identity};
use crate::layout::Chrome;
use crate::page::{chrome, render};
use crate::state::AppState;

/// The publish form: `publish=yes` publishes, anything else withdraws.
#[derive(Deserialize, Default)]
pub struct PublishForm {
    #[serde(default)]
    publish: String,
}

/// Publishes or withdraws a strategy (admins only), back to its overview with a notice.
pub async fn publish(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(sid): Path<i64>,
    Form(form): Form<PublishForm>,
) -> Result<Response, AppError> {
    require_admin(&me)?;
    let yes = form.publish == "yes";
    state
        .store
        .set_strategy_published(&actor(&me), sid, yes)
        .await?;
    let saved = if yes { "published" } else { "withdrawn" };
    Ok(Redirect::to(&format!("/strategy/{sid}?saved={saved}")).into_response())
}

/// Whether the council has published its place view.
pub(crate) async fn place_view_published(state: &AppState) -> Result<bool, AppError> {
    Ok(state.store.setting(PUBLISHED_PLACE_VIEW).await?.as_deref() == Some("yes"))
}

#[derive(Template)]
#[template(path = "strategy/public.html")]
pub struct PublicPage {
    pub chrome: Chrome,
    pub r: StrategyReport,
    /// The public place view is published too: link to it.
    pub places: bool,
}

/// The published strategies: straight to the only one, else a 404 when there is none (the public
/// sees nothing a council has not chosen to publish).
pub async fn public_index(State(state): State<AppState>) -> Result<Response, AppError> {
    let published: Vec<i64> = state
        .store
        .strategies()
        .await?
        .into_iter()
        .filter(|s| s.published)
        .map(|s| s.id)
        .collect();
    match published.first() {
        Some(id) => Ok(Redirect::to(&format!("/public/strategy/{id}")).into_response()),
        None => Err(AppError::NotFound),
    }
}

/// A published strategy's public page (no sign-in).
pub async fn public_strategy(
    State(state): State<AppState>,
    identity: Identity,
    Path(sid): Path<i64>,
) -> Result<Response, AppError> {
    let mut r = load(&state, sid).await?;
    if !r.v.published {
        return Err(AppError::NotFound);
    }
    // Objectives are sections of this page, not links to the officers' pages.
    r.link_base = None;
    let places = place_view_published(&state).await?;
    let chrome = chrome(&state, &identity, SECTION, &r.v.name).await?;
    render(&PublicPage { chrome, r, places })
}
