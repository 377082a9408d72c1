//! Which objectives each lever's records serve, by reference: community budget projects,
//! co-production activities, appraisals and spend (a body, or one spending category of a body).
//! Each set of links is replaced in one audited transaction. A co-production activity's register
//! column of objective names is kept equal to the titles of the objectives it is linked to, so its
//! CSV export and coverage read the objectives chosen, not typed.

use levers_strategy::Links;
use serde_json::json;

use crate::audit::{Actor, NewAudit, insert_audit};
use crate::{Result, Store, StoreError, now_unix, with_pool, write_tx};

/// A kind of record that serves objectives by reference (spend has its own calls).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// A community budget project (an idea put to the vote).
    PbProposal,
    /// A co-production commissioning activity.
    Coproduction,
    /// An appraisal.
    Appraisal,
}

impl LinkKind {
    fn table(self) -> &'static str {
        match self {
            LinkKind::PbProposal => "strategy_links_pb_proposal",
            LinkKind::Coproduction => "strategy_links_coproduction",
            LinkKind::Appraisal => "strategy_links_appraisal",
        }
    }

    fn column(self) -> &'static str {
        match self {
            LinkKind::PbProposal => "proposal_id",
            LinkKind::Coproduction => "activity_id",
            LinkKind::Appraisal => "appraisal_id",
        }
    }

    fn name(self) -> &'static str {
        match self {
            LinkKind::PbProposal => "pb_proposal",
            LinkKind::Coproduction => "coproduction_activity",
            LinkKind::Appraisal => "appraisal",
        }
    }
}

impl Store {
    /// The objectives a record serves (ids, in objective order).
    pub async fn linked_objectives(&self, kind: LinkKind, id: i64) -> Result<Vec<i64>> {
        let sql = format!(
            "SELECT l.objective_id FROM {} l JOIN strategy_objectives o ON o.id = l.objective_id WHERE l.{} = $1 ORDER BY o.strategy_id, o.position, o.id",
            kind.table(),
            kind.column()
        );
        with_pool!(self, pool => Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(id).fetch_all(pool).await?))
    }

    /// Makes the record serve exactly these objectives (audited with before and after).
    pub async fn set_linked_objectives(
        &self,
        actor: &Actor,
        kind: LinkKind,
        id: i64,
        objectives: &[i64],
    ) -> Result<()> {
        let mut wanted = objectives.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        let before = self.linked_objectives(kind, id).await?;
        let (table, column) = (kind.table(), kind.column());
        let del = format!("DELETE FROM {table} WHERE {column} = $1");
        let ins = format!("INSERT INTO {table} (objective_id, {column}) VALUES ($1, $2)");
        with_pool!(self, pool => write_tx!(pool, tx => {
            sqlx::query(sqlx::AssertSqlSafe(del.clone())).bind(id).execute(&mut *tx).await?;
            for o in &wanted {
                sqlx::query(sqlx::AssertSqlSafe(ins.clone())).bind(*o).bind(id).execute(&mut *tx).await
                    .map_err(|e| match &e {
                        sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::Invalid(format!("objective {o} or {} {id} does not exist", kind.name())),
                        _ => StoreError::Database(e),
                    })?;
            }
            insert_audit!(&mut *tx, actor, NewAudit::new("strategy.links.set", kind.name(), id).before(json!({"objectives": before})).after(json!({"objectives": wanted})))?;
            Ok(())
        }))?;
        if kind == LinkKind::Coproduction {
            self.refresh_activity_tags(id).await?;
        }
        Ok(())
    }

    /// The objectives a body's spend (or one category of it) serves.
    pub async fn spend_objectives(&self, body: &str, category: &str) -> Result<Vec<i64>> {
        with_pool!(self, pool => Ok(sqlx::query_scalar("SELECT l.objective_id FROM strategy_links_spend l JOIN spend_bodies b ON b.id = l.body_id WHERE b.name = $1 AND l.category = $2 ORDER BY l.objective_id")
            .bind(body.trim()).bind(category.trim()).fetch_all(pool).await?))
    }

    /// Makes a body's spend (or one category of it, `""` for all) serve exactly these objectives.
    pub async fn set_spend_objectives(
        &self,
        actor: &Actor,
        body: &str,
        category: &str,
        objectives: &[i64],
    ) -> Result<()> {
        let mut wanted = objectives.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        let before = self.spend_objectives(body, category).await?;
        let (body, category) = (body.trim(), category.trim());
        with_pool!(self, pool => write_tx!(pool, tx => {
            let body_id: Option<i64> = sqlx::query_scalar("SELECT id FROM spend_bodies WHERE name = $1").bind(body).fetch_optional(&mut *tx).await?;
            let Some(body_id) = body_id else { return Err(StoreError::NotFound(format!("the spending body \"{body}\""))) };
            sqlx::query("DELETE FROM strategy_links_spend WHERE body_id = $1 AND category = $2").bind(body_id).bind(category).execute(&mut *tx).await?;
            for o in &wanted {
                sqlx::query("INSERT INTO strategy_links_spend (objective_id, body_id, category) VALUES ($1, $2, $3)").bind(*o).bind(body_id).bind(category).execute(&mut *tx).await?;
            }
            insert_audit!(&mut *tx, actor, NewAudit::new("strategy.links.set", "spend", body_id)
                .before(json!({"category": category, "objectives": before})).after(json!({"category": category, "objectives": wanted})))?;
            Ok(())
        }))
    }

    /// Everything that serves an objective.
    pub async fn objective_links(&self, objective_id: i64) -> Result<Links> {
        with_pool!(self, pool => {
            let projects: Vec<(i64, i64, String)> = sqlx::query_as("SELECT p.id, p.process_id, p.title FROM strategy_links_pb_proposal l JOIN pb_proposals p ON p.id = l.proposal_id WHERE l.objective_id = $1 ORDER BY p.process_id, p.title")
                .bind(objective_id).fetch_all(pool).await?;
            let activities: Vec<(i64, String, String)> = sqlx::query_as("SELECT a.id, a.reference, a.service FROM strategy_links_coproduction l JOIN coproduction_activities a ON a.id = l.activity_id WHERE l.objective_id = $1 ORDER BY a.reference")
                .bind(objective_id).fetch_all(pool).await?;
            let appraisals: Vec<(i64, String)> = sqlx::query_as("SELECT a.id, a.name FROM strategy_links_appraisal l JOIN appraisals a ON a.id = l.appraisal_id WHERE l.objective_id = $1 ORDER BY a.name")
                .bind(objective_id).fetch_all(pool).await?;
            let spend: Vec<(String, String)> = sqlx::query_as("SELECT b.name, l.category FROM strategy_links_spend l JOIN spend_bodies b ON b.id = l.body_id WHERE l.objective_id = $1 ORDER BY b.name, l.category")
                .bind(objective_id).fetch_all(pool).await?;
            Ok(Links { projects, activities, appraisals, spend })
        })
    }

    pub(super) async fn objective_activity_ids(&self, objective_id: i64) -> Result<Vec<i64>> {
        with_pool!(self, pool => Ok(sqlx::query_scalar("SELECT activity_id FROM strategy_links_coproduction WHERE objective_id = $1").bind(objective_id).fetch_all(pool).await?))
    }

    pub(super) async fn refresh_activity_tags_for(&self, objective_id: i64) -> Result<()> {
        for a in self.objective_activity_ids(objective_id).await? {
            self.refresh_activity_tags(a).await?;
        }
        Ok(())
    }

    /// Writes the titles of the objectives an activity is linked to into its register column.
    pub(super) async fn refresh_activity_tags(&self, activity_id: i64) -> Result<()> {
        with_pool!(self, pool => write_tx!(pool, tx => {
            let titles: Vec<String> = sqlx::query_scalar("SELECT o.title FROM strategy_links_coproduction l JOIN strategy_objectives o ON o.id = l.objective_id WHERE l.activity_id = $1 ORDER BY o.strategy_id, o.position, o.id")
                .bind(activity_id).fetch_all(&mut *tx).await?;
            sqlx::query("UPDATE coproduction_activities SET objectives = $1, updated_at = $2 WHERE id = $3")
                .bind(titles.join("; ")).bind(now_unix()).bind(activity_id).execute(&mut *tx).await?;
            Ok(())
        }))
    }

    /// Links every co-production activity to the objectives whose titles its register column names
    /// (case and spacing ignored), as after a register CSV import. Returns the names that match no
    /// objective (they stay as typed, unlinked, for an officer to choose). Audited when it links any.
    pub async fn link_activity_tags(&self, actor: &Actor) -> Result<Vec<String>> {
        let activities: Vec<(i64, String)> = with_pool!(self, pool => {
            sqlx::query_as("SELECT id, objectives FROM coproduction_activities WHERE objectives <> '' ORDER BY id").fetch_all(pool).await?
        });
        let objectives: Vec<(i64, String)> = with_pool!(self, pool => {
            sqlx::query_as("SELECT id, title_key FROM strategy_objectives ORDER BY strategy_id DESC, position, id").fetch_all(pool).await?
        });
        let mut unknown = std::collections::BTreeSet::new();
        let mut added = Vec::new();
        for (aid, text) in activities {
            for tag in text.split(';').map(str::trim).filter(|t| !t.is_empty()) {
                let key = levers_strategy::normalise_tag(tag);
                match objectives.iter().find(|(_, k)| *k == key) {
                    Some((oid, _)) => added.push((*oid, aid)),
                    None => {
                        unknown.insert(tag.to_string());
                    }
                }
            }
        }
        if !added.is_empty() {
            with_pool!(self, pool => write_tx!(pool, tx => {
                let mut n = 0;
                for (o, a) in &added {
                    n += sqlx::query("INSERT INTO strategy_links_coproduction (objective_id, activity_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                        .bind(*o).bind(*a).execute(&mut *tx).await?.rows_affected();
                }
                if n > 0 {
                    insert_audit!(&mut *tx, actor, NewAudit::new("strategy.links.from_register", "coproduction_register", 0).after(json!({"links_added": n})))?;
                }
                Ok(())
            }))?;
        }
        Ok(unknown.into_iter().collect())
    }
}
