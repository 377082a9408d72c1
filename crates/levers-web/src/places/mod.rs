//! Places: postcodes and areas with their deprivation profile, where the levers land (the place
//! view with its maps in `levers.rs`, each ward's profile with its CSV and XLSX in `profile.rs`),
//! the public place view an admin may publish (`public.rs`), and the admin's geography: what is
//! loaded, and uploading geography and indicator files as background jobs (`uploads.rs`).

mod levers;
mod pages;
mod profile;
mod public;
mod set_place;
mod uploads;

use axum::Router;
use axum::middleware::from_fn;
use axum::routing::{get, post};
use levers_store::Role;

use crate::auth;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    // Public only once an admin has published the place view (the handlers answer 404 before).
    let public = Router::new()
        .route("/public/places", get(public::council))
        .route("/public/places/{code}", get(public::area));
    let viewers = Router::new()
        .route("/places", get(pages::places))
        .route("/places/postcode/{postcode}", get(pages::postcode))
        .route("/places/{code}", get(pages::area))
        .route("/places/levers", get(levers::council))
        .route("/places/levers/{code}", get(levers::area))
        .route("/places/profile/{code}", get(profile::profile))
        .route(
            "/places/profile/{code}/profile.csv",
            get(profile::profile_csv),
        )
        .route(
            "/places/profile/{code}/profile.xlsx",
            get(profile::profile_xlsx),
        )
        .route_layer(from_fn(auth::require(Role::Viewer)));
    // Handlers check the officer role themselves (require_officer), as the other areas' forms do.
    let officers = Router::new()
        .route(
            "/places/set/{kind}/{id}",
            get(set_place::form).post(set_place::save),
        )
        .route_layer(from_fn(auth::require(Role::Officer)));
    let admins = Router::new()
        .route("/admin/geography", get(pages::admin_geography))
        .route(
            crate::upload::GEOGRAPHY_PATH,
            post(uploads::upload_geography)
                .layer(crate::upload::limit(crate::upload::GEOGRAPHY_FILE_BYTES)),
        )
        .route(
            "/admin/geography/datasets/{id}",
            get(uploads::geography_result),
        )
        .route(
            crate::upload::INDICATORS_PATH,
            post(uploads::upload_indicators)
                .layer(crate::upload::limit(crate::upload::INDICATOR_FILE_BYTES)),
        )
        .route("/admin/indicators/{id}", get(uploads::indicators_result))
        .route("/places/levers/publish", post(public::publish))
        .route_layer(from_fn(auth::require(Role::Admin)));
    public.merge(viewers).merge(officers).merge(admins)
}
