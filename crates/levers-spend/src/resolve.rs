//! Linking the supplier named on a payment to a supplier record: by supplier ID, else by the exact
//! normalised name, else by a fuzzy match. Names are normalised token by token (LIMITED → LTD, & →
//! AND, punctuation and "THE" dropped …); fuzzy candidates come from blocking on the rarer tokens of
//! the name, and are scored by a blend of bigram overlap (Sørensen–Dice, indifferent to word order)
//! and Jaro–Winkler (sensitive to shared beginnings) on the names with legal suffixes removed.
//! Matches at or above `auto_accept` are linked; those between `review_floor` and `auto_accept` are
//! suggestions for an officer to accept, reject or replace; officers' decisions are remembered.

use std::collections::HashMap;

use crate::FastMap;

use serde::{Deserialize, Serialize};

/// Upper case; `&` and `+` become AND; apostrophes vanish (`ST BRANNOC'S` → `ST BRANNOCS`); every
/// other run of punctuation is one space; legal forms are written one way (LIMITED → LTD, PUBLIC
/// LIMITED COMPANY → PLC, COMPANY → CO, LIMITED LIABILITY PARTNERSHIP → LLP, COMMUNITY INTEREST
/// COMPANY → CIC, INCORPORATED → INC, CHARITABLE INCORPORATED ORGANISATION → CIO); "THE" is dropped.
pub fn normalise_name(name: &str) -> String {
    let mut spaced = String::with_capacity(name.len() + 8);
    for c in name.chars() {
        if c.is_ascii() {
            match c {
                '&' | '+' => spaced.push_str(" AND "),
                '\'' | '`' => {}
                c if c.is_ascii_alphanumeric() => spaced.push(c.to_ascii_uppercase()),
                _ => spaced.push(' '),
            }
        } else {
            match c {
                '’' => {}
                // Upper-casing can add combining marks (U+0390); keep only letters and digits so
                // normalising is idempotent.
                c if c.is_alphanumeric() => {
                    spaced.extend(c.to_uppercase().filter(|u| u.is_alphanumeric()))
                }
                _ => spaced.push(' '),
            }
        }
    }
    let toks: Vec<&str> = spaced.split_ascii_whitespace().collect();
    let mut out = String::with_capacity(spaced.len());
    let mut i = 0;
    let at = |i: usize, seq: &[&str; 3]| toks.len() >= i + 3 && toks[i..i + 3] == *seq;
    while i < toks.len() {
        let (rep, n): (&str, usize) = match toks[i] {
            // The legal forms written out in full or letter by letter.
            "PUBLIC" if at(i, &["PUBLIC", "LIMITED", "COMPANY"]) => ("PLC", 3),
            "LIMITED" if at(i, &["LIMITED", "LIABILITY", "PARTNERSHIP"]) => ("LLP", 3),
            "COMMUNITY" if at(i, &["COMMUNITY", "INTEREST", "COMPANY"]) => ("CIC", 3),
            "CHARITABLE" if at(i, &["CHARITABLE", "INCORPORATED", "ORGANISATION"]) => ("CIO", 3),
            "L" if at(i, &["L", "T", "D"]) => ("LTD", 3),
            "P" if at(i, &["P", "L", "C"]) => ("PLC", 3),
            "LIMITED" | "LTD" => ("LTD", 1),
            "CO" | "COMPANY" => ("CO", 1),
            "INCORPORATED" => ("INC", 1),
            "THE" => ("", 1),
            t => (t, 1),
        };
        if !rep.is_empty() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(rep);
        }
        i += n;
    }
    out
}

/// Tokens that say what legal form a name has, not who it is.
const LEGAL: &[&str] = &[
    "LTD", "PLC", "LLP", "CO", "INC", "CIC", "CIO", "LP", "UK", "GROUP", "AND",
];

/// The normalised name without legal-form tokens, for fuzzy comparison (`ACME CATERING LTD` →
/// `ACME CATERING`). Falls back to the whole name when nothing else is left.
pub fn core_name(normalised: &str) -> String {
    let core: Vec<&str> = normalised
        .split(' ')
        .filter(|t| !LEGAL.contains(t))
        .collect();
    if core.is_empty() {
        normalised.to_string()
    } else {
        core.join(" ")
    }
}

/// The similarity of two normalised names, 0 to 1.
pub fn similarity(a_norm: &str, b_norm: &str) -> f64 {
    let (a, b) = (core_name(a_norm), core_name(b_norm));
    if a == b {
        return 1.0;
    }
    0.6 * strsim::sorensen_dice(&a, &b) + 0.4 * strsim::jaro_winkler(&a, &b)
}

/// How a payment's supplier was linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchMethod {
    SupplierId,
    /// Company, charity or VAT number on the payment equals the supplier's.
    RegisteredNumber,
    ExactName,
    /// An officer's remembered decision.
    Decision,
    /// A fuzzy match at or above the auto-accept threshold.
    Fuzzy,
    /// A fuzzy suggestion waiting for review (not linked until accepted).
    Review,
    Unmatched,
    Redacted,
}

impl MatchMethod {
    pub const ALL: [MatchMethod; 8] = [
        MatchMethod::SupplierId,
        MatchMethod::RegisteredNumber,
        MatchMethod::ExactName,
        MatchMethod::Decision,
        MatchMethod::Fuzzy,
        MatchMethod::Review,
        MatchMethod::Unmatched,
        MatchMethod::Redacted,
    ];

    pub fn key(self) -> &'static str {
        match self {
            MatchMethod::SupplierId => "supplier_id",
            MatchMethod::RegisteredNumber => "registered_number",
            MatchMethod::ExactName => "exact_name",
            MatchMethod::Decision => "decision",
            MatchMethod::Fuzzy => "fuzzy",
            MatchMethod::Review => "review",
            MatchMethod::Unmatched => "unmatched",
            MatchMethod::Redacted => "redacted",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MatchMethod::SupplierId => "Supplier ID",
            MatchMethod::RegisteredNumber => "Company, charity or VAT number",
            MatchMethod::ExactName => "Exact name",
            MatchMethod::Decision => "Officer's decision",
            MatchMethod::Fuzzy => "Close name (automatic)",
            MatchMethod::Review => "Close name, waiting for review",
            MatchMethod::Unmatched => "Not matched",
            MatchMethod::Redacted => "Redacted",
        }
    }

    /// Whether the payment is linked to a supplier record.
    pub fn linked(self) -> bool {
        matches!(
            self,
            MatchMethod::SupplierId
                | MatchMethod::RegisteredNumber
                | MatchMethod::ExactName
                | MatchMethod::Decision
                | MatchMethod::Fuzzy
        )
    }
}

/// An officer's decision about one name as it appears on payments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "decision", content = "supplier", rename_all = "snake_case")]
pub enum Decision {
    /// This name is this supplier (accepting a suggestion or choosing another).
    Link(usize),
    /// This name is none of the suppliers on record.
    NoMatch,
}

/// Thresholds for fuzzy matching.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MatchConfig {
    pub auto_accept: f64,
    pub review_floor: f64,
}

impl Default for MatchConfig {
    fn default() -> Self {
        MatchConfig {
            auto_accept: 0.93,
            review_floor: 0.72,
        }
    }
}

/// The identifying parts of a supplier record the matcher needs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Candidate<'a> {
    pub supplier_id: Option<&'a str>,
    pub name: &'a str,
    pub company_number: Option<&'a str>,
    pub charity_number: Option<&'a str>,
    pub vat_number: Option<&'a str>,
}

/// What a payment's supplier resolved to.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Resolution {
    pub method: MatchMethod,
    /// Index of the supplier in the matcher's list, when linked (or suggested, for `Review`).
    pub supplier: Option<usize>,
    pub score: Option<f64>,
}

/// Resolves payments' suppliers against one body's supplier records.
pub struct Matcher<'a> {
    by_id: FastMap<String, usize>,
    by_number: FastMap<String, usize>,
    by_name: FastMap<String, usize>,
    names: Vec<String>,
    /// Token → suppliers whose normalised core name has it; built on the first fuzzy search, since
    /// most payments resolve by ID or exact name and never need it.
    blocks: std::sync::OnceLock<HashMap<String, Vec<u32>>>,
    decisions: &'a HashMap<String, Decision>,
    config: MatchConfig,
}

/// A token shared by more than this share of suppliers does not block (LTD, SERVICES …).
const COMMON_TOKEN_SHARE: f64 = 0.05;
/// Most candidates scored per name.
const MAX_CANDIDATES: usize = 400;

impl<'a> Matcher<'a> {
    /// `decisions` are keyed by normalised payment name. Names are normalised in parallel.
    pub fn new(
        candidates: &[Candidate<'_>],
        decisions: &'a HashMap<String, Decision>,
        config: MatchConfig,
    ) -> Matcher<'a> {
        let names = crate::par::map(candidates, |c| normalise_name(c.name));
        // The ID and number maps and the name map are independent: build them side by side.
        let ((by_id, by_number), by_name) = crate::par::join(
            || {
                let mut by_id: FastMap<String, usize> =
                    FastMap::with_capacity_and_hasher(candidates.len(), Default::default());
                let mut by_number: FastMap<String, usize> = FastMap::default();
                for (i, c) in candidates.iter().enumerate() {
                    if let Some(id) = c.supplier_id {
                        by_id.entry(id.trim().to_ascii_uppercase()).or_insert(i);
                    }
                    for (prefix, n) in [
                        ("C", c.company_number),
                        ("R", c.charity_number),
                        ("V", c.vat_number),
                    ] {
                        if let Some(n) = n {
                            by_number.entry(format!("{prefix}{n}")).or_insert(i);
                        }
                    }
                }
                (by_id, by_number)
            },
            || {
                let mut by_name: FastMap<String, usize> =
                    FastMap::with_capacity_and_hasher(names.len(), Default::default());
                for (i, norm) in names.iter().enumerate() {
                    if !by_name.contains_key(norm) {
                        by_name.insert(norm.clone(), i);
                    }
                }
                by_name
            },
        );
        Matcher {
            by_id,
            by_number,
            by_name,
            names,
            blocks: std::sync::OnceLock::new(),
            decisions,
            config,
        }
    }

    /// The blocking index: token → suppliers whose normalised core name has it, leaving out tokens
    /// too common to block on.
    fn blocks(&self) -> &HashMap<String, Vec<u32>> {
        self.blocks.get_or_init(|| {
            let mut blocks: HashMap<String, Vec<u32>> = HashMap::new();
            for (i, norm) in self.names.iter().enumerate() {
                for t in core_name(norm).split(' ').filter(|t| !t.is_empty()) {
                    let v = blocks.entry(t.to_string()).or_default();
                    if v.last() != Some(&(i as u32)) {
                        v.push(i as u32);
                    }
                }
            }
            let limit = ((self.names.len() as f64 * COMMON_TOKEN_SHARE) as usize).max(50);
            blocks.retain(|_, v| v.len() <= limit);
            blocks
        })
    }

    pub fn config(&self) -> MatchConfig {
        self.config
    }

    /// The best fuzzy candidates for a normalised name, best first, with scores ≥ `floor`.
    pub fn suggestions(&self, normalised: &str, floor: f64, n: usize) -> Vec<(usize, f64)> {
        let core = core_name(normalised);
        let mut cands: Vec<u32> = Vec::new();
        for t in core.split(' ') {
            if let Some(v) = self.blocks().get(t) {
                cands.extend(v.iter().take(MAX_CANDIDATES));
            }
        }
        cands.sort_unstable();
        cands.dedup();
        let mut scored: Vec<(usize, f64)> = cands
            .into_iter()
            .map(|i| (i as usize, similarity(normalised, &self.names[i as usize])))
            .filter(|(_, s)| *s >= floor)
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(n);
        scored
    }

    /// Resolves one supplier as a payment names it.
    pub fn resolve(
        &self,
        supplier_id: Option<&str>,
        numbers: [Option<&str>; 3],
        name: &str,
        redacted: bool,
    ) -> Resolution {
        if redacted {
            return Resolution {
                method: MatchMethod::Redacted,
                supplier: None,
                score: None,
            };
        }
        if let Some(id) = supplier_id.map(str::trim).filter(|s| !s.is_empty())
            && let Some(&i) = if id.bytes().any(|b| b.is_ascii_lowercase()) {
                self.by_id.get(&id.to_ascii_uppercase())
            } else {
                self.by_id.get(id)
            }
        {
            return Resolution {
                method: MatchMethod::SupplierId,
                supplier: Some(i),
                score: None,
            };
        }
        for (prefix, n) in ["C", "R", "V"].into_iter().zip(numbers) {
            if let Some(n) = n
                && let Some(&i) = self.by_number.get(&format!("{prefix}{n}"))
            {
                return Resolution {
                    method: MatchMethod::RegisteredNumber,
                    supplier: Some(i),
                    score: None,
                };
            }
        }
        let norm = normalise_name(name);
        if norm.is_empty() {
            return Resolution {
                method: MatchMethod::Unmatched,
                supplier: None,
                score: None,
            };
        }
        match self.decisions.get(&norm) {
            Some(Decision::Link(i)) if *i < self.names.len() => {
                return Resolution {
                    method: MatchMethod::Decision,
                    supplier: Some(*i),
                    score: None,
                };
            }
            Some(Decision::NoMatch) => {
                return Resolution {
                    method: MatchMethod::Decision,
                    supplier: None,
                    score: None,
                };
            }
            _ => {}
        }
        if let Some(&i) = self.by_name.get(&norm) {
            return Resolution {
                method: MatchMethod::ExactName,
                supplier: Some(i),
                score: None,
            };
        }
        match self.suggestions(&norm, self.config.review_floor, 1).first() {
            Some(&(i, s)) if s >= self.config.auto_accept => Resolution {
                method: MatchMethod::Fuzzy,
                supplier: Some(i),
                score: Some(s),
            },
            Some(&(i, s)) => Resolution {
                method: MatchMethod::Review,
                supplier: Some(i),
                score: Some(s),
            },
            None => Resolution {
                method: MatchMethod::Unmatched,
                supplier: None,
                score: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The straightforward form of [`normalise_name`], which the fast one must equal.
    fn reference(name: &str) -> String {
        let mut spaced = String::with_capacity(name.len() + 8);
        for c in name.chars() {
            match c {
                '&' | '+' => spaced.push_str(" AND "),
                '\'' | '’' | '`' => {}
                // Upper-casing can add combining marks (ΐ → Ϊ́), which are not alphanumeric: keep
                // only letters and digits, so normalising a normalised name changes nothing.
                c if c.is_alphanumeric() => {
                    spaced.extend(c.to_uppercase().filter(|u| u.is_alphanumeric()))
                }
                _ => spaced.push(' '),
            }
        }
        let toks: Vec<&str> = spaced.split_whitespace().collect();
        let mut out: Vec<&str> = Vec::with_capacity(toks.len());
        let mut i = 0;
        let at =
            |i: usize, seq: &[&str]| toks.len() >= i + seq.len() && toks[i..i + seq.len()] == *seq;
        while i < toks.len() {
            let (rep, n): (&str, usize) = if at(i, &["PUBLIC", "LIMITED", "COMPANY"]) {
                ("PLC", 3)
            } else if at(i, &["LIMITED", "LIABILITY", "PARTNERSHIP"]) {
                ("LLP", 3)
            } else if at(i, &["COMMUNITY", "INTEREST", "COMPANY"]) {
                ("CIC", 3)
            } else if at(i, &["CHARITABLE", "INCORPORATED", "ORGANISATION"]) {
                ("CIO", 3)
            } else if at(i, &["L", "T", "D"]) {
                ("LTD", 3)
            } else if at(i, &["P", "L", "C"]) {
                ("PLC", 3)
            } else {
                match toks[i] {
                    "LIMITED" | "LTD" => ("LTD", 1),
                    "CO" | "COMPANY" => ("CO", 1),
                    "INCORPORATED" => ("INC", 1),
                    "THE" => ("", 1),
                    t => (t, 1),
                }
            };
            if !rep.is_empty() {
                out.push(rep);
            }
            i += n;
        }
        out.join(" ")
    }

    proptest::proptest! {
        #[test]
        fn fast_normalisation_equals_the_reference(name in "(?s)[A-Za-z0-9 &+'`’.,()\\-]{0,40}|.{0,20}|(THE |P L C|L\\.T\\.D|LIMITED |COMPANY |PUBLIC |COMMUNITY |INTEREST |CHARITABLE |ß|Ǆ|\u{390}|\t){0,8}") {
            proptest::prop_assert_eq!(normalise_name(&name), reference(&name));
        }
    }

    #[test]
    fn names_normalise_token_by_token() {
        assert_eq!(
            normalise_name("The Acme & Sons Limited"),
            "ACME AND SONS LTD"
        );
        assert_eq!(normalise_name("ACME AND SONS LTD."), "ACME AND SONS LTD");
        assert_eq!(
            normalise_name("St Brannoc's Food-Bank"),
            "ST BRANNOCS FOOD BANK"
        );
        assert_eq!(
            normalise_name("Big Co Public Limited Company"),
            "BIG CO PLC"
        );
        assert_eq!(
            normalise_name("Northgate Youth Community Interest Company"),
            "NORTHGATE YOUTH CIC"
        );
        assert_eq!(normalise_name("Smith L.T.D"), "SMITH LTD");
        assert_eq!(core_name("ACME AND SONS LTD"), "ACME SONS");
        assert_eq!(core_name("LTD"), "LTD");
        // Found by the fuzzer: upper-casing U+0390 adds combining marks.
        let once = normalise_name("\u{390}");
        assert_eq!(normalise_name(&once), once);
        assert_eq!(once, "\u{399}");
    }

    fn cand<'a>(id: &'a str, name: &'a str) -> Candidate<'a> {
        Candidate {
            supplier_id: Some(id),
            name,
            ..Candidate::default()
        }
    }

    #[test]
    fn resolution_goes_id_then_name_then_fuzzy() {
        let cands = vec![
            cand("S1", "Levermouth Harbour Catering Ltd"),
            cand("S2", "Old Town Joinery Limited"),
            Candidate {
                company_number: Some("01234567"),
                ..cand("S3", "Fennick Landscapes Ltd")
            },
        ];
        let none = HashMap::new();
        let m = Matcher::new(&cands, &none, MatchConfig::default());
        assert_eq!(
            m.resolve(Some("s1"), [None; 3], "anything", false).method,
            MatchMethod::SupplierId
        );
        assert_eq!(
            m.resolve(None, [Some("01234567"), None, None], "x", false)
                .supplier,
            Some(2)
        );
        let r = m.resolve(None, [None; 3], "OLD TOWN JOINERY LTD", false);
        assert_eq!((r.method, r.supplier), (MatchMethod::ExactName, Some(1)));
        // A typo scores high enough to link.
        let r = m.resolve(None, [None; 3], "Levermouth Harbor Catering", false);
        assert_eq!(
            (r.method, r.supplier),
            (MatchMethod::Fuzzy, Some(0)),
            "{r:?}"
        );
        // A looser variant is only suggested.
        let r = m.resolve(None, [None; 3], "Old Town Joinery & Building", false);
        assert_eq!(
            (r.method, r.supplier),
            (MatchMethod::Review, Some(1)),
            "{r:?}"
        );
        assert_eq!(
            m.resolve(None, [None; 3], "Completely Different plc", false)
                .method,
            MatchMethod::Unmatched
        );
        assert_eq!(
            m.resolve(None, [None; 3], "REDACTED", true).method,
            MatchMethod::Redacted
        );
        // A remembered decision wins over the fuzzy match.
        let d = HashMap::from([(
            normalise_name("Old Town Joinery & Building"),
            Decision::NoMatch,
        )]);
        let m = Matcher::new(&cands, &d, MatchConfig::default());
        let r = m.resolve(None, [None; 3], "Old Town Joinery & Building", false);
        assert_eq!((r.method, r.supplier), (MatchMethod::Decision, None));
    }

    #[test]
    fn similarity_is_symmetric_and_bounded() {
        for (a, b) in [
            ("ACME LTD", "ACME CATERING LTD"),
            ("X", "Y"),
            ("HARBOUR TRUST", "TRUST HARBOUR"),
        ] {
            let (s, t) = (similarity(a, b), similarity(b, a));
            assert!(
                (s - t).abs() < 1e-12 && (0.0..=1.0).contains(&s),
                "{a} {b} {s} {t}"
            );
        }
        assert_eq!(
            similarity(&normalise_name("Acme Ltd"), &normalise_name("ACME LIMITED")),
            1.0
        );
    }
}
