//! Community budget votes under `/community-budgets`: officers set up a process, review ideas, issue
//! voting codes, enter paper ballots, close, count and publish; residents (no account) suggest
//! ideas, vote with a code on accessible ballots with a running total and a review step, check
//! their receipt, and read the explained result. Who may do what in which phase is decided by
//! `levers_pb::process::Action`; these pages only ask.
//!
//! Resident forms are public but protected like sign-in: a double-submit CSRF token (see `auth`) and
//! a rate limit on wrong or used codes per client address (kept in the database, so every web
//! process shares it). Nothing is kept between the ballot steps: the code and the marks travel in
//! the form until the ballot is cast, so an abandoned ballot leaves no trace.
//!
//! One module per page group, each with its routes; `common` (and `ballot`, the ballot page that
//! online voting and paper entry share) hold what several use. `count` and `codes` are the use cases
//! the CLI and the demo call too.

use axum::Router;
use axum::middleware::from_fn;
use levers_store::Role;

use crate::auth;
use crate::state::AppState;

mod ballot;
mod code_pages;
mod common;
mod delivery;
mod ideas;
mod manage;
mod paper;
mod public;
mod receipt;
mod register;
mod results;
mod setup;
mod vote;

pub use common::MAX_CODE_FAILURES;

/// Every community budget page: the public ones, and the officers' behind a sign-in (each of their
/// handlers also requires the officer role).
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(public_routes())
        .merge(officer_routes().route_layer(from_fn(auth::require(Role::Viewer))))
}

/// Pages anyone may use.
fn public_routes() -> Router<AppState> {
    Router::new()
        .merge(public::routes())
        .merge(ideas::public_routes())
        .merge(vote::routes())
        .merge(receipt::routes())
        .merge(results::routes())
}

/// Pages for signed-in accounts (each handler also requires the officer role).
fn officer_routes() -> Router<AppState> {
    Router::new()
        .merge(setup::routes())
        .merge(manage::routes())
        .merge(ideas::officer_routes())
        .merge(code_pages::routes())
        .merge(register::routes())
        .merge(paper::routes())
        .merge(delivery::routes())
}
