//! The PB election as read from a Pabulib file: META, PROJECTS, VOTES, plus derived helpers.

use crate::num::{Q, parse_q};
use serde::Serialize;

/// Cost used by Pabulib for projects withdrawn after the vote (kept in the file, never fundable).
pub const WITHDRAWN_SENTINEL_COST: i64 = 999_999_999;

/// The five Pabulib ballot formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VoteType {
    Approval,
    Ordinal,
    Cumulative,
    Scoring,
    #[serde(rename = "choose-1")]
    Choose1,
}

impl VoteType {
    /// Parses the META `vote_type` value.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "approval" => Some(Self::Approval),
            "ordinal" => Some(Self::Ordinal),
            "cumulative" => Some(Self::Cumulative),
            "scoring" => Some(Self::Scoring),
            "choose-1" => Some(Self::Choose1),
            _ => None,
        }
    }
    /// The META spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approval => "approval",
            Self::Ordinal => "ordinal",
            Self::Cumulative => "cumulative",
            Self::Scoring => "scoring",
            Self::Choose1 => "choose-1",
        }
    }
    /// Approval-like ballots (sets): approval and choose-1.
    pub fn is_approval(self) -> bool {
        matches!(self, Self::Approval | Self::Choose1)
    }
    /// Ballots that carry points (cumulative, scoring).
    pub fn has_points(self) -> bool {
        matches!(self, Self::Cumulative | Self::Scoring)
    }
}

/// One project row.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    /// `project_id` (first column), a string.
    pub id: String,
    /// Exact cost.
    pub cost: Q,
    /// Raw (trimmed) cell values aligned with `Election::project_columns`.
    pub values: Vec<String>,
    /// 1-based line in the file (0 when built in memory).
    pub line: usize,
}

/// One voter row.
#[derive(Debug, Clone, PartialEq)]
pub struct Voter {
    pub id: String,
    /// Indices into `Election::projects`, in ballot order (ordinal: best first).
    pub vote: Vec<u32>,
    /// Points aligned with `vote` (cumulative/scoring ballots), when present.
    pub points: Option<Vec<Q>>,
    /// Raw cell values aligned with `Election::vote_columns`.
    pub values: Vec<String>,
    pub line: usize,
}

/// A whole Pabulib instance.
#[derive(Debug, Clone, PartialEq)]
pub struct Election {
    /// META key/value pairs in file order.
    pub meta: Vec<(String, String)>,
    /// Line of each META pair (0 when built in memory).
    pub meta_lines: Vec<usize>,
    pub project_columns: Vec<String>,
    pub projects: Vec<Project>,
    pub vote_columns: Vec<String>,
    pub voters: Vec<Voter>,
    pub vote_type: VoteType,
    pub budget: Q,
}

/// True for cells Pabulib treats as absent.
pub fn is_none_cell(v: &str) -> bool {
    let t = v.trim();
    t.is_empty() || t.eq_ignore_ascii_case("none")
}

impl Election {
    /// META value by key (first occurrence), trimmed; `None` if absent.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.meta
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    /// Line of a META key.
    pub fn meta_line(&self, key: &str) -> usize {
        self.meta
            .iter()
            .position(|(k, _)| k == key)
            .and_then(|i| self.meta_lines.get(i).copied())
            .unwrap_or(0)
    }
    /// Numeric META value.
    pub fn meta_q(&self, key: &str) -> Option<Q> {
        self.meta(key)
            .filter(|v| !is_none_cell(v))
            .and_then(parse_q)
    }
    /// The `rule` META value, or `unknown`.
    pub fn rule(&self) -> &str {
        self.meta("rule").unwrap_or("unknown")
    }
    /// Column index in PROJECTS.
    pub fn project_col(&self, name: &str) -> Option<usize> {
        self.project_columns.iter().position(|c| c == name)
    }
    /// Column index in VOTES.
    pub fn vote_col(&self, name: &str) -> Option<usize> {
        self.vote_columns.iter().position(|c| c == name)
    }
    /// Raw project cell, `None` when absent or `none`.
    pub fn project_value(&self, p: usize, col: &str) -> Option<&str> {
        let c = self.project_col(col)?;
        self.projects[p]
            .values
            .get(c)
            .map(|s| s.as_str())
            .filter(|v| !is_none_cell(v))
    }
    /// Index of a project by id.
    pub fn project_index(&self, id: &str) -> Option<usize> {
        self.projects.iter().position(|p| p.id == id)
    }
    /// True when the project carries the withdrawn sentinel cost.
    pub fn is_withdrawn(&self, p: usize) -> bool {
        self.projects[p].cost == Q::from_integer(WITHDRAWN_SENTINEL_COST.into())
    }
    /// Number of ballots (voters).
    pub fn num_voters(&self) -> usize {
        self.voters.len()
    }
    /// Approval counts per project computed from the ballots (membership, any format).
    pub fn counted_votes(&self) -> Vec<u64> {
        let mut c = vec![0u64; self.projects.len()];
        for v in &self.voters {
            let mut seen: Vec<u32> = v.vote.clone();
            seen.sort_unstable();
            seen.dedup();
            for p in seen {
                c[p as usize] += 1;
            }
        }
        c
    }
    /// Scores per project computed from the ballots the way the Pabulib checker does: points when
    /// present, else positional points (length, length-1, …, 1) for ordinal ballots, else votes.
    pub fn counted_scores(&self) -> Vec<Q> {
        let mut s = vec![Q::from_integer(0.into()); self.projects.len()];
        for v in &self.voters {
            match &v.points {
                Some(pts) => {
                    for (p, x) in v.vote.iter().zip(pts) {
                        s[*p as usize] += x;
                    }
                }
                None => {
                    let n = v.vote.len() as i64;
                    for (i, p) in v.vote.iter().enumerate() {
                        let w = if self.vote_type == VoteType::Ordinal {
                            n - i as i64
                        } else {
                            1
                        };
                        s[*p as usize] += Q::from_integer(w.into());
                    }
                }
            }
        }
        s
    }
}
