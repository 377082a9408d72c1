//! The synthetic demo borough: a council of its own with an admin account and its own geography
//! (wards, neighbourhoods with a realistic spread of deprivation, postcodes), written in the real ONS
//! and MHCLG file layouts and imported through the same readers. Nothing in it is real.
//!
//! Collisions with real places are impossible by construction: every area code starts with `X`, a
//! letter no GSS code uses, and every postcode area starts with `X`, a letter Royal Mail never uses in
//! the first position.

use levers_app::credentials as auth;
use levers_store::{Actor, NewUser, Role, Store, settings::COUNCIL_NAME};

mod appraisal;
mod borough;
mod contracts;
mod coproduction;
mod pb;
mod places;
mod procurement;
mod spend;
mod strategy;

pub use borough::COUNCIL;
use borough::geography_files;

/// The demo admin. `.example` is reserved (RFC 2606), so this address can never reach anyone.
pub const ADMIN_EMAIL: &str = "admin@levermouth.example";

/// What the demo set up, for printing.
pub struct Created {
    pub admin_email: String,
    pub admin_password: String,
}

/// Creates the demo borough, or refreshes it: the admin gets a new one-time password each time and
/// the synthetic files are re-imported (replacing the earlier import).
pub async fn build(store: &Store) -> anyhow::Result<Created> {
    let actor = Actor::system("demo");
    store.set_setting(&actor, COUNCIL_NAME, COUNCIL).await?;
    for (name, text) in geography_files() {
        let reader: Box<dyn std::io::Read + Send> =
            Box::new(std::io::Cursor::new(text.into_bytes()));
        levers_app::geo_import::import_reader(store, &actor, name, reader).await?;
    }
    // Three years of spend, through the same import as real files (a refresh adds nothing twice).
    for (name, bytes) in spend::spend_files() {
        levers_app::spend_import::import_bytes(
            store,
            &actor,
            COUNCIL,
            &name,
            std::sync::Arc::new(bytes),
            &[],
        )
        .await
        .map_err(|e| anyhow::anyhow!("demo spend file {name}: {e}"))?;
    }
    // Appraisals of three community-budget interventions and the pooled budget that funds them.
    appraisal::build(store, &actor).await?;
    // Supplier records and register entries for the procurement dashboard.
    procurement::build(store, &actor).await?;
    pb::build(store, &actor).await?;
    link_pool_vote(store, &actor).await?;
    coproduction::build(store, &actor).await?;
    // A contract register and two notices for the contract pipeline.
    contracts::build(store, &actor).await?;
    // Populations, ward indicators, boundaries and the places of the levers' records.
    places::build(store, &actor).await?;
    // The strategy that joins the three levers up, after everything it measures and links.
    strategy::build(store, &actor).await?;
    let password = auth::one_time_password();
    let hash = auth::hash_password(&password)?;
    match store.user_by_email(ADMIN_EMAIL).await? {
        Some(admin) => {
            if admin.disabled {
                store.set_user_disabled(&actor, admin.id, false).await?;
            }
            if admin.role != Role::Admin {
                store.set_user_role(&actor, admin.id, Role::Admin).await?;
            }
            store
                .set_password(&actor, admin.id, &hash, true, None)
                .await?;
        }
        None => {
            store
                .create_user(
                    &actor,
                    NewUser {
                        email: ADMIN_EMAIL.into(),
                        display_name: "Demo admin".into(),
                        password_hash: hash,
                        role: Role::Admin,
                        must_change_password: true,
                    },
                )
                .await?;
        }
    }
    Ok(Created {
        admin_email: ADMIN_EMAIL.into(),
        admin_password: password,
    })
}

/// Names the demo's community budget vote on the pool line that funds it (once).
async fn link_pool_vote(store: &Store, actor: &Actor) -> anyhow::Result<()> {
    let Some(process) = store.pb_process_by_slug(pb::SLUG).await? else {
        return Ok(());
    };
    for (pool_id, _) in store.pools().await? {
        let Some(pool) = store.pool(pool_id).await? else {
            continue;
        };
        for ((line_id, name, _), linked) in pool.line_ids.iter().zip(&pool.line_processes) {
            if name == appraisal::VOTE_LINE && linked.is_none() {
                store
                    .set_pool_line_process(actor, *line_id, Some(process.id))
                    .await?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::borough::BOROUGH;
    use super::*;
    use levers_geo::{GeoIndexBuilder, read_geo};

    #[test]
    fn the_borough_reads_cleanly_and_has_a_realistic_spread() {
        let mut b = GeoIndexBuilder::new();
        for (name, text) in geography_files() {
            let rep = read_geo(name, text.as_bytes(), |r| b.add(&r), |_| {}).unwrap();
            assert!(
                rep.reconciles() && rep.rows_rejected == 0,
                "{name}: {:?}",
                rep.rejections.first()
            );
        }
        let idx = b.build();
        let p = idx
            .area(&levers_core::AreaCode::parse(BOROUGH).unwrap())
            .unwrap();
        assert_eq!(p.name.as_deref(), Some("Levermouth"));
        assert_eq!(p.wards.len(), 12);
        assert!(
            (70..=110).contains(&p.lsoas_2011.len()),
            "{}",
            p.lsoas_2011.len()
        );
        assert!(
            p.imd2019_deciles[0] >= 5,
            "a deprived harbour: {:?}",
            p.imd2019_deciles
        );
        assert!(
            p.imd2019_deciles[7..].iter().sum::<u32>() >= 5,
            "and leafy suburbs: {:?}",
            p.imd2019_deciles
        );
        assert!(p.postcodes > 1_500 && p.postcodes_terminated > 0);
        // Every code is synthetic.
        assert!(idx.postcodes().all(|pc| pc.compact().starts_with('X')));
    }
}
