//! Where a community budget process happens (the area its residents must live in): wards,
//! neighbourhoods (LSOAs) or postcodes, parsed from the list an officer enters.

use serde::{Deserialize, Serialize};

/// Where a process happens (the area residents must live in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "codes", rename_all = "snake_case")]
pub enum Area {
    /// Ward codes (GSS `E05…`, or `X05…` in the demo).
    Wards(Vec<String>),
    /// LSOA codes (2011 or 2021).
    Lsoas(Vec<String>),
    /// Whole postcodes, normalised `AB1 2CD`.
    Postcodes(Vec<String>),
}

impl Area {
    pub fn kind(&self) -> &'static str {
        match self {
            Area::Wards(_) => "wards",
            Area::Lsoas(_) => "lsoas",
            Area::Postcodes(_) => "postcodes",
        }
    }
    pub fn codes(&self) -> &[String] {
        match self {
            Area::Wards(c) | Area::Lsoas(c) | Area::Postcodes(c) => c,
        }
    }
    /// Parses the officer's list (one code per line or separated by commas) for `kind`.
    pub fn parse(kind: &str, list: &str) -> Result<Area, String> {
        let mut codes: Vec<String> = list
            .split(['\n', ',', ';'])
            .map(|s| s.trim().to_ascii_uppercase())
            .filter(|s| !s.is_empty())
            .collect();
        codes.sort();
        codes.dedup();
        if codes.is_empty() {
            return Err("Enter at least one area code or postcode".into());
        }
        if codes.len() > 5000 {
            return Err("Enter at most 5,000 codes or postcodes".into());
        }
        match kind {
            "wards" | "lsoas" => {
                let prefix = if kind == "wards" { "05" } else { "01" };
                for c in &codes {
                    let ok = c.len() == 9
                        && c[1..3] == *prefix
                        && c.bytes().all(|b| b.is_ascii_alphanumeric());
                    if !ok {
                        let what = if kind == "wards" {
                            "ward codes look like E05001234"
                        } else {
                            "LSOA codes look like E01001234"
                        };
                        return Err(format!(
                            "\"{c}\" is not a {} code: {what}",
                            &kind[..kind.len() - 1]
                        ));
                    }
                }
                Ok(if kind == "wards" {
                    Area::Wards(codes)
                } else {
                    Area::Lsoas(codes)
                })
            }
            "postcodes" => {
                let mut out = Vec::new();
                for c in &codes {
                    let compact: String = c.chars().filter(|ch| !ch.is_whitespace()).collect();
                    if !(5..=7).contains(&compact.len())
                        || !compact.bytes().all(|b| b.is_ascii_alphanumeric())
                    {
                        return Err(format!(
                            "\"{c}\" is not a postcode: postcodes look like XL1 2AB"
                        ));
                    }
                    let (out_code, inward) = compact.split_at(compact.len() - 3);
                    out.push(format!("{out_code} {inward}"));
                }
                out.sort();
                out.dedup();
                Ok(Area::Postcodes(out))
            }
            _ => Err("Choose wards, neighbourhoods (LSOAs) or postcodes".into()),
        }
    }
}
