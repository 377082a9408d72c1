//! Each lever's reach into the most deprived neighbourhoods over a view's LSOAs: records placed on
//! an LSOA count there, records placed on a ward are spread over its LSOAs by population, and
//! council-wide records are left out.

use std::collections::HashMap;

use levers_geo::LsoaSummary;
use levers_place::reach::{PlaceAmount, Reach, reach};
use serde::Serialize;

use super::figures::LeverData;

/// One lever's reach into the most deprived neighbourhoods.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeverReach {
    pub lever: &'static str,
    pub reach: Reach,
}

/// One LSOA of the view with its ward.
pub(super) struct Lsoa {
    pub(super) summary: LsoaSummary,
    pub(super) ward: Option<String>,
    pub(super) population: Option<f64>,
}

/// Each lever's amounts over the view's LSOAs (ward records spread by population).
pub(super) fn reaches(
    data: &LeverData,
    lsoas: &[Lsoa],
    members: &[usize],
    ward_of: &HashMap<&str, &str>,
) -> Vec<LeverReach> {
    let member_codes: HashMap<&str, usize> = members
        .iter()
        .map(|&i| (lsoas[i].summary.code.as_str(), i))
        .collect();
    let weight = |i: usize| lsoas[i].population.unwrap_or(1.0);
    let ward_lsoas = |w: &str| -> Vec<usize> {
        members
            .iter()
            .copied()
            .filter(|&i| lsoas[i].ward.as_deref() == Some(w))
            .collect()
    };
    // Spreads (place, amount) over member LSOAs.
    let spread = |items: &mut dyn Iterator<Item = (&str, f64)>| -> Vec<f64> {
        let mut out = vec![0.0; lsoas.len()];
        for (place, amount) in items {
            if let Some(&i) = member_codes.get(place) {
                out[i] += amount;
            } else if !ward_of.contains_key(place) {
                let idx = ward_lsoas(place);
                let total: f64 = idx.iter().map(|&i| weight(i)).sum();
                for i in idx {
                    out[i] += amount * weight(i) / total;
                }
            }
        }
        out
    };
    let to_places = |amounts: Vec<f64>| -> Vec<PlaceAmount> {
        members
            .iter()
            .map(|&i| {
                let s = &lsoas[i].summary;
                let m = s.imd2019.as_ref().or(s.imd2025.as_ref());
                PlaceAmount {
                    code: s.code.to_string(),
                    population: weight(i),
                    decile: m.map(|m| m.decile),
                    rank: m.map(|m| m.rank),
                    amount: amounts[i],
                }
            })
            .collect()
    };
    let spend = spread(
        &mut data
            .spend_by_lsoa
            .iter()
            .map(|(c, s)| (c.as_str(), s.pence as f64)),
    );
    let pb = spread(
        &mut data
            .projects
            .iter()
            .filter_map(|p| Some((p.place.as_deref()?, p.cost_pence as f64))),
    );
    let activities = spread(
        &mut data
            .activities
            .iter()
            .filter_map(|a| Some((a.place.as_deref()?, a.value_pence as f64))),
    );
    let people = spread(
        &mut data
            .people
            .iter()
            .filter_map(|p| Some((p.place_code.as_deref()?, p.involved as f64))),
    );
    vec![
        LeverReach {
            lever: "Spend with local suppliers",
            reach: reach("spend with suppliers based here", &to_places(spend)),
        },
        LeverReach {
            lever: "Community budget projects funded",
            reach: reach("community budget money for funded projects", &to_places(pb)),
        },
        LeverReach {
            lever: "Commissioning activities (annual value)",
            reach: reach(
                "the annual value of commissioning activities",
                &to_places(activities),
            ),
        },
        LeverReach {
            lever: "People involved in co-production",
            reach: reach("people involved in co-production", &to_places(people)),
        },
    ]
}
