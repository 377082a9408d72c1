//! Pooled budgets: partners, contributions, lines, quarters.

use levers_appraisal::pooled::{Contribution, Funds, Line, Partner, PooledBudget, Quarterly};
use levers_core::{FinancialYear, Money};
use sqlx::Row;

use crate::audit::{Actor, NewAudit, insert_audit};

use super::rows::*;
use super::types::*;
use crate::{Result, Store, StoreError, conflict_on_unique, now_unix, with_pool, write_tx};

impl Store {
    /// Creates an empty pooled budget.
    pub async fn create_pool(&self, actor: &Actor, name: &str) -> Result<i64> {
        let name = name.trim().to_owned();
        if name.is_empty() {
            return Err(StoreError::Invalid("give the pooled budget a name".into()));
        }
        with_pool!(self, pool => write_tx!(pool, tx => {
            let id: i64 = sqlx::query_scalar("INSERT INTO pools (name, created_at, created_by) VALUES ($1, $2, $3) RETURNING id")
                .bind(&name)
                .bind(now_unix())
                .bind(&actor.label)
                .fetch_one(&mut *tx)
                .await.map_err(|e| conflict_on_unique(e, || format!("a pooled budget called \"{name}\" already exists")))?;
            insert_audit!(&mut *tx, actor, NewAudit::new("pool.create", "pool", id).after(serde_json::json!({"name": name})))?;
            Ok(id)
        }))
    }

    /// Adds a partner to a pool, with the agency names its budgets appear under in appraisals.
    pub async fn add_pool_partner(
        &self,
        actor: &Actor,
        pool_id: i64,
        name: &str,
        agencies: &[String],
    ) -> Result<i64> {
        let name = name.trim().to_owned();
        if name.is_empty() {
            return Err(StoreError::Invalid("give the partner a name".into()));
        }
        let agencies = agencies
            .iter()
            .map(|a| a.trim())
            .filter(|a| !a.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        with_pool!(self, pool => write_tx!(pool, tx => {
            let id: i64 = sqlx::query_scalar("INSERT INTO pool_partners (pool_id, name, agencies) VALUES ($1, $2, $3) RETURNING id")
                .bind(pool_id)
                .bind(&name)
                .bind(&agencies)
                .fetch_one(&mut *tx)
                .await.map_err(|e| conflict_on_unique(e, || format!("{name} is already a partner")))?;
            insert_audit!(&mut *tx, actor, NewAudit::new("pool.partner.add", "pool", pool_id).after(serde_json::json!({"partner": name, "agencies": agencies})))?;
            Ok(id)
        }))
    }

    /// The pool a partner belongs to, if the partner exists.
    pub async fn pool_of_partner(&self, partner_id: i64) -> Result<Option<i64>> {
        with_pool!(self, pool => {
            Ok(sqlx::query_scalar("SELECT pool_id FROM pool_partners WHERE id = $1").bind(partner_id).fetch_optional(pool).await?)
        })
    }

    /// The pool a line belongs to, if the line exists.
    pub async fn pool_of_line(&self, line_id: i64) -> Result<Option<i64>> {
        with_pool!(self, pool => {
            Ok(sqlx::query_scalar("SELECT pool_id FROM pool_lines WHERE id = $1").bind(line_id).fetch_optional(pool).await?)
        })
    }

    /// Sets a partner's contribution for a year (replacing any earlier figure; audited with both).
    pub async fn set_pool_contribution(
        &self,
        actor: &Actor,
        partner_id: i64,
        year: FinancialYear,
        amount: Money,
    ) -> Result<()> {
        if amount.is_negative() {
            return Err(StoreError::Invalid(
                "a contribution cannot be negative".into(),
            ));
        }
        with_pool!(self, pool => write_tx!(pool, tx => {
            let pool_id: Option<i64> = sqlx::query_scalar("SELECT pool_id FROM pool_partners WHERE id = $1").bind(partner_id).fetch_optional(&mut *tx).await?;
            let Some(pool_id) = pool_id else { return Err(StoreError::NotFound(format!("pool partner {partner_id}"))) };
            let before: Option<i64> = sqlx::query_scalar("SELECT amount_pence FROM pool_contributions WHERE partner_id = $1 AND fin_year = $2")
                .bind(partner_id)
                .bind(year.to_string())
                .fetch_optional(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO pool_contributions (partner_id, fin_year, amount_pence) VALUES ($1, $2, $3)
                 ON CONFLICT (partner_id, fin_year) DO UPDATE SET amount_pence = excluded.amount_pence",
            )
            .bind(partner_id)
            .bind(year.to_string())
            .bind(amount.pence())
            .execute(&mut *tx)
            .await?;
            insert_audit!(
                &mut *tx,
                actor,
                NewAudit::new("pool.contribution.set", "pool", pool_id)
                    .before(before.map(|p| serde_json::json!({"partner_id": partner_id, "year": year, "amount_pence": p})))
                    .after(serde_json::json!({"partner_id": partner_id, "year": year, "amount_pence": amount.pence()}))
            )?;
            Ok(())
        }))
    }

    /// Adds a line to a pool (what it funds, and the appraisal behind it if any).
    pub async fn add_pool_line(
        &self,
        actor: &Actor,
        pool_id: i64,
        name: &str,
        funds: Funds,
        appraisal_id: Option<i64>,
    ) -> Result<i64> {
        let name = name.trim().to_owned();
        if name.is_empty() {
            return Err(StoreError::Invalid("give the line a name".into()));
        }
        let funds_code = funds_code(funds);
        with_pool!(self, pool => write_tx!(pool, tx => {
            let id: i64 = sqlx::query_scalar("INSERT INTO pool_lines (pool_id, name, funds, appraisal_id) VALUES ($1, $2, $3, $4) RETURNING id")
                .bind(pool_id)
                .bind(&name)
                .bind(funds_code)
                .bind(appraisal_id)
                .fetch_one(&mut *tx)
                .await.map_err(|e| conflict_on_unique(e, || format!("the pool already has a line called {name}")))?;
            insert_audit!(&mut *tx, actor, NewAudit::new("pool.line.add", "pool", pool_id)
                .after(serde_json::json!({"line": name, "funds": funds_code, "appraisal_id": appraisal_id})))?;
            Ok(id)
        }))
    }

    /// Names the community budget vote (process) a line funds, or none; only a line that funds a
    /// vote can name one. Audited with the process before and after.
    pub async fn set_pool_line_process(
        &self,
        actor: &Actor,
        line_id: i64,
        process_id: Option<i64>,
    ) -> Result<()> {
        with_pool!(self, pool => write_tx!(pool, tx => {
            let line = sqlx::query("SELECT pool_id, name, funds, pb_process_id FROM pool_lines WHERE id = $1").bind(line_id).fetch_optional(&mut *tx).await?;
            let Some(line) = line else { return Err(StoreError::NotFound(format!("pool line {line_id}"))) };
            let (pool_id, name, funds, before): (i64, String, String, Option<i64>) =
                (line.try_get("pool_id")?, line.try_get("name")?, line.try_get("funds")?, line.try_get("pb_process_id")?);
            if funds != "pb_process" && process_id.is_some() {
                return Err(StoreError::Invalid(format!("the line {name} does not fund a community budget vote, so it cannot be linked to one")));
            }
            if let Some(pid) = process_id {
                let known: Option<i64> = sqlx::query_scalar("SELECT id FROM pb_processes WHERE id = $1").bind(pid).fetch_optional(&mut *tx).await?;
                if known.is_none() {
                    return Err(StoreError::NotFound(format!("community budget {pid}")));
                }
            }
            sqlx::query("UPDATE pool_lines SET pb_process_id = $1 WHERE id = $2").bind(process_id).bind(line_id).execute(&mut *tx).await?;
            insert_audit!(&mut *tx, actor, NewAudit::new("pool.line.process", "pool", pool_id)
                .before(serde_json::json!({"line": name, "pb_process_id": before}))
                .after(serde_json::json!({"line": name, "pb_process_id": process_id})))?;
            Ok(())
        }))
    }

    /// Sets a line's plan and spend for one quarter (replacing earlier figures; audited with both).
    pub async fn set_pool_quarter(
        &self,
        actor: &Actor,
        line_id: i64,
        year: FinancialYear,
        quarter: u8,
        plan: Money,
        spend: Money,
    ) -> Result<()> {
        if !(1..=4).contains(&quarter) {
            return Err(StoreError::Invalid(format!(
                "quarter {quarter} does not exist: use 1 (April to June) to 4 (January to March)"
            )));
        }
        if plan.is_negative() || spend.is_negative() {
            return Err(StoreError::Invalid(
                "plan and spend cannot be negative; record a refund as lower spend".into(),
            ));
        }
        with_pool!(self, pool => write_tx!(pool, tx => {
            let pool_id: Option<i64> = sqlx::query_scalar("SELECT pool_id FROM pool_lines WHERE id = $1").bind(line_id).fetch_optional(&mut *tx).await?;
            let Some(pool_id) = pool_id else { return Err(StoreError::NotFound(format!("pool line {line_id}"))) };
            let before = sqlx::query("SELECT plan_pence, spend_pence FROM pool_quarters WHERE line_id = $1 AND fin_year = $2 AND quarter = $3")
                .bind(line_id)
                .bind(year.to_string())
                .bind(i64::from(quarter))
                .fetch_optional(&mut *tx)
                .await?;
            let before = match before {
                Some(r) => Some(serde_json::json!({"plan_pence": r.try_get::<i64, _>("plan_pence")?, "spend_pence": r.try_get::<i64, _>("spend_pence")?})),
                None => None,
            };
            sqlx::query(
                "INSERT INTO pool_quarters (line_id, fin_year, quarter, plan_pence, spend_pence) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (line_id, fin_year, quarter) DO UPDATE SET plan_pence = excluded.plan_pence, spend_pence = excluded.spend_pence",
            )
            .bind(line_id)
            .bind(year.to_string())
            .bind(i64::from(quarter))
            .bind(plan.pence())
            .bind(spend.pence())
            .execute(&mut *tx)
            .await?;
            insert_audit!(
                &mut *tx,
                actor,
                NewAudit::new("pool.quarter.set", "pool", pool_id)
                    .before(before.map(|b| serde_json::json!({"line_id": line_id, "year": year, "quarter": quarter, "was": b})))
                    .after(serde_json::json!({"line_id": line_id, "year": year, "quarter": quarter, "plan_pence": plan.pence(), "spend_pence": spend.pence()}))
            )?;
            Ok(())
        }))
    }

    /// Every pool as `(id, name)`.
    pub async fn pools(&self) -> Result<Vec<(i64, String)>> {
        with_pool!(self, pool => {
            let rows = sqlx::query("SELECT id, name FROM pools ORDER BY name").fetch_all(pool).await?;
            rows.iter().map(|r| Ok((r.try_get("id")?, r.try_get("name")?))).collect()
        })
    }

    /// One pool with everything in it. Lines name their appraisal by its name.
    pub async fn pool(&self, id: i64) -> Result<Option<StoredPool>> {
        with_pool!(self, pool => {
            let name: Option<String> = sqlx::query_scalar("SELECT name FROM pools WHERE id = $1").bind(id).fetch_optional(pool).await?;
            let Some(name) = name else { return Ok(None) };
            let partners = sqlx::query("SELECT id, name, agencies FROM pool_partners WHERE pool_id = $1 ORDER BY id").bind(id).fetch_all(pool).await?;
            let contributions = sqlx::query(
                "SELECT p.name, c.fin_year, c.amount_pence FROM pool_contributions c JOIN pool_partners p ON p.id = c.partner_id
                 WHERE p.pool_id = $1 ORDER BY c.fin_year, p.id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?;
            let lines = sqlx::query(
                "SELECT l.id, l.name, l.funds, l.appraisal_id, l.pb_process_id, a.name AS appraisal FROM pool_lines l
                 LEFT JOIN appraisals a ON a.id = l.appraisal_id WHERE l.pool_id = $1 ORDER BY l.id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?;
            let quarters = sqlx::query(
                "SELECT q.line_id, q.fin_year, q.quarter, q.plan_pence, q.spend_pence FROM pool_quarters q
                 JOIN pool_lines l ON l.id = q.line_id WHERE l.pool_id = $1 ORDER BY q.fin_year, q.quarter",
            )
            .bind(id)
            .fetch_all(pool)
            .await?;
            let mut budget = PooledBudget { name, partners: Vec::new(), contributions: Vec::new(), lines: Vec::new() };
            let mut partner_ids = Vec::new();
            for r in &partners {
                let agencies: String = r.try_get("agencies")?;
                let name: String = r.try_get("name")?;
                partner_ids.push((r.try_get("id")?, name.clone()));
                budget.partners.push(Partner { name, agencies: agencies.lines().map(str::to_owned).collect() });
            }
            for r in &contributions {
                let y: String = r.try_get("fin_year")?;
                budget.contributions.push(Contribution {
                    partner: r.try_get("name")?,
                    year: year(&y, "contribution year")?,
                    amount: Money::from_pence(r.try_get("amount_pence")?),
                });
            }
            let mut line_ids = Vec::new();
            let mut line_processes = Vec::new();
            for r in &lines {
                line_processes.push(r.try_get::<Option<i64>, _>("pb_process_id")?);
                let funds: String = r.try_get("funds")?;
                let line_id: i64 = r.try_get("id")?;
                let name: String = r.try_get("name")?;
                line_ids.push((line_id, name.clone(), r.try_get("appraisal_id")?));
                let mut line = Line { name, funds: funds_of(&funds)?, appraisal: r.try_get("appraisal")?, plan: Vec::new(), spend: Vec::new() };
                for q in quarters.iter().filter(|q| q.try_get::<i64, _>("line_id").ok() == Some(line_id)) {
                    let y: String = q.try_get("fin_year")?;
                    let y = year(&y, "quarter year")?;
                    let quarter = q.try_get::<i64, _>("quarter")? as u8;
                    let plan: i64 = q.try_get("plan_pence")?;
                    let spend: i64 = q.try_get("spend_pence")?;
                    line.plan.push(Quarterly { year: y, quarter, amount: Money::from_pence(plan) });
                    line.spend.push(Quarterly { year: y, quarter, amount: Money::from_pence(spend) });
                }
                budget.lines.push(line);
            }
            Ok(Some(StoredPool { id, budget, partner_ids, line_ids, line_processes }))
        })
    }
}
