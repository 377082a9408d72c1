//! What the appraisal pages share: the library loaded once per request, labels, and reading form fields.

use levers_appraisal::{Appraisal, Rag, Results, UnitCost, ValueKind, resolve, results};
use levers_store::appraisal::StoredAppraisal;

use crate::error::AppError;
use crate::state::AppState;

/// Appraisals sit in the community budgets section of the navigation.
pub(super) const SECTION: &str = "community-budgets";
/// A return on investment to two decimals, or "n/a" when there is none.
pub(super) fn ratio(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".into(), |r| format!("{r:.2}"))
}

/// A number of people or outcomes: whole when it is whole, else to one decimal.
pub(super) fn count(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{}", x.round() as i64)
    } else {
        format!("{x:.1}")
    }
}

/// The name of a kind of value, for tables and forms.
pub(super) fn kind_label(k: ValueKind) -> &'static str {
    match k {
        ValueKind::Fiscal => "Fiscal",
        ValueKind::Economic => "Economic",
        ValueKind::Social => "Social",
    }
}

/// The red/amber/green grade of a unit cost's evidence, in words.
pub(super) fn rag_label(r: Option<Rag>) -> &'static str {
    match r {
        Some(Rag::Green) => "Green",
        Some(Rag::Amber) => "Amber",
        Some(Rag::Red) => "Red",
        Some(Rag::Unknown) => "Not graded",
        None => "Entered",
    }
}

/// The unit cost library and deflator table, read from the store once per request.
pub(super) struct Library {
    pub(super) costs: Vec<UnitCost>,
    pub(super) deflators: levers_appraisal::Deflators,
}

impl Library {
    pub(super) async fn load(state: &AppState) -> Result<Library, AppError> {
        Ok(Library {
            costs: state.store.unit_costs().await?,
            deflators: state.store.deflators().await?,
        })
    }

    /// The library's unit cost with this code (any case).
    pub(super) fn cost(&self, code: &str) -> Option<&UnitCost> {
        self.costs
            .iter()
            .find(|c| c.code.eq_ignore_ascii_case(code.trim()))
    }

    /// An appraisal computed against this library, or why it cannot be.
    pub(super) fn compute(&self, model: &Appraisal) -> Result<Results, String> {
        let lookup = |code: &str| self.cost(code).cloned();
        let d = (!self.deflators.is_empty()).then_some(&self.deflators);
        resolve(model, &lookup, d)
            .map(|r| results(&r))
            .map_err(|e| e.to_string())
    }
}

/// One appraisal computed against the store's library (for pages that show one or two).
pub(super) async fn compute(
    state: &AppState,
    model: &Appraisal,
) -> Result<Result<Results, String>, AppError> {
    Ok(Library::load(state).await?.compute(model))
}

/// The stored appraisal, or 404.
pub(super) async fn load(state: &AppState, id: i64) -> Result<StoredAppraisal, AppError> {
    state.store.appraisal(id).await?.ok_or(AppError::NotFound)
}
