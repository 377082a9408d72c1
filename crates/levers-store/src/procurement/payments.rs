//! Reading a financial year of payments for the analysis: from each import's column blocks (a few
//! blobs per year, decoded straight into the analysis' dictionary-encoded [`Payments`]), building
//! the blocks once for imports made before blocks existed. The row-at-a-time read is kept as
//! [`Store::procurement_payments_by_rows`] so tests can check both give the same payments.

use levers_spend::analysis::{PaymentText, Payments};
use sqlx::Row;

use crate::BeginWrite;
use crate::spend::block::{BLOCK_ROWS, BlockRow, BlockWriter, decode_into};
use crate::{Result, Store, StoreError, or_rollback, with_pool};

const ROW_SELECT: &str = "SELECT t.id, t.paid_on, t.amount_pence, t.supplier_name, t.redacted, t.supplier_id, t.company_number, t.charity_number,
        t.vat_number, t.expense_type, t.expense_area, t.purpose, t.creditor_type, t.financial_year,
        t.proclass_label
     FROM spend_transactions t";

fn parse_date(s: &str) -> Option<time::Date> {
    if s.is_empty() {
        None
    } else {
        time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()
    }
}

impl Store {
    /// The financial years with spend for any of these bodies, newest first.
    pub async fn spend_years(&self, bodies: &[String]) -> Result<Vec<String>> {
        let mut years: Vec<String> = Vec::new();
        for b in bodies {
            let more: Vec<String> = with_pool!(self, pool => {
                sqlx::query_scalar("SELECT DISTINCT t.financial_year FROM spend_transactions t JOIN spend_bodies b ON b.id = t.body_id WHERE t.financial_year IS NOT NULL AND b.name = $1")
                    .bind(b.trim())
                    .fetch_all(pool)
                    .await?
            });
            years.extend(more);
        }
        years.sort();
        years.dedup();
        years.reverse();
        Ok(years)
    }

    /// A financial year of payments for the bodies (by name; index in `bodies` = `PaymentRow::body`),
    /// decoded from the imports' column blocks, in row order.
    pub async fn procurement_payments(&self, bodies: &[String], year: &str) -> Result<Payments> {
        use futures_util::TryStreamExt;
        let mut out = Payments::default();
        for (bi, body) in bodies.iter().enumerate() {
            let body_id: Option<i64> = with_pool!(self, pool => {
                sqlx::query_scalar("SELECT id FROM spend_bodies WHERE name = $1").bind(body.trim()).fetch_optional(pool).await?
            });
            let Some(body_id) = body_id else { continue };
            self.ensure_spend_blocks(body_id).await?;
            with_pool!(self, pool => {
                let mut blocks = sqlx::query("SELECT data FROM spend_blocks WHERE body_id = $1 AND financial_year = $2 ORDER BY import_id, id")
                    .bind(body_id)
                    .bind(year)
                    .fetch(pool);
                while let Some(r) = blocks.try_next().await? {
                    let data: &[u8] = r.try_get("data")?;
                    decode_into(data, bi as u16, &mut out).map_err(StoreError::Corrupt)?;
                }
            });
        }
        Ok(out)
    }

    /// Writes the column blocks of a body's live imports that have none (made before blocks
    /// existed), each import in one transaction.
    async fn ensure_spend_blocks(&self, body_id: i64) -> Result<()> {
        let missing: Vec<i64> = with_pool!(self, pool => {
            sqlx::query_scalar("SELECT id FROM spend_imports WHERE body_id = $1 AND undone_at IS NULL AND blocks = 0 ORDER BY id")
                .bind(body_id)
                .fetch_all(pool)
                .await?
        });
        for import_id in missing {
            with_pool!(self, pool => {
                let mut tx = pool.begin_write().await?;
                // Another process may have built them meanwhile.
                let done: i64 = or_rollback!(tx, sqlx::query_scalar("SELECT blocks FROM spend_imports WHERE id = $1").bind(import_id).fetch_one(&mut *tx).await, StoreError::from);
                if done == 0 {
                    let sql = format!("{ROW_SELECT} WHERE t.import_id = $1 ORDER BY t.id");
                    let rows = or_rollback!(tx, sqlx::query(sqlx::AssertSqlSafe(sql)).bind(import_id).fetch_all(&mut *tx).await, StoreError::from);
                    let mut blocks: Vec<(Option<String>, BlockWriter)> = Vec::new();
                    let mut full: Vec<(Option<String>, i64, Vec<u8>)> = Vec::new();
                    for r in &rows {
                        let built = (|| -> Result<()> {
                            let s = |c: &str| -> Result<&str> { Ok(r.try_get::<Option<&str>, _>(c)?.unwrap_or("")) };
                            let fy: Option<String> = r.try_get("financial_year")?;
                            let row = BlockRow {
                                row_id: r.try_get("id")?,
                                date: parse_date(s("paid_on")?),
                                amount_pence: r.try_get("amount_pence")?,
                                redacted: r.try_get("redacted")?,
                                supplier_name: s("supplier_name")?,
                                supplier_id: s("supplier_id")?,
                                company_number: s("company_number")?,
                                charity_number: s("charity_number")?,
                                vat_number: s("vat_number")?,
                                expense_type: s("expense_type")?,
                                expense_area: s("expense_area")?,
                                purpose: s("purpose")?,
                                creditor_type: s("creditor_type")?,
                                category: levers_spend::proclass_category(Some(s("proclass_label")?)).unwrap_or(""),
                            };
                            let i = match blocks.iter().position(|(y, _)| *y == fy) {
                                Some(i) => i,
                                None => {
                                    blocks.push((fy.clone(), BlockWriter::default()));
                                    blocks.len() - 1
                                }
                            };
                            blocks[i].1.push(&row);
                            if blocks[i].1.len() >= BLOCK_ROWS {
                                let w = std::mem::take(&mut blocks[i].1);
                                full.push((fy, w.len() as i64, w.finish()));
                            }
                            Ok(())
                        })();
                        or_rollback!(tx, built, |e| e);
                    }
                    for (fy, w) in blocks {
                        if w.len() > 0 {
                            full.push((fy, w.len() as i64, w.finish()));
                        }
                    }
                    for (fy, n, data) in full {
                        or_rollback!(tx, sqlx::query("INSERT INTO spend_blocks (body_id, import_id, financial_year, rows, data) VALUES ($1, $2, $3, $4, $5)")
                            .bind(body_id).bind(import_id).bind(fy).bind(n).bind(data).execute(&mut *tx).await, StoreError::from);
                    }
                    or_rollback!(tx, sqlx::query("UPDATE spend_imports SET blocks = 1 WHERE id = $1").bind(import_id).execute(&mut *tx).await, StoreError::from);
                }
                tx.commit().await?;
            });
        }
        Ok(())
    }

    /// The same year read row by row from `spend_transactions` (in row order): the way it was read
    /// before column blocks, kept so tests can check that both reads give the same payments.
    pub async fn procurement_payments_by_rows(
        &self,
        bodies: &[String],
        year: &str,
    ) -> Result<Payments> {
        use futures_util::TryStreamExt;
        let mut out = Payments::default();
        let sql = format!(
            "{ROW_SELECT} JOIN spend_bodies b ON b.id = t.body_id WHERE b.name = $1 AND t.financial_year = $2 ORDER BY t.id"
        );
        for (bi, body) in bodies.iter().enumerate() {
            with_pool!(self, pool => {
                let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(body.trim())
                    .bind(year)
                    .fetch(pool);
                while let Some(r) = rows.try_next().await? {
                    let s = |c: &str| -> Result<&str> { Ok(r.try_get::<Option<&str>, _>(c)?.unwrap_or("")) };
                    let date = parse_date(s("paid_on")?);
                    // Registered numbers as the supplier records hold them (normalised), so they can meet.
                    let co = levers_spend::suppliers::normalise_company_number(s("company_number")?).unwrap_or_default();
                    let ch = levers_spend::suppliers::normalise_charity_number(s("charity_number")?).unwrap_or_default();
                    let vat = levers_spend::suppliers::normalise_vat_number(s("vat_number")?).unwrap_or_default();
                    out.push(PaymentText {
                        row_id: r.try_get("id")?,
                        body: bi as u16,
                        redacted: r.try_get("redacted")?,
                        date,
                        amount_pence: r.try_get("amount_pence")?,
                        supplier_name: s("supplier_name")?,
                        supplier_id: s("supplier_id")?,
                        company_number: &co,
                        charity_number: &ch,
                        vat_number: &vat,
                        expense_type: s("expense_type")?,
                        expense_area: s("expense_area")?,
                        purpose: s("purpose")?,
                        creditor_type: s("creditor_type")?,
                        category: levers_spend::proclass_category(Some(s("proclass_label")?)).unwrap_or(""),
                    });
                }
            });
        }
        Ok(out)
    }
}
