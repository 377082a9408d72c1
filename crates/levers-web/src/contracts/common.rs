//! What the contract pages share: today's pipeline with the analysis's evidence, opportunity rows
//! formatted for tables, and the address of an opportunity.

use levers_app::contracts::{AnalysisEvidence, analysis_evidence, pipeline};
use levers_contracts::model::opt_date::iso;
use levers_contracts::pipeline::{DEFAULT_HORIZON_MONTHS, Opportunity};
use levers_present::procurement_report::url;

use crate::error::AppError;
use crate::show::money;
use crate::state::AppState;

pub(super) fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

/// The pipeline over the default horizon, with the procurement analysis's evidence.
pub(super) async fn load(
    state: &AppState,
) -> Result<(Vec<Opportunity>, AnalysisEvidence), AppError> {
    let geo = state.geo.get(&state.store).await?;
    let ev = analysis_evidence(&state.store, &state.payments, geo).await?;
    let ops = pipeline(
        &state.store,
        today(),
        DEFAULT_HORIZON_MONTHS,
        ev.leaking.clone(),
    )
    .await?;
    Ok((ops, ev))
}

/// An opportunity as the tables show it.
pub struct Row {
    pub href: String,
    pub title: String,
    pub buyer: String,
    pub why: &'static str,
    pub date: String,
    pub value: String,
    pub category: String,
    pub notice: String,
    pub url: Option<String>,
    pub leak: Option<String>,
}

pub(super) fn href(key: &str) -> String {
    format!("/procurement/contracts/opportunity?key={}", url(key))
}

pub(super) fn row(o: &Opportunity) -> Row {
    Row {
        href: href(&o.key),
        title: o.title.clone(),
        buyer: o.buyer.clone(),
        why: o.why.label(),
        date: o.date.map(iso).unwrap_or_else(|| "not given".into()),
        value: o
            .value
            .map(|m| money(m.pence()))
            .unwrap_or_else(|| "not given".into()),
        category: o.category.clone(),
        notice: o
            .notice_type
            .as_deref()
            .map(|n| format!("{n}: {}", levers_contracts::ocds::flatten::notice_name(n)))
            .unwrap_or_default(),
        url: o.url.clone(),
        leak: o.leak.as_ref().map(|l| l.reason()),
    }
}
