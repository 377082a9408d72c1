//! `levers appraisal …`: run an appraisal written as TOML, search and import the unit cost library,
//! import deflators, and write a starting template.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use levers_appraisal::{
    Appraisal, Deflators, Results, UnitCost, pounds, read_unit_costs, read_unit_costs_xlsx,
    resolve, results, search_costs,
};
use levers_store::{Actor, Store};

/// The example in docs/appraisal-toml.md, written by `levers appraisal template`.
pub const TEMPLATE: &str = include_str!("../../../docs/appraisal-example.toml");

#[derive(clap::Subcommand, Debug)]
pub enum AppraisalCommand {
    /// Appraise an intervention written as TOML (see docs/appraisal-toml.md): outcomes first, then
    /// budget impact, returns, public value, who pays and who benefits, and sensitivity.
    Run {
        /// The appraisal file.
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        source: LibrarySource,
    },
    /// The unit cost library: search it, or import a table.
    #[command(subcommand)]
    Costs(CostsCommand),
    /// Import a GDP deflator table (a CSV of fin_year, pct_change_on_previous_year, or the Unit Cost
    /// Database workbook) into the database.
    Deflators {
        /// The CSV file.
        file: PathBuf,
        #[command(flatten)]
        db: crate::DbArgs,
    },
    /// Print a commented example appraisal to start from.
    Template,
}

#[derive(clap::Subcommand, Debug)]
pub enum CostsCommand {
    /// Find unit costs whose code, description, category or agency contain every word of TEXT.
    Search {
        /// Words to look for.
        #[arg(required = true)]
        text: Vec<String>,
        /// At most this many results.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        source: LibrarySource,
    },
    /// Import a unit cost table (the Unit Cost Database CSV or workbook, or a council's own table in
    /// the same columns) into the database. Re-importing a name replaces that library.
    Import {
        /// The .csv or .xlsx file.
        file: PathBuf,
        /// The library's name (default: the file name).
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        db: crate::DbArgs,
    },
}

/// Where unit costs and deflators come from: files given here, else the database.
#[derive(clap::Args, Debug)]
pub struct LibrarySource {
    /// A unit cost table (.csv or .xlsx) to use instead of the database's library.
    #[arg(long)]
    library: Option<PathBuf>,
    /// A deflator table (.csv, or the workbook) to use instead of the database's. A workbook given as
    /// --library brings its own.
    #[arg(long)]
    deflators: Option<PathBuf>,
    /// The database whose library and deflators to use when no file is given.
    #[arg(long, env = "LEVERS_DATABASE", default_value = "levers.db")]
    database: String,
}

/// A deflator table from a CSV, or from the Unit Cost Database workbook's Lookups sheet.
fn read_deflators(path: &Path) -> Result<Deflators> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let name = path.display().to_string();
    if bytes.starts_with(b"PK") {
        Deflators::from_xlsx(&name, &bytes)?.with_context(|| {
            format!("{name} has no deflator table (a Lookups sheet with years and % changes)")
        })
    } else {
        Ok(Deflators::from_csv(&name, &bytes)?)
    }
}

fn read_library(path: &Path) -> Result<Vec<UnitCost>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let name = path.display().to_string();
    let (costs, report) = if bytes.starts_with(b"PK") {
        read_unit_costs_xlsx(&name, &bytes)?
    } else {
        read_unit_costs(&name, &bytes)?
    };
    for (line, why) in report.rejected.iter().take(5) {
        eprintln!("warning: {name}, row {line}: {why} (left out)");
    }
    Ok(costs)
}

impl LibrarySource {
    /// The library and the deflators, from the files given or the database. A database is only
    /// opened if it exists (a SQLite file) or is a server URL, so running an appraisal never creates
    /// an empty database.
    async fn load(&self) -> Result<(Vec<UnitCost>, Option<Deflators>)> {
        let store = if self.library.is_some() && self.deflators.is_some() {
            None
        } else if self.database.starts_with("postgres")
            || Path::new(self.database.trim_start_matches("sqlite:")).exists()
        {
            Some(Store::open(&self.database).await?)
        } else {
            None
        };
        let costs = match (&self.library, &store) {
            (Some(p), _) => read_library(p)?,
            (None, Some(s)) => s.unit_costs().await?,
            (None, None) => Vec::new(),
        };
        let deflators = match (&self.deflators, &store, &self.library) {
            (Some(p), _, _) => Some(read_deflators(p)?),
            (None, Some(s), _) => Some(s.deflators().await?).filter(|d| !d.is_empty()),
            // The Unit Cost Database workbook carries its own deflator table.
            (None, None, Some(lib)) => read_deflators(lib).ok(),
            (None, None, None) => None,
        };
        if let Some(s) = store {
            s.close().await;
        }
        Ok((costs, deflators))
    }
}

fn ratio(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a (no costs)".into(), |r| format!("{r:.2}"))
}

pub async fn run(cmd: AppraisalCommand) -> Result<()> {
    match cmd {
        AppraisalCommand::Template => {
            print!("{TEMPLATE}");
            Ok(())
        }
        AppraisalCommand::Run { file, json, source } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let model = Appraisal::from_toml(&file.display().to_string(), &text)?;
            let (costs, deflators) = source.load().await?;
            let uses_library = model
                .outcomes
                .iter()
                .flat_map(|o| &o.values)
                .any(|v| v.cost_code.is_some());
            if uses_library && costs.is_empty() {
                bail!(
                    "{} uses cost codes from the unit cost library, but no library is loaded: give --library FILE, or import one with `levers appraisal costs import FILE --database {}`",
                    file.display(),
                    source.database
                );
            }
            let lookup = |code: &str| {
                costs
                    .iter()
                    .find(|c| c.code.eq_ignore_ascii_case(code.trim()))
                    .cloned()
            };
            let resolved = resolve(&model, &lookup, deflators.as_ref())
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let r = results(&resolved);
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                print!("{}", summary(&r));
            }
            Ok(())
        }
        AppraisalCommand::Costs(CostsCommand::Search {
            text,
            limit,
            json,
            source,
        }) => {
            let (costs, _) = source.load().await?;
            if costs.is_empty() {
                bail!(
                    "no unit cost library is loaded: give --library FILE, or import one with `levers appraisal costs import FILE`"
                );
            }
            let hits = search_costs(&costs, &text.join(" "), limit);
            if json {
                println!("{}", serde_json::to_string_pretty(&hits)?);
            } else if hits.is_empty() {
                println!("No unit cost matches \"{}\".", text.join(" "));
            } else {
                for c in hits {
                    let v = |k: Option<levers_appraisal::ValueAt>| {
                        k.map(|v| format!("{} ({})", pounds(v.amount), v.price_year))
                    };
                    println!("{:<10} {}", c.code, c.description);
                    println!(
                        "           {} · {} · fiscal {} · economic {} · social {} · RAG {:?}",
                        c.unit,
                        c.agency,
                        v(c.fiscal).unwrap_or_else(|| "–".into()),
                        v(c.economic).unwrap_or_else(|| "–".into()),
                        v(c.social).unwrap_or_else(|| "–".into()),
                        c.rag
                    );
                }
            }
            Ok(())
        }
        AppraisalCommand::Costs(CostsCommand::Import { file, name, db }) => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let file_name = file
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            let name = name.unwrap_or_else(|| file_name.clone());
            let store = Store::open(&db.database).await?;
            let bar = crate::progress::steps_bar(
                &format!("importing {file_name}"),
                levers_app::appraisal::UNIT_COST_STEPS,
            );
            let b = bar.clone();
            let done = levers_app::appraisal::import_unit_cost_file(
                &store,
                &Actor::system("cli"),
                &name,
                &file_name,
                std::sync::Arc::new(bytes),
                move |step| b.set_position(step),
            )
            .await;
            bar.finish_and_clear();
            let done = done?;
            let report = done.report;
            match (done.deflator_years, done.deflator_problem) {
                (Some(n), _) => {
                    println!("Imported the workbook's deflator table ({n} financial years).")
                }
                (None, Some(why)) => {
                    eprintln!("warning: the workbook's deflator table was not imported: {why}")
                }
                (None, None) => {}
            }
            store.close().await;
            println!(
                "Imported {} unit costs into the library \"{name}\": {} rows read = {} kept + {} rejected + {} without a code.",
                done.costs,
                report.rows_read,
                report.costs,
                report.rejected.len(),
                report.rows_without_code
            );
            for (line, why) in &report.rejected {
                println!("  row {line}: {why}");
            }
            Ok(())
        }
        AppraisalCommand::Deflators { file, db } => {
            let table = read_deflators(&file)?;
            let store = Store::open(&db.database).await?;
            let n = store
                .import_deflators(&Actor::system("cli"), &file.display().to_string(), &table)
                .await?;
            store.close().await;
            println!("Imported deflators for {n} financial years.");
            Ok(())
        }
    }
}

/// The plain-text report: outcomes first, then money.
pub fn summary(r: &Results) -> String {
    use std::fmt::Write as _;
    let c = &r.central;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} (prices {}, {:?} Green Book discounting)",
        r.name, r.price_base, r.discount
    );
    let _ = writeln!(s, "\nOutcomes");
    for o in &c.outcomes {
        let _ = writeln!(
            s,
            "  {}: {:.1} gross, {:.1} net, {} per net outcome",
            o.name,
            o.gross_outcomes,
            o.net_outcomes,
            o.cost_per_net_outcome.map_or("n/a".into(), pounds)
        );
    }
    let _ = writeln!(
        s,
        "  All outcomes: {:.1} net; {} per net outcome",
        c.net_outcomes,
        c.cost_per_net_outcome.map_or("n/a".into(), pounds)
    );
    let _ = writeln!(s, "\nPublic value");
    let _ = writeln!(
        s,
        "  Public value (PV)            {}",
        pounds(c.public_value)
    );
    let _ = writeln!(
        s,
        "  Net public value             {}",
        pounds(c.net_public_value)
    );
    let _ = writeln!(
        s,
        "  Public-value ROI             {}",
        ratio(c.public_value_roi)
    );
    let _ = writeln!(s, "\nBudgets");
    let _ = writeln!(s, "  Costs (PV)                   {}", pounds(c.pv_costs));
    let _ = writeln!(
        s,
        "  Fiscal benefits (PV)         {} (of which transfers {})",
        pounds(c.pv_fiscal),
        pounds(c.pv_fiscal_transfers)
    );
    let _ = writeln!(
        s,
        "  Net present budget impact    {}",
        pounds(c.net_present_budget_impact)
    );
    let _ = writeln!(
        s,
        "  Financial ROI                {}",
        ratio(c.financial_roi)
    );
    let _ = writeln!(
        s,
        "  Cashable ROI                 {}",
        ratio(c.cashable_roi)
    );
    let payback = match (c.payback_year, c.payback_financial_year) {
        (Some(y), Some(fy)) => format!("year {y} ({fy})"),
        (Some(y), None) => format!("year {y}"),
        _ => "not within the appraisal period".into(),
    };
    let _ = writeln!(s, "  Payback                      {payback}");
    let _ = writeln!(s, "\nWho pays and who benefits (present values)");
    for a in &c.agencies {
        let _ = writeln!(
            s,
            "  {:<28} pays {:>14}  benefits {:>14}  net {:>14}{}",
            a.agency,
            pounds(a.pv_costs),
            pounds(a.pv_benefits),
            pounds(a.net),
            if a.wrong_pocket {
                "  WRONG POCKET: pays more than it gets back"
            } else {
                ""
            }
        );
    }
    let _ = writeln!(s, "\nSensitivity");
    for row in &r.sensitivity {
        let _ = writeln!(
            s,
            "  {:<34} public value {:>14}  PV ROI {:>6}  budget impact {:>14}",
            row.scenario,
            pounds(row.public_value),
            ratio(row.public_value_roi),
            pounds(row.net_present_budget_impact)
        );
    }
    if c.benefits_beyond_period > 0.0 {
        let _ = writeln!(
            s,
            "\nNote: {} of benefits fall after the appraisal period and are not counted.",
            pounds(c.benefits_beyond_period)
        );
    }
    s
}
