//! Admin (admins only): a new install's first steps, accounts, the audit log, API tokens and settings.

mod audit;
mod settings;
pub(crate) mod setup;
mod tokens;
mod users;

use axum::Router;
use axum::middleware::from_fn;
use axum::routing::{get, post};
use levers_store::Role;

use crate::auth;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(users::index))
        .route("/admin/users", get(users::users).post(users::add_user))
        .route("/admin/users/{id}/disable", post(users::disable_user))
        .route("/admin/users/{id}/enable", post(users::enable_user))
        .route("/admin/users/{id}/role", post(users::change_role))
        .route(
            "/admin/users/{id}/reset-password",
            post(users::reset_password),
        )
        .route("/admin/audit", get(audit::audit))
        .route("/admin/setup", get(setup::setup))
        .route(
            "/admin/tokens",
            get(tokens::tokens).post(tokens::issue_token),
        )
        .route("/admin/tokens/{id}/revoke", post(tokens::revoke_token))
        .route(
            "/admin/settings",
            get(settings::settings).post(settings::save_settings),
        )
        .route_layer(from_fn(auth::require(Role::Admin)))
}
