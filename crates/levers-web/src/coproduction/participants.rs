//! Participants: the list with equality totals (shown only as totals of ten or more), adding a
//! person with the minimum data, and the retention purge.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use levers_coproduction::people::{DIMENSIONS, Dimension, RewardForm, suppress};
use levers_store::coproduction::{Participant, ParticipantDetails};
use serde::Deserialize;

use super::common::{SECTION, is_admin, officer_pages, require_admin};
use crate::auth::{actor, require_officer};
use crate::error::AppError;
use crate::form::Form;
use crate::identity::{CurrentUser, Identity};
use crate::layout::{Chrome, FieldError, error_for, when};
use crate::page::{chrome, render_status};
use crate::state::AppState;

// ---------------------------------------------------------------------------------------------
// Participants

#[derive(Deserialize, Default)]
pub struct ParticipantForm {
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub contact_consent: Option<String>,
    #[serde(default)]
    pub reward_form: String,
    #[serde(default)]
    pub benefits_advice_offered: Option<String>,
}

impl ParticipantForm {
    pub(super) fn parse(&self) -> Result<ParticipantDetails, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = self.display_name.trim();
        if name.is_empty() {
            errors.push(FieldError::new(
                "display_name",
                "Enter the name the person wants to be known by, or a pseudonym",
            ));
        } else if name.chars().count() > 80 {
            errors.push(FieldError::new(
                "display_name",
                "The name must be 80 characters or fewer",
            ));
        }
        let contact = self.contact.trim();
        if !contact.is_empty() && self.contact_consent.is_none() {
            errors.push(FieldError::new("contact", "Only keep contact details the person has agreed to: tick the consent box or clear the contact details"));
        } else if contact.chars().count() > 200 {
            errors.push(FieldError::new(
                "contact",
                "Contact details must be 200 characters or fewer",
            ));
        }
        let reward = RewardForm::parse(&self.reward_form);
        if reward.is_none() {
            errors.push(FieldError::new(
                "reward_form",
                "Choose how the person is recognised for their time",
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ParticipantDetails {
            display_name: name.to_string(),
            contact: Some(contact.to_string()).filter(|c| !c.is_empty()),
            contact_consent: self.contact_consent.is_some(),
            reward_form: reward.unwrap_or(RewardForm::None),
            benefits_advice_offered: self.benefits_advice_offered.is_some(),
        })
    }
}

/// One row of the suppressed equality totals.
pub struct EqualityRow {
    pub question: &'static str,
    pub answers: Vec<(&'static str, Option<u64>)>,
    pub total: Option<u64>,
}

#[derive(Template)]
#[template(path = "coproduction/participants.html")]
pub struct ParticipantsPage {
    pub chrome: Chrome,
    pub people: Vec<Participant>,
    pub balances: BTreeMap<i64, i64>,
    pub form: ParticipantForm,
    pub errors: Vec<FieldError>,
    pub equality: Vec<EqualityRow>,
    pub retention_days: i64,
    pub notice: Option<String>,
}

impl ParticipantsPage {
    pub fn err(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
    pub fn rewards(&self) -> [RewardForm; 5] {
        RewardForm::ALL
    }
    pub fn balance(&self, account: &i64) -> i64 {
        self.balances.get(account).copied().unwrap_or(0)
    }
    pub fn is_admin(&self) -> bool {
        is_admin(&self.chrome)
    }
    pub fn when(&self, t: &i64) -> String {
        when(t)
    }
    pub fn consent(&self) -> bool {
        self.form.contact_consent.is_some()
    }
    pub fn advice(&self) -> bool {
        self.form.benefits_advice_offered.is_some()
    }
}

async fn equality_rows(state: &AppState) -> Result<Vec<EqualityRow>, AppError> {
    let counts = state.store.equality_counts().await?;
    Ok(DIMENSIONS
        .iter()
        .map(|d: &Dimension| {
            let c = counts.get(d.key);
            let raw: Vec<u64> = d
                .answers
                .iter()
                .map(|(v, _)| c.and_then(|m| m.get(*v)).copied().unwrap_or(0))
                .collect();
            let (shown, total) = suppress(&raw);
            EqualityRow {
                question: d.question,
                answers: d.answers.iter().map(|(_, l)| *l).zip(shown).collect(),
                total,
            }
        })
        .collect())
}

async fn participants_page(
    state: &AppState,
    identity: &Identity,
    form: ParticipantForm,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let people = state.store.participants().await?;
    let balances = state
        .store
        .credit_accounts()
        .await?
        .into_iter()
        .map(|a| (a.id, a.balance))
        .collect();
    let page = ParticipantsPage {
        chrome: chrome(state, identity, SECTION, "Participants").await?,
        people,
        balances,
        form,
        equality: equality_rows(state).await?,
        retention_days: state.store.retention_days().await?,
        notice,
        errors,
    };
    render_status(
        if page.errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        &page,
    )
}

#[derive(Deserialize, Default)]
pub struct PurgeQuery {
    #[serde(default)]
    purged: Option<usize>,
}

pub async fn participants(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Query(q): Query<PurgeQuery>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let notice = q
        .purged
        .map(|n| format!("{n} participants past the retention period were anonymised"));
    participants_page(
        &state,
        &identity,
        ParticipantForm {
            reward_form: "time_credits".into(),
            ..Default::default()
        },
        vec![],
        notice,
    )
    .await
}

pub async fn create_participant(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Form(form): Form<ParticipantForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    match form.parse() {
        Ok(d) => {
            let p = state.store.create_participant(&actor(&me), &d).await?;
            Ok(
                Redirect::to(&format!("/co-production/participants/{}?saved=1", p.id))
                    .into_response(),
            )
        }
        Err(errors) => participants_page(&state, &identity, form, errors, None).await,
    }
}

pub async fn purge(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
) -> Result<Response, AppError> {
    require_admin(&me)?;
    let ids = state
        .store
        .purge_participants(&actor(&me), levers_store::now_unix())
        .await?;
    Ok(Redirect::to(&format!("/co-production/participants?purged={}", ids.len())).into_response())
}

officer_pages!(ParticipantsPage);
