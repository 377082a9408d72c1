//! Spend imports: uploading a council's spending file, checking and correcting how it is read,
//! importing it (through levers-app), and the list of imports with undo.

mod imports;
mod upload;

use axum::Router;
use axum::middleware::from_fn;
use axum::routing::{get, post};
use levers_store::Role;

use crate::auth;
use crate::state::AppState;

/// The upload form's address; its body limit is `WebConfig::max_body_bytes`.
pub const UPLOAD_PATH: &str = "/procurement/upload";

pub fn routes(max_upload_bytes: usize) -> Router<AppState> {
    Router::new()
        .route("/procurement/imports", get(imports::imports))
        .route("/procurement/imports/{id}", get(imports::import_detail))
        .route("/procurement/imports/{id}/undo", post(imports::undo))
        .route(
            UPLOAD_PATH,
            get(upload::upload_form)
                .post(upload::upload)
                .layer(crate::upload::limit(max_upload_bytes)),
        )
        .route("/procurement/upload/{token}", get(upload::review))
        .route("/procurement/upload/{token}/check", post(upload::recheck))
        .route("/procurement/upload/{token}/import", post(upload::import))
        .route_layer(from_fn(auth::require(Role::Viewer)))
}
