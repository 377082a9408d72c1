//! `levers spend …`: check council "spending over £500" transparency files (CSV, XLS, XLSX) and report what
//! levers would read from them (header found, column mapping, rows kept and rejected, totals, dates), and
//! import them into the store; the procurement commands (suppliers, registers, lm3, analyse) live in
//! `procurement_cli.rs`.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use levers_spend::{CheckOptions, CheckReport};

#[derive(Subcommand, Debug)]
pub enum SpendCommand {
    /// Read transparency files and report, for each: encoding, delimiter, header row, column mapping,
    /// rows kept and rejected (with line numbers and reasons), total, negatives, suppliers, redactions,
    /// total rows and whether the file's own grand total matches, date range and flagged rows.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print the reports as JSON (amounts in pence).
        #[arg(long)]
        json: bool,
        /// Choose a column by its header: `--map amount="Net Amount (£)"`. Fields: body, body_name, date,
        /// transaction_number, invoice_number, amount, irrecoverable_vat, supplier_name, supplier_id,
        /// vat_number, company_number, charity_number, expense_area, expense_type, expense_code,
        /// creditor_type, purpose, merchant_category, capital_revenue, proclass_label, proclass_code.
        #[arg(long = "map")]
        map: Vec<String>,
    },
    /// Import transparency files for a body, one transaction per file. Importing the same file twice
    /// adds nothing; rows already held from an overlapping file are counted, not added again. The
    /// column mapping used is saved for the body's next file.
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The council or other body that published the files.
        #[arg(long)]
        body: String,
        /// Choose a column by its header, as for `check`.
        #[arg(long = "map")]
        map: Vec<String>,
        /// The database: a SQLite file path or postgres://…
        #[arg(long, env = "LEVERS_DATABASE", default_value = "levers.db")]
        database: String,
        #[arg(long)]
        json: bool,
    },
    /// The council's supplier (creditor) records.
    #[command(subcommand)]
    Suppliers(crate::procurement_cli::SuppliersCommand),
    /// Companies House and Charity Commission register files.
    #[command(subcommand)]
    Registers(crate::procurement_cli::RegistersCommand),
    /// The local multiplier LM3 (New Economics Foundation) from direct figures or a survey file.
    Lm3(crate::procurement_cli::Lm3Args),
    /// The community wealth building spend analysis: local, wider-area, deprived-area, SME and VCSE
    /// shares, leakage, sectors, wards and opportunities, for all suppliers and the top N.
    Analyse(crate::spend_analyse_cli::AnalyseArgs),
    /// A year of payments, cleaned, with the supplier each was resolved to, its location and any
    /// exclusion, as CSV (takes the analysis' options).
    Export(crate::spend_analyse_cli::ExportArgs),
}

pub async fn run(cmd: SpendCommand) -> anyhow::Result<()> {
    match cmd {
        SpendCommand::Check { files, json, map } => check_files(&files, json, &map),
        SpendCommand::Import {
            files,
            body,
            map,
            database,
            json,
        } => crate::spend_import_cli::import(&files, &body, &map, &database, json).await,
        SpendCommand::Suppliers(c) => crate::procurement_cli::suppliers(c).await,
        SpendCommand::Registers(c) => crate::procurement_cli::registers(c).await,
        SpendCommand::Lm3(a) => crate::procurement_cli::lm3_cmd(a),
        SpendCommand::Analyse(a) => crate::spend_analyse_cli::analyse_cmd(a).await,
        SpendCommand::Export(e) => crate::spend_analyse_cli::export_cmd(e).await,
    }
}

fn check_files(files: &[PathBuf], json: bool, map: &[String]) -> anyhow::Result<()> {
    let opts = CheckOptions::with_map_specs(map)?;
    let total_bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).map_or(0, |m| m.len()))
        .sum();
    let bar = ProgressBar::new(total_bytes);
    if !std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );

    let mut reports: Vec<Result<CheckReport, String>> = Vec::with_capacity(files.len());
    for path in files {
        let name = path.display().to_string();
        bar.set_message(
            path.file_name()
                .map_or_else(|| name.clone(), |n| n.to_string_lossy().into_owned()),
        );
        let bytes =
            match std::fs::read(path).with_context(|| format!("{name}: could not read the file")) {
                Ok(b) => b,
                Err(e) => {
                    reports.push(Err(format!("{e:#}")));
                    continue;
                }
            };
        let result = levers_spend::check(&name, &bytes, &opts);
        bar.inc(bytes.len() as u64);
        reports.push(result.map_err(|e| e.to_string()));
    }
    bar.finish_and_clear();

    let failed = reports.iter().filter(|r| r.is_err()).count();
    if json {
        let values: Vec<serde_json::Value> = files
            .iter()
            .zip(&reports)
            .map(|(path, r)| match r {
                Ok(rep) => serde_json::to_value(rep).unwrap_or_else(
                    |e| serde_json::json!({ "file": path.display().to_string(), "error": e.to_string() }),
                ),
                Err(e) => serde_json::json!({ "file": path.display().to_string(), "error": e }),
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&values)?);
    } else {
        for r in &reports {
            match r {
                Ok(rep) => print!("{}", rep.render_text()),
                Err(e) => eprintln!("error: {e}"),
            }
        }
    }
    if failed > 0 {
        bail!(
            "{failed} of {} files could not be read (see above)",
            files.len()
        );
    }
    Ok(())
}
