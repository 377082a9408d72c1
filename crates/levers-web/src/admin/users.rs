//! Admin: the admin index and accounts (add, disable, enable, change role, reset password; the last
//! admin cannot be removed).

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
use crate::page::render;
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
use levers_store::NewUser;
use levers_store::Role;
use levers_store::StoreError;
use levers_store::User;
use levers_store::audit::AuditQuery;
use serde::Deserialize;

pub async fn index(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, AppError> {
    let users = state.store.users().await?;
    let tokens = state.store.api_tokens().await?;
    let audit_count = state.store.audit_count(&AuditQuery::default()).await?;
    let chrome = chrome(&state, &identity, "admin", "Admin").await?;
    render(&AdminIndex {
        chrome,
        user_count: users.len(),
        token_count: tokens.iter().filter(|t| t.revoked_at.is_none()).count(),
        audit_count,
        database: state.store.backend_name(),
        schema_version: state.store.schema_version().await?,
    })
}

#[derive(Deserialize, Default)]
pub(super) struct DoneQuery {
    #[serde(default)]
    pub(super) done: String,
}

/// Messages after a redirect, chosen by code so a link cannot put arbitrary text on the page.
pub(super) fn notice(done: &str) -> Option<String> {
    match done {
        "disabled" => Some("The account has been disabled and signed out everywhere.".into()),
        "enabled" => Some("The account has been enabled.".into()),
        "role" => Some("The role has been changed.".into()),
        "revoked" => Some("The token has been revoked.".into()),
        _ => None,
    }
}

struct UsersView {
    errors: Vec<FieldError>,
    email: String,
    role: String,
    notice: Option<String>,
    new_password: Option<(String, String)>,
}

async fn users_page(
    state: &AppState,
    identity: &Identity,
    me: &User,
    view: UsersView,
    status: StatusCode,
) -> Result<Response, AppError> {
    let chrome = chrome(state, identity, "admin", "Users").await?;
    let page = UsersPage {
        chrome,
        users: state.store.users().await?,
        errors: view.errors,
        email: view.email,
        role: view.role,
        roles: Role::ALL,
        notice: view.notice,
        new_password: view.new_password,
        self_id: me.id,
    };
    render_status(status, &page)
}

pub async fn users(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Query(q): Query<DoneQuery>,
) -> Result<Response, AppError> {
    let view = UsersView {
        errors: vec![],
        email: String::new(),
        role: String::new(),
        notice: notice(&q.done),
        new_password: None,
    };
    users_page(&state, &identity, &me, view, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct AddUserForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

/// A plausible email address: something@domain.tld, no spaces, at most 254 characters.
fn email_problem(email: &str) -> Option<&'static str> {
    let e = email.trim();
    if e.is_empty() {
        return Some("Enter an email address");
    }
    let valid = e.len() <= 254
        && !e.contains(char::is_whitespace)
        && e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    (!valid).then_some("Enter an email address in the correct format, like name@council.gov.uk")
}

pub async fn add_user(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Form(form): Form<AddUserForm>,
) -> Result<Response, AppError> {
    let mut errors = Vec::new();
    if let Some(p) = email_problem(&form.email) {
        errors.push(FieldError::new("email", p));
    }
    let role = form.role.parse::<Role>();
    if role.is_err() {
        errors.push(FieldError::new("role", "Select the role for this account"));
    }
    if let (true, Ok(role)) = (errors.is_empty(), role) {
        let password = credentials::one_time_password();
        let new = NewUser {
            email: form.email.clone(),
            display_name: String::new(),
            password_hash: crate::hashing::hash_password(&password).await?,
            role,
            must_change_password: true,
        };
        match state.store.create_user(&actor(&me), new).await {
            Ok(user) => {
                let view = UsersView {
                    errors: vec![],
                    email: String::new(),
                    role: String::new(),
                    notice: Some(format!("{} has been added as {}.", user.email, user.role)),
                    new_password: Some((user.email, password)),
                };
                return users_page(&state, &identity, &me, view, StatusCode::OK).await;
            }
            Err(StoreError::Conflict(msg)) => {
                errors.push(FieldError::new("email", capitalise(&msg)))
            }
            Err(e) => return Err(e.into()),
        }
    }
    let view = UsersView {
        errors,
        email: form.email,
        role: form.role,
        notice: None,
        new_password: None,
    };
    users_page(
        &state,
        &identity,
        &me,
        view,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

async fn refuse(
    state: &AppState,
    identity: &Identity,
    me: &User,
    field: &'static str,
    msg: String,
) -> Result<Response, AppError> {
    let view = UsersView {
        errors: vec![FieldError::new(field, msg)],
        email: String::new(),
        role: String::new(),
        notice: None,
        new_password: None,
    };
    users_page(state, identity, me, view, StatusCode::CONFLICT).await
}

async fn set_disabled(
    state: AppState,
    identity: Identity,
    me: User,
    id: i64,
    disabled: bool,
) -> Result<Response, AppError> {
    if id == me.id && disabled {
        return refuse(
            &state,
            &identity,
            &me,
            "email",
            "You cannot disable your own account".into(),
        )
        .await;
    }
    match state
        .store
        .set_user_disabled(&actor(&me), id, disabled)
        .await
    {
        Ok(_) => Ok(Redirect::to(if disabled {
            "/admin/users?done=disabled"
        } else {
            "/admin/users?done=enabled"
        })
        .into_response()),
        Err(StoreError::Conflict(msg)) => {
            refuse(&state, &identity, &me, "email", capitalise(&msg)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn disable_user(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    set_disabled(state, identity, me, id, true).await
}

pub async fn enable_user(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    set_disabled(state, identity, me, id, false).await
}

#[derive(Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

pub async fn change_role(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<RoleForm>,
) -> Result<Response, AppError> {
    let Ok(role) = form.role.parse::<Role>() else {
        return refuse(
            &state,
            &identity,
            &me,
            "role",
            "Select admin, officer or viewer".into(),
        )
        .await;
    };
    match state.store.set_user_role(&actor(&me), id, role).await {
        Ok(_) => Ok(Redirect::to("/admin/users?done=role").into_response()),
        Err(StoreError::Conflict(msg)) => {
            refuse(&state, &identity, &me, "email", capitalise(&msg)).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn reset_password(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let user = state
        .store
        .user_by_id(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let password = credentials::one_time_password();
    state
        .store
        .set_password(
            &actor(&me),
            id,
            &crate::hashing::hash_password(&password).await?,
            true,
            None,
        )
        .await?;
    let view = UsersView {
        errors: vec![],
        email: String::new(),
        role: String::new(),
        notice: Some(format!(
            "{} has a new one-time password and has been signed out everywhere.",
            user.email
        )),
        new_password: Some((user.email, password)),
    };
    users_page(&state, &identity, &me, view, StatusCode::OK).await
}

#[derive(Template)]
#[template(path = "admin/index.html")]
pub struct AdminIndex {
    pub chrome: Chrome,
    pub user_count: usize,
    pub token_count: usize,
    pub audit_count: i64,
    pub database: &'static str,
    pub schema_version: i64,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    pub chrome: Chrome,
    pub users: Vec<User>,
    pub errors: Vec<FieldError>,
    pub email: String,
    pub role: String,
    pub roles: [Role; 3],
    pub notice: Option<String>,
    pub new_password: Option<(String, String)>,
    pub self_id: i64,
}

#[cfg(test)]
mod tests {
    use super::email_problem;

    #[test]
    fn emails_are_checked_for_shape() {
        assert!(email_problem("officer@council.gov.uk").is_none());
        for bad in [
            "",
            "no-at-sign",
            "a@b",
            "a b@c.d",
            "@c.d",
            "a@.c",
            "a@c.",
            "a@b@c.d",
        ] {
            assert!(email_problem(bad).is_some(), "{bad}");
        }
    }
}

crate::layout::field_errors!(UsersPage);
