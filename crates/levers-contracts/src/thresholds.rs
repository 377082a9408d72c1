//! Procurement Act 2023 thresholds as dated data (`data/thresholds.csv`), with their source: the
//! figure in force on a date for a kind of contract, including the regulated below-threshold floors.

use levers_core::Money;
use serde::Serialize;
use time::Date;

use crate::model::opt_date;

pub const DEFAULT_TABLE: &str = include_str!("../data/thresholds.csv");

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Threshold {
    pub kind: String,
    #[serde(with = "opt_date")]
    pub from: Option<Date>,
    #[serde(with = "opt_date")]
    pub to: Option<Date>,
    /// Including VAT.
    pub amount: Money,
    pub label: String,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Thresholds {
    pub rows: Vec<Threshold>,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds::parse(DEFAULT_TABLE).expect("the shipped threshold table reads")
    }
}

fn split(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut q = false;
    for c in line.chars() {
        match (c, q) {
            ('"', _) => q = !q,
            (',', false) => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

impl Thresholds {
    pub fn parse(text: &str) -> Result<Thresholds, String> {
        let mut rows = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with("kind,") {
                continue;
            }
            let f = split(line);
            if f.len() != 6 {
                return Err(format!(
                    "line {}: expected 6 columns, found {}",
                    i + 1,
                    f.len()
                ));
            }
            let pounds: i64 = f[3]
                .trim()
                .parse()
                .map_err(|_| format!("line {}: \"{}\" is not whole pounds", i + 1, f[3]))?;
            rows.push(Threshold {
                kind: f[0].trim().to_string(),
                from: opt_date::parse(&f[1]),
                to: opt_date::parse(&f[2]),
                amount: Money::from_pounds(pounds).ok_or("amount too large")?,
                label: f[4].trim().to_string(),
                source: f[5].trim().to_string(),
            });
        }
        Ok(Thresholds { rows })
    }

    /// The threshold of `kind` in force on `on`.
    pub fn on(&self, kind: &str, on: Date) -> Option<&Threshold> {
        self.rows.iter().find(|t| {
            t.kind == kind && t.from.is_none_or(|f| f <= on) && t.to.is_none_or(|e| on <= e)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_figure_in_force_on_a_date() {
        let t = Thresholds::default();
        let s = t
            .on("goods_services_sub_central", date!(2026 - 05 - 01))
            .unwrap();
        assert_eq!(s.amount, Money::from_pounds(207_720).unwrap());
        let s = t
            .on("goods_services_sub_central", date!(2025 - 06 - 01))
            .unwrap();
        assert_eq!(s.amount, Money::from_pounds(214_904).unwrap());
        assert_eq!(
            t.on("works", date!(2027 - 01 - 01)).unwrap().amount,
            Money::from_pounds(5_193_000).unwrap()
        );
        assert_eq!(
            t.on("below_floor_other", date!(2027 - 01 - 01))
                .unwrap()
                .amount,
            Money::from_pounds(30_000).unwrap()
        );
        assert!(t.on("works", date!(2024 - 01 - 01)).is_none());
    }
}
