//! Procurement: each body's supplier records (imported from its creditor file, upserted by supplier
//! ID or normalised name), entries from the public registers kept for the suppliers paid, officers'
//! remembered matching decisions, the editable exclusion rules, and (in [`payments`]) loading a year
//! of payments for the analysis. Every import, decision and rule change is audited on the same transaction.

use levers_spend::classify::{ExclusionRule, RuleField, default_rules};
use levers_spend::registers::{RegisterKind, RegisterRecord};
use levers_spend::resolve::normalise_name;
use levers_spend::suppliers::{DeclaredType, SupplierRecord};
use serde::Serialize;
use sqlx::Row;

use crate::BeginWrite;
use crate::audit::{Actor, NewAudit, insert_audit};
use crate::rollback_and;
use crate::{Result, Store, StoreError, now_unix, with_pool};

mod payments;

/// A supplier record as stored.
#[derive(Debug, Clone, Serialize)]
pub struct StoredSupplier {
    pub id: i64,
    pub body: String,
    pub record: SupplierRecord,
    pub import_id: i64,
    pub updated_at: i64,
}

/// What importing a supplier file did.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct SupplierImportCounts {
    pub import_id: i64,
    pub kept: i64,
    pub added: i64,
    pub updated: i64,
}

/// One import of a supplier file.
#[derive(Debug, Clone, Serialize)]
pub struct SupplierImport {
    pub id: i64,
    pub body: String,
    pub file_name: String,
    pub rows_kept: i64,
    pub rows_added: i64,
    pub rows_updated: i64,
    pub report: serde_json::Value,
    pub imported_at: i64,
    pub imported_by: String,
}

/// An officer's remembered decision about a name on payments.
#[derive(Debug, Clone, Serialize)]
pub struct StoredDecision {
    pub id: i64,
    pub body: String,
    pub name_norm: String,
    pub name_seen: String,
    /// The supplier the name is linked to; `None` = matches none.
    pub supplier_id: Option<i64>,
    pub supplier_name: Option<String>,
    pub decided_at: i64,
    pub decided_by: String,
}

fn supplier_key(r: &SupplierRecord) -> String {
    match &r.supplier_id {
        Some(id) => format!("id:{}", id.trim().to_ascii_uppercase()),
        None => format!("name:{}", normalise_name(&r.name)),
    }
}

/// Records per upsert statement (supplier records have 15 parameters each: 7,500, under SQLite's
/// 32,766 and PostgreSQL's 65,535).
const UPSERT_BATCH: usize = 500;

/// Each supplier key once, at its first record's place with its last record's fields, and how many
/// of the keys are new (not in `known`).
fn upserts(
    records: &[SupplierRecord],
    known: Vec<String>,
) -> (Vec<(String, &SupplierRecord)>, i64) {
    let known: std::collections::HashSet<String> = known.into_iter().collect();
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut rows: Vec<(String, &SupplierRecord)> = Vec::with_capacity(records.len());
    for r in records {
        let key = supplier_key(r);
        match at.get(&key) {
            Some(&i) => rows[i].1 = r,
            None => {
                at.insert(key.clone(), rows.len());
                rows.push((key, r));
            }
        }
    }
    let added = rows.iter().filter(|(k, _)| !known.contains(k)).count() as i64;
    (rows, added)
}

/// `INSERT … ON CONFLICT DO UPDATE` of `n` supplier rows.
fn upsert_sql(n: usize, marks: crate::Marks) -> String {
    format!(
        "INSERT INTO proc_suppliers (body_id, supplier_key, supplier_ref, name, name_norm, postcode, branch_postcodes, company_number, charity_number, \
         vat_number, declared_type, sector, import_id, line, updated_at) VALUES {} \
         ON CONFLICT (body_id, supplier_key) DO UPDATE SET supplier_ref = excluded.supplier_ref, name = excluded.name, \
         name_norm = excluded.name_norm, postcode = excluded.postcode, branch_postcodes = excluded.branch_postcodes, \
         company_number = excluded.company_number, charity_number = excluded.charity_number, vat_number = excluded.vat_number, \
         declared_type = excluded.declared_type, sector = excluded.sector, import_id = excluded.import_id, line = excluded.line, \
         updated_at = excluded.updated_at",
        marks.rows(n, 15)
    )
}

fn type_key(t: Option<DeclaredType>) -> Option<&'static str> {
    t.map(DeclaredType::key)
}

fn type_from(s: Option<String>) -> Option<DeclaredType> {
    s.and_then(|k| {
        [
            DeclaredType::Sme,
            DeclaredType::Large,
            DeclaredType::Vcse,
            DeclaredType::Public,
            DeclaredType::Individual,
        ]
        .into_iter()
        .find(|t| t.key() == k)
    })
}

const SUPPLIER_SELECT: &str = "SELECT s.id, b.name AS body, s.supplier_ref, s.name, s.postcode, s.branch_postcodes, s.company_number, s.charity_number,
        s.vat_number, s.declared_type, s.sector, s.line, s.import_id, s.updated_at
     FROM proc_suppliers s JOIN spend_bodies b ON b.id = s.body_id";

macro_rules! supplier_from_row {
    ($r:expr) => {{
        let r = $r;
        let branches: String = r.try_get("branch_postcodes")?;
        StoredSupplier {
            id: r.try_get("id")?,
            body: r.try_get("body")?,
            import_id: r.try_get("import_id")?,
            updated_at: r.try_get("updated_at")?,
            record: SupplierRecord {
                line: r.try_get::<i64, _>("line")? as u64,
                supplier_id: r.try_get("supplier_ref")?,
                name: r.try_get("name")?,
                postcode: r.try_get("postcode")?,
                branch_postcodes: branches
                    .split(';')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect(),
                company_number: r.try_get("company_number")?,
                charity_number: r.try_get("charity_number")?,
                vat_number: r.try_get("vat_number")?,
                declared_type: type_from(r.try_get("declared_type")?),
                sector: r.try_get("sector")?,
            },
        }
    }};
}

impl Store {
    /// The id of a body, creating it on first use (bodies are shared with spend imports).
    async fn proc_body_id(&self, name: &str) -> Result<i64> {
        let name = name.trim();
        with_pool!(self, pool => {
            sqlx::query("INSERT INTO spend_bodies (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
                .bind(name)
                .bind(now_unix())
                .execute(pool)
                .await?;
            Ok(sqlx::query_scalar("SELECT id FROM spend_bodies WHERE name = $1").bind(name).fetch_one(pool).await?)
        })
    }

    /// Imports a body's supplier records in one transaction: new suppliers are added, known ones (same
    /// supplier ID, or same normalised name when there is no ID) are updated; suppliers not in the file
    /// stay. Audited with the file's reconciliation.
    pub async fn import_suppliers(
        &self,
        actor: &Actor,
        body: &str,
        file_name: &str,
        sha256: &str,
        records: &[SupplierRecord],
        report: &serde_json::Value,
    ) -> Result<SupplierImportCounts> {
        let body_id = self.proc_body_id(body).await?;
        let now = now_unix();
        with_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let import_id: i64 = sqlx::query_scalar(
                "INSERT INTO proc_supplier_imports (body_id, file_name, file_sha256, rows_kept, rows_added, rows_updated, report_json, imported_at, imported_by)
                 VALUES ($1, $2, $3, $4, 0, 0, $5, $6, $7) RETURNING id",
            )
            .bind(body_id)
            .bind(file_name)
            .bind(sha256)
            .bind(records.len() as i64)
            .bind(report.to_string())
            .bind(now)
            .bind(&actor.label)
            .fetch_one(&mut *tx)
            .await?;
            // the body's known keys in one read, then the records upserted in batches: a record
            // whose key is known (from before, or earlier in the file) updates that supplier, the
            // last one in the file winning, as one statement per record did
            let known: Vec<String> = sqlx::query_scalar("SELECT supplier_key FROM proc_suppliers WHERE body_id = $1")
                .bind(body_id)
                .fetch_all(&mut *tx)
                .await?;
            let (rows, added) = upserts(records, known);
            let updated = records.len() as i64 - added;
            for batch in rows.chunks(UPSERT_BATCH) {
                let sql = upsert_sql(batch.len(), crate::Marks::of(&self.backend));
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for (key, r) in batch {
                    q = q
                        .bind(body_id)
                        .bind(key)
                        .bind(&r.supplier_id)
                        .bind(&r.name)
                        .bind(normalise_name(&r.name))
                        .bind(&r.postcode)
                        .bind(r.branch_postcodes.join(";"))
                        .bind(&r.company_number)
                        .bind(&r.charity_number)
                        .bind(&r.vat_number)
                        .bind(type_key(r.declared_type))
                        .bind(&r.sector)
                        .bind(import_id)
                        .bind(r.line as i64)
                        .bind(now);
                }
                q.execute(&mut *tx).await?;
            }
            sqlx::query("UPDATE proc_supplier_imports SET rows_added = $1, rows_updated = $2 WHERE id = $3")
                .bind(added)
                .bind(updated)
                .bind(import_id)
                .execute(&mut *tx)
                .await?;
            insert_audit!(
                &mut *tx,
                actor,
                NewAudit::new("procurement.suppliers.import", "proc_supplier_import", import_id).after(serde_json::json!({
                    "body": body, "file": file_name, "kept": records.len(), "added": added, "updated": updated,
                    "reconciliation": {
                        "records": report.get("records"), "preamble": report.get("preamble"), "header": report.get("header"),
                        "kept": report.get("kept"), "rejected": report.get("rejected"), "blank": report.get("blank"),
                    },
                }))
            )?;
            tx.commit().await?;
            Ok(SupplierImportCounts { import_id, kept: records.len() as i64, added, updated })
        })
    }

    /// Changes whenever supplier records, register entries or matching decisions change (any
    /// process): the newest audit entry of a supplier import, a register import or a decision,
    /// written in the same transaction as the change. Caches of the analysed bodies compare it.
    pub async fn suppliers_version(&self) -> Result<i64> {
        with_pool!(self, pool => {
            let v: Option<i64> = sqlx::query_scalar(
                "SELECT MAX(id) FROM audit_log WHERE object_type IN ('proc_supplier_import', 'proc_register_import', 'proc_match_decision')",
            )
            .fetch_one(pool)
            .await?;
            Ok(v.unwrap_or(0))
        })
    }

    /// A body's supplier records, by name.
    pub async fn proc_suppliers(&self, body: &str) -> Result<Vec<StoredSupplier>> {
        let sql = format!("{SUPPLIER_SELECT} WHERE b.name = $1 ORDER BY s.name_norm, s.id");
        with_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(body.trim()).fetch_all(pool).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(supplier_from_row!(r));
            }
            Ok(out)
        })
    }

    /// One supplier record.
    pub async fn proc_supplier(&self, id: i64) -> Result<Option<StoredSupplier>> {
        let sql = format!("{SUPPLIER_SELECT} WHERE s.id = $1");
        with_pool!(self, pool => {
            let r = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?;
            Ok(match r { Some(r) => Some(supplier_from_row!(&r)), None => None })
        })
    }

    /// Every supplier-file import, newest first.
    pub async fn proc_supplier_imports(&self) -> Result<Vec<SupplierImport>> {
        with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT i.id, b.name AS body, i.file_name, i.rows_kept, i.rows_added, i.rows_updated, i.report_json, i.imported_at, i.imported_by
                 FROM proc_supplier_imports i JOIN spend_bodies b ON b.id = i.body_id ORDER BY i.id DESC",
            )
            .fetch_all(pool)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                let rep: String = r.try_get("report_json")?;
                out.push(SupplierImport {
                    id: r.try_get("id")?,
                    body: r.try_get("body")?,
                    file_name: r.try_get("file_name")?,
                    rows_kept: r.try_get("rows_kept")?,
                    rows_added: r.try_get("rows_added")?,
                    rows_updated: r.try_get("rows_updated")?,
                    report: serde_json::from_str(&rep).map_err(|e| StoreError::Corrupt(format!("supplier import report: {e}")))?,
                    imported_at: r.try_get("imported_at")?,
                    imported_by: r.try_get("imported_by")?,
                });
            }
            Ok(out)
        })
    }

    /// Company and charity numbers on any body's supplier records or payments: what a register
    /// import keeps.
    pub async fn proc_wanted_numbers(
        &self,
    ) -> Result<(
        std::collections::HashSet<String>,
        std::collections::HashSet<String>,
    )> {
        let (companies, charities): (Vec<Option<String>>, Vec<Option<String>>) = with_pool!(self, pool => {
            let c = sqlx::query_scalar("SELECT company_number FROM proc_suppliers WHERE company_number IS NOT NULL
                 UNION SELECT company_number FROM spend_transactions WHERE company_number IS NOT NULL").fetch_all(pool).await?;
            let h = sqlx::query_scalar("SELECT charity_number FROM proc_suppliers WHERE charity_number IS NOT NULL
                 UNION SELECT charity_number FROM spend_transactions WHERE charity_number IS NOT NULL").fetch_all(pool).await?;
            (c, h)
        });
        let norm_c = |s: String| levers_spend::suppliers::normalise_company_number(&s);
        let norm_h = |s: String| levers_spend::suppliers::normalise_charity_number(&s);
        Ok((
            companies.into_iter().flatten().filter_map(norm_c).collect(),
            charities.into_iter().flatten().filter_map(norm_h).collect(),
        ))
    }

    /// Stores register entries in one transaction (an entry already held is replaced by the newer
    /// file's), audited with the file's reconciliation. Returns the import's id.
    pub async fn import_register(
        &self,
        actor: &Actor,
        kind: RegisterKind,
        file_name: &str,
        records: &[RegisterRecord],
        report: &serde_json::Value,
    ) -> Result<i64> {
        let now = now_unix();
        with_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let import_id: i64 = sqlx::query_scalar(
                "INSERT INTO proc_register_imports (register, file_name, rows_kept, report_json, imported_at, imported_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(kind.key())
            .bind(file_name)
            .bind(records.len() as i64)
            .bind(report.to_string())
            .bind(now)
            .bind(&actor.label)
            .fetch_one(&mut *tx)
            .await?;
            // each (register, number) once, its last entry in the file winning, as one write per
            // entry left it; `UPSERT_BATCH` entries to a statement
            let mut at: std::collections::HashMap<(&str, &str), usize> = std::collections::HashMap::new();
            let mut kept: Vec<&RegisterRecord> = Vec::with_capacity(records.len());
            for r in records {
                match at.get(&(r.kind().key(), r.number())) {
                    Some(&i) => kept[i] = r,
                    None => {
                        at.insert((r.kind().key(), r.number()), kept.len());
                        kept.push(r);
                    }
                }
            }
            for batch in kept.chunks(UPSERT_BATCH) {
                let sql = format!(
                    "INSERT INTO proc_register_entries (register, number, name, postcode, record_json, import_id) VALUES {}
                     ON CONFLICT (register, number) DO UPDATE SET name = excluded.name, postcode = excluded.postcode, record_json = excluded.record_json, import_id = excluded.import_id",
                    crate::Marks::of(&self.backend).rows(batch.len(), 6)
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for r in batch {
                    let postcode = match r {
                        RegisterRecord::Company(c) => c.postcode.clone(),
                        RegisterRecord::Charity(c) => c.postcode.clone(),
                    };
                    let json = match serde_json::to_string(r) {
                        Ok(j) => j,
                        Err(e) => rollback_and!(tx, StoreError::Corrupt(e.to_string())),
                    };
                    q = q.bind(r.kind().key()).bind(r.number()).bind(r.name()).bind(postcode).bind(json).bind(import_id);
                }
                q.execute(&mut *tx).await?;
            }
            insert_audit!(
                &mut *tx,
                actor,
                NewAudit::new("procurement.register.import", "proc_register_import", import_id).after(serde_json::json!({
                    "register": kind.key(), "file": file_name, "kept": records.len(),
                    "records": report.get("records"), "skipped": report.get("skipped"), "rejected": report.get("rejected"),
                }))
            )?;
            tx.commit().await?;
            Ok(import_id)
        })
    }

    /// Every register entry held.
    pub async fn register_entries(&self) -> Result<Vec<RegisterRecord>> {
        let rows: Vec<String> = with_pool!(self, pool => sqlx::query_scalar("SELECT record_json FROM proc_register_entries ORDER BY register, number").fetch_all(pool).await?);
        rows.iter()
            .map(|j| {
                serde_json::from_str(j)
                    .map_err(|e| StoreError::Corrupt(format!("register entry: {e}")))
            })
            .collect()
    }

    /// Remembers (or replaces) an officer's decision that a name on a body's payments is a supplier
    /// (`Some(id)`) or none of them (`None`). Audited with the decision it replaces.
    pub async fn decide_match(
        &self,
        actor: &Actor,
        body: &str,
        name_seen: &str,
        supplier: Option<i64>,
    ) -> Result<StoredDecision> {
        let body_id = self.proc_body_id(body).await?;
        let norm = normalise_name(name_seen);
        if norm.is_empty() {
            return Err(StoreError::Conflict(
                "the name is empty once normalised; there is nothing to decide".into(),
            ));
        }
        if let Some(s) = supplier {
            let rec = self
                .proc_supplier(s)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("supplier {s}")))?;
            if rec.body != body.trim() {
                return Err(StoreError::Conflict(format!(
                    "supplier {s} belongs to {}, not {body}",
                    rec.body
                )));
            }
        }
        let before = self
            .match_decisions(Some(body))
            .await?
            .into_iter()
            .find(|d| d.name_norm == norm);
        let now = now_unix();
        with_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO proc_match_decisions (body_id, name_norm, name_seen, supplier_id, decided_at, decided_by) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (body_id, name_norm) DO UPDATE SET name_seen = excluded.name_seen, supplier_id = excluded.supplier_id,
                 decided_at = excluded.decided_at, decided_by = excluded.decided_by RETURNING id",
            )
            .bind(body_id)
            .bind(&norm)
            .bind(name_seen.trim())
            .bind(supplier)
            .bind(now)
            .bind(&actor.label)
            .fetch_one(&mut *tx)
            .await?;
            insert_audit!(
                &mut *tx,
                actor,
                NewAudit::new("procurement.match.decide", "proc_match_decision", id)
                    .before(before.as_ref().map(|d| serde_json::json!({"supplier_id": d.supplier_id, "decided_by": d.decided_by})))
                    .after(serde_json::json!({"body": body, "name": name_seen.trim(), "normalised": norm, "supplier_id": supplier}))
            )?;
            tx.commit().await?;
        });
        self.match_decisions(Some(body))
            .await?
            .into_iter()
            .find(|d| d.name_norm == norm)
            .ok_or_else(|| StoreError::NotFound("the decision just made".into()))
    }

    /// Remembered decisions, for one body or all.
    pub async fn match_decisions(&self, body: Option<&str>) -> Result<Vec<StoredDecision>> {
        with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT d.id, b.name AS body, d.name_norm, d.name_seen, d.supplier_id, s.name AS supplier_name, d.decided_at, d.decided_by
                 FROM proc_match_decisions d JOIN spend_bodies b ON b.id = d.body_id LEFT JOIN proc_suppliers s ON s.id = d.supplier_id
                 WHERE ($1 IS NULL OR b.name = $1) ORDER BY d.decided_at DESC, d.id DESC",
            )
            .bind(body.map(str::trim))
            .fetch_all(pool)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(StoredDecision {
                    id: r.try_get("id")?,
                    body: r.try_get("body")?,
                    name_norm: r.try_get("name_norm")?,
                    name_seen: r.try_get("name_seen")?,
                    supplier_id: r.try_get("supplier_id")?,
                    supplier_name: r.try_get("supplier_name")?,
                    decided_at: r.try_get("decided_at")?,
                    decided_by: r.try_get("decided_by")?,
                });
            }
            Ok(out)
        })
    }

    /// The exclusion rules in force: the officers' set, or the defaults until one is saved.
    pub async fn exclusion_rules(&self) -> Result<Vec<ExclusionRule>> {
        with_pool!(self, pool => {
            let rows = sqlx::query("SELECT rule_key, label, enabled, fields, keywords, supplier_types FROM proc_exclusion_rules ORDER BY position, id")
                .fetch_all(pool)
                .await?;
            if rows.is_empty() {
                return Ok(default_rules());
            }
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                let fields: String = r.try_get("fields")?;
                let keywords: String = r.try_get("keywords")?;
                let types: String = r.try_get("supplier_types")?;
                out.push(ExclusionRule {
                    key: r.try_get("rule_key")?,
                    label: r.try_get("label")?,
                    enabled: r.try_get("enabled")?,
                    fields: fields.split(',').filter_map(RuleField::from_key).collect(),
                    keywords: keywords.split('\n').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect(),
                    supplier_types: types.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect(),
                });
            }
            Ok(out)
        })
    }

    /// Replaces the exclusion rules (order = position), audited with the set before and after.
    pub async fn save_exclusion_rules(&self, actor: &Actor, rules: &[ExclusionRule]) -> Result<()> {
        let mut keys = std::collections::HashSet::new();
        for r in rules {
            if r.key.trim().is_empty() || r.label.trim().is_empty() {
                return Err(StoreError::Conflict(
                    "every rule needs a key and a label".into(),
                ));
            }
            if !keys.insert(r.key.trim()) {
                return Err(StoreError::Conflict(format!(
                    "two rules share the key {}",
                    r.key
                )));
            }
        }
        let before = self.exclusion_rules().await?;
        let now = now_unix();
        with_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query("DELETE FROM proc_exclusion_rules").execute(&mut *tx).await?;
            for (i, r) in rules.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO proc_exclusion_rules (position, rule_key, label, enabled, fields, keywords, supplier_types, updated_at, updated_by)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(i as i64)
                .bind(r.key.trim())
                .bind(r.label.trim())
                .bind(r.enabled)
                .bind(r.fields.iter().map(|f| f.key()).collect::<Vec<_>>().join(","))
                .bind(r.keywords.join("\n"))
                .bind(r.supplier_types.join(","))
                .bind(now)
                .bind(&actor.label)
                .execute(&mut *tx)
                .await?;
            }
            insert_audit!(&mut *tx, actor, NewAudit::new("procurement.rules.save", "proc_exclusion_rules", "all").before(&before).after(rules))?;
            tx.commit().await?;
        });
        Ok(())
    }
}
