//! How figures are shown on pages, in charts and in reports: the one place money, estimates and
//! percentages become text. Money always goes through `levers_core::Money`.
//!
//! Templates call these by path, e.g. `{{ crate::show::money(*amount) }}`, rather than through a
//! method on each page struct.

use levers_core::Money;

/// Pence to the penny: `£1,234.56`. Tables, exports and anything a person reconciles.
pub fn money(pence: i64) -> String {
    Money::from_pence(pence).to_string()
}

/// Pence to the nearest pound: `£1,235`. Chart labels and summaries (the table keeps pence).
pub fn money_whole(pence: i64) -> String {
    Money::from_pence(pence).to_whole_string()
}

/// Pence rounded for a summary or a chart label, with the unit stated: `£71.8m`, `£1.2bn`, `£12.3k`,
/// and whole pounds below £1,000 (`£512`). Exact values stay in tables and exports.
pub fn money_round(pence: i64) -> String {
    let sign = if pence < 0 { "-" } else { "" };
    let pounds = (pence as f64).abs() / 100.0;
    let scaled = |div: f64, unit: &str| {
        let v = pounds / div;
        // One decimal below 100 of the unit, none above: £71.8m, £418m.
        if v < 99.95 {
            format!("{sign}£{v:.1}{unit}")
        } else {
            format!("{sign}£{v:.0}{unit}")
        }
    };
    if pounds >= 999_500_000.0 {
        scaled(1e9, "bn")
    } else if pounds >= 999_500.0 {
        scaled(1e6, "m")
    } else if pounds >= 9_999.5 {
        scaled(1e3, "k")
    } else {
        money_whole(pence)
    }
}

/// A fractional number of pence rounded as [`money_round`] does (chart labels).
pub fn pence_f64_round(pence: f64) -> String {
    if pence.is_finite() {
        money_round(pence.round() as i64)
    } else {
        "n/a".into()
    }
}

/// Pence as community budget pages show amounts to residents: whole pounds without pence
/// (`£2,500`), otherwise to the penny (`£2,500.50`); the same text as levers-pb's ballot totals and
/// result explanations (`levers_pb::process::levers_pence`).
pub fn money_short(pence: i64) -> String {
    let s = money(pence);
    s.strip_suffix(".00").map(str::to_owned).unwrap_or(s)
}

/// A fractional number of pence (an average or a share of a total) to the nearest pound.
pub fn pence_f64_whole(pence: f64) -> String {
    estimate_whole(pence / 100.0)
}

/// An estimate in pounds (appraisal values are floats) to the penny, or "n/a" when not a number.
pub fn estimate(pounds: f64) -> String {
    Money::from_pounds_f64(pounds).map_or_else(|| "n/a".into(), |m| m.to_string())
}

/// An estimate in pounds to the nearest pound, or "n/a".
pub fn estimate_whole(pounds: f64) -> String {
    // Rounded once, to the pound (rounding to pence first would round 1,234.496 up).
    Money::from_pounds_f64(pounds.round()).map_or_else(|| "n/a".into(), Money::to_whole_string)
}

/// A share (0.123) as a percentage with one decimal: `12.3%`.
pub fn pct(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// A share (0.123) as a whole percentage: `12%`. Headline figures and tables where a decimal adds
/// nothing (co-production coverage).
pub fn pct_whole(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

/// A count with its noun in the singular or plural: `1 payment`, `2 payments`, `0 payments`.
pub fn count<N>(n: N, one: &str, many: &str) -> String
where
    N: TryInto<i64> + Copy + std::fmt::Display,
{
    let single = n.try_into().ok() == Some(1);
    format!("{n} {}", if single { one } else { many })
}

/// How deprived an area is, from `AreaProfile::most_deprived_20`: "2 of 5 neighbourhoods in the
/// most deprived 20%", or that no figures are loaded.
pub fn deprived_share((deprived, of): (u32, u32)) -> String {
    if of == 0 {
        return "no deprivation figures loaded".into();
    }
    format!(
        "{deprived} of {} in the most deprived 20% in England",
        count(of, "neighbourhood", "neighbourhoods")
    )
}

/// Pounds as people type them in a form (`12,500`, `£12,500.50`) as pence; `None` if it is not money.
pub fn parse_pounds(typed: &str) -> Option<i64> {
    typed.trim().parse::<Money>().ok().map(Money::pence)
}

/// Seconds since the epoch as `28 Nov 2026 22:15 UTC`.
pub fn when(unix: &i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(*unix) {
        Ok(t) => {
            let fmt = time::macros::format_description!(
                "[day padding:none] [month repr:short] [year] [hour]:[minute] UTC"
            );
            t.format(&fmt).unwrap_or_else(|_| unix.to_string())
        }
        Err(_) => unix.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_estimates_read_as_people_expect() {
        assert_eq!(money(123_456), "£1,234.56");
        assert_eq!(money(-1_200), "-£12.00");
        assert_eq!(money_whole(123_456), "£1,235");
        assert_eq!(money_short(250_000), "£2,500");
        assert_eq!(money_short(-250_050), "-£2,500.50");
        assert_eq!(pence_f64_whole(123_449.6), "£1,234");
        assert_eq!(estimate(1234.565), "£1,234.57");
        assert_eq!(estimate(f64::NAN), "n/a");
        assert_eq!(estimate_whole(-0.4), "£0");
        assert_eq!(pct(0.1234), "12.3%");
        assert_eq!(pct_whole(0.1234), "12%");
        assert_eq!(money_round(7_180_860_856), "£71.8m");
        assert_eq!(money_round(41_800_000_000), "£418m");
        assert_eq!(money_round(120_000_000_000), "£1.2bn");
        assert_eq!(money_round(1_234_567), "£12.3k");
        assert_eq!(money_round(999_999), "£10.0k");
        assert_eq!(money_round(51_249), "£512");
        assert_eq!(money_round(-250_000_000), "-£2.5m");
        assert_eq!(money_round(99_990_000_000), "£1.0bn");
        assert_eq!(money_round(99_960_000), "£1.0m");
        assert_eq!(money_round(99_940_000_000), "£999m");
        assert_eq!(pence_f64_round(f64::NAN), "n/a");
        assert_eq!(count(1usize, "payment", "payments"), "1 payment");
        assert_eq!(count(0u64, "payment", "payments"), "0 payments");
        assert_eq!(count(3_500i64, "payment", "payments"), "3500 payments");
    }

    #[test]
    fn pounds_are_read_as_typed() {
        assert_eq!(parse_pounds(" £12,500.50 "), Some(1_250_050));
        assert_eq!(parse_pounds("12500"), Some(1_250_000));
        assert_eq!(parse_pounds("twelve"), None);
        assert_eq!(parse_pounds("1.005"), None);
    }
}
