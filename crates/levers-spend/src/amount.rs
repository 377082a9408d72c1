//! Exact parsing of the amounts found in transparency files into pence: separators, padding, £, signs, parentheses.

use levers_core::Money;

/// Why a cell could not be read as an amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("the amount is blank")]
    Blank,
    #[error(
        "\"{0}\" is not an amount: expected pounds and pence such as 1,234.56, -12.00, 161,413.00- or (99.50)"
    )]
    Invalid(String),
    #[error(
        "\"{0}\" has more than two decimal places: money is kept to the penny, so correct the value in the file"
    )]
    TooPrecise(String),
    #[error("\"{0}\" is too large to be a payment")]
    Overflow(String),
}

/// Reads an amount as councils publish it, exactly, to pence.
///
/// Accepts: `1234.56`, `1,496.00`, ` 9,999.99 `, `-756.88`, `161,413.00-` (trailing minus),
/// `(1,234.56)` (parentheses), `£1,234`, `-£12`, `£-12`, `GBP 12.00`, `12.00 CR` (credit, negative),
/// `12.00 DR`, `+5`, `.5`, `1.5E+04`, a lone `-` (an accounting-format zero), and a float's noise
/// (`0.30000000000000004` from a spreadsheet) which is rounded to the penny. More than two real decimal
/// places (`12.345`) is an error rather than a silent rounding.
pub fn parse_amount(input: &str) -> Result<Money, AmountError> {
    parse(input, false).map(|(m, _)| m)
}

/// Like [`parse_amount`], but an amount with real fractions of a penny (`815.045`, seen in Devon's
/// October 2012 file) is rounded to the nearest penny, halves away from zero, and reported as rounded
/// (`true`) so the row can be flagged rather than lost.
pub fn parse_amount_rounding(input: &str) -> Result<(Money, bool), AmountError> {
    parse(input, true)
}

fn parse(input: &str, round: bool) -> Result<(Money, bool), AmountError> {
    let invalid = || AmountError::Invalid(input.trim().to_string());
    let mut s = trim_ws(input);
    if s.is_empty() {
        return Err(AmountError::Blank);
    }
    let mut negative = false;
    let mut signs = 0u8;

    // Parentheses around the whole value mean a negative (accounting style).
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = true;
        signs += 1;
        s = trim_ws(inner);
    }
    // Credit/debit suffixes.
    let upper_tail = s.get(s.len().saturating_sub(2)..).unwrap_or("");
    if upper_tail.eq_ignore_ascii_case("CR") && s.len() > 2 {
        negative = !negative;
        signs += 1;
        s = trim_ws(&s[..s.len() - 2]);
    } else if upper_tail.eq_ignore_ascii_case("DR") && s.len() > 2 {
        s = trim_ws(&s[..s.len() - 2]);
    }
    // Peel signs and currency markers from both ends, in any order.
    loop {
        let before = s.len();
        if let Some(r) = strip_minus_prefix(s) {
            negative = !negative;
            signs += 1;
            s = trim_ws(r);
        } else if let Some(r) = s.strip_prefix('+') {
            s = trim_ws(r);
        } else if let Some(r) = s.strip_prefix('£') {
            s = trim_ws(r);
        } else if let Some(r) = strip_ci_prefix(s, "GBP") {
            s = trim_ws(r);
        }
        if let Some(r) = strip_minus_suffix(s) {
            negative = !negative;
            signs += 1;
            s = trim_ws(r);
        } else if let Some(r) = s.strip_suffix('£') {
            s = trim_ws(r);
        } else if let Some(r) = strip_ci_suffix(s, "GBP") {
            s = trim_ws(r);
        }
        if s.len() == before {
            break;
        }
    }
    if signs > 1 {
        return Err(invalid());
    }
    if s.is_empty() {
        // A lone "-" is how accounting formats write zero.
        return if signs == 1 {
            Ok((Money::ZERO, false))
        } else {
            Err(invalid())
        };
    }

    // Mantissa and optional exponent.
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => {
            let exp: i32 = s[i + 1..].parse().map_err(|_| invalid())?;
            if !(-30..=30).contains(&exp) {
                return Err(invalid());
            }
            (&s[..i], exp)
        }
        None => (s, 0),
    };
    let (whole, frac) = match mantissa.split_once('.') {
        Some((w, f)) => (w, f),
        None => (mantissa, ""),
    };
    if whole.is_empty() && frac.is_empty() {
        return Err(invalid());
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    if !grouping_ok(whole) {
        return Err(invalid());
    }
    if exponent != 0 && !whole.bytes().all(|b| b.is_ascii_digit()) {
        // Grouping separators and an exponent together is not a number anyone writes.
        return Err(invalid());
    }
    let digit_iter = || {
        whole
            .bytes()
            .filter(u8::is_ascii_digit)
            .chain(frac.bytes())
            .map(|b| b - b'0')
    };
    let scale: i32 = frac.len() as i32 - exponent;

    let overflow = || AmountError::Overflow(input.trim().to_string());
    let mut rounded = false;
    let pence: i128 = if scale <= 2 {
        let mut v: i128 = 0;
        for d in digit_iter() {
            v = v
                .checked_mul(10)
                .and_then(|v| v.checked_add(i128::from(d)))
                .ok_or_else(overflow)?;
            if v > i128::from(i64::MAX) {
                return Err(overflow());
            }
        }
        for _ in 0..(2 - scale) {
            v = v.checked_mul(10).ok_or_else(overflow)?;
            if v > i128::from(i64::MAX) {
                return Err(overflow());
            }
        }
        v
    } else {
        let digits: Vec<u8> = digit_iter().collect();
        let extra = (scale - 2) as usize;
        let keep = digits.len().saturating_sub(extra);
        let (kept, dropped) = digits.split_at(keep);
        // Digits past the penny, with the zeros an exponent implies in front ("6.8E-13").
        let implied_zeros = extra.saturating_sub(digits.len());
        let mut v: i128 = 0;
        for d in kept {
            v = v
                .checked_mul(10)
                .and_then(|v| v.checked_add(i128::from(*d)))
                .ok_or_else(overflow)?;
            if v > i128::from(i64::MAX) {
                return Err(overflow());
            }
        }
        let first_dropped = if implied_zeros > 0 {
            0
        } else {
            dropped.first().copied().unwrap_or(0)
        };
        if dropped.iter().all(|d| *d == 0) {
            v
        } else if is_float_noise(implied_zeros, dropped) {
            // 0.30000000000000004 or 12.3499999999: a binary float printed in full. Round to the penny.
            if first_dropped >= 5 { v + 1 } else { v }
        } else if round {
            rounded = true;
            if first_dropped >= 5 { v + 1 } else { v }
        } else {
            return Err(AmountError::TooPrecise(input.trim().to_string()));
        }
    };
    let pence = i64::try_from(pence).map_err(|_| overflow())?;
    Ok((
        Money::from_pence(if negative { -pence } else { pence }),
        rounded,
    ))
}

/// The whole-pounds part is digits, or digits with thousands separators (`,` or space) in groups of three.
fn grouping_ok(whole: &str) -> bool {
    if whole.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    let sep = if whole.contains(',') { ',' } else { ' ' };
    let mut groups = whole.split(sep);
    let Some(first) = groups.next() else {
        return false;
    };
    if first.is_empty() || first.len() > 3 || !first.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
}

/// Digits past the penny that look like binary floating-point noise: a long run starting 0000 or 9999.
fn is_float_noise(implied_zeros: usize, dropped: &[u8]) -> bool {
    if implied_zeros >= 4 {
        return true;
    }
    let lead =
        |d: u8| implied_zeros == 0 && dropped.len() >= 6 && dropped[..4].iter().all(|x| *x == d);
    lead(0)
        || lead(9)
        || (implied_zeros > 0
            && dropped.len() + implied_zeros >= 6
            && dropped.iter().take(4 - implied_zeros).all(|x| *x == 0))
}

fn trim_ws(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '"' || c == '\'')
}

fn strip_minus_prefix(s: &str) -> Option<&str> {
    s.strip_prefix('-')
        .or_else(|| s.strip_prefix('\u{2212}'))
        .or_else(|| s.strip_prefix('\u{2013}'))
}

fn strip_minus_suffix(s: &str) -> Option<&str> {
    s.strip_suffix('-')
        .or_else(|| s.strip_suffix('\u{2212}'))
        .or_else(|| s.strip_suffix('\u{2013}'))
}

fn strip_ci_prefix<'a>(s: &'a str, p: &str) -> Option<&'a str> {
    let head = s.get(..p.len())?;
    head.eq_ignore_ascii_case(p).then(|| &s[p.len()..])
}

fn strip_ci_suffix<'a>(s: &'a str, p: &str) -> Option<&'a str> {
    let cut = s.len().checked_sub(p.len())?;
    let tail = s.get(cut..)?;
    tail.eq_ignore_ascii_case(p).then(|| &s[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(s: &str) -> i64 {
        parse_amount(s)
            .map(Money::pence)
            .unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    #[test]
    fn every_form_seen_in_real_files() {
        assert_eq!(p("1424"), 142_400);
        assert_eq!(p("8873.7"), 887_370);
        assert_eq!(p("1,496.00"), 149_600);
        assert_eq!(p(" 9,999.99 "), 999_999);
        assert_eq!(p(" 57,492,900.67 "), 5_749_290_067);
        assert_eq!(p("-756.88"), -75_688);
        assert_eq!(p("161,413.00-"), -16_141_300);
        assert_eq!(p("(1,234.56)"), -123_456);
        assert_eq!(p("£1,234.56"), 123_456);
        assert_eq!(p("-£12"), -1200);
        assert_eq!(p("£-12"), -1200);
        assert_eq!(p("GBP 12.50"), 1250);
        assert_eq!(p("12.00 CR"), -1200);
        assert_eq!(p("12.00DR"), 1200);
        assert_eq!(p("+5"), 500);
        assert_eq!(p(".5"), 50);
        assert_eq!(p("1.5E+04"), 1_500_000);
        assert_eq!(p("2916.4400"), 291_644);
        assert_eq!(p("0.30000000000000004"), 30);
        assert_eq!(p("12.3499999999"), 1235);
        assert_eq!(p(" - "), 0);
        assert_eq!(p("1 234.56"), 123_456);
        // Devon 2012-10 lines 4059-4060: spreadsheet noise for zero.
        assert_eq!(p("6.82121E-13"), 0);
        assert_eq!(p("-5.68434E-13"), 0);
        assert_eq!(
            parse_amount_rounding("815.045"),
            Ok((Money::from_pence(81_505), true))
        );
        assert_eq!(
            parse_amount_rounding("-631.085"),
            Ok((Money::from_pence(-63_109), true))
        );
        assert_eq!(
            parse_amount_rounding("631.084"),
            Ok((Money::from_pence(63_108), true))
        );
        assert_eq!(
            parse_amount_rounding("631.08"),
            Ok((Money::from_pence(63_108), false))
        );
        assert_eq!(p("\u{a0}£\u{a0}1,000\u{a0}"), 100_000);
    }

    #[test]
    fn rejects_what_is_not_money() {
        assert_eq!(parse_amount("  "), Err(AmountError::Blank));
        for bad in [
            "abc", "1,23.00", "12,3456", "1.2.3", "--5", "(-5)", "£", "12a", "1e", "VARIOUS",
            "1,2,3",
        ] {
            assert!(parse_amount(bad).is_err(), "{bad:?} should fail");
        }
        assert!(matches!(
            parse_amount("12.345"),
            Err(AmountError::TooPrecise(_))
        ));
        assert!(matches!(
            parse_amount("99999999999999999999"),
            Err(AmountError::Overflow(_))
        ));
    }

    proptest! {
        #[test]
        fn plain_round_trip(pence in -10_000_000_000_000i64..10_000_000_000_000) {
            let m = Money::from_pence(pence);
            prop_assert_eq!(parse_amount(&m.to_plain()), Ok(m));
        }

        #[test]
        fn display_round_trip(pence in -10_000_000_000_000i64..10_000_000_000_000) {
            // "£1,234.56" and "-£1,234.56" as levers itself writes them.
            let m = Money::from_pence(pence);
            prop_assert_eq!(parse_amount(&m.to_string()), Ok(m));
        }

        #[test]
        fn council_styles_agree(pence in 0i64..10_000_000_000_000, pad in 0usize..3) {
            let m = Money::from_pence(pence);
            let grouped = m.to_string().replace('£', "");
            let sp = " ".repeat(pad);
            prop_assert_eq!(parse_amount(&format!("{sp}{grouped}{sp}")), Ok(m));
            prop_assert_eq!(parse_amount(&format!("{grouped}-")), Ok(Money::from_pence(-pence)));
            prop_assert_eq!(parse_amount(&format!("({grouped})")), Ok(Money::from_pence(-pence)));
            prop_assert_eq!(parse_amount(&format!("-£{grouped}")), Ok(Money::from_pence(-pence)));
        }

        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = parse_amount(&s);
        }

        #[test]
        fn never_panics_on_numberish(s in "[-+()£,. 0-9eE]{0,30}") {
            let _ = parse_amount(&s);
        }
    }
}
