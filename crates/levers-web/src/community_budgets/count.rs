//! Counting a closed vote (the use case the web page, the CLI and the demo share): seal the box,
//! check every sealed ballot again, run the process's rule, store the result and the Pabulib file.

use levers_pb::ballot::{Ballot, BallotProject};
use levers_pb::count::{CountProject, CountResult, count};
use levers_store::Actor;
use levers_store::pb_process::PbProcess;

use crate::error::AppError;

/// Why a count could not be made.
pub enum CountError {
    Conflict(String),
    App(AppError),
}

impl From<levers_store::StoreError> for CountError {
    fn from(e: levers_store::StoreError) -> Self {
        match e {
            levers_store::StoreError::Conflict(m) => CountError::Conflict(m),
            other => CountError::App(other.into()),
        }
    }
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
            .map_err(|e| CountError::App(AppError::Internal(e.into())))?
            .map_err(|e| CountError::Conflict(e.to_string()))?;
    let json =
        serde_json::to_value(&result).map_err(|e| CountError::App(AppError::Internal(e.into())))?;
    store
        .save_pb_count(actor, p.id, result.ballots as i64, &json, &result.pb)
        .await?;
    Ok(result)
}
