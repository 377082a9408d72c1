//! Errors a request can end in, each rendered as a page in the site layout (or JSON under `/api`).

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Json, Response};
use levers_store::StoreError;

use crate::layout::Chrome;

/// Everything a handler can fail with. The message shown to people never includes internal detail.
#[derive(Debug)]
pub enum AppError {
    Unauthenticated,
    BadToken,
    Forbidden,
    /// Signed in with a one-time password not yet changed: only the password page is open.
    PasswordChangeRequired,
    Csrf,
    NotFound,
    TooLarge,
    /// A form or query that could not be read as the page expects (the detail is logged, not shown).
    BadRequest(String),
    Internal(anyhow::Error),
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated | AppError::BadToken => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::PasswordChangeRequired | AppError::Csrf => {
                StatusCode::FORBIDDEN
            }
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn heading_and_message(&self) -> (&'static str, &'static str) {
        match self {
            AppError::Unauthenticated => {
                ("Sign in required", "You need to sign in to see this page.")
            }
            AppError::BadToken => (
                "API token not accepted",
                "The API token is unknown or has been revoked. Ask an admin for a new one.",
            ),
            AppError::Forbidden => (
                "You do not have access to this page",
                "Your account does not have the role this page needs. Ask an admin if you need access.",
            ),
            AppError::PasswordChangeRequired => (
                "Change your password first",
                "This account signed in with a one-time password: change your password at /account/password before using anything else.",
            ),
            AppError::Csrf => (
                "This form has expired",
                "The form was missing its security token or it was out of date. Go back, reload the page and try again.",
            ),
            AppError::NotFound => (
                "Page not found",
                "If you typed the web address, check it is correct. If you pasted the web address, check you copied the entire address.",
            ),
            AppError::TooLarge => (
                "The file or form is too large",
                "What you sent is larger than this service accepts. Send a smaller file, or ask an admin to raise the limit.",
            ),
            AppError::BadRequest(_) => (
                "The form could not be read",
                "Something in what was sent is not in the form this page expects. Go back, reload the page and try again.",
            ),
            AppError::Internal(_) => (
                "Sorry, there is a problem with the service",
                "Try again later. If it keeps happening, tell your levers administrator the time it happened.",
            ),
        }
    }

    /// The error as a JSON body, for API callers.
    pub fn json(&self) -> Response {
        let (heading, message) = self.heading_and_message();
        self.log();
        (
            self.status(),
            Json(serde_json::json!({"error": heading, "message": message})),
        )
            .into_response()
    }

    fn log(&self) {
        if let AppError::Internal(e) = self {
            let at = time::OffsetDateTime::now_utc();
            eprintln!("{at} internal error: {e:#}");
        }
    }

    /// The error as a page. `chrome` is the layout context when the caller could build one.
    pub fn page(&self, chrome: Option<Chrome>) -> Response {
        self.log();
        let (heading, message) = self.heading_and_message();
        let chrome = chrome.unwrap_or_else(|| Chrome::bare(heading));
        let page = ErrorPage {
            chrome,
            heading,
            message,
            status: self.status().as_u16(),
            show_sign_in: matches!(self, AppError::Unauthenticated),
        };
        match page.render() {
            Ok(html) => (self.status(), Html(html)).into_response(),
            Err(_) => (self.status(), heading).into_response(),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub chrome: Chrome,
    pub heading: &'static str,
    pub message: &'static str,
    pub status: u16,
    pub show_sign_in: bool,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::BadToken => self.json(),
            _ => self.page(None),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(_) => AppError::NotFound,
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<levers_app::credentials::CredentialError> for AppError {
    fn from(e: levers_app::credentials::CredentialError) -> Self {
        AppError::Internal(anyhow::anyhow!(e))
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(e.into())
    }
}

impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> Self {
        AppError::Internal(e)
    }
}
