//! Community budget votes under `/community-budgets`: officers set up a process, review ideas, issue
//! voting codes, enter paper ballots, close, count and publish; residents (no account) suggest
//! ideas, vote with a code on accessible ballots with a running total and a review step, check
//! their receipt, and read the explained result.
//!
//! Resident forms are public but protected like sign-in: a double-submit CSRF token (see `auth`) and
//! a rate limit on wrong or used codes per client address (kept in the database, so every web
//! process shares it). Nothing is kept between the ballot steps: the code and the marks travel in
//! the form until the ballot is cast, so an abandoned ballot leaves no trace.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use levers_pb::ballot::{Ballot, BallotInput, BallotProject, Tally, tally, validate};
use levers_pb::codes::{self, code_hash, receipt_hash};
use levers_pb::count::{CountProject, CountResult, count};
use levers_pb::process::{
    AllocationRule, Area, BallotType, Phase, PhaseDates, ProcessDef, levers_pence, slugify,
};
use levers_store::pb_process::{
    BallotEntry, CastOutcome, Channel, DELIVERY_STATUSES, NewBallot, NewProposal, PbProcess,
    PbProposal, ProposalStatus, ReceiptStatus, Review, VoidOutcome,
};
use levers_store::{Actor, Role};
use rand_core::{OsRng, RngCore};

use crate::AppState;
use crate::auth::{ClientAddr, CurrentUser, Identity, actor, require_officer};
use crate::error::AppError;
use crate::pages::{chrome, render, render_status};
use crate::templates::{Chrome, FieldError, error_for};

/// Wrong or already-used codes one address may try in the window before it is refused.
pub const MAX_CODE_FAILURES: i64 = 30;
/// Ideas one address may submit in the window.
pub const MAX_PROPOSALS: i64 = 10;
/// The window for both limits.
pub const LIMIT_WINDOW_SECONDS: i64 = 15 * 60;
/// Web addresses under /community-budgets that other pages use.
const RESERVED_SLUGS: &[&str] = &["new", "appraisals", "pools", "unit-costs"];
/// Most codes in one batch.
pub const MAX_BATCH: usize = 5000;

const SECTION: &str = "community-budgets";

/// Pages anyone may use.
pub fn public_routes() -> Router<AppState> {
    Router::new()
        .route("/community-budgets", get(index))
        .route("/community-budgets/{slug}", get(process_page))
        .route(
            "/community-budgets/{slug}/propose",
            get(propose_form).post(propose),
        )
        .route(
            "/community-budgets/{slug}/vote",
            get(code_form).post(enter_code),
        )
        .route("/community-budgets/{slug}/ballot", post(ballot_step))
        .route(
            "/community-budgets/{slug}/receipt",
            get(receipt_form).post(check_receipt),
        )
        .route("/community-budgets/{slug}/results", get(results))
        .route("/community-budgets/{slug}/results.pb", get(results_pb))
}

/// Pages for signed-in accounts (each handler also requires the officer role).
pub fn officer_routes() -> Router<AppState> {
    Router::new()
        .route("/community-budgets/new", get(new_form).post(create))
        .route("/community-budgets/{slug}/manage", get(manage))
        .route(
            "/community-budgets/{slug}/settings",
            get(settings_form).post(save_settings),
        )
        .route("/community-budgets/{slug}/phase", post(move_phase))
        .route("/community-budgets/{slug}/ideas", get(ideas).post(add_idea))
        .route("/community-budgets/{slug}/ideas/{id}", post(review_idea))
        .route(
            "/community-budgets/{slug}/codes",
            get(codes_page).post(generate_codes),
        )
        .route("/community-budgets/{slug}/codes/void", post(void_code))
        .route(
            "/community-budgets/{slug}/register",
            get(register_form).post(register),
        )
        .route(
            "/community-budgets/{slug}/paper",
            get(paper_form).post(paper_entry),
        )
        .route("/community-budgets/{slug}/count", post(count_votes))
        .route(
            "/community-budgets/{slug}/delivery",
            get(delivery_page).post(save_delivery),
        )
}

// ------------------------------------------------------------------------------------------------
// Helpers

type FormData = Vec<(String, String)>;

fn field<'a>(f: &'a FormData, k: &str) -> &'a str {
    f.iter()
        .find(|(n, _)| n == k)
        .map_or("", |(_, v)| v.as_str())
}

fn is_officer(identity: &Identity) -> bool {
    identity
        .user()
        .is_some_and(|u| u.role.allows(Role::Officer))
}

async fn load(state: &AppState, slug: &str) -> Result<PbProcess, AppError> {
    state
        .store
        .pb_process_by_slug(slug)
        .await?
        .ok_or(AppError::NotFound)
}

/// Processes in setup are visible to officers only.
async fn load_public(
    state: &AppState,
    identity: &Identity,
    slug: &str,
) -> Result<PbProcess, AppError> {
    let p = load(state, slug).await?;
    if p.phase == Phase::Setup && !is_officer(identity) {
        return Err(AppError::NotFound);
    }
    Ok(p)
}

fn random_u128() -> u128 {
    let mut b = [0u8; 16];
    OsRng.fill_bytes(&mut b);
    u128::from_le_bytes(b)
}

fn pounds(p: i64) -> String {
    levers_pence(p)
}

/// Typed pounds (`12,500`, `£12,500.50`) as pence.
fn parse_pounds(s: &str) -> Option<i64> {
    let t: String = s
        .trim()
        .trim_start_matches('£')
        .chars()
        .filter(|c| *c != ',')
        .collect();
    t.parse::<levers_core::Money>().ok().map(|m| m.pence())
}

fn client_key(addr: &ClientAddr, what: &str) -> String {
    format!("pb{what}:{}", addr.0)
}

/// The part of a process every page shows.
pub struct ProcessView {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub area_name: String,
    pub pot: String,
    pub phase: Phase,
    pub phase_label: &'static str,
    pub ballot_kind: &'static str,
    pub instruction: String,
    pub rule_name: &'static str,
    pub min_age: Option<u8>,
    pub dates: Vec<(&'static str, String, String)>,
}

impl ProcessView {
    fn new(p: &PbProcess) -> ProcessView {
        ProcessView {
            slug: p.def.slug.clone(),
            name: p.def.name.clone(),
            description: p.def.description.clone(),
            area_name: p.def.area_name.clone(),
            pot: pounds(p.def.pot_pence),
            phase: p.phase,
            phase_label: p.phase.label(),
            ballot_kind: p.def.ballot.kind(),
            instruction: p.def.ballot.instruction(),
            rule_name: p.def.rule.name(),
            min_age: p.def.min_age,
            dates: p
                .def
                .phases
                .iter()
                .map(|d| (d.phase.label(), d.starts.clone(), d.ends.clone()))
                .collect(),
        }
    }
    pub fn voting(&self) -> bool {
        self.phase == Phase::Voting
    }
    pub fn proposals_open(&self) -> bool {
        self.phase == Phase::Proposals
    }
    pub fn results_out(&self) -> bool {
        self.phase == Phase::Results
    }
    pub fn receipts(&self) -> bool {
        self.phase >= Phase::Voting
    }
}

// ------------------------------------------------------------------------------------------------
// Index and public process page

pub struct ProcessCard {
    pub slug: String,
    pub name: String,
    pub area_name: String,
    pub pot: String,
    pub phase_label: &'static str,
    pub setup: bool,
}

#[derive(Template)]
#[template(path = "pb/index.html")]
pub struct IndexPage {
    pub chrome: Chrome,
    pub processes: Vec<ProcessCard>,
    pub officer: bool,
    /// The section's other tools (appraisals, pooled budgets …), for signed-in accounts.
    pub tools: Vec<(&'static str, &'static str, &'static str)>,
}

pub async fn index(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, AppError> {
    let officer = is_officer(&identity);
    let processes = state
        .store
        .pb_processes()
        .await?
        .into_iter()
        .filter(|p| officer || p.phase != Phase::Setup)
        .map(|p| ProcessCard {
            slug: p.def.slug.clone(),
            name: p.def.name.clone(),
            area_name: p.def.area_name.clone(),
            pot: pounds(p.def.pot_pence),
            phase_label: p.phase.label(),
            setup: p.phase == Phase::Setup,
        })
        .collect();
    let tools = if identity.user().is_some() {
        crate::pages::section_links(SECTION)
            .iter()
            .copied()
            .filter(|l| l.0 != "/community-budgets")
            .collect()
    } else {
        Vec::new()
    };
    let chrome = chrome(&state, &identity, SECTION, "Community budgets").await?;
    render(&IndexPage {
        chrome,
        processes,
        officer,
        tools,
    })
}

pub struct IdeaView {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub location: String,
    pub category: String,
    pub status: &'static str,
    pub status_key: &'static str,
    pub cost: String,
    pub reason: String,
}

fn idea_view(p: &PbProposal) -> IdeaView {
    IdeaView {
        id: p.id,
        title: p.title.clone(),
        description: p.description.clone(),
        location: p.location.clone(),
        category: p.category.clone(),
        status: p.status.label(),
        status_key: p.status.as_str(),
        cost: p
            .final_cost_pence
            .or(p.rough_cost_pence)
            .map(pounds)
            .unwrap_or_else(|| "not given".into()),
        reason: match (p.status, p.merged_into) {
            (ProposalStatus::Merged, Some(into)) if p.reason.is_empty() => {
                format!("Merged into idea {into}")
            }
            (ProposalStatus::Merged, Some(into)) => {
                format!("Merged into idea {into}: {}", p.reason)
            }
            _ => p.reason.clone(),
        },
    }
}

#[derive(Template)]
#[template(path = "pb/process.html")]
pub struct ProcessPage {
    pub chrome: Chrome,
    pub p: ProcessView,
    pub ideas: Vec<IdeaView>,
    pub officer: bool,
}

pub async fn process_page(
    State(state): State<AppState>,
    identity: Identity,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let p = load_public(&state, &identity, &slug).await?;
    let ideas = if p.phase >= Phase::Review {
        state
            .store
            .pb_proposals(p.id)
            .await?
            .iter()
            .map(idea_view)
            .collect()
    } else {
        Vec::new()
    };
    let chrome = chrome(&state, &identity, SECTION, &p.def.name).await?;
    render(&ProcessPage {
        chrome,
        p: ProcessView::new(&p),
        ideas,
        officer: is_officer(&identity),
    })
}

// ------------------------------------------------------------------------------------------------
// Suggesting an idea

#[derive(Template)]
#[template(path = "pb/propose.html")]
pub struct ProposePage {
    pub chrome: Chrome,
    pub p: ProcessView,
    pub title: String,
    pub description: String,
    pub cost: String,
    pub location: String,
    pub category: String,
    pub contact: String,
    pub errors: Vec<FieldError>,
    pub done: Option<i64>,
}

impl ProposePage {
    pub fn err(&self, f: &str) -> Option<&str> {
        error_for(&self.errors, f)
    }
}

pub async fn propose_form(
    State(state): State<AppState>,
    identity: Identity,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let p = load_public(&state, &identity, &slug).await?;
    let chrome = chrome(&state, &identity, SECTION, "Suggest an idea").await?;
    render(&ProposePage {
        chrome,
        p: ProcessView::new(&p),
        title: String::new(),
        description: String::new(),
        cost: String::new(),
        location: String::new(),
        category: String::new(),
        contact: String::new(),
        errors: vec![],
        done: None,
    })
}

/// Checks an idea's fields; shared by the public form and the officers' "add a project".
fn idea_from_form(f: &FormData, errors: &mut Vec<FieldError>) -> NewProposal {
    let title = field(f, "title").trim().to_string();
    let description = field(f, "description").trim().to_string();
    if title.is_empty() {
        errors.push(FieldError::new("title", "Enter a short name for your idea"));
    } else if title.chars().count() > 120 {
        errors.push(FieldError::new(
            "title",
            "The name must be 120 characters or fewer",
        ));
    }
    if description.is_empty() {
        errors.push(FieldError::new("description", "Describe your idea"));
    } else if description.chars().count() > 3000 {
        errors.push(FieldError::new(
            "description",
            "The description must be 3,000 characters or fewer",
        ));
    }
    let cost_text = field(f, "cost").trim();
    let rough = if cost_text.is_empty() {
        None
    } else {
        match parse_pounds(cost_text) {
            Some(p) if p > 0 => Some(p),
            _ => {
                errors.push(FieldError::new(
                    "cost",
                    "Enter a rough cost in pounds, like 2500, or leave it blank",
                ));
                None
            }
        }
    };
    for (k, max) in [("location", 200), ("category", 60), ("contact", 200)] {
        if field(f, k).chars().count() > max {
            errors.push(FieldError::new(
                k,
                format!("This must be {max} characters or fewer"),
            ));
        }
    }
    NewProposal {
        title,
        description,
        rough_cost_pence: rough,
        location: field(f, "location").trim().to_string(),
        category: field(f, "category").trim().to_string(),
        contact: field(f, "contact").trim().to_string(),
    }
}

pub async fn propose(
    State(state): State<AppState>,
    identity: Identity,
    axum::Extension(addr): axum::Extension<ClientAddr>,
    Path(slug): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, AppError> {
    let p = load_public(&state, &identity, &slug).await?;
    let chrome = chrome(&state, &identity, SECTION, "Suggest an idea").await?;
    let mut errors = Vec::new();
    if p.phase != Phase::Proposals {
        errors.push(FieldError::new(
            "title",
            "This process is not taking ideas at the moment",
        ));
    }
    let key = client_key(&addr, "idea");
    if state
        .store
        .recent_sign_in_failures(&key, LIMIT_WINDOW_SECONDS)
        .await?
        >= MAX_PROPOSALS
    {
        errors.push(FieldError::new(
            "title",
            "You have sent several ideas in the last few minutes. Wait 15 minutes and try again",
        ));
    }
    let np = idea_from_form(&f, &mut errors);
    let mut page = ProposePage {
        chrome,
        p: ProcessView::new(&p),
        title: np.title.clone(),
        description: np.description.clone(),
        cost: field(&f, "cost").to_string(),
        location: np.location.clone(),
        category: np.category.clone(),
        contact: np.contact.clone(),
        errors,
        done: None,
    };
    if !page.errors.is_empty() {
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let id = state
        .store
        .submit_pb_proposal(&Actor::system("public"), p.id, &np)
        .await?;
    // Counted against the address like a failure, so the limit is on ideas per address.
    state.store.record_sign_in_failure(&[key]).await?;
    page.done = Some(id);
    page.title.clear();
    page.description.clear();
    page.cost.clear();
    page.location.clear();
    page.category.clear();
    page.contact.clear();
    render(&page)
}

// ------------------------------------------------------------------------------------------------
// Voting: code, ballot, review, confirmation

#[derive(Template)]
#[template(path = "pb/code.html")]
pub struct CodePage {
    pub chrome: Chrome,
    pub p: ProcessView,
    pub code: String,
    pub errors: Vec<FieldError>,
}

impl CodePage {
    pub fn err(&self, f: &str) -> Option<&str> {
        error_for(&self.errors, f)
    }
}

/// A project row on the ballot page.
pub struct BallotRow {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub location: String,
    pub category: String,
    pub cost: String,
    pub chosen: bool,
    pub points: u32,
    pub rank: u32,
    /// (rank, selected) for the rank drop-down.
    pub rank_options: Vec<(u32, bool)>,
}

#[derive(Template)]
#[template(path = "pb/ballot.html")]
pub struct BallotPage {
    pub chrome: Chrome,
    pub p: ProcessView,
    /// The code as typed back (hidden field), or "" on the officers' paper form.
    pub code: String,
    pub rows: Vec<BallotRow>,
    pub tally: Tally,
    pub errors: Vec<FieldError>,
    /// "ballot" or "review".
    pub step: &'static str,
    /// Officers entering a paper ballot.
    pub paper: bool,
    pub max_points: u32,
    pub age_ok: bool,
    pub notice: Option<String>,
}

impl BallotPage {
    pub fn err(&self, f: &str) -> Option<&str> {
        error_for(&self.errors, f)
    }
    pub fn action(&self) -> String {
        if self.paper {
            format!("/community-budgets/{}/paper", self.p.slug)
        } else {
            format!("/community-budgets/{}/ballot", self.p.slug)
        }
    }
    pub fn kind(&self) -> &'static str {
        self.p.ballot_kind
    }
    /// Rows the voter marked, in the order shown (ranking: by rank).
    pub fn marked(&self) -> Vec<&BallotRow> {
        let mut m: Vec<&BallotRow> = self
            .rows
            .iter()
            .filter(|r| r.chosen || r.points > 0 || r.rank > 0)
            .collect();
        if self.p.ballot_kind == "ranking" {
            m.sort_by_key(|r| r.rank);
        }
        m
    }
}

pub async fn code_form(
    State(state): State<AppState>,
    identity: Identity,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let p = load_public(&state, &identity, &slug).await?;
    let chrome = chrome(&state, &identity, SECTION, "Enter your voting code").await?;
    let mut errors = vec![];
    if p.phase != Phase::Voting {
        errors.push(FieldError::new(
            "code",
            "Voting is not open for this community budget",
        ));
    }
    render(&CodePage {
        chrome,
        p: ProcessView::new(&p),
        code: String::new(),
        errors,
    })
}

/// What a resident sees on trying a cancelled code.
const VOIDED_CODE: &str = "This code has been cancelled. Ask the council for a new one";

/// Why a code cannot vote, as the page to show (and whether it counts against the rate limit).
enum CodeProblem {
    Limited,
    Message(String),
    Closed,
}

/// Checks a typed code against the rate limit, its format and the store. Wrong and used codes
/// count against the address.
async fn check_code(
    state: &AppState,
    addr: &ClientAddr,
    p: &PbProcess,
    typed: &str,
) -> Result<Result<(String, String), CodeProblem>, AppError> {
    if p.phase != Phase::Voting {
        return Ok(Err(CodeProblem::Closed));
    }
    let key = client_key(addr, "code");
    if state
        .store
        .recent_sign_in_failures(&key, LIMIT_WINDOW_SECONDS)
        .await?
        >= MAX_CODE_FAILURES
    {
        return Ok(Err(CodeProblem::Limited));
    }
    let compact = match codes::normalise_code(typed) {
        Ok(c) => c,
        Err(e) => {
            state.store.record_sign_in_failure(&[key]).await?;
            return Ok(Err(CodeProblem::Message(e.to_string())));
        }
    };
    let hash = code_hash(p.id, &compact);
    match state.store.pb_code_state(p.id, &hash).await?.as_deref() {
        Some("unused") => Ok(Ok((compact, hash))),
        Some("void") => {
            state.store.record_sign_in_failure(&[key]).await?;
            Ok(Err(CodeProblem::Message(VOIDED_CODE.into())))
        }
        Some(_) => {
            state.store.record_sign_in_failure(&[key]).await?;
            Ok(Err(CodeProblem::Message(
                "This code has already been used to vote. Each code can be used once".into(),
            )))
        }
        None => {
            state.store.record_sign_in_failure(&[key]).await?;
            Ok(Err(CodeProblem::Message(
                "We do not recognise this code for this community budget. Check it and try again"
                    .into(),
            )))
        }
    }
}

async fn code_problem_page(
    state: &AppState,
    identity: &Identity,
    p: &PbProcess,
    typed: &str,
    problem: CodeProblem,
) -> Result<Response, AppError> {
    let chrome = chrome(state, identity, SECTION, "Enter your voting code").await?;
    let (status, msg) = match problem {
        CodeProblem::Limited => (
            StatusCode::TOO_MANY_REQUESTS,
            "Too many codes have been tried from your connection. Wait 15 minutes and try again, or ask the council for help".to_string(),
        ),
        CodeProblem::Closed => (StatusCode::CONFLICT, "Voting is not open for this community budget".to_string()),
        CodeProblem::Message(m) if m.contains("already been used") => (StatusCode::CONFLICT, m),
        CodeProblem::Message(m) => (StatusCode::UNPROCESSABLE_ENTITY, m),
    };
    render_status(
        status,
        &CodePage {
            chrome,
            p: ProcessView::new(p),
            code: typed.to_string(),
            errors: vec![FieldError::new("code", msg)],
        },
    )
}

fn ballot_projects(p: &PbProcess) -> Vec<BallotProject> {
    p.ballot
        .iter()
        .flatten()
        .map(|b| BallotProject {
            id: b.id,
            cost_pence: b.cost_pence,
        })
        .collect()
}

/// What the form says the voter marked.
fn input_from_form(f: &FormData, entries: &[BallotEntry]) -> BallotInput {
    let mut input = BallotInput::default();
    for (k, v) in f {
        if k == "p" {
            if let Ok(id) = v.parse() {
                input.chosen.push(id);
            }
        } else if let Some(id) = k.strip_prefix("pts_").and_then(|x| x.parse::<i64>().ok()) {
            let v = v.trim();
            let pts = if v.is_empty() {
                0
            } else {
                v.parse::<u32>().unwrap_or(u32::MAX)
            };
            input.points.push((id, pts));
        } else if let Some(id) = k.strip_prefix("rank_").and_then(|x| x.parse::<i64>().ok()) {
            input.ranks.push((id, v.trim().parse::<u32>().unwrap_or(0)));
        }
    }
    let _ = entries;
    input
}

fn ballot_rows(p: &PbProcess, input: &BallotInput, seed: Option<u64>) -> Vec<BallotRow> {
    let entries: Vec<&BallotEntry> = p.ballot.iter().flatten().collect();
    let order = match seed {
        Some(s) if p.def.shuffle => levers_pb::ballot::voter_order(entries.len(), s),
        _ => (0..entries.len()).collect(),
    };
    let max_rank = match p.def.ballot {
        BallotType::Ranking { max_ranks } => max_ranks,
        _ => 0,
    };
    order
        .into_iter()
        .map(|i| {
            let b = entries[i];
            let rank = input.ranks.iter().find(|r| r.0 == b.id).map_or(0, |r| r.1);
            BallotRow {
                id: b.id,
                name: b.name.clone(),
                description: b.description.clone(),
                location: b.location.clone(),
                category: b.category.clone(),
                cost: pounds(b.cost_pence),
                chosen: input.chosen.contains(&b.id),
                points: input.points.iter().find(|x| x.0 == b.id).map_or(0, |x| x.1),
                rank,
                rank_options: (1..=max_rank.min(entries.len() as u32))
                    .map(|r| (r, r == rank))
                    .collect(),
            }
        })
        .collect()
}

/// The per-voter order seed: from the code's hash, so each voter's order is stable across steps
/// and differs between voters, and nothing needs storing.
fn order_seed(hash: &str) -> u64 {
    u64::from_str_radix(&hash[hash.len().saturating_sub(16)..], 16).unwrap_or(0)
}

#[allow(clippy::too_many_arguments)]
async fn ballot_page(
    state: &AppState,
    identity: &Identity,
    p: &PbProcess,
    code: &str,
    seed: Option<u64>,
    input: &BallotInput,
    errors: Vec<FieldError>,
    step: &'static str,
    paper: bool,
    age_ok: bool,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let title = match (paper, step) {
        (true, _) => "Enter a paper ballot",
        (false, "review") => "Check your vote",
        _ => "Your ballot",
    };
    let chrome = chrome(state, identity, SECTION, title).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let max_points = match p.def.ballot {
        BallotType::Cumulative {
            max_per_project, ..
        } => max_per_project,
        _ => 0,
    };
    let page = BallotPage {
        chrome,
        p: ProcessView::new(p),
        code: code.to_string(),
        rows: ballot_rows(p, input, seed),
        tally: tally(&p.def.ballot, &ballot_projects(p), input),
        errors,
        step,
        paper,
        max_points,
        age_ok,
        notice,
    };
    render_status(status, &page)
}

pub async fn enter_code(
    State(state): State<AppState>,
    identity: Identity,
    axum::Extension(addr): axum::Extension<ClientAddr>,
    Path(slug): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, AppError> {
    let p = load_public(&state, &identity, &slug).await?;
    let typed = field(&f, "code");
    match check_code(&state, &addr, &p, typed).await? {
        Err(problem) => code_problem_page(&state, &identity, &p, typed, problem).await,
        Ok((compact, hash)) => {
            ballot_page(
                &state,
                &identity,
                &p,
                &codes::display(&compact),
                Some(order_seed(&hash)),
                &BallotInput::default(),
                vec![],
                "ballot",
                false,
                false,
                None,
            )
            .await
        }
    }
}

/// One step of the ballot: `update` (recompute the running total), `review`, `change` (back from
/// review) or `cast`.
pub async fn ballot_step(
    State(state): State<AppState>,
    identity: Identity,
    axum::Extension(addr): axum::Extension<ClientAddr>,
    Path(slug): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, AppError> {
    let p = load_public(&state, &identity, &slug).await?;
    let typed = field(&f, "code");
    let (compact, hash) = match check_code(&state, &addr, &p, typed).await? {
        Err(problem) => return code_problem_page(&state, &identity, &p, typed, problem).await,
        Ok(x) => x,
    };
    let shown = codes::display(&compact);
    let seed = Some(order_seed(&hash));
    let entries: Vec<BallotEntry> = p.ballot.clone().unwrap_or_default();
    let input = input_from_form(&f, &entries);
    let projects = ballot_projects(&p);
    let age_ok = field(&f, "age_ok") == "yes";
    let action = field(&f, "action");
    match action {
        "review" | "cast" => {
            let checked = validate(&p.def.ballot, &projects, &input);
            let ballot = match checked {
                Err(e) => {
                    return ballot_page(
                        &state,
                        &identity,
                        &p,
                        &shown,
                        seed,
                        &input,
                        vec![FieldError::new("choices", e.to_string())],
                        "ballot",
                        false,
                        age_ok,
                        None,
                    )
                    .await;
                }
                Ok(b) => b,
            };
            if action == "review" {
                return ballot_page(
                    &state,
                    &identity,
                    &p,
                    &shown,
                    seed,
                    &input,
                    vec![],
                    "review",
                    false,
                    age_ok,
                    None,
                )
                .await;
            }
            if let Some(age) = p.def.min_age
                && !age_ok
            {
                let msg = format!("Confirm that you are {age} or older to vote");
                return ballot_page(
                    &state,
                    &identity,
                    &p,
                    &shown,
                    seed,
                    &input,
                    vec![FieldError::new("age_ok", msg)],
                    "review",
                    false,
                    false,
                    None,
                )
                .await;
            }
            let receipt = codes::receipt_from_random(random_u128());
            let nb = NewBallot {
                ballot_id: format!("{:032x}", random_u128()),
                receipt_hash: receipt_hash(p.id, &receipt),
                content: ballot.encode(&p.def.ballot),
            };
            match state
                .store
                .cast_pb_ballot(
                    &Actor::system("resident"),
                    p.id,
                    &hash,
                    Channel::Online,
                    &nb,
                )
                .await?
            {
                CastOutcome::Cast => {
                    let chrome =
                        chrome(&state, &identity, SECTION, "Your vote has been cast").await?;
                    render(&ConfirmationPage {
                        chrome,
                        p: ProcessView::new(&p),
                        receipt: codes::display(&receipt),
                    })
                }
                CastOutcome::AlreadyUsed(_) => {
                    state
                        .store
                        .record_sign_in_failure(&[client_key(&addr, "code")])
                        .await?;
                    code_problem_page(
                        &state,
                        &identity,
                        &p,
                        typed,
                        CodeProblem::Message(
                            "This code has already been used to vote. Each code can be used once"
                                .into(),
                        ),
                    )
                    .await
                }
                CastOutcome::NotOpen => {
                    code_problem_page(&state, &identity, &p, typed, CodeProblem::Closed).await
                }
                CastOutcome::Void => {
                    state
                        .store
                        .record_sign_in_failure(&[client_key(&addr, "code")])
                        .await?;
                    code_problem_page(
                        &state,
                        &identity,
                        &p,
                        typed,
                        CodeProblem::Message(VOIDED_CODE.into()),
                    )
                    .await
                }
                CastOutcome::UnknownCode => Err(AppError::NotFound),
            }
        }
        _ => {
            ballot_page(
                &state,
                &identity,
                &p,
                &shown,
                seed,
                &input,
                vec![],
                "ballot",
                false,
                age_ok,
                None,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "pb/confirmation.html")]
pub struct ConfirmationPage {
    pub chrome: Chrome,
    pub p: ProcessView,
    pub receipt: String,
}

#[derive(Template)]
#[template(path = "pb/receipt.html")]
pub struct ReceiptPage {
    pub chrome: Chrome,
    pub p: ProcessView,
    pub receipt: String,
    pub status: Option<ReceiptStatus>,
    pub errors: Vec<FieldError>,
}

impl ReceiptPage {
    pub fn err(&self, f: &str) -> Option<&str> {
        error_for(&self.errors, f)
    }
    pub fn found(&self) -> &'static str {
        match self.status {
            Some(ReceiptStatus::Counted) => "counted",
            Some(ReceiptStatus::Received) => "received",
            Some(ReceiptStatus::Unknown) => "unknown",
            None => "",
        }
    }
}

pub async fn receipt_form(
    State(state): State<AppState>,
    identity: Identity,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let p = load_public(&state, &identity, &slug).await?;
    let chrome = chrome(&state, &identity, SECTION, "Check your vote was counted").await?;
    render(&ReceiptPage {
        chrome,
        p: ProcessView::new(&p),
        receipt: String::new(),
        status: None,
        errors: vec![],
    })
}

pub async fn check_receipt(
    State(state): State<AppState>,
    identity: Identity,
    axum::Extension(addr): axum::Extension<ClientAddr>,
    Path(slug): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, AppError> {
    let p = load_public(&state, &identity, &slug).await?;
    let chrome = chrome(&state, &identity, SECTION, "Check your vote was counted").await?;
    let typed = field(&f, "receipt").to_string();
    let key = client_key(&addr, "receipt");
    let mut page = ReceiptPage {
        chrome,
        p: ProcessView::new(&p),
        receipt: typed.clone(),
        status: None,
        errors: vec![],
    };
    if state
        .store
        .recent_sign_in_failures(&key, LIMIT_WINDOW_SECONDS)
        .await?
        >= MAX_CODE_FAILURES
    {
        page.errors.push(FieldError::new("receipt", "Too many receipts have been checked from your connection. Wait 15 minutes and try again"));
        return render_status(StatusCode::TOO_MANY_REQUESTS, &page);
    }
    match codes::normalise_receipt(&typed) {
        Err(e) => {
            state.store.record_sign_in_failure(&[key]).await?;
            page.errors.push(FieldError::new(
                "receipt",
                e.to_string().replace("code", "receipt number"),
            ));
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Ok(r) => {
            let status = state
                .store
                .pb_receipt_status(p.id, &receipt_hash(p.id, &r))
                .await?;
            if status == ReceiptStatus::Unknown {
                state.store.record_sign_in_failure(&[key]).await?;
            }
            page.receipt = codes::display(&r);
            page.status = Some(status);
            render(&page)
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Results

pub struct ResultRow {
    pub id: i64,
    pub name: String,
    pub category: String,
    pub cost: String,
    pub votes: u64,
    pub score: Option<u64>,
    pub funded: bool,
    pub order: String,
    pub explanation: Vec<String>,
    pub delivery: Option<(String, String, String)>,
}

pub struct TurnoutRow {
    pub ward: String,
    pub issued: i64,
    pub voted: i64,
    pub percent: String,
}

#[derive(Template)]
#[template(path = "pb/results.html")]
pub struct ResultsPage {
    pub chrome: Chrome,
    pub p: ProcessView,
    pub published: bool,
    pub ballots: u64,
    pub spent: String,
    pub left: String,
    pub rule: Vec<String>,
    pub rule_label: String,
    pub cli: String,
    pub share: Option<String>,
    pub rows: Vec<ResultRow>,
    pub chart: String,
    pub turnout: Vec<TurnoutRow>,
    pub score_label: &'static str,
    pub funded_count: usize,
}

/// A horizontal bar chart of support per project, funded projects dark, with a text alternative.
fn support_chart(rows: &[ResultRow], score_label: &str) -> String {
    use std::fmt::Write;
    let esc = crate::charts::esc;
    let w = 720.0_f64;
    let bar_h = 26.0;
    let gap = 10.0;
    let left = 260.0;
    let right = 70.0;
    let top = 10.0;
    let h = top + rows.len() as f64 * (bar_h + gap) + 30.0;
    let value = |r: &ResultRow| r.score.unwrap_or(r.votes);
    let max = rows.iter().map(value).max().unwrap_or(1).max(1) as f64;
    let desc: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{}: {} {}, {}",
                r.name,
                value(r),
                score_label,
                if r.funded { "funded" } else { "not funded" }
            )
        })
        .collect();
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="lv-chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="support-title support-desc" xmlns="http://www.w3.org/2000/svg"><title id="support-title">Support for each project ({})</title><desc id="support-desc">{}</desc>"#,
        esc(score_label),
        esc(&desc.join("; "))
    );
    for (i, r) in rows.iter().enumerate() {
        let y = top + i as f64 * (bar_h + gap);
        let bw = (w - left - right) * value(r) as f64 / max;
        let name: String = if r.name.chars().count() > 34 {
            format!("{}…", r.name.chars().take(33).collect::<String>())
        } else {
            r.name.clone()
        };
        let fill = if r.funded { "#1d70b8" } else { "#b1b4b6" };
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end" font-size="14" fill="#0b0c0c">{}</text><rect x="{left}" y="{y:.1}" width="{bw:.1}" height="{bar_h}" fill="{fill}"/><text x="{:.1}" y="{:.1}" font-size="14" fill="#0b0c0c">{}{}</text>"##,
            left - 8.0,
            y + 18.0,
            esc(&name),
            left + bw + 6.0,
            y + 18.0,
            value(r),
            if r.funded { " ✓" } else { "" }
        );
    }
    let _ = write!(
        s,
        r##"<line x1="{left}" x2="{left}" y1="{top}" y2="{:.1}" stroke="#0b0c0c" stroke-width="1"/><text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="14" fill="#0b0c0c">{} (dark bars and ✓: funded)</text></svg>"##,
        h - 25.0,
        left + (w - left - right) / 2.0,
        h - 8.0,
        esc(score_label)
    );
    s
}

async fn results_page(
    state: &AppState,
    identity: &Identity,
    p: &PbProcess,
) -> Result<Response, AppError> {
    let Some(stored) = state.store.pb_result(p.id).await? else {
        return Err(AppError::NotFound);
    };
    let result: CountResult = serde_json::from_value(stored.result.clone())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("stored result: {e}")))?;
    let delivery = state.store.pb_delivery(p.id).await?;
    let score_label = match p.def.ballot {
        BallotType::Cumulative { .. } => "points",
        BallotType::Ranking { .. } => "rank score",
        _ => "votes",
    };
    let mut rows: Vec<ResultRow> = result
        .projects
        .iter()
        .map(|r| ResultRow {
            id: r.id,
            name: r.name.clone(),
            category: r.category.clone(),
            cost: pounds(r.cost_pence),
            votes: r.votes,
            score: r.score,
            funded: r.funded,
            order: r.funded_order.map_or_else(String::new, |o| o.to_string()),
            explanation: r.explanation.clone(),
            delivery: delivery.iter().find(|d| d.proposal_id == r.id).map(|d| {
                let label = DELIVERY_STATUSES
                    .iter()
                    .find(|s| s.0 == d.status)
                    .map_or(d.status.as_str(), |s| s.1);
                (label.to_string(), pounds(d.spent_pence), d.note.clone())
            }),
        })
        .collect();
    rows.sort_by_key(|r| {
        (
            !r.funded,
            r.order.parse::<usize>().unwrap_or(usize::MAX),
            std::cmp::Reverse(r.score.unwrap_or(r.votes)),
        )
    });
    let chart = support_chart(&rows, score_label);
    let turnout = state
        .store
        .pb_turnout(p.id)
        .await?
        .into_iter()
        .map(|t| {
            let voted = t.used_online + t.used_paper;
            TurnoutRow {
                ward: t
                    .ward_name
                    .or(t.ward_code)
                    .unwrap_or_else(|| "Ward not recorded".into()),
                issued: t.issued,
                voted,
                percent: if t.issued > 0 {
                    format!("{:.1}%", 100.0 * voted as f64 / t.issued as f64)
                } else {
                    "–".into()
                },
            }
        })
        .collect();
    let chrome = chrome(
        state,
        identity,
        SECTION,
        &format!("Results: {}", p.def.name),
    )
    .await?;
    render(&ResultsPage {
        chrome,
        p: ProcessView::new(p),
        published: stored.published_at.is_some(),
        ballots: result.ballots,
        spent: pounds(result.spent_pence),
        left: pounds(result.pot_pence - result.spent_pence),
        rule: p.def.rule.plain_english(&p.def.ballot),
        rule_label: result.rule.clone(),
        cli: p.def.rule.cli_options().to_string(),
        share: result
            .share_per_voter_pence
            .map(|s| pounds(s.round() as i64)),
        funded_count: rows.iter().filter(|r| r.funded).count(),
        rows,
        chart,
        turnout,
        score_label,
    })
}

/// Published results for everyone; officers may preview a count before publishing.
pub async fn results(
    State(state): State<AppState>,
    identity: Identity,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let p = load_public(&state, &identity, &slug).await?;
    if p.phase != Phase::Results && !is_officer(&identity) {
        return Err(AppError::NotFound);
    }
    results_page(&state, &identity, &p).await
}

pub async fn results_pb(
    State(state): State<AppState>,
    identity: Identity,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let p = load_public(&state, &identity, &slug).await?;
    if p.phase != Phase::Results && !is_officer(&identity) {
        return Err(AppError::NotFound);
    }
    let r = state
        .store
        .pb_result(p.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/plain; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.pb\"", p.def.slug),
            ),
        ],
        r.pb_text,
    )
        .into_response())
}

// ------------------------------------------------------------------------------------------------
// Officers: create and edit a process

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
        locked: p.phase >= Phase::Voting,
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
            locked: p.phase >= Phase::Voting,
        },
    )
}

// ------------------------------------------------------------------------------------------------
// Officers: the process dashboard and phases

#[derive(Template)]
#[template(path = "pb/manage.html")]
pub struct ManagePage {
    pub chrome: Chrome,
    pub p: ProcessView,
    pub ideas: usize,
    pub waiting: usize,
    pub accepted: usize,
    pub on_ballot: usize,
    pub codes_issued: i64,
    pub codes_used: i64,
    pub ballots_waiting: i64,
    pub ballots_sealed: i64,
    pub counted: Option<(i64, String, bool)>,
    pub next: Vec<(&'static str, &'static str)>,
    pub errors: Vec<FieldError>,
    pub notice: Option<String>,
}

impl ManagePage {
    pub fn err(&self, f: &str) -> Option<&str> {
        error_for(&self.errors, f)
    }
    pub fn closed(&self) -> bool {
        self.p.phase == Phase::Closed
    }
}

async fn manage_page(
    state: &AppState,
    identity: &Identity,
    p: &PbProcess,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let ideas = state.store.pb_proposals(p.id).await?;
    let batches = state.store.pb_code_batches(p.id).await?;
    let (ballots_waiting, ballots_sealed) = state.store.pb_ballot_counts(p.id).await?;
    let counted = state.store.pb_result(p.id).await?.map(|r| {
        (
            r.ballots,
            crate::templates::when(&r.counted_at),
            r.published_at.is_some(),
        )
    });
    let next = Phase::ALL
        .into_iter()
        .filter(|to| p.phase.can_move_to(*to).is_ok())
        .map(|to| {
            let label = match to {
                Phase::Proposals => "Open for ideas",
                Phase::Review => "Close ideas and start the review",
                Phase::Voting => "Open voting (freezes the ballot)",
                Phase::Closed => "Close voting",
                Phase::Results => "Publish the result",
                Phase::Setup => "Set up",
            };
            (to.as_str(), label)
        })
        .collect();
    let chrome = chrome(state, identity, SECTION, &format!("Manage: {}", p.def.name)).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::CONFLICT
    };
    render_status(
        status,
        &ManagePage {
            chrome,
            p: ProcessView::new(p),
            ideas: ideas.len(),
            waiting: ideas
                .iter()
                .filter(|i| i.status == ProposalStatus::Submitted)
                .count(),
            accepted: ideas
                .iter()
                .filter(|i| i.status == ProposalStatus::Accepted)
                .count(),
            on_ballot: p.ballot.as_ref().map_or(0, |b| b.len()),
            codes_issued: batches.iter().map(|b| b.codes).sum(),
            codes_used: batches.iter().map(|b| b.used_online + b.used_paper).sum(),
            ballots_waiting,
            ballots_sealed,
            counted,
            next,
            errors,
            notice,
        },
    )
}

pub async fn manage(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let p = load(&state, &slug).await?;
    manage_page(&state, &identity, &p, vec![], None).await
}

pub async fn move_phase(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(slug): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let p = load(&state, &slug).await?;
    let Some(to) = Phase::parse(field(&f, "to")) else {
        return Err(AppError::NotFound);
    };
    match state.store.set_pb_phase(&actor(&me), p.id, to).await {
        Ok(p) => {
            manage_page(
                &state,
                &identity,
                &p,
                vec![],
                Some(format!("The process is now: {}", p.phase.label())),
            )
            .await
        }
        Err(levers_store::StoreError::Conflict(m)) => {
            manage_page(
                &state,
                &identity,
                &p,
                vec![FieldError::new("phase", m)],
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// Seals the box and counts with levers-pb; the result and the exported file are stored.
pub async fn count_votes(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let p = load(&state, &slug).await?;
    match count_process(&state.store, &actor(&me), &p).await {
        Ok(r) => {
            let p = load(&state, &slug).await?;
            let msg = format!(
                "Counted {} ballots: {} projects funded, {} of {} spent.",
                r.ballots,
                r.selected.len(),
                pounds(r.spent_pence),
                pounds(r.pot_pence)
            );
            manage_page(&state, &identity, &p, vec![], Some(msg)).await
        }
        Err(CountError::Conflict(m)) => {
            manage_page(
                &state,
                &identity,
                &p,
                vec![FieldError::new("count", m)],
                None,
            )
            .await
        }
        Err(CountError::App(e)) => Err(e),
    }
}

/// Why a count could not be made.
pub enum CountError {
    Conflict(String),
    App(AppError),
}

impl From<levers_store::StoreError> for CountError {
    fn from(e: levers_store::StoreError) -> Self {
        match e {
            levers_store::StoreError::Conflict(m) => CountError::Conflict(m),
            other => CountError::App(other.into()),
        }
    }
}

/// The count, shared with the CLI and the demo: seal the box, read the sealed ballots (each is
/// checked again against the ballot's rules), run the process's rule, store result and file.
pub async fn count_process(
    store: &levers_store::Store,
    actor: &Actor,
    p: &PbProcess,
) -> Result<CountResult, CountError> {
    store.seal_pb_ballots(actor, p.id).await?;
    let contents = store.pb_sealed_ballots(p.id).await?;
    let entries = p.ballot.clone().unwrap_or_default();
    let projects: Vec<BallotProject> = entries
        .iter()
        .map(|b| BallotProject {
            id: b.id,
            cost_pence: b.cost_pence,
        })
        .collect();
    let mut ballots = Vec::with_capacity(contents.len());
    for (i, c) in contents.iter().enumerate() {
        ballots.push(
            Ballot::decode(&p.def.ballot, &projects, c)
                .map_err(|e| CountError::Conflict(format!("sealed ballot {}: {e}", i + 1)))?,
        );
    }
    let count_projects: Vec<CountProject> = entries
        .iter()
        .map(|b| CountProject {
            id: b.id,
            name: b.name.clone(),
            category: b.category.clone(),
            cost_pence: b.cost_pence,
        })
        .collect();
    let instance = p.def.dates(Phase::Voting).map_or_else(
        || time::OffsetDateTime::now_utc().year().to_string(),
        |d| d.starts[..4].to_string(),
    );
    let def = p.def.clone();
    let result =
        tokio::task::spawn_blocking(move || count(&def, &instance, &count_projects, &ballots))
            .await
            .map_err(|e| CountError::App(AppError::Internal(e.into())))?
            .map_err(|e| CountError::Conflict(e.to_string()))?;
    let json =
        serde_json::to_value(&result).map_err(|e| CountError::App(AppError::Internal(e.into())))?;
    store
        .save_pb_count(actor, p.id, result.ballots as i64, &json, &result.pb)
        .await?;
    Ok(result)
}

// ------------------------------------------------------------------------------------------------
// Officers: ideas

#[derive(Template)]
#[template(path = "pb/ideas.html")]
pub struct IdeasPage {
    pub chrome: Chrome,
    pub p: ProcessView,
    pub ideas: Vec<(IdeaView, String, String)>,
    pub open: Vec<(i64, String)>,
    pub errors: Vec<FieldError>,
    pub notice: Option<String>,
    pub locked: bool,
    pub f: FormData,
}

impl IdeasPage {
    pub fn err(&self, f: &str) -> Option<&str> {
        error_for(&self.errors, f)
    }
    pub fn v(&self, k: &str) -> String {
        field(&self.f, k).to_string()
    }
}

async fn ideas_page(
    state: &AppState,
    identity: &Identity,
    p: &PbProcess,
    errors: Vec<FieldError>,
    notice: Option<String>,
    f: FormData,
) -> Result<Response, AppError> {
    let all = state.store.pb_proposals(p.id).await?;
    let open = all
        .iter()
        .filter(|i| {
            matches!(
                i.status,
                ProposalStatus::Submitted | ProposalStatus::Accepted
            )
        })
        .map(|i| (i.id, i.title.clone()))
        .collect();
    let ideas = all
        .iter()
        .map(|i| {
            (
                idea_view(i),
                i.feasibility.clone(),
                i.final_cost_pence
                    .or(i.rough_cost_pence)
                    .map(|c| levers_core::Money::from_pence(c).to_plain())
                    .unwrap_or_default(),
            )
        })
        .collect();
    let chrome = chrome(state, identity, SECTION, &format!("Ideas: {}", p.def.name)).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(
        status,
        &IdeasPage {
            chrome,
            p: ProcessView::new(p),
            ideas,
            open,
            errors,
            notice,
            locked: p.phase >= Phase::Voting,
            f,
        },
    )
}

pub async fn ideas(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let p = load(&state, &slug).await?;
    ideas_page(&state, &identity, &p, vec![], None, vec![]).await
}

/// An officer adds a project directly (for example from a public meeting).
pub async fn add_idea(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(slug): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let p = load(&state, &slug).await?;
    let mut errors = Vec::new();
    let np = idea_from_form(&f, &mut errors);
    if p.phase >= Phase::Voting {
        errors.push(FieldError::new(
            "title",
            "Voting has opened: the ballot can no longer change",
        ));
    }
    if !errors.is_empty() {
        return ideas_page(&state, &identity, &p, errors, None, f).await;
    }
    let id = state
        .store
        .submit_pb_proposal(&actor(&me), p.id, &np)
        .await?;
    ideas_page(
        &state,
        &identity,
        &p,
        vec![],
        Some(format!("Idea {id} added")),
        vec![],
    )
    .await
}

pub async fn review_idea(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path((slug, id)): Path<(String, i64)>,
    Form(f): Form<FormData>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let p = load(&state, &slug).await?;
    let idea = state
        .store
        .pb_proposal(id)
        .await?
        .filter(|i| i.process_id == p.id)
        .ok_or(AppError::NotFound)?;
    let reason = field(&f, "reason").trim().to_string();
    let feasibility = field(&f, "feasibility").trim().to_string();
    let fid = |_: &str| -> &'static str { "review" };
    let review = match field(&f, "decision") {
        "accept" => match parse_pounds(field(&f, "final_cost")) {
            Some(c) if c > 0 => Review::Accept {
                final_cost_pence: c,
                reason,
                feasibility,
                title: field(&f, "title").to_string(),
            },
            _ => {
                let e = FieldError::new(
                    fid("cost"),
                    format!("Enter the final cost of idea {id} in pounds to accept it"),
                );
                return ideas_page(&state, &identity, &p, vec![e], None, vec![]).await;
            }
        },
        "reject" if reason.is_empty() => {
            let e = FieldError::new(
                fid("reason"),
                format!("Give the reason idea {id} is not taken forward: it is published"),
            );
            return ideas_page(&state, &identity, &p, vec![e], None, vec![]).await;
        }
        "reject" => Review::Reject {
            reason,
            feasibility,
        },
        "merge" => match field(&f, "into").parse::<i64>() {
            Ok(into) => Review::Merge { into, reason },
            Err(_) => {
                let e = FieldError::new(
                    fid("into"),
                    format!("Choose the idea to merge idea {id} into"),
                );
                return ideas_page(&state, &identity, &p, vec![e], None, vec![]).await;
            }
        },
        _ => return Err(AppError::NotFound),
    };
    match state
        .store
        .review_pb_proposal(&actor(&me), idea.id, &review)
        .await
    {
        Ok(i) => {
            ideas_page(
                &state,
                &identity,
                &p,
                vec![],
                Some(format!("Idea {}: {}", i.id, i.status.label())),
                vec![],
            )
            .await
        }
        Err(levers_store::StoreError::Conflict(m)) => {
            ideas_page(
                &state,
                &identity,
                &p,
                vec![FieldError::new(fid("into"), m)],
                None,
                vec![],
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ------------------------------------------------------------------------------------------------
// Officers: voting codes

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

/// Why an officer cancels a code (key, label); the label goes into the audit log.
pub const VOID_REASONS: &[(&str, &str)] = &[
    ("returned", "The letter came back undelivered"),
    ("damaged", "The card or letter was damaged or spoiled"),
    ("seen", "Someone other than the voter has seen the code"),
    ("replaced", "The voter was given a replacement code"),
];

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
        crate::templates::when(at)
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
    Form(f): Form<FormData>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let p = load(&state, &slug).await?;
    let typed = field(&f, "void_code").trim().to_string();
    let reason_key = field(&f, "void_reason").to_string();
    let again = |msg: String, field_name: &'static str| vec![FieldError::new(field_name, msg)];
    let Some((_, reason)) = VOID_REASONS.iter().find(|(k, _)| *k == reason_key) else {
        let errors = again(
            "Choose why the code is being cancelled".into(),
            "void_reason",
        );
        return codes_view_with(&state, &identity, &p, errors, None, typed, reason_key).await;
    };
    if p.phase >= Phase::Results {
        let errors = again(
            "The result has been published: cancelling a code now would change nothing".into(),
            "void_code",
        );
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
        Err((status, m)) => {
            let mut resp = codes_view_with(
                &state,
                &identity,
                &p,
                again(m, "void_code"),
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

/// Cancels one code as typed (any case, spaces or dashes), for the page and the CLI: the
/// confirmation, or the status and message saying why not.
pub async fn cancel_code(
    store: &levers_store::Store,
    actor: &Actor,
    p: &PbProcess,
    typed: &str,
    reason: &str,
) -> Result<Result<String, (StatusCode, String)>, AppError> {
    let compact = match codes::normalise_code(typed) {
        Ok(c) => c,
        Err(e) => return Ok(Err((StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))),
    };
    let shown = codes::display(&compact);
    let why_not = match store
        .void_pb_code(actor, p.id, &code_hash(p.id, &compact), reason)
        .await?
    {
        VoidOutcome::Voided => {
            return Ok(Ok(format!("{shown} is cancelled and can no longer vote")));
        }
        VoidOutcome::UnknownCode => format!("{shown} is not one of this community budget's codes"),
        VoidOutcome::AlreadyUsed(Channel::Online) => format!(
            "{shown} has already been used to vote online. Its ballot cannot be taken out: ballots are not linked to codes"
        ),
        VoidOutcome::AlreadyUsed(Channel::Paper) => format!(
            "A paper ballot has already been entered with {shown}. Its ballot cannot be taken out: ballots are not linked to codes"
        ),
        VoidOutcome::AlreadyVoid => format!("{shown} was cancelled before"),
    };
    Ok(Err((StatusCode::CONFLICT, why_not)))
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

/// Makes `n` fresh codes and stores their hashes as a batch; returns the codes (shown once).
pub async fn new_code_batch(
    store: &levers_store::Store,
    actor: &Actor,
    p: &PbProcess,
    label: &str,
    ward: Option<(&str, &str)>,
    n: usize,
) -> Result<Vec<String>, AppError> {
    let compact: Vec<String> = (0..n)
        .map(|_| codes::code_from_random(random_u128()))
        .collect();
    let hashes: Vec<String> = compact.iter().map(|c| code_hash(p.id, c)).collect();
    store
        .create_pb_code_batch(actor, p.id, label, ward, &hashes)
        .await?;
    Ok(compact.iter().map(|c| codes::display(c)).collect())
}

fn vote_url(headers: &HeaderMap, slug: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("this site");
    format!("{host}/community-budgets/{slug}/vote")
}

pub async fn generate_codes(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Form(f): Form<FormData>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let p = load(&state, &slug).await?;
    let mut errors = Vec::new();
    let n = field(&f, "count").trim().parse::<usize>().unwrap_or(0);
    if !(1..=MAX_BATCH).contains(&n) {
        errors.push(FieldError::new(
            "count",
            format!("Enter how many codes to make, from 1 to {MAX_BATCH}"),
        ));
    }
    let label = field(&f, "label").trim().to_string();
    if label.is_empty() || label.chars().count() > 100 {
        errors.push(FieldError::new(
            "label",
            "Name the batch (up to 100 characters), like \"Harbour door to door\"",
        ));
    }
    if p.phase >= Phase::Closed {
        errors.push(FieldError::new(
            "count",
            "Voting has closed: no more codes can be made",
        ));
    }
    let wards = area_wards(&state, &p).await;
    let ward = match field(&f, "ward") {
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
    let url = vote_url(&headers, &p.def.slug);
    if field(&f, "format") == "csv" {
        let mut csv = String::from("code,batch,community_budget,vote_at\r\n");
        let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        for c in &list {
            csv.push_str(&format!(
                "{},{},{},{}\r\n",
                c,
                q(&label),
                q(&p.def.name),
                q(&url)
            ));
        }
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"{}-codes-{}.csv\"",
                        p.def.slug,
                        slugify(&label)
                    ),
                ),
            ],
            csv,
        )
            .into_response());
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

#[derive(Template)]
#[template(path = "pb/register.html")]
pub struct RegisterPage {
    pub chrome: Chrome,
    pub p: ProcessView,
    pub postcode: String,
    pub errors: Vec<FieldError>,
    pub issued: Option<(String, String)>,
}

impl RegisterPage {
    pub fn err(&self, f: &str) -> Option<&str> {
        error_for(&self.errors, f)
    }
}

pub async fn register_form(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let p = load(&state, &slug).await?;
    let chrome = chrome(&state, &identity, SECTION, "Register a resident").await?;
    render(&RegisterPage {
        chrome,
        p: ProcessView::new(&p),
        postcode: String::new(),
        errors: vec![],
        issued: None,
    })
}

/// An officer registers a resident by postcode (checked against the geography: inside the area)
/// and hands them one code, recorded with the resident's ward for turnout.
pub async fn register(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(slug): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let p = load(&state, &slug).await?;
    let typed = field(&f, "postcode").trim().to_string();
    let chrome = chrome(&state, &identity, SECTION, "Register a resident").await?;
    let mut page = RegisterPage {
        chrome,
        p: ProcessView::new(&p),
        postcode: typed.clone(),
        errors: vec![],
        issued: None,
    };
    let fail = |mut page: RegisterPage, m: String| {
        page.errors.push(FieldError::new("postcode", m));
        render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
    };
    if p.phase >= Phase::Closed {
        return fail(
            page,
            "Voting has closed: no more codes can be issued".into(),
        );
    }
    let Ok(pc) = levers_geo::Postcode::parse(&typed) else {
        return fail(page, "Enter a full postcode, like XL1 2AB".into());
    };
    let index = state.geo.get(&state.store).await?;
    let Some(found) = index.lookup(&pc) else {
        return fail(
            page,
            format!("{pc} is not in the loaded postcode directory"),
        );
    };
    let ward = found.ward.as_ref().map(|w| {
        (
            w.code.to_string(),
            w.name.clone().unwrap_or_else(|| w.code.to_string()),
        )
    });
    let inside = match &p.def.area {
        Area::Wards(c) => ward.as_ref().is_some_and(|w| c.contains(&w.0)),
        Area::Lsoas(c) => [&found.lsoa11, &found.lsoa21]
            .into_iter()
            .flatten()
            .any(|l| c.contains(&l.code.to_string())),
        Area::Postcodes(c) => c.contains(&pc.to_string()),
    };
    if !inside {
        return fail(
            page,
            format!(
                "{pc} is outside the area of this community budget ({})",
                p.def.area_name
            ),
        );
    }
    let list = new_code_batch(
        &state.store,
        &actor(&me),
        &p,
        &format!("Registered resident ({pc})"),
        ward.as_ref().map(|(c, n)| (c.as_str(), n.as_str())),
        1,
    )
    .await?;
    page.issued = Some((
        list[0].clone(),
        ward.map_or_else(|| "not known".into(), |w| w.1),
    ));
    page.postcode.clear();
    render(&page)
}

// ------------------------------------------------------------------------------------------------
// Officers: paper ballots

pub async fn paper_form(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let p = load(&state, &slug).await?;
    ballot_page(
        &state,
        &identity,
        &p,
        "",
        None,
        &BallotInput::default(),
        vec![],
        "ballot",
        true,
        true,
        None,
    )
    .await
}

pub async fn paper_entry(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(slug): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let p = load(&state, &slug).await?;
    let entries = p.ballot.clone().unwrap_or_default();
    let input = input_from_form(&f, &entries);
    let typed = field(&f, "code").to_string();
    let again = |errors: Vec<FieldError>| {
        ballot_page(
            &state, &identity, &p, &typed, None, &input, errors, "ballot", true, true, None,
        )
    };
    if field(&f, "action") == "update" {
        return again(vec![]).await;
    }
    let compact = match codes::normalise_code(&typed) {
        Ok(c) => c,
        Err(e) => return again(vec![FieldError::new("code", e.to_string())]).await,
    };
    let ballot = match validate(&p.def.ballot, &ballot_projects(&p), &input) {
        Ok(b) => b,
        Err(e) => return again(vec![FieldError::new("choices", e.to_string())]).await,
    };
    let receipt = codes::receipt_from_random(random_u128());
    let nb = NewBallot {
        ballot_id: format!("{:032x}", random_u128()),
        receipt_hash: receipt_hash(p.id, &receipt),
        content: ballot.encode(&p.def.ballot),
    };
    let hash = code_hash(p.id, &compact);
    let msg = match state
        .store
        .cast_pb_ballot(&actor(&me), p.id, &hash, Channel::Paper, &nb)
        .await?
    {
        CastOutcome::Cast => None,
        CastOutcome::AlreadyUsed(Channel::Online) => {
            Some("This code was already used to vote online: the paper ballot must not be counted")
        }
        CastOutcome::AlreadyUsed(Channel::Paper) => {
            Some("A paper ballot has already been entered with this code")
        }
        CastOutcome::UnknownCode => Some("This code is not one of this community budget's codes"),
        CastOutcome::NotOpen => Some(
            "Paper ballots can be entered while voting is open, and after it closes until the result is published",
        ),
        CastOutcome::Void => {
            Some("This code was cancelled before it was used: the paper ballot must not be counted")
        }
    };
    match msg {
        Some(m) => {
            let mut resp = again(vec![FieldError::new("code", m)]).await?;
            *resp.status_mut() = StatusCode::CONFLICT;
            Ok(resp)
        }
        None => {
            ballot_page(
                &state,
                &identity,
                &p,
                "",
                None,
                &BallotInput::default(),
                vec![],
                "ballot",
                true,
                true,
                Some(format!(
                    "Paper ballot with code {} entered.",
                    codes::display(&compact)
                )),
            )
            .await
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Officers: delivery

#[derive(Template)]
#[template(path = "pb/delivery.html")]
pub struct DeliveryPage {
    pub chrome: Chrome,
    pub p: ProcessView,
    /// (id, name, cost, status, spent, note)
    pub rows: Vec<(i64, String, String, String, String, String)>,
    pub statuses: [(&'static str, &'static str); 4],
    pub errors: Vec<FieldError>,
    pub notice: Option<String>,
}

impl DeliveryPage {
    pub fn err(&self, f: &str) -> Option<&str> {
        error_for(&self.errors, f)
    }
}

async fn delivery_view(
    state: &AppState,
    identity: &Identity,
    p: &PbProcess,
    errors: Vec<FieldError>,
    notice: Option<String>,
) -> Result<Response, AppError> {
    let result = state.store.pb_result(p.id).await?;
    let funded: Vec<(i64, String, i64)> = match result
        .as_ref()
        .and_then(|r| serde_json::from_value::<CountResult>(r.result.clone()).ok())
    {
        Some(r) => r
            .projects
            .into_iter()
            .filter(|x| x.funded)
            .map(|x| (x.id, x.name, x.cost_pence))
            .collect(),
        None => vec![],
    };
    let delivery = state.store.pb_delivery(p.id).await?;
    let rows = funded
        .into_iter()
        .map(|(id, name, cost)| {
            let d = delivery.iter().find(|d| d.proposal_id == id);
            (
                id,
                name,
                pounds(cost),
                d.map_or("not_started".to_string(), |d| d.status.clone()),
                d.map_or(String::new(), |d| {
                    levers_core::Money::from_pence(d.spent_pence).to_plain()
                }),
                d.map_or(String::new(), |d| d.note.clone()),
            )
        })
        .collect();
    let chrome = chrome(
        state,
        identity,
        SECTION,
        &format!("Delivery: {}", p.def.name),
    )
    .await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(
        status,
        &DeliveryPage {
            chrome,
            p: ProcessView::new(p),
            rows,
            statuses: DELIVERY_STATUSES,
            errors,
            notice,
        },
    )
}

pub async fn delivery_page(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let p = load(&state, &slug).await?;
    delivery_view(&state, &identity, &p, vec![], None).await
}

pub async fn save_delivery(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Path(slug): Path<String>,
    Form(f): Form<FormData>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let p = load(&state, &slug).await?;
    let id: i64 = field(&f, "project")
        .parse()
        .map_err(|_| AppError::NotFound)?;
    let spent = match field(&f, "spent").trim() {
        "" => Some(0),
        s => parse_pounds(s).filter(|v| *v >= 0),
    };
    let Some(spent) = spent else {
        return delivery_view(
            &state,
            &identity,
            &p,
            vec![FieldError::new(
                "delivery",
                format!("Enter the spend on project {id} in pounds"),
            )],
            None,
        )
        .await;
    };
    match state
        .store
        .set_pb_delivery(
            &actor(&me),
            p.id,
            id,
            field(&f, "status"),
            spent,
            field(&f, "note"),
        )
        .await
    {
        Ok(()) => {
            delivery_view(
                &state,
                &identity,
                &p,
                vec![],
                Some(format!("Project {id} updated")),
            )
            .await
        }
        Err(levers_store::StoreError::Conflict(m)) => {
            delivery_view(
                &state,
                &identity,
                &p,
                vec![FieldError::new("delivery", m)],
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
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
