//! HM Treasury Green Book discounting: the standard declining schedule (3.5% for years 0–30, 3.0% to
//! 75, 2.5% to 125, 2.0% to 200, 1.5% to 300, then 1.0%) and the health schedule (1.5% declining in
//! the same steps). Year 0 is the present and is not discounted.

use serde::{Deserialize, Serialize};

/// Which discount schedule applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Schedule {
    /// The standard social time preference rate.
    #[default]
    Standard,
    /// For health effects valued in QALYs and the like (Green Book, 1.5% starting rate).
    Health,
}

/// The rate applied in year `t` (from year t−1 to t).
pub fn rate(schedule: Schedule, t: u32) -> f64 {
    let band = match t {
        0..=30 => 0,
        31..=75 => 1,
        76..=125 => 2,
        126..=200 => 3,
        201..=300 => 4,
        _ => 5,
    };
    match schedule {
        Schedule::Standard => [0.035, 0.030, 0.025, 0.020, 0.015, 0.010][band],
        Schedule::Health => [0.015, 0.0129, 0.0107, 0.0086, 0.0064, 0.0043][band],
    }
}

/// The discount factor for year `t`: D₀ = 1, Dₜ = Dₜ₋₁ / (1 + rateₜ).
pub fn discount_factor(schedule: Schedule, t: u32) -> f64 {
    (1..=t).fold(1.0, |d, y| d / (1.0 + rate(schedule, y)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn green_book_checkpoints() {
        assert_eq!(discount_factor(Schedule::Standard, 0), 1.0);
        assert!((discount_factor(Schedule::Standard, 1) - 1.0 / 1.035).abs() < 1e-15);
        let d30 = discount_factor(Schedule::Standard, 30);
        assert!((discount_factor(Schedule::Standard, 31) - d30 / 1.030).abs() < 1e-15);
        assert!((d30 - 1.035f64.powi(-30)).abs() < 1e-12);
        assert!((discount_factor(Schedule::Health, 1) - 1.0 / 1.015).abs() < 1e-15);
        assert!(
            (discount_factor(Schedule::Standard, 76)
                - discount_factor(Schedule::Standard, 75) / 1.025)
                .abs()
                < 1e-15
        );
    }
}
