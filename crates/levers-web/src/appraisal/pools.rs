//! Pooled budgets: the list, one pool's report (contributions, lines, quarters, benefit shares,
//! the community budget votes it funds) and the one form that changes a pool.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use levers_appraisal::pooled::{Funds, PoolReport};
use levers_core::{FinancialYear, Money};
use levers_store::{Role, StoreError, User};
use serde::Deserialize;

use super::check::Check;
use super::common::{Library, SECTION, count, ratio};
use crate::auth::{actor, require_officer};
use crate::charts::signed_hbar_chart;
use crate::error::AppError;
use crate::form::Form;
use crate::identity::{CurrentUser, Identity};
use crate::layout::{Chrome, FieldError, capitalise, error_for};
use crate::page::{chrome, render, render_status};
use crate::show;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "appraisal/pools.html")]
pub struct PoolsPage {
    pub chrome: Chrome,
    pub pools: Vec<(i64, String)>,
    pub can_change: bool,
    pub errors: Vec<FieldError>,
}

impl PoolsPage {
    pub fn err(&self, f: &str) -> Option<&str> {
        error_for(&self.errors, f)
    }
}

pub async fn pools(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
) -> Result<Response, AppError> {
    render(&PoolsPage {
        chrome: chrome(&state, &identity, SECTION, "Pooled budgets").await?,
        pools: state.store.pools().await?,
        can_change: me.role.allows(Role::Officer),
        errors: Vec::new(),
    })
}

#[derive(Deserialize)]
pub struct PoolForm {
    name: String,
}

pub async fn create_pool(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Form(f): Form<PoolForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let error = match state.store.create_pool(&actor(&me), &f.name).await {
        Ok(id) => {
            return Ok(Redirect::to(&format!("/pooled-budgets/{id}")).into_response());
        }
        Err(StoreError::Conflict(m) | StoreError::Invalid(m)) => {
            FieldError::new("name", capitalise(&m))
        }
        Err(e) => return Err(e.into()),
    };
    let page = PoolsPage {
        chrome: chrome(&state, &identity, SECTION, "Pooled budgets").await?,
        pools: state.store.pools().await?,
        can_change: true,
        errors: vec![error],
    };
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

#[derive(Template)]
#[template(path = "appraisal/pool.html")]
pub struct PoolPage {
    pub chrome: Chrome,
    pub id: i64,
    pub report: PoolReport,
    pub partner_ids: Vec<(i64, String)>,
    pub line_ids: Vec<(i64, String, Option<i64>)>,
    pub appraisals: Vec<(i64, String)>,
    pub can_change: bool,
    pub errors: Vec<FieldError>,
    pub chart_partners: String,
    pub chart_quarters: String,
    pub years: Vec<FinancialYear>,
    /// The lines that fund a community budget vote, with the vote each names.
    pub votes: Vec<VoteLine>,
    /// Every community budget process, `(id, name)`, for the form that links a line to one.
    pub processes: Vec<(i64, String)>,
}

/// A pool line that funds a community budget vote, beside the vote itself.
pub struct VoteLine {
    pub line_id: i64,
    pub line: String,
    pub plan: Money,
    pub process: Option<VoteInfo>,
}

/// What the pool page shows of a linked vote: the residents' decision only once it is published.
pub struct VoteInfo {
    pub slug: String,
    pub name: String,
    pub phase: &'static str,
    pub pot: Money,
    /// What the published result funds.
    pub funded: Option<Money>,
    /// Spent on delivering the funded projects so far.
    pub delivered: Money,
    /// Where the pool's plan for the line and the vote's pot disagree.
    pub note: Option<String>,
}

/// The linked votes of a pool's lines.
async fn vote_lines(
    state: &AppState,
    stored: &levers_store::appraisal::StoredPool,
    report: &PoolReport,
) -> Result<Vec<VoteLine>, AppError> {
    let mut out = Vec::new();
    for (((line_id, name, _), process_id), row) in stored
        .line_ids
        .iter()
        .zip(&stored.line_processes)
        .zip(&report.lines)
    {
        if row.funds != Funds::PbProcess {
            continue;
        }
        let process = match process_id {
            Some(pid) => {
                match state.store.pb_process(*pid).await? {
                    Some(p) => {
                        let published = p.phase == levers_pb::process::Phase::Results;
                        let funded = if published {
                            state
                                .store
                                .pb_result(p.id)
                                .await?
                                .and_then(|r| {
                                    r.result
                                        .get("spent_pence")
                                        .and_then(serde_json::Value::as_i64)
                                })
                                .map(Money::from_pence)
                        } else {
                            None
                        };
                        let delivered = Money::from_pence(
                            state
                                .store
                                .pb_delivery(p.id)
                                .await?
                                .iter()
                                .map(|d| d.spent_pence)
                                .sum(),
                        );
                        let pot = Money::from_pence(p.def.pot_pence);
                        let note = (row.plan != pot).then(|| {
                        format!("the pool plans {} for this line in all years; this vote's pot is {}.", row.plan, pot)
                    });
                        Some(VoteInfo {
                            slug: p.def.slug.clone(),
                            name: p.def.name.clone(),
                            phase: p.phase.label(),
                            pot,
                            funded,
                            delivered,
                            note,
                        })
                    }
                    None => None,
                }
            }
            None => None,
        };
        out.push(VoteLine {
            line_id: *line_id,
            line: name.clone(),
            plan: row.plan,
            process,
        });
    }
    Ok(out)
}

impl PoolPage {
    pub fn err(&self, f: &str) -> Option<&str> {
        error_for(&self.errors, f)
    }
    pub fn ratio(&self, x: &Option<f64>) -> String {
        ratio(*x)
    }
    pub fn opt_count(&self, x: &Option<f64>) -> String {
        x.map_or("–".into(), count)
    }
    pub fn opt_pounds(&self, x: &Option<f64>) -> String {
        x.map_or("–".into(), show::estimate)
    }
    pub fn contribution(
        &self,
        row: &levers_appraisal::pooled::PartnerRow,
        y: &FinancialYear,
    ) -> String {
        row.by_year.get(y).map_or("–".into(), |m| m.to_string())
    }
    pub fn funds(&self, f: &Funds) -> &'static str {
        f.label()
    }
    pub fn year_total(&self, y: &FinancialYear) -> String {
        self.report
            .by_year
            .get(y)
            .map_or("–".into(), |m| m.to_string())
    }
}

async fn pool_page(
    state: &AppState,
    identity: &Identity,
    me: &User,
    id: i64,
    errors: Vec<FieldError>,
) -> Result<PoolPage, AppError> {
    let stored = state.store.pool(id).await?.ok_or(AppError::NotFound)?;
    let library = Library::load(state).await?;
    let mut appraisal_results = BTreeMap::new();
    let mut appraisals = Vec::new();
    for a in state.store.appraisals().await? {
        appraisals.push((a.id, a.model.name.clone()));
        if let Ok(r) = library.compute(&a.model) {
            appraisal_results.insert(a.model.name.clone(), r);
        }
    }
    let report = stored
        .budget
        .report(&appraisal_results)
        .map_err(|e| AppError::Internal(anyhow::anyhow!(e)))?;
    let labels: Vec<String> = report.partners.iter().map(|p| p.partner.clone()).collect();
    let shares: Vec<f64> = report
        .partners
        .iter()
        .map(|p| p.share_of_pool * 100.0)
        .collect();
    let benefits: Vec<f64> = report
        .partners
        .iter()
        .map(|p| p.share_of_benefits * 100.0)
        .collect();
    let chart_partners = signed_hbar_chart(
        "partners",
        "Each partner's share of the pool and of the fiscal benefits the appraisals expect",
        &labels,
        &[
            ("Share of the pool", &shares),
            ("Share of fiscal benefits", &benefits),
        ],
        &|v| format!("{v:.1}%"),
    );
    let qlabels: Vec<String> = report
        .quarters
        .iter()
        .map(|q| format!("{} Q{}", q.year, q.quarter))
        .collect();
    let plan: Vec<f64> = report
        .quarters
        .iter()
        .map(|q| q.plan.as_pounds_f64())
        .collect();
    let spend: Vec<f64> = report
        .quarters
        .iter()
        .map(|q| q.spend.as_pounds_f64())
        .collect();
    let chart_quarters = signed_hbar_chart(
        "quarters",
        "Plan and spend by quarter",
        &qlabels,
        &[("Plan", &plan), ("Spend", &spend)],
        &show::estimate_whole,
    );
    let years: Vec<FinancialYear> = report.by_year.keys().copied().collect();
    let votes = vote_lines(state, &stored, &report).await?;
    let processes = state
        .store
        .pb_processes()
        .await?
        .into_iter()
        .map(|p| (p.id, p.def.name))
        .collect();
    Ok(PoolPage {
        chrome: chrome(state, identity, SECTION, &report.name).await?,
        id,
        report,
        partner_ids: stored.partner_ids,
        line_ids: stored.line_ids,
        appraisals,
        can_change: me.role.allows(Role::Officer),
        errors,
        chart_partners,
        chart_quarters,
        years,
        votes,
        processes,
    })
}

pub async fn pool(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    render(&pool_page(&state, &identity, &me, id, Vec::new()).await?)
}

/// One form for every change to a pool: `action` says which (partner, contribution, line, vote or
/// quarter), and the fields it reads are named after it.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PoolChangeForm {
    action: String,
    partner_name: String,
    /// The partner's agencies, separated by commas (they match the agencies appraisals name).
    partner_agencies: String,
    contribution_partner: String,
    contribution_year: String,
    contribution_amount: String,
    line_name: String,
    line_funds: String,
    line_appraisal: String,
    vote_line: String,
    vote_process: String,
    quarter_line: String,
    quarter_year: String,
    quarter_quarter: String,
    quarter_plan: String,
    quarter_spend: String,
}

/// Makes the change `action` names, or shows the pool again with the errors.
pub async fn pool_change(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<PoolChangeForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let mut c = Check::default();
    let who = actor(&me);
    let id_of = |raw: &str| raw.trim().parse::<i64>().ok();
    // A partner or line named in the form must belong to the pool in the address.
    let partner_here = |partner: i64| {
        let store = state.store.clone();
        async move {
            match store.pool_of_partner(partner).await {
                Ok(Some(p)) if p == id => Ok(()),
                Ok(_) => Err(StoreError::NotFound(
                    "that partner is not in this pooled budget".into(),
                )),
                Err(e) => Err(e),
            }
        }
    };
    let line_here = |line: i64| {
        let store = state.store.clone();
        async move {
            match store.pool_of_line(line).await {
                Ok(Some(p)) if p == id => Ok(()),
                Ok(_) => Err(StoreError::NotFound(
                    "that line is not in this pooled budget".into(),
                )),
                Err(e) => Err(e),
            }
        }
    };
    let result = match f.action.trim() {
        "partner" => {
            let name = c.required("partner_name", &f.partner_name, "the partner's name");
            let agencies: Vec<String> = f
                .partner_agencies
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect();
            if c.errors.is_empty() {
                Some(
                    state
                        .store
                        .add_pool_partner(&who, id, &name, &agencies)
                        .await
                        .map(|_| ()),
                )
            } else {
                None
            }
        }
        "contribution" => {
            let partner = id_of(&f.contribution_partner).unwrap_or(0);
            let year = c.required_year(
                "contribution_year",
                &f.contribution_year,
                "year",
                "Enter the financial year, like 2025/26",
            );
            let amount = c.money(
                "contribution_amount",
                &f.contribution_amount,
                "the contribution",
            );
            match (c.errors.is_empty(), year) {
                (true, Some(y)) => Some(match partner_here(partner).await {
                    Ok(()) => {
                        state
                            .store
                            .set_pool_contribution(&who, partner, y, amount)
                            .await
                    }
                    Err(e) => Err(e),
                }),
                _ => None,
            }
        }
        "line" => {
            let name = c.required("line_name", &f.line_name, "the line's name");
            let funds = match f.line_funds.trim() {
                "pb_process" => Funds::PbProcess,
                "other" => Funds::Other,
                _ => Funds::Intervention,
            };
            let appraisal = id_of(&f.line_appraisal);
            if c.errors.is_empty() {
                Some(
                    state
                        .store
                        .add_pool_line(&who, id, &name, funds, appraisal)
                        .await
                        .map(|_| ()),
                )
            } else {
                None
            }
        }
        "vote" => {
            let line = id_of(&f.vote_line).unwrap_or(0);
            let process = id_of(&f.vote_process);
            Some(match line_here(line).await {
                Ok(()) => state.store.set_pool_line_process(&who, line, process).await,
                Err(e) => Err(e),
            })
        }
        "quarter" => {
            let line = id_of(&f.quarter_line).unwrap_or(0);
            let year = c.required_year(
                "quarter_year",
                &f.quarter_year,
                "year",
                "Enter the financial year, like 2025/26",
            );
            let quarter = c.whole("quarter_quarter", &f.quarter_quarter, "the quarter", 1, 4) as u8;
            let plan = c.money("quarter_plan", &f.quarter_plan, "the plan");
            let spend = c.money("quarter_spend", &f.quarter_spend, "the spend");
            match (c.errors.is_empty(), year) {
                (true, Some(y)) => Some(match line_here(line).await {
                    Ok(()) => {
                        state
                            .store
                            .set_pool_quarter(&who, line, y, quarter, plan, spend)
                            .await
                    }
                    Err(e) => Err(e),
                }),
                _ => None,
            }
        }
        _ => return Err(AppError::NotFound),
    };
    let mut errors = c.errors;
    match result {
        Some(Ok(())) => {
            return Ok(Redirect::to(&format!("/pooled-budgets/{id}")).into_response());
        }
        Some(Err(StoreError::Conflict(m) | StoreError::Invalid(m) | StoreError::NotFound(m))) => {
            let field = match m.as_str() {
                _ if m.contains("community budget") => "vote_process",
                _ if m.contains("partner") => "partner_name",
                _ if m.contains("line") => "line_name",
                _ => "quarter_quarter",
            };
            errors.push(FieldError::new(field, capitalise(&m)));
        }
        Some(Err(e)) => return Err(e.into()),
        None => {}
    }
    let page = pool_page(&state, &identity, &me, id, errors).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}
