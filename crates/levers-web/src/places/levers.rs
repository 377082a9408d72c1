//! Where the levers land: the place view of the council, a ward or a neighbourhood, with its maps
//! (deprivation, and one lever's reach chosen on a GET form), each map beside its table and text
//! summary. The same page serves signed-in accounts (`/places/levers`) and, once an admin has
//! published it, the public (`/public/places`, without links to the officers' pages).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use levers_app::place::{PlaceKind, PlaceView};
use levers_core::AreaCode;
use levers_place::boundary::Polygon;
use levers_present::charts::{MapArea, MapClasses, choropleth};
use serde::Deserialize;

use crate::AppState;
use crate::error::AppError;
use crate::identity::Identity;
use crate::layout::Chrome;
use crate::page::{chrome, render};
use crate::show::{money_whole, pct};

/// The page's choices, from its GET form.
#[derive(Deserialize, Default)]
pub struct LeverQuery {
    #[serde(default)]
    pub(super) year: Option<String>,
    #[serde(default)]
    map: Option<String>,
}

/// The levers a reach map can show.
pub const MAPS: [(&str, &str); 4] = [
    ("spend", "Spend with suppliers based there"),
    ("pb", "Community budget money for funded projects"),
    ("activities", "Commissioning activities (annual value)"),
    ("turnout", "Community budget turnout"),
];

/// One map with what is shown beside it.
pub struct MapBlock {
    pub id: String,
    pub heading: String,
    pub svg: String,
    pub summary: String,
    pub missing: Vec<(String, String)>,
    /// (code, name, value as shown, drawn?) for the map's table.
    pub rows: Vec<(String, String, String, bool)>,
}

/// A figure as shown: `None` (suppressed) as "fewer than 10".
pub fn shown(n: &Option<u64>) -> String {
    n.map_or_else(|| "fewer than 10".to_string(), |n| n.to_string())
}

/// A share as a percentage, from a template's reference.
pub fn pct_ref(s: &f64) -> String {
    pct(*s)
}

pub fn per_resident(p: Option<i64>) -> String {
    p.map_or_else(|| "–".to_string(), money_whole)
}

pub(super) async fn build(
    state: &AppState,
    code: Option<&AreaCode>,
    year: Option<&str>,
) -> Result<PlaceView, AppError> {
    let geo = state.geo.get(&state.store).await?;
    levers_app::place::view::build(&state.store, &state.payments, geo, code, year)
        .await?
        .ok_or(AppError::NotFound)
}

/// The areas a view maps: the council's wards and the LSOAs of the view (council: all; ward: its own),
/// each linked to its view under `base` (`/places/levers` or `/public/places`).
pub(super) async fn maps(
    state: &AppState,
    v: &PlaceView,
    lever: &str,
    base: &str,
) -> Result<Vec<MapBlock>, AppError> {
    let geo = state.geo.get(&state.store).await?;
    // LSOAs in view with their deciles.
    let lsoa_rows: Vec<(String, String, Option<u8>)> = match v.kind {
        PlaceKind::Ward => v
            .rows
            .iter()
            .map(|r| (r.code.clone(), r.name.clone(), r.decile))
            .collect(),
        PlaceKind::Council => {
            let mut out = Vec::new();
            for r in &v.rows {
                if let Ok(c) = AreaCode::parse(&r.code) {
                    let lsoas = geo.area(&c).map_or_else(Vec::new, |p| {
                        if v.lsoa_vintage == "2011" {
                            p.lsoas_2011
                        } else {
                            p.lsoas_2021
                        }
                    });
                    for l in lsoas {
                        let d = if v.lsoa_vintage == "2011" {
                            l.imd2019.as_ref()
                        } else {
                            l.imd2025.as_ref()
                        };
                        out.push((
                            l.code.to_string(),
                            l.name.clone().unwrap_or_default(),
                            d.map(|m| m.decile),
                        ));
                    }
                }
            }
            out
        }
        PlaceKind::Lsoa => Vec::new(),
    };
    let mut codes: Vec<String> = lsoa_rows.iter().map(|r| r.0.clone()).collect();
    codes.extend(v.rows.iter().map(|r| r.code.clone()));
    let shapes = state.store.boundaries_for(&codes).await?;
    let shape_of = |c: &str| -> Option<&[Polygon]> {
        shapes
            .iter()
            .find(|s| s.area_code == c)
            .map(|s| s.polygons.as_slice())
    };
    let mut blocks = Vec::new();
    if !lsoa_rows.is_empty() {
        let areas: Vec<MapArea> = lsoa_rows
            .iter()
            .map(|(c, n, d)| MapArea {
                code: c,
                name: n,
                polygons: shape_of(c),
                value: d.map(f64::from),
                label: d.map_or_else(|| "no decile".to_string(), |d| format!("decile {d}")),
                href: Some(format!("{base}/{c}")),
            })
            .collect();
        blocks.push(block(
            "map-deprivation",
            &format!("Neighbourhoods by {} decile in {}", v.imd, v.name),
            &areas,
            &MapClasses::deciles(&format!("{} decile", v.imd)),
        ));
    }
    if !v.rows.is_empty() {
        let label = MAPS
            .iter()
            .find(|m| m.0 == lever)
            .map_or(MAPS[0].1, |m| m.1);
        let value = |f: &levers_app::place::view::PlaceFigures| -> Option<f64> {
            match lever {
                "pb" => Some(f.pb_pence as f64),
                "activities" => Some(f.activities_value_pence as f64),
                "turnout" => f.turnout_share(),
                _ => Some(f.spend_pence as f64),
            }
        };
        let fmt = |x: f64| {
            if lever == "turnout" {
                pct(x)
            } else {
                money_whole(x.round() as i64)
            }
        };
        let values: Vec<f64> = v.rows.iter().filter_map(|r| value(&r.figures)).collect();
        let classes = MapClasses::equal(label, &values, &fmt);
        let areas: Vec<MapArea> = v
            .rows
            .iter()
            .map(|r| {
                let x = value(&r.figures);
                MapArea {
                    code: &r.code,
                    name: &r.name,
                    polygons: shape_of(&r.code),
                    value: x,
                    label: x.map_or_else(|| "no figure".to_string(), fmt),
                    href: Some(format!("{base}/{}", r.code)),
                }
            })
            .collect();
        let what = if v.kind == PlaceKind::Council {
            "ward"
        } else {
            "neighbourhood"
        };
        blocks.push(block(
            "map-lever",
            &format!("{label} by {what} in {}", v.name),
            &areas,
            &classes,
        ));
    }
    Ok(blocks)
}

fn block(id: &str, heading: &str, areas: &[MapArea], classes: &MapClasses) -> MapBlock {
    let m = choropleth(id, heading, areas, classes);
    MapBlock {
        id: id.to_string(),
        heading: heading.to_string(),
        svg: m.svg,
        summary: m.summary,
        missing: m.missing,
        rows: areas
            .iter()
            .map(|a| {
                (
                    a.code.to_string(),
                    a.name.to_string(),
                    a.label.clone(),
                    a.polygons.is_some(),
                )
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "places/levers.html")]
pub struct LeversPage {
    pub chrome: Chrome,
    pub v: PlaceView,
    pub maps: Vec<MapBlock>,
    pub lever: String,
    pub year: String,
    /// Where place views live: `/places/levers`, or `/public/places` on the public pages.
    pub base: &'static str,
    /// The public's page: no links to the officers' pages.
    pub public: bool,
    /// Whether the council has published its place view (shown to admins with the choice).
    pub published: bool,
}

impl LeversPage {
    pub fn is_admin(&self) -> bool {
        !self.public
            && self
                .chrome
                .user
                .as_ref()
                .is_some_and(|u| u.role.allows(levers_store::Role::Admin))
    }
    pub fn map_choices(&self) -> Vec<(&'static str, &'static str, bool)> {
        MAPS.iter()
            .map(|(k, l)| (*k, *l, *k == self.lever))
            .collect()
    }
    pub fn is_council(&self) -> bool {
        self.v.kind == PlaceKind::Council
    }
    pub fn is_ward(&self) -> bool {
        self.v.kind == PlaceKind::Ward
    }
    pub fn money(&self, p: &i64) -> String {
        money_whole(*p)
    }
    pub fn share(&self, s: &Option<f64>) -> String {
        s.map_or_else(|| "–".to_string(), pct)
    }
    pub fn d12(&self) -> u32 {
        self.v.deciles[0] + self.v.deciles[1]
    }
    pub fn lsoas(&self) -> u32 {
        self.v.deciles.iter().sum::<u32>() + self.v.deciles_missing
    }
}

pub(super) async fn page(
    state: AppState,
    identity: Identity,
    code: Option<AreaCode>,
    q: LeverQuery,
    public: bool,
) -> Result<Response, AppError> {
    let base = if public {
        "/public/places"
    } else {
        "/places/levers"
    };
    let year = q.year.filter(|y| !y.trim().is_empty());
    let v = build(&state, code.as_ref(), year.as_deref()).await?;
    let lever = q
        .map
        .filter(|m| MAPS.iter().any(|x| x.0 == m))
        .unwrap_or_else(|| "spend".to_string());
    let maps = maps(&state, &v, &lever, base).await?;
    let title = format!("Where the levers land: {}", v.name);
    let chrome = chrome(&state, &identity, "places", &title).await?;
    let published = crate::strategy::place_view_published(&state).await?;
    render(&LeversPage {
        chrome,
        year: v.spend_year.clone().unwrap_or_default(),
        v,
        maps,
        lever,
        base,
        public,
        published,
    })
}

/// The council's place view.
pub async fn council(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<LeverQuery>,
) -> Result<Response, AppError> {
    page(state, identity, None, q, false).await
}

/// A ward's or neighbourhood's place view.
pub async fn area(
    State(state): State<AppState>,
    identity: Identity,
    Path(code): Path<String>,
    Query(q): Query<LeverQuery>,
) -> Result<Response, AppError> {
    let code = AreaCode::parse(&code).map_err(|_| AppError::NotFound)?;
    page(state, identity, Some(code), q, false).await
}
