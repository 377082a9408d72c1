//! `levers spend import`: transparency files into the store, one transaction per file, de-duplicated
//! against what the body already has, with the mapping saved for the body's next file.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use levers_app::spend_import::{ImportOutcome, import_bytes_with_progress};
use levers_core::Money;
use levers_spend::CheckOptions;
use levers_store::{Actor, Store};

/// Imports `files` for `body`. `map` holds `field=Header` overrides as typed.
pub async fn import(
    files: &[PathBuf],
    body: &str,
    map: &[String],
    database: &str,
    json: bool,
) -> anyhow::Result<()> {
    let explicit = CheckOptions::with_map_specs(map)?.overrides;
    let store = Store::open(database).await?;
    let actor = Actor::system("cli");
    let mut out = Vec::new();
    for path in files {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        // A text file's lines are about its rows, so its bar has a length (and an ETA); a
        // spreadsheet's rows are not known until it is read, so it gets a counting spinner.
        let spreadsheet = bytes.starts_with(b"PK") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
        let bar = if spreadsheet {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg}: {pos} payments read ({per_sec})")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar
        } else {
            let lines = bytes.iter().filter(|b| **b == b'\n').count() as u64;
            let bar = ProgressBar::new(lines.max(1));
            bar.set_style(
                ProgressStyle::with_template(
                    "{msg} [{bar:30}] {pos}/~{len} rows ({per_sec}), {eta} left",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        };
        bar.set_message(name.clone());
        let b = bar.clone();
        let progress: levers_app::spend_import::Progress = Arc::new(move |n| b.set_position(n));
        let outcome = import_bytes_with_progress(
            &store,
            &actor,
            body,
            &name,
            Arc::new(bytes),
            &explicit,
            Some(progress),
        )
        .await
        .with_context(|| {
            format!(
                "{} was not imported (nothing from it was stored)",
                path.display()
            )
        })?;
        bar.finish_and_clear();
        match outcome {
            ImportOutcome::AlreadyImported(prev) => {
                if json {
                    out.push(serde_json::json!({"file": path.display().to_string(), "body": body, "already_imported": true, "import_id": prev.id, "rows_new": 0}));
                } else {
                    println!(
                        "{}: already imported for {body} (import {}); nothing added",
                        path.display(),
                        prev.id
                    );
                }
            }
            ImportOutcome::Imported {
                import_id,
                counts,
                report,
                dropped_saved,
            } => {
                if json {
                    out.push(serde_json::json!({
                        "file": path.display().to_string(), "body": body, "already_imported": false, "import_id": import_id,
                        "rows_kept": counts.rows_kept, "rows_new": counts.rows_new, "rows_already": counts.rows_already,
                        "total_pence": counts.total_pence, "new_pence": counts.new_pence,
                        "rejected": report.rejected_count, "reconciliation": report.reconciliation,
                        "grand_total": report.grand_total, "saved_mapping_not_used": dropped_saved,
                    }));
                } else {
                    println!(
                        "{}: {} payments ({}); {} new, {} already held from earlier files; {} rejected; every row accounted for: {}",
                        path.display(),
                        counts.rows_kept,
                        Money::from_pence(counts.total_pence),
                        counts.rows_new,
                        counts.rows_already,
                        report.rejected_count,
                        if report.reconciliation.balanced {
                            "yes"
                        } else {
                            "NO"
                        }
                    );
                    for r in report.rejected.iter().take(10) {
                        println!("  line {}: {}", r.line, r.reason);
                    }
                    if !dropped_saved.is_empty() {
                        println!(
                            "  (saved columns this file lacks, not used: {})",
                            dropped_saved.join(", ")
                        );
                    }
                }
            }
        }
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&out)?);
    }
    Ok(())
}
