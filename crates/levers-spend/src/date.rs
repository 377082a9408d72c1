//! Parsing the payment dates found in transparency files: dd/mm/yyyy, d/m/yy, ISO dates and datetimes,
//! Excel serial numbers, `01-JUN-2012`, `01-Jun-12`, and the `VARIOUS` of aggregated rows.

use serde::Serialize;
use time::{Date, Month};

/// Which way round an all-numeric date is written. UK files are day-first; a file is only read
/// month-first when its own dates show it (a second number above 12 and never a first one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum DateOrder {
    #[default]
    DayFirst,
    MonthFirst,
}

/// What a date cell holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateCell {
    Date(Date),
    /// An aggregated row covering several dates ("VARIOUS", "Multiple"): kept and flagged.
    Various,
    Blank,
    /// Only a time of day ("00:00:00", a spreadsheet time with no day): kept as no date, and said so.
    TimeOnly,
    /// Only a month ("Apr-24", "April 2024"): the first of that month, flagged.
    MonthOnly(Date),
    /// A date with a separator missing (`26/082014`, `2403/2017`, `26082014`), read as the only date
    /// it can be; the reader keeps it only inside the file's own period, flagged.
    Repaired(Date),
}

impl DateCell {
    /// The calendar date the cell gives, if any.
    pub fn date(self) -> Option<Date> {
        match self {
            DateCell::Date(d) | DateCell::MonthOnly(d) | DateCell::Repaired(d) => Some(d),
            DateCell::Various | DateCell::Blank | DateCell::TimeOnly => None,
        }
    }
}

/// Why a cell could not be read as a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error(
        "\"{0}\" is not a date: expected a form such as 31/03/2024, 2024-03-31, 31-MAR-2024 or an Excel date number"
    )]
    Invalid(String),
    #[error("\"{0}\" is not a real calendar date")]
    NoSuchDay(String),
    #[error("\"{0}\" is outside the years a payment can have (1990-2099)")]
    OutOfRange(String),
}

/// Reads a date cell. `order` matters only for all-numeric forms such as `03/04/2012`.
pub fn parse_date(input: &str, order: DateOrder) -> Result<DateCell, DateError> {
    let s = input.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '"');
    if s.is_empty() {
        return Ok(DateCell::Blank);
    }
    let invalid = || DateError::Invalid(s.to_string());
    if let Some(d) = fast_numeric(s.as_bytes(), order) {
        return d.map(DateCell::Date);
    }
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "various" | "various dates" | "multiple" | "multiple dates" | "var"
    ) {
        return Ok(DateCell::Various);
    }
    let b = s.as_bytes();
    if b.contains(&b':') && is_time_only(s) {
        return Ok(DateCell::TimeOnly);
    }
    if b.iter().all(|c| c.is_ascii_digit() || *c == b'/')
        && let Some(d) = fused_date(s, order)
    {
        return Ok(DateCell::Repaired(d));
    }

    // Excel serial number (days since 1899-12-30), possibly with a time fraction.
    if b.iter().all(|c| c.is_ascii_digit() || *c == b'.')
        && b.iter().filter(|c| **c == b'.').count() <= 1
    {
        let whole = s.split('.').next().unwrap_or("");
        if whole.len() == 8
            && (whole.starts_with("19") || whole.starts_with("20"))
            && !s.contains('.')
        {
            // yyyymmdd
            let y: i32 = whole[..4].parse().map_err(|_| invalid())?;
            let m: u8 = whole[4..6].parse().map_err(|_| invalid())?;
            let d: u8 = whole[6..8].parse().map_err(|_| invalid())?;
            return ymd(y, m, d, s).map(DateCell::Date);
        }
        if whole.is_empty() || whole.len() > 6 {
            return Err(invalid());
        }
        let serial: i64 = whole.parse().map_err(|_| invalid())?;
        return excel_serial(serial, s).map(DateCell::Date);
    }

    // Drop a time part: "2020-03-02 00:00:00", "2020-03-02T00:00:00Z", "02/03/2020 09:15".
    let cut = (8..b.len()).find(|&i| {
        (b[i] == b' ' || b[i] == b'T')
            && b[i - 1].is_ascii_digit()
            && b.get(i + 1).is_some_and(u8::is_ascii_digit)
    });
    let date_part = match cut {
        Some(i) => &s[..i],
        None => s,
    };

    let parts: Vec<&str> = date_part
        .split(['/', '-', '.', ' ', ','])
        .filter(|p| !p.is_empty())
        .collect();
    // A month alone: "Apr-24", "April 2024", "2024-04" is not taken (it could be a code).
    if parts.len() == 2
        && let Some(m) = month_from_name(parts[0])
    {
        let y = year(parts[1]).ok_or_else(invalid)?;
        return ymd(y, m, 1, s).map(DateCell::MonthOnly);
    }
    if parts.len() != 3 {
        return Err(invalid());
    }
    let is_num = |p: &str| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit());

    // ISO: yyyy-mm-dd or yyyy/mm/dd.
    if parts[0].len() == 4 && is_num(parts[0]) && is_num(parts[1]) && is_num(parts[2]) {
        let y: i32 = parts[0].parse().map_err(|_| invalid())?;
        let m: u8 = parts[1].parse().map_err(|_| invalid())?;
        let d: u8 = parts[2].parse().map_err(|_| invalid())?;
        return ymd(y, m, d, s).map(DateCell::Date);
    }
    let day_text = strip_ordinal(parts[0]);
    // d MON y, d Month yyyy.
    if is_num(day_text) && !is_num(parts[1]) {
        let d: u8 = day_text.parse().map_err(|_| invalid())?;
        let m = month_from_name(parts[1]).ok_or_else(invalid)?;
        let y = year(parts[2]).ok_or_else(invalid)?;
        return ymd(y, m, d, s).map(DateCell::Date);
    }
    // MON d y ("June 1, 2012").
    if !is_num(parts[0]) && is_num(strip_ordinal(parts[1])) {
        let m = month_from_name(parts[0]).ok_or_else(invalid)?;
        let d: u8 = strip_ordinal(parts[1]).parse().map_err(|_| invalid())?;
        let y = year(parts[2]).ok_or_else(invalid)?;
        return ymd(y, m, d, s).map(DateCell::Date);
    }
    if is_num(parts[0])
        && is_num(parts[1])
        && is_num(parts[2])
        && parts[0].len() <= 2
        && parts[1].len() <= 2
    {
        let a: u8 = parts[0].parse().map_err(|_| invalid())?;
        let c: u8 = parts[1].parse().map_err(|_| invalid())?;
        let y = year(parts[2]).ok_or_else(invalid)?;
        let (d, m) = match order {
            DateOrder::DayFirst => (a, c),
            DateOrder::MonthFirst => (c, a),
        };
        return ymd(y, m, d, s).map(DateCell::Date);
    }
    Err(invalid())
}

/// The two commonest forms without allocating: `dd/mm/yyyy` and `yyyy-mm-dd`, each optionally followed
/// by a time. `None` when the text is in some other form.
fn fast_numeric(b: &[u8], order: DateOrder) -> Option<Result<Date, DateError>> {
    let num = |x: &[u8]| -> Option<u16> {
        x.iter().try_fold(0u16, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + u16::from(c - b'0'))
        })
    };
    let relabel = |e: DateError| {
        let t = String::from_utf8_lossy(b).into_owned();
        match e {
            DateError::Invalid(_) => DateError::Invalid(t),
            DateError::NoSuchDay(_) => DateError::NoSuchDay(t),
            DateError::OutOfRange(_) => DateError::OutOfRange(t),
        }
    };
    let tail_ok = |rest: &[u8]| {
        rest.is_empty()
            || ((rest[0] == b' ' || rest[0] == b'T') && rest.len() > 1 && rest[1].is_ascii_digit())
    };
    if b.len() >= 10 && b[2] == b'/' && b[5] == b'/' && tail_ok(&b[10..]) {
        let a = num(&b[0..2])? as u8;
        let c = num(&b[3..5])? as u8;
        let y = num(&b[6..10])? as i32;
        let (d, m) = match order {
            DateOrder::DayFirst => (a, c),
            DateOrder::MonthFirst => (c, a),
        };
        return Some(ymd(y, m, d, "").map_err(relabel));
    }
    if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' && tail_ok(&b[10..]) {
        let y = num(&b[0..4])? as i32;
        let m = num(&b[5..7])? as u8;
        let d = num(&b[8..10])? as u8;
        return Some(ymd(y, m, d, "").map_err(relabel));
    }
    None
}

/// "00:00:00", "0:00", "12:30", "00:00:00.000": a time of day with no date.
fn is_time_only(s: &str) -> bool {
    let parts: Vec<&str> = s.split(':').collect();
    (2..=3).contains(&parts.len())
        && parts.iter().enumerate().all(|(i, p)| {
            let p = if i == 2 {
                p.split('.').next().unwrap_or("")
            } else {
                p
            };
            (1..=2).contains(&p.len()) && p.bytes().all(|c| c.is_ascii_digit())
        })
}

/// A day, month and four-digit year with a separator missing: `26/082014` (dd/mmyyyy), `2403/2017`
/// (ddmm/yyyy), `26082014` (ddmmyyyy, not starting 19 or 20, which would be yyyymmdd). Only when
/// exactly one real date results.
fn fused_date(s: &str, order: DateOrder) -> Option<Date> {
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit());
    let (a, b, y) = match s.split_once('/') {
        Some((l, r)) if digits(l) && digits(r) => match (l.len(), r.len()) {
            (1 | 2, 6) => (l, &r[..2], &r[2..]),
            (4, 4) => (&l[..2], &l[2..], r),
            _ => return None,
        },
        None if s.len() == 8 && digits(s) && !s.starts_with("19") && !s.starts_with("20") => {
            (&s[..2], &s[2..4], &s[4..])
        }
        _ => return None,
    };
    let (a, b): (u8, u8) = (a.parse().ok()?, b.parse().ok()?);
    let y: i32 = y.parse().ok()?;
    let (d, m) = match order {
        DateOrder::DayFirst => (a, b),
        DateOrder::MonthFirst => (b, a),
    };
    ymd(y, m, d, s).ok()
}

/// For choosing the order of a file: the two leading numbers of an all-numeric d/m/y date, if it is one.
pub(crate) fn numeric_day_month(input: &str) -> Option<(u8, u8)> {
    let s = input.trim();
    let head = s.split([' ', 'T']).next()?;
    let parts: Vec<&str> = head.split(['/', '-', '.']).collect();
    if parts.len() != 3 || parts[0].len() > 2 || parts[1].len() > 2 {
        return None;
    }
    let a = parts[0].parse().ok()?;
    let b = parts[1].parse().ok()?;
    parts[2].parse::<u16>().ok()?;
    Some((a, b))
}

/// Excel's day number (1900 date system) as a date. Serials before 1 March 1900 are refused
/// (Excel's phantom 29 February 1900 makes them ambiguous), as is anything outside 1990-2099.
pub fn excel_serial(serial: i64, text: &str) -> Result<Date, DateError> {
    // 32874 = 1990-01-01, 73415 = 2100-12-31.
    if !(32874..=73050).contains(&serial) {
        return Err(DateError::OutOfRange(text.to_string()));
    }
    let base = Date::from_calendar_date(1899, Month::December, 30)
        .map_err(|_| DateError::Invalid(text.to_string()))?;
    base.checked_add(time::Duration::days(serial))
        .ok_or_else(|| DateError::OutOfRange(text.to_string()))
}

fn strip_ordinal(p: &str) -> &str {
    for suf in ["st", "nd", "rd", "th", "ST", "ND", "RD", "TH"] {
        if let Some(r) = p.strip_suffix(suf)
            && !r.is_empty()
            && r.bytes().all(|c| c.is_ascii_digit())
        {
            return r;
        }
    }
    p
}

fn year(p: &str) -> Option<i32> {
    if !p.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    match p.len() {
        2 => {
            let yy: i32 = p.parse().ok()?;
            // Payments run from the 1990s on: 90-99 are 1990s, the rest this century.
            Some(if yy < 90 { 2000 + yy } else { 1900 + yy })
        }
        4 => p.parse().ok(),
        _ => None,
    }
}

fn month_from_name(p: &str) -> Option<u8> {
    let l = p.to_ascii_lowercase();
    let l = l.trim_end_matches('.');
    const NAMES: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    if l.len() < 3 {
        return None;
    }
    if l == "sept" {
        return Some(9);
    }
    NAMES
        .iter()
        .position(|n| n.starts_with(l) && (l.len() == 3 || l.len() == n.len()))
        .map(|i| i as u8 + 1)
}

fn ymd(y: i32, m: u8, d: u8, text: &str) -> Result<Date, DateError> {
    if !(1990..=2099).contains(&y) {
        return Err(DateError::OutOfRange(text.to_string()));
    }
    let month = Month::try_from(m).map_err(|_| DateError::NoSuchDay(text.to_string()))?;
    Date::from_calendar_date(y, month, d).map_err(|_| DateError::NoSuchDay(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn d(s: &str) -> Date {
        match parse_date(s, DateOrder::DayFirst) {
            Ok(DateCell::Date(d)) => d,
            other => panic!("{s:?}: {other:?}"),
        }
    }

    #[test]
    fn every_form_seen_in_real_files() {
        assert_eq!(d("03/10/2012"), date!(2012 - 10 - 03));
        assert_eq!(d("3/1/12"), date!(2012 - 01 - 03));
        assert_eq!(d("2020-03-02 00:00:00"), date!(2020 - 03 - 02));
        assert_eq!(d("2020-03-02T13:45:00Z"), date!(2020 - 03 - 02));
        assert_eq!(d("2016-04-01"), date!(2016 - 04 - 01));
        assert_eq!(d("01-JUN-2012"), date!(2012 - 06 - 01));
        assert_eq!(d("01-Jun-12"), date!(2012 - 06 - 01));
        assert_eq!(d("1 June 2012"), date!(2012 - 06 - 01));
        assert_eq!(d("1st Sept 2012"), date!(2012 - 09 - 01));
        assert_eq!(d("June 1, 2012"), date!(2012 - 06 - 01));
        assert_eq!(d("41061"), date!(2012 - 06 - 01));
        assert_eq!(d("41061.5"), date!(2012 - 06 - 01));
        assert_eq!(d("20120601"), date!(2012 - 06 - 01));
        assert_eq!(d("02.03.2020"), date!(2020 - 03 - 02));
        assert_eq!(d("02/03/2020 09:15"), date!(2020 - 03 - 02));
        assert_eq!(
            parse_date("VARIOUS", DateOrder::DayFirst),
            Ok(DateCell::Various)
        );
        assert_eq!(parse_date("  ", DateOrder::DayFirst), Ok(DateCell::Blank));
        assert_eq!(
            parse_date("04/13/2012", DateOrder::MonthFirst),
            Ok(DateCell::Date(date!(2012 - 04 - 13)))
        );
    }

    #[test]
    fn times_months_and_missing_separators() {
        let p = |s| parse_date(s, DateOrder::DayFirst);
        assert_eq!(p("00:00:00"), Ok(DateCell::TimeOnly));
        assert_eq!(p("0:00"), Ok(DateCell::TimeOnly));
        assert_eq!(p("Apr-24"), Ok(DateCell::MonthOnly(date!(2024 - 04 - 01))));
        assert_eq!(
            p("September 2023"),
            Ok(DateCell::MonthOnly(date!(2023 - 09 - 01)))
        );
        assert_eq!(
            p("26/082014"),
            Ok(DateCell::Repaired(date!(2014 - 08 - 26)))
        );
        assert_eq!(
            p("2403/2017"),
            Ok(DateCell::Repaired(date!(2017 - 03 - 24)))
        );
        assert_eq!(p("26082014"), Ok(DateCell::Repaired(date!(2014 - 08 - 26))));
        assert_eq!(p("20140826"), Ok(DateCell::Date(date!(2014 - 08 - 26))));
        assert!(p("3202/2017").is_err());
        assert!(p("26/132014").is_err());
        assert!(p("Foo-24").is_err());
    }

    #[test]
    fn rejects_non_dates() {
        for bad in [
            "31/02/2020",
            "13/13/2020",
            "hello",
            "1/2",
            "99999999",
            "12",
            "2020-13-01",
            "01-Foo-2012",
            "1/1/1850",
        ] {
            assert!(
                parse_date(bad, DateOrder::DayFirst).is_err(),
                "{bad:?} should fail"
            );
        }
    }

    proptest! {
        #[test]
        fn all_forms_agree(days in 0i64..(365 * 100)) {
            let base = date!(1995 - 01 - 01);
            let dt = base.checked_add(time::Duration::days(days)).unwrap();
            let (y, m, dd) = (dt.year(), u8::from(dt.month()), dt.day());
            let mon = ["JAN","FEB","MAR","APR","MAY","JUN","JUL","AUG","SEP","OCT","NOV","DEC"][usize::from(m) - 1];
            let two_digit_ok = y < 2090;
            if two_digit_ok {
                let f = format!("{dd}/{m}/{:02}", y % 100);
                prop_assert_eq!(parse_date(&f, DateOrder::DayFirst), Ok(DateCell::Date(dt)), "{}", f);
                let f = format!("{dd:02}-{}-{:02}", mon.to_lowercase(), y % 100);
                prop_assert_eq!(parse_date(&f, DateOrder::DayFirst), Ok(DateCell::Date(dt)), "{}", f);
            }
            let forms = [
                format!("{dd:02}/{m:02}/{y}"),
                format!("{y}-{m:02}-{dd:02}"),
                format!("{y}-{m:02}-{dd:02} 00:00:00"),
                format!("{y}-{m:02}-{dd:02}T10:11:12"),
                format!("{dd:02}-{mon}-{y}"),
            ];
            for f in &forms {
                prop_assert_eq!(parse_date(f, DateOrder::DayFirst), Ok(DateCell::Date(dt)), "{}", f);
            }
            let serial = (dt - date!(1899 - 12 - 30)).whole_days();
            if serial >= 32874 {
                prop_assert_eq!(parse_date(&serial.to_string(), DateOrder::DayFirst), Ok(DateCell::Date(dt)));
            }
            let us = format!("{m:02}/{dd:02}/{y}");
            prop_assert_eq!(parse_date(&us, DateOrder::MonthFirst), Ok(DateCell::Date(dt)));
        }

        #[test]
        fn never_panics(s in "\\PC{0,30}") {
            let _ = parse_date(&s, DateOrder::DayFirst);
            let _ = parse_date(&s, DateOrder::MonthFirst);
        }

        #[test]
        fn never_panics_datelike(s in "[0-9/ :.TJUNjun-]{0,24}") {
            let _ = parse_date(&s, DateOrder::DayFirst);
        }
    }
}
