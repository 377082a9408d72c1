//! Exact numbers for PB: parsing Pabulib decimals into rationals and printing them back.

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};

/// Exact rational number used for costs, budgets, points and MES/Phragmén arithmetic.
pub type Q = BigRational;

/// Builds a rational from an integer.
pub fn q_int(v: i64) -> Q {
    Q::from_integer(BigInt::from(v))
}

/// Builds a rational from an unsigned count.
pub fn q_u(v: u64) -> Q {
    Q::from_integer(BigInt::from(v))
}

/// Parses a Pabulib number: optional sign, digits, optional `.`/`,` decimal part, optional
/// exponent, or a fraction `a/b`. Surrounding whitespace is ignored. Returns `None` when the
/// text is not a number.
pub fn parse_q(text: &str) -> Option<Q> {
    let t = text.trim();
    if t.is_empty() || t.len() > 200 {
        return None;
    }
    if let Some((a, b)) = t.split_once('/') {
        let n: BigInt = a.trim().parse().ok()?;
        let d: BigInt = b.trim().parse().ok()?;
        if d.is_zero() {
            return None;
        }
        return Some(Q::new(n, d));
    }
    let (mantissa, exp) = match t.find(['e', 'E']) {
        Some(i) => {
            let e: i32 = t[i + 1..].parse().ok()?;
            if e.abs() > 60 {
                return None;
            }
            (&t[..i], e)
        }
        None => (t, 0),
    };
    let (neg, body) = match mantissa.as_bytes().first() {
        Some(b'-') => (true, &mantissa[1..]),
        Some(b'+') => (false, &mantissa[1..]),
        _ => (false, mantissa),
    };
    let (int_part, frac_part) = match body.find(['.', ',']) {
        Some(i) => (&body[..i], &body[i + 1..]),
        None => (body, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if !int_part.bytes().all(|c| c.is_ascii_digit())
        || !frac_part.bytes().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let digits = format!("{int_part}{frac_part}");
    let n: BigInt = if digits.is_empty() {
        BigInt::zero()
    } else {
        digits.parse().ok()?
    };
    let scale = exp - frac_part.len() as i32;
    let ten = BigInt::from(10);
    let mut v = if scale >= 0 {
        Q::from_integer(n * num_traits::pow(ten, scale as usize))
    } else {
        Q::new(n, num_traits::pow(ten, (-scale) as usize))
    };
    if neg {
        v = -v;
    }
    Some(v)
}

/// Floor of a rational as a rational integer.
pub fn floor_q(v: &Q) -> Q {
    Q::from_integer(v.floor().to_integer())
}

/// Σ vᵢ × cᵢ exactly, adding the numerators of terms that share a denominator as integers and
/// reducing once per distinct denominator (adding rationals one by one reduces, with a gcd, at
/// every step; remaining budgets in MES share a few denominators).
pub fn sum_weighted<'a>(terms: impl IntoIterator<Item = (&'a Q, u64)>) -> Q {
    let mut by_denom: Vec<(&'a BigInt, BigInt)> = Vec::new();
    for (v, c) in terms {
        let d = v.denom();
        let n = v.numer() * BigInt::from(c);
        match by_denom.iter_mut().find(|x| x.0 == d) {
            Some(x) => x.1 += n,
            None => by_denom.push((d, n)),
        }
    }
    by_denom
        .into_iter()
        .map(|(d, n)| Q::new(n, d.clone()))
        .sum()
}

/// Approximate value, for display and sorting hints only (never for decisions).
pub fn q_f64(v: &Q) -> f64 {
    v.to_f64().unwrap_or(f64::NAN)
}

/// Prints a rational the way Pabulib writes numbers: an integer when whole, else a finite decimal
/// when the denominator allows it, else `a/b`.
pub fn fmt_q(v: &Q) -> String {
    if v.is_integer() {
        return v.to_integer().to_string();
    }
    let mut d = v.denom().clone();
    let two = BigInt::from(2);
    let five = BigInt::from(5);
    let mut places = 0usize;
    let mut p2 = 0usize;
    let mut p5 = 0usize;
    while d.is_even() {
        d /= &two;
        p2 += 1;
    }
    while (&d % &five).is_zero() {
        d /= &five;
        p5 += 1;
    }
    if d.is_one() && p2.max(p5) <= 40 {
        places = p2.max(p5);
        let scaled = v * Q::from_integer(num_traits::pow(BigInt::from(10), places));
        let n = scaled.to_integer();
        let neg = n.is_negative();
        let s = n.abs().to_string();
        let s = format!("{:0>width$}", s, width = places + 1);
        let (a, b) = s.split_at(s.len() - places);
        return format!("{}{}.{}", if neg { "-" } else { "" }, a, b);
    }
    let _ = places;
    format!("{}/{}", v.numer(), v.denom())
}

/// Rounds to a decimal string with `places` digits, for human-readable output.
pub fn fmt_q_approx(v: &Q, places: usize) -> String {
    format!("{:.*}", places, q_f64(v))
}

#[cfg(test)]
mod tests {
    #[test]
    fn sum_weighted_equals_the_plain_sum() {
        let v: Vec<Q> = ["1/3", "5/6", "2/3", "7", "-1/6", "0", "10/4"]
            .iter()
            .map(|t| parse_q(t).unwrap())
            .collect();
        let c = [4u64, 0, 9, 2, 3, 5, 1];
        let plain: Q = v.iter().zip(c).map(|(v, c)| v * q_u(c)).sum();
        assert_eq!(sum_weighted(v.iter().zip(c)), plain);
        assert_eq!(sum_weighted(std::iter::empty()), q_int(0));
    }

    use super::*;

    #[test]
    fn parses_decimals_commas_and_fractions() {
        assert_eq!(parse_q("1000"), Some(q_int(1000)));
        assert_eq!(parse_q(" 12.50 "), Some(Q::new(25.into(), 2.into())));
        assert_eq!(parse_q("12,5"), Some(Q::new(25.into(), 2.into())));
        assert_eq!(parse_q("3/4"), Some(Q::new(3.into(), 4.into())));
        assert_eq!(parse_q("-2"), Some(q_int(-2)));
        assert_eq!(parse_q("1e3"), Some(q_int(1000)));
        assert_eq!(parse_q("abc"), None);
        assert_eq!(parse_q(""), None);
        assert_eq!(parse_q("1/0"), None);
        assert_eq!(parse_q("."), None);
    }

    #[test]
    fn formats_round_trip() {
        for s in ["0", "7", "-3", "12.5", "0.05", "1/3", "-0.5"] {
            let v = parse_q(s).unwrap();
            assert_eq!(parse_q(&fmt_q(&v)).unwrap(), v, "{s}");
        }
        assert_eq!(fmt_q(&parse_q("12.50").unwrap()), "12.5");
    }
}
