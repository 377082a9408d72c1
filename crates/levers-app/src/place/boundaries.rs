//! Importing a GeoJSON boundary file: read and simplified on a blocking thread, stored in one
//! transaction (a re-import of the same file name replaces it), audited.

use levers_place::boundary::{BoundaryError, BoundaryRead, read_geojson};
use levers_store::{Actor, Store, StoreError};

/// Why a boundary file was not imported.
#[derive(Debug, thiserror::Error)]
pub enum BoundaryImportError {
    #[error(transparent)]
    Read(#[from] BoundaryError),
    #[error("{0}: no feature has a GSS area code and a polygon; nothing was imported")]
    Nothing(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the reader stopped unexpectedly: {0}")]
    Worker(String),
}

/// Reads and stores one GeoJSON file; returns what it held.
pub async fn import_boundaries(
    store: &Store,
    actor: &Actor,
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<BoundaryRead, BoundaryImportError> {
    let name = file_name.to_string();
    let read = tokio::task::spawn_blocking(move || read_geojson(&name, &bytes))
        .await
        .map_err(|e| BoundaryImportError::Worker(e.to_string()))??;
    if read.areas.is_empty() {
        return Err(BoundaryImportError::Nothing(file_name.to_string()));
    }
    store.import_boundary_file(actor, file_name, &read).await?;
    Ok(read)
}
