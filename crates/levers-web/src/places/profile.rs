//! A ward's one-page profile for its councillors: the printable page, and the same figures as CSV
//! (the tidy figures table) and XLSX (figures, neighbourhoods, reach and indicators), both from
//! `levers_app::place::export` written by levers-present, as `levers place profile` writes them.

use crate::page::XLSX;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use levers_app::place::PlaceView;
use levers_core::{AreaCode, AreaKind};

use super::levers::{LeverQuery, MapBlock, build, maps};
use crate::AppState;
use crate::error::AppError;
use crate::identity::Identity;
use crate::layout::Chrome;
use crate::page::{attachment, chrome, render};
use crate::show::money_whole;

#[derive(Template)]
#[template(path = "places/profile.html")]
pub struct ProfilePage {
    pub chrome: Chrome,
    pub v: PlaceView,
    pub maps: Vec<MapBlock>,
    /// Where the map's areas link to.
    pub base: &'static str,
}

impl ProfilePage {
    pub fn money(&self, p: &i64) -> String {
        money_whole(*p)
    }
    pub fn d12(&self) -> u32 {
        self.v.deciles[0] + self.v.deciles[1]
    }
    pub fn lsoas(&self) -> u32 {
        self.v.deciles.iter().sum::<u32>() + self.v.deciles_missing
    }
    /// The year chosen, as a query string for the downloads (empty: the latest).
    pub fn year_query(&self) -> String {
        self.v.spend_year.as_deref().map_or_else(String::new, |y| {
            format!(
                "?year={}",
                form_urlencoded::byte_serialize(y.as_bytes()).collect::<String>()
            )
        })
    }
}

/// The ward's place view, or 404 when the code is not one of the council's wards.
async fn ward_view(state: &AppState, code: &str, q: LeverQuery) -> Result<PlaceView, AppError> {
    let code = AreaCode::parse(code).map_err(|_| AppError::NotFound)?;
    if code.kind() != AreaKind::Ward {
        return Err(AppError::NotFound);
    }
    let year = q.year.filter(|y| !y.trim().is_empty());
    build(state, Some(&code), year.as_deref()).await
}

/// A ward's one-page profile, made to print on A4.
pub async fn profile(
    State(state): State<AppState>,
    identity: Identity,
    Path(code): Path<String>,
    Query(q): Query<LeverQuery>,
) -> Result<Response, AppError> {
    let v = ward_view(&state, &code, q).await?;
    let base = "/places/levers";
    let mut maps = maps(&state, &v, "spend", base).await?;
    maps.truncate(1);
    let chrome = chrome(
        &state,
        &identity,
        "places",
        &format!("Ward profile: {}", v.name),
    )
    .await?;
    render(&ProfilePage {
        chrome,
        v,
        maps,
        base,
    })
}

/// A download's file name: `ward-profile-E05000001-2024-25.csv`.
fn file_name(v: &PlaceView, ext: &str) -> String {
    let year = v
        .spend_year
        .as_deref()
        .unwrap_or("latest")
        .replace('/', "-");
    format!("ward-profile-{}-{year}.{ext}", v.code)
}

/// The profile's figures as CSV.
pub async fn profile_csv(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<LeverQuery>,
) -> Result<Response, AppError> {
    let v = ward_view(&state, &code, q).await?;
    let body = levers_present::tables::csv(&levers_app::place::export::figures_table(&v));
    Ok(attachment(
        "text/csv; charset=utf-8",
        file_name(&v, "csv"),
        body.into_bytes(),
    ))
}

/// The profile's tables as an XLSX workbook.
pub async fn profile_xlsx(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<LeverQuery>,
) -> Result<Response, AppError> {
    let v = ward_view(&state, &code, q).await?;
    let body = levers_present::tables::workbook(&levers_app::place::export::tables(&v));
    Ok(attachment(XLSX, file_name(&v, "xlsx"), body))
}
