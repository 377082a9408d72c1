//! What the appraisal pages share: the library loaded once per request, labels, and reading form fields.

use levers_appraisal::{Appraisal, Rag, Results, ValueKind};
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

/// The unit cost library and deflator table, read from the store once per request (levers-app's
/// `Library`, which the strategy's measures compute appraisals with too).
pub(super) struct Library(levers_app::appraisal::Library);

impl Library {
    pub(super) async fn load(state: &AppState) -> Result<Library, AppError> {
        Ok(Library(
            levers_app::appraisal::Library::load(&state.store).await?,
        ))
    }
}

impl std::ops::Deref for Library {
    type Target = levers_app::appraisal::Library;
    fn deref(&self) -> &Self::Target {
        &self.0
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
