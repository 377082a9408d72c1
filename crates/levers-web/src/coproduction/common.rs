//! What the co-production pages share: the section, role checks, small parsers and queries.

use levers_store::Role;
use serde::Deserialize;

use crate::error::AppError;
use crate::layout::{Chrome, FieldError};
use crate::state::AppState;

pub(super) const SECTION: &str = "co-production";

/// Only admins may go on (ledger settings, the retention purge).
pub(super) use crate::auth::require_admin;

/// Whether the page is shown to an officer or admin (who may see people and change things).
pub(super) fn is_officer(c: &Chrome) -> bool {
    c.user
        .as_ref()
        .is_some_and(|u| u.role.allows(Role::Officer))
}

/// Whether the page is shown to an admin.
pub(super) fn is_admin(c: &Chrome) -> bool {
    c.user.as_ref().is_some_and(|u| u.role.allows(Role::Admin))
}

/// Today (UTC), for default dates and the quarter the coverage trend ends in.
pub(super) fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

/// Converts a domain field problem into the page's field error.
pub(super) fn field_errors(problems: Vec<levers_coproduction::FieldProblem>) -> Vec<FieldError> {
    problems
        .into_iter()
        .map(|p| FieldError::new(p.field, p.message))
        .collect()
}

/// A whole number typed into a form (commas allowed); blank is 0; `None` when it is not one.
pub(super) fn count(s: &str) -> Option<u32> {
    let t: String = s.trim().chars().filter(|c| *c != ',').collect();
    if t.is_empty() {
        Some(0)
    } else {
        t.parse().ok()
    }
}

/// `?saved=…` on the page a form redirects to: what was saved, for the notice at the top.
#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    pub saved: Option<String>,
}

/// The directorates named in the register, sorted, each once (offered on the forms).
pub(super) async fn directorates(state: &AppState) -> Result<Vec<String>, AppError> {
    let mut d: Vec<String> = state
        .store
        .coproduction_activities()
        .await?
        .into_iter()
        .map(|a| a.activity.directorate)
        .collect();
    d.sort();
    d.dedup();
    Ok(d)
}

/// Gives co-production pages the `officer()` their sub-navigation asks.
macro_rules! officer_pages {
    ($($page:ty),*) => {$(
        impl $page {
            pub fn officer(&self) -> bool {
                $crate::coproduction::common::is_officer(&self.chrome)
            }
        }
    )*};
}
pub(super) use officer_pages;
