//! The appraisal model: an intervention's cost lines and outcome lines, as written in a TOML file or
//! built in the web forms, and the optimism-bias table that turns confidence grades into corrections.
//!
//! The file format is documented in `docs/appraisal-toml.md`; every field here appears there.
//! `model/check.rs` checks every figure is in range.

use std::collections::BTreeMap;

use levers_core::FinancialYear;
use serde::{Deserialize, Serialize};

use crate::discount::Schedule;
use crate::library::ValueKind;

mod check;

/// One intervention to appraise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Appraisal {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Prices are stated in (and values uprated to) this financial year's prices.
    pub price_base: FinancialYear,
    /// The financial year of year 0, used only to label years (e.g. the payback year).
    #[serde(default)]
    pub first_year: Option<FinancialYear>,
    /// Years to appraise (year 0 to `years − 1`). Absent: long enough for every cost and benefit.
    #[serde(default)]
    pub years: Option<u32>,
    #[serde(default)]
    pub discount: Schedule,
    /// Overrides of the default optimism-bias table.
    #[serde(default)]
    pub optimism_bias: Option<OptimismBiasTable>,
    #[serde(default)]
    pub costs: Vec<CostLine>,
    #[serde(default)]
    pub outcomes: Vec<OutcomeLine>,
}

/// Money an agency spends on the intervention in one year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostLine {
    #[serde(default)]
    pub description: String,
    /// The agency that pays.
    pub agency: String,
    /// Year index, 0 = the first year.
    #[serde(default)]
    pub year: u32,
    /// Pounds, at `price_year` prices (or the appraisal's price base when absent).
    pub amount: f64,
    #[serde(default)]
    pub price_year: Option<FinancialYear>,
    /// Confidence grade 1 (best) to 6 of the cost estimate; sets the optimism-bias uplift.
    #[serde(default)]
    pub confidence: Option<u8>,
    /// An explicit uplift (0.15 = +15%) instead of the grade's.
    #[serde(default)]
    pub optimism_bias: Option<f64>,
}

/// A count given once (for `year`) or per year from year 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PerYear {
    Once(f64),
    ByYear(Vec<f64>),
}

impl PerYear {
    /// The count for each year index, with a single figure placed at `year`.
    pub fn by_year(&self, year: u32) -> Vec<f64> {
        match self {
            PerYear::Once(n) => {
                let mut v = vec![0.0; year as usize + 1];
                v[year as usize] = *n;
                v
            }
            PerYear::ByYear(v) => v.clone(),
        }
    }
}

/// An outcome the intervention achieves, how much of it is really its own, and what it is worth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeLine {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// People in the cohort (once, or per year); outcomes = cohort × engagement × success.
    #[serde(default)]
    pub cohort: Option<PerYear>,
    #[serde(default = "one")]
    pub engagement: f64,
    #[serde(default = "one")]
    pub success: f64,
    /// Or the number of outcomes directly (once, or per year).
    #[serde(default)]
    pub count: Option<PerYear>,
    /// The year a single cohort or count is achieved in (ignored for per-year lists).
    #[serde(default)]
    pub year: u32,
    /// Share that would have happened anyway.
    #[serde(default)]
    pub deadweight: f64,
    /// Share of what remains that is due to this intervention rather than to others (1 = all of it).
    #[serde(default = "one")]
    pub attribution: f64,
    /// Share of the gain that is offset by losses elsewhere (e.g. jobs taken from others).
    #[serde(default)]
    pub displacement: f64,
    /// Share of the benefit that goes to people outside the area or target group.
    #[serde(default)]
    pub leakage: f64,
    /// Confidence grade 1 (best) to 6 of the impact evidence; sets the optimism-bias correction.
    #[serde(default)]
    pub confidence: Option<u8>,
    /// An explicit correction (0.2 = −20%) instead of the grade's.
    #[serde(default)]
    pub optimism_bias: Option<f64>,
    /// Years between achieving the outcome and the first benefit.
    #[serde(default)]
    pub lag: u32,
    /// Years the benefit lasts.
    #[serde(default = "one_year")]
    pub duration: u32,
    /// Share of the benefit lost each year after the first.
    #[serde(default)]
    pub drop_off: f64,
    /// Where the effect sizes come from (evaluation, pilot, assumption).
    #[serde(default)]
    pub evidence: String,
    #[serde(default)]
    pub values: Vec<ValueLine>,
}

/// What one net outcome is worth each benefit year, to whom.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueLine {
    /// A unit cost code from the library (its value, price year, agency, source and RAG are used
    /// unless given here).
    #[serde(default)]
    pub cost_code: Option<String>,
    /// Fiscal (a saving to an agency's budget), economic or social.
    pub kind: ValueKind,
    /// Pounds per net outcome per benefit year, at `price_year` prices.
    #[serde(default)]
    pub amount: Option<f64>,
    #[serde(default)]
    pub price_year: Option<FinancialYear>,
    /// The agency whose budget benefits (fiscal values).
    #[serde(default)]
    pub agency: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// A transfer between people and the state (e.g. benefit payments): a fiscal saving to the
    /// agency but not a gain to society, so it is left out of public value.
    #[serde(default)]
    pub transfer: bool,
    /// Share of a fiscal value that is cashable (budgets can actually be reduced).
    #[serde(default)]
    pub cashable: f64,
    /// Counted in the first benefit year only (one-off costs avoided, e.g. an eviction).
    #[serde(default)]
    pub once: bool,
    #[serde(default)]
    pub source: Option<String>,
}

fn one() -> f64 {
    1.0
}
fn one_year() -> u32 {
    1
}

/// An optimism-bias correction with the bounds the sensitivity analysis uses.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bounds {
    pub low: f64,
    pub central: f64,
    pub high: f64,
}

/// Confidence grade (1 = best evidence … 6 = weakest) → optimism-bias correction, for costs (an
/// uplift) and for benefits (a reduction).
///
/// The default follows the confidence-grading approach of HM Treasury, Public Service Transformation
/// Network and New Economy (2014), *Supporting public service transformation: cost benefit analysis
/// guidance for local partnerships*, which pairs six grades of evidence with corrections of 0%, 5%,
/// 10%, 15%, 25% and 40%. The same central figures apply to costs and benefits by default. The bounds
/// are levers' own convention: a grade's low bound is the grade above's correction and its high bound
/// the grade below's (grade 6's high bound is 60%). Councils can replace the whole table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptimismBiasTable {
    pub costs: BTreeMap<u8, Bounds>,
    pub benefits: BTreeMap<u8, Bounds>,
    /// Source of the figures, shown beside the results.
    #[serde(default)]
    pub source: String,
}

/// The central corrections of the default table, grades 1 to 6.
pub const DEFAULT_CORRECTIONS: [f64; 6] = [0.0, 0.05, 0.10, 0.15, 0.25, 0.40];
/// The high bound of grade 6 in the default table.
pub const DEFAULT_GRADE6_HIGH: f64 = 0.60;
/// The grade assumed when a line gives neither a grade nor a correction.
pub const DEFAULT_GRADE: u8 = 3;

impl Default for OptimismBiasTable {
    fn default() -> Self {
        let mut t = BTreeMap::new();
        for g in 1..=6u8 {
            let i = g as usize - 1;
            let low = if i == 0 {
                0.0
            } else {
                DEFAULT_CORRECTIONS[i - 1]
            };
            let high = if i == 5 {
                DEFAULT_GRADE6_HIGH
            } else {
                DEFAULT_CORRECTIONS[i + 1]
            };
            t.insert(
                g,
                Bounds {
                    low,
                    central: DEFAULT_CORRECTIONS[i],
                    high,
                },
            );
        }
        OptimismBiasTable {
            costs: t.clone(),
            benefits: t,
            source: "Confidence grades and corrections after HM Treasury / New Economy (2014), Supporting public service \
                     transformation: cost benefit analysis guidance for local partnerships; bounds are levers' convention \
                     (the neighbouring grades)"
                .into(),
        }
    }
}

impl OptimismBiasTable {
    pub fn cost(&self, grade: u8) -> Option<Bounds> {
        self.costs.get(&grade).copied()
    }
    pub fn benefit(&self, grade: u8) -> Option<Bounds> {
        self.benefits.get(&grade).copied()
    }
}

/// A problem with an appraisal file or form, naming the line (cost 2, outcome "Moves into work"…) and
/// the field, and what to do.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{place}, {field}: {message}")]
pub struct ModelError {
    pub place: String,
    pub field: String,
    pub message: String,
}

/// Reading the TOML file failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{file}, line {line}, column {column}{}: {message}", field.as_ref().map(|f| format!(", field {f}")).unwrap_or_default())]
    Syntax {
        file: String,
        line: usize,
        column: usize,
        field: Option<String>,
        message: String,
    },
    #[error("{file}: {0}", .source)]
    Invalid { file: String, source: ModelError },
}

impl Appraisal {
    /// Parses an appraisal written as TOML and checks it.
    pub fn from_toml(file: &str, text: &str) -> Result<Appraisal, ReadError> {
        let a: Appraisal = toml::from_str(text).map_err(|e| {
            let (line, column, field) = e
                .span()
                .map(|s| {
                    let start = s.start.min(text.len());
                    let before = &text[..start];
                    let line = before.matches('\n').count() + 1;
                    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                    // The key at the start of that line, when the line is `key = value`.
                    let whole = text.lines().nth(line - 1).unwrap_or("");
                    let field = whole
                        .split_once('=')
                        .map(|(k, _)| k.trim().trim_matches('"').to_owned())
                        .filter(|k| !k.is_empty() && !k.starts_with('[') && !k.starts_with('#'));
                    (line, column, field)
                })
                .unwrap_or((0, 0, None));
            ReadError::Syntax {
                file: file.into(),
                line,
                column,
                field,
                message: e.message().trim().to_owned(),
            }
        })?;
        a.check().map_err(|source| ReadError::Invalid {
            file: file.into(),
            source,
        })?;
        Ok(a)
    }

    /// Writes the appraisal as TOML in the documented format.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("an appraisal always serialises")
    }

    /// The optimism-bias table in force.
    pub fn table(&self) -> OptimismBiasTable {
        self.optimism_bias.clone().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"
name = "Key workers into employment"
price_base = "2019/20"
first_year = "2020/21"

[[costs]]
agency = "Local authority"
amount = 100000
confidence = 2

[[outcomes]]
name = "Moves into work"
cohort = [100, 120]
engagement = 0.8
success = 0.25
deadweight = 0.3
duration = 2
drop_off = 0.5

[[outcomes.values]]
cost_code = "E&E3.0.1"
kind = "fiscal"
transfer = true
cashable = 1.0
"#;

    #[test]
    fn reads_the_documented_format_and_round_trips() {
        let a = Appraisal::from_toml("x.toml", EXAMPLE).unwrap();
        assert_eq!(
            a.outcomes[0].cohort,
            Some(PerYear::ByYear(vec![100.0, 120.0]))
        );
        assert_eq!(a.outcomes[0].attribution, 1.0);
        assert_eq!(a.discount, Schedule::Standard);
        let again = Appraisal::from_toml("y.toml", &a.to_toml()).unwrap();
        assert_eq!(a, again);
    }

    #[test]
    fn errors_name_the_line_and_field() {
        let e = Appraisal::from_toml(
            "plan.toml",
            "name = \"x\"\nprice_base = \"2019/20\"\ncosts = 3\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("plan.toml, line 3"), "{e}");
        let e = Appraisal::from_toml(
            "plan.toml",
            &EXAMPLE.replace("deadweight = 0.3", "deadweight = 30"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("outcome \"Moves into work\", deadweight: 30 is not a fraction"),
            "{e}"
        );
        let e = Appraisal::from_toml(
            "plan.toml",
            &EXAMPLE.replace("confidence = 2", "confidence = 9"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("confidence: grade 9"), "{e}");
        let e = Appraisal::from_toml("plan.toml", &EXAMPLE.replace("drop_off", "dropoff"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("dropoff"), "{e}");
    }

    #[test]
    fn default_table_has_the_published_grades_and_neighbouring_bounds() {
        let t = OptimismBiasTable::default();
        assert_eq!(
            t.cost(1),
            Some(Bounds {
                low: 0.0,
                central: 0.0,
                high: 0.05
            })
        );
        assert_eq!(
            t.benefit(4),
            Some(Bounds {
                low: 0.10,
                central: 0.15,
                high: 0.25
            })
        );
        assert_eq!(
            t.benefit(6),
            Some(Bounds {
                low: 0.25,
                central: 0.40,
                high: 0.60
            })
        );
    }
}
