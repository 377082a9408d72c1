//! The strategy as every front end shows it: the values of each measure (computed by the levers'
//! own code in `computed.rs`, or the official figures recorded), the links of each objective, and
//! levers-strategy's evaluation of them (trajectories and status by the stated rule).

pub mod computed;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use levers_geo::GeoIndex;
use levers_store::{Store, StoreError};
use levers_strategy::{Metric, Source, StrategyView, Values};
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
                Source::Official(_) => Values {
                    observations: recorded.remove(&m.id).unwrap_or_default(),
                    page: None,
                },
            };
            values.insert(m.id, v);
        }
        links.insert(o.id, store.objective_links(o.id).await?);
    }
    Ok(Some(StrategyView::build(&s, values, links, today)))
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
