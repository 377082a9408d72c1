//! Making and cancelling voting codes (the use case the web pages and the CLI share): codes are
//! shown once and only their hashes are kept.

use axum::http::StatusCode;
use levers_pb::codes::{self, code_hash};
use levers_store::Actor;
use levers_store::pb_process::{Channel, PbProcess, VoidOutcome};

use super::common::random_u128;
use crate::error::AppError;

/// Most codes in one batch.
pub const MAX_BATCH: usize = 5000;

/// Why an officer cancels a code (key, label); the label goes into the audit log.
pub const VOID_REASONS: &[(&str, &str)] = &[
    ("returned", "The letter came back undelivered"),
    ("damaged", "The card or letter was damaged or spoiled"),
    ("seen", "Someone other than the voter has seen the code"),
    ("replaced", "The voter was given a replacement code"),
];

/// Cancels one code as typed (any case, spaces or dashes), for the page and the CLI: the
/// confirmation, or the status and message saying why not.
pub async fn cancel_code(
    store: &levers_store::Store,
    actor: &Actor,
    p: &PbProcess,
    typed: &str,
    reason: &str,
) -> Result<Result<String, (StatusCode, String)>, AppError> {
    let compact = match codes::normalise_code(typed) {
        Ok(c) => c,
        Err(e) => return Ok(Err((StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))),
    };
    let shown = codes::display(&compact);
    let why_not = match store
        .void_pb_code(actor, p.id, &code_hash(p.id, &compact), reason)
        .await?
    {
        VoidOutcome::Voided => {
            return Ok(Ok(format!("{shown} is cancelled and can no longer vote")));
        }
        VoidOutcome::UnknownCode => format!("{shown} is not one of this community budget's codes"),
        VoidOutcome::AlreadyUsed(Channel::Online) => format!(
            "{shown} has already been used to vote online. Its ballot cannot be taken out: ballots are not linked to codes"
        ),
        VoidOutcome::AlreadyUsed(Channel::Paper) => format!(
            "A paper ballot has already been entered with {shown}. Its ballot cannot be taken out: ballots are not linked to codes"
        ),
        VoidOutcome::AlreadyVoid => format!("{shown} was cancelled before"),
    };
    Ok(Err((StatusCode::CONFLICT, why_not)))
}

/// Makes `n` fresh codes and stores their hashes as a batch; returns the codes (shown once).
pub async fn new_code_batch(
    store: &levers_store::Store,
    actor: &Actor,
    p: &PbProcess,
    label: &str,
    ward: Option<(&str, &str)>,
    n: usize,
) -> Result<Vec<String>, AppError> {
    let compact: Vec<String> = (0..n)
        .map(|_| codes::code_from_random(random_u128()))
        .collect();
    let hashes: Vec<String> = compact.iter().map(|c| code_hash(p.id, c)).collect();
    store
        .create_pb_code_batch(actor, p.id, label, ward, &hashes)
        .await?;
    Ok(compact.iter().map(|c| codes::display(c)).collect())
}
