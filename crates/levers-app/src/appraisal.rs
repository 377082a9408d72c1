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
