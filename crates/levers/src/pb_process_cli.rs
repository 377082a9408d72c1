//! `levers community-budget …`: what an officer or auditor needs beyond the web pages: list the
//! processes, count a closed vote, export the anonymised ballots as a Pabulib file that
//! `levers pb verify` recomputes, make batches of voting codes as CSV for a mail merge, and cancel
//! codes that must not vote (letters returned undelivered, damaged cards, codes seen by others).

use std::path::PathBuf;

use anyhow::{Context, Result, anyhow, bail};
use levers_app::community_budget::{
    CountError, VOID_REASONS, cancel_code, count_process, new_code_batch,
};
use levers_pb::process::{Action, Who};
use levers_store::{Actor, Store};

#[derive(clap::Args, Debug, Clone)]
pub struct DbArgs {
    /// The database: a SQLite file path or postgres://user:pass@host/db.
    #[arg(long, env = "LEVERS_DATABASE", default_value = "levers.db")]
    pub database: String,
}

/// Community budget processes.
#[derive(clap::Subcommand, Debug)]
pub enum BudgetCommand {
    /// List the processes with their phase and ballots.
    List {
        #[command(flatten)]
        db: DbArgs,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Seal the ballot box of a closed process and count it with its rule (as the web page does).
    Count {
        /// The process's web address part, like harbour-2026.
        slug: String,
        #[command(flatten)]
        db: DbArgs,
        /// Print the whole result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write the counted process as a Pabulib file: every ballot, anonymised, in random order, with
    /// the outcome in `selected`. `levers pb verify FILE` recomputes it.
    Export {
        slug: String,
        #[command(flatten)]
        db: DbArgs,
        /// Where to write (default SLUG.pb; `-` for standard output).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Make a batch of voting codes and write them as CSV (code, batch, process, where to vote).
    /// The codes are shown only now: levers keeps their hashes.
    Codes {
        slug: String,
        #[command(flatten)]
        db: DbArgs,
        /// How many codes (1 to 5,000).
        #[arg(long)]
        count: usize,
        /// The batch's name, like "Harbour door to door".
        #[arg(long)]
        label: String,
        /// The ward code the codes go to, for turnout by ward (one of the process's wards).
        #[arg(long)]
        ward: Option<String>,
        /// The address residents vote at, printed in the CSV (like https://levers.example.gov.uk).
        #[arg(long, default_value = "")]
        site: String,
        /// Where to write the CSV (default standard output).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Cancel codes so they can never vote, each with the reason (audited): the codes on the
    /// command line and/or in a file, one a line (the first column of a CSV of codes works too).
    Cancel {
        slug: String,
        #[command(flatten)]
        db: DbArgs,
        /// Why: returned (letter came back undelivered), damaged, seen (someone else saw it) or
        /// replaced (the voter was given a new code).
        #[arg(long)]
        reason: String,
        /// A file of codes, one a line.
        #[arg(long)]
        file: Option<PathBuf>,
        /// Codes as printed.
        codes: Vec<String>,
    },
}

async fn process(store: &Store, slug: &str) -> Result<levers_store::pb_process::PbProcess> {
    store.pb_process_by_slug(slug).await?.ok_or_else(|| anyhow!("no community budget has the web address `{slug}`; `levers community-budget list` shows them"))
}

pub async fn run(cmd: BudgetCommand) -> Result<()> {
    let actor = Actor::system("cli");
    match cmd {
        BudgetCommand::List { db, json } => {
            let store = Store::open(&db.database).await?;
            let mut rows = Vec::new();
            for p in store.pb_processes().await? {
                let (cast, sealed) = store.pb_ballot_counts(p.id).await?;
                rows.push(serde_json::json!({
                    "slug": p.def.slug, "name": p.def.name, "phase": p.phase.as_str(), "pot_pence": p.def.pot_pence,
                    "ballot": p.def.ballot.kind(), "rule": p.def.rule.as_str(), "ballots": cast + sealed,
                }));
            }
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({ "processes": rows }))?
                );
            } else {
                for r in rows {
                    println!(
                        "{}\t{}\t{}\t{} ballots\t{}",
                        r["slug"].as_str().unwrap_or(""),
                        r["phase"].as_str().unwrap_or(""),
                        r["ballot"].as_str().unwrap_or(""),
                        r["ballots"],
                        r["name"].as_str().unwrap_or("")
                    );
                }
            }
            Ok(())
        }
        BudgetCommand::Count { slug, db, json } => {
            let store = Store::open(&db.database).await?;
            let p = process(&store, &slug).await?;
            let r = match count_process(&store, &actor, &p).await {
                Ok(r) => r,
                Err(CountError::Conflict(m)) => bail!("{slug}: {m}"),
                Err(e) => bail!("{slug}: {e}"),
            };
            if json {
                let mut v = serde_json::to_value(&r)?;
                if let Some(o) = v.as_object_mut() {
                    o.remove("pb");
                }
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                println!("{slug}: {} ballots counted with {}", r.ballots, r.rule);
                println!(
                    "  funded ({} of {}): {}",
                    levers_pb::process::levers_pence(r.spent_pence),
                    levers_pb::process::levers_pence(r.pot_pence),
                    r.projects
                        .iter()
                        .filter(|x| x.funded)
                        .map(|x| x.name.as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                );
            }
            Ok(())
        }
        BudgetCommand::Export { slug, db, output } => {
            let store = Store::open(&db.database).await?;
            let p = process(&store, &slug).await?;
            let r = store.pb_result(p.id).await?.ok_or_else(|| anyhow!("{slug} has not been counted yet: close voting and run `levers community-budget count {slug}`"))?;
            let out = output.unwrap_or_else(|| PathBuf::from(format!("{slug}.pb")));
            if out.as_os_str() == "-" {
                print!("{}", r.pb_text);
            } else {
                std::fs::write(&out, &r.pb_text)
                    .with_context(|| format!("{}: cannot write the file", out.display()))?;
                eprintln!("wrote {} ballots to {}", r.ballots, out.display());
            }
            Ok(())
        }
        BudgetCommand::Cancel {
            slug,
            db,
            reason,
            file,
            mut codes,
        } => {
            let Some((_, reason)) = VOID_REASONS.iter().find(|(k, _)| *k == reason.trim()) else {
                bail!(
                    "--reason must be one of: {}",
                    VOID_REASONS
                        .iter()
                        .map(|(k, _)| *k)
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            };
            if let Some(path) = &file {
                let text = std::fs::read_to_string(path).with_context(|| {
                    format!("{}: cannot read the file of codes", path.display())
                })?;
                // Blank lines and a CSV header ("code,…") are skipped; only the first column counts.
                codes.extend(
                    text.lines()
                        .map(|l| l.split(',').next().unwrap_or("").trim().to_string())
                        .filter(|c| !c.is_empty() && !c.eq_ignore_ascii_case("code")),
                );
            }
            if codes.is_empty() {
                bail!(
                    "give the codes to cancel, on the command line or with --file FILE (one a line)"
                );
            }
            let store = Store::open(&db.database).await?;
            let p = process(&store, &slug).await?;
            if !p.phase.allows(Who::Officer, Action::CancelCode) {
                bail!(
                    "{slug}: the result has been published, so cancelling a code would change nothing"
                );
            }
            let mut refused = 0;
            for (i, c) in codes.iter().enumerate() {
                match cancel_code(&store, &actor, &p, c, reason)
                    .await
                    .map_err(|e| anyhow!("{e}"))?
                {
                    Ok(done) => println!("{done}"),
                    Err(refusal) => {
                        let why = refusal.message;
                        refused += 1;
                        let at = file.as_ref().map_or_else(
                            || format!("code {}", i + 1),
                            |f| format!("{} (code {})", f.display(), i + 1),
                        );
                        eprintln!("{at}: {why}");
                    }
                }
            }
            if refused > 0 {
                bail!(
                    "{refused} of {} codes were not cancelled (see above)",
                    codes.len()
                );
            }
            eprintln!("cancelled {} codes", codes.len());
            Ok(())
        }
        BudgetCommand::Codes {
            slug,
            db,
            count,
            label,
            ward,
            site,
            output,
        } => {
            if !(1..=5000).contains(&count) {
                bail!("--count must be from 1 to 5000");
            }
            let store = Store::open(&db.database).await?;
            let p = process(&store, &slug).await?;
            if !p.phase.allows(Who::Officer, Action::IssueCodes) {
                bail!("{slug}: voting has closed, so no more codes can be made");
            }
            let ward = match ward {
                None => None,
                Some(w) => {
                    let w = w.trim().to_ascii_uppercase();
                    match &p.def.area {
                        levers_pb::process::Area::Wards(c) if c.contains(&w) => Some(w),
                        _ => bail!("--ward {w} is not one of {slug}'s wards"),
                    }
                }
            };
            let codes = new_code_batch(
                &store,
                &actor,
                &p,
                &label,
                ward.as_deref().map(|w| (w, w)),
                count,
            )
            .await
            .map_err(|e| anyhow!("{e:?}"))?;
            let vote_at = format!(
                "{}/community-budgets/{slug}/vote",
                site.trim_end_matches('/')
            );
            let csv =
                levers_app::community_budget::codes_csv(&codes, &label, &p.def.name, &vote_at);
            match output {
                Some(path) => {
                    std::fs::write(&path, csv)
                        .with_context(|| format!("{}: cannot write the file", path.display()))?;
                    eprintln!("wrote {count} codes to {}", path.display());
                }
                None => print!("{csv}"),
            }
            Ok(())
        }
    }
}
