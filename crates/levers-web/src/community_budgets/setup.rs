//! Officers set up a process and change its settings (the form and its checks).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use levers_pb::process::{
    Action, AllocationRule, Area, BallotType, Phase, PhaseDates, ProcessDef, Who, slugify,
};

use super::common::{FormData, SECTION, field, load, parse_pounds};
use crate::AppState;
use crate::auth::{CurrentUser, Identity, actor, require_officer};
use crate::error::AppError;
use crate::pages::{chrome, render, render_status};
use crate::templates::{Chrome, FieldError, error_for};

/// Web addresses under /community-budgets that other pages use.
const RESERVED_SLUGS: &[&str] = &["new", "appraisals", "pools", "unit-costs"];

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/community-budgets/new", get(new_form).post(create))
        .route(
            "/community-budgets/{slug}/settings",
            get(settings_form).post(save_settings),
        )
}

/// Whether the pot, ballot and rule can no longer change.
fn locked(phase: Phase) -> bool {
    !phase.allows(Who::Officer, Action::ChangeVoteSettings)
}

#[derive(Template)]
#[template(path = "pb/settings.html")]
pub struct SettingsPage {
    pub chrome: Chrome,
    /// The process being edited, or None when creating.
    pub editing: Option<String>,
    pub f: FormData,
    pub errors: Vec<FieldError>,
    pub locked: bool,
}

impl SettingsPage {
    pub fn err(&self, f: &str) -> Option<&str> {
        error_for(&self.errors, f)
    }
    pub fn v(&self, k: &str) -> String {
        field(&self.f, k).to_string()
    }
    pub fn is(&self, k: &str, v: &str) -> bool {
        field(&self.f, k) == v
    }
    pub fn action(&self) -> String {
        match &self.editing {
            Some(s) => format!("/community-budgets/{s}/settings"),
            None => "/community-budgets/new".into(),
        }
    }
    pub fn area_kinds(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("wards", "Wards"),
            ("lsoas", "Neighbourhoods (LSOAs)"),
            ("postcodes", "A list of postcodes"),
        ]
    }
    pub fn phase_rows(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            ("proposals", "Ideas wanted"),
            ("review", "Ideas reviewed"),
            ("voting", "Voting"),
            ("results", "Results"),
        ]
    }
    pub fn date(&self, phase: &str, end: &str) -> String {
        field(&self.f, &format!("{phase}_{end}")).to_string()
    }
}

fn form_from_def(d: &ProcessDef) -> FormData {
    let mut f: FormData = vec![
        ("name".into(), d.name.clone()),
        ("slug".into(), d.slug.clone()),
        ("description".into(), d.description.clone()),
        ("area_name".into(), d.area_name.clone()),
        ("area_kind".into(), d.area.kind().into()),
        ("area_codes".into(), d.area.codes().join("\n")),
        (
            "pot".into(),
            levers_core::Money::from_pence(d.pot_pence).to_plain(),
        ),
        ("ballot_type".into(), d.ballot.kind().into()),
        ("rule".into(), d.rule.as_str().into()),
        (
            "min_age".into(),
            d.min_age.map(|a| a.to_string()).unwrap_or_default(),
        ),
        (
            "shuffle".into(),
            if d.shuffle {
                "yes".into()
            } else {
                String::new()
            },
        ),
    ];
    match d.ballot {
        BallotType::Approval { max_choices } => {
            f.push(("max_choices".into(), max_choices.to_string()))
        }
        BallotType::Knapsack { limit_pence } => f.push((
            "limit".into(),
            levers_core::Money::from_pence(limit_pence).to_plain(),
        )),
        BallotType::Cumulative {
            points,
            max_per_project,
        } => {
            f.push(("points".into(), points.to_string()));
            f.push(("max_points".into(), max_per_project.to_string()));
        }
        BallotType::Ranking { max_ranks } => f.push(("max_ranks".into(), max_ranks.to_string())),
    }
    for d in &d.phases {
        f.push((format!("{}_start", d.phase.as_str()), d.starts.clone()));
        f.push((format!("{}_end", d.phase.as_str()), d.ends.clone()));
    }
    f
}

fn def_from_form(f: &FormData) -> (Option<ProcessDef>, Vec<FieldError>) {
    let mut errors = Vec::new();
    let num =
        |k: &str, errors: &mut Vec<FieldError>, field_name: &'static str, what: &str| -> u32 {
            match field(f, k).trim().parse::<u32>() {
                Ok(n) => n,
                Err(_) => {
                    errors.push(FieldError::new(
                        field_name,
                        format!("Enter {what} as a whole number"),
                    ));
                    0
                }
            }
        };
    let pot = parse_pounds(field(f, "pot"));
    if pot.is_none() {
        errors.push(FieldError::new(
            "pot",
            "Enter the pot in pounds, like 50000",
        ));
    }
    let pot = pot.unwrap_or(0);
    let ballot = match field(f, "ballot_type") {
        "approval" => BallotType::Approval {
            max_choices: num(
                "max_choices",
                &mut errors,
                "ballot_type",
                "the number of choices",
            ),
        },
        "knapsack" => match parse_pounds(field(f, "limit")) {
            Some(l) => BallotType::Knapsack { limit_pence: l },
            None if field(f, "limit").trim().is_empty() => {
                BallotType::Knapsack { limit_pence: pot }
            }
            None => {
                errors.push(FieldError::new(
                    "ballot_type",
                    "Enter the spending limit in pounds, or leave it blank to use the pot",
                ));
                BallotType::Knapsack { limit_pence: pot }
            }
        },
        "cumulative" => {
            let points = num("points", &mut errors, "ballot_type", "the points to share");
            let per = if field(f, "max_points").trim().is_empty() {
                points
            } else {
                num(
                    "max_points",
                    &mut errors,
                    "ballot_type",
                    "the most points for one project",
                )
            };
            BallotType::Cumulative {
                points,
                max_per_project: per,
            }
        }
        "ranking" => BallotType::Ranking {
            max_ranks: num(
                "max_ranks",
                &mut errors,
                "ballot_type",
                "the number of ranks",
            ),
        },
        _ => {
            errors.push(FieldError::new("ballot_type", "Choose how residents vote"));
            BallotType::Approval { max_choices: 1 }
        }
    };
    let rule = AllocationRule::parse(field(f, "rule")).unwrap_or_else(|| {
        errors.push(FieldError::new("rule", "Choose how the money is allocated"));
        AllocationRule::EqualShares
    });
    let area = match Area::parse(field(f, "area_kind"), field(f, "area_codes")) {
        Ok(a) => a,
        Err(m) => {
            errors.push(FieldError::new("area_codes", m));
            Area::Wards(vec![])
        }
    };
    let min_age = match field(f, "min_age").trim() {
        "" => None,
        t => match t.parse::<u8>() {
            Ok(a) => Some(a),
            Err(_) => {
                errors.push(FieldError::new(
                    "min_age",
                    "Enter the minimum age as a whole number, or leave it blank",
                ));
                None
            }
        },
    };
    let mut phases = Vec::new();
    for ph in [
        Phase::Proposals,
        Phase::Review,
        Phase::Voting,
        Phase::Results,
    ] {
        let (s, e) = (
            field(f, &format!("{}_start", ph.as_str())).trim(),
            field(f, &format!("{}_end", ph.as_str())).trim(),
        );
        match (s.is_empty(), e.is_empty()) {
            (true, true) => {}
            (false, false) => phases.push(PhaseDates {
                phase: ph,
                starts: s.into(),
                ends: e.into(),
            }),
            _ => errors.push(FieldError::new(
                "phases",
                format!("Give both dates for \"{}\", or neither", ph.label()),
            )),
        }
    }
    let name = field(f, "name").trim().to_string();
    let slug = match field(f, "slug").trim() {
        "" => slugify(&name),
        s => s.to_string(),
    };
    if RESERVED_SLUGS.contains(&slug.as_str()) {
        errors.push(FieldError::new(
            "slug",
            format!(
                "\"{slug}\" is already used by another part of levers; choose another web address"
            ),
        ));
    }
    let def = ProcessDef {
        name,
        slug,
        description: field(f, "description").trim().to_string(),
        area_name: field(f, "area_name").trim().to_string(),
        area,
        pot_pence: pot,
        ballot,
        rule,
        min_age,
        shuffle: field(f, "shuffle") == "yes",
        phases,
    };
    for (k, m) in def.problems() {
        if !errors.iter().any(|e| e.field == k) {
            errors.push(FieldError::new(k, m));
        }
    }
    if errors.is_empty() {
        (Some(def), errors)
    } else {
        (None, errors)
    }
}

pub async fn new_form(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let chrome = chrome(&state, &identity, SECTION, "Set up a community budget").await?;
    let f = vec![
        ("ballot_type".into(), "approval".into()),
        ("max_choices".into(), "3".into()),
        ("rule".into(), "equal_shares".into()),
        ("area_kind".into(), "wards".into()),
        ("shuffle".into(), "yes".into()),
        ("points".into(), "10".into()),
        ("max_ranks".into(), "3".into()),
    ];
    render(&SettingsPage {
        chrome,
        editing: None,
        f,
        errors: vec![],
        locked: false,
    })
}

pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Form(f): Form<FormData>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let (def, mut errors) = def_from_form(&f);
    if let Some(def) = def {
        match state.store.create_pb_process(&actor(&me), &def).await {
            Ok(p) => {
                return Ok(
                    Redirect::to(&format!("/community-budgets/{}/manage", p.def.slug))
                        .into_response(),
                );
            }
            Err(levers_store::StoreError::Conflict(m)) => errors.push(FieldError::new("slug", m)),
            Err(e) => return Err(e.into()),
        }
    }
    let chrome = chrome(&state, &identity, SECTION, "Set up a community budget").await?;
    render_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &SettingsPage {
            chrome,
            editing: None,
            f,
            errors,
            locked: false,
        },
    )
}

pub async fn settings_form(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let p = load(&state, &slug).await?;
    let chrome = chrome(&state, &identity, SECTION, "Settings").await?;
    render(&SettingsPage {
        chrome,
        editing: Some(slug),
        f: form_from_def(&p.def),
        errors: vec![],
        locked: locked(p.phase),
    })
}

pub async fn save_settings(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(slug): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let p = load(&state, &slug).await?;
    let (def, mut errors) = def_from_form(&f);
    if let Some(def) = def {
        match state.store.update_pb_process(&actor(&me), p.id, &def).await {
            Ok(p) => {
                return Ok(
                    Redirect::to(&format!("/community-budgets/{}/manage", p.def.slug))
                        .into_response(),
                );
            }
            Err(levers_store::StoreError::Conflict(m)) => errors.push(FieldError::new("name", m)),
            Err(e) => return Err(e.into()),
        }
    }
    let chrome = chrome(&state, &identity, SECTION, "Settings").await?;
    render_status(
        StatusCode::UNPROCESSABLE_ENTITY,
        &SettingsPage {
            chrome,
            editing: Some(slug),
            f,
            errors,
            locked: locked(p.phase),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pounds_are_read_as_people_type_them() {
        assert_eq!(parse_pounds("£12,500"), Some(1_250_000));
        assert_eq!(parse_pounds("12500.5"), Some(1_250_050));
        assert_eq!(parse_pounds("twelve"), None);
    }

    #[test]
    fn a_process_form_round_trips_and_names_its_problems() {
        let f: FormData = [
            ("name", "Harbour 2026"),
            ("area_name", "Harbour"),
            ("area_kind", "wards"),
            ("area_codes", "X05000001"),
            ("pot", "50,000"),
            ("ballot_type", "cumulative"),
            ("points", "10"),
            ("max_points", "5"),
            ("rule", "greedy"),
            ("voting_start", "2026-03-01"),
            ("voting_end", "2026-03-14"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let (def, errors) = def_from_form(&f);
        assert!(
            errors.is_empty(),
            "{:?}",
            errors.iter().map(|e| &e.message).collect::<Vec<_>>()
        );
        let def = def.unwrap();
        assert_eq!(def.slug, "harbour-2026");
        assert_eq!(
            def.ballot,
            BallotType::Cumulative {
                points: 10,
                max_per_project: 5
            }
        );
        assert_eq!(def_from_form(&form_from_def(&def)).0.unwrap(), def);
        let mut bad = f.clone();
        bad.retain(|(k, _)| k != "pot" && k != "voting_end");
        let (_, errors) = def_from_form(&bad);
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert!(
            fields.contains(&"pot") && fields.contains(&"phases"),
            "{fields:?}"
        );
    }
}
