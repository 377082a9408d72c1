//! `levers geo …`: import ONS and MHCLG geography files, look up postcodes and areas, and say what is loaded.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use levers_core::AreaCode;
use levers_geo::{
    FileKind, GeoRecord, Postcode, ReadReport, block::encode_block, read_geo_with_kind,
};
use levers_store::geo::{GeoCounts, GeoDataset};
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

/// Records per stored block: large enough to amortise, small enough to keep memory bounded.
const BLOCK_RECORDS: usize = 20_000;

enum Msg {
    Kind(FileKind),
    Block(i64, Vec<u8>),
}

/// A reader over a plain or gzip-compressed file (told apart by its first bytes), counting the
/// compressed bytes read for the progress bar.
fn open(path: &Path, bar: ProgressBar) -> anyhow::Result<Box<dyn Read + Send>> {
    let mut f = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut magic = [0u8; 2];
    let n = f.read(&mut magic)?;
    let f = File::open(path)?;
    let counted = Counting { inner: f, bar };
    let r: Box<dyn Read + Send> = if n == 2 && magic == [0x1f, 0x8b] {
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
            1 << 16,
            counted,
        )))
    } else {
        Box::new(counted)
    };
    Ok(r)
}

struct Counting {
    inner: File,
    bar: ProgressBar,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bar.inc(n as u64);
        Ok(n)
    }
}

/// Imports one file in one transaction: read on a worker thread, stored block by block.
pub async fn import_file(
    store: &Store,
    actor: &Actor,
    path: &Path,
    bar: ProgressBar,
) -> anyhow::Result<(GeoDataset, ReadReport, Option<i64>)> {
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let reader = open(path, bar)?;
    import_reader(store, actor, &name, &path.display().to_string(), reader).await
}

/// Imports from any reader under the dataset name `name` (what a re-import is matched on).
pub async fn import_reader(
    store: &Store,
    actor: &Actor,
    name: &str,
    display: &str,
    reader: Box<dyn Read + Send>,
) -> anyhow::Result<(GeoDataset, ReadReport, Option<i64>)> {
    let (name, display) = (name.to_string(), display.to_string());
    let path = PathBuf::from(&display);
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Msg>(4);
    let worker = std::thread::spawn(move || {
        let mut batch: Vec<GeoRecord> = Vec::with_capacity(BLOCK_RECORDS);
        let mut send_ok = true;
        let kind_tx = tx.clone();
        let result = read_geo_with_kind(
            &display,
            BufReader::with_capacity(1 << 20, reader),
            |k| send_ok &= kind_tx.blocking_send(Msg::Kind(k)).is_ok(),
            |r| {
                batch.push(r);
                if batch.len() >= BLOCK_RECORDS {
                    let bytes = encode_block(&batch);
                    let _ = tx.blocking_send(Msg::Block(batch.len() as i64, bytes));
                    batch.clear();
                }
            },
            |_| {},
        );
        if result.is_ok() && !batch.is_empty() {
            let _ = tx.blocking_send(Msg::Block(batch.len() as i64, encode_block(&batch)));
        }
        result
    });
    let mut import = None;
    let mut records = 0i64;
    let mut failure = None;
    while let Some(msg) = rx.recv().await {
        match msg {
            Msg::Kind(kind) => match store.begin_geo_import(actor, kind.as_str(), &name).await {
                Ok(i) => import = Some(i),
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            },
            Msg::Block(n, bytes) => {
                if let Some(i) = import.as_mut() {
                    records += n;
                    if let Err(e) = i.add_block(n, &bytes).await {
                        failure = Some(e);
                        break;
                    }
                }
            }
        }
    }
    drop(rx);
    let report = worker
        .join()
        .map_err(|_| anyhow::anyhow!("the reader of {} stopped unexpectedly", path.display()))??;
    if let Some(e) = failure {
        return Err(e.into());
    }
    let import = import.context("the file had no header")?;
    let replaced = import.replaces().map(|d| d.id);
    let counts = GeoCounts {
        rows_read: report.rows_read as i64,
        rows_imported: report.rows_imported as i64,
        rows_rejected: report.rows_rejected as i64,
        rows_blank: report.rows_blank as i64,
        records,
        rejections: serde_json::to_value(&report.rejections)?,
    };
    let ds = import.finish(actor, &counts).await?;
    Ok((ds, report, replaced))
}

fn bar_for(path: &Path) -> ProgressBar {
    let len = std::fs::metadata(path).map_or(0, |m| m.len());
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(
            "{msg} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_message(
        path.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
    );
    bar
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
                let bar = bar_for(path);
                let started = std::time::Instant::now();
                let (ds, report, replaced) = import_file(&store, &actor, path, bar.clone()).await?;
                bar.finish_and_clear();
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
