//! levers-web: the web app (server-rendered HTML in GOV.UK Design System patterns) and JSON API.
//!
//! The only crate that speaks HTTP. Handlers call the store and domain crates, never SQL. Every request
//! passes [`auth::identify`] (who is this, and is a state-changing request carrying a valid CSRF token?)
//! and every route sits behind a role check from [`auth::require`].

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use levers_store::{Role, Store};

mod admin;
mod api;
mod appraisal;
pub mod auth;
mod charts;
pub mod community_budgets;
pub mod coproduction;
mod error;
mod form;
mod identity;
mod layout;
mod lm3;
mod page;
mod pages;
pub mod places;
pub mod procurement;
// Adopted by the areas being split into folders; the allow goes when they land.
#[allow(dead_code)]
mod show;
pub mod spend;
mod state;
mod templates;
#[allow(dead_code)]
mod upload;

pub use error::AppError;

pub use layout::VERSION;
pub use state::{AppState, FORM_LIMIT_BYTES, UPLOAD_PATH, WebConfig};

/// The whole application as a router, ready to serve or to test with `tower::ServiceExt::oneshot`.
pub fn router(store: Store, config: WebConfig) -> Router {
    let max_body = config.max_body_bytes;
    let state = AppState {
        store,
        config: Arc::new(config),
        geo: Arc::default(),
        payments: Arc::default(),
    };

    // Anyone: the landing page, sign-in, health, assets.
    let public = Router::new()
        .route("/", get(pages::home))
        .route("/sign-in", get(pages::sign_in_form).post(pages::sign_in))
        .route("/healthz", get(api::healthz))
        .route("/assets/levers.css", get(pages::stylesheet))
        .route("/favicon.ico", get(pages::favicon))
        .merge(community_budgets::public_routes());

    // Any signed-in account.
    let signed_in = Router::new()
        .route("/sign-out", post(pages::sign_out))
        .route(
            "/account/password",
            get(pages::password_form).post(pages::change_password),
        )
        .route("/procurement", get(pages::section))
        .merge(community_budgets::officer_routes())
        .route("/co-production", get(pages::section))
        .route("/strategy", get(pages::section))
        .route("/procurement/imports", get(spend::imports))
        .route("/procurement/imports/{id}", get(spend::import_detail))
        .route("/procurement/imports/{id}/undo", post(spend::undo))
        .route(
            UPLOAD_PATH,
            get(spend::upload_form)
                .post(spend::upload)
                .layer(DefaultBodyLimit::max(max_body)),
        )
        .route("/procurement/upload/{token}", get(spend::review))
        .route("/procurement/upload/{token}/check", post(spend::recheck))
        .route("/procurement/upload/{token}/import", post(spend::import))
        .route("/procurement/analysis", get(procurement::dashboard))
        .route(
            "/procurement/analysis/report",
            get(procurement::report_download),
        )
        .route(
            "/procurement/analysis/export.csv",
            get(procurement::export_csv),
        )
        .route(
            "/procurement/analysis/export.xlsx",
            get(procurement::export_xlsx),
        )
        .route("/procurement/analysis/sector", get(procurement::sector))
        .route("/procurement/analysis/supplier", get(procurement::supplier))
        .route(
            "/procurement/review",
            get(procurement::review).post(procurement::decide),
        )
        .route(
            "/procurement/rules",
            get(procurement::rules).post(procurement::save_rules),
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
            get(procurement::suppliers)
                .post(procurement::upload_suppliers)
                .layer(upload::limit(upload::SUPPLIER_FILE_BYTES)),
        )
        .route("/places", get(places::places))
        .route("/places/postcode/{postcode}", get(places::postcode))
        .route("/places/{code}", get(places::area))
        .route("/api/v1/me", get(api::me))
        .route_layer(from_fn(auth::require(Role::Viewer)));

    // Admins only.
    let admin = Router::new()
        .route("/admin", get(admin::index))
        .route("/admin/users", get(admin::users).post(admin::add_user))
        .route("/admin/users/{id}/disable", post(admin::disable_user))
        .route("/admin/users/{id}/enable", post(admin::enable_user))
        .route("/admin/users/{id}/role", post(admin::change_role))
        .route(
            "/admin/users/{id}/reset-password",
            post(admin::reset_password),
        )
        .route("/admin/audit", get(admin::audit))
        .route("/admin/geography", get(places::admin_geography))
        .route("/admin/tokens", get(admin::tokens).post(admin::issue_token))
        .route("/admin/tokens/{id}/revoke", post(admin::revoke_token))
        .route(
            "/admin/settings",
            get(admin::settings).post(admin::save_settings),
        )
        .route("/api/v1/users", get(api::users))
        .route("/api/v1/audit", get(api::audit))
        .route_layer(from_fn(auth::require(Role::Admin)));

    Router::new()
        .merge(public)
        .merge(signed_in)
        .merge(appraisal::routes())
        .merge(coproduction::routes())
        .merge(admin)
        .fallback(pages::not_found)
        .layer(from_fn_with_state(state.clone(), auth::identify))
        .layer(from_fn(pages::security_headers))
        .layer(DefaultBodyLimit::max(FORM_LIMIT_BYTES))
        .with_state(state)
}

/// Serves the app on `addr` until Ctrl-C.
pub async fn serve(store: Store, config: WebConfig, addr: SocketAddr) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        anyhow::anyhow!("cannot listen on {addr}: {e}. Choose another address with --bind")
    })?;
    let local = listener.local_addr()?;
    eprintln!("levers is serving on http://{local}/  (Ctrl-C to stop)");
    let purge_store = store.clone();
    tokio::spawn(async move {
        loop {
            let _ = purge_store
                .purge_expired(auth::THROTTLE_WINDOW_SECONDS)
                .await;
            tokio::time::sleep(std::time::Duration::from_secs(600)).await;
        }
    });
    let app = router(store, config).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
