//! Importing a geography file (ONS postcode directories, the Indices of Deprivation, LSOA, ward and
//! district lookups; CSV or gzip-compressed CSV, recognised by its header), the same for the CLI
//! (`levers geo import`), the demo and the web app's background job. The file is read on a worker
//! thread and stored block by block in one transaction, so memory stays bounded however large the
//! file is; a re-import of the same file replaces it when it commits. An import that fails or is
//! given up is rolled back at once ([`levers_store::geo::GeoImport::abandon`]): nothing of it stays.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::Arc;

use levers_geo::{
    FileKind, GeoError, GeoRecord, ReadReport, block::encode_block, read_geo_with_kind,
};
use levers_store::geo::{GeoCounts, GeoDataset, GeoImport};
use levers_store::{Actor, Store, StoreError};

/// Records per stored block: large enough to amortise, small enough to keep memory bounded.
const BLOCK_RECORDS: usize = 20_000;

/// Told how many bytes of the file (as stored: compressed for a `.gz`) have been read so far.
pub type BytesRead = Arc<dyn Fn(u64) + Send + Sync>;

/// Why a geography file was not imported.
#[derive(Debug, thiserror::Error)]
pub enum GeoImportError {
    #[error("{file}: the file could not be opened: {source}")]
    Open {
        file: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Read(#[from] GeoError),
    #[error("{0}: the file had no header row, so nothing was imported")]
    NoHeader(String),
    #[error("the geography could not be stored: {0}")]
    Store(#[from] StoreError),
    #[error("the reader of {0} stopped unexpectedly")]
    Worker(String),
}

/// What an import stored.
#[derive(Debug, Clone)]
pub struct GeoImportDone {
    pub dataset: GeoDataset,
    pub report: ReadReport,
    /// The earlier import of the same file that this one replaced.
    pub replaced: Option<i64>,
}

enum Msg {
    Kind(FileKind),
    Block(i64, Vec<u8>),
}

/// A reader over a plain or gzip-compressed file (told apart by its first bytes), telling
/// `bytes_read` how much of the file has been read.
pub fn open(path: &Path, bytes_read: BytesRead) -> std::io::Result<Box<dyn Read + Send>> {
    let mut f = File::open(path)?;
    let mut magic = [0u8; 2];
    let n = f.read(&mut magic)?;
    let counted = Counting {
        inner: File::open(path)?,
        read: 0,
        tell: bytes_read,
    };
    Ok(if n == 2 && magic == [0x1f, 0x8b] {
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
            1 << 16,
            counted,
        )))
    } else {
        Box::new(counted)
    })
}

struct Counting {
    inner: File,
    read: u64,
    tell: BytesRead,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        (self.tell)(self.read);
        Ok(n)
    }
}

/// Imports the file at `path` under the name `name` (what a re-import is matched on and messages
/// name: the file's own name, not a temporary copy's).
pub async fn import_file(
    store: &Store,
    actor: &Actor,
    path: &Path,
    name: &str,
    bytes_read: BytesRead,
) -> Result<GeoImportDone, GeoImportError> {
    let reader = open(path, bytes_read).map_err(|source| GeoImportError::Open {
        file: name.to_string(),
        source,
    })?;
    import_reader(store, actor, name, reader).await
}

/// Imports from any reader under the dataset name `name`.
pub async fn import_reader(
    store: &Store,
    actor: &Actor,
    name: &str,
    reader: Box<dyn Read + Send>,
) -> Result<GeoImportDone, GeoImportError> {
    let display = name.to_string();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Msg>(4);
    let worker = std::thread::spawn(move || {
        let mut batch: Vec<GeoRecord> = Vec::with_capacity(BLOCK_RECORDS);
        let kind_tx = tx.clone();
        let result = read_geo_with_kind(
            &display,
            BufReader::with_capacity(1 << 20, reader),
            |k| {
                let _ = kind_tx.blocking_send(Msg::Kind(k));
            },
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
    let mut import: Option<GeoImport> = None;
    let mut records = 0i64;
    let mut failure = None;
    while let Some(msg) = rx.recv().await {
        match msg {
            Msg::Kind(kind) => match store.begin_geo_import(actor, kind.as_str(), name).await {
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
    let read = worker.join();
    // Every way out short of finishing gives the import up at once, so no write lock is held.
    let give_up = |import: Option<GeoImport>| async move {
        if let Some(i) = import {
            i.abandon().await;
        }
    };
    let report = match read {
        Err(_) => {
            give_up(import).await;
            return Err(GeoImportError::Worker(name.to_string()));
        }
        Ok(Err(e)) => {
            give_up(import).await;
            return Err(e.into());
        }
        Ok(Ok(r)) => r,
    };
    if let Some(e) = failure {
        give_up(import).await;
        return Err(e.into());
    }
    let Some(import) = import else {
        return Err(GeoImportError::NoHeader(name.to_string()));
    };
    let replaced = import.replaces().map(|d| d.id);
    let counts = GeoCounts {
        rows_read: report.rows_read as i64,
        rows_imported: report.rows_imported as i64,
        rows_rejected: report.rows_rejected as i64,
        rows_blank: report.rows_blank as i64,
        records,
        rejections: serde_json::to_value(&report.rejections)
            .map_err(|e| GeoImportError::Store(StoreError::Corrupt(e.to_string())))?,
    };
    let dataset = import.finish(actor, &counts).await?;
    Ok(GeoImportDone {
        dataset,
        report,
        replaced,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use levers_store::testing::scratch_sqlite;

    const IMD: &str = "LSOA code (2011),LSOA name (2011),Local Authority District code (2019),Local Authority District name (2019),Index of Multiple Deprivation (IMD) Rank,Index of Multiple Deprivation (IMD) Decile\n\
X01000001,Testham 001A,X07000009,Testham,\"1,000\",1\nX01000002,Testham 001B,X07000009,Testham,\"31,000\",10\n";

    #[tokio::test]
    async fn a_file_is_imported_reconciled_and_replaced_by_its_reimport() {
        let (store, scratch) = scratch_sqlite().await.unwrap();
        let actor = Actor::system("test");
        let dir = std::env::temp_dir().join(format!("levers-geo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("imd.csv.gz");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, IMD.as_bytes()).unwrap();
        std::fs::write(&path, gz.finish().unwrap()).unwrap();
        let seen = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let s = seen.clone();
        let done = import_file(
            &store,
            &actor,
            &path,
            "imd.csv.gz",
            Arc::new(move |n| s.store(n, std::sync::atomic::Ordering::Relaxed)),
        )
        .await
        .unwrap();
        assert_eq!(
            seen.load(std::sync::atomic::Ordering::Relaxed),
            std::fs::metadata(&path).unwrap().len()
        );
        assert_eq!(done.dataset.rows_imported, 2);
        assert!(done.report.reconciles());
        assert_eq!(done.replaced, None);
        let again = import_file(&store, &actor, &path, "imd.csv.gz", Arc::new(|_| {}))
            .await
            .unwrap();
        assert_eq!(again.replaced, Some(done.dataset.id));
        assert_eq!(store.geo_datasets().await.unwrap().len(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
        scratch.remove().await;
    }

    #[tokio::test]
    async fn a_file_that_fails_leaves_nothing_and_no_lock() {
        let (store, scratch) = scratch_sqlite().await.unwrap();
        let actor = Actor::system("test");
        // Recognised by its header (so the import has begun), then the reader fails part-way.
        struct Broken(std::io::Cursor<Vec<u8>>);
        impl Read for Broken {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                match self.0.read(buf)? {
                    0 => Err(std::io::Error::other("the disk went away")),
                    n => Ok(n),
                }
            }
        }
        let e = import_reader(
            &store,
            &actor,
            "bad.csv",
            Box::new(Broken(std::io::Cursor::new(IMD.as_bytes().to_vec()))),
        )
        .await
        .unwrap_err();
        assert!(e.to_string().contains("bad.csv"), "{e}");
        let e = import_reader(
            &store,
            &actor,
            "names.csv",
            Box::new(std::io::Cursor::new(b"name,age\nx,1\n".to_vec())),
        )
        .await
        .unwrap_err();
        assert!(
            e.to_string().starts_with("names.csv: not a geography file"),
            "{e}"
        );
        // Nothing half-done, and the database is free for the next import at once.
        let ok = import_reader(
            &store,
            &actor,
            "imd.csv",
            Box::new(std::io::Cursor::new(IMD.as_bytes().to_vec())),
        )
        .await
        .unwrap();
        assert_eq!(ok.dataset.rows_imported, 2);
        assert!(
            store
                .geo_datasets()
                .await
                .unwrap()
                .iter()
                .all(|d| d.file_name == "imd.csv"),
            "only the good file is stored"
        );
        scratch.remove().await;
    }
}
