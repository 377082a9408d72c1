//! The CPV → NACE Rev. 2 division mapping (`data/cpv_nace.csv`): no official concordance exists
//! between CPV 2008 and NACE Rev. 2 / UK SIC 2007, so levers keeps a documented, editable table at
//! division level. The longest matching CPV prefix wins. Each row also carries keywords, which tie a
//! CPV code to the words of spend categories (ProClass labels, expense types) and charity objects.

use serde::Serialize;

/// The table shipped with levers.
pub const DEFAULT_TABLE: &str = include_str!("../data/cpv_nace.csv");

/// What every page showing a match says about the mapping.
pub const CAVEAT: &str = "No official concordance exists between CPV 2008 codes and UK SIC 2007 (NACE Rev. 2) codes. levers uses its own editable table at NACE division level, so treat a match as a lead to check, not a finding.";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub prefix: String,
    pub label: String,
    pub divisions: Vec<u8>,
    pub keywords: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mapping {
    pub rows: Vec<Row>,
}

impl Default for Mapping {
    fn default() -> Self {
        Mapping::parse(DEFAULT_TABLE).expect("the shipped CPV table reads")
    }
}

/// Splits a CSV line with double quotes (the table's only quoting).
fn fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut q = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, q) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => q = !q,
            (',', false) => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Lower case words, every run of other characters one space, padded with spaces for whole-word search.
pub fn words(s: &str) -> String {
    let mut out = String::from(" ");
    out.push_str(&levers_spend::header::normalise_header(s));
    out.push(' ');
    out
}

impl Mapping {
    /// Reads an edited table. Errors name the line and what to do.
    pub fn parse(text: &str) -> Result<Mapping, String> {
        let mut rows = Vec::new();
        let mut header_seen = false;
        for (i, line) in text.lines().enumerate() {
            let n = i + 1;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if !header_seen {
                header_seen = true;
                if line.starts_with("cpv_prefix") {
                    continue;
                }
            }
            let f = fields(line);
            if f.len() != 4 {
                return Err(format!(
                    "line {n}: expected 4 columns (cpv_prefix, label, nace_divisions, keywords), found {}",
                    f.len()
                ));
            }
            let prefix = f[0].trim().to_string();
            if prefix.is_empty() || prefix.len() > 8 || !prefix.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(format!(
                    "line {n}: cpv_prefix \"{prefix}\" must be 1 to 8 digits"
                ));
            }
            let mut divisions = Vec::new();
            for d in f[2].split_whitespace() {
                match d.parse::<u8>() {
                    Ok(v) if (1..=99).contains(&v) => divisions.push(v),
                    _ => {
                        return Err(format!(
                            "line {n}: NACE division \"{d}\" must be a two-digit number from 01 to 99"
                        ));
                    }
                }
            }
            let keywords = f[3]
                .split(';')
                .map(levers_spend::header::normalise_header)
                .filter(|k| !k.is_empty())
                .collect();
            rows.push(Row {
                prefix,
                label: f[1].trim().to_string(),
                divisions,
                keywords,
            });
        }
        if rows.is_empty() {
            return Err("the table has no rows".into());
        }
        Ok(Mapping { rows })
    }

    /// The row for a CPV code: the longest prefix that matches.
    pub fn row(&self, cpv: &str) -> Option<&Row> {
        self.rows
            .iter()
            .filter(|r| cpv.starts_with(&r.prefix))
            .max_by_key(|r| r.prefix.len())
    }

    /// NACE divisions of a set of CPV codes, first seen first.
    pub fn divisions(&self, cpv: &[String]) -> Vec<u8> {
        let mut out = Vec::new();
        for c in cpv {
            if let Some(r) = self.row(c) {
                for d in &r.divisions {
                    if !out.contains(d) {
                        out.push(*d);
                    }
                }
            }
        }
        out
    }

    /// Keywords of a set of CPV codes.
    pub fn keywords(&self, cpv: &[String]) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for c in cpv {
            if let Some(r) = self.row(c) {
                for k in &r.keywords {
                    if !out.contains(&k.as_str()) {
                        out.push(k);
                    }
                }
            }
        }
        out
    }

    /// The first keyword of these CPV codes found as whole words in `text`, if any.
    pub fn keyword_in<'a>(&'a self, cpv: &[String], text: &str) -> Option<&'a str> {
        let t = words(text);
        self.keywords(cpv)
            .into_iter()
            .find(|k| t.contains(&format!(" {k} ")))
    }

    /// A plain label for the codes (the first code's row).
    pub fn label(&self, cpv: &[String]) -> Option<&str> {
        cpv.iter()
            .find_map(|c| self.row(c))
            .map(|r| r.label.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_prefix_wins() {
        let m = Mapping::default();
        assert_eq!(m.row("85311000").unwrap().divisions, vec![87]);
        assert_eq!(m.row("85100000").unwrap().divisions, vec![86]);
        assert_eq!(m.row("45000000").unwrap().divisions, vec![41, 42, 43]);
        assert!(m.row("99999999").is_none());
        assert_eq!(
            m.keyword_in(&["85312000".into()], "Adult Social Care: Home Care"),
            Some("home care")
        );
        assert_eq!(m.keyword_in(&["45000000".into()], "Legal fees"), None);
    }

    #[test]
    fn an_edited_table_is_checked_line_by_line() {
        assert!(
            Mapping::parse("cpv_prefix,label,nace_divisions,keywords\n45,x,41 200,a\n")
                .unwrap_err()
                .contains("line 2")
        );
        assert!(
            Mapping::parse("45,x,41\n")
                .unwrap_err()
                .contains("4 columns")
        );
    }
}
