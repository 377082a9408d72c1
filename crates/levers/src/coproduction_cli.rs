//! `levers coproduction …`: coverage of co-production across the register, register CSV import and
//! export, a check of the time-credit ledger's invariants, and the retention purge.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Subcommand;
use levers_coproduction::csv_io::write_register;
use levers_coproduction::register::parse_date;
use levers_coproduction::{Tally, coverage, quarterly};
use levers_store::{Actor, Store};
use serde_json::json;

#[derive(Subcommand, Debug)]
pub enum CoproductionCommand {
    /// Coverage: the share of commissioning activities (by count and by £ value) co-produced (co-design
    /// or above) at two or more stages and at all four, what happens only inside a provider's
    /// contract, by directorate, value band and quarter.
    Coverage {
        /// Measure the register as it stood on this date (YYYY-MM-DD); default: everything recorded.
        #[arg(long)]
        as_of: Option<String>,
        #[arg(long)]
        json: bool,
        #[arg(long, env = "LEVERS_DATABASE", default_value = "levers.db")]
        database: String,
    },
    /// The register as CSV.
    #[command(subcommand)]
    Register(RegisterCommand),
    /// Check the time-credit ledger: every transfer two movements summing to zero, balances equal to
    /// their movements, no account below its limit.
    CheckLedger {
        #[arg(long)]
        json: bool,
        #[arg(long, env = "LEVERS_DATABASE", default_value = "levers.db")]
        database: String,
    },
    /// Anonymise every participant not active for the retention period (setting
    /// coproduction.retention_days, default 730). The ledger stays balanced.
    Purge {
        #[arg(long)]
        json: bool,
        #[arg(long, env = "LEVERS_DATABASE", default_value = "levers.db")]
        database: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum RegisterCommand {
    /// Import a register file (one row per involvement; see the README). One transaction: activities
    /// are created or updated, and their involvements become the file's. An activity with any rejected
    /// row is held back. Every row is accounted for.
    Import {
        file: PathBuf,
        #[arg(long)]
        json: bool,
        #[arg(long, env = "LEVERS_DATABASE", default_value = "levers.db")]
        database: String,
    },
    /// Write the register as CSV (to standard output, or --output FILE).
    Export {
        #[arg(long)]
        output: Option<PathBuf>,
        #[arg(long, env = "LEVERS_DATABASE", default_value = "levers.db")]
        database: String,
    },
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn tally_line(label: &str, t: &Tally) -> String {
    format!(
        "{label:<28} {:>4} {:>16} {:>8} {:>8} {:>8} {:>8} {:>8}",
        t.activities,
        t.value.to_string(),
        pct(t.two_plus_share()),
        pct(t.two_plus_value_share()),
        pct(t.all_four_share()),
        pct(t.all_four_value_share()),
        pct(t.provider_only_share())
    )
}

pub async fn run(cmd: CoproductionCommand) -> anyhow::Result<()> {
    match cmd {
        CoproductionCommand::Coverage {
            as_of,
            json,
            database,
        } => {
            let as_of = match as_of {
                Some(s) => Some(parse_date(&s).with_context(|| {
                    format!("--as-of \"{s}\" is not a date: write it as 2025-03-31")
                })?),
                None => None,
            };
            let store = Store::open(&database).await?;
            let register = store.coproduction_register().await?;
            let c = coverage(&register, as_of);
            let today = as_of.unwrap_or_else(|| time::OffsetDateTime::now_utc().date());
            let trend = quarterly(&register, today);
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&levers_app::coverage::coverage_json(&c, &trend))?
                );
                return Ok(());
            }
            if c.overall.activities == 0 {
                println!(
                    "The register is empty: import one with `levers coproduction register import FILE` or record activities in the web app."
                );
                return Ok(());
            }
            println!(
                "Co-production coverage (co-design or above), {} activities worth {} a year",
                c.overall.activities, c.overall.value
            );
            println!(
                "{:<28} {:>4} {:>16} {:>8} {:>8} {:>8} {:>8} {:>8}",
                "", "n", "annual value", "2+ n", "2+ £", "all4 n", "all4 £", "Do only"
            );
            println!("{}", tally_line("All activities", &c.overall));
            println!("By directorate");
            for (d, t) in &c.by_directorate {
                println!("{}", tally_line(&format!("  {d}"), t));
            }
            println!("By value band");
            for (b, t) in c.by_band.iter().filter(|(_, t)| t.activities > 0) {
                println!("{}", tally_line(&format!("  {}", b.label()), t));
            }
            println!("By quarter (the register as it stood at each quarter's end)");
            for (q, t) in &trend {
                println!("{}", tally_line(&format!("  {q}"), t));
            }
            println!(
                "Only inside a provider's contract (Do, provider-led): {} activities, {}. No stage co-produced: {} activities, {}.",
                c.overall.provider_only,
                c.overall.provider_only_value,
                c.overall.none,
                c.overall.none_value
            );
            println!(
                "Strategy objectives with people with lived experience of poverty involved: {} of {}.",
                c.objectives.with_lived_experience, c.objectives.objectives
            );
            Ok(())
        }
        CoproductionCommand::Register(RegisterCommand::Import {
            file,
            json,
            database,
        }) => {
            let name = file.display().to_string();
            let bytes =
                std::fs::read(&file).with_context(|| format!("{name}: could not read the file"))?;
            let store = Store::open(&database).await?;
            let bar = crate::progress::steps_bar(
                &format!("importing {name}"),
                levers_app::register_import::STEPS,
            );
            let b = bar.clone();
            let done = levers_app::register_import::import(
                &store,
                &Actor::system("cli"),
                &name,
                bytes,
                move |step| b.set_position(step),
            )
            .await;
            bar.finish_and_clear();
            let done = done?;
            let (parsed, counts, unmatched) = (done.file, done.counts, done.unmatched);
            if !unmatched.is_empty() && !json {
                eprintln!(
                    "objectives named in the register that match no strategy objective (add them on the Strategy page): {}",
                    unmatched.join("; ")
                );
            }
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(
                        &json!({"file": name, "reconciliation": parsed.reconciliation, "imported": counts, "rejected": parsed.errors, "held_back": parsed.held_back, "warnings": parsed.warnings})
                    )?
                );
            } else {
                let r = parsed.reconciliation;
                println!(
                    "{name}: {} rows read = {} kept + {} rejected + {} blank",
                    r.rows_read, r.rows_kept, r.rows_rejected, r.rows_blank
                );
                println!(
                    "activities: {} created, {} updated, {} unchanged; involvements: {} added, {} removed, {} kept",
                    counts.activities_created,
                    counts.activities_updated,
                    counts.activities_unchanged,
                    counts.involvements_added,
                    counts.involvements_removed,
                    counts.involvements_kept
                );
                for w in &parsed.warnings {
                    println!("warning: {w}");
                }
                for e in &parsed.errors {
                    eprintln!(
                        "{name}, line {}, {}: {} (value \"{}\")",
                        e.line, e.field, e.message, e.value
                    );
                }
            }
            if !parsed.errors.is_empty() {
                bail!(
                    "{} rows of {name} were rejected (listed above); the rest were imported",
                    parsed.reconciliation.rows_rejected
                );
            }
            Ok(())
        }
        CoproductionCommand::Register(RegisterCommand::Export { output, database }) => {
            let store = Store::open(&database).await?;
            let text = write_register(&store.coproduction_register().await?);
            match output {
                Some(p) => std::fs::write(&p, text)
                    .with_context(|| format!("{}: could not write the file", p.display()))?,
                None => print!("{text}"),
            }
            Ok(())
        }
        CoproductionCommand::CheckLedger { json, database } => {
            let store = Store::open(&database).await?;
            let snap = store.credit_ledger_snapshot().await?;
            let result = snap.check();
            let in_circulation: i64 = snap
                .balances
                .iter()
                .filter(|(id, _)| **id != levers_store::coproduction::ISSUER_ACCOUNT)
                .map(|(_, b)| b)
                .sum();
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&json!({
                        "balanced": result.is_ok(), "problem": result.as_ref().err(), "accounts": snap.accounts.len(),
                        "transfers": snap.transfers.len(), "movements": snap.movements.len(), "credits_in_circulation": in_circulation
                    }))?
                );
            } else {
                println!(
                    "{} accounts, {} transfers, {} movements; {} credits in circulation",
                    snap.accounts.len(),
                    snap.transfers.len(),
                    snap.movements.len(),
                    in_circulation
                );
            }
            match result {
                Ok(()) => {
                    if !json {
                        println!(
                            "the ledger balances: every transfer is two movements summing to zero and every balance equals its movements"
                        );
                    }
                    Ok(())
                }
                Err(e) => bail!("the ledger does not balance: {e}"),
            }
        }
        CoproductionCommand::Purge { json, database } => {
            let store = Store::open(&database).await?;
            let days = store.retention_days().await?;
            let ids = store
                .purge_participants(&Actor::system("cli"), levers_store::now_unix())
                .await?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(
                        &json!({"retention_days": days, "anonymised": ids})
                    )?
                );
            } else {
                println!(
                    "anonymised {} participants not active for {days} days",
                    ids.len()
                );
            }
            Ok(())
        }
    }
}
