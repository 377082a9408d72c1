//! Procurement (community wealth building): where the money goes (dashboard, report, exports),
//! drill-down, supplier matches to review, exclusion rules, supplier records, and Local Multiplier 3.
//! The analysis itself runs in levers-app; the report's figures and charts come from levers-present.

mod dashboard;
mod drilldown;
mod filters;
mod lm3;
mod review;
mod rules;
mod suppliers;

use axum::Router;
use axum::middleware::from_fn;
use axum::routing::get;
use levers_store::Role;

use crate::auth;
use crate::state::AppState;
use crate::upload;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/procurement/analysis", get(dashboard::dashboard))
        .route(
            "/procurement/analysis/report",
            get(dashboard::report_download),
        )
        .route(
            "/procurement/analysis/export.csv",
            get(dashboard::export_csv),
        )
        .route(
            "/procurement/analysis/export.xlsx",
            get(dashboard::export_xlsx),
        )
        .route("/procurement/analysis/sector", get(drilldown::sector))
        .route("/procurement/analysis/supplier", get(drilldown::supplier))
        .route(
            "/procurement/review",
            get(review::review).post(review::decide),
        )
        .route(
            "/procurement/rules",
            get(rules::rules).post(rules::save_rules),
        )
        .route(
            "/procurement/lm3",
            get(lm3::figures)
                .post(lm3::survey)
                .layer(upload::limit(upload::LM3_SURVEY_BYTES)),
        )
        .route("/procurement/lm3/template.csv", get(lm3::template))
        .route(
            "/procurement/suppliers",
            get(suppliers::suppliers)
                .post(suppliers::upload_suppliers)
                .layer(upload::limit(upload::SUPPLIER_FILE_BYTES)),
        )
        .route_layer(from_fn(auth::require(Role::Viewer)))
}
