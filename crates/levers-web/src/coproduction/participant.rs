//! One participant: details, equality answers, participation that issues credits, spending and
//! gifts of credits.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use levers_coproduction::ledger::{AccountKind, TransferKind, TransferRequest};
use levers_coproduction::people::{DIMENSIONS, Dimension, RewardForm};
use levers_coproduction::register::iso;
use levers_store::StoreError;
use levers_store::coproduction::{
    AccountRow, ErasureRequest, POT_ACCOUNT, Participant, ParticipationRow, StatementRow,
};
use serde::Deserialize;

use super::common::{SECTION, SavedQuery, count, officer_pages};
use super::participants::ParticipantForm;
use crate::auth::{actor, require_officer};
use crate::error::AppError;
use crate::form::Form;
use crate::identity::{CurrentUser, Identity};
use crate::layout::{Chrome, FieldError, error_for, when};
use crate::page::{chrome, render_status};
use crate::state::AppState;
use levers_app::credentials::random_token;

/// An involvement to choose on the participation form.
pub struct InvolvementChoice {
    pub id: i64,
    pub label: String,
}

#[derive(Template)]
#[template(path = "coproduction/participant.html")]
pub struct ParticipantPage {
    pub chrome: Chrome,
    pub p: Participant,
    pub balance: i64,
    pub statement: Vec<StatementRow>,
    pub participations: Vec<ParticipationRow>,
    pub involvements: Vec<InvolvementChoice>,
    pub venues: Vec<AccountRow>,
    pub equality: BTreeMap<String, String>,
    pub requests: Vec<ErasureRequest>,
    pub credits_per_hour: u32,
    pub form: ParticipantForm,
    pub errors: Vec<FieldError>,
    pub key: String,
    pub notice: Option<String>,
}

impl ParticipantPage {
    pub fn err(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
    pub fn rewards(&self) -> [RewardForm; 5] {
        RewardForm::ALL
    }
    pub fn dimensions(&self) -> &'static [Dimension] {
        DIMENSIONS
    }
    pub fn has_answer(&self, key: &str) -> bool {
        self.equality.contains_key(key)
    }
    pub fn answered(&self, key: &str, value: &str) -> bool {
        self.equality.get(key).is_some_and(|v| v == value)
    }
    pub fn when(&self, t: &i64) -> String {
        when(t)
    }
    pub fn active(&self) -> bool {
        self.p.anonymised_at.is_none()
    }
    pub fn consent(&self) -> bool {
        self.form.contact_consent.is_some()
    }
    pub fn advice(&self) -> bool {
        self.form.benefits_advice_offered.is_some()
    }
    pub fn open_request(&self) -> Option<&ErasureRequest> {
        self.requests.iter().find(|r| r.status == "open")
    }
    pub fn credits_time(&self) -> bool {
        self.p.reward_form == RewardForm::TimeCredits
    }
    pub fn kind(&self, k: &TransferKind) -> &'static str {
        k.label()
    }
}

async fn participant_page(
    state: &AppState,
    identity: &Identity,
    id: i64,
    form: Option<ParticipantForm>,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let p = state
        .store
        .participant(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let accounts = state.store.credit_accounts().await?;
    let balance = accounts
        .iter()
        .find(|a| a.id == p.account_id)
        .map_or(0, |a| a.balance);
    let venues = accounts
        .into_iter()
        .filter(|a| a.kind == AccountKind::Venue && a.closed_at.is_none())
        .collect();
    let mut involvements = Vec::new();
    for a in state.store.coproduction_activities().await? {
        for i in &a.involvements {
            involvements.push(InvolvementChoice {
                id: i.id,
                label: format!(
                    "{} ({}): {}, {}, {}",
                    a.activity.service,
                    a.activity.reference,
                    i.involvement.stage.label(),
                    i.involvement.rung.label(),
                    iso(i.involvement.held_on)
                ),
            });
        }
    }
    involvements.sort_by_key(|i| std::cmp::Reverse(i.id));
    let sar = state.store.erasure_requests().await?;
    let equality: BTreeMap<String, String> = match state.store.participant_equality(id).await? {
        Some(m) => m
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| (k, v)))
            .collect(),
        None => BTreeMap::new(),
    };
    let form = form.unwrap_or_else(|| ParticipantForm {
        display_name: p.display_name.clone(),
        contact: p.contact.clone().unwrap_or_default(),
        contact_consent: p.contact_consent.then(|| "yes".into()),
        reward_form: p.reward_form.name().into(),
        benefits_advice_offered: p.benefits_advice_offered.then(|| "yes".into()),
    });
    let page = ParticipantPage {
        chrome: chrome(state, identity, SECTION, &format!("Participant {}", p.id)).await?,
        statement: state.store.credit_statement(p.account_id).await?,
        participations: state.store.participations(id).await?,
        requests: sar.into_iter().filter(|r| r.participant_id == id).collect(),
        credits_per_hour: state.store.credits_per_hour().await?,
        key: random_token(),
        p,
        balance,
        involvements,
        venues,
        equality,
        form,
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

fn notice_for(s: &Option<String>) -> Option<String> {
    s.as_deref().map(|s| {
        match s {
            "issued" => "Participation recorded and credits issued",
            "spent" => "Credits spent at the venue",
            "gift" => "Credits gifted to the community pot",
            "equality" => "Equality monitoring answers saved",
            "erasure" => "The erasure request was recorded",
            _ => "Saved",
        }
        .to_string()
    })
}

pub async fn participant(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    participant_page(&state, &identity, id, None, vec![], notice_for(&q.saved)).await
}

pub async fn update_participant(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<ParticipantForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    match form.parse() {
        Ok(d) => match state.store.update_participant(&actor(&me), id, &d).await {
            Ok(()) => Ok(
                Redirect::to(&format!("/co-production/participants/{id}?saved=1")).into_response(),
            ),
            Err(StoreError::Conflict(m)) => {
                participant_page(
                    &state,
                    &identity,
                    id,
                    Some(form),
                    vec![FieldError::new("display_name", m)],
                    None,
                )
                .await
            }
            Err(e) => Err(e.into()),
        },
        Err(errors) => participant_page(&state, &identity, id, Some(form), errors, None).await,
    }
}

/// Saves the equality monitoring answers: one field per question (`DIMENSIONS` key); a blank answer
/// is no answer.
pub async fn set_equality(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let answers: Vec<(&str, Option<String>)> = DIMENSIONS
        .iter()
        .map(|d| (d.key, form.get(d.key).cloned().filter(|v| !v.is_empty())))
        .collect();
    match state
        .store
        .set_participant_equality(&actor(&me), id, &answers)
        .await
    {
        Ok(()) => Ok(
            Redirect::to(&format!("/co-production/participants/{id}?saved=equality"))
                .into_response(),
        ),
        Err(StoreError::Conflict(_)) => Err(AppError::NotFound),
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct ParticipationForm {
    #[serde(default)]
    involvement_id: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    key: String,
}

pub async fn record_participation(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<ParticipationForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let hours = count(&form.hours);
    let minutes = count(&form.minutes);
    let total = match (hours, minutes) {
        (Some(h), Some(m)) if m < 60 => h.saturating_mul(60).saturating_add(m),
        _ => 0,
    };
    if total == 0 {
        return participant_page(
            &state,
            &identity,
            id,
            None,
            vec![FieldError::new(
                "hours",
                "Enter the time the person gave, in hours and minutes (minutes under 60)",
            )],
            None,
        )
        .await;
    }
    let involvement = form.involvement_id.trim().parse::<i64>().ok();
    let memo = match involvement {
        Some(_) => "Participation in a recorded involvement".to_string(),
        None => "Participation".to_string(),
    };
    match state
        .store
        .record_participation(&actor(&me), id, involvement, total, form.key.trim(), &memo)
        .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/co-production/participants/{id}?saved=issued")).into_response(),
        ),
        Err(StoreError::Conflict(m)) => {
            participant_page(
                &state,
                &identity,
                id,
                None,
                vec![FieldError::new("hours", m)],
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
pub struct ParticipantTransferForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    venue: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    key: String,
}

pub async fn participant_transfer(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<ParticipantTransferForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let p = state
        .store
        .participant(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (kind, to, field, done) = match form.kind.as_str() {
        "spend" => (
            TransferKind::Spend,
            form.venue.trim().parse::<i64>().ok(),
            "spend_amount",
            "spent",
        ),
        _ => (TransferKind::Gift, Some(POT_ACCOUNT), "gift_amount", "gift"),
    };
    let amount = form.amount.trim().parse::<i64>().ok().filter(|a| *a >= 1);
    let problem = match (to, amount) {
        (None, _) => Some("Choose the venue where the credits were spent".to_string()),
        (_, None) => Some("Enter a whole number of credits of at least 1".to_string()),
        (Some(to), Some(amount)) => {
            let req = TransferRequest {
                key: form.key.trim().to_string(),
                kind,
                from: p.account_id,
                to,
                amount,
                memo: String::new(),
                reverses: None,
            };
            match state.store.credit_transfer(&actor(&me), &req).await {
                Ok(_) => {
                    return Ok(Redirect::to(&format!(
                        "/co-production/participants/{id}?saved={done}"
                    ))
                    .into_response());
                }
                Err(StoreError::Conflict(m)) => Some(m),
                Err(e) => return Err(e.into()),
            }
        }
    };
    participant_page(
        &state,
        &identity,
        id,
        None,
        problem
            .into_iter()
            .map(|m| FieldError::new(field, m))
            .collect(),
        None,
    )
    .await
}

officer_pages!(ParticipantPage);
