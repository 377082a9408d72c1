//! A community budget vote's use cases that every front end shares: making and cancelling voting
//! codes (shown once; only their hashes are kept) and counting a closed vote (seal the box, check
//! every sealed ballot again, run the process's rule, store the result and the Pabulib file).

use levers_pb::ballot::{Ballot, BallotProject};
use levers_pb::codes::{self, code_hash};
use levers_pb::count::{CountProject, CountResult, count};
use levers_store::pb_process::{Channel, PbProcess, VoidOutcome};
use levers_store::{Actor, Store, StoreError};
use rand_core::{OsRng, RngCore};

/// Why a count could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CountError {
    /// The vote cannot be counted as it stands (say why to the officer).
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(StoreError),
    /// The counting thread stopped (a bug: the message is for the log).
    #[error("the count stopped: {0}")]
    Stopped(String),
}

impl From<StoreError> for CountError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(m) => CountError::Conflict(m),
            other => CountError::Store(other),
        }
    }
}

/// Why a code was not cancelled.
#[derive(Debug)]
pub struct CodeRefusal {
    /// What was typed is not a code at all (rather than a code that cannot be cancelled).
    pub not_a_code: bool,
    pub message: String,
}

fn random_u128() -> u128 {
    let mut b = [0u8; 16];
    OsRng.fill_bytes(&mut b);
    u128::from_le_bytes(b)
}

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
/// confirmation, or why not.
pub async fn cancel_code(
    store: &levers_store::Store,
    actor: &Actor,
    p: &PbProcess,
    typed: &str,
    reason: &str,
) -> Result<Result<String, CodeRefusal>, StoreError> {
    let compact = match codes::normalise_code(typed) {
        Ok(c) => c,
        Err(e) => {
            return Ok(Err(CodeRefusal {
                not_a_code: true,
                message: e.to_string(),
            }));
        }
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
    Ok(Err(CodeRefusal {
        not_a_code: false,
        message: why_not,
    }))
}

/// Makes `n` fresh codes and stores their hashes as a batch; returns the codes (shown once).
pub async fn new_code_batch(
    store: &levers_store::Store,
    actor: &Actor,
    p: &PbProcess,
    label: &str,
    ward: Option<(&str, &str)>,
    n: usize,
) -> Result<Vec<String>, StoreError> {
    let compact: Vec<String> = (0..n)
        .map(|_| codes::code_from_random(random_u128()))
        .collect();
    let hashes: Vec<String> = compact.iter().map(|c| code_hash(p.id, c)).collect();
    store
        .create_pb_code_batch(actor, p.id, label, ward, &hashes)
        .await?;
    Ok(compact.iter().map(|c| codes::display(c)).collect())
}

/// A batch of codes as CSV for a mail merge (code, batch, community budget, where to vote), the
/// same from the web and the CLI. Text cells are guarded: a batch label or process name a
/// spreadsheet would read as a formula is written as text.
pub fn codes_csv(codes: &[String], label: &str, process_name: &str, vote_at: &str) -> String {
    use levers_core::csv::cell;
    let mut csv = String::from("code,batch,community_budget,vote_at\r\n");
    for c in codes {
        csv.push_str(&format!(
            "{},{},{},{}\r\n",
            cell(c),
            cell(label),
            cell(process_name),
            cell(vote_at)
        ));
    }
    csv
}

/// The count, shared with the CLI and the demo: seal the box, read the sealed ballots (each is
/// checked again against the ballot's rules), run the process's rule, store result and file.
pub async fn count_process(
    store: &levers_store::Store,
    actor: &Actor,
    p: &PbProcess,
) -> Result<CountResult, CountError> {
    store.seal_pb_ballots(actor, p.id).await?;
    let contents = store.pb_sealed_ballots(p.id).await?;
    let entries = p.ballot.clone().unwrap_or_default();
    let projects: Vec<BallotProject> = entries
        .iter()
        .map(|b| BallotProject {
            id: b.id,
            cost_pence: b.cost_pence,
        })
        .collect();
    let mut ballots = Vec::with_capacity(contents.len());
    for (i, c) in contents.iter().enumerate() {
        ballots.push(
            Ballot::decode(&p.def.ballot, &projects, c)
                .map_err(|e| CountError::Conflict(format!("sealed ballot {}: {e}", i + 1)))?,
        );
    }
    let count_projects: Vec<CountProject> = entries
        .iter()
        .map(|b| CountProject {
            id: b.id,
            name: b.name.clone(),
            category: b.category.clone(),
            cost_pence: b.cost_pence,
        })
        .collect();
    let instance = p.def.count_instance(time::OffsetDateTime::now_utc().year());
    let def = p.def.clone();
    let result =
        tokio::task::spawn_blocking(move || count(&def, &instance, &count_projects, &ballots))
            .await
            .map_err(|e| CountError::Stopped(e.to_string()))?
            .map_err(|e| CountError::Conflict(e.to_string()))?;
    let json = serde_json::to_value(&result).map_err(|e| CountError::Stopped(e.to_string()))?;
    store
        .save_pb_count(actor, p.id, result.ballots as i64, &json, &result.pb)
        .await?;
    Ok(result)
}

/// A counted vote's result as its results page and the place view show it: the stored count (with
/// its publication) and the result it holds, or `None` before counting.
pub async fn result(
    store: &Store,
    process_id: i64,
) -> Result<Option<(levers_store::pb_process::PbResult, CountResult)>, StoreError> {
    let Some(stored) = store.pb_result(process_id).await? else {
        return Ok(None);
    };
    let result = serde_json::from_value(stored.result.clone())
        .map_err(|e| StoreError::Corrupt(format!("stored result of process {process_id}: {e}")))?;
    Ok(Some((stored, result)))
}

/// Turnout by ward from the codes (never from ballots), as the results page and the place view show it.
pub async fn turnout(
    store: &Store,
    process_id: i64,
) -> Result<Vec<levers_store::pb_process::WardTurnout>, StoreError> {
    store.pb_turnout(process_id).await
}

#[cfg(test)]
mod csv_tests {
    use super::codes_csv;

    #[test]
    fn a_label_that_looks_like_a_formula_is_text() {
        let csv = codes_csv(
            &["ABCD-EFGH".into()],
            "=HYPERLINK(\"http://evil.example\",\"Click\")",
            "@Harbour",
            "https://levers.example/community-budgets/x/vote",
        );
        let row = csv.lines().nth(1).unwrap();
        assert!(row.starts_with("ABCD-EFGH,"), "{row}");
        for cell in row.split(',').skip(1) {
            let text = cell.trim_start_matches('"');
            assert!(!text.starts_with(['=', '@', '+', '-']), "{row}");
        }
    }
}
