//! Who is asking, as handlers see it: the request's [`Identity`] (set by `auth::identify`), the
//! signed-in [`CurrentUser`] and the client's address for throttling.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use levers_store::{Session, User};

use crate::error::AppError;

/// The identity behind a request, put in the request's extensions by [`identify`].
#[derive(Debug, Clone)]
pub enum Identity {
    /// Not signed in; `csrf` is the double-submit token for forms such as sign-in.
    Anonymous { csrf: String },
    /// Signed in through the browser.
    Session { session: Session, user: User },
    /// An API client with a bearer token.
    Bearer { user: User },
}

impl Identity {
    pub fn user(&self) -> Option<&User> {
        match self {
            Identity::Anonymous { .. } => None,
            Identity::Session { user, .. } | Identity::Bearer { user } => Some(user),
        }
    }

    /// The token forms on this page must carry.
    pub fn csrf(&self) -> &str {
        match self {
            Identity::Anonymous { csrf } => csrf,
            Identity::Session { session, .. } => &session.csrf_token,
            Identity::Bearer { .. } => "",
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Identity {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Identity>()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("identify middleware did not run")))
    }
}

/// The signed-in user; handlers behind [`require`] can rely on it.
pub struct CurrentUser(pub User);

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let id = Identity::from_request_parts(parts, state).await?;
        id.user()
            .cloned()
            .map(CurrentUser)
            .ok_or(AppError::Unauthenticated)
    }
}

/// The client's address for throttling: the socket peer, or the first `X-Forwarded-For` hop when the
/// app is configured to trust its proxy.
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);
