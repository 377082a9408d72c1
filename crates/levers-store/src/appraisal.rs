//! Appraisal: unit cost libraries, the deflator table, appraisals (kept as their documented TOML
//! model), and pooled budgets (partners, contributions, lines, plan and spend by quarter). Every
//! change is audited in the same transaction.

use levers_appraisal::{
    Appraisal, Deflators, LibraryReport, Rag, UnitCost, ValueAt,
    pooled::{Contribution, Funds, Line, Partner, PooledBudget, Quarterly},
};
use levers_core::{FinancialYear, Money};
use serde::Serialize;
use sqlx::Row;

use crate::audit::{Actor, NewAudit, insert_audit};

use crate::{Result, Store, StoreError, conflict_on_unique, now_unix, with_pool, write_tx};

/// One imported unit cost library.
#[derive(Debug, Clone, Serialize)]
pub struct LibrarySummary {
    pub id: i64,
    pub name: String,
    pub file_name: String,
    pub costs: i64,
    pub imported_at: i64,
    pub imported_by: String,
}

/// A stored appraisal.
#[derive(Debug, Clone, Serialize)]
pub struct StoredAppraisal {
    pub id: i64,
    pub model: Appraisal,
    pub created_at: i64,
    pub created_by: String,
    pub updated_at: i64,
    pub updated_by: String,
}

/// A stored pooled budget with the ids the forms need.
#[derive(Debug, Clone, Serialize)]
pub struct StoredPool {
    pub id: i64,
    pub budget: PooledBudget,
    /// `(partner id, name)` in the order of `budget.partners`.
    pub partner_ids: Vec<(i64, String)>,
    /// `(line id, name, appraisal id)` in the order of `budget.lines`.
    pub line_ids: Vec<(i64, String, Option<i64>)>,
    /// The community budget vote (process id) each line funds, in the same order.
    pub line_processes: Vec<Option<i64>>,
}

const COST_COLUMNS: [&str; 22] = [
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
const COST_BATCH: usize = 40;

fn rag_code(r: Rag) -> &'static str {
    match r {
        Rag::Green => "G",
        Rag::Amber => "A",
        Rag::Red => "R",
        Rag::Unknown => "",
    }
}

fn rag_of(s: &str) -> Rag {
    match s {
        "G" => Rag::Green,
        "A" => Rag::Amber,
        "R" => Rag::Red,
        _ => Rag::Unknown,
    }
}

fn year(s: &str, what: &str) -> Result<FinancialYear> {
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

impl Store {
    /// Imports (or replaces) the library called `name` with `costs`, in one transaction.
    pub async fn import_unit_costs(
        &self,
        actor: &Actor,
        name: &str,
        file_name: &str,
        costs: &[UnitCost],
        report: &LibraryReport,
    ) -> Result<i64> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("give the library a name".into()));
        }
        let report_json =
            serde_json::to_string(report).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        with_pool!(self, pool => write_tx!(pool, tx => {
            let before: Option<i64> = sqlx::query_scalar("SELECT costs FROM appraisal_libraries WHERE name = $1")
                .bind(name)
                .fetch_optional(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM appraisal_libraries WHERE name = $1").bind(name).execute(&mut *tx).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO appraisal_libraries (name, file_name, costs, report_json, imported_at, imported_by)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(name)
            .bind(file_name)
            .bind(costs.len() as i64)
            .bind(&report_json)
            .bind(now_unix())
            .bind(&actor.label)
            .fetch_one(&mut *tx)
            .await?;
            let mut done = 0i64;
            for chunk in costs.chunks(COST_BATCH) {
                let mut sql = format!("INSERT INTO unit_costs ({}) VALUES ", COST_COLUMNS.join(", "));
                for r in 0..chunk.len() {
                    if r > 0 {
                        sql.push_str(", ");
                    }
                    let cols: Vec<String> = (0..COST_COLUMNS.len()).map(|c| format!("${}", r * COST_COLUMNS.len() + c + 1)).collect();
                    sql.push_str(&format!("({})", cols.join(", ")));
                }
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for (c, seq) in chunk.iter().zip(done..) {
                    q = q.bind(id).bind(seq).bind(&c.code).bind(&c.theme).bind(&c.category).bind(&c.detail).bind(&c.description)
                        .bind(&c.unit).bind(&c.agency).bind(&c.agency_detail);
                    for v in [c.fiscal, c.economic, c.social] {
                        q = q.bind(v.map(|v| v.amount)).bind(v.map(|v| v.price_year.to_string())).bind(v.and_then(|v| v.stated_2015_16));
                    }
                    q = q.bind(&c.source).bind(rag_code(c.rag)).bind(&c.comment);
                }
                q.execute(&mut *tx).await.map_err(|e| conflict_on_unique(e, || format!("the library {name} lists a cost code twice")))?;
                done += chunk.len() as i64;
            }
            insert_audit!(
                &mut *tx,
                actor,
                NewAudit::new("appraisal.library.import", "appraisal_library", name)
                    .before(before.map(|n| serde_json::json!({"costs": n})))
                    .after(serde_json::json!({"file": file_name, "costs": costs.len(), "rejected": report.rejected.len()}))
            )?;
            Ok(id)
        }))
    }

    pub async fn unit_cost_libraries(&self) -> Result<Vec<LibrarySummary>> {
        with_pool!(self, pool => {
            let rows = sqlx::query("SELECT id, name, file_name, costs, imported_at, imported_by FROM appraisal_libraries ORDER BY id")
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|r| Ok(LibrarySummary {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    file_name: r.try_get("file_name")?,
                    costs: r.try_get("costs")?,
                    imported_at: r.try_get("imported_at")?,
                    imported_by: r.try_get("imported_by")?,
                }))
                .collect()
        })
    }

    /// Every unit cost, one per code: where libraries share a code, the most recently imported wins
    /// (so a council's own values override the national ones).
    pub async fn unit_costs(&self) -> Result<Vec<UnitCost>> {
        with_pool!(self, pool => {
            let rows = sqlx::query("SELECT * FROM unit_costs ORDER BY library_id DESC, seq").fetch_all(pool).await?;
            let mut seen = std::collections::HashSet::new();
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                let c = cost_from_row!(r);
                if seen.insert(c.code.clone()) {
                    out.push(c);
                }
            }
            Ok(out)
        })
    }

    /// One unit cost by code (the most recently imported library that has it).
    pub async fn unit_cost(&self, code: &str) -> Result<Option<UnitCost>> {
        with_pool!(self, pool => {
            let r = sqlx::query("SELECT * FROM unit_costs WHERE code = $1 ORDER BY library_id DESC LIMIT 1")
                .bind(code.trim())
                .fetch_optional(pool)
                .await?;
            Ok(match r { Some(r) => Some(cost_from_row!(&r)), None => None })
        })
    }

    /// Adds or replaces the deflator figures for the years in `table`.
    pub async fn import_deflators(
        &self,
        actor: &Actor,
        source: &str,
        table: &Deflators,
    ) -> Result<usize> {
        let pairs: Vec<(FinancialYear, f64)> = table.pairs().collect();
        with_pool!(self, pool => write_tx!(pool, tx => {
            for (y, pct) in &pairs {
                sqlx::query(
                    "INSERT INTO appraisal_deflators (fin_year, pct, source, imported_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (fin_year) DO UPDATE SET pct = excluded.pct, source = excluded.source, imported_at = excluded.imported_at",
                )
                .bind(y.to_string())
                .bind(pct)
                .bind(source)
                .bind(now_unix())
                .execute(&mut *tx)
                .await?;
            }
            insert_audit!(
                &mut *tx,
                actor,
                NewAudit::new("appraisal.deflators.import", "appraisal_deflators", source).after(serde_json::json!({
                    "years": pairs.len(),
                    "first": pairs.first().map(|p| p.0.to_string()),
                    "last": pairs.last().map(|p| p.0.to_string()),
                }))
            )?;
            Ok(pairs.len())
        }))
    }

    /// The deflator table (empty when none has been imported).
    pub async fn deflators(&self) -> Result<Deflators> {
        with_pool!(self, pool => {
            let rows = sqlx::query("SELECT fin_year, pct FROM appraisal_deflators").fetch_all(pool).await?;
            let mut pairs = Vec::with_capacity(rows.len());
            for r in &rows {
                let y: String = r.try_get("fin_year")?;
                pairs.push((year(&y, "deflator year")?, r.try_get::<f64, _>("pct")?));
            }
            Ok(Deflators::from_pairs(pairs))
        })
    }

    /// Saves an appraisal: a new one when `id` is `None`, else replaces that one's model.
    pub async fn save_appraisal(
        &self,
        actor: &Actor,
        id: Option<i64>,
        model: &Appraisal,
    ) -> Result<i64> {
        model
            .check()
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let toml = model.to_toml();
        let now = now_unix();
        let name = model.name.trim().to_owned();
        with_pool!(self, pool => write_tx!(pool, tx => {
            let (id, before) = match id {
                None => {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO appraisals (name, model_toml, created_at, created_by, updated_at, updated_by)
                         VALUES ($1, $2, $3, $4, $3, $4) RETURNING id",
                    )
                    .bind(&name)
                    .bind(&toml)
                    .bind(now)
                    .bind(&actor.label)
                    .fetch_one(&mut *tx)
                    .await.map_err(|e| conflict_on_unique(e, || format!("an appraisal called \"{name}\" already exists: choose another name")))?;
                    (id, None)
                }
                Some(id) => {
                    let before: Option<String> = sqlx::query_scalar("SELECT model_toml FROM appraisals WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                    let Some(before) = before else { return Err(StoreError::NotFound(format!("appraisal {id}"))) };
                    sqlx::query("UPDATE appraisals SET name = $1, model_toml = $2, updated_at = $3, updated_by = $4 WHERE id = $5")
                        .bind(&name)
                        .bind(&toml)
                        .bind(now)
                        .bind(&actor.label)
                        .bind(id)
                        .execute(&mut *tx)
                        .await.map_err(|e| conflict_on_unique(e, || format!("an appraisal called \"{name}\" already exists: choose another name")))?;
                    (id, Some(before))
                }
            };
            insert_audit!(
                &mut *tx,
                actor,
                NewAudit::new(if before.is_some() { "appraisal.update" } else { "appraisal.create" }, "appraisal", id)
                    .before(before.map(|t| serde_json::json!({"model_toml": t})))
                    .after(serde_json::json!({"model_toml": toml}))
            )?;
            Ok(id)
        }))
    }

    pub async fn appraisals(&self) -> Result<Vec<StoredAppraisal>> {
        with_pool!(self, pool => {
            let rows = sqlx::query("SELECT * FROM appraisals ORDER BY name").fetch_all(pool).await?;
            rows.iter().map(|r| appraisal_from_row(r.try_get("id")?, r.try_get("model_toml")?, r.try_get("created_at")?,
                r.try_get("created_by")?, r.try_get("updated_at")?, r.try_get("updated_by")?)).collect()
        })
    }

    pub async fn appraisal(&self, id: i64) -> Result<Option<StoredAppraisal>> {
        with_pool!(self, pool => {
            let r = sqlx::query("SELECT * FROM appraisals WHERE id = $1").bind(id).fetch_optional(pool).await?;
            match r {
                None => Ok(None),
                Some(r) => appraisal_from_row(r.try_get("id")?, r.try_get("model_toml")?, r.try_get("created_at")?,
                    r.try_get("created_by")?, r.try_get("updated_at")?, r.try_get("updated_by")?).map(Some),
            }
        })
    }

    pub async fn delete_appraisal(&self, actor: &Actor, id: i64) -> Result<()> {
        with_pool!(self, pool => write_tx!(pool, tx => {
            let before: Option<String> = sqlx::query_scalar("SELECT model_toml FROM appraisals WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
            let Some(before) = before else { return Err(StoreError::NotFound(format!("appraisal {id}"))) };
            sqlx::query("DELETE FROM appraisals WHERE id = $1").bind(id).execute(&mut *tx).await?;
            insert_audit!(&mut *tx, actor, NewAudit::new("appraisal.delete", "appraisal", id).before(serde_json::json!({"model_toml": before})))?;
            Ok(())
        }))
    }

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

fn funds_code(f: Funds) -> &'static str {
    match f {
        Funds::Intervention => "intervention",
        Funds::PbProcess => "pb_process",
        Funds::Other => "other",
    }
}

fn funds_of(s: &str) -> Result<Funds> {
    match s {
        "intervention" => Ok(Funds::Intervention),
        "pb_process" => Ok(Funds::PbProcess),
        "other" => Ok(Funds::Other),
        other => Err(StoreError::Corrupt(format!("pool line funds \"{other}\""))),
    }
}

fn appraisal_from_row(
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
