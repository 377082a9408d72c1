//! `levers strategy …`: the council's strategy from the shell: list strategies, show one with each
//! objective's status, the cabinet report (JSON, standalone HTML, XLSX), and every measure levers
//! computes from its own records.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Subcommand;
use levers_app::geo::GeoCache;
use levers_app::procurement::PaymentsCache;
use levers_app::strategy::{all_computed, evaluate, today};
use levers_store::Store;
use levers_strategy::Metric;
use levers_strategy::StrategyView;
use serde_json::json;

#[derive(Subcommand, Debug)]
pub enum StrategyCommand {
    /// The strategies recorded, newest first.
    List {
        #[arg(long)]
        json: bool,
        #[arg(long, env = "LEVERS_DATABASE", default_value = "levers.db")]
        database: String,
    },
    /// A strategy's objectives with their status against target and each measure's latest value.
    Show {
        /// The strategy's number (see `levers strategy list`); default: the newest.
        id: Option<i64>,
        #[arg(long)]
        json: bool,
        #[arg(long, env = "LEVERS_DATABASE", default_value = "levers.db")]
        database: String,
    },
    /// The annual "how our levers landed" report for cabinet: JSON on standard output (--json), or
    /// the standalone HTML (prints on A4) and the workbook of every figure written to files.
    Report {
        id: Option<i64>,
        #[arg(long)]
        json: bool,
        #[arg(long)]
        html: Option<PathBuf>,
        #[arg(long)]
        xlsx: Option<PathBuf>,
        #[arg(long, env = "LEVERS_DATABASE", default_value = "levers.db")]
        database: String,
    },
    /// Every measure levers computes from its own records, by year, from the code that draws each
    /// lever's own pages.
    Measures {
        #[arg(long)]
        json: bool,
        #[arg(long, env = "LEVERS_DATABASE", default_value = "levers.db")]
        database: String,
    },
}

async fn view(store: &Store, id: Option<i64>) -> anyhow::Result<StrategyView> {
    let id = match id {
        Some(id) => id,
        None => match store.strategies().await?.first() {
            Some(s) => s.id,
            None => bail!(
                "no strategy is recorded: add one on the Strategy page of the web app (or run `levers demo`)"
            ),
        },
    };
    let geo = GeoCache::default().get(store).await?;
    evaluate(store, &PaymentsCache::default(), geo, id, today())
        .await?
        .with_context(|| format!("there is no strategy {id}: see `levers strategy list`"))
}

pub async fn run(cmd: StrategyCommand) -> anyhow::Result<()> {
    match cmd {
        StrategyCommand::List { json, database } => {
            let store = Store::open(&database).await?;
            let list = store.strategies().await?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&json!({ "strategies": list }))?
                );
            } else if list.is_empty() {
                println!("No strategy is recorded yet.");
            } else {
                for s in list {
                    println!(
                        "{}\t{}\t{} to {}\t{} objectives{}",
                        s.id,
                        s.name,
                        s.first_year,
                        s.last_year,
                        s.objectives,
                        if s.published { "\tpublished" } else { "" }
                    );
                }
            }
            Ok(())
        }
        StrategyCommand::Show { id, json, database } => {
            let store = Store::open(&database).await?;
            let v = view(&store, id).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&v.to_json())?);
                return Ok(());
            }
            println!(
                "{} ({} to {}), as of {}",
                v.name, v.first_year, v.last_year, v.as_of
            );
            println!(
                "{} on track, {} at risk, {} off track, {} without data",
                v.counts.on_track, v.counts.at_risk, v.counts.off_track, v.counts.no_data
            );
            for o in &v.objectives {
                println!(
                    "\n{} {} [{}] owner: {}",
                    o.code,
                    o.title,
                    o.status.label(),
                    o.owner
                );
                for m in &o.measures {
                    let u = &m.measure.unit;
                    let a = &m.assessment;
                    println!(
                        "  {:<60} {:>10} in {:<8} trajectory {:>10}  {}",
                        m.measure.name,
                        a.actual.map_or_else(|| "–".into(), |x| u.show(x)),
                        a.year.map_or_else(|| "–".into(), |y| y.to_string()),
                        a.expected.map_or_else(|| "–".into(), |x| u.show(x)),
                        a.status.label()
                    );
                }
            }
            println!("\nThe rule: {}", v.rule);
            Ok(())
        }
        StrategyCommand::Report {
            id,
            json,
            html,
            xlsx,
            database,
        } => {
            let store = Store::open(&database).await?;
            let v = view(&store, id).await?;
            let council = store
                .setting(levers_store::settings::COUNCIL_NAME)
                .await?
                .unwrap_or_default();
            if html.is_none() && xlsx.is_none() && !json {
                bail!("say what to write: --json, --html FILE and/or --xlsx FILE");
            }
            if let Some(path) = html {
                let page = levers_present::strategy_report::standalone_html(&v, &council)?;
                std::fs::write(&path, page)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                eprintln!("wrote {}", path.display());
            }
            if let Some(path) = xlsx {
                std::fs::write(&path, levers_present::strategy_report::workbook(&v))
                    .with_context(|| format!("cannot write {}", path.display()))?;
                eprintln!("wrote {}", path.display());
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&v.to_json())?);
            }
            Ok(())
        }
        StrategyCommand::Measures { json, database } => {
            let store = Store::open(&database).await?;
            let geo = GeoCache::default().get(&store).await?;
            let all = all_computed(&store, &PaymentsCache::default(), geo, today()).await?;
            if json {
                let list: Vec<_> = Metric::ALL
                    .iter()
                    .map(|m| {
                        json!({
                            "metric": m.key(), "label": m.label(), "lever": m.lever().key(),
                            "unit": m.unit().key(), "source": m.source_name(), "page": m.page(),
                            "values": all.get(m).cloned().unwrap_or_default(),
                        })
                    })
                    .collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(&json!({ "measures": list }))?
                );
                return Ok(());
            }
            for m in Metric::ALL {
                println!("{} ({})", m.label(), m.key());
                match all.get(&m) {
                    Some(values) if !values.is_empty() => {
                        for o in values {
                            println!(
                                "  {:<8} {:>14}  {}",
                                o.year,
                                m.unit().show(o.value),
                                o.period
                            );
                        }
                    }
                    _ => println!("  no records yet"),
                }
            }
            Ok(())
        }
    }
}
