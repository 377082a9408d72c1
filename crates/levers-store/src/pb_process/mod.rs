//! Community budget processes: the process and its phase, proposals and their review, batches of
//! voting codes (kept only as hashes), ballots that nothing links to a code or a voter, the count,
//! publication and delivery tracking. Every state change writes the audit log in its transaction.
//!
//! Casting is one transaction: the code goes from `unused` to `online` or `paper` with a conditional
//! UPDATE (so of any number of concurrent attempts with one code exactly one succeeds, on both
//! backends) and the ballot is inserted, without any reference to the code, into `pb_ballots_cast`.
//! Counting first seals the box: the cast ballots move to `pb_ballots` in the order of their random
//! ids, so neither columns, storage order nor (on PostgreSQL) the writing transaction link a stored
//! ballot to the moment, and so the code, it was cast with.
//!
//! `types` holds what callers see and `rows` the row mappings; the rest are `Store` methods by
//! stage: the process and its phases, proposals, codes, ballots, and the count with delivery.

mod ballots;
mod codes;
mod process;
mod proposals;
mod results;
mod rows;
mod types;

pub use types::*;
