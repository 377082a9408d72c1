//! Co-production: the register (activities and involvements), principles self-assessments,
//! participants with the minimum personal data (equality monitoring apart), participation, the
//! time-credit ledger, retention purges, subject-access exports and erasure requests.
//!
//! The ledger's rules are `levers_coproduction::ledger`'s; this module applies them inside one
//! transaction per transfer that writes the transfer, both its movements and its audit entry, or
//! nothing. Concurrency: on SQLite a transfer takes the write lock at its start (`BEGIN IMMEDIATE`),
//! so balance checks and writes are serialised; on PostgreSQL it locks both account rows
//! (`SELECT … FOR UPDATE`, in id order so two transfers cannot deadlock) before reading the payer's
//! balance, so two transfers from one account cannot both pass an overdraft check. An idempotency key
//! is `UNIQUE`: a replay racing its original loses on the constraint and is answered as a replay.
//!
//! Audit entries about people carry ids and non-personal facts only: the audit log is append-only,
//! so anything written there could never be erased.
//!
//! `types` holds what callers see, `rows` the column lists and row mappings; the rest are `Store`
//! methods by area.

mod ledger;
mod participants;
mod participation;
mod privacy;
mod register;
mod rows;
mod types;

pub use types::*;
