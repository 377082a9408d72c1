//! The strategy's reading pages: the list (or the newest strategy), the overview, an objective's
//! page, and the cabinet report in the page and as standalone HTML, XLSX and JSON downloads.

use crate::page::XLSX;
use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use levers_present::strategy_report::{
    ObjectiveSection, StandaloneReport, StrategyReport, workbook,
};
use levers_store::strategy::StrategySummary;
use serde::Deserialize;

use super::common::{SECTION, is_officer, load};
use crate::error::AppError;
use crate::identity::Identity;
use crate::layout::Chrome;
use crate::page::{attachment, chrome, render};
use crate::state::AppState;

/// `?saved=…` after a form: what was saved, for the notice at the top.
#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    pub saved: Option<String>,
}

fn notice(q: &SavedQuery) -> Option<String> {
    q.saved.as_deref().map(|s| match s {
        "strategy" => "The strategy was saved".to_string(),
        "objective" => "The objective was saved".to_string(),
        "deleted" => "The objective was deleted".to_string(),
        "measure" => "The measure was saved".to_string(),
        "measure-deleted" => "The measure was deleted".to_string(),
        "value" => "The figure was recorded".to_string(),
        "published" => "The strategy is published: the public can read it".to_string(),
        "withdrawn" => "The strategy is withdrawn from the public pages".to_string(),
        _ => "Saved".to_string(),
    })
}

#[derive(Template)]
#[template(path = "strategy/index.html")]
pub struct IndexPage {
    pub chrome: Chrome,
    pub strategies: Vec<StrategySummary>,
}

impl IndexPage {
    pub fn can_change(&self) -> bool {
        is_officer(&self.chrome)
    }
}

/// The strategy's overview when the council has one, else the list (with the form's link).
pub async fn index(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let strategies = state.store.strategies().await?;
    if let [only] = strategies.as_slice() {
        return overview_page(&state, &identity, only.id, &q).await;
    }
    let chrome = chrome(&state, &identity, SECTION, "Strategy").await?;
    render(&IndexPage { chrome, strategies })
}

#[derive(Template)]
#[template(path = "strategy/overview.html")]
pub struct OverviewPage {
    pub chrome: Chrome,
    pub r: StrategyReport,
    pub others: Vec<StrategySummary>,
    pub notice: Option<String>,
}

impl OverviewPage {
    pub fn can_change(&self) -> bool {
        is_officer(&self.chrome)
    }
    pub fn is_admin(&self) -> bool {
        self.chrome
            .user
            .as_ref()
            .is_some_and(|u| u.role.allows(levers_store::Role::Admin))
    }
}

pub async fn overview(
    State(state): State<AppState>,
    identity: Identity,
    Path(sid): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    overview_page(&state, &identity, sid, &q).await
}

async fn overview_page(
    state: &AppState,
    identity: &Identity,
    sid: i64,
    q: &SavedQuery,
) -> Result<Response, AppError> {
    let r = load(state, sid).await?;
    let others = state
        .store
        .strategies()
        .await?
        .into_iter()
        .filter(|s| s.id != sid)
        .collect();
    let chrome = chrome(state, identity, SECTION, &r.v.name).await?;
    render(&OverviewPage {
        chrome,
        r,
        others,
        notice: notice(q),
    })
}

#[derive(Template)]
#[template(path = "strategy/objective.html")]
pub struct ObjectivePage {
    pub chrome: Chrome,
    pub sid: i64,
    pub strategy: String,
    pub o: ObjectiveSection,
    pub notice: Option<String>,
    /// The spending bodies, with the address of the page that ticks what their spend serves.
    pub bodies: Vec<(String, String)>,
    /// Where it lands: the wards and neighbourhoods its measures are for (code, label).
    pub named_places: Vec<(String, String)>,
    /// The council's most deprived wards, for the place view.
    pub deprived_wards: Vec<levers_app::place::links::WardDeprivation>,
}

impl ObjectivePage {
    pub fn can_change(&self) -> bool {
        is_officer(&self.chrome)
    }
    pub fn base(&self) -> String {
        format!("/strategy/{}/objectives/{}", self.sid, self.o.id)
    }
    pub fn is_official(&self, m: &levers_present::strategy_report::MeasureSection) -> bool {
        !m.official.is_empty()
    }
    pub fn deprived(&self, w: &levers_app::place::links::WardDeprivation) -> String {
        levers_present::show::deprived_share((w.most_deprived, w.of))
    }
}

/// How many of the most deprived wards an objective's page links to.
const DEPRIVED_WARDS_SHOWN: usize = 3;

/// The wards and neighbourhoods of the council an objective's official measures are for
/// (code, label), each once, in the order the measures come.
async fn places_named(
    state: &AppState,
    geo: &levers_geo::GeoIndex,
    o: &levers_strategy::ObjectiveView,
) -> Result<Vec<(String, String)>, AppError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for m in &o.measures {
        let levers_strategy::Source::Official(r) = &m.measure.source else {
            continue;
        };
        let Ok(code) = levers_core::AreaCode::parse(r.area_code.trim()) else {
            continue;
        };
        if out.iter().any(|(c, _)| c == code.as_str())
            || !levers_app::place::links::is_council_place(&state.store, geo, &code).await?
        {
            continue;
        }
        out.push((
            code.to_string(),
            levers_app::place::links::place_label(geo, Some(code.as_str())),
        ));
    }
    Ok(out)
}

pub async fn objective(
    State(state): State<AppState>,
    identity: Identity,
    Path((sid, oid)): Path<(i64, i64)>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let mut r = load(&state, sid).await?;
    let i = r
        .objectives
        .iter()
        .position(|o| o.id == oid)
        .ok_or(AppError::NotFound)?;
    let geo = state.geo.get(&state.store).await?;
    let named_places = match r.v.objectives.iter().find(|o| o.id == oid) {
        Some(ov) => places_named(&state, &geo, ov).await?,
        None => Vec::new(),
    };
    let mut deprived_wards =
        levers_app::place::links::wards_by_deprivation(&state.store, &geo).await?;
    deprived_wards.retain(|w| w.of > 0);
    deprived_wards.truncate(DEPRIVED_WARDS_SHOWN);
    let o = r.objectives.swap_remove(i);
    let title = format!("{} {}", o.code, o.title);
    let chrome = chrome(&state, &identity, SECTION, &title).await?;
    let bodies = state
        .store
        .spend_bodies()
        .await?
        .into_iter()
        .map(|b| {
            let q: String = form_urlencoded::byte_serialize(b.as_bytes()).collect();
            (b, format!("/strategy/serves/spend?body={q}"))
        })
        .collect();
    render(&ObjectivePage {
        chrome,
        sid,
        strategy: r.v.name.clone(),
        o,
        notice: notice(&q),
        bodies,
        named_places,
        deprived_wards,
    })
}

#[derive(Template)]
#[template(path = "strategy/cabinet.html")]
pub struct ReportPage {
    pub chrome: Chrome,
    pub r: StrategyReport,
}

/// The cabinet report inside the site's layout, with its downloads.
pub async fn report(
    State(state): State<AppState>,
    identity: Identity,
    Path(sid): Path<i64>,
) -> Result<Response, AppError> {
    let r = load(&state, sid).await?;
    let chrome = chrome(&state, &identity, SECTION, &r.title).await?;
    render(&ReportPage { chrome, r })
}

fn slug(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if s.is_empty() { "strategy".into() } else { s }
}

/// The standalone report as a file to keep and print (A4; objectives are sections of the page).
pub async fn report_html(
    State(state): State<AppState>,
    Path(sid): Path<i64>,
) -> Result<Response, AppError> {
    let mut r = load(&state, sid).await?;
    r.link_base = None;
    let page = StandaloneReport { r: &r }.render()?;
    // A download: its styles are inline, which the site's content security policy forbids.
    Ok(attachment(
        "text/html; charset=utf-8",
        format!("{}-{}.html", slug(&r.v.name), r.generated),
        page.into_bytes(),
    ))
}

pub async fn report_xlsx(
    State(state): State<AppState>,
    Path(sid): Path<i64>,
) -> Result<Response, AppError> {
    let r = load(&state, sid).await?;
    Ok(attachment(
        XLSX,
        format!("{}-{}.xlsx", slug(&r.v.name), r.generated),
        workbook(&r.v),
    ))
}

pub async fn report_json(
    State(state): State<AppState>,
    Path(sid): Path<i64>,
) -> Result<Response, AppError> {
    let r = load(&state, sid).await?;
    Ok(Json(r.v.to_json()).into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn download_names_are_plain() {
        assert_eq!(
            super::slug("Tackling Poverty 2024–2028!"),
            "tackling-poverty-2024-2028"
        );
        assert_eq!(super::slug("££"), "strategy");
    }
}
