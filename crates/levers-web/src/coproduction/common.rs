//! What the co-production pages share: the section, role checks, small parsers and queries.

use levers_store::{Role, User};
use serde::Deserialize;

use crate::error::AppError;
use crate::layout::{Chrome, FieldError};
use crate::state::AppState;

pub(super) const SECTION: &str = "co-production";

pub(super) fn require_admin(u: &User) -> Result<(), AppError> {
    if u.role.allows(Role::Admin) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub(super) fn is_officer(c: &Chrome) -> bool {
    c.user
        .as_ref()
        .is_some_and(|u| u.role.allows(Role::Officer))
}

pub(super) fn is_admin(c: &Chrome) -> bool {
    c.user.as_ref().is_some_and(|u| u.role.allows(Role::Admin))
}

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

pub(super) fn count(s: &str) -> Option<u32> {
    let t: String = s.trim().chars().filter(|c| *c != ',').collect();
    if t.is_empty() {
        Some(0)
    } else {
        t.parse().ok()
    }
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    #[serde(default)]
    pub saved: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    pub saved: Option<String>,
}

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
