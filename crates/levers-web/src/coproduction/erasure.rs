//! Subject-access export and erasure requests: recording, completing and refusing them.

use crate::page::attachment;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use levers_store::StoreError;
use levers_store::coproduction::ErasureRequest;
use serde::Deserialize;

use super::common::{SECTION, SavedQuery, officer_pages};
use crate::auth::{actor, require_officer};
use crate::error::AppError;
use crate::form::Form;
use crate::identity::{CurrentUser, Identity};
use crate::layout::{Chrome, FieldError, error_for, when};
use crate::page::{chrome, render, render_status};
use crate::state::AppState;

pub async fn subject_access(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let v = state
        .store
        .participant_subject_access(&actor(&me), id)
        .await?;
    let body = serde_json::to_string_pretty(&v).map_err(|e| AppError::Internal(e.into()))?;
    Ok(attachment(
        "application/json; charset=utf-8",
        format!("participant-{id}-subject-access.json"),
        body,
    ))
}

pub async fn request_erasure(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    state.store.request_erasure(&actor(&me), id).await?;
    Ok(Redirect::to(&format!("/co-production/participants/{id}?saved=erasure")).into_response())
}

#[derive(Template)]
#[template(path = "coproduction/erasure.html")]
pub struct ErasurePage {
    pub chrome: Chrome,
    pub requests: Vec<ErasureRequest>,
    pub errors: Vec<FieldError>,
    /// The request whose refusal reason was missing (its field gets the id the error links to).
    pub errored: Option<i64>,
    pub notice: Option<String>,
}

impl ErasurePage {
    pub fn reason_id(&self, id: &i64) -> String {
        if self.errored == Some(*id) {
            "reason".into()
        } else {
            format!("reason-{id}")
        }
    }
    pub fn reason_error(&self, id: &i64) -> Option<&str> {
        if self.errored == Some(*id) {
            error_for(&self.errors, "reason")
        } else {
            None
        }
    }
    pub fn when(&self, t: &i64) -> String {
        when(t)
    }
}

pub async fn erasure_requests(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let requests = state.store.erasure_requests().await?;
    let chrome = chrome(&state, &identity, SECTION, "Erasure requests").await?;
    render(&ErasurePage {
        chrome,
        requests,
        errors: vec![],
        errored: None,
        notice: q.saved.map(|s| format!("The request was {s}")),
    })
}

pub async fn complete_erasure(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    match state.store.decide_erasure(&actor(&me), id, None).await {
        Ok(()) | Err(StoreError::Conflict(_)) => {
            Ok(Redirect::to("/co-production/erasure?saved=completed").into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct RefuseForm {
    #[serde(default)]
    reason: String,
}

pub async fn refuse_erasure(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<RefuseForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    if form.reason.trim().is_empty() || form.reason.chars().count() > 2000 {
        let requests = state.store.erasure_requests().await?;
        let chrome = chrome(&state, &identity, SECTION, "Erasure requests").await?;
        let errors = vec![FieldError::new(
            "reason",
            "Enter why the request is refused (the lawful reason), in 2,000 characters or fewer",
        )];
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ErasurePage {
                chrome,
                requests,
                errors,
                errored: Some(id),
                notice: None,
            },
        );
    }
    match state
        .store
        .decide_erasure(&actor(&me), id, Some(&form.reason))
        .await
    {
        Ok(()) | Err(StoreError::Conflict(_)) => {
            Ok(Redirect::to("/co-production/erasure?saved=refused").into_response())
        }
        Err(e) => Err(e.into()),
    }
}

officer_pages!(ErasurePage);
