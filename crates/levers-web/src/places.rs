//! Places: look up a postcode or an area and see its deprivation profile (chart and table), and the
//! admin list of loaded geography. Reads the shared in-memory index, rebuilt when the data changes.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use levers_core::{AreaCode, AreaKind};
use levers_geo::Postcode;
use serde::Deserialize;

use crate::AppState;
use crate::auth::Identity;
use crate::charts::bar_chart;
use crate::error::AppError;
use crate::pages::{chrome, render, render_status};
use crate::templates::{
    AdminGeographyPage, FieldError, PlaceAreaPage, PlacePostcodePage, PlacesPage,
};

#[derive(Deserialize, Default)]
pub struct Search {
    #[serde(default)]
    q: Option<String>,
}

pub async fn places(
    State(state): State<AppState>,
    identity: Identity,
    Query(s): Query<Search>,
) -> Result<Response, AppError> {
    let index = state.geo.get(&state.store).await?;
    let mut errors = Vec::new();
    let q = s.q.unwrap_or_default();
    if !q.trim().is_empty() {
        if let Ok(code) = AreaCode::parse(&q) {
            if index.knows(&code) {
                return Ok(Redirect::to(&format!("/places/{code}")).into_response());
            }
            errors.push(FieldError::new("q", format!("{code} is not in the loaded geography: an admin can import the lookups that name it")));
        } else {
            match Postcode::parse(&q) {
                Ok(p) if index.contains(&p) => {
                    return Ok(
                        Redirect::to(&format!("/places/postcode/{}", p.compact())).into_response()
                    );
                }
                Ok(p) => errors.push(FieldError::new(
                    "q",
                    format!("{p} is not in the loaded postcode files"),
                )),
                Err(_) => errors.push(FieldError::new(
                    "q",
                    "Enter a postcode, like PR1 2HE, or an area code, like E07000123",
                )),
            }
        }
    }
    let chrome = chrome(&state, &identity, "places", "Places").await?;
    let page = PlacesPage {
        chrome,
        q,
        districts: index.areas_of_kind(AreaKind::District),
        stats: index.stats(),
        errors,
    };
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render_status(status, &page)
}

pub async fn postcode(
    State(state): State<AppState>,
    identity: Identity,
    Path(pc): Path<String>,
) -> Result<Response, AppError> {
    let p = Postcode::parse(&pc).map_err(|_| AppError::NotFound)?;
    let index = state.geo.get(&state.store).await?;
    let found = index.lookup(&p).ok_or(AppError::NotFound)?;
    let chrome = chrome(&state, &identity, "places", &format!("Postcode {p}")).await?;
    render(&PlacePostcodePage { chrome, found })
}

pub async fn area(
    State(state): State<AppState>,
    identity: Identity,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let code = AreaCode::parse(&code).map_err(|_| AppError::NotFound)?;
    let index = state.geo.get(&state.store).await?;
    let profile = index.area(&code).ok_or(AppError::NotFound)?;
    let labels: Vec<String> = (1..=10).map(|d| d.to_string()).collect();
    let title = profile.name.clone().unwrap_or_else(|| code.to_string());
    let chart = |vintage: &str, counts: &[u32; 10]| -> Option<String> {
        (counts.iter().sum::<u32>() > 0).then(|| {
            bar_chart(
                &format!("imd{vintage}"),
                &format!(
                    "{title}: LSOAs by IMD {vintage} decile (1 = most deprived 10% in England)"
                ),
                &labels,
                &counts.map(u64::from),
                &format!("IMD {vintage} decile (1 = most deprived)"),
                "LSOAs",
            )
        })
    };
    let chart2019 = chart("2019", &profile.imd2019_deciles);
    let chart2025 = chart("2025", &profile.imd2025_deciles);
    let chrome = chrome(&state, &identity, "places", &title).await?;
    render(&PlaceAreaPage {
        chrome,
        p: profile,
        chart2019,
        chart2025,
    })
}

pub async fn admin_geography(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, AppError> {
    let datasets = state.store.geo_datasets().await?;
    let index = state.geo.get(&state.store).await?;
    let chrome = chrome(&state, &identity, "admin", "Geography").await?;
    render(&AdminGeographyPage {
        chrome,
        datasets,
        stats: index.stats(),
        index_mb: index.approx_bytes() as f64 / 1_048_576.0,
    })
}
