//! `levers place …`: import boundaries, link typed locations to wards, and print the place view of
//! the council, a ward or a neighbourhood (the ward profile), as text or JSON.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::Subcommand;
use levers_app::place::{self, PlaceView};
use levers_app::procurement::PaymentsCache;
use levers_core::AreaCode;
use levers_present::show::{money_whole, pct};
use levers_store::{Actor, Store};

use crate::geo_cli::GeoDb;

#[derive(Subcommand, Debug)]
pub enum PlaceCommand {
    /// Import boundary files (GeoJSON FeatureCollections in longitude/latitude, as ONS publishes
    /// them): the area code is the property ending CD (LSOA11CD, WD13CD …). Re-importing replaces.
    Boundaries {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        db: GeoDb,
    },
    /// Give community budget ideas that have a typed location and no place the council ward named in it.
    LinkTyped {
        #[command(flatten)]
        db: GeoDb,
        #[arg(long)]
        json: bool,
    },
    /// The place view of the council (no AREA), a ward or a neighbourhood (LSOA code).
    View {
        area: Option<String>,
        /// Financial year of spend, like 2024/25 (default: the latest loaded).
        #[arg(long)]
        year: Option<String>,
        #[command(flatten)]
        db: GeoDb,
        #[arg(long)]
        json: bool,
    },
    /// A ward's one-page profile for its councillors (the same figures as its place view): text,
    /// JSON, its figures as CSV on standard output (--csv), or every table as a workbook (--xlsx FILE),
    /// the same files as the web page's downloads.
    Profile {
        ward: String,
        #[arg(long)]
        year: Option<String>,
        #[command(flatten)]
        db: GeoDb,
        #[arg(long)]
        json: bool,
        #[arg(long, conflicts_with = "json")]
        csv: bool,
        #[arg(long)]
        xlsx: Option<PathBuf>,
    },
}

pub async fn run(cmd: PlaceCommand) -> anyhow::Result<()> {
    match cmd {
        PlaceCommand::Boundaries { files, db } => {
            let store = Store::open(&db.database).await?;
            for path in files {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default();
                let bytes = std::fs::read(&path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                let read = place::boundaries::import_boundaries(
                    &store,
                    &Actor::system("cli"),
                    &name,
                    bytes,
                )
                .await?;
                println!(
                    "{name}: {} features, {} areas imported, {} skipped",
                    read.features,
                    read.areas.len(),
                    read.skipped.len()
                );
                for s in read.skipped.iter().take(10) {
                    println!("  feature {}: {}", s.feature, s.reason);
                }
            }
            Ok(())
        }
        PlaceCommand::LinkTyped { db, json } => {
            let store = Store::open(&db.database).await?;
            let geo = Arc::new(store.load_geo_index().await?);
            let r = place::links::link_typed_locations(&store, &geo, &Actor::system("cli")).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                for (id, loc, code) in &r.linked {
                    println!(
                        "idea {id}: \"{loc}\" → {}",
                        place::links::place_label(&geo, Some(code))
                    );
                }
                for (id, loc, why) in &r.left {
                    println!("idea {id}: \"{loc}\" left for an officer: {why}");
                }
            }
            Ok(())
        }
        PlaceCommand::View {
            area,
            year,
            db,
            json,
        } => {
            let v = view(&db, area.as_deref(), year.as_deref()).await?;
            print_view(&v, json)
        }
        PlaceCommand::Profile {
            ward,
            year,
            db,
            json,
            csv,
            xlsx,
        } => {
            let code = AreaCode::parse(&ward)?;
            if code.kind() != levers_core::AreaKind::Ward {
                bail!("{code} is not a ward code (E05…): a profile is for a ward");
            }
            let v = view(&db, Some(&ward), year.as_deref()).await?;
            if let Some(path) = xlsx {
                let bytes = levers_present::tables::workbook(&place::export::tables(&v));
                std::fs::write(&path, bytes)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                eprintln!("wrote {}", path.display());
                if !json && !csv {
                    return Ok(());
                }
            }
            if csv {
                print!(
                    "{}",
                    levers_present::tables::csv(&place::export::figures_table(&v))
                );
                return Ok(());
            }
            print_view(&v, json)
        }
    }
}

async fn view(db: &GeoDb, area: Option<&str>, year: Option<&str>) -> anyhow::Result<PlaceView> {
    let store = Store::open(&db.database).await?;
    let geo = Arc::new(store.load_geo_index().await?);
    let code = area.map(AreaCode::parse).transpose()?;
    place::view::build(&store, &PaymentsCache::default(), geo, code.as_ref(), year)
        .await?
        .with_context(|| {
            format!(
                "{} is not the council, one of its wards or one of its neighbourhoods in the loaded geography",
                area.unwrap_or("?")
            )
        })
}

fn print_view(v: &PlaceView, json: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(v)?);
        return Ok(());
    }
    println!("{} ({})", v.name, v.code);
    let f = &v.figures;
    if let Some(p) = f.population {
        println!("  residents: {p:.0}");
    }
    let d12: u32 = v.deciles[0] + v.deciles[1];
    let all: u32 = v.deciles.iter().sum();
    println!("  neighbourhoods in {} deciles 1–2: {d12} of {all}", v.imd);
    if let Some(y) = &v.spend_year {
        println!(
            "  spend with suppliers based here ({y}): {} with {} suppliers{}",
            money_whole(f.spend_pence),
            f.spend_suppliers,
            f.spend_per_resident_pence()
                .map_or(String::new(), |p| format!(
                    ", {} per resident",
                    money_whole(p)
                ))
        );
    }
    println!(
        "  community budget projects funded: {} ({}){}",
        f.pb_projects,
        money_whole(f.pb_pence),
        f.turnout_share()
            .map_or(String::new(), |t| format!("; turnout {}", pct(t)))
    );
    println!(
        "  commissioning activities: {} ({} a year), {} co-produced at two or more stages",
        f.activities,
        money_whole(f.activities_value_pence),
        f.activities_coproduced
    );
    let shown = |n: Option<u64>| {
        n.map_or_else(
            || "fewer than 10 (not shown)".to_string(),
            |n| n.to_string(),
        )
    };
    println!(
        "  co-production participants living here: {}",
        shown(f.people)
    );
    for r in &v.reach {
        println!("  {}: {}", r.lever, r.reach.summary);
    }
    for i in &v.indicators {
        println!(
            "  {} — {} ({}): {} {}",
            i.indicator, i.measure, i.period, i.value, i.unit
        );
    }
    for r in &v.rows {
        println!(
            "  {}\t{}\t{}\t{}",
            r.code,
            r.name,
            r.decile.map_or_else(
                || format!("{}/{} LSOAs in deciles 1–2", r.lsoas_most_deprived, r.lsoas),
                |d| format!("decile {d}")
            ),
            money_whole(r.figures.spend_pence)
        );
    }
    for n in &v.notes {
        println!("  note: {n}");
    }
    println!("  {}", v.population_note);
    println!("  {}", v.suppression_note);
    Ok(())
}
