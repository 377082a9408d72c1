//! PB rules: shared option types, tie-breaking, outcomes and the `run` entry point.

pub mod greedy;
pub mod maxwelfare;
pub mod mes;
pub mod phragmen;
pub mod utilitarian;

use crate::model::Election;
use crate::num::{Q, q_f64};
use crate::profile::{Groups, Profile};
use num_traits::ToPrimitive;
use serde::{Serialize, Serializer};
use std::fmt;

/// Which rule to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleKind {
    /// City greedy: by score (else votes), fund what fits, continue.
    Greedy,
    /// City greedy that stops at the first project that does not fit.
    GreedyNoSkip,
    /// City greedy restricted to projects scoring at least `min_project_score_threshold`.
    GreedyThreshold,
    /// Poznań: greedy no-skip, plus one last project costing up to 125% of what is left.
    GreedyCustom,
    /// pabutools `greedy_utilitarian_welfare`.
    Utilitarian,
    /// Method of Equal Shares.
    Mes,
    /// Sequential Phragmén (approval).
    Phragmen,
    /// Maximum utilitarian welfare (exact knapsack).
    MaxWelfare,
}

impl RuleKind {
    /// Parses a CLI rule name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "greedy" => Self::Greedy,
            "greedy-no-skip" => Self::GreedyNoSkip,
            "greedy-threshold" => Self::GreedyThreshold,
            "greedy-custom" | "poznan" => Self::GreedyCustom,
            "utilitarian" | "greedy-utilitarian" => Self::Utilitarian,
            "mes" | "equalshares" => Self::Mes,
            "phragmen" => Self::Phragmen,
            "max-welfare" => Self::MaxWelfare,
            _ => return None,
        })
    }
    /// CLI name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Greedy => "greedy",
            Self::GreedyNoSkip => "greedy-no-skip",
            Self::GreedyThreshold => "greedy-threshold",
            Self::GreedyCustom => "greedy-custom",
            Self::Utilitarian => "utilitarian",
            Self::Mes => "mes",
            Self::Phragmen => "phragmen",
            Self::MaxWelfare => "max-welfare",
        }
    }
    /// All rule names, for help texts.
    pub const NAMES: &'static [&'static str] = &[
        "greedy",
        "greedy-no-skip",
        "greedy-threshold",
        "greedy-custom",
        "utilitarian",
        "mes",
        "phragmen",
        "max-welfare",
    ];
}

/// Satisfaction function (both depend only on whether a project is on the ballot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sat {
    /// Satisfaction = cost of the funded projects on the ballot (pabutools `Cost_Sat`).
    #[default]
    Cost,
    /// Satisfaction = number of funded projects on the ballot (pabutools `Cardinality_Sat`).
    Cardinality,
}

impl Sat {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "cost" => Some(Self::Cost),
            "cardinality" | "card" => Some(Self::Cardinality),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::Cost => "cost",
            Self::Cardinality => "cardinality",
        }
    }
}

/// MES completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Completion {
    #[default]
    None,
    /// Raise the per-voter budget one currency unit at a time (see `Semantics`).
    Add1,
    /// `Add1`, then fill what is left with the utilitarian completion.
    Add1U,
    /// Fill what MES leaves with the utilitarian completion.
    Utilitarian,
}

impl Completion {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "none" => Some(Self::None),
            "add1" => Some(Self::Add1),
            "add1u" => Some(Self::Add1U),
            "utilitarian" => Some(Self::Utilitarian),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Add1 => "add1",
            Self::Add1U => "add1u",
            Self::Utilitarian => "utilitarian",
        }
    }
}

/// Whose definition of MES (and its add1 completion) to follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Semantics {
    /// pabutools 1.2.3: start at B/n, +1 per voter until the outcome overspends (keep previous) or
    /// is exhaustive over supported projects; ties by smallest project id; exact rationals.
    #[default]
    Pabutools,
    /// equalshares.net reference code: first run at B/n, then start from floor(B/n)·n and add n
    /// while the next outcome fits and the current one is not exhaustive; ties lowest cost, then
    /// most votes (then smallest id); exact rationals.
    Equalshares,
    /// Pabulib checker (what city results follow): like equalshares but costs and budget floored,
    /// and add1 stops only when the next outcome would overspend.
    Checker,
}

impl Semantics {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pabutools" => Some(Self::Pabutools),
            "equalshares" | "equalshares.net" => Some(Self::Equalshares),
            "checker" | "pabulib" => Some(Self::Checker),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::Pabutools => "pabutools",
            Self::Equalshares => "equalshares",
            Self::Checker => "checker",
        }
    }
}

/// Tie-breaking order between projects that a rule cannot separate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tie {
    /// Smallest `project_id` string first (pabutools `lexico_tie_breaking`).
    Id,
    /// Earlier in the file first (cities' stable sort).
    File,
    /// Cheapest first, then smallest id.
    MinCost,
    /// Most expensive first, then smallest id.
    MaxCost,
    /// Most supporters first, then smallest id.
    MaxVotes,
    /// Cheapest, then most supporters, then smallest id (equalshares.net, Pabulib checker).
    CostVotes,
}

impl Tie {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "id" | "lexico" => Self::Id,
            "file" => Self::File,
            "min-cost" => Self::MinCost,
            "max-cost" => Self::MaxCost,
            "max-votes" => Self::MaxVotes,
            "cost-votes" | "equalshares" => Self::CostVotes,
            _ => return None,
        })
    }
    pub fn name(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::File => "file",
            Self::MinCost => "min-cost",
            Self::MaxCost => "max-cost",
            Self::MaxVotes => "max-votes",
            Self::CostVotes => "cost-votes",
        }
    }
    /// Rank of every project under this order (0 = preferred).
    pub fn ranks(self, e: &Election, support: &[u64]) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..e.projects.len()).collect();
        let id = |p: usize| e.projects[p].id.as_str();
        match self {
            Tie::Id => idx.sort_by(|&a, &b| id(a).cmp(id(b))),
            Tie::File => {}
            Tie::MinCost => idx.sort_by(|&a, &b| {
                e.projects[a]
                    .cost
                    .cmp(&e.projects[b].cost)
                    .then(id(a).cmp(id(b)))
            }),
            Tie::MaxCost => idx.sort_by(|&a, &b| {
                e.projects[b]
                    .cost
                    .cmp(&e.projects[a].cost)
                    .then(id(a).cmp(id(b)))
            }),
            Tie::MaxVotes => {
                idx.sort_by(|&a, &b| support[b].cmp(&support[a]).then(id(a).cmp(id(b))))
            }
            Tie::CostVotes => idx.sort_by(|&a, &b| {
                e.projects[a]
                    .cost
                    .cmp(&e.projects[b].cost)
                    .then(support[b].cmp(&support[a]))
                    .then(id(a).cmp(id(b)))
            }),
        }
        let mut rank = vec![0; idx.len()];
        for (r, p) in idx.into_iter().enumerate() {
            rank[p] = r;
        }
        rank
    }
}

/// Everything that selects a rule variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSpec {
    pub kind: RuleKind,
    pub sat: Sat,
    pub completion: Completion,
    pub semantics: Semantics,
    /// `None` = the rule's reference default (file order for city rules, id for pabutools rules,
    /// cost-votes for equalshares/checker MES).
    pub tie: Option<Tie>,
    /// pabutools' greedy (and its completions) also fund projects nobody voted for when money is
    /// left; cities never do. Off by default.
    pub fund_unsupported: bool,
    /// MES: per-voter budget increment for add1 in currency units (pabutools
    /// `voter_budget_increment`; default 1).
    pub increment: Option<Q>,
}

impl RuleSpec {
    /// A spec with defaults for the given rule.
    pub fn new(kind: RuleKind) -> Self {
        RuleSpec {
            kind,
            sat: Sat::Cost,
            completion: Completion::None,
            semantics: Semantics::Pabutools,
            tie: None,
            fund_unsupported: false,
            increment: None,
        }
    }
    pub fn sat(mut self, s: Sat) -> Self {
        self.sat = s;
        self
    }
    pub fn completion(mut self, c: Completion) -> Self {
        self.completion = c;
        self
    }
    pub fn semantics(mut self, s: Semantics) -> Self {
        self.semantics = s;
        self
    }
    pub fn tie(mut self, t: Tie) -> Self {
        self.tie = Some(t);
        self
    }
    pub fn fund_unsupported(mut self, b: bool) -> Self {
        self.fund_unsupported = b;
        self
    }
    /// Human/JSON label such as `mes[sat=cost,completion=add1,semantics=pabutools]`.
    pub fn label(&self) -> String {
        match self.kind {
            RuleKind::Utilitarian => format!("utilitarian[sat={}]", self.sat.name()),
            RuleKind::MaxWelfare => format!("max-welfare[sat={}]", self.sat.name()),
            RuleKind::Mes => format!(
                "mes[sat={},completion={},semantics={}]",
                self.sat.name(),
                self.completion.name(),
                self.semantics.name()
            ),
            k => k.name().to_string(),
        }
    }
    /// Effective tie-breaking order.
    pub fn effective_tie(&self) -> Tie {
        self.tie.unwrap_or(match self.kind {
            RuleKind::Greedy
            | RuleKind::GreedyNoSkip
            | RuleKind::GreedyThreshold
            | RuleKind::GreedyCustom => Tie::File,
            RuleKind::Mes if self.semantics != Semantics::Pabutools => Tie::CostVotes,
            _ => Tie::Id,
        })
    }
}

/// A rational serialised as a JSON number (integer when whole).
#[derive(Debug, Clone, PartialEq)]
pub struct Num(pub Q);

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.is_integer()
            && let Some(i) = self.0.to_integer().to_i64()
        {
            return s.serialize_i64(i);
        }
        s.serialize_f64(q_f64(&self.0))
    }
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", crate::num::fmt_q(&self.0))
    }
}

/// Why a rule did or did not fund a project, step by step.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Explanation {
    Greedy {
        steps: Vec<greedy::GreedyStep>,
    },
    Utilitarian {
        steps: Vec<utilitarian::UtilStep>,
    },
    Mes(mes::MesExplanation),
    Phragmen {
        rounds: Vec<phragmen::PhragmenRound>,
    },
    MaxWelfare {
        welfare: Num,
        proven_optimal: bool,
    },
}

/// The result of running a rule.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub rule: String,
    /// Project ids in selection order.
    pub selected: Vec<String>,
    pub total_cost: Num,
    pub budget: Num,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Explanation>,
    #[serde(skip)]
    pub selected_idx: Vec<usize>,
}

/// A rule that cannot run on this election.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError(pub String);

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RuleError {}

/// Shared precomputation for running several rules on one election.
pub struct Prepared<'a> {
    pub e: &'a Election,
    pub profile: Profile,
    pub groups: Groups,
}

impl<'a> Prepared<'a> {
    /// Collapses ballots once.
    pub fn new(e: &'a Election) -> Self {
        let profile = Profile::new(e);
        let groups = profile.groups(e.projects.len());
        Prepared { e, profile, groups }
    }
}

/// Runs a rule. `explain` adds the step-by-step explanation.
pub fn run(e: &Election, spec: &RuleSpec, explain: bool) -> Result<Outcome, RuleError> {
    let prep = Prepared::new(e);
    run_prepared(&prep, spec, explain)
}

/// Runs a rule on a prepared election.
pub fn run_prepared(
    prep: &Prepared<'_>,
    spec: &RuleSpec,
    explain: bool,
) -> Result<Outcome, RuleError> {
    let e = prep.e;
    let mut notes = Vec::new();
    let (selected, explanation) = match spec.kind {
        RuleKind::Greedy
        | RuleKind::GreedyNoSkip
        | RuleKind::GreedyThreshold
        | RuleKind::GreedyCustom => {
            let r = greedy::city_greedy(prep, spec, &mut notes);
            (r.0, Some(Explanation::Greedy { steps: r.1 }))
        }
        RuleKind::Utilitarian => {
            let ranks = spec.effective_tie().ranks(e, &prep.groups.support);
            let (sel, steps) =
                utilitarian::greedy_utilitarian(prep, spec.sat, &ranks, &[], spec.fund_unsupported);
            (sel, Some(Explanation::Utilitarian { steps }))
        }
        RuleKind::Mes => {
            let (sel, ex) = mes::mes(prep, spec, explain, &mut notes)?;
            (sel, Some(Explanation::Mes(ex)))
        }
        RuleKind::Phragmen => {
            if !e.vote_type.is_approval() {
                return Err(RuleError(format!(
                    "sequential Phragmén needs approval ballots but this file has vote_type {}; use --rule mes or utilitarian",
                    e.vote_type.as_str()
                )));
            }
            let ranks = spec.effective_tie().ranks(e, &prep.groups.support);
            let (sel, rounds) = phragmen::sequential_phragmen(prep, &ranks)?;
            (sel, Some(Explanation::Phragmen { rounds }))
        }
        RuleKind::MaxWelfare => {
            let (sel, welfare, proven) = maxwelfare::max_welfare(prep, spec.sat);
            if !proven {
                notes.push(
                    "search limit reached: the result is the best found, not proven optimal".into(),
                );
            }
            (
                sel,
                Some(Explanation::MaxWelfare {
                    welfare: Num(welfare),
                    proven_optimal: proven,
                }),
            )
        }
    };
    let total: Q = selected.iter().map(|&p| e.projects[p].cost.clone()).sum();
    Ok(Outcome {
        rule: spec.label(),
        selected: selected.iter().map(|&p| e.projects[p].id.clone()).collect(),
        total_cost: Num(total),
        budget: Num(e.budget.clone()),
        notes,
        explanation: if explain { explanation } else { None },
        selected_idx: selected,
    })
}
