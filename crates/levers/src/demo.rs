//! The synthetic demo borough: a council of its own with an admin account. Later issues add its
//! geography, spend, community budgets and co-production here. Nothing in it is real.

use levers_store::{Actor, NewUser, Role, Store, settings::COUNCIL_NAME};
use levers_web::auth;

/// The made-up borough's council. "Levermouth" is not a real place.
pub const COUNCIL: &str = "Levermouth Borough Council";
/// The demo admin. `.example` is reserved (RFC 2606), so this address can never reach anyone.
pub const ADMIN_EMAIL: &str = "admin@levermouth.example";

/// What the demo set up, for printing.
pub struct Created {
    pub admin_email: String,
    pub admin_password: String,
}

/// Creates the demo borough, or refreshes it: the admin gets a new one-time password each time.
pub async fn build(store: &Store) -> anyhow::Result<Created> {
    let actor = Actor::system("demo");
    store.set_setting(&actor, COUNCIL_NAME, COUNCIL).await?;
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
            store.set_password(&actor, admin.id, &hash, true, None).await?;
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
    Ok(Created { admin_email: ADMIN_EMAIL.into(), admin_password: password })
}
