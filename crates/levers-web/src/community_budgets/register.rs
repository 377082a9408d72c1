//! Officers register a resident by postcode (inside the process's area) and hand them one code.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use levers_pb::process::{Action, Area, Who};
use serde::Deserialize;

use super::common::{ProcessView, SECTION, load};
use crate::auth::{actor, require_officer};
use crate::error::AppError;
use crate::form::Form;
use crate::identity::{CurrentUser, Identity};
use crate::layout::{Chrome, FieldError, error_for};
use crate::page::{chrome, render, render_status};
use crate::state::AppState;
use levers_app::community_budget::new_code_batch;

/// A resident's postcode as typed.
#[derive(Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    postcode: String,
}

pub(super) fn routes() -> Router<AppState> {
    Router::new().route(
        "/community-budgets/{slug}/register",
        get(register_form).post(register),
    )
}

#[derive(Template)]
#[template(path = "pb/register.html")]
pub struct RegisterPage {
    pub chrome: Chrome,
    pub p: ProcessView,
    pub postcode: String,
    pub errors: Vec<FieldError>,
    pub issued: Option<(String, String)>,
}

impl RegisterPage {
    pub fn err(&self, f: &str) -> Option<&str> {
        error_for(&self.errors, f)
    }
}

pub async fn register_form(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let p = load(&state, &slug).await?;
    let chrome = chrome(&state, &identity, SECTION, "Register a resident").await?;
    render(&RegisterPage {
        chrome,
        p: ProcessView::new(&p),
        postcode: String::new(),
        errors: vec![],
        issued: None,
    })
}

/// An officer registers a resident by postcode (checked against the geography: inside the area)
/// and hands them one code, recorded with the resident's ward for turnout.
pub async fn register(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(slug): Path<String>,
    Form(f): Form<RegisterForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let p = load(&state, &slug).await?;
    let typed = f.postcode.trim().to_string();
    let chrome = chrome(&state, &identity, SECTION, "Register a resident").await?;
    let mut page = RegisterPage {
        chrome,
        p: ProcessView::new(&p),
        postcode: typed.clone(),
        errors: vec![],
        issued: None,
    };
    let fail = |mut page: RegisterPage, m: String| {
        page.errors.push(FieldError::new("postcode", m));
        render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    };
    if !p.phase.allows(Who::Officer, Action::IssueCodes) {
        return fail(
            page,
            "Voting has closed: no more codes can be issued".into(),
        );
    }
    let Ok(pc) = levers_geo::Postcode::parse(&typed) else {
        return fail(page, "Enter a full postcode, like XL1 2AB".into());
    };
    let index = state.geo.get(&state.store).await?;
    let Some(found) = index.lookup(&pc) else {
        return fail(
            page,
            format!("{pc} is not in the loaded postcode directory"),
        );
    };
    let ward = found.ward.as_ref().map(|w| {
        (
            w.code.to_string(),
            w.name.clone().unwrap_or_else(|| w.code.to_string()),
        )
    });
    let inside = match &p.def.area {
        Area::Wards(c) => ward.as_ref().is_some_and(|w| c.contains(&w.0)),
        Area::Lsoas(c) => [&found.lsoa11, &found.lsoa21]
            .into_iter()
            .flatten()
            .any(|l| c.contains(&l.code.to_string())),
        Area::Postcodes(c) => c.contains(&pc.to_string()),
    };
    if !inside {
        return fail(
            page,
            format!(
                "{pc} is outside the area of this community budget ({})",
                p.def.area_name
            ),
        );
    }
    let list = new_code_batch(
        &state.store,
        &actor(&me),
        &p,
        &format!("Registered resident ({pc})"),
        ward.as_ref().map(|(c, n)| (c.as_str(), n.as_str())),
        1,
    )
    .await?;
    page.issued = Some((
        list[0].clone(),
        ward.map_or_else(|| "not known".into(), |w| w.1),
    ));
    page.postcode.clear();
    render(&page)
}
