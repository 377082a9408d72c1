//! Admin: API tokens (issued once, stored as their hash, revocable).

use super::users::{DoneQuery, notice};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::auth::Identity;
use crate::auth::actor;
use crate::error::AppError;
use crate::form::Form;
use crate::layout::Chrome;
use crate::layout::FieldError;
use crate::layout::capitalise;
use crate::page::chrome;
use crate::page::render_status;
use askama::Template;
use axum::extract::Path;
use axum::extract::Query;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Redirect;
use axum::response::Response;
use levers_app::credentials;
use levers_store::ApiToken;
use levers_store::StoreError;
use levers_store::User;
use serde::Deserialize;

async fn tokens_page(
    state: &AppState,
    identity: &Identity,
    errors: Vec<FieldError>,
    new_token: Option<String>,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let chrome = chrome(state, identity, "admin", "API tokens").await?;
    let page = TokensPage {
        chrome,
        tokens: state.store.api_tokens().await?,
        users: state.store.users().await?,
        errors,
        new_token,
        notice,
    };
    render_status(status, &page)
}

pub async fn tokens(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<DoneQuery>,
) -> Result<Response, AppError> {
    tokens_page(
        &state,
        &identity,
        vec![],
        None,
        notice(&q.done),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    user_id: String,
}

pub async fn issue_token(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Form(form): Form<TokenForm>,
) -> Result<Response, AppError> {
    let mut errors = Vec::new();
    let name = form.name.trim();
    if name.is_empty() {
        errors.push(FieldError::new("name", "Enter what the token is for"));
    } else if name.chars().count() > 100 {
        errors.push(FieldError::new(
            "name",
            "What the token is for must be 100 characters or fewer",
        ));
    }
    let user_id = form.user_id.trim().parse::<i64>().ok();
    if user_id.is_none() {
        errors.push(FieldError::new(
            "user_id",
            "Select the account the token acts as",
        ));
    }
    if let (true, Some(user_id)) = (errors.is_empty(), user_id) {
        let token = credentials::random_token();
        match state
            .store
            .create_api_token(&actor(&me), user_id, name, &credentials::token_hash(&token))
            .await
        {
            Ok(_) => {
                return tokens_page(&state, &identity, vec![], Some(token), None, StatusCode::OK)
                    .await;
            }
            Err(StoreError::Conflict(msg)) | Err(StoreError::NotFound(msg)) => {
                errors.push(FieldError::new("user_id", capitalise(&msg)))
            }
            Err(e) => return Err(e.into()),
        }
    }
    tokens_page(
        &state,
        &identity,
        errors,
        None,
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

pub async fn revoke_token(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    state.store.revoke_api_token(&actor(&me), id).await?;
    Ok(Redirect::to("/admin/tokens?done=revoked").into_response())
}

#[derive(Template)]
#[template(path = "admin/tokens.html")]
pub struct TokensPage {
    pub chrome: Chrome,
    pub tokens: Vec<ApiToken>,
    pub users: Vec<User>,
    pub errors: Vec<FieldError>,
    pub new_token: Option<String>,
    pub notice: Option<String>,
}

crate::layout::field_errors!(TokensPage);
crate::layout::timestamps!(TokensPage);
