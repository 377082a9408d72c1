//! Procurement analysis (community wealth building): loading a year's payments, the bodies' supplier
//! records, register entries and decisions from the store and running levers-spend's analysis (shared
//! with the CLI); the standalone HTML report, CSV and XLSX exports; and the pages: dashboard with
//! filters, charts and tables, drill-down from sector to supplier to payments, the review queue for
//! close name matches, the exclusion rules officers edit, and the supplier records with their upload.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use levers_core::AreaCode;
use levers_geo::GeoIndex;
use levers_spend::analysis::{
    AnalysisOptions, Area, BodyData, ImdChoice, Payments, Report, SectorBasis, Shares,
    SupplierInfo, analyse,
};
use levers_spend::classify::{ExclusionRule, RuleField};
use levers_spend::registers::RegisterRecord;
use levers_spend::resolve::{Decision, normalise_name};
use levers_store::{Store, StoreError, User};
use serde::Deserialize;

use crate::AppState;
use crate::auth::{CurrentUser, Identity, actor, require_officer};
use crate::charts::esc;
use crate::error::AppError;
use crate::pages::{chrome, render, render_status};
use crate::templates::Chrome;

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
#[derive(Default)]
pub struct PaymentsCache {
    entries: tokio::sync::Mutex<Vec<CachedYear>>,
}

struct CachedYear {
    bodies: Vec<String>,
    year: String,
    version: String,
    payments: Arc<Payments>,
}

/// At most this many payments are kept (about 100 MB for a million).
const CACHED_ROWS: usize = 3_000_000;

impl PaymentsCache {
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

// ---------------------------------------------------------------------------------------------
// Presentation shared by the dashboard, the standalone report and the exports.

pub(crate) use crate::show::pence_f64_whole as pounds_short;
pub use crate::show::{money, pct};

/// A horizontal bar chart with its labels and values written on it; the page shows the same figures
/// in a table beside it.
pub fn hbars(id: &str, title: &str, rows: &[(String, f64)], fmt: &dyn Fn(f64) -> String) -> String {
    let w = 640.0_f64;
    let label_w = 230.0;
    let value_w = 110.0;
    let bar_h = 22.0;
    let gap = 8.0;
    let top = 8.0;
    let h = top * 2.0 + rows.len().max(1) as f64 * (bar_h + gap);
    let max = rows
        .iter()
        .map(|r| r.1)
        .fold(0.0_f64, f64::max)
        .max(f64::MIN_POSITIVE);
    let plot = w - label_w - value_w - 10.0;
    let desc: Vec<String> = rows
        .iter()
        .map(|(l, v)| format!("{l}: {}", fmt(*v)))
        .collect();
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="lv-chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        esc(title),
        esc(&desc.join("; "))
    );
    for (i, (label, v)) in rows.iter().enumerate() {
        let y = top + i as f64 * (bar_h + gap);
        let bw = (plot * (v.max(0.0) / max)).max(if *v > 0.0 { 1.0 } else { 0.0 });
        let short: String = if label.chars().count() > 32 {
            format!("{}…", label.chars().take(31).collect::<String>())
        } else {
            label.clone()
        };
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end" font-size="13" fill="#0b0c0c">{}</text><rect x="{label_w}" y="{y:.1}" width="{bw:.1}" height="{bar_h}" fill="#1d70b8"/><text x="{:.1}" y="{:.1}" font-size="13" fill="#0b0c0c">{}</text>"##,
            label_w - 8.0,
            y + bar_h * 0.7,
            esc(&short),
            label_w + bw + 6.0,
            y + bar_h * 0.7,
            esc(&fmt(*v))
        );
    }
    s.push_str("</svg>");
    s
}

/// A row of a simple figures table.
pub struct FigureRow {
    pub label: String,
    pub value: String,
    pub pounds: String,
}

/// Everything the report body shows, computed once for the dashboard and the standalone report.
pub struct ReportView {
    pub title: String,
    pub subtitle: String,
    pub r: Report,
    pub headline: Vec<FigureRow>,
    pub shares_chart: String,
    pub shares_rows: Vec<FigureRow>,
    pub top_chart: String,
    pub sector_chart: String,
    pub ward_chart: String,
    pub trend_chart: Option<String>,
    pub trend_rows: Vec<(String, String, String, String)>,
    pub ward_names: HashMap<String, String>,
    /// Query string of the current filters (for links).
    pub query: String,
    pub generated: String,
}

impl ReportView {
    pub fn new(
        r: Report,
        geo: &GeoIndex,
        trend: &[(String, Shares)],
        query: String,
        council: &str,
    ) -> ReportView {
        let a = &r.all;
        let sh = a.shares;
        let p = a.pounds;
        let headline = vec![
            FigureRow {
                label: "Total spend in the year".into(),
                value: String::new(),
                pounds: money(a.spend.total_pence),
            },
            FigureRow {
                label: "Excluded (not influenceable)".into(),
                value: String::new(),
                pounds: money(a.spend.excluded_pence),
            },
            FigureRow {
                label: "Analysed (influenceable) spend".into(),
                value: String::new(),
                pounds: money(a.spend.analysed_pence),
            },
            FigureRow {
                label: format!("Spent in {}", r.local.name),
                value: pct(sh.local),
                pounds: money(p.local_pence),
            },
            FigureRow {
                label: format!("Spent in {} (including {})", r.wider.name, r.local.name),
                value: pct(sh.wider),
                pounds: money(p.wider_pence),
            },
            FigureRow {
                label: format!("Leaks out of {}", r.wider.name),
                value: pct(sh.leakage),
                pounds: money(p.leakage_pence),
            },
            FigureRow {
                label: "With suppliers in the most deprived 10% of neighbourhoods".into(),
                value: pct(sh.deprived_decile_1),
                pounds: money(p.deprived_decile_1_pence),
            },
            FigureRow {
                label: "With suppliers in the most deprived 20%".into(),
                value: pct(sh.deprived_decile_1_2),
                pounds: money(p.deprived_decile_1_2_pence),
            },
            FigureRow {
                label: "With SMEs".into(),
                value: pct(sh.sme),
                pounds: money(p.sme_pence),
            },
            FigureRow {
                label: "With the VCSE sector".into(),
                value: pct(sh.vcse),
                pounds: money(p.vcse_pence),
            },
            FigureRow {
                label: "Supplier could not be located".into(),
                value: pct(sh.unknown_location),
                pounds: money(p.unlocated_pence),
            },
        ];
        let shares_rows: Vec<FigureRow> = sh
            .labelled()
            .into_iter()
            .map(|(_, l, v)| FigureRow {
                label: l.to_string(),
                value: pct(v),
                pounds: String::new(),
            })
            .collect();
        let share_pts: Vec<(String, f64)> = sh
            .labelled()
            .into_iter()
            .map(|(_, l, v)| (l.to_string(), v))
            .collect();
        let shares_chart = hbars(
            "chart-shares",
            "Shares of analysed spend",
            &share_pts,
            &|v| pct(v),
        );
        let top: Vec<(String, f64)> = a
            .top_suppliers
            .iter()
            .take(10)
            .map(|s| (s.name.clone(), s.pence as f64))
            .collect();
        let top_chart = hbars(
            "chart-top",
            "The ten largest suppliers by analysed spend",
            &top,
            &pounds_short,
        );
        let mut leaks: Vec<(String, f64)> = a
            .by_sector
            .iter()
            .filter(|s| s.leakage_pence > 0)
            .map(|s| (s.sector.clone(), s.leakage_pence as f64))
            .collect();
        leaks.sort_by(|x, y| y.1.total_cmp(&x.1));
        leaks.truncate(10);
        let sector_chart = hbars(
            "chart-leakage",
            "Leakage by sector (the ten largest)",
            &leaks,
            &pounds_short,
        );
        let mut ward_names = HashMap::new();
        let wards: Vec<(String, f64)> = a
            .by_ward
            .iter()
            .map(|w| {
                let name = w
                    .name
                    .clone()
                    .or_else(|| geo.name(&w.code).map(str::to_string))
                    .unwrap_or_else(|| w.code.to_string());
                ward_names.insert(w.code.to_string(), name.clone());
                let dep = if w.lsoas > 0 {
                    f64::from(w.lsoas_decile_1_2) / f64::from(w.lsoas)
                } else {
                    0.0
                };
                (
                    format!("{name} ({:.0}% deprived)", dep * 100.0),
                    w.pence as f64,
                )
            })
            .collect();
        let ward_chart = hbars(
            "chart-wards",
            "Spend with suppliers in each ward, most deprived wards first",
            &wards,
            &pounds_short,
        );
        let trend_chart = (trend.len() > 1).then(|| {
            let pts: Vec<(String, f64)> = trend
                .iter()
                .map(|(y, s)| (format!("{y}: {}", r.local.name), s.local))
                .collect();
            hbars(
                "chart-trend",
                "Share of analysed spend in the local area, year by year",
                &pts,
                &|v| pct(v),
            )
        });
        let trend_rows = trend
            .iter()
            .map(|(y, s)| {
                (
                    y.clone(),
                    pct(s.local),
                    pct(s.wider),
                    pct(s.deprived_decile_1_2),
                )
            })
            .collect();
        let title = format!("Where {}'s money goes, {}", r.bodies.join(", "), r.year);
        let subtitle = format!(
            "Community wealth building spend analysis for {}: local area {} ({}), wider area {} ({}).",
            if council.is_empty() {
                "the council".to_string()
            } else {
                council.to_string()
            },
            r.local.name,
            r.local
                .lads
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            r.wider.name,
            r.wider
                .lads
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        let generated = crate::templates::when(&levers_store::now_unix());
        ReportView {
            title,
            subtitle,
            r,
            headline,
            shares_chart,
            shares_rows,
            top_chart,
            sector_chart,
            ward_chart,
            trend_chart,
            trend_rows,
            ward_names,
            query,
            generated,
        }
    }

    pub fn money(&self, p: &i64) -> String {
        money(*p)
    }

    pub fn pct(&self, f: &f64) -> String {
        pct(*f)
    }

    pub fn points(&self, f: &f64) -> String {
        format!("{:+.1}", f)
    }

    pub fn signed_money(&self, p: &i64) -> String {
        if *p > 0 {
            format!("+{}", money(*p))
        } else {
            money(*p)
        }
    }

    pub fn ward_name(&self, code: &AreaCode) -> String {
        self.ward_names
            .get(code.as_str())
            .cloned()
            .unwrap_or_else(|| code.to_string())
    }

    pub fn size(&self, s: &levers_spend::analysis::SupplierRow) -> &'static str {
        if s.individual_redacted {
            return "Individual or redacted";
        }
        match s.size {
            levers_spend::classify::SizeClass::Sme => "SME",
            levers_spend::classify::SizeClass::Large => "Large",
            levers_spend::classify::SizeClass::Unknown => "Unknown",
        }
    }

    pub fn place(&self, s: &levers_spend::analysis::SupplierRow) -> &'static str {
        if s.local {
            "Local"
        } else if s.wider {
            "Wider area"
        } else if s.located {
            "Elsewhere"
        } else {
            "Not located"
        }
    }

    pub fn source(&self, s: &levers_spend::analysis::SupplierRow) -> &'static str {
        s.location_source.map_or("–", |l| l.label())
    }

    pub fn sector_link(&self, sector: &str) -> String {
        format!(
            "/procurement/analysis/sector?{}&sector={}",
            self.query,
            url(sector)
        )
    }

    pub fn sector_is_expense(&self) -> bool {
        self.r.settings.get("sector_basis").and_then(|v| v.as_str()) == Some("expense_type")
    }

    pub fn opportunity_share(&self) -> String {
        pct(self
            .r
            .settings
            .get("opportunity_share")
            .and_then(serde_json::Value::as_f64)
            .unwrap_or(0.5))
    }

    pub fn imd_label(&self) -> String {
        self.r
            .settings
            .get("imd")
            .and_then(|v| v.as_str())
            .unwrap_or("IMD")
            .to_string()
    }

    pub fn review_link(&self) -> String {
        format!(
            "/procurement/review?body={}&year={}",
            url(self.r.bodies.first().map_or("", String::as_str)),
            url(&self.r.year)
        )
    }

    pub fn multi_body(&self) -> bool {
        self.r.bodies.len() > 1
    }

    pub fn registered_office_share(&self) -> String {
        let p: i64 = self
            .r
            .all
            .location_sources
            .iter()
            .filter(|s| {
                matches!(
                    s.source,
                    Some(
                        levers_spend::analysis::LocationSource::CompaniesHouse
                            | levers_spend::analysis::LocationSource::CharityCommission
                    )
                )
            })
            .map(|s| s.pence)
            .sum();
        pct(if self.r.all.spend.analysed_pence > 0 {
            p as f64 / self.r.all.spend.analysed_pence as f64
        } else {
            0.0
        })
    }

    pub fn linked_share(&self) -> String {
        pct(self.r.all.shares.linked)
    }

    pub fn opp_names(&self, o: &levers_spend::analysis::Opportunity) -> String {
        o.local_suppliers
            .iter()
            .take(8)
            .map(|s| match &s.postcode {
                Some(p) => format!("{} ({p})", s.name),
                None => s.name.clone(),
            })
            .collect::<Vec<_>>()
            .join("; ")
            + if o.local_suppliers.len() > 8 {
                " …"
            } else {
                ""
            }
    }
}

/// Percent-encodes a query value.
pub fn url(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The standalone HTML report (inline styles, prints well).
#[derive(Template)]
#[template(path = "procurement/report.html")]
pub struct StandaloneReport<'a> {
    pub v: &'a ReportView,
}

pub fn report_html(v: &ReportView) -> Result<String, askama::Error> {
    StandaloneReport { v }.render()
}

fn csv_field(s: &str) -> String {
    // Cells that a spreadsheet would read as a formula are prefixed with an apostrophe.
    let s = if s.starts_with(['=', '+', '-', '@']) && s.parse::<f64>().is_err() {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// CSV export: `suppliers` (every analysed supplier), `sectors` or `wards`.
pub fn report_csv(r: &Report, table: &str) -> String {
    let mut o = String::new();
    let pounds = |p: i64| format!("{}.{:02}", p / 100, (p % 100).abs()).replace("-0.", "-0.");
    match table {
        "sectors" => {
            o.push_str("sector,analysed_pounds,local_pounds,wider_pounds,leakage_pounds,leakage_share,suppliers,local_suppliers\r\n");
            for s in &r.all.by_sector {
                let _ = write!(
                    o,
                    "{},{},{},{},{},{:.4},{},{}\r\n",
                    csv_field(&s.sector),
                    pounds(s.analysed_pence),
                    pounds(s.local_pence),
                    pounds(s.wider_pence),
                    pounds(s.leakage_pence),
                    s.leakage_share,
                    s.suppliers,
                    s.local_suppliers
                );
            }
        }
        "wards" => {
            o.push_str("ward_code,ward_name,pounds,share,suppliers,lsoas,lsoas_decile_1,lsoas_decile_1_2\r\n");
            for w in &r.all.by_ward {
                let _ = write!(
                    o,
                    "{},{},{},{:.4},{},{},{},{}\r\n",
                    w.code,
                    csv_field(w.name.as_deref().unwrap_or("")),
                    pounds(w.pence),
                    w.share,
                    w.suppliers,
                    w.lsoas,
                    w.lsoas_decile_1,
                    w.lsoas_decile_1_2
                );
            }
        }
        _ => {
            o.push_str("supplier,body,pounds,in_top_n,linked,place,postcode,ward_code,imd_decile,location_source,size,vcse,public,individual_or_redacted\r\n");
            let top: std::collections::HashSet<u32> = r.top_n_units();
            let units: Vec<u32> = (0..r.units.len() as u32)
                .filter(|&u| r.units[u as usize].net_pence > 0)
                .collect();
            for u in levers_spend::analysis::largest(&r.units, units, usize::MAX) {
                let s = r.unit_row(u);
                let place = if s.local {
                    "local"
                } else if s.wider {
                    "wider"
                } else if s.located {
                    "elsewhere"
                } else {
                    "not located"
                };
                let _ = write!(
                    o,
                    "{},{},{},{},{},{},{},{},{},{},{:?},{},{},{}\r\n",
                    csv_field(&s.name),
                    csv_field(&s.body),
                    pounds(s.pence),
                    top.contains(&u),
                    s.linked,
                    place,
                    s.postcode.as_deref().unwrap_or(""),
                    s.ward.as_deref().unwrap_or(""),
                    s.decile.map_or(String::new(), |d| d.to_string()),
                    s.location_source.map_or("", |l| l.key()),
                    s.size,
                    s.vcse,
                    s.public,
                    s.individual_redacted
                );
            }
        }
    }
    o
}

/// XLSX export: summary, sectors, wards, suppliers, opportunities, exclusions and match rates.
pub fn report_xlsx(r: &Report) -> Vec<u8> {
    use levers_xlsx::{Cell, Workbook};
    let mut wb = Workbook::new();
    {
        let s = wb.sheet("Summary");
        s.row([Cell::bold(format!(
            "Spend analysis {} — {}",
            r.year,
            r.bodies.join(", ")
        ))]);
        s.row([Cell::text(format!(
            "Local area: {} ({})",
            r.local.name,
            r.local
                .lads
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))]);
        s.row([Cell::text(format!(
            "Wider area: {} ({})",
            r.wider.name,
            r.wider
                .lads
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))]);
        s.header(["Measure", "All suppliers", "", "Top N", ""]);
        #[allow(clippy::type_complexity)]
        let rows: [(&str, fn(&levers_spend::analysis::Scope) -> (i64, f64)); 10] = [
            ("Analysed spend", |c| (c.spend.analysed_pence, 1.0)),
            ("Local", |c| (c.pounds.local_pence, c.shares.local)),
            ("Wider area", |c| (c.pounds.wider_pence, c.shares.wider)),
            ("Leakage", |c| (c.pounds.leakage_pence, c.shares.leakage)),
            ("Most deprived 10%", |c| {
                (c.pounds.deprived_decile_1_pence, c.shares.deprived_decile_1)
            }),
            ("Most deprived 20%", |c| {
                (
                    c.pounds.deprived_decile_1_2_pence,
                    c.shares.deprived_decile_1_2,
                )
            }),
            ("SME", |c| (c.pounds.sme_pence, c.shares.sme)),
            ("VCSE", |c| (c.pounds.vcse_pence, c.shares.vcse)),
            ("Public bodies", |c| {
                (c.pounds.public_pence, c.shares.public)
            }),
            ("Not located", |c| {
                (c.pounds.unlocated_pence, c.shares.unknown_location)
            }),
        ];
        for (label, f) in rows {
            let (ap, ashare) = f(&r.all);
            let (tp, tshare) = f(&r.top_n);
            s.row([
                Cell::text(label),
                Cell::pence(ap),
                Cell::percent(ashare),
                Cell::pence(tp),
                Cell::percent(tshare),
            ]);
        }
        s.row([
            Cell::text("Total spend"),
            Cell::pence(r.all.spend.total_pence),
        ]);
        s.row([
            Cell::text("Excluded"),
            Cell::pence(r.all.spend.excluded_pence),
        ]);
        s.row([Cell::text(
            "Contains public sector information licensed under the Open Government Licence v3.0.",
        )]);
        s.widths(&[40.0, 16.0, 10.0, 16.0, 10.0]);
    }
    {
        let s = wb.sheet("Sectors");
        s.header([
            "Sector",
            "Analysed",
            "Local",
            "Wider area",
            "Leakage",
            "Leakage share",
            "Suppliers",
            "Local suppliers",
        ]);
        for x in &r.all.by_sector {
            s.row([
                Cell::text(&x.sector),
                Cell::pence(x.analysed_pence),
                Cell::pence(x.local_pence),
                Cell::pence(x.wider_pence),
                Cell::pence(x.leakage_pence),
                Cell::percent(x.leakage_share),
                Cell::number(x.suppliers as f64),
                Cell::number(x.local_suppliers as f64),
            ]);
        }
    }
    {
        let s = wb.sheet("Wards");
        s.header([
            "Ward code",
            "Ward",
            "Spend",
            "Share",
            "Suppliers",
            "Neighbourhoods",
            "In decile 1",
            "In deciles 1-2",
        ]);
        for w in &r.all.by_ward {
            s.row([
                Cell::text(w.code.as_str()),
                Cell::text(w.name.clone().unwrap_or_default()),
                Cell::pence(w.pence),
                Cell::percent(w.share),
                Cell::number(w.suppliers as f64),
                Cell::number(f64::from(w.lsoas)),
                Cell::number(f64::from(w.lsoas_decile_1)),
                Cell::number(f64::from(w.lsoas_decile_1_2)),
            ]);
        }
    }
    {
        let s = wb.sheet("Top suppliers");
        s.header([
            "Supplier",
            "Body",
            "Spend",
            "Place",
            "Postcode",
            "IMD decile",
            "Location from",
        ]);
        for x in &r.top_n.top_suppliers {
            let place = if x.local {
                "Local"
            } else if x.wider {
                "Wider area"
            } else if x.located {
                "Elsewhere"
            } else {
                "Not located"
            };
            s.row([
                Cell::text(&x.name),
                Cell::text(&x.body),
                Cell::pence(x.pence),
                Cell::text(place),
                Cell::text(x.postcode.clone().unwrap_or_default()),
                Cell::text(x.decile.map_or(String::new(), |d| d.to_string())),
                Cell::text(x.location_source.map_or("", |l| l.label())),
            ]);
        }
    }
    {
        let s = wb.sheet("Opportunities");
        s.header([
            "Sector",
            "Analysed",
            "Leakage",
            "Leakage share",
            "Local suppliers of the sector",
        ]);
        for o in &r.all.opportunities {
            s.row([
                Cell::text(&o.sector),
                Cell::pence(o.analysed_pence),
                Cell::pence(o.leakage_pence),
                Cell::percent(o.leakage_share),
                Cell::text(
                    o.local_suppliers
                        .iter()
                        .map(|l| l.name.clone())
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
            ]);
        }
    }
    {
        let s = wb.sheet("Exclusions");
        s.header(["Rule", "Payments", "Excluded"]);
        for e in &r.exclusions {
            s.row([
                Cell::text(&e.label),
                Cell::number(e.payments as f64),
                Cell::pence(e.pence),
            ]);
        }
    }
    {
        let s = wb.sheet("Matching");
        s.header(["How the supplier was found", "Names", "Payments", "Spend"]);
        for m in &r.match_rates {
            s.row([
                Cell::text(&m.label),
                Cell::number(m.names as f64),
                Cell::number(m.payments as f64),
                Cell::pence(m.pence),
            ]);
        }
    }
    wb.to_bytes()
}

// ---------------------------------------------------------------------------------------------
// Pages.

/// The dashboard's filters as the query string carries them.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Filters {
    #[serde(default)]
    pub body: Vec<String>,
    pub year: Option<String>,
    pub baseline: Option<String>,
    pub top: Option<usize>,
    pub local: Option<String>,
    pub local_name: Option<String>,
    pub wider: Option<String>,
    pub wider_name: Option<String>,
    pub sector_basis: Option<String>,
    pub sector: Option<String>,
    pub unit: Option<u32>,
    pub table: Option<String>,
}

/// Reads repeated `body=` keys (serde_urlencoded cannot collect them into a Vec).
fn parse_filters(raw: Option<&str>) -> Filters {
    let mut f = Filters::default();
    for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        let v = v.trim().to_string();
        match k.as_ref() {
            "body" if !v.is_empty() => f.body.push(v),
            "year" if !v.is_empty() => f.year = Some(v),
            "baseline" if !v.is_empty() => f.baseline = Some(v),
            "top" => f.top = v.parse().ok(),
            "local" => f.local = Some(v),
            "local_name" => f.local_name = Some(v),
            "wider" => f.wider = Some(v),
            "wider_name" => f.wider_name = Some(v),
            "sector_basis" => f.sector_basis = Some(v),
            "sector" => f.sector = Some(v),
            "unit" => f.unit = v.parse().ok(),
            "table" => f.table = Some(v),
            _ => {}
        }
    }
    f
}

/// The filter form's state and what it resolves to.
pub struct FilterForm {
    pub bodies: Vec<(String, bool)>,
    pub years: Vec<String>,
    pub year: String,
    pub baseline: String,
    pub top: usize,
    pub local: String,
    pub local_name: String,
    pub wider: String,
    pub wider_name: String,
    pub sector_basis: String,
    pub errors: Vec<crate::templates::FieldError>,
}

impl FilterForm {
    pub fn query(&self) -> String {
        let mut q: Vec<String> = self
            .bodies
            .iter()
            .filter(|(_, on)| *on)
            .map(|(b, _)| format!("body={}", url(b)))
            .collect();
        q.push(format!("year={}", url(&self.year)));
        if !self.baseline.is_empty() {
            q.push(format!("baseline={}", url(&self.baseline)));
        }
        q.push(format!("top={}", self.top));
        q.push(format!("local={}", url(&self.local)));
        q.push(format!("local_name={}", url(&self.local_name)));
        q.push(format!("wider={}", url(&self.wider)));
        q.push(format!("wider_name={}", url(&self.wider_name)));
        q.push(format!("sector_basis={}", url(&self.sector_basis)));
        q.join("&")
    }
}

async fn filter_form(
    state: &AppState,
    f: &Filters,
) -> Result<(FilterForm, Option<AnalysisParams>), AppError> {
    let store = &state.store;
    let all_bodies = store.spend_bodies().await?;
    let chosen: Vec<String> = if f.body.is_empty() {
        all_bodies.first().cloned().into_iter().collect()
    } else {
        f.body
            .iter()
            .filter(|b| all_bodies.contains(b))
            .cloned()
            .collect()
    };
    let years = if chosen.is_empty() {
        Vec::new()
    } else {
        store.spend_years(&chosen).await?
    };
    let year = f
        .year
        .clone()
        .filter(|y| years.contains(y))
        .or_else(|| years.first().cloned())
        .unwrap_or_default();
    let setting =
        |k: &'static str| async move { store.setting(k).await.map(Option::unwrap_or_default) };
    let local = match &f.local {
        Some(s) => s.clone(),
        None => setting(LOCAL_LADS).await?,
    };
    let local_name = match &f.local_name {
        Some(s) if !s.is_empty() => s.clone(),
        _ => setting(LOCAL_NAME).await?,
    };
    let wider = match &f.wider {
        Some(s) => s.clone(),
        None => setting(WIDER_LADS).await?,
    };
    let wider_name = match &f.wider_name {
        Some(s) if !s.is_empty() => s.clone(),
        _ => setting(WIDER_NAME).await?,
    };
    let mut form = FilterForm {
        bodies: all_bodies
            .iter()
            .map(|b| (b.clone(), chosen.contains(b)))
            .collect(),
        years,
        year: year.clone(),
        baseline: f.baseline.clone().unwrap_or_default(),
        top: f.top.unwrap_or(300).clamp(1, 100_000),
        local,
        local_name,
        wider,
        wider_name,
        sector_basis: f
            .sector_basis
            .clone()
            .filter(|s| s == "supplier")
            .unwrap_or_else(|| "expense_type".into()),
        errors: Vec::new(),
    };
    use crate::templates::FieldError;
    let local_codes = parse_codes(&form.local)
        .map_err(|e| form.errors.push(FieldError::new("local", e)))
        .ok();
    let wider_codes = parse_codes(&form.wider)
        .map_err(|e| form.errors.push(FieldError::new("wider", e)))
        .ok();
    if local_codes.as_ref().is_some_and(Vec::is_empty) {
        form.errors.push(FieldError::new(
            "local",
            "Enter the district codes of the local area, like E08000009",
        ));
    }
    if chosen.is_empty() || year.is_empty() {
        return Ok((form, None));
    }
    let (Some(lc), Some(wc)) = (local_codes, wider_codes) else {
        return Ok((form, None));
    };
    if !form.errors.is_empty() {
        return Ok((form, None));
    }
    let name_of = |codes: &[AreaCode], given: &str| {
        if given.trim().is_empty() {
            codes
                .iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            given.trim().to_string()
        }
    };
    let params = AnalysisParams {
        bodies: chosen,
        year,
        local: Area {
            name: name_of(&lc, &form.local_name),
            lads: lc.clone(),
        },
        wider: Area {
            name: name_of(&wc, &form.wider_name),
            lads: wc,
        },
        top_n: form.top,
        baseline: Some(form.baseline.clone()).filter(|b| !b.is_empty()),
        imd: ImdChoice::Imd2019,
        sector: if form.sector_basis == "supplier" {
            SectorBasis::Supplier
        } else {
            SectorBasis::ExpenseType
        },
        use_registers: true,
    };
    Ok((form, Some(params)))
}

#[derive(Template)]
#[template(path = "procurement/dashboard.html")]
pub struct DashboardPage {
    pub chrome: Chrome,
    pub form: FilterForm,
    pub v: Option<ReportView>,
    pub errors: Vec<crate::templates::FieldError>,
    pub can_change: bool,
}

impl DashboardPage {
    pub fn err(&self, f: &str) -> Option<&str> {
        crate::templates::error_for(&self.form.errors, f)
    }
}

pub async fn dashboard(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    let f = parse_filters(uri.query());
    let (mut form, params) = filter_form(&state, &f).await?;
    let chrome = chrome(&state, &identity, "procurement", "Where the money goes").await?;
    let mut v = None;
    if let Some(p) = params {
        let geo = state.geo.get(&state.store).await?;
        let bodies = bodies_for(&state.store, &p).await?;
        let (report, _) = run(&state.store, &state.payments, geo.clone(), &bodies, &p).await?;
        let tr = trend(
            &state.store,
            &state.payments,
            geo.clone(),
            &bodies,
            &p,
            &form.years,
        )
        .await?;
        v = Some(ReportView::new(
            report,
            &geo,
            &tr,
            form.query(),
            &chrome.council,
        ));
    }
    let errors = std::mem::take(&mut form.errors);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    form.errors = Vec::new();
    let page = DashboardPage {
        chrome,
        form,
        v,
        errors,
        can_change: me.role.allows(levers_store::Role::Officer),
    };
    render_status(status, &page)
}

async fn report_for(
    state: &AppState,
    uri: &axum::http::Uri,
) -> Result<(Filters, ReportView, Arc<Payments>), AppError> {
    let f = parse_filters(uri.query());
    let (form, params) = filter_form(state, &f).await?;
    let p = params.ok_or(AppError::NotFound)?;
    let geo = state.geo.get(&state.store).await?;
    let (report, payments) = run(
        &state.store,
        &state.payments,
        geo.clone(),
        &bodies_for(&state.store, &p).await?,
        &p,
    )
    .await?;
    let council = state
        .store
        .setting(levers_store::settings::COUNCIL_NAME)
        .await?
        .unwrap_or_default();
    Ok((
        f,
        ReportView::new(report, &geo, &[], form.query(), &council),
        payments,
    ))
}

fn attachment(content_type: &'static str, name: String, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

fn file_stem(r: &Report) -> String {
    let b: String = r
        .bodies
        .join("-")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!(
        "spend-analysis-{}-{}",
        b.trim_matches('-'),
        r.year.replace('/', "-")
    )
}

pub async fn report_download(
    State(state): State<AppState>,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    let (_, v, _) = report_for(&state, &uri).await?;
    let html = report_html(&v).map_err(|e| AppError::Internal(e.into()))?;
    Ok(attachment(
        "text/html; charset=utf-8",
        format!("{}.html", file_stem(&v.r)),
        html.into_bytes(),
    ))
}

pub async fn export_csv(
    State(state): State<AppState>,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    let (f, v, _) = report_for(&state, &uri).await?;
    let table = f.table.as_deref().unwrap_or("suppliers");
    let table = if matches!(table, "suppliers" | "sectors" | "wards") {
        table
    } else {
        "suppliers"
    };
    Ok(attachment(
        "text/csv; charset=utf-8",
        format!("{}-{table}.csv", file_stem(&v.r)),
        report_csv(&v.r, table).into_bytes(),
    ))
}

pub async fn export_xlsx(
    State(state): State<AppState>,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    let (_, v, _) = report_for(&state, &uri).await?;
    Ok(attachment(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        format!("{}.xlsx", file_stem(&v.r)),
        report_xlsx(&v.r),
    ))
}

#[derive(Template)]
#[template(path = "procurement/sector.html")]
pub struct SectorPage {
    pub chrome: Chrome,
    pub v: ReportView,
    pub sector: String,
    pub rows: Vec<(levers_spend::analysis::SupplierRow, i64)>,
}

impl SectorPage {
    pub fn unit_link(&self, u: &u32) -> String {
        format!(
            "/procurement/analysis/supplier?{}&sector={}&unit={u}",
            self.v.query,
            url(&self.sector)
        )
    }
}

pub async fn sector(
    State(state): State<AppState>,
    identity: Identity,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    let (f, v, _) = report_for(&state, &uri).await?;
    let sector = f.sector.clone().ok_or(AppError::NotFound)?;
    let rows = v.r.sector_suppliers(&sector, false);
    if rows.is_empty() {
        return Err(AppError::NotFound);
    }
    let chrome = chrome(
        &state,
        &identity,
        "procurement",
        &format!("Suppliers of {sector}"),
    )
    .await?;
    render(&SectorPage {
        chrome,
        v,
        sector,
        rows,
    })
}

#[derive(Template)]
#[template(path = "procurement/supplier.html")]
pub struct SupplierPage {
    pub chrome: Chrome,
    pub v: ReportView,
    pub sector: Option<String>,
    pub row: levers_spend::analysis::SupplierRow,
    pub lines: Vec<levers_spend::analysis::PaymentLine>,
}

impl SupplierPage {
    pub fn date(&self, d: &Option<time::Date>) -> String {
        d.map_or_else(
            || "–".to_string(),
            |d| format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year()),
        )
    }
    pub fn back(&self) -> String {
        match &self.sector {
            Some(s) => self.v.sector_link(s),
            None => format!("/procurement/analysis?{}", self.v.query),
        }
    }
}

pub async fn supplier(
    State(state): State<AppState>,
    identity: Identity,
    uri: axum::http::Uri,
) -> Result<Response, AppError> {
    let (f, v, payments) = report_for(&state, &uri).await?;
    let unit = f
        .unit
        .filter(|u| (*u as usize) < v.r.units.len())
        .ok_or(AppError::NotFound)?;
    let lines = v.r.unit_payments(&payments, unit, f.sector.as_deref());
    let mut row = v.r.unit_row(unit);
    if let Some(w) = v.r.units[unit as usize].loc.ward {
        row.ward = Some(v.ward_name(&w));
    }
    let chrome = chrome(&state, &identity, "procurement", &row.name).await?;
    render(&SupplierPage {
        chrome,
        v,
        sector: f.sector,
        row,
        lines,
    })
}

// Review queue.

#[derive(Template)]
#[template(path = "procurement/review.html")]
pub struct ReviewPage {
    pub chrome: Chrome,
    pub body: String,
    pub bodies: Vec<String>,
    pub year: String,
    pub items: Vec<levers_spend::analysis::ReviewItem>,
    pub suppliers: Vec<(i64, String)>,
    pub decisions: Vec<levers_store::procurement::StoredDecision>,
    pub can_change: bool,
    pub done: Option<String>,
}

impl ReviewPage {
    pub fn money(&self, p: &i64) -> String {
        money(*p)
    }
    pub fn score(&self, s: &f64) -> String {
        format!("{:.0}%", s * 100.0)
    }
    pub fn when(&self, t: &i64) -> String {
        crate::templates::when(t)
    }
}

#[derive(Deserialize, Default)]
pub struct ReviewQuery {
    body: Option<String>,
    year: Option<String>,
    done: Option<String>,
}

pub async fn review(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Query(q): Query<ReviewQuery>,
) -> Result<Response, AppError> {
    let store = &state.store;
    let bodies = store.spend_bodies().await?;
    let body = q
        .body
        .filter(|b| bodies.contains(b))
        .or_else(|| bodies.first().cloned())
        .unwrap_or_default();
    let years = if body.is_empty() {
        vec![]
    } else {
        store.spend_years(std::slice::from_ref(&body)).await?
    };
    let year = q
        .year
        .filter(|y| years.contains(y))
        .or_else(|| years.first().cloned())
        .unwrap_or_default();
    let mut items = Vec::new();
    if !body.is_empty() && !year.is_empty() {
        // Matching does not depend on the areas: any will do.
        let p = AnalysisParams {
            bodies: vec![body.clone()],
            year: year.clone(),
            local: Area {
                name: String::new(),
                lads: vec![],
            },
            wider: Area {
                name: String::new(),
                lads: vec![],
            },
            top_n: 1,
            baseline: None,
            imd: ImdChoice::Imd2019,
            sector: SectorBasis::ExpenseType,
            use_registers: false,
        };
        let geo = state.geo.get(store).await?;
        items = run(
            store,
            &state.payments,
            geo,
            &bodies_for(store, &p).await?,
            &p,
        )
        .await?
        .0
        .review;
    }
    let suppliers = store
        .proc_suppliers(&body)
        .await?
        .into_iter()
        .map(|s| (s.id, s.record.name))
        .collect();
    let decisions = store.match_decisions(Some(&body)).await?;
    let chrome = chrome(
        &state,
        &identity,
        "procurement",
        "Supplier matches to review",
    )
    .await?;
    render(&ReviewPage {
        chrome,
        body,
        bodies,
        year,
        items,
        suppliers,
        decisions,
        can_change: me.role.allows(levers_store::Role::Officer),
        done: q.done,
    })
}

pub async fn decide(
    State(state): State<AppState>,
    CurrentUser(me): CurrentUser,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let get = |k: &str| {
        form.iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    };
    let (body, name, year, choice) = (get("body"), get("name"), get("year"), get("choice"));
    if name.is_empty() || body.is_empty() {
        return Err(AppError::NotFound);
    }
    let supplier = match choice.as_str() {
        "none" => None,
        "other" => Some(
            get("other")
                .parse::<i64>()
                .map_err(|_| AppError::NotFound)?,
        ),
        c => Some(
            c.strip_prefix("s:")
                .and_then(|s| s.parse::<i64>().ok())
                .ok_or(AppError::NotFound)?,
        ),
    };
    match state
        .store
        .decide_match(&actor(&me), &body, &name, supplier)
        .await
    {
        Ok(_) => {}
        Err(StoreError::NotFound(_) | StoreError::Conflict(_)) => return Err(AppError::NotFound),
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&format!(
        "/procurement/review?body={}&year={}&done={}",
        url(&body),
        url(&year),
        url(&normalise_name(&name))
    ))
    .into_response())
}

// Exclusion rules.

#[derive(Template)]
#[template(path = "procurement/rules.html")]
pub struct RulesPage {
    pub chrome: Chrome,
    pub rules: Vec<ExclusionRule>,
    pub can_change: bool,
    pub saved: bool,
    pub errors: Vec<crate::templates::FieldError>,
}

impl RulesPage {
    pub fn fields(&self) -> &'static [RuleField] {
        &RuleField::ALL
    }
    pub fn has(&self, r: &ExclusionRule, f: &RuleField) -> bool {
        r.fields.contains(f)
    }
    pub fn keywords(&self, r: &ExclusionRule) -> String {
        r.keywords.join("\n")
    }
    pub fn types(&self, r: &ExclusionRule) -> String {
        r.supplier_types.join(", ")
    }
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    saved: Option<String>,
}

pub async fn rules(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let rules = state.store.exclusion_rules().await?;
    let chrome = chrome(&state, &identity, "procurement", "Exclusion rules").await?;
    render(&RulesPage {
        chrome,
        rules,
        can_change: me.role.allows(levers_store::Role::Officer),
        saved: q.saved.is_some(),
        errors: vec![],
    })
}

/// Rules from the form: `key_N`, `label_N`, `enabled_N`, `field_N` (repeated), `keywords_N`,
/// `types_N`, for N = 0.. (the last, blank, adds a rule when given a label and keywords).
pub fn rules_from_form(form: &[(String, String)]) -> Result<Vec<ExclusionRule>, String> {
    let mut by: std::collections::BTreeMap<usize, ExclusionRule> =
        std::collections::BTreeMap::new();
    for (k, v) in form {
        let Some((name, n)) = k.rsplit_once('_') else {
            continue;
        };
        let Ok(n) = n.parse::<usize>() else { continue };
        let r = by.entry(n).or_insert_with(|| ExclusionRule {
            key: String::new(),
            label: String::new(),
            enabled: false,
            fields: vec![],
            keywords: vec![],
            supplier_types: vec![],
        });
        match name {
            "key" => r.key = v.trim().to_string(),
            "label" => r.label = v.trim().to_string(),
            "enabled" => r.enabled = true,
            "field" => {
                if let Some(f) = RuleField::from_key(v) {
                    r.fields.push(f);
                }
            }
            "keywords" => {
                r.keywords = v
                    .lines()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            }
            "types" => {
                r.supplier_types = v
                    .split(',')
                    .map(str::trim)
                    .filter(|s| matches!(*s, "public" | "individual"))
                    .map(str::to_string)
                    .collect()
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (n, mut r) in by {
        if r.label.is_empty() && r.keywords.is_empty() && r.key.is_empty() {
            continue;
        }
        if r.label.is_empty() {
            return Err(format!("Rule {} needs a name", n + 1));
        }
        if r.keywords.is_empty() && r.supplier_types.is_empty() {
            return Err(format!(
                "Rule \"{}\" needs at least one keyword or supplier type",
                r.label
            ));
        }
        if r.fields.is_empty() && !r.keywords.is_empty() {
            return Err(format!(
                "Rule \"{}\" needs at least one field to look in",
                r.label
            ));
        }
        if r.key.is_empty() {
            r.key = r
                .label
                .to_ascii_lowercase()
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
        }
        out.push(r);
    }
    Ok(out)
}

pub async fn save_rules(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let problem = match rules_from_form(&form) {
        Ok(rules) => match state.store.save_exclusion_rules(&actor(&me), &rules).await {
            Ok(()) => return Ok(Redirect::to("/procurement/rules?saved=1").into_response()),
            Err(StoreError::Conflict(m)) => m,
            Err(e) => return Err(e.into()),
        },
        Err(m) => m,
    };
    let rules = state.store.exclusion_rules().await?;
    let chrome = chrome(&state, &identity, "procurement", "Exclusion rules").await?;
    let page = RulesPage {
        chrome,
        rules,
        can_change: true,
        saved: false,
        errors: vec![crate::templates::FieldError::new("label_0", problem)],
    };
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

// Supplier records.

#[derive(Template)]
#[template(path = "procurement/suppliers.html")]
pub struct SuppliersPage {
    pub chrome: Chrome,
    pub body: String,
    pub bodies: Vec<String>,
    pub suppliers: Vec<levers_store::procurement::StoredSupplier>,
    pub imports: Vec<levers_store::procurement::SupplierImport>,
    pub can_change: bool,
    pub errors: Vec<crate::templates::FieldError>,
    pub result: Option<levers_spend::suppliers::SupplierFileReport>,
    pub max_mb: usize,
}

impl SuppliersPage {
    pub fn err(&self, f: &str) -> Option<&str> {
        crate::templates::error_for(&self.errors, f)
    }
    pub fn kind(&self, s: &levers_store::procurement::StoredSupplier) -> &'static str {
        s.record.declared_type.map_or("–", |t| t.label())
    }
    pub fn when(&self, t: &i64) -> String {
        crate::templates::when(t)
    }
}

#[derive(Deserialize, Default)]
pub struct BodyQuery {
    body: Option<String>,
}

async fn suppliers_page(
    state: &AppState,
    identity: &Identity,
    me: &User,
    body: Option<String>,
    errors: Vec<crate::templates::FieldError>,
    result: Option<levers_spend::suppliers::SupplierFileReport>,
) -> Result<SuppliersPage, AppError> {
    let bodies = state.store.spend_bodies().await?;
    let chrome = chrome(state, identity, "procurement", "Supplier records").await?;
    let body = body
        .filter(|b| !b.is_empty())
        .or_else(|| bodies.first().cloned())
        .unwrap_or_else(|| chrome.council.clone());
    let suppliers = state.store.proc_suppliers(&body).await?;
    let imports = state
        .store
        .proc_supplier_imports()
        .await?
        .into_iter()
        .filter(|i| i.body == body)
        .take(10)
        .collect();
    Ok(SuppliersPage {
        chrome,
        body,
        bodies,
        suppliers,
        imports,
        can_change: me.role.allows(levers_store::Role::Officer),
        errors,
        result,
        max_mb: crate::upload::SUPPLIER_FILE_BYTES / 1_048_576,
    })
}

pub async fn suppliers(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    Query(q): Query<BodyQuery>,
) -> Result<Response, AppError> {
    render(&suppliers_page(&state, &identity, &me, q.body, vec![], None).await?)
}

pub async fn upload_suppliers(
    State(state): State<AppState>,
    identity: Identity,
    CurrentUser(me): CurrentUser,
    form: Multipart,
) -> Result<Response, AppError> {
    require_officer(&me)?;
    let up = crate::upload::read(form, "suppliers.csv", crate::upload::SUPPLIER_FILE_BYTES).await?;
    let body = up.field("body").to_string();
    let (file_name, data) = (up.file_name, up.bytes);
    use crate::templates::FieldError;
    let mut errors = Vec::new();
    if body.is_empty() || body.chars().count() > 120 {
        errors.push(FieldError::new(
            "body",
            "Enter the name of the body whose supplier records these are (120 characters or fewer)",
        ));
    }
    if data.is_empty() {
        errors.push(FieldError::new(
            "file",
            "Select the supplier (creditor) file: CSV, XLS or XLSX",
        ));
    }
    if errors.is_empty() {
        let name = file_name.clone();
        let bytes = data.clone();
        let read = tokio::task::spawn_blocking(move || {
            levers_spend::suppliers::read_suppliers(&name, &bytes, &[])
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("{e}")))?;
        match read {
            Ok((recs, rep)) => {
                let sha = crate::spend::sha256_hex(&data);
                let rep_json =
                    serde_json::to_value(&rep).map_err(|e| AppError::Internal(e.into()))?;
                state
                    .store
                    .import_suppliers(&actor(&me), &body, &file_name, &sha, &recs, &rep_json)
                    .await?;
                return render(
                    &suppliers_page(&state, &identity, &me, Some(body), vec![], Some(rep)).await?,
                );
            }
            Err(e) => errors.push(FieldError::new("file", e.to_string())),
        }
    }
    let page = suppliers_page(&state, &identity, &me, Some(body), errors, None).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_read_from_the_form() {
        let f = |k: &str, v: &str| (k.to_string(), v.to_string());
        let form = vec![
            f("key_0", "levies"),
            f("label_0", "Levies"),
            f("enabled_0", "on"),
            f("field_0", "expense_type"),
            f("keywords_0", "levy\nprecept\n"),
            f("label_1", ""),
            f("keywords_1", ""),
            f("label_2", "Insurance"),
            f("field_2", "supplier_name"),
            f("keywords_2", "insurance"),
        ];
        let rules = rules_from_form(&form).unwrap();
        assert_eq!(rules.len(), 2);
        assert!(rules[0].enabled && rules[0].keywords == vec!["levy", "precept"]);
        assert_eq!(
            (rules[1].key.as_str(), rules[1].enabled),
            ("insurance", false)
        );
        assert!(
            rules_from_form(&[f("label_0", "X"), f("keywords_0", "y")])
                .unwrap_err()
                .contains("field")
        );
    }

    #[test]
    fn csv_cells_cannot_become_formulas() {
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-12.50"), "-12.50");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(
            parse_codes("E08000009, e08000001;E08000009").unwrap().len(),
            2
        );
        assert!(parse_codes("nope").is_err());
    }
}
