//! What appraisal callers see: libraries, stored appraisals and pooled budgets.

use levers_appraisal::{Appraisal, pooled::PooledBudget};
use serde::Serialize;

/// One imported unit cost library.
#[derive(Debug, Clone, Serialize)]
pub struct LibrarySummary {
    pub id: i64,
    pub name: String,
    pub file_name: String,
    pub costs: i64,
    pub imported_at: i64,
    pub imported_by: String,
}

/// A stored appraisal.
#[derive(Debug, Clone, Serialize)]
pub struct StoredAppraisal {
    pub id: i64,
    pub model: Appraisal,
    pub created_at: i64,
    pub created_by: String,
    pub updated_at: i64,
    pub updated_by: String,
}

/// A stored pooled budget with the ids the forms need.
#[derive(Debug, Clone, Serialize)]
pub struct StoredPool {
    pub id: i64,
    pub budget: PooledBudget,
    /// `(partner id, name)` in the order of `budget.partners`.
    pub partner_ids: Vec<(i64, String)>,
    /// `(line id, name, appraisal id)` in the order of `budget.lines`.
    pub line_ids: Vec<(i64, String, Option<i64>)>,
    /// The community budget vote (process id) each line funds, in the same order.
    pub line_processes: Vec<Option<i64>>,
}
