//! Importing a spending file: the pipeline that streams a transparency file into the store in one
//! transaction (read on a blocking thread, batches stored as they come, de-duplicated by transaction
//! identity, the mapping remembered, audited). The web upload, the CLI and the demo all call this.

use std::sync::Arc;

use levers_spend::{CheckOptions, CheckReport, Field, SpendError, Transaction, read_transactions};
use levers_store::spend::{SpendCounts, SpendImport};
use levers_store::{Actor, Store};

pub use crate::credentials::sha256_hex;

/// Rows handed from the reader thread to the database at a time (one COPY on PostgreSQL).
const BATCH: usize = 10_000;

/// What importing a file did.
#[derive(Debug)]
pub enum ImportOutcome {
    /// The same file (same bytes) was already imported for this body: nothing was added.
    AlreadyImported(Box<SpendImport>),
    Imported {
        import_id: i64,
        counts: SpendCounts,
        report: Box<CheckReport>,
        dropped_saved: Vec<String>,
    },
}

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Spend(#[from] SpendError),
    #[error(transparent)]
    Store(#[from] levers_store::StoreError),
    #[error("the reader stopped unexpectedly: {0}")]
    Worker(String),
}

/// The options for reading a body's file: the explicit overrides, plus the mapping saved from the
/// body's last import for the fields not overridden.
pub async fn options_for(
    store: &Store,
    body: &str,
    explicit: &[(Field, String)],
) -> Result<(CheckOptions, Vec<(Field, String)>), ImportError> {
    let mut overrides = explicit.to_vec();
    let mut saved = Vec::new();
    for (f, h) in store.spend_mapping(body).await? {
        if let Some(field) = Field::from_name(&f)
            && !overrides.iter().any(|(o, _)| *o == field)
        {
            overrides.push((field, h.clone()));
            saved.push((field, h));
        }
    }
    Ok((
        CheckOptions {
            overrides,
            body: Some(body.to_string()),
            max_listed: 1000,
        },
        saved,
    ))
}

/// Marks the columns that came from the body's saved mapping (not chosen for this file) as
/// "saved mapping" rather than "override": the report then says which columns an officer chose.
pub fn label_saved(report: &mut CheckReport, saved: &[(Field, String)]) {
    for c in &mut report.mapping.columns {
        if c.how == "override" && saved.iter().any(|(f, _)| *f == c.field) {
            c.how = "saved mapping";
        }
    }
}

/// Runs `f` with the options, dropping saved (not explicit) mapping entries whose header this file
/// lacks, one at a time. Returns the result and the dropped headers.
pub fn with_saved_fallback<T>(
    opts: &CheckOptions,
    saved: &[(Field, String)],
    mut f: impl FnMut(&CheckOptions) -> Result<T, SpendError>,
) -> Result<(T, Vec<String>), SpendError> {
    let mut opts = opts.clone();
    let mut dropped = Vec::new();
    loop {
        match f(&opts) {
            Err(SpendError::MapNotFound { field, header, .. })
                if saved.iter().any(|(sf, sh)| *sf == field && *sh == header) =>
            {
                opts.overrides
                    .retain(|(of, oh)| !(*of == field && *oh == header));
                dropped.push(format!("{field}=\"{header}\""));
            }
            other => return other.map(|t| (t, dropped)),
        }
    }
}

/// Imports one file for `body` in one transaction: reads on a blocking thread, stores in batches,
/// de-duplicates by transaction identity, saves the mapping used, and audits. Re-importing the same
/// bytes adds nothing.
pub async fn import_bytes(
    store: &Store,
    actor: &Actor,
    body: &str,
    file_name: &str,
    bytes: Arc<Vec<u8>>,
    explicit: &[(Field, String)],
) -> Result<ImportOutcome, ImportError> {
    import_bytes_with_progress(store, actor, body, file_name, bytes, explicit, None).await
}

/// Called with the number of payments read so far (every few thousand), for progress bars.
pub type Progress = Arc<dyn Fn(u64) + Send + Sync>;

/// As [`import_bytes`], reporting progress.
pub async fn import_bytes_with_progress(
    store: &Store,
    actor: &Actor,
    body: &str,
    file_name: &str,
    bytes: Arc<Vec<u8>>,
    explicit: &[(Field, String)],
    progress: Option<Progress>,
) -> Result<ImportOutcome, ImportError> {
    let sha = sha256_hex(&bytes);
    if let Some(prev) = store.spend_import_of_file(body, &sha).await? {
        return Ok(ImportOutcome::AlreadyImported(Box::new(prev)));
    }
    let (opts, saved) = options_for(store, body, explicit).await?;
    let saved_mapping = saved.clone();
    let mut imp = store
        .begin_spend_import(actor, body, file_name, &sha, bytes.len() as i64)
        .await?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<Transaction>>(4);
    let name = file_name.to_string();
    let worker = tokio::task::spawn_blocking(move || {
        let mut batch = Vec::with_capacity(BATCH);
        let mut read = 0u64;
        // A saved mapping entry this file lacks fails at the header, before any row is sent, so
        // dropping it and reading again is safe.
        let result = with_saved_fallback(&opts, &saved, |o| {
            read_transactions(&name, &bytes, o, |t| {
                batch.push(t.to_owned());
                read += 1;
                if let Some(p) = &progress
                    && read.is_multiple_of(5_000)
                {
                    p(read);
                }
                if batch.len() >= BATCH {
                    let _ =
                        tx.blocking_send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)));
                }
            })
        });
        if result.is_ok() && !batch.is_empty() {
            let _ = tx.blocking_send(batch);
        }
        result
    });
    let mut failure = None;
    while let Some(batch) = rx.recv().await {
        if let Err(e) = imp.add(&batch).await {
            failure = Some(e);
            break;
        }
    }
    drop(rx);
    // Every way out ends the import's transaction explicitly.
    let read = match worker.await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(ImportError::from(e)),
        Err(e) => Err(ImportError::Worker(e.to_string())),
    };
    let (mut report, dropped) = match (read, failure) {
        (Ok(v), None) => v,
        (Err(e), _) => {
            imp.abandon().await;
            return Err(e);
        }
        (Ok(_), Some(e)) => {
            imp.abandon().await;
            return Err(e.into());
        }
    };
    label_saved(&mut report, &saved_mapping);
    let mapping: Vec<(String, String)> = report
        .mapping
        .columns
        .iter()
        .map(|c| (c.field.name().to_string(), c.header.clone()))
        .collect();
    let report_json = match serde_json::to_value(&report) {
        Ok(v) => v,
        Err(e) => {
            imp.abandon().await;
            return Err(ImportError::Worker(e.to_string()));
        }
    };
    let (import_id, counts) = imp.finish(actor, &report_json, &mapping).await?;
    Ok(ImportOutcome::Imported {
        import_id,
        counts,
        report: Box::new(report),
        dropped_saved: dropped,
    })
}
