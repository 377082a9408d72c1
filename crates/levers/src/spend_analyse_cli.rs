//! `levers spend analyse` and `levers spend export`: the community wealth building spend analysis
//! of a year from the store, printed, as JSON, HTML or XLSX, or each payment's resolution written
//! as CSV or Parquet (`spend_export_cli.rs`).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::Args;
use levers_app::procurement::{AnalysisParams, parse_codes};
use levers_core::Money;
use levers_present::procurement_export::report_xlsx;
use levers_present::procurement_report::{ReportView, report_html};
use levers_spend::analysis::{Area, ImdChoice, SectorBasis};
use levers_store::Store;

/// The community wealth building spend analysis.
#[derive(Args, Debug)]
pub struct AnalyseArgs {
    /// The body or bodies (comma-separated) whose spend to analyse, as named in their spend imports.
    #[arg(long)]
    body: String,
    /// The financial year, e.g. 2024/25.
    #[arg(long)]
    year: String,
    /// District (LAD) codes of the local area, comma-separated.
    #[arg(long)]
    local: String,
    /// The local area's name (default: the districts' names).
    #[arg(long)]
    local_name: Option<String>,
    /// District codes of the wider area (county, combined authority, region); the local area is
    /// always counted in it.
    #[arg(long)]
    wider: String,
    #[arg(long)]
    wider_name: Option<String>,
    /// Analyse each body's top N suppliers by annual value, beside all suppliers.
    #[arg(long, default_value_t = 300)]
    top: usize,
    /// A baseline year to compare with (change in points and pounds).
    #[arg(long)]
    baseline: Option<String>,
    /// What sectors are: the council's expense types (expense), the payments' ProClass categories
    /// where the file gives them (proclass), or the supplier's own sector (supplier).
    #[arg(long, default_value = "expense")]
    sector: String,
    /// Which Indices of Deprivation give the deciles: 2019 or 2025.
    #[arg(long, default_value = "2019")]
    imd: String,
    /// Do not locate suppliers by registered office or charity contact address.
    #[arg(long)]
    no_registers: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Write the report as a standalone HTML file (prints well).
    #[arg(long)]
    html: Option<PathBuf>,
    /// Write the figures as an XLSX workbook.
    #[arg(long)]
    xlsx: Option<PathBuf>,
    #[arg(long, env = "LEVERS_DATABASE", default_value = "levers.db")]
    database: String,
}

use crate::progress::spinner;

pub async fn analyse_cmd(a: AnalyseArgs) -> anyhow::Result<()> {
    analyse_or_export(a, None).await
}

/// Export a year of payments with their supplier resolution and location.
#[derive(Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    pub analysis: AnalyseArgs,
    /// csv or parquet.
    #[arg(long, default_value = "csv")]
    pub format: String,
    /// The file to write.
    #[arg(long)]
    pub out: PathBuf,
}

/// The file formats `levers spend export` writes.
#[derive(Debug, Clone, Copy)]
pub enum ExportFormat {
    Csv,
    Parquet,
}

/// `levers spend export`: the analysis' resolution of every payment, written as a file.
pub async fn export_cmd(e: ExportArgs) -> anyhow::Result<()> {
    let format = match e.format.as_str() {
        "csv" => ExportFormat::Csv,
        "parquet" => ExportFormat::Parquet,
        f => bail!("--format {f}: use csv or parquet"),
    };
    analyse_or_export(e.analysis, Some((e.out, format))).await
}

async fn analyse_or_export(
    a: AnalyseArgs,
    export: Option<(PathBuf, ExportFormat)>,
) -> anyhow::Result<()> {
    let bodies: Vec<String> = a
        .body
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if bodies.is_empty() {
        bail!("--body names no body");
    }
    let local = parse_codes(&a.local).map_err(|e| anyhow::anyhow!("--local: {e}"))?;
    let wider = parse_codes(&a.wider).map_err(|e| anyhow::anyhow!("--wider: {e}"))?;
    if local.is_empty() {
        bail!(
            "--local names no district: give the local area's district codes, e.g. --local E07000123"
        );
    }
    let year: levers_core::FinancialYear = a
        .year
        .parse()
        .map_err(|e| anyhow::anyhow!("--year {}: {e}", a.year))?;
    let baseline = match &a.baseline {
        Some(b) => Some(
            b.parse::<levers_core::FinancialYear>()
                .map_err(|e| anyhow::anyhow!("--baseline {b}: {e}"))?
                .to_string(),
        ),
        None => None,
    };
    let sector = match a.sector.as_str() {
        "expense" | "expense_type" => SectorBasis::ExpenseType,
        "proclass" => SectorBasis::Proclass,
        "supplier" => SectorBasis::Supplier,
        s => bail!("--sector {s:?}: use expense, proclass or supplier"),
    };
    let imd = match a.imd.as_str() {
        "2019" => ImdChoice::Imd2019,
        "2025" => ImdChoice::Imd2025,
        s => bail!("--imd {s:?}: use 2019 or 2025"),
    };
    let store = Store::open(&a.database).await?;
    let known = store.spend_bodies().await?;
    for b in &bodies {
        if !known.contains(b) {
            bail!(
                "no spend is imported for {b:?}; bodies with spend: {}",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            );
        }
    }
    let bar = spinner("loading the geography");
    let geo = Arc::new(store.load_geo_index().await?);
    let name = |codes: &[levers_core::AreaCode], given: &Option<String>| match given {
        Some(n) if !n.trim().is_empty() => n.trim().to_string(),
        _ => codes
            .iter()
            .map(|c| geo.name(c).map_or_else(|| c.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(", "),
    };
    for c in local.iter().chain(&wider) {
        if !geo.knows(c) {
            eprintln!(
                "warning: district {c} is not in the loaded geography, so no supplier can be located in it (import the ONS postcode directory with levers geo import)"
            );
        }
    }
    let p = AnalysisParams {
        bodies: bodies.clone(),
        year: year.to_string(),
        local: Area {
            name: name(&local, &a.local_name),
            lads: local.clone(),
        },
        wider: Area {
            name: name(&wider, &a.wider_name),
            lads: wider.clone(),
        },
        top_n: a.top.max(1),
        baseline,
        imd,
        sector,
        use_registers: !a.no_registers,
    };
    bar.set_message("analysing");
    // One command reads the supplier records once and each year once (the trend chart of --html
    // reuses the year and baseline).
    let cache = levers_app::procurement::PaymentsCache::default();
    let analysed = levers_app::procurement::bodies_for(&store, &p).await?;
    let (report, payments) =
        levers_app::procurement::run(&store, &cache, geo.clone(), &analysed, &p).await?;
    bar.finish_and_clear();
    if let Some((out, format)) = export {
        let write = match format {
            ExportFormat::Csv => crate::spend_export_cli::write_csv,
            ExportFormat::Parquet => crate::spend_export_cli::write_parquet,
        };
        let n = write(&out, &bodies, &analysed, &report, &payments)
            .with_context(|| format!("cannot write {}", out.display()))?;
        eprintln!("wrote {n} payments to {}", out.display());
        return Ok(());
    }
    if payments.rows.is_empty() {
        eprintln!(
            "warning: no payments for {} in {}",
            bodies.join(", "),
            p.year
        );
    }
    if a.html.is_some() || a.xlsx.is_some() {
        let years = store.spend_years(&bodies).await?;
        let tr = levers_app::procurement::trend(&store, &cache, geo.clone(), &analysed, &p, &years)
            .await?;
        let view = ReportView::new(report.clone(), &geo, &tr, String::new());
        if let Some(path) = &a.html {
            std::fs::write(path, report_html(&view)?)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("wrote the report to {}", path.display());
        }
        if let Some(path) = &a.xlsx {
            std::fs::write(path, report_xlsx(&report))
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("wrote the figures to {}", path.display());
        }
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report.to_json())?);
        return Ok(());
    }
    if a.html.is_some() || a.xlsx.is_some() {
        return Ok(());
    }
    let pct = |f: f64| format!("{:.1}%", f * 100.0);
    for (label, sc) in [("All suppliers", &report.all), ("Top N", &report.top_n)] {
        let label = if let Some(n) = sc.n {
            format!("Each body's top {n} suppliers")
        } else {
            label.to_string()
        };
        println!("{label} ({}), {}:", bodies.join(", "), report.year);
        println!(
            "  total {}, excluded {}, analysed {} ({} suppliers, {} located)",
            Money::from_pence(sc.spend.total_pence),
            Money::from_pence(sc.spend.excluded_pence),
            Money::from_pence(sc.spend.analysed_pence),
            sc.suppliers.analysed,
            sc.suppliers.located
        );
        println!(
            "  local ({}) {} = {}; wider ({}) {} = {}; leakage {} = {}",
            report.local.name,
            pct(sc.shares.local),
            Money::from_pence(sc.pounds.local_pence),
            report.wider.name,
            pct(sc.shares.wider),
            Money::from_pence(sc.pounds.wider_pence),
            pct(sc.shares.leakage),
            Money::from_pence(sc.pounds.leakage_pence)
        );
        println!(
            "  most deprived 10% {}, 20% {}; SME {}, VCSE {}, public {}, not located {}",
            pct(sc.shares.deprived_decile_1),
            pct(sc.shares.deprived_decile_1_2),
            pct(sc.shares.sme),
            pct(sc.shares.vcse),
            pct(sc.shares.public),
            pct(sc.shares.unknown_location)
        );
    }
    for e in report.exclusions.iter().filter(|e| e.payments > 0) {
        println!(
            "  excluded by {:<45} {:>6} payments {}",
            e.label,
            e.payments,
            Money::from_pence(e.pence)
        );
    }
    for o in report.all.opportunities.iter().take(5) {
        println!(
            "  opportunity: {} leaks {} ({}); local suppliers: {}",
            o.sector,
            Money::from_pence(o.leakage_pence),
            pct(o.leakage_share),
            o.local_suppliers
                .iter()
                .take(5)
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if let Some(b) = &report.baseline {
        for c in &b.all {
            println!(
                "  since {}: {} {:+.1} points, {}",
                b.year,
                c.label,
                c.points,
                Money::from_pence(c.change_pence)
            );
        }
    }
    if !report.review.is_empty() {
        println!(
            "  {} names on payments are close to a supplier record and wait for review (web app: Procurement → Supplier matches to review)",
            report.review.len()
        );
    }
    Ok(())
}
