//! Every lever's figures by place, each taken from the code that draws the lever's own pages: the
//! procurement analysis ([`crate::procurement::run`]: its ward table and its located suppliers),
//! community budget results and turnout ([`crate::community_budget::result`] and `turnout`), the
//! co-production register with the coverage rules (`levers_coproduction::coverage`), and
//! participants counted by where they live.

use std::collections::HashMap;
use std::sync::Arc;

use levers_core::AreaCode;
use levers_geo::{GeoIndex, Postcode};
use levers_spend::analysis::Report;
use levers_store::places::links::{PeopleAtPlace, PlaceTarget};
use levers_store::{Store, StoreError};
use serde::Serialize;

use crate::procurement::{AnalysisParams, PaymentsCache, run};

/// Spend with suppliers based in one place.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct SpendAt {
    pub pence: i64,
    pub suppliers: u64,
}

/// A community budget project and where it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectAt {
    pub process: String,
    pub slug: String,
    pub project_id: i64,
    pub name: String,
    pub place: Option<String>,
    pub cost_pence: i64,
}

/// A commissioning activity and where it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActivityAt {
    pub id: i64,
    pub reference: String,
    pub service: String,
    pub place: Option<String>,
    pub value_pence: i64,
    /// Co-produced (co-design or above) at two or more stages, as the coverage page counts it.
    pub coproduced_two_plus: bool,
}

/// Everything the place view needs from the levers, gathered once.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LeverData {
    /// The spend year analysed, and its bodies; `None` when no spend is loaded.
    pub spend_year: Option<String>,
    pub spend_bodies: Vec<String>,
    /// The procurement report's ward table: local suppliers' spend by ward.
    pub spend_by_ward: HashMap<String, SpendAt>,
    /// The same suppliers by the neighbourhood (LSOA, the view's vintage) of their postcode.
    pub spend_by_lsoa: HashMap<String, SpendAt>,
    /// The report's local spend in total (some of it may have no ward).
    pub spend_local_pence: i64,
    /// Funded projects of every counted community budget (their results pages have no year).
    pub projects: Vec<ProjectAt>,
    pub processes: Vec<String>,
    /// Codes issued and used by ward code, over those processes.
    pub turnout: HashMap<String, (i64, i64)>,
    pub activities: Vec<ActivityAt>,
    pub people: Vec<PeopleAtPlace>,
}

/// Runs the procurement analysis with `params` (as the dashboard does) and gathers the other
/// levers. `lsoa_2011` says which LSOA codes to give spend by neighbourhood in.
pub async fn gather(
    store: &Store,
    cache: &PaymentsCache,
    geo: Arc<GeoIndex>,
    params: Option<&AnalysisParams>,
    lsoa_2011: bool,
) -> Result<LeverData, StoreError> {
    let mut data = LeverData::default();
    if let Some(p) = params {
        let bodies = cache.bodies(store, p).await?;
        let (report, _) = run(store, cache, geo.clone(), &bodies, p).await?;
        spend_from_report(&mut data, &report, &geo, lsoa_2011);
        data.spend_year = Some(p.year.clone());
        data.spend_bodies = p.bodies.clone();
    }
    let proposals: HashMap<i64, Option<String>> = store
        .place_codes(PlaceTarget::Proposal)
        .await?
        .into_iter()
        .collect();
    for process in store.pb_processes().await? {
        let Some((_, result)) = crate::community_budget::result(store, process.id).await? else {
            continue;
        };
        data.processes.push(process.def.name.clone());
        for r in result.projects.iter().filter(|r| r.funded) {
            data.projects.push(ProjectAt {
                process: process.def.name.clone(),
                slug: process.def.slug.clone(),
                project_id: r.id,
                name: r.name.clone(),
                place: proposals.get(&r.id).cloned().flatten(),
                cost_pence: r.cost_pence,
            });
        }
        for t in crate::community_budget::turnout(store, process.id).await? {
            if let Some(w) = t.ward_code {
                let e = data.turnout.entry(w).or_default();
                e.0 += t.used_online + t.used_paper;
                e.1 += t.issued;
            }
        }
    }
    let places: HashMap<i64, Option<String>> = store
        .place_codes(PlaceTarget::Activity)
        .await?
        .into_iter()
        .collect();
    for a in store.coproduction_activities().await? {
        let standing = levers_coproduction::coverage::standing(&a.entry(), None);
        data.activities.push(ActivityAt {
            id: a.id,
            reference: a.activity.reference.clone(),
            service: a.activity.service.clone(),
            place: places.get(&a.id).cloned().flatten(),
            value_pence: a.activity.annual_value.pence(),
            coproduced_two_plus: standing.coproduced_stages >= 2,
        });
    }
    data.people = store.coproduction_people_by_place().await?;
    Ok(data)
}

/// Spend by ward from the report's own ward table, and by neighbourhood from the same local
/// suppliers' postcodes.
fn spend_from_report(data: &mut LeverData, report: &Report, geo: &GeoIndex, lsoa_2011: bool) {
    data.spend_local_pence = report.all.pounds.local_pence;
    for w in &report.all.by_ward {
        data.spend_by_ward.insert(
            w.code.to_string(),
            SpendAt {
                pence: w.pence,
                suppliers: w.suppliers,
            },
        );
    }
    for u in report
        .units
        .iter()
        .filter(|u| u.loc.local && u.net_pence > 0)
    {
        let Some(pc) = u
            .loc
            .postcode
            .as_deref()
            .and_then(|p| Postcode::parse(p).ok())
        else {
            continue;
        };
        let Some(found) = geo.lookup(&pc) else {
            continue;
        };
        let lsoa: Option<AreaCode> = if lsoa_2011 {
            found.lsoa11.map(|a| a.code)
        } else {
            found.lsoa21.map(|a| a.code)
        };
        if let Some(l) = lsoa {
            let e = data.spend_by_lsoa.entry(l.to_string()).or_default();
            e.pence += u.net_pence;
            e.suppliers += 1;
        }
    }
}
