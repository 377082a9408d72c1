//! One opportunity for officers: its details, who locally could bid (with the evidence for each),
//! the advice on how to buy it, and the form to correct a match (officers; CSRF; audited).

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use levers_app::contracts::{OpportunityDetail, opportunity as detail};
use levers_contracts::model::opt_date::iso;
use levers_present::procurement_report::url;
use levers_store::StoreError;
use serde::Deserialize;

use super::common::{href, load, today};
use crate::auth::{actor, require_officer};
use crate::error::AppError;
use crate::form::Form;
use crate::identity::{CurrentUser, Identity};
use crate::layout::Chrome;
use crate::page::{chrome, render};
use crate::show::money;

#[derive(Deserialize)]
pub struct KeyQuery {
    pub key: String,
    #[serde(default)]
    pub done: Option<String>,
}

/// A contract's facts as label and value pairs.
pub(super) fn facts(d: &OpportunityDetail) -> Vec<(&'static str, String)> {
    let c = &d.contract;
    let date = |x: Option<time::Date>| x.map(iso).unwrap_or_else(|| "not given".into());
    let m = |x: Option<levers_core::Money>| {
        x.map(|v| money(v.pence()))
            .unwrap_or_else(|| "not given".into())
    };
    let mut out = vec![
        ("Buyer", c.buyer.clone()),
        ("Reference", c.reference.clone()),
        ("Stage", c.stage.label().to_string()),
        ("Value (net of VAT)", m(c.value_net)),
        ("Value (with VAT)", m(c.value_gross)),
        ("Starts", date(c.start)),
        ("Ends", date(c.end_date())),
        ("Latest end with extensions", date(c.max_extent)),
        ("Review or extension decision", date(c.review)),
        ("Bids close", date(c.tender_end)),
        ("CPV codes", c.cpv.join(", ")),
        ("Procedure", c.procedure.clone()),
    ];
    if let Some(n) = &c.notice_type {
        out.push((
            "Notice",
            format!("{n}: {}", levers_contracts::ocds::flatten::notice_name(n)),
        ));
    }
    if !c.suppliers.is_empty() {
        out.push((
            "Current suppliers",
            c.suppliers
                .iter()
                .map(|s| s.name.clone())
                .collect::<Vec<_>>()
                .join("; "),
        ));
    }
    if !c.renewal.is_empty() {
        out.push(("Renewal", c.renewal.clone()));
    }
    out.retain(|(_, v)| !v.is_empty());
    out
}

#[derive(Template)]
#[template(path = "contracts/opportunity.html")]
pub struct OpportunityPage {
    pub chrome: Chrome,
    pub d: OpportunityDetail,
    pub key: String,
    pub key_url: String,
    pub facts: Vec<(&'static str, String)>,
    pub leak: Option<String>,
    pub can_change: bool,
    pub done: bool,
    /// Candidates an officer may add: (key, name), local and wider-area ones not already matched.
    pub addable: Vec<(String, String)>,
    pub warnings: Vec<String>,
}

impl OpportunityPage {
    pub fn money(&self, p: &i64) -> String {
        money(*p)
    }
}

pub async fn opportunity(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Query(q): Query<KeyQuery>,
) -> Result<Response, AppError> {
    let (ops, ev) = load(&state).await?;
    let Some(d) = detail(&state.store, &q.key, &ev.candidates, &ev.area_name, today()).await?
    else {
        return Err(AppError::NotFound);
    };
    let leak = ops
        .iter()
        .find(|o| o.key == q.key)
        .and_then(|o| o.leak.as_ref())
        .map(|l| l.reason());
    let addable = ev
        .candidates
        .iter()
        .filter(|c| (c.local || c.wider) && !d.matches.iter().any(|m| m.key == c.key))
        .map(|c| (c.key.clone(), c.name.clone()))
        .collect();
    let title = if d.contract.title.is_empty() {
        d.contract.reference.clone()
    } else {
        d.contract.title.clone()
    };
    let chrome = chrome(&state, &identity, "procurement", &title).await?;
    render(&OpportunityPage {
        chrome,
        facts: facts(&d),
        key_url: url(&q.key),
        key: q.key,
        leak,
        can_change: me.role.allows(levers_store::Role::Officer),
        done: q.done.is_some(),
        addable,
        warnings: d.contract.warnings.clone(),
        d,
    })
}

#[derive(Deserialize)]
pub struct CorrectForm {
    pub key: String,
    pub candidate: String,
    /// `add` or `remove`.
    pub choice: String,
    #[serde(default)]
    pub note: String,
}

pub async fn correct(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Form(f): Form<CorrectForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let include = match f.choice.as_str() {
        "add" => true,
        "remove" => false,
        _ => return Err(AppError::NotFound),
    };
    match state
        .store
        .correct_match(&actor(&me), &f.key, &f.candidate, include, &f.note)
        .await
    {
        Ok(()) => {}
        Err(StoreError::NotFound(_) | StoreError::Invalid(_)) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&format!("{}&done=1", href(&f.key))).into_response())
}

use crate::state::AppState;
