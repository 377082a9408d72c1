//! Ballots: casting (one per code), receipts, counts of the box, sealing, reading sealed ballots.

use serde_json::json;

use crate::audit::{Actor, NewAudit, insert_audit};

use super::types::*;
use crate::{Backend, Result, Store, StoreError, now_unix, with_pool, write_tx};

impl Store {
    /// Uses a code and stores its ballot, in one transaction: exactly one ballot per code however
    /// many attempts race. Online ballots need the voting phase; paper ballots may also be entered
    /// after online voting closes, until the result is published. The ballot row holds no reference
    /// to the code; the audit entry says a ballot arrived and how, not which code or which ballot.
    pub async fn cast_pb_ballot(
        &self,
        actor: &Actor,
        process_id: i64,
        code_hash: &str,
        channel: Channel,
        ballot: &NewBallot,
    ) -> Result<CastOutcome> {
        let phases = match channel {
            Channel::Online => "('voting')",
            Channel::Paper => "('voting', 'closed')",
        };
        let claim = format!(
            "UPDATE pb_codes SET state = $3 WHERE process_id = $1 AND code_hash = $2 AND state = 'unused'
               AND EXISTS (SELECT 1 FROM pb_processes WHERE id = $1 AND phase IN {phases})"
        );
        let postgres = matches!(self.backend, Backend::Postgres(_));
        let claimed = with_pool!(self, pool => write_tx!(pool, tx => {
            if postgres {
                // Holds off a concurrent phase change (which locks the row FOR UPDATE) until this
                // ballot is in, so no ballot can slip past the sealing of the box.
                sqlx::query("SELECT id FROM pb_processes WHERE id = $1 FOR KEY SHARE").bind(process_id).execute(&mut *tx).await?;
            }
            let n = sqlx::query(sqlx::AssertSqlSafe(claim))
                .bind(process_id)
                .bind(code_hash)
                .bind(channel.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 1 {
                sqlx::query("INSERT INTO pb_ballots_cast (process_id, ballot_id, receipt_hash, content) VALUES ($1, $2, $3, $4)")
                    .bind(process_id)
                    .bind(&ballot.ballot_id)
                    .bind(&ballot.receipt_hash)
                    .bind(&ballot.content)
                    .execute(&mut *tx)
                    .await?;
                insert_audit!(&mut *tx, actor, NewAudit::new("pb.ballot.cast", "pb_process", process_id).after(json!({"channel": channel.as_str()})))?;
                Ok(true)
            } else {
                // Nothing changed: committing the empty transaction ends it as well as a rollback.
                Ok(false)
            }
        }))?;
        if claimed {
            return Ok(CastOutcome::Cast);
        }
        let state = self.pb_code_state(process_id, code_hash).await?;
        Ok(match state.as_deref() {
            None => CastOutcome::UnknownCode,
            Some("online") => CastOutcome::AlreadyUsed(Channel::Online),
            Some("paper") => CastOutcome::AlreadyUsed(Channel::Paper),
            Some("void") => CastOutcome::Void,
            _ => CastOutcome::NotOpen,
        })
    }

    /// Whether the ballot with this receipt is in the box.
    pub async fn pb_receipt_status(
        &self,
        process_id: i64,
        receipt_hash: &str,
    ) -> Result<ReceiptStatus> {
        with_pool!(self, pool => {
            let sealed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pb_ballots WHERE process_id = $1 AND receipt_hash = $2")
                .bind(process_id).bind(receipt_hash).fetch_one(pool).await?;
            if sealed > 0 {
                let counted: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pb_results WHERE process_id = $1").bind(process_id).fetch_one(pool).await?;
                return Ok(if counted > 0 { ReceiptStatus::Counted } else { ReceiptStatus::Received });
            }
            let cast: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pb_ballots_cast WHERE process_id = $1 AND receipt_hash = $2")
                .bind(process_id).bind(receipt_hash).fetch_one(pool).await?;
            Ok(if cast > 0 { ReceiptStatus::Received } else { ReceiptStatus::Unknown })
        })
    }

    /// Ballots stored for a process: (waiting in the cast table, sealed).
    pub async fn pb_ballot_counts(&self, process_id: i64) -> Result<(i64, i64)> {
        with_pool!(self, pool => {
            let cast: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pb_ballots_cast WHERE process_id = $1").bind(process_id).fetch_one(pool).await?;
            let sealed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pb_ballots WHERE process_id = $1").bind(process_id).fetch_one(pool).await?;
            Ok((cast, sealed))
        })
    }

    /// Seals the ballot box of a closed process: in one transaction, every ballot of the process
    /// (those cast since the last seal and those sealed before) is rewritten into `pb_ballots` in
    /// the order of the random ballot ids, and the cast table is emptied. Returns the number of
    /// sealed ballots. Afterwards every sealed row of the process has the same writing transaction
    /// and a storage position that follows its random id. On PostgreSQL the two tables are then
    /// vacuumed so the dead row versions (which carried the casting transactions' ids) are removed;
    /// on SQLite deleted rows are overwritten (`secure_delete`) and the WAL is checkpointed and
    /// truncated.
    pub async fn seal_pb_ballots(&self, actor: &Actor, process_id: i64) -> Result<i64> {
        let postgres = matches!(self.backend, Backend::Postgres(_));
        let total = with_pool!(self, pool => {
            let mut conn = pool.acquire().await?;
            if !postgres {
                sqlx::raw_sql("PRAGMA secure_delete = ON").execute(&mut *conn).await?;
            }
            let total: i64 = write_tx!(@begin sqlx::Connection::begin(&mut *conn), StoreError::from, tx => {
            if postgres {
                sqlx::query("SELECT id FROM pb_processes WHERE id = $1 FOR UPDATE").bind(process_id).execute(&mut *tx).await?;
            }
            sqlx::query("UPDATE pb_processes SET updated_at = $1 WHERE id = $2").bind(now_unix()).bind(process_id).execute(&mut *tx).await?;
            let phase: Option<String> = sqlx::query_scalar("SELECT phase FROM pb_processes WHERE id = $1").bind(process_id).fetch_optional(&mut *tx).await?;
            match phase.as_deref() {
                None => return Err(StoreError::NotFound(format!("process {process_id}"))),
                Some("closed") => {}
                Some(_) => return Err(StoreError::Conflict("close voting before counting".into())),
            }
            let moved: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pb_ballots_cast WHERE process_id = $1").bind(process_id).fetch_one(&mut *tx).await?;
            for sql in [
                "INSERT INTO pb_ballots_cast (process_id, ballot_id, receipt_hash, content)
                 SELECT process_id, ballot_id, receipt_hash, content FROM pb_ballots WHERE process_id = $1",
                "DELETE FROM pb_ballots WHERE process_id = $1",
                "INSERT INTO pb_ballots (process_id, ballot_id, receipt_hash, content)
                 SELECT process_id, ballot_id, receipt_hash, content FROM pb_ballots_cast WHERE process_id = $1 ORDER BY ballot_id",
                "DELETE FROM pb_ballots_cast WHERE process_id = $1",
            ] {
                sqlx::query(sql).bind(process_id).execute(&mut *tx).await?;
            }
            let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pb_ballots WHERE process_id = $1").bind(process_id).fetch_one(&mut *tx).await?;
            insert_audit!(&mut *tx, actor, NewAudit::new("pb.ballots.seal", "pb_process", process_id).after(json!({"sealed_now": moved, "sealed_total": total})))?;
            Ok(total)
            })?;
            if postgres {
                sqlx::raw_sql("VACUUM pb_ballots_cast, pb_ballots").execute(&mut *conn).await?;
            } else {
                sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut *conn).await?;
            }
            total
        });
        Ok(total)
    }

    /// The sealed ballots' contents in the order of their random ids (what the count and the
    /// exported file use).
    pub async fn pb_sealed_ballots(&self, process_id: i64) -> Result<Vec<String>> {
        with_pool!(self, pool => {
            Ok(sqlx::query_scalar("SELECT content FROM pb_ballots WHERE process_id = $1 ORDER BY ballot_id")
                .bind(process_id)
                .fetch_all(pool)
                .await?)
        })
    }
}
