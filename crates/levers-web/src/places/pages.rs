//! Places: find a postcode or an area and see its deprivation profile (chart and table), and the
//! admin list of loaded geography.

use crate::AppState;
use crate::auth::Identity;
use crate::charts::bar_chart;
use crate::error::AppError;
use crate::layout::Chrome;
use crate::layout::FieldError;
use crate::page::chrome;
use crate::page::render;
use crate::page::render_status;
use askama::Template;
use axum::extract::Path;
use axum::extract::Query;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::response::Redirect;
use axum::response::Response;
use levers_core::AreaCode;
use levers_core::AreaKind;
use levers_geo::Postcode;
use levers_present::show;
use serde::Deserialize;

/// How many places a name search lists.
const MAX_NAME_MATCHES: usize = 30;

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
    let mut matches = Vec::new();
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
                Err(_) => {
                    matches = index.find_by_name(&q, MAX_NAME_MATCHES + 1);
                    // One place named exactly so goes straight to its page, like only one match.
                    let key = levers_geo::index::name_key(&q);
                    let exact: Vec<_> = matches
                        .iter()
                        .filter(|m| {
                            m.name
                                .as_deref()
                                .is_some_and(|n| levers_geo::index::name_key(n) == key)
                        })
                        .collect();
                    let all: Vec<_> = matches.iter().collect();
                    match (exact.as_slice(), all.as_slice()) {
                        ([only], _) | (_, [only]) => {
                            return Ok(Redirect::to(&format!("/places/{}", only.code))
                                .into_response());
                        }
                        (_, []) => errors.push(FieldError::new(
                            "q",
                            format!(
                                "No ward, district or region in the loaded geography is named like \"{}\": enter a postcode, like PR1 2HE, a place name, like Harbour, or an area code, like E07000123",
                                q.trim()
                            ),
                        )),
                        _ => {}
                    }
                }
            }
        }
    }
    let more = matches.len() > MAX_NAME_MATCHES;
    matches.truncate(MAX_NAME_MATCHES);
    let chrome = chrome(&state, &identity, "places", "Places").await?;
    let page = PlacesPage {
        chrome,
        q,
        districts: index.areas_of_kind(AreaKind::District),
        stats: index.stats(),
        matches,
        more,
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
    let wards = profile
        .wards
        .iter()
        .map(|w| {
            let deprived = index.area(&w.code).map_or(String::new(), |p| {
                show::deprived_share(p.most_deprived_20())
            });
            (w.clone(), deprived)
        })
        .collect();
    let chrome = chrome(&state, &identity, "places", &title).await?;
    render(&PlaceAreaPage {
        chrome,
        p: profile,
        chart2019,
        chart2025,
        wards,
    })
}

#[derive(serde::Deserialize, Default)]
pub struct GeographyQuery {
    imported: Option<String>,
}

pub async fn admin_geography(
    State(state): State<AppState>,
    identity: Identity,
    axum::extract::Query(q): axum::extract::Query<GeographyQuery>,
) -> Result<Response, AppError> {
    let mut page = geography_page_of(&state, &identity, vec![]).await?;
    page.notice = q.imported;
    render(&page)
}

async fn geography_page_of(
    state: &AppState,
    identity: &Identity,
    errors: Vec<FieldError>,
) -> Result<AdminGeographyPage, AppError> {
    let datasets = state.store.geo_datasets().await?;
    let index = state.geo.get(&state.store).await?;
    let chrome = chrome(state, identity, "admin", "Geography").await?;
    Ok(AdminGeographyPage {
        chrome,
        datasets,
        indicator_files: levers_app::indicators::files(&state.store).await?,
        stats: index.stats(),
        index_mb: index.approx_bytes() as f64 / 1_048_576.0,
        errors,
        notice: None,
        geo_max_mb: crate::upload::GEOGRAPHY_FILE_BYTES / 1_048_576,
        indicator_max_mb: crate::upload::INDICATOR_FILE_BYTES / 1_048_576,
    })
}

/// The geography page again with an upload's errors (422).
pub async fn geography_page(
    state: &AppState,
    identity: &Identity,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let page = geography_page_of(state, identity, errors).await?;
    crate::page::render_status(axum::http::StatusCode::UNPROCESSABLE_ENTITY, &page)
}

#[derive(Template)]
#[template(path = "places.html")]
pub struct PlacesPage {
    pub chrome: Chrome,
    pub q: String,
    pub districts: Vec<levers_geo::AreaRef>,
    pub stats: levers_geo::IndexStats,
    /// Places named like the search, when more than one is.
    pub matches: Vec<levers_geo::AreaRef>,
    /// More matched than are listed.
    pub more: bool,
    pub errors: Vec<FieldError>,
}

#[derive(Template)]
#[template(path = "place_postcode.html")]
pub struct PlacePostcodePage {
    pub chrome: Chrome,
    pub found: levers_geo::PostcodeLookup,
}

impl PlacePostcodePage {
    /// Rows of the summary list: label, area (if known).
    pub fn rows(&self) -> Vec<(&'static str, Option<&levers_geo::AreaRef>)> {
        let f = &self.found;
        vec![
            ("Local authority district", f.lad.as_ref()),
            ("Ward", f.ward.as_ref()),
            ("LSOA (2011)", f.lsoa11.as_ref()),
            ("LSOA (2021)", f.lsoa21.as_ref()),
            ("MSOA", f.msoa.as_ref()),
            ("Region", f.region.as_ref()),
        ]
    }

    pub fn status(&self) -> &'static str {
        match self.found.terminated {
            Some(true) => "Terminated (no longer in use, kept for old records)",
            Some(false) => "Live",
            None => "Not stated by the loaded files",
        }
    }
}

#[derive(Template)]
#[template(path = "place_area.html")]
pub struct PlaceAreaPage {
    pub chrome: Chrome,
    pub p: levers_geo::AreaProfile,
    pub chart2019: Option<String>,
    pub chart2025: Option<String>,
    /// A district's wards, each with how deprived it is.
    pub wards: Vec<(levers_geo::AreaRef, String)>,
}

impl PlaceAreaPage {
    pub fn deciles(&self) -> Vec<(usize, u32, u32)> {
        (0..10)
            .map(|i| (i + 1, self.p.imd2019_deciles[i], self.p.imd2025_deciles[i]))
            .collect()
    }

    pub fn has2025(&self) -> bool {
        self.chart2025.is_some()
    }

    /// LSOAs to list: 2011 codes when IMD 2019 is the base, else 2021.
    pub fn lsoas(&self) -> &[levers_geo::LsoaSummary] {
        if self.p.lsoas_2011.is_empty() {
            &self.p.lsoas_2021
        } else {
            &self.p.lsoas_2011
        }
    }

    pub fn lsoa_vintage(&self) -> &'static str {
        if self.p.lsoas_2011.is_empty() {
            "2021"
        } else {
            "2011"
        }
    }
}

#[derive(Template)]
#[template(path = "admin/geography.html")]
pub struct AdminGeographyPage {
    pub chrome: Chrome,
    pub datasets: Vec<levers_store::geo::GeoDataset>,
    pub indicator_files: Vec<levers_app::indicators::File>,
    pub stats: levers_geo::IndexStats,
    pub index_mb: f64,
    pub errors: Vec<FieldError>,
    /// What an import that has no page of its own (boundaries) did.
    pub notice: Option<String>,
    pub geo_max_mb: usize,
    pub indicator_max_mb: usize,
}

crate::layout::field_errors!(PlacesPage, AdminGeographyPage);
crate::layout::timestamps!(AdminGeographyPage);
