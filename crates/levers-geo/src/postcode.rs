//! UK postcodes: normalised (upper case, no spaces), validated against the Royal Mail formats, shown
//! as "outward inward" (`PR1 2HE`), and packed into a `u64` key for compact indexes.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

/// A valid UK postcode, stored without spaces (at most 7 characters).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Postcode {
    bytes: [u8; 7],
    len: u8,
}

/// Why text is not a postcode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostcodeError {
    #[error("the postcode is empty")]
    Empty,
    #[error(
        "\"{0}\" is not a UK postcode: it has characters other than letters, digits and spaces"
    )]
    BadCharacters(String),
    #[error("\"{0}\" is not a UK postcode: a postcode has 5 to 7 letters and digits, like PR1 2HE")]
    BadLength(String),
    #[error(
        "\"{0}\" is not a UK postcode: the last part must be a digit and two letters, like 2HE"
    )]
    BadInward(String),
    #[error("\"{0}\" is not a UK postcode: the first part must look like PR1, M15, SW1A or B33")]
    BadOutward(String),
}

/// Letters that never appear in the inward code's last two places (Royal Mail).
const INWARD_EXCLUDED: &[u8] = b"CIKMOV";

fn outward_ok(o: &[u8]) -> bool {
    let a = |i: usize| o.get(i).is_some_and(u8::is_ascii_uppercase);
    let d = |i: usize| o.get(i).is_some_and(u8::is_ascii_digit);
    match o.len() {
        2 => a(0) && d(1), // A9
        3 => (a(0) && d(1) && d(2)) || (a(0) && a(1) && d(2)) || (a(0) && d(1) && a(2)), // A99, AA9, A9A
        4 => (a(0) && a(1) && d(2) && d(3)) || (a(0) && a(1) && d(2) && a(3)), // AA99, AA9A
        _ => false,
    }
}

impl Postcode {
    /// Reads a postcode as people and files write it: any case, with or without the space, with stray
    /// spaces (`"pr1  2he"`, `"PR12HE"`, the 7-character padded `pcd` and 8-character `pcd2` forms).
    pub fn parse(input: &str) -> Result<Postcode, PostcodeError> {
        let mut bytes = [0u8; 7];
        let mut len = 0usize;
        for c in input.chars() {
            if c.is_whitespace() {
                continue;
            }
            if !c.is_ascii_alphanumeric() {
                return Err(PostcodeError::BadCharacters(input.trim().to_string()));
            }
            if len == 7 {
                return Err(PostcodeError::BadLength(input.trim().to_string()));
            }
            bytes[len] = c.to_ascii_uppercase() as u8;
            len += 1;
        }
        if len == 0 {
            return Err(PostcodeError::Empty);
        }
        if len < 5 {
            return Err(PostcodeError::BadLength(input.trim().to_string()));
        }
        let s = &bytes[..len];
        if s == b"GIR0AA" {
            return Ok(Postcode {
                bytes,
                len: len as u8,
            });
        }
        let (out, inw) = s.split_at(len - 3);
        if !(inw[0].is_ascii_digit()
            && inw[1..]
                .iter()
                .all(|b| b.is_ascii_uppercase() && !INWARD_EXCLUDED.contains(b)))
        {
            return Err(PostcodeError::BadInward(input.trim().to_string()));
        }
        if !outward_ok(out) {
            return Err(PostcodeError::BadOutward(input.trim().to_string()));
        }
        Ok(Postcode {
            bytes,
            len: len as u8,
        })
    }

    /// Without spaces: `PR12HE`.
    pub fn compact(&self) -> &str {
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).expect("postcodes are ASCII")
    }

    /// The outward code (`PR1`).
    pub fn outward(&self) -> &str {
        &self.compact()[..usize::from(self.len) - 3]
    }

    /// The inward code (`2HE`).
    pub fn inward(&self) -> &str {
        &self.compact()[usize::from(self.len) - 3..]
    }

    /// The postcode sector (`PR1 2`), the unit many statistics use.
    pub fn sector(&self) -> String {
        format!("{} {}", self.outward(), &self.inward()[..1])
    }

    /// A `u64` that orders and compares as the postcode does: each character in base 37 (0 = none).
    pub fn key(&self) -> u64 {
        let mut k = 0u64;
        for i in 0..7 {
            let v = match self
                .bytes
                .get(i)
                .copied()
                .filter(|_| i < usize::from(self.len))
            {
                Some(b @ b'0'..=b'9') => u64::from(b - b'0') + 1,
                Some(b @ b'A'..=b'Z') => u64::from(b - b'A') + 11,
                _ => 0,
            };
            k = k * 37 + v;
        }
        k
    }

    /// The postcode a key was made from.
    pub fn from_key(mut key: u64) -> Option<Postcode> {
        let mut rev = [0u8; 7];
        for slot in rev.iter_mut() {
            let v = (key % 37) as u8;
            key /= 37;
            *slot = match v {
                0 => 0,
                1..=10 => b'0' + v - 1,
                _ => b'A' + v - 11,
            };
        }
        if key != 0 {
            return None;
        }
        rev.reverse();
        let s: String = rev
            .iter()
            .take_while(|b| **b != 0)
            .map(|b| *b as char)
            .collect();
        Postcode::parse(&s).ok()
    }
}

impl fmt::Display for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.outward(), self.inward())
    }
}

impl fmt::Debug for Postcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Postcode({self})")
    }
}

impl FromStr for Postcode {
    type Err = PostcodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Postcode::parse(s)
    }
}

impl Serialize for Postcode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_is_the_same_postcode() {
        let want = Postcode::parse("PR1 2HE").unwrap();
        for s in [
            "pr1  2he",
            "PR12HE",
            " pr1 2he ",
            "PR1 2HE",
            "PR1  2HE",
            "P R 1 2 H E",
        ] {
            assert_eq!(Postcode::parse(s).unwrap(), want, "{s}");
        }
        assert_eq!(want.to_string(), "PR1 2HE");
        assert_eq!(want.compact(), "PR12HE");
        assert_eq!(want.sector(), "PR1 2");
    }

    #[test]
    fn all_outward_formats() {
        for (input, shown) in [
            ("M1 1AE", "M1 1AE"),
            ("B338TH", "B33 8TH"),
            ("CR2 6XH", "CR2 6XH"),
            ("DN55 1PT", "DN55 1PT"),
            ("W1A 1HQ", "W1A 1HQ"),
            ("EC1A1BB", "EC1A 1BB"),
            ("gir0aa", "GIR 0AA"),
            ("BB0 1GR", "BB0 1GR"),
        ] {
            assert_eq!(
                Postcode::parse(input).unwrap().to_string(),
                shown,
                "{input}"
            );
        }
    }

    #[test]
    fn rejects_with_a_reason() {
        assert_eq!(Postcode::parse("  "), Err(PostcodeError::Empty));
        assert!(matches!(
            Postcode::parse("PR1-2HE"),
            Err(PostcodeError::BadCharacters(_))
        ));
        assert!(matches!(
            Postcode::parse("PR1"),
            Err(PostcodeError::BadLength(_))
        ));
        assert!(matches!(
            Postcode::parse("PR1 2HEXX"),
            Err(PostcodeError::BadLength(_))
        ));
        assert!(matches!(
            Postcode::parse("PR1 HEE"),
            Err(PostcodeError::BadInward(_))
        ));
        assert!(matches!(
            Postcode::parse("PR1 2HC"),
            Err(PostcodeError::BadInward(_))
        ));
        assert!(matches!(
            Postcode::parse("1PR 2HE"),
            Err(PostcodeError::BadOutward(_))
        ));
        assert!(matches!(
            Postcode::parse("PRR1 2HE"),
            Err(PostcodeError::BadOutward(_))
        ));
        assert!(matches!(
            Postcode::parse("£R1 2HE"),
            Err(PostcodeError::BadCharacters(_))
        ));
    }

    #[test]
    fn keys_round_trip() {
        for s in ["PR1 2HE", "M1 1AE", "EC1A 1BB", "GIR 0AA", "B33 8TH"] {
            let p = Postcode::parse(s).unwrap();
            assert_eq!(Postcode::from_key(p.key()), Some(p), "{s}");
        }
        // Spaces carry no meaning: the key is the same however the postcode is spaced.
        assert_eq!(
            Postcode::parse("PR1 2HE").unwrap().key(),
            Postcode::parse("PR12 HE").unwrap().key()
        );
        assert!(
            Postcode::parse("PR1 2HE").unwrap().key() < Postcode::parse("PR1 2HF").unwrap().key()
        );
    }
}
