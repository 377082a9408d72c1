//! The principles self-assessment: a periodic, scored checklist per directorate, with its history.
//!
//! Framework: the six features of co-production in David Boyle and Michael Harris, *The Challenge of
//! Co-production: How equal partnerships between professionals and the public are crucial to improving
//! public services* (London: nef (the new economics foundation) and NESTA, December 2009), which SCIE's
//! Guide 51, *Co-production in social care: what it is and how to do it*, also adopts: (1) recognising
//! people as assets; (2) building on people's existing capabilities; (3) mutuality and reciprocity;
//! (4) peer support networks; (5) blurring distinctions (between professionals and recipients,
//! producers and consumers); (6) facilitating rather than delivering.
//!
//! The principles and their order are Boyle and Harris's. The statements scored under each are
//! levers' own wording, written so a commissioning team can give evidence for them; a council can
//! argue with the statements without arguing with the framework.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::register::FieldProblem;

/// One statement to score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Statement {
    /// Stable key, stored with each score (`assets.1`).
    pub key: &'static str,
    pub text: &'static str,
}

/// One of the six features, with its statements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Principle {
    pub key: &'static str,
    pub title: &'static str,
    /// Boyle and Harris's meaning, in brief.
    pub meaning: &'static str,
    pub statements: &'static [Statement],
}

/// The framework's name and citation, shown wherever scores are.
pub const FRAMEWORK_NAME: &str = "The six features of co-production (Boyle and Harris, 2009)";
pub const FRAMEWORK_CITATION: &str = "David Boyle and Michael Harris, The Challenge of Co-production: How equal partnerships between professionals and the public are crucial to improving public services. London: nef (the new economics foundation) and NESTA, December 2009. Also set out in SCIE Guide 51, Co-production in social care: what it is and how to do it.";
/// Stored with each assessment, so a later change of framework never mixes scores.
pub const FRAMEWORK_KEY: &str = "boyle-harris-2009";

pub const PRINCIPLES: &[Principle] = &[
    Principle {
        key: "assets",
        title: "Recognising people as assets",
        meaning: "People are equal partners in designing and delivering services, not passive recipients or burdens on the system.",
        statements: &[
            Statement {
                key: "assets.1",
                text: "People who use or may use our services are treated as partners whose knowledge shapes decisions, not only as sources of feedback.",
            },
            Statement {
                key: "assets.2",
                text: "People with lived experience of poverty are involved from the Analyse stage, not invited in once options are fixed.",
            },
        ],
    },
    Principle {
        key: "capabilities",
        title: "Building on people's existing capabilities",
        meaning: "Services start from what people can do and actively support them to use and grow it, rather than from deficits.",
        statements: &[
            Statement {
                key: "capabilities.1",
                text: "Needs analyses record what people and communities already do and can offer, not only what they lack.",
            },
            Statement {
                key: "capabilities.2",
                text: "Participants are offered training, support and roles that use and grow their skills.",
            },
        ],
    },
    Principle {
        key: "reciprocity",
        title: "Mutuality and reciprocity",
        meaning: "People are offered a range of incentives and ways to work in reciprocal relationships with professionals and each other.",
        statements: &[
            Statement {
                key: "reciprocity.1",
                text: "Everyone who gives their time is offered a reward of their choosing (expenses, payment, vouchers or time credits), with benefits advice for paid rewards.",
            },
            Statement {
                key: "reciprocity.2",
                text: "We tell people what changed because of what they said (\"you said, we did\") for every involvement.",
            },
        ],
    },
    Principle {
        key: "peer_support",
        title: "Peer support networks",
        meaning: "Peer and personal networks are engaged alongside professionals as the best way of transferring knowledge.",
        statements: &[
            Statement {
                key: "peer_support.1",
                text: "We work through community groups, peer networks and the voluntary sector, and fund them to take part.",
            },
            Statement {
                key: "peer_support.2",
                text: "Participants can meet and support each other, not only the council.",
            },
        ],
    },
    Principle {
        key: "blurring",
        title: "Blurring distinctions",
        meaning: "The distinction between professionals and recipients, and between producers and consumers of services, is removed.",
        statements: &[
            Statement {
                key: "blurring.1",
                text: "People with lived experience sit on the panels that set specifications and evaluate tenders.",
            },
            Statement {
                key: "blurring.2",
                text: "Power over budgets or decisions is shared, and who holds it is written down.",
            },
        ],
    },
    Principle {
        key: "facilitating",
        title: "Facilitating rather than delivering",
        meaning: "Public service agencies become catalysts and facilitators of change rather than the main providers themselves.",
        statements: &[
            Statement {
                key: "facilitating.1",
                text: "Commissioning supports community-led solutions, not only services delivered to people.",
            },
            Statement {
                key: "facilitating.2",
                text: "Co-production continues through the Review stage and shapes recommissioning.",
            },
        ],
    },
];

/// The scale every statement is scored on.
pub const SCORES: [(u8, &str); 4] = [
    (0, "Not yet"),
    (1, "Starting"),
    (2, "Developing"),
    (3, "Embedded"),
];
pub const MAX_SCORE: u8 = 3;

pub fn score_label(s: u8) -> &'static str {
    SCORES.iter().find(|(v, _)| *v == s).map_or("?", |(_, l)| l)
}

/// Every statement, in order.
pub fn statements() -> impl Iterator<Item = &'static Statement> {
    PRINCIPLES.iter().flat_map(|p| p.statements.iter())
}

/// One completed self-assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub directorate: String,
    #[serde(with = "crate::register::iso_date")]
    pub assessed_on: Date,
    /// Statement key → score (0 to 3).
    pub scores: BTreeMap<String, u8>,
    /// What the scores rest on, and what the directorate will do next.
    pub notes: String,
}

impl Assessment {
    /// Every problem, naming the field (`score_<key>` for a statement).
    pub fn problems(&self) -> Vec<FieldProblem> {
        let mut p = Vec::new();
        if self.directorate.trim().is_empty() {
            p.push(FieldProblem::new(
                "directorate",
                "Enter the directorate assessed",
            ));
        } else if self.directorate.chars().count() > 100 {
            p.push(FieldProblem::new(
                "directorate",
                "The directorate must be 100 characters or fewer",
            ));
        }
        for s in statements() {
            match self.scores.get(s.key) {
                None => p.push(FieldProblem::new(
                    field_for(s.key),
                    format!("Choose a score for \"{}\"", s.text),
                )),
                Some(v) if *v > MAX_SCORE => p.push(FieldProblem::new(
                    field_for(s.key),
                    "Scores run from 0 (not yet) to 3 (embedded)",
                )),
                _ => {}
            }
        }
        if let Some(k) = self
            .scores
            .keys()
            .find(|k| !statements().any(|s| s.key == k.as_str()))
        {
            p.push(FieldProblem::new(
                "scores",
                format!("\"{k}\" is not a statement of this framework"),
            ));
        }
        if self.notes.chars().count() > 8000 {
            p.push(FieldProblem::new(
                "notes",
                "The notes must be 8,000 characters or fewer",
            ));
        }
        p
    }

    pub fn summary(&self) -> Summary {
        let by_principle: Vec<(&'static str, u32, u32)> = PRINCIPLES
            .iter()
            .map(|p| {
                let got = p
                    .statements
                    .iter()
                    .map(|s| u32::from(*self.scores.get(s.key).unwrap_or(&0)))
                    .sum();
                (
                    p.title,
                    got,
                    p.statements.len() as u32 * u32::from(MAX_SCORE),
                )
            })
            .collect();
        let total = by_principle.iter().map(|(_, g, _)| g).sum();
        let max = by_principle.iter().map(|(_, _, m)| m).sum();
        Summary {
            by_principle,
            total,
            max,
        }
    }
}

/// The form field for a statement key (`score_assets_1`).
pub fn field_for(key: &str) -> &'static str {
    // Field names must be 'static for FieldProblem; they are few and fixed, so find the one that matches.
    const FIELDS: &[(&str, &str)] = &[
        ("assets.1", "score_assets_1"),
        ("assets.2", "score_assets_2"),
        ("capabilities.1", "score_capabilities_1"),
        ("capabilities.2", "score_capabilities_2"),
        ("reciprocity.1", "score_reciprocity_1"),
        ("reciprocity.2", "score_reciprocity_2"),
        ("peer_support.1", "score_peer_support_1"),
        ("peer_support.2", "score_peer_support_2"),
        ("blurring.1", "score_blurring_1"),
        ("blurring.2", "score_blurring_2"),
        ("facilitating.1", "score_facilitating_1"),
        ("facilitating.2", "score_facilitating_2"),
    ];
    FIELDS
        .iter()
        .find(|(k, _)| *k == key)
        .map_or("scores", |(_, f)| f)
}

/// Scores added up per principle and overall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// (principle title, points, maximum points).
    pub by_principle: Vec<(&'static str, u32, u32)>,
    pub total: u32,
    pub max: u32,
}

impl Summary {
    /// Whole per cent of the maximum.
    pub fn percent(&self) -> u32 {
        (self.total * 100 + self.max / 2)
            .checked_div(self.max)
            .unwrap_or(0)
    }
}

/// One directorate's assessments, oldest first, each with the change in total since the one before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct History {
    pub directorate: String,
    pub entries: Vec<(Date, Summary, Option<i64>)>,
}

/// Assessments grouped by directorate (alphabetical), each in date order.
pub fn history(assessments: &[Assessment]) -> Vec<History> {
    let mut by: BTreeMap<String, Vec<&Assessment>> = BTreeMap::new();
    for a in assessments {
        by.entry(a.directorate.trim().to_string())
            .or_default()
            .push(a);
    }
    by.into_iter()
        .map(|(directorate, mut list)| {
            list.sort_by_key(|a| a.assessed_on);
            let mut prev: Option<u32> = None;
            let entries = list
                .into_iter()
                .map(|a| {
                    let s = a.summary();
                    let change = prev.map(|p| i64::from(s.total) - i64::from(p));
                    prev = Some(s.total);
                    (a.assessed_on, s, change)
                })
                .collect();
            History {
                directorate,
                entries,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn all(score: u8) -> BTreeMap<String, u8> {
        statements().map(|s| (s.key.to_string(), score)).collect()
    }

    #[test]
    fn the_framework_has_six_principles_and_every_statement_a_field() {
        assert_eq!(PRINCIPLES.len(), 6);
        assert_eq!(statements().count(), 12);
        for s in statements() {
            assert_ne!(field_for(s.key), "scores", "{}", s.key);
            assert!(
                s.key.starts_with(
                    PRINCIPLES
                        .iter()
                        .find(|p| p.statements.contains(s))
                        .unwrap()
                        .key
                )
            );
        }
    }

    #[test]
    fn scores_add_up_and_history_shows_change() {
        let mut scores = all(1);
        scores.insert("assets.1".into(), 3);
        let a = Assessment {
            directorate: "Adults".into(),
            assessed_on: date!(2024 - 06 - 01),
            scores,
            notes: String::new(),
        };
        assert!(a.problems().is_empty());
        let s = a.summary();
        // 11 statements at 1 and one at 3 = 14 of 36 = 38.9% → 39.
        assert_eq!((s.total, s.max, s.percent()), (14, 36, 39));
        assert_eq!(s.by_principle[0], ("Recognising people as assets", 4, 6));
        let b = Assessment {
            assessed_on: date!(2025 - 06 - 01),
            scores: all(2),
            ..a.clone()
        };
        let h = history(&[b, a]);
        assert_eq!(h.len(), 1);
        assert_eq!(
            h[0].entries
                .iter()
                .map(|e| (e.1.total, e.2))
                .collect::<Vec<_>>(),
            vec![(14, None), (24, Some(10))]
        );
    }

    #[test]
    fn missing_and_out_of_range_scores_are_named() {
        let mut scores = all(0);
        scores.remove("blurring.2");
        scores.insert("reciprocity.1".into(), 4);
        scores.insert("made.up".into(), 1);
        let a = Assessment {
            directorate: " ".into(),
            assessed_on: date!(2024 - 06 - 01),
            scores,
            notes: String::new(),
        };
        let fields: Vec<&str> = a.problems().iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            vec![
                "directorate",
                "score_reciprocity_1",
                "score_blurring_2",
                "scores"
            ]
        );
    }
}
