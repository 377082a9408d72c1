//! The public list of community budgets and each process's page.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use levers_pb::process::{Action, Phase};

use super::common::{IdeaView, ProcessView, SECTION, idea_view, is_officer, load_public, may, who};
use crate::error::AppError;
use crate::identity::Identity;
use crate::layout::Chrome;
use crate::page::{chrome, render};
use crate::show::money_short;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/community-budgets", get(index))
        .route("/community-budgets/{slug}", get(process_page))
}

/// A process in the list.
pub struct ProcessCard {
    pub slug: String,
    pub name: String,
    pub area_name: String,
    pub pot: String,
    pub phase_label: &'static str,
    pub setup: bool,
}

#[derive(Template)]
#[template(path = "pb/index.html")]
pub struct IndexPage {
    pub chrome: Chrome,
    pub processes: Vec<ProcessCard>,
    pub officer: bool,
    /// The section's other tools (appraisals, pooled budgets …), for signed-in accounts.
    pub tools: Vec<(&'static str, &'static str, &'static str)>,
}

pub async fn index(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, AppError> {
    let officer = is_officer(&identity);
    let processes = state
        .store
        .pb_processes()
        .await?
        .into_iter()
        .filter(|p| p.phase.allows(who(&identity), Action::SeeProcess))
        .map(|p| ProcessCard {
            slug: p.def.slug.clone(),
            name: p.def.name.clone(),
            area_name: p.def.area_name.clone(),
            pot: money_short(p.def.pot_pence),
            phase_label: p.phase.label(),
            setup: p.phase == Phase::Setup,
        })
        .collect();
    let tools = if identity.user().is_some() {
        crate::shell::section_links(SECTION)
            .iter()
            .copied()
            .filter(|l| l.0 != "/community-budgets")
            .collect()
    } else {
        Vec::new()
    };
    let chrome = chrome(&state, &identity, SECTION, "Community budgets").await?;
    render(&IndexPage {
        chrome,
        processes,
        officer,
        tools,
    })
}

#[derive(Template)]
#[template(path = "pb/process.html")]
pub struct ProcessPage {
    pub chrome: Chrome,
    pub p: ProcessView,
    pub ideas: Vec<IdeaView>,
    pub officer: bool,
}

pub async fn process_page(
    State(state): State<AppState>,
    identity: Identity,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let p = load_public(&state, &identity, &slug).await?;
    let ideas = if may(&identity, &p, Action::ReadIdeas) {
        let all = state.store.pb_proposals(p.id).await?;
        all.iter().map(|i| idea_view(i, &all)).collect()
    } else {
        Vec::new()
    };
    let chrome = chrome(&state, &identity, SECTION, &p.def.name).await?;
    render(&ProcessPage {
        chrome,
        p: ProcessView::new(&p),
        ideas,
        officer: is_officer(&identity),
    })
}
