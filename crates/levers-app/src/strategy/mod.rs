//! The strategy as every front end shows it: the values of each measure (computed by the levers'
//! own code in `computed.rs`, or official statistics from the imported indicator files and the
//! figures officers recorded), the links of each objective, and
//! levers-strategy's evaluation of them (trajectories and status by the stated rule).

pub mod computed;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use levers_geo::GeoIndex;
use levers_store::{Store, StoreError};
use levers_strategy::{
    Metric, Observation, OfficialRef, Source, StrategyView, Values, month_in_year, normalise_tag,
    period_year,
};
use time::Date;

use crate::procurement::PaymentsCache;

/// Evaluates a strategy: every measure's values, trajectory and status, every objective's status
/// and what serves it. `None` when there is no such strategy.
pub async fn evaluate(
    store: &Store,
    payments: &PaymentsCache,
    geo: Arc<GeoIndex>,
    strategy_id: i64,
    today: Date,
) -> Result<Option<StrategyView>, StoreError> {
    let Some(s) = store.strategy(strategy_id).await? else {
        return Ok(None);
    };
    let wanted: BTreeSet<Metric> = s
        .objectives
        .iter()
        .flat_map(|o| o.measures.iter())
        .filter_map(|m| match m.source {
            Source::Computed { metric } => Some(metric),
            Source::Official(_) => None,
        })
        .collect();
    let computed = computed::compute(store, payments, geo, &wanted, today).await?;
    let mut recorded = store.strategy_values(s.id).await?;
    let mut values = BTreeMap::new();
    let mut links = BTreeMap::new();
    for o in &s.objectives {
        for m in &o.measures {
            let v = match &m.source {
                Source::Computed { metric } => Values {
                    observations: computed.get(metric).cloned().unwrap_or_default(),
                    page: Some(metric.page()),
                },
                Source::Official(o) => Values {
                    observations: official(
                        imported(store, o).await?,
                        recorded.remove(&m.id).unwrap_or_default(),
                    ),
                    page: None,
                },
            };
            values.insert(m.id, v);
        }
        links.insert(o.id, store.objective_links(o.id).await?);
    }
    Ok(Some(StrategyView::build(&s, values, links, today)))
}

/// An official statistic's values from the imported indicator files (the place view's store, read
/// through `indicators::values_of`): the rows for its indicator and measure (case and spacing
/// ignored) and its area, each counted for the financial year its period falls in
/// (`levers_strategy::period_year`). Where a year has several figures (monthly statistics), the
/// latest month in the year is taken; between files giving the same period, the latest import.
async fn imported(store: &Store, o: &OfficialRef) -> Result<Vec<Observation>, StoreError> {
    let want = (normalise_tag(&o.indicator), normalise_tag(&o.measure));
    let mut catalogue = Vec::new();
    for (indicator, measure, _, _) in store.indicator_catalogue().await? {
        if normalise_tag(&indicator) == want.0
            && (want.1.is_empty() || normalise_tag(&measure) == want.1)
        {
            catalogue.push((indicator, measure));
        }
    }
    // One figure a year: the latest month in the year (monthly statistics), then the latest import.
    let mut by_year: BTreeMap<levers_core::FinancialYear, ((u8, i64), Observation)> =
        BTreeMap::new();
    for (indicator, measure) in catalogue {
        for v in crate::indicators::values_of(store, &indicator, &measure).await? {
            if !v.area_code.eq_ignore_ascii_case(o.area_code.trim()) {
                continue;
            }
            let Some(year) = period_year(&v.period) else {
                continue;
            };
            let key = (month_in_year(&v.period), v.imported_at);
            if by_year.get(&year).is_some_and(|(k, _)| *k > key) {
                continue;
            }
            let obs = Observation {
                year,
                value: v.value,
                period: v.period.clone(),
                source: format!("{} (imported from {})", o.publisher, v.file_name),
                published: None,
                next_release: o.next_release,
            };
            by_year.insert(year, (key, obs));
        }
    }
    Ok(by_year.into_values().map(|(_, o)| o).collect())
}

/// The imported values with the figures officers recorded: a recorded figure for a year replaces
/// the imported one (an officer's correction or a figure the files do not have yet).
fn official(imported: Vec<Observation>, recorded: Vec<Observation>) -> Vec<Observation> {
    let mut out: Vec<Observation> = imported
        .into_iter()
        .filter(|i| !recorded.iter().any(|r| r.year == i.year))
        .collect();
    out.extend(recorded);
    out.sort_by_key(|o| o.year);
    out
}

/// Every computed metric's values, for `levers strategy measures` (whatever a strategy uses).
pub async fn all_computed(
    store: &Store,
    payments: &PaymentsCache,
    geo: Arc<GeoIndex>,
    today: Date,
) -> Result<computed::Computed, StoreError> {
    let all: BTreeSet<Metric> = Metric::ALL.into_iter().collect();
    computed::compute(store, payments, geo, &all, today).await
}

/// Today's date (UTC), the date figures are worked out at.
pub fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}
