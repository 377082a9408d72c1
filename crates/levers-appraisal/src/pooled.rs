//! The pooled community budget (a section 75-style agreement): partners' contributions by year, the
//! lines the pool funds (appraised interventions, PB processes, other), plan and spend by quarter, and
//! each partner's share of the benefits the appraisals expect — effectiveness beside savings.

use std::collections::BTreeMap;

use levers_core::{FinancialYear, Money};
use serde::{Deserialize, Serialize};

use crate::compute::Results;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PooledBudget {
    pub name: String,
    pub partners: Vec<Partner>,
    pub contributions: Vec<Contribution>,
    pub lines: Vec<Line>,
}

/// A partner to the pool, and the agency names appraisals use for its budgets (so "NHS" benefits
/// count as the clinical commissioners' if they say so).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Partner {
    pub name: String,
    #[serde(default)]
    pub agencies: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    pub partner: String,
    pub year: FinancialYear,
    pub amount: Money,
}

/// What a line of the pool pays for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Funds {
    Intervention,
    PbProcess,
    Other,
}

impl Funds {
    pub fn label(self) -> &'static str {
        match self {
            Funds::Intervention => "Intervention",
            Funds::PbProcess => "Community budget vote",
            Funds::Other => "Other",
        }
    }
}

/// An amount for one quarter (1 = April to June) of a financial year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quarterly {
    pub year: FinancialYear,
    pub quarter: u8,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub name: String,
    pub funds: Funds,
    /// The appraisal behind an intervention line, by name.
    #[serde(default)]
    pub appraisal: Option<String>,
    #[serde(default)]
    pub plan: Vec<Quarterly>,
    #[serde(default)]
    pub spend: Vec<Quarterly>,
}

/// A partner's contributions and expected benefits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartnerRow {
    pub partner: String,
    pub by_year: BTreeMap<FinancialYear, Money>,
    pub contributed: Money,
    pub share_of_pool: f64,
    /// Present value of fiscal benefits to the partner's agencies across the funded appraisals.
    pub pv_benefits: f64,
    pub share_of_benefits: f64,
}

/// One quarter's plan and spend across all lines.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuarterRow {
    pub year: FinancialYear,
    pub quarter: u8,
    pub plan: Money,
    pub spend: Money,
    pub variance: Money,
    pub cumulative_plan: Money,
    pub cumulative_spend: Money,
}

/// One line's plan, spend and (for appraised interventions) effectiveness.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineRow {
    pub name: String,
    pub funds: Funds,
    pub plan: Money,
    pub spend: Money,
    pub variance: Money,
    pub appraisal: Option<String>,
    pub net_outcomes: Option<f64>,
    pub cost_per_net_outcome: Option<f64>,
    pub public_value_roi: Option<f64>,
    pub financial_roi: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolReport {
    pub name: String,
    pub total: Money,
    pub by_year: BTreeMap<FinancialYear, Money>,
    pub partners: Vec<PartnerRow>,
    pub quarters: Vec<QuarterRow>,
    pub lines: Vec<LineRow>,
    pub planned: Money,
    pub spent: Money,
    /// Fiscal benefits to agencies no partner claims.
    pub pv_benefits_other: f64,
    /// Plain-English warnings (plan above the pool in a year, lines whose appraisal is missing…).
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PoolError {
    #[error("contribution {index}: {partner} is not a partner of this pool: add the partner first")]
    UnknownPartner { index: usize, partner: String },
    #[error(
        "line \"{line}\": quarter {quarter} does not exist: quarters are 1 (April to June) to 4 (January to March)"
    )]
    BadQuarter { line: String, quarter: u8 },
    #[error("the totals are too large to add up in pence")]
    Overflow,
}

fn add(a: Money, b: Money) -> Result<Money, PoolError> {
    a.checked_add(b).ok_or(PoolError::Overflow)
}

impl PooledBudget {
    /// The board's report. `appraisals` gives each named appraisal's results.
    pub fn report(&self, appraisals: &BTreeMap<String, Results>) -> Result<PoolReport, PoolError> {
        let mut by_partner: BTreeMap<&str, BTreeMap<FinancialYear, Money>> = self
            .partners
            .iter()
            .map(|p| (p.name.as_str(), BTreeMap::new()))
            .collect();
        let mut by_year: BTreeMap<FinancialYear, Money> = BTreeMap::new();
        let mut total = Money::ZERO;
        for (index, c) in self.contributions.iter().enumerate() {
            let years = by_partner.get_mut(c.partner.as_str()).ok_or_else(|| {
                PoolError::UnknownPartner {
                    index: index + 1,
                    partner: c.partner.clone(),
                }
            })?;
            let y = years.entry(c.year).or_default();
            *y = add(*y, c.amount)?;
            let t = by_year.entry(c.year).or_default();
            *t = add(*t, c.amount)?;
            total = add(total, c.amount)?;
        }

        // Benefits: every funded appraisal's fiscal benefits, by agency, mapped to partners.
        let agency_owner: BTreeMap<String, &str> = self
            .partners
            .iter()
            .flat_map(|p| {
                p.agencies
                    .iter()
                    .chain(std::iter::once(&p.name))
                    .map(move |a| (a.trim().to_lowercase(), p.name.as_str()))
            })
            .collect();
        let mut benefits: BTreeMap<&str, f64> = BTreeMap::new();
        let mut other = 0.0;
        let mut warnings = Vec::new();
        for line in &self.lines {
            let Some(name) = &line.appraisal else {
                continue;
            };
            let Some(r) = appraisals.get(name) else {
                warnings.push(format!(
                    "Line \"{}\" names the appraisal \"{name}\", which does not exist.",
                    line.name
                ));
                continue;
            };
            for (agency, pv) in &r.central.pv_fiscal_by_agency {
                match agency_owner.get(&agency.trim().to_lowercase()) {
                    Some(p) => *benefits.entry(p).or_default() += pv,
                    None => other += pv,
                }
            }
        }
        let all_benefits: f64 = benefits.values().sum::<f64>() + other;
        let partners = self
            .partners
            .iter()
            .map(|p| {
                let years = by_partner.remove(p.name.as_str()).unwrap_or_default();
                let contributed = years.values().try_fold(Money::ZERO, |a, b| add(a, *b))?;
                let pv = benefits.get(p.name.as_str()).copied().unwrap_or(0.0);
                Ok(PartnerRow {
                    partner: p.name.clone(),
                    by_year: years,
                    share_of_pool: if total.pence() > 0 {
                        contributed.ratio_of(total)
                    } else {
                        0.0
                    },
                    contributed,
                    pv_benefits: pv,
                    share_of_benefits: if all_benefits > 0.0 {
                        pv / all_benefits
                    } else {
                        0.0
                    },
                })
            })
            .collect::<Result<Vec<_>, PoolError>>()?;

        let mut quarters: BTreeMap<(FinancialYear, u8), (Money, Money)> = BTreeMap::new();
        let mut lines = Vec::with_capacity(self.lines.len());
        let (mut planned, mut spent) = (Money::ZERO, Money::ZERO);
        let mut plan_by_year: BTreeMap<FinancialYear, Money> = BTreeMap::new();
        for line in &self.lines {
            let (mut plan, mut spend) = (Money::ZERO, Money::ZERO);
            for (q, is_plan) in line
                .plan
                .iter()
                .map(|q| (q, true))
                .chain(line.spend.iter().map(|q| (q, false)))
            {
                if !(1..=4).contains(&q.quarter) {
                    return Err(PoolError::BadQuarter {
                        line: line.name.clone(),
                        quarter: q.quarter,
                    });
                }
                let cell = quarters.entry((q.year, q.quarter)).or_default();
                if is_plan {
                    cell.0 = add(cell.0, q.amount)?;
                    plan = add(plan, q.amount)?;
                    let y = plan_by_year.entry(q.year).or_default();
                    *y = add(*y, q.amount)?;
                } else {
                    cell.1 = add(cell.1, q.amount)?;
                    spend = add(spend, q.amount)?;
                }
            }
            planned = add(planned, plan)?;
            spent = add(spent, spend)?;
            let r = line.appraisal.as_ref().and_then(|n| appraisals.get(n));
            lines.push(LineRow {
                name: line.name.clone(),
                funds: line.funds,
                variance: Money::from_pence(spend.pence() - plan.pence()),
                plan,
                spend,
                appraisal: line.appraisal.clone(),
                net_outcomes: r.map(|r| r.central.net_outcomes),
                cost_per_net_outcome: r.and_then(|r| r.central.cost_per_net_outcome),
                public_value_roi: r.and_then(|r| r.central.public_value_roi),
                financial_roi: r.and_then(|r| r.central.financial_roi),
            });
        }
        for (year, plan) in &plan_by_year {
            let pool = by_year.get(year).copied().unwrap_or(Money::ZERO);
            if plan > &pool {
                warnings.push(format!(
                    "{year}: the lines plan to spend {plan}, more than the {pool} partners put in."
                ));
            }
        }
        let (mut cp, mut cs) = (Money::ZERO, Money::ZERO);
        let quarters = quarters
            .into_iter()
            .map(|((year, quarter), (plan, spend))| {
                cp = add(cp, plan)?;
                cs = add(cs, spend)?;
                Ok(QuarterRow {
                    year,
                    quarter,
                    plan,
                    spend,
                    variance: Money::from_pence(spend.pence() - plan.pence()),
                    cumulative_plan: cp,
                    cumulative_spend: cs,
                })
            })
            .collect::<Result<Vec<_>, PoolError>>()?;
        Ok(PoolReport {
            name: self.name.clone(),
            total,
            by_year,
            partners,
            quarters,
            lines,
            planned,
            spent,
            pv_benefits_other: other,
            warnings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fy(s: &str) -> FinancialYear {
        s.parse().unwrap()
    }

    fn pool() -> PooledBudget {
        PooledBudget {
            name: "Levermouth Together".into(),
            partners: vec![
                Partner {
                    name: "Council".into(),
                    agencies: vec!["Local authority".into()],
                },
                Partner {
                    name: "ICB".into(),
                    agencies: vec!["NHS".into()],
                },
            ],
            contributions: vec![
                Contribution {
                    partner: "Council".into(),
                    year: fy("2025/26"),
                    amount: Money::from_pence(60_000_00),
                },
                Contribution {
                    partner: "ICB".into(),
                    year: fy("2025/26"),
                    amount: Money::from_pence(40_000_00),
                },
                Contribution {
                    partner: "Council".into(),
                    year: fy("2026/27"),
                    amount: Money::from_pence(50_000_00),
                },
            ],
            lines: vec![Line {
                name: "Debt advice".into(),
                funds: Funds::Intervention,
                appraisal: None,
                plan: vec![
                    Quarterly {
                        year: fy("2025/26"),
                        quarter: 1,
                        amount: Money::from_pence(30_000_00),
                    },
                    Quarterly {
                        year: fy("2025/26"),
                        quarter: 2,
                        amount: Money::from_pence(80_000_00),
                    },
                ],
                spend: vec![Quarterly {
                    year: fy("2025/26"),
                    quarter: 1,
                    amount: Money::from_pence(25_000_00),
                }],
            }],
        }
    }

    #[test]
    fn contributions_shares_and_plan_against_spend() {
        let r = pool().report(&BTreeMap::new()).unwrap();
        assert_eq!(r.total, Money::from_pence(150_000_00));
        assert_eq!(r.partners[0].contributed, Money::from_pence(110_000_00));
        assert!((r.partners[0].share_of_pool - 110.0 / 150.0).abs() < 1e-12);
        assert_eq!(r.quarters.len(), 2);
        assert_eq!(r.quarters[0].variance, Money::from_pence(-5_000_00));
        assert_eq!(r.quarters[1].cumulative_plan, Money::from_pence(110_000_00));
        assert_eq!(r.quarters[1].cumulative_spend, Money::from_pence(25_000_00));
        // £110,000 planned in 2025/26 against £100,000 contributed.
        assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
        assert!(r.warnings[0].contains("2025/26"));
    }

    #[test]
    fn unknown_partners_and_quarters_are_refused() {
        let mut p = pool();
        p.contributions[1].partner = "Police".into();
        assert_eq!(
            p.report(&BTreeMap::new()).unwrap_err(),
            PoolError::UnknownPartner {
                index: 2,
                partner: "Police".into()
            }
        );
        let mut p = pool();
        p.lines[0].spend[0].quarter = 5;
        assert!(
            p.report(&BTreeMap::new())
                .unwrap_err()
                .to_string()
                .contains("quarter 5")
        );
    }

    proptest! {
        /// The pool balances: the partners' totals, the years' totals and the grand total agree, and
        /// the quarters add up to the lines.
        #[test]
        fn totals_balance(amounts in proptest::collection::vec((0usize..2, 0i32..3, 0i64..10_000_000), 0..30),
                          plan in proptest::collection::vec((0i32..3, 1u8..5, 0i64..10_000_000), 0..30)) {
            let mut p = pool();
            p.contributions = amounts.iter().map(|(who, y, a)| Contribution {
                partner: p.partners[*who].name.clone(),
                year: FinancialYear::starting(2025 + y).unwrap(),
                amount: Money::from_pence(*a),
            }).collect();
            p.lines[0].plan = plan.iter().map(|(y, q, a)| Quarterly {
                year: FinancialYear::starting(2025 + y).unwrap(), quarter: *q, amount: Money::from_pence(*a),
            }).collect();
            let r = p.report(&BTreeMap::new()).unwrap();
            let partners: i64 = r.partners.iter().map(|p| p.contributed.pence()).sum();
            let years: i64 = r.by_year.values().map(|m| m.pence()).sum();
            let want: i64 = amounts.iter().map(|a| a.2).sum();
            prop_assert_eq!(partners, want);
            prop_assert_eq!(years, want);
            prop_assert_eq!(r.total.pence(), want);
            let quarters: i64 = r.quarters.iter().map(|q| q.plan.pence()).sum();
            prop_assert_eq!(quarters, r.planned.pence());
            prop_assert_eq!(r.lines[0].plan, r.planned);
            if let Some(last) = r.quarters.last() {
                prop_assert_eq!(last.cumulative_plan, r.planned);
                prop_assert_eq!(last.cumulative_spend, r.spent);
            }
        }
    }
}
