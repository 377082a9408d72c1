//! Appraisal pages: the list of appraisals, the results of one (outcomes first, charts with their
//! tables, who pays and who benefits, sensitivity, evidence), the builder (forms that choose unit
//! costs from the library by search), comparison of two, XLSX and TOML export, the unit cost library,
//! and pooled budgets.
//!
//! Appraisals live under `/appraisals` (the unit cost library at `/appraisals/unit-costs`) and pooled
//! budgets under `/pooled-budgets`. They used to live under `/community-budgets/appraisals`,
//! `/community-budgets/unit-costs` and `/community-budgets/pools`; those addresses answer with a
//! permanent redirect (308, so a form posted to one is posted again to the new address).

mod check;
mod common;
mod compare;
mod edit;
mod library;
mod lines;
mod list;
mod pools;
mod results;
mod workbook;

use axum::Router;
use axum::http::Uri;
use axum::middleware::from_fn;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{any, get, post};
use levers_store::Role;

use crate::error::AppError;
use crate::state::AppState;
use crate::upload;

/// The appraisal and pooled-budget routes, for any signed-in account (changes check for an officer
/// in the handler). The library upload takes bodies up to [`upload::UNIT_COST_FILE_BYTES`]. The old
/// addresses under `/community-budgets` redirect to these for anyone.
pub fn routes() -> Router<AppState> {
    let pages = Router::new()
        .route("/appraisals", get(list::list).post(list::create))
        .route("/appraisals/compare", get(compare::compare))
        .route(
            "/appraisals/unit-costs",
            get(library::library)
                .post(library::library_upload)
                .layer(upload::limit(upload::UNIT_COST_FILE_BYTES)),
        )
        .route("/appraisals/{id}", get(results::show))
        .route("/appraisals/{id}/edit", get(edit::edit))
        .route("/appraisals/{id}/settings", post(lines::save_settings))
        .route("/appraisals/{id}/costs", post(lines::add_cost))
        .route(
            "/appraisals/{id}/costs/{i}/delete",
            post(lines::delete_cost),
        )
        .route("/appraisals/{id}/outcomes", post(lines::add_outcome))
        .route(
            "/appraisals/{id}/outcomes/{i}/delete",
            post(lines::delete_outcome),
        )
        .route(
            "/appraisals/{id}/outcomes/{i}/values",
            post(lines::add_value),
        )
        .route(
            "/appraisals/{id}/outcomes/{i}/values/{j}/delete",
            post(lines::delete_value),
        )
        .route("/appraisals/{id}/delete", post(list::delete))
        .route("/appraisals/{id}/export.xlsx", get(results::download_xlsx))
        .route("/appraisals/{id}/model.toml", get(results::download_toml))
        .route(
            "/pooled-budgets",
            get(pools::pools).post(pools::create_pool),
        )
        .route(
            "/pooled-budgets/{id}",
            get(pools::pool).post(pools::pool_change),
        )
        .route_layer(from_fn(crate::auth::require(Role::Viewer)));
    let moved = Router::new()
        .route("/community-budgets/appraisals", any(moved_permanently))
        .route(
            "/community-budgets/appraisals/{*rest}",
            any(moved_permanently),
        )
        .route("/community-budgets/unit-costs", any(moved_permanently))
        .route("/community-budgets/pools", any(moved_permanently))
        .route("/community-budgets/pools/{*rest}", any(moved_permanently));
    pages.merge(moved)
}

/// The old address prefixes and where they live now.
const MOVED: [(&str, &str); 3] = [
    ("/community-budgets/appraisals", "/appraisals"),
    ("/community-budgets/unit-costs", "/appraisals/unit-costs"),
    ("/community-budgets/pools", "/pooled-budgets"),
];

/// Where an old address now lives, with the rest of its path and its query kept.
fn new_address(uri: &Uri) -> Option<String> {
    let path = uri.path();
    let moved = MOVED.iter().find_map(|(old, new)| {
        let rest = path.strip_prefix(old)?;
        (rest.is_empty() || rest.starts_with('/')).then(|| format!("{new}{rest}"))
    })?;
    Some(match uri.query() {
        Some(q) => format!("{moved}?{q}"),
        None => moved,
    })
}

/// 308 Permanent Redirect from an old address to its new one (any method: a POST stays a POST).
async fn moved_permanently(uri: Uri) -> Result<Response, AppError> {
    let to = new_address(&uri).ok_or(AppError::NotFound)?;
    Ok(Redirect::permanent(&to).into_response())
}

#[cfg(test)]
mod tests {
    use super::new_address;

    fn moved(path: &str) -> Option<String> {
        new_address(&path.parse().unwrap())
    }

    #[test]
    fn old_addresses_map_to_new_ones_with_their_queries() {
        assert_eq!(
            moved("/community-budgets/appraisals").unwrap(),
            "/appraisals"
        );
        assert_eq!(
            moved("/community-budgets/appraisals/7/edit?saved=cost").unwrap(),
            "/appraisals/7/edit?saved=cost"
        );
        assert_eq!(
            moved("/community-budgets/appraisals/compare?a=1&b=2").unwrap(),
            "/appraisals/compare?a=1&b=2"
        );
        assert_eq!(
            moved("/community-budgets/unit-costs?q=eviction").unwrap(),
            "/appraisals/unit-costs?q=eviction"
        );
        assert_eq!(
            moved("/community-budgets/pools/3").unwrap(),
            "/pooled-budgets/3"
        );
        assert_eq!(moved("/community-budgets/poolside"), None);
        assert_eq!(
            moved("/community-budgets/pools//evil.example").unwrap(),
            "/pooled-budgets//evil.example"
        );
    }
}
