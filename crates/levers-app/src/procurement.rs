//! The procurement analysis as every front end runs it: the parameters, the analysed bodies' supplier
//! records with register entries and decisions, years of payments kept in memory until the payments
//! change, and levers-spend's analysis of a year, its baseline and its trend.

use std::collections::HashMap;
use std::sync::Arc;

use levers_core::AreaCode;
use levers_geo::GeoIndex;
use levers_spend::analysis::{
    AnalysisOptions, Area, BodyData, ImdChoice, Payments, Report, SectorBasis, Shares,
    SupplierInfo, analyse,
};
use levers_spend::registers::RegisterRecord;
use levers_spend::resolve::Decision;
use levers_store::{Store, StoreError};

/// Settings keys for the default areas (the demo sets them; officers can change them on the page).
pub const LOCAL_LADS: &str = "procurement.local_lads";
pub const LOCAL_NAME: &str = "procurement.local_name";
pub const WIDER_LADS: &str = "procurement.wider_lads";
pub const WIDER_NAME: &str = "procurement.wider_name";

/// What to analyse.
#[derive(Debug, Clone)]
pub struct AnalysisParams {
    pub bodies: Vec<String>,
    pub year: String,
    pub local: Area,
    pub wider: Area,
    pub top_n: usize,
    pub baseline: Option<String>,
    pub imd: ImdChoice,
    pub sector: SectorBasis,
    /// Locate suppliers without a council postcode by their registered office / charity address.
    pub use_registers: bool,
}

/// Reads district codes typed as `E08000009, E08000001 E08000002` (commas, spaces or semicolons).
pub fn parse_codes(s: &str) -> Result<Vec<AreaCode>, String> {
    let mut out = Vec::new();
    for part in s
        .split([',', ';', ' ', '\n', '\t'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let c =
            AreaCode::parse(part).map_err(|e| format!("\"{part}\" is not an area code ({e})"))?;
        if !out.contains(&c) {
            out.push(c);
        }
    }
    Ok(out)
}

/// Each body's suppliers (with register entries joined by company or charity number) and remembered
/// decisions, in the analysis's terms.
pub async fn load_bodies(
    store: &Store,
    bodies: &[String],
    use_registers: bool,
) -> Result<Vec<BodyData>, StoreError> {
    let entries = store.register_entries().await?;
    let mut companies = HashMap::new();
    let mut charities = HashMap::new();
    for e in entries {
        match e {
            RegisterRecord::Company(c) => {
                companies.insert(c.number.clone(), c);
            }
            RegisterRecord::Charity(c) => {
                charities.insert(c.number.clone(), c);
            }
        }
    }
    let mut out = Vec::new();
    for name in bodies {
        let stored = store.proc_suppliers(name).await?;
        let mut index = HashMap::new();
        let mut suppliers = Vec::with_capacity(stored.len());
        for (i, s) in stored.iter().enumerate() {
            index.insert(s.id, i);
            let charity = s
                .record
                .charity_number
                .as_ref()
                .and_then(|n| charities.get(n));
            let company = s
                .record
                .company_number
                .as_ref()
                .or_else(|| charity.and_then(|c| c.company_number.as_ref()))
                .and_then(|n| companies.get(n));
            suppliers.push(SupplierInfo::build(
                s.id,
                &s.record,
                company,
                charity,
                use_registers,
            ));
        }
        let mut decisions = HashMap::new();
        for d in store.match_decisions(Some(name)).await? {
            let dec = match d.supplier_id {
                Some(id) => match index.get(&id) {
                    Some(&i) => Decision::Link(i),
                    None => continue,
                },
                None => Decision::NoMatch,
            };
            decisions.insert(d.name_norm, dec);
        }
        out.push(BodyData {
            name: name.clone(),
            suppliers,
            decisions,
        });
    }
    Ok(out)
}

/// The options the analysis runs with, rules from the store.
pub async fn options(
    store: &Store,
    p: &AnalysisParams,
    year: &str,
) -> Result<AnalysisOptions, StoreError> {
    let mut o = AnalysisOptions::new(year, p.local.clone(), p.wider.clone());
    o.top_n = p.top_n.max(1);
    o.imd = p.imd;
    o.sector = p.sector;
    o.rules = store.exclusion_rules().await?;
    Ok(o)
}

/// Years of payments kept in memory between requests, each as read from the store (dictionary-
/// encoded), until an import or an undo changes the payments (`Store::spend_version`). Reading a
/// large council's year out of SQLite takes seconds while the analysis takes a tenth of one, and
/// the dashboard analyses up to seven years at once (the year, a baseline, a five-year trend); with
/// this, changing a filter or drilling down reads nothing again. Bounded by rows held.
/// It keeps the analysed bodies' supplier records and decisions too ([`PaymentsCache::bodies`]),
/// until `Store::suppliers_version` changes: a council's 50,000 records take longer to read than
/// the analysis of its year.
#[derive(Default)]
pub struct PaymentsCache {
    entries: tokio::sync::Mutex<Vec<CachedYear>>,
    bodies: tokio::sync::Mutex<Vec<CachedBodies>>,
}

struct CachedBodies {
    bodies: Vec<String>,
    use_registers: bool,
    version: i64,
    data: Arc<Vec<BodyData>>,
}

/// At most this many sets of analysed bodies are kept.
const CACHED_BODY_SETS: usize = 8;

struct CachedYear {
    bodies: Vec<String>,
    year: String,
    version: String,
    payments: Arc<Payments>,
}

/// At most this many payments are kept (about 100 MB for a million).
const CACHED_ROWS: usize = 3_000_000;

impl PaymentsCache {
    /// The analysed bodies' supplier records, register entries and decisions ([`bodies_for`]),
    /// from memory when none of them has changed since they were read.
    pub async fn bodies(
        &self,
        store: &Store,
        p: &AnalysisParams,
    ) -> Result<Arc<Vec<BodyData>>, StoreError> {
        let version = store.suppliers_version().await?;
        let mut held = self.bodies.lock().await;
        held.retain(|e| e.version == version);
        if let Some(e) = held
            .iter()
            .find(|e| e.bodies == p.bodies && e.use_registers == p.use_registers)
        {
            return Ok(e.data.clone());
        }
        let data = bodies_for(store, p).await?;
        held.insert(
            0,
            CachedBodies {
                bodies: p.bodies.clone(),
                use_registers: p.use_registers,
                version,
                data: data.clone(),
            },
        );
        held.truncate(CACHED_BODY_SETS);
        Ok(data)
    }

    /// A year of payments for the bodies, from memory when nothing has changed since it was read.
    pub async fn get(
        &self,
        store: &Store,
        bodies: &[String],
        year: &str,
    ) -> Result<Arc<Payments>, StoreError> {
        let version = store.spend_version().await?;
        {
            let mut entries = self.entries.lock().await;
            if let Some(i) = entries
                .iter()
                .position(|e| e.bodies == bodies && e.year == year && e.version == version)
            {
                let hit = entries.remove(i);
                let payments = hit.payments.clone();
                entries.insert(0, hit);
                return Ok(payments);
            }
        }
        let payments = Arc::new(store.procurement_payments(bodies, year).await?);
        let mut entries = self.entries.lock().await;
        entries.retain(|e| e.version == version && !(e.bodies == bodies && e.year == year));
        entries.insert(
            0,
            CachedYear {
                bodies: bodies.to_vec(),
                year: year.to_string(),
                version,
                payments: payments.clone(),
            },
        );
        let mut rows = 0;
        entries.retain(|e| {
            rows += e.payments.rows.len();
            rows <= CACHED_ROWS || Arc::ptr_eq(&e.payments, &payments)
        });
        Ok(payments)
    }
}

/// The body the analysis opens on, among the bodies with spending: the one chosen in settings
/// (*home body*), else the one named like the council, else the first. The dashboard, the place
/// view and the cabinet report all open on it.
pub async fn home_body(store: &Store, bodies: &[String]) -> Result<Option<String>, StoreError> {
    use levers_store::settings::{COUNCIL_NAME, HOME_BODY};
    let chosen = store.setting(HOME_BODY).await?.unwrap_or_default();
    if bodies.contains(&chosen) {
        return Ok(Some(chosen));
    }
    let council = store.setting(COUNCIL_NAME).await?.unwrap_or_default();
    let norm = |s: &str| s.trim().to_lowercase();
    Ok(bodies
        .iter()
        .find(|b| !council.trim().is_empty() && norm(b) == norm(&council))
        .or_else(|| bodies.first())
        .cloned())
}

/// The procurement dashboard's default analysis (its home body, the given or latest year, the
/// local and wider areas from the settings, top 300, IMD 2019, sectors by expense type, registers
/// used), so that the place view shows the figures the dashboard opens with. `None` when no spend
/// is loaded.
pub async fn default_params(
    store: &Store,
    year: Option<&str>,
) -> Result<Option<AnalysisParams>, StoreError> {
    let all = store.spend_bodies().await?;
    let Some(body) = home_body(store, &all).await? else {
        return Ok(None);
    };
    let bodies = vec![body];
    let years = store.spend_years(&bodies).await?;
    let year = match year {
        Some(y) if years.iter().any(|h| h == y) => y.to_string(),
        Some(_) => return Ok(None),
        None => match years.first() {
            Some(y) => y.clone(),
            None => return Ok(None),
        },
    };
    let setting = async |k: &str| store.setting(k).await.map(Option::unwrap_or_default);
    let area = |codes: &str, name: String| {
        let lads = parse_codes(codes).unwrap_or_default();
        let name = if name.trim().is_empty() {
            lads.iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            name.trim().to_string()
        };
        Area { name, lads }
    };
    let local = area(&setting(LOCAL_LADS).await?, setting(LOCAL_NAME).await?);
    let wider = area(&setting(WIDER_LADS).await?, setting(WIDER_NAME).await?);
    if local.lads.is_empty() {
        return Ok(None);
    }
    Ok(Some(AnalysisParams {
        bodies,
        year,
        local,
        wider,
        top_n: 300,
        baseline: None,
        imd: ImdChoice::Imd2019,
        sector: SectorBasis::ExpenseType,
        use_registers: true,
    }))
}

/// Reads the year the dashboard opens on (the home body's latest) into the cache, so that the
/// first page a user opens after the server starts does not wait for it. Returns the payments
/// read (0 when no spend is loaded).
pub async fn warm(store: &Store, cache: &PaymentsCache) -> Result<usize, StoreError> {
    let bodies = store.spend_bodies().await?;
    let Some(body) = home_body(store, &bodies).await? else {
        return Ok(0);
    };
    let bodies = vec![body];
    let Some(year) = store.spend_years(&bodies).await?.into_iter().next() else {
        return Ok(0);
    };
    Ok(cache.get(store, &bodies, &year).await?.rows.len())
}

/// The analysed bodies' supplier records, register entries and decisions, read once per request and
/// shared by [`run`] and [`trend`].
pub async fn bodies_for(
    store: &Store,
    p: &AnalysisParams,
) -> Result<Arc<Vec<BodyData>>, StoreError> {
    Ok(Arc::new(
        load_bodies(store, &p.bodies, p.use_registers).await?,
    ))
}

/// Runs the analysis for the year (and the baseline year, attached as the change), returning the
/// report and the year's payments (for drill-down).
pub async fn run(
    store: &Store,
    cache: &PaymentsCache,
    geo: Arc<GeoIndex>,
    bodies: &Arc<Vec<BodyData>>,
    p: &AnalysisParams,
) -> Result<(Report, Arc<Payments>), StoreError> {
    let bodies = bodies.clone();
    let payments = cache.get(store, &p.bodies, &p.year).await?;
    let opts = options(store, p, &p.year).await?;
    let base = match &p.baseline {
        Some(y) if *y != p.year => Some((
            cache.get(store, &p.bodies, y).await?,
            options(store, p, y).await?,
        )),
        _ => None,
    };
    let result = tokio::task::spawn_blocking(move || {
        let report = analyse(&bodies, &payments, &geo, &opts);
        let report = match base {
            Some((bp, bo)) => {
                let b = analyse(&bodies, &bp, &geo, &bo);
                report.with_baseline(&b)
            }
            None => report,
        };
        (report, payments)
    })
    .await
    .map_err(|e| StoreError::Corrupt(format!("the analysis stopped: {e}")))?;
    Ok(result)
}

/// Local, wider and deprived shares for each year (oldest first), for the trend chart.
pub async fn trend(
    store: &Store,
    cache: &PaymentsCache,
    geo: Arc<GeoIndex>,
    bodies: &Arc<Vec<BodyData>>,
    p: &AnalysisParams,
    years: &[String],
) -> Result<Vec<(String, Shares)>, StoreError> {
    let mut out = Vec::new();
    let mut ys: Vec<String> = years.iter().take(5).cloned().collect();
    ys.sort();
    for y in ys {
        let payments = cache.get(store, &p.bodies, &y).await?;
        let opts = options(store, p, &y).await?;
        let (b, g) = (bodies.clone(), geo.clone());
        let shares =
            tokio::task::spawn_blocking(move || analyse(&b, &payments, &g, &opts).all.shares)
                .await
                .map_err(|e| StoreError::Corrupt(format!("the analysis stopped: {e}")))?;
        out.push((y, shares));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn district_codes_are_read_as_typed() {
        assert_eq!(
            parse_codes("E08000009, e08000001;E08000009").unwrap().len(),
            2
        );
        assert!(parse_codes("nope").is_err());
    }
}
