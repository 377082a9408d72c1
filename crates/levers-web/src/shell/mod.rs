//! The shell around every area: home and section pages, sign-in and out, password change, 404, the
//! stylesheet and icon, and the security headers.

mod assets;
mod home;
mod sign_in;

use axum::Router;
use axum::middleware::from_fn;
use axum::routing::{get, post};
use levers_store::Role;

pub use assets::security_headers;
pub(crate) use home::{not_found, section_links};

use crate::auth;
use crate::state::AppState;

/// Pages anyone may see.
pub fn public_routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route(
            "/sign-in",
            get(sign_in::sign_in_form).post(sign_in::sign_in),
        )
        .route("/assets/levers.css", get(assets::stylesheet))
        .route("/favicon.ico", get(assets::favicon))
}

/// Pages for any signed-in account.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/sign-out", post(sign_in::sign_out))
        .route(
            "/account/password",
            get(sign_in::password_form).post(sign_in::change_password),
        )
        .route("/procurement", get(home::section))
        .route("/co-production", get(home::section))
        .route_layer(from_fn(auth::require(Role::Viewer)))
}
