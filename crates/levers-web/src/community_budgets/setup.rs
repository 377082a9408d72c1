//! Officers set up a process and change its settings (the form and its checks).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use levers_pb::process::{
    Action, AllocationRule, Area, BallotType, Phase, PhaseDates, ProcessDef, Who, slugify,
};
use serde::Deserialize;

use super::common::{SECTION, load};
use crate::auth::{actor, require_officer};
use crate::error::AppError;
use crate::form::Form;
use crate::identity::{CurrentUser, Identity};
use crate::layout::{Chrome, FieldError, error_for};
use crate::page::{chrome, render, render_status};
use crate::show::parse_pounds;
use crate::state::AppState;

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

/// The settings form as typed: every value a string, checked by [`def_from_form`].
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SettingsForm {
    pub name: String,
    pub slug: String,
    pub description: String,
    pub area_name: String,
    /// wards, lsoas or postcodes.
    pub area_kind: String,
    pub area_codes: String,
    /// Wards ticked from the council's own area (added to `area_codes`).
    pub ward: Vec<String>,
    pub pot: String,
    /// approval, knapsack, cumulative or ranking, with its own settings below.
    pub ballot_type: String,
    pub max_choices: String,
    pub limit: String,
    pub points: String,
    pub max_points: String,
    pub max_ranks: String,
    /// equal_shares or greedy.
    pub rule: String,
    pub min_age: String,
    /// "yes" when ticked.
    pub shuffle: String,
    pub proposals_start: String,
    pub proposals_end: String,
    pub review_start: String,
    pub review_end: String,
    pub voting_start: String,
    pub voting_end: String,
    pub results_start: String,
    pub results_end: String,
}

impl SettingsForm {
    /// The form a new process starts from.
    fn new_process() -> SettingsForm {
        SettingsForm {
            ballot_type: "approval".into(),
            max_choices: "3".into(),
            rule: "equal_shares".into(),
            area_kind: "wards".into(),
            shuffle: "yes".into(),
            points: "10".into(),
            max_ranks: "3".into(),
            ..SettingsForm::default()
        }
    }

    /// The planned dates of `phase` (start, end) as typed; phases without dates on the form give "".
    fn dates(&self, phase: Phase) -> (&str, &str) {
        match phase {
            Phase::Proposals => (&self.proposals_start, &self.proposals_end),
            Phase::Review => (&self.review_start, &self.review_end),
            Phase::Voting => (&self.voting_start, &self.voting_end),
            Phase::Results => (&self.results_start, &self.results_end),
            Phase::Setup | Phase::Closed => ("", ""),
        }
    }

    fn set_dates(&mut self, phase: Phase, starts: &str, ends: &str) {
        let (s, e) = match phase {
            Phase::Proposals => (&mut self.proposals_start, &mut self.proposals_end),
            Phase::Review => (&mut self.review_start, &mut self.review_end),
            Phase::Voting => (&mut self.voting_start, &mut self.voting_end),
            Phase::Results => (&mut self.results_start, &mut self.results_end),
            Phase::Setup | Phase::Closed => return,
        };
        *s = starts.to_string();
        *e = ends.to_string();
    }

    /// A field's value by its form name (the template's radio buttons and text boxes).
    fn value(&self, name: &str) -> &str {
        match name {
            "name" => &self.name,
            "slug" => &self.slug,
            "description" => &self.description,
            "area_name" => &self.area_name,
            "area_kind" => &self.area_kind,
            "area_codes" => &self.area_codes,
            "pot" => &self.pot,
            "ballot_type" => &self.ballot_type,
            "max_choices" => &self.max_choices,
            "limit" => &self.limit,
            "points" => &self.points,
            "max_points" => &self.max_points,
            "max_ranks" => &self.max_ranks,
            "rule" => &self.rule,
            "min_age" => &self.min_age,
            "shuffle" => &self.shuffle,
            _ => "",
        }
    }
}

/// A ward of the council's own area the settings form offers, with how deprived it is.
pub struct WardChoice {
    pub code: String,
    pub name: String,
    /// "2 of 5 neighbourhoods in the most deprived 20%".
    pub deprived: String,
    pub ticked: bool,
}

/// The typed codes with the ticked wards added (each once), for wards areas.
fn with_ticked_wards(f: &SettingsForm) -> String {
    if f.area_kind != "wards" || f.ward.is_empty() {
        return f.area_codes.clone();
    }
    let mut codes: Vec<String> = f
        .area_codes
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect();
    for w in &f.ward {
        if !codes.iter().any(|c| c.eq_ignore_ascii_case(w)) {
            codes.push(w.clone());
        }
    }
    codes.join("\n")
}

/// The wards of the council's own area (its districts in the settings), from the loaded geography,
/// with each one's share of neighbourhoods in the most deprived 20%. Empty when either is missing.
async fn ward_choices(state: &AppState, f: &SettingsForm) -> Result<Vec<WardChoice>, AppError> {
    let local = state
        .store
        .setting(levers_app::procurement::LOCAL_LADS)
        .await?
        .unwrap_or_default();
    let lads = levers_app::procurement::parse_codes(&local).unwrap_or_default();
    if lads.is_empty() {
        return Ok(Vec::new());
    }
    let geo = state.geo.get(&state.store).await?;
    let typed = with_ticked_wards(f);
    let mut out = Vec::new();
    for lad in &lads {
        let Some(district) = geo.area(lad) else {
            continue;
        };
        for w in district.wards {
            let code = w.code.to_string();
            let deprived = geo.area(&w.code).map_or(String::new(), |p| {
                levers_present::show::deprived_share(p.most_deprived_20())
            });
            out.push(WardChoice {
                ticked: f.area_kind == "wards"
                    && typed
                        .split('\n')
                        .any(|c| c.trim().eq_ignore_ascii_case(&code)),
                name: w.name.unwrap_or_else(|| code.clone()),
                code,
                deprived,
            });
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out.dedup_by(|a, b| a.code == b.code);
    Ok(out)
}

#[derive(Template)]
#[template(path = "pb/settings.html")]
pub struct SettingsPage {
    pub chrome: Chrome,
    /// Wards of the council's own area to tick.
    pub wards: Vec<WardChoice>,
    /// The process being edited, or None when creating.
    pub editing: Option<String>,
    pub f: SettingsForm,
    pub errors: Vec<FieldError>,
    pub locked: bool,
}

impl SettingsPage {
    pub fn err(&self, f: &str) -> Option<&str> {
        error_for(&self.errors, f)
    }
    pub fn v(&self, k: &str) -> String {
        self.f.value(k).to_string()
    }
    pub fn is(&self, k: &str, v: &str) -> bool {
        self.f.value(k) == v
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
        let (s, e) = Phase::parse(phase).map_or(("", ""), |p| self.f.dates(p));
        if end == "start" { s } else { e }.to_string()
    }
}

fn form_from_def(d: &ProcessDef) -> SettingsForm {
    let mut f = SettingsForm {
        name: d.name.clone(),
        slug: d.slug.clone(),
        description: d.description.clone(),
        area_name: d.area_name.clone(),
        area_kind: d.area.kind().into(),
        area_codes: d.area.codes().join("\n"),
        pot: levers_core::Money::from_pence(d.pot_pence).to_plain(),
        ballot_type: d.ballot.kind().into(),
        rule: d.rule.as_str().into(),
        min_age: d.min_age.map(|a| a.to_string()).unwrap_or_default(),
        shuffle: if d.shuffle {
            "yes".into()
        } else {
            String::new()
        },
        ..SettingsForm::default()
    };
    match d.ballot {
        BallotType::Approval { max_choices } => f.max_choices = max_choices.to_string(),
        BallotType::Knapsack { limit_pence } => {
            f.limit = levers_core::Money::from_pence(limit_pence).to_plain()
        }
        BallotType::Cumulative {
            points,
            max_per_project,
        } => {
            f.points = points.to_string();
            f.max_points = max_per_project.to_string();
        }
        BallotType::Ranking { max_ranks } => f.max_ranks = max_ranks.to_string(),
    }
    for d in &d.phases {
        f.set_dates(d.phase, &d.starts, &d.ends);
    }
    f
}

fn def_from_form(f: &SettingsForm) -> (Option<ProcessDef>, Vec<FieldError>) {
    let mut errors = Vec::new();
    // Every ballot setting's problem is shown beside the ballot type.
    let num = |typed: &str, errors: &mut Vec<FieldError>, what: &str| -> u32 {
        match typed.trim().parse::<u32>() {
            Ok(n) => n,
            Err(_) => {
                errors.push(FieldError::new(
                    "ballot_type",
                    format!("Enter {what} as a whole number"),
                ));
                0
            }
        }
    };
    let pot = parse_pounds(&f.pot);
    if pot.is_none() {
        errors.push(FieldError::new(
            "pot",
            "Enter the pot in pounds, like 50000",
        ));
    }
    let pot = pot.unwrap_or(0);
    let ballot = match f.ballot_type.as_str() {
        "approval" => BallotType::Approval {
            max_choices: num(&f.max_choices, &mut errors, "the number of choices"),
        },
        "knapsack" => match parse_pounds(&f.limit) {
            Some(l) => BallotType::Knapsack { limit_pence: l },
            None if f.limit.trim().is_empty() => BallotType::Knapsack { limit_pence: pot },
            None => {
                errors.push(FieldError::new(
                    "ballot_type",
                    "Enter the spending limit in pounds, or leave it blank to use the pot",
                ));
                BallotType::Knapsack { limit_pence: pot }
            }
        },
        "cumulative" => {
            let points = num(&f.points, &mut errors, "the points to share");
            let per = if f.max_points.trim().is_empty() {
                points
            } else {
                num(
                    &f.max_points,
                    &mut errors,
                    "the most points for one project",
                )
            };
            BallotType::Cumulative {
                points,
                max_per_project: per,
            }
        }
        "ranking" => BallotType::Ranking {
            max_ranks: num(&f.max_ranks, &mut errors, "the number of ranks"),
        },
        _ => {
            errors.push(FieldError::new("ballot_type", "Choose how residents vote"));
            BallotType::Approval { max_choices: 1 }
        }
    };
    let rule = AllocationRule::parse(&f.rule).unwrap_or_else(|| {
        errors.push(FieldError::new("rule", "Choose how the money is allocated"));
        AllocationRule::EqualShares
    });
    let area = match Area::parse(&f.area_kind, &with_ticked_wards(f)) {
        Ok(a) => a,
        Err(m) => {
            errors.push(FieldError::new("area_codes", m));
            Area::Wards(vec![])
        }
    };
    let min_age = match f.min_age.trim() {
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
        let (s, e) = f.dates(ph);
        let (s, e) = (s.trim(), e.trim());
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
    let name = f.name.trim().to_string();
    let slug = match f.slug.trim() {
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
        description: f.description.trim().to_string(),
        area_name: f.area_name.trim().to_string(),
        area,
        pot_pence: pot,
        ballot,
        rule,
        min_age,
        shuffle: f.shuffle == "yes",
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
    let f = SettingsForm::new_process();
    render(&SettingsPage {
        chrome,
        wards: ward_choices(&state, &f).await?,
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
    Form(f): Form<SettingsForm>,
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
            wards: ward_choices(&state, &f).await?,
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
    let f = form_from_def(&p.def);
    render(&SettingsPage {
        chrome,
        wards: ward_choices(&state, &f).await?,
        editing: Some(slug),
        f,
        errors: vec![],
        locked: locked(p.phase),
    })
}

pub async fn save_settings(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(slug): Path<String>,
    Form(f): Form<SettingsForm>,
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
            wards: ward_choices(&state, &f).await?,
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
    fn a_process_form_round_trips_and_names_its_problems() {
        let f: SettingsForm = crate::form::parse(
            b"csrf_token=x&name=Harbour+2026&area_name=Harbour&area_kind=wards&area_codes=X05000001\
              &pot=50%2C000&ballot_type=cumulative&points=10&max_points=5&rule=greedy\
              &voting_start=2026-03-01&voting_end=2026-03-14",
        )
        .unwrap();
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
        let bad = SettingsForm {
            pot: String::new(),
            voting_end: String::new(),
            ..f.clone()
        };
        let (_, errors) = def_from_form(&bad);
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert!(
            fields.contains(&"pot") && fields.contains(&"phases"),
            "{fields:?}"
        );
    }
}
