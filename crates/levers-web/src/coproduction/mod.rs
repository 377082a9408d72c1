//! Co-production pages and API: the register (list, detail, activity and involvement forms, CSV import
//! and export), the coverage dashboard (SVG charts, each with its table), the principles
//! self-assessment, participants (minimum data, reward and benefits-advice flag, equality monitoring
//! reported only as totals of ten or more, subject-access export, erasure requests, retention purge)
//! and time credits (accounts, statements, credits issued for participation, spending at venues,
//! gifts to the pot, grants, reversals), plus the JSON API for transfers.
//!
//! Viewers may read the register, coverage and assessments; only officers and admins see people or
//! change anything; only admins change the ledger settings or run the purge.

mod activity;
mod api;
mod common;
mod coverage;
mod credits;
mod erasure;
mod participant;
mod participants;
mod principles;
mod register;

use levers_store::Role;

use crate::state::AppState;
use crate::upload;

/// Every co-production route, for any signed-in account (handlers check officer and admin roles).
pub fn routes() -> axum::Router<AppState> {
    use axum::middleware::from_fn;
    use axum::routing::{get, post};
    axum::Router::new()
        .route(
            "/co-production/register",
            get(register::register).post(activity::create_activity),
        )
        .route("/co-production/register/new", get(activity::new_activity))
        .route(
            "/co-production/register/export.csv",
            get(register::export_register),
        )
        .route(
            "/co-production/register/import",
            get(register::import_form)
                .post(register::import)
                .layer(upload::limit(upload::REGISTER_FILE_BYTES)),
        )
        .route(
            "/co-production/register/imports/{id}",
            get(register::import_result),
        )
        .route(
            "/co-production/register/{id}",
            get(register::activity).post(activity::update_activity),
        )
        .route(
            "/co-production/register/{id}/edit",
            get(activity::edit_activity),
        )
        .route(
            "/co-production/register/{id}/involvements",
            post(activity::create_involvement),
        )
        .route(
            "/co-production/register/{id}/involvements/new",
            get(activity::new_involvement),
        )
        .route("/co-production/coverage", get(coverage::coverage_page))
        .route(
            "/co-production/coverage.xlsx",
            get(coverage::coverage_download),
        )
        .route(
            "/co-production/principles",
            get(principles::principles_page).post(principles::create_assessment),
        )
        .route(
            "/co-production/principles/new",
            get(principles::new_assessment),
        )
        .route(
            "/co-production/participants",
            get(participants::participants).post(participants::create_participant),
        )
        .route(
            "/co-production/participants/purge",
            post(participants::purge),
        )
        .route(
            "/co-production/participants/{id}",
            get(participant::participant).post(participant::update_participant),
        )
        .route(
            "/co-production/participants/{id}/equality",
            post(participant::set_equality),
        )
        .route(
            "/co-production/participants/{id}/participation",
            post(participant::record_participation),
        )
        .route(
            "/co-production/participants/{id}/transfer",
            post(participant::participant_transfer),
        )
        .route(
            "/co-production/participants/{id}/export.json",
            get(erasure::subject_access),
        )
        .route(
            "/co-production/participants/{id}/erasure",
            post(erasure::request_erasure),
        )
        .route("/co-production/erasure", get(erasure::erasure_requests))
        .route(
            "/co-production/erasure/{id}/complete",
            post(erasure::complete_erasure),
        )
        .route(
            "/co-production/erasure/{id}/refuse",
            post(erasure::refuse_erasure),
        )
        .route("/co-production/credits", get(credits::credits))
        .route(
            "/co-production/credits/transfer",
            post(credits::credits_transfer),
        )
        .route("/co-production/credits/venues", post(credits::create_venue))
        .route(
            "/co-production/credits/settings",
            post(credits::save_settings),
        )
        .route(
            "/co-production/credits/accounts/{id}",
            get(credits::account),
        )
        .route(
            "/co-production/credits/transfers/{id}/reverse",
            post(credits::reverse),
        )
        .route("/api/v1/coproduction/coverage", get(api::api_coverage))
        .route("/api/v1/coproduction/accounts", get(api::api_accounts))
        .route("/api/v1/coproduction/transfers", post(api::api_transfer))
        .route_layer(from_fn(crate::auth::require(Role::Viewer)))
}
