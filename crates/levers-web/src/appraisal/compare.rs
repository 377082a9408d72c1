//! Two appraisals compared side by side, on the page or as a workbook.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use levers_appraisal::Results;
use serde::Deserialize;

use super::common::{Library, SECTION, count, load, ratio};
use super::workbook::{workbook, xlsx_response};
use crate::charts::signed_hbar_chart;
use crate::error::AppError;
use crate::identity::Identity;
use crate::layout::Chrome;
use crate::page::{chrome, render, render_status};
use crate::show;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct CompareQuery {
    a: Option<i64>,
    b: Option<i64>,
    format: Option<String>,
}

/// One figure of two appraisals, side by side.
pub struct CompareRow {
    pub label: &'static str,
    pub a: String,
    pub b: String,
}

#[derive(Template)]
#[template(path = "appraisal/compare.html")]
pub struct ComparePage {
    pub chrome: Chrome,
    pub all: Vec<(i64, String)>,
    pub a: Option<(i64, String)>,
    pub b: Option<(i64, String)>,
    pub rows: Vec<CompareRow>,
    pub chart: String,
    pub problem: Option<String>,
}

pub async fn compare(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<CompareQuery>,
) -> Result<Response, AppError> {
    let all: Vec<(i64, String)> = state
        .store
        .appraisals()
        .await?
        .into_iter()
        .map(|a| (a.id, a.model.name))
        .collect();
    let mut page = ComparePage {
        chrome: chrome(&state, &identity, SECTION, "Compare appraisals").await?,
        all,
        a: None,
        b: None,
        rows: Vec::new(),
        chart: String::new(),
        problem: None,
    };
    let (Some(ia), Some(ib)) = (q.a, q.b) else {
        return render(&page);
    };
    let (a, b) = (load(&state, ia).await?, load(&state, ib).await?);
    let library = Library::load(&state).await?;
    let (ra, rb) = match (library.compute(&a.model), library.compute(&b.model)) {
        (Ok(x), Ok(y)) => (x, y),
        (Err(e), _) | (_, Err(e)) => {
            page.problem = Some(e);
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    if q.format.as_deref() == Some("xlsx") {
        return Ok(xlsx_response(
            &format!("compare {} {}", a.model.name, b.model.name),
            workbook(&[&ra, &rb]),
        ));
    }
    let row = |label: &'static str, f: &dyn Fn(&Results) -> String| CompareRow {
        label,
        a: f(&ra),
        b: f(&rb),
    };
    page.rows = vec![
        row("Net outcomes", &|r| count(r.central.net_outcomes)),
        row("Cost per net outcome", &|r| {
            r.central
                .cost_per_net_outcome
                .map_or("n/a".into(), show::estimate)
        }),
        row("Public value (present value)", &|r| {
            show::estimate(r.central.public_value)
        }),
        row("Net public value", &|r| {
            show::estimate(r.central.net_public_value)
        }),
        row("Public-value return on investment", &|r| {
            ratio(r.central.public_value_roi)
        }),
        row("Costs (present value)", &|r| {
            show::estimate(r.central.pv_costs)
        }),
        row("Fiscal benefits (present value)", &|r| {
            show::estimate(r.central.pv_fiscal)
        }),
        row("Net present budget impact", &|r| {
            show::estimate(r.central.net_present_budget_impact)
        }),
        row("Financial return on investment", &|r| {
            ratio(r.central.financial_roi)
        }),
        row("Cashable return on investment", &|r| {
            ratio(r.central.cashable_roi)
        }),
        row("Payback year", &|r| {
            r.central
                .payback_year
                .map_or("Not within the period".into(), |y| format!("Year {y}"))
        }),
        row("Agencies in the wrong pocket", &|r| {
            let w: Vec<&str> = r
                .central
                .agencies
                .iter()
                .filter(|a| a.wrong_pocket)
                .map(|a| a.agency.as_str())
                .collect();
            if w.is_empty() {
                "None".into()
            } else {
                w.join(", ")
            }
        }),
        row("Price base", &|r| r.price_base.to_string()),
    ];
    let labels = vec![
        "Costs".to_string(),
        "Fiscal benefits".into(),
        "Public value".into(),
        "Net public value".into(),
    ];
    let va = [
        ra.central.pv_costs,
        ra.central.pv_fiscal,
        ra.central.public_value,
        ra.central.net_public_value,
    ];
    let vb = [
        rb.central.pv_costs,
        rb.central.pv_fiscal,
        rb.central.public_value,
        rb.central.net_public_value,
    ];
    page.chart = signed_hbar_chart(
        "compare",
        &format!(
            "{} and {} compared (present values)",
            a.model.name, b.model.name
        ),
        &labels,
        &[(a.model.name.as_str(), &va), (b.model.name.as_str(), &vb)],
        &show::estimate_whole,
    );
    if ra.price_base != rb.price_base {
        page.problem = Some(format!(
            "The two appraisals use different price bases ({} and {}): set both to the same price base before comparing money.",
            ra.price_base, rb.price_base
        ));
    }
    page.a = Some((ia, a.model.name));
    page.b = Some((ib, b.model.name));
    render(&page)
}
