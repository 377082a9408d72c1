//! Admin pages: accounts (add, disable, enable, role, reset password), API tokens, settings, audit log.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use levers_store::audit::AuditQuery;
use levers_store::settings::COUNCIL_NAME;
use levers_store::{NewUser, Role, StoreError, User};
use serde::Deserialize;

use crate::AppState;
use crate::auth::{self, CurrentUser, Identity, actor};
use crate::error::AppError;
use crate::form::Form;
use crate::pages::{chrome, render, render_status};
use crate::templates::capitalise;
use crate::templates::{AdminIndex, AuditPage, FieldError, SettingsPage, TokensPage, UsersPage};

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
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

/// Messages after a redirect, chosen by code so a link cannot put arbitrary text on the page.
fn notice(done: &str) -> Option<String> {
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
        let password = auth::one_time_password();
        let new = NewUser {
            email: form.email.clone(),
            display_name: String::new(),
            password_hash: auth::hash_password(&password)?,
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
    let password = auth::one_time_password();
    state
        .store
        .set_password(
            &actor(&me),
            id,
            &auth::hash_password(&password)?,
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

#[derive(Deserialize, Default)]
pub struct AuditParams {
    #[serde(default)]
    page: Option<i64>,
    #[serde(default)]
    object_type: String,
}

const AUDIT_PAGE_SIZE: i64 = 50;

pub async fn audit(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<AuditParams>,
) -> Result<Response, AppError> {
    let object_type = p.object_type.trim().to_string();
    let mut q = AuditQuery {
        object_type: (!object_type.is_empty()).then(|| object_type.clone()),
        action: None,
        limit: AUDIT_PAGE_SIZE,
        offset: 0,
    };
    let total = state.store.audit_count(&q).await?;
    let pages = ((total + AUDIT_PAGE_SIZE - 1) / AUDIT_PAGE_SIZE).max(1);
    let page = p.page.unwrap_or(1).clamp(1, pages);
    q.offset = (page - 1) * AUDIT_PAGE_SIZE;
    let entries = state.store.audit_entries(&q).await?;
    let chrome = chrome(&state, &identity, "admin", "Audit log").await?;
    render(&AuditPage {
        chrome,
        entries,
        page,
        pages,
        total,
        object_type,
    })
}

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
        let token = auth::random_token();
        match state
            .store
            .create_api_token(&actor(&me), user_id, name, &auth::token_hash(&token))
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
