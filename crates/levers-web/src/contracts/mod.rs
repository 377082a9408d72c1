//! The contract pipeline: the officers' dashboard (timeline chart with its table), each
//! opportunity with who locally could bid and how to buy it, officers' corrections of matches,
//! a printable "meet the buyer" pack with its workbook, and the public *Opportunities* page with
//! Atom and JSON feeds; officers' imports of registers and notices as background jobs. The work is
//! levers-app's `contracts`.

mod common;
mod dashboard;
mod import;
mod opportunity;
mod pack;
mod public;

use axum::Router;
use axum::middleware::from_fn;
use axum::routing::{get, post};
use levers_store::Role;

use crate::auth;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    let officers = Router::new()
        .route("/procurement/contracts", get(dashboard::dashboard))
        .route(
            "/procurement/contracts/opportunity",
            get(opportunity::opportunity),
        )
        .route("/procurement/contracts/correct", post(opportunity::correct))
        .route("/procurement/contracts/pack", get(pack::pack))
        .route("/procurement/contracts/pack.xlsx", get(pack::pack_xlsx))
        .route(
            crate::upload::CONTRACTS_PATH,
            get(import::import_page)
                .post(import::upload)
                .layer(crate::upload::limit(crate::upload::CONTRACT_FILE_BYTES)),
        )
        .route(
            "/procurement/contracts/imports/{id}",
            get(import::import_result),
        )
        .route_layer(from_fn(auth::require(Role::Viewer)));
    // Public by choice: what the council plans to buy is for local businesses and charities.
    let public = Router::new()
        .route("/opportunities", get(public::opportunities))
        .route("/opportunities.atom", get(public::atom))
        .route("/opportunities.json", get(public::json_feed));
    officers.merge(public)
}
