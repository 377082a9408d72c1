//! Official indicators: importing a published file (read by header, stored in one transaction,
//! audited) and reading values back by area or by indicator. The stable entry points other use
//! cases (the strategy's measures, the place view) call are [`import_file`], [`values_for`],
//! [`values_of`], [`population`] and [`files`].

use std::collections::HashMap;

use levers_place::indicators::is_total_population;
use levers_place::{IndicatorError, IndicatorReport, IndicatorValue, read_indicators};
use levers_store::places::indicators::{IndicatorFile, StoredIndicator};
use levers_store::{Actor, Store, StoreError};

pub use levers_store::places::indicators::{IndicatorFile as File, StoredIndicator as Value};

/// Why an indicator file was not imported.
#[derive(Debug, thiserror::Error)]
pub enum IndicatorImportError {
    #[error(transparent)]
    Read(#[from] IndicatorError),
    #[error(
        "{file}: every one of its {rows} rows was rejected (first: line {line}, {field}: {reason}); nothing was imported"
    )]
    AllRejected {
        file: String,
        rows: u64,
        line: u64,
        field: String,
        reason: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the reader stopped unexpectedly: {0}")]
    Worker(String),
}

/// What an import did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct IndicatorImport {
    pub file: IndicatorFile,
    pub report: IndicatorReport,
}

/// Reads `bytes` (a whole CSV file named `file_name`) on a blocking thread and stores its values in
/// one transaction, replacing an earlier import of the same file name. A file whose every row is
/// rejected is refused.
pub async fn import_file(
    store: &Store,
    actor: &Actor,
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<IndicatorImport, IndicatorImportError> {
    let name = file_name.to_string();
    let (report, values) = tokio::task::spawn_blocking(move || {
        let mut values: Vec<IndicatorValue> = Vec::new();
        read_indicators(&name, &bytes[..], |v| values.push(v)).map(|r| (r, values))
    })
    .await
    .map_err(|e| IndicatorImportError::Worker(e.to_string()))??;
    if report.rows_imported == 0 && report.rows_rejected > 0 {
        let first = report.rejections.first();
        return Err(IndicatorImportError::AllRejected {
            file: file_name.to_string(),
            rows: report.rows_rejected,
            line: first.map_or(0, |r| r.line),
            field: first.map(|r| r.field.clone()).unwrap_or_default(),
            reason: first.map(|r| r.reason.clone()).unwrap_or_default(),
        });
    }
    let file = store
        .import_indicator_file(actor, file_name, &report, &values)
        .await?;
    Ok(IndicatorImport { file, report })
}

/// Every imported value for one area (GSS code), each with the file it came from.
pub async fn values_for(
    store: &Store,
    area_code: &str,
) -> Result<Vec<StoredIndicator>, StoreError> {
    store.indicator_values_for(area_code).await
}

/// Every imported value of one indicator and measure, for all areas and periods.
pub async fn values_of(
    store: &Store,
    indicator: &str,
    measure: &str,
) -> Result<Vec<StoredIndicator>, StoreError> {
    store.indicator_values_of(indicator, measure).await
}

/// Every imported value for the given areas.
pub async fn values_in(
    store: &Store,
    codes: &[String],
) -> Result<Vec<StoredIndicator>, StoreError> {
    store.indicator_values_in(codes).await
}

/// The imported indicator files, newest first.
pub async fn files(store: &Store) -> Result<Vec<IndicatorFile>, StoreError> {
    store.indicator_files().await
}

/// Total population by LSOA code from the IoD population denominators (File 6), when imported; the
/// latest file wins where two give the same LSOA.
pub async fn population(store: &Store) -> Result<HashMap<String, f64>, StoreError> {
    let mut out = HashMap::new();
    for (indicator, measure, _, _) in store.indicator_catalogue().await? {
        if !is_total_population(&indicator, &measure) {
            continue;
        }
        for v in store.indicator_values_of(&indicator, &measure).await? {
            out.insert(v.area_code, v.value);
        }
    }
    Ok(out)
}
