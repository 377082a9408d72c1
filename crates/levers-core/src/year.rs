//! UK financial years (1 April to 31 March), written `2024/25`, derived from any date.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{Date, Month};

/// A UK local-government financial year, identified by the calendar year in which it starts.
/// `FinancialYear::starting(2024)` runs from 1 April 2024 to 31 March 2025 and is written `2024/25`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FinancialYear {
    start: i32,
}

/// Why text could not be read as a financial year.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FinancialYearError {
    #[error("\"{0}\" is not a financial year: write it as 2024/25 (April 2024 to March 2025)")]
    Invalid(String),
    #[error(
        "\"{0}\" is not a financial year: the second year must follow the first, as in 2024/25"
    )]
    NotConsecutive(String),
    #[error("{0} is outside the years levers handles (1900 to 9998)")]
    OutOfRange(i32),
}

impl FinancialYear {
    /// The calendar year this financial year starts in (2024 for 2024/25).
    pub fn start(self) -> i32 {
        self.start
    }

    /// The financial year starting on 1 April of `start`.
    pub fn starting(start: i32) -> Result<Self, FinancialYearError> {
        if (1900..=9998).contains(&start) {
            Ok(FinancialYear { start })
        } else {
            Err(FinancialYearError::OutOfRange(start))
        }
    }

    /// The financial year a date falls in: January to March belong to the year that started the
    /// previous April.
    pub fn of(date: Date) -> Self {
        let start = if date.month() >= Month::April {
            date.year()
        } else {
            date.year() - 1
        };
        FinancialYear { start }
    }

    pub const fn start_year(self) -> i32 {
        self.start
    }

    /// 1 April of the starting year.
    pub fn first_day(self) -> Date {
        Date::from_calendar_date(self.start, Month::April, 1).expect("1 April exists")
    }

    /// 31 March of the following year.
    pub fn last_day(self) -> Date {
        Date::from_calendar_date(self.start + 1, Month::March, 31).expect("31 March exists")
    }

    pub fn contains(self, date: Date) -> bool {
        FinancialYear::of(date) == self
    }

    /// The quarter (1 = April–June … 4 = January–March) of a date within its financial year.
    pub fn quarter_of(date: Date) -> u8 {
        match date.month() {
            Month::April | Month::May | Month::June => 1,
            Month::July | Month::August | Month::September => 2,
            Month::October | Month::November | Month::December => 3,
            Month::January | Month::February | Month::March => 4,
        }
    }

    pub fn next(self) -> Self {
        FinancialYear {
            start: self.start + 1,
        }
    }

    pub fn previous(self) -> Self {
        FinancialYear {
            start: self.start - 1,
        }
    }
}

impl fmt::Display for FinancialYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{:02}", self.start, (self.start + 1).rem_euclid(100))
    }
}

/// Accepts `2024/25`, `2024-25`, `2024/2025`, `2024-2025` and `FY2024/25`, with spaces around.
impl FromStr for FinancialYear {
    type Err = FinancialYearError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let s = input.trim();
        let s = s
            .strip_prefix("FY")
            .or_else(|| s.strip_prefix("fy"))
            .unwrap_or(s)
            .trim();
        let invalid = || FinancialYearError::Invalid(input.trim().to_string());
        let (a, b) = s.split_once(['/', '-']).ok_or_else(invalid)?;
        let (a, b) = (a.trim(), b.trim());
        if a.len() != 4
            || !a.bytes().all(|c| c.is_ascii_digit())
            || !b.bytes().all(|c| c.is_ascii_digit())
        {
            return Err(invalid());
        }
        let start: i32 = a.parse().map_err(|_| invalid())?;
        let end_ok = match b.len() {
            2 => b.parse::<i32>().map_err(|_| invalid())? == (start + 1).rem_euclid(100),
            4 => b.parse::<i32>().map_err(|_| invalid())? == start + 1,
            _ => return Err(invalid()),
        };
        if !end_ok {
            return Err(FinancialYearError::NotConsecutive(input.trim().to_string()));
        }
        FinancialYear::starting(start)
    }
}

impl Serialize for FinancialYear {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for FinancialYear {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn april_starts_the_year() {
        assert_eq!(
            FinancialYear::of(date!(2024 - 04 - 01)).to_string(),
            "2024/25"
        );
        assert_eq!(
            FinancialYear::of(date!(2024 - 03 - 31)).to_string(),
            "2023/24"
        );
        assert_eq!(
            FinancialYear::of(date!(2025 - 01 - 15)).to_string(),
            "2024/25"
        );
        assert_eq!(
            FinancialYear::of(date!(1999 - 12 - 31)).to_string(),
            "1999/00"
        );
    }

    #[test]
    fn bounds_and_quarters() {
        let fy: FinancialYear = "2024/25".parse().unwrap();
        assert_eq!(fy.first_day(), date!(2024 - 04 - 01));
        assert_eq!(fy.last_day(), date!(2025 - 03 - 31));
        assert!(fy.contains(date!(2025 - 03 - 31)));
        assert!(!fy.contains(date!(2025 - 04 - 01)));
        assert_eq!(FinancialYear::quarter_of(date!(2024 - 06 - 30)), 1);
        assert_eq!(FinancialYear::quarter_of(date!(2024 - 07 - 01)), 2);
        assert_eq!(FinancialYear::quarter_of(date!(2025 - 02 - 01)), 4);
        assert_eq!(fy.next().to_string(), "2025/26");
        assert_eq!(fy.previous().to_string(), "2023/24");
    }

    #[test]
    fn parses_common_spellings() {
        for s in [
            "2024/25",
            "2024-25",
            "2024/2025",
            " 2024-2025 ",
            "FY2024/25",
        ] {
            assert_eq!(
                s.parse::<FinancialYear>().unwrap().start_year(),
                2024,
                "{s}"
            );
        }
        assert_eq!(
            "1999/00".parse::<FinancialYear>().unwrap().start_year(),
            1999
        );
    }

    #[test]
    fn rejects_nonsense() {
        assert!(matches!(
            "2024/26".parse::<FinancialYear>(),
            Err(FinancialYearError::NotConsecutive(_))
        ));
        assert!(matches!(
            "24/25".parse::<FinancialYear>(),
            Err(FinancialYearError::Invalid(_))
        ));
        assert!(matches!(
            "2024".parse::<FinancialYear>(),
            Err(FinancialYearError::Invalid(_))
        ));
        assert!(matches!(
            "abcd/ef".parse::<FinancialYear>(),
            Err(FinancialYearError::Invalid(_))
        ));
        assert!(matches!(
            "1800/01".parse::<FinancialYear>(),
            Err(FinancialYearError::OutOfRange(1800))
        ));
    }
}
