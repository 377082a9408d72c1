//! The officers' pipeline dashboard: opportunities by quarter on a timeline chart, the same
//! figures in a table, then every opportunity, leaking sectors first.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use levers_contracts::pipeline::{DEFAULT_HORIZON_MONTHS, Opportunity};

use super::common::{Row, load, row, today};
use crate::charts::bar_chart;
use crate::error::AppError;
use crate::identity::Identity;
use crate::layout::Chrome;
use crate::page::{chrome, render};
use crate::show::money;
use crate::state::AppState;

/// One quarter of the timeline.
pub struct Quarter {
    pub label: String,
    pub count: usize,
    pub value: String,
    pub pounds_thousands: u64,
}

#[derive(Template)]
#[template(path = "contracts/dashboard.html")]
pub struct DashboardPage {
    pub chrome: Chrome,
    pub rows: Vec<Row>,
    pub quarters: Vec<Quarter>,
    pub chart: String,
    pub horizon: u32,
    pub analysed_year: Option<String>,
    pub leaking: usize,
    pub undated: usize,
    pub caveat: &'static str,
}

fn quarter_of(d: time::Date) -> (i32, u8) {
    (d.year(), (d.month() as u8 - 1) / 3 + 1)
}

/// Opportunities by calendar quarter of their date, from this quarter to the horizon's.
pub(super) fn quarters(ops: &[Opportunity], from: time::Date, months: u32) -> Vec<Quarter> {
    let until = levers_contracts::pipeline::add_months(from, months);
    let mut out = Vec::new();
    let (mut y, mut q) = quarter_of(from);
    let last = quarter_of(until);
    while (y, q) <= last {
        let in_q: Vec<&Opportunity> = ops
            .iter()
            .filter(|o| o.date.is_some_and(|d| quarter_of(d) == (y, q)))
            .collect();
        let pence: i64 = in_q.iter().filter_map(|o| o.value).map(|m| m.pence()).sum();
        out.push(Quarter {
            label: format!("Q{q} {y}"),
            count: in_q.len(),
            value: money(pence),
            pounds_thousands: u64::try_from(pence / 100_000).unwrap_or(0),
        });
        if q == 4 {
            (y, q) = (y + 1, 1);
        } else {
            q += 1;
        }
    }
    out
}

pub async fn dashboard(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, AppError> {
    let (ops, ev) = load(&state).await?;
    let qs = quarters(&ops, today(), DEFAULT_HORIZON_MONTHS);
    let labels: Vec<String> = qs.iter().map(|q| q.label.clone()).collect();
    let values: Vec<u64> = qs.iter().map(|q| q.pounds_thousands).collect();
    let chart = bar_chart(
        "pipeline",
        "Value of contracts ending, up for renewal, planned or open, by quarter (£ thousand)",
        &labels,
        &values,
        "Quarter",
        "£ thousand",
    );
    let chrome = chrome(&state, &identity, "procurement", "Contract pipeline").await?;
    render(&DashboardPage {
        chrome,
        leaking: ops.iter().filter(|o| o.leak.is_some()).count(),
        undated: ops.iter().filter(|o| o.date.is_none()).count(),
        rows: ops.iter().map(row).collect(),
        quarters: qs,
        chart,
        horizon: DEFAULT_HORIZON_MONTHS,
        analysed_year: ev.year,
        caveat: levers_contracts::mapping::CAVEAT,
    })
}
