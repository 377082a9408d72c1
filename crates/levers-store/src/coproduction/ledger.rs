//! The time-credit ledger: accounts, transfers (one transaction each, locks first), statements.

use std::collections::BTreeMap;

use levers_coproduction::ledger::{
    self, AccountId, AccountKind, AccountState, LedgerError, Movement, Transfer, TransferId,
    TransferKind, TransferRequest,
};
use serde_json::json;
use sqlx::Row;

use super::rows::*;
use super::types::*;
use crate::BeginWrite;
use crate::audit::{Actor, NewAudit, insert_audit};
use crate::tx::or_end;
use crate::{Backend, Result, Store, StoreError, Tx, now_unix, with_pool, with_tx, write_tx};

impl Store {
    // -----------------------------------------------------------------------------------------
    // The ledger

    pub async fn credit_accounts(&self) -> Result<Vec<AccountRow>> {
        let sql = format!(
            "{ACCOUNT_SELECT} ORDER BY CASE a.kind WHEN 'issuer' THEN 0 WHEN 'community_pot' THEN 1 WHEN 'venue' THEN 2 ELSE 3 END, a.id"
        );
        with_pool!(self, pool => {
            let mut out = Vec::new();
            for r in sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await? {
                out.push(account_from_row!(&r));
            }
            Ok(out)
        })
    }

    pub async fn credit_account(&self, id: AccountId) -> Result<Option<AccountRow>> {
        let sql = format!("{ACCOUNT_SELECT} WHERE a.id = $1");
        with_pool!(self, pool => {
            Ok(match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await? {
                Some(r) => Some(account_from_row!(&r)),
                None => None,
            })
        })
    }

    /// Opens an account for a partner venue (or a further community pot).
    pub async fn create_credit_account(
        &self,
        actor: &Actor,
        kind: AccountKind,
        name: &str,
    ) -> Result<AccountId> {
        if !matches!(kind, AccountKind::Venue | AccountKind::CommunityPot) {
            return Err(StoreError::Conflict(
                "participants' accounts are opened with their record, and there is one issuer"
                    .into(),
            ));
        }
        with_pool!(self, pool => write_tx!(pool, tx => {
            let id: i64 = sqlx::query_scalar("INSERT INTO credit_accounts (kind, name, overdraft_limit, created_at) VALUES ($1, $2, 0, $3) RETURNING id")
                .bind(kind.name())
                .bind(name.trim())
                .bind(now_unix())
                .fetch_one(&mut *tx)
                .await?;
            insert_audit!(&mut *tx, actor, NewAudit::new("credits.account.create", "credit_account", id).after(json!({"kind": kind.name(), "name": name.trim()})))?;
            Ok(id)
        }))
    }

    /// Sets how far below zero an account may go (not the issuer's, which has no limit).
    pub async fn set_overdraft_limit(
        &self,
        actor: &Actor,
        id: AccountId,
        limit: i64,
    ) -> Result<()> {
        let a = self
            .credit_account(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("credit account {id}")))?;
        if a.kind == AccountKind::Issuer || !(0..=ledger::MAX_TRANSFER).contains(&limit) {
            return Err(StoreError::Conflict(format!(
                "an overdraft limit is 0 to {} credits, and the issuer has none",
                ledger::MAX_TRANSFER
            )));
        }
        with_pool!(self, pool => write_tx!(pool, tx => {
            sqlx::query("UPDATE credit_accounts SET overdraft_limit = $1 WHERE id = $2").bind(limit).bind(id).execute(&mut *tx).await?;
            insert_audit!(&mut *tx, actor, NewAudit::new("credits.account.limit", "credit_account", id).before(a.overdraft_limit).after(limit))?;
            Ok(())
        }))?;
        Ok(())
    }

    /// Starts a ledger transaction holding the locks a transfer between `accounts` needs.
    pub(super) async fn begin_ledger(&self, accounts: &[AccountId]) -> Result<Tx> {
        match &self.backend {
            // Take SQLite's write lock now: a deferred transaction that read a balance and then tried to
            // write could fail with SQLITE_BUSY instead of waiting.
            Backend::Sqlite(pool) => Ok(Tx::Sqlite(pool.begin_write().await?)),
            Backend::Postgres(pool) => {
                let mut tx = pool.begin_write().await?;
                let mut ids = accounts.to_vec();
                ids.sort_unstable();
                ids.dedup();
                // In id order, so two transfers between the same accounts cannot deadlock.
                let locked = sqlx::query(
                    "SELECT id FROM credit_accounts WHERE id = ANY($1) ORDER BY id FOR UPDATE",
                )
                .bind(ids)
                .fetch_all(&mut *tx)
                .await;
                let tx = Tx::Postgres(tx);
                or_end!(tx, locked);
                Ok(tx)
            }
        }
    }

    /// Makes a transfer: both movements and its audit entry, or nothing. A key used before for the
    /// same transfer returns that transfer with `replayed: true`; for a different one, a conflict.
    pub async fn credit_transfer(
        &self,
        actor: &Actor,
        req: &TransferRequest,
    ) -> Result<TransferOutcome> {
        self.credit_transfer_at(actor, req, now_unix()).await
    }

    /// As [`Store::credit_transfer`], stamped with `at` (Unix seconds) rather than now: for bringing
    /// in the history of an existing time-credit scheme (and the demo's year of activity). Transfers
    /// must still be made in the order they happened, as balances are checked as they go.
    pub async fn credit_transfer_at(
        &self,
        actor: &Actor,
        req: &TransferRequest,
        at: i64,
    ) -> Result<TransferOutcome> {
        ledger::check_key(&req.key).map_err(ledger_conflict)?;
        let mut tx = self.begin_ledger(&[req.from, req.to]).await?;
        match apply_transfer(&mut tx, actor, req, at).await {
            Ok(out) => {
                tx.commit().await.map_err(|e| {
                    crate::conflict_on_unique(e, || {
                        format!(
                            "the idempotency key \"{}\" was used at the same moment",
                            req.key
                        )
                    })
                })?;
                Ok(out)
            }
            Err(StoreError::Database(e)) if is_unique(&e) => {
                tx.rollback().await;
                // Another request with the same key committed first: answer as a replay.
                self.replay_of(req).await
            }
            Err(e) => {
                tx.rollback().await;
                Err(e)
            }
        }
    }

    pub(super) async fn replay_of(&self, req: &TransferRequest) -> Result<TransferOutcome> {
        match self.credit_transfer_by_key(&req.key).await? {
            Some(t) if req.same_effect(&t.transfer) => Ok(TransferOutcome {
                transfer: t,
                replayed: true,
            }),
            Some(_) => Err(ledger_conflict(LedgerError::KeyReused(req.key.clone()))),
            None => Err(StoreError::Conflict(format!(
                "transfer with key \"{}\" could not be completed: try again",
                req.key
            ))),
        }
    }

    /// Reverses a transfer with a new one the other way (never an edit).
    pub async fn reverse_credit_transfer(
        &self,
        actor: &Actor,
        id: TransferId,
        key: &str,
        memo: &str,
    ) -> Result<TransferOutcome> {
        let original = self
            .credit_transfer_by_id(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("transfer {id}")))?;
        let req = ledger::reversal_of(&original.transfer, key, memo).map_err(ledger_conflict)?;
        self.credit_transfer(actor, &req).await
    }

    pub async fn credit_transfer_by_key(&self, key: &str) -> Result<Option<TransferRow>> {
        let sql =
            format!("SELECT {TRANSFER_COLS} FROM credit_transfers WHERE idempotency_key = $1");
        with_pool!(self, pool => {
            Ok(match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(key).fetch_optional(pool).await? {
                Some(r) => Some(transfer_from_row!(&r)),
                None => None,
            })
        })
    }

    pub async fn credit_transfer_by_id(&self, id: TransferId) -> Result<Option<TransferRow>> {
        let sql = format!("SELECT {TRANSFER_COLS} FROM credit_transfers WHERE id = $1");
        with_pool!(self, pool => {
            Ok(match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await? {
                Some(r) => Some(transfer_from_row!(&r)),
                None => None,
            })
        })
    }

    /// The most recent transfers, newest first.
    pub async fn credit_transfers(&self, limit: i64) -> Result<Vec<TransferRow>> {
        let sql = format!("SELECT {TRANSFER_COLS} FROM credit_transfers ORDER BY id DESC LIMIT $1");
        with_pool!(self, pool => {
            let mut out = Vec::new();
            for r in sqlx::query(sqlx::AssertSqlSafe(sql)).bind(limit.clamp(1, 10_000)).fetch_all(pool).await? {
                out.push(transfer_from_row!(&r));
            }
            Ok(out)
        })
    }

    /// An account's statement, oldest first, with running balance.
    pub async fn credit_statement(&self, account: AccountId) -> Result<Vec<StatementRow>> {
        let sql = format!(
            "SELECT {TRANSFER_COLS} FROM credit_transfers WHERE from_account = $1 OR to_account = $1 ORDER BY id"
        );
        let rows: Vec<TransferRow> = with_pool!(self, pool => {
            let mut out = Vec::new();
            for r in sqlx::query(sqlx::AssertSqlSafe(sql)).bind(account).fetch_all(pool).await? {
                out.push(transfer_from_row!(&r));
            }
            out
        });
        let names: BTreeMap<AccountId, String> = self
            .credit_accounts()
            .await?
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect();
        let reversed: BTreeMap<TransferId, TransferId> = with_pool!(self, pool => {
            let mut m = BTreeMap::new();
            for r in sqlx::query("SELECT id, reverses_id FROM credit_transfers WHERE reverses_id IS NOT NULL AND (from_account = $1 OR to_account = $1)")
                .bind(account)
                .fetch_all(pool)
                .await?
            {
                m.insert(r.try_get::<i64, _>("reverses_id")?, r.try_get::<i64, _>("id")?);
            }
            m
        });
        let transfers: Vec<Transfer> = rows.iter().map(|r| r.transfer.clone()).collect();
        Ok(ledger::statement(account, &transfers)
            .into_iter()
            .zip(&rows)
            .map(|(line, row)| StatementRow {
                counterparty_name: names.get(&line.counterparty).cloned().unwrap_or_default(),
                reversed_by: reversed.get(&line.transfer).copied(),
                line,
                at: row.at,
            })
            .collect())
    }

    /// Everything in the ledger, with balances as the database sums them, for checking invariants.
    pub async fn credit_ledger_snapshot(&self) -> Result<LedgerSnapshot> {
        let accounts = self.credit_accounts().await?;
        let balances = accounts.iter().map(|a| (a.id, a.balance)).collect();
        let accounts = accounts
            .into_iter()
            .map(|a| ledger::Account {
                id: a.id,
                kind: a.kind,
                name: a.name,
                overdraft_limit: a.overdraft_limit,
                closed: a.closed_at.is_some(),
            })
            .collect();
        let sql = format!("SELECT {TRANSFER_COLS} FROM credit_transfers ORDER BY id");
        with_pool!(self, pool => {
            let mut transfers = Vec::new();
            for r in sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await? {
                transfers.push(transfer_from_row!(&r).transfer);
            }
            let mut movements = Vec::new();
            for r in sqlx::query("SELECT transfer_id, account_id, amount FROM credit_movements ORDER BY id").fetch_all(pool).await? {
                movements.push(Movement { transfer: r.try_get("transfer_id")?, account: r.try_get("account_id")?, amount: r.try_get("amount")? });
            }
            Ok(LedgerSnapshot { accounts, transfers, movements, balances })
        })
    }
}

/// Applies a transfer on an open ledger transaction (locks already held): replay check, rules,
/// the transfer row, both movements, the audit entry.
pub(super) async fn apply_transfer(
    tx: &mut Tx,
    actor: &Actor,
    req: &TransferRequest,
    at: i64,
) -> Result<TransferOutcome> {
    let by_key = format!("SELECT {TRANSFER_COLS} FROM credit_transfers WHERE idempotency_key = $1");
    let existing = with_tx!(&mut *tx, t => match sqlx::query(sqlx::AssertSqlSafe(by_key)).bind(&req.key).fetch_optional(&mut **t).await? {
        Some(r) => Some(transfer_from_row!(&r)),
        None => None,
    });
    if let Some(t) = existing {
        return if req.same_effect(&t.transfer) {
            Ok(TransferOutcome {
                transfer: t,
                replayed: true,
            })
        } else {
            Err(ledger_conflict(LedgerError::KeyReused(req.key.clone())))
        };
    }
    if let Some(orig) = req.reverses {
        let by_id = format!("SELECT {TRANSFER_COLS} FROM credit_transfers WHERE id = $1");
        let original = with_tx!(&mut *tx, t => match sqlx::query(sqlx::AssertSqlSafe(by_id)).bind(orig).fetch_optional(&mut **t).await? {
            Some(r) => Some(transfer_from_row!(&r)),
            None => None,
        })
        .ok_or_else(|| ledger_conflict(LedgerError::NoTransfer(orig)))?;
        let expected = ledger::reversal_of(&original.transfer, &req.key, &req.memo)
            .map_err(ledger_conflict)?;
        if expected.from != req.from
            || expected.to != req.to
            || expected.amount != req.amount
            || req.kind != TransferKind::Reversal
        {
            return Err(StoreError::Conflict(format!(
                "a reversal of transfer {orig} must move its {} credits back the other way",
                original.transfer.amount
            )));
        }
        let by: Option<i64> = with_tx!(&mut *tx, t => sqlx::query_scalar("SELECT id FROM credit_transfers WHERE reverses_id = $1").bind(orig).fetch_optional(&mut **t).await?);
        if let Some(by) = by {
            return Err(ledger_conflict(LedgerError::AlreadyReversed(orig, by)));
        }
    } else if req.kind == TransferKind::Reversal {
        return Err(StoreError::Conflict(
            "a reversal must name the transfer it reverses".into(),
        ));
    }
    let mut states = Vec::with_capacity(2);
    for id in [req.from, req.to] {
        let state: Option<AccountState> = with_tx!(&mut *tx, t => {
            let row = sqlx::query(
                "SELECT kind, overdraft_limit, closed_at, CAST(COALESCE((SELECT SUM(m.amount) FROM credit_movements m WHERE m.account_id = a.id), 0) AS BIGINT) AS balance
                 FROM credit_accounts a WHERE a.id = $1",
            )
            .bind(id)
            .fetch_optional(&mut **t)
            .await?;
            match row {
                None => None,
                Some(r) => {
                    let kind: String = r.try_get("kind")?;
                    let closed: Option<i64> = r.try_get("closed_at")?;
                    Some(AccountState {
                        kind: AccountKind::parse(&kind).ok_or_else(|| corrupt("account kind", &kind))?,
                        overdraft_limit: r.try_get("overdraft_limit")?,
                        balance: r.try_get("balance")?,
                        closed: closed.is_some(),
                    })
                }
            }
        });
        states.push(state.ok_or_else(|| ledger_conflict(LedgerError::NoAccount(id)))?);
    }
    ledger::check_transfer(
        req.kind, req.from, &states[0], req.to, &states[1], req.amount,
    )
    .map_err(ledger_conflict)?;
    let now = at;
    let id: i64 = with_tx!(&mut *tx, t => {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO credit_transfers (idempotency_key, kind, from_account, to_account, amount, memo, reverses_id, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(&req.key)
        .bind(req.kind.name())
        .bind(req.from)
        .bind(req.to)
        .bind(req.amount)
        .bind(req.memo.trim())
        .bind(req.reverses)
        .bind(now)
        .bind(&actor.label)
        .fetch_one(&mut **t)
        .await?;
        for m in ledger::movements_of(id, req.from, req.to, req.amount) {
            sqlx::query("INSERT INTO credit_movements (transfer_id, account_id, amount) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(m.account)
                .bind(m.amount)
                .execute(&mut **t)
                .await?;
        }
        if req.kind != TransferKind::Sweep {
            sqlx::query(
                "UPDATE coproduction_participants SET last_active_at = CASE WHEN last_active_at < $1 THEN $1 ELSE last_active_at END
                 WHERE id IN (SELECT participant_id FROM credit_accounts WHERE id IN ($2, $3) AND participant_id IS NOT NULL)",
            )
            .bind(now)
            .bind(req.from)
            .bind(req.to)
            .execute(&mut **t)
            .await?;
        }
        // The memo is not audited: it may be blanked on anonymisation, and the audit log never changes.
        insert_audit!(&mut **t, actor, NewAudit::new("credits.transfer", "credit_transfer", id).after(json!({
            "kind": req.kind.name(), "from": req.from, "to": req.to, "amount": req.amount, "reverses": req.reverses, "key": req.key
        })))?;
        id
    });
    Ok(TransferOutcome {
        transfer: TransferRow {
            transfer: Transfer {
                id,
                key: req.key.clone(),
                kind: req.kind,
                from: req.from,
                to: req.to,
                amount: req.amount,
                memo: req.memo.trim().to_string(),
                reverses: req.reverses,
            },
            at: now,
            by: actor.label.clone(),
        },
        replayed: false,
    })
}
