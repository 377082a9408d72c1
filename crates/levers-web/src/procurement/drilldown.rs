//! Drilling down from a sector to its suppliers, and from a supplier to its payments.

use super::filters::report_for;
use crate::AppState;
use crate::auth::Identity;
use crate::error::AppError;
use crate::layout::Chrome;
use crate::page::chrome;
use crate::page::render;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use levers_present::procurement_report::{ReportView, url};

#[derive(Template)]
#[template(path = "procurement/sector.html")]
pub struct SectorPage {
    pub chrome: Chrome,
    pub v: ReportView,
    pub sector: String,
    pub rows: Vec<(levers_spend::analysis::SupplierRow, i64)>,
}

impl SectorPage {
    pub fn unit_link(&self, u: &u32) -> String {
        format!(
            "/procurement/analysis/supplier?{}&sector={}&unit={u}",
            self.v.query,
            url(&self.sector)
        )
    }
}

pub async fn sector(
    State(state): State<AppState>,
    identity: Identity,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    let (f, v, _) = report_for(&state, &uri).await?;
    let sector = f.sector.clone().ok_or(AppError::NotFound)?;
    let rows = v.r.sector_suppliers(&sector, false);
    if rows.is_empty() {
        return Err(AppError::NotFound);
    }
    let chrome = chrome(
        &state,
        &identity,
        "procurement",
        &format!("Suppliers of {sector}"),
    )
    .await?;
    render(&SectorPage {
        chrome,
        v,
        sector,
        rows,
    })
}

#[derive(Template)]
#[template(path = "procurement/supplier.html")]
pub struct SupplierPage {
    pub chrome: Chrome,
    pub v: ReportView,
    pub sector: Option<String>,
    pub row: levers_spend::analysis::SupplierRow,
    pub lines: Vec<levers_spend::analysis::PaymentLine>,
}

impl SupplierPage {
    pub fn date(&self, d: &Option<time::Date>) -> String {
        d.map_or_else(
            || "–".to_string(),
            |d| format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year()),
        )
    }
    pub fn back(&self) -> String {
        match &self.sector {
            Some(s) => self.v.sector_link(s),
            None => format!("/procurement/analysis?{}", self.v.query),
        }
    }
}

pub async fn supplier(
    State(state): State<AppState>,
    identity: Identity,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    let (f, v, payments) = report_for(&state, &uri).await?;
    let unit = f
        .unit
        .filter(|u| (*u as usize) < v.r.units.len())
        .ok_or(AppError::NotFound)?;
    let lines = v.r.unit_payments(&payments, unit, f.sector.as_deref());
    let mut row = v.r.unit_row(unit);
    if let Some(w) = v.r.units[unit as usize].loc.ward {
        row.ward = Some(v.ward_name(&w));
    }
    let chrome = chrome(&state, &identity, "procurement", &row.name).await?;
    render(&SupplierPage {
        chrome,
        v,
        sector: f.sector,
        row,
        lines,
    })
}
