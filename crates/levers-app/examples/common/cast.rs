//! Shared by the benchmark examples: cast prepared ballots through the store, eight at a time,
//! as voters on the web would, each with its own code.

use levers_store::pb_process::{CastOutcome, Channel, NewBallot};
use levers_store::{Actor, Store};

/// Casts every (code hash, ballot) of `jobs` online into process `pid`; any refusal is an error.
pub async fn cast_all(
    store: &Store,
    actor: &Actor,
    pid: i64,
    jobs: &[(String, NewBallot)],
) -> anyhow::Result<()> {
    let mut set = tokio::task::JoinSet::new();
    for chunk in jobs.chunks(jobs.len().div_ceil(8).max(1)) {
        let (store, chunk, actor) = (store.clone(), chunk.to_vec(), actor.clone());
        set.spawn(async move {
            for (h, nb) in chunk {
                let r = store
                    .cast_pb_ballot(&actor, pid, &h, Channel::Online, &nb)
                    .await?;
                anyhow::ensure!(r == CastOutcome::Cast, "ballot refused: {r:?}");
            }
            Ok(())
        });
    }
    while let Some(r) = set.join_next().await {
        r??;
    }
    Ok(())
}
