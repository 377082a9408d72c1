//! Site settings (the council's name and the like) as key/value pairs, every change audited.

use crate::audit::{Actor, NewAudit, insert_audit};
use crate::{Result, Store, with_pool, write_tx};

/// The council's name, shown beside the service name in every page header.
pub const COUNCIL_NAME: &str = "council_name";

impl Store {
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        with_pool!(self, pool => {
            Ok(sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(pool).await?)
        })
    }

    /// Sets a value, recording the old and new value in the audit log. Setting an unset key to
    /// nothing changes nothing (a missing setting reads as empty everywhere).
    pub async fn set_setting(&self, actor: &Actor, key: &str, value: &str) -> Result<()> {
        let before = self.setting(key).await?;
        if before.as_deref().unwrap_or("") == value {
            return Ok(());
        }
        with_pool!(self, pool => write_tx!(pool, tx => {
            sqlx::query(
                "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(value)
            .execute(&mut *tx)
            .await?;
            insert_audit!(&mut *tx, actor, NewAudit::new("setting.set", "setting", key).before(before).after(value))?;
            Ok(())
        }))
    }
}

/// The council's public address (the web address residents use), shown on printed voting codes
/// and links sent out.
pub const PUBLIC_URL: &str = "public_url";

/// Whether the council has published its place view (`yes`): only then may the public see it.
pub const PUBLISHED_PLACE_VIEW: &str = "published_place_view";

/// The spending body that is the council itself: the analysis opens on it.
pub const HOME_BODY: &str = "home_body";

/// What a new install has done so far, for the first-run steps (each a count of rows).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SetupProgress {
    pub geo_datasets: i64,
    pub spend_imports: i64,
    pub supplier_imports: i64,
    pub pb_processes: i64,
    pub register_activities: i64,
}

impl Store {
    /// Counts what each first-run step needs to see done.
    pub async fn setup_progress(&self) -> Result<SetupProgress> {
        const SQL: &str = "SELECT (SELECT COUNT(*) FROM geo_datasets), \
            (SELECT COUNT(*) FROM spend_imports WHERE undone_at IS NULL), \
            (SELECT COUNT(*) FROM proc_supplier_imports), (SELECT COUNT(*) FROM pb_processes), \
            (SELECT COUNT(*) FROM coproduction_activities)";
        let (geo, spend, suppliers, pb, register): (i64, i64, i64, i64, i64) =
            with_pool!(self, pool => sqlx::query_as(SQL).fetch_one(pool).await?);
        Ok(SetupProgress {
            geo_datasets: geo,
            spend_imports: spend,
            supplier_imports: suppliers,
            pb_processes: pb,
            register_activities: register,
        })
    }
}
