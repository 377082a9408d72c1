//! The contract pipeline's use cases, shared by the CLI and the web: importing an OCDS file or a
//! contract register into the store (a blocking reader thread streams contracts in batches over a
//! bounded channel into one transaction, with progress by bytes read; OCDS grouped by ocid first,
//! in bounded memory, so each contract is read from the store and written once), the pipeline of
//! opportunities, and one opportunity's matches and advice. Candidates and leaking sectors come
//! from the procurement analysis's report.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use levers_contracts::advice::{Advice, AdviceContext, advise};
use levers_contracts::mapping::Mapping;
use levers_contracts::matching::{Candidate, Match, matches};
use levers_contracts::pipeline::{
    LeakingSector, Opportunity, PipelineOptions, pipeline as run_pipeline,
};
use levers_contracts::thresholds::Thresholds;
use levers_contracts::{Contract, ContractsError};
use levers_spend::analysis::Report;
use levers_store::contracts::ContractImportRow;
use levers_store::{Actor, Store, StoreError};

mod candidates;
mod codec;
pub mod spill;
pub use candidates::{candidates_from_report, enrich_candidates};
use serde::Serialize;
use time::Date;

/// Contracts sent to the store at a time.
pub const BATCH: usize = 2_000;

#[derive(Debug, thiserror::Error)]
pub enum ContractImportError {
    #[error(transparent)]
    Read(#[from] ContractsError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Io(String),
    #[error("the reader stopped unexpectedly: {0}")]
    Worker(String),
}

/// What an import did: the stored row and the reader's own report.
#[derive(Debug, Clone, Serialize)]
pub struct ImportOutcome {
    pub import: ContractImportRow,
    pub report: serde_json::Value,
}

/// Whether the file is OCDS JSON (its first character opens a JSON object or array) or a register.
pub fn looks_like_ocds(head: &[u8]) -> bool {
    let h = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    matches!(
        h.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    )
}

struct Counting<R> {
    inner: R,
    seen: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.seen.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// A file's bytes in memory, shared with the reader thread.
struct Shared(Arc<Vec<u8>>);

impl AsRef<[u8]> for Shared {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// Where an import reads from.
enum Src {
    Path(std::path::PathBuf),
    Bytes(Arc<Vec<u8>>),
}

impl Src {
    fn open(&self) -> std::io::Result<Box<dyn Read + Send>> {
        Ok(match self {
            Src::Path(p) => Box::new(std::io::BufReader::with_capacity(
                1 << 16,
                std::fs::File::open(p)?,
            )),
            // Read in place, not copied.
            Src::Bytes(b) => Box::new(std::io::Cursor::new(Shared(b.clone()))),
        })
    }
    fn len(&self) -> std::io::Result<u64> {
        match self {
            Src::Path(p) => Ok(std::fs::metadata(p)?.len()),
            Src::Bytes(b) => Ok(b.len() as u64),
        }
    }
    fn all(&self) -> std::io::Result<Vec<u8>> {
        match self {
            Src::Path(p) => std::fs::read(p),
            Src::Bytes(b) => Ok(b.to_vec()),
        }
    }
}

/// Imports one file: OCDS (streamed) or a contract register published by `body`. `progress` is
/// called with the bytes read so far after each batch. One transaction: nothing is kept on error.
pub async fn import_file(
    store: &Store,
    actor: &Actor,
    path: &Path,
    body: &str,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ImportOutcome, ContractImportError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    import_named_file(store, actor, path, &name, body, progress).await
}

/// As [`import_file`], for a file stored under another name than its own (the web's upload,
/// written to a temporary file): the import is recorded as `name`.
pub async fn import_named_file(
    store: &Store,
    actor: &Actor,
    path: &Path,
    name: &str,
    body: &str,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ImportOutcome, ContractImportError> {
    let io = |e: std::io::Error| ContractImportError::Io(format!("{name}: {e}"));
    let mut head = [0u8; 64];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(io)?;
    let sha = sha256_file(path).map_err(io)?;
    import_source(
        store,
        actor,
        name,
        Src::Path(path.to_path_buf()),
        &head[..n],
        sha,
        body,
        progress,
    )
    .await
}

/// Imports a file held in memory (the demo's register and notices).
pub async fn import_bytes(
    store: &Store,
    actor: &Actor,
    name: &str,
    bytes: Vec<u8>,
    body: &str,
) -> Result<ImportOutcome, ContractImportError> {
    let sha = crate::credentials::sha256_hex(&bytes);
    let head: Vec<u8> = bytes.iter().take(64).copied().collect();
    import_source(
        store,
        actor,
        name,
        Src::Bytes(Arc::new(bytes)),
        &head,
        sha,
        body,
        &|_| {},
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn import_source(
    store: &Store,
    actor: &Actor,
    name: &str,
    src: Src,
    head: &[u8],
    sha: String,
    body: &str,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ImportOutcome, ContractImportError> {
    let ocds = looks_like_ocds(head);
    let mut imp = store
        .begin_contract_import(
            actor,
            if ocds { "ocds" } else { "register" },
            name,
            &sha,
            body,
        )
        .await?;
    // Batches of contracts to store; an empty one only says how far the reader has got.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<Contract>>(2);
    let seen = Arc::new(AtomicU64::new(0));
    let reader = {
        let (name, body, seen) = (name.to_string(), body.to_string(), seen.clone());
        tokio::task::spawn_blocking(
            move || -> Result<(u64, u64, serde_json::Value), ContractImportError> {
                let io = |e: std::io::Error| ContractImportError::Io(format!("{name}: {e}"));
                if ocds {
                    read_ocds_grouped(&name, &src, &seen, &tx)
                } else {
                    let bytes = src.all().map_err(io)?;
                    seen.store(bytes.len() as u64, Ordering::Relaxed);
                    let mut batch = Vec::with_capacity(BATCH);
                    let rep = levers_contracts::register::read_register(
                        &name,
                        &bytes,
                        &body,
                        &mut |c| {
                            batch.push(c);
                            if batch.len() >= BATCH {
                                let _ = tx.blocking_send(std::mem::take(&mut batch));
                            }
                        },
                    )?;
                    if !batch.is_empty() {
                        let _ = tx.blocking_send(batch);
                    }
                    Ok((
                        rep.kept + rep.rejected.len() as u64,
                        rep.rejected.len() as u64,
                        serde_json::to_value(&rep).unwrap_or_default(),
                    ))
                }
            },
        )
    };
    while let Some(b) = rx.recv().await {
        if let Err(e) = imp.add_batch(b).await {
            drop(rx);
            let _ = reader.await;
            return Err(e.into());
        }
        progress(seen.load(Ordering::Relaxed));
    }
    let read = match reader.await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            imp.abandon().await;
            return Err(e);
        }
        Err(e) => {
            imp.abandon().await;
            return Err(ContractImportError::Worker(e.to_string()));
        }
    };
    progress(seen.load(Ordering::Relaxed));
    let (records, rejected, report) = read;
    let import = imp.finish(actor, records, rejected, report.clone()).await?;
    Ok(ImportOutcome { import, report })
}

/// Reads OCDS in two passes so that memory stays bounded and each contract is read from the
/// store and written once: the releases are flattened into partitions by ocid ([`spill::Spill`]),
/// then each partition is sent as one batch. `seen` tracks progress in
/// bytes: the first pass counts for half the file's length, the partitions for the other half.
fn read_ocds_grouped(
    name: &str,
    src: &Src,
    seen: &AtomicU64,
    tx: &tokio::sync::mpsc::Sender<Vec<Contract>>,
) -> Result<(u64, u64, serde_json::Value), ContractImportError> {
    let io = |e: std::io::Error| ContractImportError::Io(format!("{name}: {e}"));
    let len = src.len().map_err(io)?;
    let bytes = Arc::new(AtomicU64::new(0));
    let r = Counting {
        inner: src.open().map_err(io)?,
        seen: bytes.clone(),
    };
    let mut spill = spill::Spill::new(len).map_err(io)?;
    let mut failed: Option<std::io::Error> = None;
    let rep = levers_contracts::ocds::read_ocds(name, r, &mut |c| {
        if failed.is_none() {
            failed = spill.push(c).err();
            if spill.pushed % 20_000 == 0 {
                seen.store(bytes.load(Ordering::Relaxed) / 2, Ordering::Relaxed);
                let _ = tx.blocking_send(Vec::new());
            }
        }
    })?;
    if let Some(e) = failed {
        return Err(io(e));
    }
    let parts = spill.partitions() as u64;
    let mut done = 0u64;
    spill
        .drain::<std::io::Error>(&mut |part| {
            // One batch a partition: its keys are in no other, so each is read and written once.
            if tx.blocking_send(part).is_err() {
                // The store side stopped: read no further (its error is the one reported).
                return Err(std::io::Error::other("the store stopped the import"));
            }
            done += 1;
            seen.store(len / 2 + len / 2 * done / parts, Ordering::Relaxed);
            Ok(())
        })
        .map_err(io)?;
    seen.store(len, Ordering::Relaxed);
    Ok((
        rep.read,
        rep.rejected,
        serde_json::to_value(&rep).unwrap_or_default(),
    ))
}

fn sha256_file(path: &Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// The sectors the analysis found leaking (its whole-spend scope).
pub fn leaking_from_report(r: &Report) -> Vec<LeakingSector> {
    r.all
        .by_sector
        .iter()
        .map(|s| LeakingSector {
            sector: s.sector.clone(),
            analysed_pence: s.analysed_pence,
            leakage_pence: s.leakage_pence,
            leakage_share: s.leakage_share,
        })
        .collect()
}

/// The opportunities among the stored contracts.
pub async fn pipeline(
    store: &Store,
    today: Date,
    horizon_months: u32,
    leaking: Vec<LeakingSector>,
) -> Result<Vec<Opportunity>, StoreError> {
    let contracts = store.contracts().await?;
    let mut opts = PipelineOptions::new(today);
    opts.horizon_months = horizon_months;
    opts.leaking = leaking;
    Ok(run_pipeline(&contracts, &Mapping::default(), &opts))
}

/// One contract with who could bid and how to buy it.
#[derive(Debug, Clone, Serialize)]
pub struct OpportunityDetail {
    pub contract: Contract,
    pub matches: Vec<Match>,
    pub advice: Advice,
    pub mapping_caveat: &'static str,
}

pub async fn opportunity(
    store: &Store,
    key: &str,
    candidates: &[Candidate],
    area_name: &str,
    today: Date,
) -> Result<Option<OpportunityDetail>, StoreError> {
    let Some(contract) = store.contract(key).await? else {
        return Ok(None);
    };
    let corrections = store.match_corrections(Some(key)).await?;
    let mapping = Mapping::default();
    let found = matches(key, &contract.cpv, &mapping, candidates, &corrections);
    let thresholds = Thresholds::default();
    let advice = advise(
        &contract,
        &found,
        &AdviceContext {
            on: today,
            area_name,
            thresholds: &thresholds,
        },
    );
    Ok(Some(OpportunityDetail {
        contract,
        matches: found,
        advice,
        mapping_caveat: levers_contracts::mapping::CAVEAT,
    }))
}

/// What the procurement analysis tells the pipeline: sectors leaking out of the area, the suppliers
/// who could bid, and the area's name for the advice on reservation.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AnalysisEvidence {
    pub year: Option<String>,
    pub area_name: String,
    pub leaking: Vec<LeakingSector>,
    pub candidates: Vec<Candidate>,
}

/// Runs the procurement analysis on every body's spend for the latest year, with the local and wider
/// areas saved in the settings (as the procurement dashboard does). Empty when there is no spend or
/// no local area is set, which the pages and the CLI say.
pub async fn analysis_evidence(
    store: &Store,
    cache: &crate::procurement::PaymentsCache,
    geo: Arc<levers_geo::GeoIndex>,
) -> Result<AnalysisEvidence, StoreError> {
    use crate::procurement::{
        AnalysisParams, LOCAL_LADS, LOCAL_NAME, WIDER_LADS, WIDER_NAME, parse_codes, run,
    };
    use levers_spend::analysis::{Area, ImdChoice, SectorBasis};
    let setting =
        |k: &'static str| async move { store.setting(k).await.map(Option::unwrap_or_default) };
    let local = parse_codes(&setting(LOCAL_LADS).await?).unwrap_or_default();
    let wider = parse_codes(&setting(WIDER_LADS).await?).unwrap_or_default();
    let local_name = setting(LOCAL_NAME).await?;
    let area_name = if local_name.trim().is_empty() {
        "the council's area and its bordering counties".to_string()
    } else {
        format!("{} and its bordering counties", local_name.trim())
    };
    let bodies = store.spend_bodies().await?;
    let years = if bodies.is_empty() {
        Vec::new()
    } else {
        store.spend_years(&bodies).await?
    };
    let (Some(year), false) = (years.first().cloned(), local.is_empty()) else {
        return Ok(AnalysisEvidence {
            area_name,
            ..AnalysisEvidence::default()
        });
    };
    let p = AnalysisParams {
        bodies,
        year: year.clone(),
        local: Area {
            name: local_name.clone(),
            lads: local,
        },
        wider: Area {
            name: setting(WIDER_NAME).await?,
            lads: wider,
        },
        top_n: 300,
        baseline: None,
        imd: ImdChoice::Imd2019,
        sector: SectorBasis::ExpenseType,
        use_registers: true,
    };
    let analysed = cache.bodies(store, &p).await?;
    let (report, _) = run(store, cache, geo, &analysed, &p).await?;
    // The supplier records and register entries give each candidate its SIC codes and objects.
    let mut candidates = candidates_from_report(&report);
    let mut suppliers = Vec::new();
    for b in &p.bodies {
        suppliers.extend(store.proc_suppliers(b).await?.into_iter().map(|s| s.record));
    }
    enrich_candidates(
        &mut candidates,
        &suppliers,
        &store.register_entries().await?,
    );
    Ok(AnalysisEvidence {
        year: Some(year),
        area_name,
        leaking: leaking_from_report(&report),
        candidates,
    })
}
