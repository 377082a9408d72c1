//! The in-memory ledger the property tests exercise, the invariants any copy of a ledger must keep,
//! and an account's statement with running balance.

use serde::Serialize;

use super::rules::*;

/// An account in the in-memory ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: AccountId,
    pub kind: AccountKind,
    pub name: String,
    pub overdraft_limit: Option<i64>,
    pub closed: bool,
}

/// What a transfer call did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub transfer: TransferId,
    /// The key had been used for the same transfer before: nothing moved this time.
    pub replayed: bool,
}

/// The in-memory ledger: the reference model of the rules (the store keeps the same rules in SQL
/// transactions and is tested against this).
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    pub accounts: Vec<Account>,
    pub transfers: Vec<Transfer>,
    pub movements: Vec<Movement>,
}

impl Ledger {
    pub fn new() -> Ledger {
        Ledger::default()
    }

    pub fn open(
        &mut self,
        kind: AccountKind,
        name: &str,
        overdraft_limit: Option<i64>,
    ) -> AccountId {
        let id = self.accounts.len() as AccountId + 1;
        self.accounts.push(Account {
            id,
            kind,
            name: name.to_string(),
            overdraft_limit,
            closed: false,
        });
        id
    }

    fn account(&self, id: AccountId) -> Result<&Account, LedgerError> {
        self.accounts
            .iter()
            .find(|a| a.id == id)
            .ok_or(LedgerError::NoAccount(id))
    }

    /// The sum of the account's movements.
    pub fn balance(&self, id: AccountId) -> i64 {
        self.movements
            .iter()
            .filter(|m| m.account == id)
            .map(|m| m.amount)
            .sum()
    }

    pub fn state(&self, id: AccountId) -> Result<AccountState, LedgerError> {
        let a = self.account(id)?;
        Ok(AccountState {
            kind: a.kind,
            overdraft_limit: a.overdraft_limit,
            balance: self.balance(id),
            closed: a.closed,
        })
    }

    pub fn transfer(&mut self, req: &TransferRequest) -> Result<Outcome, LedgerError> {
        check_key(&req.key)?;
        if let Some(t) = self.transfers.iter().find(|t| t.key == req.key) {
            return if req.same_effect(t) {
                Ok(Outcome {
                    transfer: t.id,
                    replayed: true,
                })
            } else {
                Err(LedgerError::KeyReused(req.key.clone()))
            };
        }
        if let Some(orig) = req.reverses {
            let original = self
                .transfers
                .iter()
                .find(|t| t.id == orig)
                .ok_or(LedgerError::NoTransfer(orig))?;
            let expected = reversal_of(original, &req.key, &req.memo)?;
            if expected.from != req.from
                || expected.to != req.to
                || expected.amount != req.amount
                || req.kind != TransferKind::Reversal
            {
                return Err(LedgerError::WrongKinds {
                    kind: req.kind.name(),
                    from: "?",
                    to: "?",
                });
            }
            if let Some(by) = self.transfers.iter().find(|t| t.reverses == Some(orig)) {
                return Err(LedgerError::AlreadyReversed(orig, by.id));
            }
        } else if req.kind == TransferKind::Reversal {
            return Err(LedgerError::NotReversible(0));
        }
        let from = self.state(req.from)?;
        let to = self.state(req.to)?;
        check_transfer(req.kind, req.from, &from, req.to, &to, req.amount)?;
        let id = self.transfers.len() as TransferId + 1;
        self.transfers.push(Transfer {
            id,
            key: req.key.clone(),
            kind: req.kind,
            from: req.from,
            to: req.to,
            amount: req.amount,
            memo: req.memo.clone(),
            reverses: req.reverses,
        });
        self.movements
            .extend(movements_of(id, req.from, req.to, req.amount));
        Ok(Outcome {
            transfer: id,
            replayed: false,
        })
    }

    /// Reverses a transfer with a new one the other way.
    pub fn reverse(
        &mut self,
        id: TransferId,
        key: &str,
        memo: &str,
    ) -> Result<Outcome, LedgerError> {
        let original = self
            .transfers
            .iter()
            .find(|t| t.id == id)
            .ok_or(LedgerError::NoTransfer(id))?;
        let req = reversal_of(original, key, memo)?;
        self.transfer(&req)
    }

    /// Anonymises a participant's account: any positive balance is swept to the first open community
    /// pot, memos touching the account are blanked, and the account is closed. Returns the sweep.
    pub fn anonymise(
        &mut self,
        id: AccountId,
        key: &str,
    ) -> Result<Option<TransferId>, LedgerError> {
        let a = self.account(id)?;
        if a.kind != AccountKind::Participant {
            return Err(LedgerError::NotParticipant);
        }
        if a.closed {
            return Ok(None);
        }
        let balance = self.balance(id);
        let mut sweep = None;
        if balance > 0 {
            let pot = self
                .accounts
                .iter()
                .find(|a| a.kind == AccountKind::CommunityPot && !a.closed)
                .ok_or(LedgerError::NoPot)?
                .id;
            // The sweep moves the whole balance however large: split into MAX_TRANSFER pieces.
            let mut left = balance;
            let mut part = 0;
            while left > 0 {
                let amount = left.min(MAX_TRANSFER);
                let k = if part == 0 {
                    key.to_string()
                } else {
                    format!("{key}#{part}")
                };
                let out = self.transfer(&TransferRequest {
                    key: k,
                    kind: TransferKind::Sweep,
                    from: id,
                    to: pot,
                    amount,
                    memo: String::new(),
                    reverses: None,
                })?;
                sweep.get_or_insert(out.transfer);
                left -= amount;
                part += 1;
            }
        }
        for t in self
            .transfers
            .iter_mut()
            .filter(|t| t.from == id || t.to == id)
        {
            t.memo.clear();
        }
        if let Some(a) = self.accounts.iter_mut().find(|a| a.id == id) {
            a.closed = true;
            a.name = format!("Anonymised participant {id}");
        }
        Ok(sweep)
    }

    /// Checks the ledger's invariants; `Err` says which broke.
    pub fn invariants(&self) -> Result<(), String> {
        check_invariants(&self.accounts, &self.transfers, &self.movements, |id| {
            self.balance(id)
        })
    }
}

/// The ledger's invariants over any copy of it (the store's tests call this on what the database holds):
/// every transfer has exactly two movements, `-amount` from its payer and `+amount` to its payee; the
/// movements sum to zero; no movement lacks a transfer; each account's balance (as `balance` reports
/// it) equals the sum of its movements; no account other than one without limit is below minus its
/// limit; no transfer is reversed twice.
pub fn check_invariants(
    accounts: &[Account],
    transfers: &[Transfer],
    movements: &[Movement],
    balance: impl Fn(AccountId) -> i64,
) -> Result<(), String> {
    let total: i128 = movements.iter().map(|m| i128::from(m.amount)).sum();
    if total != 0 {
        return Err(format!("movements sum to {total}, not zero"));
    }
    for t in transfers {
        let legs: Vec<&Movement> = movements.iter().filter(|m| m.transfer == t.id).collect();
        let ok = legs.len() == 2
            && legs
                .iter()
                .any(|m| m.account == t.from && m.amount == -t.amount)
            && legs
                .iter()
                .any(|m| m.account == t.to && m.amount == t.amount);
        if !ok {
            return Err(format!("transfer {} has movements {legs:?}", t.id));
        }
        if let Some(r) = t.reverses
            && transfers.iter().filter(|u| u.reverses == Some(r)).count() > 1
        {
            return Err(format!("transfer {r} reversed more than once"));
        }
    }
    if let Some(m) = movements
        .iter()
        .find(|m| !transfers.iter().any(|t| t.id == m.transfer))
    {
        return Err(format!("movement {m:?} has no transfer"));
    }
    for a in accounts {
        let sum: i64 = movements
            .iter()
            .filter(|m| m.account == a.id)
            .map(|m| m.amount)
            .sum();
        let b = balance(a.id);
        if b != sum {
            return Err(format!(
                "account {} reports {b} but its movements sum to {sum}",
                a.id
            ));
        }
        if let Some(limit) = a.overdraft_limit
            && sum < -limit
        {
            return Err(format!(
                "account {} is at {sum}, below its limit of -{limit}",
                a.id
            ));
        }
    }
    Ok(())
}

/// One line of an account's statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementLine {
    pub transfer: TransferId,
    pub kind: TransferKind,
    /// The other account.
    pub counterparty: AccountId,
    /// Signed for this account: positive in, negative out.
    pub amount: i64,
    /// The balance after this line.
    pub balance: i64,
    pub memo: String,
    pub reverses: Option<TransferId>,
}

/// An account's statement from its transfers in the order they were made.
pub fn statement(account: AccountId, transfers: &[Transfer]) -> Vec<StatementLine> {
    let mut balance = 0i64;
    transfers
        .iter()
        .filter(|t| t.from == account || t.to == account)
        .map(|t| {
            let (amount, counterparty) = if t.to == account {
                (t.amount, t.from)
            } else {
                (-t.amount, t.to)
            };
            balance += amount;
            StatementLine {
                transfer: t.id,
                kind: t.kind,
                counterparty,
                amount,
                balance,
                memo: t.memo.clone(),
                reverses: t.reverses,
            }
        })
        .collect()
}
