//! The council's strategy: the overview (objectives with their status, each measure's trajectory
//! chart beside its table), an objective's page, the officers' forms for the strategy, objectives,
//! measures and recorded official figures, and the cabinet report ("how our levers landed") in the
//! page, as standalone HTML that prints on A4, as XLSX and as JSON.
//!
//! Every signed-in account may read; only officers and admins change anything, and every change is
//! audited by the store. `common.rs` (the section, loading an evaluated strategy, small parsers)
//! imports no sibling; `pages.rs` the reading pages and downloads; `edit.rs` the strategy and
//! objective forms; `measures.rs` the measure forms and `measures/values.rs` the value form;
//! `public.rs` the admin's choice to publish a strategy and the public's read-only page of a
//! published one (no sign-in).

mod common;
mod edit;
mod measures;
mod pages;
mod public;
mod serves;

use levers_store::Role;

use crate::state::AppState;

pub(crate) use public::place_view_published;

/// Every strategy route: the public pages of a published strategy, and the rest for any signed-in
/// account (handlers check the officer role on changes, the admin role on publishing).
pub fn routes() -> axum::Router<AppState> {
    use axum::middleware::from_fn;
    use axum::routing::{get, post};
    const O: &str = "/strategy/{sid}/objectives/{oid}";
    let public = axum::Router::new()
        .route("/public/strategy", get(public::public_index))
        .route("/public/strategy/{sid}", get(public::public_strategy));
    let signed_in = axum::Router::new()
        .route("/strategy", get(pages::index).post(edit::create_strategy))
        .route("/strategy/new", get(edit::new_strategy))
        .route(
            "/strategy/serves/spend",
            get(serves::serves_spend).post(serves::set_serves_spend),
        )
        .route(
            "/strategy/serves/{kind}/{id}",
            get(serves::serves).post(serves::set_serves),
        )
        .route(
            "/strategy/{sid}",
            get(pages::overview).post(edit::update_strategy),
        )
        .route("/strategy/{sid}/edit", get(edit::edit_strategy))
        .route("/strategy/{sid}/publish", post(public::publish))
        .route("/strategy/{sid}/report", get(pages::report))
        .route("/strategy/{sid}/report.html", get(pages::report_html))
        .route("/strategy/{sid}/report.xlsx", get(pages::report_xlsx))
        .route("/strategy/{sid}/report.json", get(pages::report_json))
        .route("/strategy/{sid}/objectives", post(edit::create_objective))
        .route("/strategy/{sid}/objectives/new", get(edit::new_objective))
        .route(O, get(pages::objective).post(edit::update_objective))
        .route(&format!("{O}/edit"), get(edit::edit_objective))
        .route(&format!("{O}/delete"), post(edit::delete_objective))
        .route(&format!("{O}/measures"), post(measures::create_measure))
        .route(&format!("{O}/measures/new"), get(measures::new_measure))
        .route(
            &format!("{O}/measures/{{mid}}"),
            post(measures::update_measure),
        )
        .route(
            &format!("{O}/measures/{{mid}}/edit"),
            get(measures::edit_measure),
        )
        .route(
            &format!("{O}/measures/{{mid}}/delete"),
            post(measures::delete_measure),
        )
        .route(
            &format!("{O}/measures/{{mid}}/values"),
            post(measures::record_value),
        )
        .route(
            &format!("{O}/measures/{{mid}}/values/new"),
            get(measures::new_value),
        )
        .route_layer(from_fn(crate::auth::require(Role::Viewer)));
    public.merge(signed_in)
}
