//! Which financial year an official statistic's period counts for, so figures published by
//! calendar year, month or financial year line up with the strategy's yearly targets.

use std::str::FromStr;

use levers_core::FinancialYear;

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// The financial year a published period counts for:
/// - a financial year (`2023/24`, `2023-24`, `FY 2023/24`) is that year;
/// - `FYE 2024` (financial year ending March 2024) is 2023/24;
/// - a month (`March 2025`, `Mar 2025`, `2025-03`) is the financial year it falls in (2024/25);
/// - a calendar year (`2019`, `mid 2015`) counts for the financial year that starts in it.
///
/// `None` when the period names no year.
pub fn period_year(period: &str) -> Option<FinancialYear> {
    let p = period.trim().to_lowercase();
    if let Some(rest) = p.strip_prefix("fye") {
        // FYE 2024: the financial year ending in March 2024.
        let y: i32 = rest.trim().parse().ok()?;
        return FinancialYear::starting(y - 1).ok();
    }
    let p = p.strip_prefix("fy").unwrap_or(&p).trim();
    if let Ok(fy) = FinancialYear::from_str(&p.replace('-', "/")) {
        return Some(fy);
    }
    let words: Vec<&str> = p
        .split(|c: char| c.is_whitespace() || c == '-' || c == '/')
        .filter(|w| !w.is_empty())
        .collect();
    let year = words
        .iter()
        .find_map(|w| w.parse::<i32>().ok().filter(|y| (1900..=9998).contains(y)))?;
    let month = words.iter().find_map(|w| {
        MONTHS
            .iter()
            .position(|m| w.starts_with(m))
            .map(|i| i as u8 + 1)
            .or_else(|| {
                (w.len() <= 2)
                    .then(|| w.parse::<u8>().ok())
                    .flatten()
                    .filter(|m| (1..=12).contains(m))
            })
    });
    let start = match month {
        Some(m) if m < 4 => year - 1,
        _ => year,
    };
    FinancialYear::starting(start).ok()
}

/// Where a period falls within its financial year, for choosing one figure a year from monthly
/// statistics: April is 1 and March 12; a period naming no month (a financial or calendar year)
/// counts as the whole year, 12.
pub fn month_in_year(period: &str) -> u8 {
    let p = period.trim().to_lowercase();
    let words: Vec<&str> = p
        .split(|c: char| c.is_whitespace() || c == '-' || c == '/')
        .filter(|w| !w.is_empty())
        .collect();
    let month = words.iter().find_map(|w| {
        MONTHS
            .iter()
            .position(|m| w.starts_with(m))
            .map(|i| i as u8 + 1)
    });
    let month = month.or_else(|| {
        // 2025-03: a two-digit month after a four-digit year.
        (words.len() == 2 && words[0].len() == 4)
            .then(|| words[1].parse::<u8>().ok())
            .flatten()
            .filter(|m| (1..=12).contains(m))
    });
    match month {
        Some(m) => (m + 8) % 12 + 1,
        None => 12,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fy(p: &str) -> Option<i32> {
        period_year(p).map(|y| y.start())
    }

    #[test]
    fn periods_as_publishers_write_them() {
        assert_eq!(fy("2023/24"), Some(2023));
        assert_eq!(fy("2023-24"), Some(2023));
        assert_eq!(fy("FYE 2024"), Some(2023));
        assert_eq!(fy("March 2025"), Some(2024));
        assert_eq!(fy("Apr 2025"), Some(2025));
        assert_eq!(fy("2025-03"), Some(2024));
        assert_eq!(fy("2019"), Some(2019));
        assert_eq!(fy("mid 2015"), Some(2015));
        assert_eq!(fy("latest"), None);
        assert_eq!(fy("end of March 2025"), Some(2024));
        assert_eq!(month_in_year("April 2024"), 1);
        assert_eq!(month_in_year("March 2025"), 12);
        assert_eq!(month_in_year("2025-01"), 10);
        assert_eq!(month_in_year("2024/25"), 12);
    }
}
