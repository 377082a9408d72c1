//! An appraisal computed against the store's unit cost library and deflators: the one way the
//! appraisal pages, the strategy's measures and the CLI get an appraisal's results.

use levers_appraisal::{Appraisal, Deflators, Results, UnitCost, resolve, results};
use levers_store::{Store, StoreError};

/// The unit cost library and deflator table, read from the store once per request.
pub struct Library {
    pub costs: Vec<UnitCost>,
    pub deflators: Deflators,
}

impl Library {
    pub async fn load(store: &Store) -> Result<Library, StoreError> {
        Ok(Library {
            costs: store.unit_costs().await?,
            deflators: store.deflators().await?,
        })
    }

    /// The library's unit cost with this code (any case).
    pub fn cost(&self, code: &str) -> Option<&UnitCost> {
        self.costs
            .iter()
            .find(|c| c.code.eq_ignore_ascii_case(code.trim()))
    }

    /// An appraisal computed against this library, or why it cannot be.
    pub fn compute(&self, model: &Appraisal) -> Result<Results, String> {
        let lookup = |code: &str| self.cost(code).cloned();
        let d = (!self.deflators.is_empty()).then_some(&self.deflators);
        resolve(model, &lookup, d)
            .map(|r| results(&r))
            .map_err(|e| e.to_string())
    }
}

/// The steps [`import_unit_cost_file`] reports: read, unit costs stored, deflators stored.
pub const UNIT_COST_STEPS: u64 = 3;

/// Why a unit cost file was not imported.
#[derive(Debug, thiserror::Error)]
pub enum UnitCostImportError {
    #[error("{0}")]
    Read(#[from] levers_appraisal::library::LibraryError),
    #[error("{0}: the file has no unit costs with a cost code")]
    Empty(String),
    #[error("the unit costs could not be stored: {0}")]
    Store(#[from] StoreError),
    #[error("the reader stopped unexpectedly: {0}")]
    Worker(String),
}

/// What a unit cost import stored.
#[derive(Debug, Clone)]
pub struct UnitCostImport {
    pub costs: usize,
    pub report: levers_appraisal::library::LibraryReport,
    /// Financial years of the workbook's deflator table, when it brought one.
    pub deflator_years: Option<usize>,
    /// Why the workbook's deflator table was left out, when it could not be read.
    pub deflator_problem: Option<String>,
}

/// Imports a unit cost table (CSV, or the Unit Cost Database workbook with its deflator table)
/// into the library `library`, the same for the web app's background job and the CLI. `step` is
/// told 1, 2 and 3 as reading, storing the costs and storing the deflators finish.
pub async fn import_unit_cost_file(
    store: &Store,
    actor: &levers_store::Actor,
    library: &str,
    file_name: &str,
    bytes: std::sync::Arc<Vec<u8>>,
    step: impl Fn(u64),
) -> Result<UnitCostImport, UnitCostImportError> {
    let workbook = bytes.starts_with(b"PK");
    let (name, data) = (file_name.to_string(), bytes.clone());
    let (costs, report, deflators) = tokio::task::spawn_blocking(move || {
        let read = if workbook {
            levers_appraisal::read_unit_costs_xlsx(&name, &data)
        } else {
            levers_appraisal::read_unit_costs(&name, &data)
        };
        let deflators = if workbook {
            Deflators::from_xlsx(&name, &data).map_err(|e| e.to_string())
        } else {
            Ok(None)
        };
        read.map(|(c, r)| (c, r, deflators))
    })
    .await
    .map_err(|e| UnitCostImportError::Worker(e.to_string()))??;
    if costs.is_empty() {
        return Err(UnitCostImportError::Empty(file_name.to_string()));
    }
    step(1);
    store
        .import_unit_costs(actor, library, file_name, &costs, &report)
        .await?;
    step(2);
    let (deflator_years, deflator_problem) = match deflators {
        Ok(Some(d)) => (
            Some(store.import_deflators(actor, file_name, &d).await?),
            None,
        ),
        Ok(None) => (None, None),
        Err(e) => (None, Some(e)),
    };
    step(UNIT_COST_STEPS);
    Ok(UnitCostImport {
        costs: costs.len(),
        report,
        deflator_years,
        deflator_problem,
    })
}
