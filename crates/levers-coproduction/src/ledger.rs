//! The time-credit ledger: double entry, append only.
//!
//! Every transfer is two movements that sum to zero (the payer's `-amount`, the payee's `+amount`);
//! a balance is the sum of an account's movements and is never stored. The council's **issuer**
//! account is where credits come from (its balance is minus everything in circulation); credits are
//! issued to **participants** for recorded participation, spent at partner **venues**, gifted to the
//! **community pot** (which grants them on), and venues may redeem them back to the issuer.
//!
//! Rules ([`check_transfer`]) are here so that the store applies exactly what [`Ledger`], the in-memory
//! model the property tests exercise, applies:
//! - amounts are whole credits, 1 to [`MAX_TRANSFER`];
//! - each kind of transfer joins particular kinds of account ([`allowed`]);
//! - no account but the issuer may go below minus its overdraft limit (0 unless set);
//! - closed (anonymised) accounts take part in nothing more;
//! - every transfer carries an idempotency key: a replay with the same effect returns the original
//!   and moves nothing; the same key with a different effect is refused;
//! - mistakes are put right by a reversal, a new transfer the other way, at most once per transfer;
//! - anonymising a participant sweeps any positive balance to the community pot and closes the
//!   account, so the ledger stays balanced and no credits are stranded.

use std::fmt;

use serde::{Deserialize, Serialize};

pub type AccountId = i64;
pub type TransferId = i64;

/// The largest single transfer, in credits (a guard against typing errors).
pub const MAX_TRANSFER: i64 = 100_000;
/// The longest idempotency key.
pub const MAX_KEY_LEN: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    Participant,
    Issuer,
    Venue,
    CommunityPot,
}

impl AccountKind {
    pub const ALL: [AccountKind; 4] = [
        AccountKind::Issuer,
        AccountKind::CommunityPot,
        AccountKind::Venue,
        AccountKind::Participant,
    ];

    pub fn name(self) -> &'static str {
        match self {
            AccountKind::Participant => "participant",
            AccountKind::Issuer => "issuer",
            AccountKind::Venue => "venue",
            AccountKind::CommunityPot => "community_pot",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AccountKind::Participant => "Participant",
            AccountKind::Issuer => "Council (issuer)",
            AccountKind::Venue => "Partner venue",
            AccountKind::CommunityPot => "Community pot",
        }
    }

    pub fn parse(s: &str) -> Option<AccountKind> {
        AccountKind::ALL.into_iter().find(|k| k.name() == s.trim())
    }

    /// The overdraft limit a new account of this kind gets: the issuer is unlimited (`None`).
    pub fn default_limit(self) -> Option<i64> {
        match self {
            AccountKind::Issuer => None,
            _ => Some(0),
        }
    }
}

impl fmt::Display for AccountKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferKind {
    /// Issuer → participant, for recorded participation.
    Issue,
    /// Participant → venue.
    Spend,
    /// Participant → community pot.
    Gift,
    /// Community pot → participant.
    Grant,
    /// Venue → issuer: credits a venue hands back to the council.
    Redeem,
    /// The opposite of an earlier transfer.
    Reversal,
    /// Participant → community pot when the participant is anonymised.
    Sweep,
}

impl TransferKind {
    pub const ALL: [TransferKind; 7] = [
        TransferKind::Issue,
        TransferKind::Spend,
        TransferKind::Gift,
        TransferKind::Grant,
        TransferKind::Redeem,
        TransferKind::Reversal,
        TransferKind::Sweep,
    ];

    pub fn name(self) -> &'static str {
        match self {
            TransferKind::Issue => "issue",
            TransferKind::Spend => "spend",
            TransferKind::Gift => "gift",
            TransferKind::Grant => "grant",
            TransferKind::Redeem => "redeem",
            TransferKind::Reversal => "reversal",
            TransferKind::Sweep => "sweep",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TransferKind::Issue => "Issued for participation",
            TransferKind::Spend => "Spent at a venue",
            TransferKind::Gift => "Gifted to the community pot",
            TransferKind::Grant => "Granted from the community pot",
            TransferKind::Redeem => "Redeemed by a venue",
            TransferKind::Reversal => "Reversal",
            TransferKind::Sweep => "Moved to the pot on anonymisation",
        }
    }

    pub fn parse(s: &str) -> Option<TransferKind> {
        TransferKind::ALL.into_iter().find(|k| k.name() == s.trim())
    }
}

impl fmt::Display for TransferKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Which kinds of account a kind of transfer joins. Reversals mirror an allowed transfer, so they are
/// allowed between any kinds; [`reversal_of`] builds them.
pub fn allowed(kind: TransferKind, from: AccountKind, to: AccountKind) -> bool {
    use AccountKind::*;
    match kind {
        TransferKind::Issue => from == Issuer && to == Participant,
        TransferKind::Spend => from == Participant && to == Venue,
        TransferKind::Gift | TransferKind::Sweep => from == Participant && to == CommunityPot,
        TransferKind::Grant => from == CommunityPot && to == Participant,
        TransferKind::Redeem => from == Venue && to == Issuer,
        TransferKind::Reversal => true,
    }
}

/// What the rules need to know about an account at the moment of a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountState {
    pub kind: AccountKind,
    /// How far below zero the account may go; `None` = without limit (the issuer).
    pub overdraft_limit: Option<i64>,
    pub balance: i64,
    pub closed: bool,
}

/// Why a transfer was refused, phrased for the officer who tried it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("the amount must be a whole number of credits of at least 1")]
    NotPositive,
    #[error(
        "the amount is more than {MAX_TRANSFER} credits: split it or check it was typed correctly"
    )]
    TooLarge,
    #[error("a transfer needs two different accounts")]
    SameAccount,
    #[error("account {0} does not exist")]
    NoAccount(AccountId),
    #[error(
        "account {0} is closed (its holder was anonymised), so credits can no longer move in or out of it"
    )]
    Closed(AccountId),
    #[error("a {kind} transfer cannot go from a {from} account to a {to} account")]
    WrongKinds {
        kind: &'static str,
        from: &'static str,
        to: &'static str,
    },
    #[error(
        "account {account} holds {balance} credits; taking {amount} would go below its limit of {limit} overdrawn"
    )]
    Overdraft {
        account: AccountId,
        balance: i64,
        amount: i64,
        limit: i64,
    },
    #[error("every transfer needs an idempotency key of 1 to {MAX_KEY_LEN} visible characters")]
    BadKey,
    #[error(
        "the idempotency key \"{0}\" was already used for a different transfer: use a new key for a new transfer"
    )]
    KeyReused(String),
    #[error("transfer {0} does not exist")]
    NoTransfer(TransferId),
    #[error("transfer {0} has already been reversed by transfer {1}")]
    AlreadyReversed(TransferId, TransferId),
    #[error(
        "transfer {0} is itself a reversal or an anonymisation sweep, which cannot be reversed: make a new transfer instead"
    )]
    NotReversible(TransferId),
    #[error("only a participant's account can be anonymised")]
    NotParticipant,
    #[error("there is no open community pot to receive the anonymised participant's credits")]
    NoPot,
}

/// Checks an idempotency key: 1 to 100 characters, no control characters, not only spaces.
pub fn check_key(key: &str) -> Result<(), LedgerError> {
    if key.trim().is_empty()
        || key.chars().count() > MAX_KEY_LEN
        || key.chars().any(char::is_control)
    {
        Err(LedgerError::BadKey)
    } else {
        Ok(())
    }
}

/// Whether a transfer of `amount` from `from` to `to` is allowed now.
pub fn check_transfer(
    kind: TransferKind,
    from_id: AccountId,
    from: &AccountState,
    to_id: AccountId,
    to: &AccountState,
    amount: i64,
) -> Result<(), LedgerError> {
    if amount < 1 {
        return Err(LedgerError::NotPositive);
    }
    if amount > MAX_TRANSFER {
        return Err(LedgerError::TooLarge);
    }
    if from_id == to_id {
        return Err(LedgerError::SameAccount);
    }
    if from.closed {
        return Err(LedgerError::Closed(from_id));
    }
    if to.closed {
        return Err(LedgerError::Closed(to_id));
    }
    if !allowed(kind, from.kind, to.kind) {
        return Err(LedgerError::WrongKinds {
            kind: kind.name(),
            from: from.kind.name(),
            to: to.kind.name(),
        });
    }
    if let Some(limit) = from.overdraft_limit
        && from
            .balance
            .checked_sub(amount)
            .is_none_or(|after| after < -limit)
    {
        return Err(LedgerError::Overdraft {
            account: from_id,
            balance: from.balance,
            amount,
            limit,
        });
    }
    Ok(())
}

/// A transfer to make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferRequest {
    pub key: String,
    pub kind: TransferKind,
    pub from: AccountId,
    pub to: AccountId,
    pub amount: i64,
    /// A short note for statements. Never personal data: memos are blanked on anonymisation.
    pub memo: String,
    /// For a reversal, the transfer it reverses.
    pub reverses: Option<TransferId>,
}

/// A transfer made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    pub id: TransferId,
    pub key: String,
    pub kind: TransferKind,
    pub from: AccountId,
    pub to: AccountId,
    pub amount: i64,
    pub memo: String,
    pub reverses: Option<TransferId>,
}

impl TransferRequest {
    /// Whether a stored transfer is this request made before (same key and same effect): a replay.
    pub fn same_effect(&self, t: &Transfer) -> bool {
        self.key == t.key
            && self.kind == t.kind
            && self.from == t.from
            && self.to == t.to
            && self.amount == t.amount
            && self.reverses == t.reverses
    }
}

/// The request that reverses `original`.
pub fn reversal_of(
    original: &Transfer,
    key: &str,
    memo: &str,
) -> Result<TransferRequest, LedgerError> {
    if matches!(original.kind, TransferKind::Reversal | TransferKind::Sweep) {
        return Err(LedgerError::NotReversible(original.id));
    }
    Ok(TransferRequest {
        key: key.to_string(),
        kind: TransferKind::Reversal,
        from: original.to,
        to: original.from,
        amount: original.amount,
        memo: memo.to_string(),
        reverses: Some(original.id),
    })
}

/// One leg of a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Movement {
    pub transfer: TransferId,
    pub account: AccountId,
    pub amount: i64,
}

/// The two movements of a transfer: they sum to zero.
pub fn movements_of(id: TransferId, from: AccountId, to: AccountId, amount: i64) -> [Movement; 2] {
    [
        Movement {
            transfer: id,
            account: from,
            amount: -amount,
        },
        Movement {
            transfer: id,
            account: to,
            amount,
        },
    ]
}

/// Credits for `minutes` of participation at `credits_per_hour`, to the nearest whole credit (half
/// up): an hour is one credit at the default rate, 90 minutes two, 20 minutes none.
pub fn credits_for(minutes: u32, credits_per_hour: u32) -> i64 {
    (i64::from(minutes) * i64::from(credits_per_hour) + 30) / 60
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn req(
        key: &str,
        kind: TransferKind,
        from: AccountId,
        to: AccountId,
        amount: i64,
    ) -> TransferRequest {
        TransferRequest {
            key: key.into(),
            kind,
            from,
            to,
            amount,
            memo: "m".into(),
            reverses: None,
        }
    }

    fn setup() -> (Ledger, AccountId, AccountId, AccountId, AccountId) {
        let mut l = Ledger::new();
        let issuer = l.open(AccountKind::Issuer, "Council", None);
        let pot = l.open(AccountKind::CommunityPot, "Pot", Some(0));
        let venue = l.open(AccountKind::Venue, "Leisure centre", Some(0));
        let p = l.open(AccountKind::Participant, "Sam", Some(0));
        (l, issuer, pot, venue, p)
    }

    #[test]
    fn issue_spend_gift_and_balances() {
        let (mut l, issuer, pot, venue, p) = setup();
        assert_eq!(
            l.transfer(&req("a", TransferKind::Issue, issuer, p, 5))
                .unwrap(),
            Outcome {
                transfer: 1,
                replayed: false
            }
        );
        l.transfer(&req("b", TransferKind::Spend, p, venue, 2))
            .unwrap();
        l.transfer(&req("c", TransferKind::Gift, p, pot, 1))
            .unwrap();
        assert_eq!(
            (
                l.balance(issuer),
                l.balance(p),
                l.balance(venue),
                l.balance(pot)
            ),
            (-5, 2, 2, 1)
        );
        l.invariants().unwrap();
        let st = statement(p, &l.transfers);
        assert_eq!(
            st.iter().map(|s| (s.amount, s.balance)).collect::<Vec<_>>(),
            vec![(5, 5), (-2, 3), (-1, 2)]
        );
    }

    #[test]
    fn rules_refuse_what_they_should() {
        let (mut l, issuer, pot, venue, p) = setup();
        assert_eq!(
            l.transfer(&req("x", TransferKind::Spend, p, venue, 1)),
            Err(LedgerError::Overdraft {
                account: p,
                balance: 0,
                amount: 1,
                limit: 0
            })
        );
        assert!(matches!(
            l.transfer(&req("x", TransferKind::Issue, issuer, venue, 1)),
            Err(LedgerError::WrongKinds { .. })
        ));
        assert!(matches!(
            l.transfer(&req("x", TransferKind::Spend, venue, p, 1)),
            Err(LedgerError::WrongKinds { .. })
        ));
        assert_eq!(
            l.transfer(&req("x", TransferKind::Issue, issuer, p, 0)),
            Err(LedgerError::NotPositive)
        );
        assert_eq!(
            l.transfer(&req("x", TransferKind::Issue, issuer, p, MAX_TRANSFER + 1)),
            Err(LedgerError::TooLarge)
        );
        assert_eq!(
            l.transfer(&req("x", TransferKind::Gift, p, p, 1)),
            Err(LedgerError::SameAccount)
        );
        assert_eq!(
            l.transfer(&req(" ", TransferKind::Issue, issuer, p, 1)),
            Err(LedgerError::BadKey)
        );
        assert_eq!(
            l.transfer(&req("x", TransferKind::Issue, issuer, 99, 1)),
            Err(LedgerError::NoAccount(99))
        );
        let _ = pot;
        assert!(l.transfers.is_empty() && l.movements.is_empty());
        // An overdraft limit lets a participant go that far below zero and no further.
        let q = l.open(AccountKind::Participant, "Ali", Some(3));
        l.transfer(&req("y", TransferKind::Spend, q, venue, 3))
            .unwrap();
        assert!(matches!(
            l.transfer(&req("z", TransferKind::Spend, q, venue, 1)),
            Err(LedgerError::Overdraft { .. })
        ));
        l.invariants().unwrap();
    }

    #[test]
    fn keys_replay_and_refuse_reuse() {
        let (mut l, issuer, _pot, _venue, p) = setup();
        let r = req("k", TransferKind::Issue, issuer, p, 3);
        assert!(!l.transfer(&r).unwrap().replayed);
        assert!(l.transfer(&r).unwrap().replayed);
        assert_eq!(l.balance(p), 3);
        let other = req("k", TransferKind::Issue, issuer, p, 4);
        assert_eq!(l.transfer(&other), Err(LedgerError::KeyReused("k".into())));
        assert_eq!(l.transfers.len(), 1);
    }

    #[test]
    fn reversals_are_new_transfers_once_only() {
        let (mut l, issuer, _pot, venue, p) = setup();
        l.transfer(&req("a", TransferKind::Issue, issuer, p, 4))
            .unwrap();
        l.transfer(&req("b", TransferKind::Spend, p, venue, 3))
            .unwrap();
        let r = l.reverse(2, "rev-b", "wrong venue").unwrap();
        assert_eq!((l.balance(p), l.balance(venue)), (4, 0));
        assert_eq!(
            l.transfers[r.transfer as usize - 1].kind,
            TransferKind::Reversal
        );
        assert_eq!(
            l.reverse(2, "rev-b2", ""),
            Err(LedgerError::AlreadyReversed(2, 3))
        );
        assert!(l.reverse(2, "rev-b", "wrong venue").unwrap().replayed);
        assert_eq!(
            l.reverse(3, "rev-rev", ""),
            Err(LedgerError::NotReversible(3))
        );
        // Reversing the issue would overdraw the participant once they have spent.
        l.transfer(&req("c", TransferKind::Spend, p, venue, 4))
            .unwrap();
        assert!(matches!(
            l.reverse(1, "rev-a", ""),
            Err(LedgerError::Overdraft { .. })
        ));
        assert_eq!(l.transfers.len(), 4);
        l.invariants().unwrap();
    }

    #[test]
    fn anonymisation_sweeps_to_the_pot_and_closes() {
        let (mut l, issuer, pot, venue, p) = setup();
        l.transfer(&req("a", TransferKind::Issue, issuer, p, 6))
            .unwrap();
        let sweep = l.anonymise(p, "anon-4").unwrap().unwrap();
        assert_eq!((l.balance(p), l.balance(pot)), (0, 6));
        assert_eq!(l.transfers[sweep as usize - 1].kind, TransferKind::Sweep);
        assert!(
            l.transfers
                .iter()
                .all(|t| t.memo.is_empty() || (t.from != p && t.to != p))
        );
        assert_eq!(
            l.transfer(&req("b", TransferKind::Issue, issuer, p, 1)),
            Err(LedgerError::Closed(p))
        );
        assert_eq!(l.reverse(1, "r", ""), Err(LedgerError::Closed(p)));
        assert_eq!(l.anonymise(p, "again").unwrap(), None);
        assert_eq!(l.anonymise(venue, "v"), Err(LedgerError::NotParticipant));
        l.invariants().unwrap();
    }

    #[test]
    fn credits_round_half_up() {
        assert_eq!(credits_for(60, 1), 1);
        assert_eq!(credits_for(90, 1), 2);
        assert_eq!(credits_for(89, 1), 1);
        assert_eq!(credits_for(29, 1), 0);
        assert_eq!(credits_for(150, 2), 5);
        assert_eq!(credits_for(0, 1), 0);
    }
}
