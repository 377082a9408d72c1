//! Officers' voting code pages: batches (a printable sheet or CSV for a mail merge), and cancelling
//! a code that must not vote.

use crate::page::attachment;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use levers_pb::codes;
use levers_pb::process::{Action, Area, Who, slugify};
use levers_store::pb_process::PbProcess;
use serde::Deserialize;

use super::common::{ProcessView, SECTION, load};
use crate::auth::{actor, require_officer};
use crate::error::AppError;
use crate::form::Form;
use crate::identity::{CurrentUser, Identity};
use crate::layout::{Chrome, FieldError, error_for};
use crate::page::{chrome, render, render_status};
use crate::state::AppState;
use levers_app::community_budget::{MAX_BATCH, VOID_REASONS, cancel_code, new_code_batch};

/// Cancelling a code.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct VoidForm {
    void_code: String,
    /// A key of `VOID_REASONS`.
    void_reason: String,
}

/// Making a batch of codes.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BatchForm {
    /// How many, as typed.
    count: String,
    label: String,
    /// A ward code of the process, or blank.
    ward: String,
    /// "csv" to download the codes; anything else shows a printable sheet.
    format: String,
}

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/community-budgets/{slug}/codes",
            get(codes_page).post(generate_codes),
        )
        .route("/community-budgets/{slug}/codes/void", post(void_code))
}

#[derive(Template)]
#[template(path = "pb/codes.html")]
pub struct CodesPage {
    pub chrome: Chrome,
    pub p: ProcessView,
    pub batches: Vec<levers_store::pb_process::PbCodeBatch>,
    pub wards: Vec<(String, String)>,
    pub errors: Vec<FieldError>,
    pub entropy: String,
    /// After a code is cancelled: the confirmation to show.
    pub voided: Option<String>,
    /// What was typed into the cancel form, shown again with its error.
    pub void_code: String,
    pub void_reason: String,
}

impl CodesPage {
    pub fn err(&self, f: &str) -> Option<&str> {
        error_for(&self.errors, f)
    }

    pub fn reasons(&self) -> &'static [(&'static str, &'static str)] {
        VOID_REASONS
    }

    pub fn reason_chosen(&self, key: &str) -> bool {
        self.void_reason == key
    }
    pub fn when(&self, at: &i64) -> String {
        crate::layout::when(at)
    }
}

#[derive(Template)]
#[template(path = "pb/code_sheet.html")]
pub struct CodeSheetPage {
    pub chrome: Chrome,
    pub p: ProcessView,
    pub label: String,
    pub codes: Vec<String>,
    pub vote_url: String,
}

/// The area's wards with their names from the geography, when the area is a list of wards.
async fn area_wards(state: &AppState, p: &PbProcess) -> Vec<(String, String)> {
    let Area::Wards(codes) = &p.def.area else {
        return Vec::new();
    };
    let index = state.geo.get(&state.store).await.ok();
    codes
        .iter()
        .map(|c| {
            let name = index
                .as_ref()
                .and_then(|i| {
                    levers_core::AreaCode::parse(c)
                        .ok()
                        .and_then(|code| i.area(&code))
                        .and_then(|a| a.name)
                })
                .unwrap_or_else(|| c.clone());
            (c.clone(), name)
        })
        .collect()
}

async fn codes_view(
    state: &AppState,
    identity: &Identity,
    p: &PbProcess,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    codes_view_with(
        state,
        identity,
        p,
        errors,
        None,
        String::new(),
        String::new(),
    )
    .await
}

async fn codes_view_with(
    state: &AppState,
    identity: &Identity,
    p: &PbProcess,
    errors: Vec<FieldError>,
    voided: Option<String>,
    void_code: String,
    void_reason: String,
) -> Result<Response, AppError> {
    let batches = state.store.pb_code_batches(p.id).await?;
    let wards = area_wards(state, p).await;
    let chrome = chrome(
        state,
        identity,
        SECTION,
        &format!("Voting codes: {}", p.def.name),
    )
    .await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let entropy = format!("{:.0}", codes::code_entropy_bits());
    render_status(
        status,
        &CodesPage {
            chrome,
            p: ProcessView::new(p),
            batches,
            wards,
            errors,
            entropy,
            voided,
            void_code,
            void_reason,
        },
    )
}

/// Cancels a code that must not vote (a returned letter, a damaged card, a code seen by someone
/// else, a voter given a replacement). Officers only; audited with the reason, not the code.
pub async fn void_code(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(slug): Path<String>,
    Form(f): Form<VoidForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let p = load(&state, &slug).await?;
    let typed = f.void_code.trim().to_string();
    let reason_key = f.void_reason;
    let again = |msg: String, field_name: &'static str| vec![FieldError::new(field_name, msg)];
    let Some((_, reason)) = VOID_REASONS.iter().find(|(k, _)| *k == reason_key) else {
        let errors = again(
            "Choose why the code is being cancelled".into(),
            "void_reason",
        );
        return codes_view_with(&state, &identity, &p, errors, None, typed, reason_key).await;
    };
    if let Err(why) = Action::CancelCode.allowed(Who::Officer, p.phase) {
        let errors = again(why.into(), "void_code");
        return codes_view_with(&state, &identity, &p, errors, None, typed, reason_key).await;
    }
    match cancel_code(&state.store, &actor(&me), &p, &typed, reason).await? {
        Ok(done) => {
            codes_view_with(
                &state,
                &identity,
                &p,
                vec![],
                Some(done),
                String::new(),
                String::new(),
            )
            .await
        }
        Err(refusal) => {
            let status = if refusal.not_a_code {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::CONFLICT
            };
            let mut resp = codes_view_with(
                &state,
                &identity,
                &p,
                again(refusal.message, "void_code"),
                None,
                typed,
                reason_key,
            )
            .await?;
            *resp.status_mut() = status;
            Ok(resp)
        }
    }
}

pub async fn codes_page(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let p = load(&state, &slug).await?;
    codes_view(&state, &identity, &p, vec![]).await
}

/// Where residents vote, as printed on a code sheet: the configured public address (never the
/// request's Host header, which whoever sends the request chooses), or the path alone without one.
fn vote_url(public_url: Option<&str>, slug: &str) -> String {
    let base = public_url.map_or("", |u| u.trim().trim_end_matches('/'));
    format!("{base}/community-budgets/{slug}/vote")
}

pub async fn generate_codes(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(slug): Path<String>,
    Form(f): Form<BatchForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let p = load(&state, &slug).await?;
    let mut errors = Vec::new();
    let n = f.count.trim().parse::<usize>().unwrap_or(0);
    if !(1..=MAX_BATCH).contains(&n) {
        errors.push(FieldError::new(
            "count",
            format!("Enter how many codes to make, from 1 to {MAX_BATCH}"),
        ));
    }
    let label = f.label.trim().to_string();
    if label.is_empty() || label.chars().count() > 100 {
        errors.push(FieldError::new(
            "label",
            "Name the batch (up to 100 characters), like \"Harbour door to door\"",
        ));
    }
    if let Err(why) = Action::IssueCodes.allowed(Who::Officer, p.phase) {
        errors.push(FieldError::new("count", why));
    }
    let wards = area_wards(&state, &p).await;
    let ward = match f.ward.as_str() {
        "" => None,
        w => match wards.iter().find(|x| x.0 == w) {
            Some(x) => Some(x.clone()),
            None => {
                errors.push(FieldError::new(
                    "ward",
                    "Choose a ward of this process, or none",
                ));
                None
            }
        },
    };
    if !errors.is_empty() {
        return codes_view(&state, &identity, &p, errors).await;
    }
    let list = new_code_batch(
        &state.store,
        &actor(&me),
        &p,
        &label,
        ward.as_ref().map(|(c, n)| (c.as_str(), n.as_str())),
        n,
    )
    .await?;
    let url = vote_url(state.config.public_url.as_deref(), &p.def.slug);
    if f.format == "csv" {
        let csv = levers_app::community_budget::codes_csv(&list, &label, &p.def.name, &url);
        return Ok(attachment(
            "text/csv; charset=utf-8",
            format!("{}-codes-{}.csv", p.def.slug, slugify(&label)),
            csv,
        ));
    }
    let chrome = chrome(
        &state,
        &identity,
        SECTION,
        &format!("Voting codes: {label}"),
    )
    .await?;
    render(&CodeSheetPage {
        chrome,
        p: ProcessView::new(&p),
        label,
        codes: list,
        vote_url: url,
    })
}

#[cfg(test)]
mod tests {
    use super::vote_url;

    #[test]
    fn the_voting_address_is_the_configured_one() {
        assert_eq!(
            vote_url(Some("https://levers.example.gov.uk/"), "quay"),
            "https://levers.example.gov.uk/community-budgets/quay/vote"
        );
        assert_eq!(vote_url(None, "quay"), "/community-budgets/quay/vote");
    }
}
