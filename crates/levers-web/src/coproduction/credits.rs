//! Time credits: accounts, recent transfers, grants and redemptions from the pot, venues, ledger
//! settings, one account's statement and reversals.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use levers_coproduction::ledger::{AccountKind, TransferKind, TransferRequest};
use levers_store::StoreError;
use levers_store::coproduction::{
    AccountRow, ISSUER_ACCOUNT, POT_ACCOUNT, StatementRow, TransferRow,
};
use serde::Deserialize;

use super::common::{SECTION, SavedQuery, is_admin, officer_pages, require_admin};
use crate::auth::{actor, require_officer};
use crate::error::AppError;
use crate::form::Form;
use crate::identity::{CurrentUser, Identity};
use crate::layout::{Chrome, FieldError, error_for, when};
use crate::page::{chrome, render_status};
use crate::state::AppState;
use levers_app::credentials::random_token;

// ---------------------------------------------------------------------------------------------
// Time credits

#[derive(Template)]
#[template(path = "coproduction/credits.html")]
pub struct CreditsPage {
    pub chrome: Chrome,
    pub accounts: Vec<AccountRow>,
    pub recent: Vec<TransferRow>,
    pub names: BTreeMap<i64, String>,
    pub credits_per_hour: u32,
    pub retention_days: i64,
    pub errors: Vec<FieldError>,
    pub key: String,
    pub notice: Option<String>,
}

impl CreditsPage {
    pub fn err(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
    pub fn is_admin(&self) -> bool {
        is_admin(&self.chrome)
    }
    pub fn name(&self, id: &i64) -> String {
        self.names
            .get(id)
            .cloned()
            .unwrap_or_else(|| format!("Account {id}"))
    }
    pub fn participants(&self) -> Vec<&AccountRow> {
        self.accounts
            .iter()
            .filter(|a| a.kind == AccountKind::Participant && a.closed_at.is_none())
            .collect()
    }
    pub fn venues(&self) -> Vec<&AccountRow> {
        self.accounts
            .iter()
            .filter(|a| a.kind == AccountKind::Venue && a.closed_at.is_none())
            .collect()
    }
    pub fn in_circulation(&self) -> i64 {
        self.accounts
            .iter()
            .filter(|a| a.id != ISSUER_ACCOUNT)
            .map(|a| a.balance)
            .sum()
    }
    pub fn when(&self, t: &i64) -> String {
        when(t)
    }
}

async fn credits_page(
    state: &AppState,
    identity: &Identity,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let accounts = state.store.credit_accounts().await?;
    let people: BTreeMap<i64, String> = state
        .store
        .participants()
        .await?
        .into_iter()
        .map(|p| (p.account_id, p.display_name))
        .collect();
    let names = accounts
        .iter()
        .map(|a| {
            (
                a.id,
                people.get(&a.id).cloned().unwrap_or_else(|| a.name.clone()),
            )
        })
        .collect();
    let page = CreditsPage {
        chrome: chrome(state, identity, SECTION, "Time credits").await?,
        recent: state.store.credit_transfers(20).await?,
        accounts,
        names,
        credits_per_hour: state.store.credits_per_hour().await?,
        retention_days: state.store.retention_days().await?,
        key: random_token(),
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

pub async fn credits(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    credits_page(
        &state,
        &identity,
        vec![],
        q.saved.map(|_| "Saved".to_string()),
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct PotForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    account: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    memo: String,
}

pub async fn credits_transfer(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Form(form): Form<PotForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let account = form.account.trim().parse::<i64>().ok();
    let amount = form.amount.trim().parse::<i64>().ok().filter(|a| *a >= 1);
    let (kind, field) = if form.kind == "redeem" {
        (TransferKind::Redeem, "redeem_amount")
    } else {
        (TransferKind::Grant, "grant_amount")
    };
    let problem = match (account, amount) {
        (None, _) => "Choose the account".to_string(),
        (_, None) => "Enter a whole number of credits of at least 1".to_string(),
        (Some(a), Some(amount)) => {
            let (from, to) = if kind == TransferKind::Redeem {
                (a, ISSUER_ACCOUNT)
            } else {
                (POT_ACCOUNT, a)
            };
            let req = TransferRequest {
                key: form.key.trim().to_string(),
                kind,
                from,
                to,
                amount,
                memo: form.memo.trim().chars().take(200).collect(),
                reverses: None,
            };
            match state.store.credit_transfer(&actor(&me), &req).await {
                Ok(_) => return Ok(Redirect::to("/co-production/credits?saved=1").into_response()),
                Err(StoreError::Conflict(m)) => m,
                Err(e) => return Err(e.into()),
            }
        }
    };
    credits_page(
        &state,
        &identity,
        vec![FieldError::new(field, problem)],
        None,
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct VenueForm {
    #[serde(default)]
    name: String,
}

pub async fn create_venue(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Form(form): Form<VenueForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return credits_page(
            &state,
            &identity,
            vec![FieldError::new(
                "venue_name",
                "Enter the venue's name, in 120 characters or fewer",
            )],
            None,
        )
        .await;
    }
    state
        .store
        .create_credit_account(&actor(&me), AccountKind::Venue, name)
        .await?;
    Ok(Redirect::to("/co-production/credits?saved=1").into_response())
}

#[derive(Deserialize, Default)]
pub struct SettingsForm {
    #[serde(default)]
    credits_per_hour: String,
    #[serde(default)]
    retention_days: String,
}

pub async fn save_settings(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Form(form): Form<SettingsForm>,
) -> Result<Response, AppError> {
    require_admin(&me)?;
    let rate = form
        .credits_per_hour
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|v| (1..=100).contains(v));
    let days = form
        .retention_days
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|v| (30..=3650).contains(v));
    let mut errors = Vec::new();
    if rate.is_none() {
        errors.push(FieldError::new(
            "credits_per_hour",
            "Enter the credits for an hour, a whole number from 1 to 100",
        ));
    }
    if days.is_none() {
        errors.push(FieldError::new(
            "retention_days",
            "Enter the retention period in days, from 30 to 3,650",
        ));
    }
    if let (Some(r), Some(d)) = (rate, days) {
        state
            .store
            .set_setting(
                &actor(&me),
                levers_store::coproduction::CREDITS_PER_HOUR,
                &r.to_string(),
            )
            .await?;
        state
            .store
            .set_setting(
                &actor(&me),
                levers_store::coproduction::RETENTION_DAYS,
                &d.to_string(),
            )
            .await?;
        return Ok(Redirect::to("/co-production/credits?saved=1").into_response());
    }
    credits_page(&state, &identity, errors, None).await
}

#[derive(Template)]
#[template(path = "coproduction/account.html")]
pub struct AccountPage {
    pub chrome: Chrome,
    pub account: AccountRow,
    pub name: String,
    pub participant: Option<i64>,
    pub statement: Vec<StatementRow>,
    pub key: String,
    pub errors: Vec<FieldError>,
}

impl AccountPage {
    pub fn when(&self, t: &i64) -> String {
        when(t)
    }
    pub fn kind(&self, k: &TransferKind) -> &'static str {
        k.label()
    }
    pub fn reversible(&self, s: &StatementRow) -> bool {
        s.reversed_by.is_none()
            && !matches!(s.line.kind, TransferKind::Reversal | TransferKind::Sweep)
            && self.account.closed_at.is_none()
    }
}

async fn account_page(
    state: &AppState,
    identity: &Identity,
    id: i64,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let account = state
        .store
        .credit_account(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let participant = state
        .store
        .participants()
        .await?
        .into_iter()
        .find(|p| p.account_id == id);
    let name = participant
        .as_ref()
        .map_or_else(|| account.name.clone(), |p| p.display_name.clone());
    let page = AccountPage {
        chrome: chrome(state, identity, SECTION, &format!("Statement: {name}")).await?,
        statement: state.store.credit_statement(id).await?,
        participant: participant.map(|p| p.id),
        account,
        name,
        key: random_token(),
        errors,
    };
    render_status(
        if page.errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::CONFLICT
        },
        &page,
    )
}

pub async fn account(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    account_page(&state, &identity, id, vec![]).await
}

#[derive(Deserialize, Default)]
pub struct ReverseForm {
    #[serde(default)]
    key: String,
    #[serde(default)]
    account: String,
}

pub async fn reverse(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<ReverseForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let back = form.account.trim().parse::<i64>().unwrap_or(ISSUER_ACCOUNT);
    match state
        .store
        .reverse_credit_transfer(
            &actor(&me),
            id,
            form.key.trim(),
            &format!("Reversal of transfer {id}"),
        )
        .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/co-production/credits/accounts/{back}")).into_response())
        }
        Err(StoreError::Conflict(m)) => {
            account_page(
                &state,
                &identity,
                back,
                vec![FieldError::new("statement", m)],
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

officer_pages!(CreditsPage, AccountPage);
