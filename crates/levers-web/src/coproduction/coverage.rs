//! The coverage dashboard (charts, each with its table) and its workbook download.

use crate::page::{XLSX, attachment};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use levers_coproduction::register::ValueBand;
use levers_coproduction::{Coverage, Quarter, Tally, coverage, quarterly};

use super::common::{SECTION, officer_pages, today};
use crate::charts::{bar_chart, share_hbar_chart, share_trend_chart};
use crate::error::AppError;
use crate::identity::Identity;
use crate::layout::Chrome;
use crate::page::{chrome, render};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "coproduction/coverage.html")]
pub struct CoveragePage {
    pub chrome: Chrome,
    pub c: Coverage,
    pub trend: Vec<(Quarter, Tally)>,
    pub dir_chart: String,
    pub band_chart: String,
    pub trend_chart: String,
    pub stage_chart: String,
}

impl CoveragePage {
    pub fn bands(&self) -> Vec<&(ValueBand, Tally)> {
        self.c
            .by_band
            .iter()
            .filter(|(_, t)| t.activities > 0)
            .collect()
    }
    pub fn stage_counts(&self) -> Vec<(usize, u64)> {
        self.c.by_stage_count.iter().copied().enumerate().collect()
    }
}

pub async fn coverage_page(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, AppError> {
    let register = state.store.coproduction_register().await?;
    let c = coverage(&register, None);
    let trend = quarterly(&register, today());
    let dir_rows: Vec<(String, f64)> = c
        .by_directorate
        .iter()
        .map(|(d, t)| (d.clone(), t.two_plus_value_share()))
        .collect();
    let band_rows: Vec<(String, f64)> = c
        .by_band
        .iter()
        .filter(|(_, t)| t.activities > 0)
        .map(|(b, t)| (b.label().to_string(), t.two_plus_value_share()))
        .collect();
    let trend_rows: Vec<(String, f64, f64)> = trend
        .iter()
        .map(|(q, t)| (q.to_string(), t.two_plus_share(), t.two_plus_value_share()))
        .collect();
    let labels: Vec<String> = (0..=4).map(|n| n.to_string()).collect();
    let page = CoveragePage {
        dir_chart: share_hbar_chart(
            "cov-dir",
            "Share of each directorate's commissioning value co-produced at two or more stages",
            &dir_rows,
            "",
        ),
        band_chart: share_hbar_chart(
            "cov-band",
            "Share of value co-produced at two or more stages, by value band",
            &band_rows,
            "",
        ),
        trend_chart: share_trend_chart(
            "cov-trend",
            "Co-produced at two or more stages, by quarter",
            &trend_rows,
        ),
        stage_chart: bar_chart(
            "cov-stages",
            "Activities by number of stages co-produced",
            &labels,
            &c.by_stage_count,
            "Stages co-produced (co-design or above)",
            "Activities",
        ),
        chrome: chrome(&state, &identity, SECTION, "Co-production coverage").await?,
        c,
        trend,
    };
    render(&page)
}

/// The coverage figures as a workbook: one sheet each for all activities, directorates, value bands
/// and quarters, shares as percentages and values in pounds.
pub fn coverage_xlsx(c: &Coverage, trend: &[(Quarter, Tally)]) -> Vec<u8> {
    use levers_xlsx::{Cell, Workbook};
    const HEAD: [&str; 11] = [
        "",
        "Activities",
        "Annual value",
        "2+ stages",
        "2+ stages share",
        "2+ stages value share",
        "All 4 stages",
        "All 4 share",
        "All 4 value share",
        "Only in provider's contract",
        "No stage co-produced",
    ];
    fn row(label: String, t: &Tally) -> Vec<Cell> {
        vec![
            Cell::text(label),
            Cell::number(t.activities as f64),
            Cell::pence(t.value.pence()),
            Cell::number(t.two_plus as f64),
            Cell::percent(t.two_plus_share()),
            Cell::percent(t.two_plus_value_share()),
            Cell::number(t.all_four as f64),
            Cell::percent(t.all_four_share()),
            Cell::percent(t.all_four_value_share()),
            Cell::number(t.provider_only as f64),
            Cell::number(t.none as f64),
        ]
    }
    let mut wb = Workbook::new();
    let mut head = HEAD;
    for (name, first, rows) in [
        (
            "All activities",
            "",
            vec![row("All activities".into(), &c.overall)],
        ),
        (
            "By directorate",
            "Directorate",
            c.by_directorate
                .iter()
                .map(|(d, t)| row(d.clone(), t))
                .collect(),
        ),
        (
            "By value band",
            "Value band",
            c.by_band
                .iter()
                .map(|(b, t)| row(b.label().to_string(), t))
                .collect(),
        ),
        (
            "By quarter",
            "Quarter (register at its end)",
            trend.iter().map(|(q, t)| row(q.to_string(), t)).collect(),
        ),
    ] {
        head[0] = first;
        let sheet = wb.sheet(name);
        sheet.header(head);
        for r in rows {
            sheet.row(r);
        }
    }
    wb.to_bytes()
}

pub async fn coverage_download(State(state): State<AppState>) -> Result<Response, AppError> {
    let register = state.store.coproduction_register().await?;
    let bytes = coverage_xlsx(&coverage(&register, None), &quarterly(&register, today()));
    Ok(attachment(XLSX, "coproduction-coverage.xlsx".into(), bytes))
}

officer_pages!(CoveragePage);
