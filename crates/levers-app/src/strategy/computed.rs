//! The measures levers computes from its own records, each through the code that draws the lever's
//! own page: the procurement analysis (`procurement::run`) for spend shares, the stored count and
//! code batches the community budget results page reads, co-production `coverage` as the coverage
//! page computes it, the time-credit ledger, and appraisals through `appraisal::Library::compute`.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;
use std::sync::Arc;

use levers_core::FinancialYear;
use levers_geo::GeoIndex;
use levers_pb::count::CountResult;
use levers_spend::analysis::Shares;
use levers_store::{Store, StoreError};
use levers_strategy::{Lever, Metric, Observation};
use time::{Date, OffsetDateTime};

use crate::appraisal::Library;
use crate::procurement::{PaymentsCache, default_params, run};

/// Observations of each computed metric asked for, earliest year first. Counts over a year (people
/// with lived experience involved, time credits earned) are given for whole years only; shares of
/// the register are given for the year so far too, as the register stood on the day.
pub type Computed = BTreeMap<Metric, Vec<Observation>>;

fn observation(metric: Metric, year: FinancialYear, value: f64, period: String) -> Observation {
    Observation {
        year,
        value,
        period,
        source: metric.source_name().to_string(),
        published: None,
        next_release: None,
    }
}

fn fy_of_unix(t: i64) -> Option<FinancialYear> {
    OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .map(|d| FinancialYear::of(d.date()))
}

/// The share a procurement metric reads from the analysis' shares, as a percentage.
pub fn procurement_share(metric: Metric, s: &Shares) -> Option<f64> {
    let v = match metric {
        Metric::ProcurementLocalShare => s.local,
        Metric::ProcurementWiderShare => s.wider,
        Metric::ProcurementDeprived10Share => s.deprived_decile_1,
        Metric::ProcurementDeprived20Share => s.deprived_decile_1_2,
        Metric::ProcurementSmeShare => s.sme,
        Metric::ProcurementVcseShare => s.vcse,
        _ => return None,
    };
    Some(v * 100.0)
}

async fn procurement(
    store: &Store,
    payments: &PaymentsCache,
    geo: Arc<GeoIndex>,
    wanted: &BTreeSet<Metric>,
    out: &mut Computed,
) -> Result<(), StoreError> {
    // the analysis the dashboard and the place view open on: the home body, the council's local
    // and wider areas; then each of the home body's years
    let Some(mut p) = default_params(store, None).await? else {
        return Ok(());
    };
    let bodies = payments.bodies(store, &p).await?;
    let mut years = store.spend_years(&p.bodies).await?;
    years.sort();
    for y in years {
        let Ok(fy) = FinancialYear::from_str(&y) else {
            continue;
        };
        p.year = y.clone();
        let (report, _) = run(store, payments, geo.clone(), &bodies, &p).await?;
        for m in wanted {
            if let Some(v) = procurement_share(*m, &report.all.shares) {
                out.entry(*m)
                    .or_default()
                    .push(observation(*m, fy, v, y.clone()));
            }
        }
    }
    Ok(())
}

async fn community_budgets(store: &Store, out: &mut Computed) -> Result<(), StoreError> {
    // (allocated pence, codes issued, codes used) by the financial year each vote was counted.
    let mut by_year: BTreeMap<FinancialYear, (i64, i64, i64)> = BTreeMap::new();
    for p in store.pb_processes().await? {
        let Some(stored) = store.pb_result(p.id).await? else {
            continue;
        };
        // The vote's year: when voting closed (its planned end), else when it was counted.
        let closed = p
            .def
            .phases
            .iter()
            .find(|d| d.phase == levers_pb::process::Phase::Voting)
            .and_then(|d| levers_coproduction::register::parse_date(&d.ends))
            .map(FinancialYear::of);
        let Some(fy) = closed.or_else(|| fy_of_unix(stored.counted_at)) else {
            continue;
        };
        let result: CountResult = serde_json::from_value(stored.result.clone())
            .map_err(|e| StoreError::Corrupt(format!("community budget result {}: {e}", p.id)))?;
        let e = by_year.entry(fy).or_default();
        e.0 += result.spent_pence;
        for t in store.pb_turnout(p.id).await? {
            e.1 += t.issued;
            e.2 += t.used_online + t.used_paper;
        }
    }
    for (fy, (spent, issued, used)) in by_year {
        let m = Metric::CommunityBudgetAllocated;
        out.entry(m)
            .or_default()
            .push(observation(m, fy, spent as f64 / 100.0, fy.to_string()));
        if issued > 0 {
            let m = Metric::CommunityBudgetTurnout;
            out.entry(m).or_default().push(observation(
                m,
                fy,
                used as f64 / issued as f64 * 100.0,
                fy.to_string(),
            ));
        }
    }
    Ok(())
}

fn financial_years(from: FinancialYear, to: FinancialYear) -> Vec<FinancialYear> {
    let mut out = Vec::new();
    let mut y = from;
    while y <= to && out.len() < 40 {
        out.push(y);
        y = y.next();
    }
    out
}

async fn coproduction(store: &Store, today: Date, out: &mut Computed) -> Result<(), StoreError> {
    let register = store.coproduction_register().await?;
    if let Some(first) = register.iter().map(|e| e.activity.started_on).min() {
        for fy in financial_years(FinancialYear::of(first), FinancialYear::of(today)) {
            let as_of = fy.last_day().min(today);
            let period = if as_of == fy.last_day() {
                format!("{fy} (at {as_of})")
            } else {
                format!("{fy} so far (at {as_of})")
            };
            let c = levers_coproduction::coverage(&register, Some(as_of));
            for (m, v) in [
                (Metric::CoproducedShareCount, c.overall.two_plus_share()),
                (
                    Metric::CoproducedShareValue,
                    c.overall.two_plus_value_share(),
                ),
            ] {
                out.entry(m)
                    .or_default()
                    .push(observation(m, fy, v * 100.0, period.clone()));
            }
            if as_of < fy.last_day() {
                // People involved is a count over the year: only whole years are shown.
                continue;
            }
            let people: u64 = register
                .iter()
                .flat_map(|e| e.involvements.iter())
                .filter(|i| i.lived_experience && fy.contains(i.held_on))
                .map(|i| u64::from(i.headcount))
                .sum();
            let m = Metric::LivedExperiencePeople;
            out.entry(m)
                .or_default()
                .push(observation(m, fy, people as f64, period));
        }
    }
    let mut credits: BTreeMap<FinancialYear, i64> = BTreeMap::new();
    for (at, n) in store.credits_issued().await? {
        if let Some(fy) = fy_of_unix(at) {
            *credits.entry(fy).or_default() += n;
        }
    }
    let this_year = FinancialYear::of(today);
    for (fy, n) in credits.into_iter().filter(|(fy, _)| *fy < this_year) {
        let m = Metric::TimeCreditsEarned;
        out.entry(m)
            .or_default()
            .push(observation(m, fy, n as f64, fy.to_string()));
    }
    Ok(())
}

async fn appraisals(store: &Store, out: &mut Computed) -> Result<(), StoreError> {
    let library = Library::load(store).await?;
    let mut by_year: BTreeMap<FinancialYear, (f64, f64, usize)> = BTreeMap::new();
    for a in store.appraisals().await? {
        let Ok(r) = library.compute(&a.model) else {
            continue;
        };
        let fy = a.model.first_year.unwrap_or(a.model.price_base);
        let e = by_year.entry(fy).or_default();
        e.0 += r.central.net_public_value;
        e.1 += r.central.net_outcomes;
        e.2 += 1;
    }
    for (fy, (value, outcomes, n)) in by_year {
        let period = format!("{fy}: {n} appraisal{}", if n == 1 { "" } else { "s" });
        for (m, v) in [
            (Metric::AppraisalNetPublicValue, value),
            (Metric::AppraisalNetOutcomes, outcomes),
        ] {
            out.entry(m)
                .or_default()
                .push(observation(m, fy, v, period.clone()));
        }
    }
    Ok(())
}

/// Computes the metrics asked for (each family once), every year levers has records for.
pub async fn compute(
    store: &Store,
    payments: &PaymentsCache,
    geo: Arc<GeoIndex>,
    wanted: &BTreeSet<Metric>,
    today: Date,
) -> Result<Computed, StoreError> {
    let mut out = Computed::new();
    let has = |f: &dyn Fn(&Metric) -> bool| wanted.iter().any(f);
    if has(&|m| m.lever() == Lever::Procurement) {
        procurement(store, payments, geo, wanted, &mut out).await?;
    }
    if has(&|m| {
        matches!(
            m,
            Metric::CommunityBudgetAllocated | Metric::CommunityBudgetTurnout
        )
    }) {
        community_budgets(store, &mut out).await?;
    }
    if has(&|m| m.lever() == Lever::Coproduction) {
        coproduction(store, today, &mut out).await?;
    }
    if has(&|m| {
        matches!(
            m,
            Metric::AppraisalNetPublicValue | Metric::AppraisalNetOutcomes
        )
    }) {
        appraisals(store, &mut out).await?;
    }
    out.retain(|m, _| wanted.contains(m));
    Ok(out)
}
