//! The principles self-assessment: history by directorate and the scoring form.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use levers_coproduction::principles::{self, Assessment, PRINCIPLES, Principle};
use levers_coproduction::register::{iso, parse_date};
use levers_store::coproduction::AssessmentRecord;
use serde::Deserialize;

use super::common::{
    SECTION, SavedQuery, directorates, field_errors, is_officer, officer_pages, today,
};
use crate::auth::{actor, require_officer};
use crate::error::AppError;
use crate::form::Form;
use crate::identity::{CurrentUser, Identity};
use crate::layout::{Chrome, FieldError, error_for};
use crate::page::{chrome, render, render_status};
use crate::state::AppState;

// ---------------------------------------------------------------------------------------------
// Principles self-assessment

#[derive(Template)]
#[template(path = "coproduction/principles.html")]
pub struct PrinciplesPage {
    pub chrome: Chrome,
    pub history: Vec<principles::History>,
    pub latest: Vec<AssessmentRecord>,
    pub notice: Option<String>,
}

impl PrinciplesPage {
    pub fn can_change(&self) -> bool {
        is_officer(&self.chrome)
    }
    pub fn principles(&self) -> &'static [Principle] {
        PRINCIPLES
    }
    pub fn citation(&self) -> &'static str {
        principles::FRAMEWORK_CITATION
    }
    pub fn date(&self, d: &time::Date) -> String {
        iso(*d)
    }
    pub fn change(&self, c: &Option<i64>) -> String {
        match c {
            None => "first".into(),
            Some(0) => "no change".into(),
            Some(x) if *x > 0 => format!("up {x}"),
            Some(x) => format!("down {}", -x),
        }
    }
}

pub async fn principles_page(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let records = state.store.coproduction_assessments().await?;
    let assessments: Vec<Assessment> = records.iter().map(|r| r.assessment.clone()).collect();
    let history = principles::history(&assessments);
    let mut latest: Vec<AssessmentRecord> = Vec::new();
    for r in records.into_iter().rev() {
        if !latest
            .iter()
            .any(|l| l.assessment.directorate == r.assessment.directorate)
        {
            latest.push(r);
        }
    }
    latest.sort_by(|a, b| a.assessment.directorate.cmp(&b.assessment.directorate));
    let chrome = chrome(&state, &identity, SECTION, "Co-production principles").await?;
    render(&PrinciplesPage {
        chrome,
        history,
        latest,
        notice: q.saved.map(|_| "The self-assessment was saved".into()),
    })
}

#[derive(Template)]
#[template(path = "coproduction/assessment_form.html")]
pub struct AssessmentFormPage {
    pub chrome: Chrome,
    pub directorate: String,
    pub assessed_on: String,
    pub notes: String,
    pub scores: BTreeMap<String, u8>,
    pub errors: Vec<FieldError>,
    pub directorates: Vec<String>,
}

impl AssessmentFormPage {
    pub fn err(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
    pub fn principles(&self) -> &'static [Principle] {
        PRINCIPLES
    }
    pub fn scale(&self) -> &'static [(u8, &'static str)] {
        &principles::SCORES
    }
    pub fn field(&self, key: &str) -> &'static str {
        principles::field_for(key)
    }
    pub fn checked(&self, key: &str, v: &u8) -> bool {
        self.scores.get(key) == Some(v)
    }
    pub fn citation(&self) -> &'static str {
        principles::FRAMEWORK_CITATION
    }
}

pub async fn new_assessment(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let chrome = chrome(
        &state,
        &identity,
        SECTION,
        "Self-assess against the principles",
    )
    .await?;
    render(&AssessmentFormPage {
        chrome,
        directorate: String::new(),
        assessed_on: iso(today()),
        notes: String::new(),
        scores: BTreeMap::new(),
        errors: vec![],
        directorates: directorates(&state).await?,
    })
}

/// The self-assessment form: the directorate, date and notes, and one score field for each statement
/// (named by `principles::field_for`).
#[derive(Deserialize, Default)]
pub struct AssessmentForm {
    #[serde(default)]
    directorate: String,
    #[serde(default)]
    assessed_on: String,
    #[serde(default)]
    notes: String,
    #[serde(flatten)]
    scores: BTreeMap<String, String>,
}

impl AssessmentForm {
    /// The scores given, by statement key; a statement left blank or with no score is not scored.
    fn scores(&self) -> BTreeMap<String, u8> {
        principles::statements()
            .filter_map(|s| {
                let v = self.scores.get(principles::field_for(s.key))?;
                Some((s.key.to_string(), v.parse::<u8>().ok()?))
            })
            .collect()
    }
}

pub async fn create_assessment(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Form(form): Form<AssessmentForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let scores = form.scores();
    let assessed_on = form.assessed_on.trim().to_string();
    let mut errors = Vec::new();
    let on = parse_date(&assessed_on);
    if on.is_none() {
        errors.push(FieldError::new(
            "assessed_on",
            "Enter the date of the assessment, for example 2025-06-30",
        ));
    }
    let a = Assessment {
        directorate: form.directorate.trim().to_string(),
        assessed_on: on.unwrap_or(time::Date::MIN),
        scores: scores.clone(),
        notes: form.notes.trim().to_string(),
    };
    errors.extend(field_errors(a.problems()));
    if errors.is_empty() {
        state
            .store
            .add_coproduction_assessment(&actor(&me), &a)
            .await?;
        return Ok(Redirect::to("/co-production/principles?saved=1").into_response());
    }
    let chrome = chrome(
        &state,
        &identity,
        SECTION,
        "Self-assess against the principles",
    )
    .await?;
    render_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &AssessmentFormPage {
            chrome,
            directorate: a.directorate,
            assessed_on,
            notes: a.notes,
            scores,
            errors,
            directorates: directorates(&state).await?,
        },
    )
}

officer_pages!(PrinciplesPage);

#[cfg(test)]
mod tests {
    use super::AssessmentForm;

    #[test]
    fn scores_are_read_by_their_field_names() {
        let f: AssessmentForm = crate::form::parse(
            b"csrf_token=x&directorate=Adults&assessed_on=2025-06-30&score_assets_1=3&score_assets_2=&notes=n",
        )
        .unwrap();
        assert_eq!(f.directorate, "Adults");
        let scores = f.scores();
        assert_eq!(scores.get("assets.1"), Some(&3));
        assert_eq!(scores.len(), 1);
    }
}
