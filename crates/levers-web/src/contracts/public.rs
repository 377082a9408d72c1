//! The public *Opportunities* page for local businesses and charities (no sign-in, filtered on the
//! server by a GET form) and its Atom and JSON feeds. It lists what the council plans to buy, what
//! is open for bids and contracts coming up for renewal; supplier matching stays with officers.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use levers_app::contracts::pipeline;
use levers_contracts::model::opt_date::iso;
use levers_contracts::pipeline::{DEFAULT_HORIZON_MONTHS, Opportunity, Why};
use serde::Deserialize;

use super::common::{Row, row, today};
use crate::charts::esc;
use crate::error::AppError;
use crate::identity::Identity;
use crate::layout::Chrome;
use crate::page::{chrome, render};
use crate::state::AppState;

#[derive(Deserialize, Default)]
pub struct Filters {
    /// Words in the title, buyer or category.
    #[serde(default)]
    pub q: String,
    /// `planned`, `open`, `renewal_decision`, `ending` or empty for all.
    #[serde(default)]
    pub kind: String,
    /// Largest value in whole pounds, or empty.
    #[serde(default)]
    pub max: String,
}

fn wanted(o: &Opportunity, f: &Filters) -> bool {
    let q = f.q.trim().to_lowercase();
    let text_ok = q.is_empty()
        || [&o.title, &o.buyer, &o.category]
            .iter()
            .any(|t| t.to_lowercase().contains(&q));
    let kind_ok = match f.kind.as_str() {
        "planned" => o.why == Why::Planned,
        "open" => o.why == Why::Open,
        "renewal_decision" => o.why == Why::RenewalDecision,
        "ending" => o.why == Why::Ending,
        _ => true,
    };
    let max_ok = match levers_present::show::parse_pounds(&f.max) {
        Some(m) if !f.max.trim().is_empty() => o.value.is_some_and(|v| v.pence() <= m),
        _ => true,
    };
    text_ok && kind_ok && max_ok
}

async fn public_list(state: &AppState, f: &Filters) -> Result<Vec<Opportunity>, AppError> {
    let mut ops = pipeline(&state.store, today(), DEFAULT_HORIZON_MONTHS, Vec::new()).await?;
    ops.retain(|o| wanted(o, f));
    Ok(ops)
}

#[derive(Template)]
#[template(path = "contracts/public.html")]
pub struct PublicPage {
    pub chrome: Chrome,
    pub rows: Vec<Row>,
    pub q: String,
    pub kind: String,
    pub max: String,
    pub max_error: bool,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub feed_query: String,
}

pub async fn opportunities(
    State(state): State<AppState>,
    identity: Identity,
    Query(f): Query<Filters>,
) -> Result<Response, AppError> {
    let max_error =
        !f.max.trim().is_empty() && levers_present::show::parse_pounds(&f.max).is_none();
    let ops = public_list(&state, &f).await?;
    let chrome = chrome(
        &state,
        &identity,
        "procurement",
        "Opportunities to sell to the council",
    )
    .await?;
    render(&PublicPage {
        chrome,
        rows: ops.iter().map(row).collect(),
        feed_query: levers_present::procurement_report::url(&f.q),
        q: f.q,
        kind: f.kind,
        max: f.max,
        max_error,
        kinds: vec![
            ("", "All"),
            ("planned", "Planned"),
            ("open", "Open for bids"),
            ("renewal_decision", "Renewal decision due"),
            ("ending", "Contract ends"),
        ],
    })
}

fn entry_text(o: &Opportunity) -> String {
    let mut s = format!(
        "{}: {}",
        o.why.label(),
        o.date.map(iso).unwrap_or_else(|| "date not given".into())
    );
    if let Some(v) = o.value {
        s.push_str(&format!(". Value {v}"));
    }
    if !o.category.is_empty() {
        s.push_str(&format!(". {}", o.category));
    }
    if !o.buyer.is_empty() {
        s.push_str(&format!(". Buyer: {}", o.buyer));
    }
    s
}

/// Atom 1.0.
pub async fn atom(
    State(state): State<AppState>,
    Query(f): Query<Filters>,
) -> Result<Response, AppError> {
    let ops = public_list(&state, &f).await?;
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let council = state
        .store
        .setting(levers_store::settings::COUNCIL_NAME)
        .await?
        .unwrap_or_default();
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n",
    );
    x.push_str(&format!(
        "<title>{}</title>\n<id>urn:levers:opportunities</id>\n<updated>{now}</updated>\n<link rel=\"alternate\" href=\"/opportunities\"/>\n",
        esc(&format!("Opportunities: {council}"))
    ));
    for o in &ops {
        let link = o
            .url
            .clone()
            .unwrap_or_else(|| "/opportunities".to_string());
        x.push_str(&format!(
            "<entry><title>{}</title><id>urn:levers:contract:{}</id><updated>{now}</updated><link href=\"{}\"/><summary>{}</summary></entry>\n",
            esc(&o.title),
            esc(&o.key),
            esc(&link),
            esc(&entry_text(o))
        ));
    }
    x.push_str("</feed>\n");
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        x,
    )
        .into_response())
}

/// JSON Feed 1.1, each item with levers' own figures under `_levers` (value in pence).
pub async fn json_feed(
    State(state): State<AppState>,
    Query(f): Query<Filters>,
) -> Result<Response, AppError> {
    let ops = public_list(&state, &f).await?;
    let items: Vec<serde_json::Value> = ops
        .iter()
        .map(|o| {
            serde_json::json!({
                "id": o.key,
                "url": o.url,
                "title": o.title,
                "content_text": entry_text(o),
                "date_published": o.date.map(|d| format!("{}T00:00:00Z", iso(d))),
                "_levers": {
                    "why": o.why, "stage": o.stage, "value_pence": o.value.map(|v| v.pence()),
                    "cpv": o.cpv, "category": o.category, "buyer": o.buyer, "notice_type": o.notice_type,
                }
            })
        })
        .collect();
    let body = serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Opportunities",
        "home_page_url": "/opportunities",
        "feed_url": "/opportunities.json",
        "items": items,
    });
    Ok((
        [(header::CONTENT_TYPE, "application/feed+json; charset=utf-8")],
        body.to_string(),
    )
        .into_response())
}
