//! The demo's places: neighbourhood populations in the IoD File 6 layout, a few ward indicators in
//! the tidy layout, generated boundaries (one ward deliberately without one, as happens when ward
//! codes change), and places for the community budget ideas, commissioning activities and
//! participants, all through the same imports and use cases as real data.

use std::fmt::Write;

use levers_app::place::links::link_typed_locations;
use levers_core::AreaCode;
use levers_store::places::links::{COUNCIL_WIDE, PlaceTarget};
use levers_store::{Actor, Store};

use super::borough::{BOROUGH, Rng, thousands};

/// The ward left without a boundary, so the maps show how they say so.
const NO_BOUNDARY: &str = "Ashby Moor";

pub async fn build(store: &Store, actor: &Actor) -> anyhow::Result<()> {
    let geo = store.load_geo_index().await?;
    let borough = AreaCode::parse(BOROUGH)?;
    let Some(profile) = geo.area(&borough) else {
        return Ok(());
    };
    let mut rng = Rng::new(0x0091_ACE5);
    // Populations (File 6 layout) and ward indicators (tidy layout).
    let mut pop = String::from(
        "LSOA code (2011),LSOA name (2011),Local Authority District code (2019),Local Authority District name (2019),Total population: mid 2015 (excluding prisoners),Dependent Children aged 0-15: mid 2015 (excluding prisoners)\n",
    );
    for l in &profile.lsoas_2011 {
        let total = rng.range(1_250, 2_150);
        let _ = writeln!(
            pop,
            "{},{},{BOROUGH},Levermouth,\"{}\",{}",
            l.code,
            l.name.clone().unwrap_or_default(),
            thousands(total),
            total / 5
        );
    }
    let mut tidy = String::from("area_code,area_name,period,indicator,measure,unit,value\n");
    let mut wards: Vec<(AreaCode, String)> = Vec::new();
    for w in &profile.wards {
        let name = w.name.clone().unwrap_or_default();
        let p = geo.area(&w.code);
        let (d12, all) = p.as_ref().map_or((0, 1), |p| {
            (
                p.imd2019_deciles[0] + p.imd2019_deciles[1],
                p.imd2019_deciles.iter().sum::<u32>().max(1),
            )
        });
        let rate = 2.0 + 6.0 * f64::from(d12) / f64::from(all) + rng.unit();
        for (period, r) in [("March 2024", rate + 0.4), ("March 2025", rate)] {
            let _ = writeln!(
                tidy,
                "{},{name},{period},Claimants as a proportion of residents aged 16-64,Percentage,Persons,{r:.1}",
                w.code
            );
        }
        wards.push((w.code, name));
    }
    for (name, text) in [
        ("levermouth_iod_population.csv", pop),
        ("levermouth_ward_indicators.csv", tidy),
    ] {
        levers_app::indicators::import_file(store, actor, name, text.into_bytes())
            .await
            .map_err(|e| anyhow::anyhow!("demo indicators {name}: {e}"))?;
    }
    // Boundaries: wards as blocks on a 4 × 3 grid, their neighbourhoods as strips inside.
    wards.sort_by(|a, b| a.1.cmp(&b.1));
    let (w_lon, w_lat) = (0.05, 0.032);
    let mut features = Vec::new();
    for (i, (code, name)) in wards.iter().enumerate() {
        let (col, row) = ((i % 4) as f64, (i / 4) as f64);
        let (x0, y0) = (-3.45 + col * w_lon, 54.10 - row * w_lat);
        let rect = |x0: f64, y0: f64, x1: f64, y1: f64| {
            serde_json::json!([[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]])
        };
        if name != NO_BOUNDARY {
            features.push(serde_json::json!({
                "type": "Feature",
                "properties": { "WD24CD": code.as_str(), "WD24NM": name },
                "geometry": { "type": "Polygon", "coordinates": rect(x0, y0 - w_lat, x0 + w_lon, y0) },
            }));
        }
        let lsoas = geo.area(code).map(|p| p.lsoas_2011).unwrap_or_default();
        let n = lsoas.len().max(1) as f64;
        for (j, l) in lsoas.iter().enumerate() {
            let (a, b) = (x0 + w_lon * j as f64 / n, x0 + w_lon * (j + 1) as f64 / n);
            features.push(serde_json::json!({
                "type": "Feature",
                "properties": { "LSOA11CD": l.code.as_str(), "LSOA11NM": l.name.clone().unwrap_or_default() },
                "geometry": { "type": "Polygon", "coordinates": rect(a, y0 - w_lat, b, y0) },
            }));
        }
    }
    let doc = serde_json::json!({ "type": "FeatureCollection", "features": features });
    levers_app::place::boundaries::import_boundaries(
        store,
        actor,
        "levermouth_boundaries.geojson",
        serde_json::to_vec(&doc)?,
    )
    .await?;
    // Places on the levers' records: typed locations linked by ward name, the rest chosen here.
    link_typed_locations(store, &geo, actor).await?;
    let ward = |n: &str| wards.iter().find(|w| w.1 == n).map(|w| w.0.to_string());
    let chosen = [
        ("The Quay", "Quayside"),
        ("Ropewalk", "Harbour"),
        ("St Anne's churchyard", "Northgate"),
        ("Old car park", "Millfield"),
        ("Quay Street", "Quayside"),
    ];
    for p in store.pb_processes().await? {
        for idea in store.pb_proposals(p.id).await? {
            if let Some((_, w)) = chosen.iter().find(|(l, _)| *l == idea.location)
                && let Some(code) = ward(w)
            {
                let held = store.place_codes(PlaceTarget::Proposal).await?;
                if held.iter().any(|(id, c)| *id == idea.id && c.is_none()) {
                    store
                        .set_place_code(actor, PlaceTarget::Proposal, idea.id, Some(&code))
                        .await?;
                }
            }
        }
    }
    // Activities: a third council-wide, the rest spread over wards, leaning to the deprived ones.
    let order = [
        "Harbour",
        "Old Town",
        "Quayside",
        "Northgate",
        "Millfield",
        "Harbour",
        "Rookery",
        "Old Town",
        "Westcliff",
        "Fennick",
        "Sandhills",
        "St Brannoc's",
    ];
    for (i, (id, place)) in store
        .place_codes(PlaceTarget::Activity)
        .await?
        .into_iter()
        .enumerate()
    {
        if place.is_some() {
            continue;
        }
        let code = if i % 3 == 0 {
            Some(COUNCIL_WIDE.to_string())
        } else {
            ward(order[i % order.len()])
        };
        store
            .set_place_code(actor, PlaceTarget::Activity, id, code.as_deref())
            .await?;
    }
    // Participants: where they live (ward only), most of them in Harbour and Old Town.
    let homes = [
        "Harbour", "Harbour", "Old Town", "Harbour", "Old Town", "Quayside",
    ];
    for (i, (id, place)) in store
        .place_codes(PlaceTarget::Participant)
        .await?
        .into_iter()
        .enumerate()
    {
        if place.is_none()
            && let Some(code) = ward(homes[i % homes.len()])
        {
            store
                .set_place_code(actor, PlaceTarget::Participant, id, Some(&code))
                .await?;
        }
    }
    Ok(())
}
