//! `levers contracts import|pipeline|matches`: contract registers and OCDS files into the store
//! (with a progress bar on a terminal), the pipeline of opportunities, and one opportunity's
//! possible local bidders and advice. The work is levers-app's `contracts`.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::bail;
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use levers_contracts::model::opt_date::{iso, parse};
use levers_store::{Actor, Store};

#[derive(Subcommand, Debug)]
pub enum ContractsCommand {
    /// Import OCDS files (release or record packages, JSON Lines) or contract registers (CSV/XLSX).
    Import(ImportArgs),
    /// Contracts ending or reaching a renewal decision within the horizon, and planned or open
    /// procurements.
    Pipeline(PipelineArgs),
    /// Who could bid for one opportunity, with evidence, and how to buy it so they can.
    Matches(MatchesArgs),
}

#[derive(Args, Debug)]
pub struct DbArg {
    /// The database: a SQLite file path or postgres://user:pass@host/db.
    #[arg(long, env = "LEVERS_DATABASE", default_value = "levers.db")]
    pub database: String,
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// The council that publishes a contract register (ignored for OCDS files).
    #[arg(long, default_value = "")]
    pub body: String,
    #[arg(long)]
    pub json: bool,
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

#[derive(Args, Debug)]
pub struct PipelineArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// Months ahead to look.
    #[arg(long, default_value_t = levers_contracts::pipeline::DEFAULT_HORIZON_MONTHS)]
    pub horizon: u32,
    /// The date to look from (YYYY-MM-DD); today by default.
    #[arg(long)]
    pub today: Option<String>,
    /// Leave the procurement analysis out (no leaking sectors).
    #[arg(long)]
    pub no_analysis: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct MatchesArgs {
    #[command(flatten)]
    pub db: DbArg,
    /// The contract's key as the pipeline lists it (`ocds:…` or `register:…`).
    pub key: String,
    /// The area named in the advice on reservation (by default the local area's name and its
    /// bordering counties).
    #[arg(long)]
    pub area: Option<String>,
    /// Leave the procurement analysis out (no local suppliers).
    #[arg(long)]
    pub no_analysis: bool,
    #[arg(long)]
    pub today: Option<String>,
    #[arg(long)]
    pub json: bool,
}

fn today(given: &Option<String>) -> anyhow::Result<time::Date> {
    match given {
        Some(s) => parse(s).ok_or_else(|| anyhow::anyhow!("--today {s}: expected YYYY-MM-DD")),
        None => Ok(time::OffsetDateTime::now_utc().date()),
    }
}

pub async fn run(cmd: ContractsCommand) -> anyhow::Result<()> {
    match cmd {
        ContractsCommand::Import(a) => import(a).await,
        ContractsCommand::Pipeline(a) => pipeline(a).await,
        ContractsCommand::Matches(a) => matches(a).await,
    }
}

async fn import(a: ImportArgs) -> anyhow::Result<()> {
    let store = Store::open(&a.db.database).await?;
    let actor = Actor::system("levers contracts import");
    let mut outs = Vec::new();
    for f in &a.files {
        let len = std::fs::metadata(f).map(|m| m.len()).unwrap_or(0);
        let bar = ProgressBar::new(len);
        if !std::io::stderr().is_terminal() {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        if let Ok(s) = ProgressStyle::with_template("{msg} {bar:30} {bytes}/{total_bytes} {eta}") {
            bar.set_style(s);
        }
        bar.set_message(f.display().to_string());
        let out = levers_app::contracts::import_file(&store, &actor, f, &a.body, &|n| {
            bar.set_position(n)
        })
        .await;
        bar.finish_and_clear();
        let out = out?;
        if !a.json {
            let i = &out.import;
            println!(
                "{}: {} read = {} new + {} updated + {} older + {} duplicates + {} rejected",
                i.file_name, i.records_read, i.new, i.updated, i.older, i.duplicates, i.rejected
            );
            if let Some(rs) = out
                .report
                .get("rejections")
                .or_else(|| out.report.get("rejected"))
                .and_then(|v| v.as_array())
            {
                for r in rs.iter().take(20) {
                    println!("  rejected: {r}");
                }
            }
        }
        outs.push(out);
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&outs)?);
    }
    Ok(())
}

/// The procurement analysis's leaking sectors and suppliers (when spend and a local area are set).
async fn evidence(
    store: &Store,
    skip: bool,
) -> anyhow::Result<levers_app::contracts::AnalysisEvidence> {
    if skip {
        return Ok(levers_app::contracts::AnalysisEvidence::default());
    }
    let geo = std::sync::Arc::new(store.load_geo_index().await?);
    let cache = levers_app::procurement::PaymentsCache::default();
    let ev = levers_app::contracts::analysis_evidence(store, &cache, geo).await?;
    if ev.year.is_none() {
        eprintln!(
            "note: no spend or no local area is set, so leaking sectors and local suppliers are not used (import spend and set the local area on the procurement page)"
        );
    }
    Ok(ev)
}

async fn pipeline(a: PipelineArgs) -> anyhow::Result<()> {
    let store = Store::open(&a.db.database).await?;
    let ev = evidence(&store, a.no_analysis).await?;
    let ops =
        levers_app::contracts::pipeline(&store, today(&a.today)?, a.horizon, ev.leaking).await?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&ops)?);
        return Ok(());
    }
    if ops.is_empty() {
        println!("no contract ends or is planned within {} months", a.horizon);
    }
    for o in &ops {
        println!(
            "{}\t{}\t{}\t{}\t{}\t{}",
            o.date.map(iso).unwrap_or_else(|| "-".into()),
            o.why.label(),
            o.value.map(|m| m.to_string()).unwrap_or_else(|| "-".into()),
            o.title,
            o.category,
            o.key
        );
        if let Some(l) = &o.leak {
            println!("\tfirst: {}", l.reason());
        }
    }
    Ok(())
}

async fn matches(a: MatchesArgs) -> anyhow::Result<()> {
    let store = Store::open(&a.db.database).await?;
    let ev = evidence(&store, a.no_analysis).await?;
    let area = a.area.clone().unwrap_or(ev.area_name);
    let Some(d) =
        levers_app::contracts::opportunity(&store, &a.key, &ev.candidates, &area, today(&a.today)?)
            .await?
    else {
        bail!(
            "no contract {:?}: `levers contracts pipeline` lists the keys",
            a.key
        );
    };
    if a.json {
        println!("{}", serde_json::to_string_pretty(&d)?);
        return Ok(());
    }
    println!("{}", d.contract.title);
    for m in &d.matches {
        println!("  {} (score {})", m.name, m.score);
        for e in &m.evidence {
            println!("    - {}", e.text);
        }
    }
    for p in &d.advice.points {
        println!("{}: {}\n  basis: {}", p.heading, p.text, p.basis);
    }
    println!("{}", d.mapping_caveat);
    Ok(())
}
