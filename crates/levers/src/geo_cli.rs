//! `levers geo …`: import ONS and MHCLG geography files, look up postcodes and areas, and say what is loaded.

use std::path::{Path, PathBuf};

use anyhow::bail;
use clap::{Args, Subcommand};
use levers_core::AreaCode;
use levers_geo::{FileKind, Postcode};
use levers_store::{Actor, Store};

#[derive(Args, Debug, Clone)]
pub struct GeoDb {
    /// The database: a SQLite file path or postgres://…
    #[arg(long, env = "LEVERS_DATABASE", default_value = "levers.db")]
    pub database: String,
}

#[derive(Subcommand, Debug)]
pub enum GeoCommand {
    /// Import postcode directories, deprivation indices and area lookups (CSV or .csv.gz), recognised
    /// by their header. Re-importing a file replaces it.
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        db: GeoDb,
        #[arg(long)]
        json: bool,
    },
    /// Everything known about a postcode.
    Lookup {
        postcode: String,
        #[command(flatten)]
        db: GeoDb,
        #[arg(long)]
        json: bool,
    },
    /// An area's deprivation profile: its LSOAs by IMD decile and its postcodes.
    Area {
        code: String,
        #[command(flatten)]
        db: GeoDb,
        #[arg(long)]
        json: bool,
    },
    /// What geography is loaded, from which files.
    Status {
        #[command(flatten)]
        db: GeoDb,
        #[arg(long)]
        json: bool,
    },
}

/// Imports one file (the pipeline is levers-app's, shared with the demo and the web app), with a
/// bar over its bytes when standard error is a terminal.
pub async fn import_file(
    store: &Store,
    actor: &Actor,
    path: &Path,
) -> anyhow::Result<levers_app::geo_import::GeoImportDone> {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let len = std::fs::metadata(path).map_or(0, |m| m.len());
    let bar = crate::progress::bytes_bar(&name, len);
    let b = bar.clone();
    let done = levers_app::geo_import::import_file(
        store,
        actor,
        path,
        &name,
        std::sync::Arc::new(move |n| b.set_position(n)),
    )
    .await;
    bar.finish_and_clear();
    Ok(done?)
}

fn area_code(s: &str) -> anyhow::Result<AreaCode> {
    Ok(AreaCode::parse(s)?)
}

pub async fn run(cmd: GeoCommand) -> anyhow::Result<()> {
    match cmd {
        GeoCommand::Import { files, db, json } => {
            let store = Store::open(&db.database).await?;
            let actor = Actor::system("cli");
            let mut out = Vec::new();
            for path in &files {
                let started = std::time::Instant::now();
                let done = import_file(&store, &actor, path).await?;
                let (ds, report, replaced) = (done.dataset, done.report, done.replaced);
                let secs = started.elapsed().as_secs_f64();
                if json {
                    out.push(serde_json::json!({
                        "file": path.display().to_string(), "kind": ds.kind, "dataset_id": ds.id,
                        "replaced_dataset": replaced, "rows_read": ds.rows_read, "rows_imported": ds.rows_imported,
                        "rows_rejected": ds.rows_rejected, "rows_blank": ds.rows_blank,
                        "reconciles": report.reconciles(), "rejections": report.rejections, "seconds": secs,
                    }));
                } else {
                    let kind = FileKind::from_name(&ds.kind)
                        .map_or(ds.kind.clone(), |k| k.describe().to_string());
                    println!("{}: {kind}", path.display());
                    println!(
                        "  {} rows read = {} imported + {} rejected + {} blank{}  ({secs:.1} s)",
                        ds.rows_read,
                        ds.rows_imported,
                        ds.rows_rejected,
                        ds.rows_blank,
                        if replaced.is_some() {
                            "; replaces the earlier import of this file"
                        } else {
                            ""
                        }
                    );
                    for r in report.rejections.iter().take(10) {
                        println!("  line {}: {}: {}", r.line, r.field, r.reason);
                    }
                    if report.rejections.len() > 10
                        || report.rows_rejected as usize > report.rejections.len()
                    {
                        println!(
                            "  … {} rejected rows in all (levers geo status --json lists the first {})",
                            report.rows_rejected,
                            report.rejections.len()
                        );
                    }
                }
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&out)?);
            }
            Ok(())
        }
        GeoCommand::Lookup { postcode, db, json } => {
            let pc = Postcode::parse(&postcode)?;
            let store = Store::open(&db.database).await?;
            let index = store.load_geo_index().await?;
            let Some(found) = index.lookup(&pc) else {
                bail!(
                    "{pc} is not in any loaded postcode file: import a postcode directory with levers geo import (levers geo status lists what is loaded)"
                );
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&found)?);
                return Ok(());
            }
            println!("{}", found.postcode);
            let name = |a: &Option<levers_geo::AreaRef>| {
                a.as_ref().map_or("unknown".to_string(), |a| match &a.name {
                    Some(n) => format!("{n} ({})", a.code),
                    None => a.code.to_string(),
                })
            };
            println!(
                "  status:        {}",
                match found.terminated {
                    Some(true) => "terminated",
                    Some(false) => "live",
                    None => "not stated by the loaded files",
                }
            );
            println!("  district:      {}", name(&found.lad));
            println!("  ward:          {}", name(&found.ward));
            println!("  LSOA 2011:     {}", name(&found.lsoa11));
            println!("  LSOA 2021:     {}", name(&found.lsoa21));
            println!("  MSOA:          {}", name(&found.msoa));
            println!("  region:        {}", name(&found.region));
            if let (Some(la), Some(lo)) = (found.lat, found.long) {
                println!("  lat/long:      {la:.6}, {lo:.6}");
            }
            for (label, imd) in [("IMD 2019", &found.imd2019), ("IMD 2025", &found.imd2025)] {
                if let Some(m) = imd {
                    println!(
                        "  {label}:      decile {} (rank {} of LSOA {}; {})",
                        m.decile, m.rank, m.lsoa, m.via
                    );
                }
            }
            for g in &found.gaps {
                println!("  note: {g}");
            }
            Ok(())
        }
        GeoCommand::Area { code, db, json } => {
            let code = area_code(&code)?;
            let store = Store::open(&db.database).await?;
            let index = store.load_geo_index().await?;
            let Some(p) = index.area(&code) else {
                bail!(
                    "{code} is not in any loaded geography file: import the lookups or deprivation files that name it"
                );
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&p)?);
                return Ok(());
            }
            println!(
                "{} {} ({})",
                p.name.as_deref().unwrap_or("(no name loaded)"),
                p.code,
                p.kind
            );
            println!(
                "  LSOAs: {} on 2011 codes, {} on 2021 codes",
                p.lsoas_2011.len(),
                p.lsoas_2021.len()
            );
            println!(
                "  postcodes: {} ({} terminated)",
                p.postcodes, p.postcodes_terminated
            );
            for (label, counts, missing) in [
                ("IMD 2019", p.imd2019_deciles, p.imd2019_missing),
                ("IMD 2025", p.imd2025_deciles, p.imd2025_missing),
            ] {
                if counts.iter().sum::<u32>() == 0 {
                    continue;
                }
                println!("  {label} LSOAs by decile (1 = most deprived 10% in England):");
                for (i, c) in counts.iter().enumerate() {
                    println!("    decile {:>2}: {c}", i + 1);
                }
                if missing > 0 {
                    println!("    no decile: {missing}");
                }
            }
            Ok(())
        }
        GeoCommand::Status { db, json } => {
            let store = Store::open(&db.database).await?;
            let datasets = store.geo_datasets().await?;
            let index = store.load_geo_index().await?;
            let stats = index.stats();
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(
                        &serde_json::json!({"datasets": datasets, "index": stats})
                    )?
                );
                return Ok(());
            }
            if datasets.is_empty() {
                println!("no geography is loaded: import files with levers geo import FILE…");
                return Ok(());
            }
            for d in &datasets {
                println!(
                    "{:<55} {:<18} {:>9} imported, {:>6} rejected, {:>4} blank",
                    d.file_name, d.kind, d.rows_imported, d.rows_rejected, d.rows_blank
                );
            }
            println!(
                "index: {} postcodes ({} terminated), {} LSOAs on 2011 codes, {} on 2021 codes; IMD 2019 for {}, IMD 2025 for {}; {} best-fit links",
                stats.postcodes,
                stats.postcodes_terminated,
                stats.lsoas_2011,
                stats.lsoas_2021,
                stats.imd2019_lsoas,
                stats.imd2025_lsoas,
                stats.lsoa_links
            );
            Ok(())
        }
    }
}
