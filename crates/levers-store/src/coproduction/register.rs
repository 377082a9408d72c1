//! The co-production register (activities, involvements, CSV import) and principles self-
//! assessments.

use std::collections::BTreeMap;

use levers_coproduction::principles::{Assessment, FRAMEWORK_KEY};
use levers_coproduction::register::{
    Activity, Involvement, Lead, RegisterEntry, Rung, Stage, iso, join_list, parse_date, split_list,
};
use levers_core::Money;
use serde_json::json;
use sqlx::Row;

use super::rows::*;
use super::types::*;
use crate::audit::{Actor, NewAudit, insert_audit};
use crate::{Result, Store, StoreError, now_unix, with_pool, write_tx};

impl Store {
    // -----------------------------------------------------------------------------------------
    // The register

    /// Every activity with its involvements, by reference.
    pub async fn coproduction_activities(&self) -> Result<Vec<ActivityRecord>> {
        let a_sql =
            format!("SELECT {ACTIVITY_COLS} FROM coproduction_activities ORDER BY reference");
        let i_sql = format!(
            "SELECT {INVOLVEMENT_COLS} FROM coproduction_involvements ORDER BY activity_id, stage, held_on, id"
        );
        with_pool!(self, pool => {
            let mut out = Vec::new();
            for r in sqlx::query(sqlx::AssertSqlSafe(a_sql)).fetch_all(pool).await? {
                out.push(activity_from_row!(&r));
            }
            let mut by_id: BTreeMap<i64, usize> = out.iter().enumerate().map(|(i, a)| (a.id, i)).collect();
            for r in sqlx::query(sqlx::AssertSqlSafe(i_sql)).fetch_all(pool).await? {
                let inv = involvement_from_row!(&r);
                if let Some(i) = by_id.get_mut(&inv.activity_id) {
                    out[*i].involvements.push(inv);
                }
            }
            for a in &mut out {
                a.involvements.sort_by_key(|i| (i.involvement.stage, i.involvement.held_on, i.id));
            }
            Ok(out)
        })
    }

    /// The register as the coverage measures take it.
    pub async fn coproduction_register(&self) -> Result<Vec<RegisterEntry>> {
        Ok(self
            .coproduction_activities()
            .await?
            .iter()
            .map(ActivityRecord::entry)
            .collect())
    }

    pub async fn coproduction_activity(&self, id: i64) -> Result<Option<ActivityRecord>> {
        let a_sql = format!("SELECT {ACTIVITY_COLS} FROM coproduction_activities WHERE id = $1");
        let i_sql = format!(
            "SELECT {INVOLVEMENT_COLS} FROM coproduction_involvements WHERE activity_id = $1 ORDER BY stage, held_on, id"
        );
        with_pool!(self, pool => {
            let Some(r) = sqlx::query(sqlx::AssertSqlSafe(a_sql)).bind(id).fetch_optional(pool).await? else { return Ok(None) };
            let mut a = activity_from_row!(&r);
            for r in sqlx::query(sqlx::AssertSqlSafe(i_sql)).bind(id).fetch_all(pool).await? {
                a.involvements.push(involvement_from_row!(&r));
            }
            a.involvements.sort_by_key(|i| (i.involvement.stage, i.involvement.held_on, i.id));
            Ok(Some(a))
        })
    }

    /// Adds an activity; a reference already in the register is a conflict.
    pub async fn create_coproduction_activity(&self, actor: &Actor, a: &Activity) -> Result<i64> {
        let now = now_unix();
        with_pool!(self, pool => write_tx!(pool, tx => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO coproduction_activities (reference, service, directorate, annual_value_pence, current_stage, procurement_ref, objectives, started_on, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
            )
            .bind(a.reference.trim())
            .bind(a.service.trim())
            .bind(a.directorate.trim())
            .bind(a.annual_value.pence())
            .bind(a.current_stage.name())
            .bind(a.procurement_ref.as_deref())
            .bind(join_list(&a.objectives))
            .bind(iso(a.started_on))
            .bind(now)
            .fetch_one(&mut *tx)
            .await.map_err(|e| crate::conflict_on_unique(e, || format!("the register already has an activity with the reference {}: choose another", a.reference.trim())))?;
            insert_audit!(&mut *tx, actor, NewAudit::new("coproduction.activity.create", "coproduction_activity", id).after(activity_json(a)))?;
            Ok(id)
        }))
    }

    /// Changes an activity's fields (audited with before and after).
    pub async fn update_coproduction_activity(
        &self,
        actor: &Actor,
        id: i64,
        a: &Activity,
    ) -> Result<()> {
        let before = self
            .coproduction_activity(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("activity {id}")))?;
        with_pool!(self, pool => write_tx!(pool, tx => {
            sqlx::query(
                "UPDATE coproduction_activities SET reference = $1, service = $2, directorate = $3, annual_value_pence = $4, current_stage = $5,
                    procurement_ref = $6, objectives = $7, started_on = $8, updated_at = $9 WHERE id = $10",
            )
            .bind(a.reference.trim())
            .bind(a.service.trim())
            .bind(a.directorate.trim())
            .bind(a.annual_value.pence())
            .bind(a.current_stage.name())
            .bind(a.procurement_ref.as_deref())
            .bind(join_list(&a.objectives))
            .bind(iso(a.started_on))
            .bind(now_unix())
            .bind(id)
            .execute(&mut *tx)
            .await.map_err(|e| crate::conflict_on_unique(e, || format!("the register already has an activity with the reference {}: choose another", a.reference.trim())))?;
            insert_audit!(
                &mut *tx,
                actor,
                NewAudit::new("coproduction.activity.update", "coproduction_activity", id).before(activity_json(&before.activity)).after(activity_json(a))
            )?;
            Ok(())
        }))?;
        Ok(())
    }

    /// Records an involvement at one stage of an activity.
    pub async fn add_coproduction_involvement(
        &self,
        actor: &Actor,
        activity_id: i64,
        inv: &Involvement,
    ) -> Result<i64> {
        if self.coproduction_activity(activity_id).await?.is_none() {
            return Err(StoreError::NotFound(format!("activity {activity_id}")));
        }
        with_pool!(self, pool => write_tx!(pool, tx => {
            let id = insert_involvement!(&mut *tx, activity_id, inv);
            sqlx::query("UPDATE coproduction_activities SET updated_at = $1 WHERE id = $2").bind(now_unix()).bind(activity_id).execute(&mut *tx).await?;
            insert_audit!(&mut *tx, actor, NewAudit::new("coproduction.involvement.create", "coproduction_activity", activity_id).after(json!({
                "involvement": id, "stage": inv.stage.name(), "rung": inv.rung.name(), "lead": inv.lead.name(), "held_on": iso(inv.held_on),
                "headcount": inv.headcount, "hours": inv.hours, "lived_experience": inv.lived_experience
            })))?;
            Ok(id)
        }))
    }

    /// Imports register entries in one transaction. Each activity in the file is created, or updated
    /// to the file's fields; its involvements become exactly the file's (identical ones are kept, with
    /// their ids; others removed or added). Activities not in the file are untouched. `report` (the
    /// file's reconciliation, rejected rows and warnings) is kept with the import, whose id the
    /// counts carry, so its result can be shown again ([`Store::coproduction_register_import`]).
    pub async fn import_coproduction_register(
        &self,
        actor: &Actor,
        file_name: &str,
        entries: &[RegisterEntry],
        report: serde_json::Value,
    ) -> Result<RegisterImportCounts> {
        let existing: BTreeMap<String, ActivityRecord> = self
            .coproduction_activities()
            .await?
            .into_iter()
            .map(|a| (a.activity.reference.clone(), a))
            .collect();
        let mut c = RegisterImportCounts::default();
        let now = now_unix();
        with_pool!(self, pool => write_tx!(pool, tx => {
            for e in entries {
                let a = &e.activity;
                let id = match existing.get(a.reference.trim()) {
                    Some(old) => {
                        if old.activity != *a {
                            sqlx::query(
                                "UPDATE coproduction_activities SET service = $1, directorate = $2, annual_value_pence = $3, current_stage = $4,
                                    procurement_ref = $5, objectives = $6, started_on = $7, updated_at = $8 WHERE id = $9",
                            )
                            .bind(a.service.trim())
                            .bind(a.directorate.trim())
                            .bind(a.annual_value.pence())
                            .bind(a.current_stage.name())
                            .bind(a.procurement_ref.as_deref())
                            .bind(join_list(&a.objectives))
                            .bind(iso(a.started_on))
                            .bind(now)
                            .bind(old.id)
                            .execute(&mut *tx)
                            .await?;
                            c.activities_updated += 1;
                        } else {
                            c.activities_unchanged += 1;
                        }
                        // Keep identical involvements; remove the rest; add what is new.
                        let mut unused: Vec<&InvolvementRecord> = old.involvements.iter().collect();
                        let mut to_add = Vec::new();
                        for inv in &e.involvements {
                            match unused.iter().position(|o| o.involvement == *inv) {
                                Some(p) => {
                                    unused.remove(p);
                                    c.involvements_kept += 1;
                                }
                                None => to_add.push(inv),
                            }
                        }
                        for o in unused {
                            sqlx::query("DELETE FROM coproduction_involvements WHERE id = $1").bind(o.id).execute(&mut *tx).await?;
                            c.involvements_removed += 1;
                        }
                        for inv in to_add {
                            insert_involvement!(&mut *tx, old.id, inv);
                            c.involvements_added += 1;
                        }
                        old.id
                    }
                    None => {
                        let id: i64 = sqlx::query_scalar(
                            "INSERT INTO coproduction_activities (reference, service, directorate, annual_value_pence, current_stage, procurement_ref, objectives, started_on, created_at, updated_at)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
                        )
                        .bind(a.reference.trim())
                        .bind(a.service.trim())
                        .bind(a.directorate.trim())
                        .bind(a.annual_value.pence())
                        .bind(a.current_stage.name())
                        .bind(a.procurement_ref.as_deref())
                        .bind(join_list(&a.objectives))
                        .bind(iso(a.started_on))
                        .bind(now)
                        .fetch_one(&mut *tx)
                        .await?;
                        for inv in &e.involvements {
                            insert_involvement!(&mut *tx, id, inv);
                            c.involvements_added += 1;
                        }
                        c.activities_created += 1;
                        id
                    }
                };
                let _ = id;
            }
            let counts_json = serde_json::to_string(&c).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            c.import_id = sqlx::query_scalar(
                "INSERT INTO coproduction_register_imports (file_name, report_json, counts_json, imported_at, imported_by) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(file_name)
            .bind(report.to_string())
            .bind(&counts_json)
            .bind(now)
            .bind(&actor.label)
            .fetch_one(&mut *tx)
            .await?;
            let reconciliation = report.get("reconciliation").cloned().unwrap_or(report.clone());
            insert_audit!(&mut *tx, actor, NewAudit::new("coproduction.register.import", "coproduction_register", file_name).after(json!({
                "import": c.import_id, "counts": c, "reconciliation": reconciliation
            })))?;
            Ok(())
        }))?;
        Ok(c)
    }

    /// One stored register import with its report.
    pub async fn coproduction_register_import(
        &self,
        id: i64,
    ) -> Result<Option<RegisterImportRecord>> {
        with_pool!(self, pool => {
            let r = sqlx::query("SELECT id, file_name, report_json, counts_json, imported_at, imported_by FROM coproduction_register_imports WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?;
            let Some(r) = r else { return Ok(None) };
            let report: String = r.try_get("report_json")?;
            let counts: String = r.try_get("counts_json")?;
            let id: i64 = r.try_get("id")?;
            let mut counts: RegisterImportCounts = serde_json::from_str(&counts).map_err(|e| StoreError::Corrupt(format!("register import counts: {e}")))?;
            counts.import_id = id;
            Ok(Some(RegisterImportRecord {
                id,
                file_name: r.try_get("file_name")?,
                report: serde_json::from_str(&report).map_err(|e| StoreError::Corrupt(format!("register import report: {e}")))?,
                counts,
                imported_at: r.try_get("imported_at")?,
                imported_by: r.try_get("imported_by")?,
            }))
        })
    }

    // -----------------------------------------------------------------------------------------
    // Principles self-assessments

    pub async fn add_coproduction_assessment(&self, actor: &Actor, a: &Assessment) -> Result<i64> {
        let scores =
            serde_json::to_string(&a.scores).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let summary = a.summary();
        with_pool!(self, pool => write_tx!(pool, tx => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO coproduction_assessments (directorate, assessed_on, framework, scores_json, notes, created_at, created_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(a.directorate.trim())
            .bind(iso(a.assessed_on))
            .bind(FRAMEWORK_KEY)
            .bind(&scores)
            .bind(&a.notes)
            .bind(now_unix())
            .bind(&actor.label)
            .fetch_one(&mut *tx)
            .await?;
            insert_audit!(&mut *tx, actor, NewAudit::new("coproduction.assessment.create", "coproduction_assessment", id).after(json!({
                "directorate": a.directorate.trim(), "assessed_on": iso(a.assessed_on), "total": summary.total, "max": summary.max
            })))?;
            Ok(id)
        }))
    }

    /// Every assessment of the current framework, oldest first.
    pub async fn coproduction_assessments(&self) -> Result<Vec<AssessmentRecord>> {
        with_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT id, directorate, assessed_on, scores_json, notes, created_at, created_by FROM coproduction_assessments
                 WHERE framework = $1 ORDER BY assessed_on, id",
            )
            .bind(FRAMEWORK_KEY)
            .fetch_all(pool)
            .await?;
            let mut out = Vec::new();
            for r in &rows {
                let on: String = r.try_get("assessed_on")?;
                let scores: String = r.try_get("scores_json")?;
                out.push(AssessmentRecord {
                    id: r.try_get("id")?,
                    assessment: Assessment {
                        directorate: r.try_get("directorate")?,
                        assessed_on: parse_date(&on).ok_or_else(|| corrupt("date", &on))?,
                        scores: serde_json::from_str(&scores).map_err(|e| StoreError::Corrupt(format!("assessment scores: {e}")))?,
                        notes: r.try_get("notes")?,
                    },
                    created_at: r.try_get("created_at")?,
                    created_by: r.try_get("created_by")?,
                });
            }
            Ok(out)
        })
    }
}
