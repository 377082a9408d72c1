//! The place view: for the council, a ward or a neighbourhood (LSOA), its deprivation, imported
//! indicators and what every lever put there (totals and per resident), people counted only at or
//! above a safe number, and whether the most deprived neighbourhoods get their share.
//!
//! Attribution: a record placed in an LSOA counts there, in its ward and in the council; one placed
//! in a ward counts in the ward and the council; one placed council-wide counts only for the
//! council (and is shown apart). For the share reaching deciles 1–2, a ward's records are spread
//! over its LSOAs by population, and council-wide records are left out (said on the page).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use levers_coproduction::people::{SUPPRESS_BELOW, suppress};
use levers_core::{AreaCode, AreaKind};
use levers_geo::{GeoIndex, LsoaSummary};
use levers_store::places::indicators::StoredIndicator;
use levers_store::places::links::COUNCIL_WIDE;
use levers_store::{Store, StoreError};
use serde::Serialize;

use super::figures::{ActivityAt, LeverData, ProjectAt};
pub use super::spread::LeverReach;
use super::spread::{Lsoa, reaches};

/// What a place view is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceKind {
    Council,
    Ward,
    Lsoa,
}

/// What the levers put in one place.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PlaceFigures {
    /// Residents (IoD population denominators) where loaded.
    pub population: Option<f64>,
    pub spend_pence: i64,
    pub spend_suppliers: u64,
    pub pb_pence: i64,
    pub pb_projects: u64,
    /// Community budget codes used and issued (wards only: codes are made by ward).
    pub turnout_voted: i64,
    pub turnout_issued: i64,
    pub activities: u64,
    pub activities_value_pence: i64,
    pub activities_coproduced: u64,
    /// Participants living here; `None` when fewer than the safe count (or hidden to protect one).
    pub people: Option<u64>,
    pub people_involved: Option<u64>,
    pub credits: Option<u64>,
    /// The raw counts, never shown: kept for suppression across a table.
    #[serde(skip)]
    raw_people: (u64, u64, u64),
}

impl PlaceFigures {
    pub fn spend_per_resident_pence(&self) -> Option<i64> {
        per_resident(self.spend_pence, self.population)
    }
    pub fn pb_per_resident_pence(&self) -> Option<i64> {
        per_resident(self.pb_pence, self.population)
    }
    pub fn turnout_share(&self) -> Option<f64> {
        (self.turnout_issued > 0).then(|| self.turnout_voted as f64 / self.turnout_issued as f64)
    }
}

fn per_resident(pence: i64, pop: Option<f64>) -> Option<i64> {
    pop.filter(|p| *p >= 1.0)
        .map(|p| (pence as f64 / p).round() as i64)
}

/// A ward (in the council's view) or an LSOA (in a ward's view).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceRow {
    pub code: String,
    pub name: String,
    pub kind: PlaceKind,
    /// An LSOA's IMD decile (1 = most deprived 10% in England).
    pub decile: Option<u8>,
    pub rank: Option<u32>,
    /// A ward's LSOAs in deciles 1–2, and all its LSOAs.
    pub lsoas_most_deprived: u32,
    pub lsoas: u32,
    pub figures: PlaceFigures,
}

/// The place view.
#[derive(Debug, Clone, Serialize)]
pub struct PlaceView {
    pub code: String,
    pub name: String,
    pub kind: PlaceKind,
    /// The ward an LSOA is in, or the council a ward is in: (code, name).
    pub parent: Option<(String, String)>,
    pub imd: &'static str,
    pub lsoa_vintage: &'static str,
    /// LSOAs by decile, index 0 = decile 1.
    pub deciles: [u32; 10],
    pub deciles_missing: u32,
    pub decile: Option<u8>,
    pub indicators: Vec<StoredIndicator>,
    pub figures: PlaceFigures,
    /// The council view only: what is recorded as council-wide (included in `figures`).
    pub council_wide: Option<PlaceFigures>,
    pub rows: Vec<PlaceRow>,
    pub reach: Vec<LeverReach>,
    pub projects: Vec<ProjectAt>,
    pub activities: Vec<ActivityAt>,
    pub spend_year: Option<String>,
    pub spend_bodies: Vec<String>,
    pub processes: Vec<String>,
    /// Where the population comes from, or that it is missing.
    pub population_note: String,
    pub suppression_note: String,
    pub notes: Vec<String>,
}

fn lsoas_of(geo: &GeoIndex, code: &AreaCode, vintage_2011: bool) -> Vec<LsoaSummary> {
    geo.area(code).map_or_else(Vec::new, |p| {
        if vintage_2011 {
            p.lsoas_2011
        } else {
            p.lsoas_2021
        }
    })
}

/// The year and month a published period names, for keeping the latest of each indicator.
fn period_key(p: &str) -> (i32, u8) {
    let lower = p.to_lowercase();
    let year = lower
        .split(|c: char| !c.is_ascii_digit())
        .find(|t| t.len() == 4)
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let month = MONTHS
        .iter()
        .position(|m| lower.contains(m))
        .map_or(0, |i| i as u8 + 1);
    (year, month)
}

/// The latest value of each indicator and measure (per file), in indicator order.
fn latest(values: Vec<StoredIndicator>) -> Vec<StoredIndicator> {
    let mut best: BTreeMap<(String, String, String), StoredIndicator> = BTreeMap::new();
    for v in values {
        let key = (v.indicator.clone(), v.measure.clone(), v.file_name.clone());
        match best.get(&key) {
            Some(b) if period_key(&b.period) >= period_key(&v.period) => {}
            _ => {
                best.insert(key, v);
            }
        }
    }
    best.into_values().collect()
}

/// Whether the view works on 2011 LSOA codes (IMD 2019, the population denominators): true when
/// the geography gives the council's districts 2011 LSOAs.
pub async fn uses_2011(store: &Store, geo: &GeoIndex) -> Result<bool, StoreError> {
    let districts = super::links::council_districts(store).await?;
    Ok(districts.iter().any(|d| !lsoas_of(geo, d, true).is_empty()))
}

/// The place view of `code` (`None`: the council) with the spend `year` (`None`: the latest, as the
/// procurement dashboard opens): the dashboard's default analysis, the other levers, assembled.
/// `Ok(None)` when the code is not the council's or the year has no spend.
pub async fn build(
    store: &Store,
    cache: &crate::procurement::PaymentsCache,
    geo: Arc<GeoIndex>,
    code: Option<&AreaCode>,
    year: Option<&str>,
) -> Result<Option<PlaceView>, StoreError> {
    let params = crate::procurement::default_params(store, year).await?;
    if year.is_some() && params.is_none() {
        return Ok(None);
    }
    let lsoa_2011 = uses_2011(store, &geo).await?;
    let data =
        super::figures::gather(store, cache, geo.clone(), params.as_ref(), lsoa_2011).await?;
    place_view(store, geo, &data, code).await
}

/// Builds the place view of `code` (`None`: the council, its districts from the procurement
/// local-area setting) from lever data gathered by [`super::figures::gather`].
pub async fn place_view(
    store: &Store,
    geo: Arc<GeoIndex>,
    data: &LeverData,
    code: Option<&AreaCode>,
) -> Result<Option<PlaceView>, StoreError> {
    let districts = super::links::council_districts(store).await?;
    let council_name = store
        .setting(levers_store::settings::COUNCIL_NAME)
        .await?
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "The council".to_string());
    // The LSOA vintage: 2011 (IMD 2019, the population denominators) when the geography has it.
    let vintage_2011 = districts
        .iter()
        .any(|d| !lsoas_of(&geo, d, true).is_empty());
    let population = crate::indicators::population(store).await?;
    // Every council LSOA with its ward.
    let mut wards: Vec<(String, String)> = Vec::new();
    let mut lsoas: Vec<Lsoa> = Vec::new();
    for d in &districts {
        let Some(p) = geo.area(d) else { continue };
        for w in p.wards {
            let wcode = w.code.to_string();
            if wards.iter().any(|(c, _)| *c == wcode) {
                continue;
            }
            for s in lsoas_of(&geo, &w.code, vintage_2011) {
                if lsoas.iter().any(|l| l.summary.code == s.code) {
                    continue;
                }
                lsoas.push(Lsoa {
                    population: population.get(s.code.as_str()).copied(),
                    summary: s,
                    ward: Some(wcode.clone()),
                });
            }
            wards.push((wcode, w.name.unwrap_or_else(|| w.code.to_string())));
        }
    }
    wards.sort_by(|a, b| a.1.cmp(&b.1));
    let ward_of: HashMap<&str, &str> = lsoas
        .iter()
        .filter_map(|l| Some((l.summary.code.as_str(), l.ward.as_deref()?)))
        .collect();
    let (kind, name, parent, members): (PlaceKind, String, Option<(String, String)>, Vec<usize>) =
        match code {
            None => (
                PlaceKind::Council,
                council_name.clone(),
                None,
                (0..lsoas.len()).collect(),
            ),
            Some(c) if c.kind() == AreaKind::Ward => {
                let Some((_, n)) = wards.iter().find(|(w, _)| w == c.as_str()) else {
                    return Ok(None);
                };
                (
                    PlaceKind::Ward,
                    n.clone(),
                    Some(("council".to_string(), council_name.clone())),
                    (0..lsoas.len())
                        .filter(|&i| lsoas[i].ward.as_deref() == Some(c.as_str()))
                        .collect(),
                )
            }
            Some(c) if c.kind() == AreaKind::Lsoa => {
                let Some(i) = lsoas.iter().position(|l| l.summary.code == *c) else {
                    return Ok(None);
                };
                let w = lsoas[i].ward.clone().unwrap_or_default();
                let wn = wards
                    .iter()
                    .find(|(c, _)| *c == w)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_default();
                (
                    PlaceKind::Lsoa,
                    lsoas[i]
                        .summary
                        .name
                        .clone()
                        .unwrap_or_else(|| c.to_string()),
                    Some((w, wn)),
                    vec![i],
                )
            }
            Some(_) => return Ok(None),
        };
    let code_s = code.map_or_else(|| COUNCIL_WIDE.to_string(), |c| c.to_string());
    let in_scope = |place: &str| -> bool {
        match kind {
            PlaceKind::Council => {
                place == COUNCIL_WIDE
                    || wards.iter().any(|(w, _)| w == place)
                    || ward_of.contains_key(place)
            }
            PlaceKind::Ward => place == code_s || ward_of.get(place) == Some(&code_s.as_str()),
            PlaceKind::Lsoa => place == code_s,
        }
    };
    // Figures of any place: its own records and those of the LSOAs inside it.
    let figures_for = |place: &str, pkind: PlaceKind, pop: Option<f64>| -> PlaceFigures {
        let inside = |p: &str| match pkind {
            PlaceKind::Council => in_scope(p),
            PlaceKind::Ward => p == place || ward_of.get(p) == Some(&place),
            PlaceKind::Lsoa => p == place,
        };
        let mut f = PlaceFigures {
            population: pop,
            ..PlaceFigures::default()
        };
        match pkind {
            PlaceKind::Council => {
                f.spend_pence = data.spend_local_pence;
                f.spend_suppliers = data
                    .spend_by_ward
                    .iter()
                    .filter(|(w, _)| in_scope(w))
                    .map(|(_, s)| s.suppliers)
                    .sum();
            }
            PlaceKind::Ward => {
                let s = data.spend_by_ward.get(place).copied().unwrap_or_default();
                (f.spend_pence, f.spend_suppliers) = (s.pence, s.suppliers);
            }
            PlaceKind::Lsoa => {
                let s = data.spend_by_lsoa.get(place).copied().unwrap_or_default();
                (f.spend_pence, f.spend_suppliers) = (s.pence, s.suppliers);
            }
        }
        for p in &data.projects {
            if p.place.as_deref().is_some_and(inside) {
                f.pb_pence += p.cost_pence;
                f.pb_projects += 1;
            }
        }
        for (w, (voted, issued)) in &data.turnout {
            if pkind != PlaceKind::Lsoa && inside(w) {
                f.turnout_voted += voted;
                f.turnout_issued += issued;
            }
        }
        for a in &data.activities {
            if a.place.as_deref().is_some_and(inside) {
                f.activities += 1;
                f.activities_value_pence += a.value_pence;
                f.activities_coproduced += u64::from(a.coproduced_two_plus);
            }
        }
        for p in &data.people {
            if p.place_code.as_deref().is_some_and(inside) {
                f.raw_people.0 += p.participants as u64;
                f.raw_people.1 += p.involved as u64;
                f.raw_people.2 += p.credits as u64;
            }
        }
        let safe = |n: u64| (n >= SUPPRESS_BELOW).then_some(n);
        f.people = safe(f.raw_people.0);
        f.people_involved = safe(f.raw_people.1);
        f.credits = safe(f.raw_people.1).and(Some(f.raw_people.2));
        f
    };
    let pop_of = |idx: &[usize]| -> Option<f64> {
        let known: Vec<f64> = idx.iter().filter_map(|&i| lsoas[i].population).collect();
        (!known.is_empty() && known.len() == idx.len()).then(|| known.iter().sum())
    };
    let figures = figures_for(&code_s, kind, pop_of(&members));
    let council_wide = (kind == PlaceKind::Council).then(|| {
        let mut f = figures_for(COUNCIL_WIDE, PlaceKind::Lsoa, None);
        f.spend_pence = 0;
        f.spend_suppliers = 0;
        f
    });
    // Rows: the council's wards, or a ward's LSOAs.
    let mut rows: Vec<PlaceRow> = match kind {
        PlaceKind::Council => wards
            .iter()
            .map(|(w, n)| {
                let idx: Vec<usize> = (0..lsoas.len())
                    .filter(|&i| lsoas[i].ward.as_deref() == Some(w))
                    .collect();
                let d12 = idx
                    .iter()
                    .filter(|&&i| {
                        decile_of(&lsoas[i].summary, vintage_2011).is_some_and(|d| d <= 2)
                    })
                    .count() as u32;
                PlaceRow {
                    code: w.clone(),
                    name: n.clone(),
                    kind: PlaceKind::Ward,
                    decile: None,
                    rank: None,
                    lsoas_most_deprived: d12,
                    lsoas: idx.len() as u32,
                    figures: figures_for(w, PlaceKind::Ward, pop_of(&idx)),
                }
            })
            .collect(),
        PlaceKind::Ward => members
            .iter()
            .map(|&i| {
                let l = &lsoas[i];
                let c = l.summary.code.to_string();
                PlaceRow {
                    name: l.summary.name.clone().unwrap_or_else(|| c.clone()),
                    kind: PlaceKind::Lsoa,
                    decile: decile_of(&l.summary, vintage_2011),
                    rank: rank_of(&l.summary, vintage_2011),
                    lsoas_most_deprived: 0,
                    lsoas: 1,
                    figures: figures_for(&c, PlaceKind::Lsoa, l.population),
                    code: c,
                }
            })
            .collect(),
        PlaceKind::Lsoa => Vec::new(),
    };
    suppress_rows(&mut rows);
    let mut deciles = [0u32; 10];
    let mut deciles_missing = 0;
    for &i in &members {
        match decile_of(&lsoas[i].summary, vintage_2011) {
            Some(d) if (1..=10).contains(&d) => deciles[d as usize - 1] += 1,
            _ => deciles_missing += 1,
        }
    }
    let decile = (kind == PlaceKind::Lsoa)
        .then(|| decile_of(&lsoas[members[0]].summary, vintage_2011))
        .flatten();
    let reach = if kind == PlaceKind::Lsoa {
        Vec::new()
    } else {
        reaches(data, &lsoas, &members, &ward_of)
    };
    let indicators = latest(
        crate::indicators::values_for(store, &code_s)
            .await?
            .into_iter()
            .chain(if kind == PlaceKind::Council {
                let mut v = Vec::new();
                for d in &districts {
                    v.extend(crate::indicators::values_for(store, d.as_str()).await?);
                }
                v
            } else {
                Vec::new()
            })
            .filter(|v| v.indicator != "Population")
            .collect(),
    );
    let with_pop = members
        .iter()
        .filter(|&&i| lsoas[i].population.is_some())
        .count();
    let population_note = if members.is_empty() {
        "No neighbourhoods of this place are in the loaded geography.".to_string()
    } else if with_pop == members.len() {
        "Residents: IoD population denominators (mid-2015, excluding prisoners), imported with `levers indicators import`.".to_string()
    } else {
        format!(
            "Residents are known for {with_pop} of {} neighbourhoods: per-resident figures are not shown, and the share of population in deciles 1–2 counts each neighbourhood as equal (LSOAs are drawn to hold similar numbers, about 1,500 people). Import the IoD population denominators (File 6) to use real populations.",
            members.len()
        )
    };
    let projects = data
        .projects
        .iter()
        .filter(|p| p.place.as_deref().is_some_and(&in_scope))
        .cloned()
        .collect();
    let activities = data
        .activities
        .iter()
        .filter(|a| a.place.as_deref().is_some_and(&in_scope))
        .cloned()
        .collect();
    let mut notes = Vec::new();
    if districts.is_empty() {
        notes.push("No council area is set: an officer sets the local area (district codes) on the procurement dashboard's filters, which the place view uses as the council.".to_string());
    } else if wards.is_empty() {
        notes.push("The loaded geography names no wards or neighbourhoods for the council's districts: import the IoD file and an LSOA-to-ward lookup with `levers geo import`.".to_string());
    }
    if data.spend_year.is_none() {
        notes.push(
            "No spending is loaded, or no local area is set, so spend is not shown.".to_string(),
        );
    }
    let unplaced = data.projects.iter().filter(|p| p.place.is_none()).count();
    if unplaced > 0 {
        notes.push(format!(
            "{unplaced} funded community budget projects have no place yet: an officer can choose one on the idea's review form."
        ));
    }
    let unplaced = data.activities.iter().filter(|a| a.place.is_none()).count();
    if unplaced > 0 {
        notes.push(format!(
            "{unplaced} commissioning activities have no place yet: choose one on the activity's page."
        ));
    }
    Ok(Some(PlaceView {
        code: code_s,
        name,
        kind,
        parent,
        imd: if vintage_2011 { "IMD 2019" } else { "IMD 2025" },
        lsoa_vintage: if vintage_2011 { "2011" } else { "2021" },
        deciles,
        deciles_missing,
        decile,
        indicators,
        figures,
        council_wide,
        rows,
        reach,
        projects,
        activities,
        spend_year: data.spend_year.clone(),
        spend_bodies: data.spend_bodies.clone(),
        processes: data.processes.clone(),
        population_note,
        suppression_note: format!(
            "People are counted only where the register records where they live, at ward or neighbourhood level. Counts under {SUPPRESS_BELOW} are not shown (nor is zero), and when only one count in a table would be hidden, the next smallest is hidden too, so no hidden count can be worked out from the total."
        ),
        notes,
    }))
}

fn decile_of(s: &LsoaSummary, vintage_2011: bool) -> Option<u8> {
    if vintage_2011 { &s.imd2019 } else { &s.imd2025 }
        .as_ref()
        .map(|m| m.decile)
}

fn rank_of(s: &LsoaSummary, vintage_2011: bool) -> Option<u32> {
    if vintage_2011 { &s.imd2019 } else { &s.imd2025 }
        .as_ref()
        .map(|m| m.rank)
}

/// Primary and secondary suppression of people counts down a table's rows; time credits are
/// shown only beside a shown count of people involved.
fn suppress_rows(rows: &mut [PlaceRow]) {
    let people: Vec<u64> = rows.iter().map(|r| r.figures.raw_people.0).collect();
    let involved: Vec<u64> = rows.iter().map(|r| r.figures.raw_people.1).collect();
    let (people, _) = suppress(&people);
    let (involved, _) = suppress(&involved);
    for ((r, p), i) in rows.iter_mut().zip(people).zip(involved) {
        r.figures.people = p;
        r.figures.credits = i.map(|_| r.figures.raw_people.2);
        r.figures.people_involved = i;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_order_by_year_then_month() {
        assert!(period_key("March 2026") > period_key("September 2025"));
        assert!(period_key("2024/25") > period_key("2023/24"));
        assert!(period_key("mid 2015") < period_key("2019"));
    }
}
