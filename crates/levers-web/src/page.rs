//! Rendering a page: the layout context from settings and the request's identity, and a template
//! rendered into a response.

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use levers_store::settings::COUNCIL_NAME;

use crate::error::AppError;
use crate::identity::Identity;
use crate::layout::Chrome;
use crate::state::AppState;

/// The layout context for a page: reads the council's name from settings.
pub(crate) async fn chrome(
    state: &AppState,
    identity: &Identity,
    section: &'static str,
    title: &str,
) -> Result<Chrome, AppError> {
    let council = state.store.setting(COUNCIL_NAME).await?.unwrap_or_default();
    Ok(Chrome::new(
        identity.user(),
        identity.csrf(),
        council,
        section,
        title,
        state.config.demo,
    ))
}

pub(crate) fn render<T: Template>(page: &T) -> Result<Response, AppError> {
    Ok(Html(page.render()?).into_response())
}

pub(crate) fn render_status<T: Template>(
    status: StatusCode,
    page: &T,
) -> Result<Response, AppError> {
    Ok((status, Html(page.render()?)).into_response())
}

/// The content type of an Excel workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file to download: its type, the name it is saved under, and its bytes or text.
pub fn attachment(
    content_type: &'static str,
    name: String,
    body: impl Into<axum::body::Body>,
) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body.into(),
    )
        .into_response()
}
