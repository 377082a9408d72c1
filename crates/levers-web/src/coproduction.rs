//! Co-production pages and API: the register (list, detail, activity and involvement forms, CSV import
//! and export), the coverage dashboard (SVG charts, each with its table), the principles
//! self-assessment, participants (minimum data, reward and benefits-advice flag, equality monitoring
//! reported only as totals of ten or more, subject-access export, erasure requests, retention purge)
//! and time credits (accounts, statements, credits issued for participation, spending at venues,
//! gifts to the pot, grants, reversals), plus the JSON API for transfers.
//!
//! Viewers may read the register, coverage and assessments; only officers and admins see people or
//! change anything; only admins change the ledger settings or run the purge.

use std::collections::BTreeMap;
use std::fmt::Write;

use askama::Template;
use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use levers_coproduction::csv_io::{RegisterFile, read_register, write_register};
use levers_coproduction::ledger::{self, AccountKind, TransferKind, TransferRequest};
use levers_coproduction::people::{DIMENSIONS, Dimension, RewardForm, suppress};
use levers_coproduction::principles::{self, Assessment, PRINCIPLES, Principle};
use levers_coproduction::register::{
    Activity, Involvement, Lead, Rung, Stage, ValueBand, iso, parse_date, split_list,
};
use levers_coproduction::{Coverage, Quarter, Tally, coverage, quarterly};
use levers_core::Money;
use levers_store::coproduction::{
    AccountRow, ActivityRecord, AssessmentRecord, ErasureRequest, ISSUER_ACCOUNT, POT_ACCOUNT,
    Participant, ParticipantDetails, ParticipationRow, StatementRow, TransferRow,
};
use levers_store::{Role, StoreError, User};
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::auth::{CurrentUser, Identity, actor, random_token, require_officer};
use crate::charts::esc;
use crate::error::AppError;
use crate::pages::{chrome, render, render_status};
use crate::templates::{Chrome, FieldError, error_for, when};

const SECTION: &str = "co-production";

fn require_admin(u: &User) -> Result<(), AppError> {
    if u.role.allows(Role::Admin) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

fn is_officer(c: &Chrome) -> bool {
    c.user
        .as_ref()
        .is_some_and(|u| u.role.allows(Role::Officer))
}

fn is_admin(c: &Chrome) -> bool {
    c.user.as_ref().is_some_and(|u| u.role.allows(Role::Admin))
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

/// Converts a domain field problem into the page's field error.
fn field_errors(problems: Vec<levers_coproduction::FieldProblem>) -> Vec<FieldError> {
    problems
        .into_iter()
        .map(|p| FieldError::new(p.field, p.message))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Charts: horizontal bars (long labels such as directorates read better across the page).

/// A horizontal bar chart of percentages (0–100), one bar per label, with a text alternative.
pub fn hbar_chart(id: &str, title: &str, rows: &[(String, f64)], note: &str) -> String {
    let bar_h = 26.0;
    let gap = 10.0;
    let left = 200.0;
    let width = 640.0;
    let plot = width - left - 60.0;
    let top = 10.0;
    let height = top + rows.len() as f64 * (bar_h + gap) + 30.0;
    let desc: Vec<String> = rows
        .iter()
        .map(|(l, v)| format!("{l}: {:.0}%", v * 100.0))
        .collect();
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="lv-chart" viewBox="0 0 {width} {height:.0}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}{}</desc>"#,
        esc(title),
        esc(&desc.join("; ")),
        esc(note)
    );
    for pc in [0, 25, 50, 75, 100] {
        let x = left + plot * f64::from(pc) / 100.0;
        let _ = write!(
            s,
            r##"<line x1="{x:.1}" x2="{x:.1}" y1="{top}" y2="{:.1}" stroke="#b1b4b6" stroke-width="1"/><text x="{x:.1}" y="{:.1}" text-anchor="middle" font-size="13" fill="#0b0c0c">{pc}%</text>"##,
            height - 26.0,
            height - 8.0
        );
    }
    for (i, (label, v)) in rows.iter().enumerate() {
        let y = top + i as f64 * (bar_h + gap);
        let w = plot * v.clamp(0.0, 1.0);
        let short: String = if label.chars().count() > 26 {
            label.chars().take(25).collect::<String>() + "…"
        } else {
            label.clone()
        };
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end" font-size="14" fill="#0b0c0c">{}</text><rect x="{left}" y="{y:.1}" width="{w:.1}" height="{bar_h}" fill="#1d70b8"/><text x="{:.1}" y="{:.1}" font-size="13" fill="#0b0c0c">{:.0}%</text>"##,
            left - 8.0,
            y + bar_h * 0.68,
            esc(&short),
            left + w + 6.0,
            y + bar_h * 0.68,
            v * 100.0
        );
    }
    s.push_str("</svg>");
    s
}

/// A column chart of percentages over quarters (two series: by count and by value).
pub fn trend_chart(id: &str, title: &str, rows: &[(String, f64, f64)]) -> String {
    let (width, height) = (640.0_f64, 300.0_f64);
    let (left, right, top, bottom) = (50.0, 16.0, 16.0, 70.0);
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let n = rows.len().max(1) as f64;
    let slot = plot_w / n;
    let bar = (slot * 0.35).min(30.0);
    let y = |v: f64| top + plot_h - plot_h * v.clamp(0.0, 1.0);
    let desc: Vec<String> = rows
        .iter()
        .map(|(q, c, v)| {
            format!(
                "{q}: {:.0}% of activities, {:.0}% of value",
                c * 100.0,
                v * 100.0
            )
        })
        .collect();
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="lv-chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        esc(title),
        esc(&desc.join("; "))
    );
    for pc in [0, 25, 50, 75, 100] {
        let yy = y(f64::from(pc) / 100.0);
        let _ = write!(
            s,
            r##"<line x1="{left}" x2="{:.1}" y1="{yy:.1}" y2="{yy:.1}" stroke="#b1b4b6" stroke-width="1"/><text x="{:.1}" y="{:.1}" text-anchor="end" font-size="13" fill="#0b0c0c">{pc}%</text>"##,
            width - right,
            left - 6.0,
            yy + 4.0
        );
    }
    for (i, (q, c, v)) in rows.iter().enumerate() {
        let x = left + slot * i as f64 + slot / 2.0 - bar;
        let _ = write!(
            s,
            r##"<rect x="{x:.1}" y="{:.1}" width="{bar:.1}" height="{:.1}" fill="#1d70b8"/><rect x="{:.1}" y="{:.1}" width="{bar:.1}" height="{:.1}" fill="#f47738"/><text transform="translate({:.1} {:.1}) rotate(-40)" text-anchor="end" font-size="12" fill="#0b0c0c">{}</text>"##,
            y(*c),
            top + plot_h - y(*c),
            x + bar,
            y(*v),
            top + plot_h - y(*v),
            x + bar,
            top + plot_h + 14.0,
            esc(q)
        );
    }
    let _ = write!(
        s,
        r##"<rect x="{left}" y="{:.1}" width="12" height="12" fill="#1d70b8"/><text x="{:.1}" y="{:.1}" font-size="13" fill="#0b0c0c">by count</text><rect x="{:.1}" y="{:.1}" width="12" height="12" fill="#f47738"/><text x="{:.1}" y="{:.1}" font-size="13" fill="#0b0c0c">by £ value</text></svg>"##,
        height - 14.0,
        left + 16.0,
        height - 4.0,
        left + 100.0,
        height - 14.0,
        left + 116.0,
        height - 4.0
    );
    s
}

// ---------------------------------------------------------------------------------------------
// The register

#[derive(Template)]
#[template(path = "coproduction/register.html")]
pub struct RegisterPage {
    pub chrome: Chrome,
    pub activities: Vec<ActivityRecord>,
    pub notice: Option<String>,
}

impl RegisterPage {
    pub fn can_change(&self) -> bool {
        is_officer(&self.chrome)
    }
    pub fn stages(&self) -> [Stage; 4] {
        Stage::ALL
    }
    /// The highest rung at a stage, as a short label, or a dash.
    pub fn level(&self, a: &ActivityRecord, s: &Stage) -> LevelCell {
        let levels = levers_coproduction::coverage::stage_levels(&a.entry(), None);
        match levels[s.index()] {
            Some(r) => LevelCell {
                label: r.label(),
                co: r.is_coproduction(),
            },
            None => LevelCell {
                label: "–",
                co: false,
            },
        }
    }
}

/// A stage's highest rung in the register table.
pub struct LevelCell {
    pub label: &'static str,
    /// Co-design or above.
    pub co: bool,
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    #[serde(default)]
    saved: Option<String>,
}

pub async fn register(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let activities = state.store.coproduction_activities().await?;
    let chrome = chrome(&state, &identity, SECTION, "Co-production register").await?;
    let notice = q.saved.map(|s| {
        if s == "import" {
            "The register file was imported".to_string()
        } else {
            "Saved".to_string()
        }
    });
    render(&RegisterPage {
        chrome,
        activities,
        notice,
    })
}

#[derive(Template)]
#[template(path = "coproduction/activity.html")]
pub struct ActivityPage {
    pub chrome: Chrome,
    pub a: ActivityRecord,
    pub notice: Option<String>,
}

impl ActivityPage {
    pub fn can_change(&self) -> bool {
        is_officer(&self.chrome)
    }
    pub fn stages(&self) -> [Stage; 4] {
        Stage::ALL
    }
    pub fn at(&self, s: &Stage) -> Vec<&levers_store::coproduction::InvolvementRecord> {
        self.a
            .involvements
            .iter()
            .filter(|i| i.involvement.stage == *s)
            .collect()
    }
    pub fn standing(&self) -> levers_coproduction::coverage::ActivityStanding {
        levers_coproduction::coverage::standing(&self.a.entry(), None)
    }
    pub fn date(&self, d: &time::Date) -> String {
        iso(*d)
    }
    pub fn list(&self, v: &[String]) -> String {
        if v.is_empty() {
            "–".into()
        } else {
            v.join(", ")
        }
    }
}

pub async fn activity(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let a = state
        .store
        .coproduction_activity(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let chrome = chrome(
        &state,
        &identity,
        SECTION,
        &format!("{} ({})", a.activity.service, a.activity.reference),
    )
    .await?;
    render(&ActivityPage {
        chrome,
        a,
        notice: q.saved.map(|_| "Saved".to_string()),
    })
}

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
    #[serde(default)]
    objectives: String,
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
            objectives: a.objectives.join("\n"),
            started_on: iso(a.started_on),
        }
    }

    fn parse(&self) -> Result<Activity, Vec<FieldError>> {
        let mut errors = Vec::new();
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
            objectives: self
                .objectives
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
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
}

impl ActivityFormPage {
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

async fn directorates(state: &AppState) -> Result<Vec<String>, AppError> {
    let mut d: Vec<String> = state
        .store
        .coproduction_activities()
        .await?
        .into_iter()
        .map(|a| a.activity.directorate)
        .collect();
    d.sort();
    d.dedup();
    Ok(d)
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
    })
}

pub async fn create_activity(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    axum::Form(form): axum::Form<ActivityForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let errors = match form.parse() {
        Ok(a) => match state
            .store
            .create_coproduction_activity(&actor(&me), &a)
            .await
        {
            Ok(id) => {
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
        form: ActivityForm::from_activity(&a.activity),
        errors: vec![],
        directorates: directorates(&state).await?,
    })
}

pub async fn update_activity(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<ActivityForm>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    state
        .store
        .coproduction_activity(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let errors = match form.parse() {
        Ok(a) => match state
            .store
            .update_coproduction_activity(&actor(&me), id, &a)
            .await
        {
            Ok(()) => {
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

fn count(s: &str) -> Option<u32> {
    let t: String = s.trim().chars().filter(|c| *c != ',').collect();
    if t.is_empty() {
        Some(0)
    } else {
        t.parse().ok()
    }
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
    axum::Form(form): axum::Form<InvolvementForm>,
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

pub async fn export_register(State(state): State<AppState>) -> Result<Response, AppError> {
    let text = write_register(&state.store.coproduction_register().await?);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"coproduction-register.csv\"",
            ),
        ],
        text,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "coproduction/import.html")]
pub struct ImportPage {
    pub chrome: Chrome,
    pub errors: Vec<FieldError>,
    pub result: Option<(
        RegisterFile,
        levers_store::coproduction::RegisterImportCounts,
    )>,
}

impl ImportPage {
    pub fn err(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

pub async fn import_form(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let chrome = chrome(&state, &identity, SECTION, "Import a register file").await?;
    render(&ImportPage {
        chrome,
        errors: vec![],
        result: None,
    })
}

pub async fn import(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    mut form: Multipart,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let (mut name, mut data) = (String::new(), Vec::new());
    while let Some(field) = form.next_field().await.map_err(|_| AppError::TooLarge)? {
        if field.name() == Some("file") {
            name = field
                .file_name()
                .unwrap_or("register.csv")
                .rsplit(['/', '\\'])
                .next()
                .unwrap_or("register.csv")
                .to_string();
            data = field
                .bytes()
                .await
                .map_err(|_| AppError::TooLarge)?
                .to_vec();
        }
    }
    let chrome = chrome(&state, &identity, SECTION, "Import a register file").await?;
    if data.is_empty() {
        let errors = vec![FieldError::new("file", "Select a register file (CSV)")];
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ImportPage {
                chrome,
                errors,
                result: None,
            },
        );
    }
    match read_register(&name, &data) {
        Err(e) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ImportPage {
                chrome,
                errors: vec![FieldError::new("file", e.to_string())],
                result: None,
            },
        ),
        Ok(file) => {
            let counts = state
                .store
                .import_coproduction_register(
                    &actor(&me),
                    &name,
                    &file.entries,
                    serde_json::to_value(file.reconciliation).unwrap_or_default(),
                )
                .await?;
            let status = if file.errors.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            render_status(
                status,
                &ImportPage {
                    chrome,
                    errors: vec![],
                    result: Some((file, counts)),
                },
            )
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Coverage

/// The coverage report as JSON (the API and `levers coproduction coverage --json`).
pub fn coverage_json(c: &Coverage, trend: &[(Quarter, Tally)]) -> serde_json::Value {
    fn t(t: &Tally) -> serde_json::Value {
        json!({
            "activities": t.activities, "value_pence": t.value.pence(),
            "two_plus_stages": t.two_plus, "two_plus_stages_value_pence": t.two_plus_value.pence(),
            "two_plus_stages_share": t.two_plus_share(), "two_plus_stages_value_share": t.two_plus_value_share(),
            "all_four_stages": t.all_four, "all_four_stages_value_pence": t.all_four_value.pence(),
            "all_four_stages_share": t.all_four_share(), "all_four_stages_value_share": t.all_four_value_share(),
            "provider_contract_only": t.provider_only, "provider_contract_only_value_pence": t.provider_only_value.pence(),
            "provider_contract_only_share": t.provider_only_share(), "provider_contract_only_value_share": t.provider_only_value_share(),
            "none": t.none, "none_value_pence": t.none_value.pence(),
        })
    }
    json!({
        "definition": "co-produced = co-design or above on Think Local Act Personal's ladder of co-production, at a stage of the Institute of Public Care commissioning cycle (Analyse, Plan, Do, Review)",
        "overall": t(&c.overall),
        "by_directorate": c.by_directorate.iter().map(|(d, x)| json!({"directorate": d, "coverage": t(x)})).collect::<Vec<_>>(),
        "by_value_band": c.by_band.iter().map(|(b, x)| json!({"band": b.name(), "label": b.label(), "coverage": t(x)})).collect::<Vec<_>>(),
        "by_stage_count": c.by_stage_count,
        "strategy_objectives": c.objectives,
        "by_quarter": trend.iter().map(|(q, x)| json!({"quarter": q.to_string(), "coverage": t(x)})).collect::<Vec<_>>(),
    })
}

#[derive(Template)]
#[template(path = "coproduction/coverage.html")]
pub struct CoveragePage {
    pub chrome: Chrome,
    pub c: Coverage,
    pub trend: Vec<(Quarter, Tally)>,
    pub dir_chart: String,
    pub band_chart: String,
    pub trend_chart: String,
    pub stage_chart: String,
}

impl CoveragePage {
    pub fn pct(&self, x: f64) -> String {
        pct(x)
    }
    pub fn bands(&self) -> Vec<&(ValueBand, Tally)> {
        self.c
            .by_band
            .iter()
            .filter(|(_, t)| t.activities > 0)
            .collect()
    }
    pub fn stage_counts(&self) -> Vec<(usize, u64)> {
        self.c.by_stage_count.iter().copied().enumerate().collect()
    }
}

pub async fn coverage_page(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, AppError> {
    let register = state.store.coproduction_register().await?;
    let c = coverage(&register, None);
    let trend = quarterly(&register, today());
    let dir_rows: Vec<(String, f64)> = c
        .by_directorate
        .iter()
        .map(|(d, t)| (d.clone(), t.two_plus_value_share()))
        .collect();
    let band_rows: Vec<(String, f64)> = c
        .by_band
        .iter()
        .filter(|(_, t)| t.activities > 0)
        .map(|(b, t)| (b.label().to_string(), t.two_plus_value_share()))
        .collect();
    let trend_rows: Vec<(String, f64, f64)> = trend
        .iter()
        .map(|(q, t)| (q.to_string(), t.two_plus_share(), t.two_plus_value_share()))
        .collect();
    let labels: Vec<String> = (0..=4).map(|n| n.to_string()).collect();
    let page = CoveragePage {
        dir_chart: hbar_chart(
            "cov-dir",
            "Share of each directorate's commissioning value co-produced at two or more stages",
            &dir_rows,
            "",
        ),
        band_chart: hbar_chart(
            "cov-band",
            "Share of value co-produced at two or more stages, by value band",
            &band_rows,
            "",
        ),
        trend_chart: trend_chart(
            "cov-trend",
            "Co-produced at two or more stages, by quarter",
            &trend_rows,
        ),
        stage_chart: crate::charts::bar_chart(
            "cov-stages",
            "Activities by number of stages co-produced",
            &labels,
            &c.by_stage_count,
            "Stages co-produced (co-design or above)",
            "Activities",
        ),
        chrome: chrome(&state, &identity, SECTION, "Co-production coverage").await?,
        c,
        trend,
    };
    render(&page)
}

/// The coverage figures as a workbook: one sheet each for all activities, directorates, value bands
/// and quarters, shares as percentages and values in pounds.
pub fn coverage_xlsx(c: &Coverage, trend: &[(Quarter, Tally)]) -> Vec<u8> {
    use levers_xlsx::{Cell, Workbook};
    const HEAD: [&str; 11] = [
        "",
        "Activities",
        "Annual value",
        "2+ stages",
        "2+ stages share",
        "2+ stages value share",
        "All 4 stages",
        "All 4 share",
        "All 4 value share",
        "Only in provider's contract",
        "No stage co-produced",
    ];
    fn row(label: String, t: &Tally) -> Vec<Cell> {
        vec![
            Cell::text(label),
            Cell::number(t.activities as f64),
            Cell::pence(t.value.pence()),
            Cell::number(t.two_plus as f64),
            Cell::percent(t.two_plus_share()),
            Cell::percent(t.two_plus_value_share()),
            Cell::number(t.all_four as f64),
            Cell::percent(t.all_four_share()),
            Cell::percent(t.all_four_value_share()),
            Cell::number(t.provider_only as f64),
            Cell::number(t.none as f64),
        ]
    }
    let mut wb = Workbook::new();
    let mut head = HEAD;
    for (name, first, rows) in [
        (
            "All activities",
            "",
            vec![row("All activities".into(), &c.overall)],
        ),
        (
            "By directorate",
            "Directorate",
            c.by_directorate
                .iter()
                .map(|(d, t)| row(d.clone(), t))
                .collect(),
        ),
        (
            "By value band",
            "Value band",
            c.by_band
                .iter()
                .map(|(b, t)| row(b.label().to_string(), t))
                .collect(),
        ),
        (
            "By quarter",
            "Quarter (register at its end)",
            trend.iter().map(|(q, t)| row(q.to_string(), t)).collect(),
        ),
    ] {
        head[0] = first;
        let sheet = wb.sheet(name);
        sheet.header(head);
        for r in rows {
            sheet.row(r);
        }
    }
    wb.to_bytes()
}

pub async fn coverage_download(State(state): State<AppState>) -> Result<Response, AppError> {
    let register = state.store.coproduction_register().await?;
    let bytes = coverage_xlsx(&coverage(&register, None), &quarterly(&register, today()));
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"coproduction-coverage.xlsx\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

pub async fn api_coverage(State(state): State<AppState>) -> Response {
    match state.store.coproduction_register().await {
        Ok(register) => {
            let c = coverage(&register, None);
            Json(coverage_json(&c, &quarterly(&register, today()))).into_response()
        }
        Err(e) => AppError::from(e).json(),
    }
}

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
    Query(q): Query<NoticeQuery>,
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

pub async fn create_assessment(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let get = |k: &str| {
        form.iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let mut scores = BTreeMap::new();
    for s in principles::statements() {
        if let Some(v) = form
            .iter()
            .find(|(f, _)| f == principles::field_for(s.key))
            .and_then(|(_, v)| v.parse::<u8>().ok())
        {
            scores.insert(s.key.to_string(), v);
        }
    }
    let mut errors = Vec::new();
    let on = parse_date(&get("assessed_on"));
    if on.is_none() {
        errors.push(FieldError::new(
            "assessed_on",
            "Enter the date of the assessment, for example 2025-06-30",
        ));
    }
    let a = Assessment {
        directorate: get("directorate"),
        assessed_on: on.unwrap_or(time::Date::MIN),
        scores: scores.clone(),
        notes: get("notes"),
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
            assessed_on: get("assessed_on"),
            notes: a.notes,
            scores,
            errors,
            directorates: directorates(&state).await?,
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Participants

#[derive(Deserialize, Default)]
pub struct ParticipantForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    contact_consent: Option<String>,
    #[serde(default)]
    reward_form: String,
    #[serde(default)]
    benefits_advice_offered: Option<String>,
}

impl ParticipantForm {
    fn parse(&self) -> Result<ParticipantDetails, Vec<FieldError>> {
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
    axum::Form(form): axum::Form<ParticipantForm>,
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

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
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
    axum::Form(form): axum::Form<ParticipantForm>,
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

pub async fn set_equality(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let answers: Vec<(&str, Option<String>)> = DIMENSIONS
        .iter()
        .map(|d| {
            (
                d.key,
                form.iter()
                    .find(|(k, _)| k == d.key)
                    .map(|(_, v)| v.clone())
                    .filter(|v| !v.is_empty()),
            )
        })
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
    axum::Form(form): axum::Form<ParticipationForm>,
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
    axum::Form(form): axum::Form<ParticipantTransferForm>,
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
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/json; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"participant-{id}-subject-access.json\""),
            ),
        ],
        body,
    )
        .into_response())
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
    axum::Form(form): axum::Form<RefuseForm>,
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
    axum::Form(form): axum::Form<PotForm>,
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
    axum::Form(form): axum::Form<VenueForm>,
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
    axum::Form(form): axum::Form<SettingsForm>,
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
    axum::Form(form): axum::Form<ReverseForm>,
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

// ---------------------------------------------------------------------------------------------
// JSON API

#[derive(Deserialize)]
pub struct ApiTransfer {
    key: String,
    kind: String,
    #[serde(default)]
    from: Option<i64>,
    #[serde(default)]
    to: Option<i64>,
    #[serde(default)]
    amount: Option<i64>,
    #[serde(default)]
    memo: String,
    /// For a reversal: the transfer to reverse (from, to and amount then come from it).
    #[serde(default)]
    reverses: Option<i64>,
}

fn api_error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({"error": status.canonical_reason().unwrap_or("error"), "message": message.into()}))).into_response()
}

/// `POST /api/v1/coproduction/transfers`: `{"key", "kind", "from", "to", "amount", "memo"?}` or
/// `{"key", "kind": "reversal", "reverses"}`. 201 with the transfer; 200 with `"replayed": true` when
/// the key was used for this same transfer; 409 when the rules refuse it; 422 when the request is
/// malformed.
pub async fn api_transfer(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    body: Result<Json<ApiTransfer>, axum::extract::rejection::JsonRejection>,
) -> Response {
    if require_officer(&me).is_err() {
        return AppError::Forbidden.json();
    }
    let Ok(Json(t)) = body else {
        return api_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "send JSON: {\"key\", \"kind\", \"from\", \"to\", \"amount\"} or {\"key\", \"kind\": \"reversal\", \"reverses\"}",
        );
    };
    if let Err(e) = ledger::check_key(&t.key) {
        return api_error(StatusCode::UNPROCESSABLE_ENTITY, e.to_string());
    }
    let Some(kind) = TransferKind::parse(&t.kind).filter(|k| *k != TransferKind::Sweep) else {
        return api_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "kind must be issue, spend, gift, grant, redeem or reversal",
        );
    };
    let result = if kind == TransferKind::Reversal {
        let Some(id) = t.reverses else {
            return api_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "a reversal names the transfer it reverses in \"reverses\"",
            );
        };
        state
            .store
            .reverse_credit_transfer(&actor(&me), id, &t.key, &t.memo)
            .await
    } else {
        let (Some(from), Some(to), Some(amount)) = (t.from, t.to, t.amount) else {
            return api_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "a transfer needs \"from\", \"to\" and \"amount\"",
            );
        };
        if !(1..=ledger::MAX_TRANSFER).contains(&amount) {
            return api_error(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "amount must be a whole number of credits from 1 to {}",
                    ledger::MAX_TRANSFER
                ),
            );
        }
        let req = TransferRequest {
            key: t.key,
            kind,
            from,
            to,
            amount,
            memo: t.memo.chars().take(200).collect(),
            reverses: None,
        };
        state.store.credit_transfer(&actor(&me), &req).await
    };
    match result {
        Ok(out) => {
            let status = if out.replayed {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            };
            (
                status,
                Json(json!({"transfer": out.transfer, "replayed": out.replayed})),
            )
                .into_response()
        }
        Err(StoreError::Conflict(m)) => api_error(StatusCode::CONFLICT, m),
        Err(StoreError::NotFound(m)) => {
            api_error(StatusCode::NOT_FOUND, format!("{m} was not found"))
        }
        Err(e) => AppError::from(e).json(),
    }
}

/// `GET /api/v1/coproduction/accounts`: every account with its balance.
pub async fn api_accounts(State(state): State<AppState>, CurrentUser(me): CurrentUser) -> Response {
    if require_officer(&me).is_err() {
        return AppError::Forbidden.json();
    }
    match state.store.credit_accounts().await {
        Ok(a) => Json(json!({"accounts": a})).into_response(),
        Err(e) => AppError::from(e).json(),
    }
}

/// Every co-production route, for any signed-in account (handlers check officer and admin roles).
pub fn routes() -> axum::Router<AppState> {
    use axum::middleware::from_fn;
    use axum::routing::{get, post};
    axum::Router::new()
        .route(
            "/co-production/register",
            get(register).post(create_activity),
        )
        .route("/co-production/register/new", get(new_activity))
        .route("/co-production/register/export.csv", get(export_register))
        .route(
            "/co-production/register/import",
            get(import_form).post(import),
        )
        .route(
            "/co-production/register/{id}",
            get(activity).post(update_activity),
        )
        .route("/co-production/register/{id}/edit", get(edit_activity))
        .route(
            "/co-production/register/{id}/involvements",
            post(create_involvement),
        )
        .route(
            "/co-production/register/{id}/involvements/new",
            get(new_involvement),
        )
        .route("/co-production/coverage", get(coverage_page))
        .route("/co-production/coverage.xlsx", get(coverage_download))
        .route(
            "/co-production/principles",
            get(principles_page).post(create_assessment),
        )
        .route("/co-production/principles/new", get(new_assessment))
        .route(
            "/co-production/participants",
            get(participants).post(create_participant),
        )
        .route("/co-production/participants/purge", post(purge))
        .route(
            "/co-production/participants/{id}",
            get(participant).post(update_participant),
        )
        .route(
            "/co-production/participants/{id}/equality",
            post(set_equality),
        )
        .route(
            "/co-production/participants/{id}/participation",
            post(record_participation),
        )
        .route(
            "/co-production/participants/{id}/transfer",
            post(participant_transfer),
        )
        .route(
            "/co-production/participants/{id}/export.json",
            get(subject_access),
        )
        .route(
            "/co-production/participants/{id}/erasure",
            post(request_erasure),
        )
        .route("/co-production/erasure", get(erasure_requests))
        .route(
            "/co-production/erasure/{id}/complete",
            post(complete_erasure),
        )
        .route("/co-production/erasure/{id}/refuse", post(refuse_erasure))
        .route("/co-production/credits", get(credits))
        .route("/co-production/credits/transfer", post(credits_transfer))
        .route("/co-production/credits/venues", post(create_venue))
        .route("/co-production/credits/settings", post(save_settings))
        .route("/co-production/credits/accounts/{id}", get(account))
        .route(
            "/co-production/credits/transfers/{id}/reverse",
            post(reverse),
        )
        .route("/api/v1/coproduction/coverage", get(api_coverage))
        .route("/api/v1/coproduction/accounts", get(api_accounts))
        .route("/api/v1/coproduction/transfers", post(api_transfer))
        .route_layer(from_fn(crate::auth::require(Role::Viewer)))
}

/// Gives every co-production page the `officer()` its sub-navigation asks.
macro_rules! officer_pages {
    ($($page:ty),*) => {$(
        impl $page {
            pub fn officer(&self) -> bool {
                is_officer(&self.chrome)
            }
        }
    )*};
}
officer_pages!(
    RegisterPage,
    ActivityPage,
    ActivityFormPage,
    InvolvementFormPage,
    ImportPage,
    CoveragePage,
    PrinciplesPage,
    AssessmentFormPage,
    ParticipantsPage,
    ParticipantPage,
    ErasurePage,
    CreditsPage,
    AccountPage
);
