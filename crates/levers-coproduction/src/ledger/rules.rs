//! The ledger's rules: account and transfer kinds, which kinds a transfer may join, the checks a
//! transfer must pass, idempotency keys, reversals, and the two movements of a transfer.

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
