//! GSS area codes (`E07000123`): validated, upper-cased, and typed by what kind of area they name.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A Government Statistical Service code: one letter for the nation and eight digits, the first two of
/// which say what kind of area it is (`E01` an English LSOA, `E05` a ward, `E07` a district …).
/// Codes are the keys for places in levers; names change, codes do not.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AreaCode([u8; 9]);

/// The nation a code belongs to, from its first letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Nation {
    England,
    Wales,
    Scotland,
    NorthernIreland,
    /// `K` codes: United Kingdom, Great Britain, England and Wales.
    Multiple,
    /// `X` codes: no GSS code starts with X, so levers' synthetic demo borough uses them and can never
    /// be mistaken for, or collide with, a real place.
    Synthetic,
}

/// What kind of area a code names, from its three-character prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaKind {
    /// Lower layer super output area (E01, W01); Scotland's data zone (S01); NI small area (N00).
    Lsoa,
    /// Middle layer super output area (E02, W02); Scotland's intermediate zone (S02).
    Msoa,
    /// Electoral ward or division (E05, W05, S13, N08).
    Ward,
    /// Local authority district: unitary (E06, W06), non-metropolitan district (E07), metropolitan
    /// district (E08), London borough (E09), Scottish council area (S12), NI district (N09).
    District,
    /// County (E10).
    County,
    /// Metropolitan county (E11).
    MetropolitanCounty,
    /// Region (E12).
    Region,
    /// Combined authority (E47).
    CombinedAuthority,
    /// Country (E92, W92, S92, N92).
    Country,
    /// A valid code of a kind levers does not use yet.
    Other,
}

impl AreaKind {
    pub fn label(self) -> &'static str {
        match self {
            AreaKind::Lsoa => "LSOA",
            AreaKind::Msoa => "MSOA",
            AreaKind::Ward => "ward",
            AreaKind::District => "local authority district",
            AreaKind::County => "county",
            AreaKind::MetropolitanCounty => "metropolitan county",
            AreaKind::Region => "region",
            AreaKind::CombinedAuthority => "combined authority",
            AreaKind::Country => "country",
            AreaKind::Other => "other area",
        }
    }
}

/// Why text is not an area code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AreaCodeError {
    #[error(
        "\"{0}\" is not an area code: a GSS code is one letter and eight digits, such as E07000123"
    )]
    Invalid(String),
    #[error(
        "\"{0}\" starts with an unknown nation letter: GSS codes start with E, W, S, N or K (X for levers' synthetic demo)"
    )]
    UnknownNation(String),
}

impl AreaCode {
    /// Reads a code, ignoring surrounding spaces and letter case.
    pub fn parse(input: &str) -> Result<Self, AreaCodeError> {
        let s = input.trim();
        let b = s.as_bytes();
        if b.len() != 9 || !b[0].is_ascii_alphabetic() || !b[1..].iter().all(u8::is_ascii_digit) {
            return Err(AreaCodeError::Invalid(s.to_string()));
        }
        let mut out = [0u8; 9];
        out.copy_from_slice(b);
        out[0] = out[0].to_ascii_uppercase();
        if !matches!(out[0], b'E' | b'W' | b'S' | b'N' | b'K' | b'X') {
            return Err(AreaCodeError::UnknownNation(s.to_string()));
        }
        Ok(AreaCode(out))
    }

    pub fn as_str(&self) -> &str {
        // Constructed only from ASCII letters and digits.
        std::str::from_utf8(&self.0).expect("area codes are ASCII")
    }

    /// The three-character prefix (`E07`) that says what kind of area this is.
    pub fn prefix(&self) -> &str {
        &self.as_str()[..3]
    }

    pub fn nation(&self) -> Nation {
        match self.0[0] {
            b'E' => Nation::England,
            b'W' => Nation::Wales,
            b'S' => Nation::Scotland,
            b'N' => Nation::NorthernIreland,
            b'X' => Nation::Synthetic,
            _ => Nation::Multiple,
        }
    }

    pub fn kind(&self) -> AreaKind {
        match self.prefix() {
            "E01" | "W01" | "S01" | "N00" | "X01" => AreaKind::Lsoa,
            "E02" | "W02" | "S02" | "X02" => AreaKind::Msoa,
            "E05" | "W05" | "S13" | "N08" | "X05" => AreaKind::Ward,
            "E06" | "E07" | "E08" | "E09" | "W06" | "S12" | "N09" | "X06" | "X07" | "X08"
            | "X09" => AreaKind::District,
            "E10" => AreaKind::County,
            "E11" => AreaKind::MetropolitanCounty,
            "E12" | "X12" => AreaKind::Region,
            "E47" => AreaKind::CombinedAuthority,
            "E92" | "W92" | "S92" | "N92" => AreaKind::Country,
            _ => AreaKind::Other,
        }
    }
}

impl fmt::Display for AreaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for AreaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AreaCode({})", self.as_str())
    }
}

impl FromStr for AreaCode {
    type Err = AreaCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AreaCode::parse(s)
    }
}

impl Serialize for AreaCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for AreaCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        AreaCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_prefix() {
        let cases = [
            ("E01012345", AreaKind::Lsoa),
            ("E02000001", AreaKind::Msoa),
            ("E05012345", AreaKind::Ward),
            ("E06000001", AreaKind::District),
            ("E07000123", AreaKind::District),
            ("E08000009", AreaKind::District),
            ("E09000001", AreaKind::District),
            ("E10000017", AreaKind::County),
            ("E12000002", AreaKind::Region),
            ("W01000001", AreaKind::Lsoa),
            ("W06000015", AreaKind::District),
            ("S12000036", AreaKind::District),
            ("S13002516", AreaKind::Ward),
            ("N09000003", AreaKind::District),
            ("E92000001", AreaKind::Country),
            ("E99999999", AreaKind::Other),
        ];
        for (code, kind) in cases {
            assert_eq!(AreaCode::parse(code).unwrap().kind(), kind, "{code}");
        }
    }

    #[test]
    fn normalises_case_and_space() {
        let c = AreaCode::parse(" e07000123 ").unwrap();
        assert_eq!(c.as_str(), "E07000123");
        assert_eq!(c.nation(), Nation::England);
        assert_eq!(c.prefix(), "E07");
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "E0700012",
            "E070001234",
            "EE7000123",
            "E07 00123",
            "E07000l23",
            "é07000123",
        ] {
            assert!(AreaCode::parse(bad).is_err(), "{bad}");
        }
        assert!(matches!(
            AreaCode::parse("Q07000123"),
            Err(AreaCodeError::UnknownNation(_))
        ));
        assert_eq!(
            AreaCode::parse("X07000001").unwrap().nation(),
            Nation::Synthetic
        );
        assert_eq!(AreaCode::parse("X01000001").unwrap().kind(), AreaKind::Lsoa);
    }

    #[test]
    fn json_is_the_code() {
        let c = AreaCode::parse("E05000001").unwrap();
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"E05000001\"");
        let back: AreaCode = serde_json::from_str("\"e05000001\"").unwrap();
        assert_eq!(back, c);
    }
}
