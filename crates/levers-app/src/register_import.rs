//! Importing a co-production register file, the same for the web app's background job, the CLI and
//! the demo: read (reconciled, every problem with its line and column), stored in one transaction
//! with its report (so the result can be shown again), audited, and the objectives it names linked
//! to the strategy's objectives of the same title. Progress is reported in steps (read, stored,
//! linked), the work being short next to an upload.

use levers_coproduction::csv_io::{RegisterCsvError, RegisterFile, read_register};
use levers_store::coproduction::RegisterImportCounts;
use levers_store::{Actor, Store, StoreError};

/// The steps [`import`] reports.
pub const STEPS: u64 = 3;

/// Why a register file was not imported.
#[derive(Debug, thiserror::Error)]
pub enum RegisterImportError {
    #[error(transparent)]
    Read(#[from] RegisterCsvError),
    #[error("the register could not be stored: {0}")]
    Store(#[from] StoreError),
    #[error("the reader stopped unexpectedly: {0}")]
    Worker(String),
}

/// What an import read and changed.
#[derive(Debug, Clone)]
pub struct RegisterImport {
    pub file: RegisterFile,
    /// What changed, with the stored import's id.
    pub counts: RegisterImportCounts,
    /// Objectives the file names that match no strategy objective.
    pub unmatched: Vec<String>,
}

/// Reads `bytes` (a register CSV named `file_name`) on a blocking thread and stores it; `step` is
/// told 1, 2 and 3 as reading, storing and linking finish.
pub async fn import(
    store: &Store,
    actor: &Actor,
    file_name: &str,
    bytes: Vec<u8>,
    step: impl Fn(u64),
) -> Result<RegisterImport, RegisterImportError> {
    let name = file_name.to_string();
    let file = tokio::task::spawn_blocking(move || read_register(&name, &bytes))
        .await
        .map_err(|e| RegisterImportError::Worker(e.to_string()))??;
    step(1);
    let report = serde_json::to_value(file.report())
        .map_err(|e| RegisterImportError::Worker(e.to_string()))?;
    let counts = store
        .import_coproduction_register(actor, file_name, &file.entries, report)
        .await?;
    step(2);
    // The objectives the file names link to the strategy's objectives of the same title; names
    // that match none stay as typed until an officer chooses.
    let unmatched = store.link_activity_tags(actor).await?;
    step(STEPS);
    Ok(RegisterImport {
        file,
        counts,
        unmatched,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use levers_store::testing::scratch_sqlite;

    #[tokio::test]
    async fn an_import_keeps_its_report_and_says_what_changed() {
        let (store, scratch) = scratch_sqlite().await.unwrap();
        let csv = "reference,service,directorate,annual_value,current_stage,started_on,stage,rung,lead,held_on\n\
A-1,Meals,Adults,100,do,2024-04-01,plan,co-design,council,2024-05-01\n\
B-2,Parks,Place,ten pounds,do,2024-04-01,,,,\n";
        let steps = std::sync::Mutex::new(Vec::new());
        let done = import(
            &store,
            &Actor::system("test"),
            "reg.csv",
            csv.as_bytes().to_vec(),
            |s| steps.lock().unwrap().push(s),
        )
        .await
        .unwrap();
        assert_eq!(*steps.lock().unwrap(), vec![1, 2, 3]);
        assert_eq!(done.counts.activities_created, 1);
        let stored = store
            .coproduction_register_import(done.counts.import_id)
            .await
            .unwrap()
            .unwrap();
        let report: levers_coproduction::csv_io::RegisterReport =
            serde_json::from_value(stored.report).unwrap();
        assert_eq!(report, done.file.report());
        assert_eq!(
            (report.errors[0].line, report.errors[0].field.as_str()),
            (3, "annual_value")
        );
        assert_eq!(stored.counts, done.counts);
        // A file that cannot be read names itself and the line.
        let e = import(
            &store,
            &Actor::system("test"),
            "bad.csv",
            b"name\nx\n".to_vec(),
            |_| {},
        )
        .await
        .unwrap_err();
        assert!(e.to_string().starts_with("bad.csv, line 1:"), "{e}");
        scratch.remove().await;
    }
}
