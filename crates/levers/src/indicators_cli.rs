//! `levers indicators …`: import official indicator files (tidy CSVs, IoD summaries and population
//! denominators), list what is loaded, and show an area's values.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Subcommand;
use levers_app::indicators;
use levers_store::{Actor, Store};

use crate::geo_cli::GeoDb;

#[derive(Subcommand, Debug)]
pub enum IndicatorsCommand {
    /// Import indicator files (CSV or .csv.gz), recognised by their header: the tidy
    /// `area_code, area_name, period, indicator, measure, unit, value` shape, the IoD local authority
    /// summaries (2019, 2025) and the IoD population denominators (File 6). Re-importing a file
    /// replaces it. IMD ranks and deciles by LSOA are imported with `levers geo import`.
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        db: GeoDb,
        #[arg(long)]
        json: bool,
    },
    /// Every imported value for one area (a GSS code such as E08000009 or E05015239).
    Show {
        area: String,
        #[command(flatten)]
        db: GeoDb,
        #[arg(long)]
        json: bool,
    },
    /// The imported indicator files and their reconciliation.
    Status {
        #[command(flatten)]
        db: GeoDb,
        #[arg(long)]
        json: bool,
    },
}

/// A file's bytes, gunzipped when it starts with the gzip magic number.
pub fn read_maybe_gz(path: &Path) -> anyhow::Result<Vec<u8>> {
    let raw = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .with_context(|| format!("{}: not a valid gzip file", path.display()))?;
        return Ok(out);
    }
    Ok(raw)
}

pub async fn run(cmd: IndicatorsCommand) -> anyhow::Result<()> {
    match cmd {
        IndicatorsCommand::Import { files, db, json } => {
            let store = Store::open(&db.database).await?;
            let actor = Actor::system("cli");
            let mut out = Vec::new();
            for path in files {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_else(|| path.display().to_string());
                let bytes = read_maybe_gz(&path)?;
                let done = indicators::import_file(&store, &actor, &name, bytes).await?;
                let r = &done.report;
                if !json {
                    println!(
                        "{name}: {} — {} rows read = {} imported + {} rejected + {} blank; {} values",
                        r.kind.map_or("?", |k| k.describe()),
                        r.rows_read,
                        r.rows_imported,
                        r.rows_rejected,
                        r.rows_blank,
                        r.values
                    );
                    for rej in r.rejections.iter().take(10) {
                        println!("  line {}, {}: {}", rej.line, rej.field, rej.reason);
                    }
                }
                out.push(done);
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&out)?);
            }
            Ok(())
        }
        IndicatorsCommand::Show { area, db, json } => {
            let code = levers_core::AreaCode::parse(&area)?;
            let store = Store::open(&db.database).await?;
            let values = indicators::values_for(&store, code.as_str()).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&values)?);
                return Ok(());
            }
            if values.is_empty() {
                bail!(
                    "no indicator values for {code}: import files with `levers indicators import`"
                );
            }
            for v in values {
                println!(
                    "{}\t{}\t{}\t{}\t{} {}\t({})",
                    v.area_name, v.indicator, v.measure, v.period, v.value, v.unit, v.file_name
                );
            }
            Ok(())
        }
        IndicatorsCommand::Status { db, json } => {
            let store = Store::open(&db.database).await?;
            let files = indicators::files(&store).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&files)?);
                return Ok(());
            }
            if files.is_empty() {
                println!("no indicator files imported");
            }
            for f in files {
                println!(
                    "{}\t{}\t{} rows read, {} imported, {} rejected, {} blank; {} values",
                    f.file_name,
                    f.kind,
                    f.rows_read,
                    f.rows_imported,
                    f.rows_rejected,
                    f.rows_blank,
                    f.value_count
                );
            }
            Ok(())
        }
    }
}
