//! `levers spend suppliers import`, `levers spend registers import`, `levers spend lm3` and
//! `levers spend analyse`: the council's supplier records, the public registers, the local multiplier
//! and the community wealth building spend analysis from the shell.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use levers_app::procurement::{AnalysisParams, parse_codes};
use levers_core::Money;
use levers_present::procurement_export::report_xlsx;
use levers_present::procurement_report::{ReportView, report_html};
use levers_spend::analysis::{Area, ImdChoice, SectorBasis};
use levers_spend::lm3::{Lm3Inputs, Lm3Responses, SURVEY_TEMPLATE, lm3, lm3_from_survey, lm3_json};
use levers_spend::registers::read_register;
use levers_spend::suppliers::{SupplierField, read_suppliers};
use levers_store::{Actor, Store};

#[derive(Subcommand, Debug)]
pub enum SuppliersCommand {
    /// Import a body's supplier (creditor) master file: supplier ID, name, postcode, branch postcodes,
    /// company, charity and VAT numbers, type, sector. Headers are recognised as for spending files;
    /// suppliers already held (same ID, or same name when there is none) are updated.
    Import {
        file: PathBuf,
        /// The council or other body whose suppliers these are (as named in its spend imports).
        #[arg(long)]
        body: String,
        /// Choose a column by its header: `--map postcode="Remit Post Code"`. Fields: supplier_id, name,
        /// postcode, branch_postcodes, company_number, charity_number, vat_number, declared_type, sector.
        #[arg(long = "map")]
        map: Vec<String>,
        #[arg(long, env = "LEVERS_DATABASE", default_value = "levers.db")]
        database: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum RegistersCommand {
    /// Import Companies House basic company data (BasicCompanyData*.csv) or the Charity Commission
    /// register extract (publicextract.charity.txt or .csv), recognised by their headers. Only the
    /// companies and charities whose numbers appear on supplier records or payments are kept, unless
    /// --all is given; the files stream, so the full national files are fine.
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Keep every record, not only those of known suppliers.
        #[arg(long)]
        all: bool,
        #[arg(long, env = "LEVERS_DATABASE", default_value = "levers.db")]
        database: String,
        #[arg(long)]
        json: bool,
    },
}

/// The local multiplier (NEF LM3): from direct figures, or from a survey file.
#[derive(Args, Debug)]
pub struct Lm3Args {
    /// Round 1: the income traced (e.g. a contract's value), in pounds.
    #[arg(long)]
    r1: Option<String>,
    /// Round 2: the recipient's spending on staff who live in the area, in pounds.
    #[arg(long)]
    r2_staff: Option<String>,
    /// Round 2: the recipient's spending with local suppliers, in pounds.
    #[arg(long)]
    r2_suppliers: Option<String>,
    /// Round 3: the share of their pay local staff spend locally (0.454 or 45.4%).
    #[arg(long)]
    r3_staff_share: Option<String>,
    /// Round 3: the share of their income local suppliers spend locally.
    #[arg(long)]
    r3_supplier_share: Option<String>,
    /// A survey file (CSV or spreadsheet; write a template with --template).
    #[arg(long, conflicts_with_all = ["r1", "r2_staff", "r2_suppliers", "r3_staff_share", "r3_supplier_share"])]
    survey: Option<PathBuf>,
    /// Write the survey template to this file and stop.
    #[arg(long)]
    template: Option<PathBuf>,
    #[arg(long)]
    json: bool,
}

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

use crate::progress::{bytes_bar, spinner};

fn supplier_map(specs: &[String]) -> anyhow::Result<Vec<(SupplierField, String)>> {
    let mut out = Vec::new();
    for spec in specs {
        let (f, h) = spec
            .split_once('=')
            .with_context(|| format!("--map {spec:?} has no '=': write field=\"Header\""))?;
        let field = SupplierField::ALL
            .into_iter()
            .find(|x| x.name() == f.trim())
            .with_context(|| {
                format!(
                    "--map {spec:?}: \"{}\" is not a field; fields are {}",
                    f.trim(),
                    SupplierField::ALL
                        .iter()
                        .map(|x| x.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
        out.push((field, h.trim().trim_matches('"').to_string()));
    }
    Ok(out)
}

pub async fn suppliers(cmd: SuppliersCommand) -> anyhow::Result<()> {
    let SuppliersCommand::Import {
        file,
        body,
        map,
        database,
        json,
    } = cmd;
    let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
    let name = file.display().to_string();
    let (records, report) = read_suppliers(&name, &bytes, &supplier_map(&map)?)?;
    let store = Store::open(&database).await?;
    let sha = levers_app::credentials::sha256_hex(&bytes);
    let counts = store
        .import_suppliers(
            &Actor::system("cli"),
            &body,
            &name,
            &sha,
            &records,
            &serde_json::to_value(&report)?,
        )
        .await
        .with_context(|| format!("{name} was not imported (nothing from it was stored)"))?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({"body": body, "import": counts, "report": report})
            )?
        );
    } else {
        print!("{}", report.render_text());
        println!(
            "  stored for {body}: {} new, {} updated",
            counts.added, counts.updated
        );
    }
    Ok(())
}

pub async fn registers(cmd: RegistersCommand) -> anyhow::Result<()> {
    let RegistersCommand::Import {
        files,
        all,
        database,
        json,
    } = cmd;
    let store = Store::open(&database).await?;
    let (companies, charities) = store.proc_wanted_numbers().await?;
    let mut out = Vec::new();
    for path in files {
        let name = path.display().to_string();
        let f = std::fs::File::open(&path).with_context(|| format!("cannot read {name}"))?;
        let len = f.metadata().map_or(0, |m| m.len());
        let bar = bytes_bar(&format!("reading {name}"), len);
        let f = bar.wrap_read(f);
        let mut kept = Vec::new();
        let report = read_register(
            &name,
            f,
            |r| {
                all || match r {
                    levers_spend::registers::RegisterRecord::Company(c) => {
                        companies.contains(&c.number)
                    }
                    levers_spend::registers::RegisterRecord::Charity(c) => {
                        charities.contains(&c.number)
                            || c.company_number
                                .as_ref()
                                .is_some_and(|n| companies.contains(n))
                    }
                }
            },
            |r| kept.push(r),
        )?;
        bar.finish_and_clear();
        let id = store
            .import_register(
                &Actor::system("cli"),
                report.kind,
                &name,
                &kept,
                &serde_json::to_value(&report)?,
            )
            .await?;
        if json {
            out.push(serde_json::json!({"file": name, "import_id": id, "report": report}));
        } else {
            print!("{}", report.render_text());
        }
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&out)?);
    }
    Ok(())
}

fn pounds_arg(name: &str, v: &Option<String>) -> anyhow::Result<Money> {
    let s = v
        .as_deref()
        .with_context(|| format!("--{name} is needed (or give --survey FILE)"))?;
    levers_spend::parse_amount(s).map_err(|e| anyhow::anyhow!("--{name} {s:?}: {e}"))
}

fn share_arg(name: &str, v: &Option<String>) -> anyhow::Result<f64> {
    let s = v
        .as_deref()
        .with_context(|| format!("--{name} is needed (or give --survey FILE)"))?;
    levers_spend::lm3::parse_share(s)
        .with_context(|| format!("--{name} {s:?} is not a share between 0 and 1 (or 0% and 100%)"))
}

pub fn lm3_cmd(a: Lm3Args) -> anyhow::Result<()> {
    if let Some(t) = &a.template {
        std::fs::write(t, SURVEY_TEMPLATE)
            .with_context(|| format!("cannot write {}", t.display()))?;
        println!("wrote the LM3 survey template to {}", t.display());
        return Ok(());
    }
    let (result, survey) = match &a.survey {
        Some(path) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            let rep = lm3_from_survey(&path.display().to_string(), &bytes)?;
            (rep.lm3, Some(rep))
        }
        None => {
            let inputs = Lm3Inputs {
                r1: pounds_arg("r1", &a.r1)?,
                r2_staff: pounds_arg("r2-staff", &a.r2_staff)?,
                r2_suppliers: pounds_arg("r2-suppliers", &a.r2_suppliers)?,
                r3_staff_share: share_arg("r3-staff-share", &a.r3_staff_share)?,
                r3_supplier_share: share_arg("r3-supplier-share", &a.r3_supplier_share)?,
            };
            let one = Lm3Responses {
                r1: 1,
                r2_staff: 1,
                r2_suppliers: 1,
                r3_staff: 1,
                r3_suppliers: 1,
            };
            (lm3(inputs, one)?, None)
        }
    };
    if a.json {
        let mut j = lm3_json(&result);
        if let Some(rep) = &survey {
            // The survey mode adds the responses behind each figure after the four figures.
            j.pop();
            j.push_str(&format!(
                ",\"r3_staff_share\":{},\"r3_supplier_share\":{},\"responses\":{},\"rejected\":{}}}",
                serde_json::json!(rep.lm3.inputs.r3_staff_share),
                serde_json::json!(rep.lm3.inputs.r3_supplier_share),
                serde_json::to_string(&rep.lm3.responses)?,
                serde_json::to_string(&rep.rejections)?
            ));
        }
        println!("{j}");
        return Ok(());
    }
    let r = &result;
    let n = |k: u64| {
        if survey.is_some() {
            format!(" ({k} responses)")
        } else {
            String::new()
        }
    };
    println!(
        "Round 1, income traced:            {}{}",
        r.inputs.r1,
        n(r.responses.r1)
    );
    println!(
        "Round 2, local staff:              {}{}",
        r.inputs.r2_staff,
        n(r.responses.r2_staff)
    );
    println!(
        "Round 2, local suppliers:          {}{}",
        r.inputs.r2_suppliers,
        n(r.responses.r2_suppliers)
    );
    println!(
        "Round 3, staff re-spend {:>6.1}%:    {}{}",
        r.inputs.r3_staff_share * 100.0,
        r.r3_staff,
        n(r.responses.r3_staff)
    );
    println!(
        "Round 3, supplier re-spend {:>6.1}%: {}{}",
        r.inputs.r3_supplier_share * 100.0,
        r.r3_suppliers,
        n(r.responses.r3_suppliers)
    );
    println!(
        "LM3 = ({} + {} + {}) / {} = {:.4}",
        r.inputs.r1, r.r2, r.r3, r.inputs.r1, r.lm3
    );
    if let Some(rep) = &survey {
        for x in &rep.rejections {
            println!("  line {}, {}: {:?} {}", x.line, x.field, x.value, x.reason);
        }
    }
    Ok(())
}

pub async fn analyse_cmd(a: AnalyseArgs) -> anyhow::Result<()> {
    analyse_or_export(a, None).await
}

/// Export a year of payments with their supplier resolution and location.
#[derive(Args, Debug)]
pub struct ExportArgs {
    #[command(flatten)]
    pub analysis: AnalyseArgs,
    /// csv (parquet is not built yet: convert the CSV with DuckDB's COPY … TO 'file.parquet').
    #[arg(long, default_value = "csv")]
    pub format: String,
    /// The file to write.
    #[arg(long)]
    pub out: PathBuf,
}

/// `levers spend export`: the analysis' resolution of every payment, written as a file.
pub async fn export_cmd(e: ExportArgs) -> anyhow::Result<()> {
    if e.format != "csv" {
        bail!(
            "--format {}: only csv is built so far; convert with DuckDB: COPY (SELECT * FROM 'payments.csv') TO 'payments.parquet'",
            e.format
        );
    }
    analyse_or_export(e.analysis, Some(e.out)).await
}

async fn analyse_or_export(a: AnalyseArgs, export: Option<PathBuf>) -> anyhow::Result<()> {
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
    if let Some(out) = export {
        let n = crate::spend_export_cli::write_csv(&out, &bodies, &analysed, &report, &payments)
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
