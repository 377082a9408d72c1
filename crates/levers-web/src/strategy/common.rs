//! What the strategy pages share: the section, the evaluated strategy with its report view, reading
//! years and numbers typed into forms, and the store's refusals as field errors.

use std::str::FromStr;

use levers_core::FinancialYear;
use levers_present::strategy_report::StrategyReport;
use levers_store::settings::COUNCIL_NAME;
use levers_store::{Role, StoreError};

use crate::error::AppError;
use crate::layout::{Chrome, FieldError};
use crate::state::AppState;

pub(super) const SECTION: &str = "strategy";

/// Whether the page is shown to an officer or admin (who may change things).
pub(super) fn is_officer(c: &Chrome) -> bool {
    c.user
        .as_ref()
        .is_some_and(|u| u.role.allows(Role::Officer))
}

/// The strategy evaluated (every measure's values, trajectory and status) as its pages show it,
/// objectives linked to their own pages; 404 when there is no such strategy.
pub(super) async fn load(state: &AppState, sid: i64) -> Result<StrategyReport, AppError> {
    let geo = state.geo.get(&state.store).await?;
    let v = levers_app::strategy::evaluate(
        &state.store,
        &state.payments,
        geo,
        sid,
        levers_app::strategy::today(),
    )
    .await?
    .ok_or(AppError::NotFound)?;
    let council = state.store.setting(COUNCIL_NAME).await?.unwrap_or_default();
    Ok(StrategyReport::new(v, &council).with_links(format!("/strategy/{sid}")))
}

/// A financial year typed as `2024/25` or `2024`.
pub(super) fn parse_year(s: &str) -> Option<FinancialYear> {
    let s = s.trim();
    FinancialYear::from_str(s).ok().or_else(|| {
        s.parse::<i32>()
            .ok()
            .and_then(|y| FinancialYear::starting(y).ok())
    })
}

/// A number typed with or without `£`, `%` and thousands commas; `None` when it is not one.
pub(super) fn parse_number(s: &str) -> Option<f64> {
    let t: String = s
        .trim()
        .chars()
        .filter(|c| !matches!(c, ',' | '£' | '%' | ' '))
        .collect();
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// A store refusal as an error on the field it names (`field: message`), else the page's error.
pub(super) fn store_field_error(
    e: StoreError,
    default_field: &'static str,
    fields: &[&'static str],
) -> Result<FieldError, AppError> {
    match e {
        StoreError::Invalid(m) | StoreError::Conflict(m) => {
            let (field, msg) = match m.split_once(": ") {
                Some((f, rest)) => match fields.iter().find(|x| **x == f) {
                    Some(x) => (*x, rest.to_string()),
                    None => (default_field, m.clone()),
                },
                None => (default_field, m.clone()),
            };
            Ok(FieldError::new(field, msg))
        }
        other => Err(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_and_numbers_are_read_as_people_type_them() {
        assert_eq!(parse_year("2024/25").map(|y| y.start()), Some(2024));
        assert_eq!(parse_year(" 2026 ").map(|y| y.start()), Some(2026));
        assert!(parse_year("next year").is_none());
        assert_eq!(parse_number("£1,250,000"), Some(1_250_000.0));
        assert_eq!(parse_number("24.5%"), Some(24.5));
        assert_eq!(parse_number("x"), None);
        assert_eq!(parse_number("NaN"), None);
    }
}
