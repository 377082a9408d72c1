//! Money as a whole number of pence: checked arithmetic, `£1,234.56` display, exact parsing of pounds.

use std::fmt;
use std::iter::Sum;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An amount of money in pence. Never a float: every figure levers reports adds up to the penny.
///
/// Serialises as the bare number of pence (`123456` for £1,234.56) so JSON consumers never see floats.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(i64);

/// Why an amount could not be read or computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("the amount is empty: enter a number of pounds such as 1234.56")]
    Empty,
    #[error("\"{0}\" is not an amount of money: use pounds and pence such as 1234.56 or £1,234.56")]
    Invalid(String),
    #[error("\"{0}\" has more than two decimal places: money is kept to the penny")]
    TooPrecise(String),
    #[error("the amount is too large to hold (over £92 million million)")]
    Overflow,
}

impl Money {
    pub const ZERO: Money = Money(0);

    /// From a number of pence.
    pub const fn from_pence(pence: i64) -> Self {
        Money(pence)
    }

    /// From whole pounds; `None` if it would overflow.
    pub const fn from_pounds(pounds: i64) -> Option<Self> {
        match pounds.checked_mul(100) {
            Some(p) => Some(Money(p)),
            None => None,
        }
    }

    pub const fn pence(self) -> i64 {
        self.0
    }

    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    pub const fn abs(self) -> Option<Self> {
        match self.0.checked_abs() {
            Some(p) => Some(Money(p)),
            None => None,
        }
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }

    pub fn checked_mul(self, factor: i64) -> Option<Money> {
        self.0.checked_mul(factor).map(Money)
    }

    pub fn checked_neg(self) -> Option<Money> {
        self.0.checked_neg().map(Money)
    }

    /// Sum of amounts, or `Overflow` if the total cannot be held.
    pub fn checked_sum<I: IntoIterator<Item = Money>>(items: I) -> Result<Money, MoneyError> {
        items
            .into_iter()
            .try_fold(Money::ZERO, |acc, m| acc.checked_add(m))
            .ok_or(MoneyError::Overflow)
    }

    /// This amount as a fraction of `whole` (0.0 when `whole` is zero). For shares, never for money.
    pub fn ratio_of(self, whole: Money) -> f64 {
        if whole.0 == 0 {
            0.0
        } else {
            self.0 as f64 / whole.0 as f64
        }
    }

    /// Pounds as a float, for charts only (never for sums).
    pub fn as_pounds_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// An estimate in pounds (a float, as appraisals and averages give) rounded to the nearest penny;
    /// `None` when it is not a finite number or does not fit.
    pub fn from_pounds_f64(pounds: f64) -> Option<Self> {
        let pence = (pounds * 100.0).round();
        (pence.is_finite() && pence.abs() < i64::MAX as f64).then_some(Money(pence as i64))
    }

    /// Rounded to the nearest whole pound (halves away from zero).
    pub fn round_to_pound(self) -> Money {
        let r = self.0 % 100;
        let down = self.0 - r;
        Money(if r >= 50 {
            down.saturating_add(100)
        } else if r <= -50 {
            down.saturating_sub(100)
        } else {
            down
        })
    }

    /// `£1,235` for £1,234.56: the nearest whole pound with separators, for summaries and chart
    /// labels (tables and exports keep pence).
    pub fn to_whole_string(self) -> String {
        let s = self.round_to_pound().to_string();
        s.strip_suffix(".00").map(str::to_owned).unwrap_or(s)
    }

    /// Plain decimal pounds without separators or sign glyph: `-1234.56`. For CSV and form values.
    pub fn to_plain(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

/// Writes `£1,234.56`, `-£12.00`, `£0.00`.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let abs = self.0.unsigned_abs();
        let pounds = abs / 100;
        let pence = abs % 100;
        let digits = pounds.to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(f, "{sign}£{grouped}.{pence:02}")
    }
}

/// Reads pounds as people type them: `1234.56`, `£1,234.56`, `-£12`, `-12.5`, ` 9,999.99 `.
/// More than two decimal places is an error rather than a silent rounding.
impl FromStr for Money {
    type Err = MoneyError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let s = input.trim();
        if s.is_empty() {
            return Err(MoneyError::Empty);
        }
        let invalid = || MoneyError::Invalid(input.trim().to_string());
        let (negative, rest) = match s.strip_prefix('-') {
            Some(r) => (true, r.trim_start()),
            None => (false, s),
        };
        let rest = rest.strip_prefix('£').unwrap_or(rest);
        let (whole, frac) = match rest.split_once('.') {
            Some((w, f)) => (w, f),
            None => (rest, ""),
        };
        if whole.is_empty() && frac.is_empty() {
            return Err(invalid());
        }
        if frac.len() > 2 {
            return Err(MoneyError::TooPrecise(input.trim().to_string()));
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        // Thousands separators must be in groups of three.
        let groups: Vec<&str> = whole.split(',').collect();
        if groups.len() > 1
            && (groups[0].is_empty()
                || groups[0].len() > 3
                || groups[1..].iter().any(|g| g.len() != 3))
        {
            return Err(invalid());
        }
        let mut pounds: i64 = 0;
        for g in &groups {
            for b in g.bytes() {
                if !b.is_ascii_digit() {
                    return Err(invalid());
                }
                pounds = pounds
                    .checked_mul(10)
                    .and_then(|p| p.checked_add(i64::from(b - b'0')))
                    .ok_or(MoneyError::Overflow)?;
            }
        }
        let mut pence: i64 = 0;
        for (i, b) in frac.bytes().enumerate() {
            let d = i64::from(b - b'0');
            pence += if i == 0 { d * 10 } else { d };
        }
        let total = pounds
            .checked_mul(100)
            .and_then(|p| p.checked_add(pence))
            .ok_or(MoneyError::Overflow)?;
        Ok(Money(if negative { -total } else { total }))
    }
}

impl Sum for Money {
    /// Panics on overflow, like integer `Sum`; use [`Money::checked_sum`] on untrusted totals.
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Self {
        Money::checked_sum(iter).expect("money total overflowed i64 pence")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_with_pound_sign_and_thousands() {
        assert_eq!(Money::from_pence(123_456).to_string(), "£1,234.56");
        assert_eq!(Money::from_pence(-1200).to_string(), "-£12.00");
        assert_eq!(Money::ZERO.to_string(), "£0.00");
        assert_eq!(Money::from_pence(5).to_string(), "£0.05");
        assert_eq!(Money::from_pence(100_000_000).to_string(), "£1,000,000.00");
        assert_eq!(
            Money::from_pence(i64::MIN).to_string(),
            "-£92,233,720,368,547,758.08"
        );
    }

    #[test]
    fn parses_what_people_type() {
        assert_eq!("1234.56".parse::<Money>().unwrap().pence(), 123_456);
        assert_eq!("£1,234.56".parse::<Money>().unwrap().pence(), 123_456);
        assert_eq!(" -£12 ".parse::<Money>().unwrap().pence(), -1200);
        assert_eq!("-12.5".parse::<Money>().unwrap().pence(), -1250);
        assert_eq!(".5".parse::<Money>().unwrap().pence(), 50);
        assert_eq!("7.".parse::<Money>().unwrap().pence(), 700);
    }

    #[test]
    fn rejects_what_is_not_money() {
        assert_eq!("".parse::<Money>(), Err(MoneyError::Empty));
        assert!(matches!(
            "12.345".parse::<Money>(),
            Err(MoneyError::TooPrecise(_))
        ));
        assert!(matches!(
            "1,23.00".parse::<Money>(),
            Err(MoneyError::Invalid(_))
        ));
        assert!(matches!(
            "abc".parse::<Money>(),
            Err(MoneyError::Invalid(_))
        ));
        assert!(matches!("£".parse::<Money>(), Err(MoneyError::Invalid(_))));
        assert!(matches!(
            "1e5".parse::<Money>(),
            Err(MoneyError::Invalid(_))
        ));
        assert_eq!(
            "99999999999999999999".parse::<Money>(),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn checked_arithmetic_reports_overflow() {
        let max = Money::from_pence(i64::MAX);
        assert_eq!(max.checked_add(Money::from_pence(1)), None);
        assert_eq!(
            Money::checked_sum([max, Money::from_pence(1)]),
            Err(MoneyError::Overflow)
        );
        assert_eq!(
            Money::checked_sum([Money::from_pence(150), Money::from_pence(-50)]),
            Ok(Money::from_pence(100))
        );
        assert_eq!(Money::from_pence(i64::MIN).abs(), None);
    }

    #[test]
    fn whole_pounds_round_half_away_from_zero() {
        assert_eq!(Money::from_pence(123_456).to_whole_string(), "£1,235");
        assert_eq!(Money::from_pence(123_449).to_whole_string(), "£1,234");
        assert_eq!(Money::from_pence(-150).to_whole_string(), "-£2");
        assert_eq!(Money::from_pence(-149).to_whole_string(), "-£1");
        assert_eq!(Money::from_pence(0).to_whole_string(), "£0");
    }

    #[test]
    fn estimates_round_to_the_penny() {
        assert_eq!(Money::from_pounds_f64(1234.565).unwrap().pence(), 123_457);
        assert_eq!(Money::from_pounds_f64(-0.004).unwrap().pence(), 0);
        assert!(Money::from_pounds_f64(f64::NAN).is_none());
        assert!(Money::from_pounds_f64(f64::INFINITY).is_none());
        assert!(Money::from_pounds_f64(1e30).is_none());
    }

    #[test]
    fn plain_form_round_trips() {
        for p in [0, 1, -1, 99, -100, 123_456, -987_654_321] {
            let m = Money::from_pence(p);
            assert_eq!(m.to_plain().parse::<Money>().unwrap(), m);
        }
    }

    #[test]
    fn serialises_as_pence() {
        assert_eq!(
            serde_json::to_string(&Money::from_pence(1050)).unwrap(),
            "1050"
        );
    }
}
