//! Resolving an appraisal's values against the unit cost library, uprated to the price base, with
//! the evidence behind each.

use levers_core::FinancialYear;
use serde::Serialize;

use crate::deflator::Deflators;
use crate::library::{Rag, UnitCost, ValueKind};
use crate::model::{Appraisal, ModelError};

/// A value line made concrete: its amount at the price base and the evidence behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    pub outcome: String,
    pub description: String,
    pub cost_code: Option<String>,
    pub kind: ValueKind,
    /// The agency whose budget benefits (fiscal values only).
    pub agency: Option<String>,
    pub unit: String,
    /// As stated, at `price_year` prices.
    pub stated: f64,
    pub price_year: FinancialYear,
    /// At the appraisal's price base.
    pub amount: f64,
    pub transfer: bool,
    pub cashable: f64,
    pub once: bool,
    pub source: String,
    pub rag: Option<Rag>,
}

/// An appraisal with every value found in the library and uprated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resolved {
    pub appraisal: Appraisal,
    /// Cost amounts at the price base, in the order of `appraisal.costs`.
    pub cost_amounts: Vec<f64>,
    /// Per outcome line, its values.
    pub values: Vec<Vec<Evidence>>,
}

/// Finds each value's figures in the library (`lookup` by cost code) and uprates stated amounts to
/// the price base. `deflators` is needed whenever a price year differs from the price base.
pub fn resolve(
    appraisal: &Appraisal,
    lookup: &dyn Fn(&str) -> Option<UnitCost>,
    deflators: Option<&Deflators>,
) -> Result<Resolved, ModelError> {
    appraisal.check()?;
    let base = appraisal.price_base;
    let uprate = |place: &str,
                  field: &str,
                  amount: f64,
                  from: FinancialYear|
     -> Result<f64, ModelError> {
        if from == base {
            return Ok(amount);
        }
        let Some(d) = deflators else {
            return Err(ModelError {
                place: place.into(),
                field: field.into(),
                message: format!(
                    "{from} prices need uprating to {base}, but no deflator table is loaded: import one"
                ),
            });
        };
        d.uprate(amount, from, base).map_err(|e| ModelError {
            place: place.into(),
            field: field.into(),
            message: e.to_string(),
        })
    };
    let mut cost_amounts = Vec::with_capacity(appraisal.costs.len());
    for (i, c) in appraisal.costs.iter().enumerate() {
        let place = format!("cost {}", i + 1);
        cost_amounts.push(match c.price_year {
            Some(y) => uprate(&place, "price_year", c.amount, y)?,
            None => c.amount,
        });
    }
    let mut values = Vec::with_capacity(appraisal.outcomes.len());
    for o in &appraisal.outcomes {
        let mut out = Vec::with_capacity(o.values.len());
        for (j, v) in o.values.iter().enumerate() {
            let place = format!("outcome \"{}\", value {}", o.name, j + 1);
            let unit = match &v.cost_code {
                Some(code) => Some(lookup(code).ok_or_else(|| ModelError {
                    place: place.clone(),
                    field: "cost_code".into(),
                    message: format!("{code} is not in the unit cost library: import the library or give the amount yourself"),
                })?),
                None => None,
            };
            let from_library = unit.as_ref().and_then(|u| u.value(v.kind));
            let (stated, price_year) = match (v.amount, from_library) {
                (Some(a), _) => (a, v.price_year.unwrap_or(base)),
                (None, Some(l)) => (l.amount, v.price_year.unwrap_or(l.price_year)),
                (None, None) => {
                    return Err(ModelError {
                        place,
                        field: "kind".into(),
                        message: format!(
                            "{} has no {} value in the library: choose another kind or give the amount",
                            v.cost_code.as_deref().unwrap_or("?"),
                            kind_name(v.kind)
                        ),
                    });
                }
            };
            let amount = uprate(&place, "price_year", stated, price_year)?;
            let agency = match v.kind {
                ValueKind::Fiscal => Some(
                    v.agency
                        .clone()
                        .or_else(|| unit.as_ref().map(|u| u.agency.clone()))
                        .filter(|a| !a.trim().is_empty())
                        .ok_or_else(|| ModelError {
                            place: place.clone(),
                            field: "agency".into(),
                            message: "say which agency's budget benefits from this fiscal value"
                                .into(),
                        })?,
                ),
                _ => None,
            };
            out.push(Evidence {
                outcome: o.name.clone(),
                description: v
                    .description
                    .clone()
                    .or_else(|| unit.as_ref().map(|u| u.description.clone()))
                    .unwrap_or_default(),
                cost_code: v.cost_code.clone(),
                kind: v.kind,
                agency,
                unit: unit.as_ref().map(|u| u.unit.clone()).unwrap_or_default(),
                stated,
                price_year,
                amount,
                transfer: v.transfer,
                cashable: v.cashable,
                once: v.once,
                source: v
                    .source
                    .clone()
                    .or_else(|| unit.as_ref().map(|u| u.source.clone()))
                    .unwrap_or_else(|| "entered by the appraiser".into()),
                rag: unit.as_ref().map(|u| u.rag),
            });
        }
        values.push(out);
    }
    Ok(Resolved {
        appraisal: appraisal.clone(),
        cost_amounts,
        values,
    })
}

/// An estimate in pounds shown to the penny (`£1,234.57`), or "n/a" when it is not a number.
pub fn pounds(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    levers_core::Money::from_pence((x * 100.0).round() as i64).to_string()
}

fn kind_name(k: ValueKind) -> &'static str {
    match k {
        ValueKind::Fiscal => "fiscal",
        ValueKind::Economic => "economic",
        ValueKind::Social => "social",
    }
}
