//! The place of each lever's records: the choices a form offers (council-wide, the council's wards,
//! its neighbourhoods), checking a choice, and linking the free-text "where" of ideas typed before
//! places existed to a ward by name.

use levers_core::{AreaCode, AreaKind};
use levers_geo::GeoIndex;
use levers_store::places::links::{COUNCIL_WIDE, PlaceTarget};
use levers_store::{Actor, Store, StoreError};
use serde::Serialize;

use crate::procurement::{LOCAL_LADS, parse_codes};

/// One option in a place select.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceChoice {
    /// `council` or a ward / LSOA code.
    pub code: String,
    pub label: String,
    /// "Council-wide", "Wards" or "Neighbourhoods (LSOAs)": the option group.
    pub group: &'static str,
}

/// The council's districts: the procurement analysis' local area setting (the same council the
/// procurement pages call local).
pub async fn council_districts(store: &Store) -> Result<Vec<AreaCode>, StoreError> {
    let text = store.setting(LOCAL_LADS).await?.unwrap_or_default();
    Ok(parse_codes(&text).unwrap_or_default())
}

/// A ward of the council with how many of its neighbourhoods are in the most deprived 20% in
/// England (IMD deciles 1–2) and how many have a decile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WardDeprivation {
    pub code: String,
    pub name: String,
    pub most_deprived: u32,
    pub of: u32,
}

/// The council's wards, most deprived first: by the share of their neighbourhoods in the most
/// deprived 20%, then by that count, then by name. Wards without deciles come last.
pub async fn wards_by_deprivation(
    store: &Store,
    geo: &GeoIndex,
) -> Result<Vec<WardDeprivation>, StoreError> {
    let districts = council_districts(store).await?;
    let mut out: Vec<WardDeprivation> = Vec::new();
    for d in &districts {
        let Some(p) = geo.area(d) else { continue };
        for w in p.wards {
            let code = w.code.to_string();
            if out.iter().any(|x| x.code == code) {
                continue;
            }
            let (most_deprived, of) = geo.area(&w.code).map_or((0, 0), |p| p.most_deprived_20());
            out.push(WardDeprivation {
                name: w.name.unwrap_or_else(|| code.clone()),
                code,
                most_deprived,
                of,
            });
        }
    }
    let share = |w: &WardDeprivation| {
        if w.of == 0 {
            -1.0
        } else {
            f64::from(w.most_deprived) / f64::from(w.of)
        }
    };
    out.sort_by(|a, b| {
        share(b)
            .total_cmp(&share(a))
            .then(b.most_deprived.cmp(&a.most_deprived))
            .then(a.name.cmp(&b.name))
    });
    Ok(out)
}

/// Whether `code` is a ward or neighbourhood of the council in the loaded geography (the places
/// the place view has a page for).
pub async fn is_council_place(
    store: &Store,
    geo: &GeoIndex,
    code: &AreaCode,
) -> Result<bool, StoreError> {
    if !matches!(code.kind(), AreaKind::Ward | AreaKind::Lsoa) {
        return Ok(false);
    }
    Ok(place_choices(geo, &council_districts(store).await?)
        .iter()
        .any(|c| c.code == code.as_str()))
}

/// Council-wide, then the districts' wards by name, then their LSOAs by name.
pub fn place_choices(geo: &GeoIndex, districts: &[AreaCode]) -> Vec<PlaceChoice> {
    let mut out = vec![PlaceChoice {
        code: COUNCIL_WIDE.to_string(),
        label: "Council-wide".to_string(),
        group: "Council-wide",
    }];
    let mut wards = Vec::new();
    let mut lsoas = Vec::new();
    for d in districts {
        let Some(p) = geo.area(d) else { continue };
        for w in p.wards {
            let name = w.name.clone().unwrap_or_else(|| w.code.to_string());
            wards.push(PlaceChoice {
                code: w.code.to_string(),
                label: format!("{name} (ward)"),
                group: "Wards",
            });
        }
        let list = if p.lsoas_2011.is_empty() {
            p.lsoas_2021
        } else {
            p.lsoas_2011
        };
        for l in list {
            let name = l.name.clone().unwrap_or_default();
            lsoas.push(PlaceChoice {
                code: l.code.to_string(),
                label: format!("{name} {}", l.code).trim().to_string(),
                group: "Neighbourhoods (LSOAs)",
            });
        }
    }
    wards.sort_by(|a, b| a.label.cmp(&b.label));
    wards.dedup_by(|a, b| a.code == b.code);
    lsoas.sort_by(|a, b| a.label.cmp(&b.label));
    lsoas.dedup_by(|a, b| a.code == b.code);
    out.extend(wards);
    out.extend(lsoas);
    out
}

/// Reads a form's place: blank is "not recorded", `council` council-wide, else a ward or LSOA the
/// loaded geography knows. The error is a sentence for the form.
pub fn check_place(geo: &GeoIndex, text: &str) -> Result<Option<String>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if t == COUNCIL_WIDE {
        return Ok(Some(COUNCIL_WIDE.to_string()));
    }
    let code = AreaCode::parse(t)
        .map_err(|_| "Choose a ward or neighbourhood from the list, or council-wide".to_string())?;
    if !matches!(code.kind(), AreaKind::Ward | AreaKind::Lsoa) || !geo.knows(&code) {
        return Err(format!(
            "{code} is not a ward or neighbourhood in the loaded geography: choose one from the list"
        ));
    }
    Ok(Some(code.to_string()))
}

/// The label of a stored place, for pages.
pub fn place_label(geo: &GeoIndex, code: Option<&str>) -> String {
    match code {
        None => "Not recorded".to_string(),
        Some(COUNCIL_WIDE) => "Council-wide".to_string(),
        Some(c) => match AreaCode::parse(c) {
            Ok(a) => geo
                .name(&a)
                .map_or_else(|| c.to_string(), |n| format!("{n} ({})", a.kind().label())),
            Err(_) => c.to_string(),
        },
    }
}

/// What linking typed locations did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LinkReport {
    /// (idea id, typed location, ward code) linked now.
    pub linked: Vec<(i64, String, String)>,
    /// (idea id, typed location, why not) left for an officer to choose.
    pub left: Vec<(i64, String, String)>,
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The one ward of `wards` whose whole name appears as words in `location`; the longest name wins
/// when one contains another ("Old Town" over "Town"); several unrelated matches give none.
fn match_ward<'a>(location: &str, wards: &'a [(String, String)]) -> Result<&'a str, String> {
    let loc = words(location);
    let mut hits: Vec<&(String, String)> = wards
        .iter()
        .filter(|(_, name)| {
            let n = words(name);
            !n.is_empty() && loc.windows(n.len()).any(|w| w == n.as_slice())
        })
        .collect();
    hits.sort_by_key(|(_, n)| std::cmp::Reverse(n.len()));
    match hits.as_slice() {
        [] => Err("no ward's name is in it".to_string()),
        [one] => Ok(&one.0),
        [first, rest @ ..] => {
            let f = words(&first.1);
            if rest.iter().all(|(_, n)| {
                let n = words(n);
                f.windows(n.len()).any(|w| w == n.as_slice())
            }) {
                Ok(&first.0)
            } else {
                Err(format!(
                    "it names several wards ({}): choose one",
                    hits.iter()
                        .map(|h| h.1.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }
        }
    }
}

/// Links community budget ideas that have a typed location and no place to the council ward
/// named in it, audited one by one; the rest are listed for an officer.
pub async fn link_typed_locations(
    store: &Store,
    geo: &GeoIndex,
    actor: &Actor,
) -> Result<LinkReport, StoreError> {
    let districts = council_districts(store).await?;
    let wards: Vec<(String, String)> = place_choices(geo, &districts)
        .into_iter()
        .filter(|c| c.group == "Wards")
        .map(|c| {
            let name = c.label.trim_end_matches(" (ward)").to_string();
            (c.code, name)
        })
        .collect();
    let mut report = LinkReport::default();
    for (id, location) in store.unplaced_proposal_locations().await? {
        match match_ward(&location, &wards) {
            Ok(code) => {
                store
                    .set_place_code(actor, PlaceTarget::Proposal, id, Some(code))
                    .await?;
                report.linked.push((id, location, code.to_string()));
            }
            Err(why) => report.left.push((id, location, why)),
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_locations_match_whole_ward_names() {
        let wards = vec![
            ("X05000001".to_string(), "Harbour".to_string()),
            ("X05000002".to_string(), "Old Town".to_string()),
            ("X05000003".to_string(), "Town".to_string()),
            ("X05000004".to_string(), "Quayside".to_string()),
        ];
        assert_eq!(match_ward("Harbour Green", &wards), Ok("X05000001"));
        assert_eq!(match_ward("Old Town hall", &wards), Ok("X05000002"));
        assert!(match_ward("The Quay", &wards).is_err());
        assert!(
            match_ward("Harbour to Old Town", &wards)
                .unwrap_err()
                .contains("several")
        );
        assert!(match_ward("", &wards).is_err());
    }
}
