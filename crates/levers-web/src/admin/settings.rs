//! Admin: the council's settings.

use super::users::DoneQuery;
use crate::AppState;
use crate::auth::CurrentUser;
use crate::auth::Identity;
use crate::auth::actor;
use crate::error::AppError;
use crate::form::Form;
use crate::layout::Chrome;
use crate::layout::FieldError;
use crate::page::chrome;
use crate::page::render;
use crate::page::render_status;
use askama::Template;
use axum::extract::Query;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Redirect;
use axum::response::Response;
use levers_store::settings::COUNCIL_NAME;
use serde::Deserialize;

pub async fn settings(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<DoneQuery>,
) -> Result<Response, AppError> {
    let chrome = chrome(&state, &identity, "admin", "Settings").await?;
    let council_name = chrome.council.clone();
    render(&SettingsPage {
        chrome,
        council_name,
        errors: vec![],
        saved: q.done == "saved",
    })
}

#[derive(Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    council_name: String,
}

pub async fn save_settings(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Form(form): Form<SettingsForm>,
) -> Result<Response, AppError> {
    let name = form.council_name.trim();
    let problem = if name.is_empty() {
        Some("Enter the council's name")
    } else if name.chars().count() > 120 {
        Some("The council's name must be 120 characters or fewer")
    } else {
        None
    };
    if let Some(p) = problem {
        let chrome = chrome(&state, &identity, "admin", "Settings").await?;
        let page = SettingsPage {
            chrome,
            council_name: form.council_name,
            errors: vec![FieldError::new("council_name", p)],
            saved: false,
        };
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    state
        .store
        .set_setting(&actor(&me), COUNCIL_NAME, name)
        .await?;
    Ok(Redirect::to("/admin/settings?done=saved").into_response())
}

#[derive(Template)]
#[template(path = "admin/settings.html")]
pub struct SettingsPage {
    pub chrome: Chrome,
    pub council_name: String,
    pub errors: Vec<FieldError>,
    pub saved: bool,
}

crate::layout::field_errors!(SettingsPage);
