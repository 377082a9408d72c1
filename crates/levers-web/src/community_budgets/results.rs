//! The explained result (preview for officers, public once published) and its Pabulib file.

use crate::page::attachment;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use levers_pb::process::{Action, BallotType};
use levers_store::pb_process::{DELIVERY_STATUSES, PbProcess};

use super::common::{ProcessView, SECTION, load_public, may};
use crate::charts::{SupportBar, support_chart};
use crate::error::AppError;
use crate::identity::Identity;
use crate::layout::Chrome;
use crate::page::{chrome, render};
use crate::show::{money_short, pct};
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/community-budgets/{slug}/results", get(results))
        .route("/community-budgets/{slug}/results.pb", get(results_pb))
}

/// A project's line in the result.
pub struct ResultRow {
    pub id: i64,
    pub name: String,
    pub cost: String,
    pub votes: u64,
    pub score: Option<u64>,
    pub funded: bool,
    pub order: String,
    pub explanation: Vec<String>,
    pub delivery: Option<(String, String, String)>,
}

pub struct TurnoutRow {
    pub ward: String,
    pub issued: i64,
    pub voted: i64,
    pub percent: String,
}

#[derive(Template)]
#[template(path = "pb/results.html")]
pub struct ResultsPage {
    pub chrome: Chrome,
    pub p: ProcessView,
    pub published: bool,
    pub ballots: u64,
    pub spent: String,
    pub left: String,
    pub rule: Vec<String>,
    pub cli: String,
    pub share: Option<String>,
    pub rows: Vec<ResultRow>,
    pub chart: String,
    pub turnout: Vec<TurnoutRow>,
    pub score_label: &'static str,
    pub funded_count: usize,
}

async fn results_page(
    state: &AppState,
    identity: &Identity,
    p: &PbProcess,
) -> Result<Response, AppError> {
    // The same result and turnout the place view shows (levers_app::community_budget).
    let Some((stored, result)) = levers_app::community_budget::result(&state.store, p.id).await?
    else {
        return Err(AppError::NotFound);
    };
    let delivery = state.store.pb_delivery(p.id).await?;
    let score_label = match p.def.ballot {
        BallotType::Cumulative { .. } => "points",
        BallotType::Ranking { .. } => "rank score",
        _ => "votes",
    };
    let mut rows: Vec<ResultRow> = result
        .projects
        .iter()
        .map(|r| ResultRow {
            id: r.id,
            name: r.name.clone(),
            cost: money_short(r.cost_pence),
            votes: r.votes,
            score: r.score,
            funded: r.funded,
            order: r.funded_order.map_or_else(String::new, |o| o.to_string()),
            explanation: r.explanation.clone(),
            delivery: delivery.iter().find(|d| d.proposal_id == r.id).map(|d| {
                let label = DELIVERY_STATUSES
                    .iter()
                    .find(|s| s.0 == d.status)
                    .map_or(d.status.as_str(), |s| s.1);
                (
                    label.to_string(),
                    money_short(d.spent_pence),
                    d.note.clone(),
                )
            }),
        })
        .collect();
    rows.sort_by_key(|r| {
        (
            !r.funded,
            r.order.parse::<usize>().unwrap_or(usize::MAX),
            std::cmp::Reverse(r.score.unwrap_or(r.votes)),
        )
    });
    let bars: Vec<SupportBar> = rows
        .iter()
        .map(|r| SupportBar {
            name: &r.name,
            value: r.score.unwrap_or(r.votes),
            funded: r.funded,
        })
        .collect();
    let chart = support_chart(&bars, score_label);
    let turnout = levers_app::community_budget::turnout(&state.store, p.id)
        .await?
        .into_iter()
        .map(|t| {
            let voted = t.used_online + t.used_paper;
            TurnoutRow {
                ward: t
                    .ward_name
                    .or(t.ward_code)
                    .unwrap_or_else(|| "Ward not recorded".into()),
                issued: t.issued,
                voted,
                percent: if t.issued > 0 {
                    pct(voted as f64 / t.issued as f64)
                } else {
                    "–".into()
                },
            }
        })
        .collect();
    let chrome = chrome(
        state,
        identity,
        SECTION,
        &format!("Results: {}", p.def.name),
    )
    .await?;
    render(&ResultsPage {
        chrome,
        p: ProcessView::new(p),
        published: stored.published_at.is_some(),
        ballots: result.ballots,
        spent: money_short(result.spent_pence),
        left: money_short(result.pot_pence - result.spent_pence),
        rule: p.def.rule.plain_english(&p.def.ballot),
        cli: p.def.rule.cli_options().to_string(),
        share: result
            .share_per_voter_pence
            .map(|s| money_short(s.round() as i64)),
        funded_count: rows.iter().filter(|r| r.funded).count(),
        rows,
        chart,
        turnout,
        score_label,
    })
}

/// Published results for everyone; officers may preview a count before publishing.
pub async fn results(
    State(state): State<AppState>,
    identity: Identity,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let p = load_public(&state, &identity, &slug).await?;
    if !may(&identity, &p, Action::ReadResults) {
        return Err(AppError::NotFound);
    }
    results_page(&state, &identity, &p).await
}

pub async fn results_pb(
    State(state): State<AppState>,
    identity: Identity,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let p = load_public(&state, &identity, &slug).await?;
    if !may(&identity, &p, Action::ReadResults) {
        return Err(AppError::NotFound);
    }
    let r = state
        .store
        .pb_result(p.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(attachment(
        "text/plain; charset=utf-8",
        format!("{}.pb", p.def.slug),
        r.pb_text,
    ))
}
