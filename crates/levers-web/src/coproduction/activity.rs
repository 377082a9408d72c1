//! The forms that add and change a commissioning activity and record an involvement at a stage.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use levers_coproduction::register::{
    Activity, Involvement, Lead, Rung, Stage, iso, parse_date, split_list,
};
use levers_core::Money;
use levers_store::StoreError;
use levers_store::coproduction::ActivityRecord;
use levers_store::strategy::{LinkKind, ObjectiveChoice};
use levers_strategy::normalise_tag;
use serde::Deserialize;

use super::common::{SECTION, count, directorates, field_errors, today};
use crate::auth::{actor, require_officer};
use crate::error::AppError;
use crate::form::Form;
use crate::identity::{CurrentUser, Identity};
use crate::layout::{Chrome, FieldError, error_for};
use crate::page::{chrome, render, render_status};
use crate::state::AppState;

#[derive(Deserialize, Default)]
pub struct ActivityForm {
    #[serde(default)]
    reference: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    directorate: String,
    #[serde(default)]
    annual_value: String,
    #[serde(default)]
    current_stage: String,
    #[serde(default)]
    procurement_ref: String,
    /// The strategy objectives it serves, chosen by id (never typed, so a typo cannot make one).
    #[serde(default)]
    objective: Vec<i64>,
    /// Objectives the register file typed that match no recorded objective (shown, not kept).
    #[serde(skip)]
    typed: Vec<String>,
    #[serde(default)]
    started_on: String,
}

impl ActivityForm {
    fn from_activity(a: &Activity) -> ActivityForm {
        ActivityForm {
            reference: a.reference.clone(),
            service: a.service.clone(),
            directorate: a.directorate.clone(),
            annual_value: a.annual_value.to_plain(),
            current_stage: a.current_stage.name().into(),
            procurement_ref: a.procurement_ref.clone().unwrap_or_default(),
            objective: Vec::new(),
            typed: Vec::new(),
            started_on: iso(a.started_on),
        }
    }

    /// The form of a stored activity: its linked objectives chosen, and any objective its register
    /// column names that is not one of them listed as typed.
    async fn of_record(state: &AppState, id: i64, a: &Activity) -> Result<ActivityForm, AppError> {
        let mut f = ActivityForm::from_activity(a);
        f.objective = state
            .store
            .linked_objectives(LinkKind::Coproduction, id)
            .await?;
        let choices = state.store.objective_choices().await?;
        let linked: Vec<String> = choices
            .iter()
            .filter(|c| f.objective.contains(&c.id))
            .map(|c| normalise_tag(&c.title))
            .collect();
        f.typed = a
            .objectives
            .iter()
            .filter(|t| !linked.contains(&normalise_tag(t)))
            .cloned()
            .collect();
        Ok(f)
    }

    fn parse(&self, choices: &[ObjectiveChoice]) -> Result<Activity, Vec<FieldError>> {
        let mut errors = Vec::new();
        if self
            .objective
            .iter()
            .any(|id| !choices.iter().any(|c| c.id == *id))
        {
            errors.push(FieldError::new(
                "objectives",
                "Choose objectives from the list (one you chose is no longer recorded)",
            ));
        }
        let annual_value = match self.annual_value.parse::<Money>() {
            Ok(m) => m,
            Err(e) => {
                errors.push(FieldError::new(
                    "annual_value",
                    format!("Enter the estimated annual value in pounds: {e}"),
                ));
                Money::ZERO
            }
        };
        let current_stage = Stage::parse(&self.current_stage).unwrap_or_else(|| {
            errors.push(FieldError::new(
                "current_stage",
                "Choose the stage the activity is at now",
            ));
            Stage::Analyse
        });
        let started_on = parse_date(&self.started_on).unwrap_or_else(|| {
            errors.push(FieldError::new(
                "started_on",
                "Enter the date the activity started, for example 2025-04-01 or 01/04/2025",
            ));
            time::Date::MIN
        });
        let a = Activity {
            reference: self.reference.trim().to_string(),
            service: self.service.trim().to_string(),
            directorate: self.directorate.trim().to_string(),
            annual_value,
            current_stage,
            procurement_ref: Some(self.procurement_ref.trim().to_string())
                .filter(|s| !s.is_empty()),
            objectives: choices
                .iter()
                .filter(|c| self.objective.contains(&c.id))
                .map(|c| c.title.clone())
                .collect(),
            started_on,
        };
        let mut problems = field_errors(a.problems());
        problems.retain(|p| !errors.iter().any(|e| e.field == p.field));
        errors.extend(problems);
        // Keep the order of the form.
        let order = [
            "reference",
            "service",
            "directorate",
            "annual_value",
            "current_stage",
            "procurement_ref",
            "objectives",
            "started_on",
        ];
        errors.sort_by_key(|e| order.iter().position(|f| *f == e.field).unwrap_or(99));
        if errors.is_empty() {
            Ok(a)
        } else {
            Err(errors)
        }
    }
}

#[derive(Template)]
#[template(path = "coproduction/activity_form.html")]
pub struct ActivityFormPage {
    pub chrome: Chrome,
    pub id: Option<i64>,
    pub form: ActivityForm,
    pub errors: Vec<FieldError>,
    pub directorates: Vec<String>,
    /// Every strategy objective, to choose from.
    pub choices: Vec<ObjectiveChoice>,
}

impl ActivityFormPage {
    pub fn chosen(&self, id: &i64) -> bool {
        self.form.objective.contains(id)
    }
    pub fn err(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
    pub fn stages(&self) -> [Stage; 4] {
        Stage::ALL
    }
    pub fn action(&self) -> String {
        self.id.map_or_else(
            || "/co-production/register".to_string(),
            |id| format!("/co-production/register/{id}"),
        )
    }
}

pub async fn new_activity(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let chrome = chrome(&state, &identity, SECTION, "Add a commissioning activity").await?;
    let form = ActivityForm {
        current_stage: "analyse".into(),
        started_on: iso(today()),
        ..ActivityForm::default()
    };
    render(&ActivityFormPage {
        chrome,
        id: None,
        form,
        errors: vec![],
        directorates: directorates(&state).await?,
        choices: state.store.objective_choices().await?,
    })
}

pub async fn create_activity(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Form(form): Form<ActivityForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let choices = state.store.objective_choices().await?;
    let errors = match form.parse(&choices) {
        Ok(a) => match state
            .store
            .create_coproduction_activity(&actor(&me), &a)
            .await
        {
            Ok(id) => {
                state
                    .store
                    .set_linked_objectives(&actor(&me), LinkKind::Coproduction, id, &form.objective)
                    .await?;
                return Ok(
                    Redirect::to(&format!("/co-production/register/{id}?saved=1")).into_response(),
                );
            }
            Err(StoreError::Conflict(m)) => vec![FieldError::new("reference", m)],
            Err(e) => return Err(e.into()),
        },
        Err(e) => e,
    };
    let chrome = chrome(&state, &identity, SECTION, "Add a commissioning activity").await?;
    render_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &ActivityFormPage {
            chrome,
            id: None,
            form,
            errors,
            directorates: directorates(&state).await?,
            choices,
        },
    )
}

pub async fn edit_activity(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let a = state
        .store
        .coproduction_activity(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let chrome = chrome(
        &state,
        &identity,
        SECTION,
        &format!("Change {}", a.activity.reference),
    )
    .await?;
    render(&ActivityFormPage {
        chrome,
        id: Some(id),
        form: ActivityForm::of_record(&state, id, &a.activity).await?,
        errors: vec![],
        directorates: directorates(&state).await?,
        choices: state.store.objective_choices().await?,
    })
}

pub async fn update_activity(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<ActivityForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    state
        .store
        .coproduction_activity(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let choices = state.store.objective_choices().await?;
    let errors = match form.parse(&choices) {
        Ok(a) => match state
            .store
            .update_coproduction_activity(&actor(&me), id, &a)
            .await
        {
            Ok(()) => {
                state
                    .store
                    .set_linked_objectives(&actor(&me), LinkKind::Coproduction, id, &form.objective)
                    .await?;
                return Ok(
                    Redirect::to(&format!("/co-production/register/{id}?saved=1")).into_response(),
                );
            }
            Err(StoreError::Conflict(m)) => vec![FieldError::new("reference", m)],
            Err(e) => return Err(e.into()),
        },
        Err(e) => e,
    };
    let chrome = chrome(&state, &identity, SECTION, "Change an activity").await?;
    render_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &ActivityFormPage {
            chrome,
            id: Some(id),
            form,
            errors,
            directorates: directorates(&state).await?,
            choices,
        },
    )
}

#[derive(Deserialize, Default)]
pub struct InvolvementForm {
    #[serde(default)]
    stage: String,
    #[serde(default)]
    rung: String,
    #[serde(default)]
    lead: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    methods: String,
    #[serde(default)]
    groups: String,
    #[serde(default)]
    lived_experience: Option<String>,
    #[serde(default)]
    headcount: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    decisions: String,
    #[serde(default)]
    you_said_we_did: String,
}

impl InvolvementForm {
    fn parse(&self) -> Result<Involvement, Vec<FieldError>> {
        let mut errors = Vec::new();
        let stage = Stage::parse(&self.stage);
        if stage.is_none() {
            errors.push(FieldError::new(
                "stage",
                "Choose the stage of the commissioning cycle",
            ));
        }
        let rung = Rung::parse(&self.rung);
        if rung.is_none() {
            errors.push(FieldError::new(
                "rung",
                "Choose the rung on the ladder of co-production",
            ));
        }
        let lead = Lead::parse(&self.lead);
        if lead.is_none() {
            errors.push(FieldError::new("lead", "Choose who led the involvement"));
        }
        let held_on = parse_date(&self.held_on);
        if held_on.is_none() {
            errors.push(FieldError::new(
                "held_on",
                "Enter the date it took place, for example 2025-05-14",
            ));
        }
        let headcount = count(&self.headcount);
        if headcount.is_none() {
            errors.push(FieldError::new(
                "headcount",
                "Enter how many people took part as a whole number",
            ));
        }
        let hours = count(&self.hours);
        if hours.is_none() {
            errors.push(FieldError::new(
                "hours",
                "Enter the total hours people gave as a whole number",
            ));
        }
        let inv = Involvement {
            stage: stage.unwrap_or(Stage::Analyse),
            rung: rung.unwrap_or(Rung::Informing),
            lead: lead.unwrap_or(Lead::Council),
            held_on: held_on.unwrap_or(time::Date::MIN),
            methods: split_list(&self.methods),
            groups: split_list(&self.groups),
            lived_experience: self.lived_experience.is_some(),
            headcount: headcount.unwrap_or(0),
            hours: hours.unwrap_or(0),
            decisions: self.decisions.trim().to_string(),
            you_said_we_did: self.you_said_we_did.trim().to_string(),
        };
        errors.extend(field_errors(inv.problems()));
        if errors.is_empty() {
            Ok(inv)
        } else {
            Err(errors)
        }
    }
}

#[derive(Template)]
#[template(path = "coproduction/involvement_form.html")]
pub struct InvolvementFormPage {
    pub chrome: Chrome,
    pub a: ActivityRecord,
    pub form: InvolvementForm,
    pub errors: Vec<FieldError>,
}

impl InvolvementFormPage {
    pub fn err(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
    pub fn stages(&self) -> [Stage; 4] {
        Stage::ALL
    }
    pub fn rungs(&self) -> Vec<Rung> {
        Rung::ALL.iter().rev().copied().collect()
    }
    pub fn leads(&self) -> [Lead; 2] {
        Lead::ALL
    }
    pub fn lived(&self) -> bool {
        self.form.lived_experience.is_some()
    }
}

#[derive(Deserialize, Default)]
pub struct StageQuery {
    #[serde(default)]
    stage: String,
}

pub async fn new_involvement(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<StageQuery>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let a = state
        .store
        .coproduction_activity(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let chrome = chrome(&state, &identity, SECTION, "Record an involvement").await?;
    let stage = Stage::parse(&q.stage).unwrap_or(a.activity.current_stage);
    let form = InvolvementForm {
        stage: stage.name().into(),
        lead: "council".into(),
        held_on: iso(today()),
        ..InvolvementForm::default()
    };
    render(&InvolvementFormPage {
        chrome,
        a,
        form,
        errors: vec![],
    })
}

pub async fn create_involvement(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<InvolvementForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let a = state
        .store
        .coproduction_activity(id)
        .await?
        .ok_or(AppError::NotFound)?;
    match form.parse() {
        Ok(inv) => {
            state
                .store
                .add_coproduction_involvement(&actor(&me), id, &inv)
                .await?;
            Ok(Redirect::to(&format!("/co-production/register/{id}?saved=1")).into_response())
        }
        Err(errors) => {
            let chrome = chrome(&state, &identity, SECTION, "Record an involvement").await?;
            render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &InvolvementFormPage {
                    chrome,
                    a,
                    form,
                    errors,
                },
            )
        }
    }
}
