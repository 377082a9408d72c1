//! Every change to a strategy, its objectives, measures, targets and recorded values, each in one
//! transaction with its audit entry.

use levers_strategy::{Measure, Objective, Observation, Source, Strategy, normalise_tag};
use serde_json::json;

use super::iso;
use crate::audit::{Actor, NewAudit, insert_audit};
use crate::{Result, Store, StoreError, conflict_on_unique, now_unix, with_pool, write_tx};

fn refuse(problems: Vec<(&'static str, String)>) -> Result<()> {
    match problems.into_iter().next() {
        Some((field, msg)) => Err(StoreError::Invalid(format!("{field}: {msg}"))),
        None => Ok(()),
    }
}

fn levers_text(o: &Objective) -> String {
    o.levers
        .iter()
        .map(|l| l.key())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The measure's columns that name its source: (source, metric, indicator, measure, area, publisher, next release).
type SourceCols = (
    &'static str,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn source_cols(m: &Measure) -> SourceCols {
    match &m.source {
        Source::Computed { metric } => (
            "computed",
            Some(metric.key().to_string()),
            None,
            None,
            None,
            None,
            None,
        ),
        Source::Official(o) => (
            "official",
            None,
            Some(o.indicator.trim().to_string()),
            Some(o.measure.trim().to_string()),
            Some(o.area_code.trim().to_string()),
            Some(o.publisher.trim().to_string()),
            iso(o.next_release),
        ),
    }
}

impl Store {
    /// Records a new strategy (its name, summary, years and whether it is published; objectives
    /// are added one by one).
    pub async fn create_strategy(&self, actor: &Actor, s: &Strategy) -> Result<i64> {
        refuse(s.problems())?;
        let now = now_unix();
        with_pool!(self, pool => write_tx!(pool, tx => {
            let id: i64 = sqlx::query_scalar("INSERT INTO strategies (name, summary, first_year, last_year, published, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id")
                .bind(s.name.trim()).bind(s.summary.trim()).bind(i64::from(s.first_year.start())).bind(i64::from(s.last_year.start()))
                .bind(i64::from(s.published)).bind(now)
                .fetch_one(&mut *tx).await?;
            insert_audit!(&mut *tx, actor, NewAudit::new("strategy.create", "strategy", id)
                .after(json!({"name": s.name.trim(), "first_year": s.first_year, "last_year": s.last_year, "published": s.published})))?;
            Ok(id)
        }))
    }

    /// Changes a strategy's name, summary, years and publication.
    pub async fn update_strategy(&self, actor: &Actor, s: &Strategy) -> Result<()> {
        refuse(s.problems())?;
        let before = self
            .strategy(s.id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("strategy {}", s.id)))?;
        with_pool!(self, pool => write_tx!(pool, tx => {
            sqlx::query("UPDATE strategies SET name = $1, summary = $2, first_year = $3, last_year = $4, published = $5, updated_at = $6 WHERE id = $7")
                .bind(s.name.trim()).bind(s.summary.trim()).bind(i64::from(s.first_year.start())).bind(i64::from(s.last_year.start()))
                .bind(i64::from(s.published)).bind(now_unix()).bind(s.id)
                .execute(&mut *tx).await?;
            insert_audit!(&mut *tx, actor, NewAudit::new("strategy.update", "strategy", s.id)
                .before(json!({"name": before.name, "summary": before.summary, "first_year": before.first_year, "last_year": before.last_year, "published": before.published}))
                .after(json!({"name": s.name.trim(), "summary": s.summary.trim(), "first_year": s.first_year, "last_year": s.last_year, "published": s.published})))?;
            Ok(())
        }))
    }

    /// Publishes a strategy on the council's public pages, or withdraws it (an admin's choice):
    /// audited as `strategy.publish` or `strategy.withdraw`; nothing is written when it is already so.
    pub async fn set_strategy_published(
        &self,
        actor: &Actor,
        id: i64,
        published: bool,
    ) -> Result<()> {
        let before = self
            .strategy(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("strategy {id}")))?;
        if before.published == published {
            return Ok(());
        }
        let action = if published {
            "strategy.publish"
        } else {
            "strategy.withdraw"
        };
        with_pool!(self, pool => write_tx!(pool, tx => {
            sqlx::query("UPDATE strategies SET published = $1, updated_at = $2 WHERE id = $3")
                .bind(i64::from(published)).bind(now_unix()).bind(id)
                .execute(&mut *tx).await?;
            insert_audit!(&mut *tx, actor, NewAudit::new(action, "strategy", id)
                .before(json!({"published": before.published}))
                .after(json!({"published": published})))?;
            Ok(())
        }))
    }

    /// Adds an objective (its own fields; measures are saved one by one) at the end of the strategy.
    pub async fn create_objective(
        &self,
        actor: &Actor,
        strategy_id: i64,
        o: &Objective,
    ) -> Result<i64> {
        refuse(o.problems())?;
        let key = normalise_tag(&o.title);
        with_pool!(self, pool => write_tx!(pool, tx => {
            let pos: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(position), 0) + 1 FROM strategy_objectives WHERE strategy_id = $1")
                .bind(strategy_id).fetch_one(&mut *tx).await?;
            let id: i64 = sqlx::query_scalar("INSERT INTO strategy_objectives (strategy_id, code, title, title_key, description, owner, levers, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
                .bind(strategy_id).bind(o.code.trim()).bind(o.title.trim()).bind(&key).bind(o.description.trim()).bind(o.owner.trim()).bind(levers_text(o)).bind(pos)
                .fetch_one(&mut *tx).await
                .map_err(|e| conflict_on_unique(e, || format!("the strategy already has an objective with the reference {} or the title \"{}\"", o.code.trim(), o.title.trim())))?;
            insert_audit!(&mut *tx, actor, NewAudit::new("strategy.objective.create", "strategy_objective", id)
                .after(json!({"strategy": strategy_id, "code": o.code.trim(), "title": o.title.trim(), "owner": o.owner.trim(), "levers": levers_text(o)})))?;
            Ok(id)
        }))
    }

    /// Changes an objective's reference, title, description, owner and levers. The title is also
    /// written onto the co-production activities that serve it (their register column shows it).
    pub async fn update_objective(&self, actor: &Actor, o: &Objective) -> Result<()> {
        refuse(o.problems())?;
        let key = normalise_tag(&o.title);
        let before: Option<(String, String, String, String, String)> = with_pool!(self, pool => {
            sqlx::query_as("SELECT code, title, description, owner, levers FROM strategy_objectives WHERE id = $1").bind(o.id).fetch_optional(pool).await?
        });
        let before = before.ok_or_else(|| StoreError::NotFound(format!("objective {}", o.id)))?;
        let result = with_pool!(self, pool => write_tx!(pool, tx => {
            sqlx::query("UPDATE strategy_objectives SET code = $1, title = $2, title_key = $3, description = $4, owner = $5, levers = $6 WHERE id = $7")
                .bind(o.code.trim()).bind(o.title.trim()).bind(&key).bind(o.description.trim()).bind(o.owner.trim()).bind(levers_text(o)).bind(o.id)
                .execute(&mut *tx).await
                .map_err(|e| conflict_on_unique(e, || format!("the strategy already has an objective with the reference {} or the title \"{}\"", o.code.trim(), o.title.trim())))?;
            insert_audit!(&mut *tx, actor, NewAudit::new("strategy.objective.update", "strategy_objective", o.id)
                .before(json!({"code": before.0, "title": before.1, "description": before.2, "owner": before.3, "levers": before.4}))
                .after(json!({"code": o.code.trim(), "title": o.title.trim(), "description": o.description.trim(), "owner": o.owner.trim(), "levers": levers_text(o)})))?;
            Ok(())
        }));
        result?;
        if before.1 != o.title.trim() {
            self.refresh_activity_tags_for(o.id).await?;
        }
        Ok(())
    }

    /// Deletes an objective with its measures and links (audited with what it was).
    pub async fn delete_objective(&self, actor: &Actor, id: i64) -> Result<()> {
        let activities = self.objective_activity_ids(id).await?;
        with_pool!(self, pool => write_tx!(pool, tx => {
            let before: Option<(String, String)> = sqlx::query_as("SELECT code, title FROM strategy_objectives WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
            let Some((code, title)) = before else { return Err(StoreError::NotFound(format!("objective {id}"))) };
            sqlx::query("DELETE FROM strategy_objectives WHERE id = $1").bind(id).execute(&mut *tx).await?;
            insert_audit!(&mut *tx, actor, NewAudit::new("strategy.objective.delete", "strategy_objective", id).before(json!({"code": code, "title": title})))?;
            Ok(())
        }))?;
        for a in activities {
            self.refresh_activity_tags(a).await?;
        }
        Ok(())
    }

    /// Saves a measure of an objective: a new one when `m.id` is 0, else replaces that measure's
    /// fields and targets. Returns its id.
    pub async fn save_measure(&self, actor: &Actor, objective_id: i64, m: &Measure) -> Result<i64> {
        refuse(m.problems())?;
        let (source, metric, indicator, imeasure, area, publisher, next) = source_cols(m);
        let after = serde_json::to_value(m).ok();
        let before = if m.id == 0 {
            None
        } else {
            self.measure(m.id).await?
        };
        if m.id != 0 && before.is_none() {
            return Err(StoreError::NotFound(format!("measure {}", m.id)));
        }
        with_pool!(self, pool => write_tx!(pool, tx => {
            let id: i64 = if m.id == 0 {
                let pos: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(position), 0) + 1 FROM strategy_measures WHERE objective_id = $1")
                    .bind(objective_id).fetch_one(&mut *tx).await?;
                sqlx::query_scalar("INSERT INTO strategy_measures (objective_id, name, unit, direction, source, metric, indicator, indicator_measure, area_code, publisher, next_release, baseline_year, baseline_value, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id")
                    .bind(objective_id).bind(m.name.trim()).bind(m.unit.key()).bind(m.direction.key()).bind(source)
                    .bind(&metric).bind(&indicator).bind(&imeasure).bind(&area).bind(&publisher).bind(&next)
                    .bind(m.baseline.map(|b| i64::from(b.year.start()))).bind(m.baseline.map(|b| b.value)).bind(pos)
                    .fetch_one(&mut *tx).await?
            } else {
                sqlx::query("UPDATE strategy_measures SET name = $1, unit = $2, direction = $3, source = $4, metric = $5, indicator = $6, indicator_measure = $7, area_code = $8, publisher = $9, next_release = $10, baseline_year = $11, baseline_value = $12 WHERE id = $13")
                    .bind(m.name.trim()).bind(m.unit.key()).bind(m.direction.key()).bind(source)
                    .bind(&metric).bind(&indicator).bind(&imeasure).bind(&area).bind(&publisher).bind(&next)
                    .bind(m.baseline.map(|b| i64::from(b.year.start()))).bind(m.baseline.map(|b| b.value)).bind(m.id)
                    .execute(&mut *tx).await?;
                sqlx::query("DELETE FROM strategy_targets WHERE measure_id = $1").bind(m.id).execute(&mut *tx).await?;
                m.id
            };
            for t in &m.targets {
                sqlx::query("INSERT INTO strategy_targets (measure_id, year, value) VALUES ($1, $2, $3)")
                    .bind(id).bind(i64::from(t.year.start())).bind(t.value)
                    .execute(&mut *tx).await?;
            }
            let action = if m.id == 0 { "strategy.measure.create" } else { "strategy.measure.update" };
            insert_audit!(&mut *tx, actor, NewAudit::new(action, "strategy_measure", id).before(&before).after(&after))?;
            Ok(id)
        }))
    }

    /// One measure with its targets.
    pub async fn measure(&self, id: i64) -> Result<Option<Measure>> {
        let Some(o) = self.measure_objective(id).await? else {
            return Ok(None);
        };
        let Some(s) = self.objective_strategy(o).await? else {
            return Ok(None);
        };
        Ok(self.strategy(s).await?.and_then(|s| {
            s.objectives
                .into_iter()
                .flat_map(|o| o.measures)
                .find(|m| m.id == id)
        }))
    }

    /// Deletes a measure with its targets and values (audited with what it was).
    pub async fn delete_measure(&self, actor: &Actor, id: i64) -> Result<()> {
        let before = self
            .measure(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("measure {id}")))?;
        with_pool!(self, pool => write_tx!(pool, tx => {
            sqlx::query("DELETE FROM strategy_measures WHERE id = $1").bind(id).execute(&mut *tx).await?;
            insert_audit!(&mut *tx, actor, NewAudit::new("strategy.measure.delete", "strategy_measure", id).before(&before))?;
            Ok(())
        }))
    }

    /// Records an official statistic's value for a year, as published (replacing an earlier
    /// figure for that year; audited with both). Refused for a measure levers computes.
    pub async fn record_measure_value(
        &self,
        actor: &Actor,
        measure_id: i64,
        v: &Observation,
    ) -> Result<()> {
        let m = self
            .measure(measure_id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("measure {measure_id}")))?;
        if m.source.is_computed() {
            return Err(StoreError::Invalid(
                "levers computes this measure from its own records: there is nothing to record"
                    .into(),
            ));
        }
        if !v.value.is_finite() {
            return Err(StoreError::Invalid("value: enter a number".into()));
        }
        let y = i64::from(v.year.start());
        with_pool!(self, pool => write_tx!(pool, tx => {
            let before: Option<(f64, String)> = sqlx::query_as("SELECT value, period FROM strategy_values WHERE measure_id = $1 AND year = $2")
                .bind(measure_id).bind(y).fetch_optional(&mut *tx).await?;
            sqlx::query("DELETE FROM strategy_values WHERE measure_id = $1 AND year = $2").bind(measure_id).bind(y).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO strategy_values (measure_id, year, value, period, source, published_on, next_release, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                .bind(measure_id).bind(y).bind(v.value).bind(v.period.trim()).bind(v.source.trim())
                .bind(iso(v.published)).bind(iso(v.next_release)).bind(now_unix()).bind(&actor.label)
                .execute(&mut *tx).await?;
            insert_audit!(&mut *tx, actor, NewAudit::new("strategy.value.record", "strategy_measure", measure_id)
                .before(before.map(|(value, period)| json!({"year": v.year, "value": value, "period": period})))
                .after(json!({"year": v.year, "value": v.value, "period": v.period.trim(), "source": v.source.trim(), "published": iso(v.published)})))?;
            Ok(())
        }))
    }
}
