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

    /// Sets a value, recording the old and new value in the audit log.
    pub async fn set_setting(&self, actor: &Actor, key: &str, value: &str) -> Result<()> {
        let before = self.setting(key).await?;
        if before.as_deref() == Some(value) {
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
