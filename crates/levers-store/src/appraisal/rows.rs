//! Row mappings and codes shared by the appraisal store modules.

use levers_appraisal::{Appraisal, Rag, pooled::Funds};
use levers_core::FinancialYear;

use super::types::*;
use crate::{Result, StoreError};

pub(super) const COST_COLUMNS: [&str; 22] = [
    "library_id",
    "seq",
    "code",
    "theme",
    "category",
    "detail",
    "description",
    "unit",
    "agency",
    "agency_detail",
    "fiscal_value",
    "fiscal_year",
    "fiscal_2015",
    "economic_value",
    "economic_year",
    "economic_2015",
    "social_value",
    "social_year",
    "social_2015",
    "source",
    "rag",
    "comment",
];
pub(super) const COST_BATCH: usize = 40;

pub(super) fn rag_code(r: Rag) -> &'static str {
    match r {
        Rag::Green => "G",
        Rag::Amber => "A",
        Rag::Red => "R",
        Rag::Unknown => "",
    }
}

pub(super) fn rag_of(s: &str) -> Rag {
    match s {
        "G" => Rag::Green,
        "A" => Rag::Amber,
        "R" => Rag::Red,
        _ => Rag::Unknown,
    }
}

pub(super) fn year(s: &str, what: &str) -> Result<FinancialYear> {
    s.parse()
        .map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

macro_rules! cost_from_row {
    ($r:expr) => {{
        let r = $r;
        let value = |v: &str, y: &str, s: &str| -> Result<Option<ValueAt>> {
            let amount: Option<f64> = r.try_get(v)?;
            let price_year: Option<String> = r.try_get(y)?;
            let stated: Option<f64> = r.try_get(s)?;
            Ok(match (amount, price_year) {
                (Some(amount), Some(py)) => Some(ValueAt {
                    amount,
                    price_year: year(&py, "unit cost price year")?,
                    stated_2015_16: stated,
                }),
                _ => None,
            })
        };
        let rag: String = r.try_get("rag")?;
        UnitCost {
            code: r.try_get("code")?,
            theme: r.try_get("theme")?,
            category: r.try_get("category")?,
            detail: r.try_get("detail")?,
            description: r.try_get("description")?,
            unit: r.try_get("unit")?,
            agency: r.try_get("agency")?,
            agency_detail: r.try_get("agency_detail")?,
            fiscal: value("fiscal_value", "fiscal_year", "fiscal_2015")?,
            economic: value("economic_value", "economic_year", "economic_2015")?,
            social: value("social_value", "social_year", "social_2015")?,
            source: r.try_get("source")?,
            rag: rag_of(&rag),
            comment: r.try_get("comment")?,
        }
    }};
}
pub(super) use cost_from_row;

pub(super) fn funds_code(f: Funds) -> &'static str {
    match f {
        Funds::Intervention => "intervention",
        Funds::PbProcess => "pb_process",
        Funds::Other => "other",
    }
}

pub(super) fn funds_of(s: &str) -> Result<Funds> {
    match s {
        "intervention" => Ok(Funds::Intervention),
        "pb_process" => Ok(Funds::PbProcess),
        "other" => Ok(Funds::Other),
        other => Err(StoreError::Corrupt(format!("pool line funds \"{other}\""))),
    }
}

pub(super) fn appraisal_from_row(
    id: i64,
    toml: String,
    created_at: i64,
    created_by: String,
    updated_at: i64,
    updated_by: String,
) -> Result<StoredAppraisal> {
    let model = Appraisal::from_toml(&format!("appraisal {id}"), &toml)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(StoredAppraisal {
        id,
        model,
        created_at,
        created_by,
        updated_at,
        updated_by,
    })
}
