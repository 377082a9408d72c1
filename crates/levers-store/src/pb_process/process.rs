//! Community budget processes: creating, editing, reading, and moving between phases.

use levers_pb::process::{Phase, ProcessDef};
use serde_json::json;
use sqlx::Row;

use crate::audit::{Actor, NewAudit, insert_audit};

use super::rows::*;
use super::types::*;
use crate::{Backend, Result, Store, StoreError, now_unix, with_pool, write_tx};

impl Store {
    /// Creates a process in the setup phase.
    pub async fn create_pb_process(&self, actor: &Actor, def: &ProcessDef) -> Result<PbProcess> {
        let now = now_unix();
        let json = def_json(def)?;
        let id: i64 = with_pool!(self, pool => write_tx!(pool, tx => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO pb_processes (slug, name, definition_json, phase, created_at, created_by, updated_at)
                 VALUES ($1, $2, $3, 'setup', $4, $5, $4) RETURNING id",
            )
            .bind(&def.slug)
            .bind(&def.name)
            .bind(&json)
            .bind(now)
            .bind(&actor.label)
            .fetch_one(&mut *tx)
            .await.map_err(|e| crate::conflict_on_unique(e, || format!("a process with the web address \"{}\" already exists; choose another", def.slug)))?;
            insert_audit!(&mut *tx, actor, NewAudit::new("pb.process.create", "pb_process", id).after(def))?;
            Ok(id)
        }))?;
        self.pb_process(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("process {id}")))
    }

    /// Changes a process's settings. The ballot settings (type, rule, pot) are frozen once voting opens.
    pub async fn update_pb_process(
        &self,
        actor: &Actor,
        id: i64,
        def: &ProcessDef,
    ) -> Result<PbProcess> {
        let old = self
            .pb_process(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("process {id}")))?;
        if old.phase >= Phase::Voting
            && (old.def.ballot != def.ballot
                || old.def.rule != def.rule
                || old.def.pot_pence != def.pot_pence
                || old.def.slug != def.slug)
        {
            return Err(StoreError::Conflict(
                "the pot, ballot type, rule and web address cannot change once voting has opened"
                    .into(),
            ));
        }
        let json = def_json(def)?;
        with_pool!(self, pool => write_tx!(pool, tx => {
            sqlx::query("UPDATE pb_processes SET slug = $1, name = $2, definition_json = $3, updated_at = $4 WHERE id = $5")
                .bind(&def.slug)
                .bind(&def.name)
                .bind(&json)
                .bind(now_unix())
                .bind(id)
                .execute(&mut *tx)
                .await.map_err(|e| crate::conflict_on_unique(e, || format!("a process with the web address \"{}\" already exists; choose another", def.slug)))?;
            insert_audit!(&mut *tx, actor, NewAudit::new("pb.process.update", "pb_process", id).before(&old.def).after(def))?;
            Ok(())
        }))?;
        self.pb_process(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("process {id}")))
    }

    pub async fn pb_process(&self, id: i64) -> Result<Option<PbProcess>> {
        let sql = format!("{PROCESS_SELECT} WHERE id = $1");
        with_pool!(self, pool => {
            let r = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?;
            Ok(match r { Some(r) => Some(process_from_row!(&r)), None => None })
        })
    }

    pub async fn pb_process_by_slug(&self, slug: &str) -> Result<Option<PbProcess>> {
        let sql = format!("{PROCESS_SELECT} WHERE slug = $1");
        with_pool!(self, pool => {
            let r = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(slug).fetch_optional(pool).await?;
            Ok(match r { Some(r) => Some(process_from_row!(&r)), None => None })
        })
    }

    /// Every process, newest first.
    pub async fn pb_processes(&self) -> Result<Vec<PbProcess>> {
        let sql = format!("{PROCESS_SELECT} ORDER BY id DESC");
        with_pool!(self, pool => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?;
            rows.iter().map(|r| Ok(process_from_row!(r))).collect()
        })
    }

    /// Moves a process to another phase. Opening voting freezes the ballot (the accepted proposals,
    /// at least one); publishing needs a count. The process row is locked so no ballot can be in
    /// flight across the change.
    pub async fn set_pb_phase(&self, actor: &Actor, id: i64, to: Phase) -> Result<PbProcess> {
        let postgres = matches!(self.backend, Backend::Postgres(_));
        with_pool!(self, pool => write_tx!(pool, tx => {
            if postgres {
                // Waits for ballots in flight (they hold a key-share lock on the row) and keeps new
                // ones out until the phase has changed.
                sqlx::query("SELECT id FROM pb_processes WHERE id = $1 FOR UPDATE").bind(id).execute(&mut *tx).await?;
            }
            // A write first: on SQLite it takes the database's write lock at once.
            sqlx::query("UPDATE pb_processes SET updated_at = $1 WHERE id = $2").bind(now_unix()).bind(id).execute(&mut *tx).await?;
            let phase: Option<String> = sqlx::query_scalar("SELECT phase FROM pb_processes WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
            let Some(phase) = phase else { return Err(StoreError::NotFound(format!("process {id}"))) };
            let Some(from) = Phase::parse(&phase) else { return Err(StoreError::Corrupt("process phase".into())) };
            if let Err(why) = from.can_move_to(to) {
                return Err(StoreError::Conflict(why));
            }
            let mut after = json!({"phase": to.as_str()});
            if to == Phase::Voting {
                let rows = sqlx::query(
                    "SELECT id, title, description, category, location, final_cost_pence FROM pb_proposals
                     WHERE process_id = $1 AND status = 'accepted' ORDER BY id",
                )
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
                let mut ballot = Vec::new();
                for r in &rows {
                    ballot.push(BallotEntry {
                        id: r.try_get("id")?,
                        name: r.try_get("title")?,
                        description: r.try_get("description")?,
                        category: r.try_get("category")?,
                        location: r.try_get("location")?,
                        cost_pence: r.try_get::<Option<i64>, _>("final_cost_pence")?.unwrap_or(0),
                    });
                }
                if ballot.is_empty() {
                    return Err(StoreError::Conflict("accept at least one proposal, with its final cost, before voting opens".into()));
                }
                let json = match serde_json::to_string(&ballot) {
                    Ok(j) => j,
                    Err(e) => return Err(StoreError::Corrupt(e.to_string())),
                };
                sqlx::query("UPDATE pb_processes SET ballot_json = $1 WHERE id = $2").bind(json).bind(id).execute(&mut *tx).await?;
                after["ballot"] = json!(ballot.iter().map(|b| json!({"id": b.id, "name": b.name, "cost_pence": b.cost_pence})).collect::<Vec<_>>());
            }
            if to == Phase::Results {
                let counted: Option<i64> = sqlx::query_scalar("SELECT ballots FROM pb_results WHERE process_id = $1").bind(id).fetch_optional(&mut *tx).await?;
                let waiting: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pb_ballots_cast WHERE process_id = $1").bind(id).fetch_one(&mut *tx).await?;
                match counted {
                    None => return Err(StoreError::Conflict("count the votes before publishing the result".into())),
                    Some(_) if waiting > 0 => {
                        return Err(StoreError::Conflict(format!("{waiting} ballot(s) arrived after the count; count again before publishing")))
                    }
                    Some(n) => after["ballots"] = json!(n),
                }
                sqlx::query("UPDATE pb_results SET published_at = $1, published_by = $2 WHERE process_id = $3")
                    .bind(now_unix())
                    .bind(&actor.label)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("UPDATE pb_processes SET phase = $1 WHERE id = $2").bind(to.as_str()).bind(id).execute(&mut *tx).await?;
            insert_audit!(&mut *tx, actor, NewAudit::new("pb.process.phase", "pb_process", id).before(json!({"phase": from.as_str()})).after(after))?;
            Ok(())
        }))?;
        self.pb_process(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("process {id}")))
    }
}
