//! Who locally could bid: the local and wider-area suppliers, SMEs and VCSEs whose evidence ties
//! them to an opportunity's CPV codes (through the CPV → NACE mapping and its keywords), ranked with
//! that evidence: what the council already buys from them and in which categories, their Companies
//! House SIC codes, their charity objects, their size. Officers' corrections add or remove a match.

use levers_core::Money;
use serde::{Deserialize, Serialize};

use crate::mapping::Mapping;

/// A supplier or charity that might bid, as the procurement analysis and registers know it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// Stable key (the store's supplier key, or a normalised name).
    pub key: String,
    pub name: String,
    pub local: bool,
    pub wider: bool,
    pub postcode: Option<String>,
    /// `sme`, `large`, or none when unknown.
    pub size: Option<String>,
    pub vcse: bool,
    /// Net spend with the council in the analysed year, in pence.
    pub spend_pence: i64,
    /// (category, pence): ProClass labels or expense types of that spend.
    pub categories: Vec<(String, i64)>,
    /// Companies House SIC 2007 codes (5 digits).
    pub sic_codes: Vec<String>,
    pub charity_objects: Option<String>,
}

/// One piece of evidence for a match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// `sic`, `spend`, `charity`, `size`, `officer`.
    pub kind: String,
    pub text: String,
}

/// An officer's correction for one opportunity and candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    pub opportunity: String,
    pub candidate: String,
    /// `true` adds (or keeps) the candidate; `false` removes it.
    pub include: bool,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    pub key: String,
    pub name: String,
    pub local: bool,
    pub wider: bool,
    pub size: Option<String>,
    pub vcse: bool,
    pub spend_pence: i64,
    pub score: u32,
    pub evidence: Vec<Evidence>,
    pub postcode: Option<String>,
}

fn ev(kind: &str, text: String) -> Evidence {
    Evidence {
        kind: kind.into(),
        text,
    }
}

/// How a candidate ties to the codes, and how strongly (0 = not at all).
pub fn evidence(cpv: &[String], mapping: &Mapping, c: &Candidate) -> (u32, Vec<Evidence>) {
    let divisions = mapping.divisions(cpv);
    let mut score = 0;
    let mut out = Vec::new();
    for sic in &c.sic_codes {
        let Some(d) = sic.get(..2).and_then(|d| d.parse::<u8>().ok()) else {
            continue;
        };
        if divisions.contains(&d) {
            score += 3;
            out.push(ev(
                "sic",
                format!("Companies House SIC {sic}: NACE division {d:02}, which the CPV mapping gives for this contract"),
            ));
            break;
        }
    }
    for (cat, pence) in &c.categories {
        if let Some(k) = mapping.keyword_in(cpv, cat) {
            score += 2;
            out.push(ev(
                "spend",
                format!(
                    "The council paid them {} for \"{cat}\" (matched by \"{k}\")",
                    Money::from_pence(*pence)
                ),
            ));
            break;
        }
    }
    if let Some(obj) = &c.charity_objects
        && let Some(k) = mapping.keyword_in(cpv, obj)
    {
        score += 2;
        let short: String = obj.chars().take(160).collect();
        out.push(ev(
            "charity",
            format!("Charity objects mention \"{k}\": {short}"),
        ));
    }
    if score > 0 {
        if c.vcse {
            score += 1;
            out.push(ev(
                "size",
                "A voluntary, community or social enterprise".into(),
            ));
        } else if c.size.as_deref() == Some("sme") {
            score += 1;
            out.push(ev("size", "A small or medium-sized enterprise".into()));
        } else if let Some(s) = &c.size {
            out.push(ev("size", format!("Size: {s}")));
        }
    }
    (score, out)
}

/// The candidates who could bid for an opportunity (`key`, `cpv`), local first, then the wider area,
/// each by strength of evidence and then spend. Only local and wider-area candidates are listed,
/// unless an officer added one; an officer's removal takes one out.
pub fn matches(
    opportunity: &str,
    cpv: &[String],
    mapping: &Mapping,
    candidates: &[Candidate],
    corrections: &[Correction],
) -> Vec<Match> {
    let mut out = Vec::new();
    for c in candidates {
        let correction = corrections
            .iter()
            .rev()
            .find(|k| k.opportunity == opportunity && k.candidate == c.key);
        if correction.is_some_and(|k| !k.include) {
            continue;
        }
        let (mut score, mut evidence) = evidence(cpv, mapping, c);
        if let Some(k) = correction {
            score += 10;
            evidence.insert(
                0,
                ev(
                    "officer",
                    if k.note.is_empty() {
                        "Added by an officer".into()
                    } else {
                        format!("Added by an officer: {}", k.note)
                    },
                ),
            );
        } else if score == 0 || !(c.local || c.wider) {
            continue;
        }
        out.push(Match {
            key: c.key.clone(),
            name: c.name.clone(),
            local: c.local,
            wider: c.wider,
            size: c.size.clone(),
            vcse: c.vcse,
            spend_pence: c.spend_pence,
            score,
            evidence,
            postcode: c.postcode.clone(),
        });
    }
    let tier = |m: &Match| {
        if m.local {
            0
        } else if m.wider {
            1
        } else {
            2
        }
    };
    out.sort_by(|a, b| {
        tier(a)
            .cmp(&tier(b))
            .then(b.score.cmp(&a.score))
            .then(b.spend_pence.cmp(&a.spend_pence))
            .then(a.name.cmp(&b.name))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn borough() -> Vec<Candidate> {
        vec![
            Candidate {
                key: "greenbin".into(),
                name: "Greenbin Recycling Ltd".into(),
                local: true,
                wider: true,
                size: Some("sme".into()),
                spend_pence: 42_000_00,
                categories: vec![("Waste Management".into(), 42_000_00)],
                sic_codes: vec!["38110".into()],
                ..Candidate::default()
            },
            Candidate {
                key: "tidy".into(),
                name: "Tidy Streets CIC".into(),
                local: false,
                wider: true,
                vcse: true,
                spend_pence: 9_000_00,
                categories: vec![("Recycling collections".into(), 9_000_00)],
                ..Candidate::default()
            },
            Candidate {
                key: "bigco".into(),
                name: "National Waste plc".into(),
                local: false,
                wider: false,
                size: Some("large".into()),
                spend_pence: 900_000_00,
                categories: vec![("Waste Management".into(), 900_000_00)],
                sic_codes: vec!["38110".into()],
                ..Candidate::default()
            },
            Candidate {
                key: "lawyers".into(),
                name: "Local Legal LLP".into(),
                local: true,
                wider: true,
                categories: vec![("Legal fees".into(), 5_000_00)],
                ..Candidate::default()
            },
        ]
    }

    #[test]
    fn local_first_with_evidence_and_outsiders_left_out() {
        let m = matches(
            "o",
            &["90500000".into()],
            &Mapping::default(),
            &borough(),
            &[],
        );
        let names: Vec<&str> = m.iter().map(|x| x.key.as_str()).collect();
        assert_eq!(names, vec!["greenbin", "tidy"]);
        assert_eq!(m[0].score, 3 + 2 + 1);
        assert!(m[0].evidence[0].text.contains("SIC 38110"));
        assert!(m[0].evidence[1].text.contains("£42,000.00"));
        assert_eq!(m[1].score, 2 + 1);
    }

    #[test]
    fn officers_corrections_add_and_remove() {
        let cs = vec![
            Correction {
                opportunity: "o".into(),
                candidate: "greenbin".into(),
                include: false,
                note: String::new(),
            },
            Correction {
                opportunity: "o".into(),
                candidate: "lawyers".into(),
                include: true,
                note: "they run a waste contracts practice".into(),
            },
        ];
        let m = matches(
            "o",
            &["90500000".into()],
            &Mapping::default(),
            &borough(),
            &cs,
        );
        let names: Vec<&str> = m.iter().map(|x| x.key.as_str()).collect();
        assert_eq!(names, vec!["lawyers", "tidy"]);
        assert_eq!(m[0].evidence[0].kind, "officer");
    }
}
