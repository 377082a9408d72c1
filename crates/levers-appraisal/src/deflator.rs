//! GDP deflators: each financial year's percentage change on the year before, and uprating a value
//! from its price year to any price base by chaining them.

use std::collections::BTreeMap;

use levers_core::FinancialYear;

/// Percentage change in the GDP deflator on the previous year, by financial year.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Deflators {
    pct: BTreeMap<FinancialYear, f64>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DeflatorError {
    #[error("{file}, line {line}: {message}")]
    Bad {
        file: String,
        line: u64,
        message: String,
    },
    #[error("no deflator is loaded for {0}: import a deflator table that covers it")]
    Missing(FinancialYear),
}

impl Deflators {
    /// Reads `fin_year, pct_change_on_previous_year` (header names matched without case).
    pub fn from_csv(file: &str, bytes: &[u8]) -> Result<Deflators, DeflatorError> {
        let bad = |line: u64, message: String| DeflatorError::Bad {
            file: file.to_string(),
            line,
            message,
        };
        let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
        let headers = rdr.headers().map_err(|e| bad(1, e.to_string()))?.clone();
        let col = |want: &[&str]| {
            headers
                .iter()
                .position(|h| want.iter().any(|w| h.trim().eq_ignore_ascii_case(w)))
        };
        let year_col = col(&["fin_year", "financial_year", "year"]).ok_or_else(|| {
            bad(
                1,
                "no fin_year column: name the year column fin_year".into(),
            )
        })?;
        let pct_col = col(&["pct_change_on_previous_year", "pct_change", "deflator_pct"])
            .ok_or_else(|| bad(1, "no pct_change_on_previous_year column".into()))?;
        let mut pct = BTreeMap::new();
        let mut lines = levers_core::lines::LineOf::new(bytes);
        for rec in rdr.records() {
            let line = lines.line_at(crate::library::record_byte(&rec));
            let rec = rec.map_err(|e| bad(line, e.to_string()))?;
            let y: FinancialYear = rec
                .get(year_col)
                .unwrap_or("")
                .parse()
                .map_err(|e: levers_core::FinancialYearError| bad(line, e.to_string()))?;
            let p: f64 = rec.get(pct_col).unwrap_or("").trim().parse().map_err(|_| {
                bad(
                    line,
                    format!("\"{}\" is not a percentage", rec.get(pct_col).unwrap_or("")),
                )
            })?;
            pct.insert(y, p);
        }
        Ok(Deflators { pct })
    }

    /// Reads the deflator table from the Unit Cost Database workbook (.xlsx): on its "Lookups" sheet,
    /// the column of financial years with the percentage change on the previous year beside it.
    /// `Ok(None)` when the workbook has no such table.
    #[cfg(feature = "excel")]
    pub fn from_xlsx(file: &str, bytes: &[u8]) -> Result<Option<Deflators>, DeflatorError> {
        use levers_xlsx::read::Data;
        let bad = |message: String| DeflatorError::Bad {
            file: file.to_string(),
            line: 0,
            message,
        };
        let sheets = levers_xlsx::read::read(bytes, &crate::WORKBOOK_LIMITS)
            .map_err(|e| bad(e.to_string()))?;
        let Some(sheet) = sheets
            .into_iter()
            .find(|s| s.name.eq_ignore_ascii_case("lookups"))
        else {
            return Ok(None);
        };
        // For each column, the (year, pct) pairs found with a number to the year's right.
        let mut by_column: BTreeMap<usize, Vec<(FinancialYear, f64)>> = BTreeMap::new();
        for row in &sheet.rows {
            for (c, cell) in &row.cells {
                let Data::String(text) = cell else { continue };
                let Ok(year) = text.trim().parse::<FinancialYear>() else {
                    continue;
                };
                let pct = match row.get(c + 1) {
                    Some(Data::Float(f)) => *f,
                    Some(Data::Int(i)) => *i as f64,
                    _ => continue,
                };
                by_column.entry(*c as usize).or_default().push((year, pct));
            }
        }
        Ok(by_column
            .into_values()
            .max_by_key(Vec::len)
            .filter(|v| v.len() >= 2)
            .map(Deflators::from_pairs))
    }

    /// A table from `(year, percentage change on the year before)` pairs.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (FinancialYear, f64)>) -> Deflators {
        Deflators {
            pct: pairs.into_iter().collect(),
        }
    }

    /// Every year's percentage change, oldest first.
    pub fn pairs(&self) -> impl Iterator<Item = (FinancialYear, f64)> + '_ {
        self.pct.iter().map(|(y, p)| (*y, *p))
    }

    pub fn is_empty(&self) -> bool {
        self.pct.is_empty()
    }

    pub fn years(&self) -> impl Iterator<Item = FinancialYear> + '_ {
        self.pct.keys().copied()
    }

    /// The factor that turns `from` prices into `to` prices: the product of (1 + change/100) over the
    /// years after `from` up to and including `to` (its inverse when `to` is earlier).
    pub fn factor(&self, from: FinancialYear, to: FinancialYear) -> Result<f64, DeflatorError> {
        let (lo, hi, invert) = if from <= to {
            (from, to, false)
        } else {
            (to, from, true)
        };
        let mut f = 1.0;
        let mut y = lo.next();
        while y <= hi {
            let p = self.pct.get(&y).ok_or(DeflatorError::Missing(y))?;
            f *= 1.0 + p / 100.0;
            y = y.next();
        }
        Ok(if invert { 1.0 / f } else { f })
    }

    /// A value at `from` prices expressed at `to` prices.
    pub fn uprate(
        &self,
        value: f64,
        from: FinancialYear,
        to: FinancialYear,
    ) -> Result<f64, DeflatorError> {
        Ok(value * self.factor(from, to)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fy(s: &str) -> FinancialYear {
        s.parse().unwrap()
    }

    #[test]
    fn chains_year_on_year_changes_both_ways() {
        let d = Deflators::from_csv(
            "d.csv",
            b"fin_year,pct_change_on_previous_year\n2013/14,2.123\n2014/15,1.7\n2015/16,1.4\n",
        )
        .unwrap();
        assert_eq!(d.factor(fy("2014/15"), fy("2014/15")).unwrap(), 1.0);
        assert!((d.factor(fy("2013/14"), fy("2015/16")).unwrap() - 1.017 * 1.014).abs() < 1e-12);
        assert!(
            (d.factor(fy("2015/16"), fy("2013/14")).unwrap() - 1.0 / (1.017 * 1.014)).abs() < 1e-12
        );
        assert_eq!(
            d.factor(fy("2015/16"), fy("2016/17")),
            Err(DeflatorError::Missing(fy("2016/17")))
        );
        assert!(matches!(
            Deflators::from_csv("d.csv", b"fin_year,pct_change_on_previous_year\n2013,2\n"),
            Err(DeflatorError::Bad { line: 2, .. })
        ));
        // Lines as an editor numbers them: the blank line counts.
        let e = Deflators::from_csv(
            "d.csv",
            b"fin_year,pct_change_on_previous_year\n2013/14,2\n\n2014/15,two\n",
        );
        assert!(
            matches!(e, Err(DeflatorError::Bad { line: 4, .. })),
            "{e:?}"
        );
    }
}
