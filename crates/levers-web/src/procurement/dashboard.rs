//! Where the money goes: the dashboard, and the standalone report, CSV and XLSX downloads of it.

use super::filters::FilterForm;
use super::filters::file_stem;
use super::filters::filter_form;
use super::filters::parse_filters;
use super::filters::report_for;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::auth::Identity;
use crate::error::AppError;
use crate::layout::Chrome;
use crate::page::XLSX;
use crate::page::attachment;
use crate::page::chrome;
use crate::page::render_status;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use levers_app::procurement::{run, trend};
use levers_present::procurement_export::{report_csv, report_xlsx};
use levers_present::procurement_report::{ReportView, report_html};
#[derive(Template)]
#[template(path = "procurement/dashboard.html")]
pub struct DashboardPage {
    pub chrome: Chrome,
    pub form: FilterForm,
    pub v: Option<ReportView>,
    pub errors: Vec<crate::layout::FieldError>,
}

impl DashboardPage {
    pub fn err(&self, f: &str) -> Option<&str> {
        crate::layout::error_for(&self.form.errors, f)
    }
}

pub async fn dashboard(
    State(state): State<AppState>,
    identity: Identity,
    _: CurrentUser,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    let f = parse_filters(uri.query());
    let (mut form, params) = filter_form(&state, &f).await?;
    let chrome = chrome(&state, &identity, "procurement", "Where the money goes").await?;
    let mut v = None;
    if let Some(p) = params {
        let geo = state.geo.get(&state.store).await?;
        let bodies = state.payments.bodies(&state.store, &p).await?;
        let (report, _) = run(&state.store, &state.payments, geo.clone(), &bodies, &p).await?;
        let tr = trend(
            &state.store,
            &state.payments,
            geo.clone(),
            &bodies,
            &p,
            &form.years,
        )
        .await?;
        v = Some(ReportView::new(report, &geo, &tr, form.query()));
    }
    let errors = std::mem::take(&mut form.errors);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    form.errors = Vec::new();
    let page = DashboardPage {
        chrome,
        form,
        v,
        errors,
    };
    render_status(status, &page)
}

pub async fn report_download(
    State(state): State<AppState>,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    let (_, v, _) = report_for(&state, &uri).await?;
    let html = report_html(&v).map_err(|e| AppError::Internal(e.into()))?;
    Ok(attachment(
        "text/html; charset=utf-8",
        format!("{}.html", file_stem(&v.r)),
        html.into_bytes(),
    ))
}

pub async fn export_csv(
    State(state): State<AppState>,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    let (f, v, _) = report_for(&state, &uri).await?;
    let table = f.table.as_deref().unwrap_or("suppliers");
    let table = if matches!(table, "suppliers" | "sectors" | "wards") {
        table
    } else {
        "suppliers"
    };
    Ok(attachment(
        "text/csv; charset=utf-8",
        format!("{}-{table}.csv", file_stem(&v.r)),
        report_csv(&v.r, table).into_bytes(),
    ))
}

pub async fn export_xlsx(
    State(state): State<AppState>,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    let (_, v, _) = report_for(&state, &uri).await?;
    Ok(attachment(
        XLSX,
        format!("{}.xlsx", file_stem(&v.r)),
        report_xlsx(&v.r),
    ))
}
