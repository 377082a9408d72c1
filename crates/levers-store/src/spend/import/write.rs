//! One batch of payments written to the store: a multi-row insert on SQLite, `COPY` through a
//! temporary table on PostgreSQL, and the matching of the inserted rows' ids to the batch.

use super::*;

/// The multi-row insert for SQLite, with plain placeholders (`crate::Marks`: numbered ones cost
/// time quadratic in their number, nearly all of the 279 s a million-row import once took).
/// `OR IGNORE` skips a row whose identity the body already holds, as `ON CONFLICT (body_id,
/// identity) DO NOTHING` would (no other constraint can fail: every NOT NULL column is bound from a
/// non-optional value); unlike that clause, with foreign keys unenforced it lets SQLite run the
/// statement without a statement journal.
pub(super) fn insert_sql(rows: usize) -> String {
    format!(
        "INSERT OR IGNORE INTO spend_transactions ({}) VALUES {}",
        TX_COLUMNS.join(", "),
        crate::Marks::Plain.rows(rows, TX_COLUMNS.len())
    )
}

pub(super) fn iso(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

pub(super) fn flags(t: &Transaction) -> String {
    t.flags
        .iter()
        .map(|f| {
            serde_json::to_value(f)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Which rows of `chunk` the database inserted, with their ids, in id order: the returned
/// identities come back in insert order on both backends, so a single walk matches them; if they
/// ever do not, they are matched by identity (unique per body).
pub(super) fn match_inserted(
    chunk: &[Transaction],
    returned: &[(i64, String)],
) -> Vec<(i64, usize)> {
    let mut out = Vec::with_capacity(returned.len());
    let mut j = 0;
    for (i, t) in chunk.iter().enumerate() {
        if j < returned.len() && returned[j].1 == t.identity {
            out.push((returned[j].0, i));
            j += 1;
        }
    }
    if j != returned.len() {
        let by_identity: HashMap<&str, i64> =
            returned.iter().map(|(id, s)| (s.as_str(), *id)).collect();
        out = chunk
            .iter()
            .enumerate()
            .filter_map(|(i, t)| by_identity.get(t.identity.as_str()).map(|id| (*id, i)))
            .collect();
    }
    out.sort_unstable();
    out
}

/// One multi-row insert on SQLite; returns the ids of the rows inserted with their index in
/// `chunk`, in id order. `high` is the highest row id before the insert and is moved past it.
/// Row ids only grow (AUTOINCREMENT, and the import holds the write lock), so when every row went
/// in, their ids are the `n` after `high`, in chunk order; the first and last are checked. When
/// some were already held, the rows above `high` are read back and matched by identity.
pub(super) async fn insert_chunk_sqlite(
    t: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    body_id: i64,
    import_id: i64,
    high: &mut i64,
    chunk: &[Transaction],
) -> Result<Vec<(i64, usize)>> {
    let sql = insert_sql(chunk.len());
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for tr in chunk {
        q = q
            .bind(body_id)
            .bind(import_id)
            .bind(tr.identity.clone())
            .bind(tr.line as i64)
            .bind(tr.date.map(iso))
            .bind(tr.date.map(|d| FinancialYear::of(d).to_string()))
            .bind(tr.amount.pence())
            .bind(tr.irrecoverable_vat.map(Money::pence))
            .bind(tr.supplier_name.clone())
            .bind(tr.redacted)
            .bind(tr.supplier_id.clone())
            .bind(tr.transaction_number.clone())
            .bind(tr.invoice_number.clone())
            .bind(tr.vat_number.clone())
            .bind(tr.company_number.clone())
            .bind(tr.charity_number.clone())
            .bind(tr.expense_area.clone())
            .bind(tr.expense_type.clone())
            .bind(tr.expense_code.clone())
            .bind(tr.creditor_type.clone())
            .bind(tr.purpose.clone())
            .bind(tr.merchant_category.clone())
            .bind(tr.capital_revenue.clone())
            .bind(flags(tr))
            .bind(tr.proclass_label.clone())
            .bind(tr.proclass_code.clone());
    }
    let done = q.execute(&mut **t).await?;
    let n = done.rows_affected() as usize;
    if n == 0 {
        return Ok(Vec::new());
    }
    let before = *high;
    let last = done.last_insert_rowid();
    *high = last;
    if n == chunk.len() && last - before == n as i64 {
        let ends: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, identity FROM spend_transactions WHERE id IN ($1, $2) ORDER BY id",
        )
        .bind(before + 1)
        .bind(last)
        .fetch_all(&mut **t)
        .await?;
        let want = |id: i64, i: usize| {
            ends.iter()
                .any(|(e, s)| *e == id && *s == chunk[i].identity)
        };
        if want(before + 1, 0) && want(last, n - 1) {
            return Ok((0..n).map(|i| (before + 1 + i as i64, i)).collect());
        }
    }
    let returned: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, identity FROM spend_transactions WHERE id > $1 ORDER BY id")
            .bind(before)
            .fetch_all(&mut **t)
            .await?;
    if returned.len() != n {
        return Err(StoreError::Corrupt(format!(
            "{n} payments were inserted but {} rows were found after row {before}",
            returned.len()
        )));
    }
    Ok(match_inserted(chunk, &returned))
}

/// Escapes a value for PostgreSQL's COPY text format.
pub(super) fn copy_text(out: &mut String, v: Option<&str>) {
    match v {
        None => out.push_str("\\N"),
        Some(s) => {
            for ch in s.chars() {
                match ch {
                    '\\' => out.push_str("\\\\"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    c => out.push(c),
                }
            }
        }
    }
}

/// A batch on PostgreSQL: `COPY` into the temporary table, then one insert from it in file order;
/// returns the ids and identities of the rows inserted.
pub(super) async fn copy_batch_postgres(
    t: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    body_id: i64,
    import_id: i64,
    batch: &[Transaction],
) -> Result<Vec<(i64, String)>> {
    use std::fmt::Write as _;
    let mut data = String::with_capacity(batch.len() * 160);
    for (seq, tr) in batch.iter().enumerate() {
        let fy = tr.date.map(|d| FinancialYear::of(d).to_string());
        let _ = write!(data, "{seq}\t{body_id}\t{import_id}\t",);
        copy_text(&mut data, Some(&tr.identity));
        let _ = write!(data, "\t{}\t", tr.line);
        copy_text(&mut data, tr.date.map(iso).as_deref());
        data.push('\t');
        copy_text(&mut data, fy.as_deref());
        let _ = write!(data, "\t{}\t", tr.amount.pence());
        match tr.irrecoverable_vat {
            Some(v) => {
                let _ = write!(data, "{}", v.pence());
            }
            None => data.push_str("\\N"),
        }
        data.push('\t');
        copy_text(&mut data, Some(&tr.supplier_name));
        data.push_str(if tr.redacted { "\tt" } else { "\tf" });
        for v in [
            &tr.supplier_id,
            &tr.transaction_number,
            &tr.invoice_number,
            &tr.vat_number,
            &tr.company_number,
            &tr.charity_number,
            &tr.expense_area,
            &tr.expense_type,
            &tr.expense_code,
            &tr.creditor_type,
            &tr.purpose,
            &tr.merchant_category,
            &tr.capital_revenue,
        ] {
            data.push('\t');
            copy_text(&mut data, v.as_deref());
        }
        data.push('\t');
        copy_text(&mut data, Some(&flags(tr)));
        for v in [&tr.proclass_label, &tr.proclass_code] {
            data.push('\t');
            copy_text(&mut data, v.as_deref());
        }
        data.push('\n');
    }
    let mut copy = (**t)
        .copy_in_raw(&format!(
            "COPY spend_incoming (seq, {}) FROM STDIN",
            TX_COLUMNS.join(", ")
        ))
        .await?;
    if let Err(e) = copy.send(data.as_bytes()).await {
        let _ = copy.abort("send failed").await;
        return Err(e.into());
    }
    copy.finish().await?;
    let cols = TX_COLUMNS.join(", ");
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO spend_transactions ({cols}) SELECT {cols} FROM spend_incoming ORDER BY seq
         ON CONFLICT (body_id, identity) DO NOTHING RETURNING id, identity"
    )))
    .fetch_all(&mut **t)
    .await?;
    sqlx::query("TRUNCATE spend_incoming")
        .execute(&mut **t)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push((r.try_get::<i64, _>(0)?, r.try_get::<String, _>(1)?));
    }
    Ok(out)
}
