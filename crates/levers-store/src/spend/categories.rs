//! Reading back what the national spend schema adds to stored payments: totals by ProClass category,
//! and how many of a body's payments carry a category and each supplier-identity field.

use levers_core::Money;
use serde::Serialize;
use sqlx::Row;

use crate::{Result, Store, StoreError, with_pool};

/// Payments of one ProClass category (label as the file writes it, with its code when given).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpendCategory {
    pub label: String,
    /// The 6-digit ProClass code most payments of this label carry (`None` when none gives one).
    pub code: Option<String>,
    pub payments: i64,
    pub total: Money,
}

/// How many of a body's stored payments carry each national-schema field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SpendFieldCoverage {
    pub payments: i64,
    /// With a ProClass label other than "Not Classified".
    pub with_category: i64,
    pub with_proclass_code: i64,
    pub with_vat_number: i64,
    /// With the beneficiary's other ID (the supplier id).
    pub with_supplier_id: i64,
    pub with_irrecoverable_vat: i64,
}

fn pence(s: &str) -> Result<Money> {
    s.parse()
        .map(Money::from_pence)
        .map_err(|_| StoreError::Corrupt(format!("spend total {s} is not whole pence")))
}

impl Store {
    /// A body's stored payments grouped by ProClass label ("Not Classified" left out), largest total
    /// first; empty when its files have no ProClass column.
    pub async fn spend_categories(&self, body: &str) -> Result<Vec<SpendCategory>> {
        with_pool!(self, pool => {
            // SUM is read as text to be exact on both engines.
            let rows = sqlx::query(
                "SELECT t.proclass_label AS label, MAX(t.proclass_code) AS code, COUNT(*) AS n,
                        CAST(SUM(t.amount_pence) AS TEXT) AS total
                 FROM spend_transactions t JOIN spend_bodies b ON b.id = t.body_id
                 WHERE b.name = $1 AND t.proclass_label IS NOT NULL AND t.proclass_label <> ''
                   AND LOWER(t.proclass_label) <> 'not classified'
                 GROUP BY t.proclass_label
                 ORDER BY SUM(t.amount_pence) DESC, t.proclass_label",
            )
            .bind(body.trim())
            .fetch_all(pool)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                let total: String = r.try_get("total")?;
                out.push(SpendCategory {
                    label: r.try_get("label")?,
                    code: r.try_get("code")?,
                    payments: r.try_get("n")?,
                    total: pence(&total)?,
                });
            }
            Ok(out)
        })
    }

    /// How many of a body's stored payments carry a category and each supplier-identity field.
    pub async fn spend_field_coverage(&self, body: &str) -> Result<SpendFieldCoverage> {
        with_pool!(self, pool => {
            let r = sqlx::query(
                "SELECT COUNT(*) AS n,
                    COUNT(CASE WHEN t.proclass_label IS NOT NULL AND t.proclass_label <> ''
                               AND LOWER(t.proclass_label) <> 'not classified' THEN 1 END) AS cat,
                    COUNT(t.proclass_code) AS code,
                    COUNT(t.vat_number) AS vat,
                    COUNT(t.supplier_id) AS sid,
                    COUNT(t.irrecoverable_vat_pence) AS ivat
                 FROM spend_transactions t JOIN spend_bodies b ON b.id = t.body_id
                 WHERE b.name = $1",
            )
            .bind(body.trim())
            .fetch_one(pool)
            .await?;
            Ok(SpendFieldCoverage {
                payments: r.try_get("n")?,
                with_category: r.try_get("cat")?,
                with_proclass_code: r.try_get("code")?,
                with_vat_number: r.try_get("vat")?,
                with_supplier_id: r.try_get("sid")?,
                with_irrecoverable_vat: r.try_get("ivat")?,
            })
        })
    }
}
