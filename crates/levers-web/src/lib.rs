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
use levers_store::Store;

mod admin;
mod api;
mod appraisal;
mod auth;
mod community_budgets;
mod contracts;
mod coproduction;
mod error;
mod form;
mod hashing;
mod identity;
mod jobs;
mod layout;
mod page;
mod places;
mod procurement;
mod shell;
mod spend;
mod state;
mod strategy;
mod upload;

// Figures as text and SVG charts are shared with the CLI's reports, so they live in levers-present.
pub(crate) use levers_present::{charts, show};

pub use error::AppError;

pub use community_budgets::MAX_CODE_FAILURES;
pub use layout::VERSION;
pub use spend::UPLOAD_PATH;
pub use state::{AppState, FORM_LIMIT_BYTES, WebConfig};

/// The whole application as a router, ready to serve or to test with `tower::ServiceExt::oneshot`.
/// Each area exports its own routes with its role checks; this only merges them and adds the layers
/// every request passes.
pub fn router(store: Store, config: WebConfig) -> Router {
    let max_body = config.max_body_bytes;
    let state = AppState {
        store,
        config: Arc::new(config),
        geo: Arc::default(),
        payments: Arc::default(),
    };

    Router::new()
        .merge(shell::public_routes())
        .merge(shell::routes())
        .merge(api::routes())
        .merge(community_budgets::routes())
        .merge(spend::routes(max_body))
        .merge(procurement::routes())
        .merge(contracts::routes())
        .merge(places::routes())
        .merge(appraisal::routes())
        .merge(coproduction::routes())
        .merge(strategy::routes())
        .merge(admin::routes())
        .merge(jobs::routes())
        .fallback(shell::not_found)
        .layer(from_fn_with_state(state.clone(), auth::identify))
        .layer(from_fn(shell::security_headers))
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
    // Imports a stopped process was running never committed: say so on their pages.
    match levers_app::jobs::fail_interrupted(&store).await {
        Ok(0) => {}
        Ok(n) => eprintln!("levers: {n} import(s) interrupted by the last stop are marked failed"),
        Err(e) => eprintln!("levers: could not check for interrupted imports: {e}"),
    }
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
